import { describe, expect, it } from 'vitest';
import { chartSvg, label, pathOf, yRange } from '../src/charts';
import { errorText } from '../src/errors';
import { FIXED_ONE } from '../src/format';
import { deadline, fundingPerDay, healthBar, income, limitPrice, minAmount, minShares, sampleBlocks, seriesLabel, shareValue, signedSize, slippageBps } from '../src/maths';
import { parseQueue } from '../src/state';
import { emptyHistory, record } from '../src/history';

const usd = (n: number) => String(n);

describe('limit prices', () => {
  const price = 11n * FIXED_ONE;
  it('move against the trader by the tolerance', () => {
    expect(limitPrice(price, 'buy', 100n)).toBe(11_110_000_000_000_000_000n);
    expect(limitPrice(price, 'sell', 100n)).toBe(10_890_000_000_000_000_000n);
  });
  it('are the quote itself at zero tolerance', () => {
    expect(limitPrice(price, 'buy', 0n)).toBe(price);
    expect(limitPrice(price, 'sell', 0n)).toBe(price);
  });
  it('never round looser than asked', () => {
    // 3 * 1.0001 = 3.0003 exactly; 7 inner units * 0.9999 = 6.9993 -> rounded up to 7.
    expect(limitPrice(3n, 'buy', 1n)).toBe(3n);
    expect(limitPrice(7n, 'sell', 1n)).toBe(7n);
    expect(limitPrice(price, 'sell', 10_000n)).toBe(0n);
  });
  it('read the ticket in words', () => {
    expect(slippageBps('0.5')).toBe(50n);
    expect(slippageBps('1')).toBe(100n);
    expect(slippageBps('0')).toBe(0n);
    expect(() => slippageBps('-1')).toThrow(/percentage/);
    expect(() => slippageBps('60')).toThrow(/50%/);
    expect(signedSize('10', 'buy')).toBe(10n);
    expect(signedSize('10', 'sell')).toBe(-10n);
    expect(() => signedSize('1.5', 'buy')).toThrow(/whole number/);
    expect(() => signedSize('0', 'buy')).toThrow(/above zero/);
    expect(deadline(1_000, '60')).toBe(61_000n);
    expect(() => deadline(0, '1')).toThrow(/between 6 and 3600/);
  });
});

describe('health bar', () => {
  const h = (equity: number, maintenance: number, initial: number) => ({
    equity: usd(equity), maintenanceMargin: usd(maintenance), initialMargin: usd(initial),
    unrealisedPnl: '0', fundingOwedTokens: '0', haircut: '0.05', marginRatio: null,
  });
  it('puts the liquidation line in the middle', () => {
    const b = healthBar(h(100, 100, 150));
    expect(b.fill).toBe(50);
    expect(b.initialAt).toBe(75);
    expect(b.state).toBe('warning');
    expect(b.toLiquidation).toBe(0n);
  });
  it('says how far equity can fall', () => {
    const b = healthBar(h(400, 100, 150));
    expect(b.state).toBe('safe');
    expect(b.fill).toBe(100);
    expect(b.toLiquidation).toBe(300n * FIXED_ONE);
    expect(b.toLiquidationBps).toBe(7_500n);
  });
  it('is red below maintenance and empty at no equity', () => {
    expect(healthBar(h(50, 100, 150)).state).toBe('liquidatable');
    expect(healthBar(h(-10, 100, 150)).fill).toBe(0);
    expect(healthBar(h(-10, 100, 150)).toLiquidationBps).toBeNull();
    expect(healthBar(null).state).toBe('none');
  });
});

describe('LP values', () => {
  it('values shares at the NAV, rounded down', () => {
    expect(shareValue(1_000n, '1.05')).toBe(1_050n);
    expect(shareValue(3n, '0.5')).toBe(1n);
    expect(shareValue(5n, null)).toBeNull();
  });
  it('sets deposit and withdrawal limits 1% worse than now', () => {
    expect(minShares(1_000_000n, '1', 100n)).toBe(990_000n);
    expect(minShares(1_050_000n, '1.05', 100n)).toBe(990_000n);
    expect(minShares(1_000n, null, 100n)).toBe(0n);
    // A 2% early-withdrawal fee and 1% tolerance: 97% of the value.
    expect(minAmount(1_000_000n, '1', 20_000_000n, 100n)).toBe(970_000n);
    expect(minAmount(1_000_000n, '1', 1_000_000_000n, 100n)).toBe(0n);
  });
  it('sums income by kind, tranches only', () => {
    const i = income([
      { kind: 'Fee', toMain: 8n, toInsurance: 2n },
      { kind: 'LatencyFee', toMain: 1n, toInsurance: 0n },
      { kind: 'Gain', toMain: 30n, toInsurance: 5n },
      { kind: 'Penalty', toMain: 0n, toInsurance: 7n },
    ]);
    expect(i).toEqual({ fees: 11n, gains: 35n, penalties: 7n });
  });
  it('funding per day scales with the position', () => {
    expect(fundingPerDay('0.5', -3n)).toBe(-3n * FIXED_ONE / 2n);
    expect(fundingPerDay(null, 3n)).toBeNull();
  });
});

describe('history sampling and charts', () => {
  it('samples evenly, ending at the best block', () => {
    expect(sampleBlocks(1, 201, 5)).toEqual([1, 51, 101, 151, 201]);
    expect(sampleBlocks(10, 12, 50)).toEqual([10, 11, 12]);
    expect(sampleBlocks(5, 4, 3)).toEqual([]);
    expect(sampleBlocks(1, 1000, 50).length).toBeLessThanOrEqual(50);
  });
  it('scales paths into the box', () => {
    expect(pathOf([{ x: 0, y: 0 }, { x: 10, y: 10 }], 0, 10, 0, 10, 100, 50)).toBe('M0.0 50.0 L100.0 0.0');
    expect(yRange([{ name: 'a', color: '#000', points: [{ x: 1, y: 5 }] }])[0]).toBeLessThan(5);
    expect(chartSvg('t', [])).toContain('no history yet');
    // Labels keep the digits that differ: NAV per share moves in the fourth decimal.
    expect(label(1.000113, 0.0002)).toBe('1.000113');
    expect(label(1.0, 0.0002)).toBe('1.000000');
    expect(label(100234, 500)).toBe('100,234');
    expect(chartSvg('t', [{ name: 'mark', color: '#123', points: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }])).toContain('<path');
  });
});

describe('chart history', () => {
  it('keeps one sample per block when backfill and the live block meet', () => {
    const h = emptyHistory();
    const series = { mark: '11.5', theoretical: '11.1', indexPrice: '100000', fundingIndex: '0.01' } as never;
    const tranche = (nav: string) => ({ shareAsset: 0, capital: '0', nav: null, supply: '0', navPerShare: nav });
    const pool = { main: tranche('1.0001'), insurance: tranche('1.0002') } as never;
    record(h, 10, series, pool);
    record(h, 10, series, pool);
    record(h, 9, series, pool);
    record(h, 11, null, pool);
    expect(h.mark.map((p) => p.x)).toEqual([10]);
    expect(h.navMain.map((p) => p.x)).toEqual([10, 11]);
    expect(h.navMain[1].y).toBeCloseTo(1.0001, 12);
    expect(h.index[0].y).toBe(100000);
  });
});

describe('words', () => {
  it('names the error and says what to do', () => {
    expect(errorText('SlippageExceeded')).toMatch(/^SlippageExceeded: The price moved past your slippage tolerance/);
    expect(errorText('SomethingNew', ['The runtime', 'says so.'])).toBe('SomethingNew: The runtime says so.');
    expect(errorText('Bare')).toBe('Bare: Bare');
  });
  it('labels series as traders do', () => {
    expect(seriesLabel({ index: 'BTC', strike: '100000', kind: 'call' })).toBe('BTC 100,000 call');
  });
  it('reads the pool queue from storage JSON', () => {
    const q = parseQueue([{ id: 4, who: '5Grw', tranche: 'Main', kind: { deposit: { amount: '5000', minShares: 1 } }, at: 1700 }, { id: 5, who: '5Grw', tranche: 'Insurance', kind: { withdraw: { shares: 7, minAmount: 0 } }, at: 1800 }]);
    expect(q).toEqual([
      { id: 4, who: '5Grw', tranche: 'Main', kind: 'deposit', amount: 5000n, at: 1700 },
      { id: 5, who: '5Grw', tranche: 'Insurance', kind: 'withdraw', amount: 7n, at: 1800 },
    ]);
    expect(parseQueue(null)).toEqual([]);
  });
});

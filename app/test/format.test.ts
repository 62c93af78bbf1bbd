import { describe, expect, it } from 'vitest';
import { fmtDecimal, fmtPercent, fmtSigned, fmtUnits, humanDuration, parseFixed, roundScaled, scaledToDecimal, statusText, toUnits } from '../src/format';

describe('fixed-point strings', () => {
  it('parses the RPC decimals exactly', () => {
    expect(parseFixed('98.25')).toBe(98_250_000_000_000_000_000n);
    expect(parseFixed('-0.000000000000000003')).toBe(-3n);
    expect(parseFixed('100000')).toBe(100_000n * 10n ** 18n);
    // Beyond 18 decimals is truncated, as FixedU128 would.
    expect(parseFixed('1.0000000000000000019')).toBe(10n ** 18n + 1n);
    expect(() => parseFixed('1e5')).toThrow();
    expect(() => parseFixed('')).toThrow();
  });
  it('round-trips through scaledToDecimal', () => {
    for (const d of ['0', '1', '-12.5', '0.000000000000000001', '123456789.123456789']) {
      expect(scaledToDecimal(parseFixed(d), 18)).toBe(d);
    }
  });
  it('rounds half away from zero and groups thousands', () => {
    expect(roundScaled(123_456_789n, 6, 2)).toBe('123.46');
    expect(roundScaled(-125n, 2, 1)).toBe('-1.3');
    expect(fmtDecimal('1234567.891')).toBe('1,234,567.89');
    expect(fmtDecimal('0.004')).toBe('0.00');
    expect(fmtDecimal(null)).toBe('—');
    // A tiny negative that rounds to zero shows no sign.
    expect(fmtDecimal('-0.001')).toBe('0.00');
  });
  it('signs gains and losses', () => {
    expect(fmtSigned('12.5')).toBe('+12.50');
    expect(fmtSigned('-3.1')).toBe('-3.10');
    expect(fmtSigned('0')).toBe('0.00');
  });
  it('formats base units and percentages', () => {
    expect(fmtUnits('1500000000000', 12, 2)).toBe('1.50');
    expect(fmtUnits(50n * 10n ** 12n, 12, 4)).toBe('50.0000');
    expect(fmtPercent('0.4')).toBe('40.00%');
    expect(fmtPercent('0.0525', 1)).toBe('5.3%');
  });
});

describe('amounts typed by a user', () => {
  it('become base units', () => {
    expect(toUnits('10', 12)).toBe(10n * 10n ** 12n);
    expect(toUnits('2.5', 12)).toBe(2_500_000_000_000n);
    expect(toUnits('.5', 2)).toBe(50n);
  });
  it('are refused with words when they are not amounts', () => {
    expect(() => toUnits('abc', 12)).toThrow(/amount/);
    expect(() => toUnits('-1', 12)).toThrow(/amount/);
    expect(() => toUnits('0', 12)).toThrow(/above zero/);
    expect(() => toUnits('1.123', 2)).toThrow(/at most 2 decimals/);
  });
});

describe('market hours', () => {
  it('says durations as the calendar RPC does', () => {
    expect(humanDuration(0)).toBe('less than a minute');
    expect(humanDuration(13 * 60_000)).toBe('13 min');
    expect(humanDuration((2 * 60 + 13) * 60_000)).toBe('2 h 13 min');
    expect(humanDuration(((2 * 24 + 3) * 60 + 13) * 60_000)).toBe('2 d 3 h 13 min');
  });
  it('counts down from the RPC answer', () => {
    const closed = { at: 0, exchange: 0, status: 'closed' as const, closesAt: null, opensAt: 8_000_000, text: 'closed, opens in 2 h 13 min' };
    expect(statusText(closed, 0)).toBe('closed, opens in 2 h 13 min');
    expect(statusText(closed, 60 * 60_000)).toBe('closed, opens in 1 h 13 min');
    expect(statusText(closed, 9_000_000)).toBe('opening');
    const open = { ...closed, status: 'open' as const, closesAt: 3_600_000, opensAt: null };
    expect(statusText(open, 0)).toBe('open, closes in 1 h 0 min');
    const halted = { ...closed, status: 'halted' as const, opensAt: null, text: 'trading halted' };
    expect(statusText(halted, 0)).toBe('trading halted');
  });
});

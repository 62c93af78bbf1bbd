// Pure trading maths of the page: limit prices, health, LP values. Fixed-point values are
// bigints scaled by 10^18 (the chain's FixedU128 / FixedI128), amounts are base units.

import { FIXED_ONE, parseFixed } from './format';

/** Basis points in one. */
export const BPS = 10_000n;

export type Side = 'buy' | 'sell';

/**
 * The limit price to send with a trade: the quoted average fill moved against the trader by
 * the slippage tolerance. A buy accepts up to `price * (1 + s)` (rounded down, never looser
 * than asked), a sell down to `price * (1 - s)` (rounded up). A tolerance of 100% or more on a
 * sell means any price.
 */
export function limitPrice(price: bigint, side: Side, slippageBps: bigint): bigint {
  if (price < 0n || slippageBps < 0n) throw new Error('price and slippage must not be negative');
  if (side === 'buy') return (price * (BPS + slippageBps)) / BPS;
  if (slippageBps >= BPS) return 0n;
  const num = price * (BPS - slippageBps);
  return (num + BPS - 1n) / BPS;
}

/** Slippage typed as a percentage ("0.5") in basis points; an error in words otherwise. */
export function slippageBps(percent: string): bigint {
  const text = percent.trim();
  if (!/^\d+(\.\d{0,2})?$/.test(text)) throw new Error('slippage: a percentage such as 0.5, at most 2 decimals');
  const [int, frac = ''] = text.split('.');
  const bps = BigInt(int) * 100n + BigInt(frac.padEnd(2, '0') || '0');
  if (bps > 5000n) throw new Error('slippage above 50% is refused');
  return bps;
}

/** The contracts to send: positive buys, negative sells. */
export function signedSize(size: string, side: Side): bigint {
  const text = size.trim();
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) throw new Error('size: a whole number of contracts above zero');
  return side === 'buy' ? BigInt(text) : -BigInt(text);
}

/** The deadline (ms since the epoch) `seconds` after `now`. */
export function deadline(now: number, seconds: string): bigint {
  const text = seconds.trim();
  if (!/^\d+$/.test(text) || Number(text) < 6 || Number(text) > 3600) {
    throw new Error('deadline: between 6 and 3600 seconds');
  }
  return BigInt(Math.floor(now)) + BigInt(text) * 1000n;
}

/** An account's health as the options RPC reports it (USD decimals). */
export interface Health {
  equity: string;
  initialMargin: string;
  maintenanceMargin: string;
  unrealisedPnl: string;
  fundingOwedTokens: string;
  haircut: string;
  marginRatio: string | null;
}

export type HealthState = 'none' | 'safe' | 'warning' | 'liquidatable';

/** What the health bar shows. */
export interface HealthBar {
  state: HealthState;
  /** Width of the bar, 0-100: equity against twice the maintenance margin (50 = the line). */
  fill: number;
  /** Where the initial margin sits on the same scale. */
  initialAt: number;
  /** USD the equity can fall before liquidation (negative: below the line). */
  toLiquidation: bigint;
  /** That distance as a share of equity, in basis points (null without equity). */
  toLiquidationBps: bigint | null;
}

/**
 * The bar: empty at zero equity, at the middle on the maintenance margin (liquidation below),
 * full at twice it. Below the initial margin the account cannot open risk: a warning.
 */
export function healthBar(h: Health | null): HealthBar {
  if (!h) return { state: 'none', fill: 100, initialAt: 100, toLiquidation: 0n, toLiquidationBps: null };
  const equity = parseFixed(h.equity);
  const maintenance = parseFixed(h.maintenanceMargin);
  const initial = parseFixed(h.initialMargin);
  const toLiquidation = equity - maintenance;
  const toLiquidationBps = equity > 0n ? (toLiquidation * BPS) / equity : null;
  if (maintenance <= 0n) {
    return { state: 'safe', fill: 100, initialAt: 100, toLiquidation, toLiquidationBps };
  }
  const scale = (x: bigint) => {
    const pct = Number((x * 5000n) / maintenance) / 100;
    return Math.max(0, Math.min(100, pct));
  };
  const state: HealthState = equity < maintenance ? 'liquidatable' : equity < initial ? 'warning' : 'safe';
  return { state, fill: scale(equity), initialAt: scale(initial), toLiquidation, toLiquidationBps };
}

/**
 * Settlement base units an LP's `shares` are worth at `navPerShare` (a decimal: settlement
 * units per share unit), rounded down as a withdrawal would be.
 */
export function shareValue(shares: bigint, navPerShare: string | null): bigint | null {
  if (navPerShare == null) return null;
  return (shares * parseFixed(navPerShare)) / FIXED_ONE;
}

/** A pool inflow as the `pool.Received` event reports it. */
export interface Inflow {
  kind: string;
  toMain: bigint;
  toInsurance: bigint;
}

/** The tranches' income over a window of events, by kind (fees, funding and trader losses). */
export interface Income {
  fees: bigint;
  gains: bigint;
  penalties: bigint;
}

/**
 * Sums what the tranches (not the protocol, not the claims reserve) received, by kind:
 * `Fee` and `LatencyFee` are fees, `Gain` is funding and traders' losses, `Penalty`
 * liquidation penalties.
 */
export function income(inflows: Inflow[]): Income {
  const out: Income = { fees: 0n, gains: 0n, penalties: 0n };
  for (const f of inflows) {
    const amount = f.toMain + f.toInsurance;
    if (f.kind === 'Fee' || f.kind === 'LatencyFee') out.fees += amount;
    else if (f.kind === 'Gain') out.gains += amount;
    else if (f.kind === 'Penalty') out.penalties += amount;
  }
  return out;
}

/** Funding per day of a position: rate per contract per day (tokens) times the contracts. */
export function fundingPerDay(ratePerContract: string | null, size: bigint): bigint | null {
  if (ratePerContract == null) return null;
  return parseFixed(ratePerContract) * size;
}

/** "BTC 100,000 call". */
export function seriesLabel(s: { index: string; strike: string; kind: string }): string {
  const strike = Number(s.strike).toLocaleString('en-US', { maximumFractionDigits: 2 });
  return `${s.index} ${strike} ${s.kind}`;
}

/** Evenly spaced block numbers from `from` to `to` inclusive, at most `points` of them. */
export function sampleBlocks(from: number, to: number, points: number): number[] {
  if (to < from || points < 1) return [];
  if (points === 1 || to === from) return [to];
  const span = to - from;
  const step = Math.max(1, Math.ceil(span / (points - 1)));
  const out: number[] = [];
  for (let n = to; n >= from && out.length < points; n -= step) out.push(n);
  return out.reverse();
}

/**
 * The fewest shares a deposit of `amount` accepts: what the NAV per share now gives, less
 * `toleranceBps`, rounded down. Without a NAV (or a new tranche) any number of shares.
 */
export function minShares(amount: bigint, navPerShare: string | null, toleranceBps: bigint): bigint {
  if (navPerShare == null) return 0n;
  const nav = parseFixed(navPerShare);
  if (nav <= 0n) return 0n;
  return (amount * FIXED_ONE * (BPS - toleranceBps)) / (nav * BPS);
}

/**
 * The least a withdrawal of `shares` accepts: their value now, less the highest withdrawal
 * fee (`feePpb`, parts per billion) and `toleranceBps`, rounded down; never negative.
 */
export function minAmount(shares: bigint, navPerShare: string | null, feePpb: bigint, toleranceBps: bigint): bigint {
  const value = shareValue(shares, navPerShare);
  if (value == null) return 0n;
  const keep = 1_000_000_000n * BPS - feePpb * BPS - toleranceBps * 1_000_000_000n;
  return keep > 0n ? (value * keep) / (1_000_000_000n * BPS) : 0n;
}

// Pure formatting: the chain's decimal strings and base units as people read them. The RPCs
// send every amount as a string so that no digit is lost to JavaScript numbers; everything
// here works on strings and bigints, and only rounds for display.

/** The chain's fixed-point numbers (FixedU128 / FixedI128) carry 18 decimals. */
export const FIXED_DECIMALS = 18;
export const FIXED_ONE = 10n ** 18n;

/** A decimal string ("-98.25", "3") as an integer scaled by 10^decimals, truncated. */
export function parseScaled(decimal: string, decimals: number): bigint {
  const text = decimal.trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a number: "${decimal}"`);
  const [, sign, int, frac = ''] = m;
  const scaled = BigInt(int || '0') * 10n ** BigInt(decimals) + BigInt((frac.padEnd(decimals, '0').slice(0, decimals)) || '0');
  return sign ? -scaled : scaled;
}

/** A decimal string as a FixedU128/FixedI128 inner value. */
export function parseFixed(decimal: string): bigint {
  return parseScaled(decimal, FIXED_DECIMALS);
}

/** A scaled integer back to an exact decimal string without trailing zeros. */
export function scaledToDecimal(value: bigint, decimals: number): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const base = 10n ** BigInt(decimals);
  const int = abs / base;
  const frac = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}

/** Groups the integer digits: "1234567.5" -> "1,234,567.5". */
function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A scaled integer rounded half away from zero to `places` decimals, with thousands
 * separators: `round(123456789n, 6, 2)` = "123.46".
 */
export function roundScaled(value: bigint, decimals: number, places: number): string {
  const neg = value < 0n;
  let abs = neg ? -value : value;
  if (places < decimals) {
    const step = 10n ** BigInt(decimals - places);
    abs = ((abs + step / 2n) / step) * step;
  }
  const base = 10n ** BigInt(decimals);
  const int = group((abs / base).toString());
  const shown = Math.min(places, decimals);
  const frac = shown > 0 ? '.' + (abs % base).toString().padStart(decimals, '0').slice(0, shown) : '';
  const zero = abs === 0n;
  return `${neg && !zero ? '-' : ''}${int}${frac}`;
}

/** A chain decimal string for display: "98250.123" -> "98,250.12". `null` -> "—". */
export function fmtDecimal(decimal: string | null | undefined, places = 2): string {
  if (decimal == null) return '—';
  return roundScaled(parseFixed(decimal), FIXED_DECIMALS, places);
}

/** A signed decimal with an explicit sign: "+12.50" / "-3.10" / "0.00". */
export function fmtSigned(decimal: string | null | undefined, places = 2): string {
  if (decimal == null) return '—';
  const v = parseFixed(decimal);
  const text = roundScaled(v, FIXED_DECIMALS, places);
  return v > 0n && !/^0\.?0*$/.test(text) ? `+${text}` : text;
}

/** Base units of an asset as whole tokens: `fmtUnits("1500000000000", 12, 2)` = "1.50". */
export function fmtUnits(units: string | bigint | null | undefined, decimals: number, places = 4): string {
  if (units == null) return '—';
  return roundScaled(BigInt(units), decimals, places);
}

/** What a user typed ("10.5") as base units; an error in words for anything else. */
export function toUnits(tokens: string, decimals: number): bigint {
  const text = tokens.trim();
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(text)) throw new Error('enter an amount such as 10 or 2.5');
  const frac = text.split('.')[1] ?? '';
  if (frac.length > decimals) throw new Error(`at most ${decimals} decimals`);
  const units = parseScaled(text, decimals);
  if (units <= 0n) throw new Error('the amount must be above zero');
  return units;
}

/** A fraction ("0.0525") as a percentage: "5.25%". */
export function fmtPercent(fraction: string | null | undefined, places = 2): string {
  if (fraction == null) return '—';
  return `${roundScaled(parseFixed(fraction) * 100n, FIXED_DECIMALS, places)}%`;
}

/** "2 d 3 h 13 min", "2 h 13 min", "13 min", "less than a minute": as the calendar RPC says. */
export function humanDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  if (d === 0 && h === 0 && m === 0) return 'less than a minute';
  if (d === 0 && h === 0) return `${m} min`;
  if (d === 0) return `${h} h ${m} min`;
  return `${d} d ${h} h ${m} min`;
}

/** What `calendar_stockStatus` returns. */
export interface MarketStatus {
  at: number;
  exchange: number;
  status: 'open' | 'closed' | 'halted' | 'unknown';
  closesAt: number | null;
  opensAt: number | null;
  text: string;
}

/**
 * The status line at `now` (ms), counting down from the RPC's answer so that the page can
 * tick every second without asking the node: "closed, opens in 2 h 13 min".
 */
export function statusText(s: MarketStatus, now: number): string {
  if (s.status === 'open' && s.closesAt != null) {
    return s.closesAt > now ? `open, closes in ${humanDuration(s.closesAt - now)}` : 'closing';
  }
  if (s.status === 'closed' && s.opensAt != null) {
    return s.opensAt > now ? `closed, opens in ${humanDuration(s.opensAt - now)}` : 'opening';
  }
  return s.text;
}

/** A short account address: "5Grw…utQY". */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

/** A block time (ms) as local HH:MM:SS. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

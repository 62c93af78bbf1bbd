// Charts' history, read from the chain itself: the node's `options_series` and `pool_state`
// RPCs take a block hash, so the page samples the last `HISTORY_BLOCKS` blocks at
// `HISTORY_POINTS` evenly spaced blocks when it connects, then adds every new block. A pruned
// node keeps state for 256 blocks (`scripts/run-dev.sh` runs the dev chain as an archive);
// pool income comes from the `pool.Received` events of every block in the same window.

import type { Chain, PoolState, Series } from './chain';
import type { Point } from './charts';
import { income, sampleBlocks, type Income, type Inflow } from './maths';

export const HISTORY_BLOCKS = 200;
export const HISTORY_POINTS = 50;

/** A chart's y: the RPC's decimal string read as the nearest double (charts need no more). */
const toNumber = (d: string | null | undefined) => (d == null ? NaN : Number(d));

export interface History {
  series: number | null;
  mark: Point[];
  theoretical: Point[];
  index: Point[];
  funding: Point[];
  navMain: Point[];
  navInsurance: Point[];
  /** Blocks the income window covers, and the inflows seen in it. */
  from: number;
  inflows: { block: number; inflow: Inflow }[];
}

export function emptyHistory(): History {
  return { series: null, mark: [], theoretical: [], index: [], funding: [], navMain: [], navInsurance: [], from: 0, inflows: [] };
}

/** The income of the last window of blocks. */
export function windowIncome(h: History): Income {
  return income(h.inflows.map((i) => i.inflow));
}

/** Adds `series` (the charted one) and `pool` as they were at `block` to `h`. */
export function record(h: History, block: number, series: Series | null, pool: PoolState | null): void {
  // Backfill and the live subscription may both reach the best block: one sample per block.
  if ((h.navMain.at(-1)?.x ?? -1) >= block || (h.mark.at(-1)?.x ?? -1) >= block) return;
  if (series) {
    h.mark.push({ x: block, y: toNumber(series.mark) });
    h.theoretical.push({ x: block, y: toNumber(series.theoretical) });
    h.index.push({ x: block, y: toNumber(series.indexPrice) });
    h.funding.push({ x: block, y: toNumber(series.fundingIndex) });
  }
  if (pool) {
    h.navMain.push({ x: block, y: toNumber(pool.main.navPerShare) });
    h.navInsurance.push({ x: block, y: toNumber(pool.insurance.navPerShare) });
  }
  const keep = (p: Point[]) => p.splice(0, Math.max(0, p.length - 400));
  [h.mark, h.theoretical, h.index, h.funding, h.navMain, h.navInsurance].forEach(keep);
}

/** Reads the charted series and the pool at an older block `hash` and records them. */
async function sampleAt(chain: Chain, h: History, block: number, hash: string, settlement: number): Promise<void> {
  const [series, pool] = await Promise.all([
    h.series == null ? Promise.resolve(null) : chain.series(h.series, hash).catch(() => null),
    chain.pool(settlement, hash).catch(() => null),
  ]);
  record(h, block, series, pool);
}

/** The pool inflows of block `hash`, for `settlement`. */
export async function inflowsAt(chain: Chain, hash: string, settlement: number): Promise<Inflow[]> {
  const at = await chain.api.at(hash);
  const events = (await at.query.system.events()) as unknown as { event: { section: string; method: string; data: { toJSON(): unknown } } }[];
  const out: Inflow[] = [];
  for (const { event } of events) {
    if (event.section !== 'pool' || event.method !== 'Received') continue;
    const d = event.data.toJSON() as [number, string, string | number, string | number, string | number, string | number];
    if (Number(d[0]) !== settlement) continue;
    out.push({ kind: String(d[1]).replace(/^./, (c) => c.toUpperCase()), toMain: BigInt(d[3]), toInsurance: BigInt(d[4]) });
  }
  return out;
}

/** Fills `h` with the window before `best`. */
export async function backfill(chain: Chain, h: History, best: number, settlement: number): Promise<void> {
  const from = Math.max(1, best - HISTORY_BLOCKS);
  h.from = from;
  const hashes = new Map<number, string>();
  const hashOf = async (n: number) => {
    if (!hashes.has(n)) hashes.set(n, (await chain.api.rpc.chain.getBlockHash(n)).toHex());
    return hashes.get(n) as string;
  };
  for (const n of sampleBlocks(from, best, HISTORY_POINTS)) {
    await sampleAt(chain, h, n, await hashOf(n), settlement);
  }
  for (let n = from; n <= best; n++) {
    for (const inflow of await inflowsAt(chain, await hashOf(n), settlement).catch(() => [])) h.inflows.push({ block: n, inflow });
  }
}

/**
 * Adds the new best block to `h` from the series and pool the page has just read for it, and
 * its pool inflows; drops what left the window.
 */
export async function advance(chain: Chain, h: History, block: number, hash: string, settlement: number, series: Series | null, pool: PoolState | null): Promise<void> {
  record(h, block, series, pool);
  if (h.inflows.some((i) => i.block === block)) return;
  for (const inflow of await inflowsAt(chain, hash, settlement).catch(() => [])) h.inflows.push({ block, inflow });
  h.from = Math.max(h.from, block - HISTORY_BLOCKS);
  h.inflows = h.inflows.filter((i) => i.block >= h.from);
}

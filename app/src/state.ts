// What the page knows of the chain, refreshed at every new block, and the helpers views share.

import type { Account, Chain, MarginAccount, PoolState, Series, Stock } from './chain';
import type { MarketStatus } from './format';
import type { History } from './history';

/** A request queued in a pool (pallet-pool `Queue`). */
export interface QueuedRequest {
  id: number;
  who: string;
  tranche: string;
  kind: 'deposit' | 'withdraw';
  amount: bigint;
  at: number;
}

export interface AppState {
  chain: Chain;
  stocks: Map<number, Stock>;
  signers: Account[];
  account: Account | null;
  block: number;
  /** Chain time of the best block (ms). */
  now: number;
  series: Series[];
  /** Settlement stocks of the markets (and their pools). */
  settlements: number[];
  status: Map<number, MarketStatus>;
  haircut: Map<number, string>;
  pools: Map<number, PoolState>;
  margin: MarginAccount[];
  /** Wallet balances of the signer: asset -> base units. */
  wallet: Map<number, bigint>;
  queue: Map<number, QueuedRequest[]>;
  history: History;
}

export function stockOf(state: AppState, id: number): Stock {
  return state.stocks.get(id) ?? { id, symbol: `#${id}`, decimals: 12 };
}

/** `<`, `>`, `&`, quotes escaped for markup. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A pool's queue as the page needs it, from the storage's JSON. */
export function parseQueue(json: unknown): QueuedRequest[] {
  if (!Array.isArray(json)) return [];
  return json.map((r) => {
    const kind = r.kind as Record<string, { amount?: string | number; shares?: string | number }>;
    const isDeposit = 'deposit' in kind;
    const body = isDeposit ? kind.deposit : kind.withdraw;
    return {
      id: Number(r.id),
      who: String(r.who),
      tranche: String(r.tranche),
      kind: isDeposit ? 'deposit' : 'withdraw',
      amount: BigInt((isDeposit ? body.amount : body.shares) ?? 0),
      at: Number(r.at),
    };
  });
}

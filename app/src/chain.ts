// The node: one @polkadot/api connection, the project's JSON RPCs (options_*, pool_*,
// calendar_*, prices_*), accounts (the Polkadot.js extension, or the dev accounts on a dev
// chain) and sending a transaction until it is in a block, with its failure named.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Signer } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Health } from './maths';
import type { MarketStatus } from './format';
import { errorText } from './errors';

export interface Greeks {
  delta: string;
  gamma: string;
  vega: string;
  volatility: string;
}

export interface Series {
  series: number;
  market: number;
  index: string;
  settlement: number;
  strike: string;
  kind: 'call' | 'put';
  active: boolean;
  contractSize: string;
  indexPrice: string | null;
  theoretical: string | null;
  mark: string | null;
  fundingRatePerDay: string | null;
  fundingIndex: string;
  openLong: string;
  openShort: string;
  priceError: string | null;
  greeks: Greeks | null;
}

export interface Quote {
  price: string;
  cost: string;
  fee: string;
  realised: string;
  positionAfter: string;
  healthBefore: Health | null;
  healthAfter: Health | null;
  error: string | null;
}

export interface Position {
  series: number;
  size: string;
  entry: string;
  mark: string | null;
  unrealisedPnl: string | null;
  fundingOwedTokens: string;
}

export interface MarginAccount {
  settlement: number;
  collateral: string;
  positions: Position[];
  health: Health | null;
  healthError: string | null;
}

export interface Tranche {
  shareAsset: number;
  capital: string;
  nav: string | null;
  supply: string;
  navPerShare: string | null;
}

export interface PoolState {
  settlement: number;
  main: Tranche;
  insurance: Tranche;
  requiredMargin: string;
  utilisation: string;
  queuedDeposits: string;
  flowsOpen: boolean;
  claimsOwed: string;
  claimsReserve: string;
  open: boolean;
}

export interface PriceStatus {
  status: string;
  price?: string | null;
  [k: string]: unknown;
}

/** A listed stock token. */
export interface Stock {
  id: number;
  symbol: string;
  decimals: number;
}

/** Someone who can sign: a dev keypair, or an extension account with its signer. */
export interface Account {
  address: string;
  name: string;
  source: 'dev' | 'extension';
  pair?: KeyringPair;
  signer?: Signer;
}

/** A transaction's end: in a block, or failed with a named error. */
export interface TxResult {
  ok: boolean;
  blockHash?: string;
  /** `SlippageExceeded`, `InsufficientMargin`, ... */
  error?: string;
  /** The error in words. */
  message?: string;
  events: { section: string; method: string; data: unknown }[];
}

/** The node a page connects to: `?ws=` in the URL, else the last used, else local. */
export function nodeUrl(search: string, stored: string | null): string {
  const fromQuery = new URLSearchParams(search).get('ws');
  return fromQuery || stored || 'ws://127.0.0.1:9944';
}

export class Chain {
  private constructor(
    readonly api: ApiPromise,
    readonly url: string,
    readonly isDev: boolean,
  ) {}

  static async connect(url: string): Promise<Chain> {
    await cryptoWaitReady();
    const api = await ApiPromise.create({ provider: new WsProvider(url, 2_000), noInitWarn: true, throwOnConnect: true });
    const chainType = (await api.rpc.system.chainType()).toString();
    return new Chain(api, url, chainType === 'Development' || chainType === 'Local');
  }

  /** A raw call of one of the node's own RPCs (they return JSON, not SCALE). */
  rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    return (this.api as unknown as { _rpcCore: { provider: WsProvider } })._rpcCore.provider.send<T>(method, params);
  }

  allSeries(): Promise<Series[]> {
    return this.rpc('options_allSeries');
  }

  series(id: number, at?: string): Promise<Series> {
    return this.rpc('options_series', [id, at ?? null]);
  }

  quote(who: string, series: number, size: bigint): Promise<Quote> {
    return this.rpc('options_quote', [who, series, Number(size)]);
  }

  accounts(who: string): Promise<MarginAccount[]> {
    return this.rpc('options_accounts', [who]);
  }

  account(who: string, settlement: number): Promise<MarginAccount> {
    return this.rpc('options_account', [who, settlement]);
  }

  haircut(settlement: number): Promise<string> {
    return this.rpc('options_haircut', [settlement]);
  }

  pool(settlement: number, at?: string): Promise<PoolState> {
    return this.rpc('pool_state', [settlement, at ?? null]);
  }

  stockStatus(asset: number): Promise<MarketStatus> {
    return this.rpc('calendar_stockStatus', [asset]);
  }

  priceStatus(key: string): Promise<PriceStatus> {
    return this.rpc('prices_status', [key]);
  }

  /** The listed stock tokens, from pallet-assets' metadata. */
  async stocks(): Promise<Map<number, Stock>> {
    const entries = await this.api.query.assets.metadata.entries();
    const out = new Map<number, Stock>();
    for (const [key, meta] of entries) {
      const id = Number(key.args[0].toString());
      const m = meta as unknown as { symbol: { toUtf8(): string }; decimals: { toNumber(): number } };
      out.set(id, { id, symbol: m.symbol.toUtf8(), decimals: m.decimals.toNumber() });
    }
    return out;
  }

  /** `who`'s free balance of asset `id`, base units. */
  async assetBalance(id: number, who: string): Promise<bigint> {
    const acc = await this.api.query.assets.account(id, who);
    const json = acc.toJSON() as { balance?: string | number } | null;
    return json?.balance != null ? BigInt(json.balance) : 0n;
  }

  /** The chain's time (ms) at the best block. */
  async now(): Promise<number> {
    return Number((await this.api.query.timestamp.now()).toString());
  }

  /** Dev accounts on a dev chain; extension accounts when an extension is installed. */
  async signers(appName: string): Promise<Account[]> {
    const out: Account[] = [];
    try {
      const ext = await import('@polkadot/extension-dapp');
      const injected = await ext.web3Enable(appName);
      if (injected.length > 0) {
        for (const a of await ext.web3Accounts()) {
          const injector = await ext.web3FromSource(a.meta.source);
          out.push({ address: a.address, name: `${a.meta.name ?? 'account'} (${a.meta.source})`, source: 'extension', signer: injector.signer });
        }
      }
    } catch {
      // No extension: dev accounts only.
    }
    if (this.isDev) {
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) {
        const pair = keyring.addFromUri(`//${name}`, { name });
        out.push({ address: pair.address, name, source: 'dev', pair });
      }
    }
    return out;
  }

  /** The name and words of a dispatch error. */
  describe(err: unknown): { name: string; message: string } {
    const e = err as { isModule?: boolean; asModule?: unknown; isToken?: boolean; asToken?: { type: string }; isArithmetic?: boolean; asArithmetic?: { type: string }; type?: string };
    if (e?.isModule) {
      const meta = this.api.registry.findMetaError(e.asModule as Parameters<ApiPromise['registry']['findMetaError']>[0]);
      return { name: meta.name, message: errorText(meta.name, meta.docs) };
    }
    if (e?.isToken && e.asToken) return { name: e.asToken.type, message: errorText(e.asToken.type) };
    if (e?.isArithmetic && e.asArithmetic) return { name: e.asArithmetic.type, message: errorText(e.asArithmetic.type) };
    const name = e?.type ?? String(err);
    return { name, message: errorText(name) };
  }

  /** Signs `tx` as `account` and waits until it is in a block. */
  send(tx: SubmittableExtrinsic<'promise'>, account: Account): Promise<TxResult> {
    return new Promise((resolve) => {
      const signerArg = account.pair ?? account.address;
      const options = account.signer ? { signer: account.signer } : {};
      tx.signAndSend(signerArg, options, (result) => {
        const { status, events, dispatchError } = result;
        if (status.isInBlock || status.isFinalized) {
          const evs = events.map(({ event }) => ({ section: event.section, method: event.method, data: event.data.toJSON() }));
          if (dispatchError) {
            const d = this.describe(dispatchError);
            resolve({ ok: false, blockHash: status.isInBlock ? status.asInBlock.toHex() : status.asFinalized.toHex(), error: d.name, message: d.message, events: evs });
          } else {
            resolve({ ok: true, blockHash: status.isInBlock ? status.asInBlock.toHex() : status.asFinalized.toHex(), events: evs });
          }
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          resolve({ ok: false, error: status.type, message: `${status.type}: the node dropped the transaction.`, events: [] });
        }
      }).catch((e: Error) => {
        // Refused before the pool: e.g. "1010: Invalid Transaction: Inability to pay some fees".
        const text = e.message ?? String(e);
        const name = /pay some fees/i.test(text) ? 'Payment' : 'Invalid';
        resolve({ ok: false, error: name, message: name === 'Payment' ? errorText('Payment') : text, events: [] });
      });
    });
  }
}

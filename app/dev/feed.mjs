// Dev-chain prices for the web app: two of the dev preset's oracle operators (Alice and Bob,
// a quorum) feed BTC, ETH, their implied volatilities and every listed stock every few
// blocks, as a gentle random walk around realistic levels (or fixed, with --fixed).
//
//   node dev/feed.mjs [--ws ws://127.0.0.1:9944] [--every 6] [--fixed] [--once]
//
// A real network's operators run `perpetua-node feed` with their own keys and sources.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { inBlock } from './tx.mjs';

const FIXED = 10n ** 18n;
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ws = opt('--ws', 'ws://127.0.0.1:9944');
const every = Number(opt('--every', '6')) * 1000;
const fixedPrices = args.includes('--fixed');
const once = args.includes('--once');

/** Starting levels, USD (volatility as a fraction). */
const levels = { btc: 100000, eth: 3500, btcVol: 0.6, ethVol: 0.7 };
/** Starting levels of the dev preset's example stocks by asset id; others start at 100. */
const STOCK_LEVELS = {
  1: 400, 2: 180, 3: 230, 4: 480, 5: 220, 6: 190, 7: 700, 8: 160, 9: 1100, 10: 300, 11: 350, 12: 170,
};
/** Each listed stock's level, by asset id (filled from the chain's listings). */
const stocks = new Map();

function toFixed(x) {
  return BigInt(Math.round(x * 1e6)) * (FIXED / 1_000_000n);
}

function step() {
  if (fixedPrices) return;
  const walk = (v, sigma) => v * Math.exp(sigma * (Math.random() - 0.5));
  levels.btc = walk(levels.btc, 0.004);
  levels.eth = walk(levels.eth, 0.005);
  for (const [id, v] of stocks) stocks.set(id, walk(v, 0.003));
}

function values() {
  const v = [
    [{ Crypto: 'Btc' }, toFixed(levels.btc)],
    [{ Crypto: 'Eth' }, toFixed(levels.eth)],
    [{ ImpliedVol: 'Btc' }, toFixed(levels.btcVol)],
    [{ ImpliedVol: 'Eth' }, toFixed(levels.ethVol)],
  ];
  for (const [id, level] of stocks) v.push([{ Asset: id }, toFixed(level)]);
  return v;
}

/** Adds the stocks listed since the last look (a listing made while the feed runs is fed). */
async function listed(api) {
  const keys = await api.query.equities.stocks.keys();
  for (const k of keys) {
    const id = Number(k.args[0].toString());
    if (!stocks.has(id)) stocks.set(id, STOCK_LEVELS[id] ?? 100);
  }
}

async function main() {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(ws), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519' });
  const operators = [keyring.addFromUri('//Alice'), keyring.addFromUri('//Bob')];
  for (;;) {
    await listed(api);
    step();
    const v = values();
    await Promise.all(operators.map((op) => inBlock(api, api.tx.prices.feed(v), op)));
    console.log(`[feed] BTC ${levels.btc.toFixed(0)} ETH ${levels.eth.toFixed(0)} TSLA ${(stocks.get(1) ?? 0).toFixed(2)} (${stocks.size} stocks)`);
    if (once) break;
    await new Promise((r) => setTimeout(r, every));
  }
  await api.disconnect();
}

main().catch((e) => {
  console.error(`[feed] ${e.message ?? e}`);
  process.exit(1);
});

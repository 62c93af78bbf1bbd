// A runtime upgrade enacted through the technical committee on the running network, with the
// real @polkadot/api client. The network started from the last release's chain spec
// (chain-spec/release/, spec 100); the new runtime is the wasm the node was built with
// (PERPETUA_RUNTIME_WASM, spec 101, two storage migrations: `Equities.StockCount` becomes the
// counter of `Equities.Stocks`; Options lists its settlements and quote keys).
//
// - Two of three committee members schedule `system.authorizeUpgrade(blake2_256(code))`
//   through `governance.schedule`; after the enactment delay it is authorized.
// - Anyone then sends `system.applyAuthorizedUpgrade(code)`: block N sets the code, block N+1
//   is the first of the new runtime and runs the migration.
// - Balances, token accounts, margin accounts, positions and pool ledgers read at N and at
//   N+1 are identical key for key and byte for byte; the migrated keys hold what the
//   migration promises; the new runtime finalizes and trades (Dave sells one call).
//
// Run by zombienet (`js-script`); needs PERPETUA_RUNTIME_WASM (scripts/zombienet.sh sets it).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, xxhashAsU8a } from '@polkadot/util-crypto';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { feedQuorum, fixed, send, sendInBlock } from './options.mjs';
import { schedule, waitFor } from './committee.mjs';

const TSLA = 1;
const BTC_CALL_100K = 2;

const twox = (s) => xxhashAsU8a(s, 128);
const item = (pallet, name) => u8aToHex(u8aConcat(twox(pallet), twox(name)));

/// The ledgers an upgrade must not touch.
const LEDGERS = [
  ['System', 'Account'],
  ['Balances', 'TotalIssuance'],
  ['Assets', 'Asset'],
  ['Assets', 'Account'],
  ['Options', 'TotalCollateral'],
  ['Pool', 'Pools'],
  ['Pool', 'Params'],
  ['Pool', 'PendingRequests'],
  ['Pool', 'Deficits'],
  ['Equities', 'Stocks'],
  ['Equities', 'Reserves'],
];

const raw = (api, method, params) => api._rpcCore.provider.send(method, params);

/// Every key under `prefix` with its value at block `at`.
async function pairs(api, prefix, at) {
  const out = new Map();
  let start = null;
  for (;;) {
    const keys = await raw(api, 'state_getKeysPaged', [prefix, 500, start, at]);
    for (const k of keys) out.set(k, await raw(api, 'state_getStorage', [k, at]));
    if (keys.length < 500) return out;
    start = keys[keys.length - 1];
  }
}

async function ledgers(api, at) {
  const all = {};
  for (const [p, i] of LEDGERS) all[`${p}.${i}`] = await pairs(api, item(p, i), at);
  return all;
}

async function specVersion(api, at) {
  return (await raw(api, 'state_getRuntimeVersion', [at])).specVersion;
}

/// A little-endian u16/u32 from SCALE hex, or null.
const le = (hex) => (hex === null ? null : Number(BigInt(`0x${hex.slice(2).match(/../g).reverse().join('')}`)));

export async function upgrade(wsUri) {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), throwOnConnect: true, noInitWarn: true });
  try {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const [alice, bob, dave, ferdie] = ['//Alice', '//Bob', '//Dave', '//Ferdie'].map((u) => keyring.addFromUri(u));
    const aliceStash = keyring.addFromUri('//Alice//stash');
    const file = process.env.PERPETUA_RUNTIME_WASM;
    assert.ok(file, 'PERPETUA_RUNTIME_WASM names the new runtime');
    const code = readFileSync(file);
    const hash = blake2AsHex(code, 256);
    const best = (await api.rpc.chain.getHeader()).hash.toHex();
    const release = await specVersion(api, best);
    const stockCountKey = item('Equities', 'StockCount');
    const counterKey = item('Equities', 'CounterForStocks');
    const versionKey = item('Equities', ':__STORAGE_VERSION__:');
    assert.equal(le(await raw(api, 'state_getStorage', [versionKey, best])), 0, 'the release has Equities at v0');
    assert.ok(le(await raw(api, 'state_getStorage', [stockCountKey, best])) > 0, 'the release counts its stocks');
    const positions = (await pairs(api, item('Options', 'AccountSeries'), best)).size;
    assert.ok(positions > 0, 'positions to keep (options.mjs opened them)');

    // The committee authorizes the code's hash, after the delay.
    const { enactAt } = await schedule(api, api.tx.system.authorizeUpgrade(hash), [alice, bob]);
    console.log(`upgrade: authorize ${hash} scheduled for block ${enactAt}`);
    await waitFor(api, 'the upgrade authorized', async (a) => (await a.query.system.authorizedUpgrade()).isSome, 40);

    // Anyone brings the code. The block that sets it is found on the finalized chain by the
    // code's own hash (`:code` at N is the new code, at N-1 not), not by its events: a client
    // decodes the events of the block that changes the code with the metadata of the wrong
    // side of the change, and that now and then fails.
    const { blockHash } = await sendInBlock(api, api.tx.system.applyAuthorizedUpgrade(u8aToHex(code)), ferdie);
    const included = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    await waitFor(api, `block ${included + 1} finalized`, async (a) => {
      const f = await a.rpc.chain.getHeader(await a.rpc.chain.getFinalizedHead());
      return f.number.toNumber() >= included + 1;
    }, 40);
    const codeHash = async (number) =>
      raw(api, 'state_getStorageHash', ['0x3a636f6465', await raw(api, 'chain_getBlockHash', [number])]);
    let n = null;
    for (let k = included; k >= included - 3 && n === null; k--) {
      if ((await codeHash(k)) === hash && (await codeHash(k - 1)) !== hash) n = k;
    }
    assert.ok(n !== null, `no finalized block near ${included} sets the code ${hash}`);
    console.log(`upgrade: code set in block ${n}`);
    await waitFor(api, `block ${n + 1} finalized`, async (a) => {
      const f = await a.rpc.chain.getHeader(await a.rpc.chain.getFinalizedHead());
      return f.number.toNumber() >= n + 1;
    }, 40);
    const at = await raw(api, 'chain_getBlockHash', [n]);
    const next = await raw(api, 'chain_getBlockHash', [n + 1]);
    assert.equal(await specVersion(api, (await api.rpc.chain.getHeader(at)).parentHash.toHex()), release);
    const upgraded = await specVersion(api, next);
    assert.ok(upgraded > release, `spec ${upgraded} after ${release}`);

    // Identical ledgers at N (the release's last block) and N+1 (the new runtime's first).
    const before = await ledgers(api, at);
    const after = await ledgers(api, next);
    let keys = 0;
    for (const [name, map] of Object.entries(before)) {
      const other = after[name];
      assert.equal(other.size, map.size, `${name}: ${map.size} entries before, ${other.size} after`);
      for (const [k, v] of map) assert.equal(other.get(k), v, `${name} ${k} changed`);
      keys += map.size;
    }

    // The migration: the count moved into the map's counter, the version bumped.
    const count = le(await raw(api, 'state_getStorage', [stockCountKey, at]));
    assert.equal(le(await raw(api, 'state_getStorage', [versionKey, next])), 1, 'Equities at v1');
    assert.equal(await raw(api, 'state_getStorage', [stockCountKey, next]), null, 'StockCount removed');
    assert.equal(le(await raw(api, 'state_getStorage', [counterKey, next])), count, 'the counter is the count');
    assert.equal(before['Equities.Stocks'].size, count, 'the counter is the number of listings');
    // Options' v1: the markets' settlements listed (the release's two markets settle in TSLA),
    // and its version bumped.
    const settlementsKey = item('Options', 'Settlements');
    assert.equal(await raw(api, 'state_getStorage', [settlementsKey, at]), null, 'the release has no Options.Settlements');
    assert.equal(await raw(api, 'state_getStorage', [settlementsKey, next]), '0x0401000000', 'v1 lists TSLA');
    // Options' v2: each margin account holds its positions. Its value is the release's
    // (collateral, epoch) followed by its positions, as many as the release's position map held.
    assert.equal(le(await raw(api, 'state_getStorage', [item('Options', ':__STORAGE_VERSION__:'), next])), 2, 'Options at v2');
    const oldAccounts = await pairs(api, item('Options', 'Accounts'), at);
    const newAccounts = await pairs(api, item('Options', 'Accounts'), next);
    assert.equal(newAccounts.size, oldAccounts.size, 'v2 keeps every margin account');
    let held = 0;
    for (const [k, v] of oldAccounts) {
      const moved = newAccounts.get(k);
      assert.ok(moved && moved.startsWith(v), `v2 keeps the collateral and epoch of ${k}`);
      // A SCALE compact length below 64 is one byte: the length shifted left by two.
      held += parseInt(moved.slice(v.length, v.length + 2), 16) >> 2;
    }
    const oldPositions = await pairs(api, item('Options', 'Positions'), at);
    assert.ok(oldPositions.size > 0, 'the release holds positions');
    assert.equal(held, oldPositions.size, 'v2 moves every position into its account');
    for (const name of ['Positions', 'AccountSeries', 'OpenAccounts']) {
      assert.equal((await pairs(api, item('Options', name), next)).size, 0, `v2 removes Options.${name}`);
    }

    // The new runtime trades: fresh prices from two operators, Dave sells one call.
    await feedQuorum(api, [ferdie, aliceStash]);
    const sizeBefore = BigInt((await raw(api, 'options_account', [dave.address, TSLA])).positions
      .find((p) => Number(p.series) === BTC_CALL_100K).size);
    const quote = await raw(api, 'options_quote', [dave.address, BTC_CALL_100K, -1]);
    assert.equal(quote.error, null, JSON.stringify(quote));
    const price = fixed(quote.price);
    const now = (await api.query.timestamp.now()).toBigInt();
    await send(api, api.tx.options.trade(BTC_CALL_100K, -1, price * 99n / 100n, now + 120000n), dave);
    const sizeAfter = BigInt((await raw(api, 'options_account', [dave.address, TSLA])).positions
      .find((p) => Number(p.series) === BTC_CALL_100K).size);
    assert.equal(sizeAfter, sizeBefore - 1n, 'the trade on the new runtime');
    console.log(`e2e upgrade ok: spec ${release} -> ${upgraded} in block ${n + 1}, ${keys} ledger entries identical, ${count} listings counted`);
    return 1;
  } finally {
    await api.disconnect();
  }
}

// zombienet js-script entry point.
export async function run(nodeName, networkInfo) {
  return upgrade(networkInfo.nodesByName[nodeName].wsUri);
}

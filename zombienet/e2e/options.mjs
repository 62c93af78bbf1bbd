// End-to-end options trade with the real @polkadot/api client, as a wallet does it: a quorum of
// the local preset's oracle operators (Ferdie and Alice's stash, two of three) feeds BTC, its volatility
// and TSLA, and `prices_status` shows the quorum; Dave posts TSLA as margin, asks the
// node's `options_quote` RPC for a price, buys BTC calls with a 1% slippage limit, and reads his
// position and health back through `options_account`. Then the custodian (a 2-of-3 multisig: Eve
// proposes, Ferdie approves) declares a
// dividend in PRP on TSLA: `equities_corporateActions` shows it while the walk runs, and Dave is
// paid on his wallet and on his margin as they stood at the declaration.
//
// Run by zombienet (`js-script`, export `run`) or alone: `node e2e/options.mjs ws://127.0.0.1:9944`.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { createKeyMulti, cryptoWaitReady, encodeAddress, sortAddresses } from '@polkadot/util-crypto';
import assert from 'node:assert/strict';

const SHARE = 10n ** 12n; // TSLA has 12 decimals
const FIXED = 10n ** 18n; // prices are FixedU128
const TSLA = 1;
const BTC_CALL_100K = 2; // the dev and local presets' BTC 100,000 call

/// Signs and sends `tx`; resolves with `{ events, blockHash }` once in a block, rejects with
/// the module error's name if it fails.
export function sendInBlock(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      if (result.dispatchError) {
        unsub?.();
        let msg = result.dispatchError.toString();
        if (result.dispatchError.isModule) {
          const d = api.registry.findMetaError(result.dispatchError.asModule);
          msg = `${d.section}.${d.name}`;
        }
        reject(new Error(`dispatch failed: ${msg}`));
      } else if (result.status.isInBlock) {
        unsub?.();
        resolve({ events: result.events, blockHash: result.status.asInBlock.toHex() });
      } else if (result.isError) {
        unsub?.();
        reject(new Error(`transaction ${result.status.type}`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}

/// Signs and sends `tx`; resolves with the block's events once in a block, rejects with the
/// module error's name if it fails.
export async function send(api, tx, signer) {
  return (await sendInBlock(api, tx, signer)).events;
}

/// BTC at 100,000 USD, its implied volatility 60% and TSLA at 400 USD, fed by each of
/// `operators` (two of the local preset's three make a quorum).
export async function feedQuorum(api, operators) {
  const values = [
    [{ Crypto: 'Btc' }, 100000n * FIXED],
    [{ ImpliedVol: 'Btc' }, 60n * FIXED / 100n],
    [{ Asset: TSLA }, 400n * FIXED],
  ];
  for (const op of operators) await send(api, api.tx.prices.feed(values), op);
}

/// A decimal string of the RPCs ("98.25") as a FixedU128's inner value.
export function fixed(decimal) {
  const [int, frac = ''] = decimal.split('.');
  return BigInt(int) * FIXED + BigInt(frac.padEnd(18, '0').slice(0, 18));
}

function rpc(api, method, params) {
  return api._rpcCore.provider.send(method, params);
}

export async function check(wsUri) {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), throwOnConnect: true, noInitWarn: true });
  try {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const ferdie = keyring.addFromUri('//Ferdie');
    const aliceStash = keyring.addFromUri('//Alice//stash');
    const dave = keyring.addFromUri('//Dave');

    // The preset's markets are in the metadata and the RPC.
    const all = await rpc(api, 'options_allSeries', []);
    assert.equal(all.length, 12, 'BTC and ETH series of the preset');
    assert.equal(all[BTC_CALL_100K].kind, 'call');
    assert.equal(all[BTC_CALL_100K].strike, '100000');

    // Two oracle operators feed the prices the market needs: one alone is not a quorum.
    await feedQuorum(api, [ferdie, aliceStash]);
    const btc = await rpc(api, 'prices_status', ['BTC']);
    assert.equal(btc.status, 'fresh', JSON.stringify(btc));
    assert.equal(btc.quorum.quorum, 2, JSON.stringify(btc.quorum));
    assert.ok(btc.quorum.agreeing >= 2, JSON.stringify(btc.quorum));
    assert.ok(btc.feeds.filter((f) => f.counts).length >= 1, JSON.stringify(btc.feeds));
    const series = await rpc(api, 'options_series', [BTC_CALL_100K]);
    assert.equal(series.indexPrice, '100000', JSON.stringify(series));
    assert.ok(Number(series.mark) > 0, 'a mark');

    // Dave posts 100 TSLA of margin.
    const tslaBefore = (await api.query.assets.account(TSLA, dave.address)).unwrap().balance.toBigInt();
    await send(api, api.tx.options.deposit(TSLA, 100n * SHARE), dave);

    // The wallet's quote, then the trade with a 1% slippage limit and a 2-minute deadline.
    const quote = await rpc(api, 'options_quote', [dave.address, BTC_CALL_100K, 10]);
    assert.equal(quote.error, null, JSON.stringify(quote));
    const price = fixed(quote.price);
    const limit = price * 101n / 100n;
    const now = (await api.query.timestamp.now()).toBigInt();
    const events = await send(api, api.tx.options.trade(BTC_CALL_100K, 10, limit, now + 120000n), dave);
    const traded = events.find(({ event }) => api.events.options.Traded.is(event));
    assert.ok(traded, 'an Options.Traded event');
    assert.equal(traded.event.data.position.toString(), '10');
    assert.ok(traded.event.data.price.toBigInt() <= limit, 'filled within the limit');

    // A limit below the fill is refused with its name.
    await assert.rejects(
      send(api, api.tx.options.trade(BTC_CALL_100K, 10, price / 2n, now + 120000n), dave),
      /options\.SlippageExceeded/,
    );

    // Position and health, as the wallet shows them.
    const account = await rpc(api, 'options_account', [dave.address, TSLA]);
    assert.equal(account.positions.length, 1, JSON.stringify(account));
    assert.equal(account.positions[0].size, '10');
    assert.ok(account.health, `health: ${account.healthError}`);
    assert.ok(Number(account.health.equity) > Number(account.health.initialMargin));
    const tslaAfter = (await api.query.assets.account(TSLA, dave.address)).unwrap().balance.toBigInt();
    assert.equal(tslaAfter, tslaBefore - 100n * SHARE, 'the margin left the wallet');

    // A dividend of 0.01 PRP per TSLA, declared and funded by the custodian: on the local
    // testnet a 2-of-3 multisig of Dave, Eve and Ferdie. Eve proposes, Ferdie approves.
    const eve = keyring.addFromUri('//Eve');
    const perShare = SHARE / 100n;
    const margin = (await api.query.options.accounts(TSLA, dave.address)).collateral.toBigInt();
    const prpBefore = (await api.query.system.account(dave.address)).data.free.toBigInt();
    const declare = api.tx.equities.declareDividend(TSLA, null, perShare);
    const signers = [dave, eve, ferdie].map((k) => k.address);
    const custodian = encodeAddress(createKeyMulti(signers, 2), 42);
    assert.equal((await api.query.equities.stocks(TSLA)).unwrap().custodian.toString(), custodian);
    const others = (k) => sortAddresses(signers.filter((a) => a !== k.address), 42);
    const maxWeight = (await declare.paymentInfo(custodian)).weight;
    await send(api, api.tx.multisig.asMulti(2, others(eve), null, declare.method, maxWeight), eve);
    const pending = await api.query.multisig.multisigs(custodian, declare.method.hash);
    assert.ok(pending.isSome, 'the first approval is pending');
    assert.equal((await rpc(api, 'equities_corporateActions', [])).length, 0, 'one approval declared nothing');
    const declared = await send(api, api.tx.multisig.asMulti(2, others(ferdie), pending.unwrap().when, declare.method, maxWeight), ferdie);
    const executed = declared.find(({ event }) => api.events.multisig.MultisigExecuted.is(event));
    assert.ok(executed, 'the second approval executed the call');
    assert.ok(executed.event.data[4].isOk, `the custodian's call failed: ${executed.event.data[4].toString()}`);
    assert.ok(declared.find(({ event }) => api.events.equities.CorporateActionStarted.is(event)));
    let actions = await rpc(api, 'equities_corporateActions', []);
    assert.ok(actions.length <= 3, JSON.stringify(actions));
    if (actions.length > 0) {
      assert.equal(actions[0].asset, TSLA, JSON.stringify(actions));
      assert.equal(actions[0].kind, 'dividend');
      assert.equal(actions[0].perShare, perShare.toString());
    }
    for (let i = 0; i < 40 && actions.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      actions = await rpc(api, 'equities_corporateActions', []);
    }
    assert.equal(actions.length, 0, 'the dividend walk ended');
    const prpAfter = (await api.query.system.account(dave.address)).data.free.toBigInt();
    const owed = tslaAfter * perShare / SHARE + margin * perShare / SHARE;
    assert.equal(prpAfter - prpBefore, owed, 'paid on wallet and margin, to the unit');
    console.log(`e2e options ok: 10 BTC calls at ${quote.price} USD, equity ${account.health.equity} USD; dividend ${owed} PRP units on wallet and margin`);
    return 1;
  } finally {
    await api.disconnect();
  }
}

// zombienet js-script entry point.
export async function run(nodeName, networkInfo) {
  return check(networkInfo.nodesByName[nodeName].wsUri);
}

// Stand-alone entry point.
if (import.meta.url === `file://${process.argv[1]}`) {
  check(process.argv[2] ?? 'ws://127.0.0.1:9944').then(
    () => process.exit(0),
    (e) => { console.error(e); process.exit(1); },
  );
}

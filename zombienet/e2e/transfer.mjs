// End-to-end test with the real @polkadot/api client (the version pinned in package.json):
// connect, read the chain properties and metadata, send a balance transfer signed by Alice,
// and check the event and both balances.
//
// Run by zombienet (`js-script`, export `run`) or alone: `node e2e/transfer.mjs ws://127.0.0.1:9944`.
import { ApiPromise, WsProvider, packageInfo } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import assert from 'node:assert/strict';

const UNIT = 10n ** 12n;

function fail(msg) {
  throw new Error(`e2e: ${msg}`);
}

export async function check(wsUri) {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), throwOnConnect: true, noInitWarn: true });
  try {
    // The client really is the pinned version.
    const { version } = packageInfo;
    assert.equal(version, '16.5.6', `@polkadot/api version ${version}`);

    // Chain properties: what Polkadot.js shows as units and address format.
    const props = await api.rpc.system.properties();
    assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'PRP');
    assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
    assert.equal(props.ss58Format.unwrap().toNumber(), 42);
    assert.equal(api.registry.chainDecimals[0], 12);
    assert.equal(api.registry.chainTokens[0], 'PRP');

    // Metadata: the runtime and its pallets as a wallet sees them.
    assert.equal(api.runtimeVersion.specName.toString(), 'perpetua');
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const p of ['System', 'Balances', 'Assets', 'Oracle', 'OracleOperators', 'Utility', 'Sudo']) {
      assert.ok(pallets.includes(p), `pallet ${p} missing from metadata (${pallets.join(', ')})`);
    }
    const exts = api.registry.signedExtensions;
    assert.ok(exts.includes('CheckMetadataHash'), `CheckMetadataHash missing from ${exts}`);
    // The example stock tokens with their metadata.
    const tsla = await api.query.assets.metadata(1);
    assert.equal(tsla.symbol.toUtf8(), 'TSLA');

    // A transfer signed by Alice to a fresh account.
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const alice = keyring.addFromUri('//Alice');
    const dest = keyring.addFromUri(`//E2E/${Date.now()}`);
    const amount = 5n * UNIT;
    const before = (await api.query.system.account(alice.address)).data.free.toBigInt();

    const events = await new Promise((resolve, reject) => {
      let unsub;
      api.tx.balances
        .transferKeepAlive(dest.address, amount)
        .signAndSend(alice, (result) => {
          if (result.dispatchError) {
            unsub?.();
            reject(new Error(`transfer failed: ${result.dispatchError.toString()}`));
          } else if (result.status.isInBlock) {
            unsub?.();
            resolve({ events: result.events, block: result.status.asInBlock });
          } else if (result.isError) {
            unsub?.();
            reject(new Error(`transaction ${result.status.type}`));
          }
        })
        .then((u) => { unsub = u; }, reject);
    });

    const transfer = events.events.find(({ event }) => api.events.balances.Transfer.is(event));
    if (!transfer) fail('no Balances.Transfer event');
    const [from, to, value] = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), dest.address);
    assert.equal(value.toBigInt(), amount);
    const fee = events.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    if (!fee) fail('no TransactionFeePaid event');
    const paid = fee.event.data[1].toBigInt();

    const apiAt = await api.at(events.block);
    const destAfter = (await apiAt.query.system.account(dest.address)).data.free.toBigInt();
    const aliceAfter = (await apiAt.query.system.account(alice.address)).data.free.toBigInt();
    assert.equal(destAfter, amount, 'recipient balance');
    assert.equal(aliceAfter, before - amount - paid, 'sender balance = before - amount - fee');
    assert.ok(paid > 0n, 'a fee was paid');
    console.log(`e2e ok: ${version}, transfer of ${amount} in block ${events.block.toHex()}, fee ${paid}`);
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

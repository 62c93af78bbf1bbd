// The validator set changed through governance, with the real @polkadot/api client.
// - `add,NAME` (run on the new validator's node): the node makes new session keys
//   (`author_rotateKeys`), its account registers them (`session.setKeys`), the committee
//   schedules `validatorSet.addValidator`; after the delay and the session changes the account
//   is in `session.validators`, its Aura key among the authorities, and the node authors a
//   block.
// - `remove,NAME`: the committee schedules `validatorSet.removeValidator`; the account leaves
//   `session.validators` and the chain goes on finalizing without it.
//
// Run by zombienet (`js-script ... with "add,eve"`).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import assert from 'node:assert/strict';
import { send } from './options.mjs';
import { schedule, waitFor } from './committee.mjs';

const connect = (wsUri) => ApiPromise.create({ provider: new WsProvider(wsUri), throwOnConnect: true, noInitWarn: true });
const capitalised = (name) => name[0].toUpperCase() + name.slice(1);
/// A session change waits for the enactment delay and up to two sessions.
const BLOCKS = 120;

async function validators(api) {
  return (await api.query.session.validators()).map((v) => v.toString());
}

async function add(wsUri, name) {
  await cryptoWaitReady();
  const api = await connect(wsUri);
  try {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const [alice, bob] = [keyring.addFromUri('//Alice'), keyring.addFromUri('//Bob')];
    const who = keyring.addFromUri(`//${capitalised(name)}`);
    assert.ok(!(await validators(api)).includes(who.address), `${name} already validates`);

    // New keys in the node's keystore; the account registers them.
    const keys = await api.rpc.author.rotateKeys();
    await send(api, api.tx.session.setKeys(keys, '0x'), who);
    // SessionKeys encode Aura's sr25519 key, then GRANDPA's ed25519 key.
    const aura = `0x${keys.toHex().slice(2, 66)}`;

    const { enactAt } = await schedule(api, api.tx.validatorSet.addValidator(who.address), [alice, bob]);
    console.log(`add ${name}: scheduled for block ${enactAt}`);
    await waitFor(api, `${name} in session.validators`, async (a) => (await validators(a)).includes(who.address), BLOCKS);
    const authorities = (await api.query.aura.authorities()).map((k) => k.toHex());
    assert.ok(authorities.includes(aura), `${name}'s Aura key ${aura} is not among ${authorities}`);

    // It authors: a block whose Aura slot falls to its key (slot modulo the authorities, as
    // the parent's state holds them).
    let authored = null;
    let next = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFor(api, `a block authored by ${name}`, async (a) => {
      const best = (await a.rpc.chain.getHeader()).number.toNumber();
      for (; next <= best && authored === null; next++) {
        const header = await a.rpc.chain.getHeader(await a.rpc.chain.getBlockHash(next));
        const pre = header.digest.logs.find((l) => l.isPreRuntime && l.asPreRuntime[0].toString() === 'aura');
        if (!pre) continue;
        const slot = a.createType('u64', pre.asPreRuntime[1]).toBigInt();
        const keys = (await (await a.at(header.parentHash)).query.aura.authorities()).map((k) => k.toHex());
        if (keys[Number(slot % BigInt(keys.length))] === aura) authored = next;
      }
      return authored !== null;
    }, 40);
    console.log(`add ${name}: validates from block ${authored}, ${authorities.length} authorities`);
    return 1;
  } finally {
    await api.disconnect();
  }
}

async function remove(wsUri, name) {
  await cryptoWaitReady();
  const api = await connect(wsUri);
  try {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const [alice, bob] = [keyring.addFromUri('//Alice'), keyring.addFromUri('//Bob')];
    const who = keyring.addFromUri(`//${capitalised(name)}`);
    const before = await validators(api);
    assert.ok(before.includes(who.address), `${name} is not a validator`);
    const { enactAt } = await schedule(api, api.tx.validatorSet.removeValidator(who.address), [alice, bob]);
    console.log(`remove ${name}: scheduled for block ${enactAt}`);
    await waitFor(api, `${name} out of session.validators`, async (a) => !(await validators(a)).includes(who.address), BLOCKS);
    const left = await validators(api);
    assert.equal(left.length, before.length - 1);
    // Finality goes on with the set that is left.
    const finalized = async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    const start = await finalized();
    await waitFor(api, 'finality after the removal', async () => (await finalized()) >= start + 5, 40);
    console.log(`remove ${name}: ${left.length} validators left, finalized past ${start + 5}`);
    return 1;
  } finally {
    await api.disconnect();
  }
}

// zombienet js-script entry point.
export async function run(nodeName, networkInfo, args) {
  const [mode, name] = args;
  const uri = networkInfo.nodesByName[nodeName].wsUri;
  if (mode === 'add') return add(uri, name);
  if (mode === 'remove') return remove(uri, name);
  throw new Error(`validators.mjs: unknown mode ${mode}`);
}

// Faults survived, with the real @polkadot/api client.
// - `advance,N` (run on a live node while another validator is frozen): the finalized head
//   moves N blocks on: three of four validators finalize.
// - `caught-up,PEER` (run on a node just restarted from its database): the node starts from
//   the chain it had (its log's second start is not at #0), catches up with PEER's finalized head, and holds the
//   same block hash, state root and balances at a common finalized block.
//
// Run by zombienet (`js-script ... with "advance,8"`).
import { ApiPromise, WsProvider } from '@polkadot/api';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const connect = (wsUri) => ApiPromise.create({ provider: new WsProvider(wsUri), throwOnConnect: true, noInitWarn: true });

async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

async function advance(wsUri, blocks) {
  const api = await connect(wsUri);
  try {
    const start = await finalizedNumber(api);
    for (let i = 0; i < 120; i++) {
      const now = await finalizedNumber(api);
      if (now >= start + blocks) {
        console.log(`finality ok: finalized ${start} -> ${now} with a validator down`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`finality stalled at ${await finalizedNumber(api)} (from ${start})`);
  } finally {
    await api.disconnect();
  }
}

async function caughtUp(wsUri, peerUri, log) {
  // Restarted from its database: the second start's log says where its chain was before it
  // synced anything (a node without its database says #0).
  const starts = [...readFileSync(log, 'utf8').matchAll(/Highest known block at #(\d+)/g)].map((m) => Number(m[1]));
  assert.ok(starts.length >= 2, `${log} shows ${starts.length} start(s)`);
  const restartedAt = starts[starts.length - 1];
  assert.ok(restartedAt > 10, `the node restarted at block #${restartedAt}: its database is gone`);
  const api = await connect(wsUri);
  const peer = await connect(peerUri);
  try {
    const target = await finalizedNumber(peer);
    for (let i = 0; i < 150 && (await finalizedNumber(api)) < target; i++) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    const mine = await finalizedNumber(api);
    assert.ok(mine >= target, `finalized ${mine}, the network's ${target}`);
    // The same chain and state at the common finalized block, and at one from before the
    // restart.
    for (const n of [target, restartedAt - 5]) {
      const hash = await api.rpc.chain.getBlockHash(n);
      assert.equal(hash.toHex(), (await peer.rpc.chain.getBlockHash(n)).toHex(), `block ${n}`);
      const [a, b] = [await api.rpc.chain.getHeader(hash), await peer.rpc.chain.getHeader(hash)];
      assert.equal(a.stateRoot.toHex(), b.stateRoot.toHex(), `state root at ${n}`);
      const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
      const [x, y] = [await (await api.at(hash)).query.system.account(alice), await (await peer.at(hash)).query.system.account(alice)];
      assert.equal(x.data.free.toBigInt(), y.data.free.toBigInt(), `Alice's balance at ${n}`);
    }
    console.log(`caught up: restarted at ${restartedAt}, finalized ${mine} >= ${target}; same hashes, state roots and balances`);
    return 1;
  } finally {
    await api.disconnect();
    await peer.disconnect();
  }
}

// zombienet js-script entry point.
export async function run(nodeName, networkInfo, args) {
  const [mode, arg] = args;
  const uri = networkInfo.nodesByName[nodeName].wsUri;
  if (mode === 'advance') return advance(uri, Number(arg));
  if (mode === 'caught-up') {
    return caughtUp(uri, networkInfo.nodesByName[arg].wsUri, `${networkInfo.tmpDir}/${nodeName}.log`);
  }
  throw new Error(`finality.mjs: unknown mode ${mode}`);
}

// The technical committee as its members' wallets use it (@polkadot/api): a motion proposed by
// the first of `ayes`, voted aye by each of them, closed once it has its threshold. Used by the
// network tests that change the chain through governance.
import { send } from './options.mjs';

/// Runs a committee motion of `call`; resolves with the events of the block that executed it,
/// rejects with the dispatch error if the motion's call failed.
export async function motion(api, call, ayes) {
  const lengthBound = call.method.encodedLength;
  const proposed = await send(
    api,
    api.tx.technicalCommittee.propose(ayes.length, call, lengthBound),
    ayes[0],
  );
  const ev = proposed.find(({ event }) => api.events.technicalCommittee.Proposed.is(event));
  if (!ev) throw new Error('committee: no Proposed event');
  const [, index, hash] = ev.event.data;
  for (const who of ayes) {
    await send(api, api.tx.technicalCommittee.vote(hash, index, true), who);
  }
  // The weight of the call as an extrinsic: at least the call's own.
  const weight = (await call.paymentInfo(ayes[0])).weight;
  const closed = await send(
    api,
    api.tx.technicalCommittee.close(hash, index, weight, lengthBound),
    ayes[0],
  );
  const executed = closed.find(({ event }) => api.events.technicalCommittee.Executed.is(event));
  if (!executed) throw new Error('committee: the motion was not executed');
  const result = executed.event.data[1];
  if (result.isErr) {
    const err = result.asErr;
    const msg = err.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(err.asModule)) : err.toString();
    throw new Error(`committee: the motion's call failed: ${msg}`);
  }
  return closed;
}

/// Schedules `call` through a committee motion (governance.schedule); resolves with the
/// change's id and enactment block.
export async function schedule(api, call, ayes) {
  const events = await motion(api, api.tx.governance.schedule(call), ayes);
  const s = events.find(({ event }) => api.events.governance.Scheduled.is(event));
  if (!s) throw new Error('governance: no Scheduled event');
  return { id: s.event.data[0].toNumber(), enactAt: s.event.data[2].toNumber() };
}

/// Resolves once `predicate(api)` holds, checking every block; rejects after `blocks` blocks.
export async function waitFor(api, what, predicate, blocks) {
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  for (;;) {
    if (await predicate(api)) return;
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    if (now - start > blocks) throw new Error(`${what}: not within ${blocks} blocks`);
    await new Promise((r) => setTimeout(r, 1500));
  }
}

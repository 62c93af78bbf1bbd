// Load test: many accounts send pre-signed options trades (or balance transfers, for
// comparison) to a node as fast as it takes them; the report says how many were included per
// block, trades per second, and the time from submission to inclusion and to finality.
//
//   node tools/load.mjs [--ws URL] [--kind trade|transfer] [--count N] [--accounts K]
//                       [--series ID] [--json FILE] [--cache FILE] [--submit URL,URL,...]
//
// `--submit` spreads the submissions over several nodes of a network (each load account's
// extrinsics to one of them, so every author's pool fills from its own clients and not only
// through transaction gossip); default: all to `--ws`.
//
// Against a dev or local chain of the project's presets: Alice (sudo) sets the load accounts'
// PRP, Dave, Eve and Ferdie with TSLA; each account posts margin once; two oracle
// operators (the dev preset's Alice and Bob, or the local preset's Ferdie and Alice's stash)
// keep BTC, its volatility and TSLA fresh while the load runs. Trades alternate buy and sell
// of one contract, so every account's position stays 0 or 1 and the pool's limits never bind.
// Extrinsics are signed before the clock starts (immortal, explicit nonces): the figure is the
// chain's, not the signer's.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { send } from '../e2e/options.mjs';

const SHARE = 10n ** 12n; // TSLA has 12 decimals
const FIXED = 10n ** 18n;
const TSLA = 1;

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

const ws = arg('ws', 'ws://127.0.0.1:9944');
const kind = arg('kind', 'trade');
const count = Number(arg('count', '10000'));
const accounts = Number(arg('accounts', '200'));
const seriesId = Number(arg('series', '2')); // the presets' BTC 100,000 call
const jsonOut = arg('json', '');
// Signing tens of thousands of extrinsics takes minutes: they are kept in this file and reused
// while the chain, the runtime, the accounts' nonces and the load are the same (a fresh dev or
// local chain always is).
const cacheFile = arg('cache', '');
const submitTo = arg('submit', ws).split(',').filter((u) => u.length > 0);
if (!['trade', 'transfer'].includes(kind)) throw new Error(`--kind must be trade or transfer, not ${kind}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(ws), throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const dev = (n) => keyring.addFromUri(`//${n}`);
  const alice = dev('Alice');
  const operators = (await api.query.oracleOperators.members()).map((a) => a.toString());
  const candidates = ['Alice', 'Bob', 'Charlie', 'Ferdie', 'Alice//stash', 'Bob//stash'].map(dev);
  const feeders = candidates.filter((k) => operators.includes(k.address)).slice(0, 2);
  if (feeders.length < 2) throw new Error('two of the preset oracle operators are needed to feed prices');
  const load = Array.from({ length: accounts }, (_, i) => keyring.addFromUri(`//Load//${i}`));

  // Prices, fresh for the whole run: fed now and every 12 s by two operators.
  const feed = async () => {
    const values = [
      [{ Crypto: 'Btc' }, 100000n * FIXED],
      [{ ImpliedVol: 'Btc' }, 60n * FIXED / 100n],
      [{ Asset: TSLA }, 400n * FIXED],
    ];
    await Promise.all(feeders.map((f) => send(api, api.tx.prices.feed(values), f)));
  };
  await feed();

  // Fund the load accounts: PRP from Alice, TSLA from Dave, Eve and Ferdie (in batches).
  const sudoKey = api.query.sudo ? await api.query.sudo.key() : null;
  const viaSudo = sudoKey?.isSome && sudoKey.unwrap().toString() === alice.address;
  const holders = ['Dave', 'Eve', 'Ferdie'].map(dev);
  const tslaEach = 12n * SHARE;
  const chunk = 100;
  for (let i = 0; i < load.length; i += chunk) {
    const part = load.slice(i, i + chunk);
    // Enough PRP that fees never stop them: root's forceSetBalance on the dev chain (Alice
    // holds sudo); on a network without sudo (the local preset) a transfer from Alice's
    // endowment (1,000 PRP each: a trade's fee is well under a thousandth of one).
    const prp = viaSudo
      ? api.tx.sudo.sudo(api.tx.utility.batchAll(part.map((k) => api.tx.balances.forceSetBalance(k.address, 10n ** 9n * SHARE))))
      : api.tx.utility.batchAll(part.map((k) => api.tx.balances.transferKeepAlive(k.address, 1_000n * SHARE)));
    const jobs = [send(api, prp, alice)];
    holders.forEach((h, j) => {
      const mine = part.filter((_, n) => n % holders.length === j);
      if (mine.length > 0) {
        jobs.push(send(api, api.tx.utility.batchAll(mine.map((k) => api.tx.assets.transferKeepAlive(TSLA, k.address, tslaEach))), h));
      }
    });
    await Promise.all(jobs);
  }
  if (kind === 'trade') {
    for (let i = 0; i < load.length; i += chunk) {
      await Promise.all(load.slice(i, i + chunk).map((k) => send(api, api.tx.options.deposit(TSLA, 10n * SHARE), k)));
    }
  }
  console.log(`${load.length} load accounts funded${kind === 'trade' ? ' and margined' : ''}`);

  // Pre-sign: per account `per` extrinsics with consecutive nonces.
  const per = Math.ceil(count / load.length);
  // A deadline far ahead (year 2255), so that a cached load stays valid.
  const deadline = 9_000_000_000_000n;
  const nonces = [];
  for (const who of load) nonces.push((await api.rpc.system.accountNextIndex(who.address)).toNumber());
  const key = JSON.stringify({
    genesis: api.genesisHash.toHex(),
    spec: api.runtimeVersion.specVersion.toNumber(),
    kind, count, seriesId, nonces, layout: 2,
  });
  let signed = [];
  if (cacheFile && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    if (cached.key === key) signed = cached.signed;
  }
  const fromCache = signed.length > 0;
  if (fromCache) console.log(`${signed.length} ${kind}s from ${cacheFile}`);
  for (let k = 0; k < load.length && !fromCache; k++) {
    const who = load[k];
    let nonce = nonces[k];
    for (let j = 0; j < per && k * per + j < count; j++) {
      const tx = kind === 'trade'
        ? (j % 2 === 0
          ? api.tx.options.trade(seriesId, 1, 1_000_000n * FIXED, deadline)
          : api.tx.options.trade(seriesId, -1, 0, deadline))
        : api.tx.balances.transferKeepAlive(alice.address, 1n);
      // Signed locally, without a round trip: immortal, against the genesis hash.
      tx.sign(who, {
        blockHash: api.genesisHash,
        genesisHash: api.genesisHash,
        era: 0,
        nonce: nonce++,
        runtimeVersion: api.runtimeVersion,
        signedExtensions: api.registry.signedExtensions,
      });
      signed.push({ hex: tx.toHex(), hash: tx.hash.toHex(), order: j, account: k });
    }
    if (k === load.length - 1) {
      // Interleave accounts so that every block can take many of them in nonce order.
      signed.sort((a, b) => a.order - b.order);
      console.log(`${signed.length} ${kind}s signed`);
      if (cacheFile) writeFileSync(cacheFile, JSON.stringify({ key, signed }));
    }
  }

  const byHash = new Map(signed.map((s) => [s.hash, s]));
  const blocks = [];
  const finalized = [];
  let included = 0;
  let failed = 0;
  const failures = new Map();
  const unsubBest = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const seen = Date.now();
    const hash = header.hash;
    const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
    let mine = 0;
    // One pass over the events (a block of thousands of trades has tens of thousands): the
    // failed extrinsics by index.
    const failedAt = new Map();
    for (const { phase, event } of events) {
      if (phase.isApplyExtrinsic && api.events.system.ExtrinsicFailed.is(event)) {
        failedAt.set(phase.asApplyExtrinsic.toNumber(), event);
      }
    }
    block.block.extrinsics.forEach((ex, index) => {
      const s = byHash.get(ex.hash.toHex());
      if (!s || s.block !== undefined) return;
      s.block = header.number.toNumber();
      s.inBlock = seen;
      mine += 1;
      const bad = failedAt.get(index);
      if (bad) {
        failed += 1;
        const e = bad.data.dispatchError;
        const name = e.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(e.asModule)) : e.toString();
        failures.set(name, (failures.get(name) ?? 0) + 1);
      }
    });
    included += mine;
    blocks.push({ number: header.number.toNumber(), at: seen, mine, extrinsics: block.block.extrinsics.length });
  });
  const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((header) => {
    finalized.push({ number: header.number.toNumber(), at: Date.now() });
  });

  // Submit everything as fast as the node takes it (in bounded flights), feeding prices meanwhile.
  await feed();
  const feeder = setInterval(() => { feed().catch((e) => console.error(`feed: ${e.message}`)); }, 12_000);
  // One connection per submission node (`api`'s own for `--ws`).
  const submitters = await Promise.all(submitTo.map(async (url) => {
    if (url === ws) return (hex) => api.rpc.author.submitExtrinsic(hex);
    const provider = new WsProvider(url);
    await provider.isReady;
    return (hex) => provider.send('author_submitExtrinsic', [hex]);
  }));
  const t0 = Date.now();
  let rejected = 0;
  const rejections = new Map();
  const flight = 500;
  for (let i = 0; i < signed.length; i += flight) {
    await Promise.all(signed.slice(i, i + flight).map(async (s) => {
      s.submitted = Date.now();
      try {
        await submitters[s.account % submitters.length](s.hex);
      } catch (e) {
        rejected += 1;
        s.rejected = true;
        const m = String(e.message ?? e).slice(0, 80);
        rejections.set(m, (rejections.get(m) ?? 0) + 1);
      }
    }));
  }
  const submittedIn = (Date.now() - t0) / 1000;
  console.log(`${signed.length} submitted in ${submittedIn.toFixed(1)} s (${rejected} refused by the pool)`);

  // Wait until everything accepted is in a block and finalized (or nothing moves for 30 s).
  const target = signed.length - rejected;
  let last = included;
  let still = Date.now();
  while (true) {
    await sleep(1000);
    const fin = finalized.at(-1)?.number ?? 0;
    const maxBlock = Math.max(0, ...signed.filter((s) => s.block !== undefined).map((s) => s.block));
    if (included >= target && fin >= maxBlock) break;
    if (included !== last) { last = included; still = Date.now(); }
    if (Date.now() - still > 30_000) break;
  }
  clearInterval(feeder);
  unsubBest();
  unsubFinal();

  // The report over the blocks that carried load.
  const loaded = blocks.filter((b) => b.mine > 0).sort((a, b) => a.number - b.number);
  const first = loaded[0];
  const lastB = loaded.at(-1);
  const span = first && lastB ? (lastB.at - first.at) / 1000 : 0;
  const perBlock = loaded.map((b) => b.mine);
  const toBlock = signed.filter((s) => s.inBlock).map((s) => (s.inBlock - s.submitted) / 1000);
  const toFinal = signed.filter((s) => s.block !== undefined).map((s) => {
    const f = finalized.find((x) => x.number >= s.block);
    return f ? (f.at - s.submitted) / 1000 : null;
  }).filter((x) => x !== null);
  const blockTimes = loaded.slice(1).map((b, i) => (b.at - loaded[i].at) / 1000);
  // Sustained: blocks after the first loaded one and before the last (the tail drains).
  const middle = perBlock.length > 2 ? perBlock.slice(1, -1) : perBlock;
  const report = {
    kind,
    node: ws,
    accounts: load.length,
    signed: signed.length,
    submittedSeconds: submittedIn,
    refusedByPool: rejected,
    refusals: Object.fromEntries(rejections),
    included,
    failedInBlock: failed,
    failures: Object.fromEntries(failures),
    blocksWithLoad: loaded.length,
    perBlock: { max: Math.max(0, ...perBlock), mean: middle.length ? middle.reduce((a, b) => a + b, 0) / middle.length : 0, min: middle.length ? Math.min(...middle) : 0 },
    perSecond: span > 0 ? (included - (first?.mine ?? 0)) / span : null,
    spanSeconds: span,
    blockTime: { mean: blockTimes.length ? blockTimes.reduce((a, b) => a + b, 0) / blockTimes.length : null, max: blockTimes.length ? Math.max(...blockTimes) : null },
    toInclusion: { p50: percentile(toBlock, 50), p95: percentile(toBlock, 95), max: percentile(toBlock, 100) },
    toFinality: { p50: percentile(toFinal, 50), p95: percentile(toFinal, 95), max: percentile(toFinal, 100) },
    blocks: loaded.map((b) => ({ number: b.number, included: b.mine, extrinsics: b.extrinsics })),
  };
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 2));
  console.log(`${kind}s: ${included} included (${failed} failed in the block) over ${loaded.length} blocks, ${span.toFixed(1)} s`);
  console.log(`  per block: max ${report.perBlock.max}, mean ${report.perBlock.mean.toFixed(0)} (sustained blocks), min ${report.perBlock.min}`);
  console.log(`  per second: ${report.perSecond?.toFixed(0)}; block time mean ${report.blockTime.mean?.toFixed(2)} s, max ${report.blockTime.max?.toFixed(2)} s`);
  console.log(`  submission -> block: p50 ${report.toInclusion.p50?.toFixed(1)} s, p95 ${report.toInclusion.p95?.toFixed(1)} s; -> finality: p50 ${report.toFinality.p50?.toFixed(1)} s, p95 ${report.toFinality.p95?.toFixed(1)} s`);
  if (failed > 0) console.log(`  failures: ${JSON.stringify(report.failures)}`);
  if (rejected > 0) console.log(`  refused by the pool: ${JSON.stringify(report.refusals)}`);
  await api.disconnect();
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

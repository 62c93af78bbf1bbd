//! Sequences: a fresh development chain, the same opening block for every seed, then blocks of
//! operator feeds and random calls drawn from the seed. Every step is recorded, so a failing
//! sequence can be replayed without the generator, shrunk to the calls the failure needs, and
//! printed.

use crate::{
    actors::{Actors, ADMIN, CUSTODIAN, OPERATORS},
    calls::{self, Gen, Origin, Planned, View},
    chain::{self, Builder, TxPool, GENESIS_TIME_MS},
    invariants,
    market::{self, PriceModel},
    report::Stats,
    rng::Rng,
};
use frame_support::traits::{GetCallMetadata, PalletsInfoAccess};
use perpetua_primitives::{OracleKey, Session};
use perpetua_runtime::{
    AllPalletsWithSystem, Executive, Header, Runtime, RuntimeCall, RuntimeEvent, System,
    UncheckedExtrinsic, UNIT,
};
use sp_runtime::{DispatchError, TransactionOutcome};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The shape of a run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Blocks per sequence (after the opening block).
    pub blocks: u32,
    /// Mean random calls per block (drawn uniformly from `0..=2 * calls`).
    pub calls: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            blocks: 100,
            calls: 10,
        }
    }
}

/// One step of a sequence.
#[derive(Clone, Debug)]
pub enum Step {
    /// Ends the open block (invariants, offchain worker), starts block `number` at `time`.
    Block { number: u32, time: u64 },
    /// A call, with who sends it. `random` is false for the operators' regular feeds.
    Call { planned: Planned, random: bool },
}

/// A sequence that broke something.
#[derive(Clone, Debug)]
pub struct Failure {
    pub seed: u64,
    pub block: u32,
    pub what: String,
    /// The steps that reproduce it (shrunk when `shrunk`).
    pub steps: Vec<Step>,
    pub shrunk: bool,
}

impl Failure {
    /// The reproduction: every step, one per line.
    pub fn reproduction(&self, actors: &Actors) -> String {
        let mut out = format!(
            "seed {} broke in block {}: {}\n{} steps{}:\n",
            self.seed,
            self.block,
            self.what,
            self.steps.len(),
            if self.shrunk { " (shrunk)" } else { "" }
        );
        for s in &self.steps {
            match s {
                Step::Block { number, time } => {
                    out.push_str(&format!("-- block {number} at {time}\n"))
                }
                Step::Call { planned, .. } => {
                    let who = match &planned.origin {
                        Origin::Signed(i) => actors.all[*i].name.clone(),
                        Origin::Root => "root (sudo)".into(),
                        Origin::Bare => "unsigned".into(),
                    };
                    out.push_str(&format!("   {who}: {:?}\n", planned.call));
                }
            }
        }
        out
    }
}

fn pallet_name(index: u8) -> &'static str {
    AllPalletsWithSystem::infos()
        .into_iter()
        .find(|i| i.index == index as usize)
        .map(|i| i.name)
        .unwrap_or("?")
}

/// The variant of pallet `pallet`'s error encoded in `bytes` (an error that came through an
/// event has lost its message).
fn variant(pallet: &str, bytes: [u8; 4]) -> String {
    use codec::Decode;
    macro_rules! decode {
        ($($name:literal => $err:ty),* $(,)?) => {
            match pallet {
                $($name => <$err>::decode(&mut &bytes[..]).map(|e| format!("{e:?}")).ok(),)*
                _ => None,
            }
        };
    }
    decode! {
        "System" => frame_system::Error<Runtime>,
        "Grandpa" => pallet_grandpa::Error<Runtime>,
        "Balances" => pallet_balances::Error<Runtime>,
        "Assets" => pallet_assets::Error<Runtime>,
        "Sudo" => pallet_sudo::Error<Runtime>,
        "Utility" => pallet_utility::Error<Runtime>,
        "OracleOperators" => pallet_membership::Error<Runtime, pallet_membership::Instance1>,
        "Oracle" => orml_oracle::Error<Runtime>,
        "MarketCalendar" => pallet_market_calendar::Error<Runtime>,
        "Equities" => pallet_equities::Error<Runtime>,
        "Prices" => pallet_prices::Error<Runtime>,
        "Pool" => pallet_pool::Error<Runtime>,
        "Options" => pallet_options::Error<Runtime>,
        "Liquidation" => pallet_liquidation::Error<Runtime>,
        "Session" => pallet_session::Error<Runtime>,
        "ValidatorSet" => pallet_validator_set::Error<Runtime>,
        "Preimage" => pallet_preimage::Error<Runtime>,
        "Scheduler" => pallet_scheduler::Error<Runtime>,
        "TechnicalCommittee" => pallet_collective::Error<Runtime, pallet_collective::Instance1>,
        "TechnicalMembership" => pallet_membership::Error<Runtime, pallet_membership::Instance2>,
        "Governance" => pallet_governance::Error<Runtime>,
        "Multisig" => pallet_multisig::Error<Runtime>,
        "SafeMode" => pallet_safe_mode::Error<Runtime>,
        "TxPause" => pallet_tx_pause::Error<Runtime>,
    }
    .unwrap_or_else(|| format!("{bytes:?}"))
}

/// A dispatch error as a name: `Pallet::Variant` for a pallet's error.
pub fn error_name(e: &DispatchError) -> String {
    match e {
        DispatchError::Module(m) => {
            let pallet = pallet_name(m.index);
            match m.message {
                Some(msg) => format!("{pallet}::{msg}"),
                None => format!("{pallet}::{}", variant(pallet, m.error)),
            }
        }
        other => format!("{other:?}"),
    }
}

/// `Pallet.call` of a call.
pub fn call_name(call: &RuntimeCall) -> String {
    let m = call.get_call_metadata();
    format!("{}.{}", m.pallet_name, m.function_name)
}

/// `Pallet.Variant` of an event (its Debug text reads `Pallet(Event::Variant { .. })`).
fn event_name(e: &RuntimeEvent) -> String {
    let s = format!("{e:?}");
    let pallet = s.split('(').next().unwrap_or("");
    let rest = s.get(pallet.len() + 1..).unwrap_or("");
    let rest = rest.strip_prefix("Event::").unwrap_or(rest);
    let variant = rest
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    format!("{pallet}.{variant}")
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}

/// A sequence being run: the chain inside its externalities, and what was done to it.
pub struct World<'a> {
    pub actors: &'a Actors,
    pub stats: &'a mut Stats,
    pool: TxPool,
    builder: Builder,
    number: u32,
    now: u64,
    open: bool,
    pub steps: Vec<Step>,
    /// Splits started in the last finished block (asset, numerator, denominator).
    splits: Vec<(u32, u32, u32)>,
    /// Net change root forced on PRP's total issuance.
    issuance_forced: i128,
}

impl<'a> World<'a> {
    /// A world at the end of the opening block, for replaying steps by hand.
    pub fn new_pub(actors: &'a Actors, stats: &'a mut Stats, pool: TxPool) -> Self {
        let mut w = Self::new(actors, stats, pool);
        w.setup();
        w
    }

    fn new(actors: &'a Actors, stats: &'a mut Stats, pool: TxPool) -> Self {
        World {
            actors,
            stats,
            pool,
            builder: Builder::default(),
            number: 0,
            now: GENESIS_TIME_MS,
            open: false,
            steps: Vec::new(),
            splits: Vec::new(),
            issuance_forced: 0,
        }
    }

    /// The opening block, the same for every seed: the operators' first prices, PRP and
    /// stock for the fuzzer's traders, and some of it as margin.
    fn setup(&mut self) {
        let ok = |r: Result<(), String>, what: &str| {
            r.unwrap_or_else(|e| panic!("setup: {what}: {e}"));
        };
        self.builder.start(1, GENESIS_TIME_MS);
        self.number = 1;
        self.open = true;
        let model = PriceModel::default();
        let values: Vec<_> = model
            .levels
            .iter()
            .map(|(k, l)| (*k, sp_runtime::FixedU128::from_inner((l * 1e18) as u128)))
            .collect();
        for op in OPERATORS {
            ok(
                self.setup_call(op, calls::feed(values.clone())),
                "first feed",
            );
        }
        let share = 10u128.pow(12);
        for asset in 1..=3u32 {
            let supply = <perpetua_runtime::Assets as frame_support::traits::fungibles::Inspect<
                _,
            >>::total_issuance(asset);
            ok(
                self.setup_call(
                    CUSTODIAN,
                    RuntimeCall::Equities(pallet_equities::Call::attest_reserves {
                        asset,
                        reserve: supply + 100_000 * share,
                        as_of: GENESIS_TIME_MS,
                    }),
                ),
                "attestation",
            );
        }
        for i in self.actors.fuzz_traders() {
            let dest = sp_runtime::MultiAddress::Id(self.actors.all[i].account.clone());
            ok(
                self.setup_call(
                    3,
                    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
                        dest: dest.clone(),
                        value: 10_000 * UNIT,
                    }),
                ),
                "PRP to traders",
            );
            for asset in 1..=3u32 {
                ok(
                    self.setup_call(
                        CUSTODIAN,
                        RuntimeCall::Equities(pallet_equities::Call::mint {
                            asset,
                            beneficiary: dest.clone(),
                            amount: 1_000 * share,
                        }),
                    ),
                    "stock to traders",
                );
            }
            // Every third trader is margined in NVDA and AAPL with a little TSLA: its fees
            // and losses soon become debt, and its liquidations auctions.
            let stock_margined = (i - self.actors.fuzz_traders().start) % 3 == 2;
            ok(
                self.setup_call(
                    i,
                    RuntimeCall::Options(pallet_options::Call::deposit {
                        settlement: 1,
                        amount: if stock_margined { share } else { 200 * share },
                    }),
                ),
                "margin",
            );
            if stock_margined {
                for (asset, amount) in [(2u32, 400 * share), (3, 200 * share)] {
                    ok(
                        self.setup_call(
                            i,
                            RuntimeCall::Options(pallet_options::Call::deposit_collateral {
                                settlement: 1,
                                asset,
                                amount,
                            }),
                        ),
                        "extra collateral",
                    );
                }
            }
        }
        let _ = ADMIN;
    }

    fn setup_call(&mut self, who: usize, call: RuntimeCall) -> Result<(), String> {
        let xt = chain::sign(&self.actors.all[who].pair, call);
        match chain::apply(xt) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(error_name(&e)),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    /// Runs one step. `Err` is a violation.
    pub fn execute(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Block { number, time } => {
                if self.open {
                    self.end_block()?;
                }
                catch_unwind(AssertUnwindSafe(|| self.builder.start(*number, *time)))
                    .map_err(|p| format!("panic starting block {number}: {}", panic_message(p)))?;
                self.number = *number;
                self.now = *time;
                self.open = true;
                // What the offchain worker submitted after the last block.
                for xt in chain::take_pool(&self.pool) {
                    self.apply_bare(xt, true)?;
                }
                Ok(())
            }
            Step::Call { planned, random } => self.apply(planned, *random),
        }
    }

    /// Finishes the open block, checks every invariant, runs the offchain worker on the
    /// block's state (as the node does on a copy: nothing it writes stays).
    pub fn end_block(&mut self) -> Result<(), String> {
        let header: Header =
            catch_unwind(AssertUnwindSafe(|| self.builder.finish())).map_err(|p| {
                format!(
                    "panic finishing block {}: {}",
                    self.number,
                    panic_message(p)
                )
            })?;
        self.open = false;
        self.stats.blocks += 1;
        self.splits.clear();
        for record in System::events() {
            *self
                .stats
                .events
                .entry(event_name(&record.event))
                .or_default() += 1;
            if let RuntimeEvent::Equities(pallet_equities::Event::CorporateActionStarted {
                asset,
                kind:
                    pallet_equities::ActionKind::Split {
                        numerator,
                        denominator,
                        ..
                    },
                ..
            }) = record.event
            {
                self.splits.push((asset, numerator, denominator));
            }
            if let RuntimeEvent::Balances(pallet_balances::Event::TotalIssuanceForced {
                old,
                new,
            }) = record.event
            {
                let delta = |a: u128, b: u128| a.saturating_sub(b).min(i128::MAX as u128) as i128;
                self.issuance_forced = self
                    .issuance_forced
                    .saturating_add(delta(new, old))
                    .saturating_sub(delta(old, new));
            }
        }
        let forced = self.issuance_forced;
        catch_unwind(AssertUnwindSafe(|| invariants::check(forced)))
            .map_err(|p| format!("panic in an invariant check: {}", panic_message(p)))??;
        catch_unwind(AssertUnwindSafe(|| {
            frame_support::storage::with_transaction_unchecked(|| {
                Executive::offchain_worker(&header);
                TransactionOutcome::Rollback(())
            })
        }))
        .map_err(|p| format!("panic in the offchain worker: {}", panic_message(p)))?;
        Ok(())
    }

    fn record(&mut self, name: String, outcome: String) {
        *self
            .stats
            .outcomes
            .entry(name)
            .or_default()
            .entry(outcome)
            .or_default() += 1;
    }

    /// The outcome of an applied extrinsic, looking into the events of a dispatch that
    /// wraps another (sudo, utility).
    fn outcome(result: sp_runtime::ApplyExtrinsicResult, first_event: usize) -> String {
        use pallet_sudo::Event as S;
        use pallet_utility::Event as U;
        match result {
            Err(e) => format!("invalid: {e:?}"),
            Ok(Err(e)) => error_name(&e),
            Ok(Ok(())) => {
                for record in System::events().iter().skip(first_event) {
                    match &record.event {
                        RuntimeEvent::Sudo(S::Sudid { sudo_result })
                        | RuntimeEvent::Sudo(S::SudoAsDone { sudo_result }) => {
                            return match sudo_result {
                                Ok(()) => "ok".into(),
                                Err(e) => error_name(e),
                            }
                        }
                        RuntimeEvent::Utility(U::BatchInterrupted { error, .. }) => {
                            return format!("interrupted: {}", error_name(error))
                        }
                        RuntimeEvent::Utility(U::DispatchedAs { result })
                        | RuntimeEvent::TechnicalCommittee(pallet_collective::Event::Executed {
                            result,
                            ..
                        })
                        | RuntimeEvent::TechnicalCommittee(
                            pallet_collective::Event::MemberExecuted { result, .. },
                        )
                        | RuntimeEvent::Multisig(pallet_multisig::Event::MultisigExecuted {
                            result,
                            ..
                        })
                        | RuntimeEvent::Governance(pallet_governance::Event::Enacted {
                            result,
                            ..
                        }) => {
                            return match result {
                                Ok(()) => "ok".into(),
                                Err(e) => error_name(e),
                            }
                        }
                        _ => {}
                    }
                }
                "ok".into()
            }
        }
    }

    fn apply_bare(&mut self, xt: UncheckedExtrinsic, from_worker: bool) -> Result<(), String> {
        let name = format!(
            "{}{}",
            call_name(&xt.function),
            if from_worker {
                " (offchain worker)"
            } else {
                ""
            }
        );
        let first = System::event_count() as usize;
        let r = catch_unwind(AssertUnwindSafe(|| chain::apply_bare(xt)))
            .map_err(|p| format!("panic in {name}: {}", panic_message(p)))?;
        let outcome = match r {
            Err(e) => format!("refused by the pool: {e:?}"),
            Ok(r) => Self::outcome(r, first),
        };
        self.stats.calls += 1;
        self.record(name, outcome);
        Ok(())
    }

    fn apply(&mut self, planned: &Planned, random: bool) -> Result<(), String> {
        let name = call_name(&planned.call);
        if random {
            self.stats.random_calls += 1;
        }
        let xt = match &planned.origin {
            Origin::Bare => {
                return self.apply_bare(UncheckedExtrinsic::new_bare(planned.call.clone()), false)
            }
            Origin::Signed(i) => chain::sign(&self.actors.all[*i].pair, planned.call.clone()),
            Origin::Root => {
                let holder = pallet_sudo::Key::<Runtime>::get()
                    .and_then(|k| self.actors.index_of(&k))
                    .unwrap_or(ADMIN);
                let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo {
                    call: Box::new(planned.call.clone()),
                });
                chain::sign(&self.actors.all[holder].pair, sudo)
            }
        };
        let first = System::event_count() as usize;
        let r = catch_unwind(AssertUnwindSafe(|| chain::apply(xt)))
            .map_err(|p| format!("panic in {name}: {}", panic_message(p)))?;
        let outcome = Self::outcome(r, first);
        self.stats.calls += 1;
        let key = match planned.origin {
            Origin::Root => format!("{name} (root)"),
            _ => name,
        };
        if random {
            self.record(key, outcome);
        } else {
            self.record(format!("{key} (operators' feed)"), outcome);
        }
        Ok(())
    }

    /// Generates and runs the next block of a sequence.
    fn generate_block(
        &mut self,
        rng: &mut Rng,
        model: &mut PriceModel,
        cfg: &Config,
    ) -> Result<(), String> {
        let session = pallet_market_calendar::Pallet::<Runtime>::stock_session_at(1, self.now);
        let time = market::next_block_time(rng, self.now, session.or(Some(Session::Unknown)));
        let step = Step::Block {
            number: self.number + 1,
            time,
        };
        self.run(step)?;
        for (asset, n, d) in std::mem::take(&mut self.splits) {
            model.split(OracleKey::Asset(asset), n, d);
        }
        for asset in pallet_equities::Stocks::<Runtime>::iter_keys() {
            model.track(OracleKey::Asset(asset), 100.0);
        }
        model.step(rng, time);
        for (op, who) in OPERATORS.iter().enumerate() {
            if let Some(values) = model.report(rng, op) {
                let planned = Planned {
                    origin: Origin::Signed(*who),
                    call: calls::feed(values),
                };
                self.run(Step::Call {
                    planned,
                    random: false,
                })?;
            }
        }
        for _ in 0..rng.range(0, 2 * cfg.calls as u64) {
            let planned = {
                let mut g = Gen {
                    rng,
                    actors: self.actors,
                    view: View::read(self.now),
                };
                g.call()
            };
            self.run(Step::Call {
                planned,
                random: true,
            })?;
        }
        Ok(())
    }

    fn run(&mut self, step: Step) -> Result<(), String> {
        let r = self.execute(&step);
        self.steps.push(step);
        r
    }
}

/// Runs sequence `seed`; a violation comes back shrunk.
pub fn run_seed(
    seed: u64,
    cfg: &Config,
    actors: &Actors,
    stats: &mut Stats,
) -> Result<(), Failure> {
    let (mut ext, pool) = chain::dev_ext();
    let failure = ext.execute_with(|| {
        let mut world = World::new(actors, stats, pool);
        world.setup();
        let mut rng = Rng::new(seed);
        let mut model = PriceModel::default();
        for _ in 0..cfg.blocks {
            if let Err(what) = world.generate_block(&mut rng, &mut model, cfg) {
                return Some((world.number, what, world.steps.clone()));
            }
        }
        if let Err(what) = world.end_block() {
            return Some((world.number, what, world.steps.clone()));
        }
        None
    });
    stats.sequences += 1;
    match failure {
        None => Ok(()),
        Some((block, what, steps)) => {
            eprintln!(
                "seed {seed} broke in block {block}: {what}; shrinking {} steps",
                steps.len()
            );
            stats
                .violations
                .push(format!("seed {seed}, block {block}: {what}"));
            Err(shrink(
                Failure {
                    seed,
                    block,
                    what,
                    steps,
                    shrunk: false,
                },
                actors,
            ))
        }
    }
}

/// Replays `steps` on a fresh chain; the violation they reach, if any.
pub fn replay(steps: &[Step], actors: &Actors) -> Option<(u32, String)> {
    let (mut ext, pool) = chain::dev_ext();
    let mut stats = Stats::default();
    ext.execute_with(|| {
        let mut world = World::new(actors, &mut stats, pool);
        world.setup();
        for s in steps {
            if let Err(e) = world.execute(s) {
                return Some((world.number, e));
            }
        }
        world.end_block().err().map(|e| (world.number, e))
    })
}

/// The kind of a violation: its text up to the first colon (which invariant, or "panic in
/// X").
fn kind(what: &str) -> &str {
    what.split(':').next().unwrap_or(what)
}

/// Removes calls the failure does not need (chunks, then single calls), keeping every
/// block up to the failing one, for at most `FUZZ_SHRINK_SECS` seconds (default 120).
pub fn shrink(mut f: Failure, actors: &Actors) -> Failure {
    let target = kind(&f.what).to_string();
    let budget = std::time::Duration::from_secs(
        std::env::var("FUZZ_SHRINK_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(120),
    );
    let start = std::time::Instant::now();
    let within = || start.elapsed() < budget;
    // Delta debugging over the calls: drop chunks of calls (wherever they sit between
    // blocks), halving the chunk when no chunk can go.
    let calls = |steps: &[Step]| -> Vec<usize> {
        steps
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Step::Call { .. }))
            .map(|(i, _)| i)
            .collect()
    };
    let mut chunk = calls(&f.steps).len() / 2;
    while chunk >= 1 && within() {
        let mut at = 0;
        let mut removed_any = false;
        loop {
            let indices = calls(&f.steps);
            if at >= indices.len() || !within() {
                break;
            }
            let drop: std::collections::BTreeSet<usize> = indices
                [at..(at + chunk).min(indices.len())]
                .iter()
                .copied()
                .collect();
            let candidate: Vec<Step> = f
                .steps
                .iter()
                .enumerate()
                .filter(|(i, _)| !drop.contains(i))
                .map(|(_, s)| s.clone())
                .collect();
            match replay(&candidate, actors) {
                Some((block, what)) if kind(&what) == target => {
                    f.steps = candidate;
                    f.block = block;
                    f.what = what;
                    f.shrunk = true;
                    removed_any = true;
                }
                _ => at += chunk,
            }
        }
        if !removed_any {
            chunk /= 2;
        }
    }
    // Blocks after the one that broke are not needed.
    if let Some(last) = f
        .steps
        .iter()
        .position(|s| matches!(s, Step::Block { number, .. } if *number > f.block + 1))
    {
        f.steps.truncate(last);
    }
    f
}

/// A sequence as text, one step per line, replayable by [`parse_steps`]: `block N TIME`, or
/// `call ORIGIN RANDOM 0xSCALE` with ORIGIN `signed:I`, `root` or `bare`, each call followed by
/// a comment line with its Debug text.
pub fn format_steps(steps: &[Step], actors: &Actors) -> String {
    use codec::Encode;
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Block { number, time } => out.push_str(&format!("block {number} {time}\n")),
            Step::Call { planned, random } => {
                let origin = match &planned.origin {
                    Origin::Signed(i) => format!("signed:{i}"),
                    Origin::Root => "root".into(),
                    Origin::Bare => "bare".into(),
                };
                let who = match &planned.origin {
                    Origin::Signed(i) => actors.all[*i].name.clone(),
                    Origin::Root => "root".into(),
                    Origin::Bare => "unsigned".into(),
                };
                out.push_str(&format!(
                    "call {origin} {random} 0x{}\n# {who}: {:?}\n",
                    sp_core::hexdisplay::HexDisplay::from(&planned.call.encode()),
                    planned.call
                ));
            }
        }
    }
    out
}

/// The steps of a sequence written by [`format_steps`] (`#` lines are comments).
pub fn parse_steps(text: &str) -> Result<Vec<Step>, String> {
    use codec::Decode;
    let mut steps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("line {}: {what}", n + 1);
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["block", number, time] => steps.push(Step::Block {
                number: number.parse().map_err(|_| bad("block number"))?,
                time: time.parse().map_err(|_| bad("time"))?,
            }),
            ["call", origin, random, hex] => {
                let origin = match *origin {
                    "root" => Origin::Root,
                    "bare" => Origin::Bare,
                    o => Origin::Signed(
                        o.strip_prefix("signed:")
                            .and_then(|i| i.parse().ok())
                            .ok_or_else(|| bad("origin"))?,
                    ),
                };
                let bytes = sp_core::bytes::from_hex(hex).map_err(|_| bad("hex"))?;
                let call = RuntimeCall::decode(&mut &bytes[..]).map_err(|_| bad("call"))?;
                steps.push(Step::Call {
                    planned: Planned { origin, call },
                    random: *random == "true",
                });
            }
            _ => return Err(bad("unknown step")),
        }
    }
    Ok(steps)
}

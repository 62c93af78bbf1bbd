//! A runtime-wide fuzzer for Perpetua.
//!
//! Many actors (traders, LPs, keepers, oracle operators, the custodian, the admin) send
//! random sequences of every extrinsic of the real runtime, natively, in blocks built as the
//! node builds them, through price paths with crashes, gaps, outages and outliers, across
//! market sessions, halts and corporate actions. After every block every pallet's
//! `try_state` runs, with global checks: each asset's balances sum to its supply, PRP to its
//! issuance, every pallet account holds what its ledger records, every margin account and
//! pool can be valued without overflow, the block is within its weight. A panic anywhere is
//! a violation. Seeds are deterministic; a failing sequence is shrunk and printed.
//!
//! See docs/FUZZING.md.

pub mod actors;
pub mod calls;
pub mod chain;
pub mod invariants;
pub mod market;
pub mod report;
pub mod rng;
pub mod runner;

pub use report::Stats;
pub use runner::{replay, run_seed, Config, Failure, Step};

/// Runs `seeds` on `threads` threads; merged statistics and every failure.
pub fn run_seeds(
    seeds: impl Iterator<Item = u64>,
    cfg: Config,
    threads: usize,
) -> (Stats, Vec<Failure>) {
    let seeds: Vec<u64> = seeds.collect();
    let chunks: Vec<Vec<u64>> = (0..threads.max(1))
        .map(|t| {
            seeds
                .iter()
                .copied()
                .skip(t)
                .step_by(threads.max(1))
                .collect()
        })
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn(move || {
                    let actors = actors::Actors::new();
                    let mut stats = Stats::default();
                    let mut failures = Vec::new();
                    for seed in chunk {
                        if let Err(f) = run_seed(seed, &cfg, &actors, &mut stats) {
                            eprintln!("{}", f.reproduction(&actors));
                            failures.push(f);
                        }
                    }
                    (stats, failures)
                })
                .expect("thread")
        })
        .collect();
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for h in handles {
        let (s, f) = h.join().expect("fuzz thread");
        stats.merge(&s);
        failures.extend(f);
    }
    (stats, failures)
}

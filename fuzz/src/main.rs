//! `perpetua-fuzz`: long runs of the runtime-wide fuzzer (`scripts/fuzz.sh`).
//!
//! perpetua-fuzz [--seconds N] [--sequences N] [--first-seed S] [--blocks B] [--calls C]
//!               [--threads T] [--report FILE] [--failures DIR]
//! perpetua-fuzz --replay FILE.steps
//! perpetua-fuzz --shrink FILE.steps       (shrinks further into FILE.steps.min)
//!
//! Runs sequences with seeds S, S+1, ... until N seconds have passed or N sequences have
//! run, writes the report (Markdown) to FILE every few minutes and at the end, writes each
//! failing sequence, shrunk, to DIR/seed-N.steps, and exits non-zero if any sequence broke
//! an invariant or panicked.

use perpetua_fuzz::{run_seeds, Config, Stats};
use std::time::{Duration, Instant};

fn main() {
    let mut seconds: Option<u64> = None;
    let mut sequences: Option<u64> = None;
    let mut first_seed = 1u64;
    let mut cfg = Config::default();
    let mut threads = 1usize;
    let mut report = String::from("fuzz-report.md");
    let mut failures_dir = String::from("fuzz-failures");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = |i: usize| -> String {
            args.get(i + 1).cloned().unwrap_or_else(|| {
                eprintln!("{} needs a value", args[i]);
                std::process::exit(2)
            })
        };
        let num = |s: String| -> u64 {
            s.parse().unwrap_or_else(|_| {
                eprintln!("not a number: {s}");
                std::process::exit(2)
            })
        };
        match args[i].as_str() {
            "--seconds" => seconds = Some(num(value(i))),
            "--sequences" => sequences = Some(num(value(i))),
            "--first-seed" => first_seed = num(value(i)),
            "--blocks" => cfg.blocks = num(value(i)) as u32,
            "--calls" => cfg.calls = num(value(i)) as u32,
            "--threads" => threads = num(value(i)) as usize,
            "--report" => report = value(i),
            "--failures" => failures_dir = value(i),
            "--replay" => {
                replay_file(&value(i));
                return;
            }
            "--shrink" => {
                shrink_file(&value(i));
                return;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2)
            }
        }
        i += 2;
    }
    if seconds.is_none() && sequences.is_none() {
        sequences = Some(10);
    }
    let start = Instant::now();
    let deadline = seconds.map(|s| start + Duration::from_secs(s));
    let mut total = Stats::default();
    let mut failures = Vec::new();
    let mut next = first_seed;
    let mut last_report = Instant::now();
    // Batches of one sequence per thread, until the time or the count is used up.
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let left = sequences.map(|n| n.saturating_sub(total.sequences));
        if left == Some(0) {
            break;
        }
        let batch = left.unwrap_or(threads as u64).min(threads as u64);
        let (stats, f) = run_seeds(next..next + batch, cfg, threads);
        next += batch;
        total.merge(&stats);
        save_failures(&failures_dir, &f);
        failures.extend(f);
        if last_report.elapsed() > Duration::from_secs(300) {
            write(&report, &total, start);
            last_report = Instant::now();
            eprintln!(
                "{} s: {} sequences, {} blocks, {} calls, {} violations",
                start.elapsed().as_secs(),
                total.sequences,
                total.blocks,
                total.calls,
                total.violations.len()
            );
        }
    }
    write(&report, &total, start);
    println!(
        "{} sequences (seeds {first_seed}..{}), {} blocks, {} extrinsics ({} random calls), {} violations in {} s; report in {report}",
        total.sequences,
        next - 1,
        total.blocks,
        total.calls,
        total.random_calls,
        total.violations.len(),
        start.elapsed().as_secs()
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

/// Each failure's shrunk sequence as `DIR/seed-N.steps` (replay with `--replay`; copy into
/// `fuzz/regressions/` for a regression test).
fn save_failures(dir: &str, failures: &[perpetua_fuzz::Failure]) {
    if failures.is_empty() {
        return;
    }
    let actors = perpetua_fuzz::actors::Actors::new();
    let _ = std::fs::create_dir_all(dir);
    for f in failures {
        let path = format!("{dir}/seed-{}.steps", f.seed);
        let text = format!(
            "# seed {}: {}\n{}",
            f.seed,
            f.what,
            perpetua_fuzz::runner::format_steps(&f.steps, &actors)
        );
        match std::fs::write(&path, text) {
            Ok(()) => eprintln!("reproduction in {path}"),
            Err(e) => eprintln!("cannot write {path}: {e}"),
        }
    }
}

/// The steps of a `.steps` file, or exit with why not.
fn read_steps(path: &str) -> Vec<perpetua_fuzz::Step> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    perpetua_fuzz::runner::parse_steps(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    })
}

/// Shrinks a `.steps` file further (for `FUZZ_SHRINK_SECS`) into `FILE.min`.
fn shrink_file(path: &str) {
    let steps = read_steps(path);
    let actors = perpetua_fuzz::actors::Actors::new();
    let Some((block, what)) = perpetua_fuzz::replay(&steps, &actors) else {
        println!("{path}: no violation to shrink");
        return;
    };
    let f = perpetua_fuzz::runner::shrink(
        perpetua_fuzz::Failure {
            seed: 0,
            block,
            what,
            steps,
            shrunk: false,
        },
        &actors,
    );
    let out = format!("{path}.min");
    let text = format!(
        "# {}\n{}",
        f.what,
        perpetua_fuzz::runner::format_steps(&f.steps, &actors)
    );
    let _ = std::fs::write(&out, text);
    println!("{} steps -> {out}", f.steps.len());
}

/// Replays a `.steps` file and prints what it breaks.
fn replay_file(path: &str) {
    let steps = read_steps(path);
    let actors = perpetua_fuzz::actors::Actors::new();
    match perpetua_fuzz::replay(&steps, &actors) {
        None => println!("{path}: {} steps, no violation", steps.len()),
        Some((block, what)) => {
            println!("{path}: block {block}: {what}");
            std::process::exit(1)
        }
    }
}

fn write(path: &str, stats: &Stats, start: Instant) {
    let md = stats.markdown("Fuzz run", start.elapsed().as_secs());
    if let Err(e) = std::fs::write(path, md) {
        eprintln!("cannot write {path}: {e}");
    }
}

//! What a run did: sequences, blocks, calls by call and outcome, events, violations.

use frame_support::traits::GetCallMetadata;
use perpetua_runtime::RuntimeCall;
use std::collections::BTreeMap;

#[derive(Default, Clone, Debug)]
pub struct Stats {
    pub sequences: u64,
    pub blocks: u64,
    /// Every extrinsic applied (random calls, the operators' feeds, the offchain worker's).
    pub calls: u64,
    /// The random calls among them.
    pub random_calls: u64,
    /// `Pallet.call` (with " (root)" when sent through sudo) -> outcome -> count.
    pub outcomes: BTreeMap<String, BTreeMap<String, u64>>,
    /// `Pallet.Event` -> count.
    pub events: BTreeMap<String, u64>,
    pub violations: Vec<String>,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.sequences += other.sequences;
        self.blocks += other.blocks;
        self.calls += other.calls;
        self.random_calls += other.random_calls;
        for (call, outcomes) in &other.outcomes {
            let mine = self.outcomes.entry(call.clone()).or_default();
            for (o, n) in outcomes {
                *mine.entry(o.clone()).or_default() += n;
            }
        }
        for (e, n) in &other.events {
            *self.events.entry(e.clone()).or_default() += n;
        }
        self.violations.extend(other.violations.iter().cloned());
    }

    /// `Pallet.call` -> (attempts, successes), whatever the origin.
    pub fn by_call(&self) -> BTreeMap<String, (u64, u64)> {
        let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (key, outcomes) in &self.outcomes {
            let name = key.split(' ').next().unwrap_or(key).to_string();
            let e = out.entry(name).or_default();
            for (o, n) in outcomes {
                e.0 += n;
                if o == "ok" {
                    e.1 += n;
                }
            }
        }
        out
    }

    /// Every call of the runtime's metadata the run never made (besides the unreachable).
    pub fn uncovered(&self) -> Vec<String> {
        let seen = self.by_call();
        let mut out = Vec::new();
        for m in RuntimeCall::get_module_names() {
            for c in RuntimeCall::get_call_names(m) {
                let name = format!("{m}.{c}");
                let unreachable = crate::calls::UNREACHABLE
                    .iter()
                    .any(|(p, f, _)| *p == *m && *f == *c);
                if !unreachable && !seen.contains_key(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// Calls of Perpetua's own pallets that were made but never succeeded.
    pub fn never_ok(&self) -> Vec<String> {
        self.by_call()
            .into_iter()
            .filter(|(name, (_, ok))| {
                *ok == 0
                    && [
                        "Equities.",
                        "Prices.",
                        "Pool.",
                        "Options.",
                        "Liquidation.",
                        "MarketCalendar.",
                    ]
                    .iter()
                    .any(|p| name.starts_with(p))
            })
            .map(|(n, _)| n)
            .collect()
    }

    fn total_calls_in_metadata() -> usize {
        RuntimeCall::get_module_names()
            .iter()
            .map(|m| RuntimeCall::get_call_names(m).len())
            .sum()
    }

    /// The report, in Markdown.
    pub fn markdown(&self, title: &str, elapsed_secs: u64) -> String {
        let by_call = self.by_call();
        let ok: u64 = by_call.values().map(|(_, o)| o).sum();
        let mut s = format!("# {title}\n\n");
        s.push_str(&format!(
            "- sequences: {}\n- blocks: {}\n- extrinsics applied: {} ({} random calls, the rest the operators' feeds and the offchain worker's liquidations), {} succeeded\n- calls of the runtime covered: {} of {} ({} unreachable, listed below)\n- invariant violations and panics: {}\n- wall time: {} s\n\n",
            self.sequences,
            self.blocks,
            self.calls,
            self.random_calls,
            ok,
            Self::total_calls_in_metadata() - self.uncovered().len() - crate::calls::UNREACHABLE.len(),
            Self::total_calls_in_metadata(),
            crate::calls::UNREACHABLE.len(),
            self.violations.len(),
            elapsed_secs,
        ));
        if !self.violations.is_empty() {
            s.push_str("## Violations\n\n");
            for v in &self.violations {
                s.push_str(&format!("- {v}\n"));
            }
            s.push('\n');
        }
        let uncovered = self.uncovered();
        if !uncovered.is_empty() {
            s.push_str(&format!("## Never called\n\n{}\n\n", uncovered.join(", ")));
        }
        s.push_str("## Unreachable calls\n\n");
        for (p, c, why) in crate::calls::UNREACHABLE {
            s.push_str(&format!("- `{p}.{c}`: {why}\n"));
        }
        s.push_str("\n## Calls by outcome\n\n| call | made | ok | most frequent other outcomes |\n|---|---:|---:|---|\n");
        for (key, outcomes) in &self.outcomes {
            let made: u64 = outcomes.values().sum();
            let ok = outcomes.get("ok").copied().unwrap_or(0);
            let mut others: Vec<(&String, &u64)> =
                outcomes.iter().filter(|(o, _)| *o != "ok").collect();
            others.sort_by(|a, b| b.1.cmp(a.1));
            let others: Vec<String> = others
                .iter()
                .take(4)
                .map(|(o, n)| format!("{} {n}", o.replace('|', "/")))
                .collect();
            s.push_str(&format!(
                "| `{key}` | {made} | {ok} | {} |\n",
                others.join(", ")
            ));
        }
        s.push_str("\n## Events of interest\n\n| event | count |\n|---|---:|\n");
        for (e, n) in &self.events {
            let interesting = [
                "Options.",
                "Pool.",
                "Liquidation.",
                "Equities.",
                "Prices.",
                "MarketCalendar.",
            ]
            .iter()
            .any(|p| e.starts_with(p));
            if interesting {
                s.push_str(&format!("| `{e}` | {n} |\n"));
            }
        }
        s
    }
}

//! The world outside the chain: price paths the operators report and the clock the blocks
//! follow.
//!
//! Prices drift every block, with rare shocks: 40% crypto crashes, 30% spikes (and now and
//! then a move to 2.5 times), volatility
//! doubling or halving, 25% opening gaps of a stock, outages in which nobody feeds, operators
//! going offline, and single-operator outliers (a tenth, ten times, zero or the largest
//! price). Time moves a slot per block, with missed slots, jumps of hours and days (nights,
//! weekends), jumps to just before and after the stock market's opens and closes, and to the
//! early close and holiday of Christmas 2026.

use crate::rng::Rng;
use perpetua_primitives::{CryptoIndex, OracleKey, Price, Session};
use perpetua_runtime::{Runtime, SLOT_DURATION};

/// Every key the operators report, with its starting level.
pub const KEYS: [(OracleKey, f64); 8] = [
    (OracleKey::Crypto(CryptoIndex::Btc), 100_000.0),
    (OracleKey::Crypto(CryptoIndex::Eth), 3_500.0),
    (OracleKey::ImpliedVol(CryptoIndex::Btc), 0.6),
    (OracleKey::ImpliedVol(CryptoIndex::Eth), 0.7),
    (OracleKey::Native, 1.0),
    (OracleKey::Asset(1), 400.0),
    (OracleKey::Asset(2), 180.0),
    (OracleKey::Asset(3), 230.0),
];

/// New York, 2026-12-24 12:55 (five minutes before the early close) and 2026-12-25 10:00
/// (Christmas: closed), 2027-01-01 10:00 (New Year: closed), in ms.
pub const SPECIAL_TIMES: [u64; 3] = [1_798_134_900_000, 1_798_210_800_000, 1_798_815_600_000];

/// The reference level of every key and who feeds it.
#[derive(Clone, Debug)]
pub struct PriceModel {
    pub levels: Vec<(OracleKey, f64)>,
    /// Blocks left in an outage (nobody feeds).
    pub outage: u32,
    /// Per operator: blocks left offline.
    pub offline: [u32; 3],
    /// Stock keys whose market was open in the previous block.
    was_open: Vec<(OracleKey, bool)>,
}

impl Default for PriceModel {
    fn default() -> Self {
        PriceModel {
            levels: KEYS.to_vec(),
            outage: 0,
            offline: [0; 3],
            was_open: Vec::new(),
        }
    }
}

fn to_price(x: f64) -> Price {
    if !x.is_finite() || x <= 0.0 {
        return Price::from_inner(0);
    }
    Price::from_inner((x * 1e18).min(u128::MAX as f64) as u128)
}

impl PriceModel {
    /// Adds a key (a stock listed by the fuzz run) at `level`.
    pub fn track(&mut self, key: OracleKey, level: f64) {
        if !self.levels.iter().any(|(k, _)| *k == key) {
            self.levels.push((key, level));
        }
    }

    /// Rescales a stock's level by `denominator / numerator` (a split).
    pub fn split(&mut self, key: OracleKey, numerator: u32, denominator: u32) {
        for (k, l) in self.levels.iter_mut() {
            if *k == key && numerator > 0 {
                *l *= denominator as f64 / numerator as f64;
            }
        }
    }

    /// One block of the world: drift and shocks, given the time of the block.
    pub fn step(&mut self, rng: &mut Rng, now: u64) {
        let crash = rng.chance(1);
        let spike = !crash && rng.chance(1);
        // Rarer still: the index more than doubles in a block (traders' profits beyond what
        // the pool holds: deficits, claims, auto-deleveraging).
        let moon = !crash && !spike && rng.below(1_000) < 3;
        let crash_index = rng.below(3);
        for i in 0..self.levels.len() {
            let (key, level) = self.levels[i];
            let mut l = level;
            match key {
                OracleKey::Crypto(c) => {
                    l *= 1.0 + (rng.unit() - 0.5) * 0.006;
                    let hit = crash_index == 2 || (crash_index == 0) == (c == CryptoIndex::Btc);
                    if crash && hit {
                        l *= 0.6;
                    }
                    if spike && hit {
                        l *= 1.3;
                    }
                    if moon && hit {
                        l *= 2.5;
                    }
                }
                OracleKey::ImpliedVol(_) => {
                    l *= 1.0 + (rng.unit() - 0.5) * 0.02;
                    if rng.chance(1) {
                        l *= if rng.chance(50) { 2.0 } else { 0.5 };
                    }
                    l = l.clamp(0.02, 5.0);
                }
                OracleKey::Native => l *= 1.0 + (rng.unit() - 0.5) * 0.002,
                OracleKey::Asset(asset) => {
                    let open = matches!(
                        pallet_market_calendar::Pallet::<Runtime>::stock_session_at(asset, now),
                        Some(Session::Open { .. })
                    );
                    let was = self
                        .was_open
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, o)| *o)
                        .unwrap_or(true);
                    if open {
                        l *= 1.0 + (rng.unit() - 0.5) * 0.002;
                        // The open after a closure: a gap, a quarter of the time 25%.
                        if !was && rng.chance(25) {
                            l *= if rng.chance(50) { 0.75 } else { 1.25 };
                        }
                    }
                    match self.was_open.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, o)) => *o = open,
                        None => self.was_open.push((key, open)),
                    }
                }
            }
            self.levels[i].1 = l.max(1e-9);
        }
        if self.outage > 0 {
            self.outage -= 1;
        } else if rng.chance(1) {
            self.outage = rng.range(3, 40) as u32;
        }
        for o in self.offline.iter_mut() {
            if *o > 0 {
                *o -= 1;
            } else if rng.chance(2) {
                *o = rng.range(1, 30) as u32;
            }
        }
    }

    /// What operator `op` (0..3) reports this block: `None` when offline or in an outage.
    /// Each operator adds its own noise of at most 0.01%; now and then one reports an
    /// outlier for one key.
    pub fn report(&self, rng: &mut Rng, op: usize) -> Option<Vec<(OracleKey, Price)>> {
        if self.outage > 0 || self.offline.get(op).copied().unwrap_or(0) > 0 {
            return None;
        }
        let outlier = if rng.chance(3) {
            Some(rng.below(self.levels.len() as u64) as usize)
        } else {
            None
        };
        let mut values = Vec::new();
        for (i, (key, level)) in self.levels.iter().enumerate() {
            // Now and then an operator leaves a key out.
            if rng.chance(2) {
                continue;
            }
            let mut v = to_price(level * (1.0 + (rng.unit() - 0.5) * 0.0002));
            if outlier == Some(i) {
                v = match rng.below(4) {
                    0 => to_price(level * 10.0),
                    1 => to_price(level / 10.0),
                    2 => Price::from_inner(0),
                    _ => Price::from_inner(u128::MAX),
                };
            }
            values.push((*key, v));
        }
        Some(values)
    }
}

/// How long after its parent the next block comes (ms, a whole number of slots).
pub fn next_block_time(rng: &mut Rng, now: u64, session: Option<Session>) -> u64 {
    let slot = SLOT_DURATION;
    let dt = match rng.weighted(&[850, 50, 40, 30, 20, 10]) {
        0 => slot,
        1 => slot * rng.range(2, 20),
        // Just before or just after the session's next boundary.
        2 => {
            let boundary = match session {
                Some(Session::Open { closes_at }) => Some(closes_at),
                Some(Session::Closed {
                    next_open: Some(at),
                }) => Some(at),
                _ => None,
            };
            match boundary {
                Some(at) if at > now + slot => {
                    let before = at - now;
                    let offset = slot * rng.range(0, 3);
                    if rng.chance(50) {
                        before.saturating_sub(offset).max(slot)
                    } else {
                        before + offset
                    }
                }
                _ => slot,
            }
        }
        3 => 3_600_000 * rng.range(1, 6),
        4 => 86_400_000 * rng.range(1, 3),
        _ => SPECIAL_TIMES
            .iter()
            .find(|t| **t > now + slot)
            .map(|t| t - now)
            .unwrap_or(slot),
    };
    // Whole slots, at least one.
    let dt = dt.div_ceil(slot).max(1) * slot;
    now + dt
}

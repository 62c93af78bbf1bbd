//! How the operators' raw values become one price: a quorum of distinct operators that agree,
//! a true median, and a timestamp that says when the quorum last fed. Pure functions, tested
//! without a runtime.
//!
//! - Only raw values younger than the price's own maximum age count (a stock's or a 24/7
//!   market's): a value that could no longer be read as fresh cannot vote.
//! - The median of an even count is the mean of the two middle values, never the higher one.
//! - The median stands only if at least `quorum` of the counted values lie within `spread` of
//!   it. Two operators that disagree by more than the spread form no price: one of them alone
//!   cannot move it, and with a quorum of two an outlier moves it by at most half the spread.
//! - The timestamp is the `quorum`-th most recent of the agreeing values' timestamps: the last
//!   moment at which a quorum of agreeing operators had all fed. An unchanged value fed by the
//!   quorum every block stays fresh; one operator feeding alone does not refresh it.

use alloc::vec::Vec;
use perpetua_primitives::{Moment, Price};
use sp_runtime::{
    traits::{Saturating, Zero},
    Perbill,
};

/// The quorum of a set of `operators`: a majority, and at least two when there are two or more.
/// (A chain with one operator trusts that operator; the presets have three.)
pub fn quorum(operators: u32) -> u32 {
    let majority = operators / 2 + 1;
    majority.max(operators.min(2))
}

/// A combined price.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Combined {
    /// The median of the counted values.
    pub value: Price,
    /// When the quorum last fed (ms).
    pub timestamp: Moment,
    /// How many counted values agree with the median.
    pub agreeing: u32,
}

/// Why no price formed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NoPrice {
    /// Fewer recent values than the quorum.
    TooFew { recent: u32, quorum: u32 },
    /// Enough recent values, but fewer than the quorum within the spread of their median.
    Disagree { agreeing: u32, quorum: u32 },
}

/// Combines `(value, fed at)` pairs at `now`: see the module's rules.
pub fn combine(
    values: &[(Price, Moment)],
    now: Moment,
    max_age: Moment,
    quorum: u32,
    spread: Perbill,
) -> Result<Combined, NoPrice> {
    let quorum = quorum.max(1);
    let mut recent: Vec<(Price, Moment)> = values
        .iter()
        .copied()
        .filter(|(_, at)| *at <= now && now.saturating_sub(*at) < max_age)
        .collect();
    let n = recent.len() as u32;
    if n < quorum {
        return Err(NoPrice::TooFew { recent: n, quorum });
    }
    recent.sort_by_key(|x| x.0);
    let value = median(&recent);
    let mut agreeing: Vec<Moment> = recent
        .iter()
        .filter(|(v, _)| crate::deviation(value, *v) <= spread)
        .map(|(_, at)| *at)
        .collect();
    let count = agreeing.len() as u32;
    if count < quorum {
        return Err(NoPrice::Disagree {
            agreeing: count,
            quorum,
        });
    }
    // Most recent first; the quorum-th is when the quorum last stood complete.
    agreeing.sort_by(|a, b| b.cmp(a));
    let timestamp = agreeing
        .get(quorum.saturating_sub(1) as usize)
        .copied()
        .unwrap_or(now);
    Ok(Combined {
        value,
        timestamp,
        agreeing: count,
    })
}

/// The median of values sorted by price (not empty): the middle one, or the mean of the two
/// middle ones (rounded down).
fn median(sorted: &[(Price, Moment)]) -> Price {
    let n = sorted.len();
    let hi = sorted.get(n / 2).map_or(Price::zero(), |x| x.0);
    if n % 2 == 1 {
        return hi;
    }
    let lo = sorted.get(n / 2 - 1).map_or(hi, |x| x.0);
    // lo + (hi - lo) / 2: no overflow.
    let half = Price::from_inner(hi.saturating_sub(lo).into_inner() / 2);
    lo.saturating_add(half)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sp_runtime::FixedPointNumber;

    fn p(x: u64) -> Price {
        Price::saturating_from_integer(x)
    }
    const AGE: Moment = 60_000;
    const TWO: Perbill = Perbill::from_percent(2);

    #[test]
    fn quorum_is_a_majority_of_at_least_two() {
        assert_eq!(
            [1, 2, 3, 4, 5, 16].map(quorum),
            [1, 2, 2, 3, 3, 9],
            "operators -> quorum"
        );
    }

    #[test]
    fn two_values_give_their_mean_or_nothing() {
        // Two that agree: their mean, not the higher.
        let c = combine(&[(p(100), 10), (p(101), 20)], 30, AGE, 2, TWO).unwrap();
        assert_eq!(c.value, Price::from_rational(1005, 10));
        // Two that disagree: no price at all.
        assert_eq!(
            combine(&[(p(100), 10), (p(150), 20)], 30, AGE, 2, TWO),
            Err(NoPrice::Disagree {
                agreeing: 0,
                quorum: 2
            })
        );
        // One value is below the quorum.
        assert_eq!(
            combine(&[(p(100), 10)], 30, AGE, 2, TWO),
            Err(NoPrice::TooFew {
                recent: 1,
                quorum: 2
            })
        );
    }

    #[test]
    fn old_values_do_not_vote_and_the_quorum_dates_the_price() {
        // One operator's value is older than the maximum age.
        assert!(matches!(
            combine(&[(p(100), 0), (p(100), 70_000)], 70_000, AGE, 2, TWO),
            Err(NoPrice::TooFew { recent: 1, .. })
        ));
        // An unchanged value fed by both: dated by the older of the two latest feeds.
        let c = combine(&[(p(100), 50_000), (p(100), 56_000)], 57_000, AGE, 2, TWO).unwrap();
        assert_eq!(c.timestamp, 50_000);
        // With three, the second most recent.
        let c = combine(
            &[(p(100), 50_000), (p(100), 56_000), (p(100), 53_000)],
            57_000,
            AGE,
            2,
            TWO,
        )
        .unwrap();
        assert_eq!(c.timestamp, 53_000);
    }

    proptest! {
        /// A minority of operators, whatever they feed, cannot move the price outside the range
        /// of the honest values, nor date it later than the honest quorum fed.
        #[test]
        fn a_minority_cannot_move_the_price(
            honest in proptest::collection::vec((95u64..=105, 0u64..60_000), 2..6),
            liars in proptest::collection::vec((1u64..1_000_000, 0u64..60_000), 0..5),
        ) {
            let operators = (honest.len() + liars.len()) as u32;
            let q = quorum(operators);
            prop_assume!((liars.len() as u32) < q && honest.len() as u32 >= q);
            let honest_values: Vec<(Price, Moment)> =
                honest.iter().map(|(v, t)| (p(*v), *t)).collect();
            let mut all = honest_values.clone();
            all.extend(liars.iter().map(|(v, t)| (p(*v), *t)));
            // A wide spread so the honest values always agree among themselves.
            let spread = Perbill::from_percent(12);
            if let Ok(c) = combine(&all, 60_000, 60_001, q, spread) {
                let lo = honest.iter().map(|x| x.0).min().unwrap();
                let hi = honest.iter().map(|x| x.0).max().unwrap();
                // Within the honest range widened by the spread (an agreeing liar).
                prop_assert!(c.value >= p(lo) * Price::from_rational(88, 100));
                prop_assert!(c.value <= p(hi) * Price::from_rational(112, 100));
                prop_assert!(c.agreeing >= q);
            }
        }

        /// The median of an odd count is one of the values; of an even count, between the two
        /// middle ones.
        #[test]
        fn the_median_is_between_the_middle_values(
            mut v in proptest::collection::vec(1u64..1_000_000, 1..9),
        ) {
            v.sort();
            let values: Vec<(Price, Moment)> = v.iter().map(|x| (p(*x), 0)).collect();
            let m = median(&values);
            let n = v.len();
            prop_assert!(m >= p(v[(n - 1) / 2]) && m <= p(v[n / 2]));
        }
    }
}

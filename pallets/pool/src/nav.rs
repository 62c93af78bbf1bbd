//! The pool's pure accounting: how ordinary results split between the tranches, what each
//! tranche is worth, and how many shares a flow mints or burns. No storage, no runtime: every
//! function returns the new state, and the property tests below check it without a chain.
//!
//! **The one rule.** Every ordinary result of the pool (an inflow: funding paid by traders, a
//! trader's loss, the book's unrealised gain; an outflow: funding paid to traders, a trader's
//! profit, the book's unrealised loss) is split between the tranches by the same share:
//! insurance takes `insurance_share` of it (rounded down) and main the rest. So a flat book,
//! where one trader's profit is another's loss, leaves both tranches where they were. A
//! tranche whose capital cannot pay its share of an outflow leaves the rest to the other
//! tranche (the pool is one counterparty); what neither can pay is a shortfall. Insurance is
//! first-loss capital for bad debt only ([`absorb_bad_debt`]).
//!
//! Rounding: share counts minted round down, amounts paid for shares round down; so every flow
//! leaves the share price where it was or above it (the pool's favour).

use perpetua_primitives::Balance;
use sp_runtime::{helpers_128bit::multiply_by_rational_with_rounding, Perbill, Rounding};

/// The capital of the two tranches, settlement base units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Tranches {
    pub main: Balance,
    pub insurance: Balance,
}

impl Tranches {
    /// Both tranches' capital.
    pub fn total(&self) -> Balance {
        self.main.saturating_add(self.insurance)
    }
}

/// An outflow's payment by tranche, and what neither could pay.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Debit {
    pub from_main: Balance,
    pub from_insurance: Balance,
    pub shortfall: Balance,
}

/// Why a flow cannot be priced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShareError {
    /// The tranche has shareholders and is worth nothing: new money would pay old losses.
    Underwater,
    /// The flow mints or pays nothing.
    Zero,
    /// Arithmetic overflow.
    Overflow,
}

/// `a * b / c` rounded down; `None` on overflow or `c == 0`.
pub fn mul_div_down(a: Balance, b: Balance, c: Balance) -> Option<Balance> {
    if c == 0 {
        return None;
    }
    multiply_by_rational_with_rounding(a, b, c, Rounding::Down)
}

/// `amount` split by the one rule: (main's part, insurance's part).
pub fn split(amount: Balance, insurance_share: Perbill) -> (Balance, Balance) {
    let insurance = insurance_share.mul_floor(amount);
    (amount.saturating_sub(insurance), insurance)
}

/// An ordinary inflow credited by the one rule.
pub fn credit(t: Tranches, amount: Balance, insurance_share: Perbill) -> Option<Tranches> {
    let (m, i) = split(amount, insurance_share);
    Some(Tranches {
        main: t.main.checked_add(m)?,
        insurance: t.insurance.checked_add(i)?,
    })
}

/// An ordinary outflow debited by the one rule: each tranche pays its share as far as its
/// capital goes, the other pays what it could not, and the rest is a shortfall.
pub fn debit(t: Tranches, amount: Balance, insurance_share: Perbill) -> (Tranches, Debit) {
    let (m, i) = split(amount, insurance_share);
    let mut from_main = m.min(t.main);
    let mut from_insurance = i.min(t.insurance);
    let mut rest = amount - from_main - from_insurance;
    let extra = rest.min(t.main - from_main);
    from_main += extra;
    rest -= extra;
    let extra = rest.min(t.insurance - from_insurance);
    from_insurance += extra;
    rest -= extra;
    (
        Tranches {
            main: t.main - from_main,
            insurance: t.insurance - from_insurance,
        },
        Debit {
            from_main,
            from_insurance,
            shortfall: rest,
        },
    )
}

/// A bad debt of `amount`: a receivable the book counted (split by the one rule) that will
/// never be paid. Insurance is first loss: it makes main whole for main's share of it, as far
/// as its capital goes. Returns the new tranches and what main bears (insurance was too small).
pub fn absorb_bad_debt(
    t: Tranches,
    amount: Balance,
    insurance_share: Perbill,
) -> (Tranches, Balance) {
    let (main_part, _) = split(amount, insurance_share);
    let covered = main_part.min(t.insurance);
    (
        Tranches {
            main: t.main.saturating_add(covered),
            insurance: t.insurance - covered,
        },
        main_part - covered,
    )
}

/// Each tranche's NAV: its capital plus its share of the book's value by the one rule. A
/// tranche's share of a book loss beyond its capital falls on the other tranche, as an
/// outflow's would; neither goes below zero.
pub fn navs(t: Tranches, book: i128, insurance_share: Perbill) -> (Balance, Balance) {
    if book >= 0 {
        let (m, i) = split(book as Balance, insurance_share);
        (t.main.saturating_add(m), t.insurance.saturating_add(i))
    } else {
        let (after, _) = debit(t, book.unsigned_abs(), insurance_share);
        (after.main, after.insurance)
    }
}

/// Each tranche's NAV with `uncollectible` of the book's receivable expected to become bad
/// debt: the book split by the one rule as in [`navs`], then the bad debt borne as
/// [`absorb_bad_debt`] would bear it (insurance first, for main's share too), so that a
/// liquidation that turns it into real bad debt moves neither NAV.
pub fn navs_with_bad_debt(
    t: Tranches,
    book: i128,
    uncollectible: Balance,
    insurance_share: Perbill,
) -> (Balance, Balance) {
    let (main, insurance) = navs(t, book, insurance_share);
    let from_insurance = uncollectible.min(insurance);
    let from_main = (uncollectible - from_insurance).min(main);
    (main - from_main, insurance - from_insurance)
}

/// The curve's depth at `now`: `depth` moved toward `capital` by the share of `smoothing`
/// elapsed since `at` (all of it after a whole `smoothing`; `at == 0`: never set, the
/// capital). Within one block (`now == at`) it does not move, whatever capital does.
pub fn depth(depth: Balance, at: u64, capital: Balance, now: u64, smoothing: u64) -> Balance {
    let elapsed = now.saturating_sub(at);
    if at == 0 || smoothing == 0 || elapsed >= smoothing {
        return capital;
    }
    let (gap, up) = if capital >= depth {
        (capital - depth, true)
    } else {
        (depth - capital, false)
    };
    let step = mul_div_down(gap, elapsed as Balance, smoothing as Balance).unwrap_or(gap);
    if up {
        depth.saturating_add(step)
    } else {
        depth.saturating_sub(step)
    }
}

/// Shares minted for depositing `amount` into a tranche of `supply` shares worth `nav`: at the
/// share price `nav / supply`, rounded down; one for one into a tranche without shares.
pub fn shares_for_deposit(
    amount: Balance,
    supply: Balance,
    nav: Balance,
) -> Result<Balance, ShareError> {
    let shares = if supply == 0 {
        amount
    } else if nav == 0 {
        return Err(ShareError::Underwater);
    } else {
        mul_div_down(amount, supply, nav).ok_or(ShareError::Overflow)?
    };
    if shares == 0 {
        return Err(ShareError::Zero);
    }
    Ok(shares)
}

/// What `shares` of a tranche of `supply` shares worth `nav` are worth, rounded down.
pub fn value_of_shares(
    shares: Balance,
    supply: Balance,
    nav: Balance,
) -> Result<Balance, ShareError> {
    if supply == 0 {
        return Err(ShareError::Zero);
    }
    mul_div_down(shares, nav, supply).ok_or(ShareError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn share() -> impl Strategy<Value = Perbill> {
        (0u32..=1_000_000_000).prop_map(Perbill::from_parts)
    }

    const MAX: Balance = 1 << 100;

    proptest! {
        /// A flat book (an inflow and an outflow of the same amount) leaves both tranches
        /// exactly where they were while both can pay their share.
        #[test]
        fn a_flat_book_moves_no_tranche(
            main in 0..MAX, ins in 0..MAX, amount in 0..MAX, s in share()
        ) {
            let t = Tranches { main, insurance: ins };
            let up = credit(t, amount, s).unwrap();
            let (down, d) = debit(up, amount, s);
            prop_assert_eq!(down, t);
            prop_assert_eq!(d.shortfall, 0);
            let (down, _) = debit(t, amount.min(t.total()), s);
            let back = credit(down, amount.min(t.total()), s).unwrap();
            // Outflow first: a tranche that could not pay its share had the other pay for it.
            let (m, i) = split(amount.min(t.total()), s);
            if m <= t.main && i <= t.insurance {
                prop_assert_eq!(back, t);
            }
        }

        /// An outflow pays exactly what it says, from the two tranches, or reports the rest.
        #[test]
        fn an_outflow_conserves_tokens(main in 0..MAX, ins in 0..MAX, amount in 0..MAX, s in share()) {
            let t = Tranches { main, insurance: ins };
            let (after, d) = debit(t, amount, s);
            prop_assert_eq!(d.from_main + d.from_insurance + d.shortfall, amount);
            prop_assert_eq!(after.total() + d.from_main + d.from_insurance, t.total());
            prop_assert!(d.shortfall == 0 || after.total() == 0);
        }

        /// Bad debt moves capital from insurance to main only, and never creates tokens.
        #[test]
        fn bad_debt_falls_on_insurance_first(main in 0..MAX, ins in 0..MAX, amount in 0..MAX, s in share()) {
            let t = Tranches { main, insurance: ins };
            let (after, main_bears) = absorb_bad_debt(t, amount, s);
            prop_assert_eq!(after.total(), t.total());
            prop_assert!(after.insurance <= t.insurance && after.main >= t.main);
            prop_assert!(main_bears == 0 || after.insurance == 0);
        }

        /// NAV splits the book by the same rule as the cash it would become.
        #[test]
        fn nav_is_what_the_book_would_pay(main in 0..MAX, ins in 0..MAX, book in -(MAX as i128)..(MAX as i128), s in share()) {
            let t = Tranches { main, insurance: ins };
            let (m, i) = navs(t, book, s);
            let cash = if book >= 0 {
                credit(t, book as Balance, s).unwrap()
            } else {
                debit(t, book.unsigned_abs(), s).0
            };
            prop_assert_eq!((m, i), (cash.main, cash.insurance));
        }

        /// NAV counting expected bad debt is what the tranches hold after that bad debt is
        /// booked: the receivable collected as far as collateral goes, the rest absorbed.
        #[test]
        fn expected_bad_debt_is_valued_as_it_will_be_booked(
            main in 0..MAX, ins in 0..MAX, receivable in 0..MAX, collateral in 0..MAX, s in share()
        ) {
            let t = Tranches { main, insurance: ins };
            let uncollectible = receivable.saturating_sub(collateral);
            let before = navs_with_bad_debt(t, receivable as i128, uncollectible, s);
            let collected = credit(t, receivable - uncollectible, s).unwrap();
            let (after, _) = absorb_bad_debt(collected, uncollectible, s);
            // The same total, and insurance's part within the one unit the split rounds.
            prop_assert_eq!(before.0 + before.1, after.total());
            prop_assert!(before.1 >= after.insurance && before.1 - after.insurance <= 1);
        }

        /// The depth stays between where it was and the capital, and moves with time only.
        #[test]
        fn depth_follows_capital_slowly(
            d in 0..MAX, c in 0..MAX, at in 1u64..1_000_000, dt in 0u64..2_000_000, tau in 1u64..1_000_000
        ) {
            let now = at + dt;
            let x = depth(d, at, c, now, tau);
            prop_assert!(x >= d.min(c) && x <= d.max(c));
            prop_assert_eq!(depth(d, at, c, at, tau), d);
            if dt >= tau {
                prop_assert_eq!(x, c);
            }
        }

        /// A deposit never lowers the price of a share, and the depositor's shares are worth at
        /// most what was deposited; a withdrawal likewise.
        #[test]
        fn flows_never_dilute_the_other_holders(
            supply in 1..MAX, nav in 1..MAX, amount in 1..MAX, shares in 1..MAX
        ) {
            if let Ok(minted) = shares_for_deposit(amount, supply, nav) {
                let (s2, n2) = (supply + minted, nav + amount);
                // price after >= price before: n2 / s2 >= nav / supply
                prop_assert!(primitive_types_check(n2, s2, nav, supply));
                let worth = value_of_shares(minted, s2, n2).unwrap();
                prop_assert!(worth <= amount);
            }
            let shares = shares.min(supply);
            let paid = value_of_shares(shares, supply, nav).unwrap();
            prop_assert!(paid <= nav);
            if shares < supply {
                prop_assert!(primitive_types_check(nav - paid, supply - shares, nav, supply));
            }
        }
    }

    /// `n2 / s2 >= n1 / s1`, exactly (cross-multiplied in 256 bits).
    fn primitive_types_check(n2: Balance, s2: Balance, n1: Balance, s1: Balance) -> bool {
        let wide = |a: Balance, b: Balance| sp_core::U256::from(a) * sp_core::U256::from(b);
        wide(n2, s1) >= wide(n1, s2)
    }

    #[test]
    fn worked_example_of_the_rule() {
        // Main 9,000 and insurance 1,000 with insurance taking 10% of ordinary results: a
        // trader's 100 profit is paid 90 by main and 10 by insurance; another's 100 loss is
        // received 90 by main and 10 by insurance.
        let s = Perbill::from_percent(10);
        let t = Tranches {
            main: 9_000,
            insurance: 1_000,
        };
        let (after, d) = debit(t, 100, s);
        assert_eq!((d.from_main, d.from_insurance, d.shortfall), (90, 10, 0));
        assert_eq!(credit(after, 100, s), Some(t));
        // A 500 bad debt: insurance makes main whole for its 450 share.
        let (after, main_bears) = absorb_bad_debt(t, 500, s);
        assert_eq!((after.main, after.insurance, main_bears), (9_450, 550, 0));
        // Insurance of 5 cannot pay its 10 of a 100 outflow: main pays 95.
        let (after, d) = debit(
            Tranches {
                main: 9_000,
                insurance: 5,
            },
            100,
            s,
        );
        assert_eq!((d.from_main, d.from_insurance, after.insurance), (95, 5, 0));
        // A tranche with shares and no value takes no deposit.
        assert_eq!(shares_for_deposit(10, 100, 0), Err(ShareError::Underwater));
    }
}

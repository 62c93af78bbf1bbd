//! Corporate actions of settlement stocks, carried through the margin ledger.
//!
//! pallet-equities splits the pot or pays it the dividend in the call that declares the
//! action, then tells this pallet, which in the same call:
//! - on a split, scales what the series keep in settlement units (funding index and sum)
//!   and the funding ledger, and opens a new epoch: every account still below it is carried
//!   through (collateral and funding snapshots scaled) on its next touch or when the walk
//!   reaches it. `TotalCollateral` counts the accounts carried through, the action's
//!   `unscaled` the others, so both stay exact sums.
//! - on a dividend, opens a new epoch in which each account is paid on the collateral it held
//!   when the dividend started (no account's collateral changes before it is carried through);
//!   what no account is owed (rounding, the pot's own surplus) goes back to the funder.
//!
//! The walk (`process`) is driven by pallet-equities' block hook, a bounded number of ledger
//! entries per block; the action on the stock completes when it ends.

use crate::*;
use perpetua_primitives::{CorporateActionHandler, DividendTerms};

pub use perpetua_primitives::split_amount as scale;

/// A signed fixed-point amount of settlement tokens times `n / d`, rounded toward zero.
pub fn scale_fixed(x: FixedI128, n: u32, d: u32) -> FixedI128 {
    let inner = x.into_inner();
    let abs = scale(inner.unsigned_abs(), n, d).min(i128::MAX as u128) as i128;
    FixedI128::from_inner(if inner < 0 { -abs } else { abs })
}

impl<T: Config> Pallet<T> {
    /// Carries the action on `settlement` through up to `budget` work (an account and each of
    /// its positions count one); finishes it at the end of the accounts.
    pub(crate) fn process_ledger_action(settlement: AssetId, budget: u32) -> u32 {
        let Some(mut action) = LedgerActions::<T>::get(settlement) else {
            return 0;
        };
        let mut used = 0u32;
        let mut last = None;
        let mut exhausted = true;
        let mut iter = match &action.cursor {
            Some(c) => Accounts::<T>::iter_prefix_from(settlement, c.to_vec()),
            None => Accounts::<T>::iter_prefix(settlement),
        };
        let mut batch = Vec::new();
        while used < budget {
            match iter.next() {
                Some((who, account)) => {
                    let positions = account.positions.len();
                    used = used.saturating_add(1).saturating_add(positions as u32);
                    last = Some(Accounts::<T>::hashed_key_for(settlement, &who));
                    batch.push(who);
                }
                None => break,
            }
        }
        if used >= budget && iter.next().is_some() {
            exhausted = false;
        }
        drop(iter);
        for who in &batch {
            Self::carry_through(who, settlement, &mut action);
        }
        if let Some(k) = last {
            action.cursor = frame_support::BoundedVec::try_from(k).ok();
        }
        if exhausted {
            Self::finish_ledger_action(settlement, action);
        } else {
            LedgerActions::<T>::insert(settlement, action);
        }
        used.max(1)
    }

    fn finish_ledger_action(settlement: AssetId, action: LedgerAction<T::AccountId>) {
        match action.kind {
            LedgerActionKind::Split { unscaled, .. } => {
                if unscaled != 0 {
                    log::error!(target: "options", "split of {settlement}: {unscaled} unreached");
                }
            }
            LedgerActionKind::Dividend {
                terms,
                received,
                paid,
            } => {
                let rest = received.saturating_sub(paid);
                if rest > 0 {
                    let pot = Self::pot(settlement);
                    if T::Mover::pay_out(terms.paid_in, &pot, &terms.funder, rest).is_err() {
                        log::error!(target: "options", "dividend rest of {settlement} not refunded");
                    }
                }
            }
        }
        LedgerActions::<T>::remove(settlement);
        Self::deposit_event(Event::CorporateActionCarried {
            settlement,
            epoch: action.epoch,
        });
    }
}

impl<T: Config> Pallet<T> {
    /// Whether `asset` settles markets or its pot holds margin collateral.
    fn is_settlement_pot_in_use(asset: AssetId) -> bool {
        !SettlementSeries::<T>::get(asset).is_empty() || Self::total_collateral(asset) > 0
    }
}

impl<T: Config> CorporateActionHandler<T::AccountId> for Pallet<T> {
    /// The stock's own pot if it settles markets, and every settlement's pot that holds it
    /// as extra collateral.
    fn holding_accounts(asset: AssetId) -> Vec<T::AccountId> {
        let mut pots = Self::collateral_pots(asset);
        if Self::is_settlement_pot_in_use(asset) {
            pots.insert(0, Self::pot(asset));
        }
        pots
    }

    fn on_dividend(
        asset: AssetId,
        pot: &T::AccountId,
        terms: &DividendTerms<T::AccountId>,
        amount: Balance,
    ) {
        if *pot != Self::pot(asset) || !Self::is_settlement_pot_in_use(asset) {
            // Another settlement's pot holding the stock as extra collateral.
            Self::collateral_dividend(asset, pot, terms, amount);
            return;
        }
        let epoch = ActionEpoch::<T>::mutate(asset, |e| {
            *e = e.saturating_add(1);
            *e
        });
        LedgerActions::<T>::insert(
            asset,
            LedgerAction {
                epoch,
                kind: LedgerActionKind::Dividend {
                    terms: terms.clone(),
                    received: amount,
                    paid: 0,
                },
                cursor: None,
            },
        );
    }

    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        // Extra collateral: the pots' holdings scale; the accounts' shares do not change.
        Self::split_holdings(asset, numerator, denominator);
        if !Self::is_settlement_pot_in_use(asset) {
            return;
        }
        // The series' funding index is in settlement tokens per contract: it scales now;
        // each position's snapshot scales when its account is carried through.
        for id in SettlementSeries::<T>::get(asset) {
            SeriesBook::<T>::mutate(id, |s| {
                if let Some(s) = s {
                    s.funding_index = scale_fixed(s.funding_index, numerator, denominator);
                    s.funding_sum = scale_fixed(s.funding_sum, numerator, denominator);
                    s.funding_rounding = scale(s.funding_rounding, numerator, denominator)
                        .saturating_add(s.open_interest())
                        .saturating_add(1);
                }
            });
        }
        Funding::<T>::mutate(asset, |f| {
            f.paid_by_traders = scale(f.paid_by_traders, numerator, denominator);
            f.paid_to_traders = scale(f.paid_to_traders, numerator, denominator);
        });
        Self::start_ledger_split(asset, numerator, denominator);
    }

    fn process(asset: AssetId, budget: u32) -> u32 {
        if budget == 0 {
            return 0;
        }
        Self::process_ledger_action(asset, budget)
    }

    fn pending(asset: AssetId) -> bool {
        LedgerActions::<T>::contains_key(asset)
    }

    /// The settlement pot holds its accounts' collateral and what it still owes the pool for
    /// the block's trades (payouts of a dividend in another asset keep the pot's minimum
    /// balance, topped up when declared).
    /// A settlement's pot holding another stock as extra collateral holds the accounts' part.
    fn recorded(asset: AssetId, who: &T::AccountId) -> Option<Balance> {
        if *who == Self::pot(asset) {
            return Some(
                Self::total_collateral(asset).saturating_add(T::Pool::receivable(asset, who)),
            );
        }
        Self::settlements()
            .into_iter()
            .find(|s| Self::pot(*s) == *who)
            .and_then(|s| CollateralHoldings::<T>::try_get(s, asset).ok())
            .map(|h| h.amount)
    }
}

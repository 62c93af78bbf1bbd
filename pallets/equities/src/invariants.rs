//! The pallet's invariants, checked by `try_state`.

use crate::*;
use alloc::vec::Vec;
use frame_support::ensure;

impl<T: Config> Pallet<T> {
    /// The pallet's invariants:
    /// - each stock's supply is at most its latest attested reserve (during a split, at
    ///   most the larger of the reserves before and after);
    /// - every action in progress is listed as active, its stock is frozen, and a dividend
    ///   never pays out more than was funded, with the rest still in the pot;
    /// - a split in progress has turned what it processed into exactly `n/d` of it, less at
    ///   most one base unit (or the minimum balance, for dust burned) per holder;
    /// - every out-of-order marker of an action is counted by it.
    pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
        let mut count = 0u32;
        for (asset, stock) in Stocks::<T>::iter() {
            count += 1;
            ensure!(
                TickerIndex::<T>::get(&stock.ticker) == Some(asset),
                "ticker index broken"
            );
            let supply = pallet_assets::Pallet::<T>::total_supply(asset);
            let reserve = Reserves::<T>::get(asset).map_or(0, |a| a.reserve);
            let limit = match Actions::<T>::get(asset).map(|a| a.kind) {
                Some(ActionKind::Split { reserve_before, .. }) => reserve.max(reserve_before),
                _ => reserve,
            };
            ensure!(supply <= limit, "stock supply above its attested reserve");
        }
        ensure!(count == Stocks::<T>::count(), "stock count mismatch");
        let active = ActiveActions::<T>::get();
        let mut owed_native: Balance = 0;
        let mut owed_assets: Vec<(AssetId, Balance)> = Vec::new();
        for (asset, action) in Actions::<T>::iter() {
            ensure!(active.contains(&asset), "action not listed as active");
            let frozen = pallet_assets::Asset::<T>::get(asset)
                .is_some_and(|d| d.status == pallet_assets::AssetStatus::Frozen);
            ensure!(frozen, "stock not frozen during its corporate action");
            let markers = Touched::<T>::iter_prefix_values(asset)
                .filter(|id| *id == action.id)
                .count() as u32;
            ensure!(markers <= action.touched, "uncounted out-of-order marker");
            match action.kind {
                ActionKind::Dividend {
                    paid_in,
                    funded,
                    paid,
                    ..
                } => {
                    ensure!(paid <= funded, "dividend paid more than funded");
                    let rest = funded - paid;
                    match paid_in {
                        None => owed_native = owed_native.saturating_add(rest),
                        Some(a) => owed_assets.push((a, rest)),
                    }
                }
                ActionKind::Split {
                    numerator,
                    denominator,
                    old_processed,
                    new_processed,
                    ..
                } => {
                    let exact = split_amount(old_processed, numerator, denominator);
                    let min_balance = pallet_assets::Asset::<T>::get(asset)
                        .map_or(1, |d| d.min_balance)
                        .max(1);
                    let slack = (action.holders as u128).saturating_mul(min_balance);
                    ensure!(new_processed <= exact, "split created value");
                    ensure!(
                        new_processed.saturating_add(slack) >= exact,
                        "split lost value"
                    );
                }
            }
        }
        ensure!(
            active.iter().all(Actions::<T>::contains_key),
            "stale active action"
        );
        let pot = Self::account_id();
        let native = <T::NativeCurrency as fungible::Inspect<_>>::balance(&pot);
        ensure!(native >= owed_native, "dividend pot short of PRP");
        let mut totals: Vec<(AssetId, Balance)> = Vec::new();
        for (a, owed) in owed_assets {
            match totals.iter_mut().find(|(x, _)| *x == a) {
                Some((_, t)) => *t = t.saturating_add(owed),
                None => totals.push((a, owed)),
            }
        }
        for (a, owed) in totals {
            let held = pallet_assets::Pallet::<T>::balance(a, &pot);
            ensure!(held >= owed, "dividend pot short of the payout asset");
        }
        Ok(())
    }
}

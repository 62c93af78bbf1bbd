//! Corporate actions: starting one, the bounded walk over the holders, bringing a holder
//! through on touch, and moving tokens of an asset while its action is in progress.
//!
//! A holder is *processed* by an action once its split was applied or its dividend paid, on
//! the balance it had when the action started. Holders cannot transfer the asset themselves
//! while the action runs (the asset is frozen in pallet-assets), so that balance is still the
//! one they hold when the walk reaches them. Pallets move it through [`AssetMover`], which
//! first processes both sides: a holder touched ahead of the walk's cursor is marked in
//! `Touched` and skipped when the walk gets there. Pallets' pots (`holding_accounts`) are
//! processed when the action starts, in the same call that tells the pallet, so a pallet's
//! ledger and its pot change together.

use crate::*;
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungibles::Mutate as _};
use perpetua_primitives::{AssetMover, DividendDistributor, DividendTerms};

impl<T: Config> Pallet<T> {
    /// Whether `asset` pays out a dividend in progress (it must stay movable until done).
    pub(crate) fn is_payout_asset(asset: AssetId) -> bool {
        ActiveActions::<T>::get().iter().any(|a| {
            Actions::<T>::get(a).is_some_and(
                |x| matches!(x.kind, ActionKind::Dividend { paid_in: Some(p), .. } if p == asset),
            )
        })
    }

    /// Starts an action on `asset`: freezes it, then brings the pallets' pots through it and
    /// tells the pallets (a split's `on_split` after the pots were split).
    pub(crate) fn start_action(
        asset: AssetId,
        kind: ActionKind<T::AccountId>,
        supply: Balance,
    ) -> DispatchResult {
        Self::ensure_unlocked(asset)?;
        ensure!(
            !Self::is_payout_asset(asset),
            Error::<T>::CorporateActionInProgress
        );
        // Cash the pallets' ledgers count but their pots do not hold yet moves first.
        T::CorporateActions::prepare(asset)?;
        ActiveActions::<T>::try_mutate(|a| a.try_push(asset))
            .map_err(|_| Error::<T>::TooManyActions)?;
        let id = NextActionId::<T>::mutate(|n| {
            let current = *n;
            *n = n.wrapping_add(1);
            current
        });
        Actions::<T>::insert(
            asset,
            CorporateAction {
                id,
                kind: kind.clone(),
                supply_at_start: supply,
                cursor: None,
                holders: 0,
                walked: false,
                touched: 0,
            },
        );
        Self::set_frozen(asset, true);
        Self::deposit_event(Event::CorporateActionStarted {
            asset,
            action: id,
            kind: kind.clone(),
        });
        let pots = T::CorporateActions::holding_accounts(asset);
        if let ActionKind::Dividend {
            paid_in, funder, ..
        } = &kind
        {
            for pot in pots.iter() {
                if pallet_assets::Pallet::<T>::balance(asset, pot) > 0 {
                    Self::top_up(*paid_in, funder, pot)?;
                }
            }
        }
        for pot in pots {
            // An empty pot has nothing to bring through now; if tokens reach it during the
            // action, the transfer brings it through first.
            if pallet_assets::Pallet::<T>::balance(asset, &pot) == 0 {
                continue;
            }
            if let Some(paid) = Self::settle_holder(asset, &pot) {
                if let ActionKind::Dividend {
                    paid_in,
                    per_share,
                    unit,
                    funder,
                    ..
                } = &kind
                {
                    let terms = DividendTerms {
                        paid_in: *paid_in,
                        per_share: *per_share,
                        unit: *unit,
                        funder: funder.clone(),
                    };
                    T::CorporateActions::on_dividend(asset, &pot, &terms, paid);
                }
            }
        }
        if let ActionKind::Split {
            numerator,
            denominator,
            ..
        } = kind
        {
            T::CorporateActions::on_split(asset, numerator, denominator);
        }
        Ok(())
    }

    /// Brings `pot`'s balance of the payout asset up to its minimum balance, paid by
    /// `funder`, if it is below: pots pay dividends out keeping that minimum (never dusting
    /// what they still owe), so from its first dividend on a pot holds the minimum plus
    /// whatever it owes. The minimum stays in the pot, like an account deposit.
    pub(crate) fn top_up(
        paid_in: Option<AssetId>,
        funder: &T::AccountId,
        pot: &T::AccountId,
    ) -> DispatchResult {
        let (minimum, have) = match paid_in {
            None => (
                <T::NativeCurrency as fungible::Inspect<_>>::minimum_balance(),
                <T::NativeCurrency as fungible::Inspect<_>>::balance(pot),
            ),
            Some(a) => (
                pallet_assets::Pallet::<T>::minimum_balance(a),
                pallet_assets::Pallet::<T>::balance(a, pot),
            ),
        };
        if have >= minimum {
            return Ok(());
        }
        Self::transfer_payout(paid_in, funder, pot, minimum - have, Preservation::Preserve)
    }

    /// Freezes or thaws the whole asset in pallet-assets: no holder's own transfer while a
    /// corporate action walks the holders.
    pub(crate) fn set_frozen(asset: AssetId, frozen: bool) {
        pallet_assets::Asset::<T>::mutate(asset, |d| {
            if let Some(d) = d {
                d.status = if frozen {
                    pallet_assets::AssetStatus::Frozen
                } else {
                    pallet_assets::AssetStatus::Live
                };
            }
        });
    }

    /// Runs `f` with `asset` thawed if an action froze it (only this pallet's code runs in
    /// between: no holder's transfer can slip in).
    fn thawed<R>(asset: AssetId, f: impl FnOnce() -> R) -> R {
        let frozen = Actions::<T>::contains_key(asset);
        if frozen {
            Self::set_frozen(asset, false);
        }
        let r = f();
        if frozen {
            Self::set_frozen(asset, true);
        }
        r
    }

    /// Whether `who` has been brought through `action` on `asset`.
    fn is_processed(
        asset: AssetId,
        action: &CorporateAction<T::AccountId>,
        who: &T::AccountId,
    ) -> bool {
        if action.walked || Touched::<T>::get(asset, who) == Some(action.id) {
            return true;
        }
        match &action.cursor {
            Some(c) => {
                pallet_assets::Account::<T>::hashed_key_for(asset, who).as_slice() <= c.as_slice()
            }
            None => false,
        }
    }

    /// Brings `who` through the action in progress on `asset`, if it was not yet: applies the
    /// split to its balance or pays its dividend. Returns the dividend paid, if one was.
    pub(crate) fn settle_holder(asset: AssetId, who: &T::AccountId) -> Option<Balance> {
        let mut action = Actions::<T>::get(asset)?;
        if Self::is_processed(asset, &action, who) {
            return None;
        }
        let balance = pallet_assets::Pallet::<T>::balance(asset, who);
        let paid = Self::thawed(asset, || {
            Self::apply_to_holder(asset, &mut action, who, balance)
        });
        action.holders = action.holders.saturating_add(1);
        action.touched = action.touched.saturating_add(1);
        Touched::<T>::insert(asset, who, action.id);
        Actions::<T>::insert(asset, action);
        paid
    }

    /// Processes up to `budget` holders across the actions in progress, oldest first.
    /// Returns how many were processed.
    pub fn process(budget: u32) -> u32 {
        let mut left = budget;
        let active = ActiveActions::<T>::get();
        for asset in active.iter() {
            if left == 0 {
                break;
            }
            left = left.saturating_sub(Self::process_action(*asset, left));
        }
        budget.saturating_sub(left)
    }

    /// Takes `asset`'s action up to `budget` steps further: the walk over the holders, then
    /// the removal of its out-of-order markers, then the pallets' ledgers; completes it when
    /// all are done. Returns the steps taken.
    fn process_action(asset: AssetId, budget: u32) -> u32 {
        let Some(mut action) = Actions::<T>::get(asset) else {
            ActiveActions::<T>::mutate(|a| a.retain(|x| *x != asset));
            return 0;
        };
        let mut used = 0u32;
        if !action.walked {
            used = Self::walk(asset, &mut action, budget);
        }
        if action.walked && action.touched > 0 && used < budget {
            let r = Touched::<T>::clear_prefix(asset, budget.saturating_sub(used), None);
            used = used.saturating_add(r.unique);
            action.touched = if r.maybe_cursor.is_none() {
                0
            } else {
                action.touched.saturating_sub(r.unique)
            };
        }
        if action.walked && used < budget {
            used = used.saturating_add(T::CorporateActions::process(
                asset,
                budget.saturating_sub(used),
            ));
        }
        if action.walked && action.touched == 0 && !T::CorporateActions::pending(asset) {
            Self::complete(asset, action);
        } else {
            Actions::<T>::insert(asset, action);
        }
        used
    }

    /// The walk: up to `budget` holders from the cursor (holders already brought through on
    /// touch are skipped and their markers removed). Returns the holders visited.
    fn walk(asset: AssetId, action: &mut CorporateAction<T::AccountId>, budget: u32) -> u32 {
        // Collect the batch first, then apply it: balances change under a split.
        let mut iter = match &action.cursor {
            Some(c) => pallet_assets::Account::<T>::iter_prefix_from(asset, c.to_vec()),
            None => pallet_assets::Account::<T>::iter_prefix(asset),
        };
        let mut batch: Vec<(T::AccountId, Balance)> = Vec::new();
        let mut last_key = None;
        let mut exhausted = true;
        while (batch.len() as u32) < budget {
            match iter.next() {
                Some((who, acc)) => {
                    last_key = Some(pallet_assets::Account::<T>::hashed_key_for(asset, &who));
                    batch.push((who, acc.balance));
                }
                None => break,
            }
        }
        if (batch.len() as u32) == budget && iter.next().is_some() {
            exhausted = false;
        }
        drop(iter);
        Self::thawed(asset, || {
            for (who, balance) in &batch {
                if Touched::<T>::take(asset, who) == Some(action.id) {
                    action.touched = action.touched.saturating_sub(1);
                    continue;
                }
                Self::apply_to_holder(asset, action, who, *balance);
                action.holders = action.holders.saturating_add(1);
            }
        });
        if let Some(k) = last_key {
            action.cursor = BoundedVec::try_from(k).ok();
        }
        action.walked = exhausted;
        batch.len() as u32
    }

    /// Applies `action` to one holder with `balance`. Returns the dividend paid, if any.
    fn apply_to_holder(
        asset: AssetId,
        action: &mut CorporateAction<T::AccountId>,
        who: &T::AccountId,
        balance: Balance,
    ) -> Option<Balance> {
        let id = action.id;
        match &mut action.kind {
            ActionKind::Dividend {
                paid_in,
                per_share,
                unit,
                funded,
                paid,
                exclude,
                ..
            } => {
                if *who == Self::account_id() || exclude.as_ref() == Some(who) {
                    return None;
                }
                let amount = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
                    balance,
                    *per_share,
                    (*unit).max(1),
                    sp_runtime::Rounding::Down,
                )
                .unwrap_or(0);
                // Never pay out more than was funded (rounding down makes this hold).
                let amount = amount.min(funded.saturating_sub(*paid));
                if amount == 0 {
                    return None;
                }
                let pot = Self::account_id();
                match Self::transfer_payout(*paid_in, &pot, who, amount, Preservation::Preserve) {
                    Ok(()) => {
                        *paid = paid.saturating_add(amount);
                        Self::deposit_event(Event::DividendPaid {
                            asset,
                            action: id,
                            holder: who.clone(),
                            amount,
                        });
                        Some(amount)
                    }
                    Err(_) => {
                        Self::deposit_event(Event::DividendSkipped {
                            asset,
                            action: id,
                            holder: who.clone(),
                            amount,
                        });
                        None
                    }
                }
            }
            ActionKind::Split {
                numerator,
                denominator,
                old_processed,
                new_processed,
                ..
            } => {
                let new = split_amount(balance, *numerator, *denominator);
                // An account frozen or blocked by the admin (a court order) is split too: its
                // status is lifted for the split alone and restored.
                let status = pallet_assets::Account::<T>::get(asset, who).map(|a| a.status);
                let restricted = status
                    .as_ref()
                    .is_some_and(|s| *s != pallet_assets::AccountStatus::Liquid);
                if restricted {
                    pallet_assets::Account::<T>::mutate(asset, who, |a| {
                        if let Some(a) = a {
                            a.status = pallet_assets::AccountStatus::Liquid;
                        }
                    });
                }
                let result = if new > balance {
                    <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(
                        asset,
                        who,
                        new - balance,
                    )
                    .map(|_| new)
                } else {
                    <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
                        asset,
                        who,
                        balance - new,
                        Preservation::Expendable,
                        Precision::BestEffort,
                        Fortitude::Force,
                    )
                    .map(|_| pallet_assets::Pallet::<T>::balance(asset, who))
                };
                if let (true, Some(status)) = (restricted, status) {
                    pallet_assets::Account::<T>::mutate(asset, who, |a| {
                        if let Some(a) = a {
                            a.status = status;
                        }
                    });
                }
                let after = result.unwrap_or(balance);
                if result.is_err() {
                    log::error!(target: "equities", "split of {asset} for a holder failed");
                }
                *old_processed = old_processed.saturating_add(balance);
                *new_processed = new_processed.saturating_add(after);
                if balance > 0 {
                    Self::deposit_event(Event::BalanceSplit {
                        asset,
                        action: id,
                        holder: who.clone(),
                        old: balance,
                        new: after,
                    });
                }
                None
            }
        }
    }

    fn complete(asset: AssetId, action: CorporateAction<T::AccountId>) {
        let mut refunded = 0;
        if let ActionKind::Dividend {
            paid_in,
            funder,
            funded,
            paid,
            ..
        } = &action.kind
        {
            let rest = funded.saturating_sub(*paid);
            if rest > 0
                && Self::transfer_payout(
                    *paid_in,
                    &Self::account_id(),
                    funder,
                    rest,
                    Preservation::Preserve,
                )
                .is_ok()
            {
                refunded = rest;
            }
        }
        Actions::<T>::remove(asset);
        ActiveActions::<T>::mutate(|a| a.retain(|x| *x != asset));
        Self::set_frozen(asset, false);
        Self::deposit_event(Event::CorporateActionCompleted {
            asset,
            action: action.id,
            holders: action.holders,
            refunded,
        });
    }
}

impl<T: Config> Pallet<T> {
    /// The runtime API's view of the actions in progress, oldest first.
    pub fn actions_info() -> Vec<perpetua_primitives::runtime_api::CorporateActionInfo> {
        use perpetua_primitives::runtime_api::{CorporateActionInfo, CorporateActionKind};
        ActiveActions::<T>::get()
            .into_iter()
            .filter_map(|asset| {
                let a = Actions::<T>::get(asset)?;
                let kind = match a.kind {
                    ActionKind::Split {
                        numerator,
                        denominator,
                        ..
                    } => CorporateActionKind::Split {
                        numerator,
                        denominator,
                    },
                    ActionKind::Dividend {
                        paid_in,
                        per_share,
                        unit,
                        funded,
                        paid,
                        ..
                    } => CorporateActionKind::Dividend {
                        paid_in,
                        per_share,
                        unit,
                        funded,
                        paid,
                    },
                };
                Some(CorporateActionInfo {
                    asset,
                    id: a.id,
                    kind,
                    supply_at_start: a.supply_at_start,
                    holders_processed: a.holders,
                    wallets_done: a.walked,
                    ledgers_pending: T::CorporateActions::pending(asset),
                })
            })
            .collect()
    }
}

impl<T: Config> AssetMover<T::AccountId> for Pallet<T> {
    fn transfer(
        asset: AssetId,
        from: &T::AccountId,
        to: &T::AccountId,
        amount: Balance,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        Self::settle_holder(asset, from);
        Self::settle_holder(asset, to);
        Self::thawed(asset, || {
            Self::transfer_exact(asset, from, to, amount, Preservation::Expendable)
        })
    }

    fn mint(asset: AssetId, to: &T::AccountId, amount: Balance) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        Self::settle_holder(asset, to);
        pallet_assets::Pallet::<T>::mint_into(asset, to, amount).map(|_| ())
    }

    fn burn(asset: AssetId, from: &T::AccountId, amount: Balance) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        Self::settle_holder(asset, from);
        Self::thawed(asset, || {
            pallet_assets::Pallet::<T>::burn_from(
                asset,
                from,
                amount,
                Preservation::Expendable,
                Precision::Exact,
                Fortitude::Polite,
            )
            .map(|_| ())
        })
    }

    fn pay_out(
        paid_in: Option<AssetId>,
        from: &T::AccountId,
        to: &T::AccountId,
        amount: Balance,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        if let Some(a) = paid_in {
            Self::settle_holder(a, from);
            Self::settle_holder(a, to);
        }
        // A pot keeps its minimum balance of the payout asset (see `top_up`): a payout never
        // dusts what it still owes others.
        Self::transfer_payout(paid_in, from, to, amount, Preservation::Preserve)
    }

    fn settle(asset: AssetId, who: &T::AccountId) {
        Self::settle_holder(asset, who);
    }

    fn any_in_progress() -> bool {
        ActiveActions::<T>::decode_len().unwrap_or(0) > 0
    }
}

impl<T: Config> DividendDistributor<T::AccountId> for Pallet<T> {
    fn distribute(
        asset: AssetId,
        from: &T::AccountId,
        terms: DividendTerms<T::AccountId>,
    ) -> Result<Balance, DispatchError> {
        ensure!(terms.per_share > 0, Error::<T>::ZeroAmount);
        if let Some(p) = terms.paid_in {
            ensure!(p != asset, Error::<T>::UnknownPayoutAsset);
        }
        let supply = pallet_assets::Pallet::<T>::total_supply(asset);
        let held = pallet_assets::Pallet::<T>::balance(asset, from);
        let base = supply.saturating_sub(held);
        let funded = terms.payout(base).ok_or(Error::<T>::Overflow)?;
        if funded == 0 {
            return Ok(0);
        }
        Self::top_up(terms.paid_in, from, &Self::account_id())?;
        Self::transfer_payout(
            terms.paid_in,
            from,
            &Self::account_id(),
            funded,
            Preservation::Preserve,
        )?;
        let kind = ActionKind::Dividend {
            paid_in: terms.paid_in,
            per_share: terms.per_share,
            unit: terms.unit,
            funder: terms.funder,
            funded,
            paid: 0,
            exclude: Some(from.clone()),
        };
        Self::start_action(asset, kind, supply)?;
        Ok(funded)
    }
}

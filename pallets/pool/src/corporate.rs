//! Corporate actions of a pool's settlement stock, carried through the pool's ledger.
//!
//! pallet-equities splits the pool account or pays it the dividend in the call that declares
//! the action, then tells this pallet, which in the same call:
//! - on a split, scales the ledger (both tranches, the required margin, the curve's depth,
//!   every queued deposit and withdrawal floor, the claims' cash) so that it matches the pool
//!   account again; share counts do not change, so every share keeps its value in USD. Claims
//!   (one per trader the pool could not pay) are carried through one by one: on touch
//!   (`claim`, a new claim) or by the walk, in bounded steps per block.
//! - on a dividend, passes it on to whoever owns the stock the pool holds: each queued
//!   depositor on the deposit it escrowed, each tranche's LPs pro rata to their shares (the
//!   tranche's dividend is its capital's; pallet-equities' walk pays the holders of its share
//!   token, the pool pays the owners of shares escrowed for queued withdrawals), main and
//!   insurance by the same rule. The rest (rounding, the dividend on the claims' cash and on
//!   tokens outside the ledger) goes back to the funder: nothing stays in the pool account.

use crate::{nav::Tranches, *};
use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::traits::{
    fungible,
    tokens::{Fortitude, Precision, Preservation},
};
use perpetua_primitives::{
    split_amount as scale, split_amount_up as scale_up, CorporateActionHandler, DividendTerms,
};

/// Base units of a share token a pass-through dividend is quoted per (18 decimals of
/// precision whatever the share token's).
pub const SHARE_DIVIDEND_UNIT: Balance = 1_000_000_000_000_000_000;

impl<T: Config> Pallet<T> {
    /// Carries `who`'s claim on `asset`'s pool through the split in progress, if it was not
    /// yet.
    pub(crate) fn carry_claim(asset: AssetId, who: &T::AccountId) {
        let Some(mut d) = Deficits::<T>::get(asset) else {
            return;
        };
        if Self::carry_claim_with(asset, who, &mut d) {
            Self::write_deficit(asset, d);
        }
    }

    fn carry_claim_with(asset: AssetId, who: &T::AccountId, d: &mut DeficitLedger) -> bool {
        let Some(split) = d.split.as_mut() else {
            return false;
        };
        if ClaimEpochs::<T>::get(asset, who) >= d.epoch {
            return false;
        }
        let Some(old) = Claims::<T>::get(asset, who) else {
            return false;
        };
        let new = scale(old, split.numerator, split.denominator);
        split.unscaled = split.unscaled.saturating_sub(old);
        d.owed = d.owed.saturating_add(new);
        if new == 0 {
            Claims::<T>::remove(asset, who);
            ClaimEpochs::<T>::remove(asset, who);
        } else {
            Claims::<T>::insert(asset, who, new);
            ClaimEpochs::<T>::insert(asset, who, d.epoch);
        }
        true
    }

    /// The claims walk: up to `budget` claims from the cursor; ends the split at the end.
    fn process_claims(asset: AssetId, budget: u32) -> u32 {
        let Some(mut d) = Deficits::<T>::get(asset) else {
            return 0;
        };
        let Some(split) = d.split.clone() else {
            return 0;
        };
        let mut iter = match &split.cursor {
            Some(c) => Claims::<T>::iter_key_prefix_from(asset, c.to_vec()),
            None => Claims::<T>::iter_key_prefix(asset),
        };
        let mut batch = Vec::new();
        while (batch.len() as u32) < budget {
            match iter.next() {
                Some(who) => batch.push(who),
                None => break,
            }
        }
        let exhausted = (batch.len() as u32) < budget || iter.next().is_none();
        drop(iter);
        for who in &batch {
            Self::carry_claim_with(asset, who, &mut d);
        }
        if exhausted {
            // Whatever no claim owns (rounding) stays with the claims' cash.
            d.split = None;
        } else if let (Some(s), Some(who)) = (d.split.as_mut(), batch.last()) {
            s.cursor =
                frame_support::BoundedVec::try_from(Claims::<T>::hashed_key_for(asset, who)).ok();
        }
        Self::write_deficit(asset, d);
        (batch.len() as u32).max(1)
    }

    /// Pays `amount` of the dividend to `to` from the pool account; returns what was paid.
    fn pass_on(
        terms: &DividendTerms<T::AccountId>,
        asset: AssetId,
        to: &T::AccountId,
        amount: Balance,
    ) -> Balance {
        if amount == 0 {
            return 0;
        }
        match T::Mover::pay_out(terms.paid_in, &Self::account(asset), to, amount) {
            Ok(()) => amount,
            Err(_) => 0,
        }
    }
}

impl<T: Config> CorporateActionHandler<T::AccountId> for Pallet<T> {
    /// The block's receivable reaches the pool account and the protocol's before the pots are
    /// split or paid the dividend: a dividend on the fees the pool earned is the LPs', and a
    /// split finds the pool account equal to its ledger.
    fn prepare(asset: AssetId) -> sp_runtime::DispatchResult {
        Self::settle_receivable(asset)
    }

    fn holding_accounts(asset: AssetId) -> Vec<T::AccountId> {
        if Pools::<T>::contains_key(asset) {
            alloc::vec![Self::account(asset)]
        } else {
            Vec::new()
        }
    }

    fn on_dividend(
        asset: AssetId,
        pot: &T::AccountId,
        terms: &DividendTerms<T::AccountId>,
        amount: Balance,
    ) {
        let Some(info) = Pools::<T>::get(asset) else {
            return;
        };
        if *pot != Self::account(asset) {
            return;
        }
        let queue = Queue::<T>::get(asset);
        let mut queued: Balance = 0;
        for r in queue.iter() {
            if let RequestKind::Deposit { amount: a, .. } = r.kind {
                let owed = terms.payout(a).unwrap_or(0);
                queued = queued.saturating_add(Self::pass_on(terms, asset, &r.who, owed));
            }
        }
        let mut to_lps: [Balance; 2] = [0; 2];
        for (i, tranche) in [Tranche::Main, Tranche::Insurance].into_iter().enumerate() {
            let (capital, share) = info.tranche(tranche);
            let owed = terms.payout(capital).unwrap_or(0);
            let supply = Self::supply(share);
            if owed == 0 || supply == 0 {
                continue;
            }
            let per_share = nav::mul_div_down(owed, SHARE_DIVIDEND_UNIT, supply).unwrap_or(0);
            if per_share == 0 {
                continue;
            }
            let st = DividendTerms {
                paid_in: terms.paid_in,
                per_share,
                unit: SHARE_DIVIDEND_UNIT,
                funder: terms.funder.clone(),
            };
            // Shares escrowed for queued withdrawals are still their owners'.
            for r in queue.iter() {
                if let RequestKind::Withdraw { shares, .. } = r.kind {
                    if r.tranche == tranche {
                        let x = st.payout(shares).unwrap_or(0);
                        to_lps[i] =
                            to_lps[i].saturating_add(Self::pass_on(terms, asset, &r.who, x));
                    }
                }
            }
            // What is not passed on (the share token busy) goes back to the funder below.
            if let Ok(taken) = T::Distributor::distribute(share, &Self::account(asset), st) {
                to_lps[i] = to_lps[i].saturating_add(taken);
            }
        }
        let passed = queued.saturating_add(to_lps[0]).saturating_add(to_lps[1]);
        let rest = amount.saturating_sub(passed);
        let refunded = Self::pass_on(terms, asset, &terms.funder, rest);
        Self::deposit_event(Event::DividendPassedOn {
            asset,
            paid_in: terms.paid_in,
            queued_deposits: queued,
            main: to_lps[0],
            insurance: to_lps[1],
            refunded,
        });
    }

    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        let Some(mut info) = Pools::<T>::get(asset) else {
            return;
        };
        let mut queued: Balance = 0;
        Queue::<T>::mutate(asset, |q| {
            for r in q.iter_mut() {
                r.kind = match r.kind {
                    RequestKind::Deposit { amount, min_shares } => {
                        let amount = scale(amount, numerator, denominator);
                        queued = queued.saturating_add(amount);
                        RequestKind::Deposit { amount, min_shares }
                    }
                    // The floor the owner asked for, in post-split units (never lowered).
                    RequestKind::Withdraw { shares, min_amount } => RequestKind::Withdraw {
                        shares,
                        min_amount: scale_up(min_amount, numerator, denominator),
                    },
                };
            }
        });
        let mut t = Tranches {
            main: scale(info.main, numerator, denominator),
            insurance: scale(info.insurance, numerator, denominator),
        };
        // A reverse split can leave the pool account (split already) with less than the
        // stock's minimum balance, which pallet-assets reaps as dust. The tranches bear that
        // shortfall (at most one minimum balance), insurance first, then main, then the
        // queued deposits, so the ledger never records more than the account holds. Found
        // by the fuzzer.
        let reserve =
            Deficits::<T>::get(asset).map_or(0, |d| scale(d.reserve, numerator, denominator));
        let recorded = t
            .main
            .saturating_add(t.insurance)
            .saturating_add(queued)
            .saturating_add(reserve);
        let held = pallet_assets::Pallet::<T>::balance(asset, Self::account(asset));
        let mut short = recorded.saturating_sub(held);
        for tranche in [&mut t.insurance, &mut t.main] {
            let take = short.min(*tranche);
            *tranche -= take;
            short -= take;
        }
        if short > 0 {
            // A pool with (almost) no capital: the queued deposits bear the rest, newest
            // first.
            Queue::<T>::mutate(asset, |q| {
                for r in q.iter_mut().rev() {
                    if let RequestKind::Deposit { amount, .. } = &mut r.kind {
                        let take = short.min(*amount);
                        *amount -= take;
                        queued -= take;
                        short -= take;
                    }
                }
            });
        }
        // Scaling keeps an empty tranche empty: nothing to mint, so this write cannot fail.
        if Self::write_tranches(asset, &mut info, t).is_ok() {
            info.required_margin = scale(info.required_margin, numerator, denominator);
            info.queued_deposits = queued;
            info.depth = scale(info.depth, numerator, denominator);
            Pools::<T>::insert(asset, info);
        }
        if let Some(mut d) = Deficits::<T>::get(asset) {
            d.reserve = scale(d.reserve, numerator, denominator);
            d.epoch = d.epoch.saturating_add(1);
            let unscaled = core::mem::take(&mut d.owed);
            d.split = Some(ClaimsSplit {
                numerator,
                denominator,
                unscaled,
                cursor: None,
            });
            Self::write_deficit(asset, d);
        }
    }

    fn process(asset: AssetId, budget: u32) -> u32 {
        if budget == 0 {
            return 0;
        }
        Self::process_claims(asset, budget)
    }

    fn recorded(asset: AssetId, who: &T::AccountId) -> Option<Balance> {
        let info = Pools::<T>::get(asset)?;
        (*who == Self::account(asset)).then(|| Self::recorded(asset, &info))
    }

    fn pending(asset: AssetId) -> bool {
        // The action on the stock waits for the claims, and for the pass-through dividends
        // on the share tokens to reach their holders (the next action would find them busy).
        Deficits::<T>::get(asset).is_some_and(|d| d.split.is_some())
            || Pools::<T>::get(asset).is_some_and(|p| {
                T::Stocks::corporate_action_in_progress(p.main_share)
                    || T::Stocks::corporate_action_in_progress(p.insurance_share)
            })
    }
}

/// [`AssetMover`] and [`DividendDistributor`] over pallet-assets and a native currency `N`
/// alone, for runtimes (and test mocks) without corporate actions: transfers are plain, and
/// dividends on share tokens cannot be passed on (nothing is taken: the pool refunds them).
pub struct PlainAssets<T, N>(PhantomData<(T, N)>);

impl<T, N> AssetMover<T::AccountId> for PlainAssets<T, N>
where
    T: pallet_assets::Config<AssetId = AssetId, Balance = Balance>,
    N: fungible::Mutate<T::AccountId, Balance = Balance>,
{
    fn transfer(
        asset: AssetId,
        from: &T::AccountId,
        to: &T::AccountId,
        amount: Balance,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        // As the runtime's mover: the dust a move would leave is burnt (pallet-assets would
        // take it and credit nobody).
        let left = pallet_assets::Pallet::<T>::balance(asset, from).saturating_sub(amount);
        let min = <pallet_assets::Pallet<T> as fungibles::Inspect<_>>::minimum_balance(asset);
        let dust = if left > 0 && left < min { left } else { 0 };
        <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::transfer(
            asset,
            from,
            to,
            amount.saturating_add(dust),
            Preservation::Expendable,
        )?;
        if dust > 0 {
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
                asset,
                to,
                dust,
                Preservation::Expendable,
                Precision::Exact,
                Fortitude::Force,
            )?;
        }
        Ok(())
    }
    fn mint(asset: AssetId, to: &T::AccountId, amount: Balance) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(asset, to, amount).map(|_| ())
    }
    fn burn(asset: AssetId, from: &T::AccountId, amount: Balance) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
            asset,
            from,
            amount,
            Preservation::Expendable,
            Precision::Exact,
            Fortitude::Force,
        )
        .map(|_| ())
    }
    fn pay_out(
        paid_in: Option<AssetId>,
        from: &T::AccountId,
        to: &T::AccountId,
        amount: Balance,
    ) -> DispatchResult {
        match paid_in {
            Some(a) => Self::transfer(a, from, to, amount),
            None => {
                <N as fungible::Mutate<_>>::transfer(from, to, amount, Preservation::Expendable)
                    .map(|_| ())
            }
        }
    }
    fn settle(_: AssetId, _: &T::AccountId) {}
    fn any_in_progress() -> bool {
        false
    }
}

impl<T, N> DividendDistributor<T::AccountId> for PlainAssets<T, N>
where
    T: pallet_assets::Config<AssetId = AssetId, Balance = Balance>,
{
    fn distribute(
        _: AssetId,
        _: &T::AccountId,
        _: DividendTerms<T::AccountId>,
    ) -> Result<Balance, DispatchError> {
        Ok(0)
    }
}

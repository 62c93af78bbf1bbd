//! The margin ledger: the one writer of `Accounts` and `TotalCollateral` (which must stay
//! equal to the sum of the accounts' collateral), and of the position indexes
//! (`Positions`, `AccountSeries`, `OpenAccounts`).

use crate::*;
use perpetua_pricing::position::Holding;
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
    /// Adds `amount` to `who`'s collateral in `settlement` (the caller has moved the tokens
    /// into the pot, or they are the pot's already).
    pub(crate) fn credit(who: &T::AccountId, settlement: AssetId, amount: Balance) {
        if amount == 0 {
            return;
        }
        Accounts::<T>::mutate(who, settlement, |a| {
            a.collateral = a.collateral.saturating_add(amount)
        });
        TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_add(amount));
    }

    /// Takes `amount` from `who`'s collateral in `settlement`, or fails with
    /// `InsufficientCollateral` and takes nothing.
    pub(crate) fn debit(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
    ) -> Result<(), Error<T>> {
        if amount == 0 {
            return Ok(());
        }
        Accounts::<T>::try_mutate(who, settlement, |a| {
            a.collateral = a
                .collateral
                .checked_sub(amount)
                .ok_or(Error::<T>::InsufficientCollateral)?;
            Ok::<(), Error<T>>(())
        })?;
        TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_sub(amount));
        Ok(())
    }

    /// Takes `owed` from `who`'s collateral: all of it, or under a policy that allows a
    /// shortfall what there is, the rest reported as the shortfall (bad debt). Returns what
    /// was taken.
    pub(crate) fn take_owed(
        who: &T::AccountId,
        settlement: AssetId,
        owed: Balance,
        policy: trade::Policy,
        gaps: &mut Gaps,
    ) -> Result<Balance, DispatchError> {
        let have = Accounts::<T>::get(who, settlement).collateral;
        if have >= owed {
            Self::debit(who, settlement, owed)?;
            return Ok(owed);
        }
        // Only a forced close may leave a loss or funding unpaid: the gap is bad debt.
        ensure!(policy.shortfall_allowed, Error::<T>::InsufficientCollateral);
        gaps.shortfall = gaps.shortfall.saturating_add(owed.saturating_sub(have));
        Self::debit(who, settlement, have)?;
        Ok(have)
    }

    /// Stores `who`'s position in `series_id` after a fill (from `old_size`), keeping the
    /// account's series list and the open-account index (which changes only when the
    /// account's first position opens or its last closes).
    pub(crate) fn store_position(
        who: &T::AccountId,
        series_id: SeriesId,
        settlement: AssetId,
        old_size: i128,
        new: Holding,
        series: &Series,
    ) -> DispatchResult {
        if new.size == 0 {
            Positions::<T>::remove(who, series_id);
            let left = AccountSeries::<T>::mutate(who, settlement, |s| {
                s.retain(|x| *x != series_id);
                s.len()
            });
            if left == 0 {
                OpenAccounts::<T>::remove(settlement, who);
            }
            return Ok(());
        }
        Positions::<T>::insert(
            who,
            series_id,
            Position {
                size: new.size,
                entry: valuation::to_u(new.entry),
                funding_index: series.funding_index,
            },
        );
        if old_size == 0 {
            let count = AccountSeries::<T>::try_mutate(who, settlement, |s| {
                s.try_push(series_id).map(|_| s.len())
            })
            .map_err(|_| Error::<T>::TooManyPositions)?;
            if count == 1 {
                OpenAccounts::<T>::insert(settlement, who, ());
            }
        }
        Ok(())
    }
}

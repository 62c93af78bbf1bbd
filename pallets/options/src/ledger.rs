//! The margin ledger: the one writer of `Accounts` and `TotalCollateral` (which must stay
//! equal to the sum of the accounts' collateral, less those a split has not reached yet), and
//! of the positions they hold (read through the `Positions`, `AccountSeries` and
//! `OpenAccounts` views). Carrying an account through a corporate action (`sync`) is a write of
//! the ledger too, so it lives here.

use crate::*;
use perpetua_pricing::position::Holding;
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
    /// Adds `amount` to `who`'s collateral in `settlement` (the caller has moved the tokens
    /// into the pot, or they are the pot's already). Debt is repaid first: that part moves on
    /// to the pool now.
    pub(crate) fn credit(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        Self::sync(who, settlement);
        let amount = Self::repay_from_pot(who, settlement, amount)?;
        if amount == 0 {
            return Ok(());
        }
        // A new account starts in the current epoch: no action before it concerns it.
        let mut a = Accounts::<T>::try_get(settlement, who)
            .unwrap_or_else(|_| MarginAccount::new(ActionEpoch::<T>::get(settlement)));
        a.collateral = a.collateral.saturating_add(amount);
        Accounts::<T>::insert(settlement, who, a);
        TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_add(amount));
        Ok(())
    }

    /// Gives `who` a ledger entry in `settlement` if it has none: the walk of a corporate
    /// action reaches every account with positions, extra collateral or debt.
    pub(crate) fn ensure_account(who: &T::AccountId, settlement: AssetId) {
        if !Accounts::<T>::contains_key(settlement, who) {
            Accounts::<T>::insert(
                settlement,
                who,
                MarginAccount::new(ActionEpoch::<T>::get(settlement)),
            );
        }
    }

    /// `who`'s collateral in `settlement`, carried through any corporate action in progress.
    pub fn collateral(who: &T::AccountId, settlement: AssetId) -> Balance {
        Self::sync(who, settlement);
        Accounts::<T>::get(settlement, who).collateral
    }

    /// The settlement's collateral over all accounts, in current units (the part a split has
    /// not reached yet counted at its post-split value, rounded down).
    pub fn total_collateral(settlement: AssetId) -> Balance {
        let pending = match LedgerActions::<T>::get(settlement).map(|a| a.kind) {
            Some(LedgerActionKind::Split {
                numerator,
                denominator,
                unscaled,
            }) => corporate::scale(unscaled, numerator, denominator),
            _ => 0,
        };
        TotalCollateral::<T>::get(settlement).saturating_add(pending)
    }

    /// Carries `who`'s account in `settlement` through the corporate action in progress, if
    /// it has not been yet: a split scales its collateral and its positions' funding
    /// snapshots; a dividend pays it on its collateral. Idempotent; one read when no action is
    /// in progress. Every path that reads or writes an account calls it first.
    pub(crate) fn sync(who: &T::AccountId, settlement: AssetId) {
        let Some(mut action) = LedgerActions::<T>::get(settlement) else {
            return;
        };
        if Self::carry_through(who, settlement, &mut action) {
            LedgerActions::<T>::insert(settlement, action);
        }
    }

    /// `sync` with the action in hand; returns whether the action changed.
    pub(crate) fn carry_through(
        who: &T::AccountId,
        settlement: AssetId,
        action: &mut LedgerAction<T::AccountId>,
    ) -> bool {
        let Ok(mut account) = Accounts::<T>::try_get(settlement, who) else {
            return false;
        };
        if account.epoch >= action.epoch {
            return false;
        }
        account.epoch = action.epoch;
        match &mut action.kind {
            LedgerActionKind::Split {
                numerator,
                denominator,
                unscaled,
            } => {
                let (n, d) = (*numerator, *denominator);
                let old = account.collateral;
                account.collateral = corporate::scale(old, n, d);
                *unscaled = unscaled.saturating_sub(old);
                TotalCollateral::<T>::mutate(settlement, |t| {
                    *t = t.saturating_add(account.collateral)
                });
                Self::split_debt(who, settlement, n, d);
                for (_, p) in account.positions.iter_mut() {
                    p.funding_index = corporate::scale_fixed(p.funding_index, n, d);
                }
                Self::deposit_event(Event::CollateralSplit {
                    who: who.clone(),
                    settlement,
                    old,
                    new: account.collateral,
                });
            }
            LedgerActionKind::Dividend {
                terms,
                received,
                paid,
            } => {
                let amount = terms
                    .payout(account.collateral)
                    .unwrap_or(0)
                    .min(received.saturating_sub(*paid));
                if amount > 0 {
                    let pot = Self::pot(settlement);
                    if T::Mover::pay_out(terms.paid_in, &pot, who, amount).is_ok() {
                        *paid = paid.saturating_add(amount);
                        Self::deposit_event(Event::DividendPaid {
                            who: who.clone(),
                            settlement,
                            paid_in: terms.paid_in,
                            amount,
                        });
                    }
                }
            }
        }
        Accounts::<T>::insert(settlement, who, account);
        true
    }

    /// Starts carrying a split of `settlement` through the margin accounts: none is carried
    /// through yet, so all the collateral is unscaled.
    pub(crate) fn start_ledger_split(settlement: AssetId, numerator: u32, denominator: u32) {
        let epoch = ActionEpoch::<T>::mutate(settlement, |e| {
            *e = e.saturating_add(1);
            *e
        });
        let unscaled = TotalCollateral::<T>::take(settlement);
        Self::start_debt_split(settlement);
        LedgerActions::<T>::insert(
            settlement,
            LedgerAction {
                epoch,
                kind: LedgerActionKind::Split {
                    numerator,
                    denominator,
                    unscaled,
                },
                cursor: None,
            },
        );
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
        Self::sync(who, settlement);
        Accounts::<T>::try_mutate(settlement, who, |a| {
            a.collateral = a
                .collateral
                .checked_sub(amount)
                .ok_or(Error::<T>::InsufficientCollateral)?;
            Ok::<(), Error<T>>(())
        })?;
        TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_sub(amount));
        Ok(())
    }

    /// Takes `owed` from `who`'s collateral: all of it; or, if the account holds extra
    /// collateral, what there is, the rest becoming its debt (the margin checks and
    /// liquidation see it); or, under a policy that allows a shortfall, what there is, the
    /// rest reported as the shortfall (bad debt). Returns what was taken now.
    pub(crate) fn take_owed(
        who: &T::AccountId,
        settlement: AssetId,
        owed: Balance,
        policy: trade::Policy,
        gaps: &mut Gaps,
    ) -> Result<Balance, DispatchError> {
        let have = Self::collateral(who, settlement);
        if have >= owed {
            Self::debit(who, settlement, owed)?;
            return Ok(owed);
        }
        let rest = owed.saturating_sub(have);
        if Self::has_extra(who, settlement) {
            Self::debit(who, settlement, have)?;
            Self::borrow(who, settlement, rest);
            return Ok(have);
        }
        // Only a forced close may leave a loss or funding unpaid: the gap is bad debt.
        ensure!(policy.shortfall_allowed, Error::<T>::InsufficientCollateral);
        gaps.shortfall = gaps.shortfall.saturating_add(rest);
        Self::debit(who, settlement, have)?;
        Ok(have)
    }

    /// `who`'s position in `series_id` of `settlement`, if open.
    pub(crate) fn position_in(
        who: &T::AccountId,
        settlement: AssetId,
        series_id: SeriesId,
    ) -> Option<Position> {
        Accounts::<T>::get(settlement, who).position(series_id)
    }

    /// Replaces `who`'s open position in `series_id` (its funding settled); a position that
    /// is not open is left alone (opening and closing go through [`Self::store_position`]).
    pub(crate) fn put_position(
        who: &T::AccountId,
        settlement: AssetId,
        series_id: SeriesId,
        position: Position,
    ) {
        let Ok(mut account) = Accounts::<T>::try_get(settlement, who) else {
            return;
        };
        if let Some(entry) = account
            .positions
            .iter_mut()
            .find(|(id, _)| *id == series_id)
        {
            entry.1 = position;
            Accounts::<T>::insert(settlement, who, account);
        }
    }

    /// Stores `who`'s position in `series_id` after a fill in its margin account: a position
    /// of size zero leaves the account, a new one joins it (the account is then one of the
    /// open accounts liquidation scans). Returns how many positions the account holds now.
    pub(crate) fn store_position(
        who: &T::AccountId,
        series_id: SeriesId,
        settlement: AssetId,
        new: Holding,
        series: &Series,
    ) -> Result<u32, DispatchError> {
        let mut account = Accounts::<T>::try_get(settlement, who)
            .unwrap_or_else(|_| MarginAccount::new(ActionEpoch::<T>::get(settlement)));
        let at = account
            .positions
            .iter()
            .position(|(id, _)| *id == series_id);
        if new.size == 0 {
            let Some(at) = at else {
                return Ok(account.positions.len() as u32);
            };
            account.positions.remove(at);
        } else {
            let position = Position {
                size: new.size,
                entry: valuation::to_u(new.entry),
                funding_index: series.funding_index,
            };
            match at {
                Some(at) => {
                    if let Some(entry) = account.positions.get_mut(at) {
                        entry.1 = position;
                    }
                }
                None => {
                    account
                        .positions
                        .try_push((series_id, position))
                        .map_err(|_| Error::<T>::TooManyPositions)?;
                }
            }
        }
        let held = account.positions.len() as u32;
        Accounts::<T>::insert(settlement, who, account);
        Ok(held)
    }
}

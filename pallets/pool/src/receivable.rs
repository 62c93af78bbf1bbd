//! Inflows booked now, paid in cash later: the pool's receivable.
//!
//! A trade's fee, latency fee and realised loss are booked into the ledger at once (tranches,
//! claims' cash, the protocol's share: [`Pallet::book_inflows`], the one function that splits
//! inflows), but their tokens stay in the options pallet's pot until the block's end, where one
//! move per pool carries the whole block's ([`Pallet::settle_receivables`]). Everything that
//! reads the ledger (NAV, capital, depth, claims) sees the inflows at once; only the pool
//! account's balance waits, and everything that takes cash out of the pool account or the
//! protocol's settles the receivable first ([`Pallet::settle_receivable`]) or, paying the pot
//! itself, nets against it ([`Pallet::pay_out_cash`]). A corporate action of the settlement
//! stock settles it before any pot is brought through (`prepare`).
//!
//! Invariants (`try_state`): the pool account holds at least its ledger less the receivable's
//! `to_pool`; the pot holds at least its margin accounts' collateral plus the receivable.

use crate::{nav::Tranches, *};

/// The cash a booking owes: to the pool account and to the protocol's.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Cash {
    pub to_pool: Balance,
    pub to_protocol: Balance,
}

impl<T: Config> Pallet<T> {
    /// Books inflows into the ledger: claims not yet backed by cash are paid first; the rest
    /// splits by kind: fees between the tranches and the protocol, ordinary gains by the one
    /// rule, penalties to insurance. The parts are split one after the other, as separate
    /// receipts would be. Returns the cash the booking is owed (`None`: nothing to book).
    pub(crate) fn book_inflows(
        settlement: AssetId,
        parts: &[(Inflow, Balance)],
    ) -> Result<Option<Cash>, DispatchError> {
        if parts.iter().all(|(_, amount)| *amount == 0) {
            return Ok(None);
        }
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(settlement).unwrap_or_default();
        let mut deficit = Deficits::<T>::get(settlement).unwrap_or_default();
        let mut t = Tranches {
            main: info.main,
            insurance: info.insurance,
        };
        let mut cash = Cash::default();
        let mut reserved: Balance = 0;
        for &(kind, amount) in parts.iter().filter(|(_, amount)| *amount > 0) {
            let to_claims = amount.min(deficit.uncovered());
            deficit.reserve = deficit.reserve.saturating_add(to_claims);
            reserved = reserved.saturating_add(to_claims);
            let rest = amount - to_claims;
            let (to_main, to_ins, to_protocol) = match kind {
                Inflow::Fee => {
                    let m = params.fee_to_main.mul_floor(rest);
                    let i = params.fee_to_insurance.mul_floor(rest);
                    (m, i, rest - m - i)
                }
                Inflow::Gain | Inflow::LatencyFee => {
                    let (m, i) = nav::split(rest, params.insurance_share);
                    (m, i, 0)
                }
                Inflow::Penalty => (0, rest, 0),
            };
            let add = |a: Balance, b: Balance| a.checked_add(b).ok_or(ArithmeticError::Overflow);
            t.main = add(t.main, to_main)?;
            t.insurance = add(t.insurance, to_ins)?;
            cash.to_pool = add(cash.to_pool, amount - to_protocol)?;
            cash.to_protocol = add(cash.to_protocol, to_protocol)?;
            Self::deposit_event(Event::Received {
                asset: settlement,
                kind,
                amount,
                to_claims,
                to_main,
                to_insurance: to_ins,
                to_protocol,
            });
        }
        Self::write_tranches(settlement, &mut info, t)?;
        Pools::<T>::insert(settlement, info);
        if reserved > 0 {
            Self::write_deficit(settlement, deficit);
        }
        Ok(Some(cash))
    }

    /// Moves a booking's cash from `from`: one move to the pool account, one to the protocol's.
    pub(crate) fn move_cash(
        settlement: AssetId,
        from: &T::AccountId,
        cash: &Cash,
    ) -> DispatchResult {
        T::Mover::transfer(settlement, from, &Self::account(settlement), cash.to_pool)?;
        T::Mover::transfer(
            settlement,
            from,
            &T::ProtocolAccount::get(),
            cash.to_protocol,
        )
    }

    /// Adds a booking's cash to the settlement's receivable, owed by `from`. A receivable
    /// owed by another account is settled first: one debtor per pool.
    pub(crate) fn add_receivable(
        settlement: AssetId,
        from: &T::AccountId,
        cash: Cash,
    ) -> DispatchResult {
        let mut r = match Receivables::<T>::get(settlement) {
            Some(r) if r.from == *from => r,
            Some(_) => {
                Self::settle_receivable(settlement)?;
                Receivable {
                    from: from.clone(),
                    to_pool: 0,
                    to_protocol: 0,
                }
            }
            None => Receivable {
                from: from.clone(),
                to_pool: 0,
                to_protocol: 0,
            },
        };
        r.to_pool = r
            .to_pool
            .checked_add(cash.to_pool)
            .ok_or(ArithmeticError::Overflow)?;
        r.to_protocol = r
            .to_protocol
            .checked_add(cash.to_protocol)
            .ok_or(ArithmeticError::Overflow)?;
        Receivables::<T>::insert(settlement, r);
        Ok(())
    }

    /// Moves the settlement's receivable now (both moves or neither). The entry stays, zeroed,
    /// until the block's end: the block's end was paid for by the trade that opened it.
    pub(crate) fn settle_receivable(settlement: AssetId) -> DispatchResult {
        let Some(mut r) = Receivables::<T>::get(settlement) else {
            return Ok(());
        };
        if r.total() == 0 {
            return Ok(());
        }
        // All of it to the pool account, then the protocol's share on: the debtor is left
        // with exactly what its own ledger keeps (a debtor emptied by its users' withdrawals
        // is left with nothing, never with the protocol's share as dust).
        let pool = Self::account(settlement);
        frame_support::storage::with_storage_layer(|| {
            T::Mover::transfer(settlement, &r.from, &pool, r.total())?;
            T::Mover::transfer(settlement, &pool, &T::ProtocolAccount::get(), r.to_protocol)
        })?;
        Self::deposit_event(Event::ReceivableSettled {
            asset: settlement,
            from: r.from.clone(),
            to_pool: r.to_pool,
            to_protocol: r.to_protocol,
        });
        r.to_pool = 0;
        r.to_protocol = 0;
        Receivables::<T>::insert(settlement, r);
        Ok(())
    }

    /// Pays `amount` of cash from the pool account to `to`. Paying the account that owes the
    /// receivable nets against it: only the difference moves.
    pub(crate) fn pay_out_cash(
        settlement: AssetId,
        to: &T::AccountId,
        amount: Balance,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        if let Some(mut r) = Receivables::<T>::get(settlement) {
            if r.from == *to {
                let net = r.to_pool.min(amount);
                if net > 0 {
                    r.to_pool -= net;
                    Receivables::<T>::insert(settlement, r);
                }
                return T::Mover::transfer(
                    settlement,
                    &Self::account(settlement),
                    to,
                    amount - net,
                );
            }
            Self::settle_receivable(settlement)?;
        }
        T::Mover::transfer(settlement, &Self::account(settlement), to, amount)
    }

    /// The block's end: every receivable moves, and its entry goes. One that cannot move
    /// (`ReceivableDeferred`) stays, counted by the ledger, and is tried again at the next
    /// block's end (charged by that block's `on_initialize`).
    pub(crate) fn settle_receivables() {
        let due: alloc::vec::Vec<AssetId> = Receivables::<T>::iter_keys()
            .take(T::MaxPools::get() as usize)
            .collect();
        for asset in due {
            match Self::settle_receivable(asset) {
                Ok(()) => Receivables::<T>::remove(asset),
                Err(error) => Self::deposit_event(Event::ReceivableDeferred { asset, error }),
            }
        }
    }

    /// The receivable's part owed to the pool account.
    pub(crate) fn receivable_to_pool(asset: AssetId) -> Balance {
        Receivables::<T>::get(asset).map_or(0, |r| r.to_pool)
    }
}

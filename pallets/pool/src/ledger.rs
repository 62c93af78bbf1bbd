//! The pool's ledger: tranche capital, the claims the pool owes traders and the cash set aside
//! for them. [`Pallet::write_tranches`] is the one function that writes tranche capital;
//! [`Pallet::write_deficit`] the one that writes the deficit. The arithmetic is [`crate::nav`]'s.

use crate::{nav::Tranches, *};
use perpetua_primitives::PoolLedger;

impl PoolInfo {
    /// The capital of both tranches.
    pub fn tranches(&self) -> Tranches {
        Tranches {
            main: self.main,
            insurance: self.insurance,
        }
    }
}

impl Tranches {
    /// The capital of `tranche`.
    pub fn of(&self, tranche: Tranche) -> Balance {
        match tranche {
            Tranche::Main => self.main,
            Tranche::Insurance => self.insurance,
        }
    }

    /// `f` applied to the capital of `tranche`.
    pub fn with(
        mut self,
        tranche: Tranche,
        f: impl FnOnce(Balance) -> Option<Balance>,
    ) -> Option<Self> {
        match tranche {
            Tranche::Main => self.main = f(self.main)?,
            Tranche::Insurance => self.insurance = f(self.insurance)?,
        }
        Some(self)
    }
}

impl<T: Config> Pallet<T> {
    /// The one writer of tranche capital: sets `info`'s tranches to `t`. Capital that lands in
    /// a tranche without shareholders belongs to the protocol, which receives shares for it one
    /// for one (so a tranche has capital only if it has shares, and a later LP buys in at NAV
    /// instead of taking it for free).
    pub(crate) fn write_tranches(
        asset: AssetId,
        info: &mut PoolInfo,
        t: Tranches,
    ) -> DispatchResult {
        for tranche in [Tranche::Main, Tranche::Insurance] {
            let (old, share) = info.tranche(tranche);
            let new = t.of(tranche);
            if new > old && Self::supply(share) == 0 {
                let shares = new - old;
                T::Mover::mint(share, &T::ProtocolAccount::get(), shares)?;
                Self::deposit_event(Event::OrphanValueToProtocol {
                    asset,
                    tranche,
                    shares,
                });
            }
        }
        // The depth is brought up to now with the capital it followed until now, then capital
        // changes: the change reaches the depth only as time passes. A pool with neither
        // capital nor depth (new, or emptied a whole `depth_smoothing` ago) takes its first
        // capital as its depth at once; an emptied pool keeps its depth decaying, so a fee
        // that lands in it cannot become the whole curve.
        let depth = Self::depth_of(asset, info);
        info.depth = if info.capital() == 0 && depth == 0 {
            t.total()
        } else {
            depth
        };
        info.depth_at = T::Time::now();
        info.main = t.main;
        info.insurance = t.insurance;
        Ok(())
    }

    /// The curve's depth of `asset`'s pool now.
    pub(crate) fn depth_of(asset: AssetId, info: &PoolInfo) -> Balance {
        let smoothing = Params::<T>::get(asset).unwrap_or_default().depth_smoothing;
        nav::depth(
            info.depth,
            info.depth_at,
            info.capital(),
            T::Time::now(),
            smoothing,
        )
    }

    /// The one writer of the deficit ledger (removed when nothing is owed).
    pub(crate) fn write_deficit(asset: AssetId, d: DeficitLedger) {
        if d.is_empty() {
            Deficits::<T>::remove(asset);
        } else {
            Deficits::<T>::insert(asset, d);
        }
    }

    /// The book against traders at the curve's `depth`, its value less the claims
    /// not yet backed by cash (a liability of both tranches, by the one rule).
    pub(crate) fn book_less_claims(
        asset: AssetId,
        depth: Balance,
    ) -> Result<perpetua_primitives::BookValue, DispatchError> {
        let book = T::Book::book_value(asset, depth).map_err(|_| Error::<T>::BookUnpriceable)?;
        let uncovered = Deficits::<T>::get(asset).map_or(0, |d| d.uncovered());
        let uncovered = i128::try_from(uncovered).map_err(|_| ArithmeticError::Overflow)?;
        Ok(perpetua_primitives::BookValue {
            value: book
                .value
                .checked_sub(uncovered)
                .ok_or(ArithmeticError::Overflow)?,
            uncollectible: book.uncollectible,
        })
    }

    /// The book now, at the curve's depth now (which no flow of this block moves), less the
    /// claims not yet backed by cash.
    pub(crate) fn book_now(
        asset: AssetId,
    ) -> Result<perpetua_primitives::BookValue, DispatchError> {
        let info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        Self::book_less_claims(asset, Self::depth_of(asset, &info))
    }

    /// NAV of `tranche` if the tranches' capital were `t`, with `book` (its uncollectible part
    /// borne as bad debt).
    pub(crate) fn tranche_nav(
        params: &PoolParams,
        t: Tranches,
        book: &perpetua_primitives::BookValue,
        tranche: Tranche,
    ) -> Balance {
        let (main, insurance) =
            nav::navs_with_bad_debt(t, book.value, book.uncollectible, params.insurance_share);
        match tranche {
            Tranche::Main => main,
            Tranche::Insurance => insurance,
        }
    }

    /// NAV of (main, insurance) now.
    pub fn navs(asset: AssetId) -> Result<(Balance, Balance), DispatchError> {
        let info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(asset).unwrap_or_default();
        let book = Self::book_now(asset)?;
        Ok(nav::navs_with_bad_debt(
            info.tranches(),
            book.value,
            book.uncollectible,
            params.insurance_share,
        ))
    }

    /// Tokens sent to the pool account outside its ledger go to the insurance tranche, if it
    /// has shares (found by the fuzzer: a donation swept into a new pool's empty tranche was
    /// capital without shares).
    pub(crate) fn do_sweep(asset: AssetId) -> DispatchResult {
        let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        let held = pallet_assets::Pallet::<T>::balance(asset, Self::account(asset));
        let surplus = held.saturating_sub(Self::recorded(asset, &info));
        ensure!(surplus > 0, Error::<T>::NoSurplus);
        ensure!(
            Self::supply(info.insurance_share) > 0,
            Error::<T>::NoInsuranceShares
        );
        let t = info
            .tranches()
            .with(Tranche::Insurance, |c| c.checked_add(surplus))
            .ok_or(ArithmeticError::Overflow)?;
        Self::write_tranches(asset, &mut info, t)?;
        Pools::<T>::insert(asset, info);
        Self::deposit_event(Event::SurplusSwept {
            asset,
            amount: surplus,
        });
        Ok(())
    }

    /// Pays `who`'s claim as far as the cash set aside for claims goes.
    pub(crate) fn do_claim(who: &T::AccountId, asset: AssetId) -> DispatchResult {
        Self::carry_claim(asset, who);
        let claim = Claims::<T>::get(asset, who).unwrap_or(0);
        let mut d = Deficits::<T>::get(asset).unwrap_or_default();
        let pay = claim.min(d.reserve);
        ensure!(pay > 0, Error::<T>::NothingToClaim);
        Self::settle_receivable(asset)?;
        T::Mover::transfer(asset, &Self::account(asset), who, pay)?;
        let left = claim - pay;
        if left == 0 {
            Claims::<T>::remove(asset, who);
            ClaimEpochs::<T>::remove(asset, who);
        } else {
            Claims::<T>::insert(asset, who, left);
        }
        d.reserve -= pay;
        d.owed = d.owed.saturating_sub(pay);
        Self::write_deficit(asset, d);
        Self::deposit_event(Event::ClaimPaid {
            asset,
            who: who.clone(),
            amount: pay,
            left,
        });
        Ok(())
    }

    /// Moves up to `amount` from the protocol account into the cash for claims.
    pub(crate) fn do_settle_deficit(asset: AssetId, amount: Balance) -> DispatchResult {
        ensure!(Pools::<T>::contains_key(asset), Error::<T>::UnknownPool);
        let mut d = Deficits::<T>::get(asset).ok_or(Error::<T>::NoDeficit)?;
        let amount = amount.min(d.uncovered());
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        // The protocol's share of the block's fees is in its account before it pays.
        Self::settle_receivable(asset)?;
        T::Mover::transfer(
            asset,
            &T::ProtocolAccount::get(),
            &Self::account(asset),
            amount,
        )?;
        d.reserve = d.reserve.saturating_add(amount);
        Self::write_deficit(asset, d);
        Self::deposit_event(Event::DeficitSettled { asset, amount });
        Ok(())
    }
}

impl<T: Config> PoolLedger<T::AccountId> for Pallet<T> {
    fn is_open(settlement: AssetId) -> bool {
        Pools::<T>::get(settlement).is_some_and(|p| p.open)
    }

    fn capital(settlement: AssetId) -> Balance {
        Pools::<T>::get(settlement).map_or(0, |p| p.capital())
    }

    fn depth(settlement: AssetId) -> Balance {
        Pools::<T>::get(settlement).map_or(0, |p| Self::depth_of(settlement, &p))
    }

    fn set_required_margin(settlement: AssetId, amount: Balance, growing: bool) -> DispatchResult {
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        if growing {
            ensure!(info.open, Error::<T>::PoolClosed);
            let params = Params::<T>::get(settlement).unwrap_or_default();
            ensure!(
                info.capital() >= params.min_liquidity_ratio.saturating_mul_int(amount),
                Error::<T>::LiquidityLimit
            );
        }
        if info.required_margin != amount {
            info.required_margin = amount;
            Pools::<T>::insert(settlement, info);
            Self::deposit_event(Event::RequiredMarginSet {
                asset: settlement,
                amount,
            });
        }
        Ok(())
    }

    fn check_net_delta(settlement: AssetId, net_delta_value: Balance) -> DispatchResult {
        let info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(settlement).unwrap_or_default();
        ensure!(
            net_delta_value <= params.max_net_delta.mul_floor(info.capital()),
            Error::<T>::NetDeltaLimit
        );
        Ok(())
    }

    fn receive_all(
        settlement: AssetId,
        from: &T::AccountId,
        parts: &[(Inflow, Balance)],
    ) -> DispatchResult {
        // The ledger and the cash change together or not at all, in hooks too.
        frame_support::storage::with_storage_layer(|| {
            let Some(cash) = Self::book_inflows(settlement, parts)? else {
                return Ok(());
            };
            Self::move_cash(settlement, from, &cash)
        })
    }

    fn accrue_all(
        settlement: AssetId,
        from: &T::AccountId,
        parts: &[(Inflow, Balance)],
    ) -> DispatchResult {
        let Some(cash) = Self::book_inflows(settlement, parts)? else {
            return Ok(());
        };
        Self::add_receivable(settlement, from, cash)
    }

    fn receivable(settlement: AssetId, from: &T::AccountId) -> Balance {
        Receivables::<T>::get(settlement)
            .filter(|r| r.from == *from)
            .map_or(0, |r| r.total())
    }

    fn receivable_settlement_weight() -> frame_support::weights::Weight {
        <T as Config>::WeightInfo::settle_receivable()
    }

    fn pay(
        settlement: AssetId,
        to: &T::AccountId,
        amount: Balance,
    ) -> Result<Balance, DispatchError> {
        if amount == 0 {
            return Ok(0);
        }
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(settlement).unwrap_or_default();
        let (t, d) = nav::debit(info.tranches(), amount, params.insurance_share);
        Self::pay_out_cash(settlement, to, d.from_main + d.from_insurance)?;
        Self::write_tranches(settlement, &mut info, t)?;
        Pools::<T>::insert(settlement, info);
        Self::deposit_event(Event::Paid {
            asset: settlement,
            to: to.clone(),
            from_main: d.from_main,
            from_insurance: d.from_insurance,
            shortfall: d.shortfall,
        });
        Ok(d.shortfall)
    }

    fn record_claim(settlement: AssetId, who: &T::AccountId, amount: Balance) {
        if amount == 0 {
            return;
        }
        Self::carry_claim(settlement, who);
        let mut d = Deficits::<T>::get(settlement).unwrap_or_default();
        d.owed = d.owed.saturating_add(amount);
        Claims::<T>::mutate(settlement, who, |c| {
            *c = Some(c.unwrap_or(0).saturating_add(amount))
        });
        ClaimEpochs::<T>::insert(settlement, who, d.epoch);
        Self::write_deficit(settlement, d);
        Self::deposit_event(Event::ClaimRecorded {
            asset: settlement,
            who: who.clone(),
            amount,
        });
    }

    fn absorb_loss(settlement: AssetId, amount: Balance) -> Balance {
        let Some(mut info) = Pools::<T>::get(settlement) else {
            return 0;
        };
        let params = Params::<T>::get(settlement).unwrap_or_default();
        let (t, main_bore) = nav::absorb_bad_debt(info.tranches(), amount, params.insurance_share);
        let covered = t.main.saturating_sub(info.main);
        // Capital only moves from insurance to main; a main tranche without shares gets the
        // protocol as its holder (a mint of a sufficient asset, which does not fail short of
        // overflow; if it did, the ledger stays as it was and the event says what was asked).
        if Self::write_tranches(settlement, &mut info, t).is_ok() {
            Pools::<T>::insert(settlement, info);
        }
        Self::deposit_event(Event::LossAbsorbed {
            asset: settlement,
            amount,
            covered,
            main_bore,
        });
        main_bore
    }

    fn insolvency(settlement: AssetId) -> Balance {
        let uncovered = Deficits::<T>::get(settlement).map_or(0, |d| d.uncovered());
        if uncovered == 0 {
            return 0;
        }
        let capital = Self::capital(settlement);
        // Unpriceable book: count its value as nothing (deleveraging cannot run without
        // prices anyway).
        let book = T::Book::book_value(settlement, Self::depth(settlement)).unwrap_or_default();
        let equity = (capital.min(i128::MAX as u128) as i128)
            .saturating_add(book.value)
            .saturating_sub(book.uncollectible.min(i128::MAX as u128) as i128)
            .saturating_sub(uncovered.min(i128::MAX as u128) as i128);
        if equity >= 0 {
            0
        } else {
            equity.unsigned_abs()
        }
    }

    fn with_claims() -> alloc::vec::Vec<AssetId> {
        Deficits::<T>::iter_keys()
            .take(T::MaxPools::get() as usize)
            .collect()
    }
}

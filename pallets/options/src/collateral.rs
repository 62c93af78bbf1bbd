//! Extra collateral: listed stocks besides the settlement stock in a margin account, the debt
//! they back, and the Dutch auction that sells them to repay it. The one writer of `Baskets`,
//! `CollateralHoldings`, `TotalDebt` and `UnscaledDebt`.
//!
//! - A stock's tokens sit in the settlement's pot; each account holds **shares** of the pot's
//!   holding of that stock (`CollateralHolding`), so a split of the stock, which scales the
//!   pot's tokens, reaches every account at once without a walk.
//! - **Debt**: what the settlement collateral cannot pay of a loss, a fee or funding, when the
//!   account holds extra collateral, is owed to the pool in the settlement stock. The pool's
//!   book counts it (`book_value`), so its NAV does not move when debt is taken or repaid. A
//!   credit of the settlement stock (a deposit, a profit, funding due) repays it first.
//! - **Auction**: a liquidation that leaves debt starts a Dutch auction of the account's extra
//!   collateral: keepers buy it for the settlement stock at the oracle's price less a discount
//!   that grows per block to a floor; what they pay repays the debt. What is owed once nothing
//!   is left to sell is bad debt (`PoolLedger::absorb_loss`).

use crate::*;
use frame_support::BoundedVec;
use perpetua_primitives::split_amount_up;
use sp_runtime::{traits::Saturating, DispatchResult, FixedPointNumber, Perbill};

impl<T: Config> Pallet<T> {
    /// The haircut on `asset` as extra collateral now: its base for opening risk (`initial`)
    /// or for liquidation (`maintenance`), plus its own market-hours gap term.
    pub fn collateral_haircut(
        asset: AssetId,
        params: &CollateralParams,
        liquidation: bool,
    ) -> Fixed {
        valuation::haircut(&params.haircut_at(liquidation), Self::unpriced_hours(asset))
    }

    /// `tokens` of `asset` at `price` USD per whole token less `haircut`, USD, rounded down;
    /// `None` on overflow. The one valuation of a stock of extra collateral.
    fn value_after_haircut(
        asset: AssetId,
        tokens: Balance,
        price: Fixed,
        haircut: Fixed,
    ) -> Option<Fixed> {
        let decimals = pallet_assets::Metadata::<T>::get(asset).decimals;
        let kept = Fixed::ONE.checked_sub(haircut)?;
        Fixed::from_units(tokens, decimals as u32)?
            .checked_mul(price)?
            .mul_round(kept, Rounding::Down)
    }

    /// The tokens of each stock in `who`'s basket in `settlement`.
    pub fn extra_collateral(who: &T::AccountId, settlement: AssetId) -> Vec<(AssetId, Balance)> {
        Baskets::<T>::get(settlement, who)
            .assets
            .iter()
            .map(|(asset, shares)| {
                (
                    *asset,
                    CollateralHoldings::<T>::get(settlement, asset).tokens_of(*shares),
                )
            })
            .collect()
    }

    /// Each stock of the basket valued at the initial or the liquidation haircut. A stock
    /// without a usable price (stale, held by the breaker, halted) counts for nothing for
    /// opening risk and withdrawals, and stops the account's liquidation until it has one (the
    /// settlement stock's rule: nothing is liquidated at a price nobody can trust, such as a
    /// gap the breaker holds).
    pub fn basket_values(
        settlement: AssetId,
        basket: &BasketOf<T>,
        liquidation: bool,
    ) -> Result<Vec<StockValue>, DispatchError> {
        let overflow = || DispatchError::from(Error::<T>::Overflow);
        let mut out = Vec::new();
        for (asset, shares) in basket.assets.iter() {
            let params = CollateralAssets::<T>::get(asset).ok_or(Error::<T>::NotCollateral)?;
            let tokens = CollateralHoldings::<T>::get(settlement, asset).tokens_of(*shares);
            let price = T::Prices::price(OracleKey::Asset(*asset)).map(valuation::fx);
            if liquidation {
                price.map_err(Error::<T>::from)?;
            }
            let Ok(price) = price else {
                out.push(StockValue {
                    asset: *asset,
                    tokens,
                    price: Fixed::ZERO,
                    haircut: Fixed::ONE,
                    value: Fixed::ZERO,
                });
                continue;
            };
            let haircut = Self::collateral_haircut(*asset, &params, liquidation);
            let value =
                Self::value_after_haircut(*asset, tokens, price, haircut).ok_or_else(overflow)?;
            out.push(StockValue {
                asset: *asset,
                tokens,
                price,
                haircut,
                value,
            });
        }
        Ok(out)
    }

    /// The basket's extra collateral in USD after haircuts.
    pub(crate) fn basket_value(
        settlement: AssetId,
        basket: &BasketOf<T>,
        liquidation: bool,
    ) -> Result<Fixed, DispatchError> {
        Self::basket_values(settlement, basket, liquidation)?
            .into_iter()
            .try_fold(Fixed::ZERO, |a, v| a.checked_add(v.value))
            .ok_or_else(|| Error::<T>::Overflow.into())
    }

    /// What the settlement's pot holds as extra collateral, in settlement base units at
    /// `settle` USD per token, each stock at its liquidation haircut (rounded down; a stock
    /// without a usable price counts for nothing). One read and one price per stock held.
    pub(crate) fn extra_collateral_units(
        settlement: AssetId,
        settle: Fixed,
        decimals: u8,
    ) -> Balance {
        let mut total: Balance = 0;
        for (asset, holding) in CollateralHoldings::<T>::iter_prefix(settlement) {
            let Some(params) = CollateralAssets::<T>::get(asset) else {
                continue;
            };
            let Ok(price) = T::Prices::price(OracleKey::Asset(asset)) else {
                continue;
            };
            let haircut = Self::collateral_haircut(asset, &params, true);
            let units =
                Self::value_after_haircut(asset, holding.amount, valuation::fx(price), haircut)
                    .and_then(|usd| {
                        valuation::usd_to_units(usd, settle, decimals, Rounding::Down).ok()
                    })
                    .unwrap_or(0);
            total = total.saturating_add(units);
        }
        total
    }

    /// Whether `who` holds extra collateral in `settlement` (what lets a payment beyond the
    /// settlement collateral become debt).
    pub(crate) fn has_extra(who: &T::AccountId, settlement: AssetId) -> bool {
        !Baskets::<T>::get(settlement, who).assets.is_empty()
    }

    /// `who`'s debt in `settlement`, base units.
    pub fn debt(who: &T::AccountId, settlement: AssetId) -> Balance {
        Self::sync(who, settlement);
        Baskets::<T>::get(settlement, who).debt
    }

    /// The settlement's debt over all accounts, current units (the part a split has not
    /// reached yet at its post-split value, rounded down: the book never overstates it).
    pub fn total_debt(settlement: AssetId) -> Balance {
        let pending = match LedgerActions::<T>::get(settlement).map(|a| a.kind) {
            Some(LedgerActionKind::Split {
                numerator,
                denominator,
                ..
            }) => corporate::scale(UnscaledDebt::<T>::get(settlement), numerator, denominator),
            _ => 0,
        };
        TotalDebt::<T>::get(settlement).saturating_add(pending)
    }

    /// Adds `amount` to `who`'s debt (the caller took all its settlement collateral first).
    pub(crate) fn borrow(who: &T::AccountId, settlement: AssetId, amount: Balance) {
        if amount == 0 {
            return;
        }
        let debt = Baskets::<T>::mutate(settlement, who, |b| {
            b.debt = b.debt.saturating_add(amount);
            b.debt
        });
        TotalDebt::<T>::mutate(settlement, |t| *t = t.saturating_add(amount));
        // An account with debt is open (liquidation scans it): it has a ledger entry.
        Self::ensure_account(who, settlement);
        Self::deposit_event(Event::Borrowed {
            who: who.clone(),
            settlement,
            amount,
            debt,
        });
    }

    /// Takes up to `amount` off `who`'s debt; returns what it took. The caller moves that much
    /// of the settlement stock to the pool.
    fn reduce_debt(who: &T::AccountId, settlement: AssetId, amount: Balance) -> Balance {
        let (taken, debt) = Baskets::<T>::mutate(settlement, who, |b| {
            let taken = amount.min(b.debt);
            b.debt = b.debt.saturating_sub(taken);
            if b.debt == 0 {
                b.auction = None;
            }
            (taken, b.debt)
        });
        if taken == 0 {
            return 0;
        }
        TotalDebt::<T>::mutate(settlement, |t| *t = t.saturating_sub(taken));
        Self::prune_basket(who, settlement);
        Self::deposit_event(Event::Repaid {
            who: who.clone(),
            settlement,
            amount: taken,
            debt,
        });
        taken
    }

    /// Repays `who`'s debt from `amount` of the settlement stock that is in the pot for
    /// `who`: the repaid part moves to the pool now (a trading result, as the loss it stands
    /// for). Returns what is left of `amount` for the account's collateral.
    pub(crate) fn repay_from_pot(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
    ) -> Result<Balance, DispatchError> {
        if amount == 0 || Baskets::<T>::get(settlement, who).debt == 0 {
            return Ok(amount);
        }
        let repaid = Self::reduce_debt(who, settlement, amount);
        T::Pool::receive_all(
            settlement,
            &Self::pot(settlement),
            &[(Inflow::Gain, repaid)],
        )?;
        Ok(amount.saturating_sub(repaid))
    }

    /// Removes an empty basket.
    fn prune_basket(who: &T::AccountId, settlement: AssetId) {
        if Baskets::<T>::get(settlement, who).is_empty() {
            Baskets::<T>::remove(settlement, who);
        }
    }

    /// Carries `who`'s debt through a split of the settlement stock (with its collateral):
    /// rounded up, in the pool's favour.
    pub(crate) fn split_debt(
        who: &T::AccountId,
        settlement: AssetId,
        numerator: u32,
        denominator: u32,
    ) {
        let old = Baskets::<T>::get(settlement, who).debt;
        if old == 0 {
            return;
        }
        let new = split_amount_up(old, numerator, denominator);
        Baskets::<T>::mutate(settlement, who, |b| b.debt = new);
        UnscaledDebt::<T>::mutate(settlement, |u| *u = u.saturating_sub(old));
        TotalDebt::<T>::mutate(settlement, |t| *t = t.saturating_add(new));
    }

    /// Starts carrying a split of the settlement stock through the debts: none is yet.
    pub(crate) fn start_debt_split(settlement: AssetId) {
        let total = TotalDebt::<T>::take(settlement);
        UnscaledDebt::<T>::mutate(settlement, |u| *u = u.saturating_add(total));
    }

    pub(crate) fn do_deposit_collateral(
        who: &T::AccountId,
        settlement: AssetId,
        asset: AssetId,
        amount: Balance,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        ensure!(asset != settlement, Error::<T>::SettlementAsExtraCollateral);
        ensure!(
            !SettlementSeries::<T>::get(settlement).is_empty(),
            Error::<T>::UnknownMarket
        );
        let params = CollateralAssets::<T>::get(asset).ok_or(Error::<T>::NotCollateral)?;
        ensure!(params.accepted, Error::<T>::CollateralNotAccepted);
        // No dust baskets: each is valued on every trade and liquidation scan of its account.
        let min = <pallet_assets::Pallet<T> as frame_support::traits::fungibles::Inspect<_>>::minimum_balance(asset);
        ensure!(amount >= min, Error::<T>::CollateralBelowMinimum);
        let mut holding = CollateralHoldings::<T>::get(settlement, asset);
        ensure!(
            holding.amount.saturating_add(amount) <= params.cap,
            Error::<T>::CollateralCapReached
        );
        Self::sync(who, settlement);
        Self::claim_dividends(who, settlement, asset);
        let shares = holding.shares_for(amount);
        ensure!(shares > 0, Error::<T>::ZeroAmount);
        let mut basket = Baskets::<T>::get(settlement, who);
        match basket.assets.iter_mut().find(|(a, _)| *a == asset) {
            Some((_, s)) => *s = s.saturating_add(shares),
            None => basket
                .assets
                .try_push((asset, shares))
                .map_err(|_| Error::<T>::TooManyCollateralAssets)?,
        }
        T::Mover::transfer(asset, who, &Self::pot(settlement), amount)?;
        holding.amount = holding.amount.saturating_add(amount);
        holding.shares = holding.shares.saturating_add(shares);
        CollateralHoldings::<T>::insert(settlement, asset, holding);
        Baskets::<T>::insert(settlement, who, basket);
        Self::note_claimed(who, settlement, asset);
        Self::ensure_account(who, settlement);
        Self::deposit_event(Event::CollateralDeposited {
            who: who.clone(),
            settlement,
            asset,
            amount,
        });
        Ok(())
    }

    /// Takes `tokens` of `asset` out of `who`'s basket (shares rounded up: the pot keeps the
    /// rounding) and moves them from the pot to `to`.
    fn take_extra(
        who: &T::AccountId,
        settlement: AssetId,
        asset: AssetId,
        tokens: Balance,
        to: &T::AccountId,
    ) -> DispatchResult {
        Self::claim_dividends(who, settlement, asset);
        let mut holding = CollateralHoldings::<T>::get(settlement, asset);
        let mut basket = Baskets::<T>::get(settlement, who);
        let held = basket.shares(asset);
        ensure!(
            holding.tokens_of(held) >= tokens,
            Error::<T>::InsufficientExtraCollateral
        );
        let burn = holding
            .shares_to_take(tokens)
            .ok_or(Error::<T>::InsufficientExtraCollateral)?
            .min(held);
        let left = held.saturating_sub(burn);
        if left == 0 {
            basket.assets.retain(|(a, _)| *a != asset);
        } else if let Some((_, s)) = basket.assets.iter_mut().find(|(a, _)| *a == asset) {
            *s = left;
        }
        holding.amount = holding.amount.saturating_sub(tokens);
        holding.shares = holding.shares.saturating_sub(burn);
        T::Mover::transfer(asset, &Self::pot(settlement), to, tokens)?;
        if holding.shares == 0 {
            // The pot keeps what rounding left; no account has a claim on it.
            CollateralHoldings::<T>::remove(settlement, asset);
        } else {
            CollateralHoldings::<T>::insert(settlement, asset, holding);
        }
        Baskets::<T>::insert(settlement, who, basket);
        Self::note_claimed(who, settlement, asset);
        Self::prune_basket(who, settlement);
        Ok(())
    }

    /// Pays `who` the dividends on its shares of `asset` since its last claim (a payout too
    /// small to make stays in the pot, as pallet-equities skips it). Called before its shares
    /// change.
    pub(crate) fn claim_dividends(who: &T::AccountId, settlement: AssetId, asset: AssetId) {
        let holding = CollateralHoldings::<T>::get(settlement, asset);
        if holding.dividends.is_empty() {
            return;
        }
        let shares = Baskets::<T>::get(settlement, who).shares(asset);
        let claimed = DividendClaims::<T>::get((settlement, who, asset));
        let pot = Self::pot(settlement);
        for (i, (paid_in, sum)) in holding.dividends.iter().enumerate() {
            let since = claimed.get(i).copied().unwrap_or_default();
            let owed = sum.saturating_sub(since).saturating_mul_int(shares);
            if owed > 0 && T::Mover::pay_out(*paid_in, &pot, who, owed).is_ok() {
                Self::deposit_event(Event::CollateralDividendPaid {
                    who: who.clone(),
                    settlement,
                    asset,
                    paid_in: *paid_in,
                    amount: owed,
                });
            }
        }
        Self::note_claimed(who, settlement, asset);
    }

    /// Records that `who` has been paid the holding's dividends so far (none kept for an
    /// account without shares, or a holding without dividends).
    fn note_claimed(who: &T::AccountId, settlement: AssetId, asset: AssetId) {
        let key = (settlement, who.clone(), asset);
        let holding = CollateralHoldings::<T>::get(settlement, asset);
        if holding.dividends.is_empty() || Baskets::<T>::get(settlement, who).shares(asset) == 0 {
            DividendClaims::<T>::remove(key);
            return;
        }
        let sums: Vec<FixedU128> = holding.dividends.iter().map(|(_, s)| *s).collect();
        DividendClaims::<T>::insert(key, BoundedVec::truncate_from(sums));
    }

    /// A dividend of `amount` on `asset` paid to `pot` for the accounts' extra collateral:
    /// added to the holding's per-share sum of its payout asset. Returns whether `pot` holds
    /// `asset` as extra collateral.
    pub(crate) fn collateral_dividend(
        asset: AssetId,
        pot: &T::AccountId,
        terms: &perpetua_primitives::DividendTerms<T::AccountId>,
        amount: Balance,
    ) -> bool {
        let Some(settlement) = Self::settlements()
            .into_iter()
            .find(|s| Self::pot(*s) == *pot && CollateralHoldings::<T>::contains_key(s, asset))
        else {
            return false;
        };
        let mut holding = CollateralHoldings::<T>::get(settlement, asset);
        let per_share =
            FixedU128::checked_from_rational(amount, holding.shares.max(1)).unwrap_or_default();
        let slot = holding
            .dividends
            .iter()
            .position(|(p, _)| *p == terms.paid_in);
        let tracked = match slot {
            Some(i) => {
                if let Some(x) = holding.dividends.get_mut(i) {
                    x.1 = x.1.saturating_add(per_share);
                }
                true
            }
            None => holding
                .dividends
                .try_push((terms.paid_in, per_share))
                .is_ok(),
        };
        if tracked {
            CollateralHoldings::<T>::insert(settlement, asset, holding);
        } else if T::Mover::pay_out(terms.paid_in, pot, &terms.funder, amount).is_ok() {
            Self::deposit_event(Event::CollateralDividendReturned {
                settlement,
                asset,
                paid_in: terms.paid_in,
                amount,
            });
        }
        true
    }

    pub(crate) fn do_withdraw_collateral(
        who: &T::AccountId,
        settlement: AssetId,
        asset: AssetId,
        amount: Balance,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        Self::sync(who, settlement);
        Self::settle_account_funding(who, settlement)?;
        Self::take_extra(who, settlement, asset, amount, who)?;
        Self::ensure_initial_margin(who, settlement)?;
        Self::deposit_event(Event::CollateralWithdrawn {
            who: who.clone(),
            settlement,
            asset,
            amount,
        });
        Ok(())
    }

    /// After a withdrawal: an account with positions or debt keeps its equity at or above
    /// its initial margin (with no positions: its extra collateral at the initial haircut
    /// covers its debt).
    pub(crate) fn ensure_initial_margin(who: &T::AccountId, settlement: AssetId) -> DispatchResult {
        let owes = Baskets::<T>::get(settlement, who).debt > 0;
        if owes || !AccountSeries::<T>::get(who, settlement).is_empty() {
            let h = Self::health(who, settlement)?;
            ensure!(h.equity >= h.initial, Error::<T>::InsufficientMargin);
        }
        Ok(())
    }

    /// Starts the auction of `who`'s extra collateral if it owes debt and has none running.
    /// Returns whether one runs now.
    pub fn start_auction(who: &T::AccountId, settlement: AssetId) -> bool {
        Self::sync(who, settlement);
        let basket = Baskets::<T>::get(settlement, who);
        if basket.debt == 0 {
            return false;
        }
        if basket.auction.is_some() {
            return true;
        }
        if basket.assets.is_empty() {
            Self::end_with_bad_debt(who, settlement);
            return false;
        }
        let now = frame_system::Pallet::<T>::block_number();
        Baskets::<T>::mutate(settlement, who, |b| b.auction = Some(now));
        Self::deposit_event(Event::AuctionStarted {
            who: who.clone(),
            settlement,
            debt: basket.debt,
        });
        true
    }

    /// Debt with nothing left to sell is bad debt: the pool absorbs it (insurance first).
    fn end_with_bad_debt(who: &T::AccountId, settlement: AssetId) {
        let debt = Baskets::<T>::get(settlement, who).debt;
        if debt > 0 {
            Self::reduce_debt(who, settlement, debt);
            T::Pool::absorb_loss(settlement, debt);
        }
        Self::deposit_event(Event::AuctionEnded {
            who: who.clone(),
            settlement,
            bad_debt: debt,
        });
    }

    /// The auction's price of `asset` now, settlement tokens per whole token: the oracle's
    /// (the asset's USD price over the settlement's) less the discount of `blocks` blocks of
    /// auction, rounded up (the keeper pays the rounding).
    pub fn auction_price(
        settlement: AssetId,
        asset: AssetId,
        blocks: u32,
    ) -> Result<(Fixed, Perbill), DispatchError> {
        let price = |a| {
            T::Prices::price(OracleKey::Asset(a))
                .map(valuation::fx)
                .map_err(Error::<T>::from)
        };
        let discount = Auction::<T>::get().discount(blocks);
        let ratio = price(asset)?
            .div_round(price(settlement)?, Rounding::Up)
            .ok_or(Error::<T>::Overflow)?;
        let kept = Fixed::ONE
            .checked_sub(valuation::fp(discount))
            .ok_or(Error::<T>::Overflow)?;
        let p = ratio
            .mul_round(kept, Rounding::Up)
            .ok_or(Error::<T>::Overflow)?;
        Ok((p, discount))
    }

    /// Blocks since `who`'s auction in `settlement` started, if one runs.
    pub fn auction_age(who: &T::AccountId, settlement: AssetId) -> Option<u32> {
        let start = Baskets::<T>::get(settlement, who).auction?;
        let now = frame_system::Pallet::<T>::block_number();
        let blocks: u32 = now.saturating_sub(start).try_into().unwrap_or(u32::MAX);
        Some(blocks)
    }

    pub(crate) fn do_buy_collateral(
        keeper: &T::AccountId,
        who: &T::AccountId,
        settlement: AssetId,
        asset: AssetId,
        amount: Balance,
        max_price: FixedU128,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        Self::sync(who, settlement);
        let blocks = Self::auction_age(who, settlement).ok_or(Error::<T>::NoAuction)?;
        let now = frame_system::Pallet::<T>::block_number();
        let params = Auction::<T>::get();
        let (block, buys) = AuctionBuys::<T>::get();
        let buys = if block == now { buys } else { 0 };
        ensure!(
            buys < params.max_buys_per_block,
            Error::<T>::AuctionBlockCap
        );
        let (price, _) = Self::auction_price(settlement, asset, blocks)?;
        ensure!(
            price <= valuation::fx(max_price),
            Error::<T>::AuctionPriceAboveLimit
        );
        let basket = Baskets::<T>::get(settlement, who);
        let holding = CollateralHoldings::<T>::get(settlement, asset);
        let available = holding.tokens_of(basket.shares(asset));
        ensure!(available > 0 && basket.debt > 0, Error::<T>::NothingToBuy);
        let (da, ds) = (
            pallet_assets::Metadata::<T>::get(asset).decimals as u32,
            pallet_assets::Metadata::<T>::get(settlement).decimals as u32,
        );
        let overflow = || DispatchError::from(Error::<T>::Overflow);
        // What the debt needs, rounded up: the last purchase may pay a little more than the
        // debt, and the rest is the owner's collateral.
        let debt_tokens = Fixed::from_units(basket.debt, ds).ok_or_else(overflow)?;
        let needed = debt_tokens
            .div_round(price, Rounding::Up)
            .and_then(|t| t.to_units(da, Rounding::Up))
            .ok_or_else(overflow)?;
        let tokens = amount.min(available).min(needed.max(1));
        let cost = Fixed::from_units(tokens, da)
            .and_then(|t| t.mul_round(price, Rounding::Up))
            .and_then(|c| c.to_units(ds, Rounding::Up))
            .ok_or_else(overflow)?;
        ensure!(cost > 0, Error::<T>::NothingToBuy);
        let to_pool = cost.min(basket.debt);
        let to_owner = cost.saturating_sub(to_pool);
        // The keeper pays the pool what repays the debt, and the pot what is beyond it.
        T::Pool::receive_all(settlement, keeper, &[(Inflow::Gain, to_pool)])?;
        if to_owner > 0 {
            T::Mover::transfer(settlement, keeper, &Self::pot(settlement), to_owner)?;
            Self::credit(who, settlement, to_owner)?;
        }
        Self::reduce_debt(who, settlement, to_pool);
        Self::take_extra(who, settlement, asset, tokens, keeper)?;
        AuctionBuys::<T>::put((now, buys.saturating_add(1)));
        Self::deposit_event(Event::CollateralAuctioned {
            who: who.clone(),
            settlement,
            asset,
            keeper: keeper.clone(),
            amount: tokens,
            paid: cost,
            price: valuation::to_u(price),
        });
        let left = Baskets::<T>::get(settlement, who);
        if left.debt == 0 {
            Self::deposit_event(Event::AuctionEnded {
                who: who.clone(),
                settlement,
                bad_debt: 0,
            });
        } else if left.assets.is_empty() {
            Self::end_with_bad_debt(who, settlement);
        }
        Ok(())
    }

    /// The pots that hold `asset` as extra collateral (one per settlement at most): a
    /// corporate action of the stock processes them at its start.
    pub(crate) fn collateral_pots(asset: AssetId) -> Vec<T::AccountId> {
        Self::settlements()
            .into_iter()
            .filter(|s| CollateralHoldings::<T>::contains_key(s, asset))
            .map(Self::pot)
            .collect()
    }

    /// A split of `asset` scales what every pot holds of it as extra collateral (as the
    /// pot's own balance was, in the same call); the accounts' shares do not change.
    pub(crate) fn split_holdings(asset: AssetId, numerator: u32, denominator: u32) {
        for settlement in Self::settlements() {
            CollateralHoldings::<T>::mutate_exists(settlement, asset, |h| {
                if let Some(h) = h {
                    h.amount = corporate::scale(h.amount, numerator, denominator);
                }
            });
        }
    }
}

/// One stock of a basket, valued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StockValue {
    pub asset: AssetId,
    /// Tokens, the stock's base units.
    pub tokens: Balance,
    /// USD per whole token.
    pub price: Fixed,
    /// The haircut applied (a fraction).
    pub haircut: Fixed,
    /// USD after the haircut.
    pub value: Fixed,
}

/// A basket as stored.
pub type BasketOf<T> =
    Basket<frame_system::pallet_prelude::BlockNumberFor<T>, <T as Config>::MaxCollateralAssets>;

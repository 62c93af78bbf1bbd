//! The pool's side of the book: the prices a market needs, the pool's depth in contracts, its
//! margin requirement and net delta over a settlement asset's series, and the book's value
//! (what the pool's NAV counts), path-independent along the curve.

use crate::*;
use perpetua_primitives::CryptoIndex;
use sp_runtime::DispatchResult;
use valuation::{IndexPrices, SettlementPrices};

impl<T: Config> Pallet<T> {
    /// The prices `market` needs now, or the named reason they are not usable.
    pub fn market_prices(market: &Market) -> Result<MarketPrices, Error<T>> {
        Ok(MarketPrices::of(
            Self::index_prices(market.index)?,
            Self::settlement_prices(market.settlement)?,
        ))
    }

    /// The index and its implied volatility (USD, annualised): shared by every market on
    /// `index`, whatever it settles in.
    pub(crate) fn index_prices(index: CryptoIndex) -> Result<IndexPrices, Error<T>> {
        let e = Error::<T>::from;
        let spot = T::Prices::price(OracleKey::Crypto(index)).map_err(e)?;
        let vol = T::Prices::implied_vol(index).map_err(e)?;
        Ok(IndexPrices {
            spot: valuation::fx(spot),
            vol: valuation::fx(vol),
        })
    }

    /// The settlement asset's price and, while its market is closed, the band it is widened
    /// to by its haircut: shared by every market settled in it.
    pub(crate) fn settlement_prices(settlement: AssetId) -> Result<SettlementPrices, Error<T>> {
        let key = OracleKey::Asset(settlement);
        let settle = valuation::fx(T::Prices::price(key).map_err(Error::<T>::from)?);
        let (low, high) = if T::Prices::is_fresh(key) {
            (settle, settle)
        } else {
            valuation::widen(settle, Self::haircut(settlement)).map_err(Self::verr)?
        };
        Ok(SettlementPrices { settle, low, high })
    }

    pub(crate) fn verr(e: ValuationError) -> Error<T> {
        match e {
            ValuationError::Pricing => Error::<T>::PricingFailed,
            ValuationError::NoLiquidity => Error::<T>::NoPoolLiquidity,
            ValuationError::Skew => Error::<T>::SkewLimit,
            ValuationError::Overflow => Error::<T>::Overflow,
        }
    }

    /// The pool's liquidity in contracts of `market`.
    pub(crate) fn liquidity(market: &Market, prices: &MarketPrices) -> Result<Fixed, Error<T>> {
        let capital = T::Pool::depth(market.settlement);
        valuation::liquidity_contracts(capital, prices, market, market.settlement_decimals)
            .map_err(Self::verr)
    }

    /// The markets' settlement assets, each once ([`Settlements`]).
    pub(crate) fn settlements() -> Vec<AssetId> {
        Settlements::<T>::get().into_inner()
    }

    /// Tells the pool the margin its book over `settlement` requires.
    /// `known`: the settlement price and decimals, if the caller has them.
    pub(crate) fn report_pool_margin(
        settlement: AssetId,
        growing: bool,
        known: Option<(Fixed, u8)>,
    ) -> DispatchResult {
        let usd = valuation::fx(PoolMargin::<T>::get(settlement));
        let (price, decimals) = match known {
            Some(k) => k,
            None => {
                let key = OracleKey::Asset(settlement);
                let Some(price) = T::Prices::price(key).ok() else {
                    return Ok(());
                };
                let mut price = valuation::fx(price);
                if !T::Prices::is_fresh(key) {
                    // A stale close: the pool's capital counts less (see `settle_low`).
                    price = valuation::widen(price, Self::haircut(settlement))
                        .map_err(|e| DispatchError::from(Self::verr(e)))?
                        .0;
                }
                let decimals = pallet_assets::Metadata::<T>::get(settlement).decimals;
                (price, decimals)
            }
        };
        let units = valuation::usd_to_units(usd, price, decimals, Rounding::Up)
            .map_err(|e| DispatchError::from(Self::verr(e)))?;
        T::Pool::set_required_margin(settlement, units, growing)
    }

    /// The one writer of a settlement's book aggregates (`PoolMargin`, `BookDelta`): a
    /// series' contribution moved from `before` to `after`.
    pub(crate) fn book_risk_moved(settlement: AssetId, before: SeriesRisk, after: SeriesRisk) {
        Self::book_risks_moved(settlement, &[(before, after)]);
    }

    /// [`Self::book_risk_moved`] for several series of one settlement, applied in order: each
    /// aggregate is read and written once (the block hook's one write per book).
    pub(crate) fn book_risks_moved(settlement: AssetId, moves: &[(SeriesRisk, SeriesRisk)]) {
        if moves.iter().all(|(before, after)| before == after) {
            return;
        }
        PoolMargin::<T>::mutate(settlement, |m| {
            for (before, after) in moves {
                *m = m.saturating_sub(before.margin).saturating_add(after.margin);
            }
        });
        BookDelta::<T>::mutate(settlement, |d| {
            for (before, after) in moves {
                *d = d.saturating_sub(before.delta).saturating_add(after.delta);
            }
        });
    }

    /// The pool's net delta over `settlement`'s book against its limit, converted at
    /// `settle_low` USD per whole token.
    ///
    /// The book's delta is `BookDelta`: each series' dollar delta as of its last refresh (the
    /// traded series now, every other series at this block's hook), so a trade reads one
    /// value instead of pricing every series of the settlement. A series whose prices could
    /// not be read this block keeps its last delta until they can.
    pub(crate) fn check_pool_delta(
        settlement: AssetId,
        settle_low: Fixed,
        decimals: u8,
    ) -> DispatchResult {
        let delta_usd = valuation::from_i(BookDelta::<T>::get(settlement));
        let abs = delta_usd.checked_abs().ok_or(Error::<T>::Overflow)?;
        let units =
            valuation::usd_to_units(abs, settle_low, decimals, Rounding::Up).map_err(Self::verr)?;
        T::Pool::check_net_delta(settlement, units)
    }

    /// The pool's book value over `settlement`'s series, base units, with the curve's
    /// `depth` (see [`PoolBook::book_value`]).
    ///
    /// Each series' net position is valued at what unwinding it along the pool's curve at
    /// the index would pay the traders, not at the skewed mark: a trade along the curve
    /// moves the traders' entry sum and this unwind value by the same amount (the curve's
    /// cost is path-independent), so no trade moves the book's value; only the index, the
    /// volatility, funding and the depth do. The part of the book's net receivable
    /// (traders' losses and unsettled funding owed to the pool) beyond the traders' whole
    /// collateral is reported as uncollectible.
    pub fn book_value(
        settlement: AssetId,
        depth: Balance,
    ) -> Result<perpetua_primitives::BookValue, PriceError> {
        let stale = |_| PriceError::Stale;
        let mut traders_usd = Fixed::ZERO;
        let mut owed_tokens = Fixed::ZERO;
        let mut price = None;
        let mut decimals = 0;
        // Prices are read once (one settlement, at most two indexes) and quotes shared.
        let mut cache = risk::ValuationCache::default();
        for id in SettlementSeries::<T>::get(settlement) {
            let Some(series) = SeriesBook::<T>::get(id) else {
                continue;
            };
            if series.long == 0 && series.short == 0 {
                continue;
            }
            let Some(market) = Markets::<T>::get(series.market) else {
                continue;
            };
            let prices = Self::prices_cached(&market, &mut cache).map_err(|_| PriceError::Stale)?;
            let q = Self::quote_cached(&series, &market, &prices, &mut cache)
                .map_err(|_| PriceError::Stale)?;
            price = Some(prices.settle);
            decimals = market.settlement_decimals;
            let (u, f) = (|| -> Result<(Fixed, Fixed), ValuationError> {
                let liquidity = valuation::liquidity_contracts(
                    depth,
                    &prices,
                    &market,
                    market.settlement_decimals,
                )?;
                let price = valuation::contract_price(&q, &market)?;
                let value = valuation::unwind_value(price, &series, liquidity, &market)?;
                let u = value
                    .checked_sub(valuation::from_i(series.entry_sum))
                    .ok_or(ValuationError::Overflow)?;
                let net = valuation::contracts(series.net())?;
                let f = valuation::from_i(series.funding_index)
                    .checked_mul(net)
                    .and_then(|v| v.checked_sub(valuation::from_i(series.funding_sum)))
                    .ok_or(ValuationError::Overflow)?;
                Ok((u, f))
            })()
            .map_err(stale)?;
            traders_usd = traders_usd.checked_add(u).ok_or(PriceError::Stale)?;
            owed_tokens = owed_tokens.checked_add(f).ok_or(PriceError::Stale)?;
        }
        // Debt the accounts owe the pool is a receivable like their losses.
        let debt = Self::total_debt(settlement);
        let Some(settle) = price else {
            return Ok(perpetua_primitives::BookValue {
                value: debt.min(i128::MAX as u128) as i128,
                uncollectible: 0,
            });
        };
        let traders_tokens = traders_usd.checked_div(settle).ok_or(PriceError::Stale)?;
        let pool_tokens = owed_tokens
            .checked_sub(traders_tokens)
            .ok_or(PriceError::Stale)?;
        let units = valuation::tokens_to_units_for_pool(pool_tokens, decimals).map_err(stale)?;
        // Rounded toward the traders: the book's value is never overstated by rounding.
        let value = units
            .saturating_sub(1)
            .saturating_add(debt.min(i128::MAX as u128) as i128);
        // The pool can collect at most the traders' collateral, their extra collateral at its
        // liquidation haircut included: a net receivable beyond it is bad debt waiting to
        // happen (counted over all accounts together: see README).
        let collateral = Self::total_collateral(settlement)
            .saturating_add(Self::extra_collateral_units(settlement, settle, decimals));
        let uncollectible = if value > 0 {
            (value as u128).saturating_sub(collateral)
        } else {
            0
        };
        Ok(perpetua_primitives::BookValue {
            value,
            uncollectible,
        })
    }
}

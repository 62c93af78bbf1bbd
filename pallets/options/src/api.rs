//! What the options runtime API reports: quotes, margin accounts and series. Read-only: a
//! quote runs the trade in a storage transaction that is always rolled back.

use crate::*;
use alloc::{string::String, vec::Vec};
use frame_support::storage::{with_transaction, TransactionOutcome};
use perpetua_primitives::runtime_api::{
    AccountHealth, OptionAccount, OptionPosition, OptionQuote, OptionSeriesInfo, SeriesGreeks,
};

/// The name of a dispatch error (`InsufficientMargin`, `StalePrice`, ...).
pub fn error_name(e: DispatchError) -> String {
    let name: &'static str = e.into();
    name.into()
}

impl From<Health> for AccountHealth {
    fn from(h: Health) -> Self {
        AccountHealth {
            equity: valuation::to_i(h.equity),
            initial: valuation::to_i(h.initial),
            maintenance: valuation::to_i(h.maintenance),
            unrealised: valuation::to_i(h.unrealised),
            funding_owed: valuation::to_i(h.funding_owed),
            haircut: valuation::to_u(h.haircut),
        }
    }
}

impl<T: Config> Pallet<T> {
    /// What `trade(series, size)` by `who` would do now (see [`OptionQuote`]).
    pub fn quote(
        who: &T::AccountId,
        series_id: SeriesId,
        size: i128,
    ) -> Result<OptionQuote, String> {
        let outcome = with_transaction(|| -> TransactionOutcome<Result<_, DispatchError>> {
            TransactionOutcome::Rollback(Ok(Self::dry_run(who, series_id, size)))
        });
        outcome.map_err(error_name)?
    }

    fn dry_run(who: &T::AccountId, series_id: SeriesId, size: i128) -> Result<OptionQuote, String> {
        let err = |e: Error<T>| error_name(e.into());
        if size == 0 {
            return Err(err(Error::<T>::ZeroSize));
        }
        let series =
            SeriesBook::<T>::get(series_id).ok_or_else(|| err(Error::<T>::UnknownSeries))?;
        let market =
            Markets::<T>::get(series.market).ok_or_else(|| err(Error::<T>::UnknownMarket))?;
        let settlement = market.settlement;
        let has_positions = !AccountSeries::<T>::get(who, settlement).is_empty();
        let health_before = if has_positions {
            Self::health(who, settlement).ok().map(Into::into)
        } else {
            None
        };
        let old_size = Self::position_in(who, settlement, series_id).map_or(0, |p| p.size);
        match Self::do_trade(who, series_id, size, None, TradeMode::Quote) {
            Ok(fill) => {
                let after = Self::health(who, settlement).ok();
                let new_size = fill.position;
                let increases = new_size.unsigned_abs() > old_size.unsigned_abs()
                    || old_size.signum() * new_size.signum() < 0;
                let short_of_margin = increases && after.is_some_and(|h| h.equity < h.initial);
                Ok(OptionQuote {
                    price: fill.price,
                    cost: fill.cost,
                    fee: fill.fee,
                    realised: fill.realised,
                    position: new_size,
                    health_before,
                    health_after: after.map(Into::into),
                    error: short_of_margin.then(|| err(Error::<T>::InsufficientMargin)),
                })
            }
            Err(e) => {
                // The trade would fail: still say what it would cost if it can be priced.
                let prices = Self::market_prices(&market).map_err(err)?;
                let liquidity = Self::liquidity(&market, &prices).map_err(err)?;
                let q = valuation::quote_at(&series, &market, prices.spot, prices.vol)
                    .map_err(|v| err(Self::verr(v)))?;
                let limit = if perpetua_pricing::position::increases(old_size, size) {
                    perpetua_pricing::Limit::Enforced
                } else {
                    perpetua_pricing::Limit::Waived
                };
                let priced =
                    Self::price_trade(&series, &market, &prices, liquidity, size, limit, &q, true)
                        .map_err(|v| err(Self::verr(v)))?;
                let (cost, avg) = (priced.cost, priced.avg);
                let fee = valuation::usd_to_units(
                    priced.fee,
                    prices.settle_low,
                    market.settlement_decimals,
                    Rounding::Up,
                )
                .map_err(|v| err(Self::verr(v)))?;
                Ok(OptionQuote {
                    price: valuation::to_u(avg),
                    cost: valuation::to_i(cost),
                    fee,
                    realised: 0,
                    position: old_size.saturating_add(size),
                    health_before,
                    health_after: None,
                    error: Some(error_name(e)),
                })
            }
        }
    }

    /// `who`'s margin account in `settlement`.
    pub fn account_info(who: &T::AccountId, settlement: AssetId) -> OptionAccount {
        // Shown as carried through any corporate action in progress (the API's changes are
        // not kept).
        Self::sync(who, settlement);
        let mut positions = Vec::new();
        for (id, p) in Accounts::<T>::get(settlement, who).positions {
            let Some(series) = SeriesBook::<T>::get(id) else {
                continue;
            };
            let owed = valuation::contracts(p.size)
                .ok()
                .and_then(|n| {
                    valuation::from_i(series.funding_index.saturating_sub(p.funding_index))
                        .checked_mul(n)
                })
                .unwrap_or(Fixed::ZERO);
            let prices =
                Markets::<T>::get(series.market).and_then(|m| Self::series_mark(&series, &m).ok());
            let mark = prices.map(|(_, mark)| mark);
            let unrealised = prices.and_then(|(theo, mark)| {
                let size = valuation::contracts(p.size).ok()?;
                let value = valuation::holder_price(theo, mark, p.size);
                value.checked_sub(valuation::fx(p.entry))?.checked_mul(size)
            });
            positions.push(OptionPosition {
                series: id,
                size: p.size,
                entry: p.entry,
                mark: mark.map(valuation::to_u),
                unrealised: unrealised.map(valuation::to_i),
                funding_owed: valuation::to_i(owed),
            });
        }
        let (health, health_error) = match Self::health(who, settlement) {
            Ok(h) => (Some(h.into()), None),
            Err(e) => (None, Some(error_name(e))),
        };
        OptionAccount {
            settlement,
            collateral: Self::collateral(who, settlement),
            positions,
            health,
            health_error,
        }
    }

    /// Every margin account of `who` (one per settlement asset it deposited in).
    pub fn accounts_info(who: &T::AccountId) -> Vec<OptionAccount> {
        let mut settlements: Vec<AssetId> = Vec::new();
        for market in Markets::<T>::iter_values().take(T::MaxMarkets::get() as usize) {
            if !settlements.contains(&market.settlement) {
                settlements.push(market.settlement);
            }
        }
        settlements
            .into_iter()
            .filter(|s| Accounts::<T>::contains_key(s, who))
            .map(|settlement| Self::account_info(who, settlement))
            .collect()
    }

    /// The theoretical price and the pool's mark of `series` now, USD per contract.
    fn series_mark(series: &Series, market: &Market) -> Result<(Fixed, Fixed), Error<T>> {
        let prices = Self::market_prices(market)?;
        let liquidity = Self::liquidity(market, &prices)?;
        let q = valuation::quote_at(series, market, prices.spot, prices.vol).map_err(Self::verr)?;
        let price = valuation::contract_price(&q, market).map_err(Self::verr)?;
        let mark =
            valuation::mark_at(price, series.net(), liquidity, market).map_err(Self::verr)?;
        Ok((price.theo, mark))
    }

    /// A series: mark, index, funding rate and open interest.
    pub fn series_info(id: SeriesId) -> Option<OptionSeriesInfo> {
        let series = SeriesBook::<T>::get(id)?;
        let market = Markets::<T>::get(series.market)?;
        let mut info = OptionSeriesInfo {
            series: id,
            market: series.market,
            index: market.index,
            settlement: market.settlement,
            strike: series.strike,
            kind: series.kind,
            active: series.active && market.active,
            contract_size: market.params.contract_size,
            index_price: None,
            theoretical: None,
            mark: None,
            funding_rate_per_day: None,
            funding_index: series.funding_index,
            long: series.long,
            short: series.short,
            price_error: None,
        };
        let priced = (|| -> Result<(), Error<T>> {
            let prices = Self::market_prices(&market)?;
            info.index_price = Some(valuation::to_u(prices.spot));
            let liquidity = Self::liquidity(&market, &prices)?;
            let q = valuation::quote_at(&series, &market, prices.spot, prices.vol)
                .map_err(Self::verr)?;
            let price = valuation::contract_price(&q, &market).map_err(Self::verr)?;
            info.theoretical = Some(valuation::to_u(price.theo));
            let mark =
                valuation::mark_at(price, series.net(), liquidity, &market).map_err(Self::verr)?;
            info.mark = Some(valuation::to_u(mark));
            const DAY_MS: Moment = 86_400_000;
            let rate = Self::funding_per_contract(&series, &market, &prices, liquidity, DAY_MS, &q)
                .map_err(Self::verr)?;
            info.funding_rate_per_day = Some(valuation::to_i(rate));
            Ok(())
        })();
        if let Err(e) = priced {
            info.price_error = Some(error_name(e.into()));
        }
        Some(info)
    }

    /// A series' greeks per contract now (`None` if unknown or not priceable).
    pub fn series_greeks(id: SeriesId) -> Option<SeriesGreeks> {
        let series = SeriesBook::<T>::get(id)?;
        let market = Markets::<T>::get(series.market)?;
        let prices = Self::market_prices(&market).ok()?;
        let q = valuation::quote_at(&series, &market, prices.spot, prices.vol).ok()?;
        let per_contract = |x| {
            valuation::per_contract(x, &market)
                .ok()
                .map(valuation::to_i)
        };
        Some(SeriesGreeks {
            series: id,
            delta: per_contract(q.delta)?,
            gamma: per_contract(q.gamma)?,
            vega: per_contract(q.vega)?,
            volatility: valuation::to_u(prices.vol),
        })
    }

    /// `who`'s extra collateral in `settlement`, its debt and its auction.
    pub fn collateral_info(
        who: &T::AccountId,
        settlement: AssetId,
    ) -> perpetua_primitives::runtime_api::CollateralInfo {
        Self::sync(who, settlement);
        let basket = Baskets::<T>::get(settlement, who);
        let blocks = Self::auction_age(who, settlement);
        let value = |liquidation| Self::basket_values(settlement, &basket, liquidation).ok();
        let (initial, maintenance) = (value(false), value(true));
        let assets = Self::extra_collateral(who, settlement)
            .into_iter()
            .enumerate()
            .map(|(i, (asset, amount))| {
                let params = CollateralAssets::<T>::get(asset);
                let haircut = |liquidation| {
                    params.as_ref().map_or(FixedU128::from_u32(1), |p| {
                        valuation::to_u(Self::collateral_haircut(asset, p, liquidation))
                    })
                };
                let usd = |v: &Option<Vec<collateral::StockValue>>| {
                    v.as_ref()
                        .and_then(|v| v.get(i))
                        .map(|x| valuation::to_u(x.value))
                };
                perpetua_primitives::runtime_api::CollateralAsset {
                    asset,
                    amount,
                    price: T::Prices::price(OracleKey::Asset(asset)).ok(),
                    initial_haircut: haircut(false),
                    maintenance_haircut: haircut(true),
                    buying_power: usd(&initial),
                    liquidation_value: usd(&maintenance),
                    auction_price: blocks.and_then(|b| {
                        Self::auction_price(settlement, asset, b)
                            .ok()
                            .map(|(p, _)| valuation::to_u(p))
                    }),
                }
            })
            .collect();
        perpetua_primitives::runtime_api::CollateralInfo {
            settlement,
            debt: basket.debt,
            assets,
            auction_blocks: blocks,
            auction_discount: blocks
                .map(|b| valuation::to_u(valuation::fp(Auction::<T>::get().discount(b)))),
        }
    }

    /// The haircut on `settlement` collateral now, as a fraction.
    pub fn haircut_info(settlement: AssetId) -> FixedU128 {
        valuation::to_u(Self::haircut(settlement))
    }

    /// Every listed series.
    pub fn all_series_info() -> Vec<OptionSeriesInfo> {
        AllSeries::<T>::get()
            .into_iter()
            .filter_map(Self::series_info)
            .collect()
    }
}

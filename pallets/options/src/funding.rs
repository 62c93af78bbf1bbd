//! Funding: accrued per series into a cumulative index (O(series) per block), settled per
//! position when it is touched.
//!
//! A long pays per contract `(mark - intrinsic) * dt / T`, both at the **same** index price
//! (the oracle's, never its EMA for one and the spot for the other), so that a call and a put
//! of one strike pay the same time value and a long call with a short put (a forward) pays
//! only the curve's skew. The curve skews time value only, so an in-the-money option's
//! funding stays near its time value whatever the pool's exposure. Funding per day is capped
//! at `funding_cap` of the contract's notional either way (against an extreme volatility
//! print); one block of a price spike moves funding by one block's worth only.

use crate::*;
use alloc::{collections::BTreeMap, vec::Vec};
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
    /// Funding a long pays per contract over `dt` ms, whole settlement tokens (negative:
    /// longs receive), at the series' per-unit quote `q` at the index.
    pub(crate) fn funding_per_contract(
        series: &Series,
        market: &Market,
        prices: &MarketPrices,
        liquidity: Fixed,
        dt: Moment,
        q: &perpetua_pricing::Quote,
    ) -> Result<Fixed, ValuationError> {
        let price = valuation::contract_price(q, market)?;
        let mark = valuation::mark_at(price, series.net(), liquidity, market)?;
        let intrinsic = valuation::per_contract(q.intrinsic, market)?;
        let usd = perpetua_pricing::funding::for_interval(
            mark,
            intrinsic,
            dt,
            market.params.funding_period_secs,
            Rounding::Nearest,
        )?;
        let notional = valuation::per_contract(prices.spot, market)?;
        let cap = notional
            .checked_mul(valuation::fp(market.params.funding_cap))
            .ok_or(ValuationError::Overflow)?;
        perpetua_pricing::funding::capped(usd, cap, dt)?
            .div_round(prices.settle, Rounding::Nearest)
            .ok_or(ValuationError::Overflow)
    }

    /// Accrues funding of `series` up to now, if its prices are usable; else leaves it to
    /// catch up with the whole interval later (funding never goes missing in an outage).
    /// Also refreshes the pool's margin for the series. Returns whether it accrued.
    pub(crate) fn accrue(series: &mut Series, market: &Market, now: Moment) -> bool {
        if series.long == 0 && series.short == 0 {
            series.open_block(now);
            return true;
        }
        let Ok(prices) = Self::market_prices(market) else {
            return false;
        };
        let Ok(q) = valuation::quote_at(series, market, prices.spot, prices.vol) else {
            return false;
        };
        Self::accrue_with(series, market, now, &prices, &q)
    }

    /// [`Self::accrue`] with the market's prices and the series' quote at the index known.
    pub(crate) fn accrue_with(
        series: &mut Series,
        market: &Market,
        now: Moment,
        prices: &MarketPrices,
        q: &perpetua_pricing::Quote,
    ) -> bool {
        if series.long == 0 && series.short == 0 {
            series.open_block(now);
            return true;
        }
        let Ok(liquidity) = Self::liquidity(market, prices) else {
            return false;
        };
        Self::accrue_at(series, market, now, prices, q, liquidity)
    }

    /// [`Self::accrue_with`] for a series with open interest, with the pool's liquidity in
    /// contracts of the market known too.
    fn accrue_at(
        series: &mut Series,
        market: &Market,
        now: Moment,
        prices: &MarketPrices,
        q: &perpetua_pricing::Quote,
        liquidity: Fixed,
    ) -> bool {
        let dt = now.saturating_sub(series.funding_time);
        let result = (|| -> Result<(Fixed, SeriesRisk), ValuationError> {
            let tokens = Self::funding_per_contract(series, market, prices, liquidity, dt, q)?;
            let risk = Self::series_risk(series, market, prices, q)?;
            Ok((tokens, risk))
        })();
        let Ok((tokens, risk)) = result else {
            return false;
        };
        series.open_block(now);
        series.funding_index = series.funding_index.saturating_add(valuation::to_i(tokens));
        series.pool_margin = risk.margin;
        series.delta_usd = risk.delta;
        true
    }

    /// What `series` adds to its book's aggregates at its current net position: the pool's
    /// initial margin for its side, and the traders' dollar delta.
    pub(crate) fn series_risk(
        series: &Series,
        market: &Market,
        prices: &MarketPrices,
        q: &perpetua_pricing::Quote,
    ) -> Result<SeriesRisk, ValuationError> {
        let net = series.net();
        Ok(SeriesRisk {
            margin: valuation::to_u(valuation::margin_of(
                q,
                prices.spot,
                -net,
                market,
                MarginLevel::Initial,
            )?),
            delta: valuation::to_i(valuation::dollar_delta(q, prices.spot, net, market)?),
        })
    }

    /// The block hook: every settlement's book ([`Self::accrue_book`]). Prices are read once
    /// per index and per settlement, and a quote is priced once per index, kind, strike and
    /// funding period however many books list it (250 stocks' BTC books share them).
    pub fn accrue_all() {
        let now = T::Time::now();
        let mut cache = risk::ValuationCache::default();
        for settlement in Self::settlements() {
            Self::accrue_book(settlement, now, &mut cache);
        }
    }

    /// Accrues every series with open interest of `settlement`'s book to `now`, then tells
    /// its pool the margin the book requires. The book is read once and written once, its
    /// aggregates (`PoolMargin`, `BookDelta`) once, each market read once, the pool's
    /// liquidity computed once per market. A book without open interest is not touched.
    pub fn accrue_book(settlement: AssetId, now: Moment, cache: &mut risk::ValuationCache) {
        let mut book = Books::<T>::get(settlement);
        if book.iter().all(|(_, s)| s.long == 0 && s.short == 0) {
            return;
        }
        // Per market: the market, and the pool's liquidity in its contracts at its prices.
        let mut markets: BTreeMap<MarketId, Option<(Market, MarketPrices, Fixed)>> =
            BTreeMap::new();
        let mut moves: Vec<(SeriesRisk, SeriesRisk)> = Vec::new();
        let mut written = false;
        for (_, series) in book.iter_mut() {
            if (series.long == 0 && series.short == 0) || series.funding_time == now {
                // Nothing to accrue (a trade restarts its clock), or accrued by a trade.
                continue;
            }
            let entry = markets.entry(series.market).or_insert_with(|| {
                let market = Markets::<T>::get(series.market)?;
                let prices = Self::prices_cached(&market, cache).ok()?;
                let liquidity = Self::liquidity(&market, &prices).ok()?;
                Some((market, prices, liquidity))
            });
            // An unusable price leaves the series to catch up later.
            let Some((market, prices, liquidity)) = *entry else {
                continue;
            };
            let Ok(q) = Self::quote_cached(series, &market, &prices, cache) else {
                continue;
            };
            let before = series.risk();
            if !Self::accrue_at(series, &market, now, &prices, &q, liquidity) {
                continue;
            }
            written = true;
            if series.risk() != before {
                moves.push((before, series.risk()));
            }
        }
        if written {
            Books::<T>::insert(settlement, book);
        }
        Self::book_risks_moved(settlement, &moves);
        // Reported even if no series could be accrued: the price moved its margin in tokens.
        // At the settlement price already read for the book, if any was (as a trade reports).
        let known = markets
            .values()
            .flatten()
            .next()
            .map(|(market, prices, _)| (prices.settle_low, market.settlement_decimals));
        Self::report_pool_margin(settlement, false, known).ok();
    }

    /// Settles the funding of `who`'s position in `series_id` (which must be accrued):
    /// moves it between the trader's collateral and the pool.
    pub(crate) fn settle_funding(
        who: &T::AccountId,
        series_id: SeriesId,
        series: &mut Series,
        market: &Market,
        position: &mut Position,
        policy: trade::Policy,
        gaps: &mut Gaps,
    ) -> DispatchResult {
        let delta = series.funding_index.saturating_sub(position.funding_index);
        if delta.is_zero() || position.size == 0 {
            position.funding_index = series.funding_index;
            return Ok(());
        }
        let owed = valuation::from_i(delta)
            .checked_mul(valuation::contracts(position.size).map_err(Self::verr)?)
            .ok_or(Error::<T>::Overflow)?;
        let units = valuation::tokens_to_units_for_pool(owed, market.settlement_decimals)
            .map_err(Self::verr)?;
        let settlement = market.settlement;
        let pot = Self::pot(settlement);
        if units > 0 {
            let paid = Self::take_owed(who, settlement, units as Balance, policy, gaps)?;
            policy.receive::<T>(settlement, &pot, &[(Inflow::Gain, paid)])?;
            Funding::<T>::mutate(settlement, |f| {
                f.paid_by_traders = f.paid_by_traders.saturating_add(paid)
            });
        } else if units < 0 {
            let due = units.unsigned_abs();
            let unpaid = Self::pay_trader(who, settlement, due, policy, gaps)?;
            let paid = due.saturating_sub(unpaid);
            Self::credit(who, settlement, paid)?;
            Funding::<T>::mutate(settlement, |f| {
                f.paid_to_traders = f.paid_to_traders.saturating_add(paid)
            });
        }
        let size = valuation::contracts(position.size).map_err(Self::verr)?;
        let move_sum = valuation::to_i(
            valuation::from_i(delta)
                .checked_mul(size)
                .ok_or(Error::<T>::Overflow)?,
        );
        series.funding_sum = series.funding_sum.saturating_add(move_sum);
        position.funding_index = series.funding_index;
        Self::deposit_event(Event::FundingSettled {
            who: who.clone(),
            series: series_id,
            amount: units,
        });
        Ok(())
    }

    /// Pays `amount` owed to `who` from the pool (the caller credits it). What the pool
    /// cannot pay is a claim on it, senior to its LPs; under a policy that forfeits it
    /// (deleveraging) it is reported as unpaid instead (auto-deleveraging recovers it for the
    /// pool). Returns what was not paid now.
    pub(crate) fn pay_trader(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
        policy: trade::Policy,
        gaps: &mut Gaps,
    ) -> Result<Balance, DispatchError> {
        let unpaid = T::Pool::pay(settlement, &Self::pot(settlement), amount)?;
        if policy.forfeits_unpaid {
            gaps.unpaid = gaps.unpaid.saturating_add(unpaid);
        } else {
            T::Pool::record_claim(settlement, who, unpaid);
            gaps.claimed = gaps.claimed.saturating_add(unpaid);
        }
        Ok(unpaid)
    }

    /// Settles the funding of every position of `who` in `settlement`.
    pub fn settle_account_funding(who: &T::AccountId, settlement: AssetId) -> DispatchResult {
        Self::sync(who, settlement);
        let now = T::Time::now();
        for (id, mut position) in Accounts::<T>::get(settlement, who).positions {
            let mut series = SeriesBook::<T>::get(id).ok_or(Error::<T>::UnknownSeries)?;
            let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
            if series.funding_time != now {
                let before = series.risk();
                // A position must not settle against an index that was not brought up to now:
                // say why the series could not be valued (the price's named error) if it can.
                if !Self::accrue(&mut series, &market, now) {
                    Self::market_prices(&market)?;
                    return Err(Error::<T>::FundingNotAccrued.into());
                }
                Self::book_risk_moved(settlement, before, series.risk());
            }
            let mut gaps = Gaps::default();
            Self::settle_funding(
                who,
                id,
                &mut series,
                &market,
                &mut position,
                // Withdrawals and syncs are not charged for the block's end: funding moves now.
                crate::trade::Policy {
                    defers_cash: false,
                    ..TradeMode::Trader.policy()
                },
                &mut gaps,
            )?;
            Self::put_position(who, settlement, id, position);
            SeriesBook::<T>::insert(id, series);
        }
        Ok(())
    }
}

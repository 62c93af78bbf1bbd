//! A trade as a pipeline: checks, funding up to now, the fill along the pool's curve, the
//! position change (pure, from the pricing crate), cash through the margin ledger, the
//! series' book, the indexes, then the pool's limits and the trader's margin. What each kind
//! of trade checks is a [`Policy`] value, not a branch per mode.

use crate::*;
use perpetua_pricing::{
    position::{self, BookSums, Holding},
    Limit,
};

/// What a trade checks and how it settles what cannot be paid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Policy {
    /// The trade must not open contracts (forced closes).
    pub reduce_only: bool,
    /// Pays the trading and latency fees (forced closes pay the liquidation penalty instead).
    pub pays_fee: bool,
    /// Opening risk needs an active series, an open pool, room under the open-interest cap
    /// and under the pool's delta limit.
    pub opening_checks: bool,
    /// Opening risk needs the trader's equity at or above the initial margin after the fill.
    pub margin_check: bool,
    /// A loss or funding beyond the collateral is reported as a shortfall (bad debt) rather
    /// than refused.
    pub shortfall_allowed: bool,
    /// A profit or funding the pool cannot pay is forfeited (reported as unpaid) rather than
    /// recorded as a claim on the pool.
    pub forfeits_unpaid: bool,
    /// Charges the liquidation penalty (reported in the fill for the liquidation pallet).
    pub penalised: bool,
    /// What the pool receives (fee, loss, funding) is booked at once and its cash moved at
    /// the block's end, with the block's other trades' (`PoolLedger::accrue_all`): only for
    /// calls whose weight pays for the block's end (a trader's trade); the others move it at
    /// once.
    pub defers_cash: bool,
}

impl Policy {
    /// Books inflows from `pot` into the pool as this policy says: deferred or at once.
    pub(crate) fn receive<T: Config>(
        &self,
        settlement: AssetId,
        pot: &T::AccountId,
        parts: &[(Inflow, Balance)],
    ) -> sp_runtime::DispatchResult {
        if self.defers_cash {
            T::Pool::accrue_all(settlement, pot, parts)
        } else {
            T::Pool::receive_all(settlement, pot, parts)
        }
    }
}

impl TradeMode {
    /// The checks and settlement rules of this kind of trade.
    pub fn policy(self) -> Policy {
        match self {
            TradeMode::Trader => Policy {
                reduce_only: false,
                pays_fee: true,
                opening_checks: true,
                margin_check: true,
                shortfall_allowed: false,
                forfeits_unpaid: false,
                penalised: false,
                defers_cash: true,
            },
            TradeMode::Quote => Policy {
                margin_check: false,
                ..TradeMode::Trader.policy()
            },
            TradeMode::Liquidation => Policy {
                reduce_only: true,
                pays_fee: false,
                opening_checks: false,
                margin_check: false,
                shortfall_allowed: true,
                forfeits_unpaid: false,
                penalised: true,
                defers_cash: false,
            },
            TradeMode::Deleverage => Policy {
                forfeits_unpaid: true,
                penalised: false,
                ..TradeMode::Liquidation.policy()
            },
        }
    }
}

/// A fill priced against the pool, USD.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Priced {
    /// Signed cost (negative: the trader receives).
    pub cost: Fixed,
    /// Average price per contract.
    pub avg: Fixed,
    /// The whole fee (trading plus latency), zero when the policy pays none.
    pub fee: Fixed,
    /// Of which the latency fee.
    pub latency: Fixed,
}

impl<T: Config> Pallet<T> {
    /// Prices `size` contracts of `series` (per-unit quote `q` at the index) against the pool
    /// now. `limit`: whether the curve's skew limit applies (only to trades that open risk).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn price_trade(
        series: &Series,
        market: &Market,
        prices: &MarketPrices,
        liquidity: Fixed,
        size: i128,
        limit: Limit,
        q: &perpetua_pricing::Quote,
        pays_fee: bool,
    ) -> Result<Priced, ValuationError> {
        let price = valuation::contract_price(q, market)?;
        let cost =
            valuation::cost_along_curve(price, series.net(), size, liquidity, market, limit)?;
        let avg = valuation::average_price(cost, size)?;
        let (fee, latency) = if pays_fee {
            let latency = valuation::latency_fee(q, size, prices.spot, prices.vol, market)?;
            let fee = valuation::trade_fee(cost, size, prices.spot, market)?
                .checked_add(latency)
                .ok_or(ValuationError::Overflow)?;
            (fee, latency)
        } else {
            (Fixed::ZERO, Fixed::ZERO)
        };
        Ok(Priced {
            cost,
            avg,
            fee,
            latency,
        })
    }

    /// Executes a trade. `limits`: (limit price, deadline); `None` for forced closes (the
    /// liquidation pallet checks health itself). See [`TradeMode::policy`] for what each kind
    /// checks.
    pub fn do_trade(
        who: &T::AccountId,
        series_id: SeriesId,
        size: i128,
        limits: Option<(FixedU128, Moment)>,
        mode: TradeMode,
    ) -> Result<Fill, DispatchError> {
        Self::do_trade_with(who, series_id, size, limits, mode, &mut Default::default())
    }

    /// [`Self::do_trade`] with a valuation cache shared with the caller (its book
    /// valuations are forgotten once the trade moves the book).
    pub fn do_trade_with(
        who: &T::AccountId,
        series_id: SeriesId,
        size: i128,
        limits: Option<(FixedU128, Moment)>,
        mode: TradeMode,
        cache: &mut risk::ValuationCache,
    ) -> Result<Fill, DispatchError> {
        let policy = mode.policy();
        ensure!(size != 0, Error::<T>::ZeroSize);
        let now = T::Time::now();
        if let Some((_, deadline)) = limits {
            ensure!(now <= deadline, Error::<T>::DeadlineExpired);
        }
        let mut series = SeriesBook::<T>::get(series_id).ok_or(Error::<T>::UnknownSeries)?;
        let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
        let settlement = market.settlement;
        Self::sync(who, settlement);
        let old = Self::position_in(who, settlement, series_id);
        let old_size = old.map_or(0, |p| p.size);
        // A trade that only reduces the position is always allowed (at any skew, on a
        // delisted series, with the pool closed): nobody is trapped in a position.
        let opens = position::increases(old_size, size);
        ensure!(!(policy.reduce_only && opens), Error::<T>::NotReducing);
        if opens && policy.opening_checks {
            ensure!(series.active && market.active, Error::<T>::SeriesInactive);
            ensure!(T::Pool::is_open(settlement), Error::<T>::PoolClosed);
        }
        // One valuation cache for the whole trade: the market's prices are read and the
        // series priced at the index once.
        let prices = Self::prices_cached(&market, cache)?;
        let q = Self::quote_cached(&series, &market, &prices, cache)?;

        // 1. Funding up to now, then the position's share of it: a position never records a
        //    funding index that was not brought up to now.
        let before = series.risk();
        ensure!(
            Self::accrue_with(&mut series, &market, now, &prices, &q),
            Error::<T>::FundingNotAccrued
        );
        let mut position = old.unwrap_or(Position {
            size: 0,
            entry: FixedU128::zero(),
            funding_index: series.funding_index,
        });
        let mut gaps = Gaps::default();
        Self::settle_funding(
            who,
            series_id,
            &mut series,
            &market,
            &mut position,
            policy,
            &mut gaps,
        )?;

        // 2. The fill along the pool's curve.
        let liquidity = Self::liquidity(&market, &prices)?;
        let limit = if opens {
            Limit::Enforced
        } else {
            Limit::Waived
        };
        let priced = Self::price_trade(
            &series,
            &market,
            &prices,
            liquidity,
            size,
            limit,
            &q,
            policy.pays_fee,
        )
        .map_err(Self::verr)?;
        if let Some((limit, _)) = limits {
            let limit = valuation::fx(limit);
            let ok = if size > 0 {
                priced.avg <= limit
            } else {
                priced.avg >= limit
            };
            ensure!(ok, Error::<T>::SlippageExceeded);
        }

        // 3. The position change.
        let held = Holding {
            size: old_size,
            entry: valuation::fx(position.entry),
        };
        let change = position::fill(held, size, priced.avg).map_err(|_| Error::<T>::Overflow)?;

        // 4. Cash, in the settlement asset, through the margin ledger.
        let (fee, realised, penalty) = Self::settle_fill(
            who, &market, &prices, &q, &priced, old_size, &change, policy, &mut gaps,
        )?;

        // 5. The series' book.
        let index = valuation::from_i(series.funding_index);
        let sums = position::replace(
            BookSums {
                long: series.long,
                short: series.short,
                entry_sum: valuation::from_i(series.entry_sum),
                funding_sum: valuation::from_i(series.funding_sum),
            },
            held,
            index,
            change.holding,
            index,
        )
        .map_err(|_| Error::<T>::Overflow)?;
        series.long = sums.long;
        series.short = sums.short;
        series.entry_sum = valuation::to_i(sums.entry_sum);
        series.funding_sum = valuation::to_i(sums.funding_sum);
        if series.long == 0 && series.short == 0 {
            // No position: the sums over positions are zero, whatever rounding (of updates,
            // of splits) they had gathered. Found by the fuzzer: after a split, a closed
            // series kept a funding sum of a few 10^-18 the pool counted as receivable.
            series.entry_sum = FixedI128::zero();
            series.funding_sum = FixedI128::zero();
            series.funding_rounding = 0;
        }
        if opens && policy.opening_checks {
            ensure!(
                series.open_interest() <= market.params.max_open_interest,
                Error::<T>::OpenInterestCap
            );
        }
        let risk = Self::series_risk(&series, &market, &prices, &q).map_err(Self::verr)?;
        series.pool_margin = risk.margin;
        series.delta_usd = risk.delta;
        Self::book_risk_moved(settlement, before, risk);
        let pool_grows = risk.margin > before.margin;
        let market_id = series.market;
        SeriesBook::<T>::insert(series_id, series);
        // Only a trade that paid a fee has brought the pool's ledger and its receivable into
        // the block, as the benchmarked trades do; a forced close pays none.
        let block = frame_system::Pallet::<T>::block_number();
        let warm = LastTraded::<T>::get(market_id) == Some(block);
        if policy.pays_fee && fee > 0 && !warm {
            LastTraded::<T>::insert(market_id, block);
        }

        // 6. The trader's position, in its margin account.
        let positions = Self::store_position(who, series_id, settlement, change.holding, &series)?;

        // 7. The pool's limits, then the trader's margin.
        Self::report_pool_margin(
            settlement,
            pool_grows && policy.opening_checks,
            Some((prices.settle_low, market.settlement_decimals)),
        )?;
        cache.forget_book();
        if opens && policy.opening_checks {
            Self::check_pool_delta(settlement, prices.settle_low, market.settlement_decimals)?;
        }
        if opens && policy.margin_check {
            let (h, _) = Self::health_with(who, settlement, cache, false, risk::Basis::Live)?;
            ensure!(h.equity >= h.initial, Error::<T>::InsufficientMargin);
        }
        let fill = Fill {
            price: valuation::to_u(priced.avg),
            cost: valuation::to_i(priced.cost),
            fee,
            realised,
            position: change.holding.size,
            shortfall: gaps.shortfall,
            unpaid: gaps.unpaid,
            penalty,
            warm,
            positions,
            basket: Self::basket_len(who, settlement),
        };
        Self::deposit_event(Event::Traded {
            who: who.clone(),
            series: series_id,
            size,
            price: fill.price,
            cost: fill.cost,
            fee,
            realised,
            position: change.holding.size,
        });
        Ok(fill)
    }

    /// The cash of a fill: the fee (rounded up; its latency part to the tranches like a
    /// trading result), the realised PnL (a loss rounded up at the low settlement price, a
    /// profit rounded down at the high one), and for a liquidation the penalty it owes
    /// (charged by the liquidation pallet from what is left). Returns (fee, realised,
    /// penalty) in base units.
    #[allow(clippy::too_many_arguments)]
    fn settle_fill(
        who: &T::AccountId,
        market: &Market,
        prices: &MarketPrices,
        q: &perpetua_pricing::Quote,
        priced: &Priced,
        old_size: i128,
        change: &position::FillChange,
        policy: Policy,
        gaps: &mut Gaps,
    ) -> Result<(Balance, i128, Balance), DispatchError> {
        let settlement = market.settlement;
        let decimals = market.settlement_decimals;
        let pot = Self::pot(settlement);
        let units = |usd: Fixed, price: Fixed, r: Rounding| {
            valuation::usd_to_units(usd, price, decimals, r).map_err(Self::verr)
        };
        let fee = units(priced.fee, prices.settle_low, Rounding::Up)?;
        // An account with extra collateral may owe the part of the fee its settlement
        // collateral cannot pay; the pool receives what is paid now (the rest, when repaid,
        // as a trading result).
        // The basket is read only when the settlement collateral falls short (a failed debit
        // changes nothing).
        let fee_paid = match Self::debit(who, settlement, fee) {
            Ok(()) => fee,
            Err(e) if !Self::has_extra(who, settlement) => return Err(e.into()),
            Err(_) => Self::take_owed(who, settlement, fee, policy, gaps)?,
        };
        // The latency part of the fee pays the pool for trading against an oracle that is
        // always a little behind: it goes to the tranches like a trading result, not into the
        // fee split (where the protocol's share would leave the LPs short of it).
        let latency = units(priced.latency, prices.settle_low, Rounding::Down)?.min(fee_paid);
        let fees = [
            (Inflow::Fee, fee_paid.saturating_sub(latency)),
            (Inflow::LatencyFee, latency),
        ];

        // The fee and a realised loss reach the pool in one receipt. A trader's trade books
        // it now and leaves its cash in the pot until the block's end, with the block's other
        // trades' (one token move for all); a forced close, charged without the block's end,
        // moves it at once.
        let receive = |parts: &[(Inflow, Balance)]| policy.receive::<T>(settlement, &pot, parts);
        let realised: i128 = if change.realised.is_negative() {
            let owed = units(
                change.realised.checked_abs().ok_or(Error::<T>::Overflow)?,
                prices.settle_low,
                Rounding::Up,
            )?;
            let loss = Self::take_owed(who, settlement, owed, policy, gaps)?;
            receive(&[fees[0], fees[1], (Inflow::Gain, loss)])?;
            -(loss as i128)
        } else {
            receive(&fees)?;
            let gain = units(change.realised, prices.settle_high, Rounding::Down)?;
            let unpaid = Self::pay_trader(who, settlement, gain, policy, gaps)?;
            let paid = gain.saturating_sub(unpaid);
            Self::credit(who, settlement, paid)?;
            paid as i128
        };

        // The penalty is a share of the maintenance margin the close frees, so it can never
        // exceed what the account had to hold against the closed contracts.
        let penalty = if policy.penalised && change.closed > 0 {
            let closed = i128::try_from(change.closed).map_err(|_| Error::<T>::Overflow)?;
            let held = if old_size > 0 { closed } else { -closed };
            let freed =
                valuation::margin_of(q, prices.spot, held, market, MarginLevel::Maintenance)
                    .map_err(Self::verr)?;
            let usd = freed
                .mul_round(
                    valuation::fp(market.params.liquidation_penalty),
                    Rounding::Up,
                )
                .ok_or(Error::<T>::Overflow)?;
            units(usd, prices.settle_low, Rounding::Up)?
        } else {
            0
        };
        Ok((fee, realised, penalty))
    }
}

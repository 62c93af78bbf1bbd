//! Account health from per-series valuations that one scan shares across every account, and
//! the margin engine the liquidation pallet drives (`MarginEngine`).

use crate::*;
use alloc::{collections::BTreeMap, vec::Vec};
use perpetua_primitives::{
    AccountRisk, CloseKind, Closed, CryptoIndex, MarginEngine, PositionRisk,
};

/// Which prices an account's health is valued at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The pool's live mark (the worse for the holder of it and the theoretical price): what
    /// opening risk and withdrawing collateral are checked at.
    Live,
    /// The mark at the net position the block started with (the worse for the holder of it
    /// and the theoretical price): what liquidation is judged at. The index and the
    /// volatility come from the oracle's quorum and the skew from the start of the block, so
    /// no trade in the block can push an account under.
    Liquidation,
}

/// A series valued at current prices: what every position in it needs for its health.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesValue {
    /// USD per whole settlement token, and the token's decimals.
    pub settle: Fixed,
    pub decimals: u8,
    /// USD per contract.
    pub theo: Fixed,
    pub mark: Fixed,
    /// The mark at the block's starting net position.
    pub block_mark: Fixed,
    /// The liquidation penalty of one long and one short contract, USD.
    pub long_penalty: Fixed,
    pub short_penalty: Fixed,
    /// Margin per contract of a long and of a short position, USD.
    pub long_initial: Fixed,
    pub long_maintenance: Fixed,
    pub short_initial: Fixed,
    pub short_maintenance: Fixed,
    /// One contract's notional (contract size times index), USD.
    pub notional: Fixed,
    /// The series' funding index.
    pub funding_index: FixedI128,
}

/// The inputs that fix a quote at the index: every market on one index prices a strike and
/// kind alike, whatever it settles in, so 250 settlements' BTC books share their quotes.
pub type QuoteKey = (CryptoIndex, bool, u128, u64);

/// The quote key of a series of `market` at `strike` (none of its parts ever changes).
pub fn quote_key(market: &Market, strike: FixedU128, kind: OptionKind) -> QuoteKey {
    (
        market.index,
        matches!(kind, OptionKind::Call),
        strike.into_inner(),
        market.params.funding_period_secs,
    )
}

/// Valuations shared within one scan or one liquidation: per series, and the haircut per
/// settlement asset. Invalid once a trade moves a series (its mark and funding change).
#[derive(Default)]
pub struct ValuationCache {
    series: BTreeMap<SeriesId, Result<SeriesValue, DispatchError>>,
    haircuts: BTreeMap<AssetId, Fixed>,
    /// Prices per index and per settlement asset, each read once per scan.
    index_prices: BTreeMap<CryptoIndex, Result<valuation::IndexPrices, DispatchError>>,
    settlement_prices: BTreeMap<AssetId, Result<valuation::SettlementPrices, DispatchError>>,
    /// Quotes at the index: they depend on the prices only, not on the book.
    quotes: BTreeMap<QuoteKey, perpetua_pricing::Quote>,
}

impl ValuationCache {
    /// Forgets the book's valuations (after a trade or a move of pool capital: marks depend
    /// on both), keeping prices, quotes and haircuts, which do not.
    pub fn forget_book(&mut self) {
        self.series.clear();
    }
}

impl<T: Config> Pallet<T> {
    /// The health of `who`'s account in `settlement`, USD, at current prices.
    pub fn health(who: &T::AccountId, settlement: AssetId) -> Result<Health, DispatchError> {
        Self::health_with(who, settlement, &mut Default::default(), false, Basis::Live)
            .map(|(h, _)| h)
    }

    /// The haircut on `settlement` collateral now: it grows with the square root of the
    /// hours its price goes unrefreshed over ([`PriceProvider::unpriced_interval`]: the
    /// whole closed period, held until the first fresh price after the open, ramped up
    /// before the close); the maximum when that is unknown.
    pub fn haircut(settlement: AssetId) -> Fixed {
        valuation::haircut(
            &Haircuts::<T>::get(settlement),
            Self::unpriced_hours(settlement),
        )
    }

    /// The hours `asset`'s price has gone unrefreshed over (pallet-prices'
    /// `unpriced_interval`), `None` when unknown: what every haircut's gap term grows with.
    pub fn unpriced_hours(asset: AssetId) -> Option<Fixed> {
        T::Prices::unpriced_interval(asset)
            .and_then(|ms| Fixed::from_rational(ms.min(i64::MAX as u64) as i128, 3_600_000))
    }

    /// The prices of `market`, from `cache` or read: its index's and its settlement's, each
    /// read once per scan however many markets share them.
    pub fn prices_cached(
        market: &Market,
        cache: &mut ValuationCache,
    ) -> Result<MarketPrices, DispatchError> {
        let index = (*cache
            .index_prices
            .entry(market.index)
            .or_insert_with(|| Self::index_prices(market.index).map_err(Into::into)))?;
        let settlement = (*cache
            .settlement_prices
            .entry(market.settlement)
            .or_insert_with(|| Self::settlement_prices(market.settlement).map_err(Into::into)))?;
        Ok(MarketPrices::of(index, settlement))
    }

    /// The quote of `series` at the index, from `cache` or priced: shared by every series of
    /// the same index, kind, strike and funding period.
    pub fn quote_cached(
        series: &Series,
        market: &Market,
        prices: &MarketPrices,
        cache: &mut ValuationCache,
    ) -> Result<perpetua_pricing::Quote, DispatchError> {
        let key = quote_key(market, series.strike, series.kind);
        if let Some(q) = cache.quotes.get(&key) {
            return Ok(*q);
        }
        let q = valuation::quote_at(series, market, prices.spot, prices.vol)
            .map_err(|e| DispatchError::from(Self::verr(e)))?;
        cache.quotes.insert(key, q);
        Ok(q)
    }

    fn value_series(
        series: &Series,
        market: &Market,
        cache: &mut ValuationCache,
    ) -> Result<SeriesValue, DispatchError> {
        let prices = Self::prices_cached(market, cache)?;
        let liquidity = Self::liquidity(market, &prices)?;
        let q = Self::quote_cached(series, market, &prices, cache)?;
        let now = T::Time::now();
        let v = (|| -> Result<SeriesValue, ValuationError> {
            let price = valuation::contract_price(&q, market)?;
            let mark = valuation::mark_at(price, series.net(), liquidity, market)?;
            let block_mark =
                valuation::mark_at(price, series.net_at_block_start(now), liquidity, market)?;
            let m = |size: i128, level| valuation::margin_of(&q, prices.spot, size, market, level);
            let share = valuation::fp(market.params.liquidation_penalty);
            let penalty = |mm: Fixed| {
                mm.mul_round(share, Rounding::Up)
                    .ok_or(ValuationError::Overflow)
            };
            let long_maintenance = m(1, MarginLevel::Maintenance)?;
            let short_maintenance = m(-1, MarginLevel::Maintenance)?;
            Ok(SeriesValue {
                settle: prices.settle,
                decimals: market.settlement_decimals,
                theo: price.theo,
                mark,
                block_mark,
                long_penalty: penalty(long_maintenance)?,
                short_penalty: penalty(short_maintenance)?,
                long_initial: m(1, MarginLevel::Initial)?,
                long_maintenance,
                short_initial: m(-1, MarginLevel::Initial)?,
                short_maintenance,
                notional: valuation::per_contract(prices.spot, market)?,
                funding_index: series.funding_index,
            })
        })();
        v.map_err(|e| Self::verr(e).into())
    }

    /// The valuation of series `id`, from `cache` or computed (and cached, errors too).
    pub fn series_value(
        id: SeriesId,
        cache: &mut ValuationCache,
    ) -> Result<SeriesValue, DispatchError> {
        if let Some(v) = cache.series.get(&id) {
            return *v;
        }
        let v = SeriesBook::<T>::get(id)
            .ok_or_else(|| DispatchError::from(Error::<T>::UnknownSeries))
            .and_then(|series| {
                let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
                Self::value_series(&series, &market, cache)
            });
        cache.series.insert(id, v);
        v
    }

    fn cached_haircut(settlement: AssetId, cache: &mut ValuationCache) -> Fixed {
        *cache
            .haircuts
            .entry(settlement)
            .or_insert_with(|| Self::haircut(settlement))
    }

    /// `who`'s health in `settlement` at current prices on `basis`, valued with `cache`; with
    /// `positions`, also each position's risk.
    pub fn health_with(
        who: &T::AccountId,
        settlement: AssetId,
        cache: &mut ValuationCache,
        positions: bool,
        basis: Basis,
    ) -> Result<(Health, Vec<PositionRisk>), DispatchError> {
        Self::sync(who, settlement);
        let account = Accounts::<T>::get(settlement, who);
        let mut h = Health::default();
        let mut out = Vec::new();
        let mut settle = None;
        let overflow = || DispatchError::from(Error::<T>::Overflow);
        for &(id, position) in account.positions.iter() {
            let v = Self::series_value(id, cache)?;
            settle = Some((v.settle, v.decimals));
            let n = valuation::contracts(position.size).map_err(Self::verr)?;
            let abs = n.checked_abs().ok_or_else(overflow)?;
            let mark = match basis {
                Basis::Live => v.mark,
                Basis::Liquidation => v.block_mark,
            };
            let value = valuation::holder_price(v.theo, mark, position.size);
            let unrealised = value
                .checked_sub(valuation::fx(position.entry))
                .and_then(|d| d.checked_mul(n))
                .ok_or_else(overflow)?;
            let funding = valuation::from_i(v.funding_index.saturating_sub(position.funding_index))
                .checked_mul(n)
                .ok_or_else(overflow)?;
            let (im, mm, pen) = if position.size > 0 {
                (v.long_initial, v.long_maintenance, v.long_penalty)
            } else {
                (v.short_initial, v.short_maintenance, v.short_penalty)
            };
            let im = abs.mul_round(im, Rounding::Up).ok_or_else(overflow)?;
            let mm = abs.mul_round(mm, Rounding::Up).ok_or_else(overflow)?;
            let pen = abs.mul_round(pen, Rounding::Up).ok_or_else(overflow)?;
            let add = |a: Fixed, b: Fixed| a.checked_add(b).ok_or_else(overflow);
            h.unrealised = add(h.unrealised, unrealised)?;
            h.funding_owed = add(h.funding_owed, funding)?;
            h.initial = add(h.initial, im)?;
            h.maintenance = add(h.maintenance, mm)?;
            if positions {
                out.push(PositionRisk {
                    series: id,
                    size: position.size,
                    initial: valuation::to_i(im),
                    maintenance: valuation::to_i(mm),
                    unrealised: valuation::to_i(unrealised),
                    penalty: valuation::to_i(pen),
                    notional: valuation::to_i(abs.checked_mul(v.notional).ok_or_else(overflow)?),
                });
            }
        }
        let (settle, decimals) = match settle {
            Some(s) => s,
            None => {
                // No positions: collateral only, at the settlement price if there is one.
                // An account with debt cannot be valued without it.
                let p = match T::Prices::price(OracleKey::Asset(settlement)) {
                    Ok(p) => p,
                    Err(e) if Baskets::<T>::get(settlement, who).debt > 0 => {
                        return Err(Error::<T>::from(e).into())
                    }
                    Err(_) => return Ok((h, out)),
                };
                (
                    valuation::fx(p),
                    pallet_assets::Metadata::<T>::get(settlement).decimals,
                )
            }
        };
        h.haircut = Self::cached_haircut(settlement, cache);
        let basket = Baskets::<T>::get(settlement, who);
        let collateral_tokens =
            Fixed::from_units(account.collateral, decimals as u32).ok_or_else(overflow)?;
        let debt_tokens = Fixed::from_units(basket.debt, decimals as u32).ok_or_else(overflow)?;
        let net_tokens = collateral_tokens
            .checked_sub(h.funding_owed)
            .and_then(|t| t.checked_sub(debt_tokens))
            .ok_or_else(overflow)?;
        let kept = Fixed::ONE.checked_sub(h.haircut).ok_or_else(overflow)?;
        // Settlement tokens held count less the haircut; owed by an account with debt, more
        // by it (the settlement stock may gap up against the collateral backing the debt).
        let owed_factor = Fixed::ONE.checked_add(h.haircut).ok_or_else(overflow)?;
        let value = net_tokens
            .checked_mul(settle)
            .and_then(|v| {
                if v.is_positive() {
                    v.mul_round(kept, Rounding::Down)
                } else if basket.debt > 0 {
                    v.mul_round(owed_factor, Rounding::Down)
                } else {
                    Some(v)
                }
            })
            .ok_or_else(overflow)?;
        if !basket.assets.is_empty() {
            h.extra = Self::basket_value(settlement, &basket, matches!(basis, Basis::Liquidation))?;
        }
        h.equity = value
            .checked_add(h.unrealised)
            .and_then(|e| e.checked_add(h.extra))
            .ok_or_else(overflow)?;
        Ok((h, out))
    }

    fn account_risk(who: &T::AccountId, settlement: AssetId, h: &Health) -> AccountRisk {
        AccountRisk {
            equity: valuation::to_i(h.equity),
            initial: valuation::to_i(h.initial),
            maintenance: valuation::to_i(h.maintenance),
            collateral: Self::collateral(who, settlement),
        }
    }

    /// Moves up to `amount` of `who`'s collateral out of the pot with `f`.
    fn take_collateral(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
        f: impl FnOnce(Balance) -> sp_runtime::DispatchResult,
    ) -> Result<Balance, DispatchError> {
        let take = amount.min(Self::collateral(who, settlement));
        if take == 0 {
            return Ok(0);
        }
        f(take)?;
        Self::debit(who, settlement, take)?;
        Ok(take)
    }
}

impl<T: Config> MarginEngine<T::AccountId> for Pallet<T> {
    type Cache = ValuationCache;

    fn settlements() -> Vec<AssetId> {
        Self::settlements()
    }

    fn is_open(who: &T::AccountId, settlement: AssetId) -> bool {
        OpenAccounts::<T>::contains_key(settlement, who)
    }

    fn open_accounts(
        settlement: AssetId,
        cursor: Option<Vec<u8>>,
        max: u32,
    ) -> (Vec<T::AccountId>, Option<Vec<u8>>) {
        OpenAccounts::<T>::scan(settlement, cursor, max)
    }

    fn cursor_at(settlement: AssetId, fraction: u32) -> Vec<u8> {
        // The second key is hashed with blake2_128 (uniform): start at `fraction` of its range.
        let mut key = OpenAccounts::<T>::prefix(settlement);
        if fraction > 0 {
            let position =
                (u128::MAX / 1_000_000_000).saturating_mul(fraction.min(1_000_000_000) as u128);
            key.extend_from_slice(&position.to_be_bytes());
        }
        key
    }

    fn risk(
        who: &T::AccountId,
        settlement: AssetId,
        cache: &mut ValuationCache,
    ) -> Result<AccountRisk, DispatchError> {
        let (h, _) = Self::health_with(who, settlement, cache, false, Basis::Liquidation)?;
        Ok(Self::account_risk(who, settlement, &h))
    }

    fn positions(
        who: &T::AccountId,
        settlement: AssetId,
        cache: &mut ValuationCache,
    ) -> Result<(AccountRisk, Vec<PositionRisk>), DispatchError> {
        let (h, positions) = Self::health_with(who, settlement, cache, true, Basis::Liquidation)?;
        Ok((Self::account_risk(who, settlement, &h), positions))
    }

    fn close(
        who: &T::AccountId,
        series: u32,
        size: i128,
        kind: CloseKind,
        cache: &mut ValuationCache,
    ) -> Result<Closed, DispatchError> {
        let mode = match kind {
            CloseKind::Liquidation => TradeMode::Liquidation,
            CloseKind::Deleverage => TradeMode::Deleverage,
        };
        let fill = Self::do_trade_with(who, series, size, None, mode, cache)?;
        Ok(Closed {
            realised: fill.realised,
            shortfall: fill.shortfall,
            unpaid: fill.unpaid,
            penalty: fill.penalty,
        })
    }

    fn forget_book(cache: &mut ValuationCache) {
        cache.forget_book();
    }

    fn usd_to_units(settlement: AssetId, usd: FixedI128) -> Option<Balance> {
        let price = T::Prices::price(OracleKey::Asset(settlement)).ok()?;
        let decimals = pallet_assets::Metadata::<T>::get(settlement).decimals;
        let usd = valuation::from_i(usd).max(Fixed::ZERO);
        valuation::usd_to_units(usd, valuation::fx(price), decimals, Rounding::Down).ok()
    }

    fn seize(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
        to: &T::AccountId,
    ) -> Result<Balance, DispatchError> {
        Self::take_collateral(who, settlement, amount, |take| {
            T::Mover::transfer(settlement, &Self::pot(settlement), to, take)
        })
    }

    fn start_auction(who: &T::AccountId, settlement: AssetId) -> bool {
        Self::start_auction(who, settlement)
    }

    fn basket_weight(who: &T::AccountId, settlement: AssetId) -> frame_support::weights::Weight {
        Self::basket_weight(Self::basket_len(who, settlement))
    }

    fn seize_to_pool(
        who: &T::AccountId,
        settlement: AssetId,
        amount: Balance,
        kind: Inflow,
    ) -> Result<Balance, DispatchError> {
        Self::take_collateral(who, settlement, amount, |take| {
            T::Pool::receive(settlement, &Self::pot(settlement), take, kind)
        })
    }
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
    /// For benchmarks: `n` accounts, each short one contract in each of `positions` put series
    /// of a BTC market on `settlement` (listed if missing, strikes 100,000 down by 1,000),
    /// with `collateral` of margin, written straight into storage (consistently with every
    /// invariant).
    pub fn bench_accounts(
        settlement: AssetId,
        n: u32,
        positions: u32,
        collateral: Balance,
    ) -> Result<Vec<T::AccountId>, DispatchError> {
        use frame_support::traits::fungibles::Mutate;
        let market = match (0..NextMarketId::<T>::get()).find(|m| {
            Markets::<T>::get(m).is_some_and(|x| {
                x.settlement == settlement && x.index == perpetua_primitives::CryptoIndex::Btc
            })
        }) {
            Some(m) => m,
            None => Self::do_create_market(
                perpetua_primitives::CryptoIndex::Btc,
                settlement,
                MarketParams::default(),
            )?,
        };
        let mut series = Vec::new();
        for i in 0..positions {
            let strike = FixedU128::from_u32(100_000u32.saturating_sub(1_000 * i));
            let existing = SettlementSeries::<T>::get(settlement)
                .into_iter()
                .find(|s| {
                    SeriesBook::<T>::get(s).is_some_and(|x| {
                        x.market == market && x.strike == strike && x.kind == OptionKind::Put
                    })
                });
            series.push(match existing {
                Some(s) => s,
                None => Self::do_list_series(market, strike, OptionKind::Put)?,
            });
        }
        let entry = FixedU128::from_u32(10);
        let mut accounts = Vec::new();
        for i in 0..n {
            let who: T::AccountId = frame_benchmarking::account("margin", i, 0);
            <pallet_assets::Pallet<T> as Mutate<_>>::mint_into(
                settlement,
                &Self::pot(settlement),
                collateral,
            )?;
            Self::credit(&who, settlement, collateral)?;
            for id in &series {
                let Some(mut s) = SeriesBook::<T>::get(id) else {
                    continue;
                };
                let short = perpetua_pricing::position::Holding {
                    size: -1,
                    entry: valuation::fx(entry),
                };
                Self::store_position(&who, *id, settlement, short, &s)?;
                s.short = s.short.saturating_add(1);
                s.entry_sum = s
                    .entry_sum
                    .saturating_sub(FixedI128::from_inner(entry.into_inner() as i128));
                s.funding_sum = s.funding_sum.saturating_sub(s.funding_index);
                SeriesBook::<T>::insert(id, s);
            }
            accounts.push(who);
        }
        Ok(accounts)
    }
}

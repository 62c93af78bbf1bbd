//! # pallet-options
//!
//! Perpetual (everlasting) options on BTC and ETH, coin-margined in a settlement asset (a stock
//! token): a TSLA x BTC market is BTC calls and puts whose premium, funding and profit are paid
//! in TSLA. The liquidity pool of the settlement asset is the counterparty to every trade.
//!
//! - **Markets** (index, settlement asset) and **series** (market, strike, call or put) are
//!   listed by the admin with every risk parameter.
//! - **Margin accounts** per trader and settlement asset hold the settlement asset as collateral
//!   (in a pot account per settlement asset) and cross-margin every position in that asset.
//! - **Trades** fill against the pool at its mark (the everlasting price moved by the pool's
//!   exposure) plus a fee, within the trader's limit price and deadline. Positions carry an
//!   average entry price; reducing one realises its PnL, paid in the settlement asset.
//! - **Funding** accrues per series once per block into a cumulative index in settlement units
//!   per contract (O(series)); positions settle it lazily when touched.
//! - **Health**: equity (collateral after a haircut that grows with the time until the
//!   settlement stock's market opens, plus unrealised PnL, less unsettled funding) against
//!   initial and maintenance margin from the pricing crate.
//!
//! Amounts in USD are `Fixed` (18 decimals); amounts in the settlement asset are base units.
//! Every conversion rounds in the pool's favour.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

mod api;
#[cfg(test)]
mod attack_tests;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod risk;
#[cfg(test)]
mod tests;
pub mod types;
pub mod valuation;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::{
    ensure,
    traits::{fungibles, tokens::Preservation, Get, Time},
};
use perpetua_pricing::{funding, margin::MarginLevel, Fixed, Rounding};
use perpetua_primitives::{
    AssetId, Balance, CorporateActionHandler, FixedI128, FixedU128, Inflow, MarketClock, Moment,
    OracleKey, PoolBook, PoolLedger, PriceError, PriceProvider,
};
use sp_runtime::{
    traits::{AccountIdConversion, One, Saturating, Zero},
    DispatchError,
};
use valuation::{MarketPrices, ValuationError};

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A settlement asset (12 decimals) whose pool holds `capital` deposited by `lp` (funded by
    /// the helper), with usable prices for it, BTC and BTC's volatility. The clock is set
    /// inside its market's session.
    fn settlement(lp: &AccountId, capital: Balance) -> AssetId;
    /// Moves the chain's clock forward by `ms` (prices stay usable).
    fn advance_time(ms: Moment);
}

/// The most decimals a settlement asset may have: amounts convert through 18-decimal fixed
/// point.
pub const MAX_SETTLEMENT_DECIMALS: u8 = 18;

/// An account's health, USD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Health {
    /// Collateral after funding and haircut, plus unrealised PnL.
    pub equity: Fixed,
    /// Margin needed to open or increase risk.
    pub initial: Fixed,
    /// Below this the account is liquidated.
    pub maintenance: Fixed,
    /// Unrealised PnL: longs at the lower of mark and theoretical price, shorts at the higher.
    pub unrealised: Fixed,
    /// Funding owed (positive) or due (negative), whole settlement tokens.
    pub funding_owed: Fixed,
    /// The haircut applied to collateral.
    pub haircut: Fixed,
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, PalletId};
    use frame_system::pallet_prelude::*;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config:
        frame_system::Config + pallet_assets::Config<AssetId = AssetId, Balance = Balance>
    {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Creates markets, lists and delists series, sets parameters.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Prices, freshness-checked.
        type Prices: PriceProvider;
        /// Market sessions of settlement stocks (for the collateral haircut).
        type Clock: MarketClock;
        /// The pools.
        type Pool: PoolLedger<Self::AccountId>;
        /// The chain's clock.
        type Time: Time<Moment = Moment>;
        /// Pot accounts (one per settlement asset) derive from it.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Most markets.
        #[pallet::constant]
        type MaxMarkets: Get<u32>;
        /// Most series per settlement asset (the book is valued over them).
        #[pallet::constant]
        type MaxSeriesPerSettlement: Get<u32>;
        /// Most series with a price, over all markets (the block hook's work).
        #[pallet::constant]
        type MaxSeries: Get<u32>;
        /// Most positions of one account in one settlement asset.
        #[pallet::constant]
        type MaxPositions: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
        /// Sets up a pool and prices for the benchmarks.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
    }

    /// Markets.
    #[pallet::storage]
    pub type Markets<T: Config> = StorageMap<_, Twox64Concat, MarketId, Market>;

    /// The next market id.
    #[pallet::storage]
    pub type NextMarketId<T: Config> = StorageValue<_, MarketId, ValueQuery>;

    /// Series and their aggregated books.
    #[pallet::storage]
    pub type SeriesBook<T: Config> = StorageMap<_, Twox64Concat, SeriesId, Series>;

    /// The next series id.
    #[pallet::storage]
    pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

    /// Every listed series (active or with positions): the block hook walks them.
    #[pallet::storage]
    pub type AllSeries<T: Config> = StorageValue<_, BoundedVec<SeriesId, T::MaxSeries>, ValueQuery>;

    /// Series of each settlement asset: the pool's book.
    #[pallet::storage]
    pub type SettlementSeries<T: Config> = StorageMap<
        _,
        Twox64Concat,
        AssetId,
        BoundedVec<SeriesId, T::MaxSeriesPerSettlement>,
        ValueQuery,
    >;

    /// Collateral haircut parameters per settlement asset.
    #[pallet::storage]
    pub type Haircuts<T: Config> = StorageMap<_, Twox64Concat, AssetId, HaircutParams, ValueQuery>;

    /// Margin accounts: (trader, settlement asset).
    #[pallet::storage]
    pub type Accounts<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        Twox64Concat,
        AssetId,
        MarginAccount,
        ValueQuery,
    >;

    /// Positions: (trader, series).
    #[pallet::storage]
    pub type Positions<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SeriesId, Position>;

    /// The series a trader has positions in, per settlement asset.
    #[pallet::storage]
    pub type AccountSeries<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        Twox64Concat,
        AssetId,
        BoundedVec<SeriesId, T::MaxPositions>,
        ValueQuery,
    >;

    /// Accounts with open positions, per settlement asset: what liquidation scans.
    #[pallet::storage]
    pub type OpenAccounts<T: Config> =
        StorageDoubleMap<_, Twox64Concat, AssetId, Blake2_128Concat, T::AccountId, ()>;

    /// Total collateral per settlement asset (held by its pot account).
    #[pallet::storage]
    pub type TotalCollateral<T: Config> = StorageMap<_, Twox64Concat, AssetId, Balance, ValueQuery>;

    /// Funding settled per settlement asset.
    #[pallet::storage]
    pub type Funding<T: Config> = StorageMap<_, Twox64Concat, AssetId, FundingLedger, ValueQuery>;

    /// The pool's margin requirement over a settlement asset's book, USD (sum of the series').
    #[pallet::storage]
    pub type PoolMargin<T: Config> = StorageMap<_, Twox64Concat, AssetId, FixedU128, ValueQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A market was created.
        MarketCreated {
            market: MarketId,
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
        },
        /// A market's parameters or status changed.
        MarketUpdated { market: MarketId, active: bool },
        /// A series was listed.
        SeriesListed {
            series: SeriesId,
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        },
        /// A series was delisted or relisted.
        SeriesStatus { series: SeriesId, active: bool },
        /// Collateral deposited.
        Deposited {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
        },
        /// Collateral withdrawn.
        Withdrawn {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
        },
        /// A trade filled. `cost` (USD, negative: received) excludes the fee; amounts paid in
        /// the settlement asset follow.
        Traded {
            who: T::AccountId,
            series: SeriesId,
            size: i128,
            price: FixedU128,
            cost: FixedI128,
            fee: Balance,
            realised: i128,
            position: i128,
        },
        /// Funding settled on a position: positive paid by the trader, negative paid to them.
        FundingSettled {
            who: T::AccountId,
            series: SeriesId,
            amount: i128,
        },
        /// Haircut parameters of a settlement asset changed.
        HaircutSet {
            settlement: AssetId,
            params: HaircutParams,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// No such market.
        UnknownMarket,
        /// No such series.
        UnknownSeries,
        /// `MaxMarkets` markets exist.
        TooManyMarkets,
        /// Too many series (per settlement asset or in all).
        TooManySeries,
        /// The settlement asset has no pool.
        NoPool,
        /// The series exists already (same market, strike and kind).
        DuplicateSeries,
        /// Parameters out of range.
        InvalidParams,
        /// The series or its market takes no new risk (delisted or inactive); positions can
        /// only be reduced.
        SeriesInactive,
        /// The pool takes no new risk.
        PoolClosed,
        /// The size of a trade is zero.
        ZeroSize,
        /// The deadline has passed.
        DeadlineExpired,
        /// The fill is worse than the limit price.
        SlippageExceeded,
        /// The series' open interest would exceed its cap.
        OpenInterestCap,
        /// Equity would fall below the initial margin.
        InsufficientMargin,
        /// Not enough collateral for what must be paid now.
        InsufficientCollateral,
        /// Amounts must be above zero.
        ZeroAmount,
        /// `MaxPositions` positions in this settlement asset.
        TooManyPositions,
        /// A price needed is older than its market allows.
        StalePrice,
        /// A price needed is held by the circuit breaker.
        CircuitOpen,
        /// A price needed was never published.
        MissingPrice,
        /// The settlement stock is halted: its price is not usable.
        SettlementHalted,
        /// The pricing maths refused the inputs (strike, volatility or spot out of range).
        PricingFailed,
        /// The pool has no liquidity to price against.
        NoPoolLiquidity,
        /// The trade would skew the pool's book beyond its curve's limit.
        SkewLimit,
        /// Funding of the series could not be brought up to now (its valuation failed).
        FundingNotAccrued,
        /// The settlement asset has more decimals than the fixed-point maths carries (18).
        SettlementDecimalsTooLarge,
        /// A forced close (liquidation or deleveraging) must reduce the position.
        NotReducing,
        /// Arithmetic overflow.
        Overflow,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Markets with their series: (index, settlement, params, [(strike, kind)]).
        #[allow(clippy::type_complexity)]
        pub markets: Vec<(
            perpetua_primitives::CryptoIndex,
            AssetId,
            MarketParams,
            Vec<(FixedU128, OptionKind)>,
        )>,
        #[serde(skip)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (index, settlement, params, series) in &self.markets {
                let market = Pallet::<T>::do_create_market(*index, *settlement, *params);
                assert!(market.is_ok(), "genesis market: {market:?}"); // proof: genesis only
                let market = market.unwrap_or_default(); // proof: checked above
                for (strike, kind) in series {
                    let r = Pallet::<T>::do_list_series(market, *strike, *kind);
                    assert!(r.is_ok(), "genesis series: {r:?}"); // proof: genesis only
                }
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            let series = AllSeries::<T>::decode_len().unwrap_or(0) as u32;
            <T as Config>::WeightInfo::accrue_funding(series)
        }

        /// Funding accrues once per block, after the block's price feeds, for every series:
        /// O(series), whatever the number of positions.
        fn on_finalize(_n: BlockNumberFor<T>) {
            Self::accrue_all();
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Creates a market of options on `index` settled in `settlement` (admin). The
        /// settlement asset needs a pool.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::create_market())]
        pub fn create_market(
            origin: OriginFor<T>,
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
            params: MarketParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_create_market(index, settlement, params).map(|_| ())
        }

        /// Changes a market's parameters and status (admin).
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::update_market())]
        pub fn update_market(
            origin: OriginFor<T>,
            market: MarketId,
            params: MarketParams,
            active: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::validate(&params)?;
            Markets::<T>::try_mutate(market, |m| -> DispatchResult {
                let m = m.as_mut().ok_or(Error::<T>::UnknownMarket)?;
                ensure!(
                    m.params.funding_period_secs == params.funding_period_secs
                        && m.params.contract_size == params.contract_size,
                    Error::<T>::InvalidParams
                );
                m.params = params;
                m.active = active;
                Ok(())
            })?;
            Self::deposit_event(Event::MarketUpdated { market, active });
            Ok(())
        }

        /// Lists a series (admin).
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::list_series())]
        pub fn list_series(
            origin: OriginFor<T>,
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_list_series(market, strike, kind).map(|_| ())
        }

        /// Delists (or relists) a series (admin): no new risk; positions can still be reduced
        /// and keep paying funding.
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::set_series_active())]
        pub fn set_series_active(
            origin: OriginFor<T>,
            series: SeriesId,
            active: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            SeriesBook::<T>::try_mutate(series, |s| -> DispatchResult {
                s.as_mut().ok_or(Error::<T>::UnknownSeries)?.active = active;
                Ok(())
            })?;
            Self::deposit_event(Event::SeriesStatus { series, active });
            Ok(())
        }

        /// Sets the collateral haircut of a settlement asset (admin).
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::set_haircut())]
        pub fn set_haircut(
            origin: OriginFor<T>,
            settlement: AssetId,
            params: HaircutParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(params.base <= params.max, Error::<T>::InvalidParams);
            Haircuts::<T>::insert(settlement, params);
            Self::deposit_event(Event::HaircutSet { settlement, params });
            Ok(())
        }

        /// Deposits `amount` of `settlement` as collateral.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::deposit())]
        pub fn deposit(
            origin: OriginFor<T>,
            settlement: AssetId,
            amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            ensure!(
                !SettlementSeries::<T>::get(settlement).is_empty(),
                Error::<T>::UnknownMarket
            );
            Self::transfer(settlement, &who, &Self::pot(settlement), amount)?;
            Accounts::<T>::mutate(&who, settlement, |a| {
                a.collateral = a.collateral.saturating_add(amount)
            });
            TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_add(amount));
            Self::deposit_event(Event::Deposited {
                who,
                settlement,
                amount,
            });
            Ok(())
        }

        /// Withdraws `amount` of collateral, if equity stays above the initial margin
        /// (funding is settled first).
        #[pallet::call_index(6)]
        #[pallet::weight(<T as Config>::WeightInfo::withdraw(T::MaxPositions::get()))]
        #[allow(clippy::useless_conversion)]
        pub fn withdraw(
            origin: OriginFor<T>,
            settlement: AssetId,
            amount: Balance,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            Self::settle_account_funding(&who, settlement)?;
            let account = Accounts::<T>::get(&who, settlement);
            ensure!(
                account.collateral >= amount,
                Error::<T>::InsufficientCollateral
            );
            Accounts::<T>::insert(
                &who,
                settlement,
                MarginAccount {
                    collateral: account.collateral.saturating_sub(amount),
                },
            );
            if !AccountSeries::<T>::get(&who, settlement).is_empty() {
                let h = Self::health(&who, settlement)?;
                ensure!(h.equity >= h.initial, Error::<T>::InsufficientMargin);
            }
            Self::transfer(settlement, &Self::pot(settlement), &who, amount)?;
            TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_sub(amount));
            let positions = AccountSeries::<T>::decode_len(&who, settlement).unwrap_or(0) as u32;
            Self::deposit_event(Event::Withdrawn {
                who,
                settlement,
                amount,
            });
            // Charged for the positions valued, not for the most an account may hold.
            Ok(Some(<T as Config>::WeightInfo::withdraw(positions.max(1))).into())
        }

        /// Buys (`size` > 0) or sells (`size` < 0) contracts of `series` from the pool at no
        /// worse than `limit_price` (USD per contract, before the fee) and not after
        /// `deadline` (ms). Reducing a position realises its PnL.
        #[pallet::call_index(7)]
        #[pallet::weight(<T as Config>::WeightInfo::trade(T::MaxPositions::get()))]
        #[allow(clippy::useless_conversion)]
        pub fn trade(
            origin: OriginFor<T>,
            series: SeriesId,
            size: i128,
            limit_price: FixedU128,
            deadline: Moment,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            Self::do_trade(
                &who,
                series,
                size,
                Some((limit_price, deadline)),
                TradeMode::Trader,
            )?;
            let positions = Self::positions_count(&who, series);
            // Charged for the positions valued, not for the most an account may hold.
            Ok(Some(<T as Config>::WeightInfo::trade(positions.max(1))).into())
        }
    }

    impl<T: Config> Pallet<T> {
        /// How many positions `who` holds in the settlement asset of `series`.
        pub fn positions_count(who: &T::AccountId, series: SeriesId) -> u32 {
            SeriesBook::<T>::get(series)
                .and_then(|s| Markets::<T>::get(s.market))
                .and_then(|m| AccountSeries::<T>::decode_len(who, m.settlement))
                .unwrap_or(0) as u32
        }

        /// The pot account holding a settlement asset's collateral.
        pub fn pot(settlement: AssetId) -> T::AccountId {
            T::PalletId::get().into_sub_account_truncating(settlement)
        }

        fn validate(p: &MarketParams) -> DispatchResult {
            let ok = !p.contract_size.is_zero()
                && p.funding_period_secs >= 3600
                && p.funding_period_secs <= 365 * 86_400
                && p.maintenance_shock <= p.initial_shock
                && p.maintenance_time_value <= p.initial_time_value
                && p.maintenance_floor <= p.initial_floor
                && p.curve_max_skew < FixedU128::one()
                && !p.curve_max_skew.is_zero()
                && p.max_open_interest > 0;
            ensure!(ok, Error::<T>::InvalidParams);
            Ok(())
        }

        pub fn do_create_market(
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
            params: MarketParams,
        ) -> Result<MarketId, DispatchError> {
            Self::validate(&params)?;
            ensure!(T::Pool::is_open(settlement), Error::<T>::NoPool);
            let id = NextMarketId::<T>::get();
            ensure!(id < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
            let decimals = pallet_assets::Metadata::<T>::get(settlement).decimals;
            // Base units convert through 18-decimal fixed point: 10^decimals must fit in it.
            ensure!(
                decimals <= MAX_SETTLEMENT_DECIMALS,
                Error::<T>::SettlementDecimalsTooLarge
            );
            Markets::<T>::insert(
                id,
                Market {
                    index,
                    settlement,
                    settlement_decimals: decimals,
                    params,
                    active: true,
                },
            );
            NextMarketId::<T>::put(id.saturating_add(1));
            Self::deposit_event(Event::MarketCreated {
                market: id,
                index,
                settlement,
            });
            Ok(id)
        }

        pub fn do_list_series(
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        ) -> Result<SeriesId, DispatchError> {
            let m = Markets::<T>::get(market).ok_or(Error::<T>::UnknownMarket)?;
            ensure!(!strike.is_zero(), Error::<T>::InvalidParams);
            let settlement_series = SettlementSeries::<T>::get(m.settlement);
            let duplicate = settlement_series.iter().any(|s| {
                SeriesBook::<T>::get(s)
                    .is_some_and(|x| x.market == market && x.strike == strike && x.kind == kind)
            });
            ensure!(!duplicate, Error::<T>::DuplicateSeries);
            let id = NextSeriesId::<T>::get();
            AllSeries::<T>::try_mutate(|a| a.try_push(id))
                .map_err(|_| Error::<T>::TooManySeries)?;
            SettlementSeries::<T>::try_mutate(m.settlement, |a| a.try_push(id))
                .map_err(|_| Error::<T>::TooManySeries)?;
            SeriesBook::<T>::insert(
                id,
                Series {
                    market,
                    strike,
                    kind,
                    active: true,
                    long: 0,
                    short: 0,
                    entry_sum: FixedI128::zero(),
                    funding_index: FixedI128::zero(),
                    funding_sum: FixedI128::zero(),
                    funding_time: T::Time::now(),
                    pool_margin: FixedU128::zero(),
                },
            );
            NextSeriesId::<T>::put(id.saturating_add(1));
            Self::deposit_event(Event::SeriesListed {
                series: id,
                market,
                strike,
                kind,
            });
            Ok(id)
        }

        pub(crate) fn transfer(
            asset: AssetId,
            from: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
        ) -> DispatchResult {
            if amount == 0 {
                return Ok(());
            }
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::transfer(
                asset,
                from,
                to,
                amount,
                Preservation::Expendable,
            )
            .map(|_| ())
        }

        /// The prices `market` needs now, or the named reason they are not usable.
        pub fn market_prices(market: &Market) -> Result<MarketPrices, Error<T>> {
            let e = |err: PriceError| match err {
                PriceError::Stale => Error::<T>::StalePrice,
                PriceError::CircuitOpen => Error::<T>::CircuitOpen,
                PriceError::Missing => Error::<T>::MissingPrice,
                PriceError::Halted => Error::<T>::SettlementHalted,
            };
            let spot = T::Prices::price(OracleKey::Crypto(market.index)).map_err(e)?;
            let spot_ema = T::Prices::ema_price(OracleKey::Crypto(market.index)).map_err(e)?;
            let vol = T::Prices::implied_vol(market.index).map_err(e)?;
            let key = OracleKey::Asset(market.settlement);
            let settle = valuation::fx(T::Prices::price(key).map_err(e)?);
            let (settle_low, settle_high) = if T::Prices::is_fresh(key) {
                (settle, settle)
            } else {
                valuation::widen(settle, Self::haircut(market.settlement)).map_err(Self::verr)?
            };
            Ok(MarketPrices {
                spot: valuation::fx(spot),
                spot_ema: valuation::fx(spot_ema),
                vol: valuation::fx(vol),
                settle,
                settle_low,
                settle_high,
            })
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

        /// Funding a long pays per contract over `dt` ms, whole settlement tokens (negative:
        /// longs receive): `(mark - intrinsic) * dt / T`, converted at the settlement price.
        /// `q_ema` is the series' quote at the EMA of the index.
        /// The mark uses the EMA of the index, so that one block's spike cannot move funding;
        /// the intrinsic value uses the index itself.
        pub(crate) fn funding_per_contract(
            series: &Series,
            market: &Market,
            prices: &MarketPrices,
            liquidity: Fixed,
            dt: Moment,
            q_ema: &perpetua_pricing::Quote,
        ) -> Result<Fixed, ValuationError> {
            let theo = valuation::per_contract(q_ema.price, market)?;
            let mark = valuation::mark_per_contract(theo, series, liquidity, market)?;
            let intrinsic = valuation::per_contract(
                perpetua_pricing::intrinsic(
                    crate::types::pricing_kind(series.kind),
                    prices.spot,
                    valuation::fx(series.strike),
                )?,
                market,
            )?;
            let per_contract_usd = funding::for_interval(
                mark,
                intrinsic,
                dt,
                market.params.funding_period_secs,
                Rounding::Nearest,
            )?;
            per_contract_usd
                .div_round(prices.settle, Rounding::Nearest)
                .ok_or(ValuationError::Overflow)
        }

        /// Prices `size` contracts of `series` against the pool now: (signed cost, average
        /// price, fee, the series' per-unit quote), USD.
        pub(crate) fn price_trade(
            series: &Series,
            market: &Market,
            prices: &MarketPrices,
            liquidity: Fixed,
            size: i128,
            forced: bool,
            quote: Option<&perpetua_pricing::Quote>,
        ) -> Result<(Fixed, Fixed, Fixed, perpetua_pricing::Quote), ValuationError> {
            let q = match quote {
                Some(q) => *q,
                None => valuation::quote_at(series, market, prices.spot, prices.vol)?,
            };
            let theo = valuation::per_contract(q.price, market)?;
            let cost = if forced {
                // A forced close (liquidation, deleveraging) fills along the pool's curve, as
                // the book is valued (so a liquidation realises what NAV counted), and must
                // always fill: the curve's skew limit does not apply to it.
                valuation::forced_cost(theo, series, size, liquidity, market)?
            } else {
                perpetua_pricing::pool::trade_cost(
                    theo,
                    valuation::contracts(series.net())?,
                    valuation::contracts(size)?,
                    liquidity,
                    &valuation::curve(&market.params),
                )?
            };
            let avg = valuation::average_price(cost, size)?;
            let fee = valuation::trade_fee(cost, size, prices.spot, market)?
                .checked_add(valuation::latency_fee(
                    &q,
                    size,
                    prices.spot,
                    prices.vol,
                    market,
                )?)
                .ok_or(ValuationError::Overflow)?;
            Ok((cost, avg, fee, q))
        }

        /// Accrues funding of `series` up to now, if its prices are usable; else leaves it to
        /// catch up with the whole interval later (funding never goes missing in an outage).
        /// Also refreshes the pool's margin for the series. Returns whether it accrued.
        pub(crate) fn accrue(series: &mut Series, market: &Market, now: Moment) -> bool {
            if series.long == 0 && series.short == 0 {
                series.funding_time = now;
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
            let dt = now.saturating_sub(series.funding_time);
            if series.long == 0 && series.short == 0 {
                series.funding_time = now;
                return true;
            }
            let Ok(liquidity) = Self::liquidity(market, prices) else {
                return false;
            };
            let result = (|| -> Result<(Fixed, FixedU128), ValuationError> {
                let q_ema = if prices.spot_ema == prices.spot {
                    *q
                } else {
                    valuation::quote_at(series, market, prices.spot_ema, prices.vol)?
                };
                let tokens =
                    Self::funding_per_contract(series, market, prices, liquidity, dt, &q_ema)?;
                let pool_margin = valuation::margin_of(
                    q,
                    prices.spot,
                    -series.net(),
                    market,
                    MarginLevel::Initial,
                )?;
                Ok((tokens, valuation::to_u(pool_margin)))
            })();
            let Ok((tokens, pool_margin)) = result else {
                return false;
            };
            series.funding_index = series.funding_index.saturating_add(valuation::to_i(tokens));
            series.funding_time = now;
            series.pool_margin = pool_margin;
            true
        }

        /// The block hook: accrue every series, then tell each pool its required margin.
        pub fn accrue_all() {
            let now = T::Time::now();
            let mut cache = risk::ValuationCache::default();
            let mut touched: Vec<(AssetId, FixedU128, FixedU128)> = Vec::new();
            for id in AllSeries::<T>::get() {
                let Some(mut series) = SeriesBook::<T>::get(id) else {
                    continue;
                };
                let Some(market) = Markets::<T>::get(series.market) else {
                    continue;
                };
                let before = series.pool_margin;
                if series.funding_time == now {
                    continue;
                }
                if series.long == 0 && series.short == 0 {
                    // Nothing to accrue (a trade restarts its clock): no write.
                    continue;
                } else {
                    // Each market's prices are read once per block; an unusable price leaves
                    // the series to catch up later.
                    let Ok(prices) = Self::prices_cached(series.market, &market, &mut cache) else {
                        continue;
                    };
                    let Ok(q) = Self::quote_cached(id, &series, &market, &prices, &mut cache)
                    else {
                        continue;
                    };
                    Self::accrue_with(&mut series, &market, now, &prices, &q);
                }
                if series.pool_margin != before {
                    touched.push((market.settlement, before, series.pool_margin));
                }
                SeriesBook::<T>::insert(id, series);
            }
            for (settlement, before, after) in touched {
                PoolMargin::<T>::mutate(settlement, |m| {
                    *m = m.saturating_sub(before).saturating_add(after)
                });
            }
            for settlement in Self::settlements() {
                Self::report_pool_margin(settlement, false, None).ok();
            }
        }

        pub(crate) fn settlements() -> Vec<AssetId> {
            let mut out: Vec<AssetId> = Vec::new();
            for id in 0..NextMarketId::<T>::get() {
                if let Some(m) = Markets::<T>::get(id) {
                    if !out.contains(&m.settlement) {
                        out.push(m.settlement);
                    }
                }
            }
            out
        }

        /// Tells the pool the margin its book over `settlement` requires.
        /// `known`: the settlement price and decimals, if the caller has them.
        fn report_pool_margin(
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

        /// Settles the funding of `who`'s position in `series_id` (which must be accrued):
        /// moves it between the trader's collateral and the pool.
        fn settle_funding(
            who: &T::AccountId,
            series_id: SeriesId,
            series: &mut Series,
            market: &Market,
            position: &mut Position,
            mode: TradeMode,
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
            let mut account = Accounts::<T>::get(who, settlement);
            if units > 0 {
                let mut pay = units as Balance;
                if account.collateral < pay {
                    // Only a liquidation may leave funding unpaid: the gap is bad debt.
                    ensure!(mode.forced(), Error::<T>::InsufficientCollateral);
                    gaps.shortfall = gaps.shortfall.saturating_add(pay - account.collateral);
                    pay = account.collateral;
                }
                account.collateral = account.collateral.saturating_sub(pay);
                T::Pool::receive(settlement, &pot, pay, Inflow::Gain)?;
                TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_sub(pay));
                Funding::<T>::mutate(settlement, |f| {
                    f.paid_by_traders = f.paid_by_traders.saturating_add(pay)
                });
            } else if units < 0 {
                let due = units.unsigned_abs();
                let unpaid = Self::pay_trader(who, settlement, due, mode, gaps)?;
                let paid = due.saturating_sub(unpaid);
                account.collateral = account.collateral.saturating_add(paid);
                TotalCollateral::<T>::mutate(settlement, |t| *t = t.saturating_add(paid));
                Funding::<T>::mutate(settlement, |f| {
                    f.paid_to_traders = f.paid_to_traders.saturating_add(paid)
                });
            }
            Accounts::<T>::insert(who, settlement, account);
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

        /// Pays `amount` owed to `who` from the pool into their collateral (the caller credits
        /// it). What the pool cannot pay is a claim on it, senior to its LPs; a deleveraged
        /// position forfeits it instead (auto-deleveraging recovers it for the pool). Returns
        /// what was not paid now.
        fn pay_trader(
            who: &T::AccountId,
            settlement: AssetId,
            amount: Balance,
            mode: TradeMode,
            gaps: &mut Gaps,
        ) -> Result<Balance, DispatchError> {
            let unpaid = T::Pool::pay(settlement, &Self::pot(settlement), amount)?;
            if mode == TradeMode::Deleverage {
                gaps.unpaid = gaps.unpaid.saturating_add(unpaid);
            } else {
                T::Pool::record_claim(settlement, who, unpaid);
                gaps.claimed = gaps.claimed.saturating_add(unpaid);
            }
            Ok(unpaid)
        }

        /// Settles the funding of every position of `who` in `settlement`.
        pub fn settle_account_funding(who: &T::AccountId, settlement: AssetId) -> DispatchResult {
            let now = T::Time::now();
            for id in AccountSeries::<T>::get(who, settlement) {
                let mut series = SeriesBook::<T>::get(id).ok_or(Error::<T>::UnknownSeries)?;
                let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
                let Some(mut position) = Positions::<T>::get(who, id) else {
                    continue;
                };
                if series.funding_time != now {
                    let before = series.pool_margin;
                    if Self::accrue(&mut series, &market, now) {
                        PoolMargin::<T>::mutate(settlement, |m| {
                            *m = m.saturating_sub(before).saturating_add(series.pool_margin)
                        });
                    }
                }
                let mut gaps = Gaps::default();
                Self::settle_funding(
                    who,
                    id,
                    &mut series,
                    &market,
                    &mut position,
                    TradeMode::Trader,
                    &mut gaps,
                )?;
                Positions::<T>::insert(who, id, position);
                SeriesBook::<T>::insert(id, series);
            }
            Ok(())
        }

        /// The health of `who`'s account in `settlement`, USD, at current prices.
        pub fn health(who: &T::AccountId, settlement: AssetId) -> Result<Health, DispatchError> {
            Self::health_with(who, settlement, &mut Default::default(), false).map(|(h, _)| h)
        }

        /// The haircut on `settlement` collateral now: it grows with the square root of the
        /// hours its price goes unrefreshed over ([`PriceProvider::unpriced_interval`]: the
        /// whole closed period, held until the first fresh price after the open, ramped up
        /// before the close); the maximum when that is unknown.
        pub fn haircut(settlement: AssetId) -> Fixed {
            let params = Haircuts::<T>::get(settlement);
            let hours = T::Prices::unpriced_interval(settlement)
                .and_then(|ms| Fixed::from_rational(ms.min(i64::MAX as u64) as i128, 3_600_000));
            valuation::haircut(&params, hours)
        }

        /// Executes a trade. `limits`: (limit price, deadline); `None` for liquidations at the
        /// mark (the liquidation pallet checks health itself). See [`TradeMode`] for what each
        /// mode checks.
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
            let forced = mode.forced();
            ensure!(size != 0, Error::<T>::ZeroSize);
            let now = T::Time::now();
            if let Some((_, deadline)) = limits {
                ensure!(now <= deadline, Error::<T>::DeadlineExpired);
            }
            let mut series = SeriesBook::<T>::get(series_id).ok_or(Error::<T>::UnknownSeries)?;
            let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
            let settlement = market.settlement;
            let old = Positions::<T>::get(who, series_id);
            let old_size = old.map_or(0, |p| p.size);
            let new_size = old_size.checked_add(size).ok_or(Error::<T>::Overflow)?;
            let increases = new_size.unsigned_abs() > old_size.unsigned_abs()
                || old_size.signum() * new_size.signum() < 0;
            ensure!(!(forced && increases), Error::<T>::NotReducing);
            if increases && !forced {
                ensure!(series.active && market.active, Error::<T>::SeriesInactive);
                ensure!(T::Pool::is_open(settlement), Error::<T>::PoolClosed);
            }
            // One valuation cache for the whole trade: the market's prices are read and the
            // series priced at the index once.
            let prices = Self::prices_cached(series.market, &market, cache)?;
            let q = Self::quote_cached(series_id, &series, &market, &prices, cache)?;
            // Funding up to now, then the position's share of it: a position must never record
            // a funding index that was not brought up to now.
            let before_margin = series.pool_margin;
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
                mode,
                &mut gaps,
            )?;

            // Price the fill against the pool.
            let liquidity = Self::liquidity(&market, &prices)?;
            let (cost, avg, fee_usd, q) =
                Self::price_trade(&series, &market, &prices, liquidity, size, forced, Some(&q))
                    .map_err(Self::verr)?;
            if let Some((limit, _)) = limits {
                let limit = valuation::fx(limit);
                let ok = if size > 0 { avg <= limit } else { avg >= limit };
                ensure!(ok, Error::<T>::SlippageExceeded);
            }

            // Realise PnL on the part that reduces the position; average the entry on the part
            // that opens.
            let closed = if old_size.signum() * size.signum() < 0 {
                old_size.abs().min(size.abs())
            } else {
                0
            };
            let opened = size.unsigned_abs().saturating_sub(closed.unsigned_abs()) as i128;
            let entry = valuation::fx(position.entry);
            let pnl = if closed > 0 {
                let diff = avg.checked_sub(entry).ok_or(Error::<T>::Overflow)?;
                let per = if old_size > 0 {
                    diff
                } else {
                    diff.checked_neg().ok_or(Error::<T>::Overflow)?
                };
                per.checked_mul(valuation::contracts(closed).map_err(Self::verr)?)
                    .ok_or(Error::<T>::Overflow)?
            } else {
                Fixed::ZERO
            };
            let new_entry = if new_size == 0 {
                Fixed::ZERO
            } else if opened == 0 {
                entry
            } else if closed > 0 || old_size == 0 {
                avg
            } else {
                // Adding to a position: weighted average of the old entry and this fill.
                let old_val =
                    entry.checked_mul(valuation::contracts(old_size.abs()).map_err(Self::verr)?);
                let add_val = avg.checked_mul(valuation::contracts(opened).map_err(Self::verr)?);
                old_val
                    .zip(add_val)
                    .and_then(|(a, b)| a.checked_add(b))
                    .and_then(|t| t.checked_div(Fixed::from_integer(new_size.abs())?))
                    .ok_or(Error::<T>::Overflow)?
            };

            // Cash, in the settlement asset: the fee (rounded up; none on a forced close, which
            // pays the liquidation penalty instead), then the realised PnL (a profit rounded
            // down, a loss rounded up). A forced close takes what collateral there is and
            // reports the rest as a shortfall; a deleveraging close accepts what the pool can
            // pay and reports the rest as unpaid.
            let decimals = market.settlement_decimals;
            let pot = Self::pot(settlement);
            let fee = if forced {
                0
            } else {
                valuation::usd_to_units(fee_usd, prices.settle_low, decimals, Rounding::Up)
                    .map_err(Self::verr)?
            };
            let mut account = Accounts::<T>::get(who, settlement);
            ensure!(
                account.collateral >= fee,
                Error::<T>::InsufficientCollateral
            );
            account.collateral = account.collateral.saturating_sub(fee);
            // The latency part of the fee pays the pool for trading against an oracle that is
            // always a little behind: it goes to the tranches like a trading result, not into
            // the fee split (where the protocol's share would leave the LPs short of it).
            let latency = if forced {
                0
            } else {
                let usd = valuation::latency_fee(&q, size, prices.spot, prices.vol, &market)
                    .map_err(Self::verr)?;
                valuation::usd_to_units(usd, prices.settle_low, decimals, Rounding::Down)
                    .map_err(Self::verr)?
                    .min(fee)
            };
            T::Pool::receive(settlement, &pot, fee.saturating_sub(latency), Inflow::Fee)?;
            T::Pool::receive(settlement, &pot, latency, Inflow::LatencyFee)?;
            let realised: i128 = if pnl.is_negative() {
                let mut loss = valuation::usd_to_units(
                    pnl.checked_abs().ok_or(Error::<T>::Overflow)?,
                    prices.settle_low,
                    decimals,
                    Rounding::Up,
                )
                .map_err(Self::verr)?;
                if account.collateral < loss {
                    ensure!(forced, Error::<T>::InsufficientCollateral);
                    gaps.shortfall = gaps.shortfall.saturating_add(loss - account.collateral);
                    loss = account.collateral;
                }
                account.collateral = account.collateral.saturating_sub(loss);
                T::Pool::receive(settlement, &pot, loss, Inflow::Gain)?;
                -(loss as i128)
            } else {
                let gain =
                    valuation::usd_to_units(pnl, prices.settle_high, decimals, Rounding::Down)
                        .map_err(Self::verr)?;
                let unpaid = Self::pay_trader(who, settlement, gain, mode, &mut gaps)?;
                let paid = gain.saturating_sub(unpaid);
                account.collateral = account.collateral.saturating_add(paid);
                paid as i128
            };
            let penalty = if forced {
                let notional = valuation::per_contract(
                    prices
                        .spot
                        .checked_mul(valuation::contracts(closed).map_err(Self::verr)?)
                        .ok_or(Error::<T>::Overflow)?,
                    &market,
                )
                .map_err(Self::verr)?;
                let usd = notional
                    .mul_round(
                        valuation::fp(market.params.liquidation_penalty),
                        Rounding::Up,
                    )
                    .ok_or(Error::<T>::Overflow)?;
                valuation::usd_to_units(usd, prices.settle_low, decimals, Rounding::Up)
                    .map_err(Self::verr)?
            } else {
                0
            };
            TotalCollateral::<T>::mutate(settlement, |t| {
                *t = t
                    .saturating_sub(fee)
                    .saturating_sub(realised.min(0).unsigned_abs())
                    .saturating_add(realised.max(0) as u128)
            });
            Accounts::<T>::insert(who, settlement, account);

            // The series' aggregates.
            let old_entry_term = entry
                .checked_mul(valuation::contracts(old_size).map_err(Self::verr)?)
                .ok_or(Error::<T>::Overflow)?;
            let new_entry_term = new_entry
                .checked_mul(valuation::contracts(new_size).map_err(Self::verr)?)
                .ok_or(Error::<T>::Overflow)?;
            series.entry_sum = series
                .entry_sum
                .saturating_sub(valuation::to_i(old_entry_term))
                .saturating_add(valuation::to_i(new_entry_term));
            let f_old = valuation::from_i(position.funding_index)
                .checked_mul(valuation::contracts(old_size).map_err(Self::verr)?);
            let f_new = valuation::from_i(series.funding_index)
                .checked_mul(valuation::contracts(new_size).map_err(Self::verr)?);
            let (f_old, f_new) = f_old.zip(f_new).ok_or(Error::<T>::Overflow)?;
            series.funding_sum = series
                .funding_sum
                .saturating_sub(valuation::to_i(f_old))
                .saturating_add(valuation::to_i(f_new));
            let (ol, os) = (old_size.max(0) as u128, old_size.min(0).unsigned_abs());
            let (nl, ns) = (new_size.max(0) as u128, new_size.min(0).unsigned_abs());
            series.long = series.long.saturating_sub(ol).saturating_add(nl);
            series.short = series.short.saturating_sub(os).saturating_add(ns);
            if increases && !forced {
                ensure!(
                    series.open_interest() <= market.params.max_open_interest,
                    Error::<T>::OpenInterestCap
                );
            }
            series.pool_margin = valuation::to_u(
                valuation::margin_of(
                    &q,
                    prices.spot,
                    -series.net(),
                    &market,
                    MarginLevel::Initial,
                )
                .map_err(Self::verr)?,
            );
            PoolMargin::<T>::mutate(settlement, |m| {
                *m = m
                    .saturating_sub(before_margin)
                    .saturating_add(series.pool_margin)
            });
            let pool_grows = series.pool_margin > before_margin;
            SeriesBook::<T>::insert(series_id, series);

            // The trader's position and indexes (the open-account index changes only when the
            // account's first position opens or its last closes).
            if new_size == 0 {
                Positions::<T>::remove(who, series_id);
                let left = AccountSeries::<T>::mutate(who, settlement, |s| {
                    s.retain(|x| *x != series_id);
                    s.len()
                });
                if left == 0 {
                    OpenAccounts::<T>::remove(settlement, who);
                }
            } else {
                Positions::<T>::insert(
                    who,
                    series_id,
                    Position {
                        size: new_size,
                        entry: valuation::to_u(new_entry),
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
            }

            // The pool's limits, then the trader's margin.
            Self::report_pool_margin(
                settlement,
                pool_grows && !forced,
                Some((prices.settle_low, market.settlement_decimals)),
            )?;
            cache.forget_book();
            if increases && !forced {
                Self::check_pool_delta(settlement, cache)?;
                if mode == TradeMode::Trader {
                    let (h, _) = Self::health_with(who, settlement, cache, false)?;
                    ensure!(h.equity >= h.initial, Error::<T>::InsufficientMargin);
                }
            }
            let fill = Fill {
                price: valuation::to_u(avg),
                cost: valuation::to_i(cost),
                fee,
                realised,
                position: new_size,
                shortfall: gaps.shortfall,
                unpaid: gaps.unpaid,
                penalty,
            };
            Self::deposit_event(Event::Traded {
                who: who.clone(),
                series: series_id,
                size,
                price: fill.price,
                cost: fill.cost,
                fee,
                realised,
                position: new_size,
            });
            Ok(fill)
        }

        /// The pool's net delta over `settlement`'s book against its limit.
        fn check_pool_delta(
            settlement: AssetId,
            cache: &mut risk::ValuationCache,
        ) -> DispatchResult {
            let mut delta_usd = Fixed::ZERO;
            let mut price = Fixed::ZERO;
            let mut decimals = 0;
            for id in SettlementSeries::<T>::get(settlement) {
                let Some(series) = SeriesBook::<T>::get(id) else {
                    continue;
                };
                if series.net() == 0 {
                    continue;
                }
                let market = Markets::<T>::get(series.market).ok_or(Error::<T>::UnknownMarket)?;
                let prices = Self::prices_cached(series.market, &market, cache)?;
                price = prices.settle_low;
                decimals = market.settlement_decimals;
                let q = Self::quote_cached(id, &series, &market, &prices, cache)?;
                let d = (|| -> Result<Fixed, ValuationError> {
                    let units =
                        valuation::per_contract(valuation::contracts(series.net())?, &market)?;
                    q.delta
                        .checked_mul(units)
                        .and_then(|d| d.checked_mul(prices.spot))
                        .ok_or(ValuationError::Overflow)
                })()
                .map_err(Self::verr)?;
                delta_usd = delta_usd.checked_add(d).ok_or(Error::<T>::Overflow)?;
            }
            if price.is_zero() {
                return Ok(());
            }
            let abs = delta_usd.checked_abs().ok_or(Error::<T>::Overflow)?;
            let units =
                valuation::usd_to_units(abs, price, decimals, Rounding::Up).map_err(Self::verr)?;
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
                let prices = Self::market_prices(&market).map_err(|_| PriceError::Stale)?;
                price = Some(prices.settle);
                decimals = market.settlement_decimals;
                let (u, f) = (|| -> Result<(Fixed, Fixed), ValuationError> {
                    let liquidity = valuation::liquidity_contracts(
                        depth,
                        &prices,
                        &market,
                        market.settlement_decimals,
                    )?;
                    let q = valuation::quote_at(&series, &market, prices.spot, prices.vol)?;
                    let theo = valuation::per_contract(q.price, &market)?;
                    let value = valuation::unwind_value(theo, &series, liquidity, &market)?;
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
            let Some(settle) = price else {
                return Ok(Default::default());
            };
            let traders_tokens = traders_usd.checked_div(settle).ok_or(PriceError::Stale)?;
            let pool_tokens = owed_tokens
                .checked_sub(traders_tokens)
                .ok_or(PriceError::Stale)?;
            let units =
                valuation::tokens_to_units_for_pool(pool_tokens, decimals).map_err(stale)?;
            // Rounded toward the traders: the book's value is never overstated by rounding.
            let value = units.saturating_sub(1);
            // The pool can collect at most the traders' collateral: a net receivable beyond it
            // is bad debt waiting to happen (counted over all accounts together: see README).
            let collateral = TotalCollateral::<T>::get(settlement);
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

        /// Invariants: each pot holds at least the collateral recorded for its settlement
        /// asset, which equals the sum of the accounts'; every series' long and short totals and
        /// entry and funding sums equal the sums over its positions; positions are never zero;
        /// every open account is indexed.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let mut collateral: Vec<(AssetId, Balance)> = Vec::new();
            for (_, settlement, account) in Accounts::<T>::iter() {
                match collateral.iter_mut().find(|(a, _)| *a == settlement) {
                    Some((_, c)) => *c = c.saturating_add(account.collateral),
                    None => collateral.push((settlement, account.collateral)),
                }
            }
            for (settlement, total) in &collateral {
                ensure!(
                    TotalCollateral::<T>::get(settlement) == *total,
                    "total collateral mismatch"
                );
                let held = pallet_assets::Pallet::<T>::balance(*settlement, Self::pot(*settlement));
                ensure!(held >= *total, "pot holds less than the collateral");
            }
            let mut sums: Vec<(SeriesId, u128, u128, Fixed, Fixed)> = Vec::new();
            for (who, id, p) in Positions::<T>::iter() {
                ensure!(p.size != 0, "zero position stored");
                let series = SeriesBook::<T>::get(id).ok_or("position in unknown series")?;
                let market = Markets::<T>::get(series.market).ok_or("series of unknown market")?;
                ensure!(
                    AccountSeries::<T>::get(&who, market.settlement).contains(&id),
                    "position not indexed"
                );
                ensure!(
                    OpenAccounts::<T>::contains_key(market.settlement, &who),
                    "open account not indexed"
                );
                let size = Fixed::from_integer(p.size).ok_or("overflow")?;
                let e = valuation::fx(p.entry).checked_mul(size).ok_or("overflow")?;
                let f = valuation::from_i(p.funding_index)
                    .checked_mul(size)
                    .ok_or("overflow")?;
                match sums.iter_mut().find(|s| s.0 == id) {
                    Some(s) => {
                        s.1 = s.1.saturating_add(p.size.max(0) as u128);
                        s.2 = s.2.saturating_add(p.size.min(0).unsigned_abs());
                        s.3 = s.3.checked_add(e).ok_or("overflow")?;
                        s.4 = s.4.checked_add(f).ok_or("overflow")?;
                    }
                    None => sums.push((
                        id,
                        p.size.max(0) as u128,
                        p.size.min(0).unsigned_abs(),
                        e,
                        f,
                    )),
                }
            }
            for (id, series) in SeriesBook::<T>::iter() {
                let (long, short, e, f) = sums
                    .iter()
                    .find(|s| s.0 == id)
                    .map(|s| (s.1, s.2, s.3, s.4))
                    .unwrap_or((0, 0, Fixed::ZERO, Fixed::ZERO));
                ensure!(
                    series.long == long && series.short == short,
                    "series open interest mismatch"
                );
                // Sums are kept incrementally with one rounding per update: allow one unit of
                // the 18th decimal per contract held.
                let slack = (long.saturating_add(short) as i128)
                    .saturating_add(3)
                    .saturating_mul(4);
                let gap = |a: FixedI128, b: Fixed| {
                    valuation::from_i(a)
                        .into_inner()
                        .saturating_sub(b.into_inner())
                        .saturating_abs()
                };
                ensure!(
                    gap(series.entry_sum, e) <= slack,
                    "series entry sum mismatch"
                );
                ensure!(
                    gap(series.funding_sum, f) <= slack,
                    "series funding sum mismatch"
                );
            }
            Ok(())
        }
    }
}

impl<T: Config> PoolBook for Pallet<T> {
    fn book_value(
        settlement: AssetId,
        capital: Balance,
    ) -> Result<perpetua_primitives::BookValue, PriceError> {
        Self::book_value(settlement, capital)
    }
}

/// Splits of a settlement stock: collateral balances are scaled by the equities pallet's walk
/// over the pot account, but margin accounts are a ledger inside it. This pallet does not
/// rescale them (see the README): the admin should pause markets of a stock before a split.
impl<T: Config> CorporateActionHandler<T::AccountId> for Pallet<T> {
    fn on_dividend(_: &T::AccountId, _: AssetId, _: Option<AssetId>, _: Balance) {}
    fn on_split(_: AssetId, _: u32, _: u32) {}
}

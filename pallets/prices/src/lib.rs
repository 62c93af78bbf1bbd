//! # pallet-prices
//!
//! The one way Perpetua's pallets read prices. orml-oracle combines the operators' feeds by
//! median but never checks a value's age on read (ORML issue 536), and a stock price is
//! legitimately old all weekend. This pallet:
//!
//! - takes the operators' feeds ([`Pallet::feed`]): checks the operator, each key (a listed
//!   stock, BTC, ETH, PRP, an implied volatility within bounds) and value, records it in
//!   orml-oracle, then combines the operators' raw values itself ([`combine`]): a quorum of
//!   distinct operators that agree, a true median, dated by when the quorum last fed;
//! - accepts a new median unless it jumps beyond the circuit breaker from the key's EMA: then
//!   it is held until a later round fed by another operator confirms it, or the admin does;
//! - stamps every accepted price with how long it stays usable, from the market's session: a
//!   short age for crypto and open stock markets; for a stock price that carries over a close,
//!   until the next open plus a grace period;
//! - answers reads ([`PriceProvider`]) with the price or a named error: `Missing`, `Stale`,
//!   `CircuitOpen`, `Halted` - never a silent old value;
//! - keeps an exponential moving average per key, updated once per block with work bounded by
//!   the number of keys.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use extension::PrioritizeFeeds;
pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod combine;
pub mod extension;
mod freshness;
#[cfg(test)]
mod mock;
mod oracle;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::traits::{Get, SortedMembers, Time};
use perpetua_pricing::{math, Fixed};
use perpetua_primitives::{
    CryptoIndex, MarketClock, Moment, OracleFeed, OracleKey, Price, PriceError, PriceProvider,
    StockRegistry,
};
use sp_runtime::{
    traits::{CheckedDiv, One, Saturating, Zero},
    FixedPointNumber, Perbill,
};

/// Highest price any key may be fed at: 10^12 USD per whole token.
pub const MAX_PRICE: u128 = 1_000_000_000_000;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{dispatch::Pays, pallet_prelude::*};
    use frame_system::pallet_prelude::*;

    /// The storage layout's version (README, "Storage"); a change of layout bumps it and
    /// ships a migration (docs/UPGRADES.md).
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Sets parameters and rules on held prices.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// The oracle: operators and medians (orml-oracle, through [`OrmlOracleFeed`]).
        type Oracle: OracleFeed<Self::AccountId>;
        /// The chain's clock.
        type Time: Time<Moment = Moment>;
        /// Market sessions (pallet-market-calendar).
        type Clock: MarketClock;
        /// Which assets are stocks, and whether they are halted (pallet-equities).
        type Stocks: StockRegistry;
        /// Most oracle operators (orml-oracle's membership bound): the feed's weight combines
        /// this many raw values per key.
        #[pallet::constant]
        type MaxOperators: Get<u32>;
        /// Most values one feed may carry (orml-oracle's `MaxFeedValues`).
        #[pallet::constant]
        type MaxFeedValues: Get<u32>;
        /// Most keys with prices (every stock plus BTC, ETH, their volatilities and PRP); the
        /// block hook's work is bounded by it.
        #[pallet::constant]
        type MaxKeys: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
        /// Sets up operators, stocks and time for the benchmarks.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
    }

    /// The parameters.
    #[pallet::storage]
    pub type Params<T: Config> = StorageValue<_, PriceParams, ValueQuery>;

    /// The last accepted price of each key, with its validity.
    #[pallet::storage]
    pub type Accepted<T: Config> = StorageMap<_, Twox64Concat, OracleKey, PricePoint>;

    /// Medians held by the circuit breaker.
    #[pallet::storage]
    pub type Held<T: Config> =
        StorageMap<_, Twox64Concat, OracleKey, Pending<T::AccountId, BlockNumberFor<T>>>;

    /// The moving average of each key.
    #[pallet::storage]
    pub type Ema<T: Config> = StorageMap<_, Twox64Concat, OracleKey, EmaPoint>;

    /// Keys with an accepted price: the block hook updates their EMAs.
    #[pallet::storage]
    pub type Tracked<T: Config> = StorageValue<_, BoundedVec<OracleKey, T::MaxKeys>, ValueQuery>;

    /// The last block each operator fed in.
    #[pallet::storage]
    pub type LastFed<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An operator fed values.
        Fed { operator: T::AccountId, keys: u32 },
        /// A median jumped beyond the breaker: it is held, the last accepted price stays, and
        /// reads of the key fail with `CircuitOpen` until it is resolved.
        CircuitOpened {
            key: OracleKey,
            accepted: Price,
            held: Price,
        },
        /// A held median was confirmed (by a later round fed by another operator, or by the
        /// admin) and accepted; the EMA restarts at it.
        CircuitConfirmed {
            key: OracleKey,
            price: Price,
            by_admin: bool,
        },
        /// A held median was dropped: a later round came back within the band, or the admin
        /// rejected it.
        CircuitRejected {
            key: OracleKey,
            held: Price,
            by_admin: bool,
        },
        /// The parameters changed.
        ParamsSet { params: PriceParams },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Only oracle operators may feed.
        NotOperator,
        /// An operator feeds at most once per block.
        AlreadyFed,
        /// The key is not fed on this chain (e.g. an asset that is not a listed stock).
        UnknownKey,
        /// The same key twice in one feed.
        DuplicateKey,
        /// A price must be above zero.
        ZeroPrice,
        /// A price above 10^12 USD.
        PriceOutOfRange,
        /// An implied volatility outside `min_vol..=max_vol`.
        VolatilityOutOfBounds,
        /// Nothing is held for this key.
        NothingHeld,
        /// `crypto_max_age` or `stock_max_age` is zero.
        ZeroMaxAge,
        /// `ema_period` is zero.
        ZeroEmaPeriod,
        /// `breaker_threshold` is zero.
        BreakerThreshold,
        /// `quorum_spread` is zero or not below `breaker_threshold`.
        QuorumSpread,
        /// `min_vol` is zero or not below `max_vol`.
        VolatilityBounds,
        /// `close_ramp` is longer than a day.
        CloseRamp,
        /// More keys than `MaxKeys`.
        TooManyKeys,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            let keys = Tracked::<T>::decode_len().unwrap_or(0) as u32;
            T::WeightInfo::update_emas(keys)
        }

        /// EMAs move once per block, after the block's feeds, with the block's time.
        fn on_finalize(_n: BlockNumberFor<T>) {
            Self::update_emas();
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// An operator feeds values: `(key, value)` pairs, each key at most once, at most once
        /// per block. Prices are USD per whole token; implied volatilities annualised
        /// fractions. Free for operators when it succeeds; operational, and put first in the
        /// block by [`PrioritizeFeeds`].
        #[allow(clippy::useless_conversion)]
        #[pallet::call_index(0)]
        #[pallet::weight((T::WeightInfo::feed(values.len() as u32), DispatchClass::Operational))]
        pub fn feed(
            origin: OriginFor<T>,
            values: BoundedVec<(OracleKey, Price), T::MaxFeedValues>,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            ensure!(T::Oracle::is_operator(&who), Error::<T>::NotOperator);
            let now_block = frame_system::Pallet::<T>::block_number();
            ensure!(
                LastFed::<T>::get(&who) != Some(now_block),
                Error::<T>::AlreadyFed
            );
            let params = Params::<T>::get();
            for (i, (key, value)) in values.iter().enumerate() {
                Self::validate(key, *value, &params)?;
                ensure!(
                    values.iter().take(i).all(|(k, _)| k != key),
                    Error::<T>::DuplicateKey
                );
            }
            for (key, value) in values.iter() {
                T::Oracle::feed(&who, *key, *value)?;
                if let Ok(c) = Self::combined(key, &params) {
                    Self::consider(*key, c.value, c.timestamp, &who, &params)?;
                }
            }
            LastFed::<T>::insert(&who, now_block);
            Self::deposit_event(Event::Fed {
                operator: who,
                keys: values.len() as u32,
            });
            Ok(Pays::No.into())
        }

        /// Accepts the median held for `key` (admin).
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::confirm_held())]
        pub fn confirm_held(origin: OriginFor<T>, key: OracleKey) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let held = Held::<T>::take(key).ok_or(Error::<T>::NothingHeld)?;
            Self::accept(key, held.value, held.timestamp, &Params::<T>::get())?;
            Self::restart_ema(key, held.value);
            Self::deposit_event(Event::CircuitConfirmed {
                key,
                price: held.value,
                by_admin: true,
            });
            Ok(())
        }

        /// Drops the median held for `key` (admin): the last accepted price stays.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::reject_held())]
        pub fn reject_held(origin: OriginFor<T>, key: OracleKey) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let held = Held::<T>::take(key).ok_or(Error::<T>::NothingHeld)?;
            Self::deposit_event(Event::CircuitRejected {
                key,
                held: held.value,
                by_admin: true,
            });
            Ok(())
        }

        /// Sets the parameters (admin).
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_params())]
        pub fn set_params(origin: OriginFor<T>, params: PriceParams) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            params.validate().map_err(Error::<T>::from)?;
            Params::<T>::put(params);
            Self::deposit_event(Event::ParamsSet { params });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Checks a fed `(key, value)`.
        pub fn validate(key: &OracleKey, value: Price, params: &PriceParams) -> DispatchResult {
            match key {
                OracleKey::Native | OracleKey::Crypto(_) => {}
                OracleKey::Asset(id) => {
                    ensure!(T::Stocks::is_stock(*id), Error::<T>::UnknownKey);
                }
                OracleKey::ImpliedVol(_) => {
                    ensure!(
                        value >= params.min_vol && value <= params.max_vol,
                        Error::<T>::VolatilityOutOfBounds
                    );
                }
            }
            ensure!(!value.is_zero(), Error::<T>::ZeroPrice);
            ensure!(
                value <= Price::saturating_from_integer(MAX_PRICE),
                Error::<T>::PriceOutOfRange
            );
            Ok(())
        }

        /// What the runtime API reports for `key`.
        pub fn info(key: OracleKey) -> PriceInfo {
            let p = Accepted::<T>::get(key);
            PriceInfo {
                status: Self::status(key),
                value: p.map(|p| p.value),
                timestamp: p.map(|p| p.timestamp),
                valid_until: p.map(|p| p.valid_until),
                ema: Ema::<T>::get(key).map(|e| e.value),
                pending: Held::<T>::get(key).map(|h| h.value),
                quorum: Self::quorum_info(key),
                unpriced_interval: match key {
                    OracleKey::Asset(a) => Self::unpriced_interval(a),
                    _ => Some(0),
                },
            }
        }

        /// Who fed `key`, how many count and agree, against the quorum.
        pub fn quorum_info(key: OracleKey) -> QuorumInfo {
            let params = Params::<T>::get();
            let quorum = Self::quorum();
            let agreeing = match Self::combined(&key, &params) {
                Ok(c) => c.agreeing,
                Err(combine::NoPrice::Disagree { agreeing, .. }) => agreeing,
                Err(combine::NoPrice::TooFew { .. }) => 0,
            };
            let recent = Self::feeds(key).iter().filter(|f| f.counts).count() as u32;
            QuorumInfo {
                operators: T::Oracle::operators(),
                quorum,
                recent,
                agreeing,
            }
        }

        /// Every key with an accepted or held price.
        pub fn all() -> Vec<(OracleKey, PriceInfo)> {
            let mut keys: Vec<OracleKey> = Tracked::<T>::get().into_inner();
            for (k, _) in Held::<T>::iter() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            keys.into_iter().map(|k| (k, Self::info(k))).collect()
        }

        /// Moves every tracked key's EMA toward its accepted price:
        /// `ema += (1 - e^(-dt / period)) (price - ema)`. Keys whose price is not usable keep
        /// their EMA unchanged (and its clock) until a usable price returns.
        pub fn update_emas() {
            let now = T::Time::now();
            let period = Params::<T>::get().ema_period.max(1);
            for key in Tracked::<T>::get() {
                let Ok((price, _)) = Self::check(key) else {
                    continue;
                };
                let Some(ema) = Ema::<T>::get(key) else {
                    continue;
                };
                let dt = now.saturating_sub(ema.updated_at);
                if dt == 0 {
                    continue;
                }
                let value = ema_step(ema.value, price, dt, period);
                Ema::<T>::insert(
                    key,
                    EmaPoint {
                        value,
                        updated_at: now,
                    },
                );
            }
        }

        /// Invariants: every accepted price, held median and EMA is dated no later than now,
        /// is above zero, and its validity does not end before its freshness; every tracked key
        /// has an accepted price and an EMA.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let now = T::Time::now();
            for (_, p) in Accepted::<T>::iter() {
                ensure!(p.timestamp <= now, "accepted price from the future");
                ensure!(!p.value.is_zero(), "accepted price of zero");
                ensure!(
                    p.valid_until >= p.fresh_until,
                    "validity ends before freshness"
                );
            }
            for (_, h) in Held::<T>::iter() {
                ensure!(h.timestamp <= now, "held price from the future");
            }
            for (_, e) in Ema::<T>::iter() {
                ensure!(e.updated_at <= now, "EMA from the future");
                ensure!(!e.value.is_zero(), "EMA of zero");
            }
            for k in Tracked::<T>::get() {
                ensure!(
                    Accepted::<T>::contains_key(k),
                    "tracked key without a price"
                );
                ensure!(Ema::<T>::contains_key(k), "tracked key without an EMA");
            }
            Ok(())
        }
    }
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// The `i`-th oracle operator (added to the set if need be).
    fn operator(i: u32) -> AccountId;
    /// A listed stock, distinct for each `i`.
    fn stock(i: u32) -> perpetua_primitives::AssetId;
    /// Sets the chain's clock (ms).
    fn set_time(ms: Moment);
}

/// |b - a| / a as a `Perbill` (saturating at 100%).
pub fn deviation(a: Price, b: Price) -> Perbill {
    if a.is_zero() {
        return Perbill::one();
    }
    let diff = if b > a {
        b.saturating_sub(a)
    } else {
        a.saturating_sub(b)
    };
    let ratio = diff.checked_div(&a).unwrap_or(Price::one());
    if ratio >= Price::one() {
        return Perbill::one();
    }
    Perbill::from_parts(ratio.saturating_mul_int(1_000_000_000u64) as u32)
}

/// One EMA step over `dt` ms with time constant `period` ms.
pub fn ema_step(ema: Price, price: Price, dt: Moment, period: Moment) -> Price {
    // alpha = 1 - e^(-dt/period), in the pricing crate's deterministic fixed point.
    let x = Fixed::from_rational(-(dt.min(i64::MAX as u64) as i128), period.max(1) as i128);
    let alpha = x
        .and_then(|x| math::exp(x).ok())
        .and_then(|e| Fixed::ONE.checked_sub(e))
        .map(|a| Price::from_inner(a.into_inner().max(0) as u128))
        .unwrap_or(Price::one());
    if price >= ema {
        ema.saturating_add(alpha.saturating_mul(price.saturating_sub(ema)))
    } else {
        ema.saturating_sub(alpha.saturating_mul(ema.saturating_sub(price)))
    }
}

/// `price * d / n`, rounded down: a per-share price after an `n`-for-`d` split.
fn split_price(price: Price, n: u32, d: u32) -> Price {
    sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
        price.into_inner(),
        d as u128,
        n.max(1) as u128,
        sp_runtime::Rounding::Down,
    )
    .map(Price::from_inner)
    .unwrap_or(price)
}

/// A split changes what one share is worth: the accepted price and EMA of the stock are
/// rescaled at once, any held median dropped and the operators' pre-split raw values
/// forgotten, so that post-split feeds are neither taken for a crash by the breaker nor mixed
/// with pre-split values in the median (the next price needs a quorum of post-split feeds).
impl<T: Config> perpetua_primitives::CorporateActionHandler<T::AccountId> for Pallet<T> {
    fn holding_accounts(_: perpetua_primitives::AssetId) -> alloc::vec::Vec<T::AccountId> {
        alloc::vec::Vec::new()
    }

    fn on_dividend(
        _: perpetua_primitives::AssetId,
        _: &T::AccountId,
        _: &perpetua_primitives::DividendTerms<T::AccountId>,
        _: perpetua_primitives::Balance,
    ) {
    }

    fn process(_: perpetua_primitives::AssetId, _: u32) -> u32 {
        0
    }

    fn pending(_: perpetua_primitives::AssetId) -> bool {
        false
    }

    fn on_split(asset: perpetua_primitives::AssetId, numerator: u32, denominator: u32) {
        let key = OracleKey::Asset(asset);
        // A split never rounds a price to nothing: at least 10^-18 USD stays (found by the
        // fuzzer: two operators' price of 10^-18 split 3:1 was stored as zero).
        let least = |v: Price| v.max(Price::from_inner(1));
        Accepted::<T>::mutate(key, |p| {
            if let Some(p) = p {
                p.value = least(split_price(p.value, numerator, denominator));
            }
        });
        Ema::<T>::mutate(key, |e| {
            if let Some(e) = e {
                e.value = least(split_price(e.value, numerator, denominator));
            }
        });
        Held::<T>::remove(key);
        // Pre-split values must not vote with post-split ones.
        T::Oracle::forget(&key);
    }
}

pub use perpetua_primitives::runtime_api::QuorumInfo;

impl<T: Config> PriceProvider for Pallet<T> {
    fn price(key: OracleKey) -> Result<Price, PriceError> {
        Self::check(key).map(|(p, _)| p)
    }

    fn is_fresh(key: OracleKey) -> bool {
        matches!(Self::check(key), Ok((_, true)))
    }

    fn ema_price(key: OracleKey) -> Result<Price, PriceError> {
        Self::check(key)?;
        Ema::<T>::get(key)
            .map(|e| e.value)
            .ok_or(PriceError::Missing)
    }

    fn implied_vol(index: CryptoIndex) -> Result<Price, PriceError> {
        Self::price(OracleKey::ImpliedVol(index))
    }

    fn unpriced_interval(asset: perpetua_primitives::AssetId) -> Option<Moment> {
        if !T::Stocks::is_stock(asset) {
            return Some(0);
        }
        Self::unpriced_interval_at(asset, T::Time::now())
    }
}

/// [`OracleFeed`] over an orml-oracle instance: operators are its `Members`, the median its
/// combined value.
pub struct OrmlOracleFeed<T, I = ()>(core::marker::PhantomData<(T, I)>);

impl<T, I> OracleFeed<T::AccountId> for OrmlOracleFeed<T, I>
where
    T: orml_oracle::Config<I, OracleKey = OracleKey, OracleValue = Price>,
    I: 'static,
    <<T as orml_oracle::Config<I>>::Time as Time>::Moment: Into<Moment>,
{
    fn is_operator(who: &T::AccountId) -> bool {
        <T as orml_oracle::Config<I>>::Members::contains(who)
    }

    fn operators() -> u32 {
        <T as orml_oracle::Config<I>>::Members::count() as u32
    }

    fn feed(who: &T::AccountId, key: OracleKey, value: Price) -> sp_runtime::DispatchResult {
        <orml_oracle::Pallet<T, I> as orml_traits::DataFeeder<_, _, _>>::feed_value(
            Some(who.clone()),
            key,
            value,
        )
    }

    fn raw_values(key: &OracleKey) -> alloc::vec::Vec<(T::AccountId, Price, Moment)> {
        <T as orml_oracle::Config<I>>::Members::sorted_members()
            .into_iter()
            .filter_map(|who| {
                orml_oracle::RawValues::<T, I>::get(&who, key)
                    .map(|v| (who, v.value, v.timestamp.into()))
            })
            .collect()
    }

    fn forget(key: &OracleKey) {
        for who in <T as orml_oracle::Config<I>>::Members::sorted_members() {
            orml_oracle::RawValues::<T, I>::remove(&who, key);
        }
    }
}

/// orml-oracle's `CombineData` for a runtime whose only reader is pallet-prices: it combines
/// nothing (pallet-prices combines the raw values itself, with a quorum and its own rules), so
/// orml-oracle's `Values` are never written and no second, different "median" exists.
pub struct NoCombine;

impl<K, V> orml_traits::CombineData<K, V> for NoCombine {
    fn combine_data(_: &K, _: alloc::vec::Vec<V>, _: Option<V>) -> Option<V> {
        None
    }
}

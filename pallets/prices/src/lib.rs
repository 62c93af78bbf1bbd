//! # pallet-prices
//!
//! The one way Perpetua's pallets read prices. orml-oracle combines the operators' feeds by
//! median but never checks a value's age on read (ORML issue 536), and a stock price is
//! legitimately old all weekend. This pallet:
//!
//! - takes the operators' feeds ([`Pallet::feed`]): checks the operator, each key (a listed
//!   stock, BTC, ETH, PRP, an implied volatility within bounds) and value, feeds orml-oracle,
//!   then looks at the new median;
//! - accepts a new median unless it jumps beyond the circuit breaker from a recent accepted
//!   price: then it is held until a later round confirms it or the admin does;
//! - stamps every accepted price with how long it stays usable, from the market's session: a
//!   short age for crypto and open stock markets; for a stock price that carries over a close,
//!   until the next open plus a grace period;
//! - answers reads ([`PriceProvider`]) with the price or a named error: `Missing`, `Stale`,
//!   `CircuitOpen`, `Halted` - never a silent old value;
//! - keeps an exponential moving average per key, updated once per block with work bounded by
//!   the number of keys.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::traits::{Get, SortedMembers, Time};
use perpetua_pricing::{math, Fixed};
use perpetua_primitives::{
    CryptoIndex, MarketClock, Moment, OracleFeed, OracleKey, Price, PriceError, PriceProvider,
    PriceStatus, Session, StockRegistry, StockStatus,
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

    #[pallet::pallet]
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
    pub type Held<T: Config> = StorageMap<_, Twox64Concat, OracleKey, Pending<BlockNumberFor<T>>>;

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
        /// A held median was confirmed (by a later round, or by the admin) and accepted.
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
        /// Parameters out of range.
        InvalidParams,
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
        /// fractions. Free for operators when it succeeds.
        #[allow(clippy::useless_conversion)]
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::feed(values.len() as u32))]
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
                if let Some((median, published)) = T::Oracle::latest(key) {
                    Self::consider(*key, median, published, &params)?;
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
            ensure!(
                params.crypto_max_age > 0
                    && params.stock_max_age > 0
                    && params.ema_period > 0
                    && params.breaker_window > 0
                    && !params.breaker_threshold.is_zero()
                    && !params.min_vol.is_zero()
                    && params.min_vol < params.max_vol,
                Error::<T>::InvalidParams
            );
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

        /// Looks at a new median: accept it, hold it (breaker), or confirm a held one.
        fn consider(
            key: OracleKey,
            median: Price,
            published: Moment,
            params: &PriceParams,
        ) -> DispatchResult {
            let now = T::Time::now();
            let block = frame_system::Pallet::<T>::block_number();
            let last = Accepted::<T>::get(key);
            if last.is_some_and(|l| l.value == median && l.timestamp == published) {
                return Ok(());
            }
            let jump = last.is_some_and(|l| {
                now.saturating_sub(l.timestamp) <= params.breaker_window
                    && deviation(l.value, median) > params.breaker_threshold
            });
            if !jump {
                if let Some(h) = Held::<T>::take(key) {
                    Self::deposit_event(Event::CircuitRejected {
                        key,
                        held: h.value,
                        by_admin: false,
                    });
                }
                return Self::accept(key, median, published, params);
            }
            match Held::<T>::get(key) {
                // A later round confirms the jump: the new level is real.
                Some(h)
                    if h.since_block < block
                        && deviation(h.value, median) <= params.breaker_threshold =>
                {
                    Held::<T>::remove(key);
                    Self::accept(key, median, published, params)?;
                    Self::deposit_event(Event::CircuitConfirmed {
                        key,
                        price: median,
                        by_admin: false,
                    });
                }
                Some(h) if h.since_block == block => {
                    // The same round moved the median again: hold the newest.
                    Held::<T>::insert(
                        key,
                        Pending {
                            value: median,
                            timestamp: published,
                            since_block: h.since_block,
                        },
                    );
                }
                _ => {
                    Held::<T>::insert(
                        key,
                        Pending {
                            value: median,
                            timestamp: published,
                            since_block: block,
                        },
                    );
                    let accepted = last.map_or(median, |l| l.value);
                    Self::deposit_event(Event::CircuitOpened {
                        key,
                        accepted,
                        held: median,
                    });
                }
            }
            Ok(())
        }

        /// Stores `value` as the accepted price of `key`, with its validity.
        pub(crate) fn accept(
            key: OracleKey,
            value: Price,
            published: Moment,
            params: &PriceParams,
        ) -> DispatchResult {
            let (fresh_until, valid_until) = Self::validity(&key, published, params);
            Accepted::<T>::insert(
                key,
                PricePoint {
                    value,
                    timestamp: published,
                    fresh_until,
                    valid_until,
                },
            );
            if !Ema::<T>::contains_key(key) {
                Ema::<T>::insert(
                    key,
                    EmaPoint {
                        value,
                        updated_at: published,
                    },
                );
            }
            Tracked::<T>::try_mutate(|t| -> DispatchResult {
                if !t.contains(&key) {
                    t.try_push(key).map_err(|_| Error::<T>::TooManyKeys)?;
                }
                Ok(())
            })
        }

        /// Until when a price of `key` published at `at` is fresh, and until when usable.
        ///
        /// A stock price published while its market is closed, or fresh at the close, carries
        /// over to the next open plus `open_grace`; otherwise every price is usable for its
        /// market's maximum age.
        pub fn validity(key: &OracleKey, at: Moment, params: &PriceParams) -> (Moment, Moment) {
            let OracleKey::Asset(asset) = key else {
                let until = at.saturating_add(params.crypto_max_age);
                return (until, until);
            };
            let fresh = at.saturating_add(params.stock_max_age);
            let carry = |next_open: Option<Moment>, from: Moment| match next_open {
                Some(t) => t.saturating_add(params.open_grace),
                None => from.saturating_add(params.max_closed_age),
            };
            let valid = match T::Clock::session(*asset, at) {
                Some(Session::Open { closes_at }) if fresh >= closes_at => {
                    // Fresh at the close: this is the closing price.
                    match T::Clock::session(*asset, closes_at) {
                        Some(Session::Closed { next_open }) => carry(next_open, closes_at),
                        _ => fresh,
                    }
                }
                Some(Session::Closed { next_open }) => carry(next_open, at),
                _ => fresh,
            };
            (fresh, valid.max(fresh))
        }

        /// The state of `key`'s price now.
        pub fn status(key: OracleKey) -> PriceStatus {
            match Self::check(key) {
                Ok((_, true)) => PriceStatus::Fresh,
                Ok((_, false)) => PriceStatus::ClosedMarket,
                Err(PriceError::Stale) => PriceStatus::Stale,
                Err(PriceError::CircuitOpen) => PriceStatus::CircuitOpen,
                Err(PriceError::Halted) => PriceStatus::Halted,
                Err(PriceError::Missing) => PriceStatus::Missing,
            }
        }

        /// The usable price of `key` and whether it is fresh (rather than carried over a close).
        pub fn check(key: OracleKey) -> Result<(Price, bool), PriceError> {
            if Held::<T>::contains_key(key) {
                return Err(PriceError::CircuitOpen);
            }
            let p = Accepted::<T>::get(key).ok_or(PriceError::Missing)?;
            if let OracleKey::Asset(asset) = key {
                if T::Stocks::status(asset) != Some(StockStatus::Active) {
                    return Err(PriceError::Halted);
                }
            }
            let now = T::Time::now();
            if now >= p.valid_until {
                return Err(PriceError::Stale);
            }
            Ok((p.value, now < p.fresh_until))
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
    /// An oracle operator.
    fn operator() -> AccountId;
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
/// rescaled at once, and any held median dropped, so that post-split feeds are not taken for
/// a crash by the breaker. (Operators must feed post-split prices from then on; until all have,
/// orml-oracle's median may still mix in pre-split values, which the breaker then holds.)
impl<T: Config> perpetua_primitives::CorporateActionHandler<T::AccountId> for Pallet<T> {
    fn on_dividend(
        _: &T::AccountId,
        _: perpetua_primitives::AssetId,
        _: Option<perpetua_primitives::AssetId>,
        _: perpetua_primitives::Balance,
    ) {
    }

    fn on_split(asset: perpetua_primitives::AssetId, numerator: u32, denominator: u32) {
        let key = OracleKey::Asset(asset);
        Accepted::<T>::mutate(key, |p| {
            if let Some(p) = p {
                p.value = split_price(p.value, numerator, denominator);
            }
        });
        Ema::<T>::mutate(key, |e| {
            if let Some(e) = e {
                e.value = split_price(e.value, numerator, denominator);
            }
        });
        Held::<T>::remove(key);
    }
}

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

    fn feed(who: &T::AccountId, key: OracleKey, value: Price) -> sp_runtime::DispatchResult {
        <orml_oracle::Pallet<T, I> as orml_traits::DataFeeder<_, _, _>>::feed_value(
            Some(who.clone()),
            key,
            value,
        )
    }

    fn latest(key: &OracleKey) -> Option<(Price, Moment)> {
        orml_oracle::Pallet::<T, I>::get(key).map(|v| (v.value, v.timestamp.into()))
    }
}

//! # pallet-market-calendar
//!
//! The chain trades 24/7; the NYSE does not. This pallet knows when each exchange, and so each
//! stock token, is in its regular session: opening and closing times in exchange-local time,
//! the US daylight-saving rule, holidays and early closes per year (set by the admin), and
//! exchange-wide halts. Other pallets ask through [`MarketClock`]: the session of a stock at a
//! moment, with its closing time or the next opening time.
//!
//! Lookups are pure integer arithmetic on pallet-timestamp's milliseconds, read two small
//! fixed-size storage items (the exchange and the year's bitmaps) and allocate nothing.
//!
//! See the README for calls, storage, invariants and errors.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod nyse;
#[cfg(test)]
mod tests;
pub mod time;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use perpetua_primitives::{
    AssetId, ExchangeId, ExchangeRegistry, MarketClock, Moment, Session, StockRegistry, StockStatus,
};

/// Exchange names are at most this long.
pub type NameOf = frame_support::BoundedVec<u8, frame_support::traits::ConstU32<32>>;

/// Earliest and latest year a calendar can be stored for.
pub const MIN_YEAR: u16 = 1970;
pub const MAX_YEAR: u16 = 2200;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::pallet_prelude::*;
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
        /// Who may change exchanges, calendars and exchange halts.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Which assets are stocks, on which exchange, halted or not.
        type Stocks: StockRegistry;
        /// The chain's clock (pallet-timestamp), for the runtime API's "now".
        type Time: frame_support::traits::Time<Moment = Moment>;
        /// Most holidays one year may list.
        #[pallet::constant]
        type MaxHolidaysPerYear: Get<u32>;
        /// Most early closes one year may list.
        #[pallet::constant]
        type MaxEarlyClosesPerYear: Get<u32>;
        /// How many days ahead the next opening is searched for; beyond it the session says
        /// `Closed { next_open: None }`.
        #[pallet::constant]
        type MaxLookaheadDays: Get<u32>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// Exchanges: session rules and exchange-wide halt.
    #[pallet::storage]
    pub type Exchanges<T: Config> = StorageMap<_, Twox64Concat, ExchangeId, Exchange>;

    /// Exchange names, kept apart from the rules so that session lookups never decode them.
    #[pallet::storage]
    pub type ExchangeNames<T: Config> = StorageMap<_, Twox64Concat, ExchangeId, NameOf>;

    /// Holidays and early closes of an exchange in a year.
    #[pallet::storage]
    pub type Years<T: Config> =
        StorageDoubleMap<_, Twox64Concat, ExchangeId, Twox64Concat, u16, YearCalendar>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An exchange was created or its rules changed.
        ExchangeSet {
            exchange: ExchangeId,
            rules: ExchangeRules,
        },
        /// The holidays and early closes of a year were set.
        YearSet {
            exchange: ExchangeId,
            year: u16,
            holidays: u32,
            early_closes: u32,
        },
        /// A year's calendar was removed.
        YearRemoved { exchange: ExchangeId, year: u16 },
        /// An exchange-wide halt was set or lifted.
        ExchangeHaltSet { exchange: ExchangeId, halted: bool },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Session times or time-zone rules out of range (times must satisfy
        /// open < early close <= close <= 24:00; offsets within +-14 h; valid DST rule).
        InvalidRules,
        /// No such exchange.
        UnknownExchange,
        /// Year outside 1970..=2200.
        YearOutOfRange,
        /// A listed day is not a date of that year.
        InvalidDate,
        /// A listed day is a Saturday or Sunday (list the observed weekday instead).
        NotAWeekday,
        /// A day is listed twice, or both as a holiday and as an early close.
        DuplicateDay,
        /// There is no calendar for that year.
        UnknownYear,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Exchanges: id, name, rules.
        pub exchanges: Vec<(ExchangeId, Vec<u8>, ExchangeRules)>,
        /// Calendars: exchange, year, holidays, early closes.
        pub years: Vec<(ExchangeId, u16, Vec<MonthDay>, Vec<MonthDay>)>,
        #[serde(skip)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (id, name, rules) in &self.exchanges {
                // Genesis data is checked like an admin's call: a bad calendar must not start a
                // chain, so these panics stop `build-spec`, never a running chain.
                let valid = Pallet::<T>::validate_rules(rules).is_ok();
                assert!(valid, "invalid rules for exchange {id}"); // proof: genesis only
                let name: NameOf = name.clone().try_into().expect("name <= 32 bytes"); // proof: genesis only
                Exchanges::<T>::insert(
                    id,
                    Exchange {
                        rules: *rules,
                        halted: false,
                    },
                );
                ExchangeNames::<T>::insert(id, name);
            }
            for (id, year, holidays, early) in &self.years {
                let known = Exchanges::<T>::contains_key(id);
                assert!(known, "calendar for unknown exchange {id}"); // proof: genesis only
                let cal = Pallet::<T>::build_year(*year, holidays, early);
                let cal = cal.expect("valid genesis calendar"); // proof: genesis only
                Years::<T>::insert(id, year, cal);
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Creates exchange `exchange` or changes its name and rules (admin).
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::set_exchange())]
        pub fn set_exchange(
            origin: OriginFor<T>,
            exchange: ExchangeId,
            name: NameOf,
            rules: ExchangeRules,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::validate_rules(&rules)?;
            let halted = Exchanges::<T>::get(exchange).is_some_and(|e| e.halted);
            Exchanges::<T>::insert(exchange, Exchange { rules, halted });
            ExchangeNames::<T>::insert(exchange, name);
            Self::deposit_event(Event::ExchangeSet { exchange, rules });
            Ok(())
        }

        /// Sets the holidays (full-day closures) and early closes of `year` on `exchange`,
        /// replacing what was there (admin). Days are `(month, day)` of weekdays.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::set_year(holidays.len() as u32, early_closes.len() as u32))]
        pub fn set_year(
            origin: OriginFor<T>,
            exchange: ExchangeId,
            year: u16,
            holidays: BoundedVec<MonthDay, T::MaxHolidaysPerYear>,
            early_closes: BoundedVec<MonthDay, T::MaxEarlyClosesPerYear>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                Exchanges::<T>::contains_key(exchange),
                Error::<T>::UnknownExchange
            );
            let cal = Self::build_year(year, &holidays, &early_closes)?;
            Years::<T>::insert(exchange, year, cal);
            Self::deposit_event(Event::YearSet {
                exchange,
                year,
                holidays: holidays.len() as u32,
                early_closes: early_closes.len() as u32,
            });
            Ok(())
        }

        /// Removes the calendar of `year` on `exchange` (admin). Its weekdays become
        /// `Session::Unknown`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::remove_year())]
        pub fn remove_year(
            origin: OriginFor<T>,
            exchange: ExchangeId,
            year: u16,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                Years::<T>::contains_key(exchange, year),
                Error::<T>::UnknownYear
            );
            Years::<T>::remove(exchange, year);
            Self::deposit_event(Event::YearRemoved { exchange, year });
            Ok(())
        }

        /// Halts, or resumes, trading on a whole exchange (admin).
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_exchange_halt())]
        pub fn set_exchange_halt(
            origin: OriginFor<T>,
            exchange: ExchangeId,
            halted: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Exchanges::<T>::try_mutate(exchange, |e| -> DispatchResult {
                let e = e.as_mut().ok_or(Error::<T>::UnknownExchange)?;
                e.halted = halted;
                Ok(())
            })?;
            Self::deposit_event(Event::ExchangeHaltSet { exchange, halted });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Checks an exchange's rules.
        pub fn validate_rules(rules: &ExchangeRules) -> Result<(), Error<T>> {
            let day_end = 24 * 60;
            let times_ok = rules.open_minute < rules.early_close_minute
                && rules.early_close_minute <= rules.close_minute
                && rules.close_minute <= day_end;
            let tz = &rules.time_zone;
            let offset_ok = |o: i16| (-840..=840).contains(&o);
            let transition_ok = |t: &TransitionRule| {
                (1..=12).contains(&t.month)
                    && (1..=5).contains(&t.week)
                    && t.weekday <= 6
                    && t.local_minute < day_end
            };
            let dst_ok = tz.dst.is_none_or(|d| {
                transition_ok(&d.start) && transition_ok(&d.end) && d.start.month != d.end.month
            });
            ensure!(
                times_ok
                    && offset_ok(tz.std_offset_minutes)
                    && offset_ok(tz.dst_offset_minutes)
                    && dst_ok,
                Error::<T>::InvalidRules
            );
            Ok(())
        }

        /// Builds a year's bitmaps from lists of days, checking each.
        pub fn build_year(
            year: u16,
            holidays: &[MonthDay],
            early_closes: &[MonthDay],
        ) -> Result<YearCalendar, Error<T>> {
            ensure!(
                (MIN_YEAR..=MAX_YEAR).contains(&year),
                Error::<T>::YearOutOfRange
            );
            let y = year as i32;
            let jan1 = time::days_from_civil(y, 1, 1);
            let mut cal = YearCalendar::default();
            let day_of = |(m, d): MonthDay| -> Result<u16, Error<T>> {
                ensure!(time::is_valid_date(y, m, d), Error::<T>::InvalidDate);
                let z = time::days_from_civil(y, m, d);
                ensure!((1..=5).contains(&time::weekday(z)), Error::<T>::NotAWeekday);
                Ok((z - jan1) as u16)
            };
            for md in holidays {
                let day = day_of(*md)?;
                ensure!(!cal.is_closed(day), Error::<T>::DuplicateDay);
                cal.set_closed(day);
            }
            for md in early_closes {
                let day = day_of(*md)?;
                ensure!(
                    !cal.is_closed(day) && !cal.is_early_close(day),
                    Error::<T>::DuplicateDay
                );
                cal.set_early_close(day);
            }
            Ok(cal)
        }

        /// The session of `exchange` at `now` (ms since the Unix epoch).
        pub fn exchange_session_at(exchange: ExchangeId, now: Moment) -> Option<Session> {
            let ex = Exchanges::<T>::get(exchange)?;
            if ex.halted {
                return Some(Session::Halted);
            }
            Some(Self::session_of(exchange, &ex.rules, now))
        }

        /// The session of a stock token at `now`: its exchange's, or `Halted` if the stock is
        /// halted or delisted.
        pub fn stock_session_at(asset: AssetId, now: Moment) -> Option<Session> {
            let exchange = T::Stocks::exchange_of(asset)?;
            match T::Stocks::status(asset) {
                Some(StockStatus::Active) => {}
                _ => return Some(Session::Halted),
            }
            Self::exchange_session_at(exchange, now)
        }

        fn session_of(exchange: ExchangeId, rules: &ExchangeRules, now: Moment) -> Session {
            use time::{DAY_MS, MINUTE_MS};
            let now = now.min(i64::MAX as u64) as i64;
            let tz = &rules.time_zone;
            let local = now + time::offset_at(tz, now) as i64 * MINUTE_MS;
            let today = time::div_floor(local, DAY_MS);
            let ms_in_day = local - today * DAY_MS;
            let open_ms = rules.open_minute as i64 * MINUTE_MS;
            let mut years = YearCache::default();

            match years.day_kind::<T>(exchange, rules.holidays, today) {
                DayKind::Unknown => return Session::Unknown,
                DayKind::Closed => {}
                kind => {
                    let close = Self::close_minute(rules, kind);
                    if ms_in_day < open_ms {
                        let opens = time::local_to_utc(tz, today, rules.open_minute);
                        return Session::Closed {
                            next_open: Some(opens.max(0) as u64),
                        };
                    }
                    if ms_in_day < close as i64 * MINUTE_MS {
                        let closes = time::local_to_utc(tz, today, close);
                        return Session::Open {
                            closes_at: closes.max(0) as u64,
                        };
                    }
                }
            }
            let mut day = today;
            for _ in 0..T::MaxLookaheadDays::get() {
                day += 1;
                match years.day_kind::<T>(exchange, rules.holidays, day) {
                    DayKind::Closed => continue,
                    DayKind::Unknown => return Session::Closed { next_open: None },
                    DayKind::Regular | DayKind::EarlyClose => {
                        let opens = time::local_to_utc(tz, day, rules.open_minute);
                        return Session::Closed {
                            next_open: Some(opens.max(0) as u64),
                        };
                    }
                }
            }
            Session::Closed { next_open: None }
        }

        fn close_minute(rules: &ExchangeRules, kind: DayKind) -> u16 {
            if kind == DayKind::EarlyClose {
                rules.early_close_minute
            } else {
                rules.close_minute
            }
        }

        /// The kind of local day `day` (days since 1970-01-01) on `exchange`.
        pub fn day_kind(exchange: ExchangeId, day: i64) -> DayKind {
            let Some(ex) = Exchanges::<T>::get(exchange) else {
                return DayKind::Unknown;
            };
            YearCache::default().day_kind::<T>(exchange, ex.rules.holidays, day)
        }

        /// Checks the pallet's invariants: every calendar belongs to an existing exchange, with
        /// a valid year, no day both closed and early, and no weekend day marked; every exchange
        /// has valid rules and a name.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            for (id, ex) in Exchanges::<T>::iter() {
                ensure!(
                    Self::validate_rules(&ex.rules).is_ok(),
                    "exchange with invalid rules"
                );
                ensure!(
                    ExchangeNames::<T>::contains_key(id),
                    "exchange without a name"
                );
            }
            for (id, year, cal) in Years::<T>::iter() {
                ensure!(
                    Exchanges::<T>::contains_key(id),
                    "calendar of an unknown exchange"
                );
                ensure!(
                    (MIN_YEAR..=MAX_YEAR).contains(&year),
                    "calendar year out of range"
                );
                let jan1 = time::days_from_civil(year as i32, 1, 1);
                let days = if time::is_leap(year as i32) { 366 } else { 365 };
                for d in 0..YEAR_BITMAP_BYTES as u16 * 8 {
                    let marked = cal.is_closed(d) || cal.is_early_close(d);
                    if !marked {
                        continue;
                    }
                    ensure!(
                        !(cal.is_closed(d) && cal.is_early_close(d)),
                        "day closed and early"
                    );
                    ensure!(d < days, "day beyond the year's end");
                    let wd = time::weekday(jan1 + d as i64);
                    ensure!((1..=5).contains(&wd), "weekend day marked in a calendar");
                }
            }
            Ok(())
        }
    }
}

/// Reads each year's calendar at most once during one session lookup.
#[derive(Default)]
struct YearCache {
    year: Option<(i32, Option<YearCalendar>)>,
}

impl YearCache {
    /// The kind of `day` on `exchange`: weekends are closed; the admin's override for the
    /// year, if it marks the day, decides; otherwise the exchange's holiday rules.
    fn day_kind<T: Config>(
        &mut self,
        exchange: ExchangeId,
        holidays: HolidayRules,
        day: i64,
    ) -> DayKind {
        let wd = time::weekday(day);
        if wd == 0 || wd == 6 {
            return DayKind::Closed;
        }
        let (year, doy) = time::year_and_day_of_year(day);
        if !(MIN_YEAR as i32..=MAX_YEAR as i32).contains(&year) {
            return DayKind::Unknown;
        }
        let cal = match &self.year {
            Some((y, cal)) if *y == year => *cal,
            _ => {
                let cal = u16::try_from(year)
                    .ok()
                    .and_then(|y| Years::<T>::get(exchange, y));
                self.year = Some((year, cal));
                cal
            }
        };
        match cal {
            Some(c) if c.is_closed(doy) => DayKind::Closed,
            Some(c) if c.is_early_close(doy) => DayKind::EarlyClose,
            _ => match holidays {
                HolidayRules::UsEquity => nyse::day_kind(year, day),
                HolidayRules::None => DayKind::Regular,
            },
        }
    }
}

impl<T: Config> MarketClock for Pallet<T> {
    fn session(asset: AssetId, now: Moment) -> Option<Session> {
        Self::stock_session_at(asset, now)
    }

    fn exchange_session(exchange: ExchangeId, now: Moment) -> Option<Session> {
        Self::exchange_session_at(exchange, now)
    }
}

impl<T: Config> ExchangeRegistry for Pallet<T> {
    fn exchange_exists(exchange: ExchangeId) -> bool {
        Exchanges::<T>::contains_key(exchange)
    }
}

/// Genesis content for the US equity exchanges: NYSE (0) and Nasdaq (1), whose holidays
/// follow the NYSE's rules for every year; no year list, no overrides.
#[allow(clippy::type_complexity)]
pub fn us_equities_genesis() -> (
    alloc::vec::Vec<(ExchangeId, alloc::vec::Vec<u8>, ExchangeRules)>,
    alloc::vec::Vec<(
        ExchangeId,
        u16,
        alloc::vec::Vec<MonthDay>,
        alloc::vec::Vec<MonthDay>,
    )>,
) {
    let exchanges = alloc::vec![
        (nyse::NYSE, b"NYSE".to_vec(), ExchangeRules::US_EQUITIES),
        (nyse::NASDAQ, b"Nasdaq".to_vec(), ExchangeRules::US_EQUITIES),
    ];
    (exchanges, alloc::vec::Vec::new())
}

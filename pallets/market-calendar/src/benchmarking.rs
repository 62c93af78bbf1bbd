//! Benchmarks (frame-benchmarking v2) for every call, and for a session lookup against a full
//! three-year calendar.

use super::*;
use crate::Pallet as MarketCalendar;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{EnsureOrigin, Get},
    BoundedVec,
};
use frame_system::RawOrigin;

/// A weekday of `year` that is not a holiday: the n-th Tuesday-to-Thursday of the year.
fn weekdays(year: u16, n: u32) -> Vec<MonthDay> {
    let y = year as i32;
    let mut out = Vec::new();
    let mut z = time::days_from_civil(y, 1, 1);
    while (out.len() as u32) < n {
        if (2..=4).contains(&time::weekday(z)) {
            let (_, m, d) = time::civil_from_days(z);
            out.push((m, d));
        }
        z += 1;
    }
    out
}

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

fn setup_exchange<T: Config>(id: ExchangeId) {
    Exchanges::<T>::insert(
        id,
        Exchange {
            rules: ExchangeRules::US_EQUITIES,
            halted: false,
        },
    );
    ExchangeNames::<T>::insert(id, NameOf::truncate_from(b"Bench".to_vec()));
}

#[benchmarks]
mod benches {
    use super::*;

    #[benchmark]
    fn set_exchange() -> Result<(), BenchmarkError> {
        let origin = admin::<T>();
        let name = NameOf::truncate_from([b'X'; 32].to_vec());
        #[extrinsic_call]
        _(
            origin as T::RuntimeOrigin,
            9,
            name,
            ExchangeRules::US_EQUITIES,
        );
        assert!(Exchanges::<T>::contains_key(9));
        Ok(())
    }

    #[benchmark]
    fn set_year(
        h: Linear<0, { T::MaxHolidaysPerYear::get() }>,
        e: Linear<0, { T::MaxEarlyClosesPerYear::get() }>,
    ) -> Result<(), BenchmarkError> {
        setup_exchange::<T>(9);
        let days = weekdays(2030, h + e);
        let holidays = BoundedVec::truncate_from(days[..h as usize].to_vec());
        let early = BoundedVec::truncate_from(days[h as usize..].to_vec());
        let origin = admin::<T>();
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, 9, 2030, holidays, early);
        assert!(Years::<T>::contains_key(9, 2030));
        Ok(())
    }

    #[benchmark]
    fn remove_year() -> Result<(), BenchmarkError> {
        setup_exchange::<T>(9);
        Years::<T>::insert(9, 2030, YearCalendar::default());
        let origin = admin::<T>();
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, 9, 2030);
        assert!(!Years::<T>::contains_key(9, 2030));
        Ok(())
    }

    #[benchmark]
    fn set_exchange_halt() -> Result<(), BenchmarkError> {
        setup_exchange::<T>(9);
        let origin = admin::<T>();
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, 9, true);
        assert!(Exchanges::<T>::get(9).is_some_and(|e| e.halted));
        Ok(())
    }

    /// The worst lookup with a full three-year NYSE calendar: the evening of Thursday
    /// 2026-12-31, when the search crosses a holiday, a weekend and the year's end, reading two
    /// years of the calendar.
    #[benchmark]
    fn session_lookup() -> Result<(), BenchmarkError> {
        let (exchanges, years) = us_equities_genesis();
        for (id, _, rules) in exchanges {
            Exchanges::<T>::insert(
                id,
                Exchange {
                    rules,
                    halted: false,
                },
            );
        }
        let _ = years;
        // The worst case reads overrides for both years it crosses, then derives the rules.
        for (year, holidays, early) in [
            (2026u16, [(12u8, 29u8)], [(12u8, 30u8)]),
            (2027, [(1, 6)], [(1, 5)]),
        ] {
            let cal = MarketCalendar::<T>::build_year(year, &holidays, &early)
                .map_err(|_| BenchmarkError::Stop("calendar"))?;
            Years::<T>::insert(nyse::NYSE, year, cal);
        }
        // 2026-12-31 21:30 UTC = 16:30 EST.
        let now: Moment = 1_798_752_600_000;
        let result;
        #[block]
        {
            result = MarketCalendar::<T>::exchange_session_at(nyse::NYSE, now);
        }
        // Next open: Monday 2027-01-04 14:30 UTC.
        assert_eq!(
            result,
            Some(Session::Closed {
                next_open: Some(1_799_073_000_000)
            })
        );
        Ok(())
    }

    impl_benchmark_test_suite!(
        MarketCalendar,
        crate::mock::new_test_ext(),
        crate::mock::Test
    );
}

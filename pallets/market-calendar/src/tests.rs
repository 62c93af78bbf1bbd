//! Real dates and times: weekends, Thanksgiving 2026 and the early close after it, the 2026
//! daylight-saving switches, a Saturday holiday observed on Friday, year ends, the exact
//! millisecond of open and close, halts, and every error.

use crate::{mock::*, nyse, time, DayKind, Error, Event, ExchangeRules, Years};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use perpetua_primitives::{MarketClock, Session, StockStatus};
use sp_runtime::DispatchError;

const NYSE: u16 = nyse::NYSE;

/// Milliseconds of the UTC time `y-m-d h:min:s.ms`.
fn utc(y: i32, m: u8, d: u8, h: u8, min: u8, s: u8, ms: u16) -> u64 {
    let day = time::days_from_civil(y, m, d);
    (day * 86_400_000 + h as i64 * 3_600_000 + min as i64 * 60_000 + s as i64 * 1000 + ms as i64)
        as u64
}

fn at(y: i32, m: u8, d: u8, h: u8, min: u8) -> u64 {
    utc(y, m, d, h, min, 0, 0)
}

fn session(now: u64) -> Session {
    MarketCalendar::exchange_session(NYSE, now).unwrap()
}

fn closed_until(next: u64) -> Session {
    Session::Closed {
        next_open: Some(next),
    }
}

fn open_until(close: u64) -> Session {
    Session::Open { closes_at: close }
}

#[test]
fn opens_and_closes_at_the_exact_millisecond() {
    new_test_ext().execute_with(|| {
        // Monday 2026-11-30, EST (UTC-5): 09:30 ET = 14:30 UTC, 16:00 ET = 21:00 UTC.
        let open = at(2026, 11, 30, 14, 30);
        let close = at(2026, 11, 30, 21, 0);
        assert_eq!(session(open - 1), closed_until(open));
        assert_eq!(session(open), open_until(close));
        assert_eq!(session(close - 1), open_until(close));
        assert_eq!(session(close), closed_until(at(2026, 12, 1, 14, 30)));
        // Midnight New York time, and midnight UTC, both before the open.
        assert_eq!(session(at(2026, 11, 30, 5, 0)), closed_until(open));
        assert_eq!(session(at(2026, 11, 30, 0, 0)), closed_until(open));
    });
}

#[test]
fn weekends_are_closed_until_monday() {
    new_test_ext().execute_with(|| {
        let monday_open = at(2026, 11, 30, 14, 30);
        // Friday 2026-12-04 after the close, Saturday, Sunday.
        let next_monday = at(2026, 12, 7, 14, 30);
        assert_eq!(session(at(2026, 12, 4, 21, 0)), closed_until(next_monday));
        assert_eq!(session(at(2026, 12, 5, 15, 0)), closed_until(next_monday));
        assert_eq!(session(at(2026, 12, 6, 23, 59)), closed_until(next_monday));
        // Saturday before Thanksgiving week's Monday.
        assert_eq!(session(at(2026, 11, 28, 12, 0)), closed_until(monday_open));
    });
}

#[test]
fn thanksgiving_is_closed_and_the_day_after_closes_at_13_00() {
    new_test_ext().execute_with(|| {
        let friday_open = at(2026, 11, 27, 14, 30);
        let friday_early_close = at(2026, 11, 27, 18, 0); // 13:00 EST
                                                          // Wednesday before: a regular day, closes 16:00.
        assert_eq!(
            session(at(2026, 11, 25, 20, 59)),
            open_until(at(2026, 11, 25, 21, 0))
        );
        // Wednesday after close: next open is Friday (Thursday is Thanksgiving).
        assert_eq!(session(at(2026, 11, 25, 21, 0)), closed_until(friday_open));
        // Thanksgiving, 10:00 ET.
        assert_eq!(session(at(2026, 11, 26, 15, 0)), closed_until(friday_open));
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2026, 11, 26)),
            DayKind::Closed
        );
        // Friday: open 09:30, early close 13:00, exact to the millisecond.
        assert_eq!(session(friday_open), open_until(friday_early_close));
        assert_eq!(
            session(friday_early_close - 1),
            open_until(friday_early_close)
        );
        assert_eq!(
            session(friday_early_close),
            closed_until(at(2026, 11, 30, 14, 30))
        );
        // At 15:00 ET on the early-close day the market is closed.
        assert_eq!(
            session(at(2026, 11, 27, 20, 0)),
            closed_until(at(2026, 11, 30, 14, 30))
        );
    });
}

#[test]
fn daylight_saving_switches_of_2026() {
    new_test_ext().execute_with(|| {
        let tz = ExchangeRules::US_EQUITIES.time_zone;
        // Sunday 2026-03-08, 02:00 EST = 07:00 UTC: clocks go forward.
        let spring = utc(2026, 3, 8, 7, 0, 0, 0) as i64;
        assert_eq!(time::offset_at(&tz, spring - 1), -300);
        assert_eq!(time::offset_at(&tz, spring), -240);
        // Sunday 2026-11-01, 02:00 EDT = 06:00 UTC: clocks go back.
        let autumn = utc(2026, 11, 1, 6, 0, 0, 0) as i64;
        assert_eq!(time::offset_at(&tz, autumn - 1), -240);
        assert_eq!(time::offset_at(&tz, autumn), -300);

        // Friday 2026-03-06 trades 14:30-21:00 UTC (EST); Monday 2026-03-09 13:30-20:00 UTC (EDT).
        assert_eq!(
            session(at(2026, 3, 6, 14, 30)),
            open_until(at(2026, 3, 6, 21, 0))
        );
        let monday_open = at(2026, 3, 9, 13, 30);
        assert_eq!(session(at(2026, 3, 6, 21, 0)), closed_until(monday_open));
        // On the switch day itself, before and after 02:00 local.
        assert_eq!(session(spring as u64 - 1), closed_until(monday_open));
        assert_eq!(session(spring as u64), closed_until(monday_open));
        assert_eq!(session(monday_open - 1), closed_until(monday_open));
        assert_eq!(session(monday_open), open_until(at(2026, 3, 9, 20, 0)));

        // Friday 2026-10-30 trades 13:30-20:00 UTC (EDT); Monday 2026-11-02 14:30-21:00 UTC.
        assert_eq!(
            session(at(2026, 10, 30, 19, 59)),
            open_until(at(2026, 10, 30, 20, 0))
        );
        let monday_open = at(2026, 11, 2, 14, 30);
        assert_eq!(session(at(2026, 10, 30, 20, 0)), closed_until(monday_open));
        assert_eq!(session(autumn as u64 - 1), closed_until(monday_open));
        assert_eq!(session(autumn as u64), closed_until(monday_open));
        assert_eq!(session(at(2026, 11, 2, 14, 29)), closed_until(monday_open));
        assert_eq!(session(monday_open), open_until(at(2026, 11, 2, 21, 0)));
    });
}

#[test]
fn a_saturday_holiday_is_observed_on_friday() {
    new_test_ext().execute_with(|| {
        // July 4 2026 is a Saturday: the NYSE closes Friday July 3 instead.
        assert_eq!(time::weekday(time::days_from_civil(2026, 7, 4)), 6);
        let monday_open = at(2026, 7, 6, 13, 30); // Monday July 6, 09:30 EDT
        assert_eq!(session(at(2026, 7, 3, 15, 0)), closed_until(monday_open));
        // Thursday July 2 is a full regular day (16:00 EDT = 20:00 UTC).
        assert_eq!(
            session(at(2026, 7, 2, 19, 59)),
            open_until(at(2026, 7, 2, 20, 0))
        );
        assert_eq!(session(at(2026, 7, 2, 20, 0)), closed_until(monday_open));
        // 2027: Juneteenth (Sat) on Fri June 18, Christmas (Sat) on Fri December 24.
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2027, 6, 18)),
            DayKind::Closed
        );
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2027, 12, 24)),
            DayKind::Closed
        );
        // New Year's Day 2028 is a Saturday: not observed, Friday Dec 31 2027 trades.
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2027, 12, 31)),
            DayKind::Regular
        );
    });
}

#[test]
fn next_open_crosses_the_year_end() {
    new_test_ext().execute_with(|| {
        // Thursday 2026-12-31 after the close: Friday Jan 1 is a holiday, then a weekend.
        assert_eq!(
            session(at(2026, 12, 31, 21, 0)),
            closed_until(at(2027, 1, 4, 14, 30))
        );
        // Christmas Eve 2026 closes at 13:00 EST.
        assert_eq!(
            session(at(2026, 12, 24, 17, 59)),
            open_until(at(2026, 12, 24, 18, 0))
        );
        assert_eq!(
            session(at(2026, 12, 24, 18, 0)),
            closed_until(at(2026, 12, 28, 14, 30))
        );
    });
}

#[test]
fn the_calendar_never_runs_out_and_overrides_add_one_off_closures() {
    new_test_ext().execute_with(|| {
        // No year list at genesis, yet 2028 and 2199 are known: Monday 2028-01-03 opens.
        assert_eq!(Years::<Test>::iter().count(), 0);
        assert_eq!(
            session(at(2028, 1, 3, 15, 0)),
            open_until(at(2028, 1, 3, 21, 0))
        );
        // Friday 2027-12-31 after the close: New Year's Day 2028 is a Saturday, not observed,
        // so the next open is Monday.
        assert_eq!(
            session(at(2027, 12, 31, 21, 0)),
            closed_until(at(2028, 1, 3, 14, 30))
        );
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2199, 12, 25)),
            DayKind::Closed
        );
        // A one-off closure (a day of mourning) is an admin override on top of the rules.
        assert_ok!(MarketCalendar::set_year(
            RuntimeOrigin::root(),
            NYSE,
            2028,
            BoundedVec::truncate_from(vec![(1, 3)]),
            BoundedVec::truncate_from(vec![]),
        ));
        assert_eq!(
            session(at(2028, 1, 3, 15, 0)),
            closed_until(at(2028, 1, 4, 14, 30))
        );
        System::assert_last_event(
            Event::YearSet {
                exchange: NYSE,
                year: 2028,
                holidays: 1,
                early_closes: 0,
            }
            .into(),
        );
        // The rules still hold that year (MLK day stays closed).
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2028, 1, 17)),
            DayKind::Closed
        );
        assert_ok!(MarketCalendar::remove_year(
            RuntimeOrigin::root(),
            NYSE,
            2028
        ));
        assert_eq!(
            session(at(2028, 1, 3, 15, 0)),
            open_until(at(2028, 1, 3, 21, 0))
        );
        // Past the supported years: unknown.
        assert_eq!(
            MarketCalendar::day_kind(NYSE, time::days_from_civil(2201, 1, 5)),
            DayKind::Unknown
        );
    });
}

#[test]
fn halts_and_stock_sessions() {
    new_test_ext().execute_with(|| {
        let open_time = at(2026, 11, 30, 15, 0);
        // TSLA (asset 1) follows the NYSE.
        assert_eq!(
            MarketCalendar::session(1, open_time),
            Some(open_until(at(2026, 11, 30, 21, 0)))
        );
        // Not a stock.
        assert_eq!(MarketCalendar::session(99, open_time), None);
        assert_eq!(MarketCalendar::exchange_session(42, open_time), None);
        // A halted or delisted stock is halted whatever the hour.
        MockStocks::list(2, NYSE, StockStatus::Halted);
        MockStocks::list(3, nyse::NASDAQ, StockStatus::Delisted);
        assert_eq!(MarketCalendar::session(2, open_time), Some(Session::Halted));
        assert_eq!(MarketCalendar::session(3, open_time), Some(Session::Halted));
        // An exchange-wide halt halts its stocks and only its stocks.
        assert_ok!(MarketCalendar::set_exchange_halt(
            RuntimeOrigin::root(),
            NYSE,
            true
        ));
        System::assert_last_event(
            Event::ExchangeHaltSet {
                exchange: NYSE,
                halted: true,
            }
            .into(),
        );
        assert_eq!(MarketCalendar::session(1, open_time), Some(Session::Halted));
        assert!(MarketCalendar::exchange_session(nyse::NASDAQ, open_time)
            .unwrap()
            .is_open());
        assert_ok!(MarketCalendar::set_exchange_halt(
            RuntimeOrigin::root(),
            NYSE,
            false
        ));
        assert!(MarketCalendar::session(1, open_time).unwrap().is_open());
        // Time until open.
        let s = session(at(2026, 11, 28, 12, 0));
        assert_eq!(
            s.time_until_open(at(2026, 11, 28, 12, 0)),
            Some(2 * 86_400_000 + 150 * 60_000)
        );
        assert_eq!(session(open_time).time_until_open(open_time), Some(0));
    });
}

fn days<S: frame_support::traits::Get<u32>>(v: Vec<(u8, u8)>) -> BoundedVec<(u8, u8), S> {
    BoundedVec::truncate_from(v)
}

#[test]
fn admin_only_and_named_errors() {
    new_test_ext().execute_with(|| {
        let set_year = |origin, ex, year, h, e| MarketCalendar::set_year(origin, ex, year, h, e);
        assert_noop!(
            set_year(
                RuntimeOrigin::signed(1),
                NYSE,
                2028,
                days(vec![]),
                days(vec![])
            ),
            DispatchError::BadOrigin
        );
        assert_noop!(
            MarketCalendar::set_exchange_halt(RuntimeOrigin::signed(1), NYSE, true),
            DispatchError::BadOrigin
        );
        assert_noop!(
            MarketCalendar::set_exchange(
                RuntimeOrigin::signed(1),
                5,
                BoundedVec::truncate_from(b"X".to_vec()),
                ExchangeRules::US_EQUITIES
            ),
            DispatchError::BadOrigin
        );
        assert_noop!(
            MarketCalendar::remove_year(RuntimeOrigin::signed(1), NYSE, 2026),
            DispatchError::BadOrigin
        );
        let root = || RuntimeOrigin::root();
        assert_noop!(
            set_year(root(), 9, 2028, days(vec![]), days(vec![])),
            Error::<Test>::UnknownExchange
        );
        assert_noop!(
            set_year(root(), NYSE, 1969, days(vec![]), days(vec![])),
            Error::<Test>::YearOutOfRange
        );
        assert_noop!(
            set_year(root(), NYSE, 2028, days(vec![(2, 30)]), days(vec![])),
            Error::<Test>::InvalidDate
        );
        assert_noop!(
            set_year(root(), NYSE, 2028, days(vec![(13, 1)]), days(vec![])),
            Error::<Test>::InvalidDate
        );
        // 2028-01-01 is a Saturday.
        assert_noop!(
            set_year(root(), NYSE, 2028, days(vec![(1, 1)]), days(vec![])),
            Error::<Test>::NotAWeekday
        );
        assert_noop!(
            set_year(
                root(),
                NYSE,
                2028,
                days(vec![(1, 17), (1, 17)]),
                days(vec![])
            ),
            Error::<Test>::DuplicateDay
        );
        assert_noop!(
            set_year(
                root(),
                NYSE,
                2028,
                days(vec![(11, 23)]),
                days(vec![(11, 23)])
            ),
            Error::<Test>::DuplicateDay
        );
        assert_noop!(
            MarketCalendar::remove_year(root(), NYSE, 2030),
            Error::<Test>::UnknownYear
        );
        assert_noop!(
            MarketCalendar::set_exchange_halt(root(), 9, true),
            Error::<Test>::UnknownExchange
        );
        let mut bad = ExchangeRules::US_EQUITIES;
        bad.open_minute = 1000; // after the close
        let name = || BoundedVec::truncate_from(b"Bad".to_vec());
        assert_noop!(
            MarketCalendar::set_exchange(root(), 7, name(), bad),
            Error::<Test>::InvalidRules
        );
        let mut bad = ExchangeRules::US_EQUITIES;
        bad.time_zone.std_offset_minutes = 900;
        assert_noop!(
            MarketCalendar::set_exchange(root(), 7, name(), bad),
            Error::<Test>::InvalidRules
        );
        let mut bad = ExchangeRules::US_EQUITIES;
        if let Some(d) = bad.time_zone.dst.as_mut() {
            d.start.week = 6;
        }
        assert_noop!(
            MarketCalendar::set_exchange(root(), 7, name(), bad),
            Error::<Test>::InvalidRules
        );
        // A valid new exchange.
        assert_ok!(MarketCalendar::set_exchange(
            root(),
            7,
            name(),
            ExchangeRules::US_EQUITIES
        ));
        assert!(MarketCalendar::do_try_state().is_ok());
    });
}

#[test]
fn genesis_holds_exchanges_with_rules_and_try_state_passes() {
    new_test_ext().execute_with(|| {
        for ex in [nyse::NYSE, nyse::NASDAQ] {
            let rules = crate::Exchanges::<Test>::get(ex).unwrap().rules;
            assert_eq!(rules.holidays, crate::HolidayRules::UsEquity);
        }
        assert!(MarketCalendar::do_try_state().is_ok());
    });
}

// --- The published calendars against the rules.

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter(y: i32) -> (u8, u8) {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    (month as u8, day as u8)
}

fn md(z: i64) -> (u8, u8) {
    let (_, m, d) = time::civil_from_days(z);
    (m, d)
}

/// NYSE holidays from the rules: a Saturday holiday is observed the Friday before (except New
/// Year's Day, not observed), a Sunday holiday the Monday after.
fn derived_holidays(y: i32) -> Vec<(u8, u8)> {
    let observed = |m: u8, d: u8, new_year: bool| -> Option<i64> {
        let z = time::days_from_civil(y, m, d);
        match time::weekday(z) {
            6 if new_year => None,
            6 => Some(z - 1),
            0 => Some(z + 1),
            _ => Some(z),
        }
    };
    let (em, ed) = easter(y);
    let mut days: Vec<i64> = [
        observed(1, 1, true),
        Some(time::nth_weekday(y, 1, 1, 3)), // MLK: third Monday of January
        Some(time::nth_weekday(y, 2, 1, 3)), // Washington's Birthday: third Monday of February
        Some(time::days_from_civil(y, em, ed) - 2), // Good Friday
        Some(time::nth_weekday(y, 5, 1, 5)), // Memorial Day: last Monday of May
        observed(6, 19, false),              // Juneteenth
        observed(7, 4, false),               // Independence Day
        Some(time::nth_weekday(y, 9, 1, 1)), // Labor Day: first Monday of September
        Some(time::nth_weekday(y, 11, 4, 4)), // Thanksgiving: fourth Thursday of November
        observed(12, 25, false),             // Christmas
    ]
    .into_iter()
    .flatten()
    .collect();
    days.sort();
    days.into_iter().map(md).collect()
}

/// Early closes (13:00): July 3 when July 4 falls Tuesday to Friday; the day after
/// Thanksgiving; Christmas Eve when it falls Monday to Thursday.
fn derived_early_closes(y: i32) -> Vec<(u8, u8)> {
    let mut out = vec![];
    let july4 = time::weekday(time::days_from_civil(y, 7, 4));
    if (2..=5).contains(&july4) {
        out.push((7, 3));
    }
    out.push(md(time::nth_weekday(y, 11, 4, 4) + 1));
    let eve = time::weekday(time::days_from_civil(y, 12, 24));
    if (1..=4).contains(&eve) {
        out.push((12, 24));
    }
    out
}

/// Holidays and early closes of a year, as (month, day) lists.
type YearDays = (Vec<(u8, u8)>, Vec<(u8, u8)>);

/// The pallet's holidays and early closes of year `y` on the NYSE, every weekday checked.
fn pallet_year(y: i32) -> YearDays {
    let (mut closed, mut early) = (vec![], vec![]);
    let first = time::days_from_civil(y, 1, 1);
    let last = time::days_from_civil(y, 12, 31);
    for z in first..=last {
        if matches!(time::weekday(z), 0 | 6) {
            continue;
        }
        match MarketCalendar::day_kind(NYSE, z) {
            DayKind::Closed => closed.push(md(z)),
            DayKind::EarlyClose => early.push(md(z)),
            DayKind::Regular => {}
            DayKind::Unknown => panic!("{y}: unknown day"),
        }
    }
    (closed, early)
}

#[test]
fn published_calendars_agree_with_the_rules() {
    new_test_ext().execute_with(|| {
        for year in nyse::PUBLISHED {
            let y = year.year as i32;
            let mut published: Vec<(u8, u8)> = year.holidays.to_vec();
            // The one special closure no rule yields: national day of mourning, 2025-01-09.
            published.retain(|d| !(y == 2025 && *d == (1, 9)));
            assert_eq!(published, derived_holidays(y), "holidays {y}");
            assert_eq!(
                year.early_closes.to_vec(),
                derived_early_closes(y),
                "early closes {y}"
            );
            // And the pallet says the same for every weekday of the year.
            assert_eq!(
                pallet_year(y),
                (published, year.early_closes.to_vec()),
                "{y}"
            );
        }
        // Every year to 2035 (and beyond) by the test's own derivation of the rules.
        for y in 2025..=2060 {
            assert_eq!(
                pallet_year(y),
                (derived_holidays(y), derived_early_closes(y)),
                "{y}"
            );
        }
    });
    // The rules reproduce well-known years too: 2021 (New Year's 2022 on a Saturday not
    // observed; Christmas Saturday observed Friday Dec 24) and 2022 (July 4 on Monday).
    assert_eq!(easter(2024), (3, 31));
    assert!(!derived_holidays(2021).contains(&(12, 31)));
    assert!(derived_holidays(2021).contains(&(12, 24)));
    assert!(!derived_early_closes(2022).contains(&(7, 3)));
}

/// A sample of later years, worked out by hand from the rules (independently of both
/// derivations): Good Friday from the Easter tables, observed days from the weekdays.
#[test]
fn hand_checked_years_2030_to_2035() {
    new_test_ext().execute_with(|| {
        type Case = (i32, &'static [(u8, u8)], &'static [(u8, u8)]);
        let cases: [Case; 4] = [
            (
                2030,
                &[
                    (1, 1),
                    (1, 21),
                    (2, 18),
                    (4, 19),
                    (5, 27),
                    (6, 19),
                    (7, 4),
                    (9, 2),
                    (11, 28),
                    (12, 25),
                ],
                &[(7, 3), (11, 29), (12, 24)],
            ),
            (
                2032,
                &[
                    (1, 1),
                    (1, 19),
                    (2, 16),
                    (3, 26),
                    (5, 31),
                    (6, 18),
                    (7, 5),
                    (9, 6),
                    (11, 25),
                    (12, 24),
                ],
                &[(11, 26)],
            ),
            (
                2033,
                &[
                    // January 1 2033 is a Saturday: not observed.
                    (1, 17),
                    (2, 21),
                    (4, 15),
                    (5, 30),
                    (6, 20),
                    (7, 4),
                    (9, 5),
                    (11, 24),
                    (12, 26),
                ],
                &[(11, 25)],
            ),
            (
                2035,
                &[
                    (1, 1),
                    (1, 15),
                    (2, 19),
                    (3, 23),
                    (5, 28),
                    (6, 19),
                    (7, 4),
                    (9, 3),
                    (11, 22),
                    (12, 25),
                ],
                &[(7, 3), (11, 23), (12, 24)],
            ),
        ];
        for (y, holidays, early) in cases {
            assert_eq!(pallet_year(y), (holidays.to_vec(), early.to_vec()), "{y}");
        }
    });
}

//! The NYSE's (and Nasdaq's) holidays and 13:00 early closes, derived from the exchange's rules
//! for any year ([`day_kind`]), and the published calendars of 2025-2028 the tests check the
//! rules against ([`PUBLISHED`]).
//!
//! The rules (NYSE Rule 7.2 and the exchange's practice):
//! - Full closures: New Year's Day (January 1; a Sunday is observed on Monday, a Saturday is
//!   **not** observed: no Friday closure on December 31), Martin Luther King, Jr. Day (third
//!   Monday of January), Washington's Birthday (third Monday of February), Good Friday (two
//!   days before Western Easter), Memorial Day (last Monday of May), Juneteenth (June 19, from
//!   2022), Independence Day (July 4), Labor Day (first Monday of September), Thanksgiving
//!   (fourth Thursday of November), Christmas (December 25). Apart from New Year's Day, a
//!   Saturday holiday is observed on the Friday before and a Sunday holiday on the Monday after.
//! - Early closes at 13:00: July 3 when it is a Monday to Thursday, the day after Thanksgiving,
//!   and December 24 when it is a Monday to Thursday.
//! - One-off closures (days of mourning, weather: 2025-01-09 for President Carter) follow no
//!   rule: the admin adds them as overrides.

use crate::{
    time::{days_from_civil, nth_weekday, weekday},
    types::{DayKind, MonthDay},
};

/// Western (Gregorian) Easter Sunday of `y`, as (month, day): the anonymous Gregorian
/// algorithm (Meeus/Jones/Butcher).
pub const fn easter(y: i32) -> (u8, u8) {
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

/// The weekday a fixed-date holiday on day `z` is observed on: Saturday -> Friday, Sunday ->
/// Monday.
const fn observed(z: i64) -> i64 {
    match weekday(z) {
        6 => z - 1,
        0 => z + 1,
        _ => z,
    }
}

/// Whether day `z` (a weekday of year `y`) is an NYSE holiday by the rules.
pub fn is_holiday(y: i32, z: i64) -> bool {
    let new_year = days_from_civil(y, 1, 1);
    // New Year's Day: a Sunday moves to Monday; a Saturday is not observed.
    if z == new_year || (weekday(new_year) == 0 && z == new_year + 1) {
        return true;
    }
    let (em, ed) = easter(y);
    let fixed = [(7u8, 4u8), (12, 25)];
    let by_weekday = [
        nth_weekday(y, 1, 1, 3),        // Martin Luther King, Jr. Day
        nth_weekday(y, 2, 1, 3),        // Washington's Birthday
        days_from_civil(y, em, ed) - 2, // Good Friday
        nth_weekday(y, 5, 1, 5),        // Memorial Day
        nth_weekday(y, 9, 1, 1),        // Labor Day
        nth_weekday(y, 11, 4, 4),       // Thanksgiving Day
    ];
    by_weekday.contains(&z)
        || fixed
            .iter()
            .any(|(m, d)| observed(days_from_civil(y, *m, *d)) == z)
        || (y >= 2022 && observed(days_from_civil(y, 6, 19)) == z)
}

/// Whether day `z` (a weekday of year `y`, not a holiday) closes at 13:00 by the rules.
pub fn is_early_close(y: i32, z: i64) -> bool {
    let mon_to_thu = |d: i64| (1..=4).contains(&weekday(d));
    let july3 = days_from_civil(y, 7, 3);
    let dec24 = days_from_civil(y, 12, 24);
    (z == july3 && mon_to_thu(z))
        || z == nth_weekday(y, 11, 4, 4) + 1
        || (z == dec24 && mon_to_thu(z))
}

/// The kind of day `z` of year `y` by the NYSE's rules.
pub fn day_kind(y: i32, z: i64) -> DayKind {
    let wd = weekday(z);
    if wd == 0 || wd == 6 || is_holiday(y, z) {
        DayKind::Closed
    } else if is_early_close(y, z) {
        DayKind::EarlyClose
    } else {
        DayKind::Regular
    }
}

/// Exchange id of the NYSE.
pub const NYSE: u16 = 0;
/// Exchange id of Nasdaq (same session and holidays as the NYSE).
pub const NASDAQ: u16 = 1;

/// One year of a US equity exchange's special days.
pub struct UsYear {
    pub year: u16,
    pub holidays: &'static [MonthDay],
    pub early_closes: &'static [MonthDay],
}

/// NYSE holidays and early closes as the exchange published them, 2025-2028 (nyse.com,
/// "Holidays & Trading Hours"); the tests check the rules against them.
pub const PUBLISHED: [UsYear; 4] = [
    UsYear {
        year: 2025,
        holidays: &[
            (1, 1),   // New Year's Day (Wed)
            (1, 9),   // National Day of Mourning, President Carter (Thu) - special closure
            (1, 20),  // Martin Luther King, Jr. Day
            (2, 17),  // Washington's Birthday
            (4, 18),  // Good Friday (Easter 2025-04-20)
            (5, 26),  // Memorial Day
            (6, 19),  // Juneteenth (Thu)
            (7, 4),   // Independence Day (Fri)
            (9, 1),   // Labor Day
            (11, 27), // Thanksgiving Day
            (12, 25), // Christmas Day (Thu)
        ],
        early_closes: &[
            (7, 3),   // before Independence Day
            (11, 28), // day after Thanksgiving
            (12, 24), // Christmas Eve
        ],
    },
    UsYear {
        year: 2026,
        holidays: &[
            (1, 1),   // New Year's Day (Thu)
            (1, 19),  // Martin Luther King, Jr. Day
            (2, 16),  // Washington's Birthday
            (4, 3),   // Good Friday (Easter 2026-04-05)
            (5, 25),  // Memorial Day
            (6, 19),  // Juneteenth (Fri)
            (7, 3),   // Independence Day observed (July 4 is a Saturday)
            (9, 7),   // Labor Day
            (11, 26), // Thanksgiving Day
            (12, 25), // Christmas Day (Fri)
        ],
        early_closes: &[
            (11, 27), // day after Thanksgiving
            (12, 24), // Christmas Eve
        ],
    },
    UsYear {
        year: 2027,
        holidays: &[
            (1, 1),   // New Year's Day (Fri)
            (1, 18),  // Martin Luther King, Jr. Day
            (2, 15),  // Washington's Birthday
            (3, 26),  // Good Friday (Easter 2027-03-28)
            (5, 31),  // Memorial Day
            (6, 18),  // Juneteenth observed (June 19 is a Saturday)
            (7, 5),   // Independence Day observed (July 4 is a Sunday)
            (9, 6),   // Labor Day
            (11, 25), // Thanksgiving Day
            (12, 24), // Christmas Day observed (December 25 is a Saturday)
        ],
        early_closes: &[
            (11, 26), // day after Thanksgiving
        ],
    },
    UsYear {
        year: 2028,
        holidays: &[
            // New Year's Day 2028 is a Saturday: not observed.
            (1, 17),  // Martin Luther King, Jr. Day
            (2, 21),  // Washington's Birthday
            (4, 14),  // Good Friday (Easter 2028-04-16)
            (5, 29),  // Memorial Day
            (6, 19),  // Juneteenth (Mon)
            (7, 4),   // Independence Day (Tue)
            (9, 4),   // Labor Day
            (11, 23), // Thanksgiving Day
            (12, 25), // Christmas Day (Mon)
        ],
        early_closes: &[
            (7, 3),   // before Independence Day (Mon)
            (11, 24), // day after Thanksgiving
        ],
    },
];

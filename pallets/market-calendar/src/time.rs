//! Civil-calendar and time-zone arithmetic on Unix milliseconds: integers only, no allocation.
//!
//! Dates use the proleptic Gregorian calendar; day numbers count days since 1970-01-01
//! (negative before). The conversions are Howard Hinnant's `days_from_civil` and
//! `civil_from_days`.

use crate::types::{TimeZone, TransitionRule};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
/// Milliseconds in a minute.
pub const MINUTE_MS: i64 = 60_000;

/// Days since 1970-01-01 of the date `y-m-d` (`m` in 1..=12, `d` in 1..=31).
pub const fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let m = m as i64;
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + d as i64 - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date `(y, m, d)` of day number `z`.
pub const fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    (y as i32, m, d)
}

/// Day of the week of day number `z`: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
pub const fn weekday(z: i64) -> u8 {
    (z + 4).rem_euclid(7) as u8
}

/// Whether `y` is a leap year.
pub const fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Number of days in month `m` of year `y`.
pub const fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether `y-m-d` is a real date.
pub const fn is_valid_date(y: i32, m: u8, d: u8) -> bool {
    m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m)
}

/// Zero-based day of the year of day number `z`, with its year.
pub const fn year_and_day_of_year(z: i64) -> (i32, u16) {
    let (y, _, _) = civil_from_days(z);
    (y, (z - days_from_civil(y, 1, 1)) as u16)
}

/// The day number of the `week`-th `weekday` of month `m` of year `y` (`week` 5 = the last).
pub const fn nth_weekday(y: i32, m: u8, wd: u8, week: u8) -> i64 {
    if week >= 5 {
        let last = days_from_civil(y, m, days_in_month(y, m));
        let back = (weekday(last) as i64 - wd as i64).rem_euclid(7);
        return last - back;
    }
    let first = days_from_civil(y, m, 1);
    let fwd = (wd as i64 - weekday(first) as i64).rem_euclid(7);
    first + fwd + 7 * (week as i64 - 1)
}

/// Floor division for the (possibly negative) millisecond clock.
pub const fn div_floor(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

/// The UTC instant (ms) of a daylight-saving transition in year `y`. The rule's local time is
/// read in the offset in force just before the transition.
const fn transition_utc(y: i32, rule: &TransitionRule, offset_before_min: i16) -> i64 {
    let day = nth_weekday(y, rule.month, rule.weekday, rule.week);
    day * DAY_MS + rule.local_minute as i64 * MINUTE_MS - offset_before_min as i64 * MINUTE_MS
}

/// The offset from UTC (minutes) in force at the UTC instant `utc_ms`.
pub fn offset_at(tz: &TimeZone, utc_ms: i64) -> i16 {
    let Some(dst) = tz.dst else {
        return tz.std_offset_minutes;
    };
    // The year by standard local time is the right one for transitions far from New Year.
    let local_day = div_floor(utc_ms + tz.std_offset_minutes as i64 * MINUTE_MS, DAY_MS);
    let (y, _, _) = civil_from_days(local_day);
    let start = transition_utc(y, &dst.start, tz.std_offset_minutes);
    let end = transition_utc(y, &dst.end, tz.dst_offset_minutes);
    let in_dst = if start <= end {
        utc_ms >= start && utc_ms < end
    } else {
        // Southern hemisphere: daylight time spans New Year.
        utc_ms >= start || utc_ms < end
    };
    if in_dst {
        tz.dst_offset_minutes
    } else {
        tz.std_offset_minutes
    }
}

/// The UTC instant of local time `minute_of_day` on local day `day`. Trading hours are far
/// from daylight-saving transitions (02:00), so the offset is unambiguous.
pub fn local_to_utc(tz: &TimeZone, day: i64, minute_of_day: u16) -> i64 {
    let local = day * DAY_MS + minute_of_day as i64 * MINUTE_MS;
    let guess = local - tz.std_offset_minutes as i64 * MINUTE_MS;
    local - offset_at(tz, guess) as i64 * MINUTE_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for z in -800_000..800_000i64 {
            let (y, m, d) = civil_from_days(z);
            assert!(is_valid_date(y, m, d));
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn weekdays_and_rules() {
        // 2026-11-26, Thanksgiving, is a Thursday; 2026-11-30 a Monday.
        assert_eq!(weekday(days_from_civil(2026, 11, 26)), 4);
        assert_eq!(weekday(days_from_civil(2026, 11, 30)), 1);
        // Fourth Thursday of November 2026 = 26th; last Monday of May 2026 = 25th.
        assert_eq!(nth_weekday(2026, 11, 4, 4), days_from_civil(2026, 11, 26));
        assert_eq!(nth_weekday(2026, 5, 1, 5), days_from_civil(2026, 5, 25));
        // DST 2026: second Sunday of March = 8th, first Sunday of November = 1st.
        assert_eq!(nth_weekday(2026, 3, 0, 2), days_from_civil(2026, 3, 8));
        assert_eq!(nth_weekday(2026, 11, 0, 1), days_from_civil(2026, 11, 1));
        assert!(is_leap(2028) && !is_leap(2100) && is_leap(2000));
        assert_eq!(
            year_and_day_of_year(days_from_civil(2028, 12, 31)),
            (2028, 365)
        );
    }
}

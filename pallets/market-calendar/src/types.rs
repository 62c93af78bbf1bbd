//! Types of the market calendar. Everything read on the hot path (session lookups) has a fixed
//! size, so decoding it from storage allocates nothing.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A daylight-saving transition: the `week`-th (1..=4, 5 = last) `weekday` (0 = Sunday) of
/// `month`, at `local_minute` of local time (in the offset in force before the transition).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub struct TransitionRule {
    pub month: u8,
    pub week: u8,
    pub weekday: u8,
    pub local_minute: u16,
}

/// When daylight saving time starts and ends.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub struct DstRule {
    pub start: TransitionRule,
    pub end: TransitionRule,
}

/// An exchange's time zone: offsets from UTC in minutes, and the daylight-saving rule.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub struct TimeZone {
    pub std_offset_minutes: i16,
    pub dst_offset_minutes: i16,
    pub dst: Option<DstRule>,
}

impl TimeZone {
    /// America/New_York since 2007: UTC-5, daylight UTC-4 from the second Sunday of March at
    /// 02:00 to the first Sunday of November at 02:00.
    pub const US_EASTERN: TimeZone = TimeZone {
        std_offset_minutes: -300,
        dst_offset_minutes: -240,
        dst: Some(DstRule {
            start: TransitionRule {
                month: 3,
                week: 2,
                weekday: 0,
                local_minute: 120,
            },
            end: TransitionRule {
                month: 11,
                week: 1,
                weekday: 0,
                local_minute: 120,
            },
        }),
    };
}

/// An exchange's regular session, in minutes after local midnight.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub struct ExchangeRules {
    pub time_zone: TimeZone,
    /// Opening time, e.g. 570 (09:30).
    pub open_minute: u16,
    /// Regular closing time, e.g. 960 (16:00).
    pub close_minute: u16,
    /// Closing time on early-close days, e.g. 780 (13:00).
    pub early_close_minute: u16,
    /// Where holidays and early closes come from for any year; the admin's per-year
    /// overrides add one-off closures on top.
    pub holidays: HolidayRules,
}

/// How an exchange's holidays and early closes are derived, for every year.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum HolidayRules {
    /// No rule: only weekends and the admin's overrides close the market.
    None,
    /// The NYSE's rules (also Nasdaq's): see [`crate::nyse`].
    UsEquity,
}

impl ExchangeRules {
    /// NYSE and Nasdaq: 09:30 to 16:00 America/New_York, early closes at 13:00, holidays by
    /// the NYSE's rules.
    pub const US_EQUITIES: ExchangeRules = ExchangeRules {
        time_zone: TimeZone::US_EASTERN,
        open_minute: 570,
        close_minute: 960,
        early_close_minute: 780,
        holidays: HolidayRules::UsEquity,
    };
}

/// An exchange as stored: its rules and whether the whole exchange is halted.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct Exchange {
    pub rules: ExchangeRules,
    /// A market-wide halt (e.g. a level-3 circuit breaker) set by the admin.
    pub halted: bool,
}

/// Bytes of a day-of-year bitmap: 366 bits.
pub const YEAR_BITMAP_BYTES: usize = 46;

/// One exchange's special days of one year, as bitmaps indexed by zero-based day of the year:
/// full-day closures (holidays) and early closes.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct YearCalendar {
    pub closed: [u8; YEAR_BITMAP_BYTES],
    pub early_close: [u8; YEAR_BITMAP_BYTES],
}

impl Default for YearCalendar {
    fn default() -> Self {
        YearCalendar {
            closed: [0; YEAR_BITMAP_BYTES],
            early_close: [0; YEAR_BITMAP_BYTES],
        }
    }
}

fn bit(map: &[u8; YEAR_BITMAP_BYTES], day: u16) -> bool {
    map.get((day / 8) as usize)
        .is_some_and(|b| b & (1 << (day % 8)) != 0)
}

fn set_bit(map: &mut [u8; YEAR_BITMAP_BYTES], day: u16) {
    if let Some(b) = map.get_mut((day / 8) as usize) {
        *b |= 1 << (day % 8);
    }
}

impl YearCalendar {
    /// Whether zero-based day `day` is a full-day closure.
    pub fn is_closed(&self, day: u16) -> bool {
        bit(&self.closed, day)
    }
    /// Whether zero-based day `day` closes early.
    pub fn is_early_close(&self, day: u16) -> bool {
        bit(&self.early_close, day)
    }
    /// Marks day `day` closed.
    pub fn set_closed(&mut self, day: u16) {
        set_bit(&mut self.closed, day)
    }
    /// Marks day `day` as an early close.
    pub fn set_early_close(&mut self, day: u16) {
        set_bit(&mut self.early_close, day)
    }
    /// Number of closures and early closes.
    pub fn counts(&self) -> (u32, u32) {
        let c = |m: &[u8; YEAR_BITMAP_BYTES]| m.iter().map(|b| b.count_ones()).sum();
        (c(&self.closed), c(&self.early_close))
    }
}

/// A month and day, e.g. `(11, 26)`.
pub type MonthDay = (u8, u8);

/// What kind of day a local date is on an exchange.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DayKind {
    /// Weekend or holiday.
    Closed,
    /// A regular trading day.
    Regular,
    /// A trading day that closes early.
    EarlyClose,
    /// A day the calendar cannot tell (outside the years it computes).
    Unknown,
}

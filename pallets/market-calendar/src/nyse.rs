//! The NYSE (and Nasdaq) calendars carried by genesis: holidays and 13:00 early closes for
//! 2025, 2026 and 2027, as published by the exchange. The tests derive the same dates from the
//! rules (observance of Saturday and Sunday holidays, Easter for Good Friday, the early-close
//! rules) and check both agree, apart from the special closure of 2025-01-09 (national day of
//! mourning for President Carter), which no rule yields.

use crate::types::MonthDay;

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

/// NYSE holidays and early closes, 2025-2027.
pub const NYSE_YEARS: [UsYear; 3] = [
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
];

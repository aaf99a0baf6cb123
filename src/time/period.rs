//! Calendar periods of UTC days: ISO 8601 weeks (Monday to Sunday) and months. A period is
//! named by a key that orders periods in time, so counters can be kept per day and rolled
//! up into either granularity.

use super::calendar::{civil_from_days, days_from_civil, days_in_month, format_day, iso_week};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Week,
    Month,
}

impl Granularity {
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }

    /// The key of the period holding UTC day `day` (days since 1970-01-01): the Monday's day
    /// number for weeks, year × 12 + month − 1 for months.
    pub fn key_of_day(self, day: i64) -> i64 {
        match self {
            Granularity::Week => day - super::calendar::weekday(day),
            Granularity::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + i64::from(m) - 1
            }
        }
    }

    /// The period just before the one with `key`.
    pub fn previous(self, key: i64) -> i64 {
        match self {
            Granularity::Week => key - 7,
            Granularity::Month => key - 1,
        }
    }

    /// "2025-W13" or "2025-03".
    pub fn label(self, key: i64) -> String {
        match self {
            Granularity::Week => {
                let (year, week, _) = iso_week(key);
                format!("{year:04}-W{week:02}")
            }
            Granularity::Month => {
                format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
            }
        }
    }

    /// First and last day of the period, as `YYYY-MM-DD`.
    pub fn days(self, key: i64) -> [String; 2] {
        match self {
            Granularity::Week => [format_day(key), format_day(key + 6)],
            Granularity::Month => {
                let (y, m) = (key.div_euclid(12), key.rem_euclid(12) as u32 + 1);
                let first = days_from_civil(y, m, 1);
                [
                    format_day(first),
                    format_day(first + i64::from(days_in_month(y, m)) - 1),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn day(s: &str) -> i64 {
        Timestamp::parse(s).expect("valid").day()
    }

    #[test]
    fn iso_weeks() {
        let w = Granularity::Week;
        // 2025-03-03 is a Monday in ISO week 10; Sunday 2025-03-09 is in the same week.
        let key = w.key_of_day(day("2025-03-03T00:00:00Z"));
        assert_eq!(w.key_of_day(day("2025-03-09T23:59:59Z")), key);
        assert_ne!(w.key_of_day(day("2025-03-10T00:00:00Z")), key);
        assert_eq!(w.label(key), "2025-W10");
        assert_eq!(w.days(key), ["2025-03-03".to_string(), "2025-03-09".into()]);
        assert_eq!(w.label(w.previous(key)), "2025-W09");
        // The week is the UTC day's: late Sunday evening west of UTC is Monday in UTC.
        assert_eq!(
            w.label(w.key_of_day(day("2025-03-09T23:30:00-05:00"))),
            "2025-W11"
        );
        // ISO year boundaries: 2024-12-30 belongs to 2025-W01, 2021-01-03 to 2020-W53.
        assert_eq!(w.label(w.key_of_day(day("2024-12-30"))), "2025-W01");
        assert_eq!(w.label(w.key_of_day(day("2021-01-03"))), "2020-W53");
    }

    #[test]
    fn months() {
        let m = Granularity::Month;
        let key = m.key_of_day(day("2024-02-15T12:00:00Z"));
        assert_eq!(m.label(key), "2024-02");
        assert_eq!(m.days(key), ["2024-02-01".to_string(), "2024-02-29".into()]);
        assert_eq!(m.key_of_day(day("2024-03-01T01:00:00+02:00")), key);
        assert_eq!(
            m.label(m.previous(m.key_of_day(day("2025-01-05")))),
            "2024-12"
        );
    }
}

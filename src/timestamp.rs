//! ISO 8601 timestamps, parsed by hand: periods (`--compare-periods`) and `started_at`
//! filters only need the instant in UTC, so a date-time crate (chrono, jiff, time) would
//! bring far more than is used. Accepted: `2025-03-24`, `2025-03-24T10:00`,
//! `2025-03-24T10:00:05.123Z`, `2025-03-24 10:00:05+02:00` (also `+0200`, `+02`), and Unix
//! epoch seconds (10 digits) or milliseconds (13 digits). No offset means UTC.

use serde::{Deserialize, Serialize};

use crate::dates;

const DAY: i64 = 86_400;

/// Seconds since 1970-01-01T00:00:00Z, or `None` when `s` is not a timestamp.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(secs) = parse_epoch(s) {
        return Some(secs);
    }
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * DAY;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let hour = digits(&rest[1..3])?;
    let minute = digits(&rest[4..6])?;
    let mut i = 6;
    let mut second = 0;
    if rest.get(i) == Some(&b':') {
        second = digits(rest.get(i + 1..i + 3)?)?;
        i += 3;
        if matches!(rest.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while rest.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    // 24:00 is not accepted; a leap second (60) is folded into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    secs += hour * 3600 + minute * 60 + second;
    let offset = &rest[i..];
    let offset_secs = match offset {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (h, m) = match tail {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let v = h * 3600 + m * 60;
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    Some(secs - offset_secs)
}

fn parse_epoch(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = int.parse().ok()?;
    match int.len() {
        10 => Some(v),
        13 => Some(v.div_euclid(1000)),
        _ => None,
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
}

// Calendar arithmetic is shared with the weekly series (crate::dates); these adapters keep
// this module's i64 month and day numbers.
fn days_in_month(y: i64, m: i64) -> i64 {
    i64::from(dates::days_in_month(y, m as u32))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    dates::days_from_civil(y, m as u32, d as u32)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let (y, m, d) = dates::civil_from_days(z);
    (y, i64::from(m), i64::from(d))
}

fn date_text(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Calendar periods for `--compare-periods`: ISO weeks (Monday to Sunday, UTC) or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

    /// A key that orders periods in time: the Monday's day number for weeks, year × 12 +
    /// month for months.
    pub fn period_of(self, secs: i64) -> i64 {
        let day = secs.div_euclid(DAY);
        match self {
            Granularity::Week => day - (day + 3).rem_euclid(7),
            Granularity::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + (m - 1)
            }
        }
    }

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
                // The ISO week-numbering year is the year of the week's Thursday.
                let thursday = key + 3;
                let (y, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
                format!("{y:04}-W{week:02}")
            }
            Granularity::Month => {
                format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
            }
        }
    }

    /// First and last calendar day of the period, as `YYYY-MM-DD`.
    pub fn days(self, key: i64) -> [String; 2] {
        match self {
            Granularity::Week => [date_text(key), date_text(key + 6)],
            Granularity::Month => {
                let (y, m) = (key.div_euclid(12), key.rem_euclid(12) + 1);
                let first = days_from_civil(y, m, 1);
                [date_text(first), date_text(first + days_in_month(y, m) - 1)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_times_offsets_and_epochs() {
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(parse("2025-03-03T00:56:30Z"), Some(1_740_963_390));
        assert_eq!(parse("2025-03-03T00:56:30.250Z"), Some(1_740_963_390));
        assert_eq!(parse("2025-03-03 02:56:30+02:00"), Some(1_740_963_390));
        assert_eq!(parse("2025-03-02T19:56:30-0500"), Some(1_740_963_390));
        assert_eq!(parse("2025-03-03T00:56"), Some(1_740_963_360));
        assert_eq!(parse("1740963390"), Some(1_740_963_390));
        assert_eq!(parse("1740963390123"), Some(1_740_963_390));
        assert_eq!(
            parse("2024-02-29"),
            Some(days_from_civil(2024, 2, 29) * DAY)
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2025-02-29",
            "2025-13-01",
            "2025-03-03T25:00:00Z",
            "2025-03-03T10:00:00+5",
            "2025/03/03",
            "12345",
            "2025-03-03T10:00:00 UTC",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn iso_weeks_and_months() {
        let w = Granularity::Week;
        let at = |s: &str| parse(s).expect("valid");
        // 2025-03-03 is a Monday in ISO week 10; Sunday 2025-03-09 is in the same week.
        let key = w.period_of(at("2025-03-03T00:00:00Z"));
        assert_eq!(w.period_of(at("2025-03-09T23:59:59Z")), key);
        assert_eq!(w.label(key), "2025-W10");
        assert_eq!(
            w.days(key),
            ["2025-03-03".to_string(), "2025-03-09".to_string()]
        );
        assert_eq!(w.label(w.previous(key)), "2025-W09");
        // ISO year boundaries: 2024-12-30 belongs to 2025-W01, 2021-01-03 to 2020-W53.
        assert_eq!(w.label(w.period_of(at("2024-12-30"))), "2025-W01");
        assert_eq!(w.label(w.period_of(at("2021-01-03"))), "2020-W53");
        let m = Granularity::Month;
        let key = m.period_of(at("2024-02-15T12:00:00Z"));
        assert_eq!(m.label(key), "2024-02");
        assert_eq!(m.days(key)[1], "2024-02-29");
        assert_eq!(
            m.label(m.previous(m.period_of(at("2025-01-05")))),
            "2024-12"
        );
    }
}

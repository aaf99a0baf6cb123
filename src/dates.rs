//! Calendar arithmetic on the proleptic Gregorian calendar, without a date crate: enough to
//! place a `started_at` in its ISO week and to print a UTC timestamp.

/// Days from 1970-01-01 to `year-month-day` (negative before). Howard Hinnant's
/// `days_from_civil`, exact for every representable date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The calendar day of a timestamp as written, as days since 1970-01-01.
///
/// Accepts ISO 8601 / RFC 3339 beginning with `YYYY-MM-DD` (any time and offset after it
/// are ignored: the day is the one the exporter wrote, in its own time zone) and Unix epoch
/// seconds or milliseconds (UTC). Anything else is `None`.
pub fn parse_day(ts: &str) -> Option<i64> {
    let ts = ts.trim();
    if !ts.is_empty() && ts.len() <= 14 && ts.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = ts.parse().ok()?;
        // 13 digits are milliseconds (2001 onwards); fewer are seconds.
        let secs = if ts.len() >= 13 { n / 1000 } else { n };
        return Some(secs.div_euclid(86_400));
    }
    let b = ts.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = ts.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let year = i64::from(year);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Day of the week (Mon = 0 .. Sun = 6) of a day since 1970-01-01, which was a Thursday.
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// The ISO 8601 week of a day: (ISO year, week 1..=53, the week's Monday as days since
/// 1970-01-01). Week 1 is the week holding the year's first Thursday.
pub fn iso_week(days: i64) -> (i64, u32, i64) {
    let monday = days - weekday(days);
    let thursday = monday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32, monday)
}

/// "2025-03-03"
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// "2025-03-03T14:05:09Z" for Unix seconds.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_day(days),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for d in [-800_000, -1, 0, 59, 11_016, 20_150, 2_932_896] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
    }

    #[test]
    fn parses_iso_dates_and_epochs() {
        let d = days_from_civil(2025, 3, 3);
        assert_eq!(parse_day("2025-03-03T00:56:30Z"), Some(d));
        assert_eq!(parse_day("2025-03-03 23:59:59+05:00"), Some(d));
        assert_eq!(parse_day("2025-03-03"), Some(d));
        assert_eq!(parse_day("1740960000"), Some(d)); // 2025-03-03T00:00:00Z
        assert_eq!(parse_day("1740960000000"), Some(d));
        assert_eq!(parse_day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-02-29",
            "2025-00-10",
            "2025-3-3",
            "03/03/2025",
            "2025-03-03X10",
            "２０２５-03-03",
            "-5",
        ] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn iso_weeks_at_year_boundaries() {
        let week = |y, m, d| {
            let (yy, w, monday) = iso_week(days_from_civil(y, m, d));
            (yy, w, format_day(monday))
        };
        assert_eq!(week(2025, 3, 3), (2025, 10, "2025-03-03".to_string()));
        assert_eq!(week(2025, 3, 9), (2025, 10, "2025-03-03".to_string()));
        assert_eq!(week(2025, 3, 10), (2025, 11, "2025-03-10".to_string()));
        // 2021-01-03 is a Sunday in the last week of 2020, which had 53 weeks.
        assert_eq!(week(2021, 1, 3), (2020, 53, "2020-12-28".to_string()));
        // 2024-12-30 is a Monday in week 1 of 2025.
        assert_eq!(week(2024, 12, 30), (2025, 1, "2024-12-30".to_string()));
    }

    #[test]
    fn formats_utc() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_740_960_000 + 3_723), "2025-03-03T01:02:03Z");
    }
}

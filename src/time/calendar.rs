//! Calendar arithmetic on the proleptic Gregorian calendar, on day numbers (days since
//! 1970-01-01, UTC): enough to read and print timestamps and to place a day in its ISO week
//! or month.

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
}

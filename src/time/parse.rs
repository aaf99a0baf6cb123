//! Timestamps as text, read by hand: a date-time crate (chrono, jiff, time) would bring far
//! more than the one instant per conversation that is needed. Accepted: `2025-03-24`,
//! `2025-03-24T10:00`, `2025-03-24T10:00:05.123Z`, `2025-03-24 10:00:05+02:00` (also
//! `+0200`, `+02`), and Unix epoch seconds (10 digits, optionally with a fraction) or
//! milliseconds (13 digits). No offset means UTC. Vendor layouts (Twitter's, epoch numbers
//! in other units) are turned into these by `ingest::time`.

use super::calendar::{days_from_civil, days_in_month};
use super::{Timestamp, DAY};

/// The instant `s` denotes, or `None` when it is not a timestamp.
pub fn parse(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Some(t) = parse_epoch(s) {
        return Some(t);
    }
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])? as u32;
    let day = digits(&b[8..10])? as u32;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * DAY;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(Timestamp::from_unix(secs, 0));
    }
    if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let hour = digits(&rest[1..3])?;
    let minute = digits(&rest[4..6])?;
    let mut i = 6;
    let mut second = 0;
    let mut nanos = 0;
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
            nanos = fraction_nanos(&rest[start..i]);
        }
    }
    // 24:00 is not accepted; a leap second (60) is folded into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    secs += hour * 3600 + minute * 60 + second;
    let offset_secs = match &rest[i..] {
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
    Some(Timestamp::from_unix(secs - offset_secs, nanos))
}

/// Ten digits are seconds (2001-09-09 to 2286), thirteen milliseconds; other lengths are
/// not taken for epochs (a year, a ticket number).
fn parse_epoch(s: &str) -> Option<Timestamp> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = int.parse().ok()?;
    match int.len() {
        10 => Some(Timestamp::from_unix(v, fraction_nanos(frac.as_bytes()))),
        13 => Some(Timestamp::from_unix(
            v.div_euclid(1000),
            v.rem_euclid(1000) as u32 * 1_000_000,
        )),
        _ => None,
    }
}

/// Nanoseconds of the decimal fraction `.d1d2d3…` (digits past the ninth are dropped).
fn fraction_nanos(frac: &[u8]) -> u32 {
    frac.iter()
        .chain(std::iter::repeat(&b'0'))
        .take(9)
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<i64> {
        parse(s).map(Timestamp::unix_seconds)
    }

    #[test]
    fn parses_iso_dates_times_offsets_and_epochs() {
        assert_eq!(secs("1970-01-01"), Some(0));
        assert_eq!(secs("2025-03-03T00:56:30Z"), Some(1_740_963_390));
        assert_eq!(secs("2025-03-03 02:56:30+02:00"), Some(1_740_963_390));
        assert_eq!(secs("2025-03-02T19:56:30-0500"), Some(1_740_963_390));
        assert_eq!(secs("2025-03-03T05:56:30+05"), Some(1_740_963_390));
        assert_eq!(secs("2025-03-03T00:56"), Some(1_740_963_360));
        assert_eq!(secs("  2025-03-03t00:56:30z "), Some(1_740_963_390));
        assert_eq!(secs("1740963390"), Some(1_740_963_390));
        assert_eq!(secs("1740963390123"), Some(1_740_963_390));
        assert_eq!(secs("2024-02-29"), Some(days_from_civil(2024, 2, 29) * DAY));
    }

    #[test]
    fn an_offset_moves_the_instant_across_midnight() {
        // 23:30 five hours behind UTC is 04:30 the next day in UTC.
        let t = parse("2025-03-09T23:30:00-05:00").expect("valid");
        assert_eq!(t, parse("2025-03-10T04:30:00Z").expect("valid"));
        assert_eq!(t.day(), days_from_civil(2025, 3, 10));
        let east = parse("2025-03-10T01:00:00+02:00").expect("valid");
        assert_eq!(east.day(), days_from_civil(2025, 3, 9));
    }

    #[test]
    fn keeps_fractions_of_a_second() {
        let t = parse("2025-03-03T00:56:30.250Z").expect("valid");
        assert_eq!(
            (t.unix_seconds(), t.subsec_nanos()),
            (1_740_963_390, 250_000_000)
        );
        let t = parse("2025-03-03T00:56:30,123456789123Z").expect("valid");
        assert_eq!(t.subsec_nanos(), 123_456_789);
        assert_eq!(
            parse("1740963390123").map(Timestamp::subsec_nanos),
            Some(123_000_000)
        );
        assert_eq!(
            parse("1740963390.5").map(Timestamp::subsec_nanos),
            Some(500_000_000)
        );
        assert!(parse("2025-03-03T00:56:30Z") < parse("2025-03-03T00:56:30.001Z"));
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-3-3",
            "03/03/2025",
            "2025/03/03",
            "2025-03-03X10",
            "２０２５-03-03",
            "2025-03-03T25:00:00Z",
            "2025-03-03T10:60:00Z",
            "2025-03-03T10:00:00.Z",
            "2025-03-03T10:00:00+5",
            "2025-03-03T10:00:00+24:00",
            "2025-03-03T10:00:00 UTC",
            "12345",
            "174096339",
            "-5",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}

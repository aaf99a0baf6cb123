//! Timestamps as exports give them (Unix seconds, milliseconds or microseconds, RFC 3339,
//! Twitter's `Tue Oct 31 22:10:47 +0000 2017`) turned into RFC 3339 UTC text for message
//! times, which `crate::time` reads back when a conversation's start is taken from its
//! first message. Calendar arithmetic, RFC 3339 parsing and printing are `crate::time`'s;
//! this adds the units and layouts exports use.

use crate::time::{days_from_civil, Timestamp};

/// Seconds since the epoch plus milliseconds, as `2024-05-01T09:30:00Z` (with `.123` when
/// the milliseconds are not zero).
pub fn iso_from_unix(secs: i64, millis: u32) -> String {
    Timestamp::from_unix(secs, millis * 1_000_000).to_string()
}

/// The unit of a numeric timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Millis,
    Micros,
}

/// A numeric timestamp in `unit` as RFC 3339; None when it is not a plausible date
/// (before 1970 or after 9999).
pub fn iso_from_number(v: f64, unit: Unit) -> Option<String> {
    let ms = match unit {
        Unit::Seconds => v * 1000.0,
        Unit::Millis => v,
        Unit::Micros => v / 1000.0,
    };
    if !(0.0..253_402_300_800_000.0).contains(&ms) {
        return None;
    }
    let ms = ms.round() as i64;
    Some(iso_from_unix(
        ms.div_euclid(1000),
        ms.rem_euclid(1000) as u32,
    ))
}

/// A numeric or numeric-string JSON timestamp in `unit`, or an RFC 3339 string kept as is.
pub fn from_json(v: &serde_json::Value, unit: Unit) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => iso_from_number(n.as_f64()?, unit),
        serde_json::Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                None
            } else if let Ok(x) = t.parse::<f64>() {
                iso_from_number(x, unit)
            } else {
                Some(t.to_string())
            }
        }
        _ => None,
    }
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Seconds and nanoseconds since the epoch of an RFC 3339 timestamp
/// (`2024-05-01T09:30:00.045Z`, `2024-05-01 09:30:00+02:00`); for ordering messages whose
/// timestamps differ in fractional digits or offsets, where text order would be wrong.
pub fn rfc3339_key(s: &str) -> Option<(i64, u32)> {
    let s = s.trim();
    // Epoch numbers are not RFC 3339 (and `Timestamp::parse` would take them).
    if s.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let t = Timestamp::parse(s)?;
    Some((t.unix_seconds(), t.subsec_nanos()))
}

/// Twitter's `created_at` (`Tue Oct 31 22:10:47 +0000 2017`) as RFC 3339 UTC plus epoch
/// seconds for ordering.
pub fn twitter(s: &str) -> Option<(String, i64)> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, mon, day, clock, offset, year] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as u32 + 1;
    let d = num(day)? as u32;
    let y = num(year)?;
    let hms: Vec<i64> = clock.split(':').map(num).collect::<Option<_>>()?;
    let [h, mi, se] = hms.as_slice() else {
        return None;
    };
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if offset.len() != 5 || !offset.is_ascii() {
        return None;
    }
    let off = sign * (num(&offset[1..3])? * 3600 + num(&offset[3..5])? * 60);
    let secs = days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + se - off;
    Some((iso_from_unix(secs, 0), secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_numbers_in_each_unit() {
        assert_eq!(
            iso_from_number(0.0, Unit::Seconds).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            iso_from_number(1_700_000_000.5, Unit::Seconds).as_deref(),
            Some("2023-11-14T22:13:20.500Z")
        );
        assert_eq!(
            iso_from_number(1_709_251_200_000.0, Unit::Millis).as_deref(),
            Some("2024-03-01T00:00:00Z"),
            "leap-year February ends on the 29th"
        );
        assert_eq!(
            iso_from_number(951_782_400_000_000.0, Unit::Micros).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(iso_from_number(-5.0, Unit::Seconds), None);
        assert_eq!(iso_from_number(1e20, Unit::Seconds), None);
    }

    #[test]
    fn rfc3339_keys_order_by_instant() {
        let a = rfc3339_key("2024-05-01T09:30:00Z").expect("valid");
        let b = rfc3339_key("2024-05-01T09:30:00.045Z").expect("valid");
        let c = rfc3339_key("2024-05-01T11:30:01+02:00").expect("valid");
        assert!(a < b && b < c, "{a:?} {b:?} {c:?}");
        assert_eq!(c.0 - a.0, 1);
        assert_eq!(b.1, 45_000_000);
        assert_eq!(rfc3339_key("yesterday"), None);
        assert_eq!(rfc3339_key("2024-13-01T00:00:00Z"), None);
    }

    #[test]
    fn twitter_dates_with_offsets() {
        let (iso, secs) = twitter("Tue Oct 31 22:10:47 +0000 2017").expect("valid");
        assert_eq!(iso, "2017-10-31T22:10:47Z");
        let (iso2, secs2) = twitter("Wed Nov 01 00:10:47 +0200 2017").expect("valid");
        assert_eq!(iso2, iso);
        assert_eq!(secs, secs2);
        assert_eq!(twitter("2017-10-31"), None);
    }
}

//! The one time model. A conversation's `started_at` is read once, at ingest, into a
//! [`Timestamp`]: an instant in UTC (the offset written in the export is applied, then
//! dropped). Everything that places a conversation in time uses that instant and the UTC
//! calendar: its day and ISO week (Monday to Sunday) or month for the weekly series and
//! `--compare-periods` ([`Granularity`]), `--filter started_at…`, and the report's period.
//! One rule for all of them means a conversation written as `2025-03-09T23:30:00-05:00`
//! is in 2025-W11 (it began at 04:30 UTC on Monday the 10th) in every view, where local
//! dates would put it in W10 in one and W11 in another.
//!
//! `calendar` is day-number arithmetic, `parse` reads text, `period` names weeks and
//! months. Layouts particular to one export (Twitter's dates, epochs in microseconds) are
//! turned into text `parse` reads by `ingest::time`.

mod calendar;
mod parse;
mod period;

use std::fmt;

pub use calendar::days_from_civil;
use calendar::format_day;
pub use period::Granularity;

/// Seconds in a day (UTC has no leap seconds in Unix time).
const DAY: i64 = 86_400;

/// An instant: seconds and nanoseconds since 1970-01-01T00:00:00Z. Orders by time;
/// displays as RFC 3339 in UTC (`2025-03-03T00:56:30Z`, with the fraction when there is
/// one).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// `nanos` beyond a second carry into `secs`.
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp {
            secs: secs + i64::from(nanos / 1_000_000_000),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// See [`parse::parse`] for the accepted forms.
    pub fn parse(s: &str) -> Option<Timestamp> {
        parse::parse(s)
    }

    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// The UTC day, as days since 1970-01-01.
    pub fn day(self) -> i64 {
        self.secs.div_euclid(DAY)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rem = self.secs.rem_euclid(DAY);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            format_day(self.day()),
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )?;
        // The shortest of milli-, micro- and nanoseconds that is exact.
        match self.nanos {
            0 => {}
            n if n % 1_000_000 == 0 => write!(f, ".{:03}", n / 1_000_000)?,
            n if n % 1_000 == 0 => write!(f, ".{:06}", n / 1_000)?,
            n => write!(f, ".{n:09}")?,
        }
        f.write_str("Z")
    }
}

/// The instants a conversation can plausibly have started at: from 1990 (before any chat
/// export) to a year past now (a clock ahead, a time zone wrong; a year covers both). A
/// time outside is a placeholder or a broken value (`0001-01-01`, `9999-12-31`, an epoch in
/// the wrong unit): one such date once took over the weekly series, so the conversation is
/// counted as undated instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub earliest: Timestamp,
    pub latest: Timestamp,
}

impl DateWindow {
    /// 1990-01-01T00:00:00Z.
    const EARLIEST_SECS: i64 = 631_152_000;

    /// The window for a run at `now`.
    pub fn at(now: Timestamp) -> DateWindow {
        DateWindow {
            earliest: Timestamp::from_unix(Self::EARLIEST_SECS, 0),
            latest: Timestamp::from_unix(now.secs + 366 * DAY, 0),
        }
    }

    /// The window for a run now, by the system clock.
    pub fn now() -> DateWindow {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
            .unwrap_or(0);
        DateWindow::at(Timestamp::from_unix(now, 0))
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.earliest <= t && t <= self.latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_rfc3339_utc() {
        assert_eq!(
            Timestamp::from_unix(0, 0).to_string(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix(1_740_960_000 + 3_723, 0).to_string(),
            "2025-03-03T01:02:03Z"
        );
        assert_eq!(
            Timestamp::from_unix(-1, 500_000_000).to_string(),
            "1969-12-31T23:59:59.500Z"
        );
        assert_eq!(
            Timestamp::from_unix(0, 45_000).to_string(),
            "1970-01-01T00:00:00.000045Z"
        );
        assert_eq!(
            Timestamp::from_unix(0, 7).to_string(),
            "1970-01-01T00:00:00.000000007Z"
        );
        assert_eq!(Timestamp::from_unix(0, 1_500_000_000).unix_seconds(), 1);
    }

    #[test]
    fn parsed_text_displays_as_the_same_instant_in_utc() {
        for (text, utc) in [
            ("2025-03-03T00:56:30Z", "2025-03-03T00:56:30Z"),
            ("2025-03-09T23:30:00-05:00", "2025-03-10T04:30:00Z"),
            ("2024-04-02T10:00:00.123+02:00", "2024-04-02T08:00:00.123Z"),
            ("1740963390", "2025-03-03T00:56:30Z"),
            ("2025-03-03", "2025-03-03T00:00:00Z"),
        ] {
            let t = Timestamp::parse(text).expect(text);
            assert_eq!(t.to_string(), utc, "{text}");
            assert_eq!(Timestamp::parse(utc), Some(t));
        }
    }

    #[test]
    fn the_date_window_runs_from_1990_to_a_year_past_now() {
        let now = Timestamp::parse("2025-06-01T00:00:00Z").expect("valid");
        let w = DateWindow::at(now);
        let t = |s: &str| Timestamp::parse(s).expect(s);
        assert!(w.contains(t("1990-01-01")));
        assert!(!w.contains(t("1989-12-31T23:59:59Z")));
        assert!(w.contains(t("2026-06-01")));
        assert!(!w.contains(t("2026-06-03")));
        assert!(!w.contains(t("9999-12-31")));
        assert!(!w.contains(Timestamp::from_unix(0, 0)));
        assert!(DateWindow::now().contains(t("2025-03-03")));
    }

    #[test]
    fn days_are_utc_days() {
        assert_eq!(Timestamp::from_unix(DAY - 1, 0).day(), 0);
        assert_eq!(Timestamp::from_unix(DAY, 0).day(), 1);
        assert_eq!(Timestamp::from_unix(-1, 0).day(), -1);
    }
}

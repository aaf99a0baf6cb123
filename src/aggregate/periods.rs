//! One counter and one test for every comparison of calendar periods: the weekly series
//! (each week against the one before) and `--compare-periods` (the latest week or month
//! against the one before) are both read from [`DayCounter`] and judged by
//! [`PeriodTest::compare`], so the chart and the trend table cannot disagree about a week.
//!
//! Counts are kept per (category, UTC day of `started_at`, see `crate::time`), and weeks and
//! months are summed from the days: memory grows with categories × days in the data, not
//! with conversations (a year of 50 categories is under 20,000 small cells).
//!
//! The test is the release gate's (`[gate] confidence`, `min_conversations`,
//! `min_csat_responses`): a rate got worse when Newcombe's interval for the rise excludes
//! zero, mean CSAT when Welch's interval for the change lies below zero; neither is judged
//! below the minimum sizes. Each interval is two-sided at the confidence, so on its own a
//! metric flags a chance worsening at half of 1 − confidence, and with many categories and
//! periods a few flags would arise by chance. So the judged changes of one table or chart
//! are a family, corrected together by `[gate] correction` ([`PeriodTest::correct`]): a
//! change is worse when its one-sided p-value (read off the same interval, `stats`),
//! adjusted over the family, is below half of 1 − confidence; with no correction that is
//! exactly the interval rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::frame::{units, value};

use crate::detect::Assessment;
use crate::stats::{
    adjust, newcombe_difference, newcombe_p_higher, round, welch_difference, welch_p_lower,
    Adjustment, Estimate, Moments,
};
use crate::summary::TrendChange;
use crate::time::{Granularity, Timestamp};

/// How two periods are compared (from `[gate]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodTest {
    /// Two-sided level of the intervals.
    pub confidence: f64,
    /// How the p-values of a table's or chart's judged changes are adjusted together.
    pub correction: Adjustment,
    /// Conversations needed in each period before its rates are judged.
    pub min_conversations: u64,
    /// Rated conversations needed in each period before mean CSAT is judged.
    pub min_csat_responses: u64,
}

/// The counts of one category in one day, week or month. CSAT sums are kept in the
/// fixed-point units of the category sums (`frame::units`), so they do not depend on the
/// order conversations were added in (a sharded run adds them in another).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub conversations: u64,
    pub needs_human: u64,
    pub satisfaction_drop: u64,
    pub csat_n: u64,
    csat_sum: i64,
    csat_sum_sq: i64,
}

impl Counts {
    fn add(&mut self, a: &Assessment) {
        self.conversations += 1;
        self.needs_human += u64::from(a.needs_human);
        self.satisfaction_drop += u64::from(a.satisfaction_drop);
        if let Some(v) = a.csat.filter(|v| v.is_finite()) {
            self.csat_n += 1;
            self.csat_sum += units(v);
            self.csat_sum_sq += units(v * v);
        }
    }

    pub fn merge(&mut self, o: &Counts) {
        self.conversations += o.conversations;
        self.needs_human += o.needs_human;
        self.satisfaction_drop += o.satisfaction_drop;
        self.csat_n += o.csat_n;
        self.csat_sum += o.csat_sum;
        self.csat_sum_sq += o.csat_sum_sq;
    }

    /// The CSAT answers' moments, for Welch's interval and the mean.
    pub fn csat(&self) -> Moments {
        Moments {
            n: self.csat_n,
            sum: value(self.csat_sum),
            sum_sq: value(self.csat_sum_sq),
        }
    }
}

/// Per (category, UTC day) counts, filled conversation by conversation.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCounter {
    /// category -> day (days since 1970-01-01) -> counts.
    days: BTreeMap<String, BTreeMap<i64, Counts>>,
    undated: u64,
}

impl DayCounter {
    #[cfg(test)]
    pub fn add(&mut self, started_at: Option<Timestamp>, a: &Assessment) {
        self.add_as(started_at, &a.category, a);
    }

    /// Counts `a` under `category` (its own or the folded one).
    pub fn add_as(&mut self, started_at: Option<Timestamp>, category: &str, a: &Assessment) {
        let Some(t) = started_at else {
            self.undated += 1;
            return;
        };
        // Look up before inserting: cloning the category name for every conversation would
        // cost an allocation on the sequential fold.
        let days = match self.days.get_mut(category) {
            Some(d) => d,
            None => self.days.entry(category.to_string()).or_default(),
        };
        days.entry(t.day()).or_default().add(a);
    }

    /// Adds `other`'s counts to these (a partial's, see `aggregate::partial`).
    pub fn merge(&mut self, other: &DayCounter) {
        self.undated += other.undated;
        for (category, days) in &other.days {
            let mine = self.days.entry(category.clone()).or_default();
            for (day, counts) in days {
                mine.entry(*day).or_default().merge(counts);
            }
        }
    }

    /// Moves the days of the `names` categories into the `into` category's.
    pub fn fold(&mut self, names: &std::collections::HashSet<String>, into: &str) {
        let mut moved: BTreeMap<i64, Counts> = self.days.remove(into).unwrap_or_default();
        for name in names {
            for (day, counts) in self.days.remove(name).unwrap_or_default() {
                moved.entry(day).or_default().merge(&counts);
            }
        }
        if !moved.is_empty() {
            self.days.insert(into.to_string(), moved);
        }
    }

    /// Audited conversations without a start time (in no period).
    pub fn undated(&self) -> u64 {
        self.undated
    }

    /// category -> period key (see `Granularity::key_of_day`) -> counts, for the periods
    /// with data.
    pub fn periods(&self, g: Granularity) -> BTreeMap<&str, BTreeMap<i64, Counts>> {
        self.days
            .iter()
            .map(|(category, days)| {
                let mut periods: BTreeMap<i64, Counts> = BTreeMap::new();
                for (day, counts) in days {
                    periods.entry(g.key_of_day(*day)).or_default().merge(counts);
                }
                (category.as_str(), periods)
            })
            .collect()
    }
}

/// A period against the one before it.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Both periods have `min_conversations`.
    pub judged: bool,
    pub needs_human: Option<TrendChange>,
    pub satisfaction_drop: Option<TrendChange>,
    pub mean_csat: Option<TrendChange>,
}

impl PeriodTest {
    /// `last` against `prev`; each change is `None` when a side has nothing to measure.
    pub fn compare(&self, prev: &Counts, last: &Counts) -> Comparison {
        let judged = prev.conversations >= self.min_conversations
            && last.conversations >= self.min_conversations;
        let rate = |f: fn(&Counts) -> u64| {
            newcombe_difference(
                (f(prev), prev.conversations),
                (f(last), last.conversations),
                self.confidence,
            )
            .map(|d| {
                let prev_rate = f(prev) as f64 / prev.conversations as f64;
                let p =
                    newcombe_p_higher((f(prev), prev.conversations), (f(last), last.conversations));
                change(
                    &d,
                    prev_rate,
                    judged && d.above_zero(),
                    p.filter(|_| judged),
                )
            })
        };
        let csat_judged =
            prev.csat_n >= self.min_csat_responses && last.csat_n >= self.min_csat_responses;
        let (prev_csat, last_csat) = (prev.csat(), last.csat());
        let mean_csat = welch_difference(prev_csat, last_csat, self.confidence).map(|d| {
            let prev_mean = prev_csat.mean().unwrap_or(0.0);
            let p = welch_p_lower(prev_csat, last_csat);
            change(
                &d,
                prev_mean,
                csat_judged && d.below_zero(),
                p.filter(|_| csat_judged),
            )
        });
        Comparison {
            judged,
            needs_human: rate(|c| c.needs_human),
            satisfaction_drop: rate(|c| c.satisfaction_drop),
            mean_csat,
        }
    }
}

impl PeriodTest {
    /// Judges a family of changes together: each judged change (one with a p-value) is
    /// worse when its p-value adjusted over the family is below half of 1 − confidence. With
    /// no correction the interval's verdict from [`PeriodTest::compare`] stands, bit for bit.
    /// Returns the family's size.
    pub fn correct<'c>(&self, changes: impl IntoIterator<Item = &'c mut TrendChange>) -> usize {
        let mut judged: Vec<&mut TrendChange> = changes
            .into_iter()
            .filter(|c| c.p_value.is_some())
            .collect();
        let p: Vec<f64> = judged.iter().filter_map(|c| c.p_value).collect();
        let level = (1.0 - self.confidence) / 2.0;
        for (c, adj) in judged.iter_mut().zip(adjust(&p, self.correction)) {
            c.adjusted_p_value = Some(round(adj, 6));
            if self.correction != Adjustment::None {
                c.worse = adj < level;
            }
        }
        judged.len()
    }
}

/// `d` is `latest - previous`, so the latest value is `previous + d`; `p` is the one-sided
/// p-value of a worsening when the change is judged.
fn change(d: &Estimate, previous: f64, worse: bool, p: Option<f64>) -> TrendChange {
    TrendChange {
        previous: round(previous, 4),
        latest: round(previous + d.value, 4),
        difference: round(d.value, 4),
        interval: [round(d.low, 4), round(d.high, 4)],
        worse,
        p_value: p.map(|p| round(p, 6)),
        adjusted_p_value: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST: PeriodTest = PeriodTest {
        confidence: 0.95,
        correction: Adjustment::None,
        min_conversations: 30,
        min_csat_responses: 30,
    };

    fn assessment(category: &str, needs_human: bool, csat: Option<f64>) -> Assessment {
        Assessment {
            category: category.into(),
            findings: Vec::new(),
            unresolved: false,
            escalation_request: false,
            is_loop: false,
            satisfaction_drop: false,
            confirmed: false,
            needs_human,
            probability: 0.0,
            score: 0.0,
            dissatisfaction: 0.0,
            dissatisfaction_turn: None,
            signals: Default::default(),
            csat,
            label: None,
            bot_answers: Vec::new(),
        }
    }

    fn at(s: &str) -> Option<Timestamp> {
        Some(Timestamp::parse(s).expect("valid"))
    }

    fn rates(needs_human: u64, n: u64) -> Counts {
        Counts {
            conversations: n,
            needs_human,
            ..Default::default()
        }
    }

    fn ratings(scores: &[f64]) -> Counts {
        let mut c = Counts::default();
        for &s in scores {
            c.add(&assessment("x", false, Some(s)));
        }
        c
    }

    #[test]
    fn days_roll_up_into_utc_weeks_and_months() {
        let mut d = DayCounter::default();
        d.add(
            at("2025-03-09T12:00:00Z"),
            &assessment("card", true, Some(4.0)),
        );
        // Sunday evening west of UTC is Monday in UTC: the next week.
        d.add(
            at("2025-03-09T23:30:00-05:00"),
            &assessment("card", false, None),
        );
        d.add(
            at("2025-03-10T08:00:00Z"),
            &assessment("card", true, Some(2.0)),
        );
        d.add(None, &assessment("card", true, None));
        d.add(
            at("2025-04-01T00:00:00Z"),
            &assessment("fraud", false, f64::NAN.into()),
        );
        assert_eq!(d.undated(), 1);

        let weeks = d.periods(Granularity::Week);
        let card: Vec<(String, u64, u64)> = weeks["card"]
            .iter()
            .map(|(k, c)| (Granularity::Week.label(*k), c.conversations, c.needs_human))
            .collect();
        assert_eq!(card, [("2025-W10".into(), 1, 1), ("2025-W11".into(), 2, 1)]);
        let w11 = weeks["card"].values().last().expect("two weeks");
        assert_eq!((w11.csat_n, w11.csat().sum), (1, 2.0));
        // A non-finite rating is not a rating.
        let fraud = weeks["fraud"].values().next().expect("one week");
        assert_eq!((fraud.conversations, fraud.csat_n), (1, 0));

        let months = d.periods(Granularity::Month);
        let labels: Vec<String> = months["card"]
            .keys()
            .map(|k| Granularity::Month.label(*k))
            .collect();
        assert_eq!(labels, ["2025-03"]);
        assert_eq!(
            months["card"].values().next().map(|c| c.conversations),
            Some(3)
        );
    }

    #[test]
    fn a_rate_rise_is_worse_only_when_its_interval_excludes_zero_and_both_sides_are_judged() {
        let c = TEST.compare(&rates(4, 40), &rates(24, 40));
        let rise = c.needs_human.expect("measured");
        assert!(c.judged && rise.worse, "{rise:?}");
        assert_eq!(
            (rise.previous, rise.latest, rise.difference),
            (0.1, 0.6, 0.5)
        );
        assert!(rise.interval[0] > 0.0);

        // The same rise is not judged below min_conversations in either period.
        let small = TEST.compare(&rates(2, 20), &rates(12, 20));
        assert!(!small.judged && !small.needs_human.expect("measured").worse);
        // A small rise whose interval includes zero, and a fall, are not worse.
        assert!(
            !TEST
                .compare(&rates(8, 40), &rates(10, 40))
                .needs_human
                .expect("m")
                .worse
        );
        assert!(
            !TEST
                .compare(&rates(24, 40), &rates(4, 40))
                .needs_human
                .expect("m")
                .worse
        );
        // An empty period has no rate.
        assert!(TEST
            .compare(&rates(0, 0), &rates(4, 40))
            .needs_human
            .is_none());
    }

    #[test]
    fn a_csat_fall_needs_min_csat_responses_on_both_sides() {
        let high: Vec<f64> = (0..30).map(|i| [4.0, 5.0][i % 2]).collect();
        let low: Vec<f64> = (0..30).map(|i| [1.0, 2.0][i % 2]).collect();
        let fell = TEST.compare(&ratings(&high), &ratings(&low));
        let csat = fell.mean_csat.expect("measured");
        assert!(csat.worse && csat.interval[1] < 0.0, "{csat:?}");
        assert_eq!((csat.previous, csat.latest), (4.5, 1.5));
        // A rise is not worse; 29 answers are too few to judge.
        assert!(
            !TEST
                .compare(&ratings(&low), &ratings(&high))
                .mean_csat
                .expect("m")
                .worse
        );
        let few = TEST.compare(&ratings(&high[..29]), &ratings(&low));
        assert!(!few.mean_csat.expect("measured").worse);
    }
}

//! Weekly needs-human rate and CSAT per category, with the weeks that got significantly
//! worse than the week before flagged.
//!
//! Weeks are ISO 8601 weeks of the UTC day of `started_at` (`crate::time`), summed from the
//! shared day counter; at most [`MAX_WEEKS`] weeks (the latest) are reported. Each week is
//! compared with the calendar week just before it by the test `--compare-periods` uses
//! (`periods::PeriodTest`: Newcombe's interval for the needs-human rate, Welch's for mean
//! CSAT, at `[gate] confidence` and above its minimum sizes), so the chart flags the latest
//! week exactly when the trend table flags the same metric. Satisfaction-drop rises are
//! judged too but not charted; the trend table shows them.
//!
//! Every judged change of the chart (each series, each week, each metric) is one family,
//! corrected together by `[gate] correction` (`PeriodTest::correct`), so a flat series is
//! not decorated with chance flags. The trend table's family is only the latest period's
//! changes, so under a correction the chart is the stricter of the two: with Holm a latest
//! week the chart flags is also flagged in the table, not always the reverse. With
//! `correction = "none"` they agree exactly, as before.

use std::collections::BTreeMap;

use super::periods::{Comparison, Counts, DayCounter, PeriodTest};
use crate::stats::{rate, round, wilson};
use crate::summary::{WeekLabel, WeekPoint, Weekly, WeeklyFlag, WeeklyMetric, WeeklySeries};
use crate::time::Granularity;

/// Weeks reported, counting back from the latest.
pub const MAX_WEEKS: usize = 52;

/// The series for the report: `order` gives the categories' order (the ranking); `None`
/// when no conversation had a usable `started_at`.
pub fn weekly(days: &DayCounter, order: &[String], test: &PeriodTest) -> Option<Weekly> {
    let g = Granularity::Week;
    let weeks = days.periods(g);
    let first = weeks.values().filter_map(|w| w.keys().next()).min()?;
    let last = weeks.values().filter_map(|w| w.keys().last()).max()?;
    let span = ((last - first) / 7 + 1) as usize;
    let shown = span.min(MAX_WEEKS);
    let start = last - 7 * (shown as i64 - 1);
    let mondays: Vec<i64> = (0..shown as i64).map(|i| start + 7 * i).collect();
    let earlier = weeks
        .values()
        .flat_map(|w| w.range(..start).map(|(_, c)| c.conversations))
        .sum();

    let column = |w: &BTreeMap<i64, Counts>| -> Vec<Counts> {
        mondays
            .iter()
            .map(|m| w.get(m).copied().unwrap_or_default())
            .collect()
    };
    let mut overall = vec![Counts::default(); shown];
    for w in weeks.values() {
        for (total, cell) in overall.iter_mut().zip(column(w)) {
            total.merge(&cell);
        }
    }

    let labels: Vec<WeekLabel> = mondays
        .iter()
        .map(|&m| {
            let [monday, _] = g.days(m);
            WeekLabel {
                week: g.label(m),
                start: monday,
            }
        })
        .collect();
    let series = |name: &str, cells: &[Counts]| build_series(name, cells, test);
    let mut all = vec![series("overall", &overall)];
    all.extend(
        order
            .iter()
            .filter_map(|name| weeks.get(name.as_str()).map(|w| series(name, &column(w)))),
    );
    // The family: every judged week-on-week change of every series, satisfaction drop
    // included (judged like the trend table's, though not charted).
    let family = test.correct(
        all.iter_mut()
            .flat_map(|(_, changes)| changes.iter_mut())
            .flat_map(|c| {
                [
                    &mut c.needs_human,
                    &mut c.satisfaction_drop,
                    &mut c.mean_csat,
                ]
            })
            .flatten(),
    );
    let mut flags = Vec::new();
    let mut all = all.into_iter().map(|(mut s, changes)| {
        mark(&mut s, &changes, &labels, &mut flags);
        s
    });
    let overall = all.next()?;
    let categories = all.collect();
    Some(Weekly {
        weeks: labels,
        undated: days.undated(),
        earlier,
        confidence: test.confidence,
        min_conversations: test.min_conversations,
        min_csat_responses: test.min_csat_responses,
        correction: test.correction.code().to_string(),
        family: family as u64,
        overall,
        categories,
        flags,
    })
}

/// A series' points, and each week's comparison with the week before (none for the
/// first week).
fn build_series(
    name: &str,
    cells: &[Counts],
    test: &PeriodTest,
) -> (WeeklySeries, Vec<Comparison>) {
    let mut points = Vec::with_capacity(cells.len());
    let mut changes = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let ci = wilson(cell.needs_human, cell.conversations);
        points.push(WeekPoint {
            conversations: cell.conversations,
            needs_human: cell.needs_human,
            needs_human_rate: round(rate(cell.needs_human, cell.conversations), 4),
            needs_human_ci: [round(ci[0], 4), round(ci[1], 4)],
            csat_answered: cell.csat_n,
            mean_csat: cell.csat().mean().map(|m| round(m, 2)),
            csat_ci: cell
                .csat()
                .mean_interval(0.95)
                .map(|e| [round(e.low, 2), round(e.high, 2)]),
            needs_human_rose: false,
            csat_fell: false,
        });
        if let Some(prev) = i.checked_sub(1).and_then(|j| cells.get(j)) {
            changes.push(test.compare(prev, cell));
        }
    }
    let series = WeeklySeries {
        category: name.to_string(),
        points,
    };
    (series, changes)
}

/// Marks the weeks whose corrected comparison says worse; `changes[i]` compares week
/// `i + 1` with week `i`.
fn mark(
    series: &mut WeeklySeries,
    changes: &[Comparison],
    labels: &[WeekLabel],
    flags: &mut Vec<WeeklyFlag>,
) {
    for (i, c) in changes.iter().enumerate() {
        let week = i + 1;
        for (change, metric) in [
            (&c.needs_human, WeeklyMetric::NeedsHumanRate),
            (&c.mean_csat, WeeklyMetric::Csat),
        ] {
            let Some(change) = change.as_ref().filter(|c| c.worse) else {
                continue;
            };
            if let Some(point) = series.points.get_mut(week) {
                match metric {
                    WeeklyMetric::NeedsHumanRate => point.needs_human_rose = true,
                    WeeklyMetric::Csat => point.csat_fell = true,
                }
            }
            flags.push(WeeklyFlag {
                category: series.category.clone(),
                week: labels[week].week.clone(),
                metric,
                before: change.previous,
                after: change.latest,
                interval: change.interval,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::trends::compare_periods;
    use crate::detect::Assessment;
    use crate::stats::Adjustment;
    use crate::time::Timestamp;

    const TEST: PeriodTest = PeriodTest {
        confidence: 0.95,
        correction: Adjustment::None,
        min_conversations: 30,
        min_csat_responses: 30,
    };

    fn add(
        d: &mut DayCounter,
        category: &str,
        at: Option<&str>,
        needs_human: bool,
        csat: Option<f64>,
    ) {
        let a = Assessment {
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
        };
        d.add(at.map(|s| Timestamp::parse(s).expect("valid")), &a);
    }

    /// card: 4 of 40 need a human in week 10, 24 of 40 in week 11; delivery: 8 of 40 both
    /// weeks; two undated conversations.
    fn rise_in_card() -> DayCounter {
        let mut d = DayCounter::default();
        for i in 0..40 {
            add(&mut d, "card", Some("2025-03-04T10:00:00Z"), i < 4, None);
            add(&mut d, "card", Some("2025-03-11T10:00:00Z"), i < 24, None);
            add(&mut d, "delivery", Some("2025-03-05"), i < 8, None);
            add(&mut d, "delivery", Some("2025-03-12"), i < 8, None);
        }
        add(&mut d, "delivery", None, true, None);
        add(&mut d, "delivery", None, true, None);
        d
    }

    #[test]
    fn flags_a_week_whose_needs_human_rate_jumped_and_not_a_steady_one() {
        let weekly =
            weekly(&rise_in_card(), &["card".into(), "delivery".into()], &TEST).expect("dated");
        let labels: Vec<&str> = weekly.weeks.iter().map(|l| l.week.as_str()).collect();
        assert_eq!(labels, ["2025-W10", "2025-W11"]);
        assert_eq!(weekly.weeks[1].start, "2025-03-10");
        assert_eq!(weekly.undated, 2);
        assert_eq!(weekly.confidence, 0.95);
        let card = &weekly.categories[0];
        assert_eq!(card.category, "card");
        assert!(!card.points[0].needs_human_rose);
        assert!(card.points[1].needs_human_rose);
        assert_eq!(card.points[1].csat_ci, None, "no CSAT answers, no interval");
        assert!(weekly.categories[1]
            .points
            .iter()
            .all(|p| !p.needs_human_rose));
        let card_flags: Vec<&WeeklyFlag> = weekly
            .flags
            .iter()
            .filter(|f| f.category == "card")
            .collect();
        assert_eq!(card_flags.len(), 1);
        assert_eq!(card_flags[0].metric, WeeklyMetric::NeedsHumanRate);
        assert_eq!((card_flags[0].before, card_flags[0].after), (0.1, 0.6));
        assert!(card_flags[0].interval[0] > 0.0);
        assert_eq!(weekly.overall.points[1].conversations, 80);
    }

    #[test]
    fn the_chart_and_the_trend_table_judge_the_latest_week_alike() {
        let days = rise_in_card();
        let weekly = weekly(&days, &["card".into(), "delivery".into()], &TEST).expect("dated");
        let trends = compare_periods(&days, Granularity::Week, &TEST);
        assert_eq!(
            trends.latest.as_ref().map(|p| p.label.as_str()),
            weekly.weeks.last().map(|l| l.week.as_str())
        );
        for series in std::iter::once(&weekly.overall).chain(&weekly.categories) {
            let row = std::iter::once(&trends.overall)
                .chain(&trends.categories)
                .find(|r| r.category == series.category)
                .expect("a trend row per charted series");
            let last = series.points.last().expect("points");
            assert_eq!(
                last.needs_human_rose,
                row.flags.contains(&"needs_human_rise".to_string()),
                "{}",
                series.category
            );
            assert_eq!(last.csat_fell, row.flags.contains(&"csat_drop".to_string()));
        }
        assert_eq!(trends.undated, weekly.undated);
    }

    #[test]
    fn flags_a_csat_fall_and_not_a_rise() {
        let mut d = DayCounter::default();
        let weeks = ["2025-03-03", "2025-03-10", "2025-03-17"];
        let scores = [[4., 5.], [1., 2.], [4., 5.]];
        for (day, pair) in weeks.iter().zip(scores) {
            for i in 0..30 {
                add(&mut d, "refunds", Some(day), false, Some(pair[i % 2]));
            }
        }
        let weekly = weekly(&d, &["refunds".into()], &TEST).expect("dated");
        let fell: Vec<bool> = weekly.categories[0]
            .points
            .iter()
            .map(|p| p.csat_fell)
            .collect();
        assert_eq!(fell, [false, true, false]);
        assert_eq!(weekly.categories[0].points[1].mean_csat, Some(1.5));
        // 30 answers of 1 and 2: sd 0.509, t(29) 2.045, half-width 0.190.
        assert_eq!(weekly.categories[0].points[1].csat_ci, Some([1.31, 1.69]));
        // With fewer answers than [gate] min_csat_responses the same fall is not judged.
        let strict = PeriodTest {
            min_csat_responses: 31,
            ..TEST
        };
        let unjudged = super::weekly(&d, &["refunds".into()], &strict).expect("dated");
        assert!(unjudged.flags.is_empty());
    }

    #[test]
    fn gaps_are_zero_weeks_and_the_window_keeps_the_latest_weeks() {
        let mut d = DayCounter::default();
        add(&mut d, "a", Some("2023-01-02"), true, None);
        add(&mut d, "a", Some("2025-03-03"), false, None);
        add(&mut d, "a", Some("2025-02-17"), false, None);
        let weekly = weekly(&d, &["a".into()], &TEST).expect("dated");
        assert_eq!(weekly.weeks.len(), MAX_WEEKS);
        assert_eq!(
            weekly.weeks.last().map(|l| l.start.as_str()),
            Some("2025-03-03")
        );
        assert_eq!(weekly.earlier, 1);
        let counts: Vec<u64> = weekly.categories[0]
            .points
            .iter()
            .rev()
            .take(3)
            .map(|p| p.conversations)
            .collect();
        assert_eq!(counts, [1, 0, 1]);
        assert!(super::weekly(&DayCounter::default(), &[], &TEST).is_none());
    }

    /// 12 categories over 8 weeks, 100 conversations a week, 10 needing a human; c0 has 22 in
    /// week 5 (+12 pp: significant alone, one-sided p about 0.01) and c1 60 in week 6.
    fn many_flat_series() -> (DayCounter, Vec<String>) {
        let mut d = DayCounter::default();
        let names: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
        for (c, name) in names.iter().enumerate() {
            for (week, day) in [
                "2025-03-03",
                "2025-03-10",
                "2025-03-17",
                "2025-03-24",
                "2025-03-31",
                "2025-04-07",
                "2025-04-14",
                "2025-04-21",
            ]
            .into_iter()
            .enumerate()
            {
                let needs = match (c, week) {
                    (0, 5) => 22,
                    (1, 6) => 60,
                    _ => 10,
                };
                for i in 0..100 {
                    add(&mut d, name, Some(day), i < needs, None);
                }
            }
        }
        (d, names)
    }

    #[test]
    fn a_correction_removes_a_chance_sized_flag_and_keeps_a_real_one() {
        let (days, names) = many_flat_series();
        let flagged = |w: &Weekly| -> Vec<(String, String)> {
            w.flags
                .iter()
                .map(|f| (f.category.clone(), f.week.clone()))
                .collect()
        };
        let alone = weekly(&days, &names, &TEST).expect("dated");
        // Alone: c0's chance-sized rise, c1's jump, and overall's smaller rise from it.
        assert_eq!(
            flagged(&alone),
            [
                ("overall".to_string(), "2025-W16".to_string()),
                ("c0".to_string(), "2025-W15".to_string()),
                ("c1".to_string(), "2025-W16".to_string())
            ]
        );
        assert_eq!(alone.correction, "none");
        let holm = PeriodTest {
            correction: Adjustment::Holm,
            ..TEST
        };
        let corrected = weekly(&days, &names, &holm).expect("dated");
        assert_eq!(
            flagged(&corrected),
            [("c1".to_string(), "2025-W16".to_string())]
        );
        assert_eq!(corrected.correction, "holm");
        // 13 series (overall too) x 7 week-on-week changes x 2 judged rates; no CSAT.
        assert_eq!(corrected.family, 13 * 7 * 2);
        assert!(corrected.categories[0]
            .points
            .iter()
            .all(|p| !p.needs_human_rose));
        // The trend table over the latest week judges its own, smaller family.
        let trends = compare_periods(&days, Granularity::Week, &holm);
        assert_eq!(trends.family, 13 * 2);
        assert!(trends.categories.iter().all(|r| r.flags.is_empty()));
    }

    #[test]
    fn under_holm_a_latest_week_the_chart_flags_is_flagged_in_the_table_too() {
        let holm = PeriodTest {
            correction: Adjustment::Holm,
            ..TEST
        };
        let days = rise_in_card();
        let weekly = weekly(&days, &["card".into(), "delivery".into()], &holm).expect("dated");
        let trends = compare_periods(&days, Granularity::Week, &holm);
        let card = &weekly.categories[0];
        assert!(card.points[1].needs_human_rose);
        let row = trends
            .categories
            .iter()
            .find(|r| r.category == "card")
            .expect("card row");
        assert_eq!(row.flags, ["needs_human_rise"]);
        let change = row.needs_human.as_ref().expect("judged");
        assert!(change.p_value.is_some_and(|p| p < 1e-4), "{change:?}");
        assert!(
            change.adjusted_p_value.is_some_and(|p| p < 0.025),
            "{change:?}"
        );
    }
}

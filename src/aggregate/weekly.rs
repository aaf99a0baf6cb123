//! Weekly needs-human rate and CSAT per category, with the weeks that got significantly worse
//! than the week before flagged.
//!
//! Each conversation is placed in the ISO 8601 week of its `started_at` (the calendar day as
//! written; see `dates::parse_day`). State is one small counter per (category, week) that
//! occurs, so memory grows with categories × weeks, not with conversations. At most
//! [`MAX_WEEKS`] weeks (the latest) are reported.
//!
//! A week is compared with the calendar week just before it, when both have data:
//! - **needs-human rate rose**: pooled two-proportion z-test,
//!   `z = (p₂ − p₁) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))` with `p̂` the pooled rate; flagged when
//!   `z ≥ 1.96` (significant at the 5% level, two-sided, and the rate went up). Not tested
//!   when the normal approximation is poor: an expected count `nᵢ·p̂` or `nᵢ·(1 − p̂)` below 5.
//! - **CSAT fell**: z-test on the difference of the two weeks' mean scores with unpooled
//!   (Welch) standard error, `z = (m₂ − m₁) / √(s₁²/n₁ + s₂²/n₂)`; flagged when `z ≤ −1.96`.
//!   Not tested with fewer than [`MIN_CSAT_ANSWERS`] survey answers in either week, or when
//!   no answer varies.
//!
//! With many categories and weeks, about one comparison in forty flags by chance (each
//! direction is tested at 2.5%); the flags point at weeks worth a look, not proofs.

use std::collections::BTreeMap;

use crate::dates;
use crate::stats::{rate, round, wilson};
use crate::summary::{
    WeekLabel, WeekPoint, Weekly, WeeklyFlag, WeeklyMetric, WeeklySeries,
    WEEKLY_MIN_CSAT_ANSWERS as MIN_CSAT_ANSWERS, WEEKLY_Z_CRITICAL as Z_CRITICAL,
};

/// Weeks reported, counting back from the latest.
pub const MAX_WEEKS: usize = 52;
/// Smallest expected count for the two-proportion test's normal approximation.
const MIN_EXPECTED: f64 = 5.0;

#[derive(Debug, Default, Clone, Copy)]
struct Cell {
    conversations: u64,
    needs_human: u64,
    csat_answered: u64,
    csat_sum: f64,
    csat_sq_sum: f64,
}

impl Cell {
    fn merge(&mut self, o: &Cell) {
        self.conversations += o.conversations;
        self.needs_human += o.needs_human;
        self.csat_answered += o.csat_answered;
        self.csat_sum += o.csat_sum;
        self.csat_sq_sum += o.csat_sq_sum;
    }

    fn mean_csat(&self) -> Option<f64> {
        (self.csat_answered > 0).then(|| self.csat_sum / self.csat_answered as f64)
    }

    /// Sample variance of the CSAT answers.
    fn csat_variance(&self) -> f64 {
        let n = self.csat_answered as f64;
        if n < 2.0 {
            return 0.0;
        }
        let mean = self.csat_sum / n;
        ((self.csat_sq_sum - n * mean * mean) / (n - 1.0)).max(0.0)
    }
}

/// Per (category, week) counters, filled conversation by conversation.
#[derive(Debug, Default)]
pub struct WeeklyCounter {
    /// category -> Monday of the ISO week (days since 1970-01-01) -> counters.
    cells: BTreeMap<String, BTreeMap<i64, Cell>>,
    undated: u64,
}

impl WeeklyCounter {
    pub fn add(
        &mut self,
        category: &str,
        started_at: Option<&str>,
        needs_human: bool,
        csat: Option<f64>,
    ) {
        let Some(day) = started_at.and_then(dates::parse_day) else {
            self.undated += 1;
            return;
        };
        let (_, _, monday) = dates::iso_week(day);
        let weeks = match self.cells.get_mut(category) {
            Some(w) => w,
            None => self.cells.entry(category.to_string()).or_default(),
        };
        let cell = weeks.entry(monday).or_default();
        cell.conversations += 1;
        cell.needs_human += u64::from(needs_human);
        if let Some(v) = csat.filter(|v| v.is_finite()) {
            cell.csat_answered += 1;
            cell.csat_sum += v;
            cell.csat_sq_sum += v * v;
        }
    }

    /// The series for the report: `order` gives the categories' order (the ranking);
    /// `None` when no conversation had a usable `started_at`.
    pub fn finish(&self, order: &[String]) -> Option<Weekly> {
        let first = self.cells.values().filter_map(|w| w.keys().next()).min()?;
        let last = self.cells.values().filter_map(|w| w.keys().last()).max()?;
        let span = ((last - first) / 7 + 1) as usize;
        let shown = span.min(MAX_WEEKS);
        let start = last - 7 * (shown as i64 - 1);
        let mondays: Vec<i64> = (0..shown as i64).map(|i| start + 7 * i).collect();
        let earlier = self
            .cells
            .values()
            .flat_map(|w| w.range(..start).map(|(_, c)| c.conversations))
            .sum();

        let column = |weeks: &BTreeMap<i64, Cell>| -> Vec<Cell> {
            mondays
                .iter()
                .map(|m| weeks.get(m).copied().unwrap_or_default())
                .collect()
        };
        let mut overall = vec![Cell::default(); shown];
        for weeks in self.cells.values() {
            for (total, cell) in overall.iter_mut().zip(column(weeks)) {
                total.merge(&cell);
            }
        }

        let labels: Vec<WeekLabel> = mondays
            .iter()
            .map(|&m| {
                let (year, week, _) = dates::iso_week(m);
                WeekLabel {
                    week: format!("{year}-W{week:02}"),
                    start: dates::format_day(m),
                }
            })
            .collect();
        let mut flags = Vec::new();
        let mut series =
            |name: &str, cells: &[Cell]| build_series(name, cells, &labels, &mut flags);
        let overall = series("overall", &overall);
        let categories = order
            .iter()
            .filter_map(|name| self.cells.get(name).map(|w| series(name, &column(w))))
            .collect();
        Some(Weekly {
            weeks: labels,
            undated: self.undated,
            earlier,
            overall,
            categories,
            flags,
        })
    }
}

fn build_series(
    name: &str,
    cells: &[Cell],
    labels: &[WeekLabel],
    flags: &mut Vec<WeeklyFlag>,
) -> WeeklySeries {
    let mut points = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let ci = wilson(cell.needs_human, cell.conversations);
        let mut point = WeekPoint {
            conversations: cell.conversations,
            needs_human: cell.needs_human,
            needs_human_rate: round(rate(cell.needs_human, cell.conversations), 4),
            needs_human_ci: [round(ci[0], 4), round(ci[1], 4)],
            csat_answered: cell.csat_answered,
            mean_csat: cell.mean_csat().map(|m| round(m, 2)),
            needs_human_rose: false,
            csat_fell: false,
        };
        if let Some(prev) = i.checked_sub(1).and_then(|j| cells.get(j)) {
            let rose = two_proportion_z(
                prev.needs_human,
                prev.conversations,
                cell.needs_human,
                cell.conversations,
            )
            .filter(|z| *z >= Z_CRITICAL);
            if let Some(z) = rose {
                point.needs_human_rose = true;
                flags.push(WeeklyFlag {
                    category: name.to_string(),
                    week: labels[i].week.clone(),
                    metric: WeeklyMetric::NeedsHumanRate,
                    before: round(rate(prev.needs_human, prev.conversations), 4),
                    after: point.needs_human_rate,
                    z: round(z, 2),
                });
            }
            let fell = mean_difference_z(prev, cell).filter(|z| *z <= -Z_CRITICAL);
            if let (Some(z), Some(before), Some(after)) = (fell, prev.mean_csat(), cell.mean_csat())
            {
                point.csat_fell = true;
                flags.push(WeeklyFlag {
                    category: name.to_string(),
                    week: labels[i].week.clone(),
                    metric: WeeklyMetric::Csat,
                    before: round(before, 2),
                    after: round(after, 2),
                    z: round(z, 2),
                });
            }
        }
        points.push(point);
    }
    WeeklySeries {
        category: name.to_string(),
        points,
    }
}

/// Pooled two-proportion z statistic, positive when the second rate is the higher; `None`
/// when either sample is too small for the normal approximation.
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    if n1f.min(n2f) * pooled.min(1.0 - pooled) < MIN_EXPECTED {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    Some((x2 as f64 / n2f - x1 as f64 / n1f) / se)
}

/// z statistic of the change in mean CSAT from `a` to `b` (Welch standard error).
fn mean_difference_z(a: &Cell, b: &Cell) -> Option<f64> {
    if a.csat_answered < MIN_CSAT_ANSWERS || b.csat_answered < MIN_CSAT_ANSWERS {
        return None;
    }
    let se = (a.csat_variance() / a.csat_answered as f64
        + b.csat_variance() / b.csat_answered as f64)
        .sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    Some((b.mean_csat()? - a.mean_csat()?) / se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_proportion_z_matches_a_hand_computation() {
        // 10/100 then 25/100: pooled 0.175, se = sqrt(0.175 * 0.825 * 0.02) = 0.05374.
        let z = two_proportion_z(10, 100, 25, 100).expect("testable");
        assert!((z - 2.7913).abs() < 1e-3, "{z}");
        let down = two_proportion_z(25, 100, 10, 100).expect("testable");
        assert!((down + z).abs() < 1e-12);
        // Expected counts below 5: 1/10 vs 2/10 (pooled 0.15 x 10 = 1.5).
        assert_eq!(two_proportion_z(1, 10, 2, 10), None);
        assert_eq!(two_proportion_z(0, 0, 2, 10), None);
        assert_eq!(two_proportion_z(0, 50, 0, 50), None);
    }

    fn csat_cell(scores: &[f64]) -> Cell {
        let mut c = Cell::default();
        for &s in scores {
            c.csat_answered += 1;
            c.csat_sum += s;
            c.csat_sq_sum += s * s;
        }
        c
    }

    #[test]
    fn mean_difference_z_matches_a_hand_computation() {
        // Means 4.5 and 2.5, each sample variance 10 x 0.25 / 9; se = sqrt(2 x 0.2778 / 10).
        let before = csat_cell(&[4., 5., 4., 5., 4., 5., 4., 5., 4., 5.]);
        let after = csat_cell(&[2., 3., 2., 3., 2., 3., 2., 3., 2., 3.]);
        let z = mean_difference_z(&before, &after).expect("testable");
        assert!((z + 8.4853).abs() < 1e-3, "{z}");
        // Too few answers, or no variation at all: not tested.
        assert_eq!(mean_difference_z(&csat_cell(&[5.; 9]), &after), None);
        assert_eq!(
            mean_difference_z(&csat_cell(&[5.; 10]), &csat_cell(&[5.; 10])),
            None
        );
    }

    fn week_of(day: &str) -> String {
        let d = dates::parse_day(day).expect("date");
        let (y, w, _) = dates::iso_week(d);
        format!("{y}-W{w:02}")
    }

    #[test]
    fn flags_a_week_whose_needs_human_rate_jumped_and_not_a_steady_one() {
        let mut w = WeeklyCounter::default();
        for i in 0..40 {
            // Week 10: 4 of 40 need a human; week 11: 24 of 40.
            w.add("card", Some("2025-03-04T10:00:00Z"), i < 4, None);
            w.add("card", Some("2025-03-11T10:00:00Z"), i < 24, None);
            // Steady: 8 of 40 both weeks.
            w.add("delivery", Some("2025-03-05"), i < 8, None);
            w.add("delivery", Some("2025-03-12"), i < 8, None);
        }
        w.add("delivery", Some("not a date"), true, None);
        w.add("delivery", None, true, None);
        let weekly = w
            .finish(&["card".into(), "delivery".into()])
            .expect("dated");
        assert_eq!(
            weekly
                .weeks
                .iter()
                .map(|l| l.week.as_str())
                .collect::<Vec<_>>(),
            [week_of("2025-03-04"), week_of("2025-03-11")]
        );
        assert_eq!(weekly.undated, 2);
        let card = &weekly.categories[0];
        assert_eq!(card.category, "card");
        assert!(!card.points[0].needs_human_rose);
        assert!(card.points[1].needs_human_rose);
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
        assert_eq!(weekly.overall.points[1].conversations, 80);
    }

    #[test]
    fn flags_a_csat_fall_and_not_a_rise() {
        let mut w = WeeklyCounter::default();
        let weeks = ["2025-03-03", "2025-03-10", "2025-03-17"];
        let scores = [[4., 5.], [1., 2.], [4., 5.]];
        for (day, pair) in weeks.iter().zip(scores) {
            for i in 0..12 {
                w.add("refunds", Some(day), false, Some(pair[i % 2]));
            }
        }
        let weekly = w.finish(&["refunds".into()]).expect("dated");
        let fell: Vec<bool> = weekly.categories[0]
            .points
            .iter()
            .map(|p| p.csat_fell)
            .collect();
        assert_eq!(fell, [false, true, false]);
        assert_eq!(weekly.categories[0].points[1].mean_csat, Some(1.5));
    }

    #[test]
    fn gaps_are_zero_weeks_and_the_window_keeps_the_latest_weeks() {
        let mut w = WeeklyCounter::default();
        w.add("a", Some("2023-01-02"), true, None);
        w.add("a", Some("2025-03-03"), false, None);
        w.add("a", Some("2025-02-17"), false, None);
        let weekly = w.finish(&["a".into()]).expect("dated");
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
        assert!(WeeklyCounter::default().finish(&[]).is_none());
    }
}

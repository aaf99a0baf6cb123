//! The release gate: a candidate's summary against a baseline's, rule by rule, overall and
//! per category. Pure computation on two `Summary`s (plus, for the release diff, the
//! per-conversation outcomes of both runs); `report::gate` renders the result.
//!
//! A rate regression fails only when it is larger than the allowed regression AND
//! significant: Newcombe's hybrid score interval for the difference of the two rates (at
//! `[gate] confidence`) lies entirely on the worse side of zero. Mean CSAT uses Welch's
//! interval on the difference of means. Absolute limits compare the candidate's point
//! estimate with the limit and show its Wilson (or t) interval. See docs/ci.md.

pub mod config;
pub mod diff;
pub mod input;

use serde::Serialize;

use crate::numfmt::{level, Quantity};
use crate::stats::{
    newcombe_difference, welch_difference, wilson_z, z_critical, Estimate, Moments,
};
use crate::summary::{CategoryStats, Summary, OVERALL};
use config::{GateConfig, InsufficientPolicy, Metric};
pub use diff::ReleaseDiff;

pub const METHOD: &str = "rates: Newcombe hybrid score interval for the difference of two \
proportions (Wilson-based); mean CSAT: Welch interval for the difference of two means; a \
regression fails when it exceeds the allowed regression and its interval excludes zero";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Limit,
    Regression,
}

impl RuleKind {
    /// What it serialises to, and how reports name it: "limit", "regression".
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Limit => "limit",
            RuleKind::Regression => "regression",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    InsufficientData,
}

/// One side's value of a metric in one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// Rate (0..1) or mean CSAT; `None` without data.
    pub value: Option<f64>,
    /// Conversations (rates) or rated conversations (mean CSAT).
    pub n: u64,
    /// Conversations with the flag (rates only).
    pub count: Option<u64>,
    /// Wilson interval of the rate, or t interval of the mean, at the gate's confidence.
    pub interval: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// `candidate - baseline` (rates as fractions, CSAT in points).
    pub value: f64,
    pub interval: [f64; 2],
    /// The interval lies entirely on the worse side of zero.
    pub significant: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// A category, or `overall`.
    pub scope: String,
    pub metric: Metric,
    pub rule: RuleKind,
    pub status: Status,
    /// Whether the check lets the gate pass (insufficient data follows `insufficient_data`).
    pub passed: bool,
    /// The limit (rate as a fraction, or mean CSAT) or the allowed regression (fraction, or
    /// CSAT points).
    pub threshold: f64,
    pub baseline: Measure,
    pub candidate: Measure,
    pub difference: Option<Difference>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// What was read: paths, and whether it was a saved summary.
    pub source: String,
    pub saved_summary: bool,
    pub filter: Option<String>,
    pub conversations: u64,
    pub records_read: u64,
    pub skipped: u64,
    pub filtered_out: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub checks: usize,
    pub passed: usize,
    pub failed: usize,
    pub insufficient_data: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    pub tool: String,
    pub passed: bool,
    pub confidence: f64,
    pub method: String,
    pub baseline: Side,
    pub candidate: Side,
    pub totals: Totals,
    /// Caveats about the comparison itself (e.g. different detection settings).
    pub notes: Vec<String>,
    /// Failed checks first, then insufficient data, then passed; within each, overall
    /// first, then categories by name, metrics in report order.
    pub checks: Vec<Check>,
    /// Present when both sides are transcripts.
    pub release_diff: Option<ReleaseDiff>,
}

/// One side of the comparison as given to `evaluate`.
pub struct GateSide<'a> {
    pub summary: &'a Summary,
    pub source: String,
    pub saved_summary: bool,
}

pub fn evaluate(
    baseline: &GateSide,
    candidate: &GateSide,
    cfg: &GateConfig,
    release_diff: Option<ReleaseDiff>,
) -> GateReport {
    let (b, c) = (baseline.summary, candidate.summary);
    let mut scopes: Vec<&str> = b
        .categories
        .iter()
        .chain(&c.categories)
        .map(|s| s.category.as_str())
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    let mut checks = Vec::new();
    let overall = std::iter::once((OVERALL, Some(&b.overall), Some(&c.overall)));
    let per_category = scopes
        .iter()
        .map(|name| (*name, find(b, name), find(c, name)));
    for (order, (scope, bs, cs)) in overall.chain(per_category).enumerate() {
        for metric in Metric::ALL {
            let rule = cfg.rule(scope, metric);
            if !rule.enabled {
                continue;
            }
            let settings = cfg.scope(scope);
            let ctx = Context {
                scope,
                metric,
                confidence: cfg.confidence,
                min: if metric.is_rate() {
                    settings.min_conversations
                } else {
                    settings.min_csat_responses
                },
                insufficient_passes: settings.insufficient_data == InsufficientPolicy::Pass,
                baseline: Sample::of(bs, metric),
                candidate: Sample::of(cs, metric),
            };
            if let Some(limit) = rule.limit {
                checks.push((order, ctx.limit(limit)));
            }
            if let Some(max) = rule.max_regression {
                checks.push((order, ctx.regression(max)));
            }
        }
    }
    let rank = |c: &Check| match (c.passed, c.status) {
        (false, Status::Fail) => 0,
        (false, _) => 1,
        (true, Status::InsufficientData) => 2,
        (true, _) => 3,
    };
    checks.sort_by_key(|(order, c)| (rank(c), *order, c.metric, c.rule));
    let checks: Vec<Check> = checks.into_iter().map(|(_, c)| c).collect();
    let totals = Totals {
        checks: checks.len(),
        passed: checks.iter().filter(|c| c.passed).count(),
        failed: checks.iter().filter(|c| !c.passed).count(),
        insufficient_data: checks
            .iter()
            .filter(|c| c.status == Status::InsufficientData)
            .count(),
    };
    let mut notes = Vec::new();
    for name in cfg.categories.keys() {
        if name != OVERALL && scopes.binary_search(&name.as_str()).is_err() {
            notes.push(format!(
                "[gate.categories.{}] names no category of the baseline or the candidate, \
                 so its rules were not applied (names must match exactly)",
                config::key_text(name)
            ));
        }
    }
    if b.settings.detection_fingerprint != c.settings.detection_fingerprint {
        notes.push(
            "baseline and candidate were audited with different detection settings \
             (thresholds, phrase lists, taxonomy, CSAT scale or category field): \
             differences may come from the settings rather than the bot"
                .to_string(),
        );
    }
    GateReport {
        tool: format!("handoff {}", env!("CARGO_PKG_VERSION")),
        passed: totals.failed == 0,
        confidence: cfg.confidence,
        method: METHOD.to_string(),
        baseline: side(baseline),
        candidate: side(candidate),
        totals,
        notes,
        checks,
        release_diff,
    }
}

fn find<'s>(summary: &'s Summary, category: &str) -> Option<&'s CategoryStats> {
    summary.categories.iter().find(|x| x.category == category)
}

fn side(s: &GateSide) -> Side {
    let i = &s.summary.input;
    Side {
        source: s.source.clone(),
        saved_summary: s.saved_summary,
        filter: i.filter.clone(),
        conversations: i.audited,
        records_read: i.records_read,
        skipped: i.skipped,
        filtered_out: i.filtered_out,
    }
}

/// A metric's raw data on one side.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Rate { count: u64, n: u64 },
    Mean(Moments),
}

impl Sample {
    fn of(stats: Option<&CategoryStats>, metric: Metric) -> Sample {
        let Some(s) = stats else {
            return if metric.is_rate() {
                Sample::Rate { count: 0, n: 0 }
            } else {
                Sample::Mean(Moments::default())
            };
        };
        let count = match metric {
            Metric::NeedsHuman => s.needs_human,
            Metric::Unresolved => s.unresolved,
            Metric::EscalationRequest => s.escalation_request,
            Metric::Loop => s.loops,
            Metric::SatisfactionDrop => s.satisfaction_drop,
            Metric::MeanCsat => {
                return Sample::Mean(Moments {
                    n: s.csat_answered,
                    sum: s.csat_sum,
                    sum_sq: s.csat_sum_squares,
                })
            }
        };
        Sample::Rate {
            count,
            n: s.conversations,
        }
    }

    fn n(&self) -> u64 {
        match self {
            Sample::Rate { n, .. } => *n,
            Sample::Mean(m) => m.n,
        }
    }

    fn measure(&self, confidence: f64) -> Measure {
        match *self {
            Sample::Rate { count, n } => Measure {
                value: (n > 0).then(|| r6(count as f64 / n as f64)),
                n,
                count: Some(count),
                interval: (n > 0).then(|| {
                    let [lo, hi] = wilson_z(count, n, z_critical(confidence));
                    [r6(lo), r6(hi)]
                }),
            },
            Sample::Mean(m) => Measure {
                value: m.mean().map(r6),
                n: m.n,
                count: None,
                interval: m.mean_interval(confidence).map(|e| [r6(e.low), r6(e.high)]),
            },
        }
    }
}

/// Rounded for stable, readable JSON; comparisons use the unrounded values.
fn r6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

struct Context<'s> {
    scope: &'s str,
    metric: Metric,
    confidence: f64,
    min: u64,
    insufficient_passes: bool,
    baseline: Sample,
    candidate: Sample,
}

impl Context<'_> {
    fn check(&self, rule: RuleKind, threshold: f64) -> Check {
        Check {
            scope: self.scope.to_string(),
            metric: self.metric,
            rule,
            status: Status::Pass,
            passed: true,
            threshold: r6(threshold),
            baseline: self.baseline.measure(self.confidence),
            candidate: self.candidate.measure(self.confidence),
            difference: None,
            message: String::new(),
        }
    }

    fn insufficient(&self, mut check: Check, who: &str) -> Check {
        check.status = Status::InsufficientData;
        check.passed = self.insufficient_passes;
        let unit = if self.metric.is_rate() {
            "conversations"
        } else {
            "rated conversations"
        };
        check.message = format!(
            "{}: insufficient data: {who}; at least {} {unit} needed ({})",
            self.head(&check),
            self.min,
            if check.passed {
                "counts as a pass"
            } else {
                "counts as a failure: insufficient_data = \"fail\""
            }
        );
        check
    }

    fn limit(&self, limit: f64) -> Check {
        let threshold = if self.metric.is_rate() {
            limit / 100.0
        } else {
            limit
        };
        let mut check = self.check(RuleKind::Limit, threshold);
        let n = self.candidate.n();
        if n < self.min {
            let who = format!("candidate {}", self.show_measure(&check.candidate));
            return self.insufficient(check, &who);
        }
        let value = match self.candidate {
            Sample::Rate { count, n } => count as f64 / n as f64,
            Sample::Mean(m) => m.mean().unwrap_or(0.0),
        };
        let over = if self.metric.is_rate() {
            value > threshold
        } else {
            value < threshold
        };
        check.status = if over { Status::Fail } else { Status::Pass };
        check.passed = !over;
        check.message = format!(
            "{}: candidate {}; {} the {} {}",
            self.head(&check),
            self.show_measure(&check.candidate),
            if over { "breaks" } else { "within" },
            if self.metric.is_rate() {
                "limit of at most"
            } else {
                "limit of at least"
            },
            self.q().value(threshold)
        );
        check
    }

    fn regression(&self, max: f64) -> Check {
        let tolerance = if self.metric.is_rate() {
            max / 100.0
        } else {
            max
        };
        let mut check = self.check(RuleKind::Regression, tolerance);
        let (bn, cn) = (self.baseline.n(), self.candidate.n());
        if bn < self.min || cn < self.min {
            let who = format!(
                "baseline {}; candidate {}",
                self.show_measure(&check.baseline),
                self.show_measure(&check.candidate)
            );
            return self.insufficient(check, &who);
        }
        let diff: Option<Estimate> = match (self.baseline, self.candidate) {
            (Sample::Rate { count: x1, n: n1 }, Sample::Rate { count: x2, n: n2 }) => {
                newcombe_difference((x1, n1), (x2, n2), self.confidence)
            }
            (Sample::Mean(m1), Sample::Mean(m2)) => welch_difference(m1, m2, self.confidence),
            _ => None,
        };
        let Some(d) = diff else {
            // Unreachable with min >= 2 on both sides; judged as too little data regardless.
            return self.insufficient(check, "no interval could be computed");
        };
        // Positive `worse_by` is a regression: a rate up, or mean CSAT down.
        let (worse_by, significant) = if self.metric.is_rate() {
            (d.value, d.above_zero())
        } else {
            (-d.value, d.below_zero())
        };
        let exceeds = worse_by > tolerance;
        let fail = exceeds && significant;
        check.status = if fail { Status::Fail } else { Status::Pass };
        check.passed = !fail;
        check.difference = Some(Difference {
            value: r6(d.value),
            interval: [r6(d.low), r6(d.high)],
            significant,
        });
        let level = self.level();
        let verdict = if fail {
            format!(
                "worse by more than the allowed {} and significant at {level} (the interval excludes 0)",
                self.q().magnitude(tolerance)
            )
        } else if exceeds {
            format!(
                "worse by more than the allowed {} but not significant at {level} (the interval includes 0)",
                self.q().magnitude(tolerance)
            )
        } else {
            format!(
                "within the allowed regression of {}",
                self.q().magnitude(tolerance)
            )
        };
        check.message = format!(
            "{}: baseline {} -> candidate {} ({}, {level} CI {} to {}); {verdict}",
            self.head(&check),
            self.q().value(match self.baseline {
                Sample::Rate { count, n } => count as f64 / n as f64,
                Sample::Mean(m) => m.mean().unwrap_or(0.0),
            }),
            self.q().value(match self.candidate {
                Sample::Rate { count, n } => count as f64 / n as f64,
                Sample::Mean(m) => m.mean().unwrap_or(0.0),
            }),
            self.q().delta_with_unit(d.value),
            self.q().delta_with_unit(d.low),
            self.q().delta_with_unit(d.high),
        );
        check
    }

    fn head(&self, check: &Check) -> String {
        format!(
            "{} {} {}",
            self.scope,
            self.metric.label(),
            check.rule.code()
        )
    }

    fn level(&self) -> String {
        level(self.confidence)
    }

    fn q(&self) -> Quantity {
        self.metric.quantity()
    }

    /// "41.2% (95% CI 37.0%–45.5%, 120 of 291)" or "no data".
    fn show_measure(&self, m: &Measure) -> String {
        let Some(v) = m.value else {
            return "no data".to_string();
        };
        let interval = match m.interval {
            Some(ci) => format!("{} CI {}, ", self.level(), self.q().range(ci)),
            None => String::new(),
        };
        match m.count {
            Some(count) => format!("{} ({interval}{count} of {})", self.q().value(v), m.n),
            None => format!("{} ({interval}n = {})", self.q().value(v), m.n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{InputAccounting, Recommendation, Settings};

    fn stats(name: &str, n: u64, needs: u64, csat: &[f64]) -> CategoryStats {
        CategoryStats {
            category: name.into(),
            conversations: n,
            needs_human: needs,
            needs_human_rate: 0.0,
            needs_human_ci: [0.0, 0.0],
            unresolved_rate: 0.0,
            escalation_request_rate: 0.0,
            loop_rate: 0.0,
            satisfaction_drop_rate: 0.0,
            confirmed_rate: 0.0,
            mean_score: 0.0,
            mean_dissatisfaction: 0.0,
            mean_csat: None,
            csat_answered: csat.len() as u64,
            csat_sum: csat.iter().sum(),
            csat_sum_squares: csat.iter().map(|v| v * v).sum(),
            unresolved: 0,
            escalation_request: 0,
            loops: 0,
            satisfaction_drop: 0,
            confirmed: 0,
            agent_hours: 0.0,
            recommendation: Recommendation::BotOk,
            reasons: Vec::new(),
            repeated_answers: Vec::new(),
            examples: Vec::new(),
        }
    }

    fn summary(overall: CategoryStats) -> Summary {
        Summary {
            schema_version: crate::summary::SCHEMA_VERSION,
            tool: "handoff test".into(),
            settings: Settings {
                handle_minutes: 8.0,
                csat_scale: "1-5".into(),
                redacted: true,
                config: None,
                route_to_humans: 0.35,
                human_review: 0.15,
                min_conversations: 30,
                detection_fingerprint: "x".into(),
            },
            input: InputAccounting {
                records_read: overall.conversations,
                audited: overall.conversations,
                ..Default::default()
            },
            period: None,
            weekly: None,
            overall,
            categories: Vec::new(),
            folded_categories: None,
            trends: None,
        }
    }

    fn run(b: CategoryStats, c: CategoryStats, toml: &str) -> GateReport {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(default)]
            gate: GateConfig,
        }
        let cfg = toml::from_str::<File>(toml).expect("valid config").gate;
        cfg.validate().expect("valid gate rules");
        let (b, c) = (summary(b), summary(c));
        let side = |s| GateSide {
            summary: s,
            source: "test".into(),
            saved_summary: false,
        };
        evaluate(&side(&b), &side(&c), &cfg, None)
    }

    fn get(r: &GateReport, metric: Metric, rule: RuleKind) -> &Check {
        r.checks
            .iter()
            .find(|c| c.metric == metric && c.rule == rule)
            .expect("check present")
    }

    const ONLY_NEEDS_HUMAN: &str = "[gate.unresolved]\nenabled = false\n\
        [gate.escalation_request]\nenabled = false\n[gate.loop]\nenabled = false\n\
        [gate.satisfaction_drop]\nenabled = false\n[gate.mean_csat]\nenabled = false\n";

    #[test]
    fn limit_fails_above_and_passes_at_the_limit() {
        let cfg = format!("{ONLY_NEEDS_HUMAN}[gate.needs_human]\nlimit = 20\n");
        let r = run(
            stats("overall", 100, 20, &[]),
            stats("overall", 100, 21, &[]),
            &cfg,
        );
        assert_eq!(
            get(&r, Metric::NeedsHuman, RuleKind::Limit).status,
            Status::Fail
        );
        assert!(!r.passed);
        let r = run(
            stats("overall", 100, 20, &[]),
            stats("overall", 100, 20, &[]),
            &cfg,
        );
        assert_eq!(
            get(&r, Metric::NeedsHuman, RuleKind::Limit).status,
            Status::Pass
        );
        assert!(r.passed);
    }

    #[test]
    fn regression_needs_both_size_and_significance() {
        // +10 pp on 1000 each: significant and beyond 3 pp.
        let r = run(
            stats("overall", 1000, 100, &[]),
            stats("overall", 1000, 200, &[]),
            ONLY_NEEDS_HUMAN,
        );
        let c = get(&r, Metric::NeedsHuman, RuleKind::Regression);
        assert_eq!(c.status, Status::Fail);
        // +2 pp on 10,000 each: significant but within 3 pp.
        let r = run(
            stats("overall", 10_000, 1000, &[]),
            stats("overall", 10_000, 1200, &[]),
            ONLY_NEEDS_HUMAN,
        );
        let c = get(&r, Metric::NeedsHuman, RuleKind::Regression);
        assert_eq!(c.difference.as_ref().map(|d| d.significant), Some(true));
        assert_eq!(c.status, Status::Pass);
        // An improvement never fails, however large.
        let r = run(
            stats("overall", 1000, 300, &[]),
            stats("overall", 1000, 100, &[]),
            ONLY_NEEDS_HUMAN,
        );
        assert!(r.passed);
    }

    #[test]
    fn mean_csat_regression_uses_welch_and_its_direction() {
        let cfg = "[gate.needs_human]\nenabled = false\n[gate.unresolved]\nenabled = false\n\
            [gate.escalation_request]\nenabled = false\n[gate.loop]\nenabled = false\n\
            [gate.satisfaction_drop]\nenabled = false\n[gate]\nmin_csat_responses = 10\n";
        let high: Vec<f64> = (0..40)
            .map(|i| if i % 4 == 0 { 4.0 } else { 5.0 })
            .collect();
        let low: Vec<f64> = (0..40)
            .map(|i| if i % 2 == 0 { 3.0 } else { 4.0 })
            .collect();
        let r = run(
            stats("overall", 40, 0, &high),
            stats("overall", 40, 0, &low),
            cfg,
        );
        let c = get(&r, Metric::MeanCsat, RuleKind::Regression);
        assert_eq!(c.status, Status::Fail, "{}", c.message);
        assert!(
            c.message.contains("baseline 4.75 -> candidate 3.50 (-1.25"),
            "{}",
            c.message
        );
        // The same drop the other way round is an improvement.
        let r = run(
            stats("overall", 40, 0, &low),
            stats("overall", 40, 0, &high),
            cfg,
        );
        assert!(r.passed);
        // Too few ratings: insufficient data, not a verdict.
        let r = run(
            stats("overall", 40, 0, &high[..5]),
            stats("overall", 40, 0, &low),
            cfg,
        );
        let c = get(&r, Metric::MeanCsat, RuleKind::Regression);
        assert_eq!(c.status, Status::InsufficientData);
        assert!(c.passed);
    }
}

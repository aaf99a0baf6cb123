//! The release gate: a candidate's summary against a baseline's, rule by rule, overall and
//! per category. Pure computation on two `Summary`s (plus, for the release diff, the
//! per-conversation outcomes of both runs); `report::gate` renders the result.
//!
//! A rate regression fails only when it is larger than the allowed regression AND
//! significant. Each regression check has a one-sided p-value read off its interval
//! (Newcombe's hybrid score interval for the difference of two rates, Welch's for mean CSAT;
//! `stats`), and the p-values of every regression check of the run with enough data on both
//! sides (the family) are adjusted together (`[gate] correction`, Holm by default): a check
//! is significant when its adjusted p-value is below `(1 - confidence) / 2`. With
//! `correction = "none"` that is exactly "the interval at `confidence` excludes zero", the
//! rule before corrections. Why: 48 checks each at 95% failed 8 of 20 simulated no-change
//! releases (issue 13). Measured by `simulate` (benches/gate_sim.sh, 400 random splits of a
//! 12,000-conversation generated export, 64 checks each): no-change pairs fail 1.2% of the
//! time with Holm (95% interval 0.5-2.9%), 1.5% with BH and 45.5% with no correction; a third
//! of a category looping is caught in 400 of 400 (docs/ci.md).
//!
//! Each regression check also carries its minimum detectable effect at `[gate] power` (normal
//! approximation, at the level a check must reach alone: `(1 - confidence) / 2` divided by
//! the family size under Holm or BH), so a pass on little data reads "too little data to
//! tell". Absolute limits compare the candidate's point estimate with the limit and show its
//! Wilson (or t) interval; they are not tested, so they are not in the family. See
//! docs/ci.md.

pub mod config;
pub mod diff;
pub mod input;
pub mod simulate;

use serde::Serialize;

use crate::model::Reason;
use crate::numfmt::{level, Quantity};
use crate::stats::{
    adjust, min_detectable_rise, min_detectable_shift, newcombe_difference, newcombe_p_higher,
    welch_difference, welch_p_lower, wilson_z, z_critical, Estimate, Moments,
};
use crate::summary::{CategoryStats, Summary, OVERALL};
use config::{Correction, GateConfig, InsufficientPolicy, Metric};
pub use diff::ReleaseDiff;

const METHOD: &str = "rates: Newcombe hybrid score interval for the difference of two \
proportions (Wilson-based); mean CSAT: Welch interval for the difference of two means; a \
regression fails when it exceeds the allowed regression and is significant";

/// How the gate decided, for the report: the intervals, and how significance was judged.
pub fn method(correction: Correction, family: usize) -> String {
    match correction {
        Correction::None => format!("{METHOD} (its interval excludes zero; no correction for the {family} regression checks)"),
        c => format!(
            "{METHOD} (its one-sided p-value, read off the interval, {}-adjusted over the \
             {family} regression checks with enough data, is below (1 - confidence) / 2); \
             minimum detectable effects: normal approximation",
            c.label()
        ),
    }
}

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
    /// One-sided p-value for "the candidate is worse", read off the interval.
    pub p_value: f64,
    /// `p_value` adjusted over the family by `[gate] correction` (equal to it with none).
    pub adjusted_p_value: f64,
    /// Significantly worse: the adjusted p-value is below `(1 - confidence) / 2` (with no
    /// correction: the interval lies entirely on the worse side of zero).
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
    /// Regressions with enough data: the smallest worsening (fraction, or CSAT points) this
    /// check would call significant with probability `[gate] power`; `None` when no
    /// worsening could be seen at these sample sizes, or for limits.
    pub min_detectable: Option<f64>,
    /// A regression that passed although a worsening beyond the allowed one would likely
    /// have been missed (the minimum detectable effect is larger): too little data to tell.
    pub underpowered: bool,
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
    /// How the regression checks' p-values were adjusted for their number.
    pub correction: Correction,
    /// Regression checks with enough data on both sides: the family adjusted together.
    pub family: usize,
    /// The one-sided level an adjusted p-value must be below: `(1 - confidence) / 2`.
    pub significance_level: f64,
    /// Power at which minimum detectable effects are computed.
    pub power: f64,
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
    let mut pending = Vec::new();
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
                pending.push((order, Pending::Done(ctx.limit(limit))));
            }
            if let Some(max) = rule.max_regression {
                pending.push((order, ctx.regression(max)));
            }
        }
    }
    // The family: every regression with enough data, whether or not it exceeds its
    // tolerance, so the correction does not depend on the observed differences.
    let p_values: Vec<f64> = pending
        .iter()
        .filter_map(|(_, p)| match p {
            Pending::Open(o) => Some(o.p_value),
            Pending::Done(_) => None,
        })
        .collect();
    let family = p_values.len();
    let mut adjusted = adjust(&p_values, cfg.correction.adjustment()).into_iter();
    let judge = Judgement {
        correction: cfg.correction,
        family,
        level: (1.0 - cfg.confidence) / 2.0,
        power: cfg.power,
    };
    let mut checks: Vec<(usize, Check)> = pending
        .into_iter()
        .map(|(order, p)| match p {
            Pending::Done(c) => (order, c),
            Pending::Open(o) => {
                let adj = adjusted.next().unwrap_or(1.0);
                (order, o.finish(adj, &judge))
            }
        })
        .collect();
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
        correction: cfg.correction,
        family,
        significance_level: r6(judge.level),
        power: cfg.power,
        method: method(cfg.correction, family),
        baseline: side(baseline),
        candidate: side(candidate),
        totals,
        notes,
        checks,
        release_diff,
    }
}

/// Conversations of a category with `reason`; a summary lists every reason found (none with
/// zero), in every schema version, so an absent reason is a count of zero.
fn reason_count(s: &CategoryStats, reason: Reason) -> u64 {
    s.reasons
        .iter()
        .find(|r| r.reason == reason.code())
        .map_or(0, |r| r.conversations)
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
            Metric::HandoffRate => reason_count(s, Reason::Handoff),
            Metric::AbandonRate => reason_count(s, Reason::AbandonedAfterFallback),
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

    /// The rate or mean (0 without data).
    fn point(&self) -> f64 {
        match *self {
            Sample::Rate { count, n } => {
                if n == 0 {
                    0.0
                } else {
                    count as f64 / n as f64
                }
            }
            Sample::Mean(m) => m.mean().unwrap_or(0.0),
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

/// A check on its way to a verdict: regressions with data wait for the family's adjustment.
enum Pending<'s> {
    Done(Check),
    Open(OpenRegression<'s>),
}

/// What a regression check needs from the whole run to be judged.
struct Judgement {
    correction: Correction,
    family: usize,
    level: f64,
    power: f64,
}

struct OpenRegression<'s> {
    ctx: Context<'s>,
    check: Check,
    estimate: Estimate,
    p_value: f64,
    tolerance: f64,
}

#[derive(Clone, Copy)]
struct Context<'s> {
    scope: &'s str,
    metric: Metric,
    confidence: f64,
    min: u64,
    insufficient_passes: bool,
    baseline: Sample,
    candidate: Sample,
}

impl<'s> Context<'s> {
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
            min_detectable: None,
            underpowered: false,
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

    fn regression(&self, max: f64) -> Pending<'s> {
        let tolerance = if self.metric.is_rate() {
            max / 100.0
        } else {
            max
        };
        let check = self.check(RuleKind::Regression, tolerance);
        let (bn, cn) = (self.baseline.n(), self.candidate.n());
        if bn < self.min || cn < self.min {
            let who = format!(
                "baseline {}; candidate {}",
                self.show_measure(&check.baseline),
                self.show_measure(&check.candidate)
            );
            return Pending::Done(self.insufficient(check, &who));
        }
        let diff: Option<Estimate> = match (self.baseline, self.candidate) {
            (Sample::Rate { count: x1, n: n1 }, Sample::Rate { count: x2, n: n2 }) => {
                newcombe_difference((x1, n1), (x2, n2), self.confidence)
            }
            (Sample::Mean(m1), Sample::Mean(m2)) => welch_difference(m1, m2, self.confidence),
            _ => None,
        };
        let p_value = match (self.baseline, self.candidate) {
            (Sample::Rate { count: x1, n: n1 }, Sample::Rate { count: x2, n: n2 }) => {
                newcombe_p_higher((x1, n1), (x2, n2))
            }
            (Sample::Mean(m1), Sample::Mean(m2)) => welch_p_lower(m1, m2),
            _ => None,
        };
        let (Some(estimate), Some(p_value)) = (diff, p_value) else {
            // Unreachable with min >= 2 on both sides; judged as too little data regardless.
            return Pending::Done(self.insufficient(check, "no interval could be computed"));
        };
        Pending::Open(OpenRegression {
            ctx: *self,
            check,
            estimate,
            p_value,
            tolerance,
        })
    }

    /// "significant at 95% (the interval excludes 0)", or with a correction the p-values
    /// and the family behind the verdict.
    fn significance(&self, significant: bool, p: f64, adjusted: f64, j: &Judgement) -> String {
        let level = self.level();
        let not = if significant { "" } else { "not " };
        match j.correction {
            Correction::None => format!(
                "{not}significant at {level} (the interval {} 0)",
                if significant { "excludes" } else { "includes" }
            ),
            c => format!(
                "{not}significant at {level} {} (one-sided p {}, {}-adjusted over {} checks {}, {} {})",
                if c == Correction::Holm {
                    "family-wise"
                } else {
                    "false-discovery"
                },
                show_p(p),
                c.label(),
                j.family,
                show_p(adjusted),
                if significant { "below" } else { "needs below" },
                r6(j.level)
            ),
        }
    }

    /// The smallest worsening this check would find significant with probability `power`
    /// at one-sided level `alpha`.
    fn min_detectable(&self, alpha: f64, power: f64) -> Option<f64> {
        match (self.baseline, self.candidate) {
            (Sample::Rate { count, n: n1 }, Sample::Rate { n: n2, .. }) => {
                min_detectable_rise(count as f64 / n1 as f64, n1, n2, alpha, power)
            }
            (Sample::Mean(m1), Sample::Mean(m2)) => {
                // The larger variance: a side that happens to agree with itself is no
                // promise about the next release.
                let var = m1.variance()?.max(m2.variance()?);
                min_detectable_shift(var, m1.n, m2.n, alpha, power)
            }
            _ => None,
        }
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

impl OpenRegression<'_> {
    fn finish(self, adjusted_p: f64, j: &Judgement) -> Check {
        let OpenRegression {
            ctx,
            mut check,
            estimate: d,
            p_value,
            tolerance,
        } = self;
        // Positive `worse_by` is a regression: a rate up, or mean CSAT down.
        let worse_by = if ctx.metric.is_rate() {
            d.value
        } else {
            -d.value
        };
        let significant = match j.correction {
            // The interval itself, so "none" keeps the gate's decisions bit for bit.
            Correction::None => {
                if ctx.metric.is_rate() {
                    d.above_zero()
                } else {
                    d.below_zero()
                }
            }
            _ => adjusted_p < j.level,
        };
        let exceeds = worse_by > tolerance;
        let fail = exceeds && significant;
        check.status = if fail { Status::Fail } else { Status::Pass };
        check.passed = !fail;
        check.difference = Some(Difference {
            value: r6(d.value),
            interval: [r6(d.low), r6(d.high)],
            p_value: r6(p_value),
            adjusted_p_value: r6(adjusted_p),
            significant,
        });
        let alone = match j.correction {
            Correction::None => j.level,
            _ => j.level / j.family.max(1) as f64,
        };
        check.min_detectable = ctx.min_detectable(alone, j.power).map(r6);
        check.underpowered = !fail && check.min_detectable.is_none_or(|m| m > tolerance);
        let level = ctx.level();
        let q = ctx.q();
        let judged = ctx.significance(significant, p_value, adjusted_p, j);
        let verdict = if fail {
            format!(
                "worse by more than the allowed {} and {judged}",
                q.magnitude(tolerance)
            )
        } else if exceeds {
            format!(
                "worse by more than the allowed {} but {judged}",
                q.magnitude(tolerance)
            )
        } else {
            format!(
                "within the allowed regression of {}",
                q.magnitude(tolerance)
            )
        };
        let direction = if ctx.metric.is_rate() { "rise" } else { "fall" };
        let power = if fail {
            String::new()
        } else {
            match check.min_detectable {
                Some(m) if check.underpowered => format!(
                    "; too little data to tell (could only see a {direction} of {})",
                    q.magnitude(m)
                ),
                Some(m) => format!("; could see a {direction} of {}", q.magnitude(m)),
                None => format!("; too little data to tell (could not see any {direction})"),
            }
        };
        check.message = format!(
            "{}: baseline {} -> candidate {} ({}, {level} CI {} to {}); {verdict}{power}",
            ctx.head(&check),
            q.value(ctx.baseline.point()),
            q.value(ctx.candidate.point()),
            q.delta_with_unit(d.value),
            q.delta_with_unit(d.low),
            q.delta_with_unit(d.high),
        );
        check
    }
}

/// "0.0123", or "< 0.0001".
fn show_p(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".to_string()
    } else {
        format!("{p:.4}")
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
            expected_rate: 0.0,
            expected_rate_ci: [0.0, 0.0],
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
            repeated_answers_error: 0,
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
            category_source: None,
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
        [gate.satisfaction_drop]\nenabled = false\n[gate.mean_csat]\nenabled = false\n\
        [gate.handoff_rate]\nenabled = false\n[gate.abandon_rate]\nenabled = false\n";

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
            [gate.satisfaction_drop]\nenabled = false\n[gate.handoff_rate]\nenabled = false\n\
            [gate.abandon_rate]\nenabled = false\n[gate]\nmin_csat_responses = 10\n";
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

    /// Ten categories of 1000 conversations at 10% needs-human on both sides, except that
    /// `risen` has 140 in the candidate (+4 pp, one-sided p about 0.003).
    fn ten_categories(risen: &str, toml: &str) -> GateReport {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(default)]
            gate: GateConfig,
        }
        let cfg = toml::from_str::<File>(toml).expect("valid config").gate;
        cfg.validate().expect("valid gate rules");
        let side = |candidate: bool| {
            let categories: Vec<CategoryStats> = (0..10)
                .map(|i| {
                    let name = format!("c{i}");
                    let needs = if candidate && name == risen { 140 } else { 100 };
                    stats(&name, 1000, needs, &[])
                })
                .collect();
            let total = categories.iter().map(|c| c.needs_human).sum();
            let mut s = summary(stats(OVERALL, 10_000, total, &[]));
            s.categories = categories;
            s
        };
        let (b, c) = (side(false), side(true));
        let g = |s| GateSide {
            summary: s,
            source: "test".into(),
            saved_summary: false,
        };
        evaluate(&g(&b), &g(&c), &cfg, None)
    }

    #[test]
    fn holm_keeps_a_lone_marginal_rise_among_many_checks_from_failing() {
        let none = ten_categories(
            "c3",
            &format!("{ONLY_NEEDS_HUMAN}[gate]\ncorrection = \"none\"\n"),
        );
        assert!(!none.passed);
        assert_eq!(none.family, 11);
        let c = &none.checks[0];
        assert_eq!((c.scope.as_str(), c.status), ("c3", Status::Fail));
        assert!(
            c.message
                .contains("significant at 95% (the interval excludes 0)"),
            "{}",
            c.message
        );

        let holm = ten_categories("c3", ONLY_NEEDS_HUMAN);
        assert_eq!(holm.correction, Correction::Holm);
        assert!(holm.passed, "{:#?}", holm.checks[0]);
        let c = holm
            .checks
            .iter()
            .find(|c| c.scope == "c3")
            .expect("c3 checked");
        let d = c.difference.as_ref().expect("judged");
        assert!(d.p_value < 0.025 && d.adjusted_p_value >= 0.025, "{d:?}");
        assert!(!d.significant);
        assert!(
            c.message.contains("but not significant at 95% family-wise")
                && c.message.contains("Holm-adjusted over 11 checks"),
            "{}",
            c.message
        );
        // A rise nowhere: nothing fails under either.
        assert!(ten_categories("none", ONLY_NEEDS_HUMAN).passed);
        // BH adjusts a lone smallest p-value like Holm does.
        let bh = ten_categories(
            "c3",
            &format!("{ONLY_NEEDS_HUMAN}[gate]\ncorrection = \"bh\"\n"),
        );
        assert!(bh.passed);
    }

    #[test]
    fn a_pass_on_little_data_says_so_and_a_well_powered_one_does_not() {
        let r = run(
            stats("overall", 40, 4, &[]),
            stats("overall", 40, 4, &[]),
            ONLY_NEEDS_HUMAN,
        );
        let c = get(&r, Metric::NeedsHuman, RuleKind::Regression);
        assert_eq!(c.status, Status::Pass);
        assert!(c.underpowered);
        assert!(
            c.message
                .contains("too little data to tell (could only see a rise of"),
            "{}",
            c.message
        );
        let m = c.min_detectable.expect("sized");
        assert!(m > 0.15 && m < 0.5, "{m}");
        let r = run(
            stats("overall", 20_000, 2000, &[]),
            stats("overall", 20_000, 2000, &[]),
            ONLY_NEEDS_HUMAN,
        );
        let c = get(&r, Metric::NeedsHuman, RuleKind::Regression);
        assert!(!c.underpowered, "{}", c.message);
        assert!(c.message.contains("could see a rise of"), "{}", c.message);
        assert!(c.min_detectable.is_some_and(|m| m < 0.03));
    }

    #[test]
    fn handoff_and_abandon_rates_are_read_from_the_reason_counts() {
        let cfg = "[gate.needs_human]\nenabled = false\n[gate.unresolved]\nenabled = false\n\
            [gate.escalation_request]\nenabled = false\n[gate.loop]\nenabled = false\n\
            [gate.satisfaction_drop]\nenabled = false\n[gate.mean_csat]\nenabled = false\n";
        let with = |handoffs: u64, abandoned: u64| {
            let mut s = stats("overall", 1000, 0, &[]);
            for (reason, n) in [
                ("handoff", handoffs),
                ("abandoned_after_fallback", abandoned),
            ] {
                if n > 0 {
                    s.reasons.push(crate::summary::ReasonCount {
                        reason: reason.into(),
                        kind: crate::model::ReasonKind::Outcome,
                        conversations: n,
                        rate: n as f64 / 1000.0,
                    });
                }
            }
            s
        };
        let r = run(with(100, 50), with(200, 50), cfg);
        let h = get(&r, Metric::HandoffRate, RuleKind::Regression);
        assert_eq!(h.status, Status::Fail, "{}", h.message);
        assert_eq!(h.candidate.count, Some(200));
        assert!(
            h.message.starts_with("overall handoff rate regression"),
            "{}",
            h.message
        );
        let a = get(&r, Metric::AbandonRate, RuleKind::Regression);
        assert_eq!(a.status, Status::Pass);
        // No reason listed (a category where nobody was handed over) is a count of zero.
        let r = run(with(0, 0), with(0, 60), cfg);
        assert_eq!(
            get(&r, Metric::HandoffRate, RuleKind::Regression)
                .baseline
                .count,
            Some(0)
        );
        assert_eq!(
            get(&r, Metric::AbandonRate, RuleKind::Regression).status,
            Status::Fail
        );
    }
}

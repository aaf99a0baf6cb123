//! `[gate]` in the configuration file: the release gate's rules. Every key is optional;
//! unknown keys are errors (serde `deny_unknown_fields`) and bad values are errors naming
//! the key (`validate`). The starter written by `handoff init` documents each key.
//!
//! Units: rate limits are percentages (`limit = 40` fails above 40%), rate regressions are
//! percentage points; mean CSAT limits and regressions are points on the input's CSAT scale.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::periods::PeriodTest;
use crate::numfmt::Quantity;
use crate::stats::Adjustment;

/// What the gate can judge, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    NeedsHuman,
    Unresolved,
    EscalationRequest,
    Loop,
    SatisfactionDrop,
    HandoffRate,
    AbandonRate,
    MeanCsat,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::NeedsHuman,
        Metric::Unresolved,
        Metric::EscalationRequest,
        Metric::Loop,
        Metric::SatisfactionDrop,
        Metric::HandoffRate,
        Metric::AbandonRate,
        Metric::MeanCsat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Metric::NeedsHuman => "needs_human",
            Metric::Unresolved => "unresolved",
            Metric::EscalationRequest => "escalation_request",
            Metric::Loop => "loop",
            Metric::SatisfactionDrop => "satisfaction_drop",
            Metric::HandoffRate => "handoff_rate",
            Metric::AbandonRate => "abandon_rate",
            Metric::MeanCsat => "mean_csat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::NeedsHuman => "needs-human rate",
            Metric::Unresolved => "unresolved rate",
            Metric::EscalationRequest => "escalation-request rate",
            Metric::Loop => "loop rate",
            Metric::SatisfactionDrop => "satisfaction-drop rate",
            Metric::HandoffRate => "handoff rate",
            Metric::AbandonRate => "abandon rate",
            Metric::MeanCsat => "mean CSAT",
        }
    }

    /// Rates get worse as they rise; mean CSAT gets worse as it falls.
    pub fn is_rate(self) -> bool {
        self != Metric::MeanCsat
    }

    /// How its values and differences are written.
    pub fn quantity(self) -> Quantity {
        if self.is_rate() {
            Quantity::Rate
        } else {
            Quantity::Score
        }
    }

    /// The regression allowed when the configuration says nothing (pp, or CSAT points).
    pub fn default_max_regression(self) -> f64 {
        match self {
            Metric::NeedsHuman
            | Metric::Unresolved
            | Metric::SatisfactionDrop
            | Metric::HandoffRate => 3.0,
            Metric::EscalationRequest | Metric::Loop | Metric::AbandonRate => 2.0,
            Metric::MeanCsat => 0.2,
        }
    }
}

/// How the p-values of a run's regression checks are adjusted for how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Holm-Bonferroni: the chance that a candidate which changed nothing fails any check
    /// is at most `1 - confidence` (family-wise error rate).
    Holm,
    /// Benjamini-Hochberg: controls the expected share of failed checks that are false
    /// (false discovery rate); fails more readily than Holm when several checks regress.
    Bh,
    /// Every check on its own at `confidence` (the gate before corrections).
    None,
}

impl Correction {
    pub fn code(self) -> &'static str {
        match self {
            Correction::Holm => "holm",
            Correction::Bh => "bh",
            Correction::None => "none",
        }
    }

    /// For messages: "Holm", "Benjamini-Hochberg", "no correction".
    pub fn label(self) -> &'static str {
        match self {
            Correction::Holm => "Holm",
            Correction::Bh => "Benjamini-Hochberg",
            Correction::None => "no correction",
        }
    }

    pub fn adjustment(self) -> Adjustment {
        match self {
            Correction::Holm => Adjustment::Holm,
            Correction::Bh => Adjustment::BenjaminiHochberg,
            Correction::None => Adjustment::None,
        }
    }
}

/// What a category with too little data counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsufficientPolicy {
    Pass,
    Fail,
}

/// One metric's rules as given in the file; missing fields inherit (built-in default ->
/// `[gate.METRIC]` -> `[gate.categories.NAME.METRIC]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// `false` skips the metric.
    pub enabled: Option<bool>,
    /// Absolute limit on the candidate: highest rate in percent, or lowest mean CSAT.
    pub limit: Option<f64>,
    /// Largest allowed regression: percentage points for rates, CSAT points for mean CSAT.
    pub max_regression: Option<f64>,
}

/// A metric's rules after inheritance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub enabled: bool,
    pub limit: Option<f64>,
    pub max_regression: Option<f64>,
}

impl Rule {
    fn overlay(self, given: Option<&RuleConfig>) -> Rule {
        let Some(g) = given else { return self };
        Rule {
            enabled: g.enabled.unwrap_or(self.enabled),
            limit: g.limit.or(self.limit),
            max_regression: g.max_regression.or(self.max_regression),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRules {
    pub needs_human: Option<RuleConfig>,
    pub unresolved: Option<RuleConfig>,
    pub escalation_request: Option<RuleConfig>,
    #[serde(rename = "loop")]
    pub loops: Option<RuleConfig>,
    pub satisfaction_drop: Option<RuleConfig>,
    pub handoff_rate: Option<RuleConfig>,
    pub abandon_rate: Option<RuleConfig>,
    pub mean_csat: Option<RuleConfig>,
}

impl MetricRules {
    fn get(&self, m: Metric) -> Option<&RuleConfig> {
        match m {
            Metric::NeedsHuman => self.needs_human.as_ref(),
            Metric::Unresolved => self.unresolved.as_ref(),
            Metric::EscalationRequest => self.escalation_request.as_ref(),
            Metric::Loop => self.loops.as_ref(),
            Metric::SatisfactionDrop => self.satisfaction_drop.as_ref(),
            Metric::HandoffRate => self.handoff_rate.as_ref(),
            Metric::AbandonRate => self.abandon_rate.as_ref(),
            Metric::MeanCsat => self.mean_csat.as_ref(),
        }
    }
}

/// `[gate.categories.NAME]`: overrides for one category (`overall` names the whole corpus).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRules {
    pub min_conversations: Option<u64>,
    pub min_csat_responses: Option<u64>,
    pub insufficient_data: Option<InsufficientPolicy>,
    pub needs_human: Option<RuleConfig>,
    pub unresolved: Option<RuleConfig>,
    pub escalation_request: Option<RuleConfig>,
    #[serde(rename = "loop")]
    pub loops: Option<RuleConfig>,
    pub satisfaction_drop: Option<RuleConfig>,
    pub handoff_rate: Option<RuleConfig>,
    pub abandon_rate: Option<RuleConfig>,
    pub mean_csat: Option<RuleConfig>,
}

impl CategoryRules {
    fn metrics(&self) -> MetricRules {
        MetricRules {
            needs_human: self.needs_human.clone(),
            unresolved: self.unresolved.clone(),
            escalation_request: self.escalation_request.clone(),
            loops: self.loops.clone(),
            satisfaction_drop: self.satisfaction_drop.clone(),
            handoff_rate: self.handoff_rate.clone(),
            abandon_rate: self.abandon_rate.clone(),
            mean_csat: self.mean_csat.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    /// Two-sided level of every interval. With `correction = "none"` a regression is
    /// significant when its interval excludes zero; otherwise when its adjusted one-sided
    /// p-value is below `(1 - confidence) / 2`.
    pub confidence: f64,
    /// How the p-values of all regression checks of a run are adjusted for their number.
    pub correction: Correction,
    /// Chance of catching a regression of the minimum detectable size, shown per check.
    pub power: f64,
    /// Conversations needed on each side before a category (or overall) is judged.
    pub min_conversations: u64,
    /// Rated conversations needed on each side before mean CSAT is judged.
    pub min_csat_responses: u64,
    /// Whether a check with too little data passes or fails the gate.
    pub insufficient_data: InsufficientPolicy,
    pub needs_human: Option<RuleConfig>,
    pub unresolved: Option<RuleConfig>,
    pub escalation_request: Option<RuleConfig>,
    #[serde(rename = "loop")]
    pub loops: Option<RuleConfig>,
    pub satisfaction_drop: Option<RuleConfig>,
    pub handoff_rate: Option<RuleConfig>,
    pub abandon_rate: Option<RuleConfig>,
    pub mean_csat: Option<RuleConfig>,
    pub categories: BTreeMap<String, CategoryRules>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            confidence: 0.95,
            correction: Correction::Holm,
            power: 0.8,
            min_conversations: 30,
            min_csat_responses: 30,
            insufficient_data: InsufficientPolicy::Pass,
            needs_human: None,
            unresolved: None,
            escalation_request: None,
            loops: None,
            satisfaction_drop: None,
            handoff_rate: None,
            abandon_rate: None,
            mean_csat: None,
            categories: BTreeMap::new(),
        }
    }
}

/// Sample-size settings of one scope after inheritance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScopeSettings {
    pub min_conversations: u64,
    pub min_csat_responses: u64,
    pub insufficient_data: InsufficientPolicy,
}

impl GateConfig {
    fn metrics(&self) -> MetricRules {
        MetricRules {
            needs_human: self.needs_human.clone(),
            unresolved: self.unresolved.clone(),
            escalation_request: self.escalation_request.clone(),
            loops: self.loops.clone(),
            satisfaction_drop: self.satisfaction_drop.clone(),
            handoff_rate: self.handoff_rate.clone(),
            abandon_rate: self.abandon_rate.clone(),
            mean_csat: self.mean_csat.clone(),
        }
    }

    /// The rule for `metric` in `scope` (a category name or `overall`).
    pub fn rule(&self, scope: &str, metric: Metric) -> Rule {
        let builtin = Rule {
            enabled: true,
            limit: None,
            max_regression: Some(metric.default_max_regression()),
        };
        let global = builtin.overlay(self.metrics().get(metric));
        match self.categories.get(scope) {
            Some(c) => global.overlay(c.metrics().get(metric)),
            None => global,
        }
    }

    /// The test the weekly series and `--compare-periods` judge a period against the one
    /// before with: this gate's confidence and global minimum sizes.
    pub fn period_test(&self) -> PeriodTest {
        PeriodTest {
            confidence: self.confidence,
            correction: self.correction.adjustment(),
            min_conversations: self.min_conversations,
            min_csat_responses: self.min_csat_responses,
        }
    }

    pub fn scope(&self, scope: &str) -> ScopeSettings {
        let c = self.categories.get(scope);
        ScopeSettings {
            min_conversations: c
                .and_then(|c| c.min_conversations)
                .unwrap_or(self.min_conversations),
            min_csat_responses: c
                .and_then(|c| c.min_csat_responses)
                .unwrap_or(self.min_csat_responses),
            insufficient_data: c
                .and_then(|c| c.insufficient_data)
                .unwrap_or(self.insufficient_data),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(0.5..1.0).contains(&self.confidence) || self.confidence > 0.9999 {
            return Err(format!(
                "gate.confidence = {}: must be at least 0.5 and at most 0.9999 (e.g. 0.95)",
                self.confidence
            ));
        }
        if !(0.5..=0.99).contains(&self.power) {
            return Err(format!(
                "gate.power = {}: must be at least 0.5 and at most 0.99 (e.g. 0.8)",
                self.power
            ));
        }
        check_minimums(
            "gate",
            Some(self.min_conversations),
            Some(self.min_csat_responses),
        )?;
        check_rules("gate", &self.metrics())?;
        for (name, c) in &self.categories {
            let prefix = format!("gate.categories.{}", key_text(name));
            check_minimums(&prefix, c.min_conversations, c.min_csat_responses)?;
            check_rules(&prefix, &c.metrics())?;
        }
        Ok(())
    }
}

/// A category name as a TOML key: bare when it can be, quoted otherwise.
pub fn key_text(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

fn check_minimums(prefix: &str, convs: Option<u64>, csat: Option<u64>) -> Result<(), String> {
    if convs == Some(0) {
        return Err(format!(
            "{prefix}.min_conversations = 0: must be at least 1"
        ));
    }
    if let Some(n) = csat.filter(|n| *n < 2) {
        return Err(format!(
            "{prefix}.min_csat_responses = {n}: must be at least 2 (a variance needs two ratings)"
        ));
    }
    Ok(())
}

fn check_rules(prefix: &str, rules: &MetricRules) -> Result<(), String> {
    for m in Metric::ALL {
        let Some(r) = rules.get(m) else { continue };
        let key = |field: &str| format!("{prefix}.{}.{field}", m.code());
        if m.is_rate() {
            for (field, v) in [("limit", r.limit), ("max_regression", r.max_regression)] {
                if let Some(v) = v.filter(|v| !(0.0..=100.0).contains(v)) {
                    return Err(format!(
                        "{} = {v}: must be between 0 and 100 (percent{})",
                        key(field),
                        if field == "limit" { "" } else { "age points" }
                    ));
                }
            }
        } else {
            if let Some(v) = r.limit.filter(|v| !v.is_finite()) {
                return Err(format!("{} = {v}: must be a number", key("limit")));
            }
            if let Some(v) = r.max_regression.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(format!(
                    "{} = {v}: must be zero or more (CSAT points)",
                    key("max_regression")
                ));
            }
        }
    }
    Ok(())
}

//! `handoff calibrate`: on the conversations that carry an outcome — low CSAT by default, or
//! the team's own label (`--label-field`: escalated, reopened...) — how well does each
//! transcript signal predict it, and which thresholds and needs-human weights would fit this
//! team's data better? A stage beside aggregate: it folds assessed conversations into
//! compact records (about 60 bytes per labelled conversation; the others are only counted)
//! and computes AUC, precision and recall, threshold suggestions by grid search, and a
//! cross-validated refit of the needs-human probability.

pub mod logistic;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::detect::dissatisfaction::SIGNALS;
use crate::detect::settings::DetectConfig;
use crate::detect::verdict::{self, Features, VerdictConfig, FEATURES};
use crate::detect::{Assessment, CsatScale};
use crate::ingest::LabelField;
use crate::model::{Label, Reason};

/// One conversation with CSAT, reduced to what calibration needs.
const _: () = assert!(Reason::COUNT <= 32, "Record::reasons has a bit per reason");

struct Record {
    category: u32,
    /// The outcome: low CSAT, or the `--label-field` label.
    positive: bool,
    dissatisfaction: f64,
    score: f64,
    needs_human: bool,
    /// Bit `reason as usize` set for each reason found.
    reasons: u32,
    sentiment: Option<(f64, f64)>,
    customer_similarity: f64,
    bot_similarity: f64,
    /// Dissatisfaction signals seen in some customer turn (bits of `SIGNALS`).
    turn_signals: u16,
    /// The needs-human probability without the survey, and its inputs.
    probability: f64,
    verdict: Features,
    /// Hard evidence other than the survey.
    hard: bool,
}

pub struct Calibrator {
    scale: CsatScale,
    low_csat: f64,
    /// `--label-field`: the team's own outcome replaces low CSAT as the label, and every
    /// signal may then use the survey, as an audit does (with low CSAT as the label, the
    /// signals leave the survey out: `low_csat` as a reason would predict itself).
    label: Option<LabelField>,
    categories: Vec<String>,
    index: BTreeMap<String, u32>,
    records: Vec<Record>,
    audited: u64,
    with_csat: u64,
    low: u64,
    unreadable_labels: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalStats {
    pub signal: String,
    /// Area under the ROC curve against low CSAT (0.5 = chance); None when one class is empty.
    pub auc: Option<f64>,
    /// For flags: at the current configuration. For scores: at the threshold with the best F1.
    pub threshold: Option<f64>,
    pub flagged: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub category: String,
    /// Labelled conversations in the group, and how many of them are positive.
    pub conversations: u64,
    pub positive: u64,
    pub signals: Vec<SignalStats>,
}

/// One of the inferred-dissatisfaction turn signals, as a conversation-level flag ("fired
/// in some customer turn"), next to its weight: where a signal does not separate this
/// team's low-CSAT conversations, its weight is a candidate for change.
#[derive(Debug, Clone, Serialize)]
pub struct TurnSignalStats {
    /// The `[detect.dissatisfaction]` key.
    pub weight_key: String,
    pub weight: f64,
    #[serde(flatten)]
    pub stats: SignalStats,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Config key, e.g. "detect.sentiment_drop".
    pub key: String,
    pub current: f64,
    pub suggested: f64,
    pub f1_current: f64,
    pub f1_suggested: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub audited: u64,
    /// What the signals are measured against: "low CSAT" or "escalated is true".
    pub outcome: String,
    /// `--label-field` as given (None: low CSAT is the outcome).
    pub label_field: Option<String>,
    /// Audited conversations that carry the outcome, and how many of them are positive.
    pub labelled: u64,
    pub positive: u64,
    /// `--label-field` values that read as neither yes nor no (not labelled).
    pub unreadable_labels: u64,
    pub with_csat: u64,
    pub low_csat: u64,
    pub csat_scale: String,
    /// CSAT at or below this on the 1..5 scale counts as low.
    pub low_csat_threshold: f64,
    pub overall: GroupStats,
    /// Categories with at least `min_conversations` CSAT answers and both outcomes.
    pub categories: Vec<GroupStats>,
    /// The dissatisfaction score's turn signals, overall.
    pub turn_signals: Vec<TurnSignalStats>,
    pub suggestions: Vec<Suggestion>,
    /// The needs-human probability refitted on these labels; None with too few of either.
    pub verdict: Option<VerdictFit>,
}

/// Low and not-low conversations a refit of the needs-human probability needs, each.
pub const MIN_PER_CLASS_FOR_REFIT: usize = 10;
/// Folds of the cross-validation that measures a refit.
const FOLDS: usize = 5;

/// One decile of a reliability table.
#[derive(Debug, Clone, Serialize)]
pub struct Reliability {
    pub conversations: u64,
    pub predicted: f64,
    pub observed: f64,
}

/// The needs-human probability refitted on this team's low-CSAT labels: what the current
/// weights score, what a refit scores (5-fold cross-validated, so not on the rows it was
/// fitted on), its reliability table, the best-F1 threshold, and the refit's weights
/// (fitted on all rows; `--write-config` stores them under `[score.verdict]`).
#[derive(Debug, Clone, Serialize)]
pub struct VerdictFit {
    pub auc_current: Option<f64>,
    pub brier_current: f64,
    pub auc_refit: Option<f64>,
    pub brier_refit: f64,
    pub reliability: Vec<Reliability>,
    pub threshold: f64,
    pub intercept: f64,
    /// (input, weight), in the order of `verdict::FEATURES`.
    pub weights: Vec<(String, f64)>,
}

impl VerdictFit {
    /// The `[score.verdict]` keys and values to store.
    pub fn config_values(&self) -> Vec<(String, f64)> {
        let mut v = vec![
            ("score.verdict.intercept".to_string(), self.intercept),
            ("score.verdict.threshold".to_string(), self.threshold),
        ];
        v.extend(
            self.weights
                .iter()
                .map(|(k, w)| (format!("score.verdict.{k}"), *w)),
        );
        v
    }
}

fn refit_verdict(rows: &[&Record], current: &VerdictConfig) -> Option<VerdictFit> {
    let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
    let low = labels.iter().filter(|l| **l).count();
    if low < MIN_PER_CLASS_FOR_REFIT || rows.len() - low < MIN_PER_CLASS_FOR_REFIT {
        return None;
    }
    let x: Vec<Vec<f64>> = rows.iter().map(|r| r.verdict.to_vec()).collect();
    let model = |b0: f64, w: &[f64]| -> Option<VerdictConfig> {
        let w: Features = w.try_into().ok()?;
        Some(current.with_weights(b0, &w))
    };
    // Held-out predictions: fold k is row i with i % FOLDS == k, fitted on the others.
    let mut held = vec![0.0; rows.len()];
    for k in 0..FOLDS {
        let train: Vec<usize> = (0..rows.len()).filter(|i| i % FOLDS != k).collect();
        let tx: Vec<Vec<f64>> = train.iter().map(|&i| x[i].clone()).collect();
        let ty: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
        let fitted = logistic::fit_non_negative(&tx, &ty, verdict::L2, &verdict::NON_NEGATIVE)
            .and_then(|(b0, w)| model(b0, &w));
        for i in (0..rows.len()).filter(|i| i % FOLDS == k) {
            held[i] = match &fitted {
                Some(m) => m.probability(&rows[i].verdict, rows[i].hard),
                // A fold with one class only: the base rate.
                None => low as f64 / rows.len() as f64,
            };
        }
    }
    let (b0, w) = logistic::fit_non_negative(&x, &labels, verdict::L2, &verdict::NON_NEGATIVE)?;
    let current_p: Vec<f64> = rows.iter().map(|r| r.probability).collect();
    let threshold = (1..100)
        .map(|t| t as f64 / 100.0)
        .map(|t| {
            let flags = held.iter().map(|p| *p >= t);
            (t, confusion(&labels, flags).f1())
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .map_or(current.threshold, |(t, _)| t);
    Some(VerdictFit {
        auc_current: auc(&current_p, &labels).map(round),
        brier_current: round(logistic::brier(&current_p, &labels)),
        auc_refit: auc(&held, &labels).map(round),
        brier_refit: round(logistic::brier(&held, &labels)),
        reliability: logistic::reliability(&held, &labels, 10)
            .into_iter()
            .map(|(n, p, o)| Reliability {
                conversations: n as u64,
                predicted: round(p),
                observed: round(o),
            })
            .collect(),
        threshold,
        intercept: round(b0),
        weights: FEATURES
            .iter()
            .zip(w)
            .map(|(k, w)| (k.to_string(), round(w)))
            .collect(),
    })
}

impl Calibrator {
    pub fn new(scale: CsatScale, low_csat: f64, label: Option<LabelField>) -> Calibrator {
        Calibrator {
            scale,
            low_csat,
            label,
            categories: Vec::new(),
            index: BTreeMap::new(),
            records: Vec::new(),
            audited: 0,
            with_csat: 0,
            low: 0,
            unreadable_labels: 0,
        }
    }

    pub fn add(&mut self, a: &Assessment) {
        self.audited += 1;
        let low = a.csat.map(|csat| self.scale.to_five(csat) <= self.low_csat);
        if let Some(low) = low {
            self.with_csat += 1;
            self.low += low as u64;
        }
        let with_survey = self.label.is_some();
        let positive = match (with_survey, &a.label) {
            (false, _) => low,
            (true, Some(Label::Positive)) => Some(true),
            (true, Some(Label::Negative)) => Some(false),
            (true, Some(Label::Unreadable(_))) => {
                self.unreadable_labels += 1;
                None
            }
            (true, None) => None,
        };
        let Some(positive) = positive else {
            return;
        };
        let category = match self.index.get(&a.category) {
            Some(i) => *i,
            None => {
                let i = self.categories.len() as u32;
                self.categories.push(a.category.clone());
                self.index.insert(a.category.clone(), i);
                i
            }
        };
        let reasons = a
            .findings
            .iter()
            .filter(|f| with_survey || f.reason != Reason::LowCsat)
            .fold(0u32, |acc, f| acc | (1 << f.reason as usize));
        let s = &a.signals;
        self.records.push(Record {
            category,
            positive,
            dissatisfaction: a.dissatisfaction,
            score: if with_survey {
                a.score
            } else {
                s.score_without_csat
            },
            needs_human: if with_survey {
                a.needs_human
            } else {
                s.needs_human_without_csat
            },
            reasons,
            sentiment: s.sentiment_first_and_lowest,
            customer_similarity: s.customer_similarity,
            bot_similarity: s.bot_similarity,
            turn_signals: s.dissatisfaction_signals,
            probability: if with_survey {
                a.probability
            } else {
                s.probability_without_csat
            },
            verdict: s.verdict_features,
            hard: a.findings.iter().any(|f| {
                verdict::is_hard(f.reason) && (with_survey || f.reason != Reason::LowCsat)
            }),
        });
    }

    pub fn finish(
        self,
        detect: &DetectConfig,
        current: &VerdictConfig,
        min_conversations: u64,
        csat_scale: String,
    ) -> Calibration {
        let all: Vec<&Record> = self.records.iter().collect();
        let with_survey = self.label.is_some();
        let overall = group("overall", &all, with_survey);
        let mut categories: Vec<GroupStats> = self
            .categories
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let rows: Vec<&Record> = all
                    .iter()
                    .copied()
                    .filter(|r| r.category == i as u32)
                    .collect();
                let low = rows.iter().filter(|r| r.positive).count();
                let enough = rows.len() as u64 >= min_conversations && low > 0 && low < rows.len();
                enough.then(|| group(name, &rows, with_survey))
            })
            .collect();
        categories.sort_by(|a, b| a.category.cmp(&b.category));
        Calibration {
            audited: self.audited,
            outcome: match &self.label {
                Some(field) => field.describe(),
                None => "low CSAT".to_string(),
            },
            label_field: self.label.as_ref().map(LabelField::name),
            labelled: all.len() as u64,
            positive: all.iter().filter(|r| r.positive).count() as u64,
            unreadable_labels: self.unreadable_labels,
            with_csat: self.with_csat,
            low_csat: self.low,
            csat_scale,
            low_csat_threshold: self.low_csat,
            overall,
            categories,
            turn_signals: turn_signals(&all, detect),
            suggestions: suggest(&all, detect),
            verdict: refit_verdict(&all, current),
        }
    }
}

/// The flag-like turn signals (not the sentiment and similarity terms, which are
/// continuous, nor `opening`, which every conversation has).
fn turn_signals(rows: &[&Record], detect: &DetectConfig) -> Vec<TurnSignalStats> {
    let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
    let weights = detect.dissatisfaction.weights();
    SIGNALS
        .iter()
        .enumerate()
        .filter(|(_, name)| {
            !matches!(
                **name,
                "restatement" | "negative_sentiment" | "positive_sentiment" | "opening"
            )
        })
        .map(|(k, name)| TurnSignalStats {
            weight_key: format!("detect.dissatisfaction.{name}"),
            weight: weights[k],
            stats: binary(
                name,
                &labels,
                rows.iter().map(|r| r.turn_signals & (1 << k) != 0),
            ),
        })
        .collect()
}

/// `with_survey`: the label is not the survey, so `low_csat` is a signal like any other.
fn group(name: &str, rows: &[&Record], with_survey: bool) -> GroupStats {
    let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
    let mut signals = vec![
        continuous("dissatisfaction", rows, &labels, |r| r.dissatisfaction),
        continuous("needs_human_probability", rows, &labels, |r| r.probability),
        continuous("needs_human_score", rows, &labels, |r| r.score),
        binary("needs_human", &labels, rows.iter().map(|r| r.needs_human)),
    ];
    // With low CSAT as the label, the survey's own `low_csat` is not a signal.
    for reason in Reason::ALL
        .into_iter()
        .filter(|r| with_survey || *r != Reason::LowCsat)
    {
        let bit = 1u32 << reason as usize;
        signals.push(binary(
            reason.code(),
            &labels,
            rows.iter().map(|r| r.reasons & bit != 0),
        ));
    }
    GroupStats {
        category: name.to_string(),
        conversations: rows.len() as u64,
        positive: labels.iter().filter(|l| **l).count() as u64,
        signals,
    }
}

fn continuous(
    name: &str,
    rows: &[&Record],
    labels: &[bool],
    value: impl Fn(&Record) -> f64,
) -> SignalStats {
    let values: Vec<f64> = rows.iter().map(|r| value(r)).collect();
    let auc = auc(&values, labels);
    // The threshold with the best F1 among the observed values.
    let mut candidates: Vec<f64> = values.clone();
    candidates.sort_by(|a, b| a.total_cmp(b));
    candidates.dedup();
    let best = candidates
        .iter()
        .map(|&t| (t, confusion(labels, values.iter().map(|v| *v >= t))))
        .max_by(|a, b| a.1.f1().total_cmp(&b.1.f1()).then(b.0.total_cmp(&a.0)));
    match best {
        Some((t, c)) => SignalStats {
            signal: name.to_string(),
            auc,
            threshold: Some(round(t)),
            flagged: c.tp + c.fp,
            precision: c.precision().map(round),
            recall: c.recall().map(round),
        },
        None => SignalStats {
            signal: name.to_string(),
            auc,
            threshold: None,
            flagged: 0,
            precision: None,
            recall: None,
        },
    }
}

fn binary(name: &str, labels: &[bool], flags: impl Iterator<Item = bool>) -> SignalStats {
    let flags: Vec<bool> = flags.collect();
    let values: Vec<f64> = flags.iter().map(|f| *f as u8 as f64).collect();
    let c = confusion(labels, flags.iter().copied());
    SignalStats {
        signal: name.to_string(),
        auc: auc(&values, labels),
        threshold: None,
        flagged: c.tp + c.fp,
        precision: c.precision().map(round),
        recall: c.recall().map(round),
    }
}

#[derive(Default, Clone, Copy)]
struct Confusion {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Confusion {
    fn precision(self) -> Option<f64> {
        (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64)
    }
    fn recall(self) -> Option<f64> {
        (self.tp + self.fn_ > 0).then(|| self.tp as f64 / (self.tp + self.fn_) as f64)
    }
    fn f1(self) -> f64 {
        let d = 2 * self.tp + self.fp + self.fn_;
        if d == 0 {
            0.0
        } else {
            2.0 * self.tp as f64 / d as f64
        }
    }
}

fn confusion(labels: &[bool], flags: impl Iterator<Item = bool>) -> Confusion {
    let mut c = Confusion::default();
    for (label, flag) in labels.iter().zip(flags) {
        match (*label, flag) {
            (true, true) => c.tp += 1,
            (false, true) => c.fp += 1,
            (true, false) => c.fn_ += 1,
            (false, false) => {}
        }
    }
    c
}

/// Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties counted half.
pub fn auc(values: &[f64], labels: &[bool]) -> Option<f64> {
    let mut v: Vec<(f64, bool)> = values.iter().copied().zip(labels.iter().copied()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos = v.iter().filter(|x| x.1).count() as f64;
    let neg = v.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        rank_sum += avg * v[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    Some(round((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)))
}

fn round(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}

fn grid(from: f64, to: f64, step: f64) -> impl Iterator<Item = f64> {
    let n = ((to - from) / step).round() as i64;
    (0..=n).map(move |k| round(from + k as f64 * step))
}

/// Thresholds of the transcript-only flags re-fitted to this data (best F1 against low
/// CSAT); only proposed when they beat the current value.
fn suggest(rows: &[&Record], d: &DetectConfig) -> Vec<Suggestion> {
    let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
    let f1 = |flag: &dyn Fn(&Record) -> bool| confusion(&labels, rows.iter().map(|r| flag(r))).f1();
    let mut out = Vec::new();

    let drop_flag = |drop: f64, neg: f64| {
        move |r: &Record| {
            r.sentiment
                .is_some_and(|(start, low)| start - low >= drop && low <= neg)
        }
    };
    let current = f1(&drop_flag(d.sentiment_drop, d.sentiment_negative));
    let mut best = (current, d.sentiment_drop, d.sentiment_negative);
    for drop in grid(0.2, 1.2, 0.05) {
        for neg in grid(-0.8, 0.0, 0.05) {
            let f = f1(&drop_flag(drop, neg));
            if f > best.0 + 1e-9 {
                best = (f, drop, neg);
            }
        }
    }
    if best.0 > current + 1e-9 {
        out.push(Suggestion {
            key: "detect.sentiment_drop".into(),
            current: d.sentiment_drop,
            suggested: best.1,
            f1_current: round(current),
            f1_suggested: round(best.0),
        });
        out.push(Suggestion {
            key: "detect.sentiment_negative".into(),
            current: d.sentiment_negative,
            suggested: best.2,
            f1_current: round(current),
            f1_suggested: round(best.0),
        });
    }

    type Value = fn(&Record) -> f64;
    let similarity: [(&str, f64, Value); 2] = [
        (
            "detect.customer_repeat_similarity",
            d.customer_repeat_similarity,
            |r| r.customer_similarity,
        ),
        ("detect.repeat_similarity", d.repeat_similarity, |r| {
            r.bot_similarity
        }),
    ];
    for (key, now, value) in similarity {
        let current = f1(&|r| value(r) > 0.0 && value(r) >= now);
        let mut best = (current, now);
        for t in grid(0.3, 1.0, 0.05) {
            let f = f1(&|r| value(r) > 0.0 && value(r) >= t);
            if f > best.0 + 1e-9 {
                best = (f, t);
            }
        }
        if best.0 > current + 1e-9 {
            out.push(Suggestion {
                key: key.into(),
                current: now,
                suggested: best.1,
                f1_current: round(current),
                f1_suggested: round(best.0),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with nothing found but the given label, probability and verdict inputs.
    fn record(positive: bool, probability: f64, verdict: Features) -> Record {
        Record {
            category: 0,
            positive,
            dissatisfaction: 0.0,
            score: 0.0,
            needs_human: false,
            reasons: 0,
            sentiment: None,
            customer_similarity: 0.0,
            bot_similarity: 0.0,
            turn_signals: 0,
            probability,
            verdict,
            hard: false,
        }
    }

    #[test]
    fn auc_of_perfect_random_and_inverted_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &labels), Some(0.5));
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn best_f1_threshold_separates_the_classes() {
        let rec = |low: bool, d: f64| Record {
            dissatisfaction: d,
            ..record(low, d, [0.0; FEATURES.len()])
        };
        let rows = [
            rec(false, 0.1),
            rec(false, 0.2),
            rec(false, 0.3),
            rec(true, 0.6),
            rec(true, 0.7),
        ];
        let refs: Vec<&Record> = rows.iter().collect();
        let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
        let s = continuous("d", &refs, &labels, |r| r.dissatisfaction);
        assert_eq!(s.auc, Some(1.0));
        assert_eq!(s.threshold, Some(0.6));
        assert_eq!((s.precision, s.recall), (Some(1.0), Some(1.0)));
    }

    #[test]
    fn the_verdict_refit_learns_from_the_labels_and_needs_both_outcomes() {
        // Low CSAT follows the dissatisfaction logit (input 0) and a fallback (input 1).
        let rows: Vec<Record> = (0..200)
            .map(|i| {
                let mut x = [0.0; FEATURES.len()];
                x[0] = (i % 10) as f64 - 5.0;
                x[1] = (i % 3 == 0) as u8 as f64;
                let low = x[0] + 2.0 * x[1] + ((i * 7) % 5) as f64 - 2.0 > 1.5;
                record(low, 0.05, x)
            })
            .collect();
        let refs: Vec<&Record> = rows.iter().collect();
        let fit = refit_verdict(&refs, &VerdictConfig::default()).expect("both outcomes");
        assert!(fit.auc_refit.expect("auc") > 0.8, "{fit:?}");
        assert!(fit.weights[0].1 > 0.0 && fit.weights[1].1 > 0.0, "{fit:?}");
        assert_eq!(fit.reliability.len(), 10);
        let keys: Vec<String> = fit.config_values().into_iter().map(|(k, _)| k).collect();
        assert!(keys.contains(&"score.verdict.threshold".to_string()));
        assert!(keys.contains(&"score.verdict.dissatisfaction_logit".to_string()));
        // Fewer than MIN_PER_CLASS_FOR_REFIT low conversations: no refit.
        let few: Vec<&Record> = refs
            .iter()
            .copied()
            .filter(|r| !r.positive)
            .chain(refs.iter().copied().filter(|r| r.positive).take(3))
            .collect();
        assert!(refit_verdict(&few, &VerdictConfig::default()).is_none());
    }
}

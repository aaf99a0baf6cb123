//! The settings detection needs, and nothing else: thresholds (`[detect]`), the score
//! (`[score]`), phrase lists (`[phrases]`), the taxonomy and extra sentiment entries.
//! `crate::config::Config` composes them with the other subsystems' settings; `Detectors`
//! receives only these, and their fingerprint is what makes two runs comparable.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::dissatisfaction::DissatisfactionConfig;
pub use super::phrases::PhraseConfig;
use super::score::ReasonWeights;
use super::verdict::VerdictConfig;
use crate::model::Reason;

/// Everything that decides how a conversation is flagged (the `[detect]`, `[score]`,
/// `[phrases]`, `[taxonomy]` and `[sentiment]` sections of the config file).
#[derive(Debug, Clone, Default)]
pub struct DetectionSettings {
    pub detect: DetectConfig,
    pub score: ScoreConfig,
    pub phrases: PhraseConfig,
    /// Category name -> keywords; replaces the built-in taxonomy when present.
    pub taxonomy: Option<BTreeMap<String, Vec<String>>>,
    /// Extra sentiment valences (-4..4), word or phrase -> valence, merged over the built-in lexicon.
    pub sentiment: BTreeMap<String, f32>,
    /// Where a conversation's category comes from.
    pub categories: CategorySource,
}

/// Where categories come from (`--categories`, `--topics`, `[topics]`, `[taxonomy]`).
#[derive(Debug, Clone, Default)]
pub enum CategorySource {
    /// The export's category (or `--category-field`); `uncategorized` without one.
    #[default]
    Export,
    /// The export's category, else the keyword taxonomy (`[taxonomy]`, or the built-in
    /// consumer-finance example): opt-in, as it only fits exports of that kind.
    Taxonomy,
    /// Every conversation's category is its nearest topic (or `other`): a topics file, or
    /// topics discovered during the run.
    Topics(std::sync::Arc<crate::topics::TopicModel>),
}

impl DetectionSettings {
    /// Range checks; the message names the offending key.
    pub fn validate(&self) -> Result<(), String> {
        let unit = [
            ("detect.repeat_similarity", self.detect.repeat_similarity),
            (
                "detect.customer_repeat_similarity",
                self.detect.customer_repeat_similarity,
            ),
            ("detect.sentiment_drop", self.detect.sentiment_drop),
            (
                "score.confirmation_discount",
                self.score.confirmation_discount,
            ),
        ];
        for (key, v) in unit {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{key} = {v}: must be between 0 and 1"));
            }
        }
        for (code, w) in self.score.weights.by_code() {
            if !(0.0..=1.0).contains(&w) {
                return Err(format!(
                    "score.weights.{code} = {w}: must be between 0 and 1"
                ));
            }
        }
        self.score.verdict.validate()?;
        if !(-1.0..=1.0).contains(&self.detect.sentiment_negative) {
            return Err("detect.sentiment_negative: must be between -1 and 1".into());
        }
        // TOML has nan and inf: a NaN threshold or weight compares false with everything,
        // so it would silently turn a signal off (or on) instead of failing here.
        if !(1.0..=5.0).contains(&self.detect.low_csat) {
            return Err(format!(
                "detect.low_csat = {}: must be between 1 and 5 (CSAT mapped onto 1..5)",
                self.detect.low_csat
            ));
        }
        let d = &self.detect.dissatisfaction;
        let weights = std::iter::once(("intercept", d.intercept))
            .chain(super::dissatisfaction::SIGNALS.into_iter().zip(d.weights()));
        for (name, w) in weights {
            if !w.is_finite() {
                return Err(format!(
                    "detect.dissatisfaction.{name} = {w}: must be a finite number"
                ));
            }
        }
        for (entry, v) in &self.sentiment {
            if !(-4.0..=4.0).contains(v) {
                return Err(format!(
                    "sentiment.{entry:?} = {v}: must be a valence between -4 and 4"
                ));
            }
        }
        if self.detect.loop_min_repeats == 0 {
            return Err("detect.loop_min_repeats must be at least 1".into());
        }
        Ok(())
    }

    /// A short hash of everything that decides how a conversation is flagged, plus `extra`
    /// (the run's CSAT scale and category field). Stored in summaries so the gate can warn
    /// when a saved baseline was audited with other settings. FNV-1a over a text of the
    /// settings. That text was once the settings' derived `Debug` text and must stay what it
    /// was for the same settings, or every summary saved earlier would look incomparable:
    /// the parts whose types have changed since are spelled out (`fingerprint_text`).
    pub fn fingerprint(&self, extra: &str) -> String {
        let text = format!(
            "{:?}|{}|{}|{:?}|{:?}|{extra}{}",
            self.detect,
            self.score.fingerprint_text(),
            self.phrases.fingerprint_text(),
            self.taxonomy,
            self.sentiment,
            // The keyword taxonomy's fallback was the only behaviour before issue 11, so it
            // keeps the fingerprints earlier versions wrote; the export's categories alone
            // (the default since) categorize conversations without one differently, so they
            // are marked.
            match &self.categories {
                CategorySource::Taxonomy => String::new(),
                CategorySource::Export => "|categories export".to_string(),
                CategorySource::Topics(t) => format!("|topics {:?}", t.to_toml().ok()),
            }
        );
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    /// Token-set (Jaccard) similarity at which a bot message repeats an earlier one.
    pub repeat_similarity: f64,
    /// Bot messages shorter than this many words ("Okay.", "Anything else?") never count as repeats.
    pub repeat_min_words: usize,
    /// Bot answers at least this long count from their first repeat; shorter ones (down to
    /// `repeat_min_words`) only from their second.
    pub repeat_long_words: usize,
    /// Repeats in one conversation that make a loop.
    pub loop_min_repeats: usize,
    /// Similarity of content words at which a customer message restates an earlier one.
    pub customer_repeat_similarity: f64,
    /// Content words a customer message needs before it can count as a restatement.
    pub customer_repeat_min_words: usize,
    /// Drop in customer sentiment (compound, -1..1) from first to lowest later message.
    pub sentiment_drop: f64,
    /// ... and that later message must be at or below this compound score.
    pub sentiment_negative: f64,
    /// CSAT at or below this value, after mapping the survey scale onto 1..5, is low.
    pub low_csat: f64,
    /// Weights of the inferred-dissatisfaction turn model.
    pub dissatisfaction: DissatisfactionConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// Per reason, the weight w in the noisy-OR score 1 - prod(1 - w).
    pub weights: ReasonWeights,
    /// A customer's confirmation ("thanks, that fixed it") multiplies the score by (1 - this).
    pub confirmation_discount: f64,
    /// The needs-human probability's weights, threshold and hard-evidence floor.
    pub verdict: VerdictConfig,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            repeat_similarity: 0.8,
            repeat_min_words: 5,
            repeat_long_words: 10,
            loop_min_repeats: 2,
            customer_repeat_similarity: 0.6,
            customer_repeat_min_words: 3,
            sentiment_drop: 0.5,
            sentiment_negative: -0.3,
            low_csat: 2.0,
            dissatisfaction: DissatisfactionConfig::default(),
        }
    }
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            weights: ReasonWeights::default(),
            confirmation_discount: 0.5,
            verdict: VerdictConfig::default(),
        }
    }
}

impl ScoreConfig {
    /// The fingerprint's text of these settings: the derived `Debug` text of the type it
    /// replaced, whose weights were a `BTreeMap<String, f64>` of every code.
    fn fingerprint_text(&self) -> String {
        // Reasons added after that type (inferred_dissatisfaction, routed_by_design) join the
        // text only when set away from their default, so the same settings keep their hash.
        let weights: BTreeMap<&str, f64> = self
            .weights
            .by_code()
            .filter(|(code, w)| {
                let late = matches!(*code, "inferred_dissatisfaction" | "routed_by_design");
                !late || Reason::from_code(code).is_some_and(|r| r.default_weight() != *w)
            })
            .collect();
        // Default verdict settings leave the text of earlier versions unchanged.
        let verdict = if self.verdict == VerdictConfig::default() {
            String::new()
        } else {
            format!(" verdict {:?}", self.verdict)
        };
        format!(
            "ScoreConfig {{ weights: {weights:?}, confirmation_discount: {:?} }}{verdict}",
            self.confirmation_discount
        )
    }
}

//! Settings that shape detection and recommendations, loadable from a TOML file
//! (`--config handoff.toml`). Every field has a documented default (README "Configuration");
//! unknown keys are errors so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::detect::dissatisfaction::DissatisfactionConfig;
use crate::detect::lexicon;
use crate::error::{Error, Result};
use crate::gate::config::GateConfig;

/// The commented starter file `handoff init` writes; it loads through `Config::parse` to
/// the built-in defaults (tested below).
pub const STARTER: &str = include_str!("starter.toml");

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub detect: DetectConfig,
    pub score: ScoreConfig,
    pub recommend: RecommendConfig,
    pub phrases: PhraseConfig,
    /// Category name -> keywords; replaces the built-in taxonomy when present.
    pub taxonomy: Option<BTreeMap<String, Vec<String>>>,
    /// Extra sentiment valences (-4..4), word or phrase -> valence, merged over the built-in lexicon.
    pub sentiment: BTreeMap<String, f32>,
    /// Release-gate rules (`handoff gate`, and the intervals of `--compare-periods`).
    pub gate: GateConfig,
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
    /// Per reason code, the weight w in the noisy-OR score 1 - prod(1 - w).
    pub weights: BTreeMap<String, f64>,
    /// A customer's confirmation ("thanks, that fixed it") multiplies the score by (1 - this).
    pub confirmation_discount: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecommendConfig {
    /// Needs-human rate at or above which a category should be routed to humans.
    pub route_to_humans: f64,
    /// Needs-human rate at or above which a category needs human review of the bot flows.
    pub human_review: f64,
    /// Fewer conversations than this: "insufficient data" instead of a recommendation.
    pub min_conversations: u64,
}

/// Phrase lists; each one given in the config replaces the built-in list.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PhraseConfig {
    pub escalation: Option<Vec<String>>,
    pub fallback: Option<Vec<String>>,
    pub negative_close: Option<Vec<String>>,
    pub confirmation: Option<Vec<String>>,
    pub handoff: Option<Vec<String>>,
    pub open_statuses: Option<Vec<String>>,
    // The inferred-dissatisfaction signals (src/detect/dissatisfaction.rs).
    /// A customer turn opening with one of these ("no", "wrong") refuses or corrects.
    pub refusal_openers: Option<Vec<String>>,
    /// ... or with one of these ("actually", "I said") corrects.
    pub correction_openers: Option<Vec<String>>,
    pub closing: Option<Vec<String>>,
    pub change_request: Option<Vec<String>>,
    pub negation: Option<Vec<String>>,
    pub doubt: Option<Vec<String>>,
    pub negative_emotion: Option<Vec<String>>,
    pub bot_failure: Option<Vec<String>>,
    pub confirmation_request: Option<Vec<String>>,
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
            weights: lexicon::DEFAULT_WEIGHTS
                .iter()
                .map(|(k, w)| (k.to_string(), *w))
                .collect(),
            confirmation_discount: 0.5,
        }
    }
}

impl Default for RecommendConfig {
    fn default() -> Self {
        RecommendConfig {
            route_to_humans: 0.35,
            human_review: 0.15,
            min_conversations: 30,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Config::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        // Weights given in the file override the defaults one by one; unknown codes are errors.
        let mut weights = ScoreConfig::default().weights;
        for (code, w) in std::mem::take(&mut config.score.weights) {
            if !weights.contains_key(&code) {
                return Err(format!(
                    "unknown key score.weights.{code}: expected one of {}",
                    weights.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            weights.insert(code, w);
        }
        config.score.weights = weights;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> std::result::Result<(), String> {
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
            ("recommend.route_to_humans", self.recommend.route_to_humans),
            ("recommend.human_review", self.recommend.human_review),
        ];
        for (key, v) in unit {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{key} = {v}: must be between 0 and 1"));
            }
        }
        for (code, w) in &self.score.weights {
            if !(0.0..=1.0).contains(w) {
                return Err(format!(
                    "score.weights.{code} = {w}: must be between 0 and 1"
                ));
            }
        }
        if !(-1.0..=1.0).contains(&self.detect.sentiment_negative) {
            return Err("detect.sentiment_negative: must be between -1 and 1".into());
        }
        if self.recommend.human_review > self.recommend.route_to_humans {
            return Err("recommend.human_review must not exceed recommend.route_to_humans".into());
        }
        if self.detect.loop_min_repeats == 0 {
            return Err("detect.loop_min_repeats must be at least 1".into());
        }
        self.gate.validate()
    }

    /// A short hash of everything that decides how a conversation is flagged, plus `extra`
    /// (the run's CSAT scale and category field). Stored in summaries so the gate can warn
    /// when a saved baseline was audited with other settings. FNV-1a over the settings'
    /// `Debug` text: stable for a given version of handoff, which is all a warning needs.
    pub fn detection_fingerprint(&self, extra: &str) -> String {
        let text = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{extra}",
            self.detect, self.score, self.phrases, self.taxonomy, self.sentiment
        );
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// Sets `section.key = value` entries in a TOML config file, keeping the rest of the file
/// (comments, order, other keys) as it is, creating the file when missing. The result must
/// still load as a `Config`, so a suggestion can never leave a broken config behind.
pub fn write_values(path: &Path, values: &[(String, f64)]) -> Result<()> {
    let err = |message: String| Error::Config {
        path: path.to_path_buf(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| err(format!("{e}")))?;
    for (dotted, value) in values {
        let (section, key) = dotted
            .split_once('.')
            .ok_or_else(|| err(format!("not a section.key name: {dotted}")))?;
        if doc.get(section).is_none() {
            doc[section] = toml_edit::table();
        }
        let table = doc[section]
            .as_table_mut()
            .ok_or_else(|| err(format!("[{section}] is not a table")))?;
        table[key] = toml_edit::value(*value);
    }
    let out = doc.to_string();
    Config::parse(&out).map_err(|m| err(format!("the updated config would not load: {m}")))?;
    crate::report::output::write_file(path, out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::config::{Metric, Rule};

    #[test]
    fn starter_loads_back_to_the_defaults() {
        let starter = Config::parse(STARTER).expect("the starter file parses");
        let default = Config::default();
        assert_eq!(
            format!("{:?}", starter.detect),
            format!("{:?}", default.detect)
        );
        assert_eq!(
            format!("{:?}", starter.score),
            format!("{:?}", default.score)
        );
        assert_eq!(
            format!("{:?}", starter.recommend),
            format!("{:?}", default.recommend)
        );
        assert_eq!(
            starter.detection_fingerprint(""),
            default.detection_fingerprint("")
        );
        for scope in ["overall", "refunds"] {
            assert_eq!(starter.gate.scope(scope), default.gate.scope(scope));
            for m in Metric::ALL {
                assert_eq!(
                    starter.gate.rule(scope, m),
                    default.gate.rule(scope, m),
                    "{m:?}"
                );
            }
        }
        assert_eq!(starter.gate.confidence, default.gate.confidence);
    }

    #[test]
    fn gate_rules_inherit_and_bad_values_name_the_key() {
        let c = Config::parse(
            "[gate]\nmin_conversations = 50\n[gate.needs_human]\nlimit = 40\n\
             [gate.categories.fraud]\nmin_conversations = 20\n\
             [gate.categories.fraud.needs_human]\nmax_regression = 5\n\
             [gate.categories.card.loop]\nenabled = false\n",
        )
        .expect("valid");
        assert_eq!(
            c.gate.rule("fraud", Metric::NeedsHuman),
            Rule {
                enabled: true,
                limit: Some(40.0),
                max_regression: Some(5.0)
            }
        );
        assert_eq!(
            c.gate.rule("refunds", Metric::NeedsHuman).max_regression,
            Some(3.0)
        );
        assert!(!c.gate.rule("card", Metric::Loop).enabled);
        assert_eq!(c.gate.scope("fraud").min_conversations, 20);
        assert_eq!(c.gate.scope("refunds").min_conversations, 50);

        let err = |text: &str| Config::parse(text).expect_err(text);
        assert!(err("[gate]\nconfidense = 0.9").contains("confidense"));
        assert!(err("[gate.needs_humen]\nlimit = 1").contains("needs_humen"));
        assert!(err("[gate.categories.fraud.loop]\nlimt = 1").contains("limt"));
        assert!(err("[gate]\nconfidence = 1.5").contains("gate.confidence"));
        assert!(err("[gate]\ninsufficient_data = \"maybe\"").contains("maybe"));
        assert!(err("[gate.needs_human]\nlimit = 140").contains("gate.needs_human.limit = 140"));
        assert!(
            err("[gate.categories.\"gift cards\".mean_csat]\nmax_regression = -1")
                .contains("gate.categories.\"gift cards\".mean_csat.max_regression")
        );
        assert!(err("[gate]\nmin_csat_responses = 1").contains("gate.min_csat_responses"));
    }
}

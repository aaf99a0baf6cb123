//! The configuration file (`--config handoff.toml`): each subsystem owns its settings type
//! (detection in `detect::settings`, `[recommend]` in `aggregate`, `[gate]` in `gate`) and
//! `Config` composes them, loads and validates the file. Every field has a documented default (README "Configuration");
//! unknown keys are errors so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::aggregate::RecommendConfig;
use crate::detect::settings::{DetectConfig, DetectionSettings, PhraseConfig, ScoreConfig};
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
        self.detection().validate()?;
        self.recommend.validate()?;
        self.gate.validate()
    }

    /// The settings `Detectors` needs (a copy: built once per run).
    pub fn detection(&self) -> DetectionSettings {
        DetectionSettings {
            detect: self.detect.clone(),
            score: self.score.clone(),
            phrases: self.phrases.clone(),
            taxonomy: self.taxonomy.clone(),
            sentiment: self.sentiment.clone(),
        }
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
    crate::output::write_file(path, out.as_bytes())
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
            starter.detection().fingerprint(""),
            default.detection().fingerprint("")
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

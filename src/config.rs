//! The configuration file (`--config handoff.toml`): each subsystem owns its settings type
//! (detection in `detect::settings`, `[recommend]` in `aggregate`, `[gate]` in `gate`) and
//! `Config` composes them, loads and validates the file. Every field has a documented
//! default (README "Configuration"); unknown keys are errors so a typo never silently does
//! nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::aggregate::RecommendConfig;
use crate::detect::settings::{
    CategorySource, DetectConfig, DetectionSettings, PhraseConfig, ScoreConfig,
};
use crate::error::{Error, Result};
use crate::gate::config::GateConfig;
use crate::output::AtomicFile;

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
    /// `[topics]`: a topics file to categorize with, or the number of topics to discover.
    pub topics: TopicsConfig,
}

/// `[topics]`. `file` (relative to the config file) gives every conversation its nearest
/// topic, as `--topics` does; `k` forces the number of topics discovery learns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicsConfig {
    pub file: Option<std::path::PathBuf>,
    pub k: Option<usize>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut config = Config::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        // Relative to the config, so the pair can be checked in together and used from
        // any working directory.
        if let (Some(file), Some(dir)) = (&config.topics.file, path.parent()) {
            config.topics.file = Some(dir.join(file));
        }
        Ok(config)
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        self.detection().validate()?;
        self.recommend.validate()?;
        if self.topics.k.is_some_and(|k| !(1..=200).contains(&k)) {
            return Err("topics.k must be between 1 and 200".into());
        }
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
            // A `[taxonomy]` is the opt-in to keyword categories; `[topics] file` is loaded
            // by the commands (it is a file of its own, with its own errors).
            categories: match self.taxonomy {
                Some(_) => CategorySource::Taxonomy,
                None => CategorySource::Export,
            },
        }
    }
}

/// Sets `section.key = value` entries in a TOML config file, keeping the rest of the file
/// (comments, order, other keys) as it is, creating the file when missing. The result must
/// still load as a `Config`, so a suggestion can never leave a broken config behind. `out`
/// is the file, opened before the run (see `output`); one written through (a FIFO, a
/// device) has nothing to keep and is not read.
pub fn write_values(out: AtomicFile, values: &[(String, f64)]) -> Result<()> {
    let path = out.path().to_path_buf();
    let err = |message: String| Error::Config {
        path: path.clone(),
        message,
    };
    let existing = if out.is_replaced() {
        std::fs::read_to_string(&path)
    } else {
        Ok(String::new())
    };
    let text = match existing {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| err(format!("{e}")))?;
    for (dotted, value) in values {
        // `section.key`, or nested as `score.verdict.threshold`.
        let (path, key) = dotted
            .rsplit_once('.')
            .ok_or_else(|| err(format!("not a section.key name: {dotted}")))?;
        let mut table = doc.as_table_mut();
        for section in path.split('.') {
            if table.get(section).is_none() {
                table[section] = toml_edit::table();
            }
            table = table[section]
                .as_table_mut()
                .ok_or_else(|| err(format!("[{path}] is not a table")))?;
        }
        // Replacing the whole item would drop the value's decor, which holds the inline
        // comment (`sentiment_drop = 0.5   # fall in ...`): keep it around the new number.
        match table.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
            Some(v) => {
                let decor = v.decor().clone();
                *v = toml_edit::Value::from(*value);
                *v.decor_mut() = decor;
            }
            None => table[key] = toml_edit::value(*value),
        }
    }
    let text = doc.to_string();
    Config::parse(&text).map_err(|m| err(format!("the updated config would not load: {m}")))?;
    crate::output::write_all(out, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::config::{Metric, Rule};
    use crate::model::Reason;

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
        assert_eq!(starter.gate.correction, default.gate.correction);
        assert_eq!(starter.gate.power, default.gate.power);
    }

    /// What `pipeline` appends for a run with the default `--csat-scale` and no
    /// `--category-field`.
    const DEFAULT_RUN: &str = "csat 1-5|category field None";

    #[test]
    fn fingerprints_match_summaries_saved_by_earlier_versions() {
        // Guards compatibility with summaries saved by earlier versions: the gate warns when
        // a saved baseline's `settings.detection_fingerprint` differs from the candidate's,
        // so the same settings must keep hashing to the same value whatever their types
        // become. The values are those handoff 0.1.0 wrote (its sample-data audit, and
        // `--config` with these files).
        // 0.1.0 filled missing categories from the keyword taxonomy, as `--categories
        // taxonomy` does now; the default since issue 11 (the export's categories only)
        // categorizes those conversations differently, so it hashes differently.
        let fingerprint = |text: &str| {
            let mut settings = Config::parse(text).expect("valid").detection();
            settings.categories = CategorySource::Taxonomy;
            settings.fingerprint(DEFAULT_RUN)
        };
        let taxonomy = DetectionSettings {
            categories: CategorySource::Taxonomy,
            ..DetectionSettings::default()
        };
        assert_eq!(taxonomy.fingerprint(DEFAULT_RUN), "58f0700945efd8a5");
        assert_eq!(fingerprint(""), "58f0700945efd8a5");
        assert_eq!(
            fingerprint("[score.weights]\nescalation_request = 0.9\n"),
            "58f0700945efd8a5"
        );
        assert_eq!(
            fingerprint(
                "[score]\nconfirmation_discount = 0.3\n\
                 [score.weights]\nhandoff = 0.25\nfrustration = 0.1\n"
            ),
            "b1880012df9c7768"
        );
        let export = DetectionSettings::default().fingerprint(DEFAULT_RUN);
        assert_ne!(export, "58f0700945efd8a5");
        assert_eq!(
            Config::parse("")
                .expect("valid")
                .detection()
                .fingerprint(DEFAULT_RUN),
            export
        );
        assert_eq!(
            fingerprint(
                "[phrases]\nescalation = [\"human\", \"real person\"]\n\
                 open_statuses = [\"Open\", \"pending \"]\nrefusal_openers = [\"nein\"]\n\
                 bot_failure = [\"leider\"]\n[detect]\nrepeat_similarity = 0.7\n\
                 [taxonomy]\ntravel = [\"flight\"]\n[sentiment]\n\"chargeback\" = -1.0\n"
            ),
            "03213a9b624742c8"
        );
    }

    #[test]
    fn weights_are_checked_by_code_and_range() {
        let err = |text: &str| Config::parse(text).expect_err(text);
        let unknown = err("[score.weights]\nhandoff = 0.5\nnot_a_reason = 0.5\n");
        assert!(unknown.contains("line 3"), "{unknown}");
        assert!(
            unknown.contains("unknown key score.weights.not_a_reason: expected one of abandoned_after_fallback, bot_fallback,"),
            "{unknown}"
        );
        assert_eq!(
            err("[score.weights]\nhandoff = 1.5\nbot_loop = -1\n"),
            "score.weights.bot_loop = -1: must be between 0 and 1"
        );
        let c = Config::parse("[score.weights]\nhandoff = 0.25\n").expect("valid");
        assert_eq!(c.score.weights.get(Reason::Handoff), 0.25);
        assert_eq!(c.score.weights.get(Reason::EscalationRequest), 0.9);
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
        // correction and power: known values only, and only in [gate].
        assert!(err("[gate]\ncorrection = \"bonferroni\"").contains("bonferroni"));
        assert!(err("[gate]\ncorrection = \"Holm\"").contains("Holm"));
        assert!(err("[gate]\npower = 1.2").contains("gate.power = 1.2"));
        assert!(err("[gate]\npower = 0.3").contains("gate.power"));
        assert!(err("[gate.categories.fraud]\ncorrection = \"none\"").contains("correction"));
        assert!(err("[gate.handoff]\nmax_regression = 1").contains("handoff"));
        assert!(err("[gate.abandon_rate]\nlimit = 101").contains("gate.abandon_rate.limit"));
        use crate::gate::config::Correction;
        for (text, want) in [
            ("", Correction::Holm),
            ("[gate]\ncorrection = \"bh\"", Correction::Bh),
            ("[gate]\ncorrection = \"none\"", Correction::None),
        ] {
            let c = Config::parse(text).expect("valid");
            assert_eq!(c.gate.correction, want, "{text}");
        }
        let c =
            Config::parse("[gate]\npower = 0.9\n[gate.handoff_rate]\nlimit = 20\n").expect("valid");
        assert_eq!(c.gate.power, 0.9);
        assert_eq!(c.gate.rule("x", Metric::HandoffRate).limit, Some(20.0));
        assert_eq!(
            c.gate.rule("x", Metric::AbandonRate).max_regression,
            Some(2.0)
        );
    }

    #[test]
    fn numbers_that_are_not_numbers_are_refused_at_load() {
        let err = |text: &str| Config::parse(text).expect_err(text);
        for (text, key) in [
            (
                "[detect]\nrepeat_similarity = nan",
                "detect.repeat_similarity",
            ),
            ("[detect]\nlow_csat = nan", "detect.low_csat"),
            ("[detect]\nlow_csat = 7", "detect.low_csat"),
            (
                "[detect.dissatisfaction]\ncorrection = inf",
                "detect.dissatisfaction.correction",
            ),
            (
                "[detect.dissatisfaction]\nintercept = -nan",
                "detect.dissatisfaction.intercept",
            ),
            ("[score.weights]\nhandoff = nan", "score.weights.handoff"),
            ("[sentiment]\n\"meh\" = nan", "sentiment.\"meh\""),
            ("[sentiment]\n\"awful\" = -9", "sentiment.\"awful\""),
            ("[recommend]\nhuman_review = nan", "recommend.human_review"),
            ("[gate]\nconfidence = nan", "gate.confidence"),
            ("[gate.mean_csat]\nlimit = inf", "gate.mean_csat.limit"),
            (
                "[gate.needs_human]\nmax_regression = nan",
                "gate.needs_human.max_regression",
            ),
        ] {
            let e = err(text);
            assert!(e.contains(key), "{text}: {e}");
        }
        let ok = Config::parse("[detect]\nlow_csat = 2.5\n[sentiment]\n\"meh\" = -1.5\n");
        assert!(ok.is_ok(), "{ok:?}");
    }
}

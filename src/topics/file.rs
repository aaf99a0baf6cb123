//! The topics file: plain TOML a person can review and edit. Rename a topic by editing its
//! `name`; merge two by giving them the same name; delete one to send its conversations to
//! the nearest other topic. Loading is strict: unknown keys, another version or table, a
//! centroid of the wrong length or a weight out of range are errors naming the file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::table::{table, TABLE_ID};
use super::{hashed, VECTOR_DIMS as DIMS};
use super::{Topic, TopicModel};
use crate::error::{Error, Result};

/// 2: centroids of 384 numbers (the table's 128, then 256 hashed-word buckets) and `idf`.
pub const TOPICS_VERSION: u32 = 2;

/// Four decimals: enough for the assignment (cosines differ in the second), short lines.
pub fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    version: u32,
    table: String,
    min_similarity: f32,
    sample: u64,
    other: u64,
    topic: Vec<FileTopic>,
    #[serde(default)]
    weights: BTreeMap<String, f32>,
    /// Inverse document frequency of each hashed-word bucket.
    idf: Vec<f32>,
    /// The first reply's weight against the request; absent in files written before the
    /// reply was read, which then assign as they did (the request only).
    #[serde(default)]
    reply_weight: f32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTopic {
    name: String,
    size: u64,
    share: f64,
    coherence: f64,
    #[serde(default)]
    examples: Vec<String>,
    centroid: Vec<f32>,
}

const HEADER: &str = "\
# handoff topics file (handoff topics --output). Edit freely:
#   rename a topic: change its name (the category its conversations get);
#   merge topics: give them the same name; drop one: delete its [[topic]] block.
# size, share, coherence and examples describe the sample learned from (not read back).
# Conversations less similar than min_similarity to every topic are 'other'.
";

impl TopicModel {
    pub fn to_toml(&self) -> Result<String> {
        let model = FileModel {
            version: TOPICS_VERSION,
            table: TABLE_ID.to_string(),
            min_similarity: self.min_similarity,
            sample: self.sample,
            other: self.other,
            topic: self
                .topics
                .iter()
                .map(|t| FileTopic {
                    name: t.name.clone(),
                    size: t.size,
                    share: f64::from(round(t.share as f32)),
                    coherence: f64::from(round(t.coherence as f32)),
                    examples: t.examples.clone(),
                    centroid: t.centroid.to_vec(),
                })
                .collect(),
            weights: self.weights_by_token(),
            idf: self.idf.clone(),
            reply_weight: self.reply_weight,
        };
        let body = toml::to_string(&model)
            .map_err(|e| Error::Internal(format!("writing the topics file: {e}")))?;
        Ok(format!("{HEADER}{body}"))
    }

    pub fn load(path: &Path) -> Result<TopicModel> {
        let err = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        TopicModel::parse(&text).map_err(err)
    }

    pub fn parse(text: &str) -> std::result::Result<TopicModel, String> {
        let file: FileModel = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.version != TOPICS_VERSION {
            return Err(format!(
                "topics file version {} (this handoff reads version {TOPICS_VERSION})",
                file.version
            ));
        }
        if file.table != TABLE_ID {
            return Err(format!(
                "topics learned with table {:?}; this handoff has {TABLE_ID:?}: learn them again",
                file.table
            ));
        }
        if !(-1.0..=1.0).contains(&file.min_similarity) {
            return Err("min_similarity must be within -1..1".into());
        }
        if !(file.reply_weight.is_finite() && (0.0..=10.0).contains(&file.reply_weight)) {
            return Err("reply_weight must be within 0..10".into());
        }
        if file.topic.is_empty() {
            return Err("no [[topic]]".into());
        }
        let mut topics = Vec::with_capacity(file.topic.len());
        for (i, t) in file.topic.into_iter().enumerate() {
            let at = format!("topic {} ({:?})", i + 1, t.name);
            if t.name.trim().is_empty() {
                return Err(format!("{at}: empty name"));
            }
            let centroid: [f32; DIMS] = t.centroid.try_into().map_err(|c: Vec<f32>| {
                format!("{at}: centroid has {} numbers, expected {DIMS}", c.len())
            })?;
            if centroid.iter().any(|x| !x.is_finite()) || centroid.iter().all(|x| *x == 0.0) {
                return Err(format!("{at}: centroid must be finite and not all zero"));
            }
            topics.push(Topic {
                name: t.name.trim().to_string(),
                size: t.size,
                share: t.share,
                coherence: t.coherence,
                examples: t.examples,
                centroid,
            });
        }
        let t = table();
        let mut weights = HashMap::new();
        for (token, w) in file.weights {
            let id = t
                .id(&token)
                .ok_or_else(|| format!("weights: {token:?} is not a token of the table"))?;
            if !(w.is_finite() && w > 0.0 && w <= 1.0) {
                return Err(format!("weights: {token:?} = {w} (must be within 0..1)"));
            }
            weights.insert(id, w);
        }
        if file.idf.len() != hashed::DIMS || file.idf.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(format!(
                "idf must hold {} positive numbers (it has {})",
                hashed::DIMS,
                file.idf.len()
            ));
        }
        Ok(TopicModel {
            centroids: super::cluster::Centroids::new(
                &topics.iter().map(|t| t.centroid).collect::<Vec<_>>(),
            ),
            topics,
            min_similarity: file.min_similarity,
            sample: file.sample,
            other: file.other,
            weight_of: super::weight_of(&weights),
            weights,
            idf: file.idf,
            reply_weight: file.reply_weight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::LearnOptions;
    use super::*;

    fn model() -> TopicModel {
        let mut reqs = Vec::new();
        for i in 0..20 {
            let parcel = ["parcel late", "parcel delivery"];
            let cancel = ["cancel subscription", "subscription billing"];
            reqs.push(parcel[i % 2].to_string().into());
            reqs.push(cancel[i % 2].to_string().into());
        }
        TopicModel::learn(
            &reqs,
            &LearnOptions {
                max_topics: 5,
                k: Some(2),
                redact: true,
            },
        )
    }

    #[test]
    fn a_saved_model_loads_back_the_same() {
        let m = model();
        let text = m.to_toml().expect("serialises");
        assert!(text.starts_with("# handoff topics file"));
        assert_eq!(TopicModel::parse(&text).expect("parses"), m);
    }

    #[test]
    fn renaming_and_merging_by_editing() {
        let m = model();
        let first = m.topics[0].name.clone();
        let second = m.topics[1].name.clone();
        let text = m
            .to_toml()
            .expect("serialises")
            .replace(&format!("name = \"{first}\""), "name = \"shipping\"")
            .replace(&format!("name = \"{second}\""), "name = \"shipping\"");
        let edited = TopicModel::parse(&text).expect("parses");
        assert_eq!(edited.labels(), vec!["shipping".to_string()]);
        assert_eq!(edited.assign_request("parcel delivery"), Some("shipping"));
    }

    #[test]
    fn a_file_without_reply_weight_assigns_by_the_request_alone() {
        let text = model().to_toml().expect("serialises");
        assert!(text.contains("reply_weight = 0.6"), "{text}");
        let old = TopicModel::parse(&text.replace("reply_weight = 0.6", "")).expect("parses");
        assert_eq!(old.reply_weight, 0.0);
        let bad = text.replace("reply_weight = 0.6", "reply_weight = -1.0");
        assert!(TopicModel::parse(&bad)
            .unwrap_err()
            .contains("reply_weight"));
    }

    #[test]
    fn strict_on_load() {
        let text = model().to_toml().expect("serialises");
        let bad_version = text.replacen("version = 2", "version = 1", 1);
        assert!(TopicModel::parse(&bad_version)
            .unwrap_err()
            .contains("version 1"));
        let unknown = text.replacen("version = 2", "version = 2\ncolour = \"red\"", 1);
        assert!(TopicModel::parse(&unknown).unwrap_err().contains("colour"));
        let short = text.replacen("centroid = [", "centroid = [0.5, ", 1);
        assert!(TopicModel::parse(&short)
            .unwrap_err()
            .contains("expected 384"));
    }
}

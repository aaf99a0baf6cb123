//! Partials: an aggregator's whole state as a versioned, single-line JSON document, so that
//! shards of a manifest audited on many machines merge into the report one `audit` of all
//! the files gives, byte for byte (docs/scale-out.md).
//!
//! Everything kept is exactly mergeable: counters and fixed-point sums add (`frame`,
//! `periods`), the first locations and examples are ordered by (file rank, record position)
//! rather than by arrival, and the repeated answers are summaries merged along a tree fixed
//! by the manifest (`answers`). The category tracker merges exactly while the run has no
//! more distinct categories than it tracks (4 × max_categories); beyond that, as in one
//! run, the rows shown are the largest seen when a fold happened, which can differ.
//!
//! A summary (`--format json`) is not a partial: it has dropped state (the top 5 answers,
//! rounded means).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answers::{AnswerTree, Coverage, Position, StoredNode};
use super::categories::{StoredTracker, Tracker, OTHER_KEY};
use super::frame::{CategoryRow, CategorySums};
use super::periods::{DayCounter, PeriodTest};
use super::{
    first_few_wants, keep_first_few, sort_examples, AggregateOptions, Aggregator, PeriodOptions,
    Ranks, RecommendConfig,
};
use crate::error::{Error, Result};
use crate::ingest::{FileRead, PathSkipKind, SkipKind};
use crate::stats::Adjustment;
use crate::summary::{Example, FileAccount, Summary};
use crate::time::{Granularity, Timestamp};

pub const FORMAT: &str = "handoff-partial";
pub const VERSION: u32 = 1;

/// What must be equal for two partials to merge: the same tool, detection and report
/// options, over the same manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compatibility {
    pub tool: String,
    pub detection_fingerprint: String,
    pub options: ReportOptions,
    pub manifest: ManifestId,
}

/// The manifest a partial's ranks refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestId {
    /// SHA-256 of the manifest text (`rank<TAB>name` lines), hex.
    pub digest: String,
    pub files: u64,
}

/// Every option that changes the report, beside detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    #[serde(with = "exact")]
    pub handle_minutes: f64,
    pub csat_scale: String,
    pub redacted: bool,
    pub config: Option<String>,
    #[serde(with = "exact")]
    pub route_to_humans: f64,
    #[serde(with = "exact")]
    pub human_review: f64,
    pub min_conversations: u64,
    pub max_categories: usize,
    pub filter: Option<String>,
    #[serde(with = "exact")]
    pub confidence: f64,
    pub correction: String,
    pub period_min_conversations: u64,
    pub period_min_csat_responses: u64,
    pub compare_periods: Option<String>,
    pub answers_capacity: usize,
}

impl ReportOptions {
    fn of(o: &AggregateOptions) -> ReportOptions {
        let t = &o.periods.test;
        ReportOptions {
            handle_minutes: o.handle_minutes,
            csat_scale: o.csat_scale.clone(),
            redacted: o.redact,
            config: o.config_path.clone(),
            route_to_humans: o.recommend.route_to_humans,
            human_review: o.recommend.human_review,
            min_conversations: o.recommend.min_conversations,
            max_categories: o.recommend.max_categories,
            filter: o.filter.clone(),
            confidence: t.confidence,
            correction: t.correction.code().to_string(),
            period_min_conversations: t.min_conversations,
            period_min_csat_responses: t.min_csat_responses,
            compare_periods: o.periods.compare.map(|g| g.name().to_string()),
            answers_capacity: o.answers_capacity,
        }
    }

    fn aggregate_options(&self, detection_fingerprint: &str) -> Result<AggregateOptions> {
        let bad = |what: &str, v: &str| Error::Usage(format!("partial: unknown {what} {v:?}"));
        let correction = [
            Adjustment::Holm,
            Adjustment::BenjaminiHochberg,
            Adjustment::None,
        ]
        .into_iter()
        .find(|a| a.code() == self.correction)
        .ok_or_else(|| bad("correction", &self.correction))?;
        let compare = match self.compare_periods.as_deref() {
            None => None,
            Some(name) => Some(
                [Granularity::Week, Granularity::Month]
                    .into_iter()
                    .find(|g| g.name() == name)
                    .ok_or_else(|| bad("period", name))?,
            ),
        };
        Ok(AggregateOptions {
            handle_minutes: self.handle_minutes,
            csat_scale: self.csat_scale.clone(),
            redact: self.redacted,
            config_path: self.config.clone(),
            recommend: RecommendConfig {
                route_to_humans: self.route_to_humans,
                human_review: self.human_review,
                min_conversations: self.min_conversations,
                max_categories: self.max_categories,
            },
            detection_fingerprint: detection_fingerprint.to_string(),
            filter: self.filter.clone(),
            periods: PeriodOptions {
                test: PeriodTest {
                    confidence: self.confidence,
                    correction,
                    min_conversations: self.period_min_conversations,
                    min_csat_responses: self.period_min_csat_responses,
                },
                compare,
            },
            collect_outcomes: false,
            answers_capacity: self.answers_capacity,
        })
    }
}

/// A skip or undated reason: its count and first locations by position.
type FirstFew = (u64, Vec<(Position, String)>);

/// Floats as Rust writes and reads them (shortest text that reads back the same value):
/// serde_json's default parser may miss by one unit in the last place, and its exact mode
/// is a crate feature whose change would rebuild polars.
mod exact {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

mod exact_option {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&v.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// An example with its floats kept exactly (the copies inside `example` are overwritten
/// with these when read).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredExample {
    #[serde(with = "exact")]
    score: f64,
    #[serde(with = "exact_option")]
    csat: Option<f64>,
    at: Position,
    example: Example,
}

impl StoredExample {
    fn store(list: Vec<(f64, Position, Example)>) -> Vec<StoredExample> {
        list.into_iter()
            .map(|(score, at, example)| StoredExample {
                score,
                csat: example.csat,
                at,
                example,
            })
            .collect()
    }

    fn restore(list: Vec<StoredExample>) -> Vec<(f64, Position, Example)> {
        list.into_iter()
            .map(|mut s| {
                s.example.score = s.score;
                s.example.csat = s.csat;
                (s.score, s.at, s.example)
            })
            .collect()
    }
}

/// The mergeable state of an aggregator.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    /// The files read, by rank.
    files: Vec<(u64, FileAccount)>,
    audited: u64,
    filtered_out: u64,
    period: Option<[Timestamp; 2]>,
    rows: Vec<CategoryRow>,
    tracker: StoredTracker,
    answers: BTreeMap<String, Vec<StoredNode>>,
    examples: BTreeMap<String, Vec<StoredExample>>,
    skips: BTreeMap<SkipKind, FirstFew>,
    paths_skipped: BTreeMap<PathSkipKind, (u64, Vec<String>)>,
    undated: BTreeMap<String, FirstFew>,
    days: DayCounter,
}

/// One partial document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    pub format: String,
    pub version: u32,
    pub compatibility: Compatibility,
    /// The manifest ranks covered, as inclusive `[first, last]` ranges.
    pub ranks: Vec<[u64; 2]>,
    state: State,
}

impl Partial {
    /// One line of JSON (and a newline).
    pub fn to_line(&self) -> Result<String> {
        let mut s = serde_json::to_string(self)
            .map_err(|e| Error::Internal(format!("writing a partial: {e}")))?;
        s.push('\n');
        Ok(s)
    }

    /// Reads a partial, checking its format and version; `name` is for messages.
    pub fn parse(name: &str, text: &str) -> Result<Partial> {
        let bad = |message: String| Error::InputFormat {
            path: name.to_string(),
            message,
        };
        let head: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| bad(format!("not a handoff partial (invalid JSON: {e})")))?;
        if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(bad(format!(
                "not a handoff partial (no \"format\":\"{FORMAT}\"; a `--format json` \
                 summary is not a partial: write one with `audit --emit-partial`)"
            )));
        }
        let version = head.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(VERSION)) {
            return Err(bad(format!(
                "partial version {version:?}; this handoff reads version {VERSION}"
            )));
        }
        serde_json::from_value(head).map_err(|e| bad(format!("damaged partial: {e}")))
    }

    fn coverage(&self) -> Coverage {
        let mut c = Coverage::new(self.compatibility.manifest.files);
        for &[a, b] in &self.ranks {
            c.add(a, b + 1);
        }
        c
    }
}

fn ranges_of(c: &Coverage) -> Vec<[u64; 2]> {
    c.ranges.iter().map(|&(a, b)| [a, b - 1]).collect()
}

fn show_ranges(ranges: &[(u64, u64)]) -> String {
    ranges
        .iter()
        .map(|&(a, b)| match b - a {
            1 => a.to_string(),
            _ => format!("{a}-{}", b - 1),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Aggregator {
    /// This run's state as a partial (call after the last chunk).
    pub fn into_partial(
        mut self,
        file_reads: &[FileRead],
        manifest: ManifestId,
    ) -> Result<Partial> {
        self.end_files();
        let files = self
            .files
            .iter()
            .zip(file_reads)
            .enumerate()
            .map(|(i, (path, read))| {
                (
                    self.ranks.first + i as u64,
                    FileAccount {
                        path: path.clone(),
                        format: read.format.map(str::to_string),
                        records: read.records,
                    },
                )
            })
            .collect();
        let compatibility = Compatibility {
            tool: format!("handoff {}", env!("CARGO_PKG_VERSION")),
            detection_fingerprint: self.opts.detection_fingerprint.clone(),
            options: ReportOptions::of(&self.opts),
            manifest,
        };
        let ranks = ranges_of(&self.read);
        let state = State {
            files,
            audited: self.audited,
            filtered_out: self.filtered_out,
            period: self.period,
            rows: self.sums.rows()?,
            tracker: self.tracker.to_stored(),
            answers: self
                .answers
                .iter()
                .map(|(k, t)| (k.clone(), t.to_stored()))
                .collect(),
            examples: std::mem::take(&mut self.examples)
                .into_iter()
                .map(|(k, list)| (k, StoredExample::store(list)))
                .collect(),
            skips: std::mem::take(&mut self.skips),
            paths_skipped: std::mem::take(&mut self.paths_skipped),
            undated: std::mem::take(&mut self.undated),
            days: std::mem::take(&mut self.days),
        };
        Ok(Partial {
            format: FORMAT.to_string(),
            version: VERSION,
            compatibility,
            ranks,
            state,
        })
    }
}

/// Merges partials (each with the name it was read from, for messages) into one, in rank
/// order whatever order they are given in. Refuses partials of other tools, options or
/// manifests, and ranks covered twice (a retried task whose first attempt also finished).
pub fn merge(mut partials: Vec<(String, Partial)>) -> Result<Partial> {
    if partials.is_empty() {
        return Err(Error::Usage("merge needs at least one partial".into()));
    }
    partials.sort_by_key(|(_, p)| p.ranks.first().map(|r| r[0]));
    let (first_name, first) = &partials[0];
    let compat = first.compatibility.clone();
    let mut read = Coverage::new(compat.manifest.files);
    let mut owner: Vec<(u64, u64, String)> = Vec::new();
    for (name, p) in &partials {
        if p.compatibility != compat {
            return Err(Error::Usage(format!(
                "{name} is not compatible with {first_name}: {} differs (every shard must \
                 be audited by the same handoff, with the same options, over the same manifest)",
                difference(&compat, &p.compatibility)
            )));
        }
        for &[a, b] in &p.ranks {
            if b >= compat.manifest.files || a > b {
                return Err(Error::InputFormat {
                    path: name.clone(),
                    message: format!(
                        "ranks {a}-{b} are outside the manifest's {} files",
                        compat.manifest.files
                    ),
                });
            }
            if !read.add(a, b + 1) {
                let (_, _, other) = owner
                    .iter()
                    .find(|(x, y, _)| a < *y && *x <= b)
                    .cloned()
                    .unwrap_or_default();
                let lo = owner
                    .iter()
                    .filter(|(x, y, _)| a < *y && *x <= b)
                    .map(|(x, _, _)| (*x).max(a))
                    .min()
                    .unwrap_or(a);
                return Err(Error::Usage(format!(
                    "duplicate rank {lo}: covered by both {other} and {name} (a retried task? \
                     keep one partial per rank range)"
                )));
            }
            owner.push((a, b + 1, name.clone()));
        }
    }
    let opts = compat
        .options
        .aggregate_options(&compat.detection_fingerprint)?;
    let capacity = opts.answers_capacity;
    let mut tracker = Tracker::new(opts.recommend.max_categories);
    let mut examples: BTreeMap<String, Vec<(f64, Position, Example)>> = BTreeMap::new();
    let mut merged = State {
        files: Vec::new(),
        audited: 0,
        filtered_out: 0,
        period: None,
        rows: Vec::new(),
        tracker: StoredTracker::default(),
        answers: BTreeMap::new(),
        examples: BTreeMap::new(),
        skips: BTreeMap::new(),
        paths_skipped: BTreeMap::new(),
        undated: BTreeMap::new(),
        days: DayCounter::default(),
    };
    let mut sums = CategorySums::default();
    let mut trees: BTreeMap<String, AnswerTree> = BTreeMap::new();
    let mut newly_folded: Vec<String> = Vec::new();
    for (_, p) in partials {
        let s = p.state;
        merged.files.extend(s.files);
        merged.audited += s.audited;
        merged.filtered_out += s.filtered_out;
        merged.period = match (merged.period, s.period) {
            (Some([a, b]), Some([c, d])) => Some([a.min(c), b.max(d)]),
            (x, y) => x.or(y),
        };
        sums.add_rows(&s.rows)?;
        newly_folded.extend(tracker.merge(s.tracker));
        for (category, nodes) in s.answers {
            trees
                .entry(category)
                .or_default()
                .absorb(AnswerTree::from_stored(nodes));
        }
        for (category, list) in s.examples {
            let mine = examples.entry(category).or_default();
            mine.extend(StoredExample::restore(list));
            sort_examples(mine);
        }
        merge_first_few(&mut merged.skips, s.skips);
        merge_first_few(&mut merged.undated, s.undated);
        for (kind, (n, first)) in s.paths_skipped {
            let mine = merged.paths_skipped.entry(kind).or_default();
            mine.0 += n;
            mine.1.extend(first);
            mine.1.truncate(super::SKIP_LOCATIONS);
        }
        merged.days.merge(&s.days);
    }
    if !newly_folded.is_empty() {
        let names: std::collections::HashSet<String> = newly_folded.into_iter().collect();
        sums.fold(&names, OTHER_KEY)?;
        merged.days.fold(&names, OTHER_KEY);
        for name in &names {
            trees.remove(name);
            examples.remove(name);
        }
    }
    for tree in trees.values_mut() {
        tree.collapse(capacity, &read);
    }
    merged.files.sort_by_key(|(rank, _)| *rank);
    merged.examples = examples
        .into_iter()
        .map(|(k, list)| (k, StoredExample::store(list)))
        .collect();
    merged.rows = sums.rows()?;
    merged.tracker = tracker.to_stored();
    merged.answers = trees
        .iter()
        .map(|(k, t)| (k.clone(), t.to_stored()))
        .collect();
    Ok(Partial {
        format: FORMAT.to_string(),
        version: VERSION,
        compatibility: compat,
        ranks: ranges_of(&read),
        state: merged,
    })
}

fn merge_first_few<K: Ord>(mine: &mut BTreeMap<K, FirstFew>, theirs: BTreeMap<K, FirstFew>) {
    for (kind, (n, first)) in theirs {
        let entry = mine.entry(kind).or_default();
        entry.0 += n;
        for (at, text) in first {
            if first_few_wants(&entry.1, at) {
                keep_first_few(&mut entry.1, at, text);
            }
        }
    }
}

/// The first field (dotted path) in which two compatibility blocks differ.
fn difference(a: &Compatibility, b: &Compatibility) -> String {
    fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
        match (a, b) {
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                for (k, v) in x {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match y.get(k) {
                        Some(w) => {
                            if let Some(d) = walk(&p, v, w) {
                                return Some(d);
                            }
                        }
                        None => return Some(p),
                    }
                }
                None
            }
            _ if a != b => Some(format!("{path} ({a} against {b})")),
            _ => None,
        }
    }
    let (Ok(x), Ok(y)) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return "the compatibility block".into();
    };
    walk("", &x, &y).unwrap_or_else(|| "the compatibility block".into())
}

/// The report of a partial that covers every rank of its manifest, through the same
/// finishing code as `audit`.
pub fn finish(p: Partial) -> Result<Summary> {
    let read = p.coverage();
    let files = p.compatibility.manifest.files;
    let mut missing = Coverage::new(files);
    let mut at = 0;
    for &(a, b) in &read.ranges {
        missing.add(at, a);
        at = b;
    }
    missing.add(at, files);
    if !missing.ranges.is_empty() {
        return Err(Error::Usage(format!(
            "missing rank(s) {} of the manifest's {files} files: no partial covers them \
             (a lost task?)",
            show_ranges(&missing.ranges)
        )));
    }
    let c = &p.compatibility;
    let opts = c.options.aggregate_options(&c.detection_fingerprint)?;
    let s = p.state;
    let names: Vec<String> = s.files.iter().map(|(_, f)| f.path.clone()).collect();
    let ranks = Ranks {
        first: 0,
        total: files,
    };
    let max_categories = opts.recommend.max_categories;
    let capacity = opts.answers_capacity;
    let mut agg = Aggregator::for_ranks(opts, names, ranks);
    agg.read = read;
    agg.sums.add_rows(&s.rows)?;
    agg.tracker = Tracker::new(max_categories);
    // Restoring through merge: below the tracking limit nothing folds.
    let folded = agg.tracker.merge(s.tracker);
    debug_assert!(folded.is_empty());
    agg.answers = s
        .answers
        .into_iter()
        .map(|(k, nodes)| {
            let mut t = AnswerTree::from_stored(nodes);
            t.collapse(capacity, &agg.read);
            (k, t)
        })
        .collect();
    agg.examples = s
        .examples
        .into_iter()
        .map(|(k, list)| (k, StoredExample::restore(list)))
        .collect();
    agg.skips = s.skips;
    agg.paths_skipped = s.paths_skipped;
    agg.undated = s.undated;
    agg.audited = s.audited;
    agg.filtered_out = s.filtered_out;
    agg.period = s.period;
    agg.days = s.days;
    agg.finish_with(s.files.into_iter().map(|(_, f)| f).collect())
}

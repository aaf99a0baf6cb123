//! Topics: what customers ask about, learned from the corpus when the export has no
//! categories. A request (the customer's first substantive message, `text.rs`) becomes a
//! vector of two parts: the SIF-weighted mean of its wordpieces' rows in a static table
//! distilled from all-MiniLM-L6-v2 (`table.rs`: what words mean), and hashed TF-IDF of its
//! words and @handles (`hashed.rs`: the corpus's own vocabulary), each normalised, the
//! table 0.4 of the squared length. Spherical k-means (`cluster.rs`) with k chosen by
//! separation groups the requests; labels are each topic's most distinctive words
//! (`labels.rs`). A learned model is a plain TOML file (`file.rs`) that later runs assign
//! conversations with: nearest centroid, or `other` below the model's similarity floor.
//!
//! Measured (docs/topics.md): the table alone gave clinc150 intent NMI 0.59, twitter-care
//! brand NMI 0.25 and sample-data purity 0.50; with the hashed part (handles weighing 4,
//! long numbers and e-mails left out) twitter-care 0.76 and sample-data 0.62, clinc150 0.63
//! at 40 topics; with the bot's first reply added (`text::request_and_reply`) sample-data
//! 0.85, clinc150 0.60, twitter-care unchanged (its replies are agents').

mod cluster;
mod embed;
mod file;
mod hashed;
mod labels;
mod simd;
mod table;
mod text;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::model::Conversation;
use crate::redact::Redactor;
use cluster::{dot, Vector};
use embed::{both, embed, Both, Weights};
pub use file::TOPICS_VERSION;
use table::{table, DIMS};
pub use text::{fold, request, request_and_reply, Request};

/// A request's vector: the table's 128 dimensions, then the hashed words'.
pub const VECTOR_DIMS: usize = DIMS + hashed::DIMS;
/// The table part's share of a vector's squared length (the hashed part has the rest):
/// 0.25 and 0.5 measured worse on clinc150 or twitter-care (docs/topics.md).
const TABLE_SHARE: f32 = 0.4;
/// The bot's first reply's words weigh this much against the request's: sample-data purity
/// 0.82 at 0.4, 0.85 at 0.6-0.65, 0.74 at 0.8, where the reply's words drown the request's
/// (docs/topics.md).
const REPLY_WEIGHT: f32 = 0.6;

/// The conversation category for requests near no topic, and topics too small to name.
pub const OTHER: &str = "other";

/// SIF's smoothing: a token seen with probability p weighs a / (a + p) (Arora et al. 2017).
const SIF_A: f64 = 1e-3;
/// Tokens rarer than this weigh more than 0.9: the file keeps only the frequent ones and
/// gives every other token weight 1.
const STORED_WEIGHT_BELOW: f64 = 0.9;
const SEED: u64 = 0x746f_7069_6373; // "topics"
const ITERATIONS: usize = 25;
/// Candidate topic counts: readable bounds (issue 11: roughly 5-40).
const CANDIDATE_K: &[usize] = &[5, 8, 10, 12, 15, 20, 25, 30, 35, 40];
pub const MAX_TOPICS: usize = 40;
/// Choosing k runs k-means once per candidate; on at most this many requests.
/// 4,000 is a hundred requests a topic at 40; 6,000 cost half as much again (docs/topics.md).
const CHOOSE_ON: usize = 4000;
/// A topic with fewer requests than this share of the sample (and at least 3) is folded
/// into `other`.
const MIN_TOPIC_SHARE: f64 = 0.004;
/// The similarity floor is this quantile of the sample's similarities to their own topic:
/// requests less like any topic than nearly all learned ones are `other`.
const FLOOR_QUANTILE: f64 = 0.02;

#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// The label, and the category conversations of the topic get; two topics with the
    /// same name are one category (how a person merges topics).
    pub name: String,
    pub size: u64,
    pub share: f64,
    /// Mean similarity of the topic's requests to its centroid (0..1).
    pub coherence: f64,
    /// Requests nearest the centroid, redacted.
    pub examples: Vec<String>,
    pub centroid: Vector,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicModel {
    pub topics: Vec<Topic>,
    /// Below this similarity to every topic a conversation is `other`.
    pub min_similarity: f32,
    /// Requests learned from, and those of them folded into `other`.
    pub sample: u64,
    pub other: u64,
    /// SIF weights of frequent tokens (others weigh 1), by table token id.
    weights: HashMap<u32, f32>,
    /// The same for every token id, indexed: looked up for every wordpiece assigned.
    weight_of: Vec<f32>,
    /// Inverse document frequency of each hashed bucket in the sample.
    idf: Vec<f32>,
    /// How much the first reply's words weigh against the request's (0: the request only,
    /// as files written before the reply was read).
    reply_weight: f32,
    /// The topics' centroids, as they are and by dimension, for assigning.
    centroids: cluster::Centroids,
}

pub struct LearnOptions {
    /// Upper bound on the topics (before tiny ones are folded).
    pub max_topics: usize,
    /// Exactly this many clusters.
    pub k: Option<usize>,
    /// Mask personal data in the example requests.
    pub redact: bool,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            max_topics: MAX_TOPICS,
            k: None,
            redact: true,
        }
    }
}

/// Indexed SIF weights: every table token, 1 but for the frequent ones.
fn weight_of(weights: &HashMap<u32, f32>) -> Vec<f32> {
    let mut out = vec![1.0; table().len()];
    for (&id, &w) in weights {
        if let Some(slot) = out.get_mut(id as usize) {
            *slot = w;
        }
    }
    out
}

impl TopicModel {
    /// Learns topics from requests (folded, as [`request`] gives them). Deterministic:
    /// the same requests in the same order give the same model, on any rayon pool (call
    /// it inside `pool.install` to bound the threads).
    pub fn learn(requests: &[Request], opts: &LearnOptions) -> TopicModel {
        let reply_weight = REPLY_WEIGHT;
        let tokenised: Vec<Both> = requests.par_iter().map(|r| both(r, reply_weight)).collect();
        // A document is a conversation's request and reply together: words every answer
        // repeats (a template's greeting, a sign-off) weigh little.
        let features: Vec<Vec<(u16, i8)>> = tokenised
            .iter()
            .map(|b| {
                let mut f = b.request.features.clone();
                f.extend_from_slice(&b.reply.features);
                f
            })
            .collect();
        let idf: Vec<f32> = hashed::idf(&features)
            .into_iter()
            .map(file::round)
            .collect();
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for b in &tokenised {
            for p in b.request.pieces.iter().chain(&b.reply.pieces) {
                *counts.entry(*p).or_default() += 1;
            }
        }
        let total = counts.values().sum::<u64>().max(1) as f64;
        let weights: HashMap<u32, f32> = counts
            .iter()
            .map(|(&id, &c)| (id, SIF_A / (SIF_A + c as f64 / total)))
            .filter(|(_, w)| *w < STORED_WEIGHT_BELOW)
            // Rounded as the file stores them, so a saved model assigns as the learned one.
            .map(|(id, w)| (id, file::round(w as f32)))
            .collect();
        let weight_of = weight_of(&weights);
        // Every vector written once, in place: an unindexed parallel collect (filter_map)
        // gathers pieces and copies them, and unzipping copied them again (20,000 vectors
        // of 1.5 KB: `handoff topics` on 20,000 conversations peaked at 201 MB, now 129 MB;
        // the points are the same).
        let model = Weights {
            weight_of: &weight_of,
            idf: &idf,
            reply_weight,
        };
        let (mut points, embedded): (Vec<Vector>, Vec<bool>) = tokenised
            .par_iter()
            .map(|b| match embed(b, &model) {
                Some(v) => (v, true),
                None => ([0f32; VECTOR_DIMS], false),
            })
            .unzip();
        let of_point: Vec<usize> = (0..embedded.len()).filter(|&i| embedded[i]).collect();
        let mut keep = embedded.iter().copied();
        points.retain(|_| keep.next().unwrap_or(false));
        let k = match opts.k {
            Some(k) => k.max(1),
            None => choose_k(&points, opts.max_topics),
        };
        let mut clustering = cluster::kmeans(&points, k, SEED, ITERATIONS);
        for c in clustering.centroids.iter_mut() {
            for x in c.iter_mut() {
                *x = file::round(*x);
            }
        }
        let n = points.len();
        let k = clustering.centroids.len();
        let mut size = vec![0usize; k];
        for &a in &clustering.assignment {
            size[a] += 1;
        }
        let min_size = ((n as f64 * MIN_TOPIC_SHARE).ceil() as usize).max(3);
        let kept: Vec<usize> = (0..k)
            .filter(|&j| size[j] >= min_size || opts.k.is_some())
            .collect();
        let words: Vec<Vec<&str>> = of_point
            .iter()
            .map(|&i| text::words(&requests[i].text))
            .collect();
        // Labels are computed over the kept topics plus one bucket for the folded requests,
        // so words of tiny topics do not read as distinctive of nothing.
        let mut relabel = vec![kept.len(); k];
        for (new, &old) in kept.iter().enumerate() {
            relabel[old] = new;
        }
        let topic_of: Vec<usize> = clustering.assignment.iter().map(|&a| relabel[a]).collect();
        let label_words = labels::label_words(&words, &topic_of, kept.len() + 1, 3);
        let redactor = Redactor::new();
        let mut sims: Vec<f32> = Vec::new();
        let mut topics = Vec::new();
        for (new, &old) in kept.iter().enumerate() {
            let centroid = clustering.centroids[old];
            let mut members: Vec<(f32, usize)> = (0..n)
                .filter(|&i| topic_of[i] == new)
                .map(|i| (dot(&points[i], &centroid), i))
                .collect();
            sims.extend(members.iter().map(|m| m.0));
            let coherence =
                members.iter().map(|m| f64::from(m.0)).sum::<f64>() / members.len().max(1) as f64;
            members.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut examples: Vec<String> = Vec::new();
            for &(_, i) in &members {
                let request = &requests[of_point[i]].text;
                let shown = match opts.redact {
                    true => redactor.redact(request).trim().to_string(),
                    false => request.trim().to_string(),
                };
                if !examples.contains(&shown) {
                    examples.push(crate::numfmt::cut(&shown, 120));
                }
                if examples.len() == 3 {
                    break;
                }
            }
            let name = match label_words[new].len() {
                0 => format!("topic {}", new + 1),
                _ => label_words[new].join(" · "),
            };
            topics.push(Topic {
                name,
                size: members.len() as u64,
                share: f64::from(file::round((members.len() as f64 / n.max(1) as f64) as f32)),
                coherence: f64::from(file::round(coherence as f32)),
                examples,
                centroid,
            });
        }
        // Largest first: the order a person reads them in; ties by name for determinism.
        topics.sort_by(|a, b| b.size.cmp(&a.size).then(a.name.cmp(&b.name)));
        unique_names(&mut topics);
        sims.sort_by(f32::total_cmp);
        let floor = sims
            .get((sims.len() as f64 * FLOOR_QUANTILE) as usize)
            .copied()
            .unwrap_or(0.0);
        let assigned: u64 = topics.iter().map(|t| t.size).sum();
        TopicModel {
            // Rounded down as the file stores it: rounding up could put the request the
            // floor was taken from below it.
            min_similarity: (floor * 10_000.0).floor() / 10_000.0,
            sample: requests.len() as u64,
            other: requests.len() as u64 - assigned,
            weights,
            centroids: cluster::Centroids::new(
                &topics.iter().map(|t| t.centroid).collect::<Vec<_>>(),
            ),
            topics,
            weight_of,
            idf,
            reply_weight,
        }
    }

    /// The topic of a request (folded) without a reply, or `None` (`other`).
    pub fn assign_request(&self, folded: &str) -> Option<&str> {
        self.assign(&Request::from(folded.to_string()))
    }

    /// The topic of a request and its reply, or `None` (`other`).
    pub fn assign(&self, r: &Request) -> Option<&str> {
        // The reply is folded and cut to its first words already; both are idempotent.
        self.assign_filled(|text| {
            text.push_str(&r.text);
            Some(&r.reply)
        })
    }

    /// The topic of the request `fill` writes and the reply it returns, or `None`.
    fn assign_filled<'a>(&self, fill: impl FnOnce(&mut String) -> Option<&'a str>) -> Option<&str> {
        let (j, s) = embed::nearest_with(fill, &self.embedding(), &self.centroids)?;
        (s >= self.min_similarity).then(|| self.topics[j].name.as_str())
    }

    fn embedding(&self) -> Weights<'_> {
        Weights {
            weight_of: &self.weight_of,
            idf: &self.idf,
            reply_weight: self.reply_weight,
        }
    }

    /// The conversation's category under this model: its topic's name or [`OTHER`].
    pub fn categorize(&self, conv: &Conversation) -> String {
        self.assign_filled(|text| text::request_and_reply_into(conv, text))
            .unwrap_or(OTHER)
            .to_string()
    }

    /// Distinct topic names, in file order (merged topics once).
    pub fn labels(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for t in &self.topics {
            if !seen.contains(&t.name) {
                seen.push(t.name.clone());
            }
        }
        seen
    }

    fn weights_by_token(&self) -> BTreeMap<String, f32> {
        let t = table();
        self.weights
            .iter()
            .map(|(&id, &w)| (t.token(id).to_string(), w))
            .collect()
    }
}

/// A bounded, deterministic sample of a stream (reservoir sampling, Algorithm R, fixed
/// seed): learning never holds the corpus, and the same stream gives the same sample.
pub struct Reservoir<T> {
    capacity: usize,
    seen: u64,
    items: Vec<T>,
    rng: cluster::Rng,
}

/// The sample `audit` and `topics` learn from: enough for 40 topics of a few hundred
/// requests each (clinc150 and twitter-care learn from 7,500 and 1,025). 50,000 cost 2.5
/// times the learning for no measured gain (docs/topics.md, Cost).
pub const SAMPLE_SIZE: usize = 20_000;

impl<T> Reservoir<T> {
    pub fn new(capacity: usize) -> Reservoir<T> {
        Reservoir {
            capacity: capacity.max(1),
            seen: 0,
            items: Vec::new(),
            rng: cluster::Rng::new(SEED),
        }
    }

    pub fn offer(&mut self, item: T) {
        self.offer_with(|| item);
    }

    /// Offers the item `make` gives, made only when it is taken: most items of a long
    /// stream are not.
    pub fn offer_with(&mut self, make: impl FnOnce() -> T) {
        self.seen += 1;
        if self.items.len() < self.capacity {
            self.items.push(make());
            return;
        }
        let j = self.rng.next_u64() % self.seen;
        if let Some(slot) = self.items.get_mut(j as usize) {
            *slot = make();
        }
    }

    /// Requests offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    pub fn into_sample(self) -> Vec<T> {
        self.items
    }
}

/// Two topics that came out with the same label get " (2)", " (3)": a repeated name is how
/// a person merges topics, so learning must not do it by accident.
fn unique_names(topics: &mut [Topic]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in topics.iter_mut() {
        let n = seen.entry(t.name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            t.name = format!("{} ({n})", t.name);
        }
    }
}

/// The candidate k with the best-separated clusters on (a prefix of) the sample; a tie
/// goes to the larger k (finer topics read better than mixed ones).
fn choose_k(points: &[Vector], max_topics: usize) -> usize {
    let sub = &points[..points.len().min(CHOOSE_ON)];
    let mut best = (f64::NEG_INFINITY, CANDIDATE_K[0].min(max_topics.max(1)));
    // The candidates are clustered side by side (each clustering's sums and seeding are
    // serial, so one at a time left a core idle) and compared in order afterwards: the
    // same choice as one after the other.
    let tried: Vec<(f64, usize)> = CANDIDATE_K
        .par_iter()
        .filter(|&&k| k <= max_topics && k * 3 <= sub.len())
        .map(|&k| {
            let c = cluster::kmeans(sub, k, SEED, ITERATIONS);
            (cluster::separation(sub, &c.centroids), k)
        })
        .collect();
    for (s, k) in tried {
        if s >= best.0 {
            best = (s, k);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Request> {
        // Short, content-heavy requests: a static table has no context to tell "where is
        // my card" from "where is my refund" apart by anything but the nouns.
        let themes = [
            [
                "card not arrived",
                "new card delivery",
                "card never came",
                "debit card in the mail",
                "card delivery late",
            ],
            [
                "forgot password",
                "password reset",
                "password not accepted",
                "reset login password",
                "password link broken",
            ],
            [
                "refund my order",
                "refund returned item",
                "refund status",
                "refund money",
                "refund taking long",
            ],
        ];
        let mut out = Vec::new();
        for round in 0..6 {
            for theme in &themes {
                out.push(theme[round % 5].to_string());
                out.push(theme[(round + 2) % 5].to_string());
            }
        }
        out.iter().map(|s| Request::from(fold(s))).collect()
    }

    #[test]
    fn learning_twice_gives_the_same_model() {
        let opts = LearnOptions {
            max_topics: 10,
            k: None,
            redact: true,
        };
        let a = TopicModel::learn(&corpus(), &opts);
        let b = TopicModel::learn(&corpus(), &opts);
        assert_eq!(a, b);
    }

    #[test]
    fn three_themes_get_three_labelled_topics() {
        let opts = LearnOptions {
            max_topics: 10,
            k: Some(3),
            redact: true,
        };
        let m = TopicModel::learn(&corpus(), &opts);
        assert_eq!(m.topics.len(), 3);
        let names = m.labels().join(" | ");
        assert!(names.contains("card"), "{names}");
        assert!(names.contains("password"), "{names}");
        assert!(names.contains("refund"), "{names}");
        for t in &m.topics {
            let key = ["card", "password", "refund"]
                .into_iter()
                .find(|k| t.name.contains(k))
                .expect("a theme word in the label");
            // SIF weighs a theme's repeated noun low in a corpus this small, so a request
            // can follow its rarer words ("password not accepted"); most stay home.
            assert!((10..=14).contains(&t.size), "{} {}", t.name, t.size);
            assert_eq!(t.examples.len(), 3);
            assert!(
                t.examples.iter().any(|e| e.contains(key)),
                "{:?}",
                t.examples
            );
        }
        // Assigning the learned requests again reproduces the learned topics, but for the
        // least typical few below the similarity floor.
        let mut counts: HashMap<String, u64> = HashMap::new();
        for r in corpus() {
            let name = m.assign(&r).unwrap_or(OTHER);
            *counts.entry(name.to_string()).or_default() += 1;
        }
        for t in &m.topics {
            let n = counts.get(&t.name).copied().unwrap_or(0);
            assert!(n <= t.size && n + 2 >= t.size, "{} {n}", t.name);
        }
    }

    #[test]
    fn a_request_near_no_topic_is_other() {
        let opts = LearnOptions {
            max_topics: 10,
            k: Some(3),
            redact: true,
        };
        let m = TopicModel::learn(&corpus(), &opts);
        assert_eq!(m.assign_request("zebra giraffe volcano"), None);
        assert_eq!(m.assign_request(""), None);
    }
}

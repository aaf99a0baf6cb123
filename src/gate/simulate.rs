//! The gate's false-failure and detection rates, by simulation (issue 13). Library code
//! without I/O: `examples/gate_sim.rs` feeds it assessed conversations and prints the
//! figures (docs/ci.md quotes them), and a fast version runs in `cargo test`.
//!
//! A pair is two samples of per-conversation outcomes (an [`Outcome`] is what the gate's
//! metrics count of one conversation); each side's counts become a [`Summary`] and go
//! through [`evaluate`] exactly as `handoff gate` would judge two audits of those
//! conversations. A no-change pair splits a shuffled pool (one generated export) into two
//! halves: the same bot, two samples. A planted regression changes the candidate half: a
//! third of one category's conversations made to loop ([`Plant::Loops`]), or one category
//! cut to a fixed size on both sides with its needs-human rate raised by a fixed number of
//! points ([`Plant::NeedsHuman`]).
//!
//! Working on outcomes rather than transcripts makes a pair cost microseconds instead of
//! two audits, so hundreds of pairs run in seconds; the detectors themselves are not
//! resampled (their outcomes on the pool are taken as given), and a planted loop sets the
//! loop and needs-human flags as the detectors would for a looping conversation.

use std::collections::BTreeMap;

use super::config::{Correction, GateConfig};
use super::{evaluate, GateSide};
use crate::detect::Assessment;
use crate::model::Reason;
use crate::stats::{min_detectable_rise, wilson};
use crate::summary::{
    CategoryStats, InputAccounting, ReasonCount, Recommendation, Settings, Summary, OVERALL,
};

/// What the gate's metrics count of one conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub category: String,
    pub needs_human: bool,
    pub unresolved: bool,
    pub escalation_request: bool,
    pub is_loop: bool,
    pub satisfaction_drop: bool,
    pub handoff: bool,
    pub abandoned: bool,
    pub csat: Option<f64>,
}

impl Outcome {
    pub fn of(a: &Assessment) -> Outcome {
        Outcome {
            category: a.category.clone(),
            needs_human: a.needs_human,
            unresolved: a.unresolved,
            escalation_request: a.escalation_request,
            is_loop: a.is_loop,
            satisfaction_drop: a.satisfaction_drop,
            handoff: a.has(Reason::Handoff),
            abandoned: a.has(Reason::AbandonedAfterFallback),
            csat: a.csat.filter(|v| v.is_finite()),
        }
    }
}

/// Reproducible shuffles (re-exported for the example).
pub use crate::rng::Rng;

/// What a pair's candidate has that its baseline has not.
#[derive(Debug, Clone, PartialEq)]
pub enum Plant {
    /// Nothing: a release that changed nothing.
    None,
    /// `share` of `category`'s candidate conversations made to loop.
    Loops { category: String, share: f64 },
    /// `category` cut to `size` conversations on each side, and the candidate's needs-human
    /// count raised by `rise` × `size` conversations (flipped from not needing a human).
    NeedsHuman {
        category: String,
        size: usize,
        rise: f64,
    },
}

/// One pair: shuffles `pool`, splits it into halves, and plants `plant` in the candidate.
pub fn pair(pool: &[Outcome], plant: &Plant, rng: &mut Rng) -> (Vec<Outcome>, Vec<Outcome>) {
    let mut all: Vec<&Outcome> = pool.iter().collect();
    rng.shuffle(&mut all);
    let half = all.len() / 2;
    let mut baseline: Vec<Outcome> = all[..half].iter().map(|o| (*o).clone()).collect();
    let mut candidate: Vec<Outcome> = all[half..2 * half].iter().map(|o| (*o).clone()).collect();
    match plant {
        Plant::None => {}
        Plant::Loops { category, share } => {
            let mut idx: Vec<usize> = (0..candidate.len())
                .filter(|&i| candidate[i].category == *category)
                .collect();
            rng.shuffle(&mut idx);
            let k = (idx.len() as f64 * share).round() as usize;
            for &i in idx.iter().take(k) {
                candidate[i].is_loop = true;
                candidate[i].needs_human = true;
            }
        }
        Plant::NeedsHuman {
            category,
            size,
            rise,
        } => {
            for side in [&mut baseline, &mut candidate] {
                let mut seen = 0;
                side.retain(|o| {
                    let keep = o.category != *category || seen < *size;
                    seen += usize::from(o.category == *category);
                    keep
                });
            }
            let mut idx: Vec<usize> = (0..candidate.len())
                .filter(|&i| candidate[i].category == *category && !candidate[i].needs_human)
                .collect();
            rng.shuffle(&mut idx);
            let k = (*size as f64 * rise).round() as usize;
            for &i in idx.iter().take(k) {
                candidate[i].needs_human = true;
            }
        }
    }
    (baseline, candidate)
}

/// The summary an audit of `outcomes` would save, as far as the gate reads it.
pub fn summary_of(outcomes: &[Outcome]) -> Summary {
    let mut by_category: BTreeMap<&str, CategoryStats> = BTreeMap::new();
    let mut overall = empty_stats(OVERALL);
    for o in outcomes {
        let c = by_category
            .entry(o.category.as_str())
            .or_insert_with(|| empty_stats(&o.category));
        count(c, o);
        count(&mut overall, o);
    }
    let n = outcomes.len() as u64;
    Summary {
        schema_version: crate::summary::SCHEMA_VERSION,
        tool: format!("handoff {} simulation", env!("CARGO_PKG_VERSION")),
        settings: Settings {
            handle_minutes: 8.0,
            csat_scale: "1-5".into(),
            redacted: true,
            config: None,
            route_to_humans: 0.35,
            human_review: 0.15,
            min_conversations: 30,
            detection_fingerprint: "simulation".into(),
        },
        input: InputAccounting {
            records_read: n,
            audited: n,
            ..Default::default()
        },
        period: None,
        overall,
        categories: by_category.into_values().collect(),
        folded_categories: None,
        weekly: None,
        trends: None,
        category_source: None,
    }
}

fn empty_stats(name: &str) -> CategoryStats {
    CategoryStats {
        category: name.to_string(),
        conversations: 0,
        needs_human: 0,
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
        csat_answered: 0,
        csat_sum: 0.0,
        csat_sum_squares: 0.0,
        unresolved: 0,
        escalation_request: 0,
        loops: 0,
        satisfaction_drop: 0,
        confirmed: 0,
        agent_hours: 0.0,
        recommendation: Recommendation::InsufficientData,
        reasons: Vec::new(),
        repeated_answers: Vec::new(),
        repeated_answers_error: 0,
        examples: Vec::new(),
    }
}

fn count(c: &mut CategoryStats, o: &Outcome) {
    c.conversations += 1;
    c.needs_human += u64::from(o.needs_human);
    c.unresolved += u64::from(o.unresolved);
    c.escalation_request += u64::from(o.escalation_request);
    c.loops += u64::from(o.is_loop);
    c.satisfaction_drop += u64::from(o.satisfaction_drop);
    if let Some(v) = o.csat {
        c.csat_answered += 1;
        c.csat_sum += v;
        c.csat_sum_squares += v * v;
    }
    for (flag, reason) in [
        (o.handoff, Reason::Handoff),
        (o.abandoned, Reason::AbandonedAfterFallback),
    ] {
        if !flag {
            continue;
        }
        match c.reasons.iter_mut().find(|r| r.reason == reason.code()) {
            Some(r) => r.conversations += 1,
            None => c.reasons.push(ReasonCount {
                reason: reason.code().to_string(),
                kind: reason.kind(),
                conversations: 1,
                rate: 0.0,
            }),
        }
    }
}

/// Pairs whose gate failed, of pairs run, for one correction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub failed: u64,
    pub pairs: u64,
}

impl Tally {
    pub fn rate(&self) -> f64 {
        crate::stats::rate(self.failed, self.pairs)
    }

    /// 95% Wilson interval of the rate.
    pub fn interval(&self) -> [f64; 2] {
        wilson(self.failed, self.pairs)
    }
}

/// Runs `pairs` pairs of `plant` from `pool` and counts, per correction, the pairs whose gate
/// failed. With a plant, a failure counts only when a check of the planted category failed
/// (a detection); a failure elsewhere alone is not one.
pub fn run(
    pool: &[Outcome],
    plant: &Plant,
    pairs: usize,
    cfg: &GateConfig,
    corrections: &[Correction],
    seed: u64,
) -> Vec<(Correction, Tally)> {
    let mut rng = Rng::new(seed);
    let mut tallies: Vec<(Correction, Tally)> =
        corrections.iter().map(|c| (*c, Tally::default())).collect();
    for _ in 0..pairs {
        let (b, c) = pair(pool, plant, &mut rng);
        let (b, c) = (summary_of(&b), summary_of(&c));
        let side = |s| GateSide {
            summary: s,
            source: "simulation".into(),
            saved_summary: true,
        };
        for (correction, tally) in tallies.iter_mut() {
            let cfg = GateConfig {
                correction: *correction,
                ..cfg.clone()
            };
            let report = evaluate(&side(&b), &side(&c), &cfg, None);
            let caught = match plant {
                Plant::None => !report.passed,
                Plant::Loops { category, .. } | Plant::NeedsHuman { category, .. } => report
                    .checks
                    .iter()
                    .any(|k| !k.passed && k.scope == *category),
            };
            tally.pairs += 1;
            tally.failed += u64::from(caught);
        }
    }
    tallies
}

/// The smallest rise of a rate from `base` that one check of a family of `family` (Holm or
/// BH: the level a lone regression must reach; 1 for no correction) detects with `power`,
/// with `n` conversations per side: the sizing table of docs/ci.md.
pub fn detectable_rise(
    base: f64,
    n: u64,
    family: usize,
    confidence: f64,
    power: f64,
) -> Option<f64> {
    let alpha = (1.0 - confidence) / 2.0 / family.max(1) as f64;
    min_detectable_rise(base, n, n, alpha, power)
}

/// The conversations per side at which a rise of `rise` from `base` is detected with
/// `power` (doubling, then bisecting on whole conversations); `None` beyond ten million.
pub fn conversations_for(
    base: f64,
    rise: f64,
    family: usize,
    confidence: f64,
    power: f64,
) -> Option<u64> {
    let enough =
        |n: u64| detectable_rise(base, n, family, confidence, power).is_some_and(|d| d <= rise);
    let mut hi = 2u64;
    while !enough(hi) {
        hi *= 2;
        if hi > 10_000_000 {
            return None;
        }
    }
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if enough(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(category: &str, needs_human: bool) -> Outcome {
        Outcome {
            category: category.into(),
            needs_human,
            unresolved: needs_human,
            escalation_request: false,
            is_loop: false,
            satisfaction_drop: false,
            handoff: needs_human,
            abandoned: false,
            csat: Some(4.0),
        }
    }

    fn pool() -> Vec<Outcome> {
        (0..4000)
            .map(|i| outcome(["a", "b"][i % 2], i % 10 < 2))
            .collect()
    }

    #[test]
    fn summaries_count_what_the_gate_reads() {
        let s = summary_of(&[outcome("a", true), outcome("a", false), outcome("b", true)]);
        assert_eq!(s.overall.conversations, 3);
        assert_eq!(s.overall.needs_human, 2);
        assert_eq!(s.categories.len(), 2);
        assert_eq!(s.categories[0].unresolved, 1);
        assert_eq!(s.overall.csat_answered, 3);
        let handoffs = s.overall.reasons.iter().find(|r| r.reason == "handoff");
        assert_eq!(handoffs.map(|r| r.conversations), Some(2));
    }

    #[test]
    fn plants_change_only_the_candidate_and_the_named_category() {
        let mut rng = Rng::new(1);
        let loops = Plant::Loops {
            category: "a".into(),
            share: 1.0 / 3.0,
        };
        let (b, c) = pair(&pool(), &loops, &mut rng);
        assert_eq!((b.len(), c.len()), (2000, 2000));
        assert!(b.iter().all(|o| !o.is_loop));
        let looped = c.iter().filter(|o| o.is_loop).count();
        let in_a = c.iter().filter(|o| o.category == "a").count();
        assert_eq!(looped, (in_a as f64 / 3.0).round() as usize);
        assert!(c
            .iter()
            .filter(|o| o.is_loop)
            .all(|o| o.category == "a" && o.needs_human));

        let rise = Plant::NeedsHuman {
            category: "b".into(),
            size: 500,
            rise: 0.05,
        };
        // Nobody in b needs a human before the plant: the candidate then has exactly 25.
        let calm: Vec<Outcome> = (0..4000)
            .map(|i| outcome(["a", "b"][i % 2], i % 2 == 0 && i % 10 < 2))
            .collect();
        let (b, c) = pair(&calm, &rise, &mut rng);
        let needs = |side: &[Outcome]| {
            side.iter()
                .filter(|o| o.category == "b" && o.needs_human)
                .count()
        };
        for side in [&b, &c] {
            assert_eq!(side.iter().filter(|o| o.category == "b").count(), 500);
        }
        assert_eq!((needs(&b), needs(&c)), (0, 25));
        assert_eq!(
            b.iter().filter(|o| o.category == "a").count()
                + c.iter().filter(|o| o.category == "a").count(),
            2000
        );
    }

    #[test]
    fn no_change_pairs_rarely_fail_and_a_large_plant_is_caught() {
        let cfg = GateConfig::default();
        let all = [Correction::Holm, Correction::None];
        let none = run(&pool(), &Plant::None, 20, &cfg, &all, 7);
        assert!(none.iter().all(|(_, t)| t.pairs == 20));
        // A pool with no variation at all apart from the split: Holm fails at most one pair
        // in twenty by chance.
        assert!(none[0].1.failed <= 1, "{none:?}");
        let loops = Plant::Loops {
            category: "a".into(),
            share: 1.0 / 3.0,
        };
        let caught = run(&pool(), &loops, 10, &cfg, &all, 7);
        assert!(caught.iter().all(|(_, t)| t.failed == 10), "{caught:?}");
    }

    #[test]
    fn sizing_shrinks_with_sample_size_and_grows_with_the_family() {
        let small = detectable_rise(0.2, 500, 1, 0.95, 0.8).expect("sized");
        let large = detectable_rise(0.2, 4000, 1, 0.95, 0.8).expect("sized");
        let family = detectable_rise(0.2, 500, 64, 0.95, 0.8).expect("sized");
        assert!(large < small && small < family, "{large} {small} {family}");
        let n = conversations_for(0.2, 0.05, 64, 0.95, 0.9).expect("reachable");
        assert!(detectable_rise(0.2, n, 64, 0.95, 0.9).is_some_and(|d| d <= 0.05));
        assert!(detectable_rise(0.2, n - 1, 64, 0.95, 0.9).is_some_and(|d| d > 0.05));
    }
}

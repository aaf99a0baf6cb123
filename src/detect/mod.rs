//! Detect: pure functions from one conversation to findings with evidence.
//! One file per detector; `Detectors::assess` runs them all and derives the verdict.
//! Nothing here prints or touches global state, so chunks can be assessed in parallel.

pub(crate) mod category;
pub(crate) mod dissatisfaction;
mod fxhash;
pub(crate) mod lexicon;
mod memo;
pub(crate) mod negation;
pub(crate) mod phrases;
pub(crate) mod repetition;
mod routing;
pub(crate) mod score;
pub(crate) mod sentiment;
pub mod settings;
pub(crate) mod text;
pub(crate) mod unresolved;
pub mod verdict;

mod satisfaction;

pub use crate::model::CsatScale;
use crate::model::{Conversation, Finding, Label, Reason, Role};
pub use dissatisfaction::SIGNALS as DISSATISFACTION_SIGNALS;
pub use settings::{CategorySource, DetectConfig, DetectionSettings, PhraseConfig, ScoreConfig};
pub use text::normalize;

use category::Taxonomy;
use dissatisfaction::DissatisfactionModel;
use phrases::{PhraseList, PhraseLists};
use sentiment::SentimentModel;

/// Everything a detector needs, built once per run and shared read-only across threads.
/// Not to be changed after [`Detectors::new`]: the per-thread message memo (`memo.rs`) keys
/// what it keeps by the instance, not by its contents.
pub struct Detectors {
    pub config: DetectionSettings,
    pub csat_scale: CsatScale,
    pub phrases: PhraseLists,
    pub sentiment: SentimentModel,
    pub taxonomy: Taxonomy,
    pub dissatisfaction: DissatisfactionModel,
    /// Tells this configuration's entries in the per-thread message memo (`memo.rs`) from
    /// another's: unique in the process.
    memo_key: u64,
}

/// Raw values behind the threshold-based flags, kept so `calibrate` can try other
/// thresholds without re-reading the input.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Sentiment of the customer's first message and of the lowest later one.
    pub sentiment_first_and_lowest: Option<(f64, f64)>,
    /// Highest similarity of a customer message to an earlier one.
    pub customer_similarity: f64,
    /// Highest similarity of a long bot message to an earlier one.
    pub bot_similarity: f64,
    /// The needs-human score without the survey (`low_csat`) reason.
    pub score_without_csat: f64,
    /// The needs-human verdict from the transcript alone, ignoring the survey.
    pub needs_human_without_csat: bool,
    /// Which dissatisfaction signals fired in some customer turn (bit k: `SIGNALS[k]`).
    pub dissatisfaction_signals: u16,
    /// The needs-human probability's inputs (`verdict::FEATURES`), for refitting it.
    pub verdict_features: verdict::Features,
    /// Whether hard evidence (`verdict::is_hard`) was found.
    pub hard_evidence: bool,
    /// The needs-human probability from the transcript alone, ignoring the survey.
    pub probability_without_csat: f64,
}

/// The verdict on one conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub category: String,
    pub findings: Vec<Finding>,
    pub unresolved: bool,
    pub escalation_request: bool,
    pub is_loop: bool,
    pub satisfaction_drop: bool,
    pub confirmed: bool,
    pub needs_human: bool,
    /// The needs-human probability (`verdict.rs`): calibrated on labelled dialogues.
    pub probability: f64,
    /// The noisy-OR score of the explicit reasons (`score.rs`), kept for ordering examples
    /// and for comparison with earlier versions.
    pub score: f64,
    /// Inferred dissatisfaction, 0..1 (see `dissatisfaction.rs`).
    pub dissatisfaction: f64,
    /// The customer message that contributed most to it: the score's evidence.
    pub dissatisfaction_turn: Option<usize>,
    pub signals: Signals,
    /// CSAT as given (on the run's scale).
    pub csat: Option<f64>,
    /// The team's own outcome (`calibrate --label-field`), as ingest read it.
    pub label: Option<Label>,
    /// Distinct bot answers of this conversation, long enough to be worth counting across
    /// the corpus: (answer key — a hash of the normalised text with digits folded — and
    /// the index of the message that first gave it).
    pub bot_answers: Vec<(u64, usize)>,
}

impl Assessment {
    pub fn has(&self, reason: Reason) -> bool {
        self.findings.iter().any(|f| f.reason == reason)
    }
}

/// Normalised text of each message, computed once and shared by every detector.
pub struct Prepared<'c> {
    pub conv: &'c Conversation,
    pub normalized: Vec<String>,
    /// Compound sentiment (-1..1) of each customer message; 0 for other roles.
    pub sentiment: Vec<f32>,
    /// Per message, the phrase lists it matched (`PhraseList::bit`s).
    pub hits: Vec<u32>,
    /// Frustration markers of each customer message (empty for other roles).
    pub markers: Vec<Vec<&'static str>>,
    /// Per message, its words as a sorted hashed set, and how many words it has.
    pub tokens: Vec<Vec<u64>>,
    pub words: Vec<usize>,
    /// Per bot message, `text::answer_hash` of its normalised text (0 for other roles).
    pub answers: Vec<u64>,
    /// Per customer message, whether it asks for a person (see `memo::Facts`); false for
    /// other roles and without phrase lists.
    pub asks_person: Vec<bool>,
}

/// Per-thread spare buffers for `Prepared`: every message needs a normalised string and a
/// token set, and reusing them instead of allocating afresh saves two allocations per
/// message (about 3% of an audit). Bounded — at most 1,024 buffers of 4 KB each per kind and
/// thread — so one huge message cannot pin memory.
#[derive(Default)]
struct Spare {
    strings: Vec<String>,
    tokens: Vec<Vec<u64>>,
    /// One message's word hashes in order, while its set is made.
    sequence: Vec<u64>,
    memo: memo::Memo,
}

const SPARE_BUFFERS: usize = 1024;
const SPARE_MAX_BYTES: usize = 4096;

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = std::cell::RefCell::default();
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        let strings = std::mem::take(&mut self.normalized);
        let tokens = std::mem::take(&mut self.tokens);
        // `try_with`: a thread being torn down simply frees the buffers.
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            for s in strings {
                if spare.strings.len() < SPARE_BUFFERS && s.capacity() <= SPARE_MAX_BYTES {
                    spare.strings.push(s);
                }
            }
            for t in tokens {
                if spare.tokens.len() < SPARE_BUFFERS && t.capacity() * 8 <= SPARE_MAX_BYTES {
                    spare.tokens.push(t);
                }
            }
        });
    }
}

impl<'c> Prepared<'c> {
    /// Without sentiment (every score 0) or phrase hits: enough for detectors that only
    /// read words.
    pub fn new(conv: &'c Conversation) -> Prepared<'c> {
        Prepared::build(conv, None)
    }

    /// Normalised text and word sets, in one pass over each message's text
    /// (`text::normalize_words_into`), and with `detectors` the phrase hits and customer
    /// sentiment, through the thread's [`memo::Memo`].
    fn build(conv: &'c Conversation, detectors: Option<&Detectors>) -> Prepared<'c> {
        let n = conv.messages.len();
        let (mut normalized, mut tokens, mut words) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut hits, mut answers, mut sentiment) = (vec![0; n], vec![0; n], vec![0.0; n]);
        let mut markers = vec![Vec::new(); n];
        let mut asks_person = vec![false; n];
        let mut fill = |spare: &mut Spare| {
            let mut seq = std::mem::take(&mut spare.sequence);
            for (i, m) in conv.messages.iter().enumerate() {
                let mut s = spare.strings.pop().unwrap_or_default();
                let mut t = spare.tokens.pop().unwrap_or_default();
                let facts = match detectors {
                    Some(d) => spare.memo.prepare(m, d, &mut s, &mut t, &mut seq),
                    None => memo::prepare(m, None, &mut s, &mut t, &mut seq),
                };
                words.push(facts.words);
                hits[i] = facts.hits;
                answers[i] = facts.answer;
                sentiment[i] = facts.sentiment;
                markers[i] = facts.markers;
                asks_person[i] = facts.asks_person;
                normalized.push(s);
                tokens.push(t);
            }
            if seq.capacity() * 8 <= SPARE_MAX_BYTES {
                spare.sequence = seq;
            }
        };
        if SPARE
            .try_with(|spare| fill(&mut spare.borrow_mut()))
            .is_err()
        {
            fill(&mut Spare::default());
        }
        Prepared {
            conv,
            normalized,
            sentiment,
            hits,
            markers,
            tokens,
            words,
            answers,
            asks_person,
        }
    }

    /// Whether message `i` matched the phrase list (one matched anywhere in a message).
    pub fn has(&self, i: usize, list: PhraseList) -> bool {
        debug_assert!(
            list.info().matching == phrases::Matching::Anywhere,
            "{list:?}"
        );
        self.hits.get(i).is_some_and(|h| h & list.bit() != 0)
    }

    /// Normalised text, customer sentiment and phrase hits: everything detectors share.
    pub fn analyse(conv: &'c Conversation, d: &Detectors) -> Prepared<'c> {
        Prepared::build(conv, Some(d))
    }

    /// Indices of messages by this role, in order.
    pub fn indices(&self, role: Role) -> impl Iterator<Item = usize> + '_ {
        self.conv
            .messages
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.role == role)
            .map(|(i, _)| i)
    }

    /// The first bot or agent message after the customer's opening message: customer words
    /// after it react to the bot, words before it describe the problem.
    pub fn first_reply(&self) -> Option<usize> {
        let msgs = &self.conv.messages;
        let opening = msgs.iter().position(|m| m.role == Role::Customer)?;
        (opening + 1..msgs.len()).find(|&i| matches!(msgs[i].role, Role::Bot | Role::Agent))
    }

    /// The last message that is not a system event.
    pub fn last_spoken(&self) -> Option<usize> {
        self.conv
            .messages
            .iter()
            .rposition(|m| m.role != Role::System)
    }
}

/// Starts at 1: an unused memo's owner is 0, so its first use fills it (`memo::Memo`).
static NEXT_MEMO_KEY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Detectors {
    pub fn new(config: DetectionSettings, csat_scale: CsatScale) -> Detectors {
        let extra: Vec<(String, f32)> = config
            .sentiment
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        let phrases = PhraseLists::new(&config.phrases);
        Detectors {
            dissatisfaction: DissatisfactionModel::new(&config.detect.dissatisfaction, &phrases),
            phrases,
            sentiment: SentimentModel::with_extra(&extra),
            taxonomy: Taxonomy::new(config.taxonomy.as_ref()),
            csat_scale,
            config,
            memo_key: NEXT_MEMO_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Runs every detector on one conversation.
    /// The inferred-dissatisfaction signals of each customer turn, in the order of
    /// [`DISSATISFACTION_SIGNALS`], with the turn's message index: what the score is
    /// made of, for evaluating or refitting its weights on labelled turns.
    pub fn dissatisfaction_turns(
        &self,
        conv: &Conversation,
    ) -> Vec<(usize, [f64; DISSATISFACTION_SIGNALS.len()])> {
        let prep = Prepared::analyse(conv, self);
        self.dissatisfaction
            .turns(&prep)
            .into_iter()
            .map(|t| (t.index, t.signals))
            .collect()
    }

    pub fn assess(&self, conv: &Conversation) -> Assessment {
        let prep = Prepared::analyse(conv, self);
        let mut findings = Vec::new();

        let outcome = unresolved::detect(self, &prep, &mut findings);
        let repetition = repetition::detect(&self.config.detect, &prep, &mut findings);
        let satisfaction = satisfaction::detect(self, &prep, &mut findings);
        let inferred = self.dissatisfaction.assess(&prep);

        // A restated request or a fallback the customer got past is not a failure when the
        // customer confirms at the end; the hard signals (asked for a human, an agent took
        // over, the platform says open, ended on a complaint) stand regardless.
        let unresolved = findings.iter().any(|f| match f.reason {
            Reason::EscalationRequest
            | Reason::Handoff
            | Reason::ExplicitStatus
            | Reason::Unanswered
            | Reason::NegativeClose
            | Reason::AbandonedAfterFallback => true,
            Reason::BotFallback | Reason::CustomerRepeat => !outcome.confirmed,
            _ => false,
        });
        let is_loop = repetition.repeats >= self.config.detect.loop_min_repeats;
        let from_transcript = unresolved
            || repetition.repeats > 0
            || findings.iter().any(|f| f.reason == Reason::SentimentDrop)
            || (findings.iter().any(|f| f.reason == Reason::Frustration) && !outcome.confirmed);
        let explicit = from_transcript || satisfaction.dropped;
        let v = &self.config.score.verdict;
        let reasons: Vec<Reason> = findings.iter().map(|f| f.reason).collect();
        let features = verdict::features(
            &reasons,
            inferred.score,
            outcome.confirmed,
            prep.indices(Role::Customer).count(),
        );
        let hard_evidence = reasons.iter().any(|r| verdict::is_hard(*r));
        let probability = v.probability(&features, hard_evidence);
        let probability_without_csat = v.probability(
            &features,
            reasons
                .iter()
                .any(|r| verdict::is_hard(*r) && *r != Reason::LowCsat),
        );
        // Flagged through the probability alone: the reason cites the turn that read most
        // dissatisfied, so every flag still has evidence.
        let inferred_flag = match inferred.worst_turn {
            Some((turn, p_turn)) if !explicit && probability >= v.threshold => {
                findings.push(Finding {
                    reason: Reason::InferredDissatisfaction,
                    detail: format!(
                        "no explicit failure, but customer message {} reads as dissatisfied \
                         (turn {p_turn:.2}, needs-human probability {probability:.2})",
                        turn + 1
                    ),
                    messages: vec![turn],
                });
                true
            }
            _ => false,
        };
        if let Some(f) =
            routing::routed_by_design(&findings, v.model_probability(&features) < v.threshold)
        {
            findings.push(f);
        }
        let needs_human = explicit || inferred_flag;
        let score_of = |skip_csat: bool| {
            score::needs_human_score(
                &self.config.score.weights,
                findings
                    .iter()
                    .map(|f| f.reason)
                    .filter(|r| !(skip_csat && *r == Reason::LowCsat)),
                outcome.confirmed,
                self.config.score.confirmation_discount,
            )
        };
        let score = score_of(false);
        let signals = Signals {
            sentiment_first_and_lowest: satisfaction.first_and_lowest,
            customer_similarity: outcome.max_similarity,
            bot_similarity: repetition.max_similarity,
            score_without_csat: if conv.csat.is_some() {
                score_of(true)
            } else {
                score
            },
            needs_human_without_csat: from_transcript || probability_without_csat >= v.threshold,
            dissatisfaction_signals: inferred.seen,
            verdict_features: features,
            hard_evidence,
            probability_without_csat,
        };
        findings.sort_by_key(|f| (f.reason, f.messages.first().copied()));
        for f in &mut findings {
            cap_cited(f);
        }

        Assessment {
            category: match &self.config.categories {
                CategorySource::Topics(model) => category::not_overall(model.categorize(conv)),
                CategorySource::Taxonomy => self.taxonomy.categorize(&prep),
                CategorySource::Export => category::from_export(conv),
            },
            escalation_request: findings
                .iter()
                .any(|f| f.reason == Reason::EscalationRequest),
            findings,
            unresolved,
            is_loop,
            satisfaction_drop: satisfaction.dropped,
            confirmed: outcome.confirmed,
            needs_human,
            probability,
            score,
            dissatisfaction: inferred.score,
            dissatisfaction_turn: inferred.worst_turn.map(|(i, _)| i),
            signals,
            csat: conv.csat,
            label: conv.label.clone(),
            bot_answers: repetition.answers,
        }
    }
}

/// Messages a finding cites: as many as an example in the report shows. A bot looping
/// through 20,000 messages cited every one of them in each report format.
pub const MAX_CITED: usize = 30;

/// Keeps the first [`MAX_CITED`] messages of a finding and says how many more there were.
fn cap_cited(f: &mut Finding) {
    let more = f.messages.len().saturating_sub(MAX_CITED);
    if more > 0 {
        f.messages.truncate(MAX_CITED);
        f.detail.push_str(&format!(
            " (first {MAX_CITED} messages cited, and {more} more)"
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Message;

    pub fn conv(messages: &[(Role, &str)]) -> Conversation {
        Conversation {
            id: "test".into(),
            messages: messages
                .iter()
                .map(|(role, text)| Message {
                    role: *role,
                    text: text.to_string(),
                    ts: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    pub fn assess(c: &Conversation) -> Assessment {
        Detectors::new(DetectionSettings::default(), CsatScale::default()).assess(c)
    }

    #[test]
    fn csat_scale_parses_and_maps_onto_five_points() {
        let s = CsatScale::parse("0-10").expect("valid scale");
        assert_eq!(s.to_five(0.0), 1.0);
        assert_eq!(s.to_five(10.0), 5.0);
        assert_eq!(CsatScale::parse("1..7").map(|s| s.max), Some(7.0));
        assert!(CsatScale::parse("5-1").is_none());
        assert!(CsatScale::parse("high").is_none());
    }

    #[test]
    fn healthy_conversation_needs_no_human() {
        let a = assess(&conv(&[
            (Role::Bot, "Hi! How can I help today?"),
            (Role::Customer, "my parcel is late, a bit annoying"),
            (
                Role::Bot,
                "Your parcel is with the courier and arrives tomorrow.",
            ),
            (Role::Customer, "great, thanks!"),
        ]));
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        assert!(!a.needs_human);
        assert!(a.confirmed);
        assert_eq!(a.score, 0.0);
    }
}

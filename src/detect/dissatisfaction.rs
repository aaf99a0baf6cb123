//! Inferred dissatisfaction: how likely it is that the customer was unhappy with the bot at
//! some point, without a survey. Each customer turn gets a logistic score from signals that
//! generalise across bots — a correction ("No, I said the 3rd"), a declined offer, a change
//! request, doubt ("are you sure?", "I already told you"), negative emotion ("that's
//! disappointing"), a negation, the bot's previous message being a failure or a
//! confirmation request, a restatement of an earlier turn, the turn's sentiment — and the
//! conversation's score is the chance that at least one turn was a dissatisfied one:
//! `1 - prod(1 - p_turn)`.
//!
//! The weights (`[detect.dissatisfaction]`) are logistic-regression coefficients fitted on
//! the per-turn annotations of both USS sets; each set's reported accuracy comes from the
//! same fit made on the other set only (docs/accuracy.md, refit with `docs/accuracy.py`).
//! A weight of 1.77 multiplies the odds of a dissatisfied turn by e^1.77 ≈ 6.

use serde::Deserialize;

use super::phrases::{PhraseList, PhraseLists};
use super::text::{jaccard, Earlier};
use super::Prepared;
use crate::model::Role;

/// Names of the per-turn signals, in the order of `Turn::signals` and
/// `DissatisfactionConfig::weights`; each is also the config key of its weight.
pub const SIGNALS: [&str; 13] = [
    "correction",
    "decline",
    "closing",
    "change_request",
    "doubt",
    "negative_emotion",
    "negation",
    "after_bot_failure",
    "after_confirmation_request",
    "restatement",
    "negative_sentiment",
    "positive_sentiment",
    "opening",
];

/// Logistic weights of the per-turn signals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DissatisfactionConfig {
    pub intercept: f64,
    /// The turn opens with "no", "wrong", "actually", "I said"... and is not a closing.
    pub correction: f64,
    /// The turn opens with "no" but closes or defers ("No thanks, that's all", "not now").
    pub decline: f64,
    pub closing: f64,
    pub change_request: f64,
    pub doubt: f64,
    pub negative_emotion: f64,
    pub negation: f64,
    pub after_bot_failure: f64,
    pub after_confirmation_request: f64,
    /// Multiplies the highest word-set similarity to an earlier customer turn (0..1).
    pub restatement: f64,
    /// Multiplies min(sentiment, 0) (sentiment in -1..1).
    pub negative_sentiment: f64,
    /// Multiplies max(sentiment, 0).
    pub positive_sentiment: f64,
    pub opening: f64,
}

impl Default for DissatisfactionConfig {
    fn default() -> Self {
        DissatisfactionConfig {
            intercept: -5.79,
            correction: 1.77,
            decline: 0.43,
            closing: 0.10,
            change_request: 0.72,
            doubt: 0.95,
            negative_emotion: 0.84,
            negation: 0.80,
            after_bot_failure: 0.95,
            after_confirmation_request: 0.37,
            restatement: 0.25,
            negative_sentiment: -0.79,
            positive_sentiment: -0.57,
            opening: -0.39,
        }
    }
}

impl DissatisfactionConfig {
    /// The weights in the order of `SIGNALS`.
    pub fn weights(&self) -> [f64; SIGNALS.len()] {
        [
            self.correction,
            self.decline,
            self.closing,
            self.change_request,
            self.doubt,
            self.negative_emotion,
            self.negation,
            self.after_bot_failure,
            self.after_confirmation_request,
            self.restatement,
            self.negative_sentiment,
            self.positive_sentiment,
            self.opening,
        ]
    }
}

pub struct DissatisfactionModel {
    intercept: f64,
    weights: [f64; SIGNALS.len()],
    /// `PhraseList::RefusalOpeners` and `CorrectionOpeners` as the run's config gives them;
    /// the other lists it reads are phrase hits of `Prepared`.
    refusal_openers: Vec<String>,
    correction_openers: Vec<String>,
}

/// One customer turn's signals (order of `SIGNALS`).
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// Index of the customer message.
    pub index: usize,
    pub signals: [f64; SIGNALS.len()],
}

/// The conversation's score and the customer turn that contributed most.
pub struct Dissatisfaction {
    pub score: f64,
    pub worst_turn: Option<(usize, f64)>,
    /// Bit k set when signal `SIGNALS[k]` was non-zero in some customer turn.
    pub seen: u16,
}

fn starts_with_phrase(normalized: &str, phrases: &[String]) -> bool {
    let first = normalized.as_bytes().first();
    // The first-byte check skips a string comparison for almost every phrase: this runs
    // on every customer message.
    phrases.iter().any(|p| {
        p.as_bytes().first() == first
            && normalized.starts_with(p.as_str())
            && (normalized.len() == p.len() || normalized.as_bytes()[p.len()] == b' ')
    })
}

impl DissatisfactionModel {
    pub fn new(config: &DissatisfactionConfig, phrases: &PhraseLists) -> DissatisfactionModel {
        DissatisfactionModel {
            intercept: config.intercept,
            weights: config.weights(),
            refusal_openers: phrases.entries(PhraseList::RefusalOpeners).to_vec(),
            correction_openers: phrases.entries(PhraseList::CorrectionOpeners).to_vec(),
        }
    }

    /// The signals of every customer turn, for the accuracy harness to refit the weights
    /// (docs/accuracy.md). Needs a `Prepared::analyse`d conversation.
    pub fn turns(&self, prep: &Prepared) -> Vec<Turn> {
        let mut turns = Vec::new();
        self.for_each_turn(prep, |t| turns.push(t));
        turns
    }

    /// Calls `f` with each customer turn's signals, in order (no allocation per turn).
    fn for_each_turn(&self, prep: &Prepared, mut f: impl FnMut(Turn)) {
        let msgs = &prep.conv.messages;
        let mut previous_bot: Option<usize> = None;
        let mut earlier: Vec<&[u64]> = Vec::new();
        // The restatement signal looks back a bounded window (plus any identical turn, the
        // maximum anyway): comparing every earlier turn was quadratic in a long conversation.
        let mut window = Earlier::default();
        for (i, m) in msgs.iter().enumerate() {
            match m.role {
                Role::Bot | Role::Agent => previous_bot = Some(i),
                Role::System => {}
                Role::Customer => {
                    let n = prep.normalized[i].as_str();
                    let tokens = prep.tokens[i].as_slice();
                    let restated = window
                        .candidates(earlier.len(), tokens, |j| earlier[j])
                        .map(|k| jaccard(earlier[k], tokens))
                        .fold(0.0, f64::max);
                    let closing = prep.has(i, PhraseList::Closing);
                    let opens_with_no = starts_with_phrase(n, &self.refusal_openers);
                    let prev = |set| previous_bot.is_some_and(|b| prep.has(b, set));
                    let sentiment = prep.sentiment[i] as f64;
                    let flag = |b: bool| if b { 1.0 } else { 0.0 };
                    let signals = [
                        flag(
                            (opens_with_no || starts_with_phrase(n, &self.correction_openers))
                                && !closing,
                        ),
                        flag(opens_with_no && closing),
                        flag(closing),
                        flag(prep.has(i, PhraseList::ChangeRequest)),
                        flag(prep.has(i, PhraseList::Doubt)),
                        flag(prep.has(i, PhraseList::NegativeEmotion)),
                        flag(prep.has(i, PhraseList::Negation) && !closing),
                        flag(prev(PhraseList::BotFailure)),
                        flag(prev(PhraseList::ConfirmationRequest)),
                        restated,
                        sentiment.min(0.0),
                        sentiment.max(0.0),
                        flag(earlier.is_empty()),
                    ];
                    f(Turn { index: i, signals });
                    earlier.push(tokens);
                }
            }
        }
    }

    /// Probability that this turn was a dissatisfied one.
    pub fn turn_probability(&self, turn: &Turn) -> f64 {
        let logit = self.intercept
            + turn
                .signals
                .iter()
                .zip(&self.weights)
                .map(|(s, w)| s * w)
                .sum::<f64>();
        crate::stats::sigmoid(logit)
    }

    /// Needs a `Prepared::analyse`d conversation (sentiment and phrase hits filled in).
    pub fn assess(&self, prep: &Prepared) -> Dissatisfaction {
        let mut keep = 1.0;
        let mut worst: Option<(usize, f64)> = None;
        let mut seen = 0u16;
        self.for_each_turn(prep, |turn| {
            for (k, s) in turn.signals.iter().enumerate() {
                if *s != 0.0 {
                    seen |= 1 << k;
                }
            }
            let p = self.turn_probability(&turn);
            keep *= 1.0 - p;
            if worst.is_none_or(|(_, q)| p > q) {
                worst = Some((turn.index, p));
            }
        });
        Dissatisfaction {
            score: ((1.0 - keep) * 1e4).round() / 1e4,
            worst_turn: worst,
            seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DissatisfactionConfig, SIGNALS};
    use crate::detect::phrases::PhraseList;
    use crate::detect::tests::{assess, conv};
    use crate::model::Role::{self, Bot, Customer};

    fn score(messages: &[(Role, &str)]) -> f64 {
        assess(&conv(messages)).dissatisfaction
    }

    #[test]
    fn a_correction_after_a_confirmation_raises_the_score() {
        let smooth = score(&[
            (Customer, "Book a table for 2 at Green Papaya on the 3rd"),
            (
                Bot,
                "Please confirm: a table for 2 at Green Papaya on March 3rd.",
            ),
            (Customer, "Yes, that's right."),
        ]);
        let corrected = score(&[
            (Customer, "Book a table for 2 at Green Papaya on the 3rd"),
            (
                Bot,
                "Please confirm: a table for 2 at Allegro Romano on March 3rd.",
            ),
            (Customer, "No, I said Green Papaya, not Allegro Romano."),
        ]);
        assert!(corrected > 3.0 * smooth, "{corrected} vs {smooth}");
    }

    #[test]
    fn a_closing_no_thanks_is_not_a_correction() {
        let closing = score(&[
            (Customer, "What's the weather in Paris?"),
            (Bot, "Sunny, 20 degrees. Anything else?"),
            (Customer, "No thanks, that's all."),
        ]);
        let correction = score(&[
            (Customer, "What's the weather in Paris?"),
            (Bot, "Sunny, 20 degrees in Paris, Texas."),
            (Customer, "No, Paris in France."),
        ]);
        assert!(correction > closing, "{correction} vs {closing}");
    }

    #[test]
    fn doubt_and_negative_emotion_after_a_failure_raise_the_score() {
        let calm = score(&[
            (Customer, "Any trains to Ely on Tuesday?"),
            (Bot, "Sorry, there are no trains to Ely on Tuesday."),
            (Customer, "What about Wednesday morning?"),
        ]);
        let doubting = score(&[
            (Customer, "Any trains to Ely on Tuesday?"),
            (Bot, "Sorry, there are no trains to Ely on Tuesday."),
            (Customer, "Are you sure? Please check again."),
        ]);
        let upset = score(&[
            (Customer, "Any trains to Ely on Tuesday?"),
            (Bot, "Sorry, there are no trains to Ely on Tuesday."),
            (
                Customer,
                "That's disappointing. What about Wednesday morning?",
            ),
        ]);
        assert!(doubting > 1.5 * calm, "{doubting} vs {calm}");
        assert!(upset > 1.5 * calm, "{upset} vs {calm}");
    }

    #[test]
    fn a_declined_offer_counts_less_than_a_correction() {
        let declined = score(&[
            (Customer, "Find me a dentist in Alameda"),
            (Bot, "Dr. Lee is in Alameda. Shall I book a visit?"),
            (Customer, "No, not right now."),
        ]);
        let corrected = score(&[
            (Customer, "Find me a dentist in Alameda"),
            (Bot, "Dr. Lee is in Oakland. Shall I book a visit?"),
            (Customer, "No, I need one in Alameda."),
        ]);
        let accepted = score(&[
            (Customer, "Find me a dentist in Alameda"),
            (Bot, "Dr. Lee is in Alameda. Shall I book a visit?"),
            (Customer, "Yes please, tomorrow at 10."),
        ]);
        assert!(corrected > declined, "{corrected} vs {declined}");
        assert!(declined > accepted, "{declined} vs {accepted}");
    }

    #[test]
    fn every_signal_name_is_the_config_key_of_its_weight() {
        // Distinct values per key: a misordered `weights()` or a renamed field fails here.
        let toml: String = SIGNALS
            .iter()
            .enumerate()
            .map(|(k, name)| format!("{name} = {}.5\n", k + 1))
            .collect();
        let config: DissatisfactionConfig = toml::from_str(&toml).expect("every key known");
        let expected: Vec<f64> = (0..SIGNALS.len()).map(|k| k as f64 + 1.5).collect();
        assert_eq!(config.weights().to_vec(), expected);
    }

    #[test]
    fn phrase_lists_from_the_config_replace_the_built_in_ones() {
        let german = conv(&[
            (Customer, "Gibt es Züge nach Ely am Dienstag?"),
            (Bot, "Leider gibt es keine Züge am Dienstag."),
            (Customer, "Nein, bist du sicher?"),
        ]);
        let mut config = crate::detect::settings::DetectionSettings::default();
        config
            .phrases
            .set(PhraseList::RefusalOpeners, vec!["nein".into()]);
        config
            .phrases
            .set(PhraseList::Doubt, vec!["bist du sicher".into()]);
        config
            .phrases
            .set(PhraseList::BotFailure, vec!["leider".into()]);
        let custom = crate::detect::Detectors::new(config, Default::default());
        let built_in = assess(&german).dissatisfaction;
        let localised = custom.assess(&german).dissatisfaction;
        assert!(localised > 10.0 * built_in, "{localised} vs {built_in}");
    }
}

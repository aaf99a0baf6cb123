//! Inferred dissatisfaction: how likely it is that the customer was unhappy with the bot at
//! some point, without a survey. Each customer turn gets a logistic score from signals that
//! generalise across bots — a correction ("No, I said the 3rd"), a change request, a
//! negation, the bot's previous message being a failure or a confirmation request, a
//! restatement of an earlier turn, the turn's sentiment — and the conversation's score is
//! the chance that at least one turn was a dissatisfied one: `1 - prod(1 - p_turn)`.
//!
//! The weights (`[detect.dissatisfaction]`) were fitted on uss-sgd's per-turn annotations
//! and are reported on uss-mwoz (docs/accuracy.md); they are logistic-regression
//! coefficients, so a weight of 1.6 multiplies the odds of a dissatisfied turn by e^1.6 ≈ 5.

use serde::Deserialize;

use super::text::{jaccard, PhraseSet};
use super::{phrase, Prepared};
use crate::model::Role;

/// Logistic weights of the per-turn signals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DissatisfactionConfig {
    pub intercept: f64,
    pub correction: f64,
    pub closing: f64,
    pub change_request: f64,
    pub negation: f64,
    pub after_bot_failure: f64,
    pub after_confirmation_request: f64,
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
            intercept: -5.51,
            correction: 1.62,
            closing: 0.35,
            change_request: 0.76,
            negation: 0.42,
            after_bot_failure: 0.56,
            after_confirmation_request: 0.48,
            restatement: 0.04,
            negative_sentiment: -0.31,
            positive_sentiment: -0.73,
            opening: -0.31,
        }
    }
}

const CORRECTION_START: &[&str] = &[
    "no",
    "nope",
    "nah",
    "negative",
    "wrong",
    "incorrect",
    "not really",
    "not quite",
    "not exactly",
    "actually",
    "i said",
    "i meant",
    "thats not",
    "that is not",
    "sorry",
    "hmm",
    "wait",
];
const CLOSING: &[&str] = &[
    "thats all",
    "that is all",
    "that will be all",
    "thatll be all",
    "that would be all",
    "thats it",
    "that is it",
    "thats everything",
    "nothing else",
    "nothing more",
    "bye",
    "goodbye",
    "thanks",
    "thank you",
    "not now",
    "not right now",
    "maybe later",
    "all set",
    "im good",
    "im fine",
    "no thanks",
    "no thank you",
    "i am good",
];
const CHANGE: &[&str] = &[
    "instead",
    "change",
    "rather",
    "different",
    "another",
    "other",
    "more options",
    "again",
    "else",
];
const NEGATION: &[&str] = &[
    "dont", "do not", "didnt", "did not", "not", "never", "cant", "cannot", "wont",
];
const BOT_FAILURE: &[&str] = &[
    "sorry",
    "unfortunately",
    "apologise",
    "apologize",
    "apologies",
    "unable",
    "couldnt",
    "could not",
    "cant",
    "cannot",
    "no results",
    "there are no",
    "there is no",
    "not available",
    "failed",
    "impossible",
    "sold out",
    "didnt understand",
    "not sure i understand",
    "rephrase",
];
const CONFIRMATION_REQUEST: &[&str] = &[
    "confirm",
    "is that right",
    "is that correct",
    "correct",
    "right",
    "shall i",
    "should i",
    "would you like me to",
    "do you want me to",
];

pub struct DissatisfactionModel {
    weights: DissatisfactionConfig,
    closing: PhraseSet,
    change: PhraseSet,
    negation: PhraseSet,
    failure: PhraseSet,
    confirmation: PhraseSet,
}

/// The conversation's score and the customer turn that contributed most.
pub struct Dissatisfaction {
    pub score: f64,
    pub worst_turn: Option<(usize, f64)>,
}

fn starts_with_phrase(normalized: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| {
        normalized.starts_with(p)
            && (normalized.len() == p.len() || normalized.as_bytes()[p.len()] == b' ')
    })
}

impl DissatisfactionModel {
    pub fn new(weights: DissatisfactionConfig) -> DissatisfactionModel {
        DissatisfactionModel {
            weights,
            closing: PhraseSet::new(CLOSING),
            change: PhraseSet::new(CHANGE),
            negation: PhraseSet::new(NEGATION),
            failure: PhraseSet::new(BOT_FAILURE),
            confirmation: PhraseSet::new(CONFIRMATION_REQUEST),
        }
    }

    /// The lists this model reads, for the detectors' shared phrase bank (in the order of
    /// `phrase::CLOSING` .. `phrase::CONFIRMATION_REQUEST`).
    pub fn phrase_sets(&self) -> [&PhraseSet; 5] {
        [
            &self.closing,
            &self.change,
            &self.negation,
            &self.failure,
            &self.confirmation,
        ]
    }

    /// Needs a `Prepared::analyse`d conversation (sentiment and phrase hits filled in).
    pub fn assess(&self, prep: &Prepared) -> Dissatisfaction {
        let w = &self.weights;
        let msgs = &prep.conv.messages;
        let mut previous_bot: Option<usize> = None;
        let mut earlier: Vec<&[u64]> = Vec::new();
        let mut keep = 1.0;
        let mut worst: Option<(usize, f64)> = None;
        for (i, m) in msgs.iter().enumerate() {
            match m.role {
                Role::Bot | Role::Agent => previous_bot = Some(i),
                Role::System => {}
                Role::Customer => {
                    let n = prep.normalized[i].as_str();
                    let tokens = prep.tokens[i].as_slice();
                    let restated = earlier
                        .iter()
                        .map(|e| jaccard(e, tokens))
                        .fold(0.0, f64::max);
                    let closing = prep.has(i, phrase::CLOSING);
                    let prev = |set| previous_bot.is_some_and(|b| prep.has(b, set));
                    let sentiment = prep.sentiment[i] as f64;
                    let flag = |b: bool| if b { 1.0 } else { 0.0 };
                    let logit = w.intercept
                        + w.correction * flag(starts_with_phrase(n, CORRECTION_START) && !closing)
                        + w.closing * flag(closing)
                        + w.change_request * flag(prep.has(i, phrase::CHANGE))
                        + w.negation * flag(prep.has(i, phrase::NEGATION) && !closing)
                        + w.after_bot_failure * flag(prev(phrase::BOT_FAILURE))
                        + w.after_confirmation_request * flag(prev(phrase::CONFIRMATION_REQUEST))
                        + w.restatement * restated
                        + w.negative_sentiment * sentiment.min(0.0)
                        + w.positive_sentiment * sentiment.max(0.0)
                        + w.opening * flag(earlier.is_empty());
                    let p = 1.0 / (1.0 + (-logit).exp());
                    keep *= 1.0 - p;
                    if worst.is_none_or(|(_, q)| p > q) {
                        worst = Some((i, p));
                    }
                    earlier.push(tokens);
                }
            }
        }
        Dissatisfaction {
            score: ((1.0 - keep) * 1e4).round() / 1e4,
            worst_turn: worst,
        }
    }
}

#[cfg(test)]
mod tests {
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
}

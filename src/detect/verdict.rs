//! The needs-human probability: the chance that a person reading the conversation would
//! judge that it needed a human (dissatisfied, unresolved, broke down or escalated).
//!
//! Why a logistic model and not the noisy-OR `score`: on the human-labelled USS sets the
//! noisy-OR of hand-set reason weights ranked conversations worse (AUC 0.546 / 0.615) than
//! the inferred dissatisfaction it ignored (0.666 / 0.706), because bots that fail quietly
//! (wrong answers, corrections, declined offers) raise no explicit reason. Here the
//! dissatisfaction logit and the explicit reasons enter one logistic regression,
//! `p = 1 / (1 + exp(-(b0 + sum_k w_k x_k)))`, whose weights were fitted on both USS sets
//! pooled (`cargo run --example eval -- ../shared/data --fit-verdict` prints them with the
//! left-one-set-out AUCs and the calibration table; docs/accuracy.md has the figures).
//!
//! Hard evidence stays decisive whatever the model says: a customer who asked for a person,
//! an agent who took over, a platform status of open/escalated, or a low survey score puts
//! the probability at least at `hard_floor`. Those are rare in the labelled sets, so the
//! fit cannot learn their weight; the floor is a documented choice, not a measurement.

use serde::Deserialize;

use crate::model::Reason;

/// Names of the model's inputs, in the order of [`Features`] and of the weights; each is
/// also the key of its weight under `[score.verdict]`.
pub const FEATURES: [&str; 6] = [
    "dissatisfaction_logit",
    "fallback",
    "repetition",
    "sentiment",
    "confirmed",
    "customer_turns_log",
];

pub type Features = [f64; FEATURES.len()];

/// The L2 penalty of a fit (`eval`, `calibrate`): enough to keep the rare reason indicators
/// near 0 unless the data says otherwise.
pub const L2: f64 = 1.0;

/// The explicit-failure indicators (fallback, repetition, sentiment): a failure is never
/// evidence that things went well, so a fit keeps their weights at 0 or above.
pub const NON_NEGATIVE: [usize; 3] = [1, 2, 3];

/// The explicit reasons that are hard evidence: outcomes that by themselves mean a person
/// was or should have been involved.
pub fn is_hard(reason: Reason) -> bool {
    matches!(
        reason,
        Reason::EscalationRequest | Reason::Handoff | Reason::ExplicitStatus | Reason::LowCsat
    )
}

/// The model's inputs for one conversation.
pub fn features(
    reasons: &[Reason],
    dissatisfaction: f64,
    confirmed: bool,
    customer_turns: usize,
) -> Features {
    let any = |f: fn(&Reason) -> bool| reasons.iter().any(f) as u8 as f64;
    // The score is rounded to 1e-4, so the logit is bounded to about +-9.2.
    let d = dissatisfaction.clamp(1e-4, 1.0 - 1e-4);
    [
        (d / (1.0 - d)).ln(),
        any(|r| {
            matches!(
                r,
                Reason::BotFallback
                    | Reason::AbandonedAfterFallback
                    | Reason::Unanswered
                    | Reason::NegativeClose
            )
        }),
        any(|r| {
            matches!(
                r,
                Reason::BotRepeat | Reason::BotLoop | Reason::CustomerRepeat
            )
        }),
        any(|r| matches!(r, Reason::SentimentDrop | Reason::Frustration)),
        confirmed as u8 as f64,
        (1.0 + customer_turns as f64).ln(),
    ]
}

/// The fitted model (`[score.verdict]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerdictConfig {
    pub intercept: f64,
    pub dissatisfaction_logit: f64,
    pub fallback: f64,
    pub repetition: f64,
    pub sentiment: f64,
    pub confirmed: f64,
    pub customer_turns_log: f64,
    /// A conversation is flagged needs-human at this probability or above.
    pub threshold: f64,
    /// The least probability of a conversation with hard evidence.
    pub hard_floor: f64,
}

impl Default for VerdictConfig {
    /// Fitted on uss-sgd and uss-mwoz pooled (2,000 dialogues, 132 dissatisfied) by
    /// `eval --fit-verdict` (L2 = 1.0 on the weights, not the intercept). The threshold is
    /// the pooled left-one-set-out F1 optimum, rounded (docs/accuracy.md).
    fn default() -> Self {
        VerdictConfig {
            intercept: 2.523,
            dissatisfaction_logit: 1.254,
            fallback: 0.397,
            repetition: 0.0,
            sentiment: 0.213,
            confirmed: -0.071,
            customer_turns_log: -0.842,
            threshold: 0.1,
            hard_floor: 0.9,
        }
    }
}

impl VerdictConfig {
    pub fn weights(&self) -> Features {
        [
            self.dissatisfaction_logit,
            self.fallback,
            self.repetition,
            self.sentiment,
            self.confirmed,
            self.customer_turns_log,
        ]
    }

    /// From an intercept and weights in the order of [`FEATURES`] (what a fit returns).
    pub fn with_weights(&self, intercept: f64, w: &Features) -> VerdictConfig {
        VerdictConfig {
            intercept,
            dissatisfaction_logit: w[0],
            fallback: w[1],
            repetition: w[2],
            sentiment: w[3],
            confirmed: w[4],
            customer_turns_log: w[5],
            ..self.clone()
        }
    }

    /// The model's probability, before the hard-evidence floor.
    pub fn model_probability(&self, x: &Features) -> f64 {
        let z = self.intercept
            + self
                .weights()
                .iter()
                .zip(x)
                .map(|(w, v)| w * v)
                .sum::<f64>();
        crate::stats::sigmoid(z)
    }

    /// The needs-human probability, rounded to 1e-4 so reports are identical across
    /// platforms.
    pub fn probability(&self, x: &Features, hard: bool) -> f64 {
        let p = self.model_probability(x);
        let p = if hard { p.max(self.hard_floor) } else { p };
        (p * 1e4).round() / 1e4
    }

    /// Range checks; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        let weights = std::iter::once(("intercept", self.intercept))
            .chain(FEATURES.into_iter().zip(self.weights()));
        for (name, w) in weights {
            if !w.is_finite() {
                return Err(format!(
                    "score.verdict.{name} = {w}: must be a finite number"
                ));
            }
        }
        for (name, v) in [
            ("threshold", self.threshold),
            ("hard_floor", self.hard_floor),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "score.verdict.{name} = {v}: must be between 0 and 1"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_rises_with_dissatisfaction_and_hard_evidence_is_a_floor() {
        let m = VerdictConfig::default();
        let low = features(&[], 0.01, false, 3);
        let high = features(&[], 0.6, false, 3);
        assert!(m.probability(&low, false) < m.probability(&high, false));
        assert!(m.probability(&low, false) < m.threshold);
        assert_eq!(m.probability(&low, true), m.hard_floor);
        assert!(m.probability(&high, true) >= m.hard_floor);
    }

    #[test]
    fn features_group_the_reasons() {
        let x = features(&[Reason::BotLoop, Reason::Frustration], 0.5, true, 0);
        assert_eq!(x[0], 0.0);
        assert_eq!(&x[1..5], &[0.0, 1.0, 1.0, 1.0]);
        assert_eq!(x[5], 0.0);
        assert!(is_hard(Reason::Handoff) && !is_hard(Reason::BotLoop));
    }

    #[test]
    fn config_overrides_keys_and_rejects_bad_values() {
        let c: VerdictConfig = toml::from_str("fallback = 1.5\nthreshold = 0.3").expect("keys");
        assert_eq!(c.fallback, 1.5);
        assert_eq!(c.threshold, 0.3);
        assert_eq!(c.intercept, VerdictConfig::default().intercept);
        assert!(toml::from_str::<VerdictConfig>("fallbak = 1").is_err());
        let bad = VerdictConfig {
            threshold: 1.5,
            ..VerdictConfig::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("score.verdict.threshold"));
        let nan = VerdictConfig {
            fallback: f64::NAN,
            ..VerdictConfig::default()
        };
        assert!(nan.validate().is_err());
    }
}

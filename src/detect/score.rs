//! The 0..1 needs-human score: a noisy-OR over the reasons found,
//! `score = (1 - prod over distinct reasons r of (1 - w_r)) * (1 - c)`, where `w_r` is the
//! reason's weight (`[score.weights]`) and `c` is `score.confirmation_discount` when the
//! customer confirmed a fix at the end, else 0. Independent reasons add up without
//! exceeding 1; one strong reason (asked for a human: 0.9) dominates weak ones.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess};

use crate::model::Reason;

/// The weight `w_r` of each reason (index `reason as usize`). In the config file a table
/// keyed by reason code (`[score.weights]`): codes given override their default one by one,
/// unknown codes are errors.
#[derive(Clone, Copy, PartialEq)]
pub struct ReasonWeights([f64; Reason::COUNT]);

impl Default for ReasonWeights {
    fn default() -> Self {
        ReasonWeights(Reason::ALL.map(Reason::default_weight))
    }
}

impl ReasonWeights {
    pub fn get(&self, reason: Reason) -> f64 {
        self.0[reason as usize]
    }

    pub fn set(&mut self, reason: Reason, weight: f64) {
        self.0[reason as usize] = weight;
    }

    /// Every (code, weight), ordered by code: how messages and the settings fingerprint
    /// list them.
    pub fn by_code(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        Reason::by_code()
            .into_iter()
            .map(|r| (r.code(), self.get(r)))
    }
}

/// As the table of the config file: `{"abandoned_after_fallback": 0.7, ...}`.
impl fmt::Debug for ReasonWeights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.by_code()).finish()
    }
}

/// A key of `[score.weights]`: a reason code. Failing here (not after the table is read)
/// lets the TOML error point at the key.
struct Code(Reason);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Reason::from_code(&code).map(Code).ok_or_else(|| {
            let known: Vec<&str> = Reason::by_code().iter().map(|r| r.code()).collect();
            de::Error::custom(format!(
                "unknown key score.weights.{code}: expected one of {}",
                known.join(", ")
            ))
        })
    }
}

impl<'de> Deserialize<'de> for ReasonWeights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = ReasonWeights;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of reason codes and weights")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReasonWeights, A::Error> {
                let mut weights = ReasonWeights::default();
                while let Some((Code(reason), w)) = map.next_entry::<Code, f64>()? {
                    weights.set(reason, w);
                }
                Ok(weights)
            }
        }
        d.deserialize_map(Visitor)
    }
}

pub fn needs_human_score(
    weights: &ReasonWeights,
    reasons: impl IntoIterator<Item = Reason>,
    confirmed: bool,
    confirmation_discount: f64,
) -> f64 {
    let mut seen = [false; Reason::COUNT];
    let mut keep = 1.0;
    for reason in reasons {
        if !seen[reason as usize] {
            seen[reason as usize] = true;
            keep *= 1.0 - weights.get(reason);
        }
    }
    let score = 1.0 - keep;
    let score = if confirmed {
        score * (1.0 - confirmation_discount)
    } else {
        score
    };
    // Rounded so reports and findings files are identical across platforms.
    (score * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noisy_or_combines_distinct_reasons_once() {
        let mut w = ReasonWeights([0.0; Reason::COUNT]);
        w.set(Reason::BotFallback, 0.5);
        w.set(Reason::Unanswered, 0.5);
        let f = [Reason::BotFallback, Reason::BotFallback, Reason::Unanswered];
        assert_eq!(needs_human_score(&w, f, false, 0.5), 0.75);
        assert_eq!(needs_human_score(&w, f, true, 0.5), 0.375);
        assert_eq!(needs_human_score(&w, [], false, 0.5), 0.0);
    }

    #[test]
    fn weights_from_the_config_override_the_defaults_one_by_one() {
        let w: ReasonWeights =
            toml::from_str("handoff = 0.25\nfrustration = 1").expect("known codes");
        assert_eq!(w.get(Reason::Handoff), 0.25);
        assert_eq!(w.get(Reason::Frustration), 1.0);
        for r in Reason::ALL {
            if !matches!(r, Reason::Handoff | Reason::Frustration) {
                assert_eq!(w.get(r), r.default_weight(), "{r:?}");
            }
        }
        let none: ReasonWeights = toml::from_str("").expect("empty table");
        assert_eq!(none, ReasonWeights::default());
    }

    #[test]
    fn an_unknown_weight_code_names_the_key_and_lists_the_valid_ones() {
        let err = toml::from_str::<ReasonWeights>("handoff = 0.5\nhandof = 0.5")
            .expect_err("unknown code")
            .to_string();
        assert!(
            err.contains("unknown key score.weights.handof: expected one of abandoned_after_fallback, bot_fallback, bot_loop,"),
            "{err}"
        );
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains(", unanswered"), "{err}");
        let err = toml::from_str::<ReasonWeights>("handoff = \"high\"")
            .expect_err("not a number")
            .to_string();
        assert!(err.contains("invalid type"), "{err}");
    }

    #[test]
    fn weights_print_as_the_table_keyed_by_code() {
        let text = format!("{:?}", ReasonWeights::default());
        assert!(
            text.starts_with("{\"abandoned_after_fallback\": 0.7, \"bot_fallback\": 0.5,"),
            "{text}"
        );
        assert!(text.ends_with("\"unanswered\": 0.5}"), "{text}");
    }
}

//! The 0..1 needs-human score: a noisy-OR over the reasons found,
//! `score = (1 - prod over distinct reasons r of (1 - w_r)) * (1 - c)`, where `w_r` is the
//! reason's weight (`[score.weights]`) and `c` is `score.confirmation_discount` when the
//! customer confirmed a fix at the end, else 0. Independent reasons add up without
//! exceeding 1; one strong reason (asked for a human: 0.9) dominates weak ones.

use crate::model::Reason;

pub fn needs_human_score(
    weights: &[f64; Reason::ALL.len()],
    reasons: impl IntoIterator<Item = Reason>,
    confirmed: bool,
    confirmation_discount: f64,
) -> f64 {
    let mut seen = [false; Reason::ALL.len()];
    let mut keep = 1.0;
    for reason in reasons {
        let i = reason.index();
        if !seen[i] {
            seen[i] = true;
            keep *= 1.0 - weights[i];
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
        let mut w = [0.0; Reason::ALL.len()];
        w[Reason::BotFallback.index()] = 0.5;
        w[Reason::Unanswered.index()] = 0.5;
        let f = [Reason::BotFallback, Reason::BotFallback, Reason::Unanswered];
        assert_eq!(needs_human_score(&w, f, false, 0.5), 0.75);
        assert_eq!(needs_human_score(&w, f, true, 0.5), 0.375);
        assert_eq!(needs_human_score(&w, [], false, 0.5), 0.0);
    }
}

//! Does the bot repeat itself? A bot message near-duplicating an earlier bot message of the
//! same conversation is a `bot_repeat`; `detect.loop_min_repeats` of them make a `bot_loop`.
//! Also collects the conversation's distinct long bot answers for the corpus-wide
//! "most repeated answers" table.

use super::text::{answer_hash, jaccard};
use super::Prepared;
use crate::config::DetectConfig;
use crate::model::{Finding, Reason, Role};

pub struct Repetition {
    pub repeats: usize,
    /// Highest similarity of a long bot message to an earlier one (for calibration).
    pub max_similarity: f64,
    /// (answer identity, index of the message giving it): see `text::answer_hash`.
    pub answers: Vec<(u64, usize)>,
}

pub fn detect(cfg: &DetectConfig, prep: &Prepared, out: &mut Vec<Finding>) -> Repetition {
    let long: Vec<(usize, &[u64])> = prep
        .indices(Role::Bot)
        .filter(|&i| prep.words[i] >= cfg.repeat_min_words)
        .map(|i| (i, prep.tokens[i].as_slice()))
        .collect();

    // Each repeat is traced to the first time the answer was given (its root). A long
    // answer counts from its first repeat; a short one (a clarifying question such as
    // "Could you tell me your order number?" can fairly be asked twice) only from its
    // second repeat on.
    let mut root_of: Vec<usize> = (0..long.len()).collect();
    let mut occurrences = vec![0usize; long.len()];
    let mut repeats = Vec::new();
    let mut first_pair = None;
    let mut max_similarity = 0.0f64;
    for (k, (i, set)) in long.iter().enumerate() {
        let sims: Vec<(usize, f64)> = long[..k]
            .iter()
            .enumerate()
            .map(|(jk, (_, earlier))| (jk, jaccard(earlier, set)))
            .collect();
        max_similarity = sims.iter().map(|s| s.1).fold(max_similarity, f64::max);
        if let Some(&(jk, sim)) = sims.iter().find(|(_, sim)| *sim >= cfg.repeat_similarity) {
            let root = root_of[jk];
            root_of[k] = root;
            occurrences[root] += 1;
            if prep.words[*i] >= cfg.repeat_long_words || occurrences[root] >= 2 {
                first_pair.get_or_insert((long[root].0, *i, sim));
                repeats.push(*i);
            }
        }
    }
    if let Some((j, i, sim)) = first_pair {
        let mut messages = vec![j];
        messages.extend(&repeats);
        let (reason, what) = if repeats.len() >= cfg.loop_min_repeats {
            (Reason::BotLoop, "bot loops")
        } else {
            (Reason::BotRepeat, "bot repeats itself")
        };
        out.push(Finding {
            reason,
            detail: format!(
                "{what}: {} repeat(s); message {i} repeats message {j} (similarity {sim:.2})",
                repeats.len()
            ),
            messages,
        });
    }

    let mut answers: Vec<(u64, usize)> = Vec::with_capacity(long.len());
    for (i, _) in &long {
        let key = answer_hash(&prep.normalized[*i]);
        if !answers.iter().any(|(k, _)| *k == key) {
            answers.push((key, *i));
        }
    }
    Repetition {
        repeats: repeats.len(),
        max_similarity,
        answers,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{assess, conv};
    use crate::model::{Reason, Role};
    use Role::{Bot, Customer};

    const ANSWER: &str = "You can track your parcel from the Orders page using the tracking link.";

    #[test]
    fn one_near_duplicate_is_a_repeat_not_a_loop() {
        let a = assess(&conv(&[
            (Customer, "where is my parcel"),
            (Bot, ANSWER),
            (Customer, "the link does not work"),
            (
                Bot,
                "You can track your parcel from the Orders page using the tracking link!",
            ),
        ]));
        assert!(a.has(Reason::BotRepeat));
        assert!(!a.is_loop);
        assert!(a.needs_human);
    }

    #[test]
    fn two_repeats_make_a_loop_with_evidence() {
        let a = assess(&conv(&[
            (Customer, "where is my parcel"),
            (Bot, ANSWER),
            (Customer, "the link does not work"),
            (Bot, ANSWER),
            (Customer, "it still does not work"),
            (
                Bot,
                "You can track your parcel from the Orders page with the tracking link.",
            ),
        ]));
        assert!(a.is_loop);
        let f = a.findings.iter().find(|f| f.reason == Reason::BotLoop);
        assert_eq!(f.map(|f| f.messages.clone()), Some(vec![1, 3, 5]));
    }

    #[test]
    fn short_fillers_and_different_answers_are_not_repeats() {
        let a = assess(&conv(&[
            (Customer, "where is my parcel"),
            (Bot, "One moment please."),
            (Customer, "ok"),
            (Bot, "One moment please."),
            (Customer, "and the refund?"),
            (
                Bot,
                "Your refund of 20 pounds was sent back to your card on Monday.",
            ),
        ]));
        assert!(!a.has(Reason::BotRepeat));
        assert!(!a.has(Reason::BotLoop));
    }

    #[test]
    fn short_answers_count_from_their_second_repeat() {
        const SHORT: &str = "Could you tell me the order number?";
        let twice = assess(&conv(&[
            (Customer, "where is my parcel"),
            (Bot, SHORT),
            (Customer, "I don't have it"),
            (Bot, SHORT),
        ]));
        assert!(!twice.has(Reason::BotRepeat), "{:?}", twice.findings);
        let thrice = assess(&conv(&[
            (Customer, "where is my parcel"),
            (Bot, SHORT),
            (Customer, "I don't have it"),
            (Bot, SHORT),
            (Customer, "I told you I don't have it"),
            (Bot, SHORT),
        ]));
        let f = thrice
            .findings
            .iter()
            .find(|f| f.reason == Reason::BotRepeat);
        assert_eq!(f.map(|f| f.messages.clone()), Some(vec![1, 5]));
    }

    #[test]
    fn answers_are_keyed_without_digits() {
        use crate::detect::text::answer_hash;
        assert_eq!(
            answer_hash("order 123 is late"),
            answer_hash("order 987 is late")
        );
        assert_ne!(
            answer_hash("order 123 is late"),
            answer_hash("order 123 is lost")
        );
    }
}

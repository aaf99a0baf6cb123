//! Does the bot repeat itself? A bot message near-duplicating an earlier bot message of the
//! same conversation is a `bot_repeat`; `detect.loop_min_repeats` of them make a `bot_loop`.
//! A near-duplicate that changes a value ("a table for 3", "on March 2nd") or takes up words
//! the customer gave in between is the bot updating its answer, not repeating it.
//! Also collects the conversation's distinct long bot answers for the corpus-wide
//! "most repeated answers" table.

use super::text::{answer_hash, jaccard, word_hash};
use super::Prepared;
use crate::detect::settings::DetectConfig;
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
        let repeated = sims
            .iter()
            .find(|&&(jk, sim)| sim >= cfg.repeat_similarity && !is_update(prep, long[jk].0, *i));
        if let Some(&(jk, sim)) = repeated {
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
                "{what}: {} repeat(s); message {} repeats message {} (similarity {sim:.2})",
                repeats.len(),
                i + 1,
                j + 1
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

/// Words that name a value: a changed one means the bot says something new.
const NUMBER_WORDS: &[&str] = &[
    "eight",
    "eighteen",
    "eighty",
    "eleven",
    "fifteen",
    "fifty",
    "five",
    "forty",
    "four",
    "fourteen",
    "half",
    "hundred",
    "midnight",
    "nine",
    "nineteen",
    "ninety",
    "noon",
    "one",
    "quarter",
    "seven",
    "seventeen",
    "seventy",
    "six",
    "sixteen",
    "sixty",
    "ten",
    "thirteen",
    "thirty",
    "three",
    "twelve",
    "twenty",
    "two",
    "zero",
];

/// Whether bot message `later`, a near-duplicate of bot message `earlier`, updates it: a
/// number changed (prices, dates, times, party sizes: the next search result or an amended
/// booking), or a new word comes from what the customer said in between ("make it for the
/// bedroom speaker"). Works on the hashed word sets; only value-looking words are re-hashed.
fn is_update(prep: &Prepared, earlier: usize, later: usize) -> bool {
    let (before, after) = (&prep.tokens[earlier], &prep.tokens[later]);
    let added: Vec<u64> = after
        .iter()
        .filter(|h| before.binary_search(h).is_err())
        .copied()
        .collect();
    let removed: Vec<u64> = before
        .iter()
        .filter(|h| after.binary_search(h).is_err())
        .copied()
        .collect();
    if added.is_empty() && removed.is_empty() {
        return false;
    }
    let is_value =
        |w: &str| w.bytes().any(|b| b.is_ascii_digit()) || NUMBER_WORDS.binary_search(&w).is_ok();
    let changes_value = |i: usize, diff: &[u64]| {
        !diff.is_empty()
            && prep.normalized[i]
                .split(' ')
                .any(|w| is_value(w) && diff.binary_search(&word_hash(w)).is_ok())
    };
    if changes_value(later, &added) || changes_value(earlier, &removed) {
        return true;
    }
    let msgs = &prep.conv.messages;
    (earlier + 1..later)
        .filter(|&q| msgs[q].role == Role::Customer)
        .any(|q| {
            added
                .iter()
                .any(|h| prep.tokens[q].binary_search(h).is_ok())
        })
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
    fn an_amended_confirmation_is_an_update_not_a_repeat() {
        let a = assess(&conv(&[
            (Customer, "Book a table at Charlie's in Windsor at 8 pm"),
            (
                Bot,
                "Please confirm: a table for 2 at Charlie's Restaurant in Windsor at 8 pm.",
            ),
            (Customer, "Please make it for three people."),
            (
                Bot,
                "Please confirm: a table for 3 at Charlie's Restaurant in Windsor at 8 pm.",
            ),
            (Customer, "And on the patio please."),
            (
                Bot,
                "Please confirm: a patio table for 3 at Charlie's Restaurant in Windsor at 8 pm.",
            ),
        ]));
        assert!(!a.has(Reason::BotRepeat), "{:?}", a.findings);
        assert!(!a.has(Reason::BotLoop));
    }

    #[test]
    fn the_same_failure_after_new_customer_words_is_still_a_repeat() {
        let a = assess(&conv(&[
            (Customer, "Reserve the tickets please"),
            (
                Bot,
                "Sorry, I could not reserve the tickets for you. Anything else I can help with?",
            ),
            (Customer, "Try again, same show, front row."),
            (
                Bot,
                "Sorry, I could not reserve the tickets for you. Anything else I can help with?",
            ),
        ]));
        assert!(a.has(Reason::BotRepeat), "{:?}", a.findings);
    }

    #[test]
    fn number_words_are_sorted_for_binary_search() {
        assert!(super::NUMBER_WORDS.windows(2).all(|w| w[0] < w[1]));
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

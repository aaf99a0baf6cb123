//! Does the bot repeat itself? A bot message near-duplicating an earlier bot message of the
//! same conversation is a `bot_repeat`; `detect.loop_min_repeats` of them make a `bot_loop`.
//! A near-duplicate that changes a value ("a table for 3", "on March 2nd") or takes up words
//! the customer gave in between is the bot updating its answer, not repeating it.
//! Also collects the conversation's distinct long bot answers for the corpus-wide
//! "most repeated answers" table.

use std::collections::{HashMap, HashSet};

use super::text::{jaccard, word_hash, Earlier};
use super::Prepared;
use crate::detect::settings::DetectConfig;
use crate::model::{Finding, Reason, Role};

pub struct Repetition {
    pub repeats: usize,
    /// Highest similarity of a long bot message to an earlier one compared (for calibration).
    pub max_similarity: f64,
    /// (answer identity, index of the message giving it): see `text::answer_hash`.
    pub answers: Vec<(u64, usize)>,
    /// Pairs of bot messages compared: linear in messages (see `text::SIMILARITY_WINDOW`).
    #[cfg_attr(not(test), allow(dead_code))] // the tests' bound on the work
    pub comparisons: u64,
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
    let mut earlier = Earlier::default();
    let mut said = CustomerWords::default();
    for (k, (i, set)) in long.iter().enumerate() {
        said.advance(*i);
        let mut repeated = None;
        for jk in earlier.candidates(k, set, |j| long[j].1) {
            let sim = jaccard(long[jk].1, set);
            max_similarity = max_similarity.max(sim);
            if repeated.is_none()
                && sim >= cfg.repeat_similarity
                && !is_update(prep, &mut said, long[jk].0, *i)
            {
                repeated = Some((jk, sim));
            }
        }
        if let Some((jk, sim)) = repeated {
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
    // A scan of the few answers kept so far for a usual conversation (no hashing, no
    // allocation); a hash set only for a long one, where the scan would be quadratic.
    let mut seen: Option<HashSet<u64>> = None;
    for (i, _) in &long {
        let key = prep.answers[*i];
        let new = match &mut seen {
            Some(seen) => seen.insert(key),
            None if answers.len() < ANSWER_SCAN => answers.iter().all(|(k, _)| *k != key),
            None => {
                let mut set: HashSet<u64> = answers.iter().map(|(k, _)| *k).collect();
                let new = set.insert(key);
                seen = Some(set);
                new
            }
        };
        if new {
            answers.push((key, *i));
        }
    }
    Repetition {
        repeats: repeats.len(),
        max_similarity,
        answers,
        comparisons: earlier.comparisons,
    }
}

/// Distinct answers found by a scan before a hash set takes over.
const ANSWER_SCAN: usize = 32;

/// The customer's words said before the bot message being checked, each with the last
/// customer message saying it: "did the customer say this word between two bot messages"
/// is then one lookup instead of a scan of the messages in between. Filled only when a
/// near-duplicate is checked (`catch_up`): most conversations have none. Inserting every
/// customer word of every conversation was part of the hostile-input merge's +9.6% CPU
/// (docs/benchmark.md, 2026-12-05).
#[derive(Default)]
struct CustomerWords {
    last: HashMap<u64, usize>,
    /// Messages before this index are in `last`.
    upto: usize,
    /// Messages before this index are said before the current bot message.
    to: usize,
}

impl CustomerWords {
    /// The bot message being checked is message `to`.
    fn advance(&mut self, to: usize) {
        self.to = self.to.max(to);
    }

    /// Puts the customer messages before the current bot message in `last`.
    fn catch_up(&mut self, prep: &Prepared) {
        let msgs = prep.conv.messages.iter().zip(&prep.tokens).enumerate();
        for (q, (m, tokens)) in msgs.take(self.to).skip(self.upto) {
            if m.role == Role::Customer {
                for &h in tokens {
                    self.last.insert(h, q);
                }
            }
        }
        self.upto = self.upto.max(self.to);
    }

    /// Whether a customer message after `after` (and before the current message) says `word`.
    fn said_after(&self, word: u64, after: usize) -> bool {
        self.last.get(&word).is_some_and(|&q| q > after)
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
fn is_update(prep: &Prepared, said: &mut CustomerWords, earlier: usize, later: usize) -> bool {
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
    said.catch_up(prep);
    added.iter().any(|&h| said.said_after(h, earlier))
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

    /// The repetition detector alone, for its work counter.
    fn repetition(
        c: &crate::model::Conversation,
    ) -> (super::Repetition, Vec<crate::model::Finding>) {
        use crate::detect::{CsatScale, DetectionSettings, Detectors, Prepared};
        let d = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let prep = Prepared::analyse(c, &d);
        let mut out = Vec::new();
        let r = super::detect(&d.config.detect, &prep, &mut out);
        (r, out)
    }

    /// Long bot answers sharing no word with each other or with `ANSWER`.
    fn fillers(n: usize) -> Vec<String> {
        (0..n)
            .map(|k| {
                (0..10)
                    .map(|j| format!("w{k}x{j}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn a_long_conversation_costs_a_bounded_number_of_comparisons() {
        // 20,000 long bot messages: the full comparison did 200 million similarity checks.
        // Every 10th is the same failure with another order number, so the update check
        // (a changed number) runs too, on about a tenth of the window.
        let texts: Vec<String> = fillers(20_000)
            .into_iter()
            .enumerate()
            .map(|(k, filler)| {
                if k % 10 == 0 {
                    format!("Sorry, I could not find order {k} in our system, please check it.")
                } else {
                    filler
                }
            })
            .collect();
        let msgs: Vec<(Role, &str)> = texts.iter().map(|t| (Bot, t.as_str())).collect();
        let (r, findings) = repetition(&conv(&msgs));
        let window = crate::detect::text::SIMILARITY_WINDOW as u64;
        assert!(r.comparisons <= 20_000 * (window + 1), "{}", r.comparisons);
        assert!(r.comparisons >= 19_000 * window, "{}", r.comparisons);
        assert_eq!(r.repeats, 0, "{findings:?}");
    }

    #[test]
    fn a_near_duplicate_is_found_up_to_the_window_and_not_beyond() {
        let w = crate::detect::text::SIMILARITY_WINDOW;
        const CHANGED: &str =
            "You can track your parcel from the Orders page with the tracking link.";
        for (gap, found) in [(w - 1, true), (w, false)] {
            let filler = fillers(gap);
            let mut msgs = vec![(Bot, ANSWER)];
            msgs.extend(filler.iter().map(|t| (Bot, t.as_str())));
            msgs.push((Bot, CHANGED));
            let (r, findings) = repetition(&conv(&msgs));
            assert_eq!(r.repeats == 1, found, "gap {gap}: {findings:?}");
        }
    }

    #[test]
    fn an_identical_answer_is_found_however_long_ago() {
        let w = crate::detect::text::SIMILARITY_WINDOW;
        let filler = fillers(3 * w);
        let mut msgs = vec![(Bot, ANSWER)];
        msgs.extend(filler.iter().map(|t| (Bot, t.as_str())));
        msgs.push((Bot, ANSWER));
        let (r, findings) = repetition(&conv(&msgs));
        assert_eq!(r.repeats, 1);
        assert_eq!(findings[0].messages, vec![0, 3 * w + 1]);
        // A different long answer that far back is not a repeat.
        let mut msgs = vec![(Bot, ANSWER)];
        msgs.extend(filler.iter().map(|t| (Bot, t.as_str())));
        msgs.push((
            Bot,
            "Your refund of 20 pounds was sent back to your card on Monday morning.",
        ));
        assert_eq!(repetition(&conv(&msgs)).0.repeats, 0);
    }

    #[test]
    fn cited_messages_are_capped_and_the_rest_counted() {
        let mut msgs = Vec::new();
        for _ in 0..41 {
            msgs.extend([(Customer, "it does not work"), (Bot, ANSWER)]);
        }
        let a = assess(&conv(&msgs));
        let f = a.findings.iter().find(|f| f.reason == Reason::BotLoop);
        let f = f.expect("a loop");
        assert_eq!(f.messages.len(), crate::detect::MAX_CITED);
        assert!(f.detail.contains("40 repeat(s)"), "{}", f.detail);
        assert!(
            f.detail.ends_with("(first 30 messages cited, and 11 more)"),
            "{}",
            f.detail
        );
        // At the cap nothing is said.
        let a = assess(&conv(&msgs[..60]));
        let f = a.findings.iter().find(|f| f.reason == Reason::BotLoop);
        let f = f.expect("a loop");
        assert_eq!(f.messages.len(), 30);
        assert!(!f.detail.contains("more"), "{}", f.detail);
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

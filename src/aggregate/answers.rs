//! Counting bot answers across the corpus in bounded memory, so that counts from shards
//! merge into exactly the counts of one run (docs/scale-out.md).
//!
//! LLM bots rarely say the same thing twice, so an exact count would grow with the input.
//! Each category keeps a Misra-Gries summary of at most `capacity` answers (Agarwal et al.,
//! "Mergeable Summaries", PODS 2012): when it holds more, the (capacity+1)-th largest count
//! `d` is taken from every count and those left at zero are dropped. Each reduction takes
//! at least (capacity+1)·d from the total, so an answer's count is low by at most
//! (answers added − answers kept) / (capacity+1): the bound [`AnswerSummary::error`]
//! reports, and the report shows. Counts are never too high. While one file is read,
//! reductions wait until the summary holds twice the capacity (one sort per `capacity`
//! new answers, not one per answer), which the bound allows.
//!
//! The reduction makes the result depend on grouping, so the grouping is fixed by the
//! manifest, not by how a run or an engine split the work: one summary per file (its
//! answers in record order), merged along the binary tree of aligned power-of-two ranges of
//! file ranks ([`AnswerTree`]). One `audit` walks the same tree as any set of shards, so
//! their counts are identical. The text shown for an answer is its first sighting by
//! (file rank, record position), which is also the same however the work was split.
//!
//! Memory: while reading, a category holds its current file's summary (up to twice the
//! capacity) and one summary per set bit of the number of files read so far (the dyadic
//! ranges not yet complete), so at most log2(files) + 2 capacities per category, against
//! two before. On 100,000 generated conversations in 16 files, peak RSS was 180 MB against
//! 176 MB before the change (debug builds, 3 interleaved runs each; user time 19.7 s against
//! 20.6 s median, noise).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::stats::wilson;

/// Characters kept of a long answer (an LLM's, with lists or code): a category keeps up to
/// twice `answers_capacity` answers, and 4,000 answers of 45 KB held 180 MB a category.
pub const ANSWER_CHARS: usize = 1000;

/// Characters other than white space, on each side of a cut, in which no digit may be. A
/// card or phone number is digits and separators, and an IBAN has at most 30 characters
/// after its check digits: none of them spans such a cut.
const CUT_CLEAR: usize = 32;

/// The longest local part of an e-mail address (RFC 5321): what is masked of a token cut
/// in the middle.
const LOCAL_PART: usize = 64;

/// The text kept of a bot answer: as written when it has at most [`ANSWER_CHARS`]
/// characters, as before (it is redacted when shown). A longer one is cut, ending in "…",
/// so that redacting the kept part when it is shown masks all that redacting the whole
/// would have, without redacting anything while counting (redacting every long answer as it
/// is counted cost a third more CPU on an LLM-like corpus):
/// - at the first white space from there with [`CUT_CLEAR`] characters free of digits on
///   either side (within the next 12,000 bytes): no e-mail address (it holds no white space)
///   and no number the redactor masks can span it;
/// - else (digits all along) at the last white space before it, with the digits of the
///   last [`CUT_CLEAR`] characters other than white space shown as `#`: a number cut in
///   two keeps no digit;
/// - with no white space before it either (one token of 1,000 characters or more), at
///   [`ANSWER_CHARS`], the token's last [`LOCAL_PART`] characters shown as `#`: an address
///   cut before its `@` shows no part of its local part.
pub fn kept(text: &str) -> String {
    // Counted while the fold waits (every answer of an LLM is new): ASCII is read by bytes.
    if text.len() <= ANSWER_CHARS {
        return text.to_string();
    }
    let from = match text.as_bytes()[..=ANSWER_CHARS].is_ascii() {
        true => ANSWER_CHARS,
        false => match text.char_indices().nth(ANSWER_CHARS) {
            Some((from, _)) => from,
            None => return text.to_string(),
        },
    };
    if let Some(at) = clear_cut(text, from) {
        // Sized exactly: `format!` would reserve twice the text, for every answer kept.
        let mut out = String::with_capacity(at + '…'.len_utf8());
        out.push_str(&text[..at]);
        out.push('…');
        return out;
    }
    let whitespace = text[..from].rfind(char::is_whitespace);
    let at = whitespace.unwrap_or(from);
    let head = &text[..at];
    // Cut at white space, no address spans the cut: the digits of the last CUT_CLEAR
    // characters other than white space are masked. Cut inside one long token (a link, an
    // encoded blob), an address may span it, and its local part, shown without the `@`,
    // would not be seen as one by the redactor: its last LOCAL_PART characters are masked
    // whole.
    let (masked, whole) = match whitespace {
        Some(_) => (CUT_CLEAR, false),
        None => (LOCAL_PART, true),
    };
    let mask_from = head
        .char_indices()
        .rev()
        .filter(|(_, c)| !c.is_whitespace())
        .nth(masked - 1)
        .map_or(0, |(i, _)| i);
    let mut out = String::with_capacity(at + '…'.len_utf8());
    out.push_str(&head[..mask_from]);
    out.extend(
        head[mask_from..]
            .chars()
            // The redactor reads full-width and small at signs as `@`.
            .map(
                |c| match whole || c.is_numeric() || matches!(c, '@' | '＠' | '﹫') {
                    true => '#',
                    false => c,
                },
            ),
    );
    out.push('…');
    out
}

fn clear_cut(text: &str, from: usize) -> Option<usize> {
    // Read from a little before `from`, counting nothing clear before: a cut may come a
    // little later than it could, never where it should not.
    let mut i = from.saturating_sub(4 * CUT_CLEAR);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    let end = text.len().min(from + 12 * ANSWER_CHARS);
    let b = text.as_bytes();
    // Characters other than white space since the last digit, and a cut waiting for its
    // right side: (offset, such characters after it).
    let mut clear = 0;
    let mut waiting: Option<(usize, usize)> = None;
    while i < end {
        let (digit, space, len) = match b[i] {
            c if c.is_ascii() => (c.is_ascii_digit(), c.is_ascii_whitespace(), 1),
            _ => match text[i..].chars().next() {
                Some(c) => (c.is_numeric(), c.is_whitespace(), c.len_utf8()),
                None => break,
            },
        };
        if digit {
            clear = 0;
            waiting = None;
        } else if space {
            if waiting.is_none() && i >= from && clear >= CUT_CLEAR {
                waiting = Some((i, 0));
            }
        } else {
            clear += 1;
            if let Some((cut, after)) = &mut waiting {
                *after += 1;
                if *after >= CUT_CLEAR {
                    return Some(*cut);
                }
            }
        }
        i += len;
    }
    // The text's end is clear on the right (not where the reading stopped short of it).
    waiting.filter(|_| end == text.len()).map(|(cut, _)| cut)
}

/// Answers kept per category by default (`audit --answers-capacity`).
pub const DEFAULT_CAPACITY: usize = 2_000;

/// Conversations an answer needs before its lift is ranked (`AnswerSummary::by_lift`).
pub const MIN_LIFT_CONVERSATIONS: u64 = 3;

/// An answer with its lift: its needs-human share over the category's, and the 95%
/// interval of that ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifted {
    pub answer: AnswerCount,
    pub lift: f64,
    pub lift_ci: [f64; 2],
}

/// Where a record is: (file rank, line, element), ordered as one run reads them.
pub type Position = (u64, u64, u64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerCount {
    /// `detect::text::answer_hash` of the answer.
    pub key: u64,
    pub text: String,
    pub conversations: u64,
    /// Of `conversations`, those that needed a human.
    pub needs_human: u64,
    /// The first sighting, whose text is shown.
    pub first: Position,
}

/// One Misra-Gries summary: a file's answers, or a merged range of files'.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerSummary {
    counts: HashMap<u64, AnswerCount>,
    /// Answers added in all, kept or not (the error bound's numerator uses it).
    added: u64,
}

impl AnswerSummary {
    fn is_empty(&self) -> bool {
        self.added == 0
    }

    /// Counts one answer seen at `at`, reducing lazily at twice `capacity` entries. `text`
    /// gives the text to keep, asked for only when it is kept (a new answer, or an earlier
    /// sighting of one already counted).
    pub fn add(
        &mut self,
        key: u64,
        text: impl FnOnce() -> String,
        needs_human: bool,
        at: Position,
        capacity: usize,
    ) {
        self.added += 1;
        if let Some(c) = self.counts.get_mut(&key) {
            c.conversations += 1;
            c.needs_human += u64::from(needs_human);
            if at < c.first {
                c.first = at;
                c.text = text();
            }
            return;
        }
        self.counts.insert(
            key,
            AnswerCount {
                key,
                text: text(),
                conversations: 1,
                needs_human: u64::from(needs_human),
                first: at,
            },
        );
        if self.counts.len() > 2 * capacity {
            self.reduce(capacity);
        }
    }

    /// The Misra-Gries reduction to at most `capacity` answers (none when it holds fewer).
    fn reduce(&mut self, capacity: usize) {
        if self.counts.len() <= capacity {
            return;
        }
        let mut sizes: Vec<u64> = self.counts.values().map(|c| c.conversations).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let d = sizes[capacity];
        self.counts.retain(|_, c| {
            c.conversations = c.conversations.saturating_sub(d);
            // The needs-human count loses at most d too, and stays within the total.
            c.needs_human = c.needs_human.min(c.conversations);
            c.conversations > 0
        });
    }

    /// The merge of the paper: counts added, then reduced to `capacity`. Symmetric, so only
    /// the tree's shape (fixed by the manifest) decides the result.
    fn merge(mut self, other: AnswerSummary, capacity: usize) -> AnswerSummary {
        self.added += other.added;
        for (key, o) in other.counts {
            match self.counts.get_mut(&key) {
                Some(c) => {
                    c.conversations += o.conversations;
                    c.needs_human += o.needs_human;
                    if o.first < c.first {
                        c.first = o.first;
                        c.text = o.text;
                    }
                }
                None => {
                    self.counts.insert(key, o);
                }
            }
        }
        self.reduce(capacity);
        self
    }

    /// How far below its true value any count may be (0: every count is exact).
    pub fn error(&self, capacity: usize) -> u64 {
        let kept: u64 = self.counts.values().map(|c| c.conversations).sum();
        (self.added - kept) / (capacity as u64 + 1)
    }

    /// The answers that most raise the chance a conversation needs a human, against the
    /// category's base rate `base` (needs-human, conversations): greetings and menus occur
    /// everywhere, so ranking by raw count lists them first while they explain nothing.
    /// An answer qualifies with at least [`MIN_LIFT_CONVERSATIONS`] conversations, two of
    /// them needing a human, and a lift above 1; the ranking is by the lower end of the
    /// lift's 95% interval (Wilson on the answer's share, over the base rate), so a lift
    /// seen on a handful of conversations does not outrank a well-supported one.
    pub fn by_lift(&self, n: usize, base: (u64, u64)) -> Vec<Lifted> {
        let base_rate = if base.1 == 0 {
            0.0
        } else {
            base.0 as f64 / base.1 as f64
        };
        if base_rate <= 0.0 {
            return Vec::new();
        }
        let mut v: Vec<Lifted> = self
            .counts
            .values()
            .filter(|c| c.conversations >= MIN_LIFT_CONVERSATIONS && c.needs_human >= 2)
            .filter_map(|c| {
                let share = c.needs_human as f64 / c.conversations as f64;
                let lift = share / base_rate;
                let [lo, hi] = wilson(c.needs_human, c.conversations);
                (lift > 1.0).then(|| Lifted {
                    answer: c.clone(),
                    lift,
                    lift_ci: [lo / base_rate, hi / base_rate],
                })
            })
            .collect();
        v.sort_by(|a, b| {
            b.lift_ci[0]
                .total_cmp(&a.lift_ci[0])
                .then(b.answer.needs_human.cmp(&a.answer.needs_human))
                .then(a.answer.first.cmp(&b.answer.first))
                // Answers of one conversation share its position; the map's order is random.
                .then(a.answer.key.cmp(&b.answer.key))
        });
        v.truncate(n);
        v
    }

    /// The answers most often given in needs-human conversations (at least `min` of them),
    /// ties by total count, then by first sighting. Reports rank by lift instead
    /// ([`AnswerSummary::by_lift`]); the tests use this plain count order to check the sketch.
    #[cfg(test)]
    pub fn top(&self, n: usize, min: u64) -> Vec<AnswerCount> {
        let mut v: Vec<AnswerCount> = self
            .counts
            .values()
            .filter(|c| c.needs_human >= min)
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            b.needs_human
                .cmp(&a.needs_human)
                .then(b.conversations.cmp(&a.conversations))
                .then(a.first.cmp(&b.first))
                .then(a.key.cmp(&b.key))
        });
        v.truncate(n);
        v
    }
}

/// A summary as a partial stores it: answers in key order, so the file is reproducible.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSummary {
    added: u64,
    answers: Vec<AnswerCount>,
}

impl From<&AnswerSummary> for StoredSummary {
    fn from(s: &AnswerSummary) -> StoredSummary {
        let mut answers: Vec<AnswerCount> = s.counts.values().cloned().collect();
        answers.sort_by_key(|a| a.key);
        StoredSummary {
            added: s.added,
            answers,
        }
    }
}

impl From<StoredSummary> for AnswerSummary {
    fn from(s: StoredSummary) -> AnswerSummary {
        AnswerSummary {
            added: s.added,
            counts: s.answers.into_iter().map(|a| (a.key, a)).collect(),
        }
    }
}

/// The file ranks whose files have been read (by this run, or by the shards merged), with
/// the manifest's file count: ranks from it on hold no file, so count as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub files: u64,
    /// Half-open, sorted, not touching.
    pub ranges: Vec<(u64, u64)>,
}

impl Coverage {
    pub fn new(files: u64) -> Coverage {
        Coverage {
            files,
            ranges: Vec::new(),
        }
    }

    /// Marks `[lo, hi)` read; false when part of it was read already.
    pub fn add(&mut self, lo: u64, hi: u64) -> bool {
        if lo >= hi {
            return true;
        }
        if self.ranges.iter().any(|&(a, b)| lo < b && a < hi) {
            return false;
        }
        self.ranges.push((lo, hi));
        self.ranges.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(self.ranges.len());
        for &(a, b) in &self.ranges {
            match merged.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => merged.push((a, b)),
            }
        }
        self.ranges = merged;
        true
    }

    /// Whether every rank of `[lo, hi)` below `files` has been read.
    pub fn covers(&self, lo: u64, hi: u64) -> bool {
        let hi = hi.min(self.files);
        lo >= hi || self.ranges.iter().any(|&(a, b)| a <= lo && hi <= b)
    }

    /// The tree's root level: 2^level ranks hold every file.
    fn root_level(&self) -> u32 {
        self.files.max(1).next_power_of_two().trailing_zeros()
    }
}

/// One category's answers: the summaries of aligned rank ranges [s, s + 2^level) merged so
/// far, and the summary of the file being read.
#[derive(Debug, Clone, Default)]
pub struct AnswerTree {
    /// (level, start) -> summary; ranges whose summary is empty are left out.
    nodes: BTreeMap<(u32, u64), AnswerSummary>,
    leaf: Option<(u64, AnswerSummary)>,
}

impl AnswerTree {
    /// Counts an answer of the file at rank `at.0`; a new rank ends the previous file's
    /// summary (ranks come in increasing order within a run).
    pub fn add(
        &mut self,
        key: u64,
        text: impl FnOnce() -> String,
        needs_human: bool,
        at: Position,
        capacity: usize,
        read: &Coverage,
    ) {
        if self.leaf.as_ref().is_some_and(|(rank, _)| *rank != at.0) {
            self.end_file(capacity, read);
        }
        let leaf = self
            .leaf
            .get_or_insert_with(|| (at.0, AnswerSummary::default()));
        leaf.1.add(key, text, needs_human, at, capacity);
    }

    /// Puts the current file's summary into the tree and merges what `read` allows.
    pub fn end_file(&mut self, capacity: usize, read: &Coverage) {
        if let Some((rank, mut s)) = self.leaf.take() {
            s.reduce(capacity);
            self.nodes.insert((0, rank), s);
        }
        self.collapse(capacity, read);
    }

    /// Merges, level by level from the leaves, each pair of siblings whose parent range has
    /// been read in full (a missing sibling is an empty summary). A range read in full thus
    /// ends as one node whichever order its parts arrived in.
    pub fn collapse(&mut self, capacity: usize, read: &Coverage) {
        for level in 0..read.root_level() {
            let starts: Vec<u64> = self
                .nodes
                .range((level, 0)..(level + 1, 0))
                .map(|(&(_, s), _)| s)
                .collect();
            for s in starts {
                let width = 1u64 << (level + 1);
                let parent = s - s % width;
                if !self.nodes.contains_key(&(level, s))
                    || !read.covers(parent, parent.saturating_add(width))
                {
                    continue;
                }
                let half = width / 2;
                let left = self.nodes.remove(&(level, parent)).unwrap_or_default();
                let right = self
                    .nodes
                    .remove(&(level, parent + half))
                    .unwrap_or_default();
                let merged = left.merge(right, capacity);
                if !merged.is_empty() {
                    self.nodes.insert((level + 1, parent), merged);
                }
            }
        }
    }

    /// Adds a partial's nodes (ranges no node here holds: the caller checked coverage).
    pub fn absorb(&mut self, other: AnswerTree) {
        self.nodes.extend(other.nodes);
    }

    /// The summary of every file, once all have been read and collapsed (see `finish`).
    pub fn root(&self) -> Option<&AnswerSummary> {
        self.nodes.values().next_back()
    }

    /// Merges what is left into one node, in rank order: only a report of some ranks of a
    /// manifest (`audit --ranks` without `--emit-partial`) has more than one.
    pub fn finish(&mut self, capacity: usize) {
        if self.nodes.len() < 2 {
            return;
        }
        let mut nodes: Vec<((u32, u64), AnswerSummary)> =
            std::mem::take(&mut self.nodes).into_iter().collect();
        nodes.sort_by_key(|((_, start), _)| *start);
        let merged = nodes
            .into_iter()
            .map(|(_, s)| s)
            .reduce(|a, b| a.merge(b, capacity))
            .unwrap_or_default();
        self.nodes.insert((u32::MAX, 0), merged);
    }

    pub fn to_stored(&self) -> Vec<StoredNode> {
        self.nodes
            .iter()
            .map(|(&(level, start), s)| StoredNode {
                level,
                start,
                summary: s.into(),
            })
            .collect()
    }

    pub fn from_stored(nodes: Vec<StoredNode>) -> AnswerTree {
        AnswerTree {
            nodes: nodes
                .into_iter()
                .map(|n| ((n.level, n.start), n.summary.into()))
                .collect(),
            leaf: None,
        }
    }
}

/// A node of an [`AnswerTree`] in a partial.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredNode {
    level: u32,
    start: u64,
    summary: StoredSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(chars: usize) -> String {
        "Open the settings page and choose the plan you want. "
            .chars()
            .cycle()
            .take(chars)
            .collect()
    }

    #[test]
    fn a_short_answer_is_kept_as_written() {
        let text = format!("{} call +44 7700 900123", prose(900));
        assert_eq!(kept(&text), text, "redacted when shown, not when counted");
    }

    #[test]
    fn a_long_answer_is_cut_at_white_space_clear_of_digits() {
        let text = prose(5000);
        let k = kept(&text);
        let head = k.strip_suffix('…').expect("marked as cut");
        assert!(text.starts_with(head));
        let n = head.chars().count();
        assert!((ANSWER_CHARS..ANSWER_CHARS + 20).contains(&n), "{n}");
        assert!(text[head.len()..].starts_with(char::is_whitespace));
    }

    #[test]
    fn a_long_token_cut_in_the_middle_shows_no_local_part() {
        let r = crate::redact::Redactor::new();
        // No white space at all: the cut falls inside the token, before, on or after the
        // `@` of an address that straddles the 1,000th character.
        for shift in [0, 3, 8, 9, 12, 19] {
            let text = format!(
                "{}jo.smith@example.com{}",
                "x".repeat(ANSWER_CHARS - shift),
                "y".repeat(3000)
            );
            let shown = r.redact(&kept(&text)).into_owned();
            assert!(shown.ends_with('…'), "{shift}: cut");
            for part in ["smith", "jo.", "example"] {
                assert!(!shown.contains(part), "{shift}: {part:?} shown in {shown}");
            }
            // What is masked is the token's end, not the answer.
            assert!(shown.starts_with(&"x".repeat(ANSWER_CHARS - LOCAL_PART - shift)));
        }
        // Cut at white space, letters are shown as written.
        let text = format!("{} jo smith {}", prose(980), "7".repeat(20000));
        assert!(kept(&text).contains("smith"));
    }

    #[test]
    fn no_card_phone_or_address_is_cut_in_two() {
        let r = crate::redact::Redactor::new();
        // Each shape straddles the 1,000th character; what is kept, redacted as the report
        // redacts it, shows none of it.
        for shape in [
            "4111 1111 1111 1111",
            "+44 7700 900123",
            "GB82 WEST 1234 5698 7654 32",
            "jo.smith@example.com",
        ] {
            for shift in [0, 5, 10, 15, 20, 25] {
                let text = format!("{} {shape} {}", prose(990 - shift), prose(3000));
                let shown = r.redact(&kept(&text)).into_owned();
                for part in shape.split([' ', '@', '.']).filter(|p| p.len() > 2) {
                    assert!(
                        !shown.contains(part),
                        "{shape:?} at {shift}: {part:?} shown"
                    );
                }
            }
        }
    }

    #[test]
    fn digits_all_along_are_masked_before_the_cut() {
        let r = crate::redact::Redactor::new();
        for shift in 0..12 {
            let text = (0..900)
                .map(|i| format!("step {i}: card 4111 1111 1111 1111"))
                .collect::<Vec<_>>()
                .join(" ");
            let text = format!("{}{text}", "x".repeat(shift));
            let k = kept(&text);
            assert!(k.ends_with('…') && k.chars().count() <= ANSWER_CHARS + 1);
            let tail: String = k
                .chars()
                .rev()
                .filter(|c| !c.is_whitespace())
                .take(33)
                .collect();
            assert!(!tail.contains(|c: char| c.is_ascii_digit()), "{k}");
            assert!(tail.contains('#'), "{k}");
            // Cards whole before the masked tail are masked when shown; the one cut in two
            // kept no digit.
            let shown = r.redact(&k);
            assert!(
                !shown.contains("4111") && !shown.contains("1111"),
                "{shown}"
            );
        }
        // No white space at all: cut where the limit falls, the at sign and digits masked.
        let token = format!("{}jo＠example.com/4111{}", "x".repeat(985), "y".repeat(300));
        let k = kept(&token);
        assert!(
            k.ends_with('…') && !k.contains('＠') && !k.contains("4111"),
            "{k}"
        );
        // Arabic-Indic digits are digits to the redactor, and so here: no cut beside them.
        let indic = format!("{} ٤١١١ ٤١١١ ٤١١١ ٤١١١ {}", prose(1000), prose(10));
        let from = indic.char_indices().nth(ANSWER_CHARS).map_or(0, |c| c.0);
        assert_eq!(clear_cut(&indic, from), None);
    }

    #[test]
    fn frequent_answers_survive_reduction_and_the_bound_holds() {
        let mut c = AnswerSummary::default();
        let cap = 100;
        for i in 0..10_000u64 {
            c.add(
                u64::MAX,
                || "Frequent answer".into(),
                i % 2 == 0,
                (0, 2 * i, 0),
                cap,
            );
            c.add(i, || "rare".into(), true, (0, 2 * i + 1, 0), cap);
        }
        c.reduce(cap);
        let top = c.top(1, 1);
        assert_eq!(top[0].text, "Frequent answer");
        let err = c.error(cap);
        assert!(err > 0, "rare answers were dropped");
        assert!(top[0].conversations <= 10_000 && top[0].conversations + err >= 10_000);
        assert!(top[0].needs_human + err >= 5_000);
        assert!(c.counts.len() <= cap);
    }

    #[test]
    fn under_capacity_counts_are_exact() {
        let mut c = AnswerSummary::default();
        for i in 0..50u64 {
            c.add(i % 5, || "a".into(), i % 2 == 0, (0, i, 0), 10);
        }
        assert_eq!(c.error(10), 0);
        assert_eq!(c.top(5, 0).iter().map(|a| a.conversations).sum::<u64>(), 50);
    }

    /// A greeting in every conversation has a lift of 1 and is left out; an answer found
    /// mostly where a human was needed ranks first; one seen too rarely is not ranked.
    #[test]
    fn answers_rank_by_lift_over_the_base_rate_not_by_count() {
        let mut c = AnswerSummary::default();
        for i in 0..100u64 {
            let needs = i % 5 == 0; // base rate 20%
            c.add(
                1,
                || "Welcome! How can I help?".into(),
                needs,
                (0, i, 0),
                100,
            );
            // Given in 6 conversations, 4 of which needed a human.
            if [0, 5, 10, 15, 1, 2].contains(&i) {
                c.add(
                    2,
                    || "Sorry, I didn't get that.".into(),
                    needs,
                    (0, i, 1),
                    100,
                );
            }
        }
        c.add(3, || "Rare".into(), true, (0, 200, 0), 100);
        c.add(3, || "Rare".into(), true, (0, 201, 0), 100);
        let ranked = c.by_lift(5, (20, 100));
        let texts: Vec<&str> = ranked.iter().map(|l| l.answer.text.as_str()).collect();
        assert_eq!(texts, ["Sorry, I didn't get that."], "{ranked:?}");
        let top = &ranked[0];
        let share = top.answer.needs_human as f64 / top.answer.conversations as f64;
        assert!((top.lift - share / 0.2).abs() < 1e-12);
        assert_eq!((top.answer.needs_human, top.answer.conversations), (4, 6));
        assert!(top.lift_ci[0] > 1.0 && top.lift_ci[0] < top.lift && top.lift < top.lift_ci[1]);
        assert!(c.by_lift(5, (0, 100)).is_empty(), "no base rate, no lift");
    }

    /// The same files read in one pass or as two shards merged give the same summary.
    #[test]
    fn the_tree_fixes_the_grouping() {
        let cap = 3;
        let files: Vec<Vec<u64>> = (0..7u64)
            .map(|f| (0..40).map(|i| (i * 7 + f * 3) % (5 + f)).collect())
            .collect();
        let run = |ranks: std::ops::Range<u64>| {
            let mut read = Coverage::new(files.len() as u64);
            read.add(ranks.start, ranks.start);
            let mut t = AnswerTree::default();
            for r in ranks.clone() {
                read = Coverage::new(files.len() as u64);
                read.add(ranks.start, r);
                for (i, &k) in files[r as usize].iter().enumerate() {
                    t.add(
                        k,
                        || format!("a{k}"),
                        k % 2 == 0,
                        (r, i as u64, 0),
                        cap,
                        &read,
                    );
                }
            }
            read = Coverage::new(files.len() as u64);
            read.add(ranks.start, ranks.end);
            t.end_file(cap, &read);
            (t, read)
        };
        let (whole, _) = run(0..7);
        let whole = whole.root().expect("answers").clone();
        for cut in 1..7 {
            let (mut a, mut read) = run(0..cut);
            let (b, read_b) = run(cut..7);
            for &(lo, hi) in &read_b.ranges {
                assert!(read.add(lo, hi));
            }
            a.absorb(b);
            a.collapse(cap, &read);
            assert_eq!(a.nodes.len(), 1, "cut {cut}");
            assert_eq!(a.root(), Some(&whole), "cut {cut}");
        }
    }
}

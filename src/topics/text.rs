//! What a conversation is about, as text: the customer's first substantive message, folded
//! to lowercase ASCII, cut into words, and the words into the embedding table's wordpieces.

use crate::model::{Conversation, Role};

/// Words that alone make an opening, not a request: a greeting, a call for attention or a
/// bare request for a person ("hi", "hello?", "agent", "anyone there"). A customer message
/// made only of these is skipped and the next one read.
pub(super) const FILLER: &[&str] = &[
    "a",
    "afternoon",
    "agent",
    "am",
    "an",
    "any",
    "anybody",
    "anyone",
    "are",
    "assist",
    "assistance",
    "bot",
    "can",
    "chat",
    "dear",
    "evening",
    "good",
    "greetings",
    "hallo",
    "hello",
    "helo",
    "help",
    "hey",
    "hi",
    "hii",
    "hiya",
    "hola",
    "how",
    "howdy",
    "human",
    "i",
    "im",
    "is",
    "live",
    "me",
    "morning",
    "need",
    "ok",
    "okay",
    "one",
    "operator",
    "person",
    "please",
    "pls",
    "plz",
    "real",
    "rep",
    "representative",
    "somebody",
    "someone",
    "start",
    "talk",
    "team",
    "thank",
    "thanks",
    "the",
    "there",
    "to",
    "u",
    "want",
    "with",
    "yes",
    "yo",
    "you",
];

/// Lowercase ASCII: accents dropped through compatibility decomposition (so "Café" reads
/// "cafe", full-width letters read as letters), anything without an ASCII form dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// [`fold`], appended to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    // Most text is ASCII, which decomposes to itself: the decomposition is most of the cost
    // of assigning a conversation.
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        if let Some(added) = out.get_mut(start..) {
            added.make_ascii_lowercase();
        }
        return;
    }
    out.reserve(text.len());
    // Character by character. NFKD is each character's decomposition, then the combining
    // marks of each run put in canonical order among themselves; every character kept here
    // (ASCII, white space) is a starter, which that ordering never moves, and the marks are
    // dropped. So folding each character alone gives what `nfkd()` over the whole text gave
    // (a test compares), and the ASCII that most such texts still are is not buffered and
    // sorted by the iterator: it was the cost of folding the 9% of generated requests with
    // an accent or an emoji.
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        unicode_normalization::char::decompose_compatible(c, |d| {
            if d.is_ascii() {
                out.push(d.to_ascii_lowercase());
            } else if d.is_whitespace() {
                out.push(' ');
            }
        });
    }
}

/// Words of folded text: runs of letters and digits; URLs and @handles are not words of
/// the request (a Twitter thread opens with the brand's handle).
pub fn words(folded: &str) -> Vec<&str> {
    word_iter(folded).collect()
}

/// [`words`] without the list.
pub fn word_iter(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split_ascii_whitespace()
        .filter(|piece| holds_words(piece))
        .flat_map(piece_words)
}

/// A whitespace-separated piece that is not a handle or a link.
pub(super) fn holds_words(piece: &str) -> bool {
    !(piece.starts_with('@') || piece.contains("://") || piece.starts_with("www."))
}

/// The words of a piece: runs of letters and digits.
pub(super) fn piece_words(piece: &str) -> impl Iterator<Item = &str> {
    piece
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A greeting, a call for a person, or a word as common as those.
pub fn is_filler(word: &str) -> bool {
    // Asked of every word assigned: most words are longer than any filler word.
    word.len() <= LONGEST_FILLER && FILLER.binary_search(&word).is_ok()
}

/// "representative".
const LONGEST_FILLER: usize = 14;

/// The customer's first substantive message, folded: what the conversation is about.
/// `None` when no customer message says more than hello.
pub fn request(conv: &Conversation) -> Option<String> {
    request_and_reply(conv).map(|r| r.text)
}

/// What topics are learned from and assigned by: the request, and the first answer to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// The customer's first substantive message, folded.
    pub text: String,
    /// The first bot message after it, folded; empty when the bot did not answer.
    pub reply: String,
}

impl From<String> for Request {
    fn from(text: String) -> Request {
        Request {
            text,
            reply: String::new(),
        }
    }
}

/// The request and the bot's first reply to it: a customer's words are few and overlap
/// across topics, while a bot's answer is what its intent model understood (docs/topics.md).
/// A person's first answer is not read: on a care channel it is mostly a courtesy or a move
/// to private messages ("please DM us"), and it measured worse on twitter-care. `None` when
/// no customer message says more than hello.
pub fn request_and_reply(conv: &Conversation) -> Option<Request> {
    let mut r = Request::default();
    let reply = request_and_reply_into(conv, &mut r.text)?;
    fold_into(reply_words(reply), &mut r.reply);
    Some(r)
}

/// The request, folded into `text` (empty), and the bot's first answer after it as written
/// ("" when the bot did not answer; [`reply_words`] is the part of it read). `None` when
/// there is no request.
pub(super) fn request_and_reply_into<'c>(
    conv: &'c Conversation,
    text: &mut String,
) -> Option<&'c str> {
    let mut at = None;
    for (i, m) in conv.messages.iter().enumerate() {
        if m.role != Role::Customer {
            continue;
        }
        text.clear();
        fold_into(&m.text, text);
        if substantive(text) {
            at = Some(i);
            break;
        }
    }
    let Some(at) = at else {
        text.clear();
        return None;
    };
    Some(
        conv.messages[at + 1..]
            .iter()
            .find(|m| m.role == Role::Bot)
            .map_or("", |m| m.text.as_str()),
    )
}

/// Folded text says something beyond a greeting or a call for a person.
fn substantive(folded: &str) -> bool {
    // Most texts have no handle or link: their words are runs of letters and digits, found
    // without cutting the text at whitespace first (`word_iter` gives the same words).
    if !folded.contains('@') && !folded.contains("://") && !folded.contains("www.") {
        return folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| !w.is_empty() && !is_filler(w));
    }
    word_iter(folded).any(|w| !is_filler(w))
}

/// The part of a reply that is read: its first words.
pub(super) fn reply_words(reply: &str) -> &str {
    first_words(reply, REPLY_WORDS)
}

/// The reply's first words only: an answer says what it understood first, then how to do
/// it, and every word read costs its share of assigning each conversation. Sample-data
/// purity 0.83 at 12 words, 0.85 at 16, 0.86 at 24 and all of them (median 31).
const REPLY_WORDS: usize = 20;

/// The text up to its `n`th whitespace-separated word.
fn first_words(text: &str, n: usize) -> &str {
    match text.split_whitespace().nth(n) {
        // The n+1th word's start: everything before it.
        Some(next) => {
            let at = next.as_ptr() as usize - text.as_ptr() as usize;
            text.get(..at).unwrap_or(text)
        }
        None => text,
    }
}

/// WordPiece, greedy longest match first (as BERT's tokenizer): `lookup` answers whether
/// a piece is in the vocabulary (continuations carry the `##` prefix). A word that cannot
/// be cut into known pieces gives none (BERT's `[UNK]`, which carries no meaning here).
pub fn wordpieces(word: &str, mut lookup: impl FnMut(&str) -> Option<u32>, out: &mut Vec<u32>) {
    // Long words are rare and mostly noise (hashes, ids); BERT stops at 100 characters too.
    if word.len() > 100 {
        return;
    }
    let mark = out.len();
    let mut start = 0;
    let mut piece = String::with_capacity(word.len() + 2);
    while start < word.len() {
        let mut end = word.len();
        let mut found = None;
        while end > start {
            piece.clear();
            if start > 0 {
                piece.push_str("##");
            }
            piece.push_str(&word[start..end]);
            if let Some(id) = lookup(&piece) {
                found = Some(id);
                break;
            }
            end -= 1;
        }
        match found {
            Some(id) => {
                out.push(id);
                start = end;
            }
            None => {
                out.truncate(mark);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    fn conv(msgs: &[(Role, &str)]) -> Conversation {
        Conversation {
            messages: msgs
                .iter()
                .map(|(role, text)| Message {
                    role: *role,
                    text: text.to_string(),
                    ts: None,
                })
                .collect(),
            ..Conversation::default()
        }
    }

    #[test]
    fn filler_is_sorted_for_binary_search() {
        assert!(FILLER.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(FILLER.iter().map(|w| w.len()).max(), Some(LONGEST_FILLER));
    }

    #[test]
    fn greetings_are_skipped_for_the_next_customer_message() {
        let c = conv(&[
            (Role::Customer, "Hello?"),
            (Role::Bot, "Hi! How can I help?"),
            (Role::Customer, "agent"),
            (Role::Customer, "My Café card never arrived"),
        ]);
        assert_eq!(request(&c).as_deref(), Some("my cafe card never arrived"));
    }

    #[test]
    fn a_request_in_the_first_message_is_taken() {
        let c = conv(&[
            (Role::Customer, "hi, I need to reset my password"),
            (Role::Customer, "please"),
        ]);
        assert_eq!(
            request(&c).as_deref(),
            Some("hi, i need to reset my password")
        );
    }

    #[test]
    fn only_greetings_is_no_request() {
        let c = conv(&[(Role::Customer, "hi there"), (Role::Bot, "How can I help?")]);
        assert_eq!(request(&c), None);
    }

    #[test]
    fn the_reply_is_the_bots_first_answer_after_the_request() {
        let c = conv(&[
            (Role::Bot, "Hi, I'm Penny"),
            (Role::Customer, "hello"),
            (Role::Bot, "How can I help?"),
            (Role::Customer, "My card never arrived"),
            (Role::Agent, "Let me check"),
            (Role::Bot, "Cards take 5 days"),
        ]);
        let r = request_and_reply(&c).expect("a request");
        assert_eq!(r.text, "my card never arrived");
        assert_eq!(
            r.reply, "cards take 5 days",
            "a person's answer is not read"
        );
        assert_eq!(first_words("one two  three four", 2), "one two  ");
        assert_eq!(first_words("one two", 2), "one two");
        let unanswered = conv(&[(Role::Customer, "my card never arrived")]);
        assert_eq!(
            request_and_reply(&unanswered).map(|r| r.reply),
            Some(String::new())
        );
    }

    #[test]
    fn handles_and_urls_are_not_words() {
        assert_eq!(
            words("@teamyoutube my channel https://youtu.be/x is gone!"),
            vec!["my", "channel", "is", "gone"]
        );
    }

    #[test]
    fn wordpiece_takes_the_longest_known_prefix() {
        let vocab = ["un", "##afford", "##able", "unaff", "afford"];
        let look = |p: &str| vocab.iter().position(|v| *v == p).map(|i| i as u32);
        let mut out = Vec::new();
        wordpieces("unaffordable", look, &mut out);
        // "unaff" then "##ordable" is unknown, so greedy fails on that path: BERT does not
        // backtrack either, and the word gives nothing.
        assert!(out.is_empty());
        let mut out = Vec::new();
        wordpieces(
            "affordable",
            |p| if p == "afford" { Some(4) } else { look(p) },
            &mut out,
        );
        assert_eq!(out, vec![4, 2]);
    }

    #[test]
    fn folding_each_character_is_folding_the_text() {
        use unicode_normalization::UnicodeNormalization;
        let whole = |text: &str| -> String {
            let mut out = String::new();
            for c in text.nfkd() {
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else if c.is_whitespace() {
                    out.push(' ');
                }
            }
            out
        };
        // Accents precomposed and combining (stacked in either order), full-width letters,
        // ligatures, fractions, circled digits, odd spaces, Hangul, CJK, emoji.
        const PIECES: &[&str] = &[
            "Caf\u{e9}",
            "e\u{301}",
            "a\u{327}\u{301}",
            "o\u{301}\u{327}",
            "\u{ff21}\u{ff42}",
            "\u{fb01}",
            "\u{bd}",
            "\u{2460}",
            "\u{a0}",
            "\u{2003}",
            "\u{3000}",
            "\u{d55c}",
            "\u{4e2d}",
            "\u{1f44b}",
            "\u{2122}",
            "\u{1e9b}\u{323}",
            "x",
            " ",
            "CARD",
            "12",
            "\u{301}",
            "\u{2028}",
            "\u{2126}",
        ];
        let mut rng = crate::rng::Rng::new(9);
        for _ in 0..2000 {
            let n = (rng.next_u64() % 8) as usize;
            let text: String = (0..n)
                .map(|_| PIECES[(rng.next_u64() % PIECES.len() as u64) as usize])
                .collect();
            assert_eq!(fold(&text), whole(&text), "{text:?}");
        }
        assert_eq!(fold("Caf\u{e9} \u{ff21}\u{fb01}\u{bd}"), "cafe afi12");
    }
}

//! VADER-style lexicon sentiment for customer messages.
//!
//! [`SentimentModel::score`] is a Rust port of the compound score of
//! vaderSentiment 3.3.2 (Hutto & Gilbert, 2014; MIT licence, see
//! `lexicon/LICENSE-VADER.txt`) with the VADER lexicon, plus a built-in
//! customer-service lexicon ([`FRUSTRATION_LEXICON`]) whose entries override
//! or extend VADER's.
//!
//! Rules kept from VADER, with its constants: booster and dampener words
//! (±0.293, scaled 0.95 and 0.9 at distance 2 and 3), negation within the
//! three preceding tokens (×-0.74, including "n't" contractions, and "no"
//! before a lexicon word), "never so/this" (×1.25), "least", ALL-CAPS
//! emphasis (±0.733) when the message is mixed case, "but" (before ×0.5,
//! after ×1.5), "!" (0.292 each, up to 4), "??" (0.18 each, 0.96 for 4+),
//! and `compound = s / sqrt(s² + 15)`.
//!
//! Deliberate differences from vaderSentiment:
//! - tokens keep their surrounding punctuation only when that form is in the
//!   lexicon (emoticons such as `:(`); otherwise ASCII and common Unicode
//!   punctuation is stripped, so `ok!` and `no.` are looked up as `ok`/`no`
//!   (VADER keeps any token that strips to two characters or fewer);
//! - typographic apostrophes count as `'`, and lexicon entries with capitals
//!   (`:D`) are looked up in lower case, so they can match;
//! - "kind of", "sort of" and "just enough" dampen towards zero for negative
//!   words too, and wherever they stand in the sentence;
//! - multi-word entries (VADER's "fed up", "can't stand", the frustration
//!   phrases and user phrases) are matched as one unit, which the preceding
//!   three tokens can boost or negate;
//! - "but" weighs sentiments by position (VADER's Python looks them up by
//!   value); VADER's bigram idioms ("the bomb", "yeah right") and emoji
//!   descriptions are not implemented.
//!
//! Costs: one `String` and two small `Vec`s per call, one hash lookup per
//! token (a fixed-key FxHash map), one Aho-Corasick scan of the message for
//! phrases; no regex.

use std::collections::{BTreeMap, HashMap};

use super::fxhash::FxBuildHasher;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// The VADER lexicon: `token<TAB>mean valence` lines.
const VADER_LEXICON: &str = include_str!("lexicon/vader_lexicon.tsv");

/// Marker: "??", "!!!", "?!" or "!?" (in any longer run too).
pub const MARKER_REPEATED_PUNCTUATION: &str = "repeated_punctuation";
/// Marker: two or more ALL-CAPS words of three letters or more, not counting
/// common acronyms, in a message that also has lower case.
pub const MARKER_ALL_CAPS: &str = "all_caps";
/// Marker: an entry of the frustration lexicon (built-in or user-added) with
/// negative valence.
pub const MARKER_FRUSTRATION_PHRASE: &str = "frustration_phrase";
/// Marker: a word from [`PROFANITY`].
pub const MARKER_PROFANITY: &str = "profanity";
/// Marker: the customer repeats themselves ([`ALREADY_TOLD`]).
pub const MARKER_ALREADY_TOLD: &str = "already_told";

/// Customer-service valences merged over the VADER lexicon (word or phrase,
/// valence on VADER's -4..4 scale). The negative ones are frustration
/// markers.
pub const FRUSTRATION_LEXICON: &[(&str, f32)] = &[
    // the bot or the service is failing the customer
    ("useless", -3.0),
    ("pointless", -2.5),
    ("rubbish", -2.5),
    ("ridiculous", -2.5),
    ("unacceptable", -2.8),
    ("unhelpful", -2.5),
    ("incompetent", -2.8),
    ("hopeless", -2.5),
    ("pathetic", -2.8),
    ("disgraceful", -3.0),
    ("appalling", -3.0),
    ("shambles", -2.8),
    ("frustrating", -2.5),
    ("frustrated", -2.5),
    ("infuriating", -3.0),
    ("annoying", -2.0),
    ("nonsense", -2.0),
    ("not helping", -2.5),
    ("not helpful", -2.5),
    ("no help", -2.5),
    ("waste of time", -3.0),
    ("waste of my time", -3.0),
    ("wasting my time", -3.0),
    ("still not working", -2.5),
    ("still doesn't work", -2.5),
    ("still broken", -2.5),
    ("still waiting", -2.0),
    ("not working", -2.0),
    ("isn't working", -2.0),
    ("doesn't work", -2.0),
    ("does not work", -2.0),
    ("didn't work", -2.0),
    ("did not work", -2.0),
    ("didn't help", -2.0),
    ("did not help", -2.0),
    ("doesn't help", -2.0),
    ("give up", -2.0),
    ("giving up", -2.0),
    ("fed up", -2.8),
    ("sick of", -2.5),
    ("sick and tired", -3.0),
    ("tired of", -2.0),
    ("terrible service", -3.0),
    ("awful service", -3.0),
    ("worst service", -3.2),
    ("poor service", -2.5),
    ("bad service", -2.5),
    ("this is a joke", -2.5),
    ("what a joke", -2.5),
    ("makes no sense", -2.0),
    ("not listening", -2.5),
    ("not what i asked", -2.0),
    ("you don't understand", -2.0),
    ("going round in circles", -2.5),
    ("going in circles", -2.5),
    ("not good enough", -2.5),
    ("never again", -2.5),
    // resolution and thanks
    ("sorted", 2.0),
    ("all sorted", 2.5),
    ("fixed it", 2.5),
    ("that worked", 2.0),
    ("it worked", 2.0),
    ("works now", 2.0),
    ("working now", 2.0),
    ("solved", 2.0),
    ("resolved", 2.0),
    ("problem solved", 2.5),
    ("thank you", 1.5),
    ("thanks", 1.5),
    ("much appreciated", 2.0),
    ("appreciate it", 2.0),
    ("that helps", 1.8),
    ("that helped", 1.8),
    ("great help", 2.5),
    ("makes sense", 1.2),
];

/// Profanity (marker only; VADER's own valences still apply to scoring).
pub const PROFANITY: &[&str] = &[
    "fuck",
    "fucks",
    "fucking",
    "fuckin",
    "fucked",
    "fucker",
    "fck",
    "fcking",
    "f*ck",
    "f*cking",
    "f**k",
    "f**king",
    "f***",
    "f***ing",
    "motherfucker",
    "shit",
    "shitty",
    "shite",
    "sh*t",
    "bullshit",
    "crap",
    "crappy",
    "damn",
    "dammit",
    "goddamn",
    "bloody",
    "bollocks",
    "bastard",
    "bastards",
    "bitch",
    "arse",
    "arsehole",
    "ass",
    "asshole",
    "piss",
    "pissed",
    "wanker",
    "twat",
    "dickhead",
    "wtf",
    "ffs",
    "stfu",
    "the hell",
];

/// The customer says they are repeating themselves.
pub const ALREADY_TOLD: &[&str] = &[
    "i already told you",
    "already told you",
    "i already said",
    "i've already said",
    "i have already said",
    "i've told you",
    "i told you",
    "as i said",
    "as i already said",
    "like i said",
    "i just said",
    "i just told you",
    "i keep telling you",
    "i keep saying",
    "for the second time",
    "for the third time",
    "how many times",
    "repeat myself",
    // A bare "again" is too common in neutral questions ("how do I stop this happening
    // again?"); only phrasings that complain about repetition count.
    "again and again",
    "ask again",
    "asking again",
    "not again",
    "this again",
    "same thing again",
    "same answer again",
    "here we go again",
];

/// ALL-CAPS words that are not shouting.
const ACRONYMS: &[&str] = &[
    "atm", "pin", "iban", "sms", "uk", "usa", "ok", "id", "us", "eu", "bic", "swift", "sepa",
    "bacs", "chaps", "faq", "api", "url", "pdf", "csv", "usb", "gps", "vat", "eur", "usd", "gbp",
    "aud", "cad", "chf", "jpy", "ceo", "eta", "asap", "nhs", "hmrc", "dvla", "bbc", "ups", "dhl",
    "dpd", "tnt", "sim", "puk", "otp", "ios", "dvd", "cvv", "cvc", "nfc", "kyc", "isa", "apr",
    "jpg", "png", "html", "http", "https", "www", "vpn", "wifi", "fyi", "btw", "gmt", "bst", "utc",
    "est", "pst", "cet", "imei", "mms", "sku", "ref", "tbh", "imo", "nino", "dob", "ssn", "pac",
    "lol", "omg",
];

const B_INCR: f32 = 0.293;
const B_DECR: f32 = -0.293;
const C_INCR: f32 = 0.733;
const N_SCALAR: f32 = -0.74;
const ALPHA: f32 = 15.0;

/// VADER's NEGATE list; any token containing "n't" negates too.
const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

/// VADER's single-word boosters (+) and dampeners (-).
const BOOSTERS: &[(&str, f32)] = &[
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("completely", B_INCR),
    ("considerable", B_INCR),
    ("considerably", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("effing", B_INCR),
    ("enormous", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptional", B_INCR),
    ("exceptionally", B_INCR),
    ("extreme", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("flippin", B_INCR),
    ("frackin", B_INCR),
    ("fracking", B_INCR),
    ("fricking", B_INCR),
    ("frickin", B_INCR),
    ("frigging", B_INCR),
    ("friggin", B_INCR),
    ("fully", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("fuggin", B_INCR),
    ("fugging", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredible", B_INCR),
    ("incredibly", B_INCR),
    ("intensely", B_INCR),
    ("major", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("particularly", B_INCR),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("thoroughly", B_INCR),
    ("total", B_INCR),
    ("totally", B_INCR),
    ("tremendous", B_INCR),
    ("tremendously", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utter", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("hardly", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("kind-of", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginal", B_DECR),
    ("marginally", B_DECR),
    ("occasional", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("scarce", B_DECR),
    ("scarcely", B_DECR),
    ("slight", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
    ("sort-of", B_DECR),
];

/// VADER's two-word dampeners.
const DAMPENER_BIGRAMS: &[(&str, &str)] = &[("kind", "of"), ("sort", "of"), ("just", "enough")];

/// What the model knows about one lower-case token.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct WordInfo {
    /// Lexicon valence, if the token is in the lexicon.
    valence: Option<f32>,
    /// Booster (> 0) or dampener (< 0) scalar; 0 for other words.
    booster: f32,
    /// In VADER's NEGATE list.
    negation: bool,
}

/// Per-thread buffers of `score_and_markers`, reused across customer messages instead of
/// three allocations per message.
#[derive(Default)]
struct Scratch {
    buf: String,
    raws: Vec<RawTok>,
    toks: Vec<Tok>,
}

/// Buffers larger than this are dropped after use.
const SCRATCH_MAX_BYTES: usize = 64 << 10;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// One whitespace-separated token of the lower-cased buffer.
#[derive(Clone, Copy)]
struct RawTok {
    start: usize,
    end: usize,
    /// Python's `str.isupper()`: has upper-case letters and no lower-case.
    upper: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Word,
    /// First token of a multi-word lexicon entry: carries its valence.
    PhraseHead,
    /// Later token of a multi-word entry: no valence of its own.
    PhraseMember,
}

/// A token ready for scoring.
#[derive(Clone, Copy)]
struct Tok {
    /// The lexicon form (punctuation stripped unless the punctuated form is in
    /// the lexicon), as a range of the buffer.
    start: usize,
    end: usize,
    /// End of the raw token in the buffer (for mapping phrase matches).
    raw_end: usize,
    upper: bool,
    info: WordInfo,
    role: Role,
}

impl Tok {
    /// VADER's `word in lexicon` (phrase parts count as lexicon words).
    #[inline]
    fn in_lexicon(&self) -> bool {
        self.role != Role::Word || self.info.valence.is_some()
    }
}

const MF_FRUSTRATION: u8 = 1;
const MF_PROFANITY: u8 = 2;
const MF_ALREADY_TOLD: u8 = 4;
/// "again": does not count after "thanks" / "thank you".
const MF_AGAIN: u8 = 8;
const MF_ALL: u8 = MF_FRUSTRATION | MF_PROFANITY | MF_ALREADY_TOLD;

/// VADER sentiment with a customer-service lexicon. Build once (a few ms)
/// and share it (`Send + Sync`).
pub struct SentimentModel {
    /// Single-token lexicon plus booster/negation flags, lower-case keys.
    words: HashMap<Box<str>, WordInfo, FxBuildHasher>,
    /// Multi-word lexicon entries, leftmost-longest.
    phrases: AhoCorasick,
    phrase_valence: Vec<f32>,
    /// Frustration, profanity and already-told patterns, overlapping.
    markers: AhoCorasick,
    marker_flags: Vec<u8>,
}

impl Default for SentimentModel {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SentimentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentimentModel")
            .field("words", &self.words.len())
            .field("phrases", &self.phrase_valence.len())
            .field("marker_patterns", &self.marker_flags.len())
            .finish()
    }
}

impl SentimentModel {
    /// The VADER lexicon merged with [`FRUSTRATION_LEXICON`].
    pub fn new() -> SentimentModel {
        Self::with_extra(&[])
    }

    /// Like [`new`](Self::new), then adds or overrides entries: a word or a
    /// multi-word phrase (matched case-insensitively, whitespace-normalised)
    /// with a valence, clamped to -4..=4; non-finite valences and empty
    /// entries are ignored. Extras with a negative valence also count as
    /// frustration markers; giving a built-in frustration entry a
    /// non-negative valence stops it from being one.
    pub fn with_extra(extra: &[(String, f32)]) -> SentimentModel {
        let mut words: HashMap<Box<str>, WordInfo, FxBuildHasher> =
            HashMap::with_capacity_and_hasher(8192, FxBuildHasher::default());
        let mut phrases: BTreeMap<String, f32> = BTreeMap::new();

        for line in VADER_LEXICON.lines() {
            let Some((token, valence)) = line.split_once('\t') else {
                continue;
            };
            let Ok(valence) = valence.trim().parse::<f32>() else {
                continue;
            };
            if token.contains(char::is_whitespace) {
                phrases.insert(normalise_phrase(token), valence);
            } else if token.chars().any(char::is_uppercase) {
                // ":D" and friends: VADER never matches them (it looks up
                // lower case); here they match unless a lower-case entry
                // exists.
                let info = words.entry(token.to_lowercase().into()).or_default();
                if info.valence.is_none() {
                    info.valence = Some(valence);
                }
            } else {
                words.entry(token.into()).or_default().valence = Some(valence);
            }
        }
        for &(word, scalar) in BOOSTERS {
            words.entry(word.into()).or_default().booster = scalar;
        }
        for &word in NEGATE {
            words.entry(word.into()).or_default().negation = true;
        }

        // Frustration lexicon, then the user's extras, over VADER.
        let mut frustration: BTreeMap<String, f32> = FRUSTRATION_LEXICON
            .iter()
            .map(|&(k, v)| (normalise_phrase(k), v))
            .collect();
        for (key, valence) in extra {
            let key = normalise_phrase(key);
            if key.is_empty() || !valence.is_finite() {
                continue;
            }
            frustration.insert(key, valence.clamp(-4.0, 4.0));
        }
        for (key, &valence) in &frustration {
            if key.contains(' ') {
                phrases.insert(key.clone(), valence);
            } else {
                words.entry(key.as_str().into()).or_default().valence = Some(valence);
            }
        }

        // Phrase automaton, with apostrophe-less spellings ("doesnt work").
        let mut phrase_patterns: BTreeMap<String, f32> = BTreeMap::new();
        for (key, &valence) in &phrases {
            if key.contains('\'') {
                phrase_patterns
                    .entry(key.replace('\'', ""))
                    .or_insert(valence);
            }
        }
        phrase_patterns.extend(phrases);
        let phrase_valence: Vec<f32> = phrase_patterns.values().copied().collect();
        let phrase_ac = build_automaton(phrase_patterns.keys(), MatchKind::LeftmostLongest);

        // Marker automaton.
        let mut marker_patterns: BTreeMap<String, u8> = BTreeMap::new();
        let mut add_marker = |pattern: &str, flag: u8| {
            *marker_patterns.entry(pattern.to_owned()).or_default() |= flag;
            if pattern.contains('\'') {
                *marker_patterns
                    .entry(pattern.replace('\'', ""))
                    .or_default() |= flag;
            }
        };
        for (key, &valence) in &frustration {
            if valence < 0.0 {
                add_marker(key, MF_FRUSTRATION);
            }
        }
        for &p in PROFANITY {
            add_marker(p, MF_PROFANITY);
        }
        for &p in ALREADY_TOLD {
            add_marker(
                p,
                if p == "again" {
                    MF_AGAIN
                } else {
                    MF_ALREADY_TOLD
                },
            );
        }
        let marker_flags: Vec<u8> = marker_patterns.values().copied().collect();
        let markers = build_automaton(marker_patterns.keys(), MatchKind::Standard);

        SentimentModel {
            words,
            phrases: phrase_ac,
            phrase_valence,
            markers,
            marker_flags,
        }
    }

    /// VADER compound score in [-1, 1]; 0 for text with no sentiment.
    pub fn score(&self, text: &str) -> f32 {
        self.score_and_markers(text).0
    }

    /// `score` and `frustration_markers` together, normalising the text once (both run on
    /// every customer message).
    pub fn score_and_markers(&self, text: &str) -> (f32, Vec<&'static str>) {
        let run = |scratch: &mut Scratch| {
            let Scratch { buf, raws, toks } = scratch;
            let mixed_case = normalise_into(text, buf, raws);
            let markers = self.markers_of(text, buf, raws, mixed_case);
            let score = self.compound(text, buf, raws, toks);
            // A huge message does not pin its buffers for the rest of the run.
            if buf.capacity() > SCRATCH_MAX_BYTES {
                *scratch = Scratch::default();
            }
            (score, markers)
        };
        SCRATCH
            .try_with(|s| run(&mut s.borrow_mut()))
            .unwrap_or_else(|_| run(&mut Scratch::default()))
    }

    fn compound(&self, text: &str, buf: &str, raws: &[RawTok], toks: &mut Vec<Tok>) -> f32 {
        if raws.is_empty() {
            return 0.0;
        }
        self.tokens(buf, raws, toks);
        let toks = &toks[..];
        let sum = self.valence_sum(buf, toks);
        if sum == 0.0 {
            return 0.0;
        }
        let amp = punctuation_emphasis(text);
        let sum = if sum > 0.0 { sum + amp } else { sum - amp };
        (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
    }

    /// Which frustration markers fire in `text`, in the order
    /// repeated_punctuation, all_caps, frustration_phrase, profanity,
    /// already_told (each at most once).
    pub fn frustration_markers(&self, text: &str) -> Vec<&'static str> {
        self.score_and_markers(text).1
    }

    fn markers_of(
        &self,
        text: &str,
        buf: &str,
        raws: &[RawTok],
        mixed_case: bool,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        if has_repeated_punctuation(text) {
            out.push(MARKER_REPEATED_PUNCTUATION);
        }
        if mixed_case && count_shouted_words(buf, raws) >= 2 {
            out.push(MARKER_ALL_CAPS);
        }
        let flags = self.marker_scan(buf);
        for (flag, name) in [
            (MF_FRUSTRATION, MARKER_FRUSTRATION_PHRASE),
            (MF_PROFANITY, MARKER_PROFANITY),
            (MF_ALREADY_TOLD, MARKER_ALREADY_TOLD),
        ] {
            if flags & flag != 0 {
                out.push(name);
            }
        }
        out
    }

    /// Lexicon forms, lexicon information and phrase roles for the tokens.
    fn tokens(&self, buf: &str, raws: &[RawTok], toks: &mut Vec<Tok>) {
        toks.clear();
        toks.extend(raws.iter().map(|raw| {
            let (start, end, info) = self.lookup(buf, raw.start, raw.end);
            Tok {
                start,
                end,
                raw_end: raw.end,
                upper: raw.upper,
                info,
                role: Role::Word,
            }
        }));
        if raws.len() >= 2 {
            for m in self.phrases.find_iter(buf) {
                if !on_word_boundaries(buf, m.start(), m.end()) {
                    continue;
                }
                let first = toks.partition_point(|t| t.raw_end <= m.start());
                let last = toks.partition_point(|t| t.raw_end < m.end());
                if last <= first || last >= toks.len() {
                    continue;
                }
                if toks[first..=last].iter().any(|t| t.role != Role::Word) {
                    continue;
                }
                let valence = self.phrase_valence[m.pattern().as_usize()];
                let upper = toks[first..=last].iter().any(|t| t.upper);
                toks[first].role = Role::PhraseHead;
                toks[first].info.valence = Some(valence);
                toks[first].upper = upper;
                for t in &mut toks[first + 1..=last] {
                    t.role = Role::PhraseMember;
                }
            }
        }
    }

    /// The lexicon form of `buf[start..end]` and what the lexicon says of it.
    #[inline]
    fn lookup(&self, buf: &str, start: usize, end: usize) -> (usize, usize, WordInfo) {
        let s = &buf[start..end];
        let b = s.as_bytes();
        let plain = |c: u8| c.is_ascii_alphanumeric();
        if b.first().copied().is_some_and(plain) && b.last().copied().is_some_and(plain) {
            return (start, end, self.info(s));
        }
        // Emoticons and other punctuated lexicon entries are kept whole.
        let whole = self.info(s);
        if whole.valence.is_some() {
            return (start, end, whole);
        }
        let trimmed_start = s.trim_start_matches(is_punct);
        let trimmed = trimmed_start.trim_end_matches(is_punct);
        if trimmed.is_empty() {
            return (start, end, whole);
        }
        let t_start = start + (s.len() - trimmed_start.len());
        (t_start, t_start + trimmed.len(), self.info(trimmed))
    }

    #[inline]
    fn info(&self, word: &str) -> WordInfo {
        self.words.get(word).copied().unwrap_or_default()
    }

    /// The sum of the token sentiments after VADER's rules ("but" included).
    fn valence_sum(&self, buf: &str, toks: &[Tok]) -> f32 {
        let n = toks.len();
        let word = |i: usize| &buf[toks[i].start..toks[i].end];
        let upper_count = toks.iter().filter(|t| t.upper).count();
        let cap_diff = upper_count > 0 && upper_count < n;
        let but_at = (0..n).find(|&i| toks[i].role == Role::Word && word(i) == "but");
        let is_negated = |i: usize| toks[i].info.negation || word(i).contains("n't");
        // "no" that is not part of a phrase ("no help")
        let is_no = |i: usize| toks[i].role == Role::Word && word(i) == "no";
        let dampener_at = |i: usize| {
            i + 1 < n
                && DAMPENER_BIGRAMS
                    .iter()
                    .any(|&(a, b)| word(i) == a && word(i + 1) == b)
        };

        let mut sum = 0.0f32;
        for (i, &tok) in toks.iter().enumerate() {
            let Some(base) = tok.info.valence else {
                continue;
            };
            let mut v = base;
            match tok.role {
                Role::PhraseMember => continue,
                Role::PhraseHead => {}
                Role::Word => {
                    if tok.info.booster != 0.0 || dampener_at(i) || (i > 0 && dampener_at(i - 1)) {
                        continue;
                    }
                    // "no" before a lexicon word negates it instead of
                    // counting itself.
                    if word(i) == "no" && i + 1 < n && toks[i + 1].in_lexicon() {
                        v = 0.0;
                    }
                }
            }
            if (i > 0 && is_no(i - 1))
                || (i > 1 && is_no(i - 2))
                || (i > 2 && is_no(i - 3) && matches!(word(i - 1), "or" | "nor"))
            {
                v = base * N_SCALAR;
            }
            if tok.upper && cap_diff {
                if v > 0.0 {
                    v += C_INCR;
                } else if v < 0.0 {
                    v -= C_INCR;
                }
            }
            for start_i in 0..3 {
                if i <= start_i {
                    break;
                }
                let j = i - (start_i + 1);
                if toks[j].in_lexicon() {
                    continue;
                }
                let mut s = booster_scalar(toks[j].info.booster, toks[j].upper, v, cap_diff);
                if start_i == 1 {
                    s *= 0.95;
                } else if start_i == 2 {
                    s *= 0.9;
                }
                v += s;
                // Negation, with VADER's "never so/this" and "without doubt".
                match start_i {
                    0 => {
                        if is_negated(i - 1) {
                            v *= N_SCALAR;
                        }
                    }
                    1 => {
                        if word(i - 2) == "never" && matches!(word(i - 1), "so" | "this") {
                            v *= 1.25;
                        } else if word(i - 2) == "without" && word(i - 1) == "doubt" {
                        } else if is_negated(i - 2) {
                            v *= N_SCALAR;
                        }
                    }
                    _ => {
                        // As in vaderSentiment (operator precedence
                        // included): "so"/"this" right before the word
                        // amplifies, whatever stands at i-3.
                        if (word(i - 3) == "never" && matches!(word(i - 2), "so" | "this"))
                            || matches!(word(i - 1), "so" | "this")
                        {
                            v *= 1.25;
                        } else if word(i - 3) == "without"
                            && (word(i - 2) == "doubt" || word(i - 1) == "doubt")
                        {
                        } else if is_negated(i - 3) {
                            v *= N_SCALAR;
                        }
                    }
                }
            }
            // "kind of" / "sort of" / "just enough" right before (or one
            // token before) the word.
            if tok.role == Role::Word || tok.role == Role::PhraseHead {
                if i >= 2 && dampener_at(i - 2) {
                    let both_upper = toks[i - 2].upper && toks[i - 1].upper;
                    v += booster_scalar(B_DECR, both_upper, v, cap_diff);
                } else if i >= 3 && dampener_at(i - 3) {
                    let both_upper = toks[i - 3].upper && toks[i - 2].upper;
                    v += booster_scalar(B_DECR, both_upper, v, cap_diff) * 0.95;
                }
            }
            // "least": "least X" negates, "at least X" / "very least X" don't.
            if i > 1 && !toks[i - 1].in_lexicon() && word(i - 1) == "least" {
                if word(i - 2) != "at" && word(i - 2) != "very" {
                    v *= N_SCALAR;
                }
            } else if i > 0 && !toks[i - 1].in_lexicon() && word(i - 1) == "least" {
                v *= N_SCALAR;
            }
            let weight = match but_at {
                Some(b) if i < b => 0.5,
                Some(b) if i > b => 1.5,
                _ => 1.0,
            };
            sum += v * weight;
        }
        sum
    }

    /// Marker flags found in the normalised buffer.
    fn marker_scan(&self, buf: &str) -> u8 {
        let mut flags = 0u8;
        for m in self.markers.find_overlapping_iter(buf) {
            if !on_word_boundaries(buf, m.start(), m.end()) {
                continue;
            }
            let mut f = self.marker_flags[m.pattern().as_usize()];
            if f & MF_AGAIN != 0 {
                f &= !MF_AGAIN;
                if !after_thanks(&buf[..m.start()]) {
                    f |= MF_ALREADY_TOLD;
                }
            }
            flags |= f;
            if flags & MF_ALL == MF_ALL {
                break;
            }
        }
        flags
    }
}

/// VADER's `scalar_inc_dec` for a modifier with scalar `scalar`.
#[inline]
fn booster_scalar(scalar: f32, modifier_upper: bool, valence: f32, cap_diff: bool) -> f32 {
    if scalar == 0.0 {
        return 0.0;
    }
    let mut s = if valence < 0.0 { -scalar } else { scalar };
    if modifier_upper && cap_diff {
        if valence > 0.0 {
            s += C_INCR;
        } else {
            s -= C_INCR;
        }
    }
    s
}

/// Lower-cases `text` into `buf` with single spaces between tokens (any run
/// of whitespace separates), typographic apostrophes as `'`, and records
/// each token. Returns whether the text has any lower-case letter.
fn normalise_into(text: &str, buf: &mut String, toks: &mut Vec<RawTok>) -> bool {
    toks.clear();
    if text.is_ascii() {
        let mut bytes = std::mem::take(buf).into_bytes();
        let any_lower = normalise_ascii(text.as_bytes(), &mut bytes, toks);
        // Only ASCII was written, so this cannot fail.
        *buf = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        return any_lower;
    }
    buf.clear();
    let mut any_lower = false;
    for word in text.split_whitespace() {
        if !buf.is_empty() {
            buf.push(' ');
        }
        let start = buf.len();
        let (mut has_upper, mut has_lower) = (false, false);
        if word.is_ascii() {
            for b in word.bytes() {
                has_upper |= b.is_ascii_uppercase();
                has_lower |= b.is_ascii_lowercase();
            }
            buf.push_str(word);
            buf[start..].make_ascii_lowercase();
        } else {
            for c in word.chars() {
                match c {
                    '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{2032}' => buf.push('\''),
                    _ if c.is_uppercase() => {
                        has_upper = true;
                        buf.extend(c.to_lowercase());
                    }
                    _ => {
                        has_lower |= c.is_lowercase();
                        buf.push(c);
                    }
                }
            }
        }
        toks.push(RawTok {
            start,
            end: buf.len(),
            upper: has_upper && !has_lower,
        });
        any_lower |= has_lower;
    }
    any_lower
}

/// [`normalise_into`] for ASCII text, a byte at a time.
fn normalise_ascii(text: &[u8], out: &mut Vec<u8>, toks: &mut Vec<RawTok>) -> bool {
    // char::is_whitespace restricted to ASCII
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    out.clear();
    out.reserve(text.len() + 1);
    let mut any_lower = false;
    let mut rest = text;
    while let Some(skip) = rest.iter().position(|b| !is_space(b)) {
        rest = &rest[skip..];
        let len = rest.iter().position(is_space).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(len);
        rest = tail;
        if !out.is_empty() {
            out.push(b' ');
        }
        let start = out.len();
        let (upper, lower) = word.iter().fold((false, false), |(u, l), b| {
            (u | b.is_ascii_uppercase(), l | b.is_ascii_lowercase())
        });
        out.extend_from_slice(word);
        out[start..].make_ascii_lowercase();
        toks.push(RawTok {
            start,
            end: out.len(),
            upper: upper && !lower,
        });
        any_lower |= lower;
    }
    any_lower
}

/// Punctuation stripped from token edges.
#[inline]
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{201c}'
                | '\u{201d}'
                | '\u{201e}'
                | '\u{ab}'
                | '\u{bb}'
                | '\u{2039}'
                | '\u{203a}'
                | '\u{2026}'
                | '\u{a1}'
                | '\u{bf}'
                | '\u{2013}'
                | '\u{2014}'
                | '\u{b7}'
        )
}

/// Lower-case, apostrophe-normalised, single-spaced form of a lexicon key.
fn normalise_phrase(s: &str) -> String {
    let mut buf = String::with_capacity(s.len());
    let mut toks = Vec::new();
    normalise_into(s, &mut buf, &mut toks);
    buf
}

fn build_automaton<I, P>(patterns: I, kind: MatchKind) -> AhoCorasick
where
    I: IntoIterator<Item = P> + Clone,
    P: AsRef<[u8]>,
{
    // A DFA is fastest and small for a few hundred short patterns; fall back
    // to the automatic choice for very large user lexicons.
    AhoCorasick::builder()
        .match_kind(kind)
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns.clone())
        .or_else(|_| AhoCorasick::builder().match_kind(kind).build(patterns))
        .expect("phrase automaton within aho-corasick's size limits")
}

/// The match `buf[start..end]` is not part of a longer word.
fn on_word_boundaries(buf: &str, start: usize, end: usize) -> bool {
    let before = buf[..start].chars().next_back();
    let after = buf[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Whether the text before "again" ends with "thanks" / "thank you"
/// (optionally followed by "once").
fn after_thanks(before: &str) -> bool {
    let t = before.trim_end_matches(|c: char| !c.is_alphanumeric());
    let t = t
        .strip_suffix("once")
        .map_or(t, |r| r.trim_end_matches(|c: char| !c.is_alphanumeric()));
    ["thanks", "thank you", "thx", "cheers", "ty"]
        .iter()
        .any(|w| t.ends_with(w) && !on_letter_before(t, t.len() - w.len()))
}

fn on_letter_before(s: &str, at: usize) -> bool {
    s[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// VADER's punctuation emphasis: "!" (0.292 each, up to 4) and "?" when
/// there are two or more (0.18 each, 0.96 for four or more).
fn punctuation_emphasis(text: &str) -> f32 {
    let (mut ep, mut qm) = (0u32, 0u32);
    for b in text.bytes() {
        ep += u32::from(b == b'!');
        qm += u32::from(b == b'?');
    }
    let ep_amp = ep.min(4) as f32 * 0.292;
    let qm_amp = match qm {
        0 | 1 => 0.0,
        2 | 3 => qm as f32 * 0.18,
        _ => 0.96,
    };
    ep_amp + qm_amp
}

/// "??", "!!!", "?!" or "!?" (also with "‽").
fn has_repeated_punctuation(text: &str) -> bool {
    let (mut q, mut e) = (0u32, 0u32);
    for c in text.chars() {
        match c {
            '?' | '\u{ff1f}' => q += 1,
            '!' | '\u{ff01}' => e += 1,
            '\u{203d}' => return true,
            _ => {
                q = 0;
                e = 0;
                continue;
            }
        }
        if q >= 2 || e >= 3 || (q >= 1 && e >= 1) {
            return true;
        }
    }
    false
}

/// ALL-CAPS words of three letters or more that are not acronyms.
fn count_shouted_words(buf: &str, raws: &[RawTok]) -> usize {
    raws.iter()
        .filter(|raw| raw.upper)
        .filter(|raw| {
            let core = buf[raw.start..raw.end].trim_matches(is_punct);
            let letters = core.chars().filter(|c| c.is_alphabetic()).count();
            letters >= 3
                && core
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
                && !ACRONYMS.contains(&core)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn model() -> &'static SentimentModel {
        static M: OnceLock<SentimentModel> = OnceLock::new();
        M.get_or_init(SentimentModel::new)
    }

    fn s(text: &str) -> f32 {
        model().score(text)
    }

    fn markers(text: &str) -> Vec<&'static str> {
        model().frustration_markers(text)
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn model_is_send_sync_and_default() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SentimentModel>();
        assert!(SentimentModel::default().score("great") > 0.0);
        assert!(format!("{:?}", model()).contains("SentimentModel"));
    }

    #[test]
    fn lexicon_loaded() {
        let m = model();
        assert!(m.words.len() > 7400, "{}", m.words.len());
        assert_eq!(m.info("good").valence, Some(1.9));
        assert_eq!(m.info(":(").valence, Some(-1.9));
        // last duplicate wins, as in vaderSentiment
        assert_eq!(m.info("lol").valence, Some(1.8));
        // the frustration lexicon overrides VADER
        assert_eq!(m.info("thanks").valence, Some(1.5));
        assert_eq!(m.info("useless").valence, Some(-3.0));
        assert!(m.info("very").booster > 0.0);
        assert!(m.info("barely").booster < 0.0);
        assert!(m.info("never").negation);
        assert_eq!(m.info("zzzqqq"), WordInfo::default());
    }

    /// Compound scores from vaderSentiment 3.3.2 (Python) for sentences that
    /// none of the deliberate differences touch.
    #[test]
    fn matches_reference_vader() {
        let cases: &[(&str, f32)] = &[
            ("VADER is smart, handsome, and funny.", 0.8316),
            ("VADER is smart, handsome, and funny!", 0.8439),
            ("VADER is very smart, handsome, and funny.", 0.8545),
            ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
            ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469),
            ("VADER is not smart, handsome, nor funny.", -0.7424),
            ("The book was good.", 0.4404),
            ("At least it isn't a horrible book.", 0.431),
            ("The book was only kind of good.", 0.3832),
            (
                "The plot was good, but the characters are uncompelling and the dialog is not great.",
                -0.7042,
            ),
            ("Today SUX!", -0.5461),
            ("Not bad at all", 0.431),
            ("The service is not good", -0.3412),
            ("I love this", 0.6369),
            ("This is terrible", -0.4767),
            ("The food was great but the service was awful", -0.3506),
            ("Is this good??", 0.504),
            ("Is this good???? ", 0.594),
            ("I am happy", 0.5719),
            ("I am so happy", 0.6948),
            ("I am not happy", -0.4585),
            ("I am never happy", -0.4585),
            ("I am extremely happy!!", 0.6785),
            ("no problem", 0.3089),
            ("The movie was barely good", 0.3832),
            ("I hate waiting", -0.5719),
            ("I don't hate it", 0.4585),
            ("It isn't that bad", 0.431),
            ("I'm not angry, just disappointed", 0.6435),
            (
                "Why is my parcel still not here? It was due three days ago, not happy.",
                -0.4585,
            ),
            ("hmm ok", 0.296),
            ("FFS just give me a human", -0.6739),
            ("I am not VERY happy but it is ok I guess", 0.1082),
            ("least good", -0.3412),
            ("the least good", -0.3412),
            ("at least good", 0.4404),
            ("i am not so sure it is bad", -0.7161),
            ("never so bad", -0.6696),
            ("", 0.0),
        ];
        for &(text, want) in cases {
            let got = s(text);
            assert!(close(got, want), "{text:?}: got {got}, want {want}");
        }
    }

    #[test]
    fn compound_is_bounded_and_neutral_is_zero() {
        let long = "great wonderful excellent amazing love ".repeat(50);
        let v = s(&long);
        assert!(v > 0.99 && v <= 1.0, "{v}");
        let v = s(&"awful horrible terrible hate ".repeat(50));
        assert!((-1.0..-0.99).contains(&v), "{v}");
        assert_eq!(s("my parcel id is 12345"), 0.0);
        assert_eq!(s("   \n\t "), 0.0);
        assert_eq!(s("!!! ???"), 0.0);
    }

    #[test]
    fn tokenisation_strips_punctuation_but_keeps_emoticons() {
        assert!(close(s("good!!!"), s("good !!!")));
        assert!(close(s("(good)"), s("good")));
        assert!(close(s("\u{201c}good\u{201d}"), s("good")));
        assert!(s("my order is late :(") < 0.0);
        assert!(s("thanks :)") > s("thanks"));
        assert!(s("ok!") > 0.0); // VADER itself misses this one
                                 // negative: time stamps and codes are not emoticons or words
        assert_eq!(s("see you at 10:30"), 0.0);
        assert_eq!(s("code X-42-B"), 0.0);
    }

    #[test]
    fn lexicon_lookup_is_case_insensitive() {
        assert!(close(s("good"), s("Good")));
        assert!(s(":D") > 0.0);
        // negative: a word that is not in the lexicon stays neutral in caps
        assert_eq!(s("PARCEL"), 0.0);
    }

    #[test]
    fn boosters_and_dampeners() {
        let base = s("the reply was good");
        assert!(s("the reply was very good") > base);
        assert!(s("the reply was really good") > base);
        assert!(s("the reply was extremely good") > base);
        assert!(s("the reply was barely good") < base);
        assert!(s("the reply was kind of good") < base);
        assert!(s("the reply was sort of good") < base);
        // dampeners pull negative words towards zero too
        assert!(s("the reply was kind of bad") > s("the reply was bad"));
        assert!(s("the reply was very bad") < s("the reply was bad"));
        // negative: a non-booster word in the same position changes nothing
        assert!(close(s("the reply was blue good"), base));
        // booster distance scaling: further away boosts less
        assert!(s("very good") > s("very blue good"));
    }

    #[test]
    fn negation_within_three_tokens() {
        assert!(s("good") > 0.0);
        assert!(s("not good") < 0.0);
        assert!(s("it isn't good") < 0.0);
        assert!(s("it isnt good") < 0.0);
        assert!(s("it don\u{2019}t seem good") < 0.0);
        assert!(s("never a good answer") < 0.0);
        assert!(s("this doesn't look that good") < 0.0);
        assert!(s("no good answers") < 0.0);
        assert!(s("not bad") > 0.0);
        // negative: a negation four tokens back does not reach the word
        assert!(s("not that it was a good answer") > 0.0);
        // "never so good" amplifies rather than negates
        assert!(s("never so good") > 0.0);
    }

    #[test]
    fn all_caps_emphasis_only_in_mixed_case() {
        assert!(s("This is GOOD") > s("This is good"));
        assert!(s("This is AWFUL") < s("This is awful"));
        // negative: an all-caps message gets no caps emphasis
        assert!(close(s("THIS IS GOOD"), s("this is good")));
    }

    #[test]
    fn but_shifts_weight() {
        let with_but = s("The food was great but the service was awful");
        let with_and = s("The food was great and the service was awful");
        assert!(with_but < 0.0 && with_and > with_but);
        assert!(s("the service was awful but the food was great") > 0.0);
        // negative: "butter" is not "but"
        assert!(close(
            s("the food was great butter the service was awful"),
            with_and
        ));
    }

    #[test]
    fn exclamation_marks_add_emphasis_up_to_four() {
        assert!(s("good!") > s("good"));
        assert!(s("good!!") > s("good!"));
        assert!(s("bad!") < s("bad"));
        assert!(close(s("good!!!!"), s("good!!!!!!!!")));
        // negative: no emphasis on a neutral message
        assert_eq!(s("hello!!!!"), 0.0);
    }

    #[test]
    fn question_marks_add_emphasis_from_two() {
        assert!(close(s("good?"), s("good")));
        assert!(s("good??") > s("good?"));
        assert!(close(s("good????"), s("good?????????")));
        assert!(s("bad???") < s("bad"));
    }

    #[test]
    fn frustration_lexicon_phrases() {
        assert!(s("this bot is useless") < -0.5);
        assert!(s("what a waste of time") < -0.5);
        assert!(s("it's still not working") < -0.5);
        assert!(s("it still not working") < s("it not working"));
        assert!(s("the app doesnt work") < -0.3);
        assert!(s("the app doesn\u{2019}t work") < -0.3);
        assert!(s("I'm fed up with this") < -0.5);
        assert!(s("terrible service") < s("terrible"));
        assert!(s("thank you, that fixed it") > 0.5);
        assert!(s("all sorted, thanks") > 0.5);
        // boosted and negated as a unit
        assert!(s("really fed up") < s("fed up"));
        assert!(s("I'm not fed up") > 0.0);
        // phrase parts do not modify the next word
        assert!(s("not helping, useless") < s("useless"));
        assert!(s("no help useless") < s("no help"));
        // negative: no phrase across a word boundary
        assert!(s("a waste of timetables") > s("a waste of time"));
        assert!(close(s("not workingman"), s("not")));
    }

    #[test]
    fn with_extra_adds_and_overrides() {
        let m = SentimentModel::with_extra(&[
            ("chargeback".to_string(), -2.0),
            ("Chargeback   REQUEST".to_string(), -3.0),
            ("useless".to_string(), 1.0),
            ("loud".to_string(), -99.0),
            ("ignored".to_string(), f32::NAN),
            ("  ".to_string(), -1.0),
        ]);
        assert!(m.score("a chargeback") < 0.0);
        assert!(m.score("a chargeback request") < m.score("a chargeback"));
        assert!(m.score("useless") > 0.0);
        assert_eq!(m.info("loud").valence, Some(-4.0));
        assert_eq!(m.info("ignored").valence, model().info("ignored").valence);
        assert_eq!(
            m.frustration_markers("a chargeback"),
            vec![MARKER_FRUSTRATION_PHRASE]
        );
        assert!(m.frustration_markers("useless").is_empty());
        // negative: the default model is unchanged
        assert_eq!(s("a chargeback"), 0.0);
        assert!(s("useless") < 0.0);
    }

    #[test]
    fn marker_repeated_punctuation() {
        for t in ["why??", "what?!", "seriously!?", "no!!!", "hello \u{203d}"] {
            assert_eq!(markers(t), vec![MARKER_REPEATED_PUNCTUATION], "{t:?}");
        }
        for t in ["why?", "great!!", "? ?", "! ! !", "wait... what?"] {
            assert!(markers(t).is_empty(), "{t:?}");
        }
    }

    #[test]
    fn marker_all_caps() {
        assert_eq!(
            markers("I said I WANT MY MONEY back"),
            vec![MARKER_ALL_CAPS]
        );
        assert_eq!(markers("this is NOT ACCEPTABLE."), vec![MARKER_ALL_CAPS]);
        // negative: one word, acronyms, short words, codes, all-caps message
        assert!(markers("this is NOT ok").is_empty());
        assert!(markers("my ATM PIN and IBAN for the UK and USA").is_empty());
        assert!(markers("OK I AM here").is_empty());
        assert!(markers("ref ABC123 and XYZ789 please").is_empty());
        assert!(markers("WHERE IS MY PARCEL").is_empty());
    }

    #[test]
    fn marker_frustration_phrase() {
        for t in [
            "this is useless",
            "Not helping at all",
            "it still doesnt work",
            "what a waste of time",
            "I give up",
        ] {
            assert_eq!(markers(t), vec![MARKER_FRUSTRATION_PHRASE], "{t:?}");
        }
        // negative: positive entries, look-alike words, plain text
        for t in [
            "all sorted",
            "that worked",
            "this is useful",
            "a giveaway",
            "ridiculously",
        ] {
            assert!(markers(t).is_empty(), "{t:?}");
        }
    }

    #[test]
    fn marker_profanity() {
        for t in [
            "wtf is this",
            "this is shit",
            "F***ing app",
            "what the hell",
        ] {
            assert!(markers(t).contains(&MARKER_PROFANITY), "{t:?}");
        }
        for t in ["what is this", "my assistant", "a shitake risotto", "hello"] {
            assert!(!markers(t).contains(&MARKER_PROFANITY), "{t:?}");
        }
    }

    #[test]
    fn marker_already_told() {
        for t in [
            "I already told you my postcode",
            "as I said, the card is blocked",
            "i just said that",
            "for the third time, it's broken",
            "how many times do I have to ask",
            "not again, it's the same answer",
        ] {
            assert_eq!(markers(t), vec![MARKER_ALREADY_TOLD], "{t:?}");
        }
        for t in [
            "thanks again",
            "thank you again!",
            "how do I stop this happening again?",
            "thanks once again",
            "against it",
            "hi",
        ] {
            assert!(markers(t).is_empty(), "{t:?}");
        }
    }

    #[test]
    fn markers_in_fixed_order() {
        let all = markers("WTF?! I ALREADY TOLD you, this is USELESS, for the third time");
        assert_eq!(
            all,
            vec![
                MARKER_REPEATED_PUNCTUATION,
                MARKER_ALL_CAPS,
                MARKER_FRUSTRATION_PHRASE,
                MARKER_PROFANITY,
                MARKER_ALREADY_TOLD
            ]
        );
        assert!(markers("").is_empty());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for t in [
            "\u{0130}STANBUL \u{1e9e}TRASSE \u{01c5}",
            "\u{2019}\u{2019}\u{2019}",
            "\"\"\" ''' ---",
            "\u{1f621}\u{1f621} angry",
            "no",
            "not",
            "kind of",
            "but",
            "least",
            "at least",
            "never so",
            "no no no no",
        ] {
            let v = s(t);
            assert!((-1.0..=1.0).contains(&v), "{t:?} -> {v}");
            let _ = markers(t);
        }
    }

    #[test]
    fn long_input_is_fine() {
        let text = "I already told you, NOT good but kind of useless wtf!!! again ".repeat(20_000);
        let t = std::time::Instant::now();
        let v = s(&text);
        assert!((-1.0..=1.0).contains(&v));
        assert_eq!(markers(&text).len(), 5);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    /// Rough throughput: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_score() {
        let m = SentimentModel::new();
        let msgs = [
            "Hi, I still haven't received my refund for the order, can you check please?",
            "The app keeps crashing when I try to log in and this is really annoying!!",
            "Thank you so much, that fixed it and everything works perfectly now.",
            "I already told you my account number twice, why do you keep asking me?",
            "This is useless, I want to speak to a real person about my blocked card",
            "Why is my parcel still not here? It was due three days ago, not happy.",
            "ok thanks, that worked. Have a great day and thanks for the quick help",
            "My payment didn't go through but the money left my account yesterday",
        ];
        let words: usize = msgs.iter().map(|m| m.split_whitespace().count()).sum();
        let bytes: usize = msgs.iter().map(|m| m.len()).sum();
        let rounds = 100_000;
        let t = std::time::Instant::now();
        let mut acc = 0.0f32;
        for _ in 0..rounds {
            for msg in &msgs {
                acc += m.score(std::hint::black_box(msg));
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let total = (rounds * msgs.len()) as f64;
        println!(
            "score: {:.0} msgs/s, {:.1} MB/s ({:.1} words/msg) [{acc}]",
            total / secs,
            (rounds * bytes) as f64 / secs / 1e6,
            words as f64 / msgs.len() as f64
        );
        let t = std::time::Instant::now();
        let mut n = 0usize;
        for _ in 0..rounds {
            for msg in &msgs {
                n += m.frustration_markers(std::hint::black_box(msg)).len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "frustration_markers: {:.0} msgs/s, {:.1} MB/s [{n}]",
            total / secs,
            (rounds * bytes) as f64 / secs / 1e6
        );
        let t = std::time::Instant::now();
        let m2 = SentimentModel::new();
        println!("construction: {:?} [{}]", t.elapsed(), m2.words.len());
    }
}

//! PII masking for any transcript text the tool shows.
//!
//! [`Redactor::redact`] replaces, in this order:
//!
//! 1. e-mail addresses with `[email]`: any letters in the local part and the domain
//!    (internationalised addresses, IDN domains and `xn--` labels), and IP-literal domains
//!    (`jo@[192.0.2.1]`, `jo@[IPv6:2001:db8::1]`, `jo@192.0.2.1`);
//! 2. IBANs with `[iban]`: two letters, two check digits and 11-30 letters or digits,
//!    grouped any way by spaces, dashes or dots, masked only when the ISO 13616 mod-97
//!    check passes and, for the countries of the IBAN registry, the length is the
//!    country's (other country codes must be unspaced or in printed groups of four);
//! 3. card numbers with `[card]`: 13-19 digits, optionally grouped by spaces, dashes, dots
//!    or slashes, masked only when the Luhn check passes (a letter may follow: "...1111exp");
//! 4. phone numbers with `[phone]`: phone-shaped numbers of 9-15 digits
//!    (`+44 7700 900123`, `+1-555-010-4477`, `(555) 010-4477`, `07700 900123`,
//!    `555.010.4477`, `030/12345678`, ...).
//!
//! The order matters: an IBAN or a card number contains digit groups that a later, looser
//! pass could otherwise mask in part; a pass never sees what an earlier one masked.
//!
//! The patterns run on a normalised copy of the text, so that a shape is found however it
//! is typed: compatibility forms folded as NFKC does, one character at a time (full-width
//! digits and letters, `＠`, `．`, mathematical digits), digits of other scripts (Arabic-
//! Indic, Devanagari, Thai, ...) read as ASCII digits, dash and slash variants read as `-`
//! and `/`, zero-width and other invisible format characters removed, and every run of
//! Unicode white space (no-break and thin spaces, tabs, line breaks) read as one space.
//! The mask is then applied to the original text through a map from each normalised byte
//! back to the character it came from, so what is not PII is shown exactly as written.
//! Reading white space runs as one space also covers display normalisation: the table and
//! Markdown collapse white space (`numfmt::clip`) after redaction, and collapsing cannot
//! reveal a card the redactor did not already see in that form.
//!
//! Plain amounts (`£1,234.56`), dates, and bare numbers without separators
//! (`order 12345678`) are left alone. The one bare form that is masked is a national
//! number with a leading 0 and 10-11 digits (`07700900123`), unless one of the three words
//! before it names an order, a reference, a ticket and so on. Not covered (README
//! "Redaction"): other identifiers (SSNs, national ids), postal addresses, names, and
//! addresses or numbers obfuscated in words ("jo at example dot com").
//!
//! Only text that is shown goes through here (examples, evidence, repeated answers,
//! findings, skip messages); detection reads the original text.

use std::borrow::Cow;

use regex::bytes::Regex;
use unicode_normalization::UnicodeNormalization;

/// Runs on the normalised text, where every letter outside ASCII reads as `a`, or as
/// `\x01` in the scripts written without spaces between words (see [`fold`]): a local part
/// of ASCII or accented letters (`josé`), domain labels of letters of any script (IDN:
/// `bücher.de`, `例え.jp`) and digits, a top level of letters or punycode; or an IP literal.
/// Keeping the pattern in ASCII keeps it cheap to build: the same pattern over Unicode
/// classes took 0.6 s to compile in a debug build, once per audit.
const EMAIL: &str = concat!(
    r"(?i-u)[a-z0-9_%+\-][a-z0-9._%+'\-]*@",
    r"(?:",
    // IP literal: jo@[192.0.2.1], jo@[IPv6:2001:db8::1]; and the bare jo@192.0.2.1
    r"\[(?:ipv6:[0-9a-f:.]+|[0-9]{1,3}(?:\.[0-9]{1,3}){3})\]",
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b",
    // host names, IDN and punycode: jo@bücher.de, jo@xn--bcher-kva.example
    r"|[a-z0-9\x01][a-z0-9\x01\-]*(?:\.[a-z0-9\x01][a-z0-9\x01\-]*)*",
    r"\.(?:xn--[a-z0-9\-]{1,59}|[a-z\x01]{2,63})",
    r")",
);

/// Country code, check digits, 11-30 alphanumerics, each optionally after one separator
/// (a space, a dash or a dot). The match is greedy and may swallow following words; the
/// longest prefix ending on a group boundary that is a valid IBAN is what gets masked.
const IBAN: &str = r"(?i)(?-u:\b)[a-z]{2}[ \-.]?[0-9][ \-.]?[0-9](?:[ \-.]?[a-z0-9]){11,30}";

/// A run of digit groups of at least 3 digits separated by a space, or by a dash, dot or
/// slash with a space on either side or none, optionally ending in a short group (Diners:
/// 3056 9309 0259 04). Card-number windows are picked inside the run by length and Luhn.
const CARD_RUN: &str = r"[0-9]{3,}(?:(?: ?[\-./] ?| )[0-9]{3,})*(?:(?: ?[\-./] ?| )[0-9]{1,2})?";

const PHONE: &str = concat!(
    // international: +44 7700 900123, +1-555-010-4477, 0044 20 7946 0958
    r"(?:\+|00)[0-9]{1,3}(?:[ .\-/]?\(?[0-9]{1,4}\)?){1,6}",
    // area code in parentheses: (555) 010-4477, (020) 7946 0958
    r"|\([0-9]{2,5}\)[ .\-/]?[0-9]{2,4}(?:[ .\-/]?[0-9]{2,4}){1,2}",
    // national with trunk 0: 07700 900123, 020 7946 0958, 07700900123, 030/12345678
    r"|0[0-9]{2,4}[ .\-/]?[0-9]{3,4}[ .\-/]?[0-9]{3,4}",
    // French style pairs: 06 12 34 56 78, 01.23.45.67.89
    r"|0[1-9](?:[ .\-]?[0-9]{2}){4}",
    // North American: 555.010.4477, 1-800-555-0199
    r"|(?:1[ .\-])?[0-9]{3}[ .\-/][0-9]{3}[ .\-/][0-9]{4}",
);

/// IBAN lengths by country, from the SWIFT IBAN registry. A known country's IBAN must
/// have exactly its length, which is what lets any grouping through without the match
/// running on into the next word.
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// Words that, among the three before a bare digit string, mark it as an
/// identifier rather than a phone number.
const ID_WORDS: &[&str] = &[
    "order",
    "orders",
    "ref",
    "reference",
    "tracking",
    "invoice",
    "ticket",
    "case",
    "booking",
    "confirmation",
    "transaction",
    "parcel",
    "consignment",
    "policy",
    "claim",
    "account",
    "acct",
    "customer",
    "membership",
    "member",
    "serial",
    "receipt",
    "voucher",
    "shipment",
    "reservation",
];

const MIN_PHONE_DIGITS: usize = 9;
const MAX_PHONE_DIGITS: usize = 15;
const MIN_CARD_DIGITS: usize = 13;
const MAX_CARD_DIGITS: usize = 19;

/// What a masked span is overwritten with in the normalised text, so that later passes
/// neither match it nor take it for a digit, a letter or a separator (as the placeholder
/// that replaces it in the output is none of those either).
const MASKED: u8 = 0;

/// Masks e-mail addresses, IBANs, card numbers and phone numbers.
///
/// Build it once and share it (it is `Send + Sync`); `redact` takes `&self`.
pub struct Redactor {
    email: Regex,
    iban: Regex,
    card: Regex,
    phone: Regex,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

/// A span of the normalised text to replace by a placeholder.
type Span = (usize, usize, &'static str);

impl Redactor {
    /// Compiles the patterns.
    pub fn new() -> Redactor {
        Redactor {
            email: Regex::new(EMAIL).expect("e-mail pattern compiles"),
            iban: Regex::new(IBAN).expect("IBAN pattern compiles"),
            card: Regex::new(CARD_RUN).expect("card pattern compiles"),
            phone: Regex::new(PHONE).expect("phone pattern compiles"),
        }
    }

    /// Returns `text` with PII replaced by `[email]`, `[iban]`, `[card]` and
    /// `[phone]`; borrows `text` when nothing was found. Idempotent: the placeholders
    /// hold no digit and no `@`, and a mask never uncovers a new shape.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // Most text is ASCII with single spaces: its normal form is itself, and most of it
        // has too few digits and no `@`, which is decided without a copy.
        let normalised = normalise(text);
        let view: &str = normalised.as_ref().map_or(text, |(n, _)| n.as_str());
        let has_at = view.as_bytes().contains(&b'@');
        let digits = count_digits(view);
        if !has_at && digits < MIN_PHONE_DIGITS {
            return Cow::Borrowed(text);
        }
        let (mut buf, from) = match normalised {
            Some((n, from)) => (n.into_bytes(), Some(from)),
            None => (text.as_bytes().to_vec(), None),
        };
        let mut spans: Vec<Span> = Vec::new();
        if has_at {
            self.mask_emails(&mut buf, &mut spans);
        }
        if digits >= MIN_PHONE_DIGITS {
            self.mask_ibans(&mut buf, &mut spans);
        }
        if digits >= MIN_CARD_DIGITS {
            self.mask_cards(&mut buf, &mut spans);
        }
        if digits >= MIN_PHONE_DIGITS {
            self.mask_phones(&mut buf, &mut spans);
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        Cow::Owned(splice(text, from.as_deref(), &spans))
    }

    fn mask_emails(&self, buf: &mut [u8], spans: &mut Vec<Span>) {
        let found: Vec<(usize, usize)> = self
            .email
            .find_iter(buf)
            .map(|m| (m.start(), m.end()))
            .collect();
        for (start, end) in found {
            mask(buf, spans, start, end, "[email]");
        }
    }

    fn mask_ibans(&self, buf: &mut [u8], spans: &mut Vec<Span>) {
        let mut found = Vec::new();
        let mut pos = 0;
        while let Some(m) = self.iban.find_at(buf, pos) {
            match valid_iban_prefix(buf, m.start(), m.end()) {
                Some(end) => {
                    found.push((m.start(), end));
                    pos = end;
                }
                // The match starts with an ASCII letter, so +1 is a char boundary; the
                // leading \b keeps the next match off this word.
                None => pos = m.start() + 1,
            }
        }
        for (start, end) in found {
            mask(buf, spans, start, end, "[iban]");
        }
    }

    fn mask_cards(&self, buf: &mut [u8], spans: &mut Vec<Span>) {
        let mut found: Vec<(usize, usize)> = Vec::new();
        let bytes: &[u8] = buf;
        for m in self.card.find_iter(bytes) {
            let (start, end) = (m.start(), m.end());
            let masked_until = found.last().map_or(0, |f| f.1);
            if !left_ok(bytes, start, masked_until) || (start > 0 && bytes[start - 1] == b'+') {
                continue;
            }
            // A letter may follow a card number ("4111111111111111exp 12/27"): the Luhn
            // check and the length make it one; a digit after a separator may not.
            let run_right_ok = !bytes
                .get(end..end + 2)
                .is_some_and(|w| is_sep(w[0]) && w[1].is_ascii_digit());
            // Digit groups of the run: (start, end) byte offsets.
            let groups: Vec<(usize, usize)> = digit_groups(bytes, start, end);
            let mut a = 0;
            while a < groups.len() {
                match card_window(bytes, &groups, a, run_right_ok) {
                    Some(b) => {
                        found.push((groups[a].0, groups[b].1));
                        a = b + 1;
                    }
                    None => a += 1,
                }
            }
        }
        for (start, end) in found {
            mask(buf, spans, start, end, "[card]");
        }
    }

    fn mask_phones(&self, buf: &mut [u8], spans: &mut Vec<Span>) {
        let mut found: Vec<(usize, usize)> = Vec::new();
        let bytes: &[u8] = buf;
        for m in self.phone.find_iter(bytes) {
            let (start, end) = (m.start(), m.end());
            let masked_until = found.last().map_or(0, |f| f.1);
            if !left_ok(bytes, start, masked_until) || !right_ok(bytes, end) {
                continue;
            }
            let cand = &bytes[start..end];
            let digits = cand.iter().filter(|b| b.is_ascii_digit()).count();
            if !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) {
                continue;
            }
            if digits == cand.len() {
                // A bare digit string: only a national number with trunk 0
                // and no identifier word just before it.
                if !(10..=11).contains(&digits) || follows_id_word(bytes, start) {
                    continue;
                }
            }
            found.push((start, end));
        }
        for (start, end) in found {
            mask(buf, spans, start, end, "[phone]");
        }
    }
}

/// Records `buf[start..end]` as masked by `label` and overwrites it, so that no later pass
/// sees it.
fn mask(buf: &mut [u8], spans: &mut Vec<Span>, start: usize, end: usize, label: &'static str) {
    if let Some(bytes) = buf.get_mut(start..end) {
        bytes.fill(MASKED);
        spans.push((start, end, label));
    }
}

/// Where a byte of the normal form came from: the byte range in the original text of the
/// character, or the escape sequence, it was read from.
type Source = (usize, usize);

/// The normal form the patterns run on (see the module header) and the source of each of
/// its bytes; `None` when the text is its own normal form (ASCII without a backslash or
/// white space other than single spaces).
fn normalise(text: &str) -> Option<(String, Vec<Source>)> {
    let b = text.as_bytes();
    let plain = text.is_ascii()
        && !b.iter().enumerate().any(|(i, &c)| {
            matches!(c, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'\\')
                || (c == b' ' && b.get(i + 1) == Some(&b' '))
        });
    if plain {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from: Vec<Source> = Vec::with_capacity(text.len());
    let mut in_space = false;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let (c, len) = match c {
            '\\' => unescape(&text[at..]).unwrap_or((c, 1)),
            c => (c, c.len_utf8()),
        };
        let source = (at, at + len);
        at += len;
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
                from.push(source);
                in_space = true;
            }
            continue;
        }
        in_space = false;
        fold(c, &mut out);
        from.resize(out.len(), source);
    }
    Some((out, from))
}

/// The character an escape sequence at the start of `s` stands for, and the sequence's
/// length: `\n`, `\t`, `\r`, `\u{a0}` (Rust's `{:?}`, which skip messages use to quote a
/// raw value) and `\u00a0` (JSON, and exports that escape their text twice). Read as what
/// they stand for, a no-break space or a zero-width space quoted in a message separates or
/// vanishes as it does in the text itself.
fn unescape(s: &str) -> Option<(char, usize)> {
    let rest = s.strip_prefix('\\')?;
    match rest.as_bytes().first()? {
        b'n' => Some(('\n', 2)),
        b't' => Some(('\t', 2)),
        b'r' => Some(('\r', 2)),
        b'u' => {
            let (hex, len) = match rest[1..].strip_prefix('{') {
                Some(braced) => {
                    let close = braced.find('}')?;
                    (&braced[..close], close + 4)
                }
                None => (rest.get(1..5)?, 6),
            };
            if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            Some((c, len))
        }
        _ => None,
    }
}

/// Zero-width and other invisible format characters, which can sit inside a number or an
/// address without showing: soft hyphen, combining grapheme joiner, Arabic letter mark,
/// Mongolian vowel separator, zero-width space/joiners and direction marks, bidirectional
/// embeddings and isolates, word joiner and invisible operators, byte order mark,
/// variation selectors, tags.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// The zero of each script whose decimal digits are read as ASCII digits.
const DIGIT_ZEROS: [u32; 17] = [
    0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0E50,
    0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810,
];

/// Appends `c` as the patterns see it: other scripts' digits as ASCII digits, dash,
/// slash and full-stop variants as `-`, `/` and `.`, other characters as their NFKC
/// compatibility form (full-width `４` and `＠`, mathematical `𝟒`); then every letter
/// that is still not ASCII as `a`, or as `\x01` in the scripts written without spaces
/// between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar), so that the patterns stay
/// in ASCII and an e-mail's local part does not run back over a sentence (`\x01` is allowed
/// in domains only).
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    let code = c as u32;
    if let Some(zero) = DIGIT_ZEROS.iter().find(|&&z| (z..z + 10).contains(&code)) {
        out.push(char::from(b'0' + (code - zero) as u8));
        return;
    }
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' => out.push('-'),
        '\u{2044}' | '\u{2215}' => out.push('/'),
        // Ideographic full stops, which IDNA reads as label dots.
        '\u{3002}' | '\u{FF61}' => out.push('.'),
        _ => {
            for d in std::iter::once(c).nfkc() {
                if d.is_ascii() {
                    out.push(d);
                } else if unspaced_script(d) {
                    out.push('\x01');
                } else if d.is_alphanumeric() {
                    out.push('a');
                } else {
                    out.push(d);
                }
            }
        }
    }
}

/// Letters of the scripts written without spaces between words.
fn unspaced_script(c: char) -> bool {
    matches!(
        c,
        '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
            | '\u{1000}'..='\u{109F}' // Myanmar
            | '\u{1780}'..='\u{17FF}' // Khmer
            | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}' // CJK ideographs
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2FFFF}'
    ) && c.is_alphanumeric()
}

/// `text` with each span of its normal form (mapped back through `from`) replaced by its
/// placeholder. Spans are sorted and do not overlap in the normal form; two can meet inside
/// one original character (a ligature folded to two letters), which then goes to the first.
fn splice(text: &str, from: Option<&[Source]>, spans: &[Span]) -> String {
    let source = |i: usize| from.map_or((i, i + 1), |f| f[i]);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for &(start, end, label) in spans {
        if end <= start {
            continue;
        }
        let (a, b) = (source(start).0.max(last), source(end - 1).1);
        if b <= a {
            continue;
        }
        out.push_str(&text[last..a]);
        out.push_str(label);
        last = b;
    }
    out.push_str(&text[last..]);
    out
}

fn count_digits(text: &str) -> usize {
    text.bytes().filter(u8::is_ascii_digit).count()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'/' | b',')
}

/// The candidate starting at `start` is not glued to a word and does not
/// continue a longer number ("12 07700 900123", "1.4111..."). Bytes before
/// `masked_until` belong to a match of the same pass, masked once the pass is over:
/// they count as masked already, as they will on a second run.
fn left_ok(bytes: &[u8], start: usize, masked_until: usize) -> bool {
    let at = |i: usize| if i < masked_until { MASKED } else { bytes[i] };
    match start.checked_sub(1).map(at) {
        None => true,
        Some(b) if is_word_byte(b) => false,
        Some(b) if is_sep(b) => !(start >= 2 && at(start - 2).is_ascii_digit()),
        Some(_) => true,
    }
}

/// Mirror of [`left_ok`] for the byte after a candidate.
fn right_ok(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(&b) if is_word_byte(b) => false,
        Some(&b) if is_sep(b) => !bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(_) => true,
    }
}

/// The digit groups of `bytes[start..end]`, as (start, end) offsets: separators of any
/// length between them.
fn digit_groups(bytes: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut i = start;
    while i < end {
        let g = i;
        while i < end && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i > g {
            groups.push((g, i));
        } else {
            i += 1; // a separator byte
        }
    }
    groups
}

/// The last group of the longest window of digit groups starting at group
/// `a` that is a card number (13-19 digits, Luhn), if any. Windows hold at
/// most 19 digits, so this looks at a handful of groups whatever the run's
/// length.
fn card_window(
    bytes: &[u8],
    groups: &[(usize, usize)],
    a: usize,
    run_right_ok: bool,
) -> Option<usize> {
    if bytes[groups[a].0] == b'0' {
        return None; // no payment card number starts with 0
    }
    let mut ends = Vec::new();
    let mut digits = 0;
    for (b, g) in groups.iter().enumerate().skip(a) {
        digits += g.1 - g.0;
        if digits > MAX_CARD_DIGITS {
            break;
        }
        let at_run_end = b + 1 == groups.len();
        if digits >= MIN_CARD_DIGITS && (run_right_ok || !at_run_end) {
            ends.push(b);
        }
    }
    ends.into_iter()
        .rev()
        .find(|&b| luhn(&bytes[groups[a].0..groups[b].1]))
}

/// Luhn check over the ASCII digits of `s` (other bytes are skipped).
fn luhn(s: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    for &b in s.iter().rev() {
        if !b.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    let last_digit = sum % 10;
    last_digit == 0
}

fn is_iban_sep(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.')
}

/// The end offset of the longest prefix of `bytes[start..end]` that ends on a group
/// boundary (a separator, or the end of the word) and is a valid IBAN.
fn valid_iban_prefix(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let cand = &bytes[start..end];
    let country = [
        cand[0].to_ascii_uppercase(),
        cand.get(1)?.to_ascii_uppercase(),
    ];
    let length = IBAN_LENGTHS
        .iter()
        .find(|(code, _)| **code == country)
        .map(|&(_, n)| n);
    (1..=cand.len()).rev().find_map(|len| {
        let at_boundary = if start + len == end {
            !bytes.get(end).copied().is_some_and(is_word_byte)
        } else {
            is_iban_sep(cand[len])
        };
        if !at_boundary || is_iban_sep(cand[len - 1]) {
            return None;
        }
        let prefix = &cand[..len];
        let compact: Vec<u8> = prefix
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase)
            .collect();
        let shape = match length {
            // A registry country: its exact length, grouped any way, and a BBAN of mostly
            // digits (as every country's is), which keeps words out of a loose grouping.
            Some(n) => compact.len() == n && mostly_digits(&compact[4..]),
            None => (15..=34).contains(&compact.len()) && iban_groups_ok(prefix),
        };
        (shape && iban_mod97(&compact)).then_some(start + len)
    })
}

fn mostly_digits(s: &[u8]) -> bool {
    2 * s.iter().filter(|b| b.is_ascii_digit()).count() >= s.len()
}

/// Either unspaced, or in the printed format: groups of four with a last
/// group of one to four. Keeps a greedy match from swallowing the next word
/// when the country's length is not known.
fn iban_groups_ok(prefix: &[u8]) -> bool {
    let groups: Vec<&[u8]> = prefix.split(|&b| is_iban_sep(b)).collect();
    match groups.split_last() {
        None => false,
        Some((_, [])) => true,
        Some((last, init)) => init.iter().all(|g| g.len() == 4) && (1..=4).contains(&last.len()),
    }
}

/// ISO 13616 / ISO 7064 mod 97-10 check: move the first four characters to
/// the end, map letters to 10..35, and the number must be 1 mod 97.
fn iban_mod97(s: &[u8]) -> bool {
    let chars: Vec<u8> = s
        .iter()
        .filter(|&&b| !is_iban_sep(b))
        .map(u8::to_ascii_uppercase)
        .collect();
    if chars.len() < 5 {
        return false;
    }
    let mut rem = 0u32;
    for &c in chars[4..].iter().chain(&chars[..4]) {
        rem = match c {
            b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

/// Whether one of the three words before `start` names an identifier
/// ("order", "ref", "tracking", ...).
fn follows_id_word(bytes: &[u8], start: usize) -> bool {
    let before = &bytes[start.saturating_sub(48)..start];
    before
        .split(|b| !b.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .rev()
        .take(3)
        .any(|w| {
            ID_WORDS
                .iter()
                .any(|id| id.as_bytes().eq_ignore_ascii_case(w))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> String {
        Redactor::new().redact(text).into_owned()
    }

    fn unchanged(text: &str) {
        assert_eq!(r(text), text, "should be left alone: {text:?}");
    }

    #[test]
    fn redactor_is_send_sync_and_default() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Redactor>();
        let d = Redactor::default();
        assert_eq!(d.redact("bob@example.com"), "[email]");
    }

    #[test]
    fn fast_path_borrows() {
        let red = Redactor::new();
        for t in [
            "",
            "hello there, my card was declined",
            "order 12345678",
            "£1,234.56 on 2024-01-15",
        ] {
            assert!(matches!(red.redact(t), Cow::Borrowed(_)), "{t:?}");
        }
    }

    #[test]
    fn slow_path_without_pii_still_borrows() {
        let red = Redactor::new();
        for t in [
            "@support hi",
            "total 1,234,567.89 on 2024-01-15 at 10:30",
            "order 12345678 and 87654321",
            "see version 1.2.3.4.5.6.7.8.9",
        ] {
            assert!(matches!(red.redact(t), Cow::Borrowed(_)), "{t:?}");
        }
    }

    #[test]
    fn email_masked() {
        assert_eq!(
            r("mail me at john.smith+tag@example.co.uk!"),
            "mail me at [email]!"
        );
        assert_eq!(r("A.B@Mail.Example.COM"), "[email]");
        assert_eq!(
            r("x: o'neil@example.ie, y: z_9@sub-d.example.org."),
            "x: [email], y: [email]."
        );
        assert_eq!(r("<bob@example.com>"), "<[email]>");
    }

    #[test]
    fn email_lookalikes_kept() {
        unchanged("ping @support or @bob");
        unchanged("user at example dot com");
        unchanged("a@b");
        unchanged("bob@localhost");
        unchanged("price @ 5.00");
    }

    #[test]
    fn phone_formats_masked() {
        assert_eq!(r("call +44 7700 900123 now"), "call [phone] now");
        assert_eq!(r("call +1-555-010-4477."), "call [phone].");
        assert_eq!(r("US: (555) 010-4477"), "US: [phone]");
        assert_eq!(r("mobile 07700 900123"), "mobile [phone]");
        assert_eq!(r("555.010.4477"), "[phone]");
        assert_eq!(r("555-010-4477 or 555 010 4477"), "[phone] or [phone]");
        assert_eq!(r("1-800-555-0199"), "[phone]");
        assert_eq!(r("+44 (0)20 7946 0958"), "[phone]");
        assert_eq!(r("0044 20 7946 0958"), "[phone]");
        assert_eq!(r("020 7946 0958 / 0161 496 0000"), "[phone] / [phone]");
        assert_eq!(r("+447700900123"), "[phone]");
        assert_eq!(r("+1 (555) 010-4477"), "[phone]");
        assert_eq!(r("07700-900-123 or 07700 900 123"), "[phone] or [phone]");
        assert_eq!(r("06 12 34 56 78 / 01.23.45.67.89"), "[phone] / [phone]");
        assert_eq!(r("030 12345678"), "[phone]");
        assert_eq!(
            r("Tél : +33 1 23 45 67 89 — merci"),
            "Tél : [phone] — merci"
        );
    }

    #[test]
    fn bare_national_number_masked() {
        assert_eq!(r("my number is 07700900123"), "my number is [phone]");
    }

    #[test]
    fn phone_lookalikes_kept() {
        unchanged("that cost £1,234.56");
        unchanged("refund of $1,234,567.89");
        unchanged("£12,345,678.90 or 1.234.567.890,00 EUR");
        unchanged("sort code 12-34-56 account 12345678");
        unchanged("order 12345678");
        unchanged("order 012345678");
        unchanged("order no. 07700900123");
        unchanged("tracking number: 01234567890");
        unchanged("ref 00012345678 please");
        unchanged("5550104477");
        unchanged("on 2024-01-15 at 10:30:45");
        unchanged("ip 192.168.100.200");
        unchanged("version 10.11.12");
        unchanged("12 34 56 78");
        unchanged("555-0104");
        unchanged("ABC07700900123");
        unchanged("1234 555 010 4477");
        unchanged("+44 7700");
    }

    #[test]
    fn card_masked_when_luhn_passes() {
        assert_eq!(
            r("card 4111 1111 1111 1111 exp 12/27"),
            "card [card] exp 12/27"
        );
        assert_eq!(r("4111-1111-1111-1111"), "[card]");
        assert_eq!(r("4111111111111111."), "[card].");
        assert_eq!(r("amex 3782 822463 10005"), "amex [card]");
        assert_eq!(r("diners 3056 9309 0259 04"), "diners [card]");
        assert_eq!(
            r("5555555555554444 and 4012888888881881"),
            "[card] and [card]"
        );
        assert_eq!(r("4111 1111 1111 1111 2024"), "[card] 2024");
    }

    #[test]
    fn card_kept_when_luhn_fails_or_shape_wrong() {
        unchanged("4111 1111 1111 1112");
        unchanged("4111-1111-1111-1112");
        unchanged("4111111111111112");
        unchanged("411111111111"); // 12 digits
        unchanged("41111111111111111111"); // 20 digits
        unchanged("x4111111111111111");
    }

    #[test]
    fn any_white_space_separates() {
        for sep in [
            "  ", "\t", "\n", "\r\n", "\u{00A0}", "\u{2009}", "\u{202F}", "\u{3000}", " \n ",
        ] {
            let card = ["4111", "1111", "1111", "1111"].join(sep);
            assert_eq!(r(&format!("card {card} ok")), "card [card] ok", "{sep:?}");
            let phone = format!("+44{sep}7700{sep}900123");
            assert_eq!(r(&format!("call {phone}.")), "call [phone].", "{sep:?}");
            let iban = ["GB82", "WEST", "1234", "5698", "7654", "32"].join(sep);
            assert_eq!(r(&format!("to {iban} now")), "to [iban] now", "{sep:?}");
        }
    }

    #[test]
    fn dots_slashes_and_dashes_separate() {
        assert_eq!(r("4111.1111.1111.1111"), "[card]");
        assert_eq!(r("4111/1111/1111/1111"), "[card]");
        assert_eq!(r("4111 - 1111 - 1111 - 1111"), "[card]");
        assert_eq!(r("4111\u{2013}1111\u{2013}1111\u{2013}1111"), "[card]");
        assert_eq!(r("Tel. 030/12345678"), "Tel. [phone]");
        assert_eq!(r("+49 30/1234 5678"), "[phone]");
        assert_eq!(r("GB82-WEST-1234-5698-7654-32"), "[iban]");
        assert_eq!(r("GB82.WEST.1234.5698.7654.32"), "[iban]");
    }

    #[test]
    fn irregular_iban_groups() {
        assert_eq!(r("GB82 WEST 123456 98765432 thanks"), "[iban] thanks");
        assert_eq!(r("DE89 370400440532013000"), "[iban]");
        assert_eq!(r("GB 82 WEST12345698765432"), "[iban]");
        assert_eq!(r("iban fr14 2004 1010 0505 0001 3m02 606."), "iban [iban].");
        // A registry country's length is exact: a valid IBAN followed by more groups is
        // masked without them.
        assert_eq!(r("DE89 3704 0044 0532 0130 00 12 34"), "[iban] 12 34");
        // Words never make up a BBAN.
        unchanged("IS 12 months old and still not there yet, wow");
        unchanged("GB82 WEST 123456 98765433");
    }

    #[test]
    fn compatibility_forms_are_folded() {
        assert_eq!(r("４１１１ １１１１ １１１１ １１１１"), "[card]");
        assert_eq!(r("ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"), "[email]");
        assert_eq!(r("jo﹫example.com"), "[email]");
        assert_eq!(r("call ０７７００ ９００１２３ now"), "call [phone] now");
        assert_eq!(r("＋４４ ７７００ ９００１２３"), "[phone]");
        assert_eq!(r("𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏"), "[card]");
        // Arabic-Indic and Devanagari digits.
        assert_eq!(r("رقمي ٠٧٧٠٠ ٩٠٠١٢٣"), "رقمي [phone]");
        assert_eq!(r("०७७०० ९००१२३"), "[phone]");
    }

    #[test]
    fn zero_width_characters_are_ignored() {
        assert_eq!(r("4111\u{200B}1111\u{200B}1111\u{200B}1111"), "[card]");
        assert_eq!(r("jo\u{200D}@\u{2060}example.com"), "[email]");
        assert_eq!(r("07700\u{FEFF}900\u{00AD}123"), "[phone]");
        assert_eq!(r("G\u{200C}B82WEST12345698765432"), "[iban]");
    }

    #[test]
    fn international_and_ip_literal_domains() {
        assert_eq!(r("mail jo@bücher.de now"), "mail [email] now");
        assert_eq!(r("josé@example.com"), "[email]");
        assert_eq!(r("jo@例え.jp"), "[email]");
        assert_eq!(r("jo@пример.рф"), "[email]");
        assert_eq!(r("jo@xn--bcher-kva.example"), "[email]");
        assert_eq!(
            r("jo@[192.0.2.1] or jo@[IPv6:2001:db8::1]"),
            "[email] or [email]"
        );
        assert_eq!(r("jo@192.0.2.1."), "[email].");
        // A sentence without spaces before an address is not taken for its local part.
        assert_eq!(r("请发邮件到jo@example.com"), "请发邮件到[email]");
    }

    #[test]
    fn card_followed_by_a_letter() {
        assert_eq!(r("4111111111111111exp 12/27"), "[card]exp 12/27");
        assert_eq!(r("card 4111 1111 1111 1111x"), "card [card]x");
    }

    #[test]
    fn masks_apply_to_the_original_text() {
        // Only the PII changes: the no-break spaces around it and the full-width words
        // stay as written.
        assert_eq!(
            r("a\u{00A0}b 4111\u{00A0}1111\u{00A0}1111\u{00A0}1111  ｃ\td"),
            "a\u{00A0}b [card]  ｃ\td"
        );
        assert_eq!(r("ﬁle: jo@example.com\n\nbye"), "ﬁle: [email]\n\nbye");
        // Escaped as Rust's {:?} or JSON quote them (skip messages, exports escaped twice).
        assert_eq!(
            r(r#""csat" is not a number: "call +44\u{a0}20\u{a0}7946\u{a0}0958""#),
            r#""csat" is not a number: "call [phone]""#
        );
        assert_eq!(r(r"4111\u200b1111\u200b1111\u200b1111\n"), r"[card]\n");
        assert_eq!(r(r"call\n07700\t900123"), r"call\n[phone]");
        unchanged(r"C:\users\u{zz} \u12");
        let red = Redactor::new();
        assert!(matches!(
            red.redact("no pii\u{00A0}here ４"),
            Cow::Borrowed(_)
        ));
    }

    /// Text built from PII shapes, separators and words, the same every run.
    fn hostile_corpus() -> Vec<String> {
        const PIECES: &[&str] = &[
            "4111",
            "1111",
            "4111111111111111",
            "GB82",
            "WEST",
            "1234",
            "5698",
            "7654",
            "32",
            "+44",
            "7700",
            "900123",
            "07700",
            "jo",
            "@",
            "example.com",
            "＠",
            "４１",
            "٠٧",
            "order",
            "ref",
            "x",
            "[card]",
            "(",
            ")",
            "555",
            "010",
            "4477",
            "0",
            "12",
            "ǅ",
            "ﬁ",
            "😀",
            "é",
        ];
        const SEPS: &[&str] = &[
            " ", "", "-", ".", "/", "  ", "\n", "\t", "\u{00A0}", "\u{200B}", "\u{2009}", ", ",
            r"\u{a0}", r"\n", r"\u200b", "\\",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        (0..3000)
            .map(|_| {
                let mut t = String::new();
                for _ in 0..1 + next(12) {
                    t.push_str(PIECES[next(PIECES.len())]);
                    t.push_str(SEPS[next(SEPS.len())]);
                }
                t
            })
            .collect()
    }

    #[test]
    fn redaction_is_idempotent() {
        let red = Redactor::new();
        for t in hostile_corpus().iter().map(String::as_str).chain([
            "4111 1111 1111 1111 4111 1111 1111 1111",
            "jo@example.com@example.com",
            "GB82 WEST 1234 5698 7654 32 32 32",
            "+44 7700 900123 4111111111111111",
        ]) {
            let once = red.redact(t).into_owned();
            assert_eq!(red.redact(&once), once, "input {t:?}");
        }
    }

    #[test]
    fn display_normalisation_reveals_nothing() {
        // The table and Markdown show text on one line after redaction.
        let red = Redactor::new();
        for t in hostile_corpus() {
            let shown = crate::numfmt::one_line(&red.redact(&t));
            assert_eq!(red.redact(&shown), shown, "input {t:?}");
        }
    }

    #[test]
    fn card_is_not_half_eaten_as_phone() {
        // 5105 1051 0510 5100 passes Luhn; 0 2 digit pieces look phone-ish.
        assert_eq!(r("5105 1051 0510 5100"), "[card]");
        assert_eq!(r("6011 0009 9013 9424"), "[card]");
        unchanged("6011 0009 9013 9425");
    }

    #[test]
    fn iban_masked_when_mod97_passes() {
        assert_eq!(r("GB82 WEST 1234 5698 7654 32"), "[iban]");
        assert_eq!(
            r("pay to GB82WEST12345698765432 today"),
            "pay to [iban] today"
        );
        assert_eq!(
            r("from GB82 WEST 1234 5698 7654 32 to DE89 3704 0044 0532 0130 00 please"),
            "from [iban] to [iban] please"
        );
        assert_eq!(r("iban: gb82 west 1234 5698 7654 32."), "iban: [iban].");
        assert_eq!(r("NL91ABNA0417164300"), "[iban]");
    }

    #[test]
    fn iban_kept_when_mod97_fails() {
        unchanged("GB83 WEST 1234 5698 7654 32");
        unchanged("GB82WEST12345698765433");
        unchanged("XGB82WEST12345698765432");
    }

    #[test]
    fn mixed_pii() {
        let t = "I'm jo@example.com, +44 7700 900123, card 4111 1111 1111 1111, \
                 IBAN GB82 WEST 1234 5698 7654 32, order 12345678, paid £1,234.56";
        assert_eq!(
            r(t),
            "I'm [email], [phone], card [card], IBAN [iban], order 12345678, paid £1,234.56"
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        let red = Redactor::new();
        for t in [
            "@@@@",
            "0000000000000000000000000000000000000",
            "+++++++++++++++1234567890",
            "é1234567890é é07700 900123é",
            "🙂 07700 900123 🙂",
            "(((555))) 010-4477",
            "GB82 WEST 1234 5698 7654 32 32 32 32 32 32 32 32 32 32 32",
            "\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}\u{0668}\u{0669}\u{0660}\u{0661}\u{0662}",
        ] {
            let _ = red.redact(t);
        }
        assert_eq!(r("🙂 07700 900123 🙂"), "🙂 [phone] 🙂");
    }

    #[test]
    fn long_inputs_stay_linear() {
        let red = Redactor::new();
        let digits = "123 ".repeat(50_000);
        let t = std::time::Instant::now();
        let _ = red.redact(&digits);
        let iban_like = "GB82 WEST ".repeat(25_000);
        let _ = red.redact(&iban_like);
        let phones = "07700 ".repeat(25_000);
        let _ = red.redact(&phones);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    #[test]
    fn luhn_and_mod97_helpers() {
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"79927398710"));
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(!iban_mod97(b"GB82WEST12345698765431"));
        assert!(!iban_mod97(b"GB8"));
    }

    /// Rough throughput: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_redact() {
        let red = Redactor::new();
        let msgs = [
            "Hi, I still haven't received my refund for order 12345678, can you check?",
            "My email is jane.doe@example.com and my phone is +44 7700 900123 thanks",
            "The app keeps crashing when I try to log in, this is really annoying!!",
            "I paid £1,234.56 on 2024-01-15 but the balance still shows the old amount",
            "Card 4111 1111 1111 1111 was declined twice at the same shop yesterday",
            "Please send it to GB82 WEST 1234 5698 7654 32 as soon as you can",
            "ok thanks, that fixed it",
            "Why is my parcel still not here? It was due three days ago.",
        ];
        let bytes: usize = msgs.iter().map(|m| m.len()).sum();
        let rounds = 50_000;
        let t = std::time::Instant::now();
        let mut n = 0usize;
        for _ in 0..rounds {
            for m in &msgs {
                n += red.redact(std::hint::black_box(m)).len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let total = (rounds * msgs.len()) as f64;
        println!(
            "redact: {:.0} msgs/s, {:.1} MB/s (mixed, half with PII) [{n}]",
            total / secs,
            (rounds * bytes) as f64 / secs / 1e6
        );
        let clean = "The app keeps crashing when I try to log in, this is really annoying!!";
        let t = std::time::Instant::now();
        for _ in 0..rounds * 8 {
            n += red.redact(std::hint::black_box(clean)).len();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "redact: {:.0} msgs/s, {:.1} MB/s (no PII, fast path) [{n}]",
            (rounds * 8) as f64 / secs,
            (rounds * 8 * clean.len()) as f64 / secs / 1e6
        );
    }

    /// Randomized: known PII of every covered shape, typed with random separators and
    /// widths among random words, never survives, and redacting twice changes nothing.
    #[test]
    fn random_pii_is_masked_and_redaction_is_idempotent() {
        let mut rng = crate::rng::Rng::new(7);
        let red = Redactor::new();
        let spaces = [" ", "\u{a0}", "\u{2009}", "\t", "  ", "\n"];
        let groupers = [" ", "-", ".", "\u{a0}", "\u{2009}", ""];
        let digits = |rng: &mut crate::rng::Rng, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect()
        };
        for case in 0..300 {
            // (the text as typed, what must not survive: a letter run or a digit run)
            let mut parts: Vec<(String, String)> = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let part = match rng.below(4) {
                    0 => {
                        let local: String = (0..8)
                            .map(|_| char::from(b'a' + rng.below(26) as u8))
                            .collect();
                        let at = *rng.pick(&["@", "\u{ff20}", "@\u{200b}"]);
                        let host =
                            *rng.pick(&["example.com", "mail.example.co.uk", "b\u{fc}cher.de"]);
                        (format!("{local}{at}{host}"), local)
                    }
                    1 => {
                        let mut card = format!("4{}", digits(&mut rng, 14));
                        card.push(luhn_check_digit(&card));
                        let g = *rng.pick(&groupers);
                        let typed: Vec<String> = card
                            .as_bytes()
                            .chunks(4)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect();
                        let mut typed = typed.join(g);
                        if rng.below(4) == 0 {
                            typed = typed.chars().map(full_width).collect();
                        }
                        (typed, card)
                    }
                    2 => {
                        let sub = digits(&mut rng, 6);
                        match rng.below(3) {
                            0 => (format!("+44 7700 9{sub}"), sub),
                            1 => (format!("+1-555-{}-{}", &sub[..3], &sub[3..]), sub),
                            _ => (format!("07700 9{sub}"), sub),
                        }
                    }
                    _ => {
                        let bban = format!("WEST{}", digits(&mut rng, 14));
                        let check = iban_check("GB", &bban);
                        let iban = format!("GB{check:02}{bban}");
                        let g = *rng.pick(&[" ", "-", ""]);
                        let typed: Vec<String> = iban
                            .as_bytes()
                            .chunks(4)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect();
                        (typed.join(g), bban[4..].to_string())
                    }
                };
                parts.push(part);
            }
            let mut text = String::new();
            for (typed, _) in &parts {
                text.push_str(rng.pick::<&str>(&["call", "mail", "pay to", "my card is", "ok"]));
                text.push_str(rng.pick::<&str>(&spaces));
                text.push_str(typed);
                text.push_str(rng.pick::<&str>(&[" ", ", ", ". ", "!\n"]));
            }
            let once = red.redact(&text).into_owned();
            let digit_stream: String = once.chars().filter(char::is_ascii_digit).collect();
            for (typed, secret) in &parts {
                let survives = if secret.bytes().all(|b| b.is_ascii_digit()) {
                    digit_stream.contains(secret.as_str())
                } else {
                    once.contains(secret.as_str())
                };
                assert!(!survives, "case {case}: {typed:?} survives in {once:?}");
            }
            assert_eq!(red.redact(&once), once, "case {case}: not idempotent");
        }
    }

    fn luhn_check_digit(body: &str) -> char {
        let sum: u32 = body
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 0 {
                    let d = d * 2;
                    if d > 9 {
                        d - 9
                    } else {
                        d
                    }
                } else {
                    d
                }
            })
            .sum();
        char::from(b'0' + ((10 - sum % 10) % 10) as u8)
    }

    fn iban_check(country: &str, bban: &str) -> u32 {
        let rearranged = format!("{bban}{country}00");
        let mut rem = 0u32;
        for c in rearranged.chars() {
            let v = c.to_digit(36).unwrap_or(0);
            rem = if v >= 10 {
                (rem * 100 + v) % 97
            } else {
                (rem * 10 + v) % 97
            };
        }
        98 - rem
    }

    fn full_width(c: char) -> char {
        if c.is_ascii_digit() {
            char::from_u32(0xFF10 + u32::from(c) - u32::from('0')).unwrap_or(c)
        } else {
            c
        }
    }
}

//! How numbers and text look in every output: percentages, signed differences, confidence
//! labels, thousands separators, truncation with "…", and the escaping each output needs
//! for text that comes from the data: terminals ([`terminal`]), Markdown ([`md_cell`],
//! [`md_code`]), spreadsheets ([`spreadsheet_cell`]) and XML/HTML ([`xml_escape`]). Each
//! convention used to be written out in two to five places (renderers, the HTML charts, the
//! gate's messages); one copy keeps the formats from drifting apart, and keeps a renderer
//! from forgetting an escape (docs/security.md, "Output safety").
//!
//! It sits low in the layering (just above `stats`) because the gate, below `report`,
//! builds its check messages with the same conventions the renderers use. Named `numfmt`
//! so it never reads as `std::fmt`.

use std::borrow::Cow;

/// What a table cell shows when there is no value.
pub const MISSING: &str = "–";

/// A rate (0..1) as a percentage with one decimal: "12.3%".
pub fn pct(rate: f64) -> String {
    percent(rate, 1)
}

/// A rate (0..1) as a percentage with `decimals` places: axis ticks use 0 ("40%").
pub fn percent(rate: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, rate * 100.0)
}

/// `v` with `decimals` places: "4.12".
pub fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// [`fixed`], or [`MISSING`] without a value.
pub fn fixed_or_missing(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| MISSING.to_string(), |v| fixed(v, decimals))
}

/// `v` with a sign and `decimals` places; a value that rounds to zero is "+0.0", never
/// "-0.0".
pub fn signed(v: f64, decimals: usize) -> String {
    let text = format!("{v:+.decimals$}");
    if text[1..].bytes().all(|b| b == b'0' || b == b'.') {
        format!("+{}", &text[1..])
    } else {
        text
    }
}

/// `v` with at most `decimals` places, trailing zeros dropped: 95.0 -> "95", 99.5 -> "99.5".
pub fn trimmed(v: f64, decimals: usize) -> String {
    let text = fixed(v, decimals);
    if decimals == 0 {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `v` as short as it can be written exactly: "8", "7.5", "0.125".
pub fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// A count with thousands separators: "24,391".
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A two-sided confidence level (0..1) as its label: 0.95 -> "95%", 0.995 -> "99.5%".
pub fn level(confidence: f64) -> String {
    format!("{}%", trimmed(confidence * 100.0, 2))
}

/// The two kinds of quantity the reports compare, each with its own units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// A share of conversations (0..1): shown as a percentage, differences in
    /// percentage points.
    Rate,
    /// A mean survey score: two decimals, differences in score points.
    Score,
}

impl Quantity {
    /// "23.6%" or "4.12".
    pub fn value(self, v: f64) -> String {
        match self {
            Quantity::Rate => pct(v),
            Quantity::Score => fixed(v, 2),
        }
    }

    /// A difference as a signed number in display units, without the unit: "+1.2" (pp) or
    /// "-0.25".
    pub fn delta(self, v: f64) -> String {
        match self {
            Quantity::Rate => signed(v * 100.0, 1),
            Quantity::Score => signed(v, 2),
        }
    }

    /// The unit written after a difference: " pp" for rates, nothing for scores.
    pub fn unit(self) -> &'static str {
        match self {
            Quantity::Rate => " pp",
            Quantity::Score => "",
        }
    }

    /// An interval of values: "16.8%–68.7%" or "3.90–4.30".
    pub fn range(self, [low, high]: [f64; 2]) -> String {
        format!("{}–{}", self.value(low), self.value(high))
    }

    /// A difference with its unit: "+1.2 pp" or "-0.25".
    pub fn delta_with_unit(self, v: f64) -> String {
        format!("{}{}", self.delta(v), self.unit())
    }

    /// A size of difference (an allowance), unsigned: "3.0 pp" or "0.20 points".
    pub fn magnitude(self, v: f64) -> String {
        match self {
            Quantity::Rate => format!("{} pp", fixed(v * 100.0, 1)),
            Quantity::Score => format!("{} points", fixed(v, 2)),
        }
    }

    /// A change with its interval: "+7.2 pp (+1.0 to +13.1)" or "-0.25 (-0.40 to -0.10)".
    pub fn change(self, difference: f64, interval: [f64; 2]) -> String {
        format!(
            "{}{} ({} to {})",
            self.delta(difference),
            self.unit(),
            self.delta(interval[0]),
            self.delta(interval[1])
        )
    }
}

/// The first `keep` characters of `text`, then "…" when there were more. For stored text
/// whose limit counts the characters kept.
pub fn cut(text: &str, keep: usize) -> String {
    match text.char_indices().nth(keep) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// `text` in at most `width` characters, the last one "…" when it had to be shortened. For
/// display, where the width is what counts.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        cut(text, width.saturating_sub(1))
    }
}

/// `text` on one line: runs of whitespace (newlines included) become one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Transcript text shortened for a one-line quote: [`one_line`], then [`fit`].
pub fn clip(text: &str, width: usize) -> String {
    fit(&one_line(text), width)
}

/// Whether `c` must not reach a terminal as it is: the control characters (C0, DEL, C1:
/// escape sequences, OSC titles and hyperlinks, backspace, carriage return, line breaks)
/// and the bidirectional formatting characters, which reorder what is shown ("Trojan
/// Source", CVE-2021-42574).
fn is_unsafe_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from the data, safe to print on a terminal: every control and bidirectional
/// formatting character is shown escaped as Rust writes it (`\u{1b}`, `\n`, `\t`,
/// `\u{202e}`), the way ripgrep and bat show them, so a transcript, a category name or a
/// file name cannot clear the screen, set the window title, hide a link or forge a line.
/// Borrows `text` when there is nothing to escape (the usual case).
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_on_terminal(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal`] for a message of several lines (an error quoting a TOML parse error): each
/// line escaped, the line breaks kept.
pub fn terminal_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe_on_terminal(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(terminal)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Text from the data for a Markdown table cell, list item or heading, where it must stay
/// text whatever it holds (a PR comment or `$GITHUB_STEP_SUMMARY` built from hostile
/// transcripts): no raw HTML (`<` and `&` as entities), no link or image (`]` escaped
/// before `(` or `[`), no autolink (a zero-width space breaks `://`, `www.` and the `@` of
/// an address), no `@team` mention or `#123` reference (the same), no code span,
/// emphasis or strikethrough (`` ` `` always escaped, `*`, `_`, `~` when two could pair),
/// no escape undone (`\` escaped), no new cell or line (`|` escaped, line breaks as
/// spaces), no control character (escaped as on a terminal). Text without any of these is
/// unchanged, so ordinary reports read as before.
pub fn md_cell(text: &str) -> String {
    // A single `*` ("GLOBALPAY*7781") or `~` ("~5 min") cannot open and close emphasis;
    // `_` inside a word never does (CommonMark).
    let chars: Vec<char> = text.chars().collect();
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    let delimits = |i: usize| chars[i] != '_' || !(word(i.checked_sub(1)) && word(Some(i + 1)));
    let pairs = |d: char| {
        (0..chars.len())
            .filter(|&i| chars[i] == d && delimits(i))
            .count()
            >= 2
    };
    let (stars, unders, tildes) = (pairs('*'), pairs('_'), pairs('~'));
    let next_is = |i: usize, f: &dyn Fn(char) -> bool| chars.get(i + 1).is_some_and(|&c| f(c));
    let starts_word = |i: usize| !word(i.checked_sub(1));
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '*' if stars => out.push_str("\\*"),
            '~' if tildes => out.push_str("\\~"),
            '_' if unders && delimits(i) => out.push_str("\\_"),
            ']' if next_is(i, &|n| n == '(' || n == '[') => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '@' if next_is(i, &char::is_alphanumeric) => out.push_str("@&#8203;"),
            '#' if next_is(i, &|n| n.is_ascii_digit()) => out.push_str("#&#8203;"),
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/']) => out.push_str(":&#8203;"),
            '.' if i >= 3
                && starts_word(i - 3)
                && chars[i - 3..i].iter().all(|c| c.eq_ignore_ascii_case(&'w')) =>
            {
                out.push_str("&#8203;.");
            }
            c if is_unsafe_on_terminal(c) => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
    out
}

/// Text from the data as a Markdown code span (an id, a filter, a skip reason), opened and
/// closed with one more backtick than the longest run inside, so nothing in it can end the
/// span; inside a span nothing is a link, a mention or HTML. Line breaks become spaces and
/// control characters are escaped as on a terminal. Not for table cells, where `|` would
/// still split the cell.
pub fn md_code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let text = terminal(&text);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span's content that starts or ends with a backtick needs a space between it and the
    // fence (CommonMark strips one such space on each side). An empty span is one space.
    if text.is_empty() {
        return "` `".to_string();
    }
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A text cell of a CSV file, safe to open in a spreadsheet: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be read as a formula (CSV injection), so it
/// gets a leading `'` as OWASP recommends. Only text cells go through this: numbers are
/// written as they are.
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Text safe in XML 1.0 and HTML content and attribute values: the five markup characters
/// escaped; characters XML forbids (control characters other than tab and line breaks,
/// U+FFFE, U+FFFF) replaced by U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_fixed_places() {
        assert_eq!(pct(0.1234), "12.3%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(percent(0.4, 0), "40%");
        assert_eq!(fixed(4.125, 2), "4.12");
        assert_eq!(fixed_or_missing(None, 3), "–");
        assert_eq!(fixed_or_missing(Some(0.5), 3), "0.500");
    }

    #[test]
    fn signed_numbers_never_show_minus_zero() {
        assert_eq!(signed(-0.0004, 1), "+0.0");
        assert_eq!(signed(-0.0, 2), "+0.00");
        assert_eq!(signed(-0.06, 1), "-0.1");
        assert_eq!(signed(2.25, 2), "+2.25");
        assert_eq!(signed(0.0, 0), "+0");
    }

    #[test]
    fn trimmed_drops_only_decimal_zeros() {
        assert_eq!(trimmed(95.0, 2), "95");
        assert_eq!(trimmed(99.5, 2), "99.5");
        assert_eq!(trimmed(3.04, 1), "3");
        assert_eq!(trimmed(100.0, 1), "100");
        // No decimal point to trim back to: the integer's own zeros stay.
        assert_eq!(trimmed(10.0, 0), "10");
    }

    #[test]
    fn plain_numbers_are_as_short_as_exact() {
        assert_eq!(plain(8.0), "8");
        assert_eq!(plain(7.5), "7.5");
        assert_eq!(plain(0.125), "0.125");
        assert_eq!(plain(-2.0), "-2");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(24_391), "24,391");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn confidence_labels() {
        assert_eq!(level(0.95), "95%");
        assert_eq!(level(0.995), "99.5%");
        assert_eq!(level(0.9), "90%");
    }

    #[test]
    fn rates_and_scores_have_their_own_units() {
        assert_eq!(Quantity::Rate.value(0.236), "23.6%");
        assert_eq!(Quantity::Score.value(4.125), "4.12");
        assert_eq!(Quantity::Rate.range([0.168, 0.687]), "16.8%–68.7%");
        assert_eq!(Quantity::Score.range([3.9, 4.3]), "3.90–4.30");
        assert_eq!(Quantity::Rate.delta_with_unit(0.012), "+1.2 pp");
        assert_eq!(Quantity::Score.delta_with_unit(-0.25), "-0.25");
        assert_eq!(Quantity::Rate.magnitude(0.03), "3.0 pp");
        assert_eq!(Quantity::Score.magnitude(0.2), "0.20 points");
        assert_eq!(
            Quantity::Rate.change(0.072, [0.01, 0.131]),
            "+7.2 pp (+1.0 to +13.1)"
        );
        assert_eq!(
            Quantity::Score.change(-0.25, [-0.4, -0.0001]),
            "-0.25 (-0.40 to +0.00)"
        );
    }

    #[test]
    fn cut_keeps_characters_and_fit_keeps_width() {
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
        // Characters, not bytes.
        assert_eq!(cut("ééééé", 2), "éé…");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcd", 4), "abcd");
        assert_eq!(fit("abc", 0), "…");
        assert_eq!(clip("a\n  b\tc   d", 5), "a b …");
        assert_eq!(clip("  a  b ", 10), "a b");
    }

    #[test]
    fn terminal_text_shows_control_characters_escaped() {
        assert!(matches!(terminal("billing — £5"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        // OSC 0 (window title) ended by BEL, OSC 8 hyperlink ended by ST.
        assert_eq!(
            terminal("\x1b]0;pwned\x07\x1b]8;;http://x\x1b\\"),
            "\\u{1b}]0;pwned\\u{7}\\u{1b}]8;;http://x\\u{1b}\\"
        );
        assert_eq!(terminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        // C1 CSI and DEL; a right-to-left override.
        assert_eq!(terminal("\u{9b}2J\u{7f}"), "\\u{9b}2J\\u{7f}");
        assert_eq!(terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            terminal_lines("line 1\nline\x1b 2"),
            "line 1\nline\\u{1b} 2"
        );
        assert!(matches!(terminal_lines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_cells_hold_no_pipes_or_line_breaks() {
        assert_eq!(md_cell("card | lost\r\nnext"), "card \\| lost  next");
        assert_eq!(md_cell("plain"), "plain");
    }

    #[test]
    fn ordinary_text_is_unchanged_in_markdown() {
        for t in [
            "Tap Help > I can't log in!",
            "GLOBALPAY*7781 is the billing name",
            "account_access",
            "escalation_request 40.0%, bot_fallback 10.5%",
            "£1,234.56 (about 3 weeks) - see [email] or [phone]",
            "price @ 5.00, ~5 minutes, issue # 4",
        ] {
            assert_eq!(md_cell(t), t);
        }
    }

    #[test]
    fn markdown_cells_hold_no_markup_from_the_data() {
        assert_eq!(
            md_cell("</details><img src=x onerror=alert(1)>"),
            "&lt;/details>&lt;img src=x onerror=alert(1)>"
        );
        assert_eq!(
            md_cell("[click](https://evil.example)"),
            "[click\\](https:&#8203;//evil.example)"
        );
        assert_eq!(md_cell("![x](y.png) [a][b]"), "![x\\](y.png) [a\\][b]");
        assert_eq!(
            md_cell("ping @team and @org/devs"),
            "ping @&#8203;team and @&#8203;org/devs"
        );
        assert_eq!(md_cell("jo@example.com"), "jo@&#8203;example.com");
        assert_eq!(
            md_cell("see #12 or www.evil.com"),
            "see #&#8203;12 or www&#8203;.evil.com"
        );
        assert_eq!(md_cell("&#64;team &lt;"), "&amp;#&#8203;64;team &amp;lt;");
        assert_eq!(
            md_cell("**bold** _it_ ~~gone~~ `code`"),
            "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\`"
        );
        // A trailing backslash cannot escape the cell's closing pipe.
        assert_eq!(md_cell("a\\"), "a\\\\");
        assert_eq!(md_cell("a\x1b[2Jb"), "a\\u{1b}[2Jb");
    }

    #[test]
    fn code_spans_cannot_be_closed_from_inside() {
        assert_eq!(md_code("category=billing"), "`category=billing`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x``"), "``` `x`` ```");
        assert_eq!(md_code("a\nb\x1b"), "`a b\\u{1b}`");
        assert_eq!(md_code(""), "` `");
    }

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        for t in ["=1+2", "+44", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(spreadsheet_cell(t), format!("'{t}"));
        }
        for t in ["billing", "", "a=b", " =x", "'quoted"] {
            assert!(matches!(spreadsheet_cell(t), Cow::Borrowed(_)), "{t:?}");
        }
    }

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>\u{1}\u{FFFE}"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;\u{FFFD}\u{FFFD}"
        );
        assert_eq!(xml_escape("line\nnext\ttab"), "line\nnext\ttab");
    }
}

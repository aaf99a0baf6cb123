//! How numbers and text look in every output: percentages, signed differences, confidence
//! labels, thousands separators, truncation with "…", Markdown table cells and XML/HTML
//! escaping. Each convention used to be written out in two to five places (renderers, the
//! HTML charts, the gate's messages); one copy keeps the formats from drifting apart.
//!
//! It sits low in the layering (just above `stats`) because the gate, below `report`,
//! builds its check messages with the same conventions the renderers use. Named `numfmt`
//! so it never reads as `std::fmt`.

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

/// Text for a Markdown table cell (or a list item): pipes escaped, line breaks as spaces.
pub fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
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
    fn markdown_cells_hold_no_pipes_or_line_breaks() {
        assert_eq!(md_cell("card | lost\r\nnext"), "card \\| lost  next");
        assert_eq!(md_cell("plain"), "plain");
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

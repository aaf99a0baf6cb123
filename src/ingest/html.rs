//! HTML message bodies (Intercom, Zendesk `html_body`) as readable text: tags dropped, block
//! tags and `<br>` as line breaks, entities decoded, script/style content and comments
//! removed, white space collapsed the way a browser would. A `<` that does not start a tag
//! ("<3", "a < b") is kept as text.
//!
//! A small converter rather than an HTML5 parser crate: message bodies are short fragments and
//! the detectors only need the words, not the DOM.

use std::borrow::Cow;

/// Tags that end a line of text.
const BLOCK: &[&str] = &[
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
];

/// Named entities beyond the five XML ones that turn up in support bodies.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", " "),
    ("ensp", " "),
    ("emsp", " "),
    ("thinsp", " "),
    ("shy", ""),
    ("zwj", ""),
    ("zwnj", ""),
    ("hellip", "…"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("bull", "•"),
    ("middot", "·"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("sect", "§"),
    ("para", "¶"),
    ("deg", "°"),
    ("plusmn", "±"),
    ("times", "×"),
    ("divide", "÷"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("iexcl", "¡"),
    ("iquest", "¿"),
    ("larr", "←"),
    ("rarr", "→"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("check", "✓"),
    ("szlig", "ß"),
    ("aelig", "æ"),
    ("AElig", "Æ"),
    ("oslash", "ø"),
    ("Oslash", "Ø"),
    ("aring", "å"),
    ("Aring", "Å"),
    ("ccedil", "ç"),
    ("Ccedil", "Ç"),
    ("ntilde", "ñ"),
    ("Ntilde", "Ñ"),
    ("agrave", "à"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("atilde", "ã"),
    ("auml", "ä"),
    ("Agrave", "À"),
    ("Aacute", "Á"),
    ("Acirc", "Â"),
    ("Atilde", "Ã"),
    ("Auml", "Ä"),
    ("egrave", "è"),
    ("eacute", "é"),
    ("ecirc", "ê"),
    ("euml", "ë"),
    ("Egrave", "È"),
    ("Eacute", "É"),
    ("Ecirc", "Ê"),
    ("Euml", "Ë"),
    ("igrave", "ì"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iuml", "ï"),
    ("Igrave", "Ì"),
    ("Iacute", "Í"),
    ("Icirc", "Î"),
    ("Iuml", "Ï"),
    ("ograve", "ò"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("otilde", "õ"),
    ("ouml", "ö"),
    ("Ograve", "Ò"),
    ("Oacute", "Ó"),
    ("Ocirc", "Ô"),
    ("Otilde", "Õ"),
    ("Ouml", "Ö"),
    ("ugrave", "ù"),
    ("uacute", "ú"),
    ("ucirc", "û"),
    ("uuml", "ü"),
    ("Ugrave", "Ù"),
    ("Uacute", "Ú"),
    ("Ucirc", "Û"),
    ("Uuml", "Ü"),
    ("yacute", "ý"),
    ("yuml", "ÿ"),
];

/// Decodes one entity starting at `s[0] == '&'`: the text and the bytes consumed.
fn entity(s: &str) -> Option<(Cow<'static, str>, usize)> {
    let end = s.as_bytes().iter().take(34).position(|&b| b == b';')?;
    let body = &s[1..end];
    let text: Cow<'static, str> = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        // NUL and surrogates are not characters; show the replacement character.
        let c = char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}');
        if c == '\u{a0}' {
            Cow::Borrowed(" ")
        } else {
            Cow::Owned(c.to_string())
        }
    } else {
        let (_, t) = ENTITIES.iter().find(|(n, _)| *n == body)?;
        Cow::Borrowed(t)
    };
    Some((text, end + 1))
}

/// Decodes character references only (for plain text that escapes `&`, like tweets).
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        match entity(&rest[i..]) {
            Some((text, n)) => {
                out.push_str(&text);
                rest = &rest[i + n..];
            }
            None => {
                out.push('&');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Builds text with HTML's white-space collapsing and explicit line breaks.
struct Text {
    out: String,
    space: bool,
}

impl Text {
    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push(c);
        }
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space = true;
            return;
        }
        if self.space && !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push(c);
    }

    /// Ends the current line (a block boundary); no empty lines.
    fn line_end(&mut self) {
        self.space = false;
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// `<br>`: a line break even on an empty line, but at most one empty line in a row.
    fn hard_break(&mut self) {
        self.space = false;
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// `<p>`: paragraphs are separated by an empty line.
    fn paragraph(&mut self) {
        self.line_end();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn finish(self) -> String {
        self.out.trim().to_string()
    }
}

/// Where the tag starting at `s[0] == '<'` ends (index after '>'), honouring quoted
/// attribute values; None when it never closes.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The lower-case name of a tag like `</P class=x>` and whether it closes.
fn tag_name(tag: &str) -> (String, bool) {
    let inner = tag.trim_start_matches('<');
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (name, closing)
}

/// HTML fragment to plain text.
pub fn to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        let mut t = Text {
            out: String::with_capacity(html.len()),
            space: false,
        };
        t.push_str(html);
        return t.finish();
    }
    let mut t = Text {
        out: String::with_capacity(html.len()),
        space: false,
    };
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        t.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            match entity(rest) {
                Some((text, n)) => {
                    // An entity's white space (&nbsp;) is still white space.
                    t.push_str(&text);
                    rest = &rest[n..];
                }
                None => {
                    t.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |j| &body[j + 3..]);
            continue;
        }
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        let end = if starts_tag { tag_end(rest) } else { None };
        let Some(end) = end else {
            t.push('<');
            rest = &rest[1..];
            continue;
        };
        let (name, closing) = tag_name(&rest[..end]);
        rest = &rest[end..];
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(j) => rest[j..].find('>').map_or("", |k| &rest[j + k + 1..]),
                None => "",
            };
            continue;
        }
        match name.as_str() {
            "br" => t.hard_break(),
            "p" => t.paragraph(),
            n if BLOCK.contains(&n) => t.line_end(),
            _ => {}
        }
    }
    t.push_str(rest);
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_and_entities() {
        assert_eq!(
            to_text("<p>Hi Jane,</p><p>your refund of &pound;20 is on its way&nbsp;&mdash; see <a href=\"https://x.test/a?b=1&amp;c=2\">here</a>.<br/>Thanks!</p>"),
            "Hi Jane,\n\nyour refund of £20 is on its way — see here.\nThanks!"
        );
        assert_eq!(to_text("caf&#233; &#x1F600; &#0;"), "café 😀 \u{FFFD}");
    }

    #[test]
    fn white_space_collapses_like_a_browser() {
        assert_eq!(
            to_text("  <div>\n   Order   <b>123</b>\n   shipped  </div>\n\n\n<div>ok</div> "),
            "Order 123 shipped\nok"
        );
    }

    #[test]
    fn text_that_only_looks_like_html_is_kept() {
        assert_eq!(to_text("I <3 you & a < b"), "I <3 you & a < b");
        assert_eq!(to_text("R&D &unknown; &amp"), "R&D &unknown; &amp");
        assert_eq!(to_text("unclosed <b tag"), "unclosed <b tag");
    }

    #[test]
    fn scripts_styles_comments_and_images_leave_nothing() {
        assert_eq!(
            to_text("<style>p{color:red}</style><!-- note --><p>Hello<img src=x.png alt=\"logo\"></p><SCRIPT>alert('>')</SCRIPT>"),
            "Hello"
        );
        assert_eq!(to_text("<p><br></p><div>&nbsp;</div>"), "");
    }

    #[test]
    fn attribute_quotes_may_hold_angle_brackets() {
        assert_eq!(to_text("<a title=\"a > b\">link</a> text"), "link text");
    }

    #[test]
    fn odd_fragments_do_not_panic() {
        for s in [
            "<",
            "&",
            "&#",
            "&#;",
            "&#x;",
            "&#xZZ;",
            "&#99999999999;",
            "<!--",
            "<!-- x",
            "<a",
            "<a '",
            "é<é>é",
            "<é",
            "&é;",
            "<script>",
            "<style",
            "</",
            "<>",
            "&&&;;",
            "\u{0}",
            "<p>日本語</p>&#x1F600",
            "<b>🙂<",
            "<a title='é>'>x</a>",
        ] {
            let _ = to_text(s);
            let _ = decode_entities(s);
        }
        assert_eq!(to_text("<é"), "<é");
        assert_eq!(to_text("<b>🙂<"), "🙂<");
    }

    #[test]
    fn entity_only_decoding_keeps_tags() {
        assert_eq!(
            decode_entities("Tom &amp; Jerry <3 &gt;_&lt;"),
            "Tom & Jerry <3 >_<"
        );
        assert!(matches!(decode_entities("plain"), Cow::Borrowed(_)));
    }

    /// Randomized: any mix of tags, entities, comments, scripts and stray `<`/`&` converts
    /// without panicking, a word in a text node survives, and script content never does.
    /// (A stray quote inside a broken tag is read as opening an attribute value, which can
    /// hide text a browser would show: not generated here, as that is not a safety issue.)
    #[test]
    fn random_markup_converts_and_keeps_the_text() {
        let mut rng = crate::rng::Rng::new(11);
        let pieces = [
            "<p>",
            "</p>",
            "<br/>",
            "<div class=\"a>b\">",
            "</div>",
            "<b>",
            "</b>",
            "<a href='x&amp;y'>",
            "</a>",
            "&amp;",
            "&nbsp;",
            "&#x1F600;",
            "&#0;",
            "&#99999999999;",
            "&bogus;",
            "&",
            "<",
            ">",
            "<!-- c -->",
            "<!--",
            "<img src=x alt=\"y\">",
            "<style>p{}</style>",
            "<",
            "\u{1b}[2J",
            "<![CDATA[x]]>",
            "</",
            "<p",
            "\n",
            "  ",
            "é",
            "<tr><td>",
        ];
        for case in 0..500 {
            let mut html = String::new();
            let mut words = Vec::new();
            for k in 0..rng.below(30) {
                if rng.below(3) == 0 {
                    let w = format!(" word{case}x{k} ");
                    html.push_str(&w);
                    words.push(w.trim().to_string());
                } else {
                    html.push_str(rng.pick::<&str>(&pieces));
                }
            }
            let scripted = rng.below(4) == 0;
            if scripted {
                html.push_str("<script>secret()</script>");
            }
            let text = to_text(&html);
            // Text after an unclosed `<`, a comment or a style is markup (as in a browser:
            // `</ x <script>` is a bogus comment ending at the script tag's `>`).
            let plain_after = |before: &str| {
                let open_tag = before
                    .rfind('<')
                    .is_some_and(|lt| before.rfind('>').is_none_or(|gt| gt < lt));
                !open_tag
                    && !before.contains("<!")
                    && !before.contains("<style")
                    && !before.contains("</")
            };
            for w in &words {
                let before = &html[..html.find(w.as_str()).unwrap_or(0)];
                if plain_after(before) {
                    assert!(
                        text.contains(w.as_str()),
                        "case {case}: {w} lost from {html:?}: {text:?}"
                    );
                }
            }
            let script_at = html.find("<script>").unwrap_or(0);
            if scripted && plain_after(&html[..script_at]) {
                assert!(
                    !text.contains("secret()"),
                    "case {case}: {html:?}: {text:?}"
                );
            }
        }
    }
}

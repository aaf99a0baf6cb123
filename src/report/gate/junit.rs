//! `--junit FILE`: one test suite per scope (overall, then categories by name), one test
//! case per rule and metric. Failures carry the numbers; checks with too little data that
//! count as a pass are reported as skipped.

use std::fmt::Write;

use crate::gate::{Check, GateReport, Status};

/// Text safe inside XML 1.0 content and attribute values: the five markup characters
/// escaped, characters XML forbids (most control characters) replaced.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn scope_order(scope: &str) -> (bool, &str) {
    (scope != "overall", scope)
}

pub fn junit(r: &GateReport) -> String {
    let mut scopes: Vec<&str> = r.checks.iter().map(|c| c.scope.as_str()).collect();
    scopes.sort_by_key(|s| scope_order(s));
    scopes.dedup();
    let skipped = |c: &Check| c.passed && c.status == Status::InsufficientData;

    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<testsuites name="handoff gate" tests="{}" failures="{}" errors="0" skipped="{}">"#,
        r.checks.len(),
        r.checks.iter().filter(|c| !c.passed).count(),
        r.checks.iter().filter(|c| skipped(c)).count()
    );
    for scope in scopes {
        let mut checks: Vec<&Check> = r.checks.iter().filter(|c| c.scope == scope).collect();
        checks.sort_by_key(|c| (c.metric, c.rule));
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}">"#,
            esc(scope),
            checks.len(),
            checks.iter().filter(|c| !c.passed).count(),
            checks.iter().filter(|c| skipped(c)).count()
        );
        for c in checks {
            let rule = match c.rule {
                crate::gate::RuleKind::Limit => "limit",
                crate::gate::RuleKind::Regression => "regression",
            };
            let _ = write!(
                out,
                r#"    <testcase classname="handoff.gate.{}" name="{} {}""#,
                esc(scope),
                c.metric.code(),
                rule
            );
            if !c.passed {
                let kind = if c.status == Status::InsufficientData {
                    "insufficient_data"
                } else {
                    rule
                };
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>",
                    esc(&c.message),
                    esc(&c.message)
                );
            } else if skipped(c) {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    esc(&c.message)
                );
            } else {
                let _ = writeln!(
                    out,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    esc(&c.message)
                );
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}"
        );
        assert_eq!(esc("line\nnext"), "line\nnext");
    }
}

//! `--junit FILE`: one test suite per scope (overall, then categories by name), one test
//! case per rule and metric. Failures carry the numbers; checks with too little data that
//! count as a pass are reported as skipped. Each suite's `<properties>` say how significance
//! was judged (confidence, correction, family size, one-sided level, power), for tools that
//! read suites rather than messages.

use std::fmt::Write;

use crate::error::Result;
use crate::gate::{Check, GateReport, Status};
use crate::numfmt::xml_escape as esc;
use crate::report::{RenderOptions, Renderer};

pub struct Junit;

impl Renderer<GateReport> for Junit {
    fn render(&self, r: &GateReport, _: &RenderOptions) -> Result<String> {
        Ok(junit(r))
    }
}

fn scope_order(scope: &str) -> (bool, &str) {
    (scope != "overall", scope)
}

fn junit(r: &GateReport) -> String {
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
        // How significance was judged, for tools that read the suite rather than messages.
        let _ = writeln!(out, "    <properties>");
        for (name, value) in [
            ("confidence", r.confidence.to_string()),
            ("correction", r.correction.code().to_string()),
            ("family", r.family.to_string()),
            ("significance_level", r.significance_level.to_string()),
            ("power", r.power.to_string()),
        ] {
            let _ = writeln!(
                out,
                r#"      <property name="{name}" value="{}"/>"#,
                esc(&value)
            );
        }
        let _ = writeln!(out, "    </properties>");
        for c in checks {
            let rule = c.rule.code();
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

//! `--format html` and `--html FILE`: one self-contained page (template in
//! `templates/report.html`, charts from `charts`) that makes no network requests: styles and
//! the small optional script are inline, the charts are inline SVG, and a
//! Content-Security-Policy (`default-src 'none'`, the script allowed by its hash) tells the
//! browser to fetch nothing and run no other script, even if an escaping bug let markup
//! through.
//!
//! Escaping: the template is registered as `.html`, so minijinja HTML-escapes every value
//! it prints. Only the stylesheet, the script and the chart SVG (which escapes its own text,
//! see `charts::Svg`) are marked safe.

use std::collections::BTreeMap;

use base64::Engine as _;
use minijinja::value::{Serde, Value};
use minijinja::{context, Environment, UndefinedBehavior};

use super::charts;
use super::{RenderOptions, Renderer};
use crate::error::{Error, Result};
use crate::model::Reason;
use crate::numfmt;
use crate::summary::{Recommendation, Summary};

const TEMPLATE: &str = include_str!("templates/report.html");
const STYLE: &str = include_str!("templates/report.css");
const SCRIPT: &str = include_str!("templates/report.js");

pub struct HtmlRenderer;

/// The Content-Security-Policy of the page: nothing may be fetched; only our own inline
/// script (by its SHA-256) may run; inline styles are allowed (the bars use them).
fn content_security_policy() -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, SCRIPT.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; \
         base-uri 'none'; form-action 'none'"
    )
}

fn template_error(e: minijinja::Error) -> Error {
    Error::Internal(format!("html report: {e:#}"))
}

/// `|fixed(2)`: a number with that many decimals (one by default).
fn fixed(v: f64, digits: Option<usize>) -> String {
    numfmt::fixed(v, digits.unwrap_or(1))
}

/// `|signed(2)`: a number with its sign ("+12.5", "-0.40"; never "-0.0").
fn signed(v: f64, digits: Option<usize>) -> String {
    numfmt::signed(v, digits.unwrap_or(1))
}

impl Renderer for HtmlRenderer {
    fn render(&self, s: &Summary, opts: &RenderOptions) -> Result<String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("pct", numfmt::pct);
        env.add_filter("fixed", fixed);
        env.add_filter("signed", signed);
        env.add_filter("count", numfmt::thousands);
        env.add_filter("plain", numfmt::plain);
        env.add_filter("level", numfmt::level);
        env.add_template("report.html", TEMPLATE)
            .map_err(template_error)?;
        let template = env.get_template("report.html").map_err(template_error)?;

        let labels: BTreeMap<&str, &str> = Recommendation::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect();
        let classes: BTreeMap<&str, &str> = Recommendation::ALL
            .iter()
            .map(|r| (r.code(), charts::recommendation_class(*r)))
            .collect();
        let help: BTreeMap<&str, &str> = Reason::ALL.iter().map(|r| (r.code(), r.help())).collect();
        let weekly: Vec<Value> = s
            .weekly
            .as_ref()
            .map(charts::weekly_charts)
            .unwrap_or_default()
            .into_iter()
            .map(|w| {
                context! {
                    category => w.category,
                    flagged => w.flagged,
                    svg => Value::from_safe_string(w.svg),
                }
            })
            .collect();
        let row_bars: Vec<Value> = charts::interval_bars(s)
            .into_iter()
            .map(Value::from_safe_string)
            .collect();
        let route_to_humans = s
            .categories
            .iter()
            .filter(|c| c.recommendation == Recommendation::RouteToHumans)
            .count();

        let ctx = context! {
            s => Value::from(Serde(s)),
            generated_at => opts.generated_at.clone(),
            csp => content_security_policy(),
            style => Value::from_safe_string(STYLE.to_string()),
            script => Value::from_safe_string(SCRIPT.to_string()),
            ranked_chart => Value::from_safe_string(charts::ranked_chart(s)),
            volume_chart => Value::from_safe_string(charts::volume_chart(s)),
            row_bars => row_bars,
            weekly_charts => weekly,
            rec_label => labels,
            rec_class => classes,
            reason_help => help,
            route_to_humans => route_to_humans,
        };
        let mut out = template.render(ctx).map_err(template_error)?;
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// When the report was written: `SOURCE_DATE_EPOCH` (seconds, for reproducible output)
/// when set, else the clock; UTC, ISO 8601.
pub fn generated_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    crate::time::Timestamp::from_unix(secs, 0).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_pins_the_script_and_blocks_fetches() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        // SHA-256 in base64 is 44 characters.
        let hash = csp
            .split("'sha256-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("hash");
        assert_eq!(hash.len(), 44, "{csp}");
        assert!(!SCRIPT.contains("</script"));
        assert!(!STYLE.contains("</style"));
    }
}

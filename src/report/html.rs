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
use crate::summary::{Recommendation, Summary};

const TEMPLATE: &str = include_str!("templates/report.html");
const STYLE: &str = include_str!("templates/report.css");
const SCRIPT: &str = include_str!("templates/report.js");

pub struct HtmlRenderer;

const RECOMMENDATIONS: [Recommendation; 4] = [
    Recommendation::RouteToHumans,
    Recommendation::HumanReview,
    Recommendation::BotOk,
    Recommendation::InsufficientData,
];

/// The code a recommendation serialises to ("route_to_humans"), as the template sees it.
fn recommendation_code(r: Recommendation) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

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

/// "12.3%"
fn pct(v: f64) -> String {
    super::pct(v)
}

/// A number with `digits` decimals.
fn fixed(v: f64, digits: Option<usize>) -> String {
    format!("{v:.*}", digits.unwrap_or(1))
}

/// A number as short as it can be written: "8", "7.5".
fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// A count with thousands separators: "24,391".
fn count(v: u64) -> String {
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

impl Renderer for HtmlRenderer {
    fn render(&self, s: &Summary, opts: &RenderOptions) -> Result<String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("pct", pct);
        env.add_filter("fixed", fixed);
        env.add_filter("count", count);
        env.add_filter("plain", plain);
        env.add_template("report.html", TEMPLATE)
            .map_err(template_error)?;
        let template = env.get_template("report.html").map_err(template_error)?;

        let labels: BTreeMap<String, &str> = RECOMMENDATIONS
            .iter()
            .map(|r| (recommendation_code(*r), r.label()))
            .collect();
        let classes: BTreeMap<String, &str> = RECOMMENDATIONS
            .iter()
            .map(|r| (recommendation_code(*r), charts::recommendation_class(*r)))
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
            z_critical => crate::summary::WEEKLY_Z_CRITICAL,
            min_csat_answers => crate::summary::WEEKLY_MIN_CSAT_ANSWERS,
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
    crate::dates::format_utc(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(24_391), "24,391");
        assert_eq!(count(1_234_567), "1,234,567");
    }

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

    #[test]
    fn every_recommendation_has_a_code() {
        let codes: Vec<String> = RECOMMENDATIONS
            .iter()
            .map(|r| recommendation_code(*r))
            .collect();
        assert_eq!(
            codes,
            [
                "route_to_humans",
                "human_review",
                "bot_ok",
                "insufficient_data"
            ]
        );
    }
}

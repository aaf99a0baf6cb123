//! Inline SVG charts for the HTML report, drawn from the `Summary` alone (layout only, no
//! metrics). Every string that reaches the SVG goes through [`Svg`], which escapes it, so
//! category names and labels from the input can never become markup. Styling is by class
//! (the report's stylesheet), so the charts print and follow the page's colours.

mod ranked;
mod scatter;
mod weekly;

use std::fmt::Write;

use crate::numfmt::{trimmed, xml_escape as escape};
use crate::summary::Recommendation;

pub use ranked::{interval_bars, ranked_chart};
pub use scatter::volume_chart;
pub use weekly::weekly_charts;

/// A coordinate with one decimal (enough at these sizes, and it keeps the file small).
fn n(v: f64) -> String {
    trimmed(if v.is_finite() { v } else { 0.0 }, 1)
}

/// CSS class of a recommendation (matches the report's stylesheet).
pub fn recommendation_class(r: Recommendation) -> &'static str {
    match r {
        Recommendation::RouteToHumans => "rec-route",
        Recommendation::HumanReview => "rec-review",
        Recommendation::BotOk => "rec-ok",
        Recommendation::InsufficientData => "rec-insufficient",
    }
}

/// The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|c| *c >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// Axis maximum and tick step for a rate (0..1): the step a whole percentage (2%, 5%, 10%
/// or 20% as the rate grows) and the maximum a whole number of steps, so the last tick
/// sits at the axis end and reads its value (a 70% maximum with 20% steps once labelled
/// its end "80%").
fn rate_axis(max: f64) -> (f64, f64) {
    let max = if max.is_finite() {
        max.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let step = match max {
        m if m <= 0.1 => 0.02,
        m if m <= 0.2 => 0.05,
        m if m <= 0.5 => 0.1,
        _ => 0.2,
    };
    // The small tolerance keeps 0.3 (0.30000000000000004 / 0.1) from rounding up a step.
    let steps = (max / step - 1e-9).ceil().max(1.0);
    ((steps * step).min(1.0), step)
}

/// The tick values of a [`rate_axis`]: 0, step, ... up to the maximum, which is the last.
fn rate_ticks((top, step): (f64, f64)) -> Vec<f64> {
    let count = (top / step).round() as usize;
    (0..=count).map(|i| (step * i as f64).min(top)).collect()
}

/// An SVG document being written. Text and titles are escaped here and nowhere else.
pub struct Svg {
    out: String,
}

impl Svg {
    pub fn new(width: f64, height: f64, label: &str) -> Svg {
        let mut out = String::with_capacity(8 << 10);
        let _ = write!(
            out,
            r#"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" class="chart" role="img" aria-label="{label}"><title>{label}</title>"#,
            w = n(width),
            h = n(height),
            label = escape(label)
        );
        Svg { out }
    }

    pub fn text(&mut self, x: f64, y: f64, class: &str, anchor: &str, text: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" class="{class}" text-anchor="{anchor}">{}</text>"#,
            n(x),
            n(y),
            escape(text)
        );
    }

    /// Text with a tooltip (the full label when the shown one is shortened).
    pub fn text_titled(
        &mut self,
        x: f64,
        y: f64,
        class: &str,
        anchor: &str,
        text: &str,
        title: &str,
    ) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" class="{class}" text-anchor="{anchor}"><title>{}</title>{}</text>"#,
            n(x),
            n(y),
            escape(title),
            escape(text)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" class="{class}"/>"#,
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, title: Option<&str>) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" class="{class}">"#,
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
        self.close_with_title("rect", title);
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, class: &str, title: Option<&str>) {
        let _ = write!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="{}" class="{class}">"#,
            n(cx),
            n(cy),
            n(r)
        );
        self.close_with_title("circle", title);
    }

    /// An open polyline (`closed` false) or a polygon.
    pub fn path(&mut self, points: &[(f64, f64)], closed: bool, class: &str) {
        if points.is_empty() {
            return;
        }
        let pts: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let tag = if closed { "polygon" } else { "polyline" };
        let _ = write!(
            self.out,
            r#"<{tag} points="{}" class="{class}"/>"#,
            pts.join(" ")
        );
    }

    /// Opens a group; a tooltip on a group covers everything in it.
    pub fn group(&mut self, class: &str, title: Option<&str>) {
        let _ = write!(self.out, r#"<g class="{class}">"#);
        if let Some(t) = title {
            let _ = write!(self.out, "<title>{}</title>", escape(t));
        }
    }

    pub fn end_group(&mut self) {
        self.out.push_str("</g>");
    }

    fn close_with_title(&mut self, tag: &str, title: Option<&str>) {
        if let Some(t) = title {
            let _ = write!(self.out, "<title>{}</title>", escape(t));
        }
        let _ = write!(self.out, "</{tag}>");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text_and_titles() {
        let mut svg = Svg::new(10.0, 10.0, "a \"label\" <b>");
        svg.text_titled(
            1.0,
            2.0,
            "c",
            "start",
            "<script>x</script>",
            "</title><img src=x onerror=alert(1)>",
        );
        let out = svg.finish();
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("<b>"), "{out}");
        assert!(out.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(out.contains("aria-label=\"a &quot;label&quot; &lt;b&gt;\""));
    }

    #[test]
    fn nice_axis_values() {
        assert_eq!(nice_ceiling(672.0), 1000.0);
        assert_eq!(nice_ceiling(230.0), 250.0);
        assert_eq!(nice_ceiling(5.0), 5.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        // The maximum is a whole number of steps (0.7 with 20% steps was the tick bug).
        let (top, step) = rate_axis(0.612);
        assert!((top - 0.8).abs() < 1e-9 && (step - 0.2).abs() < 1e-9);
        let (top, step) = rate_axis(0.08);
        assert!((top - 0.08).abs() < 1e-9 && (step - 0.02).abs() < 1e-9);
        assert_eq!(rate_axis(1.4).0, 1.0);
        assert_eq!(n(3.04), "3");
        assert_eq!(n(f64::NAN), "0");
    }
}

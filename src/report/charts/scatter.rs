//! Volume against failure rate: one bubble per category at (conversations, needs-human
//! rate), its area proportional to the estimated agent hours, so the categories that cost
//! the most human time stand out (top right, large).

use super::{nice_ceiling, rate_axis, rate_ticks, recommendation_class, Svg};
use crate::numfmt::{fit, fixed, pct, percent};
use crate::summary::Summary;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 52.0;
const MAX_R: f64 = 28.0;
const MIN_R: f64 = 4.0;
/// Vertical room one label needs.
const LABEL_H: f64 = 14.0;

pub fn volume_chart(s: &Summary) -> String {
    let cats = &s.categories;
    let max_n = cats.iter().map(|c| c.conversations).max().unwrap_or(0) as f64;
    let x_top = nice_ceiling(max_n.max(1.0) * 1.05);
    let max_rate = cats
        .iter()
        .map(|c| c.needs_human_rate)
        .fold(s.settings.route_to_humans, f64::max);
    let (y_top, y_step) = rate_axis(max_rate + 0.03);
    let max_hours = cats.iter().map(|c| c.agent_hours).fold(0.0, f64::max);

    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |v: f64| LEFT + plot_w * (v / x_top).clamp(0.0, 1.0);
    let y = |v: f64| TOP + plot_h * (1.0 - (v / y_top).clamp(0.0, 1.0));
    let radius = |h: f64| {
        if max_hours > 0.0 {
            MIN_R + (MAX_R - MIN_R) * (h / max_hours).sqrt()
        } else {
            MIN_R
        }
    };

    let mut svg = Svg::new(
        WIDTH,
        HEIGHT,
        "Volume against needs-human rate by category; bubble area is estimated agent hours",
    );
    for v in rate_ticks((y_top, y_step)) {
        svg.line(LEFT, y(v), LEFT + plot_w, y(v), "grid");
        svg.text(LEFT - 6.0, y(v) + 4.0, "tick", "end", &percent(v, 0));
    }
    let x_step = x_top / 5.0;
    for i in 0..=5 {
        let v = x_step * i as f64;
        svg.line(x(v), TOP, x(v), TOP + plot_h, "grid");
        svg.text(x(v), TOP + plot_h + 16.0, "tick", "middle", &fixed(v, 0));
    }
    svg.text(
        LEFT + plot_w / 2.0,
        HEIGHT - 10.0,
        "axis-label",
        "middle",
        "conversations audited (volume)",
    );
    svg.text(LEFT, TOP - 6.0, "axis-label", "start", "needs-human rate ↑");
    for (v, label) in [
        (s.settings.human_review, "human review"),
        (s.settings.route_to_humans, "route to humans"),
    ] {
        if v > 0.0 && v <= y_top {
            svg.line(LEFT, y(v), LEFT + plot_w, y(v), "threshold");
            svg.text(
                LEFT + plot_w - 4.0,
                y(v) - 4.0,
                "threshold-label",
                "end",
                &format!("{label} ≥ {}", pct(v)),
            );
        }
    }

    // Largest bubbles first so small ones stay visible on top.
    let mut order: Vec<usize> = (0..cats.len()).collect();
    order.sort_by(|&a, &b| cats[b].agent_hours.total_cmp(&cats[a].agent_hours));
    let mut labels = Vec::with_capacity(cats.len());
    for &i in &order {
        let c = &cats[i];
        let (cx, cy, r) = (
            x(c.conversations as f64),
            y(c.needs_human_rate),
            radius(c.agent_hours),
        );
        let title = format!(
            "{}: {} conversations, {} need a human, about {} agent hours; {}",
            c.category,
            c.conversations,
            pct(c.needs_human_rate),
            fixed(c.agent_hours, 1),
            c.recommendation.label()
        );
        svg.circle(
            cx,
            cy,
            r,
            &format!("bubble {}", recommendation_class(c.recommendation)),
            Some(&title),
        );
        labels.push((
            cx,
            cy,
            r,
            format!("{} · {} h", fit(&c.category, 18), fixed(c.agent_hours, 1)),
            c.category.clone(),
        ));
    }

    // Labels beside their bubbles, pushed apart vertically so they do not overprint, and
    // off the threshold lines.
    let lines: Vec<f64> = [s.settings.human_review, s.settings.route_to_humans]
        .into_iter()
        .filter(|v| *v > 0.0 && *v <= y_top)
        .map(y)
        .collect();
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut last_y = f64::NEG_INFINITY;
    for (cx, cy, r, text, full) in labels {
        let ly =
            clear_of_lines((cy + 4.0).max(last_y + LABEL_H), &lines).min(HEIGHT - BOTTOM + 8.0);
        last_y = ly;
        let right_side = cx + r + 8.0 + 7.0 * text.chars().count() as f64 <= WIDTH - RIGHT;
        let (lx, anchor) = if right_side {
            (cx + r + 5.0, "start")
        } else {
            (cx - r - 5.0, "end")
        };
        svg.text_titled(lx, ly, "bubble-label", anchor, &text, &full);
    }
    svg.finish()
}

/// A label's baseline moved below any horizontal line that would cross its text (which
/// spans about 10 px above the baseline and 3 below).
fn clear_of_lines(baseline: f64, lines: &[f64]) -> f64 {
    let mut ly = baseline;
    let mut sorted = lines.to_vec();
    sorted.sort_by(f64::total_cmp);
    for line in sorted {
        if ly - 10.0 <= line + 1.0 && ly + 3.0 >= line - 1.0 {
            ly = line + 12.0;
        }
    }
    ly
}

#[cfg(test)]
mod tests {
    use super::clear_of_lines;

    #[test]
    fn labels_move_off_the_threshold_lines_they_would_cross() {
        // The line at 100 runs through a label on baseline 105 (text 95..108): moved below.
        assert_eq!(clear_of_lines(105.0, &[100.0]), 112.0);
        assert_eq!(clear_of_lines(98.0, &[100.0]), 112.0);
        // Clear of it: kept.
        assert_eq!(clear_of_lines(120.0, &[100.0]), 120.0);
        assert_eq!(clear_of_lines(80.0, &[100.0]), 80.0);
        // Moved below one line onto the next: below that one too.
        assert_eq!(clear_of_lines(105.0, &[110.0, 100.0]), 122.0);
    }
}

//! The ranked bar chart: each category's needs-human rate as a bar with its 95% interval
//! as whiskers, in report order, against the recommendation thresholds.

use super::{rate_axis, rate_ticks, recommendation_class, Svg};
use crate::numfmt::{fit, pct, percent, Quantity};
use crate::summary::{CategoryStats, Summary};

const WIDTH: f64 = 760.0;
const LABEL_W: f64 = 150.0;
const VALUE_W: f64 = 170.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 34.0;
const AXIS_H: f64 = 34.0;

/// The rate axis shared by the chart and the table's interval bars: room for every
/// interval and both thresholds.
fn axis(s: &Summary) -> (f64, f64) {
    let max = s
        .categories
        .iter()
        .chain(std::iter::once(&s.overall))
        .map(|c| c.needs_human_ci[1])
        .fold(s.settings.route_to_humans, f64::max);
    rate_axis(max + 0.02)
}

/// A small bar with whiskers per category (then overall) for the ranked table, on the
/// chart's scale.
pub fn interval_bars(s: &Summary) -> Vec<String> {
    const W: f64 = 140.0;
    const H: f64 = 16.0;
    let (top, _) = axis(s);
    let x = |v: f64| 2.0 + (W - 4.0) * (v.clamp(0.0, top) / top);
    s.categories
        .iter()
        .chain(std::iter::once(&s.overall))
        .enumerate()
        .map(|(i, c)| {
            let class = if i == s.categories.len() {
                "row overall".to_string()
            } else {
                format!("row {}", recommendation_class(c.recommendation))
            };
            let mut svg = Svg::new(
                W,
                H,
                &format!(
                    "{} (95% interval {})",
                    pct(c.needs_human_rate),
                    Quantity::Rate.range(c.needs_human_ci)
                ),
            );
            svg.group(&class, None);
            svg.rect(
                x(0.0),
                4.0,
                x(c.needs_human_rate) - x(0.0),
                8.0,
                "bar",
                None,
            );
            let (lo, hi) = (x(c.needs_human_ci[0]), x(c.needs_human_ci[1]));
            svg.line(lo, 8.0, hi, 8.0, "whisker");
            svg.line(lo, 4.0, lo, 12.0, "whisker");
            svg.line(hi, 4.0, hi, 12.0, "whisker");
            svg.end_group();
            svg.finish()
        })
        .collect()
}

pub fn ranked_chart(s: &Summary) -> String {
    let rows: Vec<&CategoryStats> = s
        .categories
        .iter()
        .chain(std::iter::once(&s.overall))
        .collect();
    let (top, step) = axis(s);
    let plot_x = LABEL_W;
    let plot_w = WIDTH - LABEL_W - VALUE_W;
    let x = |v: f64| plot_x + plot_w * (v.clamp(0.0, top) / top);
    let height = TOP + ROW_H * rows.len() as f64 + 8.0 + AXIS_H;
    let bottom = TOP + ROW_H * rows.len() as f64 + 8.0;
    let mut svg = Svg::new(
        WIDTH,
        height,
        "Needs-human rate by category, with 95% intervals, ranked",
    );

    // Grid and axis.
    for v in rate_ticks((top, step)) {
        svg.line(x(v), TOP - 6.0, x(v), bottom, "grid");
        svg.text(x(v), bottom + 16.0, "tick", "middle", &percent(v, 0));
    }
    svg.text(
        plot_x + plot_w / 2.0,
        bottom + 31.0,
        "axis-label",
        "middle",
        "share of conversations that needed a human",
    );

    // Thresholds.
    let thresholds = [
        (s.settings.human_review, "human review"),
        (s.settings.route_to_humans, "route to humans"),
    ];
    for (i, (v, label)) in thresholds.iter().enumerate() {
        if *v <= 0.0 || *v > top {
            continue;
        }
        svg.line(x(*v), TOP - 8.0, x(*v), bottom, "threshold");
        // Staggered so close thresholds do not overprint.
        svg.text(
            x(*v),
            TOP - 12.0 - 11.0 * i as f64,
            "threshold-label",
            "middle",
            &format!("{label} ≥ {}", pct(*v)),
        );
    }

    for (i, c) in rows.iter().enumerate() {
        let overall = i == rows.len() - 1;
        let y = TOP + ROW_H * i as f64 + if overall { 8.0 } else { 0.0 };
        let mid = y + ROW_H / 2.0;
        if overall {
            svg.line(0.0, y - 4.0, WIDTH, y - 4.0, "separator");
        }
        let title = format!(
            "{}: {} need a human (95% interval {}), {} of {} conversations; {}",
            c.category,
            pct(c.needs_human_rate),
            Quantity::Rate.range(c.needs_human_ci),
            c.needs_human,
            c.conversations,
            c.recommendation.label()
        );
        let class = if overall {
            "row overall".to_string()
        } else {
            format!("row {}", recommendation_class(c.recommendation))
        };
        svg.group(&class, Some(&title));
        svg.text_titled(
            LABEL_W - 8.0,
            mid + 4.0,
            "cat-label",
            "end",
            &fit(&c.category, 20),
            &c.category,
        );
        svg.rect(
            plot_x,
            mid - 7.0,
            x(c.needs_human_rate) - plot_x,
            14.0,
            "bar",
            None,
        );
        let (lo, hi) = (x(c.needs_human_ci[0]), x(c.needs_human_ci[1]));
        svg.line(lo, mid, hi, mid, "whisker");
        svg.line(lo, mid - 5.0, lo, mid + 5.0, "whisker");
        svg.line(hi, mid - 5.0, hi, mid + 5.0, "whisker");
        svg.text(
            plot_x + plot_w + 8.0,
            mid + 4.0,
            "value",
            "start",
            &format!("{} · n={}", pct(c.needs_human_rate), c.conversations),
        );
        svg.end_group();
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::super::{rate_axis, rate_ticks};
    use crate::numfmt::percent;

    fn labels(max: f64) -> Vec<String> {
        rate_ticks(rate_axis(max))
            .into_iter()
            .map(|v| percent(v, 0))
            .collect()
    }

    #[test]
    fn the_last_tick_is_the_axis_end_and_reads_its_value() {
        // The report's case: intervals up to about 0.68 once drew "80%" at the 70% end.
        assert_eq!(labels(0.68), ["0%", "20%", "40%", "60%", "80%"]);
        assert_eq!(rate_axis(0.68).0, 0.8, "the axis ends at its last tick");
        assert_eq!(labels(0.7), ["0%", "20%", "40%", "60%", "80%"]);
        assert_eq!(labels(0.5), ["0%", "10%", "20%", "30%", "40%", "50%"]);
        assert_eq!(labels(0.3), ["0%", "10%", "20%", "30%"]);
        assert_eq!(labels(0.17), ["0%", "5%", "10%", "15%", "20%"]);
        assert_eq!(labels(0.07), ["0%", "2%", "4%", "6%", "8%"]);
        assert_eq!(labels(0.95), ["0%", "20%", "40%", "60%", "80%", "100%"]);
    }

    #[test]
    fn every_axis_ends_on_a_tick_within_0_and_100_percent() {
        for i in 0..=1000 {
            let max = f64::from(i) / 1000.0;
            let (top, step) = rate_axis(max);
            let ticks = rate_ticks((top, step));
            let last = ticks.last().copied().unwrap_or(-1.0);
            assert!(
                (last - top).abs() < 1e-9,
                "{max}: last tick {last}, top {top}"
            );
            assert!(top >= max - 1e-9 && top <= 1.0, "{max}: top {top}");
            assert!(
                ticks.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-9),
                "{max}: evenly spaced {ticks:?}"
            );
        }
        // Nothing to show still draws an axis.
        assert_eq!(labels(0.0), ["0%", "2%"]);
        assert_eq!(rate_axis(f64::NAN).0, 1.0);
    }
}

//! Weekly small multiples: for each series (overall, then each category) one figure with
//! two panels, the needs-human rate and the mean CSAT, each with its 95% interval, on scales
//! shared by every figure so categories compare at a glance. Weeks the aggregate stage
//! flagged as significantly worse are marked (▲ rate rose, ▼ CSAT fell).

use super::{rate_axis, Svg};
use crate::numfmt::{fixed, pct, percent, Quantity};
use crate::summary::{WeekLabel, Weekly, WeeklySeries};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 150.0;
const PANEL_W: f64 = 320.0;
const PANEL_X: [f64; 2] = [52.0, 52.0 + PANEL_W + 64.0];
const PLOT_TOP: f64 = 24.0;
const PLOT_H: f64 = 92.0;
/// At most this many week labels under a panel.
const MAX_WEEK_LABELS: usize = 8;

pub struct WeeklyChart {
    pub category: String,
    pub svg: String,
    /// Weeks flagged in this series.
    pub flagged: usize,
}

/// How a week flagged as significantly worse is drawn: a note in its title and a mark
/// (offset `dy` from the point).
struct Flag {
    note: &'static str,
    mark: &'static str,
    dy: f64,
}

const RATE_ROSE: Flag = Flag {
    note: " — significantly higher than the week before",
    mark: "▲",
    dy: -9.0,
};
const CSAT_FELL: Flag = Flag {
    note: " — significantly lower than the week before",
    mark: "▼",
    dy: 17.0,
};

/// One week's point, larger and marked when flagged.
fn week_point(svg: &mut Svg, (px, py): (f64, f64), class: &str, title: String, flag: Option<Flag>) {
    match flag {
        None => svg.circle(px, py, 3.0, class, Some(&title)),
        Some(f) => {
            svg.circle(
                px,
                py,
                5.0,
                &format!("{class} flag"),
                Some(&(title + f.note)),
            );
            svg.text(px, py + f.dy, "flag-mark", "middle", f.mark);
        }
    }
}

struct Scales {
    rate_top: f64,
    rate_step: f64,
    csat: Option<(f64, f64)>,
}

pub fn weekly_charts(w: &Weekly) -> Vec<WeeklyChart> {
    let all = || std::iter::once(&w.overall).chain(&w.categories);
    let max_rate = all()
        .flat_map(|s| &s.points)
        .filter(|p| p.conversations > 0)
        .map(|p| p.needs_human_rate)
        .fold(0.0, f64::max);
    let (rate_top, rate_step) = rate_axis(max_rate + 0.02);
    let means: Vec<f64> = all()
        .flat_map(|s| &s.points)
        .filter_map(|p| p.mean_csat)
        .collect();
    let csat = if means.is_empty() {
        None
    } else {
        let lo = means.iter().copied().fold(f64::INFINITY, f64::min).floor();
        let hi = means
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil();
        Some((lo, hi.max(lo + 1.0)))
    };
    let scales = Scales {
        rate_top,
        rate_step,
        csat,
    };
    all()
        .map(|s| WeeklyChart {
            category: s.category.clone(),
            svg: series_chart(s, &w.weeks, &scales),
            flagged: s
                .points
                .iter()
                .filter(|p| p.needs_human_rose || p.csat_fell)
                .count(),
        })
        .collect()
}

fn series_chart(s: &WeeklySeries, weeks: &[WeekLabel], sc: &Scales) -> String {
    let count = weeks.len().max(1) as f64;
    let x = |panel: usize, i: usize| PANEL_X[panel] + PANEL_W * (i as f64 + 0.5) / count;
    let bottom = PLOT_TOP + PLOT_H;
    let mut svg = Svg::new(
        WIDTH,
        HEIGHT,
        &format!("{}: weekly needs-human rate and mean CSAT", s.category),
    );

    // Panel frames, titles and week labels.
    let every = weeks.len().div_ceil(MAX_WEEK_LABELS).max(1);
    for (panel, title) in [(0, "needs-human rate"), (1, "mean CSAT")] {
        svg.text(
            PANEL_X[panel],
            PLOT_TOP - 10.0,
            "panel-title",
            "start",
            title,
        );
        svg.line(
            PANEL_X[panel],
            bottom,
            PANEL_X[panel] + PANEL_W,
            bottom,
            "axis",
        );
        for (i, label) in weeks.iter().enumerate() {
            if i % every == 0 || i + 1 == weeks.len() {
                let short = short_date(&label.start).unwrap_or_else(|| label.week.clone());
                svg.text_titled(
                    x(panel, i),
                    bottom + 14.0,
                    "tick",
                    "middle",
                    &short,
                    &format!("{} (week of {})", label.week, label.start),
                );
            }
        }
    }

    // Needs-human rate: interval bars, line through weeks with data, points.
    let ry = |v: f64| bottom - PLOT_H * (v / sc.rate_top).clamp(0.0, 1.0);
    let ticks = (sc.rate_top / sc.rate_step).round() as usize;
    for t in 0..=ticks {
        let v = sc.rate_step * t as f64;
        svg.line(PANEL_X[0], ry(v), PANEL_X[0] + PANEL_W, ry(v), "grid");
        svg.text(PANEL_X[0] - 5.0, ry(v) + 4.0, "tick", "end", &percent(v, 0));
    }
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for (i, p) in s.points.iter().enumerate() {
        if p.conversations == 0 {
            svg.path(&std::mem::take(&mut segment), false, "series");
            continue;
        }
        segment.push((x(0, i), ry(p.needs_human_rate)));
    }
    svg.path(&segment, false, "series");
    for (i, (p, label)) in s.points.iter().zip(weeks).enumerate() {
        if p.conversations == 0 {
            continue;
        }
        let (px, py) = (x(0, i), ry(p.needs_human_rate));
        svg.line(
            px,
            ry(p.needs_human_ci[0]),
            px,
            ry(p.needs_human_ci[1]),
            "interval",
        );
        let title = format!(
            "{} (week of {}): {} need a human ({} of {}; 95% interval {})",
            label.week,
            label.start,
            pct(p.needs_human_rate),
            p.needs_human,
            p.conversations,
            Quantity::Rate.range(p.needs_human_ci)
        );
        let flag = p.needs_human_rose.then_some(RATE_ROSE);
        week_point(&mut svg, (px, py), "pt", title, flag);
    }

    // Mean CSAT.
    let Some((lo, hi)) = sc.csat else {
        svg.text(
            PANEL_X[1] + PANEL_W / 2.0,
            PLOT_TOP + PLOT_H / 2.0,
            "note",
            "middle",
            "no CSAT answers",
        );
        return svg.finish();
    };
    let cy = |v: f64| bottom - PLOT_H * ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    let step = if hi - lo > 4.0 { 2.0 } else { 1.0 };
    let mut v = lo;
    while v <= hi + 1e-9 {
        svg.line(PANEL_X[1], cy(v), PANEL_X[1] + PANEL_W, cy(v), "grid");
        svg.text(PANEL_X[1] - 5.0, cy(v) + 4.0, "tick", "end", &fixed(v, 0));
        v += step;
    }
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for (i, p) in s.points.iter().enumerate() {
        match p.mean_csat {
            Some(m) => segment.push((x(1, i), cy(m))),
            None => svg.path(&std::mem::take(&mut segment), false, "series csat"),
        }
    }
    svg.path(&segment, false, "series csat");
    let mut any = false;
    for (i, (p, label)) in s.points.iter().zip(weeks).enumerate() {
        let Some(m) = p.mean_csat else { continue };
        any = true;
        let (px, py) = (x(1, i), cy(m));
        // The interval says whether a dip is more than the noise of a few answers: the
        // flags test the difference, but a reader compares the points.
        let interval = match p.csat_ci {
            Some([low, high]) => {
                svg.line(px, cy(low), px, cy(high), "interval");
                format!("; 95% interval {} to {}", fixed(low, 2), fixed(high, 2))
            }
            None => String::new(),
        };
        let title = format!(
            "{} (week of {}): mean CSAT {} ({} answers{interval})",
            label.week,
            label.start,
            fixed(m, 2),
            p.csat_answered
        );
        let flag = p.csat_fell.then_some(CSAT_FELL);
        week_point(&mut svg, (px, py), "pt csat", title, flag);
    }
    if !any {
        svg.text(
            PANEL_X[1] + PANEL_W / 2.0,
            PLOT_TOP + PLOT_H / 2.0,
            "note",
            "middle",
            "no CSAT answers",
        );
    }
    svg.finish()
}

/// A week's Monday as its tick shows it, "Mar 3", from "2025-03-03": dates read where ISO
/// week numbers ("W10") need a calendar.
fn short_date(day: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.splitn(3, '-').skip(1);
    let month: usize = parts.next()?.parse().ok()?;
    let date: u32 = parts.next()?.parse().ok()?;
    Some(format!("{} {date}", MONTHS.get(month.checked_sub(1)?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_ticks_show_the_monday_as_a_date() {
        assert_eq!(short_date("2025-03-03").as_deref(), Some("Mar 3"));
        assert_eq!(short_date("2024-12-30").as_deref(), Some("Dec 30"));
        assert_eq!(short_date("2025-13-01"), None);
        assert_eq!(short_date("W10"), None);
    }
    use crate::summary::WeekPoint;

    fn point(n: u64, k: u64, rose: bool, csat: Option<f64>, fell: bool) -> WeekPoint {
        WeekPoint {
            conversations: n,
            needs_human: k,
            needs_human_rate: if n > 0 { k as f64 / n as f64 } else { 0.0 },
            needs_human_ci: [0.0, 1.0],
            csat_answered: u64::from(csat.is_some()) * 12,
            mean_csat: csat,
            csat_ci: csat.map(|m| [m - 0.4, m + 0.3]),
            needs_human_rose: rose,
            csat_fell: fell,
        }
    }

    #[test]
    fn flagged_weeks_are_marked_and_names_escaped() {
        let weeks: Vec<WeekLabel> = ["2025-W10", "2025-W11", "2025-W12"]
            .iter()
            .map(|w| WeekLabel {
                week: w.to_string(),
                start: "2025-03-03".into(),
            })
            .collect();
        let cat = WeeklySeries {
            category: "<b>card</b>".into(),
            points: vec![
                point(40, 4, false, Some(4.5), false),
                point(40, 24, true, Some(2.0), true),
                point(0, 0, false, None, false),
            ],
        };
        let overall = WeeklySeries {
            category: "overall".into(),
            points: vec![
                point(40, 4, false, None, false),
                point(40, 5, false, None, false),
                point(10, 1, false, None, false),
            ],
        };
        let charts = weekly_charts(&Weekly {
            weeks,
            undated: 0,
            earlier: 0,
            confidence: 0.95,
            correction: "holm".into(),
            family: 0,
            min_conversations: 30,
            min_csat_responses: 30,
            overall,
            categories: vec![cat],
            flags: Vec::new(),
        });
        assert_eq!(charts.len(), 2);
        assert_eq!(charts[0].flagged, 0);
        assert_eq!(charts[1].flagged, 1);
        let svg = &charts[1].svg;
        assert_eq!(svg.matches("class=\"pt flag\"").count(), 1);
        assert_eq!(svg.matches("class=\"pt csat flag\"").count(), 1);
        assert!(svg.contains('▲') && svg.contains('▼'));
        // Both CSAT weeks carry their interval, in a bar and in the point's title.
        assert!(svg.contains("95% interval 1.60 to 2.30"), "{svg}");
        assert!(svg.contains("95% interval 4.10 to 4.80"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;b&gt;card&lt;/b&gt;"));
        assert!(!charts[0].svg.contains("flag\""));
    }
}

//! `--compare-periods`: counters per (period, category), then each category's latest period
//! against the one before, with the same intervals as the release gate. Memory is one small
//! counter per (period, category) pair, whatever the input size.

use std::collections::BTreeMap;

use crate::detect::Assessment;
use crate::stats::{newcombe_difference, round, welch_difference, Estimate, Moments};
use crate::summary::{PeriodInfo, TrendChange, TrendRow, Trends};
use crate::timestamp::{self, Granularity};

#[derive(Debug, Clone, Copy)]
pub struct TrendOptions {
    pub granularity: Granularity,
    pub confidence: f64,
    pub min_conversations: u64,
    pub min_csat_responses: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    conversations: u64,
    needs_human: u64,
    satisfaction_drop: u64,
    csat: Moments,
}

impl Counts {
    fn merge(&mut self, o: &Counts) {
        self.conversations += o.conversations;
        self.needs_human += o.needs_human;
        self.satisfaction_drop += o.satisfaction_drop;
        self.csat.n += o.csat.n;
        self.csat.sum += o.csat.sum;
        self.csat.sum_sq += o.csat.sum_sq;
    }
}

pub struct PeriodCounter {
    opts: TrendOptions,
    cells: BTreeMap<(i64, String), Counts>,
    undated: u64,
}

impl PeriodCounter {
    pub fn new(opts: TrendOptions) -> PeriodCounter {
        PeriodCounter {
            opts,
            cells: BTreeMap::new(),
            undated: 0,
        }
    }

    pub fn add(&mut self, started_at: Option<&str>, a: &Assessment) {
        let Some(secs) = started_at.and_then(timestamp::parse) else {
            self.undated += 1;
            return;
        };
        let key = (self.opts.granularity.period_of(secs), a.category.clone());
        let c = self.cells.entry(key).or_default();
        c.conversations += 1;
        c.needs_human += u64::from(a.needs_human);
        c.satisfaction_drop += u64::from(a.satisfaction_drop);
        if let Some(v) = a.csat {
            c.csat.n += 1;
            c.csat.sum += v;
            c.csat.sum_sq += v * v;
        }
    }

    pub fn finish(&self) -> Trends {
        let g = self.opts.granularity;
        let latest = self.cells.keys().map(|(p, _)| *p).max();
        let previous = latest.map(|p| g.previous(p));
        let info = |p: i64| PeriodInfo {
            label: g.label(p),
            days: g.days(p),
        };
        let mut per_category: BTreeMap<&str, (Counts, Counts)> = BTreeMap::new();
        if let (Some(latest), Some(previous)) = (latest, previous) {
            for ((p, cat), c) in &self.cells {
                let entry = per_category.entry(cat.as_str()).or_default();
                if *p == latest {
                    entry.1.merge(c);
                } else if *p == previous {
                    entry.0.merge(c);
                }
            }
        }
        per_category.retain(|_, (prev, last)| prev.conversations + last.conversations > 0);
        let mut total = (Counts::default(), Counts::default());
        for (prev, last) in per_category.values() {
            total.0.merge(prev);
            total.1.merge(last);
        }
        let mut categories: Vec<TrendRow> = per_category
            .iter()
            .map(|(cat, (prev, last))| self.row(cat, prev, last))
            .collect();
        // Flagged first; BTreeMap order (by name) otherwise, kept by the stable sort.
        categories.sort_by_key(|r| r.flags.is_empty());
        Trends {
            granularity: g.name().to_string(),
            latest: latest.map(info),
            previous: previous.map(info),
            confidence: self.opts.confidence,
            min_conversations: self.opts.min_conversations,
            min_csat_responses: self.opts.min_csat_responses,
            undated: self.undated,
            overall: self.row("overall", &total.0, &total.1),
            categories,
        }
    }

    fn row(&self, category: &str, prev: &Counts, last: &Counts) -> TrendRow {
        let o = &self.opts;
        let judged =
            prev.conversations >= o.min_conversations && last.conversations >= o.min_conversations;
        let rate = |f: fn(&Counts) -> u64| {
            newcombe_difference(
                (f(prev), prev.conversations),
                (f(last), last.conversations),
                o.confidence,
            )
            .map(|d| {
                let prev_rate = f(prev) as f64 / prev.conversations as f64;
                change(&d, prev_rate, judged && d.above_zero())
            })
        };
        let needs_human = rate(|c| c.needs_human);
        let satisfaction_drop = rate(|c| c.satisfaction_drop);
        let csat_judged =
            prev.csat.n >= o.min_csat_responses && last.csat.n >= o.min_csat_responses;
        let mean_csat = welch_difference(prev.csat, last.csat, o.confidence).map(|d| {
            let prev_mean = prev.csat.mean().unwrap_or(0.0);
            change(&d, prev_mean, csat_judged && d.below_zero())
        });
        let mut flags = Vec::new();
        for (c, flag) in [
            (&needs_human, "needs_human_rise"),
            (&satisfaction_drop, "satisfaction_drop_rise"),
            (&mean_csat, "csat_drop"),
        ] {
            if c.as_ref().is_some_and(|c| c.worse) {
                flags.push(flag.to_string());
            }
        }
        TrendRow {
            category: category.to_string(),
            previous_conversations: prev.conversations,
            latest_conversations: last.conversations,
            judged,
            needs_human,
            satisfaction_drop,
            mean_csat,
            flags,
        }
    }
}

/// `d` is `latest - previous`, so the latest value is `previous + d`.
fn change(d: &Estimate, previous: f64, worse: bool) -> TrendChange {
    TrendChange {
        previous: round(previous, 4),
        latest: round(previous + d.value, 4),
        difference: round(d.value, 4),
        interval: [round(d.low, 4), round(d.high, 4)],
        worse,
    }
}

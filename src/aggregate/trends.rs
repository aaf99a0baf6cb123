//! `--compare-periods`: each category's latest period (UTC week or month) against the one
//! before, from the shared day counter and with the shared test (`periods`), the same the
//! weekly series uses. The table's judged changes (categories and overall × three metrics)
//! are one family for `[gate] correction`; the weekly chart's family is larger (every week),
//! so under a correction the two may differ on the latest week (the chart the stricter).

use std::collections::BTreeMap;

use super::periods::{Counts, DayCounter, PeriodTest};
use crate::summary::{PeriodInfo, TrendRow, Trends};
use crate::time::Granularity;

pub fn compare_periods(days: &DayCounter, g: Granularity, test: &PeriodTest) -> Trends {
    let periods = days.periods(g);
    let latest = periods
        .values()
        .filter_map(|p| p.keys().last())
        .max()
        .copied();
    let previous = latest.map(|p| g.previous(p));
    let info = |p: i64| PeriodInfo {
        label: g.label(p),
        days: g.days(p),
    };
    // category (by name) -> (previous, latest); categories with neither left out.
    let mut per_category: BTreeMap<&str, (Counts, Counts)> = BTreeMap::new();
    if let (Some(latest), Some(previous)) = (latest, previous) {
        for (category, p) in &periods {
            let get = |key| p.get(&key).copied().unwrap_or_default();
            let pair = (get(previous), get(latest));
            if pair.0.conversations + pair.1.conversations > 0 {
                per_category.insert(category, pair);
            }
        }
    }
    let mut total = (Counts::default(), Counts::default());
    for (prev, last) in per_category.values() {
        total.0.merge(prev);
        total.1.merge(last);
    }
    let mut overall = row(test, "overall", &total.0, &total.1);
    let mut categories: Vec<TrendRow> = per_category
        .iter()
        .map(|(category, (prev, last))| row(test, category, prev, last))
        .collect();
    // The family: every judged change of the table, overall and per category.
    let family = test.correct(
        std::iter::once(&mut overall)
            .chain(categories.iter_mut())
            .flat_map(|r| {
                [
                    &mut r.needs_human,
                    &mut r.satisfaction_drop,
                    &mut r.mean_csat,
                ]
            })
            .flatten(),
    );
    for r in std::iter::once(&mut overall).chain(categories.iter_mut()) {
        r.flags = flags(r);
    }
    // Flagged first; by name otherwise, kept by the stable sort.
    categories.sort_by_key(|r| r.flags.is_empty());
    Trends {
        granularity: g.name().to_string(),
        latest: latest.map(info),
        previous: previous.map(info),
        confidence: test.confidence,
        min_conversations: test.min_conversations,
        min_csat_responses: test.min_csat_responses,
        correction: test.correction.code().to_string(),
        family: family as u64,
        undated: days.undated(),
        overall,
        categories,
    }
}

fn row(test: &PeriodTest, category: &str, prev: &Counts, last: &Counts) -> TrendRow {
    let c = test.compare(prev, last);
    TrendRow {
        category: category.to_string(),
        previous_conversations: prev.conversations,
        latest_conversations: last.conversations,
        judged: c.judged,
        needs_human: c.needs_human,
        satisfaction_drop: c.satisfaction_drop,
        mean_csat: c.mean_csat,
        flags: Vec::new(),
    }
}

/// The row's significant worsenings, once its family is corrected.
fn flags(r: &TrendRow) -> Vec<String> {
    [
        (&r.needs_human, "needs_human_rise"),
        (&r.satisfaction_drop, "satisfaction_drop_rise"),
        (&r.mean_csat, "csat_drop"),
    ]
    .into_iter()
    .filter(|(change, _)| change.as_ref().is_some_and(|c| c.worse))
    .map(|(_, flag)| flag.to_string())
    .collect()
}

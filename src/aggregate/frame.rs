//! The polars part of the aggregate stage: per-chunk frames of per-conversation flags,
//! reduced by a lazy group-by into per-category sums, merged chunk by chunk so memory holds
//! one row per category however long the input is.
//!
//! polars features used here: `lazy` (group_by_stable / agg / sum).
//!
//! Sums are integers: score and dissatisfaction in the 1e-4 units they are rounded to, CSAT
//! in fixed point ([`units`]). A float sum depends on the order of its terms, and a sharded
//! run (docs/scale-out.md) adds them in another order than one `audit`; `csat_sum` is printed
//! unrounded, so its last bits showed. Integer sums are the same in any order.

use std::collections::HashSet;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::detect::Assessment;
use crate::error::{Error, Result};
use crate::model::Reason;

fn internal(e: PolarsError) -> Error {
    Error::Internal(format!("aggregation: {e}"))
}

/// A per-conversation flag counted per category (one column of the chunk frames).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Conversations,
    NeedsHuman,
    Unresolved,
    EscalationRequest,
    Loop,
    SatisfactionDrop,
    Confirmed,
    CsatAnswered,
}

/// A per-conversation value summed per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Score,
    Csat,
    CsatSquares,
    Dissatisfaction,
    Probability,
    ProbabilitySquares,
}

/// A summed column of the chunk frames: its name and how a conversation's value is taken.
struct Summed<K, T> {
    key: K,
    name: &'static str,
    of: fn(&Assessment) -> T,
}

/// In the order of `Counter` (checked below), so `counter as usize` indexes it.
const COUNTERS: [Summed<Counter, bool>; 8] = [
    Summed {
        key: Counter::Conversations,
        name: "conversations",
        of: |_| true,
    },
    Summed {
        key: Counter::NeedsHuman,
        name: "needs_human",
        of: |a| a.needs_human,
    },
    Summed {
        key: Counter::Unresolved,
        name: "unresolved",
        of: |a| a.unresolved,
    },
    Summed {
        key: Counter::EscalationRequest,
        name: "escalation_request",
        of: |a| a.escalation_request,
    },
    Summed {
        key: Counter::Loop,
        name: "loop",
        of: |a| a.is_loop,
    },
    Summed {
        key: Counter::SatisfactionDrop,
        name: "satisfaction_drop",
        of: |a| a.satisfaction_drop,
    },
    Summed {
        key: Counter::Confirmed,
        name: "confirmed",
        of: |a| a.confirmed,
    },
    Summed {
        key: Counter::CsatAnswered,
        name: "csat_answered",
        of: |a| a.csat.is_some(),
    },
];

/// Fixed-point units per 1.0 of a summed value: score, dissatisfaction and the needs-human
/// probability are rounded to 1e-4 already (the probability's square to the nearest unit); a CSAT answer and its square are rounded to 1e-4 (an answer on a 0-100
/// scale adds at most 1e8 units to the squares, so an i64 holds 9e10 of them).
pub const UNITS: f64 = 1e4;

/// `v` in fixed-point units.
pub fn units(v: f64) -> i64 {
    (v * UNITS).round() as i64
}

/// Fixed-point units as a value.
pub fn value(units: i64) -> f64 {
    units as f64 / UNITS
}

/// In the order of `Total` (checked below).
const TOTALS: [Summed<Total, i64>; 6] = [
    Summed {
        key: Total::Score,
        name: "score_sum",
        of: |a| units(a.score),
    },
    Summed {
        key: Total::Csat,
        name: "csat_sum",
        of: |a| a.csat.map_or(0, units),
    },
    Summed {
        key: Total::CsatSquares,
        name: "csat_sq_sum",
        of: |a| a.csat.map_or(0, |v| units(v * v)),
    },
    Summed {
        key: Total::Dissatisfaction,
        name: "dissatisfaction_sum",
        of: |a| units(a.dissatisfaction),
    },
    Summed {
        key: Total::Probability,
        name: "probability_sum",
        of: |a| units(a.probability),
    },
    Summed {
        key: Total::ProbabilitySquares,
        name: "probability_sq_sum",
        of: |a| units(a.probability * a.probability),
    },
];

const _: () = {
    let mut k = 0;
    while k < COUNTERS.len() {
        assert!(COUNTERS[k].key as usize == k);
        k += 1;
    }
    let mut k = 0;
    while k < TOTALS.len() {
        assert!(TOTALS[k].key as usize == k);
        k += 1;
    }
};

/// One column per reason besides: conversations with a finding of that reason.
fn reason_column(r: Reason) -> String {
    format!("reason_{}", r.code())
}

/// Column-wise buffers for one chunk of assessed conversations.
#[derive(Default)]
pub struct ChunkRows {
    category: Vec<String>,
    counters: [Vec<u64>; COUNTERS.len()],
    totals: [Vec<i64>; TOTALS.len()],
    reasons: [Vec<u64>; Reason::COUNT],
}

impl ChunkRows {
    /// Appends one conversation's row, under `category` (its own or the folded one).
    pub fn push(&mut self, a: &Assessment, category: &str) {
        self.category.push(category.to_string());
        for (values, c) in self.counters.iter_mut().zip(&COUNTERS) {
            values.push((c.of)(a) as u64);
        }
        for (values, t) in self.totals.iter_mut().zip(&TOTALS) {
            values.push((t.of)(a));
        }
        for (values, r) in self.reasons.iter_mut().zip(Reason::ALL) {
            values.push(a.has(r) as u64);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.category.is_empty()
    }

    fn len(&self) -> usize {
        self.category.len()
    }

    /// Appends `other`'s rows after these.
    fn append(&mut self, mut other: ChunkRows) {
        self.category.append(&mut other.category);
        for (mine, theirs) in self.counters.iter_mut().zip(&mut other.counters) {
            mine.append(theirs);
        }
        for (mine, theirs) in self.totals.iter_mut().zip(&mut other.totals) {
            mine.append(theirs);
        }
        for (mine, theirs) in self.reasons.iter_mut().zip(&mut other.reasons) {
            mine.append(theirs);
        }
    }

    fn into_frame(self) -> Result<DataFrame> {
        let height = self.category.len();
        let mut columns = vec![Column::new("category".into(), self.category)];
        for (c, values) in COUNTERS.iter().zip(self.counters) {
            columns.push(Column::new(c.name.into(), values));
        }
        for (t, values) in TOTALS.iter().zip(self.totals) {
            columns.push(Column::new(t.name.into(), values));
        }
        for (r, values) in Reason::ALL.iter().zip(self.reasons) {
            columns.push(Column::new(reason_column(*r).into(), values));
        }
        DataFrame::new(height, columns).map_err(internal)
    }
}

fn sum_by_category(df: DataFrame) -> Result<DataFrame> {
    let mut aggs: Vec<Expr> = COUNTERS.iter().map(|c| col(c.name).sum()).collect();
    aggs.extend(TOTALS.iter().map(|t| col(t.name).sum()));
    aggs.extend(Reason::ALL.iter().map(|r| col(reason_column(*r)).sum()));
    df.lazy()
        .group_by_stable([col("category")])
        .agg(aggs)
        .collect()
        .map_err(internal)
}

/// Rows gathered before they are grouped. Grouping every chunk (2,048 rows) ran two polars
/// group-bys per chunk; grouping 8,192 rows at a time cut an audit's CPU by about 7% on
/// 200,000 conversations, and 16,384 by 10% but with 16-28 MB more peak RSS
/// (docs/benchmark.md, "2026-12-06, fifth session"). The sums are integers, so grouping more
/// rows at a time gives the same sums.
const GROUP_ROWS: usize = 8_192;

/// Per-category sums, updated chunk by chunk.
#[derive(Default)]
pub struct CategorySums {
    frame: Option<DataFrame>,
    /// Rows added since the last group-by (at most [`GROUP_ROWS`] and a chunk).
    pending: ChunkRows,
}

impl CategorySums {
    pub fn add(&mut self, rows: ChunkRows) -> Result<()> {
        self.pending.append(rows);
        if self.pending.len() >= GROUP_ROWS {
            self.group()?;
        }
        Ok(())
    }

    /// Groups the pending rows into the sums.
    fn group(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.pending);
        if rows.is_empty() {
            return Ok(());
        }
        let partial = sum_by_category(rows.into_frame()?)?;
        self.frame = Some(match self.frame.take() {
            None => partial,
            Some(running) => sum_by_category(running.vstack(&partial).map_err(internal)?)?,
        });
        Ok(())
    }

    /// The sums of `rows` (a partial's, see `aggregate::partial`), merged into these.
    pub fn add_rows(&mut self, rows: &[CategoryRow]) -> Result<()> {
        let mut chunk = ChunkRows::default();
        for r in rows {
            chunk.category.push(r.category.clone());
            for (values, v) in chunk.counters.iter_mut().zip(r.counters) {
                values.push(v);
            }
            for (values, v) in chunk.totals.iter_mut().zip(r.totals) {
                values.push(v);
            }
            for (values, v) in chunk.reasons.iter_mut().zip(r.reasons) {
                values.push(v);
            }
        }
        self.add(chunk)
    }

    /// Moves the sums of the `names` categories into the `into` row (see `categories`).
    pub fn fold(&mut self, names: &HashSet<String>, into: &str) -> Result<()> {
        self.group()?;
        let Some(mut df) = self.frame.take() else {
            return Ok(());
        };
        let renamed: Vec<&str> = df
            .column("category")
            .and_then(|c| c.str())
            .map_err(internal)?
            .iter()
            .map(|c| {
                let c = c.unwrap_or("");
                if names.contains(c) {
                    into
                } else {
                    c
                }
            })
            .collect();
        let renamed = Column::new("category".into(), renamed);
        df.with_column(renamed).map_err(internal)?;
        self.frame = Some(sum_by_category(df)?);
        Ok(())
    }

    /// One row per category, in first-seen order.
    pub fn rows(&mut self) -> Result<Vec<CategoryRow>> {
        self.group()?;
        let Some(df) = &self.frame else {
            return Ok(Vec::new());
        };
        let names = df
            .column("category")
            .and_then(|c| c.str())
            .map_err(internal)?;
        let u64s = |name: &str| -> Result<Vec<u64>> {
            let c = df.column(name).and_then(|c| c.u64()).map_err(internal)?;
            Ok(c.iter().map(|v| v.unwrap_or(0)).collect())
        };
        let i64s = |name: &str| -> Result<Vec<i64>> {
            let c = df.column(name).and_then(|c| c.i64()).map_err(internal)?;
            Ok(c.iter().map(|v| v.unwrap_or(0)).collect())
        };
        let counters: Vec<Vec<u64>> = COUNTERS
            .iter()
            .map(|c| u64s(c.name))
            .collect::<Result<_>>()?;
        let totals: Vec<Vec<i64>> = TOTALS.iter().map(|t| i64s(t.name)).collect::<Result<_>>()?;
        let reasons: Vec<Vec<u64>> = Reason::ALL
            .iter()
            .map(|r| u64s(&reason_column(*r)))
            .collect::<Result<_>>()?;
        Ok(names
            .iter()
            .enumerate()
            .map(|(i, name)| CategoryRow {
                category: name.unwrap_or("").to_string(),
                counters: std::array::from_fn(|k| counters[k][i]),
                totals: std::array::from_fn(|k| totals[k][i]),
                reasons: std::array::from_fn(|k| reasons[k][i]),
            })
            .collect())
    }
}

/// A category's counts and sums (or the whole corpus's, see `add`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub category: String,
    counters: [u64; COUNTERS.len()],
    /// In fixed-point units (see [`UNITS`]).
    totals: [i64; TOTALS.len()],
    reasons: [u64; Reason::COUNT],
}

impl CategoryRow {
    /// All zero.
    pub fn empty(category: &str) -> CategoryRow {
        CategoryRow {
            category: category.to_string(),
            counters: [0; COUNTERS.len()],
            totals: [0; TOTALS.len()],
            reasons: [0; Reason::COUNT],
        }
    }

    /// Adds `other`'s counts and sums to this row's.
    pub fn add(&mut self, other: &CategoryRow) {
        for (t, v) in self.counters.iter_mut().zip(other.counters) {
            *t += v;
        }
        for (t, v) in self.totals.iter_mut().zip(other.totals) {
            *t += v;
        }
        for (t, v) in self.reasons.iter_mut().zip(other.reasons) {
            *t += v;
        }
    }

    pub fn count(&self, c: Counter) -> u64 {
        self.counters[c as usize]
    }

    pub fn total(&self, t: Total) -> f64 {
        value(self.totals[t as usize])
    }

    /// Conversations with a finding of this reason.
    pub fn reason(&self, r: Reason) -> u64 {
        self.reasons[r as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::{assess, conv};
    use crate::model::{Finding, Role};

    /// Rows are grouped [`GROUP_ROWS`] at a time. Chunks added across several groups, with
    /// categories folded while some rows are still pending, give the sums of all the rows
    /// added at once under their final names.
    #[test]
    fn sums_do_not_depend_on_how_rows_are_grouped_or_when_they_are_folded() {
        let base = assess(&conv(&[(Role::Customer, "hello")]));
        let row = |k: usize| {
            let mut a = base.clone();
            a.category = ["card", "fraud", "refunds", "login"][k % 4].into();
            a.needs_human = k % 3 == 0;
            a.score = (k % 7) as f64 / 8.0;
            a.csat = (k % 5 == 0).then_some((k % 4) as f64 + 1.0);
            a
        };
        let folded = ["login", "refunds"];
        let rows_of = |range: std::ops::Range<usize>, fold: bool| {
            let mut chunk = ChunkRows::default();
            for k in range {
                let a = row(k);
                let name = match a.category.as_str() {
                    c if fold && folded.contains(&c) => "other",
                    c => c,
                };
                chunk.push(&a, name);
            }
            chunk
        };
        let total = GROUP_ROWS * 2 + 1_000;
        // Folded half-way through the second group: part of it is still pending.
        let fold_at = GROUP_ROWS + GROUP_ROWS / 2;
        let mut chunked = CategorySums::default();
        for start in (0..total).step_by(2_048) {
            if start == fold_at - fold_at % 2_048 {
                let end = fold_at;
                chunked.add(rows_of(start..end, false)).expect("chunk");
                let names: HashSet<String> = folded.iter().map(|n| n.to_string()).collect();
                chunked.fold(&names, "other").expect("fold");
                chunked
                    .add(rows_of(end..(start + 2_048).min(total), true))
                    .expect("chunk");
                continue;
            }
            let fold = start >= fold_at;
            chunked
                .add(rows_of(start..(start + 2_048).min(total), fold))
                .expect("chunk");
        }
        let mut at_once = CategorySums::default();
        at_once.add(rows_of(0..total, true)).expect("all rows");
        let (mut got, mut want) = (chunked.rows().expect("rows"), at_once.rows().expect("rows"));
        got.sort_by(|a, b| a.category.cmp(&b.category));
        want.sort_by(|a, b| a.category.cmp(&b.category));
        assert_eq!(got, want);
        let names: Vec<&str> = got.iter().map(|r| r.category.as_str()).collect();
        assert_eq!(names, ["card", "fraud", "other"]);
        let conversations: u64 = got.iter().map(|r| r.count(Counter::Conversations)).sum();
        assert_eq!(conversations, total as u64);
    }

    #[test]
    fn each_counter_and_total_sums_its_own_assessment_field() {
        let base = assess(&conv(&[(Role::Customer, "hello")]));
        let mut a = base.clone();
        a.category = "card".into();
        (a.needs_human, a.unresolved, a.escalation_request) = (true, false, true);
        (a.is_loop, a.satisfaction_drop, a.confirmed) = (false, true, false);
        (a.csat, a.score, a.dissatisfaction) = (Some(2.0), 0.25, 0.5);
        a.probability = 0.5;
        a.findings = vec![Finding {
            reason: Reason::BotLoop,
            messages: vec![],
            detail: String::new(),
        }];
        let mut b = base;
        b.category = "card".into();
        (b.needs_human, b.unresolved, b.escalation_request) = (false, true, false);
        (b.is_loop, b.satisfaction_drop, b.confirmed) = (true, false, true);
        (b.csat, b.score, b.dissatisfaction) = (None, 0.125, 0.25);
        b.probability = 0.25;
        let mut other = a.clone();
        other.category = "fraud".into();

        let mut sums = CategorySums::default();
        let mut chunk = ChunkRows::default();
        chunk.push(&a, "card");
        chunk.push(&other, "fraud");
        sums.add(chunk).expect("first chunk");
        let mut chunk = ChunkRows::default();
        chunk.push(&b, "card");
        sums.add(chunk).expect("second chunk");
        sums.add(ChunkRows::default()).expect("empty chunk");

        let rows = sums.rows().expect("rows");
        let names: Vec<&str> = rows.iter().map(|r| r.category.as_str()).collect();
        assert_eq!(names, ["card", "fraud"]);
        let card = &rows[0];
        let counts = [
            (Counter::Conversations, 2),
            (Counter::NeedsHuman, 1),
            (Counter::Unresolved, 1),
            (Counter::EscalationRequest, 1),
            (Counter::Loop, 1),
            (Counter::SatisfactionDrop, 1),
            (Counter::Confirmed, 1),
            (Counter::CsatAnswered, 1),
        ];
        for (c, n) in counts {
            assert_eq!(card.count(c), n, "{c:?}");
        }
        assert_eq!(card.total(Total::Score), 0.375);
        assert_eq!(card.total(Total::Csat), 2.0);
        assert_eq!(card.total(Total::CsatSquares), 4.0);
        assert_eq!(card.total(Total::Dissatisfaction), 0.75);
        assert_eq!(card.total(Total::Probability), 0.75);
        assert_eq!(card.total(Total::ProbabilitySquares), 0.3125);
        assert_eq!(card.reason(Reason::BotLoop), 1);
        assert_eq!(card.reason(Reason::BotRepeat), 0);

        let mut overall = CategoryRow::empty("overall");
        for row in &rows {
            overall.add(row);
        }
        assert_eq!(overall.count(Counter::Conversations), 3);
        assert_eq!(overall.count(Counter::Unresolved), 1);
        assert_eq!(overall.reason(Reason::BotLoop), 2);
        assert_eq!(overall.total(Total::Csat), 4.0);
    }

    #[test]
    fn column_names_are_distinct() {
        let mut names: Vec<String> = COUNTERS.iter().map(|c| c.name.to_string()).collect();
        names.extend(TOTALS.iter().map(|t| t.name.to_string()));
        names.extend(Reason::ALL.map(reason_column));
        names.push("category".into());
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}

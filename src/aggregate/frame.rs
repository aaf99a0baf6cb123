//! The polars part of the aggregate stage: per-chunk frames of per-conversation flags,
//! reduced by a lazy group-by into per-category sums, merged chunk by chunk so memory holds
//! one row per category however long the input is.
//!
//! polars features used here: `lazy` (group_by_stable / agg / sum).

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::Reason;

fn internal(e: PolarsError) -> Error {
    Error::Internal(format!("aggregation: {e}"))
}

/// Counter columns summed per category, in this order; `sum_columns()` adds one per reason.
pub const COUNTERS: [&str; 8] = [
    "conversations",
    "needs_human",
    "unresolved",
    "escalation_request",
    "loop",
    "satisfaction_drop",
    "confirmed",
    "csat_answered",
];
/// Float columns summed per category.
pub const SUMS: [&str; 4] = [
    "score_sum",
    "csat_sum",
    "csat_sq_sum",
    "dissatisfaction_sum",
];

pub fn reason_column(r: Reason) -> String {
    format!("reason_{}", r.code())
}

/// Column-wise buffers for one chunk of assessed conversations.
#[derive(Default)]
pub struct ChunkRows {
    pub category: Vec<String>,
    pub counters: [Vec<u64>; COUNTERS.len()],
    pub sums: [Vec<f64>; SUMS.len()],
    pub reasons: Vec<Vec<u64>>,
}

impl ChunkRows {
    pub fn new() -> ChunkRows {
        ChunkRows {
            reasons: vec![Vec::new(); Reason::COUNT],
            ..Default::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.category.is_empty()
    }

    fn into_frame(self) -> Result<DataFrame> {
        let height = self.category.len();
        let mut columns = vec![Column::new("category".into(), self.category)];
        for (name, values) in COUNTERS.iter().zip(self.counters) {
            columns.push(Column::new((*name).into(), values));
        }
        for (name, values) in SUMS.iter().zip(self.sums) {
            columns.push(Column::new((*name).into(), values));
        }
        for (r, values) in Reason::ALL.iter().zip(self.reasons) {
            columns.push(Column::new(reason_column(*r).into(), values));
        }
        DataFrame::new(height, columns).map_err(internal)
    }
}

fn sum_by_category(df: DataFrame) -> Result<DataFrame> {
    let mut aggs: Vec<Expr> = COUNTERS.iter().map(|c| col(*c).sum()).collect();
    aggs.extend(SUMS.iter().map(|c| col(*c).sum()));
    aggs.extend(Reason::ALL.iter().map(|r| col(reason_column(*r)).sum()));
    df.lazy()
        .group_by_stable([col("category")])
        .agg(aggs)
        .collect()
        .map_err(internal)
}

/// Per-category sums, updated chunk by chunk.
#[derive(Default)]
pub struct CategorySums {
    frame: Option<DataFrame>,
}

impl CategorySums {
    pub fn add(&mut self, rows: ChunkRows) -> Result<()> {
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

    /// One row per category: (name, counters, sums, reason counts), in first-seen order.
    pub fn rows(&self) -> Result<Vec<CategoryRow>> {
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
        let f64s = |name: &str| -> Result<Vec<f64>> {
            let c = df.column(name).and_then(|c| c.f64()).map_err(internal)?;
            Ok(c.iter().map(|v| v.unwrap_or(0.0)).collect())
        };
        let counters: Vec<Vec<u64>> = COUNTERS.iter().map(|c| u64s(c)).collect::<Result<_>>()?;
        let sums: Vec<Vec<f64>> = SUMS.iter().map(|c| f64s(c)).collect::<Result<_>>()?;
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
                sums: std::array::from_fn(|k| sums[k][i]),
                reasons: reasons.iter().map(|r| r[i]).collect(),
            })
            .collect())
    }
}

#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub category: String,
    pub counters: [u64; COUNTERS.len()],
    pub sums: [f64; SUMS.len()],
    pub reasons: Vec<u64>,
}

impl CategoryRow {
    pub fn counter(&self, name: &str) -> u64 {
        COUNTERS
            .iter()
            .position(|c| *c == name)
            .map(|i| self.counters[i])
            .unwrap_or(0)
    }

    pub fn sum(&self, name: &str) -> f64 {
        SUMS.iter()
            .position(|c| *c == name)
            .map(|i| self.sums[i])
            .unwrap_or(0.0)
    }
}

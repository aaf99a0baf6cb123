//! How often does `handoff gate` fail a release that changed nothing, and how often does it
//! catch a real regression? Simulates pairs of samples and prints, per correction method,
//! the false-failure rate and the detection rates with 95% Wilson intervals, then the
//! sizing table of docs/ci.md (computed here, not by hand).
//!
//!     cargo run --example gate_sim -- POOL.jsonl [--pairs 400] [--seed 1]
//!         [--category refunds] [--size 500] [--rise 5] [--sides A.jsonl B.jsonl ...]
//!
//! POOL is an export in the canonical JSONL format (e.g. 12,000 conversations from
//! `sample-data/generate.py`); it is assessed once with the default detectors, then each
//! pair splits it at random into two halves (the same bot, two samples). Planted
//! regressions change the candidate half of one category (`--category`): a third of its
//! conversations made to loop; and the category cut to `--size` conversations per side with
//! its needs-human rate raised by `--rise` points. `--sides` also judges consecutive files
//! as no-change pairs (the generator with different seeds: independent samples rather than
//! halves of one). `benches/gate_sim.sh` generates the data and runs this; see docs/ci.md.

use std::io::{BufRead, BufReader};
use std::path::Path;

use handoff::gate::config::{Correction, GateConfig};
use handoff::gate::simulate::{
    conversations_for, detectable_rise, pair, run, summary_of, Outcome, Plant, Rng, Tally,
};
use handoff::gate::{evaluate, GateSide};
use handoff::ingest::{parse_record, IngestOptions};
use handoff::{CsatScale, DetectionSettings, Detectors, Location};

const CORRECTIONS: [Correction; 3] = [Correction::Holm, Correction::Bh, Correction::None];

fn assess(path: &Path, detectors: &Detectors) -> Result<Vec<Outcome>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let opts = IngestOptions::default();
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let location = Location {
            file: 0,
            line: i as u64 + 1,
            element: 0,
        };
        match parse_record(line.as_bytes(), location, &opts) {
            Ok(c) => out.push(Outcome::of(&detectors.assess(&c))),
            Err(skip) => eprintln!("{}: skipped line {}: {skip}", path.display(), i + 1),
        }
    }
    Ok(out)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn row(scenario: &str, correction: Correction, t: &Tally) {
    let [lo, hi] = t.interval();
    println!(
        "{scenario:<44} {:<5} {:>4}/{:<4} {:>6}  ({}-{})",
        correction.code(),
        t.failed,
        t.pairs,
        pct(t.rate()),
        pct(lo),
        pct(hi)
    );
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut pool_path = None;
    let (mut pairs, mut seed, mut size, mut rise) = (400usize, 1u64, 500usize, 5.0f64);
    let mut category = "refunds".to_string();
    let mut sides = Vec::new();
    let mut show = 0usize;
    let number = |v: Option<String>, flag: &str| -> Result<f64, String> {
        v.as_deref()
            .and_then(|s| s.parse::<f64>().ok())
            .ok_or(format!("{flag} needs a number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--pairs" => pairs = number(args.next(), "--pairs")? as usize,
            "--seed" => seed = number(args.next(), "--seed")? as u64,
            "--size" => size = number(args.next(), "--size")? as usize,
            "--rise" => rise = number(args.next(), "--rise")?,
            "--show" => show = number(args.next(), "--show")? as usize,
            "--category" => category = args.next().ok_or("--category needs a name")?,
            "--sides" => sides.extend(args.by_ref()),
            _ if pool_path.is_none() => pool_path = Some(a),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let pool_path = pool_path.ok_or("usage: gate_sim POOL.jsonl [--pairs N] ...")?;
    let detectors = Detectors::new(DetectionSettings::default(), CsatScale::default());
    let pool = assess(Path::new(&pool_path), &detectors)?;
    let cfg = GateConfig::default();

    let mut categories: Vec<&str> = pool.iter().map(|o| o.category.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    let (b, c) = pair(&pool, &Plant::None, &mut Rng::new(seed));
    let family = {
        let side = |s| GateSide {
            summary: s,
            source: "simulation".into(),
            saved_summary: true,
        };
        let (b, c) = (summary_of(&b), summary_of(&c));
        evaluate(&side(&b), &side(&c), &cfg, None).family
    };
    let in_category = pool.iter().filter(|o| o.category == category).count();
    if in_category < 2 * size {
        return Err(format!(
            "--category {category}: {in_category} conversations in the pool, need at least {} \
             (twice --size)",
            2 * size
        ));
    }
    let base = pool
        .iter()
        .filter(|o| o.category == category && o.needs_human)
        .count() as f64
        / in_category as f64;
    println!(
        "pool {pool_path}: {} conversations, {} categories; pairs of {} per side; {} regression \
         checks per pair; default gate (confidence 95%, power 80%)",
        pool.len(),
        categories.len(),
        pool.len() / 2,
        family
    );
    let rates: Vec<String> = categories
        .iter()
        .map(|name| {
            let all = pool.iter().filter(|o| o.category == *name);
            let n = all.clone().count();
            let needs = all.filter(|o| o.needs_human).count();
            format!(
                "{name} {n} ({:.1}% need a human)",
                100.0 * needs as f64 / n as f64
            )
        })
        .collect();
    println!("categories: {}", rates.join(", "));
    println!(
        "\n{:<44} {:<5} {:>9} {:>6}  95% CI",
        "scenario (pairs failed / run)", "corr.", "", "rate"
    );
    let no_change = run(&pool, &Plant::None, pairs, &cfg, &CORRECTIONS, seed);
    // --show N: the failed checks of the first N no-change pairs (same seed, so the same
    // pairs as above), to see which checks fail by chance.
    let mut rng = Rng::new(seed);
    for i in 0..show {
        let (b, c) = pair(&pool, &Plant::None, &mut rng);
        let (b, c) = (summary_of(&b), summary_of(&c));
        let side = |s| GateSide {
            summary: s,
            source: "simulation".into(),
            saved_summary: true,
        };
        for k in evaluate(&side(&b), &side(&c), &cfg, None)
            .checks
            .iter()
            .filter(|k| !k.passed)
        {
            eprintln!("pair {i}: {}", k.message);
        }
    }
    for (corr, t) in &no_change {
        row("no change: false failures", *corr, t);
    }
    let loops = Plant::Loops {
        category: category.clone(),
        share: 1.0 / 3.0,
    };
    let half = in_category / 2;
    for (corr, t) in run(&pool, &loops, pairs, &cfg, &CORRECTIONS, seed + 1) {
        row(
            &format!("a third of {category} loops (~{half}/side): caught"),
            corr,
            &t,
        );
    }
    let plant = Plant::NeedsHuman {
        category: category.clone(),
        size,
        rise: rise / 100.0,
    };
    for (corr, t) in run(&pool, &plant, pairs, &cfg, &CORRECTIONS, seed + 2) {
        row(
            &format!("{category} needs-human +{rise} pp ({size}/side): caught"),
            corr,
            &t,
        );
    }

    if sides.len() >= 2 {
        // Independent samples: each file assessed on its own, consecutive files paired.
        let mut tallies: Vec<(Correction, Tally)> =
            CORRECTIONS.iter().map(|c| (*c, Tally::default())).collect();
        for two in sides.chunks_exact(2) {
            let b = summary_of(&assess(Path::new(&two[0]), &detectors)?);
            let c = summary_of(&assess(Path::new(&two[1]), &detectors)?);
            let side = |s| GateSide {
                summary: s,
                source: "simulation".into(),
                saved_summary: true,
            };
            for (corr, t) in tallies.iter_mut() {
                let cfg = GateConfig {
                    correction: *corr,
                    ..cfg.clone()
                };
                t.pairs += 1;
                t.failed += u64::from(!evaluate(&side(&b), &side(&c), &cfg, None).passed);
            }
        }
        for (corr, t) in &tallies {
            row("no change, generator seeds: false failures", *corr, t);
        }
    }

    let need = |power| conversations_for(base, rise / 100.0, family, 0.95, power);
    println!(
        "\n{category}'s needs-human rate in the pool is {}; a +{rise} pp rise is caught with 80% \
         power at {} conversations per side and with 90% power at {} (Holm over {family} checks, \
         normal approximation)",
        pct(base),
        need(0.8).map_or("more than 10,000,000".into(), |n| n.to_string()),
        need(0.9).map_or("more than 10,000,000".into(), |n| n.to_string()),
    );

    println!(
        "\nSizing: smallest detectable rise (pp) at 95% confidence and 80% power, per \
         conversations per side and per category, for a baseline rate of 10% / 20% / 30%"
    );
    println!(
        "{:>13}  {:>20}  {:>20}",
        "conversations",
        "one check alone",
        format!("Holm over {family}")
    );
    for n in [100u64, 250, 500, 1000, 2000, 4000, 8000, 16000] {
        let cells = |family: usize| {
            [0.1, 0.2, 0.3]
                .iter()
                .map(|&p| {
                    detectable_rise(p, n, family, 0.95, 0.8)
                        .map_or("-".into(), |d| format!("{:.1}", d * 100.0))
                })
                .collect::<Vec<String>>()
                .join(" / ")
        };
        println!("{n:>13}  {:>20}  {:>20}", cells(1), cells(family));
    }
    Ok(())
}

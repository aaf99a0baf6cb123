//! Accuracy harness: audits the human-labelled sets in `../shared/data` (or the folder given)
//! with the library and prints how handoff's signals agree with the annotators.
//!
//!     cargo run --release --example eval -- ../shared/data
//!
//! Not part of `cargo test`: the data lives outside the repository. See docs/accuracy.md.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use handoff::config::Config;
use handoff::detect::{Assessment, CsatScale, Detectors};
use handoff::ingest::{parse_record, IngestOptions};
use handoff::model::{Conversation, Location, Reason};
use serde_json::Value;

type Audited = Vec<(Conversation, Assessment)>;
type Signal = Box<dyn Fn(&Assessment) -> f64>;
type Run<'a> = Box<dyn Fn() -> Result<(), String> + 'a>;

fn read_jsonl(path: &Path) -> Result<Vec<Value>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    BufReader::new(file)
        .lines()
        .map(|l| {
            let l = l.map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&l).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

fn audit(dir: &Path, name: &str, detectors: &Detectors) -> Result<Audited, String> {
    let path = dir.join(name).join(format!("{name}.jsonl"));
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
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
            Ok(c) => {
                let a = detectors.assess(&c);
                out.push((c, a));
            }
            Err(skip) => eprintln!("{name}: skipped line {}: {skip}", i + 1),
        }
    }
    Ok(out)
}

fn labels(dir: &Path, name: &str) -> Result<HashMap<String, Value>, String> {
    let rows = read_jsonl(&dir.join(name).join(format!("{name}.labels.jsonl")))?;
    Ok(rows
        .into_iter()
        .filter_map(|v| Some((v["id"].as_str()?.to_string(), v)))
        .collect())
}

/// Area under the ROC curve of (score, label) pairs; NaN when one class is empty.
fn auc(pairs: &[(f64, bool)]) -> f64 {
    let (scores, labels): (Vec<f64>, Vec<bool>) = pairs.iter().copied().unzip();
    handoff::calibrate::auc(&scores, &labels).unwrap_or(f64::NAN)
}

fn uss(dir: &Path, name: &str, d: &Detectors) -> Result<(), String> {
    let audited = audit(dir, name, d)?;
    let labels = labels(dir, name)?;
    let pairs = |f: &dyn Fn(&Assessment) -> f64| -> Vec<(f64, bool)> {
        audited
            .iter()
            .filter_map(|(c, a)| {
                let y = labels.get(&c.id)?["dissatisfied"].as_bool()?;
                Some((f(a), y))
            })
            .collect()
    };
    let base = pairs(&|_| 0.0);
    let positives = base.iter().filter(|p| p.1).count();
    println!(
        "{name}: {} dialogues, {} dissatisfied ({:.1}%)",
        base.len(),
        positives,
        100.0 * positives as f64 / base.len().max(1) as f64
    );
    let signals: [(&str, Signal); 4] = [
        ("inferred dissatisfaction", Box::new(|a| a.dissatisfaction)),
        ("needs-human score", Box::new(|a| a.score)),
        (
            "sentiment_drop flag",
            Box::new(|a| a.has(Reason::SentimentDrop) as u8 as f64),
        ),
        (
            "customer_repeat flag",
            Box::new(|a| a.has(Reason::CustomerRepeat) as u8 as f64),
        ),
    ];
    for (label, f) in signals.iter() {
        println!("  AUC {:<26} {:.3}", label, auc(&pairs(f.as_ref())));
    }
    Ok(())
}

fn dbdc3(dir: &Path, d: &Detectors) -> Result<(), String> {
    let audited = audit(dir, "dbdc3", d)?;
    let labels = labels(dir, "dbdc3")?;
    let (mut flagged, mut breakdown, mut judged) = (0u64, 0u64, 0u64);
    let mut base_x = 0u64;
    for (c, a) in &audited {
        let Some(turns) = labels.get(&c.id).and_then(|l| l["bot_turns"].as_array()) else {
            continue;
        };
        let majority: HashMap<u64, &str> = turns
            .iter()
            .filter_map(|t| Some((t["index"].as_u64()?, t["majority"].as_str()?)))
            .collect();
        judged += majority.len() as u64;
        base_x += majority.values().filter(|m| **m == "X").count() as u64;
        for f in &a.findings {
            if matches!(f.reason, Reason::BotRepeat | Reason::BotLoop) {
                // The first index is the original answer; the rest are the repeats.
                for &i in f.messages.iter().skip(1) {
                    if let Some(m) = majority.get(&(i as u64)) {
                        flagged += 1;
                        breakdown += (*m == "X") as u64;
                    }
                }
            }
        }
    }
    println!(
        "dbdc3: {} dialogues; {} annotated bot turns, {:.3} judged breakdown (base rate)",
        audited.len(),
        judged,
        base_x as f64 / judged.max(1) as f64
    );
    println!(
        "  repetition flags {flagged} bot turns; share judged breakdown {:.3}",
        breakdown as f64 / flagged.max(1) as f64
    );
    Ok(())
}

fn sgd_dev(dir: &Path, d: &Detectors) -> Result<(), String> {
    let audited = audit(dir, "sgd-dev", d)?;
    let labels = labels(dir, "sgd-dev")?;
    let mut table = [[0u64; 2]; 2];
    for (c, a) in &audited {
        if let Some(f) = labels.get(&c.id).and_then(|l| l["failure_only"].as_bool()) {
            table[f as usize][a.unresolved as usize] += 1;
        }
    }
    let rate = |row: [u64; 2]| row[1] as f64 / (row[0] + row[1]).max(1) as f64;
    println!(
        "sgd-dev: {} dialogues; unresolved flagged in {:.3} of failure-only dialogues ({}), {:.3} of the others ({})",
        audited.len(),
        rate(table[1]),
        table[1][0] + table[1][1],
        rate(table[0]),
        table[0][0] + table[0][1]
    );
    Ok(())
}

fn twitter(dir: &Path, d: &Detectors) -> Result<(), String> {
    let audited = audit(dir, "twitter-care", d)?;
    let n = audited.len().max(1) as f64;
    let nh = audited.iter().filter(|(_, a)| a.needs_human).count();
    println!(
        "twitter-care: {} threads (human agents, no labels); needs human {:.3}",
        audited.len(),
        nh as f64 / n
    );
    let mut by_reason: Vec<(Reason, usize)> = Reason::ALL
        .iter()
        .map(|r| (*r, audited.iter().filter(|(_, a)| a.has(*r)).count()))
        .filter(|(_, c)| *c > 0)
        .collect();
    by_reason.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (r, c) in by_reason {
        println!("  {:<26} {:.3}", r.code(), c as f64 / n);
    }
    Ok(())
}

fn main() {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"));
    if !dir.is_dir() {
        eprintln!(
            "eval: no labelled data at {} — pass the folder holding uss-sgd, uss-mwoz, dbdc3, sgd-dev and twitter-care",
            dir.display()
        );
        std::process::exit(2);
    }
    let detectors = Detectors::new(Config::default(), CsatScale::default());
    let runs: [(&str, Run); 5] = [
        ("uss-sgd", Box::new(|| uss(&dir, "uss-sgd", &detectors))),
        ("uss-mwoz", Box::new(|| uss(&dir, "uss-mwoz", &detectors))),
        ("dbdc3", Box::new(|| dbdc3(&dir, &detectors))),
        ("sgd-dev", Box::new(|| sgd_dev(&dir, &detectors))),
        ("twitter-care", Box::new(|| twitter(&dir, &detectors))),
    ];
    for (name, run) in runs.iter() {
        if let Err(e) = run() {
            println!("{name}: not evaluated ({e})");
        }
    }
}

//! Accuracy harness: audits the human-labelled sets in `../shared/data` (or the folder given)
//! with the library and prints how handoff's signals agree with the annotators.
//!
//!     cargo run --release --example eval -- ../shared/data [--config F] [--dump-turns FILE]
//!
//! The needs-human probability (`src/detect/verdict.rs`) is refitted here on both USS sets
//! pooled and evaluated left-one-set-out: per set the AUC of a fit made without that set,
//! dbdc3 and sgd-dev scored by the fit on both USS sets, and a decile calibration table of
//! the pooled held-out predictions. The printed "fit on both" weights are the defaults.
//!
//! `--config` evaluates a handoff.toml instead of the built-in defaults.
//! `--dump-turns` also writes every USS customer turn's dissatisfaction signals with its
//! annotated rating, one JSON object per line, for `docs/accuracy.py fit` to refit the
//! weights. Write it outside the repository: it quotes no text but derives from the data.
//!
//! Not part of `cargo test`: the data lives outside the repository. See docs/accuracy.md.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use handoff::calibrate::logistic;
use handoff::ingest::{parse_record, IngestOptions};
use handoff::verdict::{VerdictConfig, FEATURES, L2, NON_NEGATIVE};
use handoff::{
    normalize, Assessment, Config, Conversation, CsatScale, Detectors, Location, Reason, Role,
    DISSATISFACTION_SIGNALS as SIGNALS,
};
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

/// A second check of the repetition detector (tuned on dbdc3): how the customer rated the
/// turn right after each flagged bot repeat, against all customer turns.
fn repeats_vs_ratings(audited: &Audited, labels: &HashMap<String, Value>) {
    let (mut all, mut after) = (Vec::new(), Vec::new());
    for (c, a) in audited {
        let Some(r) = labels
            .get(&c.id)
            .and_then(|l| l["turn_satisfaction"].as_array())
        else {
            continue;
        };
        let customer: Vec<usize> = (0..c.messages.len())
            .filter(|&i| c.messages[i].role == Role::Customer)
            .collect();
        let rating = |i: usize| {
            customer
                .iter()
                .position(|&q| q == i)
                .and_then(|k| r.get(k)?.as_f64())
        };
        all.extend(customer.iter().filter_map(|&i| rating(i)));
        for f in &a.findings {
            if matches!(f.reason, Reason::BotRepeat | Reason::BotLoop) {
                after.extend(f.messages.iter().skip(1).filter_map(|&i| rating(i + 1)));
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let low = |v: &[f64]| v.iter().filter(|r| **r <= 2.0).count() as f64 / v.len().max(1) as f64;
    println!(
        "  bot repeats: {} flagged; the customer's next turn rated {:.2} (low {:.1}%) vs {:.2} (low {:.1}%) for all turns",
        after.len(),
        mean(&after),
        100.0 * low(&after),
        mean(&all),
        100.0 * low(&all)
    );
}

/// What the labels alone allow, whatever the detector: the spread of ratings given to the
/// same customer words, and how well the raters' verdict on the dialogue's *other* turns
/// (unknowable from text) predicts `dissatisfied`.
fn label_ceiling(audited: &Audited, labels: &HashMap<String, Value>) {
    let ratings = |c: &Conversation| -> Vec<f64> {
        labels.get(&c.id).map_or(Vec::new(), |l| {
            l["turn_satisfaction"]
                .as_array()
                .map_or(Vec::new(), |a| a.iter().filter_map(Value::as_f64).collect())
        })
    };
    let mut by_text: HashMap<String, Vec<f64>> = HashMap::new();
    let mut oracle = Vec::new();
    for (c, _) in audited {
        let r = ratings(c);
        let customer = c.messages.iter().filter(|m| m.role == Role::Customer);
        for (m, rating) in customer.zip(&r) {
            by_text.entry(normalize(&m.text)).or_default().push(*rating);
        }
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        let rest = &sorted[1.min(sorted.len())..];
        let y = labels.get(&c.id).and_then(|l| l["dissatisfied"].as_bool());
        if let (Some(y), false) = (y, rest.is_empty()) {
            oracle.push((-rest.iter().sum::<f64>() / rest.len() as f64, y));
        }
    }
    let widest = by_text
        .iter()
        .filter(|(_, v)| v.len() >= 20)
        .map(|(t, v)| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (hi - lo, t, v.len(), lo, hi)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    if let Some((_, text, n, lo, hi)) = widest {
        println!("  label noise: \"{text}\" ({n} times) rated {lo:.2} to {hi:.2}");
    }
    println!(
        "  ceiling: AUC of the mean rating of the dialogue's other turns {:.3}",
        auc(&oracle)
    );
}

/// One line per customer turn: its signals (order of `SIGNALS`) and annotated rating.
fn dump_turns(
    out: &mut dyn Write,
    name: &str,
    audited: &Audited,
    labels: &HashMap<String, Value>,
    d: &Detectors,
) -> Result<(), String> {
    for (c, _) in audited {
        let Some(label) = labels.get(&c.id) else {
            continue;
        };
        let Some(ratings) = label["turn_satisfaction"].as_array() else {
            continue;
        };
        for (k, ((_, turn), rating)) in d.dissatisfaction_turns(c).iter().zip(ratings).enumerate() {
            let signals: serde_json::Map<String, Value> = SIGNALS
                .iter()
                .zip(turn.iter())
                .map(|(s, v)| (s.to_string(), Value::from(*v)))
                .collect();
            let row = serde_json::json!({
                "set": name, "id": c.id, "turn": k, "rating": rating,
                "dissatisfied": label["dissatisfied"], "signals": signals,
            });
            writeln!(out, "{row}").map_err(|e| format!("--dump-turns: {e}"))?;
        }
    }
    Ok(())
}

fn uss(dir: &Path, name: &str, d: &Detectors, dump: Option<&mut dyn Write>) -> Result<(), String> {
    let audited = audit(dir, name, d)?;
    let labels = labels(dir, name)?;
    if let Some(out) = dump {
        dump_turns(out, name, &audited, &labels, d)?;
    }
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
    let flagged = pairs(&|a| a.needs_human as u8 as f64);
    println!(
        "{name}: {} dialogues, {} dissatisfied ({:.1}%); flagged needs-human {:.1}% (precision {:.1}%, recall {:.1}%)",
        base.len(),
        positives,
        100.0 * positives as f64 / base.len().max(1) as f64,
        100.0 * flagged.iter().filter(|p| p.0 > 0.0).count() as f64 / base.len().max(1) as f64,
        100.0 * flagged.iter().filter(|p| p.0 > 0.0 && p.1).count() as f64
            / flagged.iter().filter(|p| p.0 > 0.0).count().max(1) as f64,
        100.0 * flagged.iter().filter(|p| p.0 > 0.0 && p.1).count() as f64
            / positives.max(1) as f64
    );
    let signals: [(&str, Signal); 5] = [
        ("probability (in-sample)", Box::new(|a| a.probability)),
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
    repeats_vs_ratings(&audited, &labels);
    label_ceiling(&audited, &labels);
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
    let expected = audited.iter().map(|(_, a)| a.probability).sum::<f64>() / n;
    println!(
        "twitter-care: {} threads (human agents, no labels); needs human {:.3}, expected rate {:.3}",
        audited.len(),
        nh as f64 / n,
        expected
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

/// One labelled conversation for the needs-human probability: its set, the model's inputs,
/// whether it had hard evidence, the label, and the single components to beat.
struct Labelled {
    set: &'static str,
    x: Vec<f64>,
    hard: bool,
    y: bool,
    dissatisfaction: f64,
    score: f64,
}

fn labelled(
    set: &'static str,
    audited: &Audited,
    label: impl Fn(&Conversation) -> Option<bool>,
) -> Vec<Labelled> {
    audited
        .iter()
        .filter_map(|(c, a)| {
            Some(Labelled {
                set,
                x: a.signals.verdict_features.to_vec(),
                hard: a.signals.hard_evidence,
                y: label(c)?,
                dissatisfaction: a.dissatisfaction,
                score: a.score,
            })
        })
        .collect()
}

/// dbdc3 per dialogue: broke down when the share of its bot turns judged breakdown
/// (majority X) is above the median dialogue's.
fn dbdc3_labelled(dir: &Path, d: &Detectors) -> Result<Vec<Labelled>, String> {
    let audited = audit(dir, "dbdc3", d)?;
    let labels = labels(dir, "dbdc3")?;
    let share = |c: &Conversation| -> Option<f64> {
        let turns = labels.get(&c.id)?["bot_turns"].as_array()?;
        let x = turns.iter().filter(|t| t["majority"] == "X").count();
        (!turns.is_empty()).then(|| x as f64 / turns.len() as f64)
    };
    let mut shares: Vec<f64> = audited.iter().filter_map(|(c, _)| share(c)).collect();
    shares.sort_by(f64::total_cmp);
    let median = shares.get(shares.len() / 2).copied().unwrap_or(0.0);
    Ok(labelled("dbdc3", &audited, |c| {
        share(c).map(|s| s > median)
    }))
}

fn fit_on(rows: &[&Labelled], base: &VerdictConfig) -> Option<VerdictConfig> {
    let x: Vec<Vec<f64>> = rows.iter().map(|r| r.x.clone()).collect();
    let y: Vec<bool> = rows.iter().map(|r| r.y).collect();
    let (b0, w) = logistic::fit_non_negative(&x, &y, L2, &NON_NEGATIVE)?;
    let w: [f64; FEATURES.len()] = w.try_into().ok()?;
    Some(base.with_weights(b0, &w))
}

fn predict(m: &VerdictConfig, r: &Labelled) -> f64 {
    let x: [f64; FEATURES.len()] = r.x.clone().try_into().unwrap_or([0.0; FEATURES.len()]);
    m.probability(&x, r.hard)
}

/// Fits the needs-human probability on the USS sets pooled and reports it left-one-set-out.
fn verdict_report(dir: &Path, d: &Detectors, base: &VerdictConfig) -> Result<(), String> {
    let mut rows = Vec::new();
    for name in ["uss-sgd", "uss-mwoz"] {
        let audited = audit(dir, name, d)?;
        let labels = labels(dir, name)?;
        let set: &'static str = if name == "uss-sgd" {
            "uss-sgd"
        } else {
            "uss-mwoz"
        };
        rows.extend(labelled(set, &audited, |c| {
            labels.get(&c.id)?["dissatisfied"].as_bool()
        }));
    }
    let fit_sets = ["uss-sgd", "uss-mwoz"];
    let external: Vec<Labelled> = {
        let mut v = dbdc3_labelled(dir, d).unwrap_or_default();
        if let (Ok(audited), Ok(labels)) = (audit(dir, "sgd-dev", d), labels(dir, "sgd-dev")) {
            v.extend(labelled("sgd-dev", &audited, |c| {
                labels.get(&c.id)?["failure_only"].as_bool()
            }));
        }
        v
    };
    let all: Vec<&Labelled> = rows.iter().collect();
    let hard: Vec<&&Labelled> = all.iter().filter(|r| r.hard).collect();
    println!(
        "  USS dialogues with hard evidence: {} ({} labelled dissatisfied)",
        hard.len(),
        hard.iter().filter(|r| r.y).count()
    );
    let Some(full) = fit_on(&all, base) else {
        return Err("the USS sets gave nothing to fit".into());
    };
    println!(
        "needs-human probability (logistic, L2 {L2}), fitted on {} USS dialogues pooled:",
        all.len()
    );
    println!("  intercept {:.3}", full.intercept);
    for (name, w) in FEATURES.iter().zip(full.weights()) {
        println!("  {name:<24} {w:.3}");
    }
    let mut held: Vec<(f64, bool)> = Vec::new();
    let line = |set: &str, rows: &[&Labelled], m: &VerdictConfig, how: &str| {
        let pairs = |f: &dyn Fn(&Labelled) -> f64| -> Vec<(f64, bool)> {
            rows.iter().map(|r| (f(r), r.y)).collect()
        };
        let p = pairs(&|r| predict(m, r));
        let pos = rows.iter().filter(|r| r.y).count();
        println!(
            "  {set:<9} {:>5} dialogues, {pos:>3} positive: AUC probability {:.3} ({how}), dissatisfaction {:.3}, noisy-OR score {:.3}, shipped model {:.3}",
            rows.len(),
            auc(&p),
            auc(&pairs(&|r| r.dissatisfaction)),
            auc(&pairs(&|r| r.score)),
            auc(&pairs(&|r| predict(base, r))),
        );
        p
    };
    for held_out in fit_sets {
        let train: Vec<&Labelled> = rows.iter().filter(|r| r.set != held_out).collect();
        let test: Vec<&Labelled> = rows.iter().filter(|r| r.set == held_out).collect();
        let Some(m) = fit_on(&train, base) else {
            println!("  {held_out}: nothing to fit without it");
            continue;
        };
        held.extend(line(held_out, &test, &m, "fit without it"));
    }
    for set in ["dbdc3", "sgd-dev"] {
        let test: Vec<&Labelled> = external.iter().filter(|r| r.set == set).collect();
        if !test.is_empty() {
            line(set, &test, &full, "fit on USS");
        }
    }
    let (p, y): (Vec<f64>, Vec<bool>) = held.iter().copied().unzip();
    println!(
        "  pooled held-out: AUC {:.3}, Brier {:.4} (base rate {:.4}: Brier of predicting it {:.4})",
        auc(&held),
        logistic::brier(&p, &y),
        y.iter().filter(|v| **v).count() as f64 / y.len().max(1) as f64,
        {
            let b = y.iter().filter(|v| **v).count() as f64 / y.len().max(1) as f64;
            logistic::brier(&vec![b; y.len()], &y)
        }
    );
    let table = |title: &str, p: &[f64], y: &[bool]| {
        println!(
            "  calibration, {title} (n, predicted, observed), Brier {:.4}:",
            logistic::brier(p, y)
        );
        for (n, pred, obs) in logistic::reliability(p, y, 10) {
            println!(
                "    {n:>4}  {:>5.1}%  {:>5.1}%  {:+.1} points",
                100.0 * pred,
                100.0 * obs,
                100.0 * (obs - pred)
            );
        }
    };
    table("pooled held-out deciles", &p, &y);
    let shipped: Vec<f64> = all.iter().map(|r| predict(base, r)).collect();
    let labels: Vec<bool> = all.iter().map(|r| r.y).collect();
    table(
        "pooled deciles of the shipped model (fitted on both)",
        &shipped,
        &labels,
    );
    println!("  threshold on pooled held-out: flagged share, precision, recall");
    for t in [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5] {
        let tp = held.iter().filter(|(p, y)| *p >= t && *y).count() as f64;
        let flagged = held.iter().filter(|(p, _)| *p >= t).count() as f64;
        let positives = held.iter().filter(|(_, y)| *y).count() as f64;
        println!(
            "    {t:.2}  {:>5.1}%  {:>5.1}%  {:>5.1}%",
            100.0 * flagged / held.len().max(1) as f64,
            100.0 * tp / flagged.max(1.0),
            100.0 * tp / positives.max(1.0)
        );
    }
    // The threshold: the held-out F1 optimum on a 0.01 grid.
    let best = (1..100)
        .map(|k| k as f64 / 100.0)
        .map(|t| {
            let tp = held.iter().filter(|(p, y)| *p >= t && *y).count() as f64;
            let fp = held.iter().filter(|(p, y)| *p >= t && !*y).count() as f64;
            let fn_ = held.iter().filter(|(p, y)| *p < t && *y).count() as f64;
            let f1 = 2.0 * tp / (2.0 * tp + fp + fn_).max(1.0);
            (t, f1, (tp + fp) / held.len().max(1) as f64)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)));
    if let Some((t, f1, share)) = best {
        println!(
            "  held-out F1 optimum: threshold {t:.2}, F1 {f1:.3}, flags {:.1}%; shipped threshold {:.2} flags {:.1}%",
            100.0 * share,
            base.threshold,
            100.0 * held.iter().filter(|(p, _)| *p >= base.threshold).count() as f64
                / held.len().max(1) as f64
        );
    }
    Ok(())
}

fn main() {
    const USAGE: &str = "usage: eval [DATA_DIR] [--config handoff.toml] [--dump-turns FILE]";
    let mut args = std::env::args().skip(1);
    let (mut dir, mut dump_path, mut config_path) = (None, None, None);
    while let Some(a) = args.next() {
        let slot = match a.as_str() {
            "--dump-turns" => &mut dump_path,
            "--config" => &mut config_path,
            _ if a.starts_with('-') || dir.is_some() => {
                eprintln!("eval: unexpected argument {a}\n{USAGE}");
                std::process::exit(2);
            }
            _ => {
                dir = Some(PathBuf::from(a));
                continue;
            }
        };
        let Some(v) = args.next() else {
            eprintln!("eval: {a} needs a value\n{USAGE}");
            std::process::exit(2);
        };
        *slot = Some(PathBuf::from(v));
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("../shared/data"));
    let config = match &config_path {
        Some(p) => Config::load(p).unwrap_or_else(|e| {
            eprintln!("eval: {e}");
            std::process::exit(2);
        }),
        None => Config::default(),
    };
    let mut dump = match &dump_path {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("eval: cannot write {}: {e}", p.display());
                std::process::exit(2);
            }
        },
        None => None,
    };
    if !dir.is_dir() {
        eprintln!(
            "eval: no labelled data at {} — pass the folder holding uss-sgd, uss-mwoz, dbdc3, sgd-dev and twitter-care",
            dir.display()
        );
        std::process::exit(2);
    }
    let detectors = Detectors::new(config.detection(), CsatScale::default());
    for name in ["uss-sgd", "uss-mwoz"] {
        let out = dump.as_mut().map(|w| w as &mut dyn Write);
        if let Err(e) = uss(&dir, name, &detectors, out) {
            println!("{name}: not evaluated ({e})");
        }
    }
    if let (Some(mut w), Some(p)) = (dump, &dump_path) {
        if let Err(e) = w.flush() {
            eprintln!("eval: cannot write {}: {e}", p.display());
            std::process::exit(2);
        }
    }
    if let Err(e) = verdict_report(&dir, &detectors, &config.detection().score.verdict) {
        println!("needs-human probability: not evaluated ({e})");
    }
    let runs: [(&str, Run); 3] = [
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

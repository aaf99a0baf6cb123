//! Randomized property tests on hostile bytes (issue 16, "Fuzzing"), on the stable toolchain:
//! a small deterministic generator mutates the fixtures and sample data (bit flips, cuts,
//! spliced slices, control characters and escape sequences, JSON and CSV punctuation) and
//! every input goes through format sniffing, the reader it picks, detection, aggregation
//! and the terminal and Markdown renderers. Properties: no panic; an input either fails
//! with an error or is fully accounted for (records read = audited + skipped); no control
//! character other than a newline reaches terminal output. The config loader gets mutated
//! TOML. Crate-private stages (the redactor, HTML-to-text) have their own randomized unit
//! tests next to them.
//!
//! `HANDOFF_PROPERTY_CASES` raises the number of cases per test (default 40; the seed is
//! fixed, so a failure names the case to replay).

use std::path::{Path, PathBuf};

use handoff::config::Config;
use handoff::ingest::IngestOptions;
use handoff::pipeline::{self, AuditRequest};
use handoff::{CsatScale, PeriodOptions, RenderOptions, ReportFormat};

use super::harness::TestDir;

use handoff::rng::Rng;

fn cases() -> u64 {
    std::env::var("HANDOFF_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut stack = vec![root.join("tests/fixtures"), root.join("sample-data")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read seed dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.extension().is_some_and(|e| e == "py" || e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read seed");
            // The sample corpus is large: a slice of it is enough to mutate.
            let bytes = bytes[..bytes.len().min(64 * 1024)].to_vec();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), bytes)
        })
        .collect()
}

const INSERTS: &[&[u8]] = &[
    b"\x1b[2J",
    b"\x1b]0;owned\x07",
    b"\x1b]8;;http://x\x1b\\",
    b"\\u001b[31m",
    b"\r",
    b"\x00",
    b"\x7f",
    b"\xc2\x9b",
    b"\xff\xfe",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"NaN",
    b"1e999",
    b"-",
    b"=cmd|' /C calc'!A0",
    b"\"category\":\"\\u001b[2Jx\"",
    b"\"csat\":\"Infinity\"",
    b"\"started_at\":\"9999-01-01\"",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    b"\xef\xbb\xbf",
];

/// One mutation of `bytes`, chosen by `rng`.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let at = rng.below(bytes.len() + 1);
    match rng.below(6) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        1 => bytes.truncate(at),
        2 => {
            let insert = rng.pick(INSERTS).to_vec();
            bytes.splice(at..at, insert);
        }
        3 if !bytes.is_empty() => {
            let from = rng.below(bytes.len());
            let to = (from + rng.below(200)).min(bytes.len());
            let slice = bytes[from..to].to_vec();
            bytes.splice(at..at, slice);
        }
        4 => {
            let end = (at + rng.below(50)).min(bytes.len());
            bytes.drain(at..end);
        }
        _ => {
            let noise: Vec<u8> = (0..rng.below(40)).map(|_| rng.next_u64() as u8).collect();
            bytes.splice(at..at, noise);
        }
    }
}

fn request(path: &Path) -> AuditRequest {
    let config = Config::default();
    AuditRequest {
        inputs: vec![path.display().to_string()],
        ingest: IngestOptions::default(),
        detection: config.detection(),
        recommend: config.recommend.clone(),
        config_path: None,
        csat_scale: CsatScale::default(),
        csat_scale_text: "1-5".into(),
        handle_minutes: 8.0,
        redact: true,
        findings: None,
        outputs: Vec::new(),
        threads: Some(1),
        progress: false,
        filter: None,
        periods: PeriodOptions {
            test: config.gate.period_test(),
            compare: None,
        },
        collect_outcomes: false,
        answers_capacity: handoff::pipeline::DEFAULT_ANSWERS_CAPACITY,
        shard: None,
    }
}

fn control_free(text: &str) -> bool {
    text.chars().all(|c| c == '\n' || !c.is_control())
}

#[test]
fn any_bytes_are_read_accounted_and_rendered_safely() {
    let seeds = seeds();
    assert!(seeds.len() >= 10, "fixtures found: {}", seeds.len());
    let dir = TestDir::new();
    let mut rng = Rng::new(16);
    let (mut audited_runs, mut failed_runs) = (0, 0);
    for case in 0..cases() {
        let (name, seed) = rng.pick(&seeds).clone();
        let mut bytes = if rng.below(10) == 0 {
            (0..rng.below(2000)).map(|_| rng.next_u64() as u8).collect()
        } else {
            seed
        };
        for _ in 0..1 + rng.below(8) {
            mutate(&mut rng, &mut bytes);
        }
        // Keep the seed's name: the extension picks the CSV and transcript readers.
        let path: PathBuf = dir.path(&format!("case{case}-{name}"));
        std::fs::write(&path, &bytes).expect("write case");
        let result =
            std::panic::catch_unwind(|| pipeline::run(request(&path))).unwrap_or_else(|_| {
                panic!(
                    "case {case} (from {name}) panicked; input kept at {}",
                    path.display()
                )
            });
        match result {
            Err(e) => {
                failed_runs += 1;
                let message = e.to_string();
                let shown = handoff::terminal(&message);
                assert!(control_free(&shown), "case {case}: {shown:?}");
            }
            Ok(s) => {
                audited_runs += 1;
                let inp = &s.input;
                assert_eq!(
                    inp.records_read,
                    inp.audited + inp.skipped + inp.filtered_out,
                    "case {case} (from {name}): {inp:?}"
                );
                for format in [ReportFormat::Table, ReportFormat::Markdown] {
                    let out = handoff::report::renderer(format)
                        .render(&s, &RenderOptions::default())
                        .expect("render");
                    assert!(control_free(&out), "case {case} {format:?}: {out}");
                }
            }
        }
        std::fs::remove_file(&path).expect("remove case");
    }
    // Both outcomes are exercised, or the mutations are too weak or too strong to test much.
    assert!(audited_runs > 0 && failed_runs + audited_runs == cases() as usize);
}

#[test]
fn any_config_text_loads_or_fails_with_a_message() {
    let starter = include_str!("../src/starter.toml").as_bytes().to_vec();
    let mapping = include_str!("fixtures/mapping/helpdesk-x.toml")
        .as_bytes()
        .to_vec();
    let mut rng = Rng::new(1616);
    let mut loaded = 0;
    for case in 0..cases() * 5 {
        let mut bytes = if rng.below(2) == 0 {
            starter.clone()
        } else {
            mapping.clone()
        };
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut bytes);
        }
        let text = String::from_utf8_lossy(&bytes);
        let parsed = std::panic::catch_unwind(|| Config::parse(&text))
            .unwrap_or_else(|_| panic!("case {case} panicked on:\n{text}"));
        match parsed {
            Ok(c) => {
                loaded += 1;
                let r = &c.recommend;
                assert!(r.route_to_humans.is_finite() && r.human_review.is_finite());
                assert!(r.max_categories >= 1);
            }
            Err(e) => assert!(!e.is_empty(), "case {case}: empty message"),
        }
    }
    assert!(loaded > 0, "no mutated config loaded");
}

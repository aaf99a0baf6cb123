//! The published JSON Schemas validate real outputs: the findings JSONL
//! (`docs/schema/findings.schema.json`, generated from the writer's column table by a unit
//! test) and the summary of `audit --format json` (`docs/schema/summary.schema.json`, kept
//! by hand beside `src/summary/mod.rs` with every object closed, so a field added to the
//! types and not to the schema fails here).
//!
//! Validation is Python's `jsonschema` (draft 2020-12): the Rust `jsonschema` crate adds 28
//! crates (about 110 s of CPU for a clean debug build of it and its dependencies, measured
//! on the 2-core machine), too much for one test. Without python3 and the module the test
//! says SKIPPED on stderr; under CI=true it fails instead, as the browser test does.

use std::path::Path;
use std::process::Command;

use crate::harness::{handoff, sample_data, TestDir};

const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path), 1):
        errors = sorted(v.iter_errors(json.loads(line)), key=str)
        if errors:
            print(f"{path}:{i}: {errors[0].message} at {list(errors[0].path)}")
            sys.exit(1)
        n += 1
print(n)
"#;

/// Validates whole JSON documents (one per file); prints how many passed.
const VALIDATE_DOCUMENTS: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(v.iter_errors(json.load(open(path))), key=str)
    if errors:
        print(f"{path}: {errors[0].message} at {list(errors[0].path)}")
        sys.exit(1)
print(len(sys.argv) - 2)
"#;

fn python_with_jsonschema() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = "python3 with the jsonschema module (pip install jsonschema) is needed";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("SKIPPED findings schema validation: {msg}");
    }
    ok
}

#[test]
fn findings_from_the_sample_data_validate_against_the_published_schema() {
    if !python_with_jsonschema() {
        return;
    }
    let dir = TestDir::new();
    let data = sample_data();
    let inputs = [
        ("a.jsonl", "transcripts.jsonl"),
        ("b.jsonl", "messages.csv"),
    ];
    for (out, input) in inputs {
        handoff()
            .arg("audit")
            .arg(data.join(input))
            .arg("--findings")
            .arg(dir.path(out))
            .arg("-q")
            .ok();
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/findings.schema.json");
    let out = Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(&schema)
        .arg(dir.path("a.jsonl"))
        .arg(dir.path("b.jsonl"))
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = dir.read("a.jsonl").lines().count() + dir.read("b.jsonl").lines().count();
    assert!(lines > 3000, "{lines} rows");
    assert_eq!(stdout.trim(), lines.to_string(), "every line validated");
}

/// The schema is not vacuous: a line from an older layout (`is_loop`, `reasons: []`) fails.
#[test]
fn the_findings_schema_rejects_the_old_layout() {
    if !python_with_jsonschema() {
        return;
    }
    let dir = TestDir::new();
    let input = dir.write(
        "in.jsonl",
        &crate::harness::conversation("c1", "x", &[("customer", "hi"), ("bot", "Hello!")]),
    );
    handoff()
        .arg("audit")
        .arg(&input)
        .arg("--findings")
        .arg(dir.path("f.jsonl"))
        .arg("-q")
        .ok();
    let line = dir.read("f.jsonl");
    let mut row: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line.trim()).expect("an object");
    let value = row.remove("loop").expect("loop");
    row.insert("is_loop".into(), value);
    dir.write("old.jsonl", &serde_json::Value::Object(row).to_string());
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/findings.schema.json");
    let out = Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(&schema)
        .arg(dir.path("f.jsonl"))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "the current layout validates");
    let old = Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(&schema)
        .arg(dir.path("old.jsonl"))
        .output()
        .expect("python3 runs");
    assert!(!old.status.success(), "is_loop is rejected");
}

fn validate_documents(paths: &[std::path::PathBuf]) -> std::process::Output {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/summary.schema.json");
    Command::new("python3")
        .args(["-c", VALIDATE_DOCUMENTS])
        .arg(&schema)
        .args(paths)
        .output()
        .expect("python3 runs")
}

/// Summaries with every optional part present (weekly series, trends, folded categories,
/// a categories note, CSAT) and from the CSV export validate.
#[test]
fn summaries_from_the_sample_data_validate_against_the_published_schema() {
    if !python_with_jsonschema() {
        return;
    }
    let dir = TestDir::new();
    let data = sample_data();
    let runs: [(&str, &str, &[&str]); 4] = [
        ("plain.json", "transcripts.jsonl", &[]),
        // A categories note (`category_source`) without the cost of discovering topics.
        (
            "taxonomy.json",
            "transcripts.jsonl",
            &["--categories", "taxonomy"],
        ),
        (
            "full.json",
            "transcripts.jsonl",
            &["--compare-periods", "week", "--max-categories", "3"],
        ),
        ("csv.json", "messages.csv", &[]),
    ];
    let mut paths = Vec::new();
    for (out, input, extra) in runs {
        handoff()
            .arg("audit")
            .arg(data.join(input))
            .args(extra)
            .args(["--format", "json", "-q", "-o"])
            .arg(dir.path(out))
            .ok();
        paths.push(dir.path(out));
    }
    let full: serde_json::Value =
        serde_json::from_str(&dir.read("full.json")).expect("a JSON summary");
    for part in ["weekly", "trends", "folded_categories"] {
        assert!(
            !full[part].is_null(),
            "{part} is present, so it is validated"
        );
    }
    let noted: serde_json::Value =
        serde_json::from_str(&dir.read("taxonomy.json")).expect("a JSON summary");
    assert_eq!(noted["category_source"]["source"], "taxonomy");
    let out = validate_documents(&paths);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "4");
}

/// The summary schema is closed: a field the types do not have (or a renamed one) fails,
/// which is what keeps the hand-kept schema in step with `src/summary/mod.rs`.
#[test]
fn the_summary_schema_rejects_unknown_fields() {
    if !python_with_jsonschema() {
        return;
    }
    let dir = TestDir::new();
    handoff()
        .arg("audit")
        .arg(sample_data().join("transcripts.jsonl"))
        .args(["--format", "json", "-q", "-o"])
        .arg(dir.path("s.json"))
        .ok();
    let mut summary: serde_json::Value =
        serde_json::from_str(&dir.read("s.json")).expect("a JSON summary");
    summary["categories"][0]["needs_human_percent"] = serde_json::Value::from(12);
    dir.write("extra.json", &summary.to_string());
    let out = validate_documents(&[dir.path("s.json")]);
    assert!(out.status.success(), "the real summary validates");
    let extra = validate_documents(&[dir.path("extra.json")]);
    assert!(!extra.status.success(), "an unknown field is rejected");
    let stdout = String::from_utf8_lossy(&extra.stdout);
    assert!(stdout.contains("needs_human_percent"), "{stdout}");
}

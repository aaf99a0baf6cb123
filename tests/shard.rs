//! Sharded audits (docs/scale-out.md): a manifest cut into shards, each audited to a partial,
//! merged in any order, gives byte for byte the report of one `audit` over the same files,
//! in JSON and as the table. Also: a small answers capacity that forces the summaries to
//! reduce, the rejections (a missing rank, a duplicate rank, a mismatched option), and the
//! same report for any `--threads`.

use std::path::Path;

use crate::harness::{handoff, sample_data, Handoff, TestDir};

/// Fixed so that the reports' generation time is the same in every run compared.
fn run() -> Handoff {
    handoff().env("SOURCE_DATE_EPOCH", "1700000000")
}

/// Nine files in two directories: the sample corpus cut into eight JSON-lines files, its
/// CSV export, and one file with skips, an undated conversation and fractional CSAT.
fn corpus(dir: &TestDir) {
    let text = std::fs::read_to_string(sample_data().join("transcripts.jsonl")).expect("sample");
    let lines: Vec<&str> = text.lines().collect();
    let per = lines.len().div_ceil(8);
    for (i, chunk) in lines.chunks(per).enumerate() {
        // Out of name order on purpose, and one in a subdirectory: the walk decides.
        let name = match i {
            3 => "data/b/part-3.jsonl".to_string(),
            _ => format!("data/part-{}.jsonl", 7 - i),
        };
        dir.write(&name, &(chunk.join("\n") + "\n"));
    }
    let csv = std::fs::read_to_string(sample_data().join("messages.csv")).expect("csv");
    dir.write("data/a/messages.csv", &csv);
    let mut odd = String::new();
    for i in 0..6 {
        let mut c: serde_json::Value = serde_json::json!({
            "id": format!("odd-{i}"),
            "category": "refunds",
            "started_at": if i == 2 { "yesterday".to_string() } else { format!("2025-03-1{i}T10:00:00Z") },
            "csat": 1.0 + f64::from(i) * 0.37,
            "messages": crate::harness::messages(i % 2 == 0),
        });
        if i == 4 {
            c["messages"] = serde_json::json!([]);
        }
        odd.push_str(&c.to_string());
        odd.push('\n');
        if i == 1 {
            odd.push_str("{not json\n");
        }
    }
    dir.write("data/z-odd.jsonl", &odd);
    // A link to a directory, which the walk passes over: `input.paths_skipped`.
    #[cfg(unix)]
    std::os::unix::fs::symlink("b", dir.path("data/c-link")).expect("symlink");
}

fn manifest(dir: &TestDir) -> usize {
    let out = run()
        .args(["manifest", "data"])
        .current_dir(dir.path(""))
        .ok();
    std::fs::write(dir.path("m.tsv"), &out.stdout).expect("write manifest");
    out.stdout.lines().filter(|l| !l.starts_with('#')).count()
}

/// `audit data` in the given format, with extra flags.
fn audit(dir: &TestDir, format: &str, extra: &[&str]) -> String {
    run()
        .args(["audit", "data", "--quiet", "--format", format])
        .args(extra)
        .current_dir(dir.path(""))
        .ok()
        .stdout
}

/// Cuts ranks 0..files into `k` contiguous shards and audits each to a partial.
fn shards(dir: &TestDir, files: usize, k: usize, extra: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    for s in 0..k {
        let (a, b) = (s * files / k, (s + 1) * files / k);
        if a == b {
            continue;
        }
        let name = format!("p{k}-{s}.json");
        run()
            .args(["audit", "--quiet", "--manifest", "m.tsv", "--ranks"])
            .arg(format!("{a}-{}", b - 1))
            .args(["--emit-partial", &name])
            .args(extra)
            .current_dir(dir.path(""))
            .ok();
        names.push(name);
    }
    names
}

fn merge(dir: &TestDir, partials: &[String], format: &str) -> String {
    run()
        .arg("merge")
        .args(partials)
        .args(["--quiet", "--format", format])
        .current_dir(dir.path(""))
        .ok()
        .stdout
}

#[test]
fn shards_merge_to_the_report_of_one_audit_byte_for_byte() {
    let dir = TestDir::new();
    corpus(&dir);
    let files = manifest(&dir);
    assert_eq!(files, 10);
    let m = dir.read("m.tsv");
    assert!(
        m.starts_with("0\tdata/a/messages.csv\n1\tdata/b/part-3.jsonl\n"),
        "{m}"
    );
    let json = audit(&dir, "json", &[]);
    let table = audit(&dir, "table", &[]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(
        report["input"]["skipped"].as_u64() > Some(0),
        "the corpus has skips"
    );
    #[cfg(unix)]
    assert_eq!(
        report["input"]["paths_skipped"][0]["reason"], "symlinked_directory",
        "{m}"
    );
    for k in [1, 2, 3, 5, 8] {
        let mut partials = shards(&dir, files, k, &[]);
        assert_eq!(merge(&dir, &partials, "json"), json, "{k} shards, forward");
        partials.reverse();
        partials.rotate_left(1);
        assert_eq!(merge(&dir, &partials, "json"), json, "{k} shards, shuffled");
        assert_eq!(merge(&dir, &partials, "table"), table, "{k} shards, table");
    }
    // A tree of merges: pairs first, then the two halves.
    let partials = shards(&dir, files, 5, &[]);
    for (name, part) in [
        ("left.json", &partials[..2]),
        ("right.json", &partials[2..]),
    ] {
        run()
            .arg("merge")
            .args(part)
            .args(["--emit-partial", name])
            .current_dir(dir.path(""))
            .ok();
    }
    let halves = ["right.json".to_string(), "left.json".to_string()];
    assert_eq!(merge(&dir, &halves, "json"), json, "tree reduce");
    let line = dir.read("left.json");
    assert_eq!(line.lines().count(), 1, "a partial is one line");
    assert!(line.starts_with("{\"format\":\"handoff-partial\",\"version\":1,"));
}

#[test]
fn a_small_answers_capacity_reduces_the_summaries_and_still_merges_exactly() {
    let dir = TestDir::new();
    corpus(&dir);
    let files = manifest(&dir);
    let small = ["--answers-capacity", "2"];
    let json = audit(&dir, "json", &small);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let reduced = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .any(|c| c["repeated_answers_error"].as_u64() > Some(0));
    assert!(reduced, "capacity 2 must drop answers somewhere");
    // The default capacity keeps every answer of the sample: exact counts.
    let exact: serde_json::Value = serde_json::from_str(&audit(&dir, "json", &[])).expect("json");
    assert!(exact["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .all(|c| c["repeated_answers_error"] == 0));
    for k in [2, 3, 8] {
        let partials = shards(&dir, files, k, &small);
        assert_eq!(merge(&dir, &partials, "json"), json, "{k} shards");
    }
}

/// Options that change the report travel in the partials: the period comparison (from the
/// per-day counts), a filter, and the HTML page.
#[test]
fn report_options_and_every_format_merge_identically() {
    let dir = TestDir::new();
    corpus(&dir);
    let files = manifest(&dir);
    let flags = [
        "--compare-periods",
        "week",
        "--filter",
        "bot_version=4.2.0|4.1.0",
        "--max-categories",
        "3",
    ];
    let partials = shards(&dir, files, 3, &flags);
    for format in ["json", "table", "markdown", "csv", "html"] {
        assert_eq!(
            merge(&dir, &partials, format),
            audit(&dir, format, &flags),
            "{format}"
        );
    }
}

#[test]
fn missing_duplicate_and_mismatched_partials_are_refused_by_name() {
    let dir = TestDir::new();
    corpus(&dir);
    let files = manifest(&dir);
    let partials = shards(&dir, files, 3, &[]);

    let out = run()
        .arg("merge")
        .args(&partials[..2])
        .current_dir(dir.path(""))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing rank(s) 6-9"), "{}", out.stderr);

    let out = run()
        .arg("merge")
        .args(&partials)
        .arg(&partials[1])
        .current_dir(dir.path(""))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("duplicate rank 3"), "{}", out.stderr);

    run()
        .args(["audit", "--quiet", "--manifest", "m.tsv", "--ranks", "6-9"])
        .args(["--handle-minutes", "5", "--emit-partial", "other.json"])
        .current_dir(dir.path(""))
        .ok();
    let out = run()
        .arg("merge")
        .args(&partials[..2])
        .arg("other.json")
        .current_dir(dir.path(""))
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not compatible") && out.stderr.contains("handle_minutes"),
        "{}",
        out.stderr
    );

    // A summary is not a partial.
    std::fs::write(dir.path("summary.json"), audit(&dir, "json", &[])).expect("write");
    let out = run()
        .args(["merge", "summary.json"])
        .current_dir(dir.path(""))
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a handoff partial"),
        "{}",
        out.stderr
    );
}

#[test]
fn locations_use_the_manifest_names_whatever_path_was_read() {
    let dir = TestDir::new();
    corpus(&dir);
    manifest(&dir);
    // The manifest names an object; the worker read a local copy of it.
    let m = dir
        .read("m.tsv")
        .replace("data/z-odd.jsonl", "s3://bucket/z-odd.jsonl");
    std::fs::write(dir.path("m.tsv"), m).expect("write");
    let out = run()
        .args([
            "audit",
            "--manifest",
            "m.tsv",
            "--ranks",
            "9",
            "--emit-partial",
            "-",
        ])
        .arg(Path::new("data").join("z-odd.jsonl"))
        .current_dir(dir.path(""))
        .ok();
    assert!(
        out.stdout.contains("s3://bucket/z-odd.jsonl:3"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("data/z-odd.jsonl"));
}

#[test]
fn the_report_is_the_same_for_any_thread_count() {
    let dir = TestDir::new();
    corpus(&dir);
    let one = audit(&dir, "json", &["--threads", "1"]);
    for n in ["2", "8"] {
        assert_eq!(audit(&dir, "json", &["--threads", n]), one, "--threads {n}");
    }
}

#[test]
fn a_foreign_listing_is_put_in_the_walk_order() {
    let dir = TestDir::new();
    corpus(&dir);
    let walked = run()
        .args(["manifest", "data"])
        .current_dir(dir.path(""))
        .ok()
        .stdout;
    let files: String = walked
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut names: Vec<&str> = files
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(_, n)| n)
        .collect();
    names.sort();
    let listing = names.join("\n") + "\ndata/README.txt\n";
    let out = run()
        .args(["manifest", "--from-list", "-"])
        .stdin(&listing)
        .ok();
    assert_eq!(out.stdout, files);
}

/// The Python that runs the Spark example: `HANDOFF_SPARK_PYTHON` (a virtualenv with
/// pyspark, pyarrow and pandas, as `.ci/run` makes) or `python3`; `None` (SKIPPED) without pyspark,
/// pyarrow or Java, except under CI=true, where that fails.
fn spark_python() -> Option<String> {
    let python = std::env::var("HANDOFF_SPARK_PYTHON").unwrap_or_else(|_| "python3".into());
    let modules = std::process::Command::new(&python)
        .args(["-c", "import pyspark, pyarrow, pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    let java = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if modules && java {
        return Some(python);
    }
    let msg = format!(
        "Spark example test: needs {python} with pyspark, pyarrow and pandas (HANDOFF_SPARK_PYTHON) \
         and java"
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {msg}");
    None
}

/// examples/spark/handoff_spark.py on Spark local[2] gives the report of one audit.
#[test]
fn the_spark_example_gives_the_report_of_one_audit() {
    let Some(python) = spark_python() else {
        return;
    };
    let dir = TestDir::new();
    corpus(&dir);
    manifest(&dir);
    let json = audit(&dir, "json", &[]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/spark/handoff_spark.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .args(["--handoff", env!("CARGO_BIN_EXE_handoff")])
        .args([
            "--manifest",
            "m.tsv",
            "--shards",
            "4",
            "--master",
            "local[2]",
        ])
        .args(["--", "--quiet", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYSPARK_PYTHON", &python)
        .current_dir(dir.path(""))
        .output()
        .expect("run the Spark example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, json);
}

/// A shard never learns topics (each would learn its own): `discover` asks for a topics
/// file, and `auto` keeps the export's categories rather than sampling.
#[test]
fn shards_do_not_discover_topics() {
    let dir = TestDir::new();
    corpus(&dir);
    let out = run()
        .args([
            "audit",
            "data",
            "--emit-partial",
            "-",
            "--categories",
            "discover",
        ])
        .current_dir(dir.path(""))
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--topics topics.toml"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    // The same data without its categories: auto does not discover in a shard.
    let bare: String = dir
        .read("data/part-0.jsonl")
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("a conversation");
            if let Some(o) = v.as_object_mut() {
                o.remove("category");
            }
            v.to_string() + "\n"
        })
        .collect();
    dir.write("bare/part-0.jsonl", &bare);
    let out = run()
        .args(["audit", "bare", "--emit-partial", "-"])
        .current_dir(dir.path(""))
        .ok();
    assert!(!out.stdout.contains("\"discovered\""), "{}", out.stdout);
    assert!(out.stdout.contains("uncategorized"), "{}", out.stdout);
}

//! Report formats, atomic output files, redaction, pipes and usage errors.

use crate::harness::{conversation, handoff, TestDir};

fn corpus(dir: &TestDir) -> std::path::PathBuf {
    let lines = [
        conversation(
            "1",
            "card",
            &[
                ("customer", "my card was declined"),
                ("bot", "Sorry, I didn't understand that."),
                (
                    "customer",
                    "get me a human: card 4111 1111 1111 1111, mail jane.doe@example.com",
                ),
            ],
        ),
        conversation(
            "2",
            "card",
            &[
                ("customer", "card declined"),
                ("bot", "Sorry, I didn't understand that."),
                ("customer", "useless"),
            ],
        ),
        conversation(
            "3",
            "delivery",
            &[
                ("customer", "where is my parcel"),
                ("bot", "It arrives tomorrow before noon."),
                ("customer", "thanks"),
            ],
        ),
    ];
    dir.write("in.jsonl", &lines.join("\n"))
}

#[test]
fn table_is_the_default_and_ranks_categories() {
    let dir = TestDir::new();
    let out = handoff().arg("audit").arg(corpus(&dir)).ok();
    let card = out.stdout.find("│ card").expect("card row");
    let delivery = out.stdout.find("│ delivery").expect("delivery row");
    assert!(
        card < delivery,
        "card (100%) ranks above delivery (0%):\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("3 conversations audited"));
    assert!(
        !out.stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn transcript_text_is_redacted_unless_asked() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    for format in ["table", "json", "markdown"] {
        let out = handoff()
            .arg("audit")
            .arg(&input)
            .args(["--format", format])
            .ok();
        assert!(
            !out.stdout.contains("jane.doe@example.com"),
            "{format}: e-mail shown"
        );
        assert!(
            !out.stdout.contains("4111 1111 1111 1111"),
            "{format}: card shown"
        );
    }
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json"])
        .ok();
    assert!(
        out.stdout.contains("[email]"),
        "the masked evidence is shown"
    );
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "--no-redact"])
        .ok();
    assert!(out.stdout.contains("jane.doe@example.com"));
}

#[test]
fn csv_and_markdown_reports() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "csv"])
        .ok();
    let mut rdr = csv::Reader::from_reader(out.stdout.as_bytes());
    let headers = rdr.headers().expect("header").clone();
    assert_eq!(&headers[0], "category");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3, "two categories and overall");
    assert_eq!(&rows[0][0], "card");
    assert_eq!(&rows[0][3], "1");
    assert_eq!(&rows[2][0], "overall");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "markdown"])
        .ok();
    assert!(out.stdout.starts_with("# Where humans are needed"));
    assert!(
        out.stdout.contains("| card | 2 | 100.0% |"),
        "{}",
        out.stdout
    );
}

#[test]
fn output_file_is_written_and_nothing_is_left_behind() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "-o"])
        .arg(dir.path("report.json"))
        .ok();
    assert!(out.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&dir.read("report.json")).expect("valid JSON");
    assert_eq!(report["overall"]["conversations"], 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("report.json"))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "a shared report is readable by others");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path(""))
        .expect("list dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let one = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "--threads", "1"])
        .ok();
    let two = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "--threads", "2"])
        .ok();
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let out = handoff().arg("audit").run();
    assert_eq!(out.code, 2, "no input");
    let dir = TestDir::new();
    let input = corpus(&dir);
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--csat-scale", "5-1"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--csat-scale") && out.stderr.contains("MIN < MAX"),
        "{}",
        out.stderr
    );
    // Checked by clap before any input is opened: a missing input does not mask it.
    let out = handoff()
        .args(["audit", "no-such-file.jsonl", "--threads", "0"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--threads") && out.stderr.contains("at least 1"),
        "{}",
        out.stderr
    );
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--findings")
        .arg(dir.path("f.xlsx"))
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(".jsonl, .csv or .parquet"),
        "{}",
        out.stderr
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = TestDir::new();
    let line = conversation(
        "x",
        "card",
        &[
            ("customer", "help"),
            ("bot", "Sorry, I didn't understand that."),
        ],
    );
    let lines: Vec<String> = (0..3000).map(|_| line.clone()).collect();
    let input = dir.write("in.jsonl", &lines.join("\n"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "--no-redact"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close our end of stdout at once, as `| head -c0` would.
    drop(child.stdout.take());
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

//! Hostile and broken input (issue 16): outputs that are not plain files, interrupted runs,
//! directory walks through links and special files, oversized records, broken JSON
//! documents, bad numbers and dates, duplicate ids. Each test failed before its fix.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{conversation, handoff, messages, TestDir};

fn corpus(dir: &TestDir) -> PathBuf {
    let lines: Vec<String> = (0..6)
        .map(|i| {
            serde_json::json!({"id": format!("c{i}"), "category": "card",
                               "messages": messages(i % 2 == 0)})
            .to_string()
        })
        .collect();
    dir.write("in.jsonl", &(lines.join("\n") + "\n"))
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list the directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".handoff-"))
        .collect()
}

/// Waits for `child` at most `limit`; kills it and fails when it takes longer.
fn wait_within(mut child: Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().expect("poll").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("handoff still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect output")
}

fn spawn(args: &[&std::ffi::OsStr], dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start handoff")
}

// ---- item 1: outputs that are not regular files ----

#[cfg(unix)]
#[test]
fn a_symlinked_report_path_stays_a_link_and_its_target_gets_the_report() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let target = dir.write("reports/real.json", "old");
    let link = dir.path("report.json");
    std::os::unix::fs::symlink("reports/real.json", &link).expect("symlink");
    handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "-o"])
        .arg(&link)
        .ok();
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("read")).expect("JSON");
    assert_eq!(report["overall"]["conversations"], 6);
}

#[cfg(target_os = "linux")]
#[test]
fn a_fifo_output_is_written_through_and_stays_a_fifo() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let dir = TestDir::new();
    let input = corpus(&dir);
    let fifo = dir.path("report.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    // Opened for reading and writing (Linux allows it on a FIFO), so neither side waits
    // for the other; non-blocking, so a FIFO that never receives anything fails the test
    // rather than hanging it. The report of six conversations fits in the pipe's buffer.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("open the FIFO");
    handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "-o"])
        .arg(&fifo)
        .ok();
    let mut text = Vec::new();
    let mut buf = [0u8; 1 << 16];
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let report: serde_json::Value = serde_json::from_slice(&text).expect("the report came through");
    assert_eq!(report["overall"]["conversations"], 6);
    let meta = std::fs::metadata(&fifo).expect("still there");
    assert!(meta.file_type().is_fifo(), "the FIFO became a regular file");
}

#[cfg(target_os = "linux")]
#[test]
fn dev_fd_1_is_the_report_on_stdout() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "-o", "/dev/fd/1"])
        .ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["overall"]["conversations"], 6);
}

#[test]
fn an_output_that_is_an_input_is_an_error_and_the_input_is_kept() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let before = std::fs::read(&input).expect("read");
    for flag in ["-o", "--findings", "--html"] {
        let out = handoff()
            .arg("audit")
            .arg(&input)
            .arg(flag)
            .arg(&input)
            .run();
        assert_eq!(out.code, 2, "{flag}: {}", out.stderr);
        assert!(
            out.stderr.contains("is also an input"),
            "{flag}: {}",
            out.stderr
        );
        assert_eq!(std::fs::read(&input).expect("read"), before, "{flag}");
    }
    // Found through a directory walk too.
    let out = handoff()
        .arg("audit")
        .arg(dir.path(""))
        .args(["--findings"])
        .arg(&input)
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(std::fs::read(&input).expect("read"), before);
    // Two flags naming one file.
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("-o")
        .arg(dir.path("r.html"))
        .arg("--html")
        .arg(dir.path("./r.html"))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("name the same file"), "{}", out.stderr);
}

#[test]
fn an_unwritable_output_fails_before_the_audit_reads_anything() {
    let dir = TestDir::new();
    let missing = dir.path("no-such-dir/report.json");
    // stdin stays open and empty: an audit that started reading would wait for it forever.
    let child = spawn(
        &[
            "audit".as_ref(),
            "-".as_ref(),
            "-o".as_ref(),
            missing.as_os_str(),
        ],
        &dir.path(""),
    );
    let out = wait_within(child, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-dir"), "{stderr}");
}

// ---- item 12: interrupted runs leave no temporary file ----

#[cfg(unix)]
#[test]
fn a_signal_removes_the_temporary_files_and_ends_the_run_as_the_signal_would() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    let dir = TestDir::new();
    let line = conversation("a", "card", &[("customer", "hi"), ("bot", "hello there")]);
    for (name, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let mut child = spawn(
            &[
                "audit".as_ref(),
                "-".as_ref(),
                "--quiet".as_ref(),
                "-o".as_ref(),
                "report.json".as_ref(),
                "--findings".as_ref(),
                "findings.jsonl".as_ref(),
            ],
            &dir.path(""),
        );
        // Some records, then stdin stays open: the run waits for more, mid-audit.
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{line}").expect("write");
        let start = Instant::now();
        while temporaries(&dir.path("")).len() < 2 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no temporary files appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(child.id().to_string())
            .status()
            .expect("kill");
        assert!(sent.success());
        let out = wait_within(child, Duration::from_secs(20));
        drop(stdin);
        assert_eq!(
            out.status.signal(),
            Some(number),
            "SIG{name}: {:?}",
            out.status
        );
        assert_eq!(
            temporaries(&dir.path("")),
            Vec::<String>::new(),
            "SIG{name}"
        );
        assert!(!dir.path("report.json").exists());
    }
}

// ---- item 3: the directory walk ----

/// `handoff audit ARGS --format json --quiet` in `dir`, within a time limit (a walk into a
/// link loop or a FIFO never ends), as parsed JSON.
#[cfg(unix)]
fn audit_json_within(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all: Vec<&std::ffi::OsStr> = vec!["audit".as_ref()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    all.extend(["--format", "json", "--quiet"].map(std::ffi::OsStr::new));
    let out = wait_within(spawn(&all, dir), Duration::from_secs(30));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[cfg(unix)]
fn reasons(list: &serde_json::Value) -> Vec<(String, u64)> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["reason"].as_str().unwrap_or("").to_string(),
                        r["count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn a_walk_reads_each_file_once_and_passes_over_loops_fifos_and_dangling_links() {
    use std::os::unix::fs::symlink;
    let dir = TestDir::new();
    let lines: Vec<String> = (0..3)
        .map(|i| {
            conversation(
                &format!("c{i}"),
                "card",
                &[("customer", "hi"), ("bot", "hello")],
            )
        })
        .collect();
    dir.write("data/a.jsonl", &lines.join("\n"));
    symlink(".", dir.path("data/self")).expect("symlink");
    symlink("a.jsonl", dir.path("data/b.jsonl")).expect("symlink");
    symlink("missing.jsonl", dir.path("data/gone.jsonl")).expect("symlink");
    let fifo = Command::new("mkfifo")
        .arg(dir.path("data/pipe.jsonl"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let report = audit_json_within(&dir.path(""), &["data"]);
    let input = &report["input"];
    assert_eq!(input["records_read"], 3, "{input}");
    assert_eq!(input["files"].as_array().map(Vec::len), Some(1), "{input}");
    assert_eq!(
        reasons(&input["paths_skipped"]),
        vec![
            ("symlinked_directory".to_string(), 1),
            ("same_file".to_string(), 1),
            ("special_file".to_string(), 1),
            ("broken_symlink".to_string(), 1),
        ]
    );
    // The same file named twice is read once.
    let a = dir.path("data/a.jsonl");
    let a = a.to_str().expect("utf-8 path");
    let report = audit_json_within(&dir.path(""), &[a, a, "data/b.jsonl"]);
    assert_eq!(report["input"]["records_read"], 3);
    assert_eq!(
        reasons(&report["input"]["paths_skipped"]),
        vec![("same_file".to_string(), 2)]
    );
}

#[cfg(unix)]
#[test]
fn follow_walks_linked_directories_once_and_ends_in_a_loop() {
    use std::os::unix::fs::symlink;
    let dir = TestDir::new();
    let line = |id: &str| conversation(id, "card", &[("customer", "hi"), ("bot", "hello")]);
    dir.write("data/a.jsonl", &line("a"));
    dir.write("elsewhere/b.jsonl", &line("b"));
    symlink("../elsewhere", dir.path("data/linked")).expect("symlink");
    // A loop through the linked directory back to the start.
    symlink("../data", dir.path("elsewhere/back")).expect("symlink");
    let report = audit_json_within(&dir.path(""), &["data"]);
    assert_eq!(report["input"]["records_read"], 1, "links not followed");
    let report = audit_json_within(&dir.path(""), &["data", "--follow"]);
    assert_eq!(report["input"]["records_read"], 2, "{}", report["input"]);
    assert_eq!(
        reasons(&report["input"]["paths_skipped"]),
        vec![("directory_already_walked".to_string(), 1)]
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_still_streams() {
    use std::io::Write;
    let dir = TestDir::new();
    let fifo = dir.path("in.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Blocks until handoff opens the FIFO for reading.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("open the FIFO");
            for i in 0..4 {
                let line = conversation(&format!("f{i}"), "card", &[("customer", "hi")]);
                writeln!(f, "{line}").expect("write");
            }
        })
    };
    let report = audit_json_within(&dir.path(""), &["in.fifo"]);
    writer.join().expect("writer");
    assert_eq!(report["input"]["records_read"], 4);
}

// ---- items 5 and 14: record size, JSON documents, encodings ----

/// The canonical record `id` with a healthy conversation; `text` is the customer's first
/// message.
fn record(id: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "category": "refunds", "messages": [
        {"role": "customer", "text": text},
        {"role": "bot", "text": "Your refund was sent on Monday and arrives in 3 days."},
        {"role": "customer", "text": "thanks, that helps"}
    ]})
}

/// The input accounting of an audit of `path` (extra flags appended), with the invariant
/// every run keeps checked.
fn accounting(path: &Path, extra: &[&str]) -> serde_json::Value {
    let report = handoff().arg("audit").arg(path).args(extra).json();
    let input = report["input"].clone();
    let n = |k: &str| input[k].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        n("records_read"),
        n("audited") + n("skipped") + n("filtered_out"),
        "records_read = audited + skipped + filtered_out: {input}"
    );
    input
}

/// The first listed occurrence of skip reason `code`.
fn first_skip(input: &serde_json::Value, code: &str) -> String {
    input["skip_reasons"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["reason"] == code))
        .and_then(|r| r["first"][0].as_str())
        .unwrap_or_else(|| panic!("no {code} in {input}"))
        .to_string()
}

#[test]
fn an_oversized_json_line_is_skipped_and_reading_resumes_at_the_next_line() {
    let dir = TestDir::new();
    let lines = [
        record("a", "where is my refund").to_string(),
        record("big", &"x".repeat(5000)).to_string(),
        record("b", "where is my refund").to_string(),
    ];
    let path = dir.write("in.jsonl", &lines.join("\n"));
    let input = accounting(&path, &["--max-record-bytes", "2K"]);
    assert_eq!(
        (input["records_read"].as_u64(), input["audited"].as_u64()),
        (Some(3), Some(2))
    );
    let skip = first_skip(&input, "record_too_large");
    assert!(
        skip.contains("in.jsonl:2:") && skip.contains("2048"),
        "{skip}"
    );
    // Under the default limit the same line is read.
    let input = accounting(&path, &[]);
    assert_eq!(input["audited"], 3);
}

#[test]
fn a_compressed_endless_line_costs_one_skipped_record() {
    use std::io::Write;
    let dir = TestDir::new();
    let path = dir.path("zeros.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).expect("create"),
        flate2::Compression::fast(),
    );
    // 8 MiB of zeros without a newline, then one good record.
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..8 {
        gz.write_all(&zeros).expect("write");
    }
    writeln!(gz).expect("write");
    writeln!(gz, "{}", record("after", "where is my refund")).expect("write");
    gz.finish().expect("finish");
    let input = accounting(&path, &["--max-record-bytes", "1M"]);
    assert_eq!(input["records_read"], 2);
    assert_eq!(
        input["audited"], 1,
        "the record after the endless line is read"
    );
    assert!(first_skip(&input, "record_too_large").contains("zeros.jsonl.gz:1:"));
}

#[test]
fn oversized_array_elements_document_records_and_csv_lines_are_skipped_in_place() {
    let dir = TestDir::new();
    let big = record("big", &"x".repeat(5000));
    let (a, b) = (record("a", "refund?"), record("b", "refund?"));
    let array = dir.write("a.json", &serde_json::json!([a, big, b]).to_string());
    let input = accounting(&array, &["--max-record-bytes", "2K"]);
    assert_eq!(
        (input["records_read"].as_u64(), input["audited"].as_u64()),
        (Some(3), Some(2))
    );
    assert!(first_skip(&input, "record_too_large").contains("(element 2)"));

    let wrapped = serde_json::json!({"conversations": [a, big, b]});
    let doc = dir.write(
        "d.json",
        &serde_json::to_string_pretty(&wrapped).expect("json"),
    );
    let input = accounting(&doc, &["--max-record-bytes", "2K"]);
    assert_eq!(
        (input["records_read"].as_u64(), input["audited"].as_u64()),
        (Some(3), Some(2))
    );
    assert!(first_skip(&input, "record_too_large").contains("(element 2)"));

    let csv = dir.write(
        "m.csv",
        &format!(
            "conversation_id,role,text\na,customer,hi\na,bot,hello there\nb,customer,{}\nb,bot,ok\n",
            "y".repeat(5000)
        ),
    );
    let input = accounting(&csv, &["--max-record-bytes", "2K"]);
    assert_eq!(input["skipped"], 1, "{input}");
    assert!(first_skip(&input, "record_too_large").contains("m.csv:4:"));
}

#[test]
fn a_bad_record_in_a_wrapped_document_costs_only_itself() {
    let dir = TestDir::new();
    let wrapped = serde_json::json!({"conversations": [
        record("a", "refund?"), record("b", "BADBYTE"), record("c", "refund?")
    ]});
    let text = serde_json::to_string_pretty(&wrapped).expect("json");
    let bytes = text.replace("BADBYTE", "bad \u{1} byte").into_bytes();
    // One byte that is not UTF-8 in the second record.
    let bytes: Vec<u8> = bytes
        .into_iter()
        .map(|b| if b == 1 { 0xFF } else { b })
        .collect();
    let path = dir.path("w.json");
    std::fs::write(&path, bytes).expect("write");
    let input = accounting(&path, &[]);
    assert_eq!(input["records_read"], 3, "{input}");
    assert_eq!(input["audited"], 2);
    assert!(first_skip(&input, "invalid_json").contains("(element 2)"));
}

#[test]
fn documents_after_a_broken_one_are_read_and_junk_between_them_is_one_record() {
    let dir = TestDir::new();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("json");
    let broken =
        pretty(&record("a", "refund?")).replace("\"category\": \"refunds\"", "\"category\": ");
    let text = format!(
        "{broken}\n{}\nthis is not JSON\n{}\n",
        pretty(&record("b", "refund?")),
        pretty(&record("c", "refund?"))
    );
    let path = dir.write("docs.json", &text);
    let input = accounting(&path, &[]);
    assert_eq!(input["records_read"], 4, "{input}");
    assert_eq!(input["audited"], 2);
    assert!(first_skip(&input, "invalid_json").contains("docs.json:1:"));
}

#[test]
fn a_cut_off_document_counts_its_conversations_not_its_lines() {
    let dir = TestDir::new();
    let records: Vec<serde_json::Value> = (0..5)
        .map(|i| record(&format!("c{i}"), "refund?"))
        .collect();
    let full =
        serde_json::to_string_pretty(&serde_json::json!({"conversations": records})).expect("json");
    let cut = &full[..full.find("\"c4\"").expect("last record") + 20];
    let path = dir.write("cut.json", cut);
    let input = accounting(&path, &[]);
    assert_eq!(input["records_read"], 5, "{input}");
    assert_eq!(input["audited"], 4);
    assert!(first_skip(&input, "invalid_json").contains("cut off"));
}

#[test]
fn utf16_and_utf32_inputs_are_transcoded() {
    let dir = TestDir::new();
    let lines: String = (0..3)
        .map(|i| record(&format!("u{i}"), "é 😀 where is my refund").to_string() + "\n")
        .collect();
    let mut le = vec![0xFF, 0xFE];
    le.extend(lines.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be32 = vec![0, 0, 0xFE, 0xFF];
    let array =
        serde_json::to_string_pretty(&serde_json::json!([record("v", "refund?")])).expect("json");
    be32.extend(array.chars().flat_map(|c| (c as u32).to_be_bytes()));
    for (name, bytes, n) in [("le.jsonl", le, 3), ("be32.json", be32, 1)] {
        let path = dir.path(name);
        std::fs::write(&path, bytes).expect("write");
        let input = accounting(&path, &[]);
        assert_eq!(input["audited"], n, "{name}: {input}");
        assert_eq!(input["skipped"], 0, "{name}: {input}");
    }
}

#[test]
fn a_bot_framework_transcript_in_its_object_form_is_read() {
    let dir = TestDir::new();
    let activities: Vec<serde_json::Value> = [
        ("user", "my card is blocked"),
        ("bot", "Sorry, I didn't understand that."),
        ("user", "I want to talk to a human"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (role, text))| {
        serde_json::json!({"type": "message", "id": i.to_string(),
            "timestamp": format!("2025-03-03T10:00:0{i}Z"),
            "from": {"id": role, "role": role}, "conversation": {"id": "conv-1"}, "text": text})
    })
    .collect();
    let transcript = serde_json::json!({"transcript": activities});
    for (name, text) in [
        (
            "pretty.transcript",
            serde_json::to_string_pretty(&transcript).expect("json"),
        ),
        ("minified.transcript", transcript.to_string()),
    ] {
        let path = dir.write(name, &text);
        let input = accounting(&path, &[]);
        assert_eq!(input["audited"], 1, "{name}: {input}");
        assert_eq!(input["files"][0]["format"], "botframework");
    }
}

// ---- item 10: numbers that are not numbers ----

#[test]
fn non_finite_and_off_scale_csat_are_skipped_and_the_saved_summary_stays_readable() {
    let dir = TestDir::new();
    let rated = |id: &str, csat: serde_json::Value| {
        let mut r = record(id, "where is my refund");
        r["csat"] = csat;
        r.to_string()
    };
    let lines = [
        rated("good", serde_json::json!(4)),
        rated("nan", serde_json::json!("NaN")),
        rated("inf", serde_json::json!("Infinity")),
        rated("seven", serde_json::json!(7)),
        rated("negative", serde_json::json!("-1")),
    ];
    let input_path = dir.write("in.jsonl", &lines.join("\n"));
    let report = handoff().arg("audit").arg(&input_path).json();
    let input = &report["input"];
    assert_eq!(
        (input["audited"].as_u64(), input["skipped"].as_u64()),
        (Some(1), Some(4))
    );
    let first: Vec<&str> = input["skip_reasons"][0]["first"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(
        first[0].contains("in.jsonl:2:") && first[0].contains("not a finite number"),
        "{first:?}"
    );
    assert!(
        first[2].contains("in.jsonl:4:") && first[2].contains("outside the --csat-scale (1-5)"),
        "{first:?}"
    );
    assert_eq!(report["overall"]["mean_csat"], 4.0);
    assert_eq!(report["overall"]["csat_sum"], 4.0);
    // On a 0-10 scale, 7 is a rating.
    let wide = handoff()
        .arg("audit")
        .arg(&input_path)
        .args(["--csat-scale", "0-10"])
        .json();
    assert_eq!(wide["input"]["audited"], 2);

    // A CSV "inf" too.
    let csv = dir.write(
        "m.csv",
        "conversation_id,role,text,csat\na,customer,hi,inf\na,bot,hello there,\n\
         b,customer,hi,4\nb,bot,hello there,\n",
    );
    // One good conversation beside it: a run where every record is skipped exits 2.
    let report = handoff().arg("audit").arg(&csv).json();
    assert_eq!(report["input"]["skipped"], 1);
    assert_eq!(report["input"]["audited"], 1);

    // The gate reads back what audit saved.
    let saved = dir.path("saved.json");
    handoff()
        .arg("audit")
        .arg(&input_path)
        .args(["--format", "json", "--quiet", "-o"])
        .arg(&saved)
        .ok();
    let out = handoff()
        .args(["gate", "--baseline"])
        .arg(&saved)
        .arg("--candidate")
        .arg(&input_path)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_config_with_nan_or_infinite_numbers_is_refused_at_load() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    for (toml, key) in [
        (
            "[detect.dissatisfaction]\ncorrection = nan\n",
            "detect.dissatisfaction.correction",
        ),
        ("[sentiment]\n\"meh\" = inf\n", "sentiment.\"meh\""),
        ("[detect]\nlow_csat = nan\n", "detect.low_csat"),
    ] {
        let config = dir.write("bad.toml", toml);
        let out = handoff()
            .arg("audit")
            .arg(&input)
            .arg("--config")
            .arg(&config)
            .run();
        assert_eq!(out.code, 2, "{toml}");
        assert!(out.stderr.contains(key), "{toml}: {}", out.stderr);
    }
}

// ---- item 11: dates ----

#[test]
fn implausible_and_unreadable_start_times_are_undated_with_a_reason() {
    let dir = TestDir::new();
    let dated = |id: &str, at: &str| {
        let mut r = record(id, "where is my refund");
        r["started_at"] = serde_json::json!(at);
        r.to_string()
    };
    let mut lines: Vec<String> = (0..6)
        .map(|i| {
            dated(
                &format!("w{i}"),
                &format!("2025-03-{:02}T10:00:00Z", 3 + i * 2),
            )
        })
        .collect();
    lines.push(dated("future", "2999-01-01T00:00:00Z"));
    lines.push(dated("ancient", "0001-01-01"));
    lines.push(dated("words", "yesterday"));
    let path = dir.write("in.jsonl", &lines.join("\n"));
    let report = handoff().arg("audit").arg(&path).json();
    assert_eq!(report["input"]["audited"], 9, "undated, not skipped");
    assert_eq!(report["period"][0], "2025-03-03T10:00:00Z");
    assert_eq!(report["period"][1], "2025-03-13T10:00:00Z");
    let weeks: Vec<&str> = report["weekly"]["weeks"]
        .as_array()
        .map(|a| a.iter().filter_map(|w| w["week"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(weeks, ["2025-W10", "2025-W11"]);
    assert_eq!(report["weekly"]["undated"], 3);
    let undated = &report["input"]["undated_reasons"];
    assert_eq!(
        reasons_of(undated),
        vec![
            ("implausible_date".to_string(), 2),
            ("unreadable_date".to_string(), 1)
        ]
    );
    let words = undated[1]["first"][0].as_str().unwrap_or("");
    assert!(
        words.contains("in.jsonl:9:") && words.contains("\"yesterday\""),
        "{words}"
    );
}

fn reasons_of(list: &serde_json::Value) -> Vec<(String, u64)> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["reason"].as_str().unwrap_or("").to_string(),
                        r["count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---- item 13: duplicate ids ----

#[test]
fn duplicate_ids_keep_the_first_record_and_skip_later_ones_within_and_across_files() {
    let dir = TestDir::new();
    let line = |id: &str| record(id, "where is my refund").to_string();
    let a = dir.write("a.jsonl", &[line("x"), line("y"), line("x")].join("\n"));
    let b = dir.write("b.jsonl", &[line("y"), line("z")].join("\n"));
    let report = handoff().arg("audit").arg(&a).arg(&b).json();
    let input = &report["input"];
    assert_eq!(input["records_read"], 5);
    assert_eq!(input["audited"], 3, "x, y and z once each");
    assert_eq!(
        reasons_of(&input["skip_reasons"]),
        vec![("duplicate_id".to_string(), 2)]
    );
    let first = &input["skip_reasons"][0]["first"];
    assert!(
        first[0].as_str().unwrap_or("").contains("a.jsonl:3:"),
        "{first}"
    );
    assert!(
        first[1].as_str().unwrap_or("").contains("b.jsonl:1:"),
        "{first}"
    );
    // --strict fails on them.
    let out = handoff().arg("audit").arg(&a).arg("--strict").run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    // The first record counts even when the filter leaves it out.
    let mut first_web = record("x", "where is my refund");
    first_web["channel"] = serde_json::json!("web");
    let mut second_app = record("x", "where is my refund");
    second_app["channel"] = serde_json::json!("app");
    // "y" keeps the run from auditing nothing (exit 2).
    let mut other_app = record("y", "where is my refund");
    other_app["channel"] = serde_json::json!("app");
    let c = dir.write(
        "c.jsonl",
        &format!("{first_web}\n{second_app}\n{other_app}"),
    );
    let report = handoff()
        .arg("audit")
        .arg(&c)
        .args(["--filter", "channel=app"])
        .json();
    let input = &report["input"];
    assert_eq!(
        (
            input["filtered_out"].as_u64(),
            input["skipped"].as_u64(),
            input["audited"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
}

#[test]
fn ids_made_from_locations_are_not_duplicates() {
    let dir = TestDir::new();
    // Chat logs without ids: each gets "chats.jsonl:LINE", the same in both folders.
    let chat = serde_json::json!({"messages": [
        {"role": "user", "content": "where is my refund"},
        {"role": "assistant", "content": "It was sent on Monday."}
    ]})
    .to_string();
    dir.write("one/chats.jsonl", &chat);
    dir.write("two/chats.jsonl", &chat);
    let report = handoff().arg("audit").arg(dir.path("")).json();
    assert_eq!(report["input"]["audited"], 2, "{}", report["input"]);
}

// ---- item 15: names that collide, rules that match nothing ----

#[test]
fn a_category_named_overall_is_not_the_overall_row() {
    let dir = TestDir::new();
    let lines: Vec<String> = (0..4)
        .map(|i| {
            let cat = if i < 3 { "overall" } else { "card" };
            serde_json::json!({"id": format!("c{i}"), "category": cat, "messages": messages(i == 0)})
                .to_string()
        })
        .collect();
    let path = dir.write("in.jsonl", &lines.join("\n"));
    let report = handoff().arg("audit").arg(&path).json();
    assert_eq!(report["overall"]["conversations"], 4);
    let names: Vec<&str> = report["categories"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["category"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"overall (category)"), "{names:?}");
    assert!(!names.contains(&"overall"), "{names:?}");
}

#[test]
fn a_gate_rule_for_a_category_that_does_not_exist_is_reported() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let config = dir.write(
        "gate.toml",
        "[gate.categories.crad.needs_human]\nlimit = 10\n[gate.categories.card.loop]\nenabled = false\n",
    );
    let out = handoff()
        .args(["gate", "--format", "json", "--baseline"])
        .arg(&input)
        .arg("--candidate")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("[gate.categories.crad]"), "{notes:?}");
}

#[test]
fn an_unreadable_start_time_is_quoted_redacted() {
    let dir = TestDir::new();
    let mut r = record("c1", "where is my parcel");
    r["started_at"] = serde_json::json!("call +44 20 7946 0958");
    let input = dir.write("in.jsonl", &format!("{r}\n"));
    let out = handoff()
        .args(["audit", "--format", "json"])
        .arg(&input)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("7946"), "{}", out.stdout);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let first = report["input"]["undated_reasons"][0]["first"][0]
        .as_str()
        .expect("a located reason");
    assert!(first.contains("[phone]"), "{first}");
}

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

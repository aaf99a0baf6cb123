//! The GitHub Action (action.yml) and its plain-shell steps (ci/action/*.sh), run here as a
//! runner runs them: the GitHub environment variables set (a real step summary, output and
//! path files), the debug `handoff` on PATH through a symbolic link (never a copy: it is
//! over a gigabyte), and a fake `gh` on PATH that records each call and the comment body,
//! and serves a stub release archive. What this cannot show (a real runner, the real GitHub
//! API, the upload action) is listed in docs/ci.md.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::harness::{conversation, TestDir};

const FAKE_GH: &str = r#"#!/usr/bin/env bash
# Fake gh: logs its arguments (and any body file) to $FAKE_GH_LOG; lists $FAKE_GH_EXISTING as
# the ids of comments carrying the marker; `release download` writes a stub archive.
{
    printf 'gh'
    printf ' %s' "$@"
    echo
    for a in "$@"; do
        case "$a" in body=@*) echo 'BODY<<'; cat "${a#body=@}"; echo '>>BODY' ;; esac
    done
} >>"$FAKE_GH_LOG"
if [ "$1" = api ]; then
    case " $* " in
        *" -X PATCH "*) [ -z "${FAKE_GH_PATCH_FAILS:-}" ] || exit 1 ;;
        *" -X "*) ;;
        *) [ -z "${FAKE_GH_EXISTING:-}" ] || echo "$FAKE_GH_EXISTING" ;;
    esac
    exit 0
fi
if [ "$1 $2" = "release download" ]; then
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --dir) dir=$2; shift ;;
            --pattern) [ -n "${asset:-}" ] || asset=$2; shift ;;
            --repo) shift ;;
        esac
        shift
    done
    stub=$(mktemp -d)
    printf '#!/bin/sh\necho "handoff 9.9.9 (stub from the release)"\n' >"$stub/handoff"
    chmod +x "$stub/handoff"
    tar -czf "$dir/$asset" -C "$stub" handoff
    rm -rf "$stub"
    (cd "$dir" && sha256sum "$asset" >"$asset.sha256")
    if [ -n "${FAKE_GH_CORRUPT:-}" ]; then echo tampered >>"$dir/$asset"; fi
    exit 0
fi
echo "fake gh: unexpected call: $*" >&2
exit 3
"#;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A runner's workspace: bin/ with `handoff` (a link to the test build) and the fake `gh`,
/// and the files GitHub hands each step.
struct Runner {
    dir: TestDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Runner {
    fn new() -> Runner {
        let dir = TestDir::new();
        std::fs::create_dir_all(dir.path("bin")).expect("bin dir");
        symlink(env!("CARGO_BIN_EXE_handoff"), dir.path("bin/handoff")).expect("link handoff");
        let gh = dir.write("bin/gh", FAKE_GH);
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        for f in ["summary.md", "output", "path", "gh.log"] {
            dir.write(f, "");
        }
        std::fs::create_dir_all(dir.path("tmp")).expect("runner temp");
        Runner { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path(name)
    }

    fn read(&self, name: &str) -> String {
        self.dir.read(name)
    }

    /// Runs ci/action/SCRIPT with the runner's variables and `env`, in the workspace.
    fn step(&self, script: &str, env: &[(&str, &str)]) -> Run {
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("ci/action").join(script))
            .current_dir(self.dir.path(""))
            .env("PATH", path)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_REPOSITORY", "acme/support-bot")
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_PATH", self.path("path"))
            .env("RUNNER_TEMP", self.path("tmp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("FAKE_GH_LOG", self.path("gh.log"))
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run bash");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `name=value` lines the steps wrote to $GITHUB_OUTPUT (the last one wins).
    fn output(&self, name: &str) -> Option<String> {
        self.read("output")
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    }
}

fn transcripts(r: &Runner) -> String {
    let lines = [
        conversation(
            "a",
            "cards",
            &[
                ("customer", "my card was declined at the shop"),
                ("bot", "Sorry, I didn't understand that."),
                ("customer", "get me a human please"),
            ],
        ),
        conversation(
            "b",
            "cards",
            &[
                ("customer", "where is my parcel"),
                ("bot", "It arrives tomorrow before noon, with the courier."),
                ("customer", "great, thanks!"),
            ],
        ),
    ];
    r.dir
        .write("transcripts.jsonl", &(lines.join("\n") + "\n"))
        .display()
        .to_string()
}

#[test]
fn a_failed_gate_writes_summary_junit_outputs_and_one_updated_comment() {
    let r = Runner::new();
    let input = transcripts(&r);
    // Half the conversations need a human, above a 10% limit: the gate fails.
    let config = r.dir.write(
        "handoff.toml",
        "[gate]\nmin_conversations = 1\n[gate.needs_human]\nlimit = 10.0\n",
    );
    let config = config.display().to_string();
    let gate_env = [
        ("HANDOFF_BASELINE", input.as_str()),
        ("HANDOFF_CANDIDATE", input.as_str()),
        ("HANDOFF_CONFIG", config.as_str()),
        ("HANDOFF_ARGS", "--quiet --csat-scale 1-5"),
    ];
    let gate = r.step("gate.sh", &gate_env);
    assert_eq!(gate.code, 0, "the step itself passes: {}", gate.stderr);
    assert_eq!(
        r.output("exit-code").as_deref(),
        Some("1"),
        "{}",
        gate.stdout
    );
    assert_eq!(r.output("result").as_deref(), Some("failed"));
    let junit = r.output("junit").expect("junit output");
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert!(
        xml.contains("<testsuites") && xml.contains("<failure"),
        "{xml}"
    );
    let markdown = r.output("markdown").expect("markdown output");
    let report = std::fs::read_to_string(&markdown).expect("Markdown written");
    let summary = r.read("summary.md");
    assert!(
        summary.contains(report.trim()),
        "the step summary holds the report"
    );

    // First run on the pull request: a new comment, marked, with the report.
    let pr_env = [("HANDOFF_PR", "7"), ("HANDOFF_MARKDOWN", markdown.as_str())];
    let comment = r.step("comment.sh", &pr_env);
    assert_eq!(comment.code, 0, "{}", comment.stderr);
    let log = r.read("gh.log");
    assert!(log.contains("gh api repos/acme/support-bot/issues/7/comments --paginate"));
    assert!(
        log.contains("gh api --silent -X POST repos/acme/support-bot/issues/7/comments"),
        "{log}"
    );
    let body = log
        .split("BODY<<\n")
        .nth(1)
        .and_then(|b| b.split(">>BODY").next())
        .expect("the comment body was sent");
    assert!(body.starts_with("<!-- handoff-gate -->\n"), "{body}");
    assert!(body.contains(report.trim()));

    // The next push: the marked comment (id 4242) is edited, no second comment.
    r.dir.write("gh.log", "");
    let again = r.step(
        "comment.sh",
        &[
            ("HANDOFF_PR", "7"),
            ("HANDOFF_MARKDOWN", markdown.as_str()),
            ("FAKE_GH_EXISTING", "4242"),
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let log = r.read("gh.log");
    assert!(
        log.contains("-X PATCH repos/acme/support-bot/issues/comments/4242"),
        "{log}"
    );
    assert!(!log.contains("-X POST"), "{log}");
    assert!(again.stdout.contains("updated comment 4242"));

    // An edit that is refused (someone else's comment) falls back to a new one.
    r.dir.write("gh.log", "");
    let refused = r.step(
        "comment.sh",
        &[
            ("HANDOFF_PR", "7"),
            ("HANDOFF_MARKDOWN", markdown.as_str()),
            ("FAKE_GH_EXISTING", "4242"),
            ("FAKE_GH_PATCH_FAILS", "1"),
        ],
    );
    assert_eq!(refused.code, 0, "{}", refused.stderr);
    assert!(r.read("gh.log").contains("-X POST"));

    // Not a pull request (a push, a schedule): no comment, no gh call.
    r.dir.write("gh.log", "");
    let push = r.step("comment.sh", &[("HANDOFF_MARKDOWN", markdown.as_str())]);
    assert_eq!(push.code, 0);
    assert!(push.stdout.contains("not a pull request"));
    assert_eq!(r.read("gh.log"), "");
}

#[test]
fn a_passing_gate_and_filters_reach_handoff() {
    let r = Runner::new();
    let input = transcripts(&r);
    let gate = r.step(
        "gate.sh",
        &[
            ("HANDOFF_BASELINE", input.as_str()),
            ("HANDOFF_CANDIDATE", input.as_str()),
            ("HANDOFF_BASELINE_FILTER", "category=cards"),
            ("HANDOFF_CANDIDATE_FILTER", "category=cards|fraud"),
        ],
    );
    assert_eq!(gate.code, 0, "{}", gate.stderr);
    assert_eq!(r.output("exit-code").as_deref(), Some("0"));
    assert_eq!(r.output("result").as_deref(), Some("passed"));
    assert!(
        gate.stdout
            .contains("--candidate-filter category=cards|fraud"),
        "{}",
        gate.stdout
    );
    assert!(
        r.read("summary.md").contains("passed"),
        "verdict on the page"
    );
}

#[test]
fn a_gate_that_cannot_run_says_why_in_the_report_and_the_summary() {
    let r = Runner::new();
    let gate = r.step(
        "gate.sh",
        &[
            ("HANDOFF_BASELINE", "missing.jsonl"),
            ("HANDOFF_CANDIDATE", "missing.jsonl"),
        ],
    );
    assert_eq!(gate.code, 0);
    assert_eq!(r.output("exit-code").as_deref(), Some("2"));
    assert_eq!(r.output("result").as_deref(), Some("error"));
    assert_eq!(r.output("junit"), None, "no JUnit file to upload");
    let markdown = r.output("markdown").expect("markdown output");
    let report = std::fs::read_to_string(markdown).expect("error report");
    assert!(report.contains("could not run (exit 2)"), "{report}");
    assert!(report.contains("missing.jsonl"), "{report}");
    assert!(r.read("summary.md").contains("could not run"));
    assert!(gate.stdout.contains("::error title=handoff gate::"));

    let empty = r.step(
        "gate.sh",
        &[("HANDOFF_BASELINE", ""), ("HANDOFF_CANDIDATE", "x")],
    );
    assert_ne!(empty.code, 0, "an empty required input fails the step");
    assert!(
        empty
            .stderr
            .contains("input baseline of the action is empty"),
        "{}",
        empty.stderr
    );
}

#[test]
fn fetch_checks_the_release_checksum_and_puts_the_binary_on_path() {
    let r = Runner::new();
    let env = [
        ("HANDOFF_REPOSITORY", "acme/handoff"),
        ("HANDOFF_VERSION", "v9.9.9"),
    ];
    let fetch = r.step("fetch.sh", &env);
    assert_eq!(fetch.code, 0, "{}{}", fetch.stdout, fetch.stderr);
    assert!(fetch
        .stdout
        .contains("handoff 9.9.9 (stub from the release)"));
    let log = r.read("gh.log");
    assert!(
        log.contains(
            "gh release download v9.9.9 --repo acme/handoff \
             --pattern handoff-x86_64-unknown-linux-musl.tar.gz \
             --pattern handoff-x86_64-unknown-linux-musl.tar.gz.sha256"
        ),
        "{log}"
    );
    let dest = r.read("path");
    assert_eq!(dest.trim(), r.path("tmp/handoff-bin").display().to_string());

    // `latest` names no tag; an archive that does not match its checksum is refused.
    let r = Runner::new();
    let bad = r.step(
        "fetch.sh",
        &[
            ("HANDOFF_REPOSITORY", "acme/handoff"),
            ("HANDOFF_VERSION", "latest"),
            ("RUNNER_ARCH", "ARM64"),
            ("FAKE_GH_CORRUPT", "1"),
        ],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.contains("does not match its published SHA-256"),
        "{}",
        bad.stdout
    );
    assert!(r.read("gh.log").contains(
        "gh release download --repo acme/handoff --pattern handoff-aarch64-unknown-linux-musl"
    ));
    assert_eq!(r.read("path"), "", "nothing unverified on PATH");

    // A runner without a release binary is told what to do instead.
    let none = r.step(
        "fetch.sh",
        &[
            ("HANDOFF_REPOSITORY", "acme/handoff"),
            ("RUNNER_OS", "Windows"),
        ],
    );
    assert_eq!(none.code, 1);
    assert!(none.stdout.contains("no release binary for Windows/X64"));
}

#[test]
fn fetch_uses_a_given_binary_through_a_link() {
    let r = Runner::new();
    let bin = env!("CARGO_BIN_EXE_handoff");
    let fetch = r.step("fetch.sh", &[("HANDOFF_BINARY", bin)]);
    assert_eq!(fetch.code, 0, "{}", fetch.stderr);
    assert!(fetch.stdout.starts_with("handoff "), "{}", fetch.stdout);
    let placed = r.path("tmp/handoff-bin/handoff");
    let meta = std::fs::symlink_metadata(&placed).expect("placed");
    assert!(meta.file_type().is_symlink(), "linked, not copied");
    assert_eq!(r.read("gh.log"), "", "nothing downloaded");
}

#[test]
fn action_yml_declares_every_input_it_uses_and_its_scripts_exist() {
    let action = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let inputs_block = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\noutputs:\n").next())
        .expect("an inputs block");
    let declared: Vec<&str> = inputs_block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert!(declared.contains(&"baseline") && declared.contains(&"github-token"));
    let used = regex::Regex::new(r"inputs\.([a-z-]+)").expect("regex");
    for m in used.captures_iter(&action) {
        assert!(
            declared.contains(&&m[1]),
            "inputs.{} is not declared",
            &m[1]
        );
    }
    let scripts = regex::Regex::new(r"ci/action/([a-z]+\.sh)").expect("regex");
    let mut named = std::collections::BTreeSet::new();
    for m in scripts.captures_iter(&action) {
        assert!(
            repo().join("ci/action").join(&m[1]).is_file(),
            "{} missing",
            &m[1]
        );
        named.insert(m[1].to_string());
    }
    assert_eq!(named.len(), 3, "fetch, gate and comment: {named:?}");
    // The step outputs the action reads are those gate.sh writes.
    let gate = std::fs::read_to_string(repo().join("ci/action/gate.sh")).expect("gate.sh");
    for output in ["exit-code", "result", "junit", "markdown"] {
        assert!(action.contains(&format!("steps.gate.outputs.{output}")));
        assert!(gate.contains(&format!("echo \"{output}=")), "{output}");
    }
}

//! A small harness in the style of ripgrep's: a temporary directory per test and a builder
//! around the compiled `handoff` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> TestDir {
        TestDir {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read output file")
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Handoff {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

pub fn handoff() -> Handoff {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
    cmd.env_remove("NO_COLOR");
    // Tests that want it set it themselves; CI runners have it set for every step.
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    Handoff { cmd, stdin: None }
}

/// The repository's sample corpus.
pub fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

impl Handoff {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Handoff {
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Handoff
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Handoff {
        self.cmd.env(key, value);
        self
    }

    /// Runs in `dir`, so relative input paths (and the locations the report quotes) are
    /// the same on every machine.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Handoff {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, data: &str) -> Handoff {
        self.stdin = Some(data.as_bytes().to_vec());
        self
    }

    pub fn stdin_bytes(mut self, data: Vec<u8>) -> Handoff {
        self.stdin = Some(data);
        self
    }

    pub fn run(mut self) -> Output {
        use std::io::Write;
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("start handoff");
        if let Some(data) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            pipe.write_all(&data).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait for handoff");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and insists on exit 0, showing stderr otherwise.
    pub fn ok(self) -> Output {
        let out = self.run();
        assert_eq!(out.code, 0, "handoff failed:\n{}", out.stderr);
        out
    }

    /// Runs with `--format json` appended and parses the report.
    pub fn json(self) -> serde_json::Value {
        let out = self.args(["--format", "json", "--quiet"]).ok();
        serde_json::from_str(&out.stdout).expect("report is JSON")
    }
}

/// The stats object of one category in a JSON report.
pub fn category<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["categories"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["category"] == name))
        .unwrap_or_else(|| panic!("category {name} missing from the report"))
}

/// A canonical conversation line.
pub fn conversation(id: &str, category: &str, messages: &[(&str, &str)]) -> String {
    let messages: Vec<serde_json::Value> = messages
        .iter()
        .map(|(role, text)| serde_json::json!({"role": role, "text": text}))
        .collect();
    serde_json::json!({"id": id, "category": category, "messages": messages}).to_string()
}

/// Messages of a conversation that needs a human (the bot falls back, the customer asks for
/// a person) or of a healthy one (the customer confirms the answer).
pub fn messages(needs_human: bool) -> serde_json::Value {
    if needs_human {
        serde_json::json!([
            {"role": "customer", "text": "my card was declined at the shop"},
            {"role": "bot", "text": "Sorry, I didn't understand that."},
            {"role": "customer", "text": "get me a human please"}
        ])
    } else {
        serde_json::json!([
            {"role": "customer", "text": "where is my parcel"},
            {"role": "bot", "text": "Your parcel is with the courier and arrives tomorrow before noon."},
            {"role": "customer", "text": "great, thanks!"}
        ])
    }
}

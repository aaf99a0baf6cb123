//! What `--baseline` and `--candidate` name: transcripts (anything `audit` reads), or one
//! summary saved by `handoff audit --format json`. A saved summary is recognised by its
//! content, not its name: a JSON object whose `tool` starts with "handoff" and which has
//! `categories`. Only the first JSON value of a file is looked at, so a large JSONL export
//! is not read twice.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::summary::{Summary, SCHEMA_CHANGES, SCHEMA_VERSION};

pub enum GateInput {
    Transcripts(Vec<String>),
    Summary { path: String, summary: Box<Summary> },
}

/// Classifies the inputs of one side; `flag` names it in errors.
pub fn classify(flag: &str, inputs: &[String]) -> Result<GateInput> {
    let mut found = None;
    for input in inputs {
        if let Some(value) = saved_summary(input)? {
            found = Some((input.clone(), value));
            break;
        }
    }
    let Some((path, value)) = found else {
        return Ok(GateInput::Transcripts(inputs.to_vec()));
    };
    if inputs.len() > 1 {
        return Err(Error::Usage(format!(
            "{flag}: {path} is a saved summary; it cannot be combined with other inputs"
        )));
    }
    let summary = load(&path, value)?;
    Ok(GateInput::Summary {
        path,
        summary: Box::new(summary),
    })
}

/// The file's first JSON value when it looks like a saved summary.
fn saved_summary(input: &str) -> Result<Option<Value>> {
    let path = Path::new(input);
    if input == "-" || !path.is_file() {
        return Ok(None);
    }
    let file = File::open(path).map_err(|source| Error::Input {
        path: input.to_string(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let starts_with_brace = loop {
        let buf = reader.fill_buf().map_err(|source| Error::Input {
            path: input.to_string(),
            source,
        })?;
        match buf
            .iter()
            .position(|b| !(b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)))
        {
            Some(i) => break buf[i] == b'{',
            None if buf.is_empty() => break false,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    if !starts_with_brace {
        return Ok(None);
    }
    let first = serde_json::Deserializer::from_reader(reader)
        .into_iter::<Value>()
        .next();
    // Not valid JSON: transcripts with a bad first record, which `audit` reports.
    let Some(Ok(value)) = first else {
        return Ok(None);
    };
    let is_summary = value
        .get("tool")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("handoff"))
        && value.get("categories").is_some();
    Ok(is_summary.then_some(value))
}

fn load(path: &str, value: Value) -> Result<Summary> {
    let bad = |message: String| Error::InputFormat {
        path: path.to_string(),
        message,
    };
    let remedy = format!(
        "re-create it with `handoff audit --format json` of this version (handoff {}, \
         summary schema version {SCHEMA_VERSION})",
        env!("CARGO_PKG_VERSION")
    );
    let tool = value
        .get("tool")
        .and_then(Value::as_str)
        .unwrap_or("handoff");
    match value.get("schema_version").and_then(Value::as_u64) {
        None => {
            return Err(bad(format!(
                "a summary written by {tool} without a schema version; {remedy}"
            )))
        }
        Some(v) if v != u64::from(SCHEMA_VERSION) => {
            // Say what changed since that version: the reader needs to know why an older
            // baseline cannot simply be compared (its rates mean something else).
            let changes: Vec<&str> = SCHEMA_CHANGES
                .iter()
                .filter(|(since, _)| u64::from(*since) > v)
                .map(|(_, what)| *what)
                .collect();
            let why = if changes.is_empty() {
                String::new()
            } else {
                format!(" (since then: {})", changes.join("; "))
            };
            return Err(bad(format!(
                "a summary of schema version {v} (written by {tool}); this handoff reads \
                 version {SCHEMA_VERSION}{why}; {remedy}"
            )));
        }
        Some(_) => {}
    }
    serde_json::from_value(value).map_err(|e| bad(format!("not a valid handoff summary: {e}")))
}

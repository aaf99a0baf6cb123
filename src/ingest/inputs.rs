//! Turning the command line's INPUT arguments into an ordered list of input files.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of objects.
    JsonArray,
    /// `.json`: an array or JSON lines, decided by the first byte.
    Json,
    /// One row per message.
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JsonArray => "json-array",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    Path(PathBuf),
}

#[derive(Debug, Clone)]
pub struct InputFile {
    pub source: InputSource,
    /// None: decided from the content (stdin).
    pub format: Option<Format>,
}

impl InputFile {
    pub fn display(&self) -> String {
        match &self.source {
            InputSource::Stdin => "<stdin>".to_string(),
            InputSource::Path(p) => p.display().to_string(),
        }
    }

    pub fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(match &self.source {
            InputSource::Stdin => Box::new(io::stdin()),
            InputSource::Path(p) => Box::new(File::open(p)?),
        })
    }
}

/// Expands files, directories (recursively, sorted so runs are deterministic) and `-`.
/// A file named explicitly is read whatever its extension (as JSONL unless it says
/// otherwise); inside directories only .jsonl/.ndjson/.json/.csv files are read.
pub fn expand_inputs(args: &[String]) -> Result<Vec<InputFile>> {
    let mut files = Vec::new();
    let mut stdin_seen = false;
    for arg in args {
        if arg == "-" {
            if stdin_seen {
                return Err(Error::Usage("`-` (stdin) can be given only once".into()));
            }
            stdin_seen = true;
            files.push(InputFile {
                source: InputSource::Stdin,
                format: None,
            });
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = std::fs::metadata(&path).map_err(|source| Error::Input {
            path: arg.clone(),
            source,
        })?;
        if meta.is_dir() {
            let before = files.len();
            walk(&path, &mut files)?;
            if files.len() == before {
                return Err(Error::InputFormat {
                    path: arg.clone(),
                    message: "directory holds no .jsonl, .ndjson, .json or .csv files".into(),
                });
            }
        } else {
            let format = Format::from_path(&path).unwrap_or(Format::Jsonl);
            files.push(InputFile {
                source: InputSource::Path(path),
                format: Some(format),
            });
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<InputFile>) -> Result<()> {
    let read = |e| Error::Input {
        path: dir.display().to_string(),
        source: e,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        // Hidden files and folders (.git, editor swap files) are never transcripts.
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if let Some(format) = Format::from_path(&path) {
            out.push(InputFile {
                source: InputSource::Path(path),
                format: Some(format),
            });
        }
    }
    Ok(())
}

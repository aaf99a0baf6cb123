//! Turning the command line's INPUT arguments into an ordered list of input files.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What the file name says about the framing; the content decides the rest (see `sniff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `.jsonl`, `.ndjson`: one JSON record per line, whatever the first byte.
    Lines,
    /// `.json`, `.transcript`: a JSON array, JSON lines or JSON document(s).
    Json,
    /// `.csv`
    Csv,
    /// stdin or an unknown extension: decided from the first byte.
    Unknown,
}

/// Extensions read inside directories (each also with `.gz` or `.zst` appended).
pub const EXTENSIONS: &[&str] = &["jsonl", "ndjson", "json", "transcript", "csv"];

impl Container {
    /// From the extension, looking through a compression suffix (`a.jsonl.gz` is JSON lines).
    /// None: not a transcript extension.
    fn from_path(path: &Path) -> Option<Container> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".zst"))
            .unwrap_or(&name);
        let (_, ext) = name.rsplit_once('.')?;
        match ext {
            "jsonl" | "ndjson" => Some(Container::Lines),
            "json" | "transcript" => Some(Container::Json),
            "csv" => Some(Container::Csv),
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
    pub container: Container,
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
/// A file named explicitly is read whatever its extension; inside directories only the
/// `EXTENSIONS` (plain, `.gz` or `.zst`) are read.
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
                container: Container::Unknown,
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
                    message: format!(
                        "directory holds no .{} files (plain, .gz or .zst)",
                        EXTENSIONS.join(", .")
                    ),
                });
            }
        } else {
            let container = Container::from_path(&path).unwrap_or(Container::Unknown);
            files.push(InputFile {
                source: InputSource::Path(path),
                container,
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
        } else if let Some(container) = Container::from_path(&path) {
            out.push(InputFile {
                source: InputSource::Path(path),
                container,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_seen_through_compression_suffixes() {
        let c = |p: &str| Container::from_path(Path::new(p));
        assert_eq!(c("a/b.jsonl"), Some(Container::Lines));
        assert_eq!(c("b.NDJSON.gz"), Some(Container::Lines));
        assert_eq!(c("b.json.zst"), Some(Container::Json));
        assert_eq!(c("chat.transcript"), Some(Container::Json));
        assert_eq!(c("twcs.csv.gz"), Some(Container::Csv));
        assert_eq!(c("notes.txt"), None);
        assert_eq!(c("archive.gz"), None);
        assert_eq!(c("README"), None);
    }
}

//! Turning the command line's INPUT arguments into an ordered list of input files. A walk
//! meets what a hostile or careless tree holds: link loops (`self -> .`), links that reach
//! one file twice, FIFOs that block forever, devices that never end. It reads each file
//! once, does not follow links to directories unless asked (`--follow`, as fd and ripgrep
//! do), and passes over special files, counting every path it passes over.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::FileId;

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

/// Whether a directory walk reads a file of this name (by its extension).
pub fn is_transcript_name(path: &Path) -> bool {
    Container::from_path(path).is_some()
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

/// Why a path met while expanding the inputs was not read. Codes appear in the report's
/// `input.paths_skipped` (docs/security.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PathSkipKind {
    /// A symbolic link to a directory inside a walk, without `--follow`.
    SymlinkedDirectory,
    /// With `--follow`: a directory already walked (a link loop, or a second link to it).
    DirectoryAlreadyWalked,
    /// A file already read under another name (a link, a hard link, named twice).
    SameFile,
    /// A FIFO, socket or device with a transcript's name inside a walk: reading it could
    /// block forever or never end.
    SpecialFile,
    /// A symbolic link to nothing, with a transcript's name.
    BrokenSymlink,
}

impl PathSkipKind {
    pub fn code(self) -> &'static str {
        match self {
            PathSkipKind::SymlinkedDirectory => "symlinked_directory",
            PathSkipKind::DirectoryAlreadyWalked => "directory_already_walked",
            PathSkipKind::SameFile => "same_file",
            PathSkipKind::SpecialFile => "special_file",
            PathSkipKind::BrokenSymlink => "broken_symlink",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathSkip {
    pub kind: PathSkipKind,
    pub path: String,
    pub message: String,
}

/// The input files of a run, in reading order, and the paths passed over on the way.
#[derive(Debug, Default)]
pub struct Expanded {
    pub files: Vec<InputFile>,
    pub skipped: Vec<PathSkip>,
}

/// Expands files, directories (recursively, sorted so runs are deterministic) and `-`.
/// A file named explicitly is read whatever its extension or type (a FIFO named on the
/// command line streams); inside directories only the `EXTENSIONS` (plain, `.gz` or
/// `.zst`) of regular files are read. Symbolic links to files are read; links to
/// directories only with `follow` (`--follow`), which never walks a directory twice, so a
/// link loop ends. No file is read twice, whatever the names that reach it.
pub fn expand_inputs(args: &[String], follow: bool) -> Result<Expanded> {
    let mut walk = Walk {
        follow,
        out: Expanded::default(),
        seen_files: HashMap::new(),
        seen_dirs: HashSet::new(),
    };
    let mut stdin_seen = false;
    for arg in args {
        if arg == "-" {
            if stdin_seen {
                return Err(Error::Usage("`-` (stdin) can be given only once".into()));
            }
            stdin_seen = true;
            walk.out.files.push(InputFile {
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
            let (before, skipped_before) = (walk.out.files.len(), walk.out.skipped.len());
            walk.dir(&path)?;
            if walk.out.files.len() == before {
                let unfollowed = walk.out.skipped[skipped_before..]
                    .iter()
                    .any(|s| s.kind == PathSkipKind::SymlinkedDirectory);
                return Err(Error::InputFormat {
                    path: arg.clone(),
                    message: format!(
                        "directory holds no .{} files (plain, .gz or .zst){}",
                        EXTENSIONS.join(", ."),
                        if unfollowed {
                            "; links to directories in it are not followed without --follow"
                        } else {
                            ""
                        }
                    ),
                });
            }
        } else {
            let container = Container::from_path(&path).unwrap_or(Container::Unknown);
            walk.file(path, container);
        }
    }
    Ok(walk.out)
}

struct Walk {
    follow: bool,
    out: Expanded,
    /// Files read so far, by identity, with the name they were read under.
    seen_files: HashMap<FileId, String>,
    seen_dirs: HashSet<FileId>,
}

impl Walk {
    fn skip(&mut self, kind: PathSkipKind, path: &Path, message: impl Into<String>) {
        self.out.skipped.push(PathSkip {
            kind,
            path: path.display().to_string(),
            message: message.into(),
        });
    }

    /// Adds a file unless it was read already.
    fn file(&mut self, path: PathBuf, container: Container) {
        if let Some(id) = FileId::of(&path) {
            if let Some(first) = self.seen_files.get(&id) {
                let message = format!("the same file as {first}, which is read once");
                self.skip(PathSkipKind::SameFile, &path, message);
                return;
            }
            self.seen_files.insert(id, path.display().to_string());
        }
        self.out.files.push(InputFile {
            source: InputSource::Path(path),
            container,
        });
    }

    fn dir(&mut self, dir: &Path) -> Result<()> {
        if let Some(id) = FileId::of(dir) {
            if !self.seen_dirs.insert(id) {
                self.skip(
                    PathSkipKind::DirectoryAlreadyWalked,
                    dir,
                    "a directory already walked (a symbolic link loop, or a second link to it)",
                );
                return Ok(());
            }
        }
        let read = |e| Error::Input {
            path: dir.display().to_string(),
            source: e,
        };
        let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
            .map_err(read)?
            .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?))))
            .collect::<io::Result<_>>()
            .map_err(read)?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in entries {
            // Hidden files and folders (.git, editor swap files) are never transcripts.
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            let container = Container::from_path(&path);
            if kind.is_dir() {
                self.dir(&path)?;
            } else if kind.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() && self.follow => self.dir(&path)?,
                    Ok(m) if m.is_dir() => self.skip(
                        PathSkipKind::SymlinkedDirectory,
                        &path,
                        "a symbolic link to a directory, not followed (--follow walks it)",
                    ),
                    Ok(m) => {
                        if let Some(container) = container {
                            self.entry(path, &m.file_type(), container);
                        }
                    }
                    Err(_) if container.is_some() => self.skip(
                        PathSkipKind::BrokenSymlink,
                        &path,
                        "a symbolic link to nothing",
                    ),
                    Err(_) => {}
                }
            } else if let Some(container) = container {
                self.entry(path, &kind, container);
            }
        }
        Ok(())
    }

    /// A walked entry with a transcript's name: read when it is a regular file.
    fn entry(&mut self, path: PathBuf, kind: &std::fs::FileType, container: Container) {
        if kind.is_file() {
            self.file(path, container);
        } else {
            let what = special_kind(kind);
            self.skip(
                PathSkipKind::SpecialFile,
                &path,
                format!("{what}, not a file (name it on the command line to read it)"),
            );
        }
    }
}

/// What a non-regular file is, for the skip message.
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = kind;
    "not a regular file"
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

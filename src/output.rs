//! Output files (`-o`, `--html`, `--findings`, the gate's `--junit` and `--markdown`,
//! `init`, `calibrate --write-config`). A report lands whole or not at all: it is written
//! into a temporary file beside its target and renamed into place only when complete, so a
//! failed run never leaves half a report, and an interrupted one (SIGINT, SIGTERM, SIGHUP)
//! leaves no temporary file either (see [`remove_temporaries_on_signals`]).
//!
//! Renaming replaces whatever the name pointed to, so it is done only where that is what
//! writing a file means: over a regular file or a name that does not exist yet. A symbolic
//! link is followed and the file it points to is replaced (the link stays a link). Anything
//! else (a FIFO, a terminal, `/dev/null`, `/dev/full`) is written through, as a shell's `>`
//! would, and the process's own standard streams (`/dev/stdout`, `/dev/fd/1`, ...) are
//! written to directly: following `/dev/stdout` to the file a shell redirected it to and
//! replacing that file would cut the redirection off (and truncate a `>>` log).
//! [`AtomicFile::create`] opens the target at once, so a command creates its outputs before
//! reading any transcript and an unwritable path fails in a second, not after the audit.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Symbolic links followed before giving up (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

pub struct AtomicFile {
    /// The path as the user gave it, for messages.
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    /// A regular file (or a new one) at `target`, replaced by `tmp` on commit.
    Replace {
        target: PathBuf,
        tmp: NamedTempFile,
        // Dropped after `tmp` (fields drop in order), so a temporary file is never
        // unregistered while it still exists.
        _registered: Registered,
    },
    /// Written in place: a device, a FIFO, a standard stream.
    Through(File),
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let err = |source| Error::Output {
            path: path.display().to_string(),
            source,
        };
        if let Some(stream) = standard_stream(path) {
            return Ok(AtomicFile {
                path: path.to_path_buf(),
                sink: Sink::Through(stream.map_err(err)?),
            });
        }
        let sink = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory",
                )))
            }
            Ok(m) if !m.is_file() => {
                Sink::Through(OpenOptions::new().write(true).open(path).map_err(err)?)
            }
            Ok(_) => replace(&resolve(path).map_err(err)?).map_err(err)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // A new file, possibly through a dangling link: created where the link points.
                replace(&resolve(path).map_err(err)?).map_err(err)?
            }
            Err(e) => return Err(err(e)),
        };
        Ok(AtomicFile {
            path: path.to_path_buf(),
            sink,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the output is renamed into place (false: written through).
    pub fn is_replaced(&self) -> bool {
        matches!(self.sink, Sink::Replace { .. })
    }

    /// A buffered handle on the temporary file (or on the target, when written through).
    pub fn writer(&self) -> Result<BufWriter<File>> {
        let f = match &self.sink {
            Sink::Replace { tmp, .. } => tmp.reopen(),
            Sink::Through(f) => f.try_clone(),
        }
        .map_err(|e| self.err(e))?;
        Ok(BufWriter::with_capacity(256 << 10, f))
    }

    pub fn err(&self, source: io::Error) -> Error {
        Error::Output {
            path: self.path.display().to_string(),
            source,
        }
    }

    pub fn commit(self) -> Result<()> {
        let Sink::Replace {
            target,
            tmp,
            _registered,
        } = self.sink
        else {
            return Ok(());
        };
        let err = |source| Error::Output {
            path: self.path.display().to_string(),
            source,
        };
        // Temporary files are private (0600); a report is meant to be shared, so it gets
        // the permissions of the file it replaces, or the usual 0644 for a new one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::metadata(&target)
                .map(|m| m.permissions())
                .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
            std::fs::set_permissions(tmp.path(), perms).map_err(err)?;
        }
        tmp.persist(&target).map_err(|e| err(e.error))?;
        Ok(())
    }
}

/// A temporary file beside `target`, to be renamed over it.
fn replace(target: &Path) -> io::Result<Sink> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".handoff-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let registered = Registered::new(tmp.path());
    Ok(Sink::Replace {
        target: target.to_path_buf(),
        tmp,
        _registered: registered,
    })
}

/// The file a chain of symbolic links ends at (which need not exist yet); `path` itself
/// when it is not a link.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                // A relative link is relative to the directory holding it.
                p = match p.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// The process's own stdout or stderr, when `path` names it.
fn stream_named(path: &Path) -> Option<Stream> {
    if !cfg!(unix) {
        return None;
    }
    match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Stream::Stdout),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Stream::Stderr),
        _ => None,
    }
}

/// Whether `path` names the process's stdout or stderr (`/dev/stdout`, `/dev/fd/2`, ...),
/// which is written through, never replaced.
pub fn is_standard_stream(path: &Path) -> bool {
    stream_named(path).is_some()
}

/// A handle of its own on the process's stdout or stderr.
fn standard_stream(path: &Path) -> Option<io::Result<File>> {
    let stream = stream_named(path)?;
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = match stream {
            Stream::Stdout => io::stdout().as_fd().try_clone_to_owned(),
            Stream::Stderr => io::stderr().as_fd().try_clone_to_owned(),
        };
        Some(fd.map(File::from))
    }
    #[cfg(not(unix))]
    {
        let _ = stream;
        None
    }
}

/// Whether `a` and `b` are the same existing file (a hard link, a symbolic link or another
/// spelling of the same path counts). False when either does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (FileId::of(a), FileId::of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Whether two output paths would write the same file: the same existing file, or the
/// same path once links are followed and made absolute.
pub fn same_target(a: &Path, b: &Path) -> bool {
    if same_file(a, b) {
        return true;
    }
    let absolute = |p: &Path| resolve(p).and_then(std::path::absolute).ok();
    match (absolute(a), absolute(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Whether writing `path` would replace a regular file that exists (rather than create one
/// or write through a device, FIFO or stream).
pub fn replaces_existing_file(path: &Path) -> bool {
    stream_named(path).is_none() && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// What identifies a file whatever path reaches it: device and inode on Unix, the
/// canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

impl FileId {
    /// Follows symbolic links; None when the file cannot be reached.
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(FileId((m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(FileId)
        }
    }
}

/// Temporary files that exist right now, for the signal handler to remove.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Registered {
        if let Ok(mut list) = TEMPORARIES.lock() {
            list.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut list) = TEMPORARIES.lock() {
            list.retain(|p| p != &self.0);
        }
    }
}

/// Removes every temporary file of this process (their `Drop` does it on any normal exit;
/// a fatal signal skips destructors).
fn remove_temporaries() {
    // A poisoned lock still holds the list.
    let list = TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner());
    for path in list.iter() {
        let _ = std::fs::remove_file(path);
    }
}

/// On SIGINT, SIGTERM or SIGHUP, removes this run's temporary files and then ends the
/// process as the signal would have (so a shell still sees "terminated by SIGINT"). The
/// signals are received on a thread of their own (signal-hook's iterator), where taking a
/// lock and deleting files is allowed, unlike in a signal handler. A signal the process was
/// started with ignored (`nohup`, `&` in a script) stays ignored. Called once by `main`.
#[cfg(unix)]
pub fn remove_temporaries_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| !ignored(s))
        .collect();
    let internal = |e: io::Error| Error::Internal(format!("signal handling: {e}"));
    let mut signals = signal_hook::iterator::Signals::new(&wanted).map_err(internal)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_temporaries();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                // Not reached: the default action of these signals ends the process.
                std::process::exit(128 + signal);
            }
        })
        .map_err(internal)?;
    Ok(())
}

#[cfg(not(unix))]
pub fn remove_temporaries_on_signals() -> Result<()> {
    Ok(())
}

/// Whether `signal` is set to be ignored (inherited from the parent, as `nohup` does).
#[cfg(unix)]
fn ignored(signal: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current disposition into
    // `old`, a zeroed (valid) sigaction owned by this frame.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Writes a whole file atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let file = AtomicFile::create(path)?;
    write_all(file, bytes)
}

/// Writes `bytes` to an output created earlier and commits it.
pub fn write_all(file: AtomicFile, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut w = file.writer()?;
    w.write_all(bytes).map_err(|e| file.err(e))?;
    w.flush().map_err(|e| file.err(e))?;
    drop(w);
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporaries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".handoff-"))
            .collect()
    }

    #[test]
    fn a_new_file_is_renamed_into_place_and_registered_until_then() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.txt");
        let file = AtomicFile::create(&path).expect("create");
        assert!(file.is_replaced());
        let tmp = temporaries(dir.path());
        assert_eq!(tmp.len(), 1);
        let registered = |name: &str| {
            TEMPORARIES
                .lock()
                .expect("lock")
                .iter()
                .any(|p| p.ends_with(name))
        };
        assert!(registered(&tmp[0]));
        write_all(file, b"hello").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "hello");
        assert!(temporaries(dir.path()).is_empty());
        assert!(!registered(&tmp[0]));
    }

    #[test]
    fn a_dropped_output_leaves_nothing_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.txt");
        std::fs::write(&path, "old").expect("write");
        drop(AtomicFile::create(&path).expect("create"));
        assert!(temporaries(dir.path()).is_empty());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_its_target_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "old").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
        write_file(&link, b"new").expect("write");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");

        // A dangling link: the file is created where it points.
        let dangling = dir.path().join("dangling.txt");
        std::os::unix::fs::symlink("sub-target.txt", &dangling).expect("symlink");
        write_file(&dangling, b"made").expect("write");
        assert!(std::fs::symlink_metadata(&dangling)
            .expect("link")
            .file_type()
            .is_symlink());
        let made = dir.path().join("sub-target.txt");
        assert_eq!(std::fs::read_to_string(made).expect("read"), "made");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_through_not_replaced() {
        let null = AtomicFile::create(Path::new("/dev/null")).expect("open /dev/null");
        assert!(!null.is_replaced());
        write_all(null, b"discarded").expect("write");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null")
            .expect("still there")
            .file_type()
            .is_char_device());
        let full = AtomicFile::create(Path::new("/dev/full")).expect("open /dev/full");
        let e = write_all(full, b"no room").expect_err("ENOSPC");
        assert!(e.to_string().contains("/dev/full"), "{e}");
        let stdout = AtomicFile::create(Path::new("/dev/stdout")).expect("stdout");
        assert!(!stdout.is_replaced());
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let e = AtomicFile::create(dir.path()).err().expect("refused");
        assert!(e.to_string().contains("is a directory"), "{e}");
    }

    #[test]
    fn same_file_sees_through_spellings() {
        let dir = tempfile::tempdir().expect("dir");
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "x").expect("write");
        let spelled = dir.path().join(".").join("a.txt");
        assert!(same_file(&a, &spelled));
        assert!(!same_file(&a, &dir.path().join("b.txt")));
    }
}

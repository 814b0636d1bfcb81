//! Reading a runtime's state directory as hostile input.
//!
//! The files are written by root, but a container (or whoever may create
//! pods) influences names, labels and annotations in them, and a runtime
//! that crashed may leave them half written. So every read here:
//! - resolves beneath the directory with openat2(RESOLVE_BENEATH |
//!   RESOLVE_NO_SYMLINKS): no symlink is followed, none leads out;
//! - opens without blocking and takes regular files only (a FIFO or a
//!   device planted there cannot hang or feed us);
//! - is bounded in bytes (and so in time), and a directory in entries;
//! - fails as one line that names the file.

use crate::error::Error;
use crate::sys::fs::{self, OFlags};
use crate::sys::Errno;
use serde_json::Value;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

/// A runtime's JSON state file larger than this is not one we will parse
/// (the largest seen, an OCI config.json with a seccomp profile, is tens of
/// KiB).
pub const MAX_JSON: usize = 8 << 20;
/// A list of every container (containers/storage's containers.json).
pub const MAX_LIST_JSON: usize = 32 << 20;
/// A pid file holds a number and perhaps a newline.
const MAX_PID_FILE: usize = 64;
/// Entries of one state directory; far beyond any real host.
const MAX_ENTRIES: usize = 1 << 16;

/// An open state directory.
pub struct StateDir {
    dir: OwnedFd,
    path: PathBuf,
}

/// A file's contents and when it was last written.
pub struct StateFile {
    pub bytes: Vec<u8>,
    pub mtime_unix_ms: i64,
}

impl StateDir {
    /// Open a state root; `None` when it does not exist. The root itself is
    /// given by the administrator (or its default), so symlinks in its own
    /// path, such as /var/run -> /run, are followed.
    pub fn open(path: &Path) -> Result<Option<StateDir>, Error> {
        match fs::open(path, OFlags::PATH | OFlags::DIRECTORY) {
            Ok(dir) => Ok(Some(StateDir {
                dir,
                path: path.to_path_buf(),
            })),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(with_hint(
                Error::sys(format!("cannot open state directory {}", path.display()), e),
                e,
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open a directory that user `uid` owns and controls (a home, a
    /// runtime directory in /tmp): its last component is not followed if
    /// it is a symlink, and it must be a directory of that user's. `None`
    /// when it does not exist, or is not that user's: another user may
    /// have put it there (/tmp is everyone's).
    pub fn open_owned(path: &Path, uid: u32) -> Result<Option<StateDir>, Error> {
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW;
        let dir = match fs::open(path, flags) {
            Ok(dir) => dir,
            Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP) => return Ok(None),
            Err(e) => {
                let what = format!("cannot open {}", path.display());
                return Err(with_hint(Error::sys(what, e), e));
            }
        };
        let meta = fs::fstat(dir.as_fd())
            .map_err(|e| Error::sys(format!("stat of {} failed", path.display()), e))?;
        Ok((meta.uid == uid).then(|| StateDir {
            dir,
            path: path.to_path_buf(),
        }))
    }

    /// The uid that owns the directory.
    pub fn owner(&self) -> Result<u32, Error> {
        fs::fstat(self.dir.as_fd())
            .map(|m| m.uid)
            .map_err(|e| Error::sys(format!("stat of {} failed", self.path.display()), e))
    }

    /// Where `rel` is, for messages.
    pub fn display(&self, rel: &str) -> String {
        self.path.join(rel).display().to_string()
    }

    /// The directory's device and inode: what a runtime's process shows as
    /// its working directory when it runs there (a task's shim).
    pub fn dev_ino(&self) -> Result<(u64, u64), Error> {
        fs::fstat(self.dir.as_fd())
            .map(|m| (m.dev, m.ino))
            .map_err(|e| Error::sys(format!("stat of {} failed", self.path.display()), e))
    }

    /// A directory beneath this one; `None` when it does not exist.
    pub fn subdir(&self, rel: &str) -> Result<Option<StateDir>, Error> {
        match fs::open_beneath(
            self.dir.as_fd(),
            Path::new(rel),
            OFlags::PATH | OFlags::DIRECTORY,
        ) {
            Ok(dir) => Ok(Some(StateDir {
                dir,
                path: self.path.join(rel),
            })),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(self.failed("open", rel, e)),
        }
    }

    /// The names of the entries, those that are text; the order is the
    /// directory's.
    pub fn names(&self) -> Result<Vec<String>, Error> {
        let names = fs::dir_names(self.dir.as_fd(), MAX_ENTRIES).map_err(|e| match e {
            Errno::TOOBIG => Error::msg(format!(
                "state directory {} holds more than {MAX_ENTRIES} entries",
                self.path.display()
            )),
            e => with_hint(
                Error::sys(format!("cannot list {}", self.path.display()), e),
                e,
            ),
        })?;
        Ok(names
            .into_iter()
            .filter_map(|n| n.into_string().ok())
            .collect())
    }

    /// A regular file beneath this directory, at most `max` bytes; `None`
    /// when it does not exist.
    pub fn read(&self, rel: &str, max: usize) -> Result<Option<StateFile>, Error> {
        let file = match fs::open_beneath(self.dir.as_fd(), Path::new(rel), fs::UNTRUSTED) {
            Ok(f) => f,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(self.failed("open", rel, e)),
        };
        read_bounded(&file, &self.display(rel), max, |e| {
            self.failed("read", rel, e)
        })
        .map(Some)
    }

    /// A JSON file; truncated or malformed JSON is an error naming it.
    pub fn read_json(&self, rel: &str, max: usize) -> Result<Option<(Value, i64)>, Error> {
        let Some(file) = self.read(rel, max)? else {
            return Ok(None);
        };
        let value = self.parse_json(rel, &file.bytes)?;
        Ok(Some((value, file.mtime_unix_ms)))
    }

    /// Parse bytes read from `rel` as JSON, naming the file on failure.
    pub fn parse_json(&self, rel: &str, bytes: &[u8]) -> Result<Value, Error> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::msg(format!("{} is not valid JSON: {e}", self.display(rel))))
    }

    /// A pid file: one positive decimal number, perhaps with a newline, and
    /// when it was written.
    pub fn read_pid(&self, rel: &str) -> Result<Option<(i32, i64)>, Error> {
        let Some(file) = self.read(rel, MAX_PID_FILE)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&file.bytes).unwrap_or("");
        match text.trim_end_matches('\n').parse::<i32>() {
            Ok(pid) if pid > 0 => Ok(Some((pid, file.mtime_unix_ms))),
            // runc writes the file after starting the process; an empty one
            // is a container still being created.
            _ if file.bytes.is_empty() => Ok(None),
            _ => Err(Error::msg(format!(
                "{} does not hold a process ID",
                self.display(rel)
            ))),
        }
    }

    fn failed(&self, doing: &str, rel: &str, errno: Errno) -> Error {
        with_hint(
            Error::sys(format!("cannot {doing} {}", self.display(rel)), errno),
            errno,
        )
    }
}

/// A file of root's own at `path` (its symlinks followed, as a state
/// root's are), read as a state file is: regular, at most `max` bytes;
/// `None` when it does not exist.
pub fn read_root_file(path: &Path, max: usize) -> Result<Option<StateFile>, Error> {
    let failed = |doing: &str, e| {
        with_hint(
            Error::sys(format!("cannot {doing} {}", path.display()), e),
            e,
        )
    };
    let file = match fs::open(path, fs::UNTRUSTED) {
        Ok(f) => f,
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(failed("open", e)),
    };
    read_bounded(&file, &path.display().to_string(), max, |e| {
        failed("read", e)
    })
    .map(Some)
}

/// An open file, named `name` in errors: regular and at most `max` bytes.
fn read_bounded(
    file: &OwnedFd,
    name: &str,
    max: usize,
    failed: impl FnOnce(Errno) -> Error,
) -> Result<StateFile, Error> {
    let (bytes, meta) = fs::read_regular(file, max).map_err(|e| match e {
        Errno::INVAL => Error::msg(format!("{name} is not a regular file")),
        Errno::FBIG => Error::msg(format!("{name} is larger than {}", human_size(max))),
        e => failed(e),
    })?;
    Ok(StateFile {
        bytes,
        mtime_unix_ms: meta.mtime_unix_ms,
    })
}

/// What an errno means here.
fn with_hint(err: Error, errno: Errno) -> Error {
    match errno {
        Errno::LOOP => err.hint("state files are read without following symlinks"),
        Errno::XDEV => err.hint("it leads out of the state directory"),
        // Runtimes keep their state for root only.
        Errno::ACCESS | Errno::PERM => err.hint("run as root"),
        _ => err,
    }
}

/// 8388608 -> "8 MiB", as the man page states the limits.
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
#[path = "statedir_tests.rs"]
pub(crate) mod tests;

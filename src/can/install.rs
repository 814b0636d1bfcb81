//! Installing the tools into the directory mounted at `/target`.
//!
//! Nothing is lost, whatever fails: every tool is first written to a hidden
//! temporary name beside its final one, read back and run with `--version`;
//! only when all of them have passed are they renamed into place. A rename
//! swaps the name to the new inode, so a copy of the old tool that is running
//! right now keeps its own inode and is never corrupted, and a full or
//! read-only directory is left exactly as it was.

use crate::error::{Error, Result};
use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Mode of an installed tool.
pub const MODE: u32 = 0o755;

/// One tool in place, with the first line its `--version` printed.
#[derive(Debug)]
pub struct Installed {
    pub path: PathBuf,
    pub size: u64,
    pub version: String,
}

/// A verified copy under its temporary name, waiting to be renamed.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
    ino: u64,
    size: u64,
    version: String,
}

/// Install each of `tools` from `source` into `target`, all or nothing.
pub fn install(source: &Path, target: &Path, tools: &[&str]) -> Result<Vec<Installed>> {
    let meta = fs::metadata(target)
        .map_err(|e| Error::io(format!("cannot install into {}", target.display()), &e))?;
    if !meta.is_dir() {
        return Err(Error::msg(format!(
            "cannot install into {}: Not a directory",
            target.display()
        )));
    }
    let mut staged = Vec::with_capacity(tools.len());
    for name in tools {
        match stage(source, target, name) {
            Ok(copy) => staged.push(copy),
            Err(e) => return Err(discard(&staged, e)),
        }
    }
    let mut installed = Vec::with_capacity(staged.len());
    for (i, copy) in staged.iter().enumerate() {
        if let Err(e) = commit(copy) {
            return Err(discard(&staged[i..], e));
        }
        installed.push(Installed {
            path: copy.dest.clone(),
            size: copy.size,
            version: copy.version.clone(),
        });
    }
    // Make the renames durable; a directory that refuses fsync is no reason
    // to report a failure after the tools are in place.
    let _ = fs::File::open(target).and_then(|dir| dir.sync_all());
    Ok(installed)
}

/// Write, read back and run one tool under its temporary name.
fn stage(source: &Path, target: &Path, name: &str) -> Result<Staged> {
    let from = source.join(name);
    let dest = target.join(name);
    let temp = target.join(format!(".{name}.can-new"));
    let bytes =
        fs::read(&from).map_err(|e| Error::io(format!("cannot read {}", from.display()), &e))?;
    if fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
        return Err(Error::msg(format!(
            "cannot replace {}: Is a directory",
            dest.display()
        )));
    }
    let checked = write_new(&temp, &bytes)
        .map_err(|e| Error::io(format!("cannot write {}", dest.display()), &e))
        .and_then(|ino| Ok((ino, verify(&temp, &dest, name, &bytes)?)));
    match checked {
        Ok((ino, version)) => Ok(Staged {
            temp,
            dest,
            ino,
            size: bytes.len() as u64,
            version,
        }),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Create `path` afresh with `bytes`, mode 0755, on disk; returns its inode.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<u64> {
    // A leftover from an interrupted run: the can is PID 1 of its container
    // every time, so names cannot be made unique by PID.
    let _ = fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(MODE)
        .open(path)?;
    file.write_all(bytes)?;
    // The umask may have cleared bits of the mode given to open.
    file.set_permissions(Permissions::from_mode(MODE))?;
    file.sync_all()?;
    Ok(file.metadata()?.ino())
}

/// The copy must hold exactly the image's bytes and must run here. Its
/// `--version` exit status is not judged, only that it ran to an end: the
/// tool's own behaviour is its business, and a bad copy fails before that
/// (wrong bytes, ENOEXEC) or dies by a signal.
fn verify(temp: &Path, dest: &Path, name: &str, bytes: &[u8]) -> Result<String> {
    let what = format!("cannot verify {}", dest.display());
    let back = fs::read(temp).map_err(|e| Error::io(&what, &e))?;
    if back != bytes {
        return Err(Error::msg(format!(
            "{what}: the written copy differs from the original"
        )));
    }
    // The write descriptor is closed by now, so exec cannot meet ETXTBSY.
    let out = Command::new(temp)
        .arg0(name)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(format!("{what}: cannot run it"), &e))?;
    if let Some(signal) = out.status.signal() {
        return Err(Error::msg(format!(
            "{what}: '{name} --version' was killed by signal {signal}"
        )));
    }
    Ok(version_line(&out))
}

/// The first line of a successful `--version`, or why there is none.
fn version_line(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().map(str::trim).find(|l| !l.is_empty());
    match (out.status.code(), first) {
        (Some(0), Some(line)) => line.to_owned(),
        (Some(0), None) => "version unknown: --version printed nothing".to_owned(),
        (code, _) => format!(
            "version unknown: --version exited with status {}",
            code.unwrap_or(-1)
        ),
    }
}

/// Rename a staged copy over its final name, then check the name holds it.
fn commit(copy: &Staged) -> Result<()> {
    let dest = copy.dest.display();
    fs::rename(&copy.temp, &copy.dest)
        .map_err(|e| Error::io(format!("cannot replace {dest}"), &e))?;
    let meta = fs::symlink_metadata(&copy.dest)
        .map_err(|e| Error::io(format!("cannot verify {dest}"), &e))?;
    if meta.ino() != copy.ino || meta.mode() & 0o7777 != MODE {
        return Err(Error::msg(format!(
            "cannot verify {dest}: it changed while being installed"
        )));
    }
    Ok(())
}

/// Remove the temporary copies not yet renamed, and pass the error on.
fn discard(staged: &[Staged], err: Error) -> Error {
    for copy in staged {
        let _ = fs::remove_file(&copy.temp);
    }
    err
}

#[cfg(test)]
#[path = "install_tests.rs"]
mod tests;

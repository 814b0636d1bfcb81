//! Installing the tools (and, into a prefix, their man pages and
//! completions) into the directory mounted at `/target`.
//!
//! Nothing is lost, whatever fails: every file is first written to a hidden
//! temporary name beside its final one and read back, and every tool is run
//! with `--version`; only when all of them have passed are they renamed into
//! place. A rename swaps the name to the new inode, so a copy of the old tool
//! that is running right now keeps its own inode and is never corrupted, and
//! a full or read-only directory is left exactly as it was.

use super::layout::{self, Item};
use crate::error::{Error, Result};
use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Mode of an installed tool.
pub const MODE: u32 = 0o755;
/// Mode of an installed man page or completion.
pub const DATA_MODE: u32 = 0o644;

/// One file in place; for a tool, the first line its `--version` printed.
#[derive(Debug)]
pub struct Installed {
    pub path: PathBuf,
    pub size: u64,
    pub version: Option<String>,
}

/// A verified copy under its temporary name, waiting to be renamed.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
    ino: u64,
    mode: u32,
    size: u64,
    version: Option<String>,
}

/// Install everything `target` has room for (see `layout`) from `source`,
/// all or nothing.
pub fn install(source: &Path, target: &Path) -> Result<Vec<Installed>> {
    let items = layout::items(source, target, layout::layout_of(target));
    install_items(target, &items)
}

fn check_dir(target: &Path) -> Result<()> {
    let meta = fs::metadata(target)
        .map_err(|e| Error::io(format!("cannot install into {}", target.display()), &e))?;
    if !meta.is_dir() {
        return Err(Error::msg(format!(
            "cannot install into {}: Not a directory",
            target.display()
        )));
    }
    Ok(())
}

/// Install `items` under `target`, all or nothing: directories made for
/// them are removed again if anything fails.
pub fn install_items(target: &Path, items: &[Item]) -> Result<Vec<Installed>> {
    check_dir(target)?;
    let made = layout::make_dirs(target, items)?;
    let undo = |e: Error| {
        layout::remove_dirs(&made);
        e
    };
    let mut staged = Vec::with_capacity(items.len());
    for item in items {
        match stage(item) {
            Ok(copy) => staged.push(copy),
            Err(e) => return Err(undo(discard(&staged, e))),
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
    // to report a failure after the files are in place.
    let mut dirs: Vec<&Path> = staged.iter().filter_map(|c| c.dest.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let _ = fs::File::open(dir).and_then(|dir| dir.sync_all());
    }
    Ok(installed)
}

/// Write and read back one file under its temporary name; run a tool.
fn stage(item: &Item) -> Result<Staged> {
    let (from, dest) = (&item.from, &item.dest);
    let dir = dest.parent().unwrap_or(Path::new("/"));
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.can-new"));
    let mode = if item.tool.is_some() { MODE } else { DATA_MODE };
    let bytes =
        fs::read(from).map_err(|e| Error::io(format!("cannot read {}", from.display()), &e))?;
    if fs::symlink_metadata(dest).is_ok_and(|m| m.is_dir()) {
        return Err(Error::msg(format!(
            "cannot replace {}: Is a directory",
            dest.display()
        )));
    }
    let checked = write_new(&temp, &bytes, mode)
        .map_err(|e| Error::io(format!("cannot write {}", dest.display()), &e))
        .and_then(|ino| Ok((ino, verify(&temp, dest, item.tool, &bytes)?)));
    match checked {
        Ok((ino, version)) => Ok(Staged {
            temp,
            dest: dest.clone(),
            ino,
            mode,
            size: bytes.len() as u64,
            version,
        }),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Create `path` afresh with `bytes` and `mode`, on disk; returns its inode.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<u64> {
    // A leftover from an interrupted run: the can is PID 1 of its container
    // every time, so names cannot be made unique by PID.
    let _ = fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.write_all(bytes)?;
    // The umask may have cleared bits of the mode given to open.
    file.set_permissions(Permissions::from_mode(mode))?;
    file.sync_all()?;
    Ok(file.metadata()?.ino())
}

/// The copy must hold exactly the image's bytes, and a tool must run here.
/// Its `--version` exit status is not judged, only that it ran to an end:
/// the tool's own behaviour is its business, and a bad copy fails before
/// that (wrong bytes, ENOEXEC) or dies by a signal.
fn verify(temp: &Path, dest: &Path, tool: Option<&str>, bytes: &[u8]) -> Result<Option<String>> {
    let what = format!("cannot verify {}", dest.display());
    let back = fs::read(temp).map_err(|e| Error::io(&what, &e))?;
    if back != bytes {
        return Err(Error::msg(format!(
            "{what}: the written copy differs from the original"
        )));
    }
    let Some(name) = tool else {
        return Ok(None);
    };
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
    Ok(Some(version_line(&out)))
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
    if meta.ino() != copy.ino || meta.mode() & 0o7777 != copy.mode {
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

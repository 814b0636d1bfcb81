//! Installing the tools (and, into a prefix, their man pages and
//! completions, and the default toolbox with its links and licence) into
//! the directory mounted at `/target`.
//!
//! All or nothing, as a set: every file is first written to a hidden
//! temporary name beside its final one and read back, and every tool is run
//! with `--version`. Only when all of them have passed are they swapped into
//! place, each in one step (`renameat2(RENAME_EXCHANGE)`, so the name is
//! never missing; a plain rename where the filesystem cannot exchange). If
//! one swap fails (an immutable file, a full or read-only directory), the
//! files already swapped are put back and the directories made are removed:
//! the directory is left as it was. A swap gives the name to the new inode,
//! so a copy of the old tool that is running right now keeps its own and is
//! never corrupted. Two installs into one directory at once take turns: each
//! holds a lock on the directory (flock) from before its first write to
//! after its last.

use super::layout::{self, Item, Kind};
use crate::error::{Error, Result};
use crate::sys::fs::{self as sysfs, OFlags};
use crate::sys::stderr::write_stderr;
use crate::sys::Errno;
use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Mode of an installed tool.
pub const MODE: u32 = 0o755;
/// Mode of an installed man page or completion.
pub const DATA_MODE: u32 = 0o644;
/// Mode of a symbolic link (it has no other).
const LINK_MODE: u32 = 0o777;

/// One file in place; for a tool, the first line its `--version` printed.
#[derive(Debug)]
pub struct Installed {
    pub path: PathBuf,
    pub size: u64,
    pub version: Option<String>,
    /// A symbolic link, and what it holds.
    pub link: Option<PathBuf>,
}

/// A verified copy under its temporary name, waiting to be renamed.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
    ino: u64,
    mode: u32,
    size: u64,
    version: Option<String>,
    link: Option<PathBuf>,
}

/// Install everything `target` has room for (see `layout`) from `source`,
/// all or nothing.
pub fn install(source: &Path, target: &Path) -> Result<Vec<Installed>> {
    let items = layout::items(source, target, layout::layout_of(target));
    install_items(target, &items)
}

fn check_dir(target: &Path) -> Result<()> {
    let meta = fs::metadata(target)
        .map_err(|e| Error::io(format!("cannot install into {}", target.display()), e))?;
    if !meta.is_dir() {
        return Err(Error::msg(format!(
            "cannot install into {}: Not a directory",
            target.display()
        )));
    }
    Ok(())
}

/// Install `items` under `target`, all or nothing: directories made for
/// them are removed again if anything fails, and files already swapped
/// into place are put back.
pub fn install_items(target: &Path, items: &[Item]) -> Result<Vec<Installed>> {
    check_dir(target)?;
    let _lock = lock(target)?;
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
    let mut swapped: Vec<Swapped> = Vec::with_capacity(staged.len());
    for copy in &staged {
        match swap_in(copy) {
            Ok(done) => swapped.push(done),
            Err(e) => {
                let e = put_back(&swapped, e);
                return Err(undo(discard(&staged[swapped.len()..], e)));
            }
        }
    }
    // Every file is in place: the old ones, under temporary names now, go.
    for done in &swapped {
        if let Some(old) = &done.old {
            let _ = fs::remove_file(old);
        }
    }
    // Make the renames durable; a directory that refuses fsync is no reason
    // to report a failure after the files are in place.
    let mut dirs: Vec<&Path> = staged.iter().filter_map(|c| c.dest.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let _ = fs::File::open(dir).and_then(|dir| dir.sync_all());
    }
    Ok(staged
        .iter()
        .map(|copy| Installed {
            path: copy.dest.clone(),
            size: copy.size,
            version: copy.version.clone(),
            link: copy.link.clone(),
        })
        .collect())
}

/// Hold the lock on `target` that makes installs into it take turns,
/// waiting (and saying so) while another holds it.
fn lock(target: &Path) -> Result<OwnedFd> {
    let dir = sysfs::open(target, OFlags::RDONLY | OFlags::DIRECTORY)
        .map_err(|e| Error::sys(format!("cannot install into {}", target.display()), e))?;
    match sysfs::lock_exclusive(dir.as_fd(), false) {
        Ok(()) => Ok(dir),
        Err(Errno::WOULDBLOCK) => {
            write_stderr(&format!(
                "can: another install into {} is under way; waiting for it to end\n",
                target.display()
            ));
            sysfs::lock_exclusive(dir.as_fd(), true)
                .map_err(|e| Error::sys(format!("cannot lock {}", target.display()), e))?;
            Ok(dir)
        }
        Err(e) => Err(Error::sys(format!("cannot lock {}", target.display()), e)
            .hint("two installs at once could mix their files")),
    }
}

/// Write and read back one file under its temporary name; run a tool.
fn stage(item: &Item) -> Result<Staged> {
    let (from, dest) = (&item.from, &item.dest);
    let dir = dest.parent().unwrap_or(Path::new("/"));
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.can-new"));
    if fs::symlink_metadata(dest).is_ok_and(|m| m.is_dir()) {
        return Err(Error::msg(format!(
            "cannot replace {}: Is a directory",
            dest.display()
        )));
    }
    let (mode, tool) = match &item.kind {
        Kind::Link(to) => return stage_link(temp, dest, to),
        Kind::Tool(name) => (MODE, Some(*name)),
        Kind::Program => (MODE, None),
        Kind::Data => (DATA_MODE, None),
    };
    let bytes =
        fs::read(from).map_err(|e| Error::io(format!("cannot read {}", from.display()), e))?;
    let checked = write_new(&temp, &bytes, mode)
        .map_err(|e| Error::io(format!("cannot write {}", dest.display()), e))
        .and_then(|ino| Ok((ino, verify(&temp, dest, tool, &bytes)?)));
    match checked {
        Ok((ino, version)) => Ok(Staged {
            temp,
            dest: dest.clone(),
            ino,
            mode,
            size: bytes.len() as u64,
            version,
            link: None,
        }),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A symbolic link holding `to`, made under its temporary name and read
/// back.
fn stage_link(temp: PathBuf, dest: &Path, to: &Path) -> Result<Staged> {
    let made = (|| {
        let _ = fs::remove_file(&temp);
        std::os::unix::fs::symlink(to, &temp)?;
        Ok::<_, io::Error>((fs::read_link(&temp)?, fs::symlink_metadata(&temp)?.ino()))
    })();
    let (back, ino) = match made {
        Ok(made) => made,
        Err(e) => {
            let _ = fs::remove_file(&temp);
            return Err(Error::io(format!("cannot write {}", dest.display()), e));
        }
    };
    if back != to {
        let _ = fs::remove_file(&temp);
        return Err(Error::msg(format!(
            "cannot verify {}: the written link differs from the original",
            dest.display()
        )));
    }
    Ok(Staged {
        temp,
        dest: dest.to_path_buf(),
        ino,
        mode: LINK_MODE,
        size: 0,
        version: None,
        link: Some(to.to_path_buf()),
    })
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
    let back = fs::read(temp).map_err(|e| Error::io(&what, e))?;
    if back != bytes {
        return Err(Error::msg(format!(
            "{what}: the written copy differs from the original"
        )));
    }
    let Some(name) = tool else {
        return Ok(None);
    };
    // Our write descriptor is closed by now, but a child that another
    // thread of this process forked while it was open holds a copy until
    // that child execs (close-on-exec): exec meets ETXTBSY for that moment.
    // The entry point has one thread; a test process has many. Tried again
    // for up to a second.
    let run = || {
        Command::new(temp)
            .arg0(name)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
    };
    let mut out = run();
    for _ in 0..100 {
        match &out {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(10));
                out = run();
            }
            _ => break,
        }
    }
    let out = out.map_err(|e| Error::io(format!("{what}: cannot run it"), e))?;
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

/// A staged copy now in place; `old` names what its final name held
/// before, if anything (the copy's temporary name after an exchange).
struct Swapped {
    dest: PathBuf,
    old: Option<PathBuf>,
}

/// Put a staged copy in place in one step, then check the name holds it.
fn swap_in(copy: &Staged) -> Result<Swapped> {
    let dest = copy.dest.display();
    let failed = |e: Errno| Error::sys(format!("cannot replace {dest}"), e);
    let old = match fs::symlink_metadata(&copy.dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            sysfs::rename_noreplace(&copy.temp, &copy.dest).map_err(failed)?;
            None
        }
        _ => match sysfs::exchange(&copy.temp, &copy.dest) {
            Ok(()) => Some(copy.temp.clone()),
            // A filesystem that cannot exchange: the old file steps aside
            // under a name of its own first.
            Err(Errno::INVAL) => {
                let aside = aside_name(&copy.dest);
                let _ = fs::remove_file(&aside);
                fs::rename(&copy.dest, &aside)
                    .map_err(|e| Error::io(format!("cannot replace {dest}"), e))?;
                if let Err(e) = fs::rename(&copy.temp, &copy.dest) {
                    let _ = fs::rename(&aside, &copy.dest);
                    return Err(Error::io(format!("cannot replace {dest}"), e));
                }
                Some(aside)
            }
            Err(e) => return Err(failed(e)),
        },
    };
    let done = Swapped {
        dest: copy.dest.clone(),
        old,
    };
    let meta = fs::symlink_metadata(&copy.dest);
    let holds_it = meta
        .as_ref()
        .is_ok_and(|m| m.ino() == copy.ino && m.mode() & 0o7777 == copy.mode);
    if !holds_it {
        let e = Error::msg(format!(
            "cannot verify {dest}: it changed while being installed"
        ));
        return Err(put_back(&[done], e));
    }
    Ok(done)
}

/// Where an old file steps aside on a filesystem that cannot exchange.
fn aside_name(dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    dest.with_file_name(format!(".{name}.can-old"))
}

/// Undo swaps, the last first: each old file back under its name (one
/// rename over the new one), each added file removed. What cannot be put
/// back is said after the error that started it.
fn put_back(swapped: &[Swapped], err: Error) -> Error {
    let mut stuck = Vec::new();
    for done in swapped.iter().rev() {
        let undone = match &done.old {
            Some(old) => fs::rename(old, &done.dest),
            None => fs::remove_file(&done.dest),
        };
        if let Err(e) = undone {
            stuck.push(format!("{} ({e})", done.dest.display()));
        }
    }
    match stuck.is_empty() {
        true => err,
        false => err.context_after(format!(
            "and these could not be put back as they were: {}",
            stuck.join(", ")
        )),
    }
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

//! Root and working directory: opened before entering, applied after.

use super::prepare::Opened;
use crate::error::{Error, Result};
use crate::plan::{DirSource, Entry, Hardening};
use crate::sys::dirs::{chdir, chroot, fchdir, getcwd};
use crate::sys::fs::{self, OFlags};
use crate::sys::Errno;
use crate::target::Target;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

pub struct Dirs {
    root: Option<OwnedFd>,
    /// `-w`: the directory opened before entering.
    before: Option<OwnedFd>,
}

/// `what` is "root" or "cwd": the target's /proc/PID/<what>, or a path.
fn open_dir(
    source: &DirSource,
    target: Option<&Target>,
    what: &str,
    opened: &mut Opened,
) -> Result<OwnedFd> {
    match source {
        DirSource::Path(path) => opened.take_or_open(path),
        DirSource::Target => target
            .ok_or_else(|| {
                Error::msg(format!(
                    "neither filename nor target pid supplied for {what}"
                ))
            })?
            .open_file(what, OFlags::RDONLY),
    }
}

pub fn prepare(plan: &Entry, target: Option<&Target>, opened: &mut Opened) -> Result<Dirs> {
    let root = plan
        .root
        .as_ref()
        .map(|r| open_dir(r, target, "root", opened))
        .transpose()?;
    let before = plan
        .workdir
        .as_ref()
        .map(|w| open_dir(w, target, "cwd", opened))
        .transpose()?;
    Ok(Dirs { root, before })
}

/// Change root and directory. `after` is the launch's directory (`-W`,
/// docker-enter), looked up after entering and after chroot; one opened
/// before entering (`-w`) is in `dirs`.
pub fn apply(dirs: &Dirs, after: Option<&Path>, hardening: Hardening) -> Result<()> {
    // With a new root and no directory asked for, stay where entering left
    // us (the mount namespace's root, if one was entered): remember it now,
    // as chroot would otherwise leave us outside the new root.
    let remembered = match (&dirs.root, &dirs.before, after) {
        (Some(_), None, None) => Some(
            fs::open(Path::new("."), OFlags::RDONLY)
                .map_err(|e| Error::sys("cannot open current working directory", e))?,
        ),
        _ => None,
    };
    if let Some(root) = &dirs.root {
        fchdir(root.as_fd())
            .map_err(|e| Error::sys("change directory by root file descriptor failed", e))?;
        chroot(Path::new(".")).map_err(|e| Error::sys("chroot failed", e))?;
        chdir(Path::new("/")).map_err(|e| Error::sys("cannot change directory to /", e))?;
    }
    if let Some(path) = after {
        // util-linux opens -W's directory (its message names no path).
        // O_DIRECTORY: a FIFO planted in the container must not block us.
        let dir = fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY)
            .map_err(|e| Error::sys("cannot open current working directory", e))?;
        fchdir(dir.as_fd()).map_err(|e| {
            Error::sys(
                "change directory by working directory file descriptor failed",
                e,
            )
        })?;
    } else if let Some(dir) = dirs.before.as_ref().or(remembered.as_ref()) {
        fchdir(dir.as_fd()).map_err(|e| {
            Error::sys(
                "change directory by working directory file descriptor failed",
                e,
            )
        })?;
    }
    if hardening.check_cwd {
        check_cwd_inside()?;
    }
    Ok(())
}

/// The working directory must be reachable from our root (security rule 5:
/// a directory reached through a host descriptor reads "(unreachable)").
fn check_cwd_inside() -> Result<()> {
    match getcwd() {
        Ok(cwd) if cwd.is_absolute() => Ok(()),
        Ok(cwd) => Err(Error::msg(format!(
            "working directory {} is outside the container; refusing to run there",
            cwd.display()
        ))),
        Err(Errno::NOENT) => Err(Error::sys(
            "cannot get the working directory (it was removed)",
            Errno::NOENT,
        )),
        Err(e) => Err(Error::sys("cannot get the working directory", e)),
    }
}

/// Whether `path`, which does not resolve inside `root` from here, leads
/// through a link that cannot even be read from here: the container's
/// /proc/self or /proc/thread-self, which name the process that looks and,
/// for us outside the container's PID namespace, no process at all.
/// Inside, the same path would name the container's process's own
/// directories; what it names from here is ours. Followed link by link as
/// the kernel resolves it (a link made in the container that leads there
/// counts too), within the kernel's 40 links.
pub(super) fn leads_through_self_link(root: BorrowedFd<'_>, path: &Path) -> bool {
    const MAX_LINKS: usize = 40;
    let mut resolved = PathBuf::from("/");
    let mut rest: Vec<PathBuf> = components(path);
    let mut links = 0;
    while let Some(next) = rest.pop() {
        if next == Path::new("/") {
            resolved = PathBuf::from("/");
            continue;
        }
        let candidate = resolved.join(&next);
        match fs::open_in_root(root, &candidate, OFlags::PATH) {
            Ok(_) => {
                resolved = candidate;
                continue;
            }
            Err(Errno::NOENT) => {}
            // A magic link, a loop, a file on the way: not this case.
            Err(_) => return false,
        }
        // Not there when followed: there unfollowed is a link that leads
        // nowhere from here.
        let Ok(link) = fs::open_in_root(root, &candidate, OFlags::PATH | OFlags::NOFOLLOW) else {
            return false;
        };
        let target = match fs::read_link(link.as_fd()) {
            Ok(target) => target,
            Err(Errno::NOENT) => return true,
            Err(_) => return false,
        };
        links += 1;
        if links > MAX_LINKS {
            return false;
        }
        rest.extend(components(Path::new(&target)));
    }
    false
}

/// A path's components, last first, with "/" for the root.
fn components(path: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = path
        .components()
        .filter_map(|c| match c {
            Component::RootDir => Some(PathBuf::from("/")),
            Component::CurDir => None,
            other => Some(PathBuf::from(other.as_os_str())),
        })
        .collect();
    parts.reverse();
    parts
}

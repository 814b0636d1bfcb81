//! Root and working directory: opened before entering, applied after.

use crate::error::{Error, Result};
use crate::plan::{DirSource, Hardening, Plan, WorkDir};
use crate::sys::{fd, process};
use crate::target::Target;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

pub struct Dirs {
    root: Option<OwnedFd>,
    /// `-w`, or our own working directory remembered when only `-r` is given.
    before: Option<OwnedFd>,
    /// `-W` / docker-enter: resolved after entering and after chroot.
    after: Option<PathBuf>,
}

fn open_dir(source: &DirSource, target: Option<&Target>, what: &str) -> Result<OwnedFd> {
    let path = match source {
        DirSource::Path(p) => p.clone(),
        DirSource::Target => target
            .ok_or_else(|| {
                Error::msg(format!(
                    "neither filename nor target pid supplied for {what}"
                ))
            })?
            .proc_path(what),
    };
    fd::open(&path, libc::O_RDONLY)
        .map_err(|e| Error::sys(format!("cannot open {}", path.display()), e))
}

pub fn prepare(plan: &Plan, target: Option<&Target>) -> Result<Dirs> {
    let root = plan
        .root
        .as_ref()
        .map(|r| open_dir(r, target, "root"))
        .transpose()?;
    let mut dirs = Dirs {
        root,
        before: None,
        after: None,
    };
    match &plan.workdir {
        WorkDir::Before(source) => dirs.before = Some(open_dir(source, target, "cwd")?),
        WorkDir::After(path) => dirs.after = Some(path.clone()),
        WorkDir::Keep => {}
    }
    Ok(dirs)
}

pub fn apply(dirs: &Dirs, hardening: Hardening) -> Result<()> {
    // With a new root and no directory asked for, stay where entering left
    // us (the mount namespace's root, if one was entered): remember it now,
    // as chroot would otherwise leave us outside the new root.
    let remembered = match (&dirs.root, &dirs.before, &dirs.after) {
        (Some(_), None, None) => Some(
            fd::open(Path::new("."), libc::O_RDONLY)
                .map_err(|e| Error::sys("cannot open current working directory", e))?,
        ),
        _ => None,
    };
    if let Some(root) = &dirs.root {
        process::fchdir(root.as_fd())
            .map_err(|e| Error::sys("change directory by root file descriptor failed", e))?;
        process::chroot(Path::new(".")).map_err(|e| Error::sys("chroot failed", e))?;
        process::chdir(Path::new("/"))
            .map_err(|e| Error::sys("cannot change directory to /", e))?;
    }
    if let Some(path) = &dirs.after {
        // util-linux opens -W's directory (its message names no path).
        // O_DIRECTORY: a FIFO planted in the container must not block us.
        let dir = fd::open(path, libc::O_RDONLY | libc::O_DIRECTORY)
            .map_err(|e| Error::sys("cannot open current working directory", e))?;
        process::fchdir(dir.as_fd()).map_err(|e| {
            Error::sys(
                "change directory by working directory file descriptor failed",
                e,
            )
        })?;
    } else if let Some(dir) = dirs.before.as_ref().or(remembered.as_ref()) {
        process::fchdir(dir.as_fd()).map_err(|e| {
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
    match process::getcwd() {
        Ok(cwd) if cwd.is_absolute() => Ok(()),
        Ok(cwd) => Err(Error::msg(format!(
            "working directory {} is outside the container; refusing to run there",
            cwd.display()
        ))),
        Err(libc::ENOENT) => Err(Error::sys(
            "cannot get the working directory (it was removed)",
            libc::ENOENT,
        )),
        Err(e) => Err(Error::sys("cannot get the working directory", e)),
    }
}

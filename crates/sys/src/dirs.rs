//! The process's root and working directory.

use super::SysResult;
use std::ffi::OsString;
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

pub fn fchdir(dir: BorrowedFd<'_>) -> SysResult<()> {
    rustix::process::fchdir(dir)
}

pub fn chdir(path: &Path) -> SysResult<()> {
    rustix::process::chdir(path)
}

pub fn chroot(path: &Path) -> SysResult<()> {
    rustix::process::chroot(path)
}

/// getcwd(2) as the kernel reports it: "(unreachable)/..." and similar
/// non-absolute answers are returned as they are, for the caller to judge.
pub fn getcwd() -> SysResult<PathBuf> {
    let cwd = rustix::process::getcwd(Vec::new())?;
    Ok(PathBuf::from(OsString::from_vec(cwd.into_bytes())))
}

//! Process descriptors: a handle on one process that a recycled PID cannot
//! redirect (security rule 1).

use super::{check, SysResult};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// pidfd_open(2). The kernel makes the descriptor close-on-exec.
pub fn pidfd_open(pid: i32) -> SysResult<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags; no memory is passed.
    let fd = check(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: the call returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// pidfd_send_signal(2); signal 0 checks that the process still lives.
pub fn pidfd_send_signal(pidfd: BorrowedFd<'_>, sig: i32) -> SysResult<()> {
    // SAFETY: a null siginfo is allowed; no other memory is passed.
    check(unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    })
    .map(drop)
}

/// pidfd_getfd(2): a copy of descriptor `target_fd` of the process.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, target_fd: i32) -> SysResult<OwnedFd> {
    // SAFETY: pidfd_getfd takes descriptors and flags; no memory is passed.
    let fd =
        check(unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), target_fd, 0) })?;
    // SAFETY: the call returned a new (close-on-exec) descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

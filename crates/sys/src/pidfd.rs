//! Process descriptors: a handle on one process that a recycled PID cannot
//! redirect (security rule 1).

use super::fd::ours;
use super::{check, SysResult};
use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

/// pidfd_open(2). The kernel makes the descriptor close-on-exec.
pub fn pidfd_open(pid: i32) -> SysResult<OwnedFd> {
    let pid = Pid::from_raw(pid).ok_or(super::Errno::SRCH)?;
    rustix::process::pidfd_open(pid, PidfdFlags::empty()).map(ours)
}

/// Whether the process still lives: pidfd_send_signal(2) with signal 0,
/// which checks without sending (rustix takes only real signals).
pub fn pidfd_check(pidfd: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: a null siginfo is allowed; no other memory is passed.
    check(unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    })
    .map(drop)
}

/// pidfd_getfd(2): a copy of descriptor `target_fd` of the process.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, target_fd: i32) -> SysResult<OwnedFd> {
    rustix::process::pidfd_getfd(pidfd, target_fd, PidfdGetfdFlags::empty()).map(ours)
}

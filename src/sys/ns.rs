//! setns(2) and the nsfs ioctls.

use super::{check, SysResult};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

const NSIO: libc::c_ulong = 0xb7;
/// NS_GET_USERNS: the user namespace that owns a namespace.
const NS_GET_USERNS: libc::c_ulong = NSIO << 8 | 0x1;
/// NS_GET_PARENT: the parent of a user or PID namespace.
const NS_GET_PARENT: libc::c_ulong = NSIO << 8 | 0x2;
/// SIOCGSKNS: the network namespace of a socket.
const SIOCGSKNS: libc::c_ulong = 0x894C;

/// setns(2): enter the namespace(s) named by `fd` (a namespace file, or a
/// pidfd with several CLONE_NEW* flags).
pub fn setns(fd: BorrowedFd<'_>, flags: i32) -> SysResult<()> {
    // SAFETY: setns takes a descriptor and flags; no memory is passed.
    check(unsafe { libc::setns(fd.as_raw_fd(), flags) } as libc::c_long).map(drop)
}

fn ns_ioctl(fd: BorrowedFd<'_>, request: libc::c_ulong) -> SysResult<OwnedFd> {
    // SAFETY: these ioctls take no argument and return a new descriptor.
    let rc = check(unsafe { libc::ioctl(fd.as_raw_fd(), request as _) } as libc::c_long)?;
    // SAFETY: the ioctl returned a new descriptor that nothing else owns;
    // the kernel opens it close-on-exec.
    Ok(unsafe { OwnedFd::from_raw_fd(rc as RawFd) })
}

/// The user namespace that owns the namespace `fd`.
pub fn owning_userns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, NS_GET_USERNS)
}

/// The parent of the user (or PID) namespace `fd`.
pub fn parent_ns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, NS_GET_PARENT)
}

/// The network namespace of the socket `fd`.
pub fn socket_netns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, SIOCGSKNS)
}

/// unshare(2).
pub fn unshare(flags: i32) -> SysResult<()> {
    // SAFETY: unshare takes only flags.
    check(unsafe { libc::unshare(flags) } as libc::c_long).map(drop)
}

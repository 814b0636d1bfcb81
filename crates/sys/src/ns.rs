//! Namespaces: setns(2) through a namespace file or a pidfd, unshare(2),
//! and the nsfs ioctls.

use super::fd::ours;
use super::{check, SysResult};
use nsenter_can_plan::ns_kind::NsKind;
use rustix::fs::OFlags;
use rustix::thread::{LinkNameSpaceType, ThreadNameSpaceType};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

const NSIO: libc::c_ulong = 0xb7;
/// NS_GET_USERNS: the user namespace that owns a namespace.
const NS_GET_USERNS: libc::c_ulong = NSIO << 8 | 0x1;
/// NS_GET_PARENT: the parent of a user or PID namespace.
const NS_GET_PARENT: libc::c_ulong = NSIO << 8 | 0x2;
/// NS_GET_OWNER_UID: the uid that created a user namespace.
const NS_GET_OWNER_UID: libc::c_ulong = NSIO << 8 | 0x4;
/// SIOCGSKNS: the network namespace of a socket.
const SIOCGSKNS: libc::c_ulong = 0x894C;

fn link_type(kind: NsKind) -> LinkNameSpaceType {
    match kind {
        NsKind::User => LinkNameSpaceType::User,
        NsKind::Cgroup => LinkNameSpaceType::ControlGroup,
        NsKind::Ipc => LinkNameSpaceType::InterProcessCommunication,
        NsKind::Uts => LinkNameSpaceType::HostNameAndNISDomainName,
        NsKind::Net => LinkNameSpaceType::Network,
        NsKind::Pid => LinkNameSpaceType::ProcessID,
        NsKind::Mnt => LinkNameSpaceType::Mount,
        NsKind::Time => LinkNameSpaceType::Time,
    }
}

fn thread_types(kinds: &[NsKind]) -> ThreadNameSpaceType {
    kinds
        .iter()
        .fold(ThreadNameSpaceType::empty(), |all, &kind| {
            all | ThreadNameSpaceType::from_bits_retain(link_type(kind) as u32)
        })
}

/// setns(2) through a namespace file (/proc/PID/ns/<name> or a bind mount
/// of one), which must be a namespace of `kind`.
pub fn setns_file(file: BorrowedFd<'_>, kind: NsKind) -> SysResult<()> {
    rustix::thread::move_into_link_name_space(file, Some(link_type(kind)))
}

/// setns(2) through a pidfd: every namespace of `kinds` of that process at
/// once (Linux 5.8); the kernel orders them and checks permissions against
/// the target's user namespace.
pub fn setns_process(pidfd: BorrowedFd<'_>, kinds: &[NsKind]) -> SysResult<()> {
    rustix::thread::move_into_thread_name_spaces(pidfd, thread_types(kinds))
}

/// unshare(CLONE_NEWNS): a private copy of our mount namespace.
pub fn unshare_mount_namespace() -> SysResult<()> {
    // SAFETY: CLONE_NEWNS does not unshare the descriptor table, the one
    // flag that makes unshare unsound (threads seeing each other's
    // descriptors disappear); we are single-threaded anyway.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) }
}

/// A copy of our mount namespace that belongs to a new user namespace, a
/// child of ours with no ids mapped, made by a short-lived child (our own
/// process stays in our user namespace). Copying mounts into a namespace
/// of a less privileged user namespace locks them: the kernel marks each
/// MNT_LOCK_READONLY if read-only, likewise for nosuid, nodev and noexec,
/// and MNT_LOCKED, and no capability in any user namespace clears those
/// marks, on the mount or on any clone of it: a remount, a bind mount or
/// mount_setattr can no longer make it writable, nor can unmounting it
/// reveal what it covers. Returns the new namespace, to setns into.
/// `proc` is a procfs in which our children are seen (ours, opened before
/// entering anything): the child opens its namespace there.
pub fn locked_copy_of_mount_namespace(proc: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    let mut opened = Err(super::Errno::CHILD);
    super::process::run_in_new_user_and_mount_namespaces(&mut || {
        // The child shares our descriptor table: what it opens is ours.
        opened = super::fs::openat(proc, Path::new("self/ns/mnt"), OFlags::RDONLY);
        0
    })?;
    opened
}

fn ns_ioctl(fd: BorrowedFd<'_>, request: libc::c_ulong) -> SysResult<OwnedFd> {
    // SAFETY: these ioctls take no argument and return a new descriptor.
    let rc = check(unsafe { libc::ioctl(fd.as_raw_fd(), request as _) } as libc::c_long)?;
    // SAFETY: the ioctl returned a new descriptor that nothing else owns;
    // the kernel opens it close-on-exec.
    Ok(ours(unsafe { OwnedFd::from_raw_fd(rc as RawFd) }))
}

/// The user namespace that owns the namespace `fd`.
pub fn owning_userns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, NS_GET_USERNS)
}

/// The parent of the user (or PID) namespace `fd`.
pub fn parent_ns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, NS_GET_PARENT)
}

/// The uid that owns the user namespace `fd`, as our user namespace
/// names it (the overflow uid when it names none).
pub fn owner_uid(fd: BorrowedFd<'_>) -> SysResult<u32> {
    let mut uid: libc::uid_t = 0;
    // SAFETY: NS_GET_OWNER_UID writes one uid_t through the pointer, which
    // points at a live local of that type.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), NS_GET_OWNER_UID as _, &mut uid) } as libc::c_long)?;
    Ok(uid)
}

/// The network namespace of the socket `fd`.
pub fn socket_netns(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    ns_ioctl(fd, SIOCGSKNS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_flag() {
        let all = NsKind::ALL.iter().fold(0, |acc, &k| {
            let flag = thread_types(&[k]).bits();
            assert_eq!(acc & flag, 0, "{k:?}");
            acc | flag
        });
        assert_eq!(thread_types(&NsKind::ALL).bits(), all);
    }
}

//! Namespaces: setns(2) through a namespace file or a pidfd, unshare(2),
//! and the nsfs ioctls.

use super::fd::ours;
use super::{check, SysResult};
use nsenter_can_plan::ns_kind::NsKind;
use rustix::fs::OFlags;
use rustix::thread::{LinkNameSpaceType, ThreadNameSpaceType};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
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

/// What a helper ([`in_helper`]) hands back: bytes and descriptors.
pub type HelperAnswer = (Vec<u8>, Vec<OwnedFd>);

/// The most bytes a helper's answer may hold.
const HELPER_ANSWER_MAX: usize = 16 << 10;

/// The first byte of a helper's message: `work` ran, its bytes follow.
const HELPER_RAN: u8 = 0;
/// The first byte of a helper's message: its namespaces could not be
/// made, the errno follows (4 bytes, native order).
const HELPER_FAILED: u8 = 1;

/// Run `work` in a helper: a child of ours, forked (a copy of our memory,
/// never a thread), that first moves into a new user namespace, a child
/// of ours in which only our uid and gid are mapped (to themselves), and
/// a new mount namespace that belongs to it. There it holds every
/// capability over what that user namespace owns: CAP_SYS_ADMIN over its
/// mount namespace, which a user without root lacks over ours, so it may
/// clone our mounts (open_tree) and make the filesystems that may be
/// mounted in a user namespace (tmpfs, overlay), detached. It gets
/// nothing over the host: a file it reaches, it reaches as we would.
/// What `work` returns (at most 16 KiB, and [`super::socket::MAX_FDS`]
/// descriptors) comes back over a socket pair (SCM_RIGHTS), and the
/// helper exits; we wait for it. A detached mount handed back belongs to
/// an anonymous mount namespace of its own, which nothing but that
/// descriptor reaches, until it is attached.
///
/// The helper makes itself dumpable for the moment of writing its ID maps
/// (a non-dumpable process's /proc files are root's); dumpability is a
/// property of the memory, which is its own copy, so ours stays as it is.
/// Fails with what unshare or the maps failed with (EPERM where user
/// namespaces may not be made), or EIO when the helper died first.
pub fn in_helper(work: impl FnOnce() -> HelperAnswer) -> SysResult<HelperAnswer> {
    let (ours_end, helpers_end) = super::socket::message_pair()?;
    let Some(pid) = super::process::fork()? else {
        drop(ours_end);
        // Nothing of ours may run on in the helper: a panic ends it here
        // instead of unwinding into our frames.
        let said = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = super::process::set_parent_death_signal(libc::SIGKILL);
            let message = match own_user_and_mount_namespaces() {
                Ok(()) => {
                    let (bytes, fds) = work();
                    let borrowed: Vec<BorrowedFd<'_>> = fds.iter().map(|fd| fd.as_fd()).collect();
                    let message = [&[HELPER_RAN][..], &bytes].concat();
                    super::socket::send_message(helpers_end.as_fd(), &message, &borrowed)
                }
                Err(e) => {
                    let code = e.raw_os_error().to_ne_bytes();
                    let message = [&[HELPER_FAILED][..], &code].concat();
                    super::socket::send_message(helpers_end.as_fd(), &message, &[])
                }
            };
            message.is_ok()
        }));
        super::process::exit_now(if matches!(said, Ok(true)) { 0 } else { 1 })
    };
    drop(helpers_end);
    let answer = super::socket::receive_message(ours_end.as_fd(), HELPER_ANSWER_MAX + 1);
    wait_for(pid);
    let (bytes, fds) = answer.map_err(|e| match e {
        super::Errno::NODATA => super::Errno::IO,
        e => e,
    })?;
    match bytes.split_first() {
        Some((&HELPER_RAN, rest)) => Ok((rest.to_vec(), fds)),
        Some((&HELPER_FAILED, code)) => {
            let code = <[u8; 4]>::try_from(code).map_err(|_| super::Errno::IO)?;
            Err(super::Errno::from_raw_os_error(i32::from_ne_bytes(code)))
        }
        _ => Err(super::Errno::IO),
    }
}

/// Wait for our child `pid` to end (a child of a caller that ignores
/// SIGCHLD is collected by the kernel: nothing to wait for then).
fn wait_for(pid: i32) {
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return;
    };
    let _ =
        super::retry(|| rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty()));
}

/// In a helper: a new user namespace with our uid and gid mapped to
/// themselves (setgroups denied, as the kernel requires of an unprivileged
/// gid_map), and a new mount namespace owned by it.
fn own_user_and_mount_namespaces() -> SysResult<()> {
    let (uid, gid) = (rustix::process::geteuid(), rustix::process::getegid());
    super::process::set_dumpable(true)?;
    // SAFETY: unsharing the user namespace requires a single-threaded
    // process, which the helper is (forked from a single-threaded one);
    // the descriptor table is not unshared.
    unsafe {
        rustix::thread::unshare_unsafe(
            rustix::thread::UnshareFlags::NEWUSER | rustix::thread::UnshareFlags::NEWNS,
        )?
    };
    let write = |file: &str, text: String| {
        let path = format!("/proc/self/{file}");
        let map = super::fs::open(std::path::Path::new(&path), super::fs::OFlags::WRONLY)?;
        super::fd::write_all(map.as_fd(), text.as_bytes())
    };
    write("setgroups", "deny".into())?;
    write("uid_map", format!("{0} {0} 1", uid.as_raw()))?;
    write("gid_map", format!("{0} {0} 1", gid.as_raw()))?;
    super::process::set_dumpable(false)
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

    /// The helper runs in a user namespace where only our uid is mapped,
    /// to itself, and mounts there (a detached tmpfs) what comes back to
    /// us. (The one fork on a test thread: the harness is threaded, which
    /// `process::fork` otherwise rules out; the helper only reads a file,
    /// mounts and sends, and glibc resets its allocator's locks in a
    /// forked child.)
    #[test]
    fn a_helper_hands_back_what_it_made() {
        let (bytes, fds) = in_helper(|| {
            let map = std::fs::read("/proc/self/uid_map").unwrap_or_default();
            let tmpfs = super::super::mount::tmpfs_detached(&[])
                .into_iter()
                .collect();
            (map, tmpfs)
        })
        .unwrap();
        let uid = rustix::process::geteuid().as_raw().to_string();
        let map = String::from_utf8(bytes).unwrap();
        assert_eq!(
            map.split_whitespace().collect::<Vec<_>>(),
            [uid.as_str(), &uid, "1"]
        );
        assert_eq!(fds.len(), 1);
        let tmpfs_magic = 0x0102_1994;
        assert_eq!(super::super::fs::fs_type(fds[0].as_fd()), Ok(tmpfs_magic));
    }
}

//! Mounts: a private mount namespace's fresh /proc, and detached mounts of
//! cgroup hierarchies (the new mount API, Linux 5.2).

use super::fd::ours;
use super::SysResult;
use rustix::mount::{FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;

/// Make every mount at and below `path` private, so what we mount next
/// stays in our mount namespace.
pub fn make_private_recursive(path: &Path) -> SysResult<()> {
    rustix::mount::mount_change(
        path,
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
}

/// Mount a proc filesystem of our PID namespace on `path`.
pub fn mount_proc(path: &Path) -> SysResult<()> {
    let flags = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    rustix::mount::mount("proc", path, "proc", flags, None)
}

/// A detached mount of a filesystem (fsopen/fsconfig/fsmount): `fstype`
/// is "cgroup" or "cgroup2"; each option is a flag ("memory") or a key and
/// value ("name", "systemd"). Nothing is attached to any mount point: the
/// descriptor is the filesystem's root.
pub fn mount_detached(fstype: &str, options: &[(&str, Option<&str>)]) -> SysResult<OwnedFd> {
    let context = ours(rustix::mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)?);
    for (key, value) in options {
        match value {
            Some(value) => rustix::mount::fsconfig_set_string(context.as_fd(), *key, *value)?,
            None => rustix::mount::fsconfig_set_flag(context.as_fd(), *key)?,
        }
    }
    rustix::mount::fsconfig_create(context.as_fd())?;
    rustix::mount::fsmount(
        context.as_fd(),
        FsMountFlags::FSMOUNT_CLOEXEC,
        MountAttrFlags::empty(),
    )
    .map(ours)
}

/// A detached, read-only bind mount of the file (or directory) at `path`
/// (open_tree with OPEN_TREE_CLONE, Linux 5.2; mount_setattr, 5.12). Only
/// the returned descriptor reaches it, and once that is closed the mount
/// is dissolved: no one can make it writable again, and a write through
/// it fails with EROFS.
pub fn clone_read_only(path: &Path) -> SysResult<OwnedFd> {
    let clone = ours(rustix::mount::open_tree(
        rustix::fs::CWD,
        path,
        rustix::mount::OpenTreeFlags::OPEN_TREE_CLONE
            | rustix::mount::OpenTreeFlags::OPEN_TREE_CLOEXEC,
    )?);
    let attr = libc::mount_attr {
        attr_set: libc::MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: `attr` is a struct mount_attr of the size passed, read by
    // the kernel only; "" with AT_EMPTY_PATH names the descriptor itself.
    super::check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            clone.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH as libc::c_uint,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    })?;
    Ok(clone)
}

//! Mounts: a private mount namespace's fresh /proc, and detached mounts of
//! cgroup hierarchies (the new mount API, Linux 5.2).

use super::fd::ours;
use super::SysResult;
use rustix::mount::{FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags};
use std::os::fd::{AsFd, OwnedFd};
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

//! Mounts: a private mount namespace's fresh /proc, detached mounts of
//! cgroup hierarchies, and the trees `--tools` brings into a container:
//! clones of directories, overlays of image layers and small tmpfs, made
//! detached (the new mount API, Linux 5.2), locked down, and attached
//! onto descriptors resolved beforehand; and the read-only clone of our
//! own binary that docker-enter runs from.

use super::fd::ours;
use super::{Errno, SysResult};
use rustix::fs::CWD;
use rustix::mount::{
    FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags, MoveMountFlags,
    OpenTreeFlags,
};
use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// Make every mount at and below `path` private, so what we mount next
/// stays in our mount namespace.
pub fn make_private_recursive(path: &Path) -> SysResult<()> {
    rustix::mount::mount_change(
        path,
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
}

/// Make the mount at `path` private (not what is below it): a mount made
/// on it then propagates nowhere.
pub fn make_private(path: &Path) -> SysResult<()> {
    rustix::mount::mount_change(path, MountPropagationFlags::PRIVATE)
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
    detached(fstype, options, MountAttrFlags::empty())
}

/// What every mount `--tools` makes is: nothing in it may gain privilege
/// (setuid bits) or open a device through it.
const LOCKED: MountAttrFlags =
    MountAttrFlags::MOUNT_ATTR_NOSUID.union(MountAttrFlags::MOUNT_ATTR_NODEV);

/// A detached tmpfs, nosuid and nodev, with these options ("mode").
pub fn tmpfs_detached(options: &[(&str, Option<&str>)]) -> SysResult<OwnedFd> {
    detached("tmpfs", options, LOCKED)
}

/// A detached, read-only overlay of `lowers` (the top one first), nosuid
/// and nodev. Each layer is given alone (`lowerdir+`, Linux 6.7, no
/// escaping); older kernels get them joined in one `lowerdir`, with the
/// characters that option gives a meaning escaped.
pub fn overlay_read_only(lowers: &[&Path]) -> SysResult<OwnedFd> {
    let attrs = LOCKED | MountAttrFlags::MOUNT_ATTR_RDONLY;
    let one_by_one: Vec<(&str, &Path)> = lowers.iter().map(|l| ("lowerdir+", *l)).collect();
    match detached_paths("overlay", &one_by_one, attrs) {
        Err(Errno::INVAL) => {
            let joined = join_lowerdirs(lowers);
            detached_paths("overlay", &[("lowerdir", Path::new(&joined))], attrs)
        }
        other => other,
    }
}

/// `a:b:c` for overlay's `lowerdir`, with `\`, `:` and `,` escaped.
fn join_lowerdirs(lowers: &[&Path]) -> OsString {
    let mut out = Vec::new();
    for (i, layer) in lowers.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        for &b in layer.as_os_str().as_bytes() {
            if matches!(b, b'\\' | b':' | b',') {
                out.push(b'\\');
            }
            out.push(b);
        }
    }
    OsString::from_vec(out)
}

fn detached_paths(
    fstype: &str,
    options: &[(&str, &Path)],
    attrs: MountAttrFlags,
) -> SysResult<OwnedFd> {
    let context = ours(rustix::mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)?);
    for (key, value) in options {
        rustix::mount::fsconfig_set_string(context.as_fd(), *key, *value)?;
    }
    rustix::mount::fsconfig_create(context.as_fd())?;
    rustix::mount::fsmount(context.as_fd(), FsMountFlags::FSMOUNT_CLOEXEC, attrs).map(ours)
}

fn detached(
    fstype: &str,
    options: &[(&str, Option<&str>)],
    attrs: MountAttrFlags,
) -> SysResult<OwnedFd> {
    let context = ours(rustix::mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)?);
    for (key, value) in options {
        match value {
            Some(value) => rustix::mount::fsconfig_set_string(context.as_fd(), *key, *value)?,
            None => rustix::mount::fsconfig_set_flag(context.as_fd(), *key)?,
        }
    }
    rustix::mount::fsconfig_create(context.as_fd())?;
    rustix::mount::fsmount(context.as_fd(), FsMountFlags::FSMOUNT_CLOEXEC, attrs).map(ours)
}

/// A detached copy of the mount tree at `path` under `dir` (`""`: `dir`
/// itself), with every mount below it when `recursive` (open_tree with
/// OPEN_TREE_CLONE, Linux 5.2). Nothing refers to the copy but the
/// descriptor; it dissolves when that is closed, unless attached.
pub fn clone_tree(dir: BorrowedFd<'_>, path: &Path, recursive: bool) -> SysResult<OwnedFd> {
    let mut flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    if recursive {
        flags |= OpenTreeFlags::AT_RECURSIVE;
    }
    if path.as_os_str().is_empty() {
        flags |= OpenTreeFlags::AT_EMPTY_PATH;
    }
    rustix::mount::open_tree(dir, path, flags).map(ours)
}

/// [`clone_tree`] of a path (relative to our working directory).
pub fn clone_path(path: &Path, recursive: bool) -> SysResult<OwnedFd> {
    clone_tree(CWD, path, recursive)
}

/// Make a detached tree read-only, nosuid and nodev, every mount in it
/// (mount_setattr with AT_RECURSIVE, Linux 5.12).
pub fn lock_read_only(tree: BorrowedFd<'_>) -> SysResult<()> {
    let attr = libc::mount_attr {
        attr_set: (LOCKED | MountAttrFlags::MOUNT_ATTR_RDONLY).bits() as u64,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let flags = (libc::AT_EMPTY_PATH | libc::AT_RECURSIVE) as libc::c_uint;
    // SAFETY: `attr` is a struct mount_attr of the size passed, only read
    // by the kernel; "" with AT_EMPTY_PATH names the descriptor itself.
    super::check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            tree.as_raw_fd(),
            c"".as_ptr(),
            flags,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    })
    .map(drop)
}

/// Attach a detached tree onto the directory (or file) `onto` was opened
/// on: exactly that one, however its path changes meanwhile (move_mount
/// with both paths empty).
pub fn attach(tree: BorrowedFd<'_>, onto: BorrowedFd<'_>) -> SysResult<()> {
    let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    rustix::mount::move_mount(tree, "", onto, "", flags)
}

/// Attach a detached tree on top of what `path` names (resolved from our
/// root and working directory).
pub fn attach_at(tree: BorrowedFd<'_>, path: &Path) -> SysResult<()> {
    rustix::mount::move_mount(tree, "", CWD, path, MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH)
}

/// A detached, read-only bind mount of the file (or directory) at `path`,
/// nosuid and nodev ([`clone_path`], then [`lock_read_only`]). Only the
/// returned descriptor reaches it, and once that is closed the mount is
/// dissolved: no one can make it writable again, and a write through it
/// fails with EROFS.
pub fn clone_read_only(path: &Path) -> SysResult<OwnedFd> {
    let clone = clone_path(path, false)?;
    lock_read_only(clone.as_fd())?;
    Ok(clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowerdirs_are_joined_with_their_separators_escaped() {
        let layers = [Path::new("/a/b"), Path::new("/c:d,e\\f")];
        assert_eq!(
            join_lowerdirs(&layers),
            OsString::from("/a/b:/c\\:d\\,e\\\\f")
        );
    }
}

//! `--tools`: programs brought from the host into a container that has
//! none (distroless, `FROM scratch`), leaving the container untouched.
//!
//! Everything is mounted in a private copy of the container's mount
//! namespace, made after entering it: the container's own mount table,
//! files and processes never change, and our mounts vanish with the copy
//! when the program (and whatever it started) has exited. Each tree is
//! opened before entering, as a detached mount that nothing else can
//! reach, and made read-only, nosuid and nodev before it is attached.
//!
//! Read-only is not enough against a container that holds CAP_SYS_ADMIN
//! in our user namespace (`--cap-add SYS_ADMIN`, no user namespace of its
//! own): it could join the copy through the program's /proc/PID/ns/mnt and
//! remount a host directory writable. So once everything is mounted, the
//! copy is copied once more, into a mount namespace that belongs to a new
//! user namespace of ours ([`lock`]): the kernel locks every mount it
//! copies there, and no capability can make a locked read-only mount
//! writable again (security rule 17). We stay in our user namespace; the
//! first copy, never seen by the container, is gone once we leave it. A
//! private copy of the tools (copying the files to a tmpfs) would cost a
//! copy of the whole toolbox on every run; the lock costs one short-lived
//! child and one more copy of the mount table.
//!
//! Two layouts:
//! 1. **A directory of programs** (static ones: busybox and its links).
//!    Its clone goes onto a directory of the container, PATH gets it
//!    appended, and the program sees the container's files at `/`. The
//!    place is resolved in the container with RESOLVE_IN_ROOT and
//!    RESOLVE_NO_SYMLINKS and mounted through the descriptor opened, so a
//!    container that swaps a directory for a link meanwhile cannot send
//!    the mount anywhere else.
//! 2. **A whole root** (a directory, or an image's layers): a read-only
//!    overlay of it under a small skeleton of ours (the directories the
//!    container's trees go on, and the files that carry its name service)
//!    becomes the program's root, with clones of the container's root at
//!    `/container`, of its /proc, /dev and /sys at theirs, its
//!    resolv.conf, hosts and hostname at theirs, and a private tmpfs at
//!    /tmp. Kernels before 6.15 take only attached mounts as overlay
//!    layers: the skeleton is attached in a private copy of our own mount
//!    namespace while the overlay is made, which shows it to no one else.

use super::tools_helper;
use crate::error::{Error, Result};
use crate::plan::{
    Tools, ToolsSource, TOOLS_LAST_MOUNT_POINT, TOOLS_MOUNT_POINTS, TOOLS_TMPFS_MOUNT_POINTS,
};
use crate::sys::dirs::{chdir, chroot, fchdir};
use crate::sys::fs::{self, OFlags};
use crate::sys::{mount, ns, Errno};
use nsenter_can_plan::ns_kind::NsKind;
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Shells a directory of programs may bring, in order of preference.
const PROGRAM_SHELLS: &[&str] = &["bash", "sh"];
/// Shells a whole root may bring.
const ROOT_SHELLS: &[&str] = &["bin/bash", "bin/sh"];
/// The container's trees a whole root gets at the same place.
const KERNEL_DIRS: &[&str] = &["proc", "dev", "sys"];
/// The container's files that say who it is on the network.
const NAME_FILES: &[&str] = &["etc/resolv.conf", "etc/hosts", "etc/hostname"];

/// The tools, opened before entering, and where they go.
pub struct PreparedTools {
    layout: Layout,
    /// Our /proc, where the child that locks the mounts is seen ([`lock`]).
    proc: OwnedFd,
    /// The toolbox's shell, relative to its top.
    shell: Option<&'static str>,
    /// The plan's request: the source and where things go.
    wanted: Tools,
    /// Opened by a helper in a user namespace of its own, for a caller
    /// without CAP_SYS_ADMIN (`tools_helper`).
    by_helper: bool,
}

/// The source as the user named it, for messages.
fn source_name(tools: &Tools) -> String {
    match &tools.source {
        ToolsSource::Programs(dir) | ToolsSource::Root(dir) => dir.display().to_string(),
        ToolsSource::Image { name, .. } => format!("image {name}"),
        ToolsSource::Named(named) => format!("{named:?}"),
    }
}

pub(super) enum Layout {
    /// A read-only clone of the directory.
    Programs { tree: OwnedFd },
    /// The read-only overlay that is the program's root, and the tmpfs
    /// for its /tmp.
    Root { root: OwnedFd, tmp: OwnedFd },
}

/// What attaching the tools gave the program.
pub struct Attached {
    /// A directory of programs: where it is, for PATH.
    pub programs_at: Option<PathBuf>,
    /// The toolbox's shell, as the program sees it.
    pub shell: Option<PathBuf>,
}

/// Open the tools the plan names: a detached tree, locked down, that
/// nothing reaches but our descriptor. Without CAP_SYS_ADMIN over our
/// mount namespace (`privileged` false: the owner of a rootless
/// container, without root), a helper opens them (`tools_helper`).
pub fn prepare(tools: &Tools, privileged: bool) -> Result<PreparedTools> {
    let proc = our_proc()?;
    let open = || match &tools.source {
        ToolsSource::Named(_) => Err(Error::msg(
            "internal error: the tools were not resolved before preparing",
        )),
        ToolsSource::Programs(dir) => prepare_programs(dir, tools),
        ToolsSource::Root(dir) => prepare_root(&[dir.as_path()], tools),
        ToolsSource::Image { layers, .. } => {
            let layers: Vec<&Path> = layers.iter().map(PathBuf::as_path).collect();
            prepare_root(&layers, tools)
        }
    };
    let (layout, shell) = match privileged {
        true => open()?,
        false => tools_helper::open_in_helper(open, &[PROGRAM_SHELLS, ROOT_SHELLS].concat())?,
    };
    Ok(PreparedTools {
        layout,
        proc,
        shell,
        wanted: tools.clone(),
        by_helper: !privileged,
    })
}

/// statfs's f_type of a proc filesystem (linux/magic.h).
const PROC_SUPER_MAGIC: i64 = 0x9fa0;

/// Our /proc, before anything is entered.
fn our_proc() -> Result<OwnedFd> {
    let failed = |e| Error::sys("cannot open /proc for the tools", e);
    let proc = fs::open(Path::new("/proc"), OFlags::PATH | OFlags::DIRECTORY).map_err(failed)?;
    match fs::fs_type(proc.as_fd()).map_err(failed)? {
        PROC_SUPER_MAGIC => Ok(proc),
        _ => Err(Error::msg(
            "cannot use /proc for the tools: it is not a proc filesystem",
        )),
    }
}

/// A layout and the shell it brings.
pub(super) type Opened = (Layout, Option<&'static str>);

fn prepare_programs(dir: &Path, tools: &Tools) -> Result<Opened> {
    let name = source_name(tools);
    let failed = |e| Error::sys(format!("cannot use {name} as tools"), e);
    let tree = mount::clone_path(dir, true).map_err(failed)?;
    if !fs::fstat(tree.as_fd()).map_err(failed)?.is_dir() {
        return Err(Error::msg(format!(
            "cannot use {name} as tools: it is not a directory"
        )));
    }
    mount::lock_read_only(tree.as_fd())
        .map_err(|e| Error::sys(format!("cannot make tools {name} read-only"), e))?;
    let shell = find_shell(tree.as_fd(), PROGRAM_SHELLS);
    Ok((Layout::Programs { tree }, shell))
}

/// A whole root from `lowers` (the top layer first).
fn prepare_root(lowers: &[&Path], tools: &Tools) -> Result<Opened> {
    let name = source_name(tools);
    let layers = lowers
        .iter()
        .map(|dir| {
            fs::open(dir, OFlags::PATH | OFlags::DIRECTORY).map_err(|e| {
                let err = Error::sys(
                    format!("cannot open the layer {} of {name}", dir.display()),
                    e,
                );
                match (e, &tools.source) {
                    (Errno::NOENT, ToolsSource::Image { .. }) => err.hint(
                        "the daemon's storage is not visible here; from inside a container, \
                         mount it at the same path, read-only, or the host's root at /host",
                    ),
                    _ => err,
                }
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let failed = |what: &str, e| Error::sys(format!("cannot {what} for tools {name}"), e);
    ns::unshare_mount_namespace().map_err(|e| failed("make a mount namespace", e))?;
    mount::make_private(Path::new("/")).map_err(|e| failed("make / private", e))?;
    let absent = absent_name_files(lowers, &layers, &name)?;
    let skeleton = skeleton(tools, &absent).map_err(|e| failed("make the skeleton", e))?;
    mount::attach_at(skeleton.as_fd(), Path::new("/"))
        .map_err(|e| failed("attach the skeleton", e))?;
    let skeleton_path = PathBuf::from(format!("/proc/self/fd/{}", skeleton.as_raw_fd()));
    let mut all = vec![skeleton_path.as_path()];
    all.extend_from_slice(lowers);
    let root = mount::overlay_read_only(&all).map_err(|e| failed("mount an overlay", e))?;
    let tmp = mount::tmpfs_detached(&[("mode", Some("1777"))])
        .map_err(|e| failed("mount a tmpfs for /tmp", e))?;
    let shell = find_shell(root.as_fd(), ROOT_SHELLS);
    Ok((Layout::Root { root, tmp }, shell))
}

/// The top layer of a whole root: the directories the container's trees
/// are mounted on, and empty files to mount its name service files on
/// where the toolbox has none.
fn skeleton(tools: &Tools, absent: &[&str]) -> std::result::Result<OwnedFd, Errno> {
    let top = mount::tmpfs_detached(&[("mode", Some("0755")), ("size", Some("1m"))])?;
    let mut dirs: Vec<PathBuf> = ["etc", "tmp"].iter().map(PathBuf::from).collect();
    dirs.extend(KERNEL_DIRS.iter().map(PathBuf::from));
    let mut at = PathBuf::new();
    for part in tools.container_dir().iter().skip(1) {
        at.push(part);
        dirs.push(at.clone());
    }
    for dir in &dirs {
        match fs::mkdir_at(top.as_fd(), dir, 0o755) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e),
        }
    }
    for file in absent {
        fs::create_at(top.as_fd(), Path::new(file), 0o644)?;
    }
    Ok(top)
}

/// The name service files (`NAME_FILES`) that none of `layers` (opened
/// from `dirs`, the top one first) brings.
fn absent_name_files(dirs: &[&Path], layers: &[OwnedFd], name: &str) -> Result<Vec<&'static str>> {
    let mut absent = Vec::new();
    for file in NAME_FILES {
        if !in_layers(dirs, layers, Path::new(file), name)? {
            absent.push(*file);
        }
    }
    Ok(absent)
}

/// Whether `path` is in the merged view of `layers` (opened from `dirs`,
/// the top one first): the first layer that has an entry there decides,
/// and an overlay whiteout (a 0:0 character device) says it was removed.
/// Only ENOENT and ENOTDIR mean a layer has nothing there; any other
/// failure (a loop of links, a denied directory) is an error that names
/// the path, since the overlay would show what we cannot see.
fn in_layers(dirs: &[&Path], layers: &[OwnedFd], path: &Path, name: &str) -> Result<bool> {
    for (dir, layer) in dirs.iter().zip(layers) {
        let entry = fs::open_in_root(layer.as_fd(), path, OFlags::PATH | OFlags::NOFOLLOW)
            .and_then(|file| fs::fstat(file.as_fd()));
        match entry {
            Ok(meta) => return Ok(!meta.is_char_device(0, 0)),
            Err(Errno::NOENT | Errno::NOTDIR) => continue,
            Err(e) => {
                return Err(Error::sys(
                    format!(
                        "cannot look up {} in the layer {} of {name}",
                        path.display(),
                        dir.display()
                    ),
                    e,
                ))
            }
        }
    }
    Ok(false)
}

/// The first of `shells` that is an executable file in the tree (links
/// followed inside it).
fn find_shell(tree: BorrowedFd<'_>, shells: &[&'static str]) -> Option<&'static str> {
    shells.iter().copied().find(|shell| {
        fs::open_in_root(tree, Path::new(shell), OFlags::PATH)
            .and_then(|file| fs::fstat(file.as_fd()))
            .is_ok_and(|meta| meta.is_executable())
    })
}

impl PreparedTools {
    /// Whether the user namespace is entered after the tools are mounted
    /// (security rule 17: the private mount namespace then belongs to our
    /// user namespace, over which the container has no power). A caller
    /// whose tools a helper opened has no right to mount but the one the
    /// container's user namespace gives it, its own: it enters that first,
    /// and the lock ([`lock`]) is what keeps the tools read-only.
    pub fn user_namespace_last(&self) -> bool {
        !self.by_helper
    }

    /// The toolbox's shell, or why there is none: a plan that runs the
    /// toolbox's shell is refused before anything is entered.
    pub fn require_shell(&self) -> Result<()> {
        match self.shell {
            Some(_) => Ok(()),
            None => Err(Error::msg(format!(
                "no shell in the tools {} (no bash or sh): give a command to run",
                source_name(&self.wanted)
            ))),
        }
    }
}

/// After entering the container's mount namespace: a private copy of it,
/// with the tools mounted, then locked ([`lock`]). Nothing reaches the
/// container's own namespace.
pub fn attach(prepared: PreparedTools) -> Result<Attached> {
    let tools = &prepared.wanted;
    let failed = |what: &str, e| Error::sys(format!("cannot {what} for the tools"), e);
    ns::unshare_mount_namespace().map_err(|e| failed("make a mount namespace", e))?;
    mount::make_private_recursive(Path::new("/")).map_err(|e| failed("make / private", e))?;
    let root = fs::open(Path::new("/"), OFlags::PATH | OFlags::DIRECTORY)
        .map_err(|e| failed("open the container's root", e))?;
    let attached = match prepared.layout {
        Layout::Programs { tree } => {
            let (at, place) = mount_point(root.as_fd(), tools.at.as_deref())?;
            mount::attach(tree.as_fd(), place.as_fd()).map_err(|e| {
                Error::sys(
                    format!(
                        "cannot mount tools {} at {}",
                        source_name(tools),
                        at.display()
                    ),
                    e,
                )
            })?;
            Attached {
                shell: prepared.shell.map(|s| at.join(s)),
                programs_at: Some(at),
            }
        }
        Layout::Root { root: toolbox, tmp } => {
            enter_root(root.as_fd(), toolbox.as_fd(), tmp.as_fd(), tools)?;
            Attached {
                programs_at: None,
                shell: prepared.shell.map(|s| Path::new("/").join(s)),
            }
        }
    };
    lock(prepared.proc.as_fd())?;
    if tools.is_root() {
        // Entering the locked copy took us to its root, the toolbox's.
        let at = tools.container_dir();
        chdir(at).map_err(|e| failed(&format!("change directory to {}", at.display()), e))?;
    }
    Ok(attached)
}

/// Move to a copy of our mount namespace in which every mount is locked
/// (`ns::locked_copy_of_mount_namespace`): a process that joins it, even
/// one holding CAP_SYS_ADMIN in our user namespace, cannot make the tools
/// writable, or setuid, or reveal what they cover. Entering it takes us to
/// its root, as entering any mount namespace does: the top of what is
/// mounted on `/`, which is where we were (the container's root, or the
/// toolbox's root mounted over it).
fn lock(proc: BorrowedFd<'_>) -> Result<()> {
    let failed = |e| {
        Error::sys("cannot lock the tools' mounts against remounting", e)
            .hint("creating a user namespace must be allowed (user.max_user_namespaces)")
    };
    let locked = ns::locked_copy_of_mount_namespace(proc).map_err(failed)?;
    ns::setns_file(locked.as_fd(), NsKind::Mnt).map_err(failed)
}

/// Where a directory of programs goes: the place named, or the first
/// empty directory of the usual ones, else /dev/shm; resolved inside the
/// container's root through no symbolic link.
fn mount_point(root: BorrowedFd<'_>, named: Option<&Path>) -> Result<(PathBuf, OwnedFd)> {
    if let Some(at) = named {
        let place = fs::open_in_root_no_symlinks(root, at, OFlags::PATH | OFlags::DIRECTORY)
            .map_err(|e| {
                let err = Error::sys(format!("cannot mount the tools at {}", at.display()), e);
                match e {
                    Errno::LOOP => {
                        err.hint("a symbolic link is on the way; name the real directory")
                    }
                    _ => err,
                }
            })?;
        return Ok((at.to_path_buf(), place));
    }
    let empty = |candidate: &str| {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NONBLOCK;
        let dir = fs::open_in_root_no_symlinks(root, Path::new(candidate), flags).ok()?;
        (fs::dir_is_empty(dir.as_fd()) == Ok(true)).then_some(dir)
    };
    for candidate in TOOLS_MOUNT_POINTS {
        if let Some(dir) = empty(candidate) {
            return Ok((PathBuf::from(candidate), dir));
        }
    }
    let last = Path::new(TOOLS_LAST_MOUNT_POINT);
    let no_shm = match fs::open_in_root_no_symlinks(root, last, OFlags::PATH | OFlags::DIRECTORY) {
        Ok(dir) => return Ok((last.to_path_buf(), dir)),
        Err(e) => e,
    };
    for candidate in TOOLS_TMPFS_MOUNT_POINTS {
        if let Some(dir) = empty(candidate) {
            if fs::fs_type(dir.as_fd()) == Ok(TMPFS_MAGIC) {
                return Ok((PathBuf::from(candidate), dir));
            }
        }
    }
    Err(Error::msg(format!(
        "no place to mount the tools: no empty {}, no {} ({}), and no empty tmpfs at {}",
        TOOLS_MOUNT_POINTS.join(", "),
        last.display(),
        crate::error::strerror(no_shm.raw_os_error()),
        TOOLS_TMPFS_MOUNT_POINTS.join(", ")
    ))
    .hint("name a directory of the container with --tools-at"))
}

/// statfs's f_type of a tmpfs (linux/magic.h).
const TMPFS_MAGIC: i64 = 0x0102_1994;

/// Make the toolbox our root, with the container's trees in it.
fn enter_root(
    container: BorrowedFd<'_>,
    toolbox: BorrowedFd<'_>,
    tmp: BorrowedFd<'_>,
    tools: &Tools,
) -> Result<()> {
    let failed = |what: String, e| Error::sys(format!("cannot {what} for the tools"), e);
    // Copies of the container's trees, taken before the toolbox covers them.
    let whole = mount::clone_tree(container, Path::new(""), true)
        .map_err(|e| failed("copy the container's root".into(), e))?;
    let mut trees = Vec::new();
    for dir in KERNEL_DIRS {
        let flags = OFlags::PATH | OFlags::DIRECTORY;
        if let Ok(place) = fs::open_in_root_no_symlinks(container, Path::new(dir), flags) {
            let tree = mount::clone_tree(place.as_fd(), Path::new(""), true)
                .map_err(|e| failed(format!("copy the container's /{dir}"), e))?;
            trees.push((*dir, tree));
        }
    }
    for file in NAME_FILES {
        // Links are followed inside the container's root (resolv.conf is
        // often one), but only to a regular file.
        let Ok(found) = fs::open_in_root(container, Path::new(file), OFlags::PATH) else {
            continue;
        };
        if fs::fstat(found.as_fd()).is_ok_and(|m| m.is_regular()) {
            let tree = mount::clone_tree(found.as_fd(), Path::new(""), false)
                .map_err(|e| failed(format!("copy the container's /{file}"), e))?;
            trees.push((*file, tree));
        }
    }

    mount::attach_at(toolbox, Path::new("/")).map_err(|e| failed("mount the toolbox".into(), e))?;
    fchdir(toolbox).map_err(|e| failed("enter the toolbox".into(), e))?;
    chroot(Path::new(".")).map_err(|e| failed("change root to the toolbox".into(), e))?;
    let root = fs::open(Path::new("/"), OFlags::PATH | OFlags::DIRECTORY)
        .map_err(|e| failed("open the toolbox".into(), e))?;
    let place = |path: &Path, flags: OFlags| {
        fs::open_in_root_no_symlinks(root.as_fd(), path, OFlags::PATH | flags)
    };
    let at = tools.container_dir();
    place(at, OFlags::DIRECTORY)
        .and_then(|dir| mount::attach(whole.as_fd(), dir.as_fd()))
        .map_err(|e| failed(format!("mount the container's root at {}", at.display()), e))?;
    for (path, tree) in &trees {
        // Our skeleton made each place; a toolbox whose own entry there is
        // not of the same kind (a file for a directory) does without.
        if let Ok(dir) = place(Path::new(path), OFlags::empty()) {
            mount::attach(tree.as_fd(), dir.as_fd())
                .map_err(|e| failed(format!("mount the container's /{path}"), e))?;
        }
    }
    place(Path::new("tmp"), OFlags::DIRECTORY)
        .and_then(|dir| mount::attach(tmp, dir.as_fd()))
        .map_err(|e| failed("mount a tmpfs at /tmp".into(), e))
}

/// PATH with the directory of programs appended: the container's own
/// programs keep coming first.
pub fn append_to_path(env: &mut Vec<CString>, dir: &Path) {
    let at = env.iter().position(|e| e.as_bytes().starts_with(b"PATH="));
    let mut entry = match at {
        Some(i) => env[i].as_bytes().to_vec(),
        None => [b"PATH=", super::exec::DEFAULT_PATH].concat(),
    };
    if entry.len() > b"PATH=".len() {
        entry.push(b':');
    }
    entry.extend_from_slice(dir.as_os_str().as_bytes());
    let entry = CString::new(entry).expect("neither PATH nor a path holds a NUL");
    match at {
        Some(i) => env[i] = entry,
        None => env.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only "no such entry" means a layer lacks a file: a loop of links
    /// in a layer is an error naming the path, not a file to make up.
    #[test]
    fn a_layer_that_cannot_be_looked_into_is_an_error() {
        let base = std::env::temp_dir().join(format!("nsc-layers-{}", std::process::id()));
        let (top, looped, bottom) = (base.join("top"), base.join("looped"), base.join("bottom"));
        for dir in [&top, &looped, &bottom] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::create_dir_all(bottom.join("etc")).unwrap();
        std::fs::write(bottom.join("etc/hosts"), "").unwrap();
        std::os::unix::fs::symlink("etc", looped.join("etc")).unwrap();
        let open = |dirs: &[&Path]| -> Vec<OwnedFd> {
            dirs.iter()
                .map(|d| fs::open(d, OFlags::PATH | OFlags::DIRECTORY).unwrap())
                .collect()
        };
        let hosts = Path::new("etc/hosts");

        let plain: [&Path; 2] = [&top, &bottom];
        assert_eq!(in_layers(&plain, &open(&plain), hosts, "t"), Ok(true));
        let resolv = Path::new("etc/resolv.conf");
        assert_eq!(in_layers(&plain, &open(&plain), resolv, "t"), Ok(false));

        let with_loop: [&Path; 3] = [&top, &looped, &bottom];
        let err = in_layers(&with_loop, &open(&with_loop), hosts, "t").unwrap_err();
        assert_eq!(err.errno, Some(Errno::LOOP));
        let text = err.to_string();
        assert!(
            text.contains("etc/hosts") && text.contains(&looped.display().to_string()),
            "{text}"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    fn env(entries: &[&str]) -> Vec<CString> {
        entries.iter().map(|e| CString::new(*e).unwrap()).collect()
    }

    #[test]
    fn path_gets_the_tools_appended() {
        let mut with = env(&["PATH=/usr/bin:/bin", "HOME=/"]);
        append_to_path(&mut with, Path::new("/dev/shm"));
        assert_eq!(with, env(&["PATH=/usr/bin:/bin:/dev/shm", "HOME=/"]));
        let mut without = env(&["HOME=/"]);
        append_to_path(&mut without, Path::new("/mnt"));
        assert_eq!(without, env(&["HOME=/", "PATH=/bin:/usr/bin:/mnt"]));
        let mut empty = env(&["PATH="]);
        append_to_path(&mut empty, Path::new("/mnt"));
        assert_eq!(empty, env(&["PATH=/mnt"]));
    }
}

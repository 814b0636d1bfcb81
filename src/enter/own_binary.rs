//! Security rule 6: what a container can see of our executable is never
//! the host's file, open for writing (runc CVE-2019-5736).
//!
//! Between fork and exec the program's process is in the container's PID
//! namespace, running our binary: a container process holding
//! CAP_SYS_PTRACE (not dumpable does not stop it) can open
//! /proc/PID/exe, keep the descriptor, and reopen /proc/self/fd/N for
//! writing once we have exited, rewriting the tool the host runs as root.
//!
//! So before anything else the tool runs itself again from a copy that
//! cannot be written: a detached read-only bind mount of its own file
//! (open_tree with OPEN_TREE_CLONE, then mount_setattr MOUNT_ATTR_RDONLY,
//! then execveat). Every path to the file then goes through that mount,
//! and a write gives EROFS; the mount is dissolved once the descriptor is
//! closed at exec, so nothing can make it writable again, even with
//! CAP_SYS_ADMIN. No copy is made: it costs one execve. A binary that
//! already sits on a read-only mount (or a sealed copy) is left as it is.
//! Kernels without mount_setattr (before 5.12) get runc's answer instead:
//! a copy in a memfd sealed against writes, which costs a copy of the
//! binary on every run.
//!
//! Without CAP_SYS_ADMIN over our mount namespace (open_tree fails with
//! EPERM) nothing is done: then we cannot enter a namespace owned by the
//! host's user namespace either, and a container in a user namespace of
//! its own holds no capability over our (host-owned) memory, so not
//! dumpable keeps it out.

use crate::error::{Error, Result};
use crate::sys::{exec, fs, mount, process, Errno};
use std::ffi::CString;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const OWN_EXE: &str = "/proc/self/exe";

/// Run again from a copy of our binary that cannot be written, unless this
/// run already is one; returns only when nothing needs doing.
pub fn run_from_protected_copy(tool: &str) -> Result<()> {
    let exe = Path::new(OWN_EXE);
    let args: Vec<CString> = std::env::args_os()
        .filter_map(|a| CString::new(a.as_bytes()).ok())
        .collect();
    if fs::on_read_only_mount(exe) || fs::sealed_against_writes(exe) {
        // Kernels before 6.14 name a process started with execveat after
        // the descriptor's number; give it back the name it was run by.
        if let Some(name) = args.first().map(|a| a.as_bytes()) {
            let base = name.rsplit(|&b| b == b'/').next().unwrap_or(name);
            process::set_name(base);
        }
        return Ok(());
    }
    let failed = |e| {
        Error::sys(
            format!("cannot run {tool} from a copy the container cannot write"),
            e,
        )
    };
    let copy = match mount::clone_read_only(exe) {
        Ok(clone) if fs::fd_on_read_only_mount(clone.as_fd()) => clone,
        Err(Errno::PERM) => return Ok(()),
        _ => fs::sealed_copy(exe, tool).map_err(failed)?,
    };
    Err(failed(exec::reexec(copy.as_fd(), &args)))
}

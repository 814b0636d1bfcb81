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
//! Where that clone cannot be made (a kernel before 5.12 without
//! mount_setattr, or an LSM or a seccomp filter on us that denies
//! open_tree or mount_setattr, with EPERM as often as ENOSYS) the tool
//! runs from runc's answer instead: a copy in a memfd sealed against
//! writes, which costs a copy of the binary on every run. If neither can
//! be made, nothing runs: the message says how to run the binary as it is
//! (from a read-only mount, which needs neither).

use crate::error::{Error, Result};
use crate::sys::{exec, fs, mount, process};
use std::ffi::CString;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const OWN_EXE: &str = "/proc/self/exe";

/// Kernels before 6.14 name a process started with execveat after the
/// descriptor's number (`3` in ps): give it back the name it was run by.
/// Called by every run that may come from such a start (docker-enter's
/// entry point makes it before parsing, whatever the command line).
pub fn restore_name() {
    let Some(arg0) = std::env::args_os().next() else {
        return;
    };
    let name = arg0.as_bytes();
    process::set_name(name.rsplit(|&b| b == b'/').next().unwrap_or(name));
}

/// Run again from a copy of our binary that cannot be written, unless this
/// run already is one; returns only when nothing needs doing.
pub fn run_from_protected_copy(tool: &str) -> Result<()> {
    let exe = Path::new(OWN_EXE);
    let args: Vec<CString> = std::env::args_os()
        .filter_map(|a| CString::new(a.as_bytes()).ok())
        .collect();
    if fs::on_read_only_mount(exe) || fs::sealed_against_writes(exe) {
        restore_name();
        return Ok(());
    }
    let refused = |e| {
        Error::sys(
            format!("cannot run {tool} from a copy the container cannot write"),
            e,
        )
        .hint(format!(
            "{tool} on a read-only mount (mount --bind -o ro) runs as it is"
        ))
    };
    let copy = match mount::clone_read_only(exe) {
        Ok(clone) if fs::fd_on_read_only_mount(clone.as_fd()) => clone,
        // Denied, unknown to this kernel, or not read-only after all.
        _ => fs::sealed_copy(exe, tool).map_err(refused)?,
    };
    Err(refused(exec::reexec(copy.as_fd(), &args)))
}

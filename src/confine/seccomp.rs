//! The target's seccomp filters, copied from its live process.
//!
//! Why the live process and not the runtime's OCI configuration
//! (`linux.seccomp` in config.json, compiled to BPF): the process's stack
//! is exactly what the kernel enforces on the container, for every runtime
//! (Docker, Podman, containerd, LXC, systemd-nspawn) and for nsenter's
//! targets that no runtime describes; it already includes every filter the
//! container stacked on top of its runtime's (a container can only add
//! filters, never remove one), so a copy can never give the program more
//! than the container's own process holds; and no JSON profile compiler
//! (libseccomp's job, with per-architecture syscall tables) is needed.
//!
//! The process is seized with ptrace, stopped for the read (about 0.06 ms
//! for Docker's default filter of 974 instructions) and let go; a signal
//! that arrived meanwhile is given back to it.

use crate::error::{Error, Result};
use crate::sys::ptrace;
use crate::sys::seccomp::Filter;
use crate::sys::Errno;
use crate::target::Target;
use std::time::Duration;

/// How long the target may take to stop for the read. A process stops at
/// once unless it is in an uninterruptible sleep (a hung NFS server, a
/// frozen cgroup).
const STOP_LIMIT: Duration = Duration::from_secs(2);

/// The seccomp mode of a process's status (0, 1 or 2) and, in mode 2, its
/// filters, oldest first (the order to install them in).
pub fn copy(target: &Target, mode: u8, tracer: i32) -> Result<Vec<Filter>> {
    let pid = target.pid;
    let what = format!("cannot read the seccomp filters of process {pid}");
    match mode {
        0 => return Ok(Vec::new()),
        1 => {
            return Err(Error::msg(format!(
                "process {pid} runs in seccomp strict mode, under which no program can be started"
            )))
        }
        2 => {}
        other => return Err(Error::msg(format!("{what}: unknown seccomp mode {other}"))),
    }
    if tracer != 0 {
        return Err(Error::msg(format!(
            "{what}: it is being traced by process {tracer}"
        )));
    }
    let mut seized = ptrace::seize(pid).map_err(|e| match e {
        Errno::PERM => Error::sys(format!("{what}: cannot trace it"), e),
        e => Error::sys(what.clone(), e),
    })?;
    // The PID we seized is still the pidfd's process.
    target.check_alive()?;
    seized.stop(STOP_LIMIT).map_err(|e| match e {
        Errno::TIMEDOUT => Error::msg(format!(
            "{what}: it did not stop within {} s",
            STOP_LIMIT.as_secs()
        )),
        Errno::SRCH => Error::msg(format!("process {pid} exited")),
        e => Error::sys(format!("{what}: cannot stop it"), e),
    })?;
    let mut filters = Vec::new();
    loop {
        match seized.seccomp_filter(filters.len() as u64) {
            Ok(filter) => filters.push(filter),
            Err(Errno::NOENT) if !filters.is_empty() => break,
            Err(e) => return Err(refused(&what, e)),
        }
    }
    seized.detach().map_err(|e| {
        Error::sys(
            format!("cannot let process {pid} go after reading its seccomp filters"),
            e,
        )
    })?;
    // The kernel lists the newest first; they are installed oldest first.
    filters.reverse();
    Ok(filters)
}

/// Why the kernel would not hand a filter over, in the user's terms.
fn refused(what: &str, errno: Errno) -> Error {
    match errno {
        Errno::IO => Error::msg(format!(
            "{what}: this kernel cannot copy seccomp filters (PTRACE_SECCOMP_GET_FILTER needs Linux 4.4 with CONFIG_CHECKPOINT_RESTORE)"
        )),
        Errno::ACCESS => Error::sys(what, errno)
            .hint("reading them takes CAP_SYS_ADMIN, and no seccomp filter of our own"),
        e => Error::sys(what, e),
    }
}

//! The target's seccomp filters, copied from its live process: the way
//! for a target that no runtime describes (nsenter's `--confine`,
//! docker-enter's `pid:`), where there is no record to compile them from.
//!
//! The copy is exactly what the kernel enforces on the process: every
//! filter, the runtime's and those the process stacked on top (a process
//! can only add filters, never remove one), so the program never gets
//! less than the target holds. The cost is a stop: the process is seized
//! with ptrace, interrupted for the read (about 0.06 ms for Docker's
//! default filter of 974 instructions) and let go; a signal that arrived
//! meanwhile is given back to it. But the stop interrupts what it was
//! waiting in: an idle `epoll_wait`, `semop` or `sigtimedwait` returns
//! EINTR (security rule 19), which is why a runtime's container never
//! comes here. A process has one tracer at a time: while another holds it
//! (most often another copy of the same filters, for a tenth of a
//! millisecond) the seize is tried again, backing off, within the same
//! limit as the stop.
//!
//! The kernel numbers a process's filters from the oldest
//! (PTRACE_SECCOMP_GET_FILTER, `get_nth_filter`): index 0 is the first one
//! installed, and they are installed again in that order. When two filters
//! give the same action for a call, the newest one's data wins (the errno
//! of an ERRNO): the order is part of what the copy must keep.

use crate::confine::status;
use crate::error::{Error, Result};
use crate::sys::ptrace::{self, Seized};
use crate::sys::seccomp::Filter;
use crate::sys::Errno;
use crate::target::Target;
use std::time::{Duration, Instant};

/// How long the target may take to be free of another tracer and to stop
/// for the read. A process stops at once unless it is in an
/// uninterruptible sleep (a hung NFS server, a frozen cgroup, a vfork
/// whose child never execs).
const STOP_LIMIT: Duration = Duration::from_secs(2);

/// The filters of a process in seccomp mode 2, oldest first (the order
/// to install them in).
pub fn copy(target: &Target) -> Result<Vec<Filter>> {
    let pid = target.pid;
    let what = format!("cannot read the seccomp filters of process {pid}");
    let deadline = Instant::now() + STOP_LIMIT;
    let mut seized = seize_when_free(target, deadline, &what)?;
    // The PID we seized is still the pidfd's process.
    target.check_alive()?;
    let left = deadline.saturating_duration_since(Instant::now());
    seized.stop(left).map_err(|e| match e {
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
    // Index 0 is the oldest: already the order to install them in.
    Ok(filters)
}

/// Seize the process once no other tracer holds it, trying again until
/// `deadline`: a refusal then names the tracer. A refusal while nothing
/// traces it is tried once more (its tracer may have just let go), then
/// reported: we may not trace it.
fn seize_when_free(target: &Target, deadline: Instant, what: &str) -> Result<Seized> {
    let mut pause = Duration::from_micros(100);
    let mut refused_untraced = false;
    loop {
        match ptrace::seize(target.pid) {
            Ok(seized) => return Ok(seized),
            Err(Errno::PERM) => {}
            Err(e) => return Err(Error::sys(what, e)),
        }
        let tracer = status::read(target)?.tracer;
        if tracer == 0 {
            if refused_untraced {
                return Err(Error::sys(format!("{what}: cannot trace it"), Errno::PERM));
            }
            refused_untraced = true;
            continue;
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::msg(format!(
                "{what}: it is being traced by {}",
                describe(tracer)
            )));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// "process 42 (strace)", or without its name if it is gone.
fn describe(pid: i32) -> String {
    match std::fs::read(format!("/proc/{pid}/comm")) {
        Ok(name) if name.len() <= 64 => {
            let name = String::from_utf8_lossy(&name);
            format!("process {pid} ({})", name.trim_end())
        }
        _ => format!("process {pid}"),
    }
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

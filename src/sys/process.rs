//! Processes: fork and wait, leaving, signals to ourselves at the end, and
//! the prctl flags that guard a process holding host descriptors.

use super::{check, SysResult};
use rustix::process::{DumpableBehavior, Pid, Resource, Rlimit, WaitOptions};

pub enum Forked {
    Parent { child: i32 },
    Child,
}

/// fork(2). Callers must be single-threaded (the tools are).
pub fn fork() -> SysResult<Forked> {
    // SAFETY: the tools are single-threaded, so the child may run any code.
    let pid = check(unsafe { libc::fork() } as libc::c_long)?;
    Ok(if pid == 0 {
        Forked::Child
    } else {
        Forked::Parent { child: pid as i32 }
    })
}

/// How a child ended or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Exited(i32),
    Signaled(i32),
    Stopped(i32),
    Continued,
}

/// waitpid(2) for one child without blocking, reporting stops and
/// continues too; None when nothing changed.
pub fn wait_child_nohang(pid: i32) -> SysResult<Option<ChildStatus>> {
    let pid = Pid::from_raw(pid).ok_or(super::Errno::CHILD)?;
    let options = WaitOptions::UNTRACED | WaitOptions::CONTINUED | WaitOptions::NOHANG;
    let Some((_, status)) = super::retry(|| rustix::process::waitpid(Some(pid), options))? else {
        return Ok(None);
    };
    Ok(Some(if let Some(code) = status.exit_status() {
        ChildStatus::Exited(code)
    } else if let Some(sig) = status.terminating_signal() {
        ChildStatus::Signaled(sig)
    } else if let Some(sig) = status.stopping_signal() {
        ChildStatus::Stopped(sig)
    } else {
        ChildStatus::Continued
    }))
}

pub fn getpid() -> i32 {
    rustix::process::getpid().as_raw_nonzero().get()
}

/// PR_SET_DUMPABLE: while not dumpable, other processes of the same uid
/// (a container's root) cannot ptrace us or open our /proc files.
pub fn set_dumpable(dumpable: bool) -> SysResult<()> {
    rustix::process::set_dumpable_behavior(if dumpable {
        DumpableBehavior::Dumpable
    } else {
        DumpableBehavior::NotDumpable
    })
}

/// PR_SET_PDEATHSIG: the signal we get when our parent dies. Any signal
/// number, real-time ones included (rustix takes only named signals).
pub fn set_parent_death_signal(sig: i32) -> SysResult<()> {
    // SAFETY: PR_SET_PDEATHSIG takes an integer signal number only.
    check(unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            sig as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    } as libc::c_long)
    .map(drop)
}

/// Stop core dumps (used before dying of a signal that would dump one:
/// the program's crash is not ours).
pub fn disable_core_dumps() {
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = rustix::process::setrlimit(Resource::Core, none);
}

/// _exit(2) without running destructors or flushing stdio (used in a
/// forked child that must not run the parent's cleanup).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// The unit of start times in /proc/PID/stat (sysconf(_SC_CLK_TCK)).
pub fn clock_ticks_per_second() -> i64 {
    i64::try_from(rustix::param::clock_ticks_per_second())
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(100)
}

//! The parent that stays behind when the program runs in a new PID
//! namespace: it waits, passes stops on (job control), forwards signals
//! sent to it, and ends the way the program ended.
//!
//! util-linux leaves the program running when its parent is killed; here
//! signals a process sends us are forwarded, signals from the terminal
//! (which the program's process group gets anyway) are not delivered a
//! second time, and the program gets a parent-death signal if we are
//! killed outright.

use crate::error::{self, Error, Result};
use crate::sys::process::{self, ChildStatus, Forked};
use crate::sys::signal::{self, SigSet};

/// Signals a user (or a supervisor such as systemd or docker) may send to
/// stop or poke the program.
const FORWARDED: [i32; 8] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTERM,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
    libc::SIGALRM,
];

/// Fork; the child runs `child` (which execs, or returns the error that
/// stopped it), the parent waits and returns the program's exit status
/// (or dies of its signal).
pub fn fork_and_wait(tool: &str, death_signal: i32, child: impl FnOnce() -> Error) -> Result<i32> {
    let mut waited = FORWARDED.to_vec();
    waited.push(libc::SIGCHLD);
    let set = SigSet::of(&waited);
    let old_mask = signal::block(&set).map_err(|e| Error::sys("cannot block signals", e))?;
    let parent = process::getpid();
    match process::fork().map_err(|e| Error::sys("fork failed", e))? {
        Forked::Child => {
            let _ = signal::set_mask(&old_mask);
            // If we die, the program must not live on unseen (PR_SET_PDEATHSIG);
            // if we died already, act as if the signal came. In a PID namespace
            // that we are outside of, our parent shows as 0; once reparented
            // the child sees its new reaper instead.
            let ppid_ok = |p: i32| p == parent || p == 0;
            if process::set_parent_death_signal(death_signal).is_err()
                || !ppid_ok(process::getppid())
            {
                process::exit_now(128 + death_signal);
            }
            let err = child();
            process::exit_now(error::report(tool, &err))
        }
        Forked::Parent { child } => wait_forwarding(child, &set),
    }
}

fn wait_forwarding(child: i32, set: &SigSet) -> Result<i32> {
    loop {
        let received = signal::wait(set).map_err(|e| Error::sys("cannot wait for signals", e))?;
        if received.signo != libc::SIGCHLD {
            if received.sent_by_process() {
                let _ = signal::kill(child, received.signo);
            }
            continue;
        }
        match process::wait_child(child) {
            Ok(ChildStatus::Exited(code)) => return Ok(code),
            Ok(ChildStatus::Signaled(sig)) => die_of(sig),
            Ok(ChildStatus::Stopped(_)) => {
                // Job control: stop ourselves so the shell sees a stopped job,
                // and continue the program when we are continued.
                let _ = signal::kill(process::getpid(), libc::SIGSTOP);
                let _ = signal::kill(child, libc::SIGCONT);
            }
            Ok(ChildStatus::Continued) => {}
            Err(libc::ECHILD) => return Err(Error::sys("waitpid failed", libc::ECHILD)),
            Err(e) => return Err(Error::sys("waitpid failed", e)),
        }
    }
}

/// End the way the program ended: by the same signal, without a core dump
/// of our own.
fn die_of(sig: i32) -> ! {
    process::disable_core_dumps();
    signal::set_default(sig);
    let _ = signal::set_mask(&SigSet::of(&[]));
    process::raise(sig);
    process::exit_now(128 + sig)
}

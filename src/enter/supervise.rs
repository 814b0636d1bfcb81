//! The parent that stays behind when the program runs in a new PID
//! namespace (or with a pty): it waits, passes stops on (job control),
//! forwards signals sent to it, relays the terminal, and ends the way the
//! program ended.
//!
//! util-linux leaves the program running when its parent is killed; here
//! signals a process sends us are forwarded, signals from the terminal
//! (which the program's process group gets anyway) are not delivered a
//! second time, and the program gets a parent-death signal if we are
//! killed outright.

use super::terminal::{self, Pty, RawMode};
use crate::error::{self, Error, Result};
use crate::sys::fd;
use crate::sys::process::{self, ChildStatus, Forked};
use crate::sys::signal::{self, SigSet};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

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
pub fn fork_and_wait(
    tool: &str,
    death_signal: i32,
    mut pty: Option<Pty>,
    child: impl FnOnce() -> Error,
) -> Result<i32> {
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
            if let Some(peer) = pty.as_ref().and_then(|p| p.peer.as_ref()) {
                if let Err(e) = terminal::attach_program(peer.as_fd()) {
                    process::exit_now(error::report(tool, &e));
                }
            }
            let err = child();
            process::exit_now(error::report(tool, &err))
        }
        Forked::Parent { child } => {
            if let Some(p) = pty.as_mut() {
                // Only the program may hold the peer, or the master never sees EOF.
                p.peer = None;
            }
            Parent::new(child, &set, pty)?.wait()
        }
    }
}

struct Parent {
    child: i32,
    signals: std::os::fd::OwnedFd,
    pty: Option<Pty>,
    raw: Option<RawMode>,
    stdin_open: bool,
}

impl Parent {
    fn new(child: i32, set: &SigSet, pty: Option<Pty>) -> Result<Parent> {
        let signals =
            signal::signalfd(set).map_err(|e| Error::sys("cannot wait for signals", e))?;
        let raw = pty.as_ref().map(|p| {
            terminal::copy_window_size(p.master.as_fd());
            RawMode::enter()
        });
        Ok(Parent {
            child,
            signals,
            pty,
            raw,
            stdin_open: true,
        })
    }

    fn wait(mut self) -> Result<i32> {
        loop {
            let mut fds = vec![pollfd(self.signals.as_fd())];
            if let Some(pty) = &self.pty {
                fds.push(pollfd(pty.master.as_fd()));
                if self.stdin_open {
                    fds.push(pollfd(std::io::stdin().as_fd()));
                }
            }
            match fd::poll(&mut fds, -1) {
                Ok(_) | Err(libc::EINTR) => {}
                Err(e) => return Err(Error::sys("poll failed", e)),
            }
            if fds.len() > 1 && fds[1].revents != 0 {
                self.relay_output();
            }
            if fds.len() > 2 && fds[2].revents != 0 {
                self.relay_input();
            }
            if fds[0].revents != 0 {
                if let Some(code) = self.take_signals()? {
                    return Ok(code);
                }
            }
        }
    }

    fn relay_output(&mut self) {
        let Some(pty) = &self.pty else { return };
        if !terminal::pump(pty.master.as_fd(), std::io::stdout().as_fd()) {
            // The program's side is closed; keep waiting for its status only.
            self.pty = None;
        }
    }

    fn relay_input(&mut self) {
        let Some(pty) = &self.pty else { return };
        if !terminal::pump(std::io::stdin().as_fd(), pty.master.as_fd()) {
            self.stdin_open = false;
        }
    }

    /// Handle pending signals; Some(status) once the program has exited.
    fn take_signals(&mut self) -> Result<Option<i32>> {
        while let Some(received) = signal::read_signalfd(self.signals.as_fd())
            .map_err(|e| Error::sys("cannot read signals", e))?
        {
            match received.signo {
                libc::SIGCHLD => {
                    if let Some(code) = self.reap()? {
                        return Ok(Some(code));
                    }
                }
                libc::SIGWINCH if self.pty.is_some() => {
                    if let Some(pty) = &self.pty {
                        terminal::copy_window_size(pty.master.as_fd());
                    }
                }
                signo if received.sent_by_process() => {
                    let _ = signal::kill(self.child, signo);
                }
                _ => {}
            }
        }
        Ok(None)
    }

    fn reap(&mut self) -> Result<Option<i32>> {
        loop {
            match process::wait_child_nohang(self.child) {
                Ok(None) => return Ok(None),
                Ok(Some(ChildStatus::Exited(code))) => {
                    self.finish();
                    return Ok(Some(code));
                }
                Ok(Some(ChildStatus::Signaled(sig))) => {
                    self.finish();
                    die_of(sig)
                }
                Ok(Some(ChildStatus::Stopped(_))) => {
                    // Job control: stop ourselves so the shell sees a stopped
                    // job, and continue the program when we are continued.
                    if let Some(raw) = &self.raw {
                        raw.restore();
                    }
                    let _ = signal::kill(process::getpid(), libc::SIGSTOP);
                    if self.raw.is_some() {
                        self.raw = Some(RawMode::enter());
                    }
                    let _ = signal::kill(self.child, libc::SIGCONT);
                }
                Ok(Some(ChildStatus::Continued)) => {}
                Err(e) => return Err(Error::sys("waitpid failed", e)),
            }
        }
    }

    /// The program is gone: pass on its last output, give the terminal back.
    fn finish(&mut self) {
        if let Some(pty) = &self.pty {
            let _ = fd::set_nonblocking(pty.master.as_fd());
            while terminal::pump(pty.master.as_fd(), std::io::stdout().as_fd()) {}
        }
        if let Some(raw) = self.raw.take() {
            raw.restore();
        }
    }
}

fn pollfd(fd: BorrowedFd<'_>) -> libc::pollfd {
    libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
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

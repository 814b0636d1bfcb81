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
use crate::sys::process::{self, ChildStatus, Forked};
use crate::sys::signal::{self, SigSet};
use crate::sys::{fd, pidfd};
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
    child: impl FnOnce(&DeathWatch) -> Error,
) -> Result<i32> {
    let mut waited = FORWARDED.to_vec();
    waited.push(libc::SIGCHLD);
    let set = SigSet::of(&waited);
    let old_mask = signal::block(&set).map_err(|e| Error::sys("cannot block signals", e))?;
    let parent = pidfd::pidfd_open(process::getpid()).ok();
    match process::fork().map_err(|e| Error::sys("fork failed", e))? {
        Forked::Child => {
            let _ = signal::set_mask(&old_mask);
            if let Some(peer) = pty.as_ref().and_then(|p| p.peer.as_ref()) {
                if let Err(e) = terminal::attach_program(peer.as_fd()) {
                    process::exit_now(error::report(tool, &e));
                }
            }
            let watch = DeathWatch {
                signal: death_signal,
                parent,
            };
            let err = child(&watch);
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

/// The program's tie to the waiting parent: if the parent dies, the
/// program gets `signal` (PR_SET_PDEATHSIG), so it never lives on unseen.
pub struct DeathWatch {
    signal: i32,
    /// A pidfd of the parent: it turns readable when the parent has exited.
    parent: Option<std::os::fd::OwnedFd>,
}

impl DeathWatch {
    /// Arm the parent-death signal. Call after the last credential change:
    /// the kernel clears it whenever uid or gid change. If the parent died
    /// before this, act as if the signal came.
    pub fn arm(&self) -> Result<()> {
        process::set_parent_death_signal(self.signal)
            .map_err(|e| Error::sys("cannot set the parent-death signal", e))?;
        if let Some(parent) = &self.parent {
            let mut fds = [pollfd(parent.as_fd())];
            if fd::poll(&mut fds, 0).is_ok() && fds[0].revents != 0 {
                signal::set_default(self.signal);
                process::raise(self.signal);
                process::exit_now(128 + self.signal);
            }
        }
        Ok(())
    }
}

struct Parent {
    child: i32,
    signals: std::os::fd::OwnedFd,
    pty: Option<Pty>,
    raw: Option<RawMode>,
    stdin_open: bool,
    /// Input read from our terminal, not yet taken by the pty: the master is
    /// non-blocking so a program that does not read cannot stall the relay.
    pending: Vec<u8>,
}

/// Stop reading our input while this much waits for the program.
const PENDING_MAX: usize = 1 << 16;

impl Parent {
    fn new(child: i32, set: &SigSet, pty: Option<Pty>) -> Result<Parent> {
        let signals =
            signal::signalfd(set).map_err(|e| Error::sys("cannot wait for signals", e))?;
        let raw = pty.as_ref().map(|p| {
            let _ = fd::set_nonblocking(p.master.as_fd());
            terminal::copy_window_size(p.master.as_fd());
            RawMode::enter()
        });
        Ok(Parent {
            child,
            signals,
            pty,
            raw,
            stdin_open: true,
            pending: Vec::new(),
        })
    }

    fn wait(mut self) -> Result<i32> {
        loop {
            let mut fds = vec![pollfd(self.signals.as_fd())];
            if let Some(pty) = &self.pty {
                let mut master = pollfd(pty.master.as_fd());
                if !self.pending.is_empty() {
                    master.events |= libc::POLLOUT;
                }
                fds.push(master);
                if self.stdin_open && self.pending.len() < PENDING_MAX {
                    fds.push(pollfd(std::io::stdin().as_fd()));
                }
            }
            match fd::poll(&mut fds, -1) {
                Ok(_) | Err(libc::EINTR) => {}
                Err(e) => return Err(Error::sys("poll failed", e)),
            }
            if fds.len() > 1 && fds[1].revents & libc::POLLOUT != 0 {
                self.feed_program();
            }
            if fds.len() > 1 && fds[1].revents & !libc::POLLOUT != 0 {
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
        if terminal::pump(pty.master.as_fd(), std::io::stdout().as_fd()).is_none() {
            // The program's side is closed; keep waiting for its status only.
            self.pty = None;
        }
    }

    fn relay_input(&mut self) {
        if !terminal::read_into(std::io::stdin().as_fd(), &mut self.pending) {
            self.stdin_open = false;
        }
    }

    fn feed_program(&mut self) {
        let Some(pty) = &self.pty else {
            self.pending.clear();
            return;
        };
        match fd::write_some(pty.master.as_fd(), &self.pending) {
            Ok(n) => {
                self.pending.drain(..n);
            }
            Err(libc::EAGAIN) => {}
            Err(_) => self.pending.clear(),
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
                    if let Some(raw) = &self.raw {
                        raw.reapply();
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
            while let Some(1..) = terminal::pump(pty.master.as_fd(), std::io::stdout().as_fd()) {}
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

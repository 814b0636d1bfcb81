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
//!
//! A session ends with its terminal (security rule 16): when the terminal
//! we relay hangs up (the relay sees it), or the kernel sends us SIGHUP
//! (our terminal hung up, or the process that controlled it died), the
//! program is hung up as at the end of a login session: its pty is closed,
//! or its process group gets SIGHUP. If it has not ended within
//! [`HANGUP_GRACE`] it is killed, and we die of SIGHUP.

use super::pipes::Pipes;
use super::program_cgroup::{self, Born, ProgramCgroup};
use super::relay::{Relay, Relayed};
use super::terminal::{self, Pty, RawMode};
use crate::error::{Error, Result};
use crate::signals::{
    SIGALRM, SIGCHLD, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSTOP, SIGTERM,
    SIGUSR1, SIGUSR2, SIGWINCH,
};
use crate::sys::fd::{self, PollFlags};
use crate::sys::process::{self, ChildStatus};
use crate::sys::signal::{self, SigSet};
use crate::sys::{pidfd, tty, Errno};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// Signals a user (or a supervisor such as systemd or docker) may send to
/// stop or poke the program.
const FORWARDED: [i32; 8] = [
    SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM,
];

/// How long a hung-up program may take to end before it is killed: a
/// shell saving its history has time; the whole stays within a second.
const HANGUP_GRACE: Duration = Duration::from_millis(500);

/// How the program is attached to our terminal.
pub enum Attach {
    /// Our descriptors, as they are.
    Inherit,
    /// A fresh pty, relayed.
    Pty(Pty),
    /// Pipes in place of our standard descriptors (those the caller left
    /// open), relayed; the program in a session of its own.
    Pipes(Pipes),
}

/// Start the program's process (in `cgroup`, see `program_cgroup`); it
/// runs `child` (which execs, or returns the error that stopped it), and
/// we wait and return the program's exit status (or die of its signal).
pub fn fork_and_wait(
    tool: &str,
    death_signal: i32,
    attach: Attach,
    cgroup: Option<&ProgramCgroup<'_>>,
    child: impl FnOnce(&DeathWatch, Born) -> Error,
) -> Result<i32> {
    let mut waited = FORWARDED.to_vec();
    waited.push(SIGCHLD);
    let set = SigSet::of(&waited);
    let old_mask = signal::block(&set).map_err(|e| Error::sys("cannot block signals", e))?;
    let watch = DeathWatch {
        signal: death_signal,
        parent: pidfd::pidfd_open(process::getpid()).ok(),
    };
    let mut child = Some(child);
    let mut in_child = |born: Born| -> i32 {
        let _ = signal::set_mask(&old_mask);
        let attached = match &attach {
            Attach::Inherit => Ok(()),
            Attach::Pty(pty) => match &pty.peer {
                Some(peer) => terminal::attach_program(peer.as_fd()),
                None => Ok(()),
            },
            Attach::Pipes(pipes) => pipes.attach_program(),
        };
        let err = match (attached, child.take()) {
            (Err(e), _) => e,
            (Ok(()), Some(run)) => run(&watch, born),
            (Ok(()), None) => Error::msg("internal error: the program was started twice"),
        };
        crate::sys::stderr::report(tool, &err)
    };
    let child = program_cgroup::spawn(cgroup, &mut in_child)?;
    // Keep only our ends: the program's ends held here would keep its
    // output open after it exits.
    let owns_terminal = !matches!(attach, Attach::Inherit);
    let (relay, raw, detached) = match attach {
        Attach::Inherit => (Relay::none(), None, false),
        Attach::Pty(pty) => {
            let terminals = terminal::standard_terminals();
            terminal::copy_window_size(pty.master.as_fd());
            let raw = terminals[0].then(RawMode::enter);
            (Relay::pty(pty.master, terminals), raw, false)
        }
        Attach::Pipes(pipes) => (
            Relay::pipes(
                pipes.to_program,
                pipes.from_program,
                pipes.unread_input,
                pipes.terminals,
            ),
            None,
            true,
        ),
    };
    if relay.is_active() {
        // A write to a pipe the program closed must not kill us.
        signal::ignore(SIGPIPE);
    }
    let signals = signal::signalfd(&set).map_err(|e| Error::sys("cannot wait for signals", e))?;
    Parent {
        child,
        signals,
        relay,
        raw,
        detached,
        owns_terminal,
        hung_up: None,
        killed: false,
    }
    .wait()
}

/// The program's tie to the waiting parent: if the parent dies, the
/// program gets `signal` (PR_SET_PDEATHSIG), so it never lives on unseen.
pub struct DeathWatch {
    signal: i32,
    /// A pidfd of the parent: it turns readable when the parent has exited.
    parent: Option<OwnedFd>,
}

impl DeathWatch {
    /// Arm the parent-death signal. Call after the last credential change:
    /// the kernel clears it whenever uid or gid change. If the parent died
    /// before this, act as if the signal came.
    pub fn arm(&self) -> Result<()> {
        process::set_parent_death_signal(self.signal)
            .map_err(|e| Error::sys("cannot set the parent-death signal", e))?;
        if let Some(parent) = &self.parent {
            let exited = fd::poll(&[(parent.as_fd(), PollFlags::IN)], Some(0))
                .is_ok_and(|ready| !ready[0].is_empty());
            if exited {
                signal::set_default(self.signal);
                signal::raise(self.signal);
                process::exit_now(128 + self.signal);
            }
        }
        Ok(())
    }
}

struct Parent {
    child: i32,
    signals: OwnedFd,
    relay: Relay,
    raw: Option<RawMode>,
    /// The program is in a session of its own: signals from our terminal
    /// do not reach it unless we pass them on.
    detached: bool,
    /// The program was given a pty or pipes of ours (docker-enter): it
    /// holds no terminal of its own, so our terminal's end is its end.
    owns_terminal: bool,
    /// Set when our terminal went away: when the program must be gone.
    hung_up: Option<Instant>,
    /// We killed the program after a hang-up.
    killed: bool,
}

impl Parent {
    fn wait(mut self) -> Result<i32> {
        loop {
            let (slots, revents) = {
                let relayed = self.relay.poll_set();
                let mut fds = vec![(self.signals.as_fd(), PollFlags::IN)];
                fds.extend(relayed.iter().map(|(_, fd, events)| (*fd, *events)));
                let revents = match fd::poll(&fds, self.time_left_ms()) {
                    Ok(revents) => revents,
                    Err(Errno::INTR) => vec![PollFlags::empty(); fds.len()],
                    Err(e) => return Err(Error::sys("poll failed", e)),
                };
                let slots: Vec<_> = relayed.iter().map(|(slot, _, _)| *slot).collect();
                (slots, revents)
            };
            let ready: Vec<_> = slots
                .into_iter()
                .zip(revents[1..].iter().copied())
                .collect();
            if self.relay.handle(&ready) == Relayed::HungUp {
                self.hang_up();
            }
            if !revents[0].is_empty() {
                if let Some(code) = self.take_signals()? {
                    return Ok(code);
                }
            }
            if self.time_left_ms() == Some(0) && !self.killed {
                // The program outlived its hang-up: nothing stays behind,
                // neither it nor its process group (it leads one).
                let _ = signal::kill(-self.child, SIGKILL);
                let _ = signal::kill(self.child, SIGKILL);
                self.killed = true;
            }
        }
    }

    /// How long poll may wait: without limit, or until the hung-up program
    /// must be gone.
    fn time_left_ms(&self) -> Option<u32> {
        let deadline = self.hung_up.filter(|_| !self.killed)?;
        let left = deadline.saturating_duration_since(Instant::now());
        Some(u32::try_from(left.as_millis()).unwrap_or(u32::MAX))
    }

    /// Our terminal is gone: hang the program up as a login session's end
    /// would, once.
    fn hang_up(&mut self) {
        if self.hung_up.is_some() {
            return;
        }
        self.hung_up = Some(Instant::now() + HANGUP_GRACE);
        if let Some(raw) = self.raw.take() {
            raw.restore_now();
        }
        let through_pty = self.relay.pty_master().is_some();
        // Closes a pty master: the kernel hangs up the program's terminal
        // and sends SIGHUP and SIGCONT to the session it leads.
        self.relay.hang_up();
        if !through_pty {
            // Pipes: the program leads a session and a process group of
            // its own; signal the group, as a terminal's hang-up would.
            let _ = signal::kill(-self.child, SIGHUP);
            let _ = signal::kill(-self.child, SIGCONT);
        }
    }

    /// Handle pending signals; Some(status) once the program has exited.
    fn take_signals(&mut self) -> Result<Option<i32>> {
        while let Some(received) = signal::read_signalfd(self.signals.as_fd())
            .map_err(|e| Error::sys("cannot read signals", e))?
        {
            match received.signo {
                SIGCHLD => {
                    if let Some(code) = self.reap()? {
                        return Ok(Some(code));
                    }
                }
                // The kernel's SIGHUP: our terminal hung up, or the process
                // that controlled it died.
                SIGHUP if !received.sent_by_process() && self.owns_terminal => self.hang_up(),
                // Only a session leader gets a hang-up: the program, on
                // our terminal, would not hear of it.
                SIGHUP if !received.sent_by_process() && tty::is_session_leader() => {
                    let _ = signal::kill(self.child, SIGHUP);
                }
                SIGWINCH if self.relay.pty_master().is_some() => {
                    if let Some(master) = self.relay.pty_master() {
                        terminal::copy_window_size(master);
                    }
                }
                SIGWINCH if self.detached => {}
                signo if received.sent_by_process() || self.detached => {
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
                    // Killed for outliving its hang-up: we end as the
                    // hang-up ended the session.
                    die_of(if self.killed { SIGHUP } else { sig })
                }
                Ok(Some(ChildStatus::Stopped(_))) if self.hung_up.is_some() => {
                    // No terminal left to give back: let it run to its end.
                    let _ = signal::kill(self.child, SIGCONT);
                }
                Ok(Some(ChildStatus::Stopped(_))) => {
                    // Job control: stop ourselves so the shell sees a stopped
                    // job, and continue the program when we are continued.
                    if let Some(raw) = &self.raw {
                        raw.restore();
                    }
                    let _ = signal::kill(process::getpid(), SIGSTOP);
                    if let Some(raw) = &self.raw {
                        raw.reapply();
                    }
                    let _ = signal::kill(self.child, SIGCONT);
                }
                Ok(Some(ChildStatus::Continued)) => {}
                Err(e) => return Err(Error::sys("waitpid failed", e)),
            }
        }
    }

    /// The program is gone: pass on its last output, give the terminal back.
    fn finish(&mut self) {
        self.relay.drain();
        if let Some(raw) = self.raw.take() {
            raw.restore();
        }
    }
}

/// End the way the program ended: by the same signal, without a core dump
/// of our own.
fn die_of(sig: i32) -> ! {
    process::disable_core_dumps();
    signal::set_default(sig);
    let _ = signal::set_mask(&SigSet::of(&[]));
    signal::raise(sig);
    process::exit_now(128 + sig)
}

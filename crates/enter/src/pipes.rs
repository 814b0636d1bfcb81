//! Pipes in place of the caller's standard descriptors, when the program
//! gets no pty (security rules 4 and 13).
//!
//! A descriptor the program holds can be opened again through
//! /proc/self/fd/N, with whatever access the file allows (runc
//! CVE-2024-21626): handed the caller's own 0, 1 and 2, a container could
//! rewrite the script fed to it on standard input, read back and truncate
//! the log its output is appended to, walk the host's root given as
//! `< /`, or push keystrokes into the host's terminal (TIOCSTI). So, as
//! `docker exec` does, the program gets one anonymous pipe for each of
//! them, which the waiting parent relays (`relay.rs`, `flow.rs`), and a
//! session of its own, so that it cannot open our controlling terminal as
//! /dev/tty either. A descriptor the caller left closed stays closed.
//!
//! One the caller pointed at the null device (`>/dev/null`, `</dev/null`,
//! as cron jobs and benchmarks do) is given the container's own
//! /dev/null instead (`detach::open_container_null`, as for `-d`): what
//! the program writes goes nowhere and what it reads ends at once, as
//! through a relayed pipe, but with nothing to relay. When all three are
//! so, the parent only waits, woken once, when the program ends.

use super::detach::is_null_device;
use super::terminal;
use crate::error::{Error, Result};
use crate::sys::{fd, fs, tty};
use std::os::fd::{AsFd, OwnedFd, RawFd};

pub struct Pipes {
    /// (standard descriptor, the program's end) to install in the child.
    program_ends: Vec<(RawFd, OwnedFd)>,
    /// The container's /dev/null, and the standard descriptors it
    /// becomes in the child.
    null: Option<(OwnedFd, Vec<RawFd>)>,
    /// The parent's end of the program's stdin (None if the caller's
    /// stdin is closed).
    pub to_program: Option<OwnedFd>,
    /// The parent's ends of the program's stdout/stderr, and where to copy.
    pub from_program: Vec<(OwnedFd, RawFd)>,
    /// When the caller's stdin is a regular file: a second read end of the
    /// program's stdin pipe, to count what the program left unread (see
    /// `Relay::give_back_unread`).
    pub unread_input: Option<OwnedFd>,
    /// Which of our 0, 1 and 2 are terminals.
    pub terminals: [bool; 3],
}

impl Pipes {
    /// A pipe for each of the caller's 0, 1 and 2 that is open, but for
    /// those that are the null device where the container has a usable
    /// one (`container_null`).
    pub fn for_standard(container_null: Option<OwnedFd>) -> Result<Pipes> {
        let mut nulls = Vec::new();
        let mut pipes = Pipes {
            program_ends: Vec::new(),
            null: None,
            to_program: None,
            from_program: Vec::new(),
            unread_input: None,
            terminals: terminal::standard_terminals(),
        };
        for target in 0..=2 {
            // Closed by the caller: closed for the program too (see
            // `fd::close_ours`, which closes any of ours on that number).
            if !fd::is_inherited(target) {
                continue;
            }
            let meta = fs::fstat(fd::standard(target)).ok();
            if container_null.is_some() && meta.as_ref().is_some_and(is_null_device) {
                nulls.push(target);
                continue;
            }
            let (read, write) = fd::pipe().map_err(|e| Error::sys("cannot create a pipe", e))?;
            if target == 0 {
                if meta.is_some_and(|m| m.is_regular()) {
                    pipes.unread_input = fd::dup(read.as_fd()).ok();
                }
                pipes.program_ends.push((0, read));
                pipes.to_program = Some(write);
            } else {
                pipes.program_ends.push((target, write));
                pipes.from_program.push((read, target));
            }
        }
        if !nulls.is_empty() {
            pipes.null = container_null.map(|null| (null, nulls));
        }
        Ok(pipes)
    }

    /// In the program's process: a new session (no controlling terminal)
    /// and the pipes as its standard descriptors. A program's end never
    /// sits on a number the caller left open, so installing one never
    /// overwrites another.
    pub fn attach_program(&self) -> Result<()> {
        tty::new_session().map_err(|e| Error::sys("cannot start a new session", e))?;
        for (target, end) in &self.program_ends {
            fd::dup_onto_standard(end.as_fd(), *target)
                .map_err(|e| Error::sys("cannot attach a pipe", e))?;
        }
        if let Some((null, targets)) = &self.null {
            for &target in targets {
                fd::dup_onto_standard(null.as_fd(), target)
                    .map_err(|e| Error::sys("cannot attach the container's /dev/null", e))?;
            }
        }
        Ok(())
    }
}

/// Whether one of the caller's 0, 1 and 2 is the null device: then the
/// container's /dev/null is worth opening (see the module notes).
pub fn caller_has_null_stream() -> bool {
    (0..=2).any(|n| {
        fd::is_inherited(n) && fs::fstat(fd::standard(n)).is_ok_and(|m| is_null_device(&m))
    })
}

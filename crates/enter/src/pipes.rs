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

use super::terminal;
use crate::error::{Error, Result};
use crate::sys::{fd, fs, tty};
use std::os::fd::{AsFd, OwnedFd, RawFd};

pub struct Pipes {
    /// (standard descriptor, the program's end) to install in the child.
    program_ends: Vec<(RawFd, OwnedFd)>,
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
    /// A pipe for each of the caller's 0, 1 and 2 that is open.
    pub fn for_standard() -> Result<Pipes> {
        let mut pipes = Pipes {
            program_ends: Vec::new(),
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
            let (read, write) = fd::pipe().map_err(|e| Error::sys("cannot create a pipe", e))?;
            if target == 0 {
                let regular = fs::fstat(fd::standard(0)).is_ok_and(|m| m.is_regular());
                if regular {
                    pipes.unread_input = fd::dup(read.as_fd()).ok();
                }
                pipes.program_ends.push((0, read));
                pipes.to_program = Some(write);
            } else {
                pipes.program_ends.push((target, write));
                pipes.from_program.push((read, target));
            }
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
        Ok(())
    }
}

//! Pipes in place of our terminal (security rule 13, without a pty).
//!
//! When docker-enter runs a program without a pseudo-terminal, any of our
//! standard descriptors that is a terminal is replaced, for the program, by
//! a pipe that the waiting parent relays, and the program starts a session
//! of its own: it holds no descriptor of the host's terminal and cannot
//! open it as /dev/tty, so it cannot push keystrokes into it (TIOCSTI).
//! The session of its own holds even when none of the three is a terminal:
//! our controlling terminal could still be opened as /dev/tty.

use crate::error::{Error, Result};
use crate::sys::{fd, tty};
use std::os::fd::{AsFd, OwnedFd, RawFd};

pub struct Pipes {
    /// (standard descriptor, the program's end) to install in the child.
    pub program_ends: Vec<(RawFd, OwnedFd)>,
    /// The parent's end of the program's stdin, if stdin was a terminal.
    pub to_program: Option<OwnedFd>,
    /// The parent's ends of the program's stdout/stderr, and where to copy.
    pub from_program: Vec<(OwnedFd, RawFd)>,
    /// Which of our 0, 1 and 2 are terminals (and so have pipes).
    pub terminals: [bool; 3],
}

impl Pipes {
    /// Pipes for those of 0, 1 and 2 that are `terminals` (maybe none).
    pub fn for_terminals(terminals: [bool; 3]) -> Result<Pipes> {
        let mut pipes = Pipes {
            program_ends: Vec::new(),
            to_program: None,
            from_program: Vec::new(),
            terminals,
        };
        for target in (0..=2).filter(|&n| terminals[n as usize]) {
            let (read, write) = fd::pipe().map_err(|e| Error::sys("cannot create a pipe", e))?;
            if target == 0 {
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
    /// and the pipes as its standard descriptors.
    pub fn attach_program(&self) -> Result<()> {
        tty::new_session().map_err(|e| Error::sys("cannot start a new session", e))?;
        for (target, end) in &self.program_ends {
            fd::dup_onto_standard(end.as_fd(), *target)
                .map_err(|e| Error::sys("cannot attach a pipe", e))?;
        }
        Ok(())
    }
}

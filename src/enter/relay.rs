//! The waiting parent's byte relay between our standard descriptors and
//! the program's pty or pipes. The program's side is non-blocking, with a
//! buffer of input it has not taken yet, so a program that stops reading
//! cannot stall the relay (nor the parent's signal handling).

use crate::sys::fd::{self, PollFlags};
use crate::sys::Errno;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// Stop reading our input while this much waits for the program.
const PENDING_MAX: usize = 1 << 16;

/// What a poll entry of the relay stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    ToProgram,
    FromProgram(usize),
    Stdin,
}

#[derive(Default)]
pub struct Relay {
    /// Where our stdin goes: the pty master or the program's stdin pipe.
    to_program: Option<OwnedFd>,
    /// The program's output and our descriptor it is copied to.
    from_program: Vec<(OwnedFd, RawFd)>,
    pending: Vec<u8>,
    stdin_open: bool,
    /// A pty: stdin's end of file does not close the program's input.
    pty: bool,
}

impl Relay {
    /// Nothing to relay: the program uses our descriptors.
    pub fn none() -> Relay {
        Relay::default()
    }

    /// Whether anything is relayed.
    pub fn is_active(&self) -> bool {
        self.to_program.is_some() || !self.from_program.is_empty()
    }

    /// Relay both ways through a pty master.
    pub fn pty(master: OwnedFd) -> Relay {
        let to_program = fd::dup(master.as_fd()).ok();
        let _ = fd::set_nonblocking(master.as_fd());
        Relay {
            to_program,
            from_program: vec![(master, 1)],
            pending: Vec::new(),
            stdin_open: true,
            pty: true,
        }
    }

    /// Relay through the parent's ends of pipes.
    pub fn pipes(to_program: Option<OwnedFd>, from_program: Vec<(OwnedFd, RawFd)>) -> Relay {
        if let Some(to) = &to_program {
            let _ = fd::set_nonblocking(to.as_fd());
        }
        let stdin_open = to_program.is_some();
        Relay {
            to_program,
            from_program,
            pending: Vec::new(),
            stdin_open,
            pty: false,
        }
    }

    /// The pty master, for window sizes.
    pub fn pty_master(&self) -> Option<BorrowedFd<'_>> {
        self.pty
            .then(|| self.from_program.first().map(|(m, _)| m.as_fd()))
            .flatten()
    }

    /// What to poll now.
    pub fn poll_set(&self) -> Vec<(Slot, BorrowedFd<'_>, PollFlags)> {
        let mut set = Vec::new();
        if let Some(to) = &self.to_program {
            if !self.pending.is_empty() {
                set.push((Slot::ToProgram, to.as_fd(), PollFlags::OUT));
            }
            if self.stdin_open && self.pending.len() < PENDING_MAX {
                set.push((Slot::Stdin, fd::standard(0), PollFlags::IN));
            }
        }
        for (i, (from, _)) in self.from_program.iter().enumerate() {
            set.push((Slot::FromProgram(i), from.as_fd(), PollFlags::IN));
        }
        set
    }

    /// Act on what poll reported.
    pub fn handle(&mut self, ready: &[(Slot, PollFlags)]) {
        let mut closed = Vec::new();
        for (slot, revents) in ready {
            if revents.is_empty() {
                continue;
            }
            match *slot {
                Slot::ToProgram => self.feed_program(),
                Slot::Stdin => {
                    if !read_into(fd::standard(0), &mut self.pending) {
                        self.stdin_open = false;
                    }
                }
                Slot::FromProgram(i) => {
                    let (from, to) = &self.from_program[i];
                    if pump(from.as_fd(), fd::standard(*to)).is_none() {
                        closed.push(i);
                    }
                }
            }
        }
        for i in closed.into_iter().rev() {
            self.from_program.remove(i);
        }
        // Our input ended and all of it was passed on: the program's stdin
        // pipe ends too (a pty has no such end).
        if !self.stdin_open && self.pending.is_empty() && !self.pty {
            self.to_program = None;
        }
    }

    fn feed_program(&mut self) {
        let Some(to) = &self.to_program else {
            self.pending.clear();
            return;
        };
        match fd::write_some(to.as_fd(), &self.pending) {
            Ok(n) => {
                self.pending.drain(..n);
            }
            Err(Errno::AGAIN) => {}
            // The program closed its input: nothing more goes there.
            Err(_) => {
                self.pending.clear();
                self.stdin_open = false;
                self.to_program = None;
            }
        }
    }

    /// The program is gone: pass on what it wrote last.
    pub fn drain(&mut self) {
        for (from, to) in &self.from_program {
            let _ = fd::set_nonblocking(from.as_fd());
            while let Some(1..) = pump(from.as_fd(), fd::standard(*to)) {}
        }
    }
}

/// Append what is readable from `from` to `buf`; false at end of file.
fn read_into(from: BorrowedFd<'_>, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16384];
    match fd::read(from, &mut chunk) {
        Ok(0) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
        Err(Errno::AGAIN) => true,
        Err(_) => false,
    }
}

/// Move what is readable from `from` to `to`: Some(bytes moved, 0 when
/// nothing is ready), None at end of file or when the other side is gone
/// (EIO on a master whose peer closed).
fn pump(from: BorrowedFd<'_>, to: BorrowedFd<'_>) -> Option<usize> {
    let mut buf = [0u8; 16384];
    match fd::read(from, &mut buf) {
        Ok(0) => None,
        Ok(n) => fd::write_all(to, &buf[..n]).ok().map(|()| n),
        Err(Errno::AGAIN) => Some(0),
        Err(_) => None,
    }
}

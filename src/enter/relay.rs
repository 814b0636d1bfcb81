//! The waiting parent's byte relay between our standard descriptors and
//! the program's pty or pipes. The program's side is non-blocking, with a
//! buffer of input it has not taken yet, so a program that stops reading
//! cannot stall the relay (nor the parent's signal handling).
//!
//! The relay also notices when our terminal goes away (security rule 16):
//! a hang-up or error reported on any of our standard descriptors that is
//! a terminal, EIO reading it, end of file on it in raw mode, or a write to
//! it that fails. The parent then ends the session ([`Relayed::HungUp`]).

use crate::sys::fd::{self, PollFlags};
use crate::sys::{tty, Errno};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// Stop reading our input while this much waits for the program.
const PENDING_MAX: usize = 1 << 16;

/// What a poll entry of the relay stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    ToProgram,
    FromProgram(usize),
    Stdin,
    /// One of our standard descriptors that is a terminal, watched only
    /// for a hang-up (poll always reports POLLHUP and POLLERR).
    Terminal(RawFd),
}

/// What became of the relay after poll reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relayed {
    Going,
    /// Our terminal is gone: end the session.
    HungUp,
}

#[derive(Default)]
pub struct Relay {
    /// Where our stdin goes: the pty master or the program's stdin pipe.
    to_program: Option<OwnedFd>,
    /// The program's output and our descriptor it is copied to.
    from_program: Vec<(OwnedFd, RawFd)>,
    pending: Vec<u8>,
    stdin_open: bool,
    /// A pty: stdin's end of file does not close the program's input; the
    /// program reads the terminal's end-of-file character instead.
    pty: bool,
    /// Which of our descriptors 0, 1 and 2 are terminals.
    terminals: [bool; 3],
    /// The last byte the program was given, to tell whether a line is open
    /// when our input ends.
    last_sent: Option<u8>,
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

    /// Relay both ways through a pty master: our stdin to the program's
    /// terminal, its output (standard output and error alike, as with
    /// `docker exec -t`) to our stdout.
    pub fn pty(master: OwnedFd, terminals: [bool; 3]) -> Relay {
        let to_program = fd::dup(master.as_fd()).ok();
        let _ = fd::set_nonblocking(master.as_fd());
        Relay {
            to_program,
            from_program: vec![(master, 1)],
            stdin_open: true,
            pty: true,
            terminals,
            ..Relay::default()
        }
    }

    /// Relay through the parent's ends of pipes.
    pub fn pipes(
        to_program: Option<OwnedFd>,
        from_program: Vec<(OwnedFd, RawFd)>,
        terminals: [bool; 3],
    ) -> Relay {
        if let Some(to) = &to_program {
            let _ = fd::set_nonblocking(to.as_fd());
        }
        let stdin_open = to_program.is_some();
        Relay {
            to_program,
            from_program,
            stdin_open,
            terminals,
            ..Relay::default()
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
        for n in (0..3).filter(|&n| self.terminals[n as usize]) {
            set.push((Slot::Terminal(n), fd::standard(n), PollFlags::empty()));
        }
        set
    }

    /// Act on what poll reported.
    pub fn handle(&mut self, ready: &[(Slot, PollFlags)]) -> Relayed {
        let mut closed = Vec::new();
        for (slot, revents) in ready {
            if revents.is_empty() {
                continue;
            }
            match *slot {
                Slot::ToProgram => self.feed_program(),
                Slot::Stdin => {
                    if self.take_input(*revents) == Relayed::HungUp {
                        return Relayed::HungUp;
                    }
                }
                Slot::FromProgram(i) => {
                    let (from, to) = &self.from_program[i];
                    match pump(from.as_fd(), fd::standard(*to)) {
                        Ok(_) => {}
                        Err(Ended::Source) => closed.push(i),
                        // Nowhere left to show the program's output.
                        Err(Ended::Sink) => return Relayed::HungUp,
                    }
                }
                Slot::Terminal(_) => return Relayed::HungUp,
            }
        }
        for i in closed.into_iter().rev() {
            self.from_program.remove(i);
        }
        // Our input ended and all of it was passed on: the program's stdin
        // pipe ends too (a pty has no such end: see `input_ended`).
        if !self.stdin_open && self.pending.is_empty() && !self.pty {
            self.to_program = None;
        }
        Relayed::Going
    }

    /// Read what our stdin has for the program.
    fn take_input(&mut self, revents: PollFlags) -> Relayed {
        let terminal = self.terminals[0];
        if terminal && revents.intersects(PollFlags::HUP | PollFlags::ERR) {
            return Relayed::HungUp;
        }
        match read_into(fd::standard(0), &mut self.pending) {
            Ok(true) => Relayed::Going,
            // A raw terminal never reads as end of file while it lives;
            // at a cooked one, end of file is the user's Ctrl-D.
            Ok(false) if terminal && self.pty => Relayed::HungUp,
            Ok(false) => {
                self.input_ended();
                Relayed::Going
            }
            Err(_) if terminal => Relayed::HungUp,
            Err(_) => {
                self.input_ended();
                Relayed::Going
            }
        }
    }

    /// Our input (not a terminal) ended. Through a pty, the program reads
    /// end of file as at a terminal: the end-of-file character (Ctrl-D) at
    /// the start of a line, so twice when a line is still open.
    fn input_ended(&mut self) {
        self.stdin_open = false;
        let Some(to) = &self.to_program else {
            return;
        };
        if self.pty {
            let eof = tty::eof_char(to.as_fd());
            let last = self.pending.last().copied().or(self.last_sent);
            let line_open = last.is_some_and(|b| b != b'\n' && b != eof);
            let times = if line_open { 2 } else { 1 };
            self.pending.extend(std::iter::repeat_n(eof, times));
        }
    }

    fn feed_program(&mut self) {
        let Some(to) = &self.to_program else {
            self.pending.clear();
            return;
        };
        match fd::write_some(to.as_fd(), &self.pending) {
            Ok(0) => {}
            Ok(n) => {
                self.last_sent = Some(self.pending[n - 1]);
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

    /// Our terminal is gone: stop relaying and close every descriptor of
    /// the program's side. Closing a pty master hangs up the program's
    /// terminal, so the kernel sends it SIGHUP as at a login session's end.
    pub fn hang_up(&mut self) {
        *self = Relay::none();
    }

    /// The program is gone: pass on what it wrote last.
    pub fn drain(&mut self) {
        for (from, to) in &self.from_program {
            let _ = fd::set_nonblocking(from.as_fd());
            while let Ok(1..) = pump(from.as_fd(), fd::standard(*to)) {}
        }
    }
}

/// Append what is readable from `from` to `buf`: Ok(false) at end of file.
fn read_into(from: BorrowedFd<'_>, buf: &mut Vec<u8>) -> Result<bool, Errno> {
    let mut chunk = [0u8; 16384];
    match fd::read(from, &mut chunk) {
        Ok(0) => Ok(false),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(true)
        }
        Err(Errno::AGAIN) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Which side of a copy ended it.
enum Ended {
    /// End of file or an error reading (EIO on a master whose peer closed).
    Source,
    /// The write failed: our side of the relay is gone.
    Sink,
}

/// Move what is readable from `from` to `to`: the bytes moved (0 when
/// nothing is ready), or which side ended.
fn pump(from: BorrowedFd<'_>, to: BorrowedFd<'_>) -> Result<usize, Ended> {
    let mut buf = [0u8; 16384];
    match fd::read(from, &mut buf) {
        Ok(0) => Err(Ended::Source),
        Ok(n) => write_waiting(to, &buf[..n])
            .map(|()| n)
            .map_err(|_| Ended::Sink),
        Err(Errno::AGAIN) => Ok(0),
        Err(_) => Err(Ended::Source),
    }
}

/// Write all of `data`, waiting whenever `to` is full: a caller may hand us
/// a non-blocking descriptor, whose EAGAIN means "later", not "gone".
fn write_waiting(to: BorrowedFd<'_>, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        match fd::write_some(to, data) {
            Ok(n) => data = &data[n..],
            Err(Errno::AGAIN) => {
                fd::poll(&[(to, PollFlags::OUT)], None)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

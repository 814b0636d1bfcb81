//! The waiting parent's relay between the caller's standard descriptors
//! and the program's pty or pipes: one [`Flow`] for standard input and one
//! for each output, driven by the parent's poll loop (single-threaded: a
//! thread would forbid nothing here, but entering namespaces needs none,
//! and one loop also handles the signals).
//!
//! End of file travels both ways: the end of our input closes the
//! program's (through a pty, the program reads the terminal's end-of-file
//! character instead), and a program that closes its output ends that
//! flow. When the reader of our output is gone (`| head -1`), the
//! program's end of that pipe is closed, so its next write fails with
//! EPIPE (SIGPIPE), as it would without us.
//!
//! The relay also notices when our terminal goes away (security rule 16):
//! a hang-up or error reported on any of our standard descriptors that is
//! a terminal, EIO reading it, end of file on it in raw mode, or a write to
//! it that fails. The parent then ends the session ([`Relayed::HungUp`]).

use super::flow::{End, Flow, Step};
use crate::sys::fd::{self, PollFlags};
use crate::sys::tty;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// What a poll entry of the relay stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Input,
    Output(usize),
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
    /// Our stdin to the pty master or the program's stdin pipe.
    input: Option<Flow>,
    /// The program's outputs (or the pty master) to ours, each with the
    /// standard descriptor it goes to (None: dropped).
    outputs: Vec<(Flow, Option<RawFd>)>,
    /// A pty: stdin's end of file does not close the program's input; the
    /// program reads the terminal's end-of-file character instead.
    pty: bool,
    /// Which of our descriptors 0, 1 and 2 are terminals.
    terminals: [bool; 3],
    /// A read end of the program's stdin pipe, when our stdin is a
    /// regular file (see `give_back_unread`).
    unread_input: Option<OwnedFd>,
}

impl Relay {
    /// Nothing to relay: the program uses our descriptors.
    pub fn none() -> Relay {
        Relay::default()
    }

    /// Whether anything is relayed.
    pub fn is_active(&self) -> bool {
        self.input.is_some() || !self.outputs.is_empty()
    }

    /// Relay both ways through a pty master: our stdin (if the caller left
    /// it open) to the program's terminal, its output (standard output and
    /// error alike, as with `docker exec -t`) to our stdout (or nowhere if
    /// the caller closed it). Copied, not spliced: the relay looks at the
    /// bytes it sends (see `input_ended`).
    pub fn pty(master: OwnedFd, terminals: [bool; 3]) -> Relay {
        let input = fd::is_inherited(0)
            .then(|| fd::dup(master.as_fd()).ok())
            .flatten()
            .map(|to| Flow::copying(End::Caller(0), End::Program(to)));
        let _ = fd::set_nonblocking(master.as_fd());
        let stdout = fd::is_inherited(1).then_some(1);
        let sink = stdout.map_or(End::Discard, End::Caller);
        Relay {
            input,
            outputs: vec![(Flow::copying(End::Program(master), sink), stdout)],
            pty: true,
            terminals,
            unread_input: None,
        }
    }

    /// Relay through the parent's ends of pipes, spliced.
    pub fn pipes(
        to_program: Option<OwnedFd>,
        from_program: Vec<(OwnedFd, RawFd)>,
        unread_input: Option<OwnedFd>,
        terminals: [bool; 3],
    ) -> Relay {
        let input = to_program.map(|to| {
            let _ = fd::set_nonblocking(to.as_fd());
            Flow::splicing(End::Caller(0), End::Program(to))
        });
        let outputs = from_program
            .into_iter()
            .map(|(from, n)| {
                let _ = fd::set_nonblocking(from.as_fd());
                (Flow::splicing(End::Program(from), End::Caller(n)), Some(n))
            })
            .collect();
        Relay {
            input,
            outputs,
            pty: false,
            terminals,
            unread_input,
        }
    }

    /// The pty master, for window sizes.
    pub fn pty_master(&self) -> Option<BorrowedFd<'_>> {
        self.pty
            .then(|| self.outputs.first().and_then(|(flow, _)| flow.source()))
            .flatten()
    }

    /// What to poll now.
    pub fn poll_set(&self) -> Vec<(Slot, BorrowedFd<'_>, PollFlags)> {
        let mut set = Vec::new();
        if let Some((fd, events)) = self.input.as_ref().and_then(Flow::poll_entry) {
            set.push((Slot::Input, fd, events));
        }
        for (i, (flow, _)) in self.outputs.iter().enumerate() {
            if let Some((fd, events)) = flow.poll_entry() {
                set.push((Slot::Output(i), fd, events));
            }
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
                Slot::Input => {
                    if self.take_input(*revents) == Relayed::HungUp {
                        return Relayed::HungUp;
                    }
                }
                Slot::Output(i) => {
                    let (flow, to) = &mut self.outputs[i];
                    match flow.run() {
                        Step::Going => {}
                        Step::SourceEnded | Step::SourceFailed => closed.push(i),
                        // Nowhere left to show the program's output.
                        Step::SinkFailed
                            if self.pty || to.is_some_and(|n| self.terminals[n as usize]) =>
                        {
                            return Relayed::HungUp
                        }
                        // Its reader is gone: so is the program's.
                        Step::SinkFailed => closed.push(i),
                    }
                }
                Slot::Terminal(_) => return Relayed::HungUp,
            }
        }
        for i in closed.into_iter().rev() {
            self.outputs.remove(i);
        }
        // All of our input was passed on: the program's stdin pipe is
        // closed, so it reads end of file.
        if self.input.as_ref().is_some_and(Flow::done) {
            self.input = None;
        }
        Relayed::Going
    }

    /// Pass what our stdin has on to the program.
    fn take_input(&mut self, revents: PollFlags) -> Relayed {
        let Some(input) = &mut self.input else {
            return Relayed::Going;
        };
        let terminal = self.terminals[0];
        if terminal && input.polls_source() && revents.intersects(PollFlags::HUP | PollFlags::ERR) {
            return Relayed::HungUp;
        }
        match input.run() {
            Step::Going => Relayed::Going,
            // A raw terminal never reads as end of file while it lives;
            // at a cooked one, end of file is the user's Ctrl-D.
            Step::SourceEnded if terminal && self.pty => Relayed::HungUp,
            Step::SourceFailed if terminal => Relayed::HungUp,
            Step::SourceEnded | Step::SourceFailed => {
                self.input_ended();
                Relayed::Going
            }
            // The program closed its input: nothing more goes there.
            Step::SinkFailed => {
                self.input = None;
                Relayed::Going
            }
        }
    }

    /// Our input (not a terminal) ended. Through a pty, the program reads
    /// end of file as at a terminal: the end-of-file character (Ctrl-D) at
    /// the start of a line, so twice when a line is still open.
    fn input_ended(&mut self) {
        let Some(input) = &mut self.input else {
            return;
        };
        if !self.pty {
            input.close_source(&[]);
            return;
        }
        let eof = self.outputs.first().and_then(|(flow, _)| flow.source());
        let eof = eof.map_or(0x04, tty::eof_char);
        let line_open = input.last_byte().is_some_and(|b| b != b'\n' && b != eof);
        let times = if line_open { 2 } else { 1 };
        input.close_source(&vec![eof; times]);
    }

    /// Our terminal is gone: stop relaying and close every descriptor of
    /// the program's side. Closing a pty master hangs up the program's
    /// terminal, so the kernel sends it SIGHUP as at a login session's end.
    pub fn hang_up(&mut self) {
        *self = Relay::none();
    }

    /// The program is gone: pass on what it wrote last, and give back
    /// what it did not read.
    pub fn drain(&mut self) {
        for (flow, _) in &mut self.outputs {
            flow.drain();
        }
        self.give_back_unread();
    }

    /// Our stdin is a regular file: what was taken from it but left unread
    /// in the program's pipe goes back (the file's offset, which the
    /// caller shares, moves back by that much), so the caller reads on
    /// where the program stopped, as without the relay (`while read c; do
    /// docker-enter "$c" ...; done < list`). Bytes taken from a pipe
    /// cannot be given back.
    fn give_back_unread(&mut self) {
        let Some(pipe) = self.unread_input.take() else {
            return;
        };
        let pending = self.input.as_ref().map_or(0, Flow::pending_len);
        let unread = fd::unread_in_pipe(pipe.as_fd()).unwrap_or(0) + pending as u64;
        if unread > 0 {
            let _ = fd::seek_back(fd::standard(0), unread);
        }
    }
}

//! One direction of the relay: the bytes of a source descriptor moved to a
//! sink, one of them the program's pipe or pty master (ours, non-blocking),
//! the other one of the caller's standard descriptors (any kind of file,
//! blocking or not, as the caller opened it).
//!
//! Between pipes and most files the kernel moves the bytes itself
//! (splice(2)): nothing is copied through our memory, which is what makes
//! the relay faster than `docker exec`. Where it refuses (a file opened
//! for appending, a terminal or device that cannot splice: EINVAL) the
//! flow falls back to read and write, for good. The program's side never
//! blocks: when it has nothing to give or no room to take, the flow says
//! which descriptor to poll and for what, so a program that stops reading
//! or writing stalls neither the other flows nor the parent's signals.

use crate::sys::fd::{self, PollFlags};
use crate::sys::Errno;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// The capacity a program's pipe gets once it is found full (the
/// kernel's default is 64 KiB, and 1 MiB is fs.pipe-max-size's default):
/// a program that reads or writes in large blocks then moves each in one
/// system call, and so does the relay. Only then: the kernel counts a
/// pipe's capacity, used or not, against its user's allowance
/// (fs.pipe-user-pages-soft), which the container's own root processes
/// share with us when they run as uid 0.
const BULK_PIPE: usize = 1 << 20;
/// Bytes a default pipe holds: moving this much at once means it was full.
const DEFAULT_PIPE: usize = 1 << 16;
/// The most one splice moves: a program's pipe at its largest.
const SPLICE_MAX: usize = BULK_PIPE;
/// The buffer of a copying flow.
const COPY_CHUNK: usize = 1 << 16;
/// Moves made for one wake-up from poll before the other flows get theirs.
const MOVES_PER_WAKEUP: usize = 16;

/// One end of a flow.
pub enum End {
    /// One of the caller's standard descriptors (0, 1 or 2).
    Caller(RawFd),
    /// The program's pipe or pty master: ours, non-blocking.
    Program(OwnedFd),
    /// Nowhere: what the source gives is read and dropped (a pty's output
    /// when the caller left standard output closed).
    Discard,
}

impl End {
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            End::Caller(n) => Some(fd::standard(*n)),
            End::Program(fd) => Some(fd.as_fd()),
            End::Discard => None,
        }
    }
}

/// What a flow did when it was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Moved bytes, or waits (see [`Flow::poll_entry`]).
    Going,
    /// The source is at its end, and nothing is left to pass on.
    SourceEnded,
    /// Reading the source failed (EIO from a terminal that hung up).
    SourceFailed,
    /// Writing to the sink failed (EPIPE: its reader is gone).
    SinkFailed,
}

enum Stop {
    /// Nothing to do until poll says so.
    Waiting,
    /// The kernel cannot splice between these two: copy instead.
    Refused,
    End(Step),
}

pub struct Flow {
    source: End,
    sink: End,
    splice: bool,
    /// Read from the source, not yet taken by the sink (copying only).
    pending: Vec<u8>,
    /// The copying buffer, made on first use.
    chunk: Vec<u8>,
    /// Poll the sink for room, rather than the source for bytes.
    wait_sink: bool,
    /// The source is done: only `pending` is left to pass on.
    source_closed: bool,
    /// The last byte read from the source (copying only).
    last: Option<u8>,
    /// The program's pipe has its bulk capacity (or was refused it).
    grown: bool,
}

impl Flow {
    /// A flow that splices until the kernel refuses, then copies.
    pub fn splicing(source: End, sink: End) -> Flow {
        Flow::new(source, sink, true)
    }

    /// A flow that reads and writes (a pty, whose bytes the relay looks at).
    pub fn copying(source: End, sink: End) -> Flow {
        Flow::new(source, sink, false)
    }

    fn new(source: End, sink: End, splice: bool) -> Flow {
        let splice = splice && !matches!(sink, End::Discard);
        Flow {
            source,
            sink,
            splice,
            pending: Vec::new(),
            chunk: Vec::new(),
            wait_sink: false,
            source_closed: false,
            last: None,
            grown: false,
        }
    }

    /// The source descriptor (a pty master, for window sizes).
    pub fn source(&self) -> Option<BorrowedFd<'_>> {
        self.source.fd()
    }

    /// What to poll for this flow to go on: the source for bytes, or the
    /// sink for room.
    pub fn poll_entry(&self) -> Option<(BorrowedFd<'_>, PollFlags)> {
        match self.wait_sink || self.source_closed {
            true => self.sink.fd().map(|fd| (fd, PollFlags::OUT)),
            false => self.source.fd().map(|fd| (fd, PollFlags::IN)),
        }
    }

    /// Whether the flow waits for bytes from the source (so a hang-up
    /// reported by poll is the source's).
    pub fn polls_source(&self) -> bool {
        !(self.wait_sink || self.source_closed)
    }

    /// Move what can be moved now (poll reported the entry ready). The
    /// caller's descriptor may block (a terminal, a socket): it is read
    /// once for each time poll says it is ready; the program's, which
    /// never blocks, until it has nothing more or the sink no room.
    pub fn run(&mut self) -> Step {
        let moves = match self.source {
            End::Program(_) => MOVES_PER_WAKEUP,
            _ => 1,
        };
        for _ in 0..moves {
            match self.move_once() {
                Ok(()) => {}
                Err(Stop::Waiting) | Err(Stop::Refused) => return Step::Going,
                Err(Stop::End(step)) => return step,
            }
        }
        Step::Going
    }

    /// Pass on whatever the source holds now, waiting for room in the sink
    /// as long as it takes; stop when the source has nothing more to give
    /// at once (the program is gone, but a process it left may still hold
    /// its end), or at its end.
    pub fn drain(&mut self) {
        loop {
            match self.move_once() {
                Ok(()) => {}
                Err(Stop::Waiting) if self.wait_sink => {
                    let Some(sink) = self.sink.fd() else { return };
                    if fd::poll(&[(sink, PollFlags::OUT)], None).is_err() {
                        return;
                    }
                }
                // A splice that found the sink full is told apart from an
                // empty source by looking at the sink afterwards, and its
                // reader may have made room in between: only a source with
                // nothing to read now has given all it had.
                Err(Stop::Waiting) if self.source_has_more() => {}
                Err(_) => return,
            }
        }
    }

    /// Whether the source holds bytes to read, or its end, right now.
    fn source_has_more(&self) -> bool {
        let Some(source) = self.source.fd() else {
            return false;
        };
        fd::poll(&[(source, PollFlags::IN)], Some(0))
            .is_ok_and(|ready| ready[0].intersects(PollFlags::IN | PollFlags::HUP))
    }

    /// No more is taken from the source; `last_words` (a pty's end-of-file
    /// characters) follow what is pending. The flow is [`done`](Self::done)
    /// once all of it reached the sink.
    pub fn close_source(&mut self, last_words: &[u8]) {
        self.source_closed = true;
        self.pending.extend_from_slice(last_words);
    }

    /// The source was closed and everything reached the sink.
    pub fn done(&self) -> bool {
        self.source_closed && self.pending.is_empty()
    }

    /// Bytes taken from the source that the sink has not taken yet.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// The last byte taken from the source or queued after it.
    pub fn last_byte(&self) -> Option<u8> {
        self.pending.last().copied().or(self.last)
    }

    fn move_once(&mut self) -> Result<(), Stop> {
        if !self.pending.is_empty() {
            return self.write_pending();
        }
        if self.source_closed {
            return Err(Stop::Waiting);
        }
        if self.splice {
            match self.splice_once() {
                Err(Stop::Refused) => self.splice = false,
                other => return other,
            }
        }
        self.copy_once()
    }

    fn splice_once(&mut self) -> Result<(), Stop> {
        let (Some(from), Some(to)) = (self.source.fd(), self.sink.fd()) else {
            return Err(Stop::End(Step::SinkFailed));
        };
        match fd::splice(from, to, SPLICE_MAX) {
            Ok(0) => Err(Stop::End(Step::SourceEnded)),
            Ok(moved) => {
                if moved >= DEFAULT_PIPE && matches!(self.source, End::Program(_)) {
                    self.grow();
                }
                self.wait_sink = false;
                Ok(())
            }
            Err(Errno::AGAIN) => {
                // The source is empty or the sink full: wait for whichever
                // it is. A sink with room means the source had nothing.
                let room = fd::poll(&[(to, PollFlags::OUT)], Some(0))
                    .is_ok_and(|ready| ready[0].contains(PollFlags::OUT));
                if !room && matches!(self.sink, End::Program(_)) && !self.grown {
                    self.grow();
                    return Ok(());
                }
                self.wait_sink = !room;
                Err(Stop::Waiting)
            }
            Err(Errno::INVAL) => Err(Stop::Refused),
            Err(e) => Err(Stop::End(self.blame(e))),
        }
    }

    /// The program's pipe was found full: give it the bulk capacity, once
    /// (a failure only costs speed).
    fn grow(&mut self) {
        if self.grown {
            return;
        }
        self.grown = true;
        let pipe = match (&self.source, &self.sink) {
            (End::Program(pipe), _) | (_, End::Program(pipe)) => pipe,
            _ => return,
        };
        let _ = fd::set_pipe_size(pipe.as_fd(), BULK_PIPE);
    }

    /// Which end a failed splice failed at. The program's pipe can only
    /// refuse to be written for want of a reader (EPIPE); anything else is
    /// the caller's descriptor.
    fn blame(&self, e: Errno) -> Step {
        match (e, &self.source) {
            (Errno::PIPE, _) | (_, End::Program(_)) => Step::SinkFailed,
            _ => Step::SourceFailed,
        }
    }

    fn copy_once(&mut self) -> Result<(), Stop> {
        let Some(from) = self.source.fd() else {
            return Err(Stop::End(Step::SourceEnded));
        };
        if self.chunk.is_empty() {
            self.chunk = vec![0; COPY_CHUNK];
        }
        let n = match fd::read(from, &mut self.chunk) {
            Ok(0) => return Err(Stop::End(Step::SourceEnded)),
            Ok(n) => n,
            Err(Errno::AGAIN) => {
                self.wait_sink = false;
                return Err(Stop::Waiting);
            }
            Err(_) => return Err(Stop::End(Step::SourceFailed)),
        };
        self.last = Some(self.chunk[n - 1]);
        let Some(to) = self.sink.fd() else {
            return Ok(());
        };
        let written = match fd::write_some(to, &self.chunk[..n]) {
            Ok(written) => written,
            Err(Errno::AGAIN) => 0,
            Err(_) => return Err(Stop::End(Step::SinkFailed)),
        };
        self.pending.extend_from_slice(&self.chunk[written..n]);
        match self.pending.is_empty() {
            true => Ok(()),
            false => {
                self.wait_sink = true;
                Err(Stop::Waiting)
            }
        }
    }

    fn write_pending(&mut self) -> Result<(), Stop> {
        let Some(to) = self.sink.fd() else {
            self.pending.clear();
            return Ok(());
        };
        match fd::write_some(to, &self.pending) {
            Ok(n) => {
                self.pending.drain(..n);
                self.wait_sink = !self.pending.is_empty();
                match self.wait_sink {
                    true => Err(Stop::Waiting),
                    false => Ok(()),
                }
            }
            Err(Errno::AGAIN) => {
                self.wait_sink = true;
                Err(Stop::Waiting)
            }
            Err(_) => Err(Stop::End(Step::SinkFailed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Run `flow` as the relay does, polling what it asks for, until it
    /// ends (each wait bounded, so a stuck flow fails the test).
    fn run_to_end(flow: &mut Flow) -> Step {
        loop {
            if let Some((fd, events)) = flow.poll_entry() {
                let ready = fd::poll(&[(fd, events)], Some(10_000)).unwrap();
                assert!(!ready[0].is_empty(), "the flow waits for ever");
            }
            match flow.run() {
                Step::Going if flow.done() => return Step::SourceEnded,
                Step::Going => {}
                other => return other,
            }
        }
    }

    /// A pipe whose read end a flow takes (non-blocking, as the program's
    /// are), and its write end for the test (blocking, as a program's).
    fn source_pipe() -> (OwnedFd, OwnedFd) {
        let (read, write) = fd::pipe().unwrap();
        fd::set_nonblocking(read.as_fd()).unwrap();
        (read, write)
    }

    /// A pipe whose write end a flow takes, and its read end for the test.
    fn sink_pipe() -> (OwnedFd, OwnedFd) {
        let (read, write) = fd::pipe().unwrap();
        fd::set_nonblocking(write.as_fd()).unwrap();
        (read, write)
    }

    /// Several MB, every byte value among them.
    fn bytes() -> Vec<u8> {
        (0..3u32 << 20).map(|i| (i ^ (i >> 11)) as u8).collect()
    }

    /// Write `data` into `to` from another thread, then close it.
    #[allow(clippy::disallowed_methods)] // a test's thread, never in a child
    fn feed(to: OwnedFd, data: Vec<u8>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let mut file = std::fs::File::from(to);
            let _ = file.write_all(&data);
        })
    }

    /// Read `from` to its end in another thread.
    #[allow(clippy::disallowed_methods)] // a test's thread, never in a child
    fn collect(from: OwnedFd) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::from(from).read_to_end(&mut bytes).unwrap();
            bytes
        })
    }

    #[test]
    fn pipe_to_pipe_is_spliced_exactly_and_ends_with_its_source() {
        let (from, to_source) = source_pipe();
        let (from_sink, to) = sink_pipe();
        // A full pipe first (64 KiB), so the first splice finds it full.
        let data = bytes();
        fd::write_all(to_source.as_fd(), &data[..DEFAULT_PIPE]).unwrap();
        let writer = feed(to_source, data[DEFAULT_PIPE..].to_vec());
        let reader = collect(from_sink);
        let mut flow = Flow::splicing(End::Program(from), End::Program(to));
        assert_eq!(run_to_end(&mut flow), Step::SourceEnded);
        assert!(flow.splice, "pipes splice");
        assert!(flow.grown, "a full pipe was given its bulk capacity");
        drop(flow);
        writer.join().unwrap();
        assert!(reader.join().unwrap() == bytes());
    }

    /// What the program left in its pipe when it exited reaches a reader
    /// that takes it slowly: a sink found full by a splice can have room
    /// again when it is looked at, and the source still holds bytes then.
    #[test]
    fn a_drain_passes_on_everything_to_a_slow_reader() {
        for round in 0..8 {
            let (from, to_source) = source_pipe();
            fd::set_pipe_size(from.as_fd(), BULK_PIPE).unwrap();
            let data = &bytes()[..BULK_PIPE];
            fd::write_all(to_source.as_fd(), data).unwrap();
            drop(to_source);
            let (from_sink, to) = sink_pipe();
            let reader = collect_slowly(from_sink);
            let mut flow = Flow::splicing(End::Program(from), End::Program(to));
            flow.drain();
            drop(flow);
            let got = reader.join().unwrap();
            assert!(
                got == data,
                "round {round}: {} of {} bytes",
                got.len(),
                data.len()
            );
        }
    }

    /// Read `from` to its end in another thread, a page at a time.
    #[allow(clippy::disallowed_methods)] // a test's thread, never in a child
    fn collect_slowly(from: OwnedFd) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut file = std::fs::File::from(from);
            let (mut bytes, mut page) = (Vec::new(), [0u8; 4096]);
            loop {
                match file.read(&mut page).unwrap() {
                    0 => return bytes,
                    n => bytes.extend_from_slice(&page[..n]),
                }
            }
        })
    }

    #[test]
    fn a_file_opened_to_append_is_copied_to() {
        let path = std::env::temp_dir().join(format!("flow-append-{}", std::process::id()));
        std::fs::write(&path, b"before\n").unwrap();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let (from, to_source) = source_pipe();
        let writer = feed(to_source, bytes());
        let mut flow = Flow::splicing(End::Program(from), End::Program(file.into()));
        assert_eq!(run_to_end(&mut flow), Step::SourceEnded);
        assert!(!flow.splice, "the kernel refuses to splice into O_APPEND");
        writer.join().unwrap();
        let mut expected = b"before\n".to_vec();
        expected.extend_from_slice(&bytes());
        assert!(std::fs::read(&path).unwrap() == expected);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_sink_without_reader_fails_the_flow() {
        // The test harness ignores SIGPIPE, as the relaying parent does.
        let (from, to_source) = source_pipe();
        let (from_sink, to) = sink_pipe();
        drop(from_sink);
        fd::write_all(to_source.as_fd(), b"lost").unwrap();
        let mut flow = Flow::splicing(End::Program(from), End::Program(to));
        assert_eq!(run_to_end(&mut flow), Step::SinkFailed);
    }

    #[test]
    fn last_words_follow_what_is_pending_then_the_flow_is_done() {
        let (from, to_source) = source_pipe();
        let (from_sink, to) = sink_pipe();
        fd::write_all(to_source.as_fd(), b"line").unwrap();
        drop(to_source);
        let mut flow = Flow::copying(End::Program(from), End::Program(to));
        assert_eq!(flow.run(), Step::SourceEnded);
        assert_eq!(flow.last_byte(), Some(b'e'));
        flow.close_source(&[4, 4]);
        assert_eq!(run_to_end(&mut flow), Step::SourceEnded);
        drop(flow);
        assert_eq!(collect(from_sink).join().unwrap(), b"line\x04\x04");
    }
}

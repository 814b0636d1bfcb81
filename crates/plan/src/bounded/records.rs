//! A streaming reader of separated records (lines, NUL-ended entries) with
//! a limit on each record and on the whole file. It holds at most one
//! record and one read's worth of bytes, looks at each byte once (the
//! separator search never goes back over what it has seen), and stops
//! reading as soon as a limit is passed: a file of a million lines costs a
//! million steps, and /dev/zero costs one refusal.

use super::size_text;
use crate::error::Error;
use std::io::{ErrorKind, Read};

/// How much a file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The longest record, its separator included.
    pub record: usize,
    /// The most bytes read from the file.
    pub total: u64,
}

/// Room for one read beyond the longest record.
const CHUNK: usize = 16 << 10;

pub struct Records<'a> {
    source: Box<dyn Read + 'a>,
    /// The file as messages name it: "/etc/passwd in container web".
    name: String,
    /// What a record is called in messages: "line", "entry".
    unit: &'static str,
    separator: u8,
    bounds: Bounds,
    /// Why the bounds are what they are, appended to refusals.
    record_reason: String,
    total_reason: String,
    buf: Vec<u8>,
    /// The next record starts here.
    start: usize,
    /// buf[start..scanned] holds no separator.
    scanned: usize,
    /// buf[..end] has been read.
    end: usize,
    read_total: u64,
    /// A separator has been seen.
    separated: bool,
    /// Records returned so far (the next one's number, less one).
    number: u64,
    at_end: bool,
}

impl<'a> Records<'a> {
    /// Newline-ended lines.
    pub fn lines(source: impl Read + 'a, name: impl Into<String>, bounds: Bounds) -> Self {
        Records::new(Box::new(source), name.into(), "line", b'\n', bounds)
    }

    /// NUL-ended entries, as in /proc/PID/environ.
    pub fn entries(source: impl Read + 'a, name: impl Into<String>, bounds: Bounds) -> Self {
        Records::new(Box::new(source), name.into(), "entry", 0, bounds)
    }

    fn new(
        source: Box<dyn Read + 'a>,
        name: String,
        unit: &'static str,
        separator: u8,
        bounds: Bounds,
    ) -> Self {
        Records {
            source,
            name,
            unit,
            separator,
            bounds,
            record_reason: String::new(),
            total_reason: String::new(),
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            end: 0,
            read_total: 0,
            separated: false,
            number: 0,
            at_end: false,
        }
    }

    /// Say why a record may be no longer, after that refusal.
    pub fn explain_record(mut self, reason: impl Into<String>) -> Self {
        self.record_reason = reason.into();
        self
    }

    /// Say why the file may be no larger, after that refusal.
    pub fn explain_total(mut self, reason: impl Into<String>) -> Self {
        self.total_reason = reason.into();
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of the last record returned (1 for the first).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// Whether any separator has been read yet.
    pub fn separated(&self) -> bool {
        self.separated
    }

    /// The start of the record being read, after a refusal.
    pub fn partial(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The next record without its separator; the last one may lack it.
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, Error> {
        loop {
            let unseen = &self.buf[self.scanned..self.end];
            if let Some(i) = memchr::memchr(self.separator, unseen) {
                let first = self.start;
                let sep = self.scanned + i;
                self.start = sep + 1;
                self.scanned = self.start;
                self.separated = true;
                self.number += 1;
                if sep + 1 - first > self.bounds.record {
                    self.start = first;
                    return Err(self.too_long());
                }
                return Ok(Some(&self.buf[first..sep]));
            }
            self.scanned = self.end;
            // With its separator still to come, it is already too long.
            if self.end - self.start >= self.bounds.record {
                self.number += 1;
                return Err(self.too_long());
            }
            if self.at_end {
                if self.start == self.end {
                    return Ok(None);
                }
                let first = self.start;
                self.start = self.end;
                self.number += 1;
                return Ok(Some(&self.buf[first..self.end]));
            }
            self.fill()?;
        }
    }

    /// "NAME: line 3 is longer than 64 KiB".
    fn too_long(&self) -> Error {
        Error::msg(format!(
            "{}: {} {} is longer than {}{}",
            self.name,
            self.unit,
            self.number,
            size_text(self.bounds.record as u64),
            self.record_reason
        ))
    }

    /// "NAME: larger than 64 MiB", also for callers that count in their own
    /// way what the file holds.
    pub fn too_large(&self) -> Error {
        Error::msg(format!(
            "{}: larger than {}{}",
            self.name,
            size_text(self.bounds.total),
            self.total_reason
        ))
    }

    /// Read more, never more than one byte past the file's bound.
    fn fill(&mut self) -> Result<(), Error> {
        if self.end == self.buf.len() {
            self.make_room();
        }
        let left = self.bounds.total - self.read_total.min(self.bounds.total);
        let want = usize::try_from(left.saturating_add(1)).unwrap_or(usize::MAX);
        let want = want.min(self.buf.len() - self.end);
        let n = loop {
            match self.source.read(&mut self.buf[self.end..self.end + want]) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("cannot read {}", self.name), e)),
            }
        };
        self.end += n;
        self.read_total += n as u64;
        if self.read_total > self.bounds.total {
            return Err(self.too_large());
        }
        self.at_end = n == 0;
        Ok(())
    }

    /// Move the unfinished record to the front, or grow the buffer (to at
    /// most one record and one read), so that a read has room.
    fn make_room(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        let most = self.bounds.record + CHUNK;
        if self.end == self.buf.len() || self.buf.len() - self.end < CHUNK {
            let grown = (self.buf.len() * 2).clamp(CHUNK, most);
            self.buf.resize(grown.max(self.buf.len()), 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Bounds = Bounds {
        record: 8,
        total: 64,
    };

    fn all(mut r: Records<'_>) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(rec)) => out.push(String::from_utf8_lossy(rec).into_owned()),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    /// A reader that hands out one byte per read, as a slow pipe would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn lines_with_and_without_a_last_newline() {
        let got = all(Records::lines(&b"a\n\nbc\nlast"[..], "f", SMALL));
        assert_eq!(got.unwrap(), ["a", "", "bc", "last"]);
        let got = all(Records::entries(&b"A=1\0B=2\0"[..], "f", SMALL));
        assert_eq!(got.unwrap(), ["A=1", "B=2"]);
        assert_eq!(all(Records::lines(&b""[..], "f", SMALL)).unwrap().len(), 0);
    }

    #[test]
    fn a_record_may_fill_its_bound_with_its_separator() {
        // 7 bytes and a newline: exactly 8.
        let got = all(Records::lines(&b"1234567\nx"[..], "f", SMALL));
        assert_eq!(got.unwrap(), ["1234567", "x"]);
        for input in [&b"12345678\n"[..], b"12345678", b"ok\n123456789012"] {
            let err = all(Records::lines(input, "/etc/passwd in container c", SMALL));
            let line = if input.starts_with(b"ok") { 2 } else { 1 };
            assert_eq!(
                err.unwrap_err(),
                format!("/etc/passwd in container c: line {line} is longer than 8 bytes")
            );
        }
    }

    #[test]
    fn the_file_bound_stops_reading_at_once() {
        let zeros = std::io::repeat(0).take(1 << 40);
        let err = all(Records::entries(zeros, "/dev/zero", SMALL).explain_total(" (why)"));
        assert_eq!(err.unwrap_err(), "/dev/zero: larger than 64 bytes (why)");
        // Exactly at the bound is fine.
        let full = [b'a', b'\n'].repeat(32);
        assert_eq!(
            all(Records::lines(&full[..], "f", SMALL)).unwrap().len(),
            32
        );
        let over = [b'a', b'\n'].repeat(33);
        assert!(all(Records::lines(&over[..], "f", SMALL)).is_err());
    }

    #[test]
    fn slow_sources_and_long_files_give_the_same_records() {
        let mut text = Vec::new();
        for i in 0..5000 {
            text.extend_from_slice(format!("line {}\n", i % 977).as_bytes());
        }
        let bounds = Bounds {
            record: 100,
            total: 1 << 20,
        };
        let fast = all(Records::lines(&text[..], "f", bounds)).unwrap();
        let slow = all(Records::lines(Trickle(&text), "f", bounds)).unwrap();
        assert_eq!(fast.len(), 5000);
        assert_eq!(fast, slow);
        assert_eq!(fast[4999], format!("line {}", 4999 % 977));
    }

    #[test]
    fn the_buffer_never_outgrows_one_record_and_one_read() {
        let bounds = Bounds {
            record: 64 << 10,
            total: 1 << 30,
        };
        let long_lines = std::io::repeat(b':')
            .take(60 << 10)
            .chain(&b"\n"[..])
            .chain(std::io::repeat(b'x').take(1 << 20));
        let mut r = Records::lines(long_lines, "f", bounds);
        assert_eq!(r.next_record().unwrap().unwrap().len(), 60 << 10);
        assert!(r.next_record().is_err());
        assert!(r.buf.len() <= bounds.record + CHUNK, "{}", r.buf.len());
        assert!(r.partial().len() >= 64 << 10 && r.partial().starts_with(b"xxx"));
    }

    #[test]
    fn read_errors_name_the_file() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from_raw_os_error(5)) // EIO
            }
        }
        let err = all(Records::lines(Broken, "env file /x", SMALL)).unwrap_err();
        assert_eq!(err, "cannot read env file /x: Input/output error");
    }
}

//! A minimal blocking HTTP/1.1 client over a unix socket: one GET per
//! connection, enough for the Docker Engine API.
//!
//! No async runtime and no threads: entering namespaces later needs a
//! single-threaded process. Bodies may come with Content-Length, chunked
//! (Docker's usual answer) or delimited by the end of the connection.
//!
//! An answer is hostile input like any other: it is bounded in bytes, and
//! read in linear time however it is cut into pieces (what has been checked
//! is remembered between reads, never scanned again).

use crate::sys::Errno;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// Headers larger than this are not an answer we expect from a daemon.
const MAX_HEAD: usize = 64 * 1024;
/// Inspect answers are a few KiB, lists some MiB; a bigger body means
/// something is wrong.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Chunk framing around MAX_BODY bytes of data: tiny chunks cost a few
/// bytes each, so the raw answer may be larger than its body, not more.
const MAX_RAW: usize = MAX_HEAD + 4 * MAX_BODY;
/// A chunk-size line: hex digits and perhaps an extension.
const MAX_CHUNK_LINE: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The status line's reason phrase ("Moved Permanently"), perhaps empty.
    pub reason: String,
    /// Header names as sent; look them up with [`Response::header`].
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[derive(Debug)]
pub enum HttpError {
    /// The socket could not be connected (missing, refused, permission).
    Connect(io::Error),
    /// No complete answer before the deadline.
    Timeout,
    /// Writing the request or reading the answer failed.
    Io(io::Error),
    /// The bytes received are not an HTTP/1.x answer we can read.
    Malformed(&'static str),
}

/// `GET path` on the unix socket, with `timeout` for the whole exchange.
///
/// `path` must already be escaped; anything but visible ASCII is refused so
/// that no caller can inject a header or a second request.
pub fn get(socket: &Path, path: &str, timeout: Duration) -> Result<Response, HttpError> {
    if !path.starts_with('/') || !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HttpError::Malformed("request path is not escaped"));
    }
    let deadline = Instant::now() + timeout;
    // A daemon that stopped accepting must not hold us past the deadline.
    let mut stream = match crate::sys::socket::connect_unix(socket, remaining(deadline)?) {
        Ok(fd) => UnixStream::from(fd),
        Err(Errno::AGAIN) => return Err(HttpError::Timeout),
        Err(e) => return Err(HttpError::Connect(e.into())),
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: nsenter-can\r\nConnection: close\r\n\r\n");
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(HttpError::Io)?;
    stream
        .write_all(request.as_bytes())
        .map_err(timeout_or_io)?;

    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let mut progress = Progress::default();
    loop {
        stream
            .set_read_timeout(Some(remaining(deadline)?))
            .map_err(HttpError::Io)?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(timeout_or_io(e)),
        };
        buf.extend_from_slice(&chunk[..n]);
        if progress.advance(&buf, n == 0)? {
            return Ok(progress.response(buf));
        }
    }
}

/// Time left before the deadline; a zero timeout would mean "block forever".
fn remaining(deadline: Instant) -> Result<Duration, HttpError> {
    match deadline.checked_duration_since(Instant::now()) {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(HttpError::Timeout),
    }
}

fn timeout_or_io(e: io::Error) -> HttpError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HttpError::Timeout,
        _ => HttpError::Io(e),
    }
}

/// Parse what has been received so far: `Ok(None)` asks for more bytes.
/// `eof` says the peer closed the connection, so nothing more will come.
pub fn parse(buf: &[u8], eof: bool) -> Result<Option<Response>, HttpError> {
    let mut progress = Progress::default();
    Ok(progress
        .advance(buf, eof)?
        .then(|| progress.response(buf.to_vec())))
}

/// How the body's end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    /// It ends with the connection.
    Close,
}

/// The status line and headers, parsed once.
#[derive(Debug)]
struct Head {
    /// Bytes up to and including the blank line.
    len: usize,
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    framing: Framing,
}

/// How far a growing answer has been checked.
#[derive(Debug, Default)]
struct Progress {
    /// Where the search for the end of the headers goes on.
    searched: usize,
    head: Option<Head>,
    /// Chunked: where the next chunk-size line starts, once the head is known.
    next_chunk: usize,
    body_len: usize,
    /// Chunked: the last chunk seen, trailers being read from here.
    trailers_from: Option<usize>,
}

impl Progress {
    /// Check the bytes received since the last call; true once the answer
    /// is complete.
    fn advance(&mut self, buf: &[u8], eof: bool) -> Result<bool, HttpError> {
        if buf.len() > MAX_RAW {
            return Err(HttpError::Malformed("answer too large"));
        }
        let head = match &self.head {
            Some(head) => head,
            None => {
                let from = self.searched.saturating_sub(3);
                let Some(at) = find(&buf[from..], b"\r\n\r\n").map(|i| from + i) else {
                    self.searched = buf.len();
                    return match (eof, buf.len() > MAX_HEAD) {
                        (true, _) => Err(HttpError::Malformed(
                            "connection closed before the end of the headers",
                        )),
                        (false, true) => Err(HttpError::Malformed("headers too large")),
                        (false, false) => Ok(false),
                    };
                };
                if at > MAX_HEAD {
                    return Err(HttpError::Malformed("headers too large"));
                }
                let head = parse_head(&buf[..at])?;
                self.next_chunk = head.len;
                self.head.insert(head)
            }
        };
        let rest = buf.len() - head.len;
        let complete = match head.framing {
            Framing::Empty => true,
            Framing::Length(len) => rest >= len,
            Framing::Close if rest > MAX_BODY => {
                return Err(HttpError::Malformed("body too large"))
            }
            Framing::Close => eof,
            Framing::Chunked => self.chunks_complete(buf)?,
        };
        match (complete, eof) {
            (true, _) => Ok(true),
            (false, true) => Err(HttpError::Malformed(
                "connection closed before the end of the body",
            )),
            (false, false) => Ok(false),
        }
    }

    /// Walk the chunks that have fully arrived; true after the last chunk
    /// and its trailers.
    fn chunks_complete(&mut self, buf: &[u8]) -> Result<bool, HttpError> {
        loop {
            if let Some(from) = self.trailers_from {
                return self.trailers_end(buf, from);
            }
            let at = self.next_chunk;
            let Some(line_len) = find(&buf[at..], b"\r\n") else {
                if buf.len() - at > MAX_CHUNK_LINE {
                    return Err(HttpError::Malformed("bad chunk size"));
                }
                return Ok(false);
            };
            let size = chunk_size(&buf[at..at + line_len])?;
            let data = at + line_len + 2;
            if size == 0 {
                self.trailers_from = Some(data);
                continue;
            }
            if self.body_len + size > MAX_BODY {
                return Err(HttpError::Malformed("body too large"));
            }
            if buf.len() < data + size + 2 {
                return Ok(false);
            }
            if &buf[data + size..data + size + 2] != b"\r\n" {
                return Err(HttpError::Malformed("chunk not followed by CRLF"));
            }
            self.body_len += size;
            self.next_chunk = data + size + 2;
        }
    }

    /// After the last chunk come optional trailer lines and an empty line;
    /// the lines already seen are not looked at again.
    fn trailers_end(&mut self, buf: &[u8], mut from: usize) -> Result<bool, HttpError> {
        while let Some(end) = find(&buf[from..], b"\r\n") {
            if end == 0 {
                return Ok(true);
            }
            from += end + 2;
            self.trailers_from = Some(from);
        }
        if buf.len() - from > MAX_HEAD {
            return Err(HttpError::Malformed("trailers too large"));
        }
        Ok(false)
    }

    /// The complete answer (after `advance` said so).
    fn response(self, mut buf: Vec<u8>) -> Response {
        let head = self.head.expect("a complete answer has a head");
        let body = match head.framing {
            Framing::Empty => Vec::new(),
            Framing::Length(len) => buf.drain(head.len..head.len + len).collect(),
            Framing::Close => buf.split_off(head.len),
            Framing::Chunked => dechunk(&buf[head.len..], self.body_len),
        };
        Response {
            status: head.status,
            reason: head.reason,
            headers: head.headers,
            body,
        }
    }
}

/// The status line and headers (without the blank line ending them).
fn parse_head(bytes: &[u8]) -> Result<Head, HttpError> {
    let head =
        std::str::from_utf8(bytes).map_err(|_| HttpError::Malformed("headers are not text"))?;
    let mut lines = head.split("\r\n");
    let (status, reason) = parse_status_line(lines.next().unwrap_or(""))?;
    let headers = lines.map(parse_header).collect::<Result<Vec<_>, _>>()?;
    let framing = if status / 100 == 1 || status == 204 || status == 304 {
        Framing::Empty
    } else if header_in(&headers, "Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        Framing::Chunked
    } else if let Some(len) = header_in(&headers, "Content-Length") {
        let len: usize = len
            .trim()
            .parse()
            .map_err(|_| HttpError::Malformed("bad Content-Length"))?;
        if len > MAX_BODY {
            return Err(HttpError::Malformed("body too large"));
        }
        Framing::Length(len)
    } else {
        Framing::Close
    };
    Ok(Head {
        len: bytes.len() + 4,
        status,
        reason: reason.to_string(),
        headers,
        framing,
    })
}

/// `HTTP/1.1 404 Not Found` -> (404, "Not Found").
fn parse_status_line(line: &str) -> Result<(u16, &str), HttpError> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    let reason = parts.next().unwrap_or("").trim();
    if !version.starts_with("HTTP/1.")
        || code.len() != 3
        || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(HttpError::Malformed("bad status line"));
    }
    let status = code
        .parse()
        .map_err(|_| HttpError::Malformed("bad status line"))?;
    Ok((status, reason))
}

fn parse_header(line: &str) -> Result<(String, String), HttpError> {
    let (name, value) = line
        .split_once(':')
        .ok_or(HttpError::Malformed("header line without a colon"))?;
    if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
        return Err(HttpError::Malformed("bad header name"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// A chunk-size line; extensions after ';' are ignored.
fn chunk_size(line: &[u8]) -> Result<usize, HttpError> {
    let text = std::str::from_utf8(line).map_err(|_| HttpError::Malformed("bad chunk size"))?;
    let text = text.split(';').next().unwrap_or("").trim();
    if text.is_empty() || text.len() > 8 {
        return Err(HttpError::Malformed("bad chunk size"));
    }
    usize::from_str_radix(text, 16).map_err(|_| HttpError::Malformed("bad chunk size"))
}

/// The data of chunks already checked by [`Progress::chunks_complete`].
fn dechunk(mut rest: &[u8], len: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(len);
    while let Some(line_len) = find(rest, b"\r\n") {
        let size = chunk_size(&rest[..line_len]).unwrap_or(0);
        if size == 0 {
            break;
        }
        let data = line_len + 2;
        body.extend_from_slice(&rest[data..data + size]);
        rest = &rest[data + size + 2..];
    }
    body
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;

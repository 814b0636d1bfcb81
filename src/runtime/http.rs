//! A minimal blocking HTTP/1.1 client over a unix socket: one GET per
//! connection, enough for the Docker Engine API.
//!
//! No async runtime and no threads: entering namespaces later needs a
//! single-threaded process. Bodies may come with Content-Length, chunked
//! (Docker's usual answer) or delimited by the end of the connection.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// Headers larger than this are not an answer we expect from a daemon.
const MAX_HEAD: usize = 64 * 1024;
/// Inspect answers are a few KiB; a bigger body means something is wrong.
const MAX_BODY: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names as sent; look them up with [`Response::header`].
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
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
    let mut stream = UnixStream::connect(socket).map_err(HttpError::Connect)?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: nsenter-can\r\nConnection: close\r\n\r\n");
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(HttpError::Io)?;
    stream
        .write_all(request.as_bytes())
        .map_err(timeout_or_io)?;

    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
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
        if let Some(response) = parse(&buf, n == 0)? {
            return Ok(response);
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
    let Some(head_len) = find(buf, b"\r\n\r\n") else {
        return match (eof, buf.len() > MAX_HEAD) {
            (true, _) => Err(HttpError::Malformed(
                "connection closed before the end of the headers",
            )),
            (false, true) => Err(HttpError::Malformed("headers too large")),
            (false, false) => Ok(None),
        };
    };
    let head = std::str::from_utf8(&buf[..head_len])
        .map_err(|_| HttpError::Malformed("headers are not text"))?;
    let mut lines = head.split("\r\n");
    let status = parse_status_line(lines.next().unwrap_or(""))?;
    let headers = lines.map(parse_header).collect::<Result<Vec<_>, _>>()?;
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let rest = &buf[head_len + 4..];

    let body = if status / 100 == 1 || status == 204 || status == 304 {
        Some(Vec::new())
    } else if response
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        dechunk(rest)?
    } else if let Some(len) = response.header("Content-Length") {
        let len: usize = len
            .trim()
            .parse()
            .map_err(|_| HttpError::Malformed("bad Content-Length"))?;
        if len > MAX_BODY {
            return Err(HttpError::Malformed("body too large"));
        }
        (rest.len() >= len).then(|| rest[..len].to_vec())
    } else if rest.len() > MAX_BODY {
        return Err(HttpError::Malformed("body too large"));
    } else {
        // Neither length nor chunks: the body ends with the connection.
        eof.then(|| rest.to_vec())
    };
    match body {
        Some(body) => {
            response.body = body;
            Ok(Some(response))
        }
        None if eof => Err(HttpError::Malformed(
            "connection closed before the end of the body",
        )),
        None => Ok(None),
    }
}

/// `HTTP/1.1 404 Not Found` -> 404.
fn parse_status_line(line: &str) -> Result<u16, HttpError> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.")
        || code.len() != 3
        || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(HttpError::Malformed("bad status line"));
    }
    code.parse()
        .map_err(|_| HttpError::Malformed("bad status line"))
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

/// Decode a chunked body; `Ok(None)` when the last chunk has not arrived.
fn dechunk(mut rest: &[u8]) -> Result<Option<Vec<u8>>, HttpError> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(rest, b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&rest[..line_end])
            .map_err(|_| HttpError::Malformed("bad chunk size"))?;
        // A chunk size may carry extensions after ';' that we ignore.
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| HttpError::Malformed("bad chunk size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(skip_trailers(rest).then_some(body));
        }
        if body.len() + size > MAX_BODY {
            return Err(HttpError::Malformed("body too large"));
        }
        if rest.len() < size + 2 {
            return Ok(None);
        }
        if &rest[size..size + 2] != b"\r\n" {
            return Err(HttpError::Malformed("chunk not followed by CRLF"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// After the last chunk come optional trailer lines and an empty line.
fn skip_trailers(mut rest: &[u8]) -> bool {
    while let Some(end) = find(rest, b"\r\n") {
        if end == 0 {
            return true;
        }
        rest = &rest[end + 2..];
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;

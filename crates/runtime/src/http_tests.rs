//! Tests of the HTTP client against answers recorded from Docker 20.10.

use super::*;
use crate::fake_daemon::FakeDaemon;

const CHUNKED: &[u8] = include_bytes!("testdata/raw-200-chunked.http");
const NOT_FOUND: &[u8] = include_bytes!("testdata/raw-404.http");
const PING: &[u8] = include_bytes!("testdata/raw-ping.http");

fn complete(raw: &[u8]) -> Response {
    parse(raw, false).unwrap().expect("a complete answer")
}

#[test]
fn recorded_chunked_answer_is_decoded() {
    let r = complete(CHUNKED);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("Api-Version"), Some("1.41"));
    assert!(r.body.starts_with(b"{\"Id\":\"fd55781f"));
    assert!(r.body.ends_with(b"}}}}\n"));
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_ok());
}

#[test]
fn recorded_content_length_answers_are_read() {
    let r = complete(NOT_FOUND);
    assert_eq!(r.status, 404);
    assert_eq!(r.body, b"{\"message\":\"No such container: nope\"}\n");
    let r = complete(PING);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"OK"[..]));
}

#[test]
fn every_split_point_asks_for_more_until_complete() {
    for raw in [CHUNKED, NOT_FOUND, PING] {
        let whole = complete(raw);
        for cut in 0..raw.len() {
            assert!(parse(&raw[..cut], false).unwrap().is_none(), "cut at {cut}");
            assert!(parse(&raw[..cut], true).is_err(), "eof at {cut}");
        }
        assert_eq!(parse(raw, true).unwrap(), Some(whole));
    }
}

#[test]
fn chunk_extensions_and_trailers_are_accepted() {
    let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
    assert_eq!(complete(raw).body, b"abcde");
}

#[test]
fn body_without_length_ends_with_the_connection() {
    let raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello";
    assert!(parse(raw, false).unwrap().is_none());
    assert_eq!(parse(raw, true).unwrap().unwrap().body, b"hello");
}

#[test]
fn malformed_answers_are_refused() {
    for raw in [
        &b"SSH-2.0-OpenSSH\r\n\r\n"[..],
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
    ] {
        assert!(
            parse(raw, false).is_err(),
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[test]
fn unescaped_paths_are_refused_before_connecting() {
    for path in ["/a b", "/a\r\nX: y", "relative", "/é"] {
        let err = get(Path::new("/nonexistent.sock"), path, Duration::from_secs(1)).unwrap_err();
        assert!(matches!(err, HttpError::Malformed(_)), "{path}: {err:?}");
    }
}

#[test]
fn missing_socket_is_a_connect_error() {
    let err = get(
        Path::new("/nonexistent/docker.sock"),
        "/_ping",
        Duration::from_secs(1),
    )
    .unwrap_err();
    assert!(
        matches!(err, HttpError::Connect(ref e) if e.kind() == io::ErrorKind::NotFound),
        "{err:?}"
    );
}

#[test]
fn request_is_one_get_and_split_writes_are_joined() {
    let daemon = FakeDaemon::start(vec![Some(CHUNKED)], 100, Duration::ZERO);
    let r = get(
        &daemon.socket,
        "/v1.41/containers/x/json",
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(r, complete(CHUNKED));
    let req = &daemon.requests()[0];
    assert!(
        req.starts_with("GET /v1.41/containers/x/json HTTP/1.1\r\n"),
        "{req}"
    );
    assert!(
        req.contains("\r\nHost: docker\r\n") && req.contains("\r\nConnection: close\r\n"),
        "{req}"
    );
    assert!(req.ends_with("\r\n\r\n"), "{req}");
}

#[test]
fn silent_daemon_times_out() {
    let daemon = FakeDaemon::start(vec![None], 1, Duration::from_millis(400));
    let started = Instant::now();
    let err = get(&daemon.socket, "/_ping", Duration::from_millis(100)).unwrap_err();
    assert!(matches!(err, HttpError::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(350));
    daemon.requests();
}

#[test]
#[allow(clippy::disallowed_methods)] // a test's thread, never in a child
fn a_daemon_that_accepts_nothing_times_out_connecting() {
    use crate::fake_daemon::socket_path;
    use crate::sys::socket::{connect_unix, listen_unix};
    let path = socket_path();
    // A listener with no room for connections it has not accepted: the
    // first fills it, and the next connect waits for room (control: ours
    // gives up after its timeout; a connect without one waits for ever).
    let _listener = listen_unix(&path, 0).unwrap();
    let _queued = connect_unix(&path, Duration::from_millis(100)).unwrap();
    assert_eq!(
        connect_unix(&path, Duration::from_millis(100)).unwrap_err(),
        crate::sys::Errno::AGAIN,
        "control: the listener's backlog is full"
    );
    let (done, result) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = done.send(get(&path, "/_ping", Duration::from_millis(300)));
    });
    let err = result
        .recv_timeout(Duration::from_secs(10))
        .expect("get() did not return: connect has no deadline")
        .unwrap_err();
    assert!(matches!(err, HttpError::Timeout), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn answers_are_bounded_in_bytes() {
    // Chunks adding up past the limit, however small each one is.
    let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..=MAX_BODY >> 20 {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(&chunk);
        raw.extend_from_slice(b"\r\n");
    }
    assert!(matches!(
        parse(&raw, false),
        Err(HttpError::Malformed("body too large"))
    ));
    // A body ended by the connection, past the limit.
    let mut raw = b"HTTP/1.0 200 OK\r\n\r\n".to_vec();
    raw.resize(raw.len() + MAX_BODY + 1, b'x');
    assert!(matches!(
        parse(&raw, false),
        Err(HttpError::Malformed("body too large"))
    ));
    // A chunk-size line that never ends.
    let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    raw.resize(raw.len() + 2000, b'1');
    assert!(matches!(
        parse(&raw, false),
        Err(HttpError::Malformed("bad chunk size"))
    ));
    // Headers that never end.
    let raw = vec![b'a'; 70 * 1024];
    assert!(matches!(
        parse(&raw, false),
        Err(HttpError::Malformed("headers too large"))
    ));
}

#[test]
fn an_answer_in_one_byte_pieces_is_read_whole() {
    // Each read sees one more byte; what was checked is not checked again.
    let mut body = String::from("[");
    for i in 0..500 {
        body.push_str(&format!("{{\"Id\":\"{i:064}\"}},"));
    }
    body.push_str("{}]");
    let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-T: 1\r\n\r\n".to_vec();
    for piece in body.as_bytes().chunks(7) {
        raw.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        raw.extend_from_slice(piece);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\nTrailer: x\r\n\r\n");
    let raw: &'static [u8] = raw.leak();
    let daemon = FakeDaemon::start(vec![Some(raw)], 1, Duration::ZERO);
    let r = get(
        &daemon.socket,
        "/v1.41/containers/json",
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(r.body, body.as_bytes());
    assert_eq!((r.status, r.reason.as_str()), (200, "OK"));
    daemon.requests();
}

//! Tests of the Docker runtime against a fake daemon that replays answers
//! recorded from Docker Engine 20.10.

use super::*;
use crate::fake_daemon::{socket_path, FakeDaemon};
use crate::ContainerState;

const RUNNING: &[u8] = include_bytes!("testdata/raw-200-chunked.http");
const NOT_FOUND: &[u8] = include_bytes!("testdata/raw-404.http");
const AMBIGUOUS: &[u8] = include_bytes!("testdata/raw-500-ambiguous.http");
const TOO_NEW: &[u8] = include_bytes!("testdata/raw-400-too-new.http");

/// Ask a fake daemon giving `answers`; the result and the request lines.
fn find_with(
    query: &str,
    answers: Vec<Option<&'static [u8]>>,
) -> (Result<Container, Error>, Vec<String>) {
    let daemon = FakeDaemon::start(answers, 512, Duration::ZERO);
    let result = Docker::with_socket(&daemon.socket).find(query);
    let lines = daemon
        .requests()
        .iter()
        .map(|r| r.lines().next().unwrap_or("").to_string())
        .collect();
    (result, lines)
}

#[test]
fn found_in_one_round_trip() {
    let (found, requests) = find_with("rt-run", vec![Some(RUNNING)]);
    let c = found.unwrap();
    assert_eq!(
        (c.name.as_str(), c.state, c.pid),
        ("rt-run", ContainerState::Running, 4905)
    );
    assert_eq!(requests, ["GET /v1.41/containers/rt-run/json HTTP/1.1"]);
}

#[test]
fn unknown_container_says_no_such_container() {
    let (found, _) = find_with("nope", vec![Some(NOT_FOUND)]);
    assert_eq!(found.unwrap_err().to_string(), "No such container: nope");
}

#[test]
fn ambiguous_prefix_is_explained() {
    let (found, _) = find_with("e", vec![Some(AMBIGUOUS)]);
    let msg = found.unwrap_err().to_string();
    assert!(
        msg.starts_with("container ID prefix e is ambiguous"),
        "{msg}"
    );
}

#[test]
fn refused_api_version_is_retried_once_with_the_daemons() {
    // The refusal carries "Api-Version: 1.41"; pretend we asked for another.
    let refusal: &'static [u8] =
        b"HTTP/1.1 400 Bad Request\r\nApi-Version: 1.44\r\nContent-Length: 82\r\n\r\n{\"message\":\"client version 1.41 is too old. Minimum supported API version is 1.44\"}";
    let (found, requests) = find_with("rt-run", vec![Some(refusal), Some(RUNNING)]);
    assert_eq!(found.unwrap().name, "rt-run");
    assert_eq!(
        requests,
        [
            "GET /v1.41/containers/rt-run/json HTTP/1.1",
            "GET /v1.44/containers/rt-run/json HTTP/1.1"
        ]
    );
}

#[test]
fn refusal_naming_our_own_version_is_not_retried() {
    let (found, requests) = find_with("x", vec![Some(TOO_NEW)]);
    let msg = found.unwrap_err().to_string();
    assert!(
        msg.contains("with 400 Bad Request: client version 1.99 is too new"),
        "{msg}"
    );
    assert_eq!(requests.len(), 1);
}

#[test]
fn odd_characters_are_escaped_and_a_leading_slash_dropped() {
    let (_, requests) = find_with("/a b/../?x=1#\r\n", vec![Some(NOT_FOUND)]);
    assert_eq!(
        requests,
        ["GET /v1.41/containers/a%20b%2F..%2F%3Fx%3D1%23%0D%0A/json HTTP/1.1"]
    );
}

#[test]
fn empty_and_dot_queries_are_refused_without_asking() {
    for q in ["", "/", ".", ".."] {
        assert!(Docker::with_socket("/nonexistent.sock")
            .find(q)
            .unwrap_err()
            .to_string()
            .contains("invalid"));
    }
}

#[test]
fn missing_socket_asks_whether_the_daemon_runs() {
    let err = Docker::with_socket("/nonexistent/docker.sock")
        .find("x")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot connect to /nonexistent/docker.sock: No such file or directory (is the Docker daemon running?)"
    );
}

#[test]
fn stale_socket_asks_whether_the_daemon_runs() {
    let socket = socket_path();
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    let err = Docker::with_socket(&socket)
        .find("x")
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("Connection refused (is the Docker daemon running?)"),
        "{err}"
    );
}

#[test]
fn silent_daemon_is_reported_with_the_timeout() {
    let daemon = FakeDaemon::start(vec![None], 1, Duration::from_millis(500));
    let docker = Docker::with_socket(&daemon.socket).with_timeout(Duration::from_millis(200));
    let err = docker.find("x").unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "Docker daemon at {} did not answer within 0.2s",
            daemon.socket.display()
        )
    );
    daemon.requests();
}

#[test]
fn addresses_are_unix_sockets_named_by_their_origin() {
    use super::HostOrigin::{Environment, Option};
    assert_eq!(
        parse_host("unix:///run/d.sock", Option).unwrap(),
        Path::new("/run/d.sock")
    );
    // A bare absolute path is a socket too.
    assert_eq!(
        parse_host("/var/run/docker.sock", Option).unwrap(),
        Path::new("/var/run/docker.sock")
    );
    assert_eq!(
        parse_host("tcp://127.0.0.1:2375", Option)
            .unwrap_err()
            .to_string(),
        "-H tcp://127.0.0.1:2375: only a local unix socket (unix:///path or /path) is supported"
    );
    assert_eq!(
        parse_host("ssh://me@host", Environment)
            .unwrap_err()
            .to_string(),
        "DOCKER_HOST=ssh://me@host: only a local unix socket (unix:///path or /path) is supported"
    );
    for bad in ["unix://", "unix://relative", "docker.sock"] {
        let err = parse_host(bad, Option).unwrap_err().to_string();
        assert!(err.contains("only a local unix socket"), "{err}");
    }
    assert_eq!(
        parse_host("", Option).unwrap_err().to_string(),
        "-H: no address given (unix:///path or /path)"
    );
}

#[test]
fn container_list_gives_ids() {
    let list = serde_json::json!([
        {"Id": "a", "Names": ["/web", "/other/alias"]},
        {"Names": []},
        {"Id": "c", "Names": ["/db"]}
    ]);
    assert_eq!(ids_of_list(&list), ["a", "c"]);
    assert!(ids_of_list(&serde_json::json!({"message": "x"})).is_empty());
}

#[test]
fn errors_without_a_json_message_say_the_status_and_what_was_asked() {
    let moved: &'static [u8] = b"HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/html\r\nContent-Length: 43\r\n\r\n<html><body>Moved elsewhere</body></html>\r\n";
    let (found, _) = find_with("web", vec![Some(moved)]);
    let socket = found.unwrap_err().to_string();
    assert!(
        socket.ends_with(" answered GET /v1.41/containers/web/json with 301 Moved Permanently"),
        "{socket}"
    );
    let empty: &'static [u8] = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
    let (found, _) = find_with("web", vec![Some(empty)]);
    let msg = found.unwrap_err().to_string();
    assert!(msg.ends_with(" with 502 Bad Gateway"), "{msg}");
    // Old engines answer in plain text: that is said.
    let text: &'static [u8] =
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 14\r\n\r\nshutting down\n";
    let (found, _) = find_with("web", vec![Some(text)]);
    let msg = found.unwrap_err().to_string();
    assert!(
        msg.ends_with(" with 503 Service Unavailable: shutting down"),
        "{msg}"
    );
}

//! The Docker Engine API over its unix socket (also Podman's compatible
//! one): one `GET /v1.41/containers/{query}/json` finds a container by
//! name, full ID or unique ID prefix (the daemon resolves all three).
//!
//! v1.41 (Engine 20.10) is fixed so that a lookup is one round trip. An
//! engine that refuses it (too old, or too new: Engine 29 dropped API
//! versions below 1.44) names its own version in the `Api-Version` header of
//! the refusal, and the request is repeated once with that version.

mod image;

use super::http::{self, HttpError, Response};
use super::inspect::container_from_inspect;
use super::{Container, RuntimeKind};
use crate::error::Error;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
const API_VERSION: &str = "1.41";
/// A healthy local daemon answers in milliseconds; a wedged one never does.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docker {
    socket: PathBuf,
    timeout: Duration,
    /// Docker, or Podman's compatible service.
    kind: RuntimeKind,
}

/// Why the daemon gave no container description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answers: no socket, nobody listening, or no answer in time.
    Unreachable(Error),
    /// The daemon answered, but not with what was asked.
    Failed(Error),
}

impl Failure {
    pub fn into_error(self) -> Error {
        match self {
            Failure::Unreachable(e) | Failure::Failed(e) => e,
        }
    }
}

/// Where a daemon address came from, to name it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOrigin {
    /// `-H` / `--host`.
    Option,
    /// The `DOCKER_HOST` variable.
    Environment,
}

/// The socket path of a daemon address: `unix:///path`, or a bare absolute
/// path to the socket.
pub fn parse_host(value: &str, origin: HostOrigin) -> Result<PathBuf, Error> {
    let named = match origin {
        HostOrigin::Option => format!("-H {value}"),
        HostOrigin::Environment => format!("DOCKER_HOST={value}"),
    };
    if value.is_empty() {
        return Err(Error::msg(format!(
            "{}: no address given (unix:///path or /path)",
            named.trim_end()
        )));
    }
    let path = value.strip_prefix("unix://").unwrap_or(value);
    if !path.starts_with('/') {
        return Err(Error::msg(format!(
            "{named}: only a local unix socket (unix:///path or /path) is supported"
        )));
    }
    Ok(PathBuf::from(path))
}

impl Docker {
    /// The daemon named by `DOCKER_HOST` (empty means unset, as for the
    /// docker CLI), else the default socket.
    pub fn from_env() -> Result<Docker, Error> {
        match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => Ok(Docker::with_socket(parse_host(
                &host,
                HostOrigin::Environment,
            )?)),
            _ => Ok(Docker::with_socket(DEFAULT_SOCKET)),
        }
    }

    pub fn with_socket(socket: impl Into<PathBuf>) -> Docker {
        Docker {
            socket: socket.into(),
            timeout: TIMEOUT,
            kind: RuntimeKind::Docker,
        }
    }

    pub fn with_timeout(self, timeout: Duration) -> Docker {
        Docker { timeout, ..self }
    }

    /// Podman's Docker-compatible service.
    pub fn podman(socket: impl Into<PathBuf>) -> Docker {
        Docker {
            kind: RuntimeKind::Podman,
            ..Docker::with_socket(socket)
        }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn describe(&self) -> String {
        match self.kind {
            RuntimeKind::Podman => format!("Podman service at {}", self.socket.display()),
            _ => format!("Docker daemon at {}", self.socket.display()),
        }
    }

    /// The container a name, full ID or unique ID prefix names.
    pub fn find(&self, query: &str) -> Result<Container, Error> {
        match self.inspect(query) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(Error::msg(format!(
                "No such container: {}",
                query.trim_start_matches('/')
            ))),
            Err(f) => Err(f.into_error()),
        }
    }

    /// The container a query names; `None` when the daemon knows none.
    pub fn inspect(&self, query: &str) -> Result<Option<Container>, Failure> {
        // Docker shows names with a leading '/'; accept them as shown.
        let query = query.strip_prefix('/').unwrap_or(query);
        if query.is_empty() || query == "." || query == ".." {
            return Err(Failure::Failed(Error::msg(format!(
                "invalid container name or ID: {query:?}"
            ))));
        }
        let rest = format!("/containers/{}/json", escape_path_segment(query));
        let (path, response) = self.get_versioned(&rest)?;
        match response.status {
            200 => {
                let json = serde_json::from_slice(&response.body).map_err(|e| {
                    Failure::Failed(Error::msg(format!(
                        "{} sent a container description that is not JSON: {e}",
                        self.describe()
                    )))
                })?;
                let mut c = container_from_inspect(&json)
                    .map_err(|e| Failure::Failed(e.context(format!("inspecting container {query}"))))?;
                c.runtime = self.kind;
                Ok(Some(c))
            }
            404 => Ok(None),
            500 if message(&response).contains("Multiple IDs found") => Err(Failure::Failed(
                Error::msg(format!(
                    "container ID prefix {query} is ambiguous: it matches several containers; give more of the ID or the name"
                )),
            )),
            _ => Err(Failure::Failed(self.refused(&path, &response))),
        }
    }

    /// Every running container, each inspected (for `--list`, and for
    /// pods and PIDs when there are no state files to read).
    pub fn running(&self) -> Result<Vec<Container>, Failure> {
        let (path, response) = self.get_versioned("/containers/json")?;
        if response.status != 200 {
            return Err(Failure::Failed(self.refused(&path, &response)));
        }
        let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            Failure::Failed(Error::msg(format!(
                "{} sent a container list that is not JSON: {e}",
                self.describe()
            )))
        })?;
        let mut found = Vec::new();
        for id in ids_of_list(&json) {
            // A container may go between the list and its inspect.
            if let Some(c) = self.inspect(&id)? {
                found.push(c);
            }
        }
        Ok(found)
    }

    /// `GET path` at the daemon, with failures said in the user's terms.
    fn get(&self, path: &str) -> Result<Response, Failure> {
        http::get(&self.socket, path, self.timeout).map_err(|e| self.explain(e))
    }

    fn explain(&self, err: HttpError) -> Failure {
        let socket = self.socket.display();
        match err {
            HttpError::Connect(e) => {
                let hint = match e.kind() {
                    ErrorKind::NotFound | ErrorKind::ConnectionRefused => match self.kind {
                        RuntimeKind::Podman => " (is the Podman service running?)",
                        _ => " (is the Docker daemon running?)",
                    },
                    ErrorKind::PermissionDenied => " (run as root)",
                    _ => "",
                };
                let reason = e
                    .raw_os_error()
                    .map_or_else(|| e.to_string(), crate::error::strerror);
                Failure::Unreachable(Error::msg(format!(
                    "cannot connect to {socket}: {reason}{hint}"
                )))
            }
            HttpError::Timeout => Failure::Unreachable(Error::msg(format!(
                "{} did not answer within {}s",
                self.describe(),
                self.timeout.as_secs_f32()
            ))),
            HttpError::Io(e) => Failure::Failed(Error::io(
                format!("cannot talk to the {}", self.describe()),
                e,
            )),
            HttpError::Malformed(why) => Failure::Failed(Error::msg(format!(
                "{} sent a bad answer: {why}",
                self.describe()
            ))),
        }
    }

    /// `GET /v<version><rest>`, retried once with the daemon's own API
    /// version if it refuses ours; the path asked last, and the answer.
    fn get_versioned(&self, rest: &str) -> Result<(String, Response), Failure> {
        let path = format!("/v{API_VERSION}{rest}");
        let response = self.get(&path)?;
        match version_to_retry(&response) {
            Some(version) => {
                let path = format!("/v{version}{rest}");
                let response = self.get(&path)?;
                Ok((path, response))
            }
            None => Ok((path, response)),
        }
    }

    /// An answer that is not the one asked for: its status and what was
    /// asked, with the daemon's message when it sent one.
    fn refused(&self, path: &str, response: &Response) -> Error {
        let status = match response.reason.as_str() {
            "" => response.status.to_string(),
            reason => format!("{} {reason}", response.status),
        };
        let said = match message(response) {
            m if m.is_empty() => String::new(),
            m => format!(": {m}"),
        };
        Error::msg(format!(
            "{} answered GET {path} with {status}{said}",
            self.describe()
        ))
    }
}

/// The IDs in a `GET /containers/json` answer.
fn ids_of_list(list: &serde_json::Value) -> Vec<String> {
    let containers = list.as_array().map(Vec::as_slice).unwrap_or_default();
    containers
        .iter()
        .filter_map(|c| c["Id"].as_str())
        .map(str::to_string)
        .collect()
}

/// A 400 "client version 1.41 is too new/old" names the version to use.
fn version_to_retry(response: &Response) -> Option<String> {
    if response.status != 400 || !message(response).contains("client version") {
        return None;
    }
    let version = response.header("Api-Version")?;
    let well_formed =
        !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    (well_formed && version != API_VERSION).then(|| version.to_string())
}

/// The daemon's error text: `{"message": ...}` or, from old engines, one
/// short line of plain text. Anything else (an HTML page from a proxy, an
/// empty body) says nothing worth repeating.
fn message(response: &Response) -> String {
    const MAX_TEXT: usize = 200;
    let body = String::from_utf8_lossy(&response.body);
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) if v["message"].is_string() => v["message"].as_str().unwrap_or("").to_string(),
        Ok(_) => String::new(),
        Err(_) => {
            let text = body.trim();
            let plain = text.len() <= MAX_TEXT
                && !text.contains('\n')
                && !text.starts_with('<')
                && !response
                    .header("Content-Type")
                    .is_some_and(|t| t.contains("html"));
            if plain {
                text.to_string()
            } else {
                String::new()
            }
        }
    }
}

/// Percent-encode everything but RFC 3986 unreserved characters, so a query
/// cannot add a path segment, a query string or a header to the request.
fn escape_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "docker_tests.rs"]
mod tests;

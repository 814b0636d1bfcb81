//! The Docker Engine API over its unix socket: one `GET
//! /v1.41/containers/{query}/json` finds a container by name, full ID or
//! unique ID prefix (the daemon resolves all three).
//!
//! v1.41 (Engine 20.10) is fixed so that a lookup is one round trip. An
//! engine that refuses it (too old, or too new: Engine 29 dropped API
//! versions below 1.44) names its own version in the `Api-Version` header of
//! the refusal, and the request is repeated once with that version.

mod image;

use super::http::{self, HttpError, Response};
use super::inspect::container_from_inspect;
use super::{Container, Runtime};
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
}

impl Docker {
    /// The daemon named by `DOCKER_HOST`, else the default socket.
    pub fn from_env() -> Result<Docker, Error> {
        Docker::from_host(std::env::var("DOCKER_HOST").ok().as_deref())
    }

    /// The daemon at `host`, a `DOCKER_HOST` value (`unix:///path`).
    pub fn from_host(host: Option<&str>) -> Result<Docker, Error> {
        let socket = match host {
            None | Some("") => DEFAULT_SOCKET,
            Some(h) => match h.strip_prefix("unix://") {
                Some(path) if !path.is_empty() => path,
                _ => {
                    return Err(Error::msg(format!(
                        "DOCKER_HOST={h}: only a local unix socket (unix:///path) is supported"
                    )))
                }
            },
        };
        Ok(Docker::with_socket(socket))
    }

    pub fn with_socket(socket: impl Into<PathBuf>) -> Docker {
        Docker {
            socket: socket.into(),
            timeout: TIMEOUT,
        }
    }

    pub fn with_timeout(self, timeout: Duration) -> Docker {
        Docker { timeout, ..self }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `GET path` at the daemon, with failures said in the user's terms.
    fn get(&self, path: &str) -> Result<Response, Error> {
        http::get(&self.socket, path, self.timeout).map_err(|e| self.explain(e))
    }

    fn explain(&self, err: HttpError) -> Error {
        let socket = self.socket.display();
        match err {
            HttpError::Connect(e) => {
                let hint = match e.kind() {
                    ErrorKind::NotFound | ErrorKind::ConnectionRefused => {
                        " (is the Docker daemon running?)"
                    }
                    ErrorKind::PermissionDenied => {
                        " (run as root or as a member of the docker group)"
                    }
                    _ => "",
                };
                let reason = e
                    .raw_os_error()
                    .map_or_else(|| e.to_string(), crate::sys::strerror);
                Error::msg(format!("cannot connect to {socket}: {reason}{hint}"))
            }
            HttpError::Timeout => Error::msg(format!(
                "Docker daemon at {socket} did not answer within {}s",
                self.timeout.as_secs_f32()
            )),
            HttpError::Io(e) => {
                Error::io(format!("cannot talk to the Docker daemon at {socket}"), &e)
            }
            HttpError::Malformed(why) => Error::msg(format!(
                "Docker daemon at {socket} sent a bad answer: {why}"
            )),
        }
    }

    /// The daemon's answer to an inspect, retried once with the daemon's
    /// own API version if it refuses ours.
    fn inspect(&self, query: &str) -> Result<Response, Error> {
        self.get_versioned(&format!("/containers/{}/json", escape_path_segment(query)))
    }

    /// `GET /v<version><rest>`, retried once with the daemon's own API
    /// version if it refuses ours.
    fn get_versioned(&self, rest: &str) -> Result<Response, Error> {
        let response = self.get(&format!("/v{API_VERSION}{rest}"))?;
        match version_to_retry(&response) {
            Some(version) => self.get(&format!("/v{version}{rest}")),
            None => Ok(response),
        }
    }
}

impl Runtime for Docker {
    fn describe(&self) -> String {
        format!("Docker daemon at {}", self.socket.display())
    }

    fn find(&self, query: &str) -> Result<Container, Error> {
        // Docker shows names with a leading '/'; accept them as shown.
        let query = query.strip_prefix('/').unwrap_or(query);
        if query.is_empty() || query == "." || query == ".." {
            return Err(Error::msg(format!(
                "invalid container name or ID: {query:?}"
            )));
        }
        let response = self.inspect(query)?;
        match response.status {
            200 => {
                let json = serde_json::from_slice(&response.body).map_err(|e| {
                    Error::msg(format!("{} sent a container description that is not JSON: {e}", self.describe()))
                })?;
                container_from_inspect(&json).map_err(|e| e.context(format!("inspecting container {query}")))
            }
            404 => Err(Error::msg(format!("No such container: {query}"))),
            500 if message(&response).contains("Multiple IDs found") => Err(Error::msg(format!(
                "container ID prefix {query} is ambiguous: it matches several containers; give more of the ID or the name"
            ))),
            status => Err(Error::msg(format!(
                "{} refused to inspect container {query} ({status}): {}",
                self.describe(),
                message(&response)
            ))),
        }
    }

    fn running_names(&self) -> Result<Vec<String>, Error> {
        let response = self.get_versioned("/containers/json")?;
        if response.status != 200 {
            return Err(Error::msg(format!(
                "{} refused to list containers ({}): {}",
                self.describe(),
                response.status,
                message(&response)
            )));
        }
        let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            Error::msg(format!(
                "{} sent a container list that is not JSON: {e}",
                self.describe()
            ))
        })?;
        Ok(names_of_list(&json))
    }
}

/// The first name of each container in a `GET /containers/json` answer.
fn names_of_list(list: &serde_json::Value) -> Vec<String> {
    let containers = list.as_array().map(Vec::as_slice).unwrap_or_default();
    containers
        .iter()
        .filter_map(|c| c["Names"].as_array()?.first()?.as_str())
        .map(|n| n.trim_start_matches('/').to_string())
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

/// The daemon's error text: `{"message": ...}` or, from old engines, plain text.
fn message(response: &Response) -> String {
    let body = String::from_utf8_lossy(&response.body);
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) if v["message"].is_string() => v["message"].as_str().unwrap_or("").to_string(),
        _ => body.trim().to_string(),
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

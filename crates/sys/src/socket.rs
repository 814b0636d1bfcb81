//! Unix stream sockets: connecting to a daemon's socket within a deadline.

use super::fd::ours;
use super::{retry, SysResult};
use rustix::net::sockopt::{set_socket_timeout, Timeout};
use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::Duration;

/// Connect to the unix socket at `path`, waiting at most `timeout`.
///
/// A listener whose backlog is full (a daemon that stopped accepting)
/// makes a blocking connect wait for room, for ever; the kernel bounds
/// that wait by the socket's send timeout (SO_SNDTIMEO), after which
/// connect fails with EAGAIN.
pub fn connect_unix(path: &Path, timeout: Duration) -> SysResult<OwnedFd> {
    let socket = unix_stream_socket()?;
    set_socket_timeout(&socket, Timeout::Send, Some(timeout))?;
    let address = SocketAddrUnix::new(path)?;
    retry(|| rustix::net::connect(&socket, &address))?;
    Ok(socket)
}

/// A listening unix socket with room for `backlog` connections not yet
/// accepted (tests make a daemon that accepts nothing with it).
pub fn listen_unix(path: &Path, backlog: i32) -> SysResult<OwnedFd> {
    let socket = unix_stream_socket()?;
    rustix::net::bind(&socket, &SocketAddrUnix::new(path)?)?;
    rustix::net::listen(&socket, backlog)?;
    Ok(socket)
}

/// A new unix stream socket, close-on-exec.
fn unix_stream_socket() -> SysResult<OwnedFd> {
    rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )
    .map(ours)
}

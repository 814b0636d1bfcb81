//! Unix sockets: connecting to a daemon's socket within a deadline, and
//! the pair over which a helper child of ours hands back descriptors.

use super::fd::ours;
use super::{retry, Errno, SysResult};
use rustix::net::sockopt::{set_socket_timeout, Timeout};
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags,
    SendAncillaryBuffer, SendAncillaryMessage, SendFlags, SocketAddrUnix, SocketFlags, SocketType,
};
use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;
use std::time::Duration;

/// The most descriptors one message carries.
pub const MAX_FDS: usize = 4;

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

/// A connected pair of unix sockets that keep each message whole
/// (SOCK_SEQPACKET), close-on-exec.
pub fn message_pair() -> SysResult<(OwnedFd, OwnedFd)> {
    let (a, b) = rustix::net::socketpair(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )?;
    Ok((ours(a), ours(b)))
}

/// Send `bytes` (not empty) and `fds` (at most [`MAX_FDS`]) as one
/// message: the descriptors go as SCM_RIGHTS, and the receiver gets
/// copies of them.
pub fn send_message(socket: BorrowedFd<'_>, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> SysResult<()> {
    if bytes.is_empty() || fds.len() > MAX_FDS {
        return Err(Errno::INVAL);
    }
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !fds.is_empty() && !control.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(Errno::NOBUFS);
    }
    let sent = retry(|| {
        rustix::net::sendmsg(
            socket,
            &[IoSlice::new(bytes)],
            &mut control,
            SendFlags::NOSIGNAL,
        )
    })?;
    match sent == bytes.len() {
        true => Ok(()),
        false => Err(Errno::MSGSIZE),
    }
}

/// Receive one message of at most `max` bytes with its descriptors
/// (close-on-exec). A message cut short (longer than `max`, or with more
/// than [`MAX_FDS`] descriptors) is EMSGSIZE; none at all (the other end
/// closed first) is ENODATA.
pub fn receive_message(socket: BorrowedFd<'_>, max: usize) -> SysResult<(Vec<u8>, Vec<OwnedFd>)> {
    let mut bytes = vec![0u8; max];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = retry(|| {
        rustix::net::recvmsg(
            socket,
            &mut [IoSliceMut::new(&mut bytes)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
    })?;
    let mut fds = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = message {
            fds.extend(received.map(ours));
        }
    }
    if got
        .flags
        .intersects(ReturnFlags::TRUNC | ReturnFlags::CTRUNC)
    {
        return Err(Errno::MSGSIZE);
    }
    if got.bytes == 0 {
        return Err(Errno::NODATA);
    }
    bytes.truncate(got.bytes);
    Ok((bytes, fds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn a_message_brings_its_descriptors() {
        let (ours_end, theirs) = message_pair().unwrap();
        let (a, _b) = message_pair().unwrap();
        send_message(theirs.as_fd(), b"hello", &[a.as_fd()]).unwrap();
        let (bytes, fds) = receive_message(ours_end.as_fd(), 64).unwrap();
        assert_eq!(bytes, b"hello");
        assert_eq!(fds.len(), 1);
        let same = |x: &OwnedFd| rustix::fs::fstat(x).map(|s| (s.st_dev, s.st_ino)).unwrap();
        assert_eq!(same(&fds[0]), same(&a));

        send_message(theirs.as_fd(), b"too long", &[]).unwrap();
        assert_eq!(
            receive_message(ours_end.as_fd(), 3).err(),
            Some(Errno::MSGSIZE)
        );
        drop(theirs);
        assert_eq!(
            receive_message(ours_end.as_fd(), 64).err(),
            Some(Errno::NODATA)
        );
    }
}

//! Descriptors as such: reading and writing, pipes and copies, waiting for
//! several at once, and closing ours before exec (security rule 4).
//!
//! Every descriptor this layer hands out is close-on-exec and passes
//! through [`ours`], which notes the highest number handed out. Before the
//! program runs, [`close_ours`] closes exactly those: a descriptor that is
//! open and close-on-exec at that point is ours, because one inherited
//! across our own execve cannot be close-on-exec (the kernel closed every
//! such descriptor when it started us). The caller's other descriptors
//! reach the program untouched, as util-linux nsenter passes them.

use super::{check, retry, Errno, SysResult};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

pub use rustix::event::PollFlags;

/// The highest descriptor number this layer has handed out.
static HIGHEST_OURS: AtomicI32 = AtomicI32::new(2);

/// Note a descriptor this layer opened, so [`close_ours`] finds it.
pub(super) fn ours(fd: OwnedFd) -> OwnedFd {
    HIGHEST_OURS.fetch_max(fd.as_raw_fd(), Ordering::Relaxed);
    fd
}

/// Close every descriptor of ours, and only those: 0, 1 or 2 as well when
/// the caller left that number closed and one of ours took it. Closed,
/// not only left close-on-exec: execve resolves a `#!` interpreter while
/// close-on-exec descriptors are still open, so a container's
/// `#!/proc/self/fd/N/...` line could otherwise reach through one of ours.
/// Call in the process that execs, just before exec: descriptors still
/// held as `OwnedFd` elsewhere are closed under them.
pub fn close_ours() -> SysResult<()> {
    let highest = HIGHEST_OURS.load(Ordering::Relaxed);
    for raw in 0..=highest {
        // SAFETY: F_GETFD reads the flags of a descriptor number and fails
        // with EBADF when it is not open; no memory is passed.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFD) };
        if flags != -1 && flags & libc::FD_CLOEXEC != 0 {
            // SAFETY: the number is open and ours (see the module notes);
            // we are about to exec, so no owner will use it again.
            check(unsafe { libc::close(raw) } as libc::c_long)?;
        }
    }
    Ok(())
}

/// Close every descriptor above 2, the caller's too (docker-enter gives
/// the program only 0, 1 and 2, as `docker exec` does), and those of ours
/// that took a number from 0 to 2 the caller left closed. Same reasons
/// and caveats as [`close_ours`].
pub fn close_all_above_stdio() -> SysResult<()> {
    for raw in 0..=2 {
        if !is_inherited(raw) {
            close_standard(raw)?;
        }
    }
    // SAFETY: close_range takes numbers only; closing descriptors we may
    // still own elsewhere is acceptable because we are about to exec.
    let rc = unsafe { libc::syscall(libc::SYS_close_range, 3u32, libc::c_uint::MAX, 0u32) };
    if rc == 0 {
        return Ok(());
    }
    // Kernels before 5.9: close up to the descriptor limit.
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let top = limit.current.unwrap_or(1 << 20).min(1 << 20) as RawFd;
    for raw in 3..top {
        // SAFETY: closing a number that is not open only fails with EBADF.
        unsafe { libc::close(raw) };
    }
    Ok(())
}

/// read(2) once; Ok(0) at end of file.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    retry(|| rustix::io::read(fd, &mut *buf))
}

/// write(2) once; how many bytes were taken.
pub fn write_some(fd: BorrowedFd<'_>, data: &[u8]) -> SysResult<usize> {
    retry(|| rustix::io::write(fd, data))
}

/// Write all of `data` to a descriptor.
pub fn write_all(fd: BorrowedFd<'_>, mut data: &[u8]) -> SysResult<()> {
    while !data.is_empty() {
        let n = write_some(fd, data)?;
        data = &data[n..];
    }
    Ok(())
}

/// Read until end of file.
pub fn read_to_end(fd: BorrowedFd<'_>) -> SysResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match read(fd, &mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Wait until one of `fds` is ready for its events, or `timeout_ms` passes
/// (None waits without limit); what each one reported, in order.
pub fn poll(
    fds: &[(BorrowedFd<'_>, PollFlags)],
    timeout_ms: Option<u32>,
) -> SysResult<Vec<PollFlags>> {
    let mut polled: Vec<rustix::event::PollFd<'_>> = fds
        .iter()
        .map(|(fd, events)| rustix::event::PollFd::from_borrowed_fd(*fd, *events))
        .collect();
    let timeout = timeout_ms.map(|ms| rustix::event::Timespec {
        tv_sec: i64::from(ms / 1000),
        tv_nsec: i64::from(ms % 1000) * 1_000_000,
    });
    rustix::event::poll(&mut polled, timeout.as_ref())?;
    Ok(polled.iter().map(|p| p.revents()).collect())
}

/// Set O_NONBLOCK on a descriptor.
pub fn set_nonblocking(fd: BorrowedFd<'_>) -> SysResult<()> {
    let flags = rustix::fs::fcntl_getfl(fd)?;
    rustix::fs::fcntl_setfl(fd, flags | rustix::fs::OFlags::NONBLOCK)
}

/// pipe2(2) with O_CLOEXEC: (read end, write end).
pub fn pipe() -> SysResult<(OwnedFd, OwnedFd)> {
    let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    Ok((ours(read), ours(write)))
}

/// A second close-on-exec descriptor for the same open file.
pub fn dup(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    rustix::io::fcntl_dupfd_cloexec(fd, 3).map(ours)
}

/// Make standard descriptor `target` (0, 1 or 2) a copy of `fd`; the copy
/// is not close-on-exec, so the program gets it.
pub fn dup_onto_standard(fd: BorrowedFd<'_>, target: RawFd) -> SysResult<()> {
    match target {
        0 => rustix::stdio::dup2_stdin(fd),
        1 => rustix::stdio::dup2_stdout(fd),
        2 => rustix::stdio::dup2_stderr(fd),
        _ => Err(Errno::BADF),
    }
}

/// Whether standard descriptor `n` (0, 1 or 2) is the caller's: open and
/// not close-on-exec. A number the caller left closed may since hold one of
/// ours (the lowest free number is handed out), and ours are close-on-exec
/// (see the module notes).
pub fn is_inherited(n: RawFd) -> bool {
    assert!((0..=2).contains(&n), "not a standard descriptor: {n}");
    // SAFETY: F_GETFD reads the flags of a descriptor number and fails
    // with EBADF when it is not open; no memory is passed.
    let flags = unsafe { libc::fcntl(n, libc::F_GETFD) };
    flags != -1 && flags & libc::FD_CLOEXEC == 0
}

/// Close standard descriptor `n` (0, 1 or 2), if open: in the process
/// about to exec the program, when the caller left it closed and one of
/// ours took its number since (nothing else uses it there any more).
pub fn close_standard(n: RawFd) -> SysResult<()> {
    assert!((0..=2).contains(&n), "not a standard descriptor: {n}");
    // SAFETY: closing a number; what of ours may hold it is close-on-exec
    // and never used by the program's process, which is about to exec.
    match unsafe { libc::close(n) } {
        0 => Ok(()),
        _ => match super::last_errno() {
            Errno::BADF => Ok(()),
            e => Err(e),
        },
    }
}

/// splice(2) up to `max` bytes from `from` to `to`, one of which is a
/// pipe, without blocking on a pipe (SPLICE_F_NONBLOCK; a descriptor that
/// is not a pipe blocks as it was opened to): how many bytes moved, 0 at
/// the end of `from`. The kernel moves the pages themselves where it can,
/// so nothing is copied through our memory.
pub fn splice(from: BorrowedFd<'_>, to: BorrowedFd<'_>, max: usize) -> SysResult<usize> {
    let flags = rustix::pipe::SpliceFlags::MOVE | rustix::pipe::SpliceFlags::NONBLOCK;
    retry(|| rustix::pipe::splice(from, None, to, None, max, flags))
}

/// Bytes waiting in a pipe to be read (FIONREAD).
pub fn unread_in_pipe(pipe: BorrowedFd<'_>) -> SysResult<u64> {
    rustix::io::ioctl_fionread(pipe)
}

/// Move a file's offset back by `n` bytes (lseek SEEK_CUR).
pub fn seek_back(file: BorrowedFd<'_>, n: u64) -> SysResult<()> {
    let back = i64::try_from(n).map_err(|_| Errno::INVAL)?;
    rustix::fs::seek(file, rustix::fs::SeekFrom::Current(-back)).map(drop)
}

/// Set the capacity of a pipe (F_SETPIPE_SZ, rounded up by the kernel):
/// the new capacity.
pub fn set_pipe_size(pipe: BorrowedFd<'_>, bytes: usize) -> SysResult<usize> {
    rustix::pipe::fcntl_setpipe_size(pipe, bytes)
}

/// Standard input, output or error (0, 1, 2), borrowed for the whole run.
/// For one the caller left open ([`is_inherited`]), or one of ours put
/// there with [`dup_onto_standard`]: a number the caller closed may hold
/// one of our descriptors, closed before the run ends.
pub fn standard(n: RawFd) -> BorrowedFd<'static> {
    assert!((0..=2).contains(&n), "not a standard descriptor: {n}");
    // SAFETY: a standard descriptor the caller left open stays open for
    // the life of the process (nothing closes it; dup_onto_standard
    // replaces it atomically), so a 'static borrow of it is sound.
    unsafe { BorrowedFd::borrow_raw(n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_are_ours_and_close_on_exec() {
        let (read_end, write_end) = pipe().unwrap();
        assert!(HIGHEST_OURS.load(Ordering::Relaxed) >= write_end.as_raw_fd());
        let flags = rustix::io::fcntl_getfd(&read_end).unwrap();
        assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
        use std::os::fd::AsFd;
        write_all(write_end.as_fd(), b"x").unwrap();
        drop(write_end);
        assert_eq!(read_to_end(read_end.as_fd()).unwrap(), b"x");
    }
}

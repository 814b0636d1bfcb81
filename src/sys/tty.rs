//! Terminals and pseudo-terminals: modes, window size, the pty pair and
//! the controlling terminal.

use super::{check, SysResult};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

pub fn isatty(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: isatty takes a descriptor.
    unsafe { libc::isatty(fd.as_raw_fd()) == 1 }
}

/// A terminal's modes.
#[derive(Clone, Copy)]
pub struct Termios(libc::termios);

pub fn get_termios(fd: BorrowedFd<'_>) -> SysResult<Termios> {
    // SAFETY: an all-zero termios is valid storage for tcgetattr to fill.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: t is a writable termios.
    check(unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut t) } as libc::c_long)?;
    Ok(Termios(t))
}

pub fn set_termios(fd: BorrowedFd<'_>, t: &Termios) -> SysResult<()> {
    // SAFETY: t is a valid termios.
    check(unsafe { libc::tcsetattr(fd.as_raw_fd(), libc::TCSADRAIN, &t.0) } as libc::c_long)
        .map(drop)
}

/// The same modes in raw mode: no echo, no line editing, no signals from
/// keys (the pty inside interprets them for the program).
pub fn raw(t: &Termios) -> Termios {
    let mut raw = t.0;
    // SAFETY: raw is a valid termios; cfmakeraw only changes its flags.
    unsafe { libc::cfmakeraw(&mut raw) };
    Termios(raw)
}

pub fn get_winsize(fd: BorrowedFd<'_>) -> SysResult<libc::winsize> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut ws) } as libc::c_long)?;
    Ok(ws)
}

pub fn set_winsize(fd: BorrowedFd<'_>, ws: &libc::winsize) -> SysResult<()> {
    // SAFETY: TIOCSWINSZ reads one winsize.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, ws) } as libc::c_long).map(drop)
}

/// Unlock a pty master and open its peer without a path lookup
/// (TIOCGPTPEER, Linux 4.13), so no file in the container can stand in for it.
pub fn open_peer(master: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads one int.
    check(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock) } as libc::c_long)?;
    const TIOCGPTPEER: libc::c_ulong = 0x5441;
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes open flags and returns a new descriptor.
    let fd =
        check(unsafe { libc::ioctl(master.as_raw_fd(), TIOCGPTPEER as _, flags) } as libc::c_long)?;
    // SAFETY: the ioctl returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Start a new session and make `tty` its controlling terminal.
pub fn make_controlling(tty: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: setsid takes nothing.
    check(unsafe { libc::setsid() } as libc::c_long)?;
    // SAFETY: TIOCSCTTY takes an int argument (0: do not steal).
    check(unsafe { libc::ioctl(tty.as_raw_fd(), libc::TIOCSCTTY, 0) } as libc::c_long).map(drop)
}

/// setsid(2): a new session, without a controlling terminal.
pub fn new_session() -> SysResult<()> {
    // SAFETY: setsid takes nothing.
    check(unsafe { libc::setsid() } as libc::c_long).map(drop)
}

/// dup2(2): make `target` (0, 1 or 2) a copy of `fd`.
pub fn dup_onto(fd: BorrowedFd<'_>, target: RawFd) -> SysResult<()> {
    // SAFETY: dup2 takes descriptors; target is one of the standard ones.
    check(unsafe { libc::dup2(fd.as_raw_fd(), target) } as libc::c_long).map(drop)
}

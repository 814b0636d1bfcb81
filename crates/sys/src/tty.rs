//! Terminals and pseudo-terminals: modes, window size, the pty pair and
//! the controlling terminal.

use super::fd::ours;
use super::SysResult;
use rustix::pty::OpenptFlags;
use rustix::termios::{OptionalActions, SpecialCodeIndex};
use std::os::fd::{BorrowedFd, OwnedFd};

pub use rustix::termios::{Termios, Winsize};

pub fn isatty(fd: BorrowedFd<'_>) -> bool {
    rustix::termios::isatty(fd)
}

pub fn get_termios(fd: BorrowedFd<'_>) -> SysResult<Termios> {
    rustix::termios::tcgetattr(fd)
}

/// Set a terminal's modes once its pending output is written (TCSADRAIN).
pub fn set_termios(fd: BorrowedFd<'_>, t: &Termios) -> SysResult<()> {
    rustix::termios::tcsetattr(fd, OptionalActions::Drain, t)
}

/// Set a terminal's modes at once, without waiting for its output: for a
/// terminal that may be gone, where output would never drain.
pub fn set_termios_now(fd: BorrowedFd<'_>, t: &Termios) -> SysResult<()> {
    rustix::termios::tcsetattr(fd, OptionalActions::Now, t)
}

/// The end-of-file character of a terminal (of a pty's terminal, through
/// its master): Ctrl-D unless changed.
pub fn eof_char(fd: BorrowedFd<'_>) -> u8 {
    get_termios(fd).map_or(4, |t| t.special_codes[SpecialCodeIndex::VEOF])
}

/// The same modes in raw mode: no echo, no line editing, no signals from
/// keys (the pty inside interprets them for the program).
pub fn raw(t: &Termios) -> Termios {
    let mut raw = t.clone();
    raw.make_raw();
    raw
}

pub fn get_winsize(fd: BorrowedFd<'_>) -> SysResult<Winsize> {
    rustix::termios::tcgetwinsize(fd)
}

pub fn set_winsize(fd: BorrowedFd<'_>, ws: Winsize) -> SysResult<()> {
    rustix::termios::tcsetwinsize(fd, ws)
}

/// Unlock a pty master and open its peer without a path lookup
/// (TIOCGPTPEER, Linux 4.13), so no file in the container can stand in for it.
pub fn open_peer(master: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    rustix::pty::unlockpt(master)?;
    let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
    rustix::pty::ioctl_tiocgptpeer(master, flags).map(ours)
}

/// Start a new session and make `tty` its controlling terminal.
pub fn make_controlling(tty: BorrowedFd<'_>) -> SysResult<()> {
    rustix::process::setsid()?;
    rustix::process::ioctl_tiocsctty(tty)
}

/// Whether we lead our session (then a hang-up of its terminal is signalled
/// to us alone).
pub fn is_session_leader() -> bool {
    rustix::process::getsid(None).is_ok_and(|sid| sid == rustix::process::getpid())
}

/// setsid(2): a new session, without a controlling terminal.
pub fn new_session() -> SysResult<()> {
    rustix::process::setsid().map(drop)
}

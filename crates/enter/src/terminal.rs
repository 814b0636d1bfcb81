//! A fresh pseudo-terminal for an interactive program (security rule 13).
//!
//! Handing the container our terminal would let a process inside push
//! keystrokes into the host shell with TIOCSTI once we exit. Instead the
//! program gets the peer of a new pty master, as `docker exec -t` does, and
//! we relay bytes between our terminal (in raw mode) and the master.

use crate::error::{Error, Result};
use crate::sys::fs::{self, OFlags};
use crate::sys::{fd, tty};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

pub struct Pty {
    pub master: OwnedFd,
    /// The program's end; the parent drops it after forking.
    pub peer: Option<OwnedFd>,
}

/// What a pty needs from the host, opened before entering: the host's pty
/// multiplexer, the fallback when the container has no usable /dev/ptmx,
/// and our own /proc/self/fd, through which the container's /dev/ptmx is
/// opened once it is known to be the device (after entering, /proc is
/// the container's).
pub struct HostSide {
    master: OwnedFd,
    our_fds: OwnedFd,
}

/// Open the host's side of a pty (before entering).
pub fn open_host_master() -> Result<HostSide> {
    let master = fs::open(Path::new("/dev/ptmx"), OFlags::RDWR | OFlags::NOCTTY)
        .map_err(|e| Error::sys("cannot open /dev/ptmx", e))?;
    let our_fds = fs::open(Path::new("/proc/self/fd"), OFlags::PATH | OFlags::DIRECTORY)
        .map_err(|e| Error::sys("cannot open /proc/self/fd", e))?;
    Ok(HostSide { master, our_fds })
}

/// After entering: a pty from the container's own /dev/ptmx when it is the
/// real device (so the program's tty lives in the container's devpts, as
/// with docker exec), else from the host master opened before entering.
pub fn open(host: HostSide) -> Result<Pty> {
    let master = container_master(host.our_fds.as_fd()).unwrap_or(host.master);
    let peer = tty::open_peer(master.as_fd())
        .map_err(|e| Error::sys("cannot open the pseudo-terminal's peer", e))?;
    Ok(Pty {
        master,
        peer: Some(peer),
    })
}

/// The container's /dev/ptmx, only if it is the pty multiplexer device
/// (character device 5:2). A container could put anything at that path,
/// and opening a file can act (a FIFO's waiting reader is released, a
/// device driver runs): so it is looked up without opening it (O_PATH,
/// links followed inside the root, none through /proc), checked, and
/// only then opened, through the handle, so nothing can be swapped in
/// between.
fn container_master(our_fds: BorrowedFd<'_>) -> Option<OwnedFd> {
    let root = fs::open(Path::new("/"), OFlags::PATH | OFlags::DIRECTORY).ok()?;
    let found = fs::open_in_root(root.as_fd(), Path::new("dev/ptmx"), OFlags::PATH).ok()?;
    if !fs::fstat(found.as_fd()).ok()?.is_char_device(5, 2) {
        return None;
    }
    let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK;
    fs::reopen_through(our_fds, found.as_fd(), flags).ok()
}

/// In the program's process: a new session with the pty as its
/// controlling terminal and standard input, output and error.
pub fn attach_program(peer: BorrowedFd<'_>) -> Result<()> {
    tty::make_controlling(peer).map_err(|e| {
        Error::sys(
            "cannot make the pseudo-terminal the controlling terminal",
            e,
        )
    })?;
    for target in 0..=2 {
        fd::dup_onto_standard(peer, target)
            .map_err(|e| Error::sys("cannot attach the pseudo-terminal", e))?;
    }
    Ok(())
}

/// Our terminal in raw mode for as long as the relay runs.
pub struct RawMode {
    saved: Option<tty::Termios>,
}

impl RawMode {
    pub fn enter() -> RawMode {
        let stdin = std::io::stdin();
        let saved = tty::get_termios(stdin.as_fd()).ok();
        if let Some(t) = &saved {
            let _ = tty::set_termios(stdin.as_fd(), &tty::raw(t));
        }
        RawMode { saved }
    }

    /// Raw mode again, after a stop gave the terminal back.
    pub fn reapply(&self) {
        if let Some(t) = &self.saved {
            let _ = tty::set_termios(std::io::stdin().as_fd(), &tty::raw(t));
        }
    }

    pub fn restore(&self) {
        if let Some(t) = &self.saved {
            let _ = tty::set_termios(std::io::stdin().as_fd(), t);
        }
    }

    /// Restore at once, for a terminal that may be gone (its output would
    /// never drain); consumes the value so nothing restores it again.
    pub fn restore_now(mut self) {
        if let Some(t) = self.saved.take() {
            let _ = tty::set_termios_now(std::io::stdin().as_fd(), &t);
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Give the pty the size of our terminal, the first of standard input,
/// output and error that is one (the kernel then sends SIGWINCH to the
/// program's foreground process group). With none, the size stays 0x0,
/// as with `docker exec -t`.
pub fn copy_window_size(master: BorrowedFd<'_>) {
    let terminals = standard_terminals();
    let ours = (0..=2)
        .filter(|&n| terminals[n as usize])
        .find_map(|n| tty::get_winsize(fd::standard(n)).ok());
    if let Some(ws) = ours {
        let _ = tty::set_winsize(master, ws);
    }
}

/// Which of the caller's standard input, output and error are terminals
/// (a number the caller left closed may hold a pty master of ours).
pub fn standard_terminals() -> [bool; 3] {
    [0, 1, 2].map(|n| fd::is_inherited(n) && tty::isatty(fd::standard(n)))
}

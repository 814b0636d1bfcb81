//! Signals: masks, dispositions, sending, and waiting for them through a
//! signalfd. All through libc: rustix offers these only to programs
//! without libc, and takes only named signals where the tools pass any
//! number (real-time ones included).

use super::fd::ours;
use super::{check, Errno, SysResult};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// A set of signals.
#[derive(Clone, Copy)]
pub struct SigSet(libc::sigset_t);

impl SigSet {
    pub fn of(signals: &[i32]) -> SigSet {
        // SAFETY: an all-zero sigset_t is valid storage for sigemptyset.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: set is a valid sigset_t; the signals are valid numbers.
        unsafe {
            libc::sigemptyset(&mut set);
            for &s in signals {
                libc::sigaddset(&mut set, s);
            }
        }
        SigSet(set)
    }
}

/// Block `set`, returning the previous mask.
pub fn block(set: &SigSet) -> SysResult<SigSet> {
    // SAFETY: an all-zero sigset_t is valid storage for the old mask.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers refer to valid sigset_t values.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set.0, &mut old) };
    if rc != 0 {
        return Err(Errno::from_raw_os_error(rc));
    }
    Ok(SigSet(old))
}

/// Replace the signal mask.
pub fn set_mask(set: &SigSet) -> SysResult<()> {
    // SAFETY: set points to a valid sigset_t; the old mask is not wanted.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &set.0, std::ptr::null_mut()) };
    if rc != 0 {
        return Err(Errno::from_raw_os_error(rc));
    }
    Ok(())
}

/// A signal taken from a signalfd: its number and who sent it.
pub struct Received {
    pub signo: i32,
    /// si_code: SI_USER/SI_QUEUE/SI_TKILL when a process sent it, SI_KERNEL
    /// (or a positive code) when the kernel did, e.g. a terminal's Ctrl-C.
    pub code: i32,
}

impl Received {
    /// True when a process sent the signal with kill(2) or similar, as
    /// opposed to the terminal driver or the kernel.
    pub fn sent_by_process(&self) -> bool {
        self.code <= 0
    }
}

/// Restore the default action of a signal.
pub fn set_default(sig: i32) {
    // SAFETY: SIG_DFL is always a valid disposition.
    unsafe { libc::signal(sig, libc::SIG_DFL) };
}

/// Ignore a signal (SIG_IGN).
pub fn ignore(sig: i32) {
    // SAFETY: SIG_IGN is always a valid disposition.
    unsafe { libc::signal(sig, libc::SIG_IGN) };
}

/// Send a signal to a process.
pub fn kill(pid: i32, sig: i32) -> SysResult<()> {
    // SAFETY: kill takes numbers only.
    check(unsafe { libc::kill(pid, sig) } as libc::c_long).map(drop)
}

/// Raise a signal against ourselves.
pub fn raise(sig: i32) {
    // SAFETY: raise takes a number.
    unsafe { libc::raise(sig) };
}

/// A signalfd for the (blocked) signals in `set`, so signals can be waited
/// for in poll(2) beside other descriptors.
pub fn signalfd(set: &SigSet) -> SysResult<OwnedFd> {
    // SAFETY: set is a valid sigset_t; -1 asks for a new descriptor.
    let fd = check(
        unsafe { libc::signalfd(-1, &set.0, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK) }
            as libc::c_long,
    )?;
    // SAFETY: signalfd returned a new descriptor that nothing else owns.
    Ok(ours(unsafe { OwnedFd::from_raw_fd(fd as i32) }))
}

/// Take one pending signal from a signalfd; None when none is pending.
pub fn read_signalfd(fd: BorrowedFd<'_>) -> SysResult<Option<Received>> {
    // SAFETY: an all-zero signalfd_siginfo is valid storage for the kernel.
    let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::signalfd_siginfo>();
    // SAFETY: info is writable for `size` bytes.
    match check(unsafe {
        libc::read(
            fd.as_raw_fd(),
            (&mut info as *mut libc::signalfd_siginfo).cast(),
            size,
        )
    } as libc::c_long)
    {
        Ok(n) if n as usize == size => Ok(Some(Received {
            signo: info.ssi_signo as i32,
            code: info.ssi_code,
        })),
        Ok(_) | Err(Errno::AGAIN) | Err(Errno::INTR) => Ok(None),
        Err(e) => Err(e),
    }
}

//! Signal masks and synchronous signal waiting, for the parent that waits
//! for the program and forwards signals to it.

use super::{check, retry, SysResult};

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
        return Err(rc);
    }
    Ok(SigSet(old))
}

/// Replace the signal mask.
pub fn set_mask(set: &SigSet) -> SysResult<()> {
    // SAFETY: set points to a valid sigset_t; the old mask is not wanted.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &set.0, std::ptr::null_mut()) };
    if rc != 0 {
        return Err(rc);
    }
    Ok(())
}

/// A signal taken with sigwaitinfo: its number and who sent it.
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

/// Wait for one of the (blocked) signals in `set`.
pub fn wait(set: &SigSet) -> SysResult<Received> {
    retry(|| {
        // SAFETY: an all-zero siginfo_t is valid storage for the kernel to fill.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: set and info are valid for the call.
        let signo = check(unsafe { libc::sigwaitinfo(&set.0, &mut info) } as libc::c_long)?;
        Ok(Received {
            signo: signo as i32,
            code: info.si_code,
        })
    })
}

/// Restore the default action of a signal.
pub fn set_default(sig: i32) {
    // SAFETY: SIG_DFL is always a valid disposition.
    unsafe { libc::signal(sig, libc::SIG_DFL) };
}

/// Send a signal to a process.
pub fn kill(pid: i32, sig: i32) -> SysResult<()> {
    // SAFETY: kill takes numbers only.
    check(unsafe { libc::kill(pid, sig) } as libc::c_long).map(drop)
}

/// The number of a signal from its name ("TERM", "SIGTERM") or number.
pub fn from_name(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let bare = name
        .strip_prefix("SIG")
        .unwrap_or(name)
        .to_ascii_uppercase();
    SIGNAL_NAMES
        .iter()
        .find(|(n, _)| *n == bare)
        .map(|&(_, s)| s)
}

const SIGNAL_NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

#[cfg(test)]
mod tests {
    use super::from_name;

    #[test]
    fn signal_names() {
        assert_eq!(from_name("TERM"), Some(libc::SIGTERM));
        assert_eq!(from_name("SIGKILL"), Some(libc::SIGKILL));
        assert_eq!(from_name("hup"), Some(libc::SIGHUP));
        assert_eq!(from_name("9"), Some(9));
        assert_eq!(from_name("0"), None);
        assert_eq!(from_name("FOO"), None);
    }
}

//! Signal names as util-linux `unshare --kill-child=SIG` accepts them
//! (`TERM`, `SIGterm`, `RTMIN+3`, `RTMAX-1`, any case), plus plain numbers,
//! which unshare 2.38 refuses but our contract allows.

/// glibc keeps 32 and 33 for its threads: SIGRTMIN is 34 in every process
/// linked against it, which is what util-linux's `RTMIN+n` counts from.
const RTMIN: i32 = 34;
/// The kernel's last signal (_NSIG - 1 on Linux).
const RTMAX: i32 = 64;

/// Standard names without "SIG", with Linux's aliases (IOT, CLD, POLL).
const NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CLD", libc::SIGCHLD),
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
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// The signal number a name or number stands for; `None` if it is none.
pub fn parse_signal(text: &str) -> Option<i32> {
    if let Some(n) = decimal(text) {
        return (1..=RTMAX).contains(&n).then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(&(_, n)) = NAMES.iter().find(|(known, _)| *known == name) {
        return Some(n);
    }
    let realtime = if let Some(off) = name.strip_prefix("RTMIN+") {
        decimal(off).map(|o| RTMIN + o)
    } else if let Some(off) = name.strip_prefix("RTMAX-") {
        decimal(off).map(|o| RTMAX - o)
    } else {
        None
    };
    realtime.filter(|n| (RTMIN..=RTMAX).contains(n))
}

/// Digits only: no sign, no spaces (unshare refuses `+9` and `RTMIN+ 1`).
fn decimal(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_signal;

    #[test]
    fn names_as_unshare_takes_them() {
        assert_eq!(parse_signal("TERM"), Some(libc::SIGTERM));
        assert_eq!(parse_signal("sigterm"), Some(libc::SIGTERM));
        assert_eq!(parse_signal("SIGKILL"), Some(libc::SIGKILL));
        assert_eq!(parse_signal("iot"), Some(libc::SIGABRT));
        assert_eq!(parse_signal("RTMIN+0"), Some(34));
        assert_eq!(parse_signal("rtmin+30"), Some(64));
        assert_eq!(parse_signal("SIGRTMAX-1"), Some(63));
        assert_eq!(parse_signal("RTMAX-30"), Some(34));
    }

    #[test]
    fn numbers_are_our_extension() {
        assert_eq!(parse_signal("9"), Some(9));
        assert_eq!(parse_signal("64"), Some(64));
    }

    #[test]
    fn refused_as_unshare_refuses_them() {
        for bad in [
            "", "FOO", "UNUSED", "RTMIN", "RTMAX", "RTMIN+31", "RTMAX-31", "RTMIN+ 1", "RTMIN+-1",
            "0", "65", "-9", "+9", "1x", "SIG",
        ] {
            assert_eq!(parse_signal(bad), None, "{bad:?}");
        }
    }
}

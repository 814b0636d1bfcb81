//! Signal names as util-linux `unshare --kill-child=SIG` accepts them
//! (`TERM`, `SIGterm`, `RTMIN+3`, `RTMAX-1`, any case), plus plain numbers,
//! which unshare 2.38 refuses but our contract allows; and the numbers the
//! tools use. The numbers come from rustix's constants (plain data: this
//! module makes no system call), which hold each architecture's values.

use rustix::process::Signal;

pub const SIGHUP: i32 = Signal::HUP.as_raw();
pub const SIGINT: i32 = Signal::INT.as_raw();
pub const SIGQUIT: i32 = Signal::QUIT.as_raw();
pub const SIGKILL: i32 = Signal::KILL.as_raw();
pub const SIGUSR1: i32 = Signal::USR1.as_raw();
pub const SIGUSR2: i32 = Signal::USR2.as_raw();
pub const SIGPIPE: i32 = Signal::PIPE.as_raw();
pub const SIGALRM: i32 = Signal::ALARM.as_raw();
pub const SIGTERM: i32 = Signal::TERM.as_raw();
pub const SIGCHLD: i32 = Signal::CHILD.as_raw();
pub const SIGCONT: i32 = Signal::CONT.as_raw();
pub const SIGSTOP: i32 = Signal::STOP.as_raw();
pub const SIGWINCH: i32 = Signal::WINCH.as_raw();

/// glibc keeps 32 and 33 for its threads: SIGRTMIN is 34 in every process
/// linked against it, which is what util-linux's `RTMIN+n` counts from.
const RTMIN: i32 = 34;
/// The kernel's last signal (_NSIG - 1 on Linux).
const RTMAX: i32 = 64;

/// Standard names without "SIG", with Linux's aliases (IOT, CLD, POLL).
const NAMES: &[(&str, i32)] = &[
    ("HUP", Signal::HUP.as_raw()),
    ("INT", Signal::INT.as_raw()),
    ("QUIT", Signal::QUIT.as_raw()),
    ("ILL", Signal::ILL.as_raw()),
    ("TRAP", Signal::TRAP.as_raw()),
    ("ABRT", Signal::ABORT.as_raw()),
    ("IOT", Signal::ABORT.as_raw()),
    ("BUS", Signal::BUS.as_raw()),
    ("FPE", Signal::FPE.as_raw()),
    ("KILL", Signal::KILL.as_raw()),
    ("USR1", Signal::USR1.as_raw()),
    ("SEGV", Signal::SEGV.as_raw()),
    ("USR2", Signal::USR2.as_raw()),
    ("PIPE", Signal::PIPE.as_raw()),
    ("ALRM", Signal::ALARM.as_raw()),
    ("TERM", Signal::TERM.as_raw()),
    ("STKFLT", Signal::STKFLT.as_raw()),
    ("CHLD", Signal::CHILD.as_raw()),
    ("CLD", Signal::CHILD.as_raw()),
    ("CONT", Signal::CONT.as_raw()),
    ("STOP", Signal::STOP.as_raw()),
    ("TSTP", Signal::TSTP.as_raw()),
    ("TTIN", Signal::TTIN.as_raw()),
    ("TTOU", Signal::TTOU.as_raw()),
    ("URG", Signal::URG.as_raw()),
    ("XCPU", Signal::XCPU.as_raw()),
    ("XFSZ", Signal::XFSZ.as_raw()),
    ("VTALRM", Signal::VTALARM.as_raw()),
    ("PROF", Signal::PROF.as_raw()),
    ("WINCH", Signal::WINCH.as_raw()),
    ("IO", Signal::IO.as_raw()),
    ("POLL", Signal::IO.as_raw()),
    ("PWR", Signal::POWER.as_raw()),
    ("SYS", Signal::SYS.as_raw()),
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
        assert_eq!(parse_signal("TERM"), Some(15));
        assert_eq!(parse_signal("sigterm"), Some(15));
        assert_eq!(parse_signal("SIGKILL"), Some(9));
        assert_eq!(parse_signal("iot"), Some(6));
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

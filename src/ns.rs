//! Namespace kinds: their names under /proc/PID/ns, their clone flags, and
//! the order in which util-linux enters them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NsKind {
    User,
    Cgroup,
    Ipc,
    Uts,
    Net,
    Pid,
    Mnt,
    Time,
}

impl NsKind {
    /// Every kind, in entering order. The user namespace comes first so that
    /// "gain privilege" works; the mount namespace comes late because it
    /// changes what /proc paths resolve to.
    pub const ALL: [NsKind; 8] = [
        NsKind::User,
        NsKind::Cgroup,
        NsKind::Ipc,
        NsKind::Uts,
        NsKind::Net,
        NsKind::Pid,
        NsKind::Mnt,
        NsKind::Time,
    ];

    /// The file name under /proc/PID/ns/.
    pub fn proc_name(self) -> &'static str {
        match self {
            NsKind::User => "user",
            NsKind::Cgroup => "cgroup",
            NsKind::Ipc => "ipc",
            NsKind::Uts => "uts",
            NsKind::Net => "net",
            NsKind::Pid => "pid",
            NsKind::Mnt => "mnt",
            NsKind::Time => "time",
        }
    }

    /// The name util-linux uses in messages: "ns/mnt".
    pub fn label(self) -> String {
        format!("ns/{}", self.proc_name())
    }

    /// The CLONE_NEW* flag for setns.
    pub fn clone_flag(self) -> i32 {
        match self {
            NsKind::User => libc::CLONE_NEWUSER,
            NsKind::Cgroup => libc::CLONE_NEWCGROUP,
            NsKind::Ipc => libc::CLONE_NEWIPC,
            NsKind::Uts => libc::CLONE_NEWUTS,
            NsKind::Net => libc::CLONE_NEWNET,
            NsKind::Pid => libc::CLONE_NEWPID,
            NsKind::Mnt => libc::CLONE_NEWNS,
            NsKind::Time => CLONE_NEWTIME,
        }
    }

    pub fn from_proc_name(name: &str) -> Option<NsKind> {
        NsKind::ALL.into_iter().find(|k| k.proc_name() == name)
    }
}

/// CLONE_NEWTIME (Linux 5.6); not every libc version exports it.
pub const CLONE_NEWTIME: i32 = 0x80;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in NsKind::ALL {
            assert_eq!(NsKind::from_proc_name(k.proc_name()), Some(k));
        }
        assert_eq!(NsKind::Mnt.label(), "ns/mnt");
    }

    #[test]
    fn flags_are_distinct() {
        let all = NsKind::ALL.iter().fold(0, |acc, k| {
            assert_eq!(acc & k.clone_flag(), 0);
            acc | k.clone_flag()
        });
        assert_ne!(all, 0);
    }
}

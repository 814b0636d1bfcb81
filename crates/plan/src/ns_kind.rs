//! Namespace kinds: their names under /proc/PID/ns and the order in which
//! util-linux enters them (`sys::ns` knows their clone flags).

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

    pub fn from_proc_name(name: &str) -> Option<NsKind> {
        NsKind::ALL.into_iter().find(|k| k.proc_name() == name)
    }
}

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
}

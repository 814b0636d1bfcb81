//! Namespace kinds: their names under /proc/PID/ns and the order in which
//! util-linux enters them (`sys::ns` knows their clone flags).

/// A kind of namespace. Deliberately not `Ord`: the order in which
/// namespaces are entered is [`NsKind::setns_order`], said once, never the
/// order the variants happen to be declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Every kind, in entering order ([`NsKind::setns_order`]; a unit test
    /// holds the two together), which is also the order in which checks
    /// of the command line name them.
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

    /// Where this kind comes when namespace files are entered one setns(2)
    /// at a time: util-linux nsenter's order (user, cgroup, ipc, uts, net,
    /// pid, mnt, time), so that our messages and partial failures are the
    /// ones its users know.
    ///
    /// - The user namespace first: entering it first gives the
    ///   capabilities the others need when the caller's privilege is over
    ///   the target's user namespace ("gain privilege"). When the
    ///   privilege is our own instead, entering the target's user
    ///   namespace first would lose it ("drop privilege"): so every other
    ///   namespace is tried once before it, failures ignored, and what
    ///   failed is entered after it, in this order (`enter::namespaces`).
    /// - pid and time take effect for children only; the mount namespace
    ///   changes what every path resolves to, root and working directory
    ///   included: late, though every file was opened before anyway.
    ///
    /// Through a pidfd, the kernel enters all of them in one call, in its
    /// own order, checked against the target's user namespace.
    pub fn setns_order(self) -> u8 {
        match self {
            NsKind::User => 0,
            NsKind::Cgroup => 1,
            NsKind::Ipc => 2,
            NsKind::Uts => 3,
            NsKind::Net => 4,
            NsKind::Pid => 5,
            NsKind::Mnt => 6,
            NsKind::Time => 7,
        }
    }

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

    /// util-linux's order, written out; ALL lists the kinds in it.
    #[test]
    fn namespaces_are_entered_in_util_linux_order() {
        use NsKind::*;
        let mut kinds = vec![Time, Mnt, Net, User, Pid, Uts, Ipc, Cgroup];
        kinds.sort_by_key(|k| k.setns_order());
        assert_eq!(kinds, [User, Cgroup, Ipc, Uts, Net, Pid, Mnt, Time]);
        assert_eq!(kinds, NsKind::ALL);
    }
}

//! Choosing and entering namespaces.
//!
//! Every handle is opened before the first setns. Namespaces of the target
//! are entered through its pidfd in one atomic setns (the kernel orders them
//! and checks permissions against the target's user namespace); namespace
//! files go in two passes: first all but the user namespace, ignoring
//! errors, then what is left, user namespace included, reporting errors.
//! Together this makes both "gain privilege" (user first) and "drop
//! privilege" (user last) work.

use super::prepare::Opened;
use crate::error::{Error, Result};
use crate::plan::{AllNamespaces, Entry, NsSource};
use crate::sys::{fs, ns, pidfd, Errno};
use crate::target::{own_kinds, own_ns_id, Target};
use nsenter_can_plan::ns_kind::NsKind;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

pub struct Namespaces {
    /// Kinds to enter through the target's pidfd, all in one setns.
    pidfd_kinds: Vec<NsKind>,
    /// Kinds to enter through a namespace file.
    files: Vec<(NsKind, OwnedFd)>,
}

impl Namespaces {
    pub fn enters(&self, kind: NsKind) -> bool {
        self.pidfd_kinds.contains(&kind) || self.files.iter().any(|(k, _)| *k == kind)
    }

    /// Nothing to enter.
    pub fn none() -> Namespaces {
        Namespaces {
            pidfd_kinds: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Take the namespace of `kind` out, to be entered on its own later:
    /// the user namespace after `--tools` is mounted (a mount namespace
    /// made then belongs to our user namespace, which the container's root
    /// has no power over: it could join one owned by the container's and
    /// undo our read-only mounts); the cgroup namespace in the program's
    /// process, once it is in the target's cgroups (see `program_cgroup`).
    pub fn split_off(&mut self, kind: NsKind) -> Namespaces {
        let mut taken = Namespaces::none();
        if let Some(i) = self.pidfd_kinds.iter().position(|k| *k == kind) {
            taken.pidfd_kinds.push(self.pidfd_kinds.remove(i));
        }
        if let Some(i) = self.files.iter().position(|(k, _)| *k == kind) {
            taken.files.push(self.files.remove(i));
        }
        taken
    }
}

/// The kinds to enter and where each comes from.
fn choose(plan: &Entry, target: Option<&Target>) -> Result<Vec<(NsKind, NsSource)>> {
    let own = if plan.all == AllNamespaces::No {
        Vec::new()
    } else {
        own_kinds()
    };
    // The target's namespace of `kind` is not ours (`--all` skips ours).
    let differs = |kind: NsKind| -> Result<bool> {
        let target = target.ok_or_else(|| Error::msg("no target PID specified for --all"))?;
        Ok(Some(target.ns_id(kind)?) != own_ns_id(kind))
    };
    let mut chosen = Vec::new();
    for kind in NsKind::ALL {
        if let Some(source) = plan.source_of(kind) {
            chosen.push((kind, source.clone()));
            continue;
        }
        let wanted = match plan.all {
            AllNamespaces::No => false,
            _ if !own.contains(&kind) => false,
            // nsenter -a: every kind this kernel has, the user namespace
            // only when it is not ours (entering one's own fails).
            AllNamespaces::Every => kind != NsKind::User || differs(kind)?,
            // docker-enter: what the container shares with us is not entered.
            AllNamespaces::Differing => differs(kind)?,
        };
        if wanted {
            chosen.push((kind, NsSource::Target));
        }
    }
    Ok(chosen)
}

/// Open every handle the plan needs (files named on the command line were
/// opened already, in order: take those).
pub fn prepare(plan: &Entry, target: Option<&Target>, opened: &mut Opened) -> Result<Namespaces> {
    let mut out = Namespaces::none();
    let use_pidfd = target.is_some_and(|t| t.pidfd().is_some()) && !plan.user_parent;
    for (kind, source) in choose(plan, target)? {
        match source {
            NsSource::Target => {
                let target = target.ok_or_else(|| {
                    Error::msg(format!(
                        "neither filename nor target pid supplied for {}",
                        kind.label()
                    ))
                })?;
                if use_pidfd {
                    out.pidfd_kinds.push(kind);
                } else {
                    out.files.push((kind, target.open_ns(kind)?));
                }
            }
            NsSource::Path(path) => out.files.push((kind, opened.take_or_open(&path)?)),
            NsSource::Nsid(id) => return Err(nsid_unsupported(kind, id)),
            NsSource::TargetSocket(sockfd) => {
                let target = target.ok_or_else(|| Error::msg("--net-socket needs --target"))?;
                out.files.push((kind, socket_netns(target, sockfd)?));
            }
        }
    }
    if plan.user_parent {
        add_parent_userns(&mut out)?;
    }
    Ok(out)
}

fn nsid_unsupported(kind: NsKind, id: u64) -> Error {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    Error::msg(format!(
        "cannot open {} by namespace id :{id}: namespace ids need Linux 6.19 or later (this kernel is {})",
        kind.label(),
        release.trim()
    ))
}

fn socket_netns(target: &Target, sockfd: i32) -> Result<OwnedFd> {
    let pidfd = target
        .pidfd()
        .ok_or_else(|| Error::msg("--net-socket needs pidfd support (Linux 5.6 or later)"))?;
    let sock = pidfd::pidfd_getfd(pidfd, sockfd).map_err(|e| {
        Error::sys(
            format!("cannot get descriptor {sockfd} of process {}", target.pid),
            e,
        )
    })?;
    ns::socket_netns(sock.as_fd()).map_err(|e| {
        Error::sys(
            format!(
                "cannot get the network namespace of socket {sockfd} of process {}",
                target.pid
            ),
            e,
        )
    })
}

/// `--user-parent`: replace the user namespace by its parent, or, without
/// one, enter the user namespace that owns another chosen namespace.
fn add_parent_userns(out: &mut Namespaces) -> Result<()> {
    let parent = if let Some(i) = out.files.iter().position(|(k, _)| *k == NsKind::User) {
        let (_, user) = out.files.remove(i);
        ns::parent_ns(user.as_fd())
            .map_err(|e| Error::sys("cannot get the parent of the user namespace", e))?
    } else {
        let (_, any) = out
            .files
            .first()
            .ok_or_else(|| Error::msg("--user-parent needs another namespace to start from"))?;
        ns::owning_userns(any.as_fd())
            .map_err(|e| Error::sys("cannot get the owning user namespace", e))?
    };
    // The parent may be our own user namespace: entering it again is an error
    // the kernel reports as EINVAL; there is nothing to enter.
    let ours = own_ns_id(NsKind::User);
    let parent_id = fs::fstat(parent.as_fd()).ok().map(|m| (m.dev, m.ino));
    if parent_id != ours {
        out.files.insert(0, (NsKind::User, parent));
    }
    Ok(())
}

/// Enter everything prepared.
pub fn enter(namespaces: &Namespaces, target: Option<&Target>) -> Result<()> {
    enter_with(namespaces, &mut Kernel { target })
}

/// The calls that enter namespaces. Apart so that the order of the calls
/// and the two passes are tested without root, against a double that
/// records them (youki tests its setns logic the same way).
trait Setns {
    /// setns(2) through the target's pidfd: every one of `kinds` at once.
    fn through_pidfd(&mut self, kinds: &[NsKind]) -> std::result::Result<(), Errno>;
    /// The target's namespace files of `kinds`, opened by PID, then the
    /// PID checked to be still the pidfd's process.
    fn open_by_pid(&mut self, kinds: &[NsKind]) -> Result<Vec<(NsKind, OwnedFd)>>;
    /// setns(2) through a namespace file.
    fn through_file(
        &mut self,
        file: BorrowedFd<'_>,
        kind: NsKind,
    ) -> std::result::Result<(), Errno>;
}

/// The real calls, for the target the handles were opened from.
struct Kernel<'a> {
    target: Option<&'a Target>,
}

impl Setns for Kernel<'_> {
    fn through_pidfd(&mut self, kinds: &[NsKind]) -> std::result::Result<(), Errno> {
        let target = self.target.expect("pidfd namespaces come from a target");
        let pidfd = target.pidfd().expect("pidfd namespaces come from a pidfd");
        ns::setns_process(pidfd, kinds)
    }

    fn open_by_pid(&mut self, kinds: &[NsKind]) -> Result<Vec<(NsKind, OwnedFd)>> {
        let target = self.target.expect("pidfd namespaces come from a target");
        let files = kinds
            .iter()
            .map(|&kind| Ok((kind, target.open_ns(kind)?)))
            .collect::<Result<_>>()?;
        target.check_alive()?;
        Ok(files)
    }

    fn through_file(
        &mut self,
        file: BorrowedFd<'_>,
        kind: NsKind,
    ) -> std::result::Result<(), Errno> {
        ns::setns_file(file, kind)
    }
}

/// The target's namespaces through its pidfd, in one call; then the
/// namespace files in two passes, each in [`NsKind::setns_order`]: every
/// one but the user namespace, failures ignored, then the user namespace
/// and whatever failed, failures reported (see `setns_order` for why).
fn enter_with(namespaces: &Namespaces, calls: &mut dyn Setns) -> Result<()> {
    // Kernels 5.3 to 5.7 have pidfds but cannot setns through them (EINVAL):
    // then the target's namespace files are opened instead, before anything
    // is entered, and join the two passes.
    let mut fallback = Vec::new();
    if !namespaces.pidfd_kinds.is_empty() {
        match calls.through_pidfd(&namespaces.pidfd_kinds) {
            Ok(()) => {}
            Err(Errno::INVAL) => fallback = calls.open_by_pid(&namespaces.pidfd_kinds)?,
            Err(e) => return Err(Error::sys("reassociate to namespaces failed", e)),
        }
    }
    let mut files: Vec<(NsKind, BorrowedFd<'_>)> = namespaces
        .files
        .iter()
        .chain(fallback.iter())
        .map(|(kind, file)| (*kind, file.as_fd()))
        .collect();
    files.sort_by_key(|(kind, _)| kind.setns_order());
    let mut pending = Vec::new();
    for (kind, file) in files {
        if kind == NsKind::User || calls.through_file(file, kind).is_err() {
            pending.push((kind, file));
        }
    }
    for (kind, file) in pending {
        calls.through_file(file, kind).map_err(|e| {
            Error::sys(
                format!("reassociate to namespace '{}' failed", kind.label()),
                e,
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use NsKind::*;

    /// A call entering made, as the double saw it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Call {
        Pidfd(Vec<NsKind>),
        OpenByPid(Vec<NsKind>),
        File(NsKind),
    }

    /// Records every call; refuses as told: the pidfd setns with an errno,
    /// a file's setns of a kind so many times.
    #[derive(Default)]
    struct Recorder {
        calls: Vec<Call>,
        pidfd_refusal: Option<Errno>,
        file_refusals: HashMap<NsKind, usize>,
    }

    impl Setns for Recorder {
        fn through_pidfd(&mut self, kinds: &[NsKind]) -> std::result::Result<(), Errno> {
            self.calls.push(Call::Pidfd(kinds.to_vec()));
            self.pidfd_refusal.map_or(Ok(()), Err)
        }

        fn open_by_pid(&mut self, kinds: &[NsKind]) -> Result<Vec<(NsKind, OwnedFd)>> {
            self.calls.push(Call::OpenByPid(kinds.to_vec()));
            Ok(kinds.iter().map(|&k| (k, null())).collect())
        }

        fn through_file(
            &mut self,
            _file: BorrowedFd<'_>,
            kind: NsKind,
        ) -> std::result::Result<(), Errno> {
            self.calls.push(Call::File(kind));
            match self.file_refusals.get_mut(&kind) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    Err(Errno::PERM)
                }
                _ => Ok(()),
            }
        }
    }

    /// Any descriptor will do: the double never uses it.
    fn null() -> OwnedFd {
        fs::open(std::path::Path::new("/dev/null"), fs::OFlags::RDONLY).unwrap()
    }

    fn files(kinds: &[NsKind]) -> Namespaces {
        Namespaces {
            pidfd_kinds: Vec::new(),
            files: kinds.iter().map(|&k| (k, null())).collect(),
        }
    }

    fn entered(calls: &[Call]) -> Vec<NsKind> {
        calls
            .iter()
            .filter_map(|c| match c {
                Call::File(kind) => Some(*kind),
                _ => None,
            })
            .collect()
    }

    /// Whatever order the files were opened in: util-linux's order, the
    /// user namespace held back to the second pass.
    #[test]
    fn files_are_entered_in_order_with_the_user_namespace_last_when_nothing_fails() {
        let mut calls = Recorder::default();
        let scrambled = files(&[Mnt, User, Time, Net, Cgroup, Pid, Uts, Ipc]);
        enter_with(&scrambled, &mut calls).unwrap();
        assert_eq!(
            entered(&calls.calls),
            [Cgroup, Ipc, Uts, Net, Pid, Mnt, Time, User]
        );
    }

    /// "Gain privilege": what needs the target's user namespace fails in
    /// the first pass and is entered after it, in order.
    #[test]
    fn what_fails_before_the_user_namespace_is_entered_after_it() {
        let mut calls = Recorder {
            file_refusals: HashMap::from([(Mnt, 1), (Net, 1)]),
            ..Recorder::default()
        };
        enter_with(&files(&[Net, Mnt, User, Uts]), &mut calls).unwrap();
        assert_eq!(entered(&calls.calls), [Uts, Net, Mnt, User, Net, Mnt]);
    }

    /// A second refusal is reported, naming the namespace; nothing after
    /// it is entered.
    #[test]
    fn a_refusal_in_the_second_pass_names_the_namespace() {
        let mut calls = Recorder {
            file_refusals: HashMap::from([(Mnt, 2)]),
            ..Recorder::default()
        };
        let err = enter_with(&files(&[User, Mnt, Time]), &mut calls).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reassociate to namespace 'ns/mnt' failed: Operation not permitted"
        );
        assert_eq!(entered(&calls.calls), [Mnt, Time, User, Mnt]);
    }

    /// Through a pidfd in one call; a kernel that cannot (EINVAL) has the
    /// same kinds opened by PID and entered as files, with the others.
    #[test]
    fn a_pidfd_is_used_first_and_files_opened_by_pid_after_einval() {
        let mut both = files(&[User]);
        both.pidfd_kinds = vec![Net, Mnt];
        let mut calls = Recorder::default();
        enter_with(&both, &mut calls).unwrap();
        assert_eq!(calls.calls, [Call::Pidfd(vec![Net, Mnt]), Call::File(User)]);

        let mut calls = Recorder {
            pidfd_refusal: Some(Errno::INVAL),
            ..Recorder::default()
        };
        enter_with(&both, &mut calls).unwrap();
        assert_eq!(
            calls.calls,
            [
                Call::Pidfd(vec![Net, Mnt]),
                Call::OpenByPid(vec![Net, Mnt]),
                Call::File(Net),
                Call::File(Mnt),
                Call::File(User),
            ]
        );

        let mut calls = Recorder {
            pidfd_refusal: Some(Errno::PERM),
            ..Recorder::default()
        };
        let err = enter_with(&both, &mut calls).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reassociate to namespaces failed: Operation not permitted"
        );
        assert_eq!(calls.calls, [Call::Pidfd(vec![Net, Mnt])]);
    }
}

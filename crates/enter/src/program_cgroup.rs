//! The program's process in the target's cgroups, in every hierarchy,
//! before any of the container's code runs (security rule 8), without
//! paying for a process migration.
//!
//! Moving a whole process into a cgroup (a write to `cgroup.procs`) takes
//! the kernel's cgroup_threadgroup_rwsem for writing, which waits for an
//! RCU grace period unless another migration happened moments before:
//! 5 to 15 ms here, a cold start's whole budget several times over. So when
//! the program runs in a child of ours (a PID namespace, a pty or pipes
//! to relay, `-d`):
//!
//! 1. the child is born in the target's cgroup of the unified hierarchy
//!    (clone3 with CLONE_INTO_CGROUP, Linux 5.7), which takes that lock
//!    for reading only;
//! 2. its first act is to move its one thread into the target's cgroup in
//!    every v1 hierarchy (`tasks`), which takes no global lock;
//! 3. then it enters the target's cgroup namespace, which the waiting
//!    parent left out of its own setns (unless a user namespace is
//!    entered too: see [`ProgramCgroup::new`]). Not before: where cgroup2 is
//!    mounted with nsdelegate (systemd hosts, where Docker gives each
//!    container a cgroup namespace), a process may be moved, or born, into
//!    a cgroup only if the source and the destination are both visible in
//!    the mover's cgroup namespace, and ours is not visible from the
//!    container's.
//!
//! Where the kernel cannot give birth into a cgroup (older than 5.7,
//! clone3 hidden by a seccomp filter, an architecture without our clone3
//! code) or refuses to, the child is started plainly and, in step 2, also
//! writes the unified hierarchy's `cgroup.procs` itself, paying the grace
//! period; if that fails too, it says why and runs nothing.
//!
//! The waiting parent stays in our own cgroups and cgroup namespace, as
//! `docker exec`'s shim stays out of the container's: it counts against
//! none of the container's limits (a container at its `pids.max` gets one
//! process more, the program, as with `docker exec`), and `docker pause`
//! freezes the program, not the terminal relay. Everything the program
//! starts is born in its cgroups. When no child is started (nsenter
//! execing in place: `-F`, or no PID namespace to enter), our own process
//! is the program: it joins every hierarchy before entering anything, as
//! before, writing `tasks` and `cgroup.procs`.

use super::namespaces::{self, Namespaces};
use crate::cgroup::CgroupJoin;
use crate::error::{Error, Result};
use crate::sys::{process, Errno};
use crate::target::Target;
use nsenter_can_plan::ns_kind::NsKind;

/// What the program's process does to join the target's cgroups.
pub struct ProgramCgroup<'a> {
    join: &'a CgroupJoin,
    /// The target's cgroup namespace, if entered at all: entered by the
    /// program's process once it is in the cgroups.
    namespace: Namespaces,
    target: Option<&'a Target>,
}

/// How the program's process was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Born {
    /// In the target's cgroup of the unified hierarchy already.
    InUnifiedCgroup,
    /// Where we are: it has every hierarchy left to join. `clone3` is why
    /// it was not born in the unified one, when that was tried.
    Plainly { clone3: Option<Errno> },
}

impl<'a> ProgramCgroup<'a> {
    /// The program will run in a child that joins `join`: the cgroup
    /// namespace is taken out of `namespaces` (which the parent enters) for
    /// the child to enter after joining.
    ///
    /// Not when a user namespace is entered too: the child then holds
    /// capabilities only in the target's user namespace, and entering a
    /// cgroup namespace owned by an ancestor of it (the host's, for a
    /// process of `unshare -U` or rootless Podman with the host's cgroup
    /// namespace) takes CAP_SYS_ADMIN over that owner: refused. The parent
    /// enters every namespace in one setns then, checked against our own
    /// credentials, as without a child; the child is born in the unified
    /// cgroup where nsdelegate allows it from there, and else writes
    /// `cgroup.procs`, which the kernel checks against the opener (us,
    /// before entering anything).
    pub fn new(
        join: &'a CgroupJoin,
        namespaces: &mut Namespaces,
        target: Option<&'a Target>,
    ) -> ProgramCgroup<'a> {
        let namespace = if namespaces.enters(NsKind::User) {
            Namespaces::none()
        } else {
            namespaces.split_off(NsKind::Cgroup)
        };
        ProgramCgroup {
            join,
            namespace,
            target,
        }
    }

    /// In the program's process, first of all: the v1 hierarchies, the
    /// unified one unless it was born there, then the cgroup namespace.
    /// The files were opened before anything was entered; the kernel
    /// checks a write against the credentials and cgroup namespace of the
    /// opener, so entering the other namespaces first changes nothing.
    pub fn complete(&self, born: Born) -> Result<()> {
        self.join.join_thread_v1()?;
        if let Born::Plainly { clone3 } = born {
            self.join
                .join_unified()
                .map_err(|e| after_clone3_failed(e, clone3))?;
        }
        namespaces::enter(&self.namespace, self.target)
    }
}

/// Start the program's process, which runs `child` (it execs, or returns
/// its exit status): born in the target's cgroup of the unified hierarchy
/// when `cgroup` is given and the kernel can, else plainly; `child` is
/// told which. Returns its PID once it has exec'd or exited (see
/// `sys::process::spawn`, whose contract the child keeps: it starts no
/// thread and leaves nothing pointing into its stack).
pub fn spawn(
    cgroup: Option<&ProgramCgroup<'_>>,
    child: &mut dyn FnMut(Born) -> i32,
) -> Result<i32> {
    let mut clone3 = None;
    if let Some(dir) = cgroup.and_then(|c| c.join.unified_dir()) {
        match process::start_child_in_cgroup(dir, &mut || child(Born::InUnifiedCgroup)) {
            Ok(pid) => return Ok(pid),
            // The kernel cannot, or refused: the child moves itself, and
            // says why (both whys) if it cannot either.
            Err(e) => clone3 = Some(e),
        }
    }
    process::start_child(&mut || child(Born::Plainly { clone3 }))
        .map_err(|e| Error::sys("fork failed", e))
}

/// A child that could not join the unified cgroup by writing
/// `cgroup.procs` says why it was not born there either: the two refusals
/// often share a cause (nsdelegate, a cgroup that is not a leaf).
fn after_clone3_failed(err: Error, clone3: Option<Errno>) -> Error {
    match clone3 {
        Some(errno) => Error {
            what: format!(
                "{} (being born in it with clone3 failed too: {})",
                err.what,
                crate::error::strerror(errno.raw_os_error())
            ),
            ..err
        },
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_join_says_why_clone3_failed_first() {
        let join = Error::sys("cannot join cgroup /sys/fs/cgroup/web", Errno::BUSY);
        assert_eq!(
            after_clone3_failed(join.clone(), Some(Errno::PERM)).to_string(),
            "cannot join cgroup /sys/fs/cgroup/web (being born in it with clone3 failed \
             too: Operation not permitted): Device or resource busy"
        );
        assert_eq!(after_clone3_failed(join.clone(), None), join);
    }
}

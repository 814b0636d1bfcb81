//! A container's state as its live process shows it. State files can be
//! stale (a runtime that died cannot record its containers' exits), so a
//! container read from them counts as running only when its process is
//! there; a frozen cgroup means paused.
//!
//! Finding a container to enter asks only whether a process has its PID
//! ([`present`]): whether that process is the container's is checked once,
//! by `enter::prepare`, on the pidfd it then enters through (security rule
//! 1). A lookup that opened the target too would open it twice per run and
//! read its stat and cgroup twice. `--list`, which enters nothing, makes
//! the whole check itself ([`check_process`]).

use super::{Container, ContainerState};
use crate::error::ErrorKind;
use crate::plan::TargetSpec;
use crate::sys::fs;
use crate::sys::Errno;
use crate::target::{pid_namespace_is_nested, Target};
use nsenter_can_plan::cgroup_paths::{cgroup_dir, parse_memberships, parse_mounts, CgroupMount};
use std::path::Path;
use std::sync::OnceLock;

/// What the process behind a container's PID is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// A process has the container's PID (the container's, as far as the
    /// check made could tell).
    Running,
    /// No such process: the container has stopped.
    Gone,
    /// No such process here, but we run in a PID namespace of our own
    /// (the can without `--pid=host`): the container's state is unknown.
    /// Finding it keeps the state its runtime recorded, so that entering
    /// fails on the process and says to run with the host's PIDs.
    Hidden,
    /// The PID belongs to another process now (why, as the check says).
    Stale(String),
}

/// Whether a process has the container's PID: never `Stale`, the identity
/// of that process is left to `enter::prepare`, which refuses a stale one
/// with the reason. No pidfd is taken and nothing of the process is read.
pub fn present(container: &Container) -> Liveness {
    if container.pid <= 0 {
        return Liveness::Gone;
    }
    match fs::stat(Path::new(&format!("/proc/{}", container.pid))) {
        Err(Errno::NOENT) | Err(Errno::SRCH) => gone(),
        // There, or not ours to look at: entering will say which.
        Ok(_) | Err(_) => Liveness::Running,
    }
}

/// Look at the container's process through a pidfd, with the identity
/// checks entering makes (security rule 1), for `--list`.
pub fn check_process(container: &Container) -> Liveness {
    if container.pid <= 0 {
        return Liveness::Gone;
    }
    let spec = TargetSpec {
        pid: container.pid,
        pidfd_ino: None,
        identity: Some(container.identity.clone()),
    };
    match Target::open(&spec) {
        Ok(_) => Liveness::Running,
        // Gone before the pidfd was taken, while /proc/PID was read, or
        // after (the final liveness check).
        Err(e) if matches!(e.errno, Some(Errno::SRCH) | Some(Errno::NOENT)) => gone(),
        Err(e) if e.kind == ErrorKind::Exited => gone(),
        Err(e) => Liveness::Stale(e.to_string()),
    }
}

/// No process with the container's PID: gone, unless we cannot see the
/// host's processes.
fn gone() -> Liveness {
    if pid_namespace_is_nested() {
        Liveness::Hidden
    } else {
        Liveness::Gone
    }
}

/// Set the state of a container read from state files that do not record
/// it (containerd, CRI-O, Podman): from its live process, paused when its
/// cgroup is frozen. A PID that another process has now keeps "running",
/// so that entering refuses it with the identity check's reason.
pub fn observe(container: &mut Container) {
    container.state = match present(container) {
        Liveness::Running if frozen(container.pid) => ContainerState::Paused,
        Liveness::Running | Liveness::Stale(_) | Liveness::Hidden => ContainerState::Running,
        Liveness::Gone if container.pid <= 0 => ContainerState::Stopped {
            status: "created".into(),
        },
        Liveness::Gone => ContainerState::Stopped {
            status: "exited".into(),
        },
    };
}

/// Whether the process is in a frozen cgroup: v1's freezer.state, or v2's
/// cgroup.events. Unknown counts as not frozen.
pub fn frozen(pid: i32) -> bool {
    let cgroups = read_text(&format!("/proc/{pid}/cgroup"));
    parse_memberships(&cgroups).iter().any(|member| {
        let v1_freezer = member.controllers.iter().any(|c| c == "freezer");
        let v2 = member.controllers.is_empty();
        // The root cgroup is never frozen (it has no freezer.state, no
        // cgroup.freeze): a rootless container on cgroup v1 is there.
        if member.path.contains("/..") || member.path == "/" || !(v1_freezer || v2) {
            return false;
        }
        let Some(dir) = cgroup_dir(member, cgroup_mounts()) else {
            return false;
        };
        if v1_freezer {
            let state = read_text(&dir.join("freezer.state").display().to_string());
            matches!(state.trim(), "FROZEN" | "FREEZING")
        } else {
            read_text(&dir.join("cgroup.events").display().to_string())
                .lines()
                .any(|l| l.trim() == "frozen 1")
        }
    })
}

/// Our cgroup mounts, read once: mountinfo grows with every container's
/// overlay mount, and is slow to generate on a busy host.
fn cgroup_mounts() -> &'static [CgroupMount] {
    static MOUNTS: OnceLock<Vec<CgroupMount>> = OnceLock::new();
    MOUNTS.get_or_init(|| parse_mounts(&read_text("/proc/self/mountinfo")))
}

/// A small kernel file as text; empty when it cannot be read.
fn read_text(path: &str) -> String {
    // mountinfo grows with every container's overlay mount.
    const LIMIT: usize = 4 << 20;
    fs::read_head(Path::new(path), LIMIT)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

//! Finding containers, whatever runs them: each runtime produces the same
//! [`Container`] description, so the entering code never changes for one.
//!
//! - Docker: its state files (`/var/lib/docker/containers`, the OCI bundle)
//!   or its Engine API ([`docker`]), the daemon needed for neither;
//! - containerd, and Kubernetes pods on it: the task state directories;
//! - Podman and CRI-O: containers/storage's state directories, or Podman's
//!   Docker-compatible API;
//! - `pid:N`: any process.
//!
//! [`lookup`] turns an address (`web`, `docker:web`, `k8s:ns/pod/ctr`...)
//! into one container or an error that lists the candidates.

pub mod address;
pub mod cgroup_name;
mod containerd;
mod cri;
pub mod docker;
mod docker_state;
#[cfg(test)]
mod fake_daemon;
pub mod http;
mod inspect;
pub mod list;
pub mod live;
pub mod lookup;
pub mod oci;
mod process;
mod rfc3339;
pub mod scan;
pub mod sources;
mod start;
pub mod statedir;
mod storage;
mod suggest;

use crate::error::Error;
use crate::plan::{BundleConfig, Identity};

pub use address::Address;
pub use docker::Docker;
pub use lookup::{Found, Listing, Lookup};
pub use oci::BundleFacts;
pub use rfc3339::unix_millis;
pub use sources::{SourceOptions, StateFiles};

/// Which runtime a container belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub enum RuntimeKind {
    #[default]
    Docker,
    Podman,
    Containerd,
    CriO,
    /// `pid:N`: a process that no runtime claims.
    Process,
}

impl RuntimeKind {
    /// The word `--list` and messages use.
    pub fn name(self) -> &'static str {
        match self {
            RuntimeKind::Docker => "docker",
            RuntimeKind::Podman => "podman",
            RuntimeKind::Containerd => "containerd",
            RuntimeKind::CriO => "cri-o",
            RuntimeKind::Process => "process",
        }
    }
}

/// Where a container's description was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadFrom {
    /// The runtime's daemon (Docker's Engine API, Podman's service).
    #[default]
    Daemon,
    /// The runtime's state files, checked against the live process.
    StateFiles,
    /// /proc (`pid:N`).
    Proc,
}

/// A Kubernetes pod's container, from the CRI annotations (or dockershim labels).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodRef {
    pub namespace: String,
    pub pod: String,
    /// The container's name in the pod; empty for the sandbox.
    pub container: String,
}

/// What entering needs to know about a container, whatever runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    pub runtime: RuntimeKind,
    pub read_from: ReadFrom,
    /// The full ID.
    pub id: String,
    /// The name without Docker's leading '/'; a Kubernetes container's name
    /// in its pod; the ID where the runtime has no names (containerd).
    pub name: String,
    /// The image as the runtime recorded it; empty when unknown.
    pub image: String,
    /// containerd's namespace ("k8s.io"); empty for other runtimes.
    pub namespace: String,
    pub pod: Option<PodRef>,
    /// A pod's sandbox ("pause") container: never chosen.
    pub sandbox: bool,
    pub state: ContainerState,
    /// The container's init process as seen from the host; 0 when none.
    pub pid: i32,
    /// Facts checked through the pidfd before entering (security rule 1).
    pub identity: Identity,
    /// `Config.User` (`name|uid[:group|gid]`), the default for `-u`; an OCI
    /// bundle's resolved `uid:gid`.
    pub user: String,
    /// `Config.WorkingDir`: empty means "/".
    pub working_dir: String,
    /// `Config.Env`: the baseline environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// `Config.Hostname`: docker exec sets `HOSTNAME` to it. Empty where
    /// the runtime's exec sets none (containerd, CRI-O).
    pub hostname: String,
    /// Groups the runtime adds to every process (`--group-add`); docker exec
    /// applies them too. Names or numeric ids, resolved in the container.
    pub group_add: Vec<String>,
    /// The supplementary groups the runtime gave the configured user when
    /// it started the container (an OCI bundle's `additionalGids`): its own
    /// exec sets exactly these, so they replace the ones from the
    /// container's files when `-u` does not name another user.
    pub user_groups: Option<Vec<u32>>,
    /// What the OCI bundle states about confinement, when one was read.
    pub facts: Option<BundleFacts>,
    /// The OCI bundle's config.json that the runtime started the container
    /// from: its record of the container's seccomp profile, where `runc
    /// exec` takes it. None for `pid:`, or when it was not found.
    pub bundle_config: Option<BundleConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    Running,
    Paused,
    Restarting,
    /// Created, exited, dead, being removed: the runtime's word for it.
    Stopped {
        status: String,
    },
}

impl Default for ContainerState {
    fn default() -> Self {
        ContainerState::Stopped {
            status: String::new(),
        }
    }
}

impl ContainerState {
    /// The word `--list` shows.
    pub fn word(&self) -> &str {
        match self {
            ContainerState::Running => "running",
            ContainerState::Paused => "paused",
            ContainerState::Restarting => "restarting",
            ContainerState::Stopped { status } if status.is_empty() => "stopped",
            ContainerState::Stopped { status } => status,
        }
    }
}

impl Container {
    /// How to name the container in a message: as the user typed it, and by
    /// name when that differs (an ID prefix says little).
    pub fn display(&self, query: &str) -> String {
        if query == self.name || self.name.is_empty() {
            query.to_string()
        } else {
            format!("{query} ({})", self.name)
        }
    }

    /// The address that names this container and no other.
    pub fn address(&self) -> String {
        let name = if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        };
        match (self.runtime, &self.pod) {
            (RuntimeKind::Process, _) => format!("pid:{}", self.pid),
            (RuntimeKind::Docker, _) => format!("docker:{name}"),
            (RuntimeKind::Podman, _) => format!("podman:{name}"),
            (_, Some(pod)) if !self.sandbox => {
                format!("k8s:{}/{}/{}", pod.namespace, pod.pod, pod.container)
            }
            (_, _) if !self.namespace.is_empty() => {
                format!("containerd:{}/{}", self.namespace, self.id)
            }
            (kind, _) => format!("{}:{}", kind.name(), self.id),
        }
    }
}

/// Refuse a container that cannot be entered now, saying why and what
/// makes it enterable, in its runtime's words.
/// What `ctr task exec` says of a task that has stopped.
pub const CTR_STOPPED: &str = "cannot exec in a stopped state";

pub fn require_running(query: &str, container: &Container) -> Result<(), Error> {
    let who = container.display(query);
    // A containerd task that has stopped (its files left behind) is refused
    // in `ctr`'s words, then the way to start it.
    let stopped = |what: String| {
        let what = match container.runtime {
            RuntimeKind::Containerd => format!("{what}: {CTR_STOPPED}"),
            _ => what,
        };
        match start::start_advice(container) {
            Some(advice) => Error::msg(format!("{what}; {advice}")),
            None => Error::msg(what),
        }
    };
    match &container.state {
        ContainerState::Running if container.pid > 0 => Ok(()),
        ContainerState::Running => Err(Error::msg(format!(
            "container {who} is running but has no process ID"
        ))),
        ContainerState::Paused => Err(Error::msg(match start::unpause_command(container) {
            Some(unpause) => format!("container {who} is paused; unpause it first: {unpause}"),
            None => format!("container {who} is paused, unpause it first"),
        })),
        ContainerState::Restarting => Err(Error::msg(format!(
            "container {who} is restarting, wait until it is running"
        ))),
        ContainerState::Stopped { status } if status.is_empty() => {
            Err(stopped(format!("container {who} is not running")))
        }
        ContainerState::Stopped { status } => Err(stopped(format!(
            "container {who} is not running ({status})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(state: ContainerState, pid: i32) -> Container {
        Container {
            id: "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349".into(),
            name: "web".into(),
            state,
            pid,
            ..Container::default()
        }
    }

    fn refusal(query: &str, state: ContainerState, pid: i32) -> String {
        require_running(query, &container(state, pid))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn only_a_running_container_with_a_pid_passes() {
        assert!(require_running("web", &container(ContainerState::Running, 42)).is_ok());
        assert_eq!(
            refusal("web", ContainerState::Running, 0),
            "container web is running but has no process ID"
        );
    }

    #[test]
    fn refusals_name_the_container_as_typed_and_by_name() {
        assert_eq!(
            refusal("web", ContainerState::Paused, 42),
            "container web is paused; unpause it first: docker unpause web"
        );
        assert_eq!(
            refusal("fd55", ContainerState::Restarting, 0),
            "container fd55 (web) is restarting, wait until it is running"
        );
        let exited = ContainerState::Stopped {
            status: "exited".into(),
        };
        assert_eq!(
            refusal("web", exited, 0),
            "container web is not running (exited); start it with: docker start web"
        );
        let unknown = ContainerState::Stopped {
            status: String::new(),
        };
        assert_eq!(
            refusal("fd5", unknown, 0),
            "container fd5 (web) is not running; start it with: docker start web"
        );
    }
}

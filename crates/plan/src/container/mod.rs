//! Containers as every runtime describes them: one [`Container`]
//! description, whatever runs it, and what the command line says about
//! finding one (an [`Address`], the sources to look in, the `--list`
//! format). Plain data and parsing: finding containers is
//! `nsenter_can_runtime`'s, which reads these from the system.

pub mod address;
pub mod cgroup_name;
pub mod list;
pub mod oci;

use crate::plan::{BundleConfig, Identity};
use std::path::PathBuf;

pub use address::Address;
pub use oci::BundleFacts;

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
    /// The user whose rootless runtime runs the container (rootless
    /// Podman or Docker); None for the system's runtimes.
    pub owner: Option<String>,
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
            (RuntimeKind::Docker, _) => match &self.owner {
                Some(owner) => format!("docker:{owner}/{name}"),
                None => format!("docker:{name}"),
            },
            (RuntimeKind::Podman, _) => match &self.owner {
                Some(owner) => format!("podman:{owner}/{name}"),
                None => format!("podman:{name}"),
            },
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

/// An ID as `docker ps` shows it: its first 12 characters.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// When Docker's (and Podman's) state files are read rather than the daemon
/// asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFiles {
    /// The state files, checked against the live process; the daemon only
    /// where there are none (the default: it needs no daemon round trip and
    /// never waits for a busy daemon).
    #[default]
    First,
    /// The daemon first; its state files when it does not answer within a
    /// second (said on stderr).
    Fallback,
    /// Only the daemon.
    Never,
}

impl StateFiles {
    pub fn parse(value: &str) -> Option<StateFiles> {
        match value {
            "first" => Some(StateFiles::First),
            "fallback" => Some(StateFiles::Fallback),
            "never" => Some(StateFiles::Never),
            _ => None,
        }
    }
}

/// The command line's say in where to look; `None` takes the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// `-H`: the Docker daemon's address.
    pub host: Option<String>,
    /// `--docker-root`: dockerd's --data-root.
    pub docker_root: Option<PathBuf>,
    /// `--docker-exec-root`: dockerd's --exec-root.
    pub docker_exec_root: Option<PathBuf>,
    /// `--containerd-state`: containerd's --state.
    pub containerd_state: Option<PathBuf>,
    /// `--storage-root`, `--storage-runroot`: containers/storage's graphroot
    /// and runroot (Podman, CRI-O).
    pub storage_root: Option<PathBuf>,
    pub storage_runroot: Option<PathBuf>,
    /// `--host-root`: where the host's / is (`/` for none).
    pub host_root: Option<PathBuf>,
    pub state_files: StateFiles,
}

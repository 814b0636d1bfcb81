//! Where containers are looked for: the command line's options (and
//! `DOCKER_HOST`) turned into the sources of each runtime, with the usual
//! places as defaults, under the host's root when the tools run in a
//! container that mounts it (`kubectl debug node/...` puts it at /host).

use super::containerd::ContainerdState;
use super::docker::{parse_host, HostOrigin, DEFAULT_SOCKET};
use super::docker_state::{DockerState, TASKS_V2};
use super::rootless::{Narrowed, OwnUser, RootlessPodman};
use super::rootless_docker::{socket_owner, RootlessDocker};
use super::storage::Storage;
use super::Docker;
use crate::error::Error;
pub use nsenter_can_plan::container::{SourceOptions, StateFiles};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default places, relative to the host's root. `/run` rather than
/// `/var/run`: under a host root, the absolute link /var/run -> /run would
/// lead to our own /run.
mod defaults {
    pub const DOCKER_SOCKET: &str = "run/docker.sock";
    pub const DOCKER_ROOT: &str = "var/lib/docker";
    pub const DOCKER_EXEC_ROOT: &str = "run/docker";
    pub const CONTAINERD: &str = "run/containerd";
    pub const K3S_CONTAINERD: &str = "run/k3s/containerd";
    pub const STORAGE_ROOT: &str = "var/lib/containers/storage";
    pub const STORAGE_RUNROOT: &str = "run/containers/storage";
    pub const PODMAN_SOCKET: &str = "run/podman/podman.sock";
    /// Our root holding none of these means we run in a container.
    pub const ANY_RUNTIME: [&str; 4] = [DOCKER_ROOT, CONTAINERD, STORAGE_ROOT, K3S_CONTAINERD];
    /// Where `kubectl debug node/...` mounts the node's root.
    pub const HOST_MOUNT: &str = "/host";
}

/// Docker, read from its state files, asked through its API, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerSource {
    pub api: Docker,
    /// The state files of that same daemon, when known.
    pub state: Option<DockerState>,
    pub mode: StateFiles,
    /// The user named the daemon (`-H`, `DOCKER_HOST`): failing to reach
    /// it is an error, not "Docker is not here".
    pub explicit: bool,
}

/// Every place containers are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub docker: DockerSource,
    pub containerd: Vec<ContainerdState>,
    pub storage: Storage,
    /// Every user's rootless Podman; None when `--storage-root` names the
    /// one store to read.
    pub rootless: Option<RootlessPodman>,
    /// Every user's rootless Docker; None when `--docker-root` names the
    /// one Docker to read.
    pub rootless_docker: Option<RootlessDocker>,
    /// The host's root when not "/", for messages.
    pub host_root: Option<PathBuf>,
}

impl Sources {
    /// `docker_host` is `DOCKER_HOST`; `exists` says whether a path exists
    /// (for finding the host's root), passed in so that tests choose.
    pub fn new(
        opts: &SourceOptions,
        docker_host: Option<&str>,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Result<Sources, Error> {
        let host_root = match &opts.host_root {
            Some(root) if root == Path::new("/") => None,
            Some(root) => Some(root.clone()),
            None => detect_host_root(exists),
        };
        let under = |rel: &str| match &host_root {
            Some(root) => root.join(rel),
            None => Path::new("/").join(rel),
        };
        let default_socket = match &host_root {
            Some(root) => root.join(defaults::DOCKER_SOCKET),
            None => PathBuf::from(DEFAULT_SOCKET),
        };
        let named = match (&opts.host, docker_host) {
            (Some(h), _) => Some(parse_host(h, HostOrigin::Option)?),
            (None, Some(h)) if !h.is_empty() => Some(parse_host(h, HostOrigin::Environment)?),
            _ => None,
        };
        // The default daemon, however it is spelled, goes with the default
        // state directories; another daemon only with those given.
        let explicit = named
            .as_ref()
            .is_some_and(|s| !is_default_socket(s, &default_socket));
        let socket = named.unwrap_or(default_socket);
        let containerd_default = under(defaults::CONTAINERD);
        let docker_root = match (&opts.docker_root, explicit) {
            (Some(root), _) => Some(root.clone()),
            (None, false) => Some(under(defaults::DOCKER_ROOT)),
            (None, true) => None,
        };
        let exec_root = match (&opts.docker_exec_root, explicit) {
            (Some(root), _) => Some(root.clone()),
            (None, false) => Some(under(defaults::DOCKER_EXEC_ROOT)),
            (None, true) => None,
        };
        let mut bundle_roots: Vec<PathBuf> = exec_root
            .iter()
            .map(|e| e.join("containerd/daemon").join(TASKS_V2))
            .collect();
        if !explicit {
            bundle_roots.push(containerd_default.join(TASKS_V2));
        }
        let timeout = match opts.state_files {
            StateFiles::Fallback => Duration::from_secs(1),
            _ => Duration::from_secs(5),
        };
        let containerd = match &opts.containerd_state {
            Some(root) => vec![ContainerdState {
                root: root.clone(),
                explicit: true,
            }],
            None => [containerd_default, under(defaults::K3S_CONTAINERD)]
                .into_iter()
                .map(|root| ContainerdState {
                    root,
                    explicit: false,
                })
                .collect(),
        };
        let rootless = opts.storage_root.is_none().then(|| RootlessPodman {
            host_root: host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
            only: None,
            narrowed: None,
        });
        let rootless_docker = opts.docker_root.is_none().then(|| RootlessDocker {
            users: RootlessPodman {
                host_root: host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
                only: None,
                narrowed: None,
            },
        });
        Ok(Sources {
            rootless,
            rootless_docker,
            docker: DockerSource {
                api: Docker::with_socket(socket).with_timeout(timeout),
                state: docker_root.map(|data_root| DockerState {
                    data_root,
                    bundle_roots,
                    owner: None,
                }),
                mode: opts.state_files,
                explicit,
            },
            containerd,
            storage: Storage {
                graphroot: opts
                    .storage_root
                    .clone()
                    .unwrap_or_else(|| under(defaults::STORAGE_ROOT)),
                runroot: opts
                    .storage_runroot
                    .clone()
                    .unwrap_or_else(|| under(defaults::STORAGE_RUNROOT)),
                explicit: opts.storage_root.is_some() || opts.storage_runroot.is_some(),
                podman_api: Docker::podman(under(defaults::PODMAN_SOCKET)).with_timeout(timeout),
            },
            host_root,
        })
    }

    /// From the command line and the process's environment.
    pub fn from_options(opts: &SourceOptions) -> Result<Sources, Error> {
        let docker_host = std::env::var("DOCKER_HOST").ok();
        let exists = |p: &Path| p.exists();
        let mut sources = Sources::new(opts, docker_host.as_deref(), &exists)?;
        let uid = crate::sys::ids::geteuid();
        let dir = |key: &str| {
            std::env::var_os(key)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        let own_runtime_dir = dir("XDG_RUNTIME_DIR");
        // A rootless dockerd's socket (every rootless Docker user's
        // DOCKER_HOST): that user's daemon, read from their state files,
        // which say whose its containers are.
        let rootless_socket = match (&sources.rootless_docker, sources.docker.explicit) {
            (Some(_), true) => {
                socket_owner(sources.docker.api.socket(), uid, own_runtime_dir.as_deref())
            }
            _ => None,
        };
        if let Some(owner) = rootless_socket {
            let system = SourceOptions {
                host: None,
                ..opts.clone()
            };
            sources = Sources::new(&system, None, &exists)?;
            sources.rootless_docker = sources
                .rootless_docker
                .map(|r| r.narrowed(Narrowed::Uid(owner)));
        }
        // Not root: only our own rootless containers can be ours to enter,
        // where our environment says they are.
        if uid != 0 {
            let me = OwnUser {
                uid,
                data_home: dir("XDG_DATA_HOME"),
                runtime_dir: own_runtime_dir,
                config_home: dir("XDG_CONFIG_HOME"),
            };
            if let Some(rootless) = &mut sources.rootless {
                rootless.only = Some(me.clone());
            }
            if let Some(rootless) = &mut sources.rootless_docker {
                rootless.users.only = Some(me);
            }
        }
        Ok(sources)
    }

    /// Where we see a path that a daemon gave as the host sees it (an
    /// image's layer directories): under the host's root, if it is not ours.
    pub fn seen_here(&self, host_path: &Path) -> PathBuf {
        match &self.host_root {
            Some(root) => root.join(host_path.strip_prefix("/").unwrap_or(host_path)),
            None => host_path.to_path_buf(),
        }
    }
}

/// /host is the host's root when we run in a container (our own root has
/// no runtime's state at all) and it has some.
fn detect_host_root(exists: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
    let ours = defaults::ANY_RUNTIME
        .iter()
        .any(|rel| exists(&Path::new("/").join(rel)));
    let host = Path::new(defaults::HOST_MOUNT);
    let theirs = defaults::ANY_RUNTIME
        .iter()
        .any(|rel| exists(&host.join(rel)));
    (!ours && theirs).then(|| host.to_path_buf())
}

/// /var/run/docker.sock and /run/docker.sock are the same socket.
fn is_default_socket(socket: &Path, default: &Path) -> bool {
    let plain = |p: &Path| {
        let text = p.to_string_lossy().into_owned();
        match text.strip_prefix("/var/run/") {
            Some(rest) => PathBuf::from("/run").join(rest),
            None => PathBuf::from(text),
        }
    };
    plain(socket) == plain(default) || plain(socket) == plain(Path::new(DEFAULT_SOCKET))
}

#[cfg(test)]
#[path = "sources_tests.rs"]
mod tests;

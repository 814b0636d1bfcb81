//! Docker's containers from its state files, without the daemon:
//! `<data-root>/containers/<id>/config.v2.json` holds what the Engine API's
//! inspect gives (name, state, PID, start time, user, environment,
//! directory), `hostconfig.json` beside it the `--group-add` groups, and the
//! OCI bundle under the exec root (or the system containerd's state) the
//! `init.pid` that runc wrote once the process had started.
//!
//! The daemon writes these files atomically on every change of state
//! (start, pause, rename, exit), so they say what the API would; what they
//! cannot say is an exit the daemon missed because it was down, so a
//! running container's process is looked at before it counts as running.
//!
//! Under `--userns-remap` the daemon keeps its containers in a directory
//! named after the remapped root (`<data-root>/231072.231072/containers`):
//! both places are read. A user's rootless Docker keeps the same files
//! under their home and runtime directory ([`StateOwner`]), read as that
//! user's, who may be hostile to root.

use super::inspect::container_from_config_v2;
use super::live::{present, Liveness};
use super::oci::{strings, Bundle};
use super::scan::{contains, Hint, Scan, Source};
use super::statedir::{StateDir, MAX_JSON};
use super::{Container, ContainerState, ReadFrom};
use crate::error::Error;
use crate::plan::{BundleConfig, Parent};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerState {
    /// dockerd's `--data-root` (/var/lib/docker).
    pub data_root: PathBuf,
    /// Where task bundles are, by containerd namespace: dockerd's own
    /// containerd under `--exec-root` (Docker 20.10), or the system's
    /// (Docker 23 and later).
    pub bundle_roots: Vec<PathBuf>,
    /// The user whose rootless Docker this is; None for a daemon of root's.
    pub owner: Option<StateOwner>,
}

/// A user's rootless Docker: its files are that user's, who may be hostile
/// to root. Each root is beneath one of `bases` (their data home, their
/// runtime directory), which must be a directory that user owns, not a
/// symlink; nothing beneath it is reached through a symlink. Its
/// containers are entered only if their live process is in a user
/// namespace that user made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateOwner {
    pub uid: u32,
    pub name: String,
    pub bases: Vec<PathBuf>,
}

/// containerd's directory of version 2 task bundles under its state root.
pub const TASKS_V2: &str = "io.containerd.runtime.v2.task";

impl DockerState {
    /// Open one of the roots (the data root, a bundle root): as the
    /// administrator gave it, or beneath the owner's own directory.
    fn open_root(&self, path: &Path) -> Result<Option<StateDir>, Error> {
        let Some(owner) = &self.owner else {
            return StateDir::open(path);
        };
        let beneath = owner
            .bases
            .iter()
            .find_map(|base| Some((base, path.strip_prefix(base).ok()?.to_str()?)));
        let Some((base, rel)) = beneath else {
            return Err(Error::msg(format!(
                "{} is not in a directory of user {}'s",
                path.display(),
                owner.name
            )));
        };
        match StateDir::open_owned(base, owner.uid)? {
            Some(dir) => dir.subdir(rel),
            None => Ok(None),
        }
    }

    /// The directories of container directories: `<data-root>/containers`,
    /// and those of remapped roots (`<data-root>/UID.GID/containers`).
    fn containers_dirs(&self) -> Result<Vec<StateDir>, Error> {
        let containers = self.open_root(&self.data_root.join("containers"))?;
        let mut dirs: Vec<StateDir> = containers.into_iter().collect();
        if let Some(root) = self.open_root(&self.data_root)? {
            for name in root.names()? {
                if is_remapped_root(&name) {
                    dirs.extend(root.subdir(&format!("{name}/containers"))?);
                }
            }
        }
        Ok(dirs)
    }

    /// The containers directory that holds container `id`'s.
    fn containers_dir_of(&self, id: &str) -> Result<StateDir, Error> {
        for dir in self.containers_dirs()? {
            if dir.subdir(id)?.is_some() {
                return Ok(dir);
            }
        }
        Err(Error::msg(format!(
            "the state files of container {id} under {} are gone",
            self.data_root.display()
        )))
    }

    /// A rootless container's cgroup: rootless Docker on cgroup v1 gives
    /// its containers none (the bundle has no `linux.cgroupsPath`), so the
    /// owner of its user namespace stands for it; one the bundle names
    /// must be named after the container.
    fn owned_cgroup(&self, c: &mut Container) -> Result<(), Error> {
        let Some((_, bundle, _)) = self.bundle_dir(&c.id)? else {
            return Ok(());
        };
        let Some((spec, _)) = bundle.read_json("config.json", MAX_JSON)? else {
            return Ok(());
        };
        let file = bundle.display("config.json");
        let parsed = Bundle::from_json(&spec, &file)?;
        if parsed.cgroups_path.is_empty() {
            c.identity.cgroup_id = None;
        } else {
            parsed.require_cgroup_of(&c.id, &file)?;
        }
        Ok(())
    }

    /// One container's description from its config.v2.json.
    fn load(&self, dir: &StateDir, id: &str, bytes: &[u8]) -> Result<Container, Error> {
        let rel = format!("{id}/config.v2.json");
        let json = dir.parse_json(&rel, bytes)?;
        let mut container = container_from_config_v2(&json, &dir.display(&rel))?;
        container.read_from = ReadFrom::StateFiles;
        if container.id != id {
            return Err(Error::msg(format!(
                "{} describes container {}, not {id}",
                dir.display(&rel),
                container.id
            )));
        }
        // The daemon may have been down when the process exited. Whether a
        // process with that PID is the container's, entering checks.
        let up = matches!(
            container.state,
            ContainerState::Running | ContainerState::Paused
        );
        if up && present(&container) == Liveness::Gone {
            container.state = ContainerState::Stopped {
                status: "exited".into(),
            };
        }
        if let Some(owner) = &self.owner {
            container.owner = Some(owner.name.clone());
            container.identity.userns_owner = Some(owner.uid);
            if up {
                self.owned_cgroup(&mut container)?;
            }
        }
        Ok(container)
    }

    /// The task bundle of a running container, in whichever namespace,
    /// the namespace directory that holds it, and where its config.json is.
    fn bundle_dir(&self, id: &str) -> Result<Option<(StateDir, StateDir, BundleConfig)>, Error> {
        for root in &self.bundle_roots {
            let Some(tasks) = self.open_root(root)? else {
                continue;
            };
            for namespace in tasks.names()? {
                let Some(ns_dir) = tasks.subdir(&namespace)? else {
                    continue;
                };
                if let Some(dir) = ns_dir.subdir(id)? {
                    let config = BundleConfig {
                        root: root.clone(),
                        rel: format!("{namespace}/{id}/config.json"),
                        seccomp: None,
                    };
                    return Ok(Some((ns_dir, dir, config)));
                }
            }
        }
        Ok(None)
    }

    /// A running container the daemon described: where its bundle's
    /// config.json is (none found, or none readable, leaves it unknown).
    pub fn with_bundle_config(&self, mut c: Container) -> Container {
        if c.state == ContainerState::Running {
            c.bundle_config = self
                .bundle_dir(&c.id)
                .ok()
                .flatten()
                .map(|(_, _, config)| config);
        }
        c
    }
}

impl Source for DockerState {
    fn describe(&self) -> String {
        format!("Docker state files under {}", self.data_root.display())
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        let dirs = self.containers_dirs()?;
        if dirs.is_empty() {
            return Ok(None);
        }
        let mut scan = Scan::default();
        for dir in &dirs {
            self.scan_dir(dir, hint, &mut scan)?;
        }
        Ok(Some(scan))
    }

    /// `--group-add` from hostconfig.json; the bundle's `init.pid`, which
    /// must agree with config.v2.json; the bundle directory, where the
    /// container's parent (the task's shim) runs; its confinement facts.
    fn complete(&self, mut c: Container) -> Result<Container, Error> {
        let dir = self.containers_dir_of(&c.id)?;
        let rel = format!("{}/hostconfig.json", c.id);
        if let Some((host_config, _)) = dir.read_json(&rel, MAX_JSON)? {
            c.group_add = strings(&host_config["GroupAdd"]);
        }
        if c.state != ContainerState::Running {
            return Ok(c);
        }
        let Some((tasks, bundle, config)) = self.bundle_dir(&c.id)? else {
            return Ok(c);
        };
        if let Some((pid, _)) = bundle.read_pid("init.pid")? {
            if pid != c.pid {
                return Err(Error::msg(format!(
                    "Docker's state files disagree about container {}'s process: {} says {}, {} says {pid}",
                    c.name,
                    dir.display(&format!("{}/config.v2.json", c.id)),
                    c.pid,
                    bundle.display("init.pid")
                )));
            }
        }
        c.identity.parent = Some(Parent::Shim {
            bundle: bundle.dev_ino()?,
            tasks: tasks.dev_ino()?,
        });
        let mut config = config;
        if let Some((mut spec, _)) = bundle.read_json("config.json", MAX_JSON)? {
            c.facts = Some(Bundle::from_json(&spec, &bundle.display("config.json"))?.facts);
            config.seccomp = Some(Arc::new(spec["linux"]["seccomp"].take()));
        }
        c.bundle_config = Some(config);
        Ok(c)
    }
}

impl DockerState {
    /// The containers of one containers directory that may match.
    fn scan_dir(&self, dir: &StateDir, hint: Hint<'_>, scan: &mut Scan) -> Result<(), Error> {
        let query = match hint {
            Hint::Query(q) => Some(q.trim_start_matches('/')),
            _ => None,
        };
        // Docker writes compact JSON: `"Name":"/web"`, label values quoted.
        let needle = match hint {
            Hint::Query(_) => hint.needle("\"Name\":", "/"),
            _ => hint.needle("", ""),
        };
        for id in dir.names()? {
            if !is_full_id(&id) {
                continue;
            }
            let id_match = query.is_some_and(|q| id.starts_with(q));
            if query.is_some() && !id_match && needle.is_none() {
                continue;
            }
            let rel = format!("{id}/config.v2.json");
            let file = match dir.read(&rel, MAX_JSON) {
                Ok(Some(file)) => file,
                Ok(None) => continue, // being created or removed
                Err(e) if id_match => return Err(e),
                Err(e) => {
                    scan.skipped.push(e.to_string());
                    continue;
                }
            };
            if !id_match && needle.as_ref().is_some_and(|n| !contains(&file.bytes, n)) {
                continue;
            }
            scan.containers.push(self.load(dir, &id, &file.bytes)?);
        }
        Ok(())
    }
}

/// Docker's container directories are named by the 64-hex-digit ID.
pub fn is_full_id(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A remapped root's directory under `--userns-remap`: `UID.GID`, the
/// host IDs of the containers' root.
fn is_remapped_root(name: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    name.split_once('.')
        .is_some_and(|(uid, gid)| number(uid) && number(gid))
}

#[cfg(test)]
#[path = "docker_state_tests.rs"]
mod tests;

//! containerd's containers from its task state, without its API:
//! `<state>/io.containerd.runtime.v2.task/<namespace>/<id>/` holds the OCI
//! bundle (`config.json`) and the `init.pid` the shim's runc wrote once the
//! process had started; the v1 runtime kept the same files under
//! `io.containerd.runtime.v1.linux`. It works with containerd down, since
//! the shims and their containers outlive it.
//!
//! Kubernetes pods run by containerd's CRI plugin are found through the
//! annotations of the bundles in its namespace, `k8s.io` (see
//! [`super::cri`]). Docker's own namespace,
//! `moby`, is left to the Docker source, which knows the names.

use super::cri::{pod_of_containerd, CONTAINERD_IMAGE};
use super::live::observe;
use super::oci::Bundle;
use super::scan::{contains, Hint, Scan, Source};
use super::statedir::{StateDir, MAX_JSON};
use super::{Container, RuntimeKind};
use crate::error::Error;
use crate::plan::{BundleConfig, Parent};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

const TASK_DIRS: [&str; 2] = [
    super::docker_state::TASKS_V2,
    "io.containerd.runtime.v1.linux",
];
/// Docker's namespace: its containers are found by the Docker source.
const DOCKER_NAMESPACE: &str = "moby";
/// The CRI plugin's namespace, the only one whose tasks are pods.
const CRI_NAMESPACE: &str = "k8s.io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerdState {
    /// containerd's `--state` (/run/containerd).
    pub root: PathBuf,
    /// Given by the user (an error there is an error), or a default (its
    /// absence is not).
    pub explicit: bool,
}

impl ContainerdState {
    /// Every task directory of one namespace, or of all but Docker's.
    fn namespaces(&self, only: Option<&str>) -> Result<Option<Vec<StateDir>>, Error> {
        let Some(root) = StateDir::open(&self.root)? else {
            return Ok(None);
        };
        let mut found = Vec::new();
        for kind in TASK_DIRS {
            let Some(tasks) = root.subdir(kind)? else {
                continue;
            };
            for namespace in tasks.names()? {
                let wanted = match only {
                    Some(ns) => namespace == ns,
                    None => namespace != DOCKER_NAMESPACE,
                };
                if wanted {
                    found.extend(tasks.subdir(&namespace)?);
                }
            }
        }
        Ok(Some(found))
    }

    /// Containers of one namespace (`containerd:NS/ID`).
    pub fn scan_namespace(&self, namespace: &str, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        self.scan_in(Some(namespace), hint)
    }

    fn scan_in(&self, only: Option<&str>, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        let Some(namespaces) = self.namespaces(only)? else {
            return Ok(None);
        };
        let needle = match hint {
            Hint::Pod(_) => hint.needle("", ""),
            _ => None,
        };
        let mut scan = Scan::default();
        for dir in namespaces {
            for id in dir.names()? {
                let id_match = match hint {
                    Hint::Query(q) => id.starts_with(q),
                    _ => true,
                };
                if !id_match {
                    continue;
                }
                let rel = format!("{id}/config.json");
                let file = match dir.read(&rel, MAX_JSON) {
                    Ok(Some(file)) => file,
                    Ok(None) => continue, // a task being set up or torn down
                    Err(e) if matches!(hint, Hint::Query(_)) => return Err(e),
                    Err(e) => {
                        scan.skipped.push(e.to_string());
                        continue;
                    }
                };
                if needle.as_ref().is_some_and(|n| !contains(&file.bytes, n)) {
                    continue;
                }
                match task(&dir, &id, &file.bytes) {
                    Ok(Some((mut c, seccomp))) => {
                        // Where runc's record of the task is: its seccomp
                        // profile is compiled from it.
                        c.bundle_config = Some(BundleConfig {
                            root: self.root.clone(),
                            rel: match dir.path().strip_prefix(&self.root) {
                                Ok(tasks) => format!("{}/{rel}", tasks.display()),
                                Err(_) => rel.clone(),
                            },
                            seccomp: Some(Arc::new(seccomp)),
                        });
                        scan.containers.push(c)
                    }
                    Ok(None) => {}
                    // Looking for this task (or its pod): its files are
                    // the answer. Listing everything: the others still are.
                    Err(e) if !hint.reads_all() => return Err(e),
                    Err(e) => scan.skipped.push(e.to_string()),
                }
            }
        }
        Ok(Some(scan))
    }
}

/// Task `id` of the namespace directory `dir`, whose config.json holds
/// `bytes` (None while it is torn down), and its `linux.seccomp`.
fn task(dir: &StateDir, id: &str, bytes: &[u8]) -> Result<Option<(Container, Value)>, Error> {
    let rel = format!("{id}/config.json");
    let mut spec = dir.parse_json(&rel, bytes)?;
    let bundle = Bundle::from_json(&spec, &dir.display(&rel))?;
    bundle.require_cgroup_of(id, &dir.display(&rel))?;
    let pid = dir.read_pid(&format!("{id}/init.pid"))?.map(|(pid, _)| pid);
    // The shim runs in the task's bundle directory (or, shared by a pod,
    // in the bundle of its first container, beside this one).
    let Some(bundle_dir) = dir.subdir(id)? else {
        return Ok(None);
    };
    let parent = Parent::Shim {
        bundle: bundle_dir.dev_ino()?,
        tasks: dir.dev_ino()?,
    };
    let namespace = dir
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let seccomp = spec["linux"]["seccomp"].take();
    Ok(Some((
        container(&namespace, id, bundle, pid, parent),
        seccomp,
    )))
}

impl Source for ContainerdState {
    fn describe(&self) -> String {
        format!("containerd state under {}", self.root.display())
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        self.scan_in(None, hint)
    }

    fn named_by_user(&self) -> bool {
        self.explicit
    }
}

/// A task's description; its state from the live process.
fn container(namespace: &str, id: &str, b: Bundle, pid: Option<i32>, parent: Parent) -> Container {
    // Only the CRI plugin's namespace holds pods: the same annotations on
    // a task elsewhere (`ctr run --annotation`) make no pod of it.
    let cri = (namespace == CRI_NAMESPACE)
        .then(|| pod_of_containerd(&b.annotations))
        .flatten();
    let (pod, sandbox) = match cri {
        Some((pod, sandbox)) => (Some(pod), sandbox),
        None => (None, false),
    };
    let name = match &pod {
        Some(p) if !p.container.is_empty() => p.container.clone(),
        _ => id.to_string(),
    };
    let image = b.annotation(CONTAINERD_IMAGE).unwrap_or("").to_string();
    let mut c = Container {
        runtime: RuntimeKind::Containerd,
        name,
        image,
        namespace: namespace.to_string(),
        pod,
        sandbox,
        ..b.into_container(id, pid, Some(parent))
    };
    observe(&mut c);
    c
}

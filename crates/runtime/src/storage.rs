//! Podman's and CRI-O's containers from containers/storage, without either
//! daemon. Both keep every container in the store's index,
//! `<graphroot>/<driver>-containers/containers.json` (ID, names, image), and
//! write each container's OCI bundle and the pid file its monitor (conmon)
//! fills once the process runs:
//!
//! | file | Podman | CRI-O |
//! |---|---|---|
//! | `config.json` | `<graphroot>/<driver>-containers/<id>/userdata/` | the same, and under the runroot |
//! | `pidfile` | `<runroot>/<driver>-containers/<id>/userdata/` | the same |
//!
//! The bundle's annotations say whose it is: `io.container.manager` is
//! `libpod` for Podman, `cri-o` for CRI-O (whose older releases are known
//! by `io.kubernetes.cri-o.ContainerType`); CRI-O's name the pod (see
//! [`super::cri`]). Other users of the store (buildah's working
//! containers) are not containers that run.

use super::cri::{is_crio, is_sandbox, pod_of_crio, CRIO_IMAGE};
use super::docker::Failure;
use super::live::observe;
use super::lookup::ask_api;
use super::oci::{strings, text, Bundle};
use super::scan::{contains, Hint, Scan, Source};
use super::statedir::{StateDir, MAX_JSON, MAX_LIST_JSON};
use super::{Container, Docker, RuntimeKind};
use crate::error::Error;
use crate::plan::{BundleConfig, Parent};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// "libpod" (Podman) or "cri-o".
const MANAGER: &str = "io.container.manager";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storage {
    /// containers/storage's graphroot (/var/lib/containers/storage).
    pub graphroot: PathBuf,
    /// Its runroot (/run/containers/storage).
    pub runroot: PathBuf,
    pub explicit: bool,
    /// Podman's service, asked when there is no storage to read.
    pub podman_api: Docker,
}

/// A container's pid file: already read (what it holds), or not yet.
enum PidFile {
    Read(Option<i32>),
    Unread,
}

/// One entry of containers.json.
struct Entry {
    id: String,
    names: Vec<String>,
    image_name: String,
}

impl Storage {
    /// Whether the entry may be an answer, from the index alone (a
    /// process's containers are told by their pid files, read later).
    fn wanted(entry: &Entry, hint: Hint<'_>) -> bool {
        match hint {
            Hint::All | Hint::Process { .. } => true,
            Hint::Query(q) => entry.id.starts_with(q) || entry.names.iter().any(|n| n == q),
            // CRI-O names its containers k8s_<container>_<pod>_<namespace>_<uid>_<n>.
            Hint::Pod(p) => entry.names.iter().any(|n| n.contains(p)),
        }
    }

    /// For `pid:N`, whether the entry can be N's container: N is its
    /// process (its pid file says so), or N's cgroups hold its ID. Only
    /// those bundles are read; which is N's is decided as before, from
    /// what they say. `None` when it cannot; else the pid file, if it was
    /// read to tell (so that it is not read again).
    fn may_hold(
        run: Option<&StateDir>,
        entry: &Entry,
        pid: i32,
        cgroups: &str,
    ) -> Result<Option<PidFile>, Error> {
        if contains(cgroups.as_bytes(), entry.id.as_bytes()) {
            return Ok(Some(PidFile::Unread));
        }
        let Some(run) = run else {
            return Ok(None);
        };
        let read = Storage::read_pid(run, entry)?;
        Ok((read == Some(pid)).then_some(PidFile::Read(read)))
    }

    /// The process its pid file names, if it has one.
    fn read_pid(run: &StateDir, entry: &Entry) -> Result<Option<i32>, Error> {
        let pidfile = run.read_pid(&format!("{}/userdata/pidfile", entry.id))?;
        Ok(pidfile.map(|(pid, _)| pid))
    }

    /// A container's description, or None when no runtime of ours made it.
    /// A store of user `owner`'s (rootless Podman) holds only containers
    /// in user namespaces that user made.
    fn load(
        graph: &StateDir,
        run: Option<&StateDir>,
        entry: &Entry,
        owner: Option<u32>,
        pid_file: PidFile,
    ) -> Result<Option<Container>, Error> {
        let rel = format!("{}/userdata/config.json", entry.id);
        let mut spec = graph.read_json(&rel, MAX_JSON)?.map(|(v, _)| (v, graph));
        if spec.is_none() {
            if let Some(run) = run {
                spec = run.read_json(&rel, MAX_JSON)?.map(|(v, _)| (v, run));
            }
        }
        let Some((spec, from)) = spec else {
            return Ok(None);
        };
        let mut spec = spec;
        let bundle = Bundle::from_json(&spec, &from.display(&rel))?;
        let config = BundleConfig {
            root: from.path().to_path_buf(),
            rel: rel.clone(),
            seccomp: Some(Arc::new(spec["linux"]["seccomp"].take())),
        };
        let runtime = match bundle.annotation(MANAGER) {
            Some("libpod") => RuntimeKind::Podman,
            Some("cri-o") => RuntimeKind::CriO,
            // CRI-O before it named itself.
            None if is_crio(&bundle.annotations) => RuntimeKind::CriO,
            _ => return Ok(None),
        };
        // Rootless Podman on cgroup v1 has no cgroups: the namespace's
        // owner, checked on the live process, says whose it is instead.
        let no_cgroup = owner.is_some() && bundle.cgroups_path.is_empty();
        if !no_cgroup {
            bundle.require_cgroup_of(&entry.id, &from.display(&rel))?;
        }
        let pid = match (pid_file, run) {
            (PidFile::Read(pid), _) => pid,
            (PidFile::Unread, Some(run)) => Storage::read_pid(run, entry)?,
            (PidFile::Unread, None) => None,
        };
        // Podman's conmon names the container on its command line. CRI-O
        // may run conmon-rs instead, which serves a whole pod: no parent
        // is asked of its containers.
        let parent = (runtime == RuntimeKind::Podman).then(|| Parent::Conmon {
            id: entry.id.clone(),
        });
        // Podman writes CRI-O's container type too: "sandbox" on a pod's
        // infra container.
        let sandbox = is_sandbox(&bundle.annotations);
        let pod = match runtime {
            RuntimeKind::CriO => pod_of_crio(&bundle.annotations).map(|(pod, _)| pod),
            _ => None,
        };
        let name = match &pod {
            Some(p) if !p.container.is_empty() => p.container.clone(),
            _ => entry.names.first().cloned().unwrap_or_default(),
        };
        let image = match bundle.annotation(CRIO_IMAGE) {
            Some(image) => image.to_string(),
            None => entry.image_name.clone(),
        };
        let gid = bundle.gid;
        let default_hostname = bundle.hostname == super::short_id(&entry.id);
        let mut c = Container {
            runtime,
            name,
            image,
            pod,
            sandbox,
            bundle_config: Some(config),
            ..bundle.into_container(&entry.id, pid, parent)
        };
        c.identity.userns_owner = owner;
        if no_cgroup {
            c.identity.cgroup_id = None;
        }
        if runtime == RuntimeKind::Podman {
            // Podman puts HOSTNAME in the bundle's environment, but its exec
            // gives it only when `--hostname` chose one (seen with Podman
            // 4.3): the default hostname is the ID's first 12 characters.
            let default = format!("HOSTNAME={}", super::short_id(&entry.id));
            if default_hostname {
                c.env.retain(|e| *e != default);
            }
            // `podman exec` gives the user's groups without the primary
            // one, which Podman's bundle lists too (seen with Podman 4.3).
            if let Some(groups) = &mut c.user_groups {
                groups.retain(|&g| g != gid);
            }
        }
        observe(&mut c);
        Ok(Some(c))
    }
}

impl Source for Storage {
    fn describe(&self) -> String {
        format!(
            "containers/storage under {} and {}",
            self.graphroot.display(),
            self.runroot.display()
        )
    }

    fn named_by_user(&self) -> bool {
        self.explicit
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        let Some(graph) = StateDir::open(&self.graphroot)? else {
            return match ask_api(&self.podman_api, hint) {
                Ok(scan) => Ok(Some(scan)),
                Err(Failure::Unreachable(_)) => Ok(None),
                Err(Failure::Failed(e)) => Err(e),
            };
        };
        let run = || StateDir::open(&self.runroot);
        scan_store(&graph, &run, hint, None).map(Some)
    }
}

/// How a store's runroot is opened: only once an entry of its index is
/// to be read (a name looked for in every user's store reads none of
/// most users' runroots).
pub type OpenRunroot<'a> = dyn Fn() -> Result<Option<StateDir>, Error> + 'a;

/// The containers of one store: its graphroot, opened, and its runroot;
/// those of user `owner`'s rootless Podman when that is whose it is.
pub fn scan_store(
    graph: &StateDir,
    open_run: &OpenRunroot<'_>,
    hint: Hint<'_>,
    owner: Option<u32>,
) -> Result<Scan, Error> {
    let mut scan = Scan::default();
    let mut run: Option<Option<StateDir>> = None;
    let needle = hint.string_start();
    for driver in graph.names()? {
        if !driver.ends_with("-containers") {
            continue;
        }
        let Some(graph_dir) = graph.subdir(&driver)? else {
            continue;
        };
        let Some(index) = graph_dir.read("containers.json", MAX_LIST_JSON)? else {
            continue;
        };
        // A name or ID that no string of a whole index begins with: none
        // of its entries is wanted, and it is not parsed (a name looked for
        // in every user's store is in one of them). One cut short (a
        // crash, a full disk) is parsed, and its error said.
        let whole =
            index.bytes.trim_ascii().starts_with(b"[") && index.bytes.trim_ascii().ends_with(b"]");
        if whole && needle.as_ref().is_some_and(|n| !contains(&index.bytes, n)) {
            continue;
        }
        let index = graph_dir.parse_json("containers.json", &index.bytes)?;
        let wanted: Vec<Entry> = entries(&index, &graph_dir.display("containers.json"))?
            .into_iter()
            .filter(|entry| Storage::wanted(entry, hint))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        if run.is_none() {
            run = Some(open_run()?);
        }
        let run_dir = match run.as_ref().and_then(Option::as_ref) {
            Some(run) => run.subdir(&driver)?,
            None => None,
        };
        for entry in wanted {
            let loaded = match hint {
                Hint::Process { pid, cgroups } => {
                    Storage::may_hold(run_dir.as_ref(), &entry, pid, cgroups).and_then(|may| {
                        match may {
                            Some(pid_file) => {
                                Storage::load(&graph_dir, run_dir.as_ref(), &entry, owner, pid_file)
                            }
                            None => Ok(None),
                        }
                    })
                }
                _ => Storage::load(&graph_dir, run_dir.as_ref(), &entry, owner, PidFile::Unread),
            };
            match loaded {
                Ok(Some(c)) => scan.containers.push(c),
                Ok(None) => {}
                Err(e) if hint.reads_all() => scan.skipped.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(scan)
}

impl Storage {
    /// Where containers/storage keeps the OCI bundle of container `id`
    /// (for a container a daemon's API described), if it does.
    pub fn bundle_config(&self, id: &str) -> Option<BundleConfig> {
        if !is_storage_id(id) {
            return None;
        }
        let graph = StateDir::open(&self.graphroot).ok()??;
        for driver in graph.names().ok()? {
            if !driver.ends_with("-containers") {
                continue;
            }
            let Some(dir) = graph.subdir(&driver).ok()? else {
                continue;
            };
            if dir.subdir(&format!("{id}/userdata")).ok()?.is_some() {
                return Some(BundleConfig {
                    root: dir.path().to_path_buf(),
                    rel: format!("{id}/userdata/config.json"),
                    seccomp: None,
                });
            }
        }
        None
    }
}

/// The entries of containers.json: `[{"id", "names", "metadata"}...]`,
/// where metadata is itself JSON text holding the image's name.
fn entries(index: &Value, file: &str) -> Result<Vec<Entry>, Error> {
    let list = index
        .as_array()
        .ok_or_else(|| Error::msg(format!("{file} is not a list of containers")))?;
    Ok(list
        .iter()
        .filter_map(|e| {
            let id = e["id"].as_str().filter(|id| is_storage_id(id))?;
            let metadata: Value = e["metadata"]
                .as_str()
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or(Value::Null);
            Some(Entry {
                id: id.to_string(),
                names: strings(&e["names"]),
                image_name: text(&metadata["image-name"]),
            })
        })
        .collect())
}

/// containers/storage IDs are 64 hex digits; anything else would not be a
/// path component we read.
fn is_storage_id(id: &str) -> bool {
    super::docker_state::is_full_id(id)
}

#[cfg(test)]
#[path = "storage_tests.rs"]
mod tests;

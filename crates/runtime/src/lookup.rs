//! From an address to one container: each source that the address leaves
//! in play is asked, the answers are matched (exact names and IDs before ID
//! prefixes), and more than one candidate is an error that lists their
//! addresses. Sandbox ("pause") containers are never chosen.

use super::address::Address;
use super::cgroup_name::proc_cgroup_names;
use super::live::{check_process, Liveness};
use super::rootless::{Narrowed, RootlessPodman};
use super::rootless_docker::RootlessDocker;
use super::scan::{Hint, Scan, Source};
use super::short_id;
use super::sources::{DockerSource, Sources, StateFiles};
use super::{unclaimed_process, Container, ContainerState, ReadFrom, RuntimeKind};
use crate::error::Error;
use crate::sys::Errno;

/// The container an address names, and what to say about how it was found.
#[derive(Debug)]
pub struct Found {
    pub container: Container,
    /// Lines for stderr (a daemon that did not answer).
    pub notes: Vec<String>,
}

/// Every running container, and why some sources could not be read.
#[derive(Debug, Default)]
pub struct Listing {
    pub containers: Vec<Container>,
    /// Sources that were there but could not be read.
    pub unreadable: Vec<Error>,
    /// State files that could not be read.
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

pub struct Lookup {
    sources: Sources,
}

/// Candidates gathered from the sources asked, each with its source.
#[derive(Default)]
struct Gathered<'a> {
    found: Vec<(Container, &'a dyn Source)>,
    skipped: Vec<String>,
    notes: Vec<String>,
    /// Errors of sources that were there but could not be read.
    errors: Vec<Error>,
    /// One of those was of a place the user named.
    named_failed: bool,
    /// How many sources were there at all.
    present: usize,
}

/// At most this many candidates are named in an ambiguity error.
const MAX_NAMED: usize = 8;

impl Lookup {
    pub fn new(sources: Sources) -> Lookup {
        Lookup { sources }
    }

    pub fn find(&self, text: &str) -> Result<Found, Error> {
        match Address::parse(text)? {
            Address::Any(q) => self.by_name(text, &q, None),
            Address::Docker(q) => self.by_name(text, &q, Some(RuntimeKind::Docker)),
            Address::Podman(q) => self.by_name(text, &q, Some(RuntimeKind::Podman)),
            Address::PodmanOf { owner, name } => {
                self.of_user(text, RuntimeKind::Podman, &owner, &name)
            }
            Address::DockerOf { owner, name } => {
                self.of_user(text, RuntimeKind::Docker, &owner, &name)
            }
            Address::Containerd { namespace, id } => self.in_namespace(text, &namespace, &id),
            Address::K8s {
                namespace,
                pod,
                container,
            } => self.in_pod(&namespace, &pod, container.as_deref()),
            Address::Pid(pid) => self.by_pid(pid),
        }
    }

    /// Every running (or paused) container of every runtime found, sandboxes
    /// left out, each checked against its live process.
    pub fn list(&self) -> Listing {
        let gathered = self.gather(self.all_sources(), Hint::All);
        let mut listing = Listing {
            unreadable: gathered.errors,
            warnings: gathered.skipped,
            notes: gathered.notes,
            ..Listing::default()
        };
        for (c, _) in gathered.found {
            if c.sandbox {
                continue;
            }
            if !matches!(c.state, ContainerState::Running | ContainerState::Paused) {
                continue;
            }
            // The state already says paused (the runtime's record, or the
            // freezer looked at when it was read): only the process is left
            // to check, with the identity checks entering makes (a lookup
            // to enter leaves them to prepare).
            match check_process(&c) {
                Liveness::Running => {}
                Liveness::Gone | Liveness::Stale(_) | Liveness::Hidden => continue,
            }
            listing.containers.push(c);
        }
        listing.containers.sort_by_key(|c| (c.runtime, c.address()));
        listing
    }

    fn all_sources(&self) -> Vec<&dyn Source> {
        self.sources_with(self.rootless(), self.rootless_docker())
    }

    /// The system's runtimes, and these users' rootless ones.
    fn sources_with<'a>(
        &'a self,
        podman: Option<&'a dyn Source>,
        docker: Option<&'a dyn Source>,
    ) -> Vec<&'a dyn Source> {
        let mut all: Vec<&dyn Source> = vec![&self.sources.docker];
        all.extend(self.sources.containerd.iter().map(|c| c as &dyn Source));
        all.push(&self.sources.storage);
        all.extend(podman);
        all.extend(docker);
        all
    }

    fn rootless(&self) -> Option<&dyn Source> {
        self.sources.rootless.as_ref().map(|r| r as &dyn Source)
    }

    fn rootless_docker(&self) -> Option<&dyn Source> {
        self.sources
            .rootless_docker
            .as_ref()
            .map(|r| r as &dyn Source)
    }

    /// The rootless runtimes of one user only (`podman:USER/NAME`, or the
    /// owner of a `pid:` target's user namespace).
    fn rootless_of(&self, user: Narrowed) -> (Option<RootlessPodman>, Option<RootlessDocker>) {
        (
            self.sources
                .rootless
                .as_ref()
                .map(|r| r.narrowed(user.clone())),
            self.sources
                .rootless_docker
                .as_ref()
                .map(|r| r.narrowed(user)),
        )
    }

    /// `podman:USER/NAME`, `docker:USER/NAME`: a container of USER's
    /// rootless Podman or Docker.
    fn of_user(&self, text: &str, kind: RuntimeKind, owner: &str, q: &str) -> Result<Found, Error> {
        let (podman, docker) = self.rootless_of(Narrowed::Name(owner.to_string()));
        let (theirs, runtime, option): (Option<&dyn Source>, _, _) = match kind {
            RuntimeKind::Docker => (docker.as_ref().map(|d| d as _), "Docker", "--docker-root"),
            _ => (podman.as_ref().map(|p| p as _), "Podman", "--storage-root"),
        };
        let Some(theirs) = theirs else {
            return Err(Error::msg(format!(
                "No such container: {text} (rootless {runtime} is not looked at with {option})"
            )));
        };
        let mut g = self.gather(vec![theirs], Hint::Query(q));
        let what = match kind {
            RuntimeKind::Docker => "rootless Docker state",
            _ => "rootless Podman store",
        };
        if g.present == 0 && g.errors.is_empty() {
            return Err(Error::msg(format!(
                "No such container: {text} (user {owner} has no {what} here)"
            )));
        }
        g.found
            .retain(|(c, _)| c.owner.as_deref() == Some(owner) && c.runtime == kind && !c.sandbox);
        let exact = g.found.iter().position(|(c, _)| c.id == q || c.name == q);
        let chosen = match exact {
            Some(i) => i,
            None => {
                let prefixed: Vec<usize> = (0..g.found.len())
                    .filter(|&i| g.found[i].0.id.starts_with(q))
                    .collect();
                match prefixed.as_slice() {
                    [one] => *one,
                    [] => return Err(self.not_found(text, Some(kind), &g)),
                    _ => {
                        return Err(ambiguous(
                            format!("container ID prefix {q} is ambiguous: it matches"),
                            &prefixed.iter().map(|&i| &g.found[i].0).collect::<Vec<_>>(),
                            "give more of the ID or the name",
                        ))
                    }
                }
            }
        };
        self.complete(g, chosen)
    }

    /// Ask each source; gather what they say.
    fn gather<'a>(&'a self, sources: Vec<&'a dyn Source>, hint: Hint<'_>) -> Gathered<'a> {
        let mut g = Gathered::default();
        for source in sources {
            let scan = match source.scan(hint) {
                Ok(Some(scan)) => scan,
                Ok(None) => continue,
                Err(e) => {
                    g.present += 1;
                    g.named_failed |= source.named_by_user();
                    g.errors.push(e);
                    continue;
                }
            };
            g.present += 1;
            g.skipped.extend(scan.skipped);
            g.notes.extend(scan.notes);
            g.found
                .extend(scan.containers.into_iter().map(|c| (c, source)));
        }
        // One container seen by two sources (Podman's service through
        // DOCKER_HOST and its storage) is one candidate; distinct ones (the
        // same ID in two containerd namespaces) stay apart.
        let mut kept: Vec<(Container, &dyn Source)> = Vec::with_capacity(g.found.len());
        for (c, source) in std::mem::take(&mut g.found) {
            if !kept.iter().any(|(k, _)| seen_twice(k, &c)) {
                kept.push((c, source));
            }
        }
        g.found = kept;
        g
    }

    /// A name, ID or ID prefix, in every runtime or in one.
    fn by_name(&self, text: &str, q: &str, only: Option<RuntimeKind>) -> Result<Found, Error> {
        let sources: Vec<&dyn Source> = match only {
            Some(RuntimeKind::Docker) => [&self.sources.docker as &dyn Source]
                .into_iter()
                .chain(self.rootless_docker())
                .collect(),
            Some(_) => [&self.sources.storage as &dyn Source]
                .into_iter()
                .chain(self.rootless())
                .collect(),
            None => self.all_sources(),
        };
        let mut g = self.gather(sources, Hint::Query(q));
        if let Some(kind) = only {
            g.found.retain(|(c, _)| c.runtime == kind);
        }
        let named = |c: &Container| {
            matches!(c.runtime, RuntimeKind::Docker | RuntimeKind::Podman) && c.name == q
        };
        let exact: Vec<usize> = (0..g.found.len())
            .filter(|&i| g.found[i].0.id == q || named(&g.found[i].0))
            .collect();
        let prefix: Vec<usize> = (0..g.found.len())
            .filter(|&i| g.found[i].0.id.starts_with(q))
            .collect();
        let pick = |ids: &[usize]| -> Vec<usize> {
            ids.iter()
                .copied()
                .filter(|&i| !g.found[i].0.sandbox)
                .collect()
        };
        let (exact_apps, prefix_apps) = (pick(&exact), pick(&prefix));
        // A source that could not be read may have held the container
        // meant: only a unique exact match elsewhere goes ahead without it,
        // or a unique ID prefix when what could not be read was denied to
        // us (not root: the system's runtimes, whose containers only root
        // may enter). `docker:` has the system's Docker and every user's
        // rootless one, `podman:` the system's store and every user's.
        let denied = g
            .errors
            .iter()
            .all(|e| matches!(e.errno, Some(Errno::ACCESS | Errno::PERM)));
        let unique =
            exact_apps.len() == 1 || (denied && exact_apps.is_empty() && prefix_apps.len() == 1);
        let one_source =
            only == Some(RuntimeKind::Docker) && self.sources.rootless_docker.is_none();
        if !g.errors.is_empty() && (one_source || g.named_failed || !unique) {
            return Err(g.errors.swap_remove(0));
        }
        let chosen = match (exact_apps.as_slice(), prefix_apps.as_slice()) {
            ([one], _) | ([], [one]) => *one,
            ([_, _, ..], _) => {
                return Err(ambiguous(
                    format!("{text} names several containers:"),
                    &exact_apps
                        .iter()
                        .map(|&i| &g.found[i].0)
                        .collect::<Vec<_>>(),
                    "name one by its address",
                ))
            }
            ([], [_, _, ..]) => {
                return Err(ambiguous(
                    format!("container ID prefix {q} is ambiguous: it matches"),
                    &prefix_apps
                        .iter()
                        .map(|&i| &g.found[i].0)
                        .collect::<Vec<_>>(),
                    "give more of the ID or the name",
                ))
            }
            ([], []) => {
                if let Some(&i) = exact.iter().chain(&prefix).next() {
                    return Err(sandbox_refusal(text, &g.found[i].0));
                }
                let err = self.not_found(text, only, &g);
                return Err(match g.present {
                    0 => err,
                    _ => super::suggest::did_you_mean(err, q, only, &self.list().containers),
                });
            }
        };
        self.complete(g, chosen)
    }

    /// `containerd:NAMESPACE/ID`.
    fn in_namespace(&self, text: &str, namespace: &str, id: &str) -> Result<Found, Error> {
        let mut g = Gathered::default();
        for root in &self.sources.containerd {
            match root.scan_namespace(namespace, Hint::Query(id)) {
                Ok(Some(scan)) => {
                    g.present += 1;
                    g.found.extend(
                        scan.containers
                            .into_iter()
                            .map(|c| (c, root as &dyn Source)),
                    );
                }
                Ok(None) => {}
                Err(e) => return Err(e),
            }
        }
        let exact = g.found.iter().position(|(c, _)| c.id == id);
        let chosen = match exact {
            Some(i) => i,
            None if g.found.len() == 1 => 0,
            None if g.found.is_empty() => {
                return Err(Error::msg(format!(
                    "No such container: {text} (looked under {})",
                    self.containerd_roots()
                )))
            }
            None => {
                return Err(ambiguous(
                    format!("container ID prefix {id} is ambiguous in containerd namespace {namespace}: it matches"),
                    &g.found.iter().map(|(c, _)| c).collect::<Vec<_>>(),
                    "give more of the ID",
                ))
            }
        };
        if g.found[chosen].0.sandbox {
            return Err(sandbox_refusal(text, &g.found[chosen].0));
        }
        self.complete(g, chosen)
    }

    /// `k8s:NAMESPACE/POD[/CONTAINER]`: the pod's application container of
    /// that name, or its only one.
    fn in_pod(&self, namespace: &str, pod: &str, wanted: Option<&str>) -> Result<Found, Error> {
        let pod_name = format!("{namespace}/{pod}");
        let mut g = self.gather(self.all_sources(), Hint::Pod(pod));
        g.found.retain(|(c, _)| {
            c.pod
                .as_ref()
                .is_some_and(|p| p.namespace == namespace && p.pod == pod)
        });
        if !g.errors.is_empty() {
            return Err(g.errors.swap_remove(0));
        }
        if g.found.is_empty() {
            return Err(Error::msg(format!(
                "pod {pod_name} not found (looked in {})",
                self.pod_sources()
            )));
        }
        let is_up =
            |c: &Container| matches!(c.state, ContainerState::Running | ContainerState::Paused);
        let apps: Vec<usize> = (0..g.found.len())
            .filter(|&i| !g.found[i].0.sandbox)
            .collect();
        let container_name = |i: &usize| {
            g.found[*i]
                .0
                .pod
                .as_ref()
                .map(|p| p.container.clone())
                .unwrap_or_default()
        };
        let mut names: Vec<String> = apps.iter().map(container_name).collect();
        names.sort();
        names.dedup();
        let named: Vec<usize> = match wanted {
            Some(name) => apps
                .iter()
                .copied()
                .filter(|i| container_name(i) == name)
                .collect(),
            None => apps.clone(),
        };
        let up: Vec<usize> = named
            .iter()
            .copied()
            .filter(|&i| is_up(&g.found[i].0))
            .collect();
        let chosen = match (wanted, up.as_slice()) {
            (_, [one]) => *one,
            (Some(name), []) if named.is_empty() => {
                return Err(Error::msg(format!(
                    "pod {pod_name} has no container {name} (it has: {})",
                    list_or_none(&names)
                )))
            }
            (Some(name), []) => {
                let c = &g.found[named[0]].0;
                return Err(Error::msg(format!(
                    "container {name} of pod {pod_name} is not running ({}); {}",
                    c.state.word(),
                    super::start::start_advice(c).unwrap_or_default()
                )));
            }
            (None, []) if names.is_empty() => {
                return Err(Error::msg(format!(
                    "pod {pod_name} has no application container yet (only its sandbox)"
                )))
            }
            (None, []) => {
                return Err(Error::msg(format!(
                    "pod {pod_name} has no running container (it has: {})",
                    names.join(", ")
                )))
            }
            (Some(name), _) => {
                return Err(ambiguous(
                    format!("pod {pod_name} runs several containers named {name}:"),
                    &up.iter().map(|&i| &g.found[i].0).collect::<Vec<_>>(),
                    "name one by its address",
                ))
            }
            (None, _) => {
                let mut running: Vec<String> = up
                    .iter()
                    .map(|i| format!("k8s:{pod_name}/{}", container_name(i)))
                    .collect();
                running.sort();
                running.dedup();
                if running.len() < up.len() {
                    // Two of them have one name: only full addresses tell.
                    return Err(ambiguous(
                        format!("pod {pod_name} runs several containers:"),
                        &up.iter().map(|&i| &g.found[i].0).collect::<Vec<_>>(),
                        "name one by its address",
                    ));
                }
                return Err(Error::msg(format!(
                    "pod {pod_name} has several containers: {}; name one",
                    running.join(", ")
                )));
            }
        };
        self.complete(g, chosen)
    }

    /// `pid:N`: the container whose process that is (its init, or any
    /// process in its cgroup), entered at N itself; else the bare process.
    /// A process that shares every namespace with us is in no container:
    /// refused, with nsenter as the way to run something beside it.
    fn by_pid(&self, pid: i32) -> Result<Found, Error> {
        let bare = unclaimed_process::describe(pid)?;
        unclaimed_process::refuse_host_process(pid)?;
        let cgroups = crate::sys::fs::read_head(
            std::path::Path::new(&format!("/proc/{pid}/cgroup")),
            64 << 10,
        )
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
        // Of the users' rootless Podman and Docker, only the state of the
        // user whose user namespace the process is in can hold its
        // container.
        let uid = crate::target::userns_owner_of(pid).unwrap_or(u32::MAX);
        let (podman, docker) = self.rootless_of(Narrowed::Uid(uid));
        let sources = self.sources_with(
            podman.as_ref().map(|p| p as &dyn Source),
            docker.as_ref().map(|d| d as &dyn Source),
        );
        let g = self.gather(
            sources,
            Hint::Process {
                pid,
                cgroups: &cgroups,
            },
        );
        // A sandbox's settings are never taken: its process is entered as
        // a bare process.
        let candidate = |c: &Container| !c.sandbox && c.state == ContainerState::Running;
        let owner = g
            .found
            .iter()
            .position(|(c, _)| candidate(c) && c.pid == pid)
            .or_else(|| {
                g.found
                    .iter()
                    .position(|(c, _)| candidate(c) && proc_cgroup_names(&cgroups, &c.id))
            });
        let Some(i) = owner else {
            return Ok(Found {
                container: bare,
                notes: Vec::new(),
            });
        };
        let mut found = self.complete(g, i)?;
        let c = &mut found.container;
        c.pid = pid;
        c.identity = crate::plan::Identity {
            start_ticks: bare.identity.start_ticks,
            // A rootless container may have no cgroup: its user
            // namespace's owner stands for it.
            cgroup_id: match c.identity.userns_owner {
                Some(_) => c.identity.cgroup_id.take(),
                None => Some(c.id.clone()),
            },
            userns_owner: c.identity.userns_owner,
            in_container: true,
            ..Default::default()
        };
        Ok(found)
    }

    /// The chosen container, completed by its source.
    fn complete(&self, mut g: Gathered<'_>, chosen: usize) -> Result<Found, Error> {
        let (container, source) = g.found.swap_remove(chosen);
        let mut container = source.complete(container)?;
        // A daemon's API that is Podman's (DOCKER_HOST at its socket): its
        // bundle is in containers/storage.
        if container.bundle_config.is_none() && container.runtime != RuntimeKind::Process {
            container.bundle_config = self.sources.storage.bundle_config(&container.id);
        }
        Ok(Found {
            container,
            notes: g.notes,
        })
    }

    fn not_found(&self, text: &str, only: Option<RuntimeKind>, g: &Gathered<'_>) -> Error {
        let docker = &self.sources.docker;
        if only == Some(RuntimeKind::Docker) && g.present == 0 {
            return Error::msg(format!(
                "No such container: {text} (no {}{})",
                docker.api.describe(),
                docker
                    .state
                    .as_ref()
                    .map(|s| format!(" and no state files under {}", s.data_root.display()))
                    .unwrap_or_default()
            ));
        }
        if g.present == 0 {
            return Error::msg(format!(
                "No such container: {text} (no container runtime found here: {})",
                self.places()
            ));
        }
        match g.skipped.first() {
            Some(why) if g.skipped.len() == 1 => Error::msg(format!("No such container: {text}"))
                .hint(format!("one state file could not be read: {why}")),
            Some(why) => Error::msg(format!("No such container: {text}")).hint(format!(
                "{} state files could not be read, such as: {why}",
                g.skipped.len()
            )),
            None => Error::msg(format!("No such container: {text}")),
        }
    }

    fn containerd_roots(&self) -> String {
        let roots: Vec<String> = self
            .sources
            .containerd
            .iter()
            .map(|c| c.root.display().to_string())
            .collect();
        roots.join(", ")
    }

    fn pod_sources(&self) -> String {
        format!(
            "containerd state under {}, CRI-O's {}, Docker's {}",
            self.containerd_roots(),
            self.sources.storage.graphroot.display(),
            self.docker_place()
        )
    }

    fn docker_place(&self) -> String {
        let docker = &self.sources.docker;
        match &docker.state {
            Some(state) => format!(
                "{} or {}",
                state.data_root.display(),
                docker.api.socket().display()
            ),
            None => docker.api.socket().display().to_string(),
        }
    }

    fn places(&self) -> String {
        format!(
            "Docker at {}, containerd under {}, Podman and CRI-O under {}",
            self.docker_place(),
            self.containerd_roots(),
            self.sources.storage.graphroot.display()
        )
    }
}

impl Source for DockerSource {
    fn describe(&self) -> String {
        self.api.describe()
    }

    fn named_by_user(&self) -> bool {
        self.explicit
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        let from_state = |note: Option<String>| -> Result<Option<Scan>, Error> {
            let Some(state) = &self.state else {
                return Ok(None);
            };
            let scan = state.scan(hint)?;
            Ok(scan.map(|mut s| {
                s.notes.extend(note);
                s
            }))
        };
        match self.mode {
            StateFiles::First => match from_state(None) {
                Ok(Some(scan)) => Ok(Some(scan)),
                Ok(None) => self.ask(hint),
                // Not ours to read (not root): the daemon may answer; if it
                // cannot either, the state files' reason is the one to say.
                Err(unreadable) => match self.ask_raw(hint) {
                    Ok(scan) => Ok(Some(scan)),
                    Err(super::docker::Failure::Unreachable(_)) => Err(unreadable),
                    Err(super::docker::Failure::Failed(e)) => Err(e),
                },
            },
            StateFiles::Never => self.ask(hint),
            StateFiles::Fallback => match self.ask_raw(hint) {
                Ok(scan) => Ok(Some(scan)),
                Err(super::docker::Failure::Unreachable(why)) => {
                    let Some(state) = &self.state else {
                        return Err(why);
                    };
                    let note = format!(
                        "{why}; using its state files under {} instead",
                        state.data_root.display()
                    );
                    match from_state(Some(note))? {
                        Some(scan) => Ok(Some(scan)),
                        None => Err(why),
                    }
                }
                Err(super::docker::Failure::Failed(e)) => Err(e),
            },
        }
    }

    fn complete(&self, container: Container) -> Result<Container, Error> {
        match &self.state {
            // Only what came from the state files needs the other files.
            Some(state) if container.read_from == ReadFrom::StateFiles => state.complete(container),
            Some(state) => Ok(state.with_bundle_config(container)),
            None => Ok(container),
        }
    }
}

impl DockerSource {
    /// The daemon; an unreachable default daemon is "Docker is not here".
    fn ask(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        match self.ask_raw(hint) {
            Ok(scan) => Ok(Some(scan)),
            Err(super::docker::Failure::Unreachable(_)) if !self.explicit => Ok(None),
            Err(f) => Err(f.into_error()),
        }
    }

    fn ask_raw(&self, hint: Hint<'_>) -> Result<Scan, super::docker::Failure> {
        ask_api(&self.api, hint)
    }
}

pub(crate) fn ask_api(api: &super::Docker, hint: Hint<'_>) -> Result<Scan, super::docker::Failure> {
    let containers = match hint {
        Hint::Query(q) => api.inspect(q)?.into_iter().collect(),
        Hint::All | Hint::Pod(_) | Hint::Process { .. } => api.running()?,
    };
    Ok(Scan {
        containers,
        ..Scan::default()
    })
}

/// "X is ambiguous: it matches docker:a (ID 3f2a...), containerd:ns/3f81
/// (k8s:ns/pod/app); give more of the ID": each candidate by an address
/// that names it and none of the others.
fn ambiguous(lead: String, candidates: &[&Container], advice: &str) -> Error {
    let mut named: Vec<(RuntimeKind, String)> = candidates
        .iter()
        .map(|c| {
            let address = exact_address(c, candidates);
            let text = match (c.runtime, &c.pod) {
                (RuntimeKind::Docker | RuntimeKind::Podman, _) => {
                    format!("{address} (ID {})", short_id(&c.id))
                }
                (_, Some(_)) if !c.sandbox && c.address() != address => {
                    format!("{address} ({})", c.address())
                }
                _ => address,
            };
            (c.runtime, text)
        })
        .collect();
    // By runtime and address, not in the order of directory entries.
    named.sort();
    let mut named: Vec<String> = named.into_iter().map(|(_, text)| text).collect();
    named.truncate(MAX_NAMED);
    if candidates.len() > MAX_NAMED {
        named.push(format!("and {} more", candidates.len() - MAX_NAMED));
    }
    Error::msg(format!("{lead} {}; {advice}", named.join(", ")))
}

/// An address that names `c` and none of `others`: a Docker or Podman
/// container by its name, unless that is another's full ID (then by its own
/// full ID); a containerd task by namespace and ID; a CRI-O container by its
/// full ID.
fn exact_address(c: &Container, others: &[&Container]) -> String {
    let prefix = match (c.runtime, &c.owner) {
        // A user's name is unique among that user's containers.
        (RuntimeKind::Podman, Some(owner)) => return format!("podman:{owner}/{}", c.name),
        (RuntimeKind::Docker, Some(owner)) => return format!("docker:{owner}/{}", c.name),
        (RuntimeKind::Docker, _) => "docker",
        (RuntimeKind::Podman, _) => "podman",
        (RuntimeKind::Containerd, _) => return format!("containerd:{}/{}", c.namespace, c.id),
        (RuntimeKind::CriO, _) => return c.id.clone(),
        (RuntimeKind::Process, _) => return c.address(),
    };
    let names_another = |text: &str| {
        others.iter().any(|o| {
            !std::ptr::eq(*o, c) && o.runtime == c.runtime && (o.id == text || o.name == text)
        })
    };
    if !c.name.is_empty() && !names_another(&c.name) {
        format!("{prefix}:{}", c.name)
    } else {
        format!("{prefix}:{}", c.id)
    }
}

/// Whether two candidates are one container seen twice: the same ID and the
/// same process, at least one of them told by a daemon. Two sets of state
/// files are two claims, never merged: the same task ID in two containerd
/// namespaces is two tasks, and a planted copy of one must not hide either.
fn seen_twice(a: &Container, b: &Container) -> bool {
    a.id == b.id
        && a.pid == b.pid
        && !(a.read_from == ReadFrom::StateFiles && b.read_from == ReadFrom::StateFiles)
}

fn sandbox_refusal(text: &str, c: &Container) -> Error {
    let pod = c
        .pod
        .as_ref()
        .map(|p| format!("{}/{}", p.namespace, p.pod))
        .unwrap_or_default();
    Error::msg(format!(
        "{text} is the sandbox (pause) container of pod {pod}, which is never entered; name an application container: k8s:{pod}/CONTAINER"
    ))
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod tests;

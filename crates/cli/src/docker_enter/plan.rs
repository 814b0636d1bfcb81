//! The planner: a request, the container the runtime described and what
//! its root holds, turned into a [`Plan`] that does what `docker exec`
//! does. Pure: the container's files come through [`ContainerFs`] (the
//! prepared target answers; tests use recorded containers and passwd
//! bytes).
//!
//! Two steps, with `enter::prepare` between them: [`entry_plan`] says what
//! to enter (all of it is known from the runtime's description), and
//! [`launch_plan`] decides user, working directory, environment and
//! program from the container's own files, read through the handles that
//! prepare opened.

use super::environment::{EnvChanges, Environment};
use super::{Request, Tty};
use crate::bounded::{Records, CONTAINER_FILE};
use crate::container::{Container, RuntimeKind};
use crate::error::Error;
use crate::plan::{
    AllNamespaces, Confinement, ContainerFs, Credentials, Entry, EnvPlan, ForkMode, Hardening,
    IdSpec, InheritedFds, Launch, PathKind, Plan, Program, SeccompSource, TargetSpec,
};
use crate::users::{resolve_exec_user, ExecUser};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// docker's PATH for a container whose configuration sets none.
const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// What a refusal to run without the container's confinement suggests:
/// first the runtime's own exec, which keeps that confinement, then what
/// `--privileged` costs (a hostile container may make the copy fail on
/// purpose, to have it run unconfined).
macro_rules! confinement_hint {
    ($exec:literal) => {
        concat!(
            $exec,
            " runs it with the container's confinement; docker-enter --privileged runs it \
             without, trusting the container's binaries with the host"
        )
    };
}

fn confinement_hint(container: &Container) -> &'static str {
    match container.runtime {
        RuntimeKind::Docker => confinement_hint!("docker exec"),
        RuntimeKind::Podman => confinement_hint!("podman exec"),
        RuntimeKind::Containerd | RuntimeKind::CriO if container.pod.is_some() => {
            confinement_hint!("kubectl exec")
        }
        RuntimeKind::Containerd => confinement_hint!("ctr task exec"),
        RuntimeKind::CriO => confinement_hint!("crictl exec"),
        RuntimeKind::Process => {
            "docker-enter --privileged runs it without the process's confinement, trusting \
             the process's binaries with the host"
        }
    }
}

/// Where the program's seccomp filter comes from: the runtime's record,
/// as its own exec takes it, so that the container's process is never
/// stopped (security rule 19); only a bare process (`pid:`), which no
/// runtime describes, or a container whose record cannot be seen from
/// here, is copied from.
fn seccomp_source(container: &Container) -> SeccompSource {
    match &container.bundle_config {
        Some(config) => SeccompSource::Bundle(config.clone()),
        // No runtime describes the process (`pid:`), or its record cannot
        // be seen from here (run in the can with only the daemon's socket
        // mounted): only the live process tells, stopped for a moment.
        None => SeccompSource::Live,
    }
}

/// `docker exec`'s umask.
const UMASK: u32 = 0o022;
/// Tried in this order after the user's own shell.
const FALLBACK_SHELLS: &[&str] = &["/bin/bash", "/bin/sh"];

/// Whether the program gets a fresh terminal, given whether each of our
/// standard descriptors is a terminal. A pty turns LF into CRLF: give one
/// only when all three are, so `> file`, `| cmd` and `2> log` get the
/// program's bytes exactly, as `docker exec` without -t does. A detached
/// program gets none (the command line refuses `-d -t`).
pub fn wants_pty(req: &Request, terminals: [bool; 3]) -> bool {
    match req.tty {
        _ if req.detach => false,
        Tty::Auto => terminals.iter().all(|&t| t),
        Tty::Always => true,
        Tty::Never => false,
    }
}

/// A file of the container as bounded lines (messages about them are put
/// in the container's context by the caller).
fn container_lines<'a>(fs: &'a dyn ContainerFs, path: &str) -> Result<Option<Records<'a>>, Error> {
    Ok(fs
        .open(Path::new(path))?
        .map(|file| Records::lines(file, path, CONTAINER_FILE)))
}

/// Everything docker-enter will do, decided before anything is started:
/// [`entry_plan`] and [`launch_plan`] in one (what tests use).
pub fn plan(
    req: &Request,
    container: &Container,
    fs: &dyn ContainerFs,
    overrides: EnvChanges,
    terminals: [bool; 3],
) -> Result<Plan, Error> {
    let entry = entry_plan(container, req, terminals);
    let launch = launch_plan(&entry, req, container, fs, overrides)?;
    Ok(Plan { entry, launch })
}

/// What to enter and how, from the runtime's description alone: every
/// namespace that differs from ours, the cgroup, the container's
/// confinement (all of it, or with `--privileged` only its resource
/// limits), the hardening of a container we do not trust, only 0, 1 and 2
/// for the program, a pty or not (given which of ours are `terminals`),
/// detached or not. The user, working directory, environment and program
/// come later, from [`launch_plan`].
pub fn entry_plan(container: &Container, req: &Request, terminals: [bool; 3]) -> Entry {
    let mut plan = Entry::new("docker-enter");
    plan.target = Some(TargetSpec {
        pid: container.pid,
        pidfd_ino: None,
        identity: Some(container.identity.clone()),
    });
    plan.all = AllNamespaces::Differing;
    // Rootless Podman on cgroup v1 gives its containers no cgroup: its exec
    // leaves the program in the caller's, and so do we.
    plan.join_cgroup =
        !(container.identity.userns_owner.is_some() && container.identity.cgroup_id.is_none());
    plan.confinement = match req.privileged {
        true => Confinement::ResourcesOnly,
        false => Confinement::Target,
    };
    plan.seccomp = seccomp_source(container);
    plan.confinement_hint = confinement_hint(container);
    plan.umask = Some(UMASK);
    plan.fork = ForkMode::Always;
    plan.inherited_fds = InheritedFds::Close;
    plan.hardening = Hardening {
        check_cwd: true,
        refuse_self_exec: true,
        no_host_streams: true,
        fresh_session_keyring: true,
    };
    plan.pty = wants_pty(req, terminals);
    plan.detach = req.detach;
    plan.tools = req.tools.clone();
    plan
}

/// What runs in what `entry` enters, from the container's own files (read
/// through `fs`) as `docker exec` decides it: user and groups, working
/// directory, environment, program.
pub fn launch_plan(
    entry: &Entry,
    req: &Request,
    container: &Container,
    fs: &dyn ContainerFs,
    overrides: EnvChanges,
) -> Result<Launch, Error> {
    let who = container.display(&req.container);
    let in_container = |e: Error| e.context(format!("in container {who}"));
    let spec = req.user.as_deref().unwrap_or(&container.user);
    let passwd = container_lines(fs, "/etc/passwd").map_err(in_container)?;
    let group = container_lines(fs, "/etc/group").map_err(in_container)?;
    let mut user =
        resolve_exec_user(spec, &container.group_add, passwd, group).map_err(in_container)?;
    // The groups a runtime set for its configured user are exactly that
    // user's (its own exec sets them as they are); another `-u` gets its
    // own from the container's files.
    if let (None, Some(groups)) = (&req.user, &container.user_groups) {
        user.groups = groups.clone();
    }

    let workdir = match (&req.workdir, container.working_dir.as_str()) {
        (Some(dir), _) => dir.clone(),
        (None, "") => PathBuf::from("/"),
        (None, dir) => PathBuf::from(dir),
    };
    let not = match fs.kind(&workdir) {
        // A magic link is followed inside, as docker exec does; the
        // directory reached is checked there (security rule 5).
        PathKind::Directory | PathKind::Unresolved => None,
        PathKind::Missing => Some("does not exist"),
        PathKind::Executable | PathKind::Other => Some("is not a directory"),
        // Seen from here, /proc/self is docker-enter (security rule 5).
        PathKind::ThroughSelfLink => {
            return Err(Error::msg(format!(
                "working directory {} leads out of container {who} through /proc/self \
                 (docker-enter's own process); not followed",
                workdir.display()
            )))
        }
    };
    if let Some(not) = not {
        return Err(Error::msg(format!(
            "working directory {} {not} in container {who}",
            workdir.display()
        )));
    }

    let program = match (&entry.tools, req.command.is_empty()) {
        (_, false) => Program::Command(req.command.clone()),
        (Some(_), true) => Program::ToolboxShell { login: false },
        (None, true) => shell(&user, fs, &who, &req.container)?,
    };
    // In a whole toolbox root, the container's directories are under it.
    let workdir = match &entry.tools {
        Some(tools) if tools.is_root() => tools
            .container_dir()
            .join(workdir.strip_prefix("/").unwrap_or(&workdir)),
        _ => workdir,
    };

    let env = environment(container, &user, entry.pty, overrides, &who)?;
    let not_found_hint = match &program {
        Program::Command(argv) => Some(super::missing::not_found_hint(
            argv,
            entry.tools.as_ref(),
            &who,
            &req.container,
        )),
        _ => None,
    };
    Ok(Launch {
        creds: Credentials {
            uid: Some(IdSpec::Id(user.uid)),
            gid: Some(IdSpec::Id(user.gid)),
            groups: Some(user.groups.clone()),
            ..Credentials::default()
        },
        env: EnvPlan::Exact(env),
        workdir: Some(workdir),
        program,
        not_found_hint,
    })
}

/// The user's shell from the container's passwd, else bash, else sh, the
/// first that exists; started interactive, not as a login shell, so the
/// environment stays the one docker exec would give. Without one, the
/// message shows how to bring one (`--tools`).
fn shell(user: &ExecUser, fs: &dyn ContainerFs, who: &str, query: &str) -> Result<Program, Error> {
    let mut candidates: Vec<PathBuf> = user.shell.iter().cloned().collect();
    for fallback in FALLBACK_SHELLS.iter().map(PathBuf::from) {
        if !candidates.contains(&fallback) {
            candidates.push(fallback);
        }
    }
    let found = candidates
        .iter()
        .find(|p| fs.kind(p) == PathKind::Executable);
    let Some(path) = found else {
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::msg(format!(
            "container {who} has no shell (tried {}); give a command to run, or bring a \
             shell with --tools, e.g. docker-enter --tools=/opt/busybox {query} \
             (--tools alone takes the toolbox installed with the can)",
            tried.join(", ")
        )));
    };
    let argv0 = path.file_name().unwrap_or(path.as_os_str()).to_os_string();
    Ok(Program::Exact {
        path: path.clone(),
        argv: vec![argv0],
    })
}

/// docker exec's environment: PATH and HOSTNAME (and TERM with a terminal),
/// overridden by the container's Config.Env, overridden by -e/--env-file;
/// HOME from passwd unless one of those set it.
fn environment(
    c: &Container,
    user: &ExecUser,
    pty: bool,
    overrides: EnvChanges,
    who: &str,
) -> Result<Vec<OsString>, Error> {
    let mut env = Environment::default();
    env.set(DEFAULT_PATH.into());
    // Runtimes whose exec adds no HOSTNAME leave the hostname empty.
    if !c.hostname.is_empty() {
        env.set(format!("HOSTNAME={}", c.hostname).into());
    }
    if pty {
        env.set("TERM=xterm".into());
    }
    for entry in &c.env {
        match entry.contains('=') {
            true => env.set(entry.into()),
            false => env.unset(entry.as_bytes()),
        }
    }
    overrides.apply_to(&mut env);
    if !env.contains(b"HOME") {
        let mut home = b"HOME=".to_vec();
        home.extend_from_slice(user.home.as_os_str().as_bytes());
        env.set(OsString::from_vec(home));
    }
    let env = env.into_entries();
    if let Some(bad) = env.iter().find(|e| e.as_bytes().contains(&0)) {
        return Err(Error::msg(format!(
            "environment of container {who} holds a NUL byte in {}",
            String::from_utf8_lossy(super::environment::key(bad))
        )));
    }
    Ok(env)
}

//! The planner: a request, the container the runtime described and what
//! its root holds, turned into a [`Plan`] that does what `docker exec`
//! does. Pure: the container's files come through [`ContainerFs`], so
//! tests use recorded containers and passwd bytes.

use super::{EnvOverride, Request};
use crate::creds::{resolve_exec_user, ExecUser};
use crate::error::Error;
use crate::plan::{
    AllNamespaces, Credentials, EnvPlan, ForkMode, Hardening, IdSpec, Plan, Program, TargetSpec,
    WorkDir,
};
use crate::runtime::Container;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// docker's PATH for a container whose configuration sets none.
const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Tried in this order after the user's own shell.
const FALLBACK_SHELLS: &[&str] = &["/bin/bash", "/bin/sh"];

/// The container's files, seen from inside its root.
pub trait ContainerFs {
    /// A regular file's contents; `None` when there is no such file.
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, Error>;
    fn is_dir(&self, path: &Path) -> bool;
    /// A regular file with an execute bit.
    fn is_executable(&self, path: &Path) -> bool;
}

/// Everything docker-enter will do, decided before anything is started.
pub fn plan(
    req: &Request,
    container: &Container,
    fs: &dyn ContainerFs,
    overrides: &[EnvOverride],
    pty: bool,
) -> Result<Plan, Error> {
    let who = container.display(&req.container);
    let spec = req.user.as_deref().unwrap_or(&container.user);
    let passwd = fs.read(Path::new("/etc/passwd"))?;
    let group = fs.read(Path::new("/etc/group"))?;
    let mut user = resolve_exec_user(
        spec,
        &container.group_add,
        passwd.as_deref(),
        group.as_deref(),
    )
    .map_err(|e| e.context(format!("in container {who}")))?;
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
    if !fs.is_dir(&workdir) {
        return Err(Error::msg(format!(
            "working directory {} does not exist in container {who}",
            workdir.display()
        )));
    }

    let program = if req.command.is_empty() {
        shell(&user, fs, &who)?
    } else {
        Program::Command(req.command.clone())
    };

    let mut plan = Plan::new("docker-enter");
    plan.target = Some(TargetSpec {
        pid: container.pid,
        pidfd_ino: None,
        identity: Some(container.identity.clone()),
    });
    plan.all = AllNamespaces::Differing;
    plan.join_cgroup = true;
    plan.workdir = WorkDir::After(workdir);
    plan.env = EnvPlan::Exact(environment(container, &user, pty, overrides, &who)?);
    plan.creds = Credentials {
        uid: Some(IdSpec::Id(user.uid)),
        gid: Some(IdSpec::Id(user.gid)),
        groups: Some(user.groups.clone()),
        ..Credentials::default()
    };
    plan.fork = ForkMode::Always;
    plan.hardening = Hardening {
        check_cwd: true,
        refuse_self_exec: true,
        no_host_terminal: true,
    };
    plan.pty = pty;
    plan.program = program;
    Ok(plan)
}

/// The user's shell from the container's passwd, else bash, else sh, the
/// first that exists; started interactive, not as a login shell, so the
/// environment stays the one docker exec would give.
fn shell(user: &ExecUser, fs: &dyn ContainerFs, who: &str) -> Result<Program, Error> {
    let mut candidates: Vec<PathBuf> = user.shell.iter().cloned().collect();
    for fallback in FALLBACK_SHELLS.iter().map(PathBuf::from) {
        if !candidates.contains(&fallback) {
            candidates.push(fallback);
        }
    }
    let found = candidates.iter().find(|p| fs.is_executable(p));
    let Some(path) = found else {
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::msg(format!(
            "container {who} has no shell (tried {}); give a command to run",
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
    overrides: &[EnvOverride],
    who: &str,
) -> Result<Vec<OsString>, Error> {
    let mut env: Vec<OsString> = vec![DEFAULT_PATH.into()];
    // Runtimes whose exec adds no HOSTNAME leave the hostname empty.
    if !c.hostname.is_empty() {
        env.push(format!("HOSTNAME={}", c.hostname).into());
    }
    if pty {
        env.push("TERM=xterm".into());
    }
    for entry in &c.env {
        let change = match entry.contains('=') {
            true => EnvOverride::Set(entry.into()),
            false => EnvOverride::Unset(entry.into()),
        };
        apply(&mut env, &change);
    }
    for change in overrides {
        apply(&mut env, change);
    }
    if !env.iter().any(|e| key(e) == b"HOME") {
        let mut home = b"HOME=".to_vec();
        home.extend_from_slice(user.home.as_os_str().as_bytes());
        env.push(OsString::from_vec(home));
    }
    if let Some(bad) = env.iter().find(|e| e.as_bytes().contains(&0)) {
        return Err(Error::msg(format!(
            "environment of container {who} holds a NUL byte in {}",
            String::from_utf8_lossy(key(bad))
        )));
    }
    Ok(env)
}

/// Replace the variable in place, append it, or remove it.
fn apply(env: &mut Vec<OsString>, change: &EnvOverride) {
    match change {
        EnvOverride::Set(entry) => match env.iter_mut().find(|e| key(e) == key(entry)) {
            Some(slot) => *slot = entry.clone(),
            None => env.push(entry.clone()),
        },
        EnvOverride::Unset(name) => env.retain(|e| key(e) != name.as_bytes()),
    }
}

fn key(entry: &OsStr) -> &[u8] {
    let bytes = entry.as_bytes();
    bytes.split(|&b| b == b'=').next().unwrap_or(bytes)
}

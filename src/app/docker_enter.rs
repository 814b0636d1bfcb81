//! docker-enter's main: parse, find the container, prepare what to enter,
//! finish the plan from the container's files read through the prepared
//! handles, run it. Nothing is started before every check has passed.

use crate::cli::docker_enter::{
    apply_env_values, entry_plan, help_text, launch_plan, parse, read_env_file, version_text,
    EnvChanges, Parsed, Request,
};
use crate::enter;
use crate::error::{Error, ErrorKind};
use crate::runtime::list::{render, Format};
use crate::runtime::sources::Sources;
use crate::runtime::{
    require_running, Address, Container, Lookup, ReadFrom, RuntimeKind, SourceOptions, CTR_STOPPED,
};
use crate::sys::stderr::{report, write_stderr};
use crate::sys::Errno;
use crate::target::pid_namespace_is_nested;
use std::ffi::OsString;
use std::time::{Duration, Instant};

const TOOL: &str = "docker-enter";

/// Run docker-enter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let parsed = parse(args);
    if !matches!(parsed, Ok(Parsed::Run(_))) {
        // The entry point ran us again from a protected copy before
        // parsing (crates/sys/src/early_start.rs), whatever the command
        // line; a run gets its name back with its protected copy.
        enter::restore_name();
    }
    let result = match parsed {
        // Before anything else: the container must never see our binary
        // writable (security rule 6).
        Ok(Parsed::Run(req)) => {
            enter::run_from_protected_copy(TOOL).and_then(|()| enter_container(&req))
        }
        Ok(Parsed::Help) => return super::print(TOOL, &help_text()),
        Ok(Parsed::Version) => return super::print(TOOL, &version_text()),
        Ok(Parsed::List { sources, format }) => list(&sources, &format),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| report(TOOL, &e))
}

/// `--list`: what every runtime found runs; a runtime that could not be
/// read is said on stderr, and fails the listing only when nothing could.
fn list(sources: &SourceOptions, format: &Format) -> Result<i32, Error> {
    let timing = Timing::from_env();
    let listing = Lookup::new(Sources::from_options(sources)?).list();
    // Every container found and checked against its live process.
    timing.lap("list");
    for line in &listing.notes {
        say(line);
    }
    let as_root = crate::sys::ids::geteuid() == 0;
    let (denied, other): (Vec<&Error>, Vec<&Error>) = listing
        .unreadable
        .iter()
        .partition(|e| !as_root && matches!(e.errno, Some(Errno::ACCESS | Errno::PERM)));
    if let Some(line) = denied_without_root(&denied) {
        say(&line);
    }
    for line in other
        .iter()
        .map(|e| e.to_string())
        .chain(listing.warnings.clone())
    {
        say(&line);
    }
    let unread = !listing.unreadable.is_empty() || !listing.warnings.is_empty();
    if listing.containers.is_empty() && unread {
        return Ok(1);
    }
    Ok(super::print(TOOL, &render(&listing.containers, format)))
}

/// Runtimes whose state only root may read, said in one line: what could
/// not be read, each place named, and the one remedy for all of them.
fn denied_without_root(denied: &[&Error]) -> Option<String> {
    let first = denied.first()?;
    let bare = |e: &Error| Error {
        hint: None,
        ..e.clone()
    };
    let refusals: Vec<String> = if denied.iter().all(|e| e.errno == first.errno) {
        let places: Vec<&str> = denied.iter().map(|e| e.what.as_str()).collect();
        let (last, before) = places.split_last()?;
        let listed = match before {
            [] => last.to_string(),
            _ => format!("{} and {last}", before.join(", ")),
        };
        vec![Error {
            what: listed,
            ..bare(first)
        }
        .to_string()]
    } else {
        denied.iter().map(|e| bare(e).to_string()).collect()
    };
    Some(format!(
        "cannot list every runtime's containers without root: {} \
         (run docker-enter --list as root, for example with sudo)",
        refusals.join("; ")
    ))
}

/// One line on stderr, in one write.
fn say(line: &str) {
    write_stderr(&format!("{TOOL}: {}\n", line.replace(['\n', '\r'], " ")));
}

fn enter_container(req: &Request) -> Result<i32, Error> {
    let euid = crate::sys::ids::geteuid();
    // Whether the container found is the caller's own rootless one: then a
    // failure is said as it is, not as a container that is not theirs.
    let mine = std::cell::Cell::new(false);
    enter_as_anyone(req, &mine).map_err(|e| match euid {
        0 => e,
        _ if mine.get() => e,
        uid => not_yours(e, req, uid),
    })
}

/// Without root, only a container whose user namespace is the caller's
/// (their rootless Podman or Docker) can be entered. Anything else that failed for
/// want of privilege, or was not found among the caller's own, is said in
/// one line: why, and what would work.
fn not_yours(err: Error, req: &Request, uid: u32) -> Error {
    let denied = matches!(err.errno, Some(Errno::ACCESS | Errno::PERM));
    let refused_pid = err.what.starts_with("cannot enter pid:");
    if !(denied || refused_pid || err.what.starts_with("No such container")) {
        return err;
    }
    let query = &req.container;
    let why = match Address::parse(query) {
        Ok(Address::Pid(pid)) => format!(
            "process {pid} is not in a user namespace of uid {uid}'s, so only root may enter it"
        ),
        Ok(Address::PodmanOf { owner, .. }) => format!(
            "it is user {owner}'s rootless Podman container, which only {owner} and root \
             may enter"
        ),
        Ok(Address::DockerOf { owner, .. }) => format!(
            "it is user {owner}'s rootless Docker container, which only {owner} and root \
             may enter"
        ),
        _ => format!(
            "it is not one of uid {uid}'s rootless Podman or Docker containers (\
             docker-enter --list shows those), and other containers only root may enter"
        ),
    };
    Error::msg(format!(
        "cannot enter {query} without root: {why}; run sudo docker-enter {query} ..., \
         or its runtime's own exec (docker exec, podman exec; as its owner for a rootless \
         container)"
    ))
}

fn enter_as_anyone(req: &Request, mine: &std::cell::Cell<bool>) -> Result<i32, Error> {
    let timing = Timing::from_env();
    let overrides = env_overrides(req)?;
    let mut req = req.clone();
    if let Some(tools) = &mut req.tools {
        super::tools_source::resolve(tools, &req.sources)?;
    }
    let req = &req;
    let found = Lookup::new(Sources::from_options(&req.sources)?).find(&req.container)?;
    for note in &found.notes {
        say(note);
    }
    let mut container = found.container;
    let euid = crate::sys::ids::geteuid();
    mine.set(euid != 0 && container.identity.userns_owner == Some(euid));
    require_running(&req.container, &container)?;
    timing.lap("find");

    let terminals = enter::standard_terminals();
    let mut entry = entry_plan(&container, req, terminals);
    // A rootless Docker container on cgroup v1 has no cgroup of its own:
    // docker exec runs the program in its daemon's, beside the container's
    // process. Root joins those, as for any Docker container; its owner may
    // not join cgroups that are not theirs, and stays in their own (those
    // of the session their daemon runs in, as a rule).
    if euid == 0 && container.runtime == RuntimeKind::Docker && container.owner.is_some() {
        entry.join_cgroup = true;
    }
    let prepared = enter::prepare(entry)
        .map_err(|e| hidden_processes(e, req, &container))
        .map_err(|e| not_its_process(e, req, &container))?;
    if container.runtime == RuntimeKind::Process {
        // A process no runtime claims: its own environment, through the
        // held /proc/PID (entries that are not UTF-8 are left out).
        container.env = prepared
            .target_environ()?
            .into_iter()
            .filter_map(|e| e.into_string().ok())
            .filter(|e| e.contains('='))
            .collect();
    }
    let launch = launch_plan(prepared.entry(), req, &container, &prepared, overrides)?;
    // Reading the container's confinement is part of preparing: shown
    // apart, before the rest.
    timing.lap_with_part("plan", "confine", prepared.confinement_read_time());
    let code = enter::run(prepared, &launch).map_err(dying_pid_namespace)?;
    timing.lap("enter and run");
    Ok(code)
}

/// The container's process is not there for us to open (ESRCH) while we
/// run in a PID namespace other than the host's: we are in a container,
/// such as the can run without `--pid=host`, that cannot see it.
fn hidden_processes(err: Error, req: &Request, container: &Container) -> Error {
    let hidden = err.errno == Some(Errno::SRCH) && pid_namespace_is_nested();
    if !hidden {
        return err;
    }
    err.hint(format!(
        "the processes of container {} are not visible from this PID namespace: \
         run the can with --pid=host",
        container.display(&req.container)
    ))
}

/// fork fails with ENOMEM in a PID namespace whose first process has
/// exited (the kernel takes no new process there): the container stopped
/// while we entered it, as under a restart loop. Memory is not the matter.
fn dying_pid_namespace(err: Error) -> Error {
    if err.errno != Some(Errno::NOMEM) || err.what != "fork failed" {
        return err;
    }
    Error::sys("cannot start the command in the container", Errno::NOMEM).hint(
        "its PID namespace takes no new process: the container's first process has exited, \
         so it is stopping or restarting; try again once it runs",
    )
}

/// The process behind the container's PID is not the container's: it has
/// stopped and its PID is another's now, or its state files name a process
/// that was never its. Said with the container and the record that named
/// the process.
fn not_its_process(err: Error, req: &Request, container: &Container) -> Error {
    if err.kind != ErrorKind::Stale {
        return err;
    }
    let why = err.hint.clone().unwrap_or_default();
    let pid = container.pid;
    let who = container.display(&req.container);
    if matches!(Address::parse(&req.container), Ok(Address::Pid(_))) {
        return Error::msg(format!(
            "process {pid} exited while docker-enter looked at it, and its PID is another \
             process's now ({why}); refusing to enter"
        ));
    }
    let record = match (container.runtime, container.read_from) {
        (RuntimeKind::Containerd, _) => {
            return Error::msg(format!(
                "container {who} is not running: its init.pid names process {pid}, which is not \
                 the task's ({why}): {CTR_STOPPED}"
            ))
        }
        (RuntimeKind::Docker, ReadFrom::Daemon) => "the Docker daemon names",
        (_, ReadFrom::Daemon) => "its runtime's service names",
        (RuntimeKind::Docker, _) => "Docker's state files name",
        _ => "its pid file names",
    };
    Error::msg(format!(
        "container {who} is not running: {record} process {pid}, which is not its \
         process ({why}); refusing to enter"
    ))
}

/// `--env-file` entries first, then `-e`, as the docker CLI orders them;
/// `-e KEY` takes KEY's value from our environment. The files are streamed
/// (a pipe such as `<(cmd)` works) within the limits of execve.
fn env_overrides(req: &Request) -> Result<EnvChanges, Error> {
    let ours = |k: &std::ffi::OsStr| std::env::var_os(k);
    let mut changes = EnvChanges::default();
    if !req.env_files.is_empty() {
        let limit = crate::sys::limits::exec_limit();
        for path in &req.env_files {
            let file = std::fs::File::open(path)
                .map_err(|e| Error::io(format!("cannot read env file {}", path.display()), e))?;
            read_env_file(file, path, &limit, &mut changes, ours)?;
        }
    }
    apply_env_values(&req.env, &mut changes, ours);
    Ok(changes)
}

/// `DOCKER_ENTER_TIMING=1`: each phase's wall time on stderr, so finding
/// the container can be measured apart from entering it.
struct Timing {
    last: std::cell::Cell<Instant>,
    on: bool,
}

impl Timing {
    fn from_env() -> Timing {
        Timing {
            last: std::cell::Cell::new(Instant::now()),
            on: std::env::var_os("DOCKER_ENTER_TIMING").is_some_and(|v| v == "1"),
        }
    }

    fn lap(&self, phase: &str) {
        self.lap_with_part(phase, "", None);
    }

    /// End `phase`; `part` of it, measured inside, is shown as a phase of
    /// its own first, and not counted twice.
    fn lap_with_part(&self, phase: &str, part_name: &str, part: Option<Duration>) {
        if self.on {
            let now = Instant::now();
            let mut whole = now.duration_since(self.last.get());
            if let Some(part) = part {
                write_stderr(&format!("{TOOL}: timing: {part_name} {:.3} ms\n", ms(part)));
                whole = whole.saturating_sub(part);
            }
            write_stderr(&format!("{TOOL}: timing: {phase} {:.3} ms\n", ms(whole)));
            self.last.set(Instant::now());
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fork_refused_in_a_dying_pid_namespace_says_why() {
        let said = dying_pid_namespace(Error::sys("fork failed", Errno::NOMEM)).to_string();
        assert_eq!(
            said,
            "cannot start the command in the container: Cannot allocate memory (its PID \
             namespace takes no new process: the container's first process has exited, so it \
             is stopping or restarting; try again once it runs)"
        );
        // Other failures are left as they are.
        for other in [
            Error::sys("fork failed", Errno::AGAIN),
            Error::sys("cannot open /proc/42/ns/mnt", Errno::NOMEM),
        ] {
            assert_eq!(dying_pid_namespace(other.clone()), other);
        }
    }
}

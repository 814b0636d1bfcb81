//! docker-enter's main: parse, find the container, prepare what to enter,
//! finish the plan from the container's files read through the prepared
//! handles, run it. Nothing is started before every check has passed.

use crate::bounded::ExecLimit;
use crate::cli::docker_enter::{
    apply_env_values, entry_plan, finish_plan, help_text, parse, read_env_file, version_text,
    EnvChanges, Parsed, Request,
};
use crate::enter;
use crate::error::{report, write_stderr, Error};
use crate::runtime::list::{render, Format};
use crate::runtime::sources::Sources;
use crate::runtime::{require_running, Container, Lookup, RuntimeKind, SourceOptions};
use crate::sys::Errno;
use crate::target::pid_namespace_is_nested;
use std::ffi::OsString;
use std::time::{Duration, Instant};

const TOOL: &str = "docker-enter";

/// Run docker-enter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let result = match parse(args) {
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
    let listing = Lookup::new(Sources::from_options(sources)?).list();
    for line in listing.notes.iter().chain(&listing.warnings) {
        say(line);
    }
    if listing.containers.is_empty() && !listing.warnings.is_empty() {
        return Ok(1);
    }
    Ok(super::print(TOOL, &render(&listing.containers, format)))
}

/// One line on stderr, in one write.
fn say(line: &str) {
    write_stderr(&format!("{TOOL}: {}\n", line.replace(['\n', '\r'], " ")));
}

fn enter_container(req: &Request) -> Result<i32, Error> {
    let timing = Timing::from_env();
    // Said before anything is looked up: reading a daemon's socket or the
    // state files may work for others, entering never does.
    if crate::sys::ids::geteuid() != 0 {
        return Err(Error::msg(
            "entering a container needs root: run docker-enter as root (for example with sudo)",
        ));
    }
    let overrides = env_overrides(req)?;
    let mut req = req.clone();
    if let Some(tools) = &mut req.tools {
        super::tools::resolve(tools, &req.sources)?;
    }
    let req = &req;
    let found = Lookup::new(Sources::from_options(&req.sources)?).find(&req.container)?;
    for note in &found.notes {
        say(note);
    }
    let mut container = found.container;
    require_running(&req.container, &container)?;
    timing.lap("find");

    let terminals = enter::standard_terminals();
    let mut plan = entry_plan(&container, req, terminals);
    let prepared = enter::prepare(&plan).map_err(|e| hidden_processes(e, req, &container))?;
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
    finish_plan(&mut plan, req, &container, &prepared, overrides)?;
    // Reading the container's confinement is part of preparing: shown
    // apart, before the rest.
    timing.lap_with_part("plan", "confine", prepared.confinement_read_time());
    let code = enter::run(prepared, &plan)?;
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

/// `--env-file` entries first, then `-e`, as the docker CLI orders them;
/// `-e KEY` takes KEY's value from our environment. The files are streamed
/// (a pipe such as `<(cmd)` works) within the limits of execve.
fn env_overrides(req: &Request) -> Result<EnvChanges, Error> {
    let ours = |k: &std::ffi::OsStr| std::env::var_os(k);
    let mut changes = EnvChanges::default();
    if !req.env_files.is_empty() {
        let limit = ExecLimit::current();
        for path in &req.env_files {
            let file = std::fs::File::open(path)
                .map_err(|e| Error::io(format!("cannot read env file {}", path.display()), &e))?;
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

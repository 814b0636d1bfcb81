//! docker-enter's main: parse, find the container, prepare what to enter,
//! finish the plan from the container's files read through the prepared
//! handles, run it. Nothing is started before every check has passed.

use crate::bounded::ExecLimit;
use crate::cli::docker_enter::{
    apply_env_values, entry_plan, finish_plan, help_text, parse, read_env_file, version_text,
    wants_pty, EnvChanges, Parsed, Request,
};
use crate::enter;
use crate::error::{report, write_stderr, Error};
use crate::runtime::{require_running, Docker, Runtime};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::Instant;

const TOOL: &str = "docker-enter";

/// Run docker-enter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let result = match parse(args) {
        Ok(Parsed::Run(req)) => enter_container(&req),
        Ok(Parsed::Help) => return super::print(TOOL, &help_text()),
        Ok(Parsed::Version) => return super::print(TOOL, &version_text()),
        Ok(Parsed::CompleteContainers { host }) => runtime(host.as_deref())
            .and_then(|rt| rt.running_names())
            .map(|names| {
                super::print(
                    TOOL,
                    &names.iter().map(|n| format!("{n}\n")).collect::<String>(),
                )
            }),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| report(TOOL, &e))
}

/// The runtime that finds containers; only Docker's API for now.
fn runtime(host: Option<&str>) -> Result<Box<dyn Runtime>, Error> {
    let docker = match host {
        Some(h) => Docker::from_host(Some(h))?,
        None => Docker::from_env()?,
    };
    Ok(Box::new(docker))
}

fn enter_container(req: &Request) -> Result<i32, Error> {
    let timing = Timing::from_env();
    let overrides = env_overrides(req)?;
    let container = runtime(req.host.as_deref())?.find(&req.container)?;
    require_running(&req.container, &container)?;
    timing.lap("find");

    let terminals = [
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    ];
    let mut plan = entry_plan(&container, wants_pty(req.tty, terminals));
    let prepared = enter::prepare(&plan)?;
    finish_plan(&mut plan, req, &container, &prepared, overrides)?;
    timing.lap("plan");
    let code = enter::run(prepared, &plan)?;
    timing.lap("enter and run");
    Ok(code)
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
        if self.on {
            let now = Instant::now();
            let ms = now.duration_since(self.last.get()).as_secs_f64() * 1000.0;
            write_stderr(&format!("{TOOL}: timing: {phase} {ms:.3} ms\n"));
            self.last.set(Instant::now());
        }
    }
}

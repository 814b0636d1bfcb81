//! docker-enter's main: parse, find the container, read what the plan
//! needs from its root, plan, enter. Nothing is started before every
//! check has passed.

use super::{
    env_changes, help_text, parse, plan, version_text, EnvChanges, Parsed, Request, RootFs, Tty,
};
use crate::enter;
use crate::error::{report, Error};
use crate::runtime::{require_running, Docker, Runtime};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::Instant;

const TOOL: &str = "docker-enter";

/// Run docker-enter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let result = match parse(args) {
        Ok(Parsed::Run(req)) => enter_container(&req),
        Ok(Parsed::Help) => print(&help_text()),
        Ok(Parsed::Version) => print(&version_text()),
        Ok(Parsed::CompleteContainers { host }) => runtime(host.as_deref())
            .and_then(|rt| rt.running_names())
            .and_then(|names| print(&names.iter().map(|n| format!("{n}\n")).collect::<String>())),
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
    let runtime = runtime(req.host.as_deref())?;
    let container = runtime.find(&req.container)?;
    require_running(&req.container, &container)?;
    timing.lap("find");

    let who = container.display(&req.container);
    let root = RootFs::open(&container, &who)?;
    let pty = match req.tty {
        // A pty turns LF into CRLF: give one only when every standard
        // descriptor is a terminal, so `> file`, `| cmd` and `2> log` get
        // the program's bytes exactly, as `docker exec` without -t does.
        Tty::Auto => {
            std::io::stdin().is_terminal()
                && std::io::stdout().is_terminal()
                && std::io::stderr().is_terminal()
        }
        Tty::Always => true,
        Tty::Never => false,
    };
    let plan = plan(req, &container, &root, overrides, pty)?;
    drop(root);
    timing.lap("plan");
    let code = enter::run(&plan)?;
    timing.lap("enter and run");
    Ok(code)
}

/// `--env-file` entries first, then `-e`, as the docker CLI orders them.
fn env_overrides(req: &Request) -> Result<EnvChanges, Error> {
    env_changes(&req.env_files, &req.env, |k| std::env::var_os(k))
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
            crate::error::write_stderr(&format!("{TOOL}: timing: {phase} {ms:.3} ms\n"));
            self.last.set(Instant::now());
        }
    }
}

fn print(text: &str) -> Result<i32, Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("write error", &e))?;
    Ok(0)
}

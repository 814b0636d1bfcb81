//! docker-enter's main: parse, find the container, read what the plan
//! needs from its root, plan, enter. Nothing is started before every
//! check has passed.

use super::{
    help_text, parse, parse_env_file, plan, resolve_env_args, version_text, Parsed, Request,
    RootFs, Tty,
};
use crate::enter;
use crate::error::{report, Error};
use crate::runtime::list::{render, Format};
use crate::runtime::sources::Sources;
use crate::runtime::{require_running, Lookup, SourceOptions};
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
    print(&render(&listing.containers, format))?;
    Ok(0)
}

/// One line on stderr, in one write.
fn say(line: &str) {
    use std::io::Write;
    let text = format!("{TOOL}: {}\n", line.replace(['\n', '\r'], " "));
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn enter_container(req: &Request) -> Result<i32, Error> {
    let timing = Timing::from_env();
    // Said before anything is looked up: reading a daemon's socket or the
    // state files may work for others, entering never does.
    if crate::sys::process::geteuid() != 0 {
        return Err(Error::msg(
            "entering a container needs root: run docker-enter as root (for example with sudo)",
        ));
    }
    let overrides = env_overrides(req)?;
    let found = Lookup::new(Sources::from_options(&req.sources)?).find(&req.container)?;
    for note in &found.notes {
        say(note);
    }
    let container = found.container;
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
    let plan = plan(req, &container, &root, &overrides, pty)?;
    drop(root);
    timing.lap("plan");
    let code = enter::run(&plan)?;
    timing.lap("enter and run");
    Ok(code)
}

/// `--env-file` entries first, then `-e`, as the docker CLI orders them.
fn env_overrides(req: &Request) -> Result<Vec<super::EnvOverride>, Error> {
    let mut entries = Vec::new();
    for path in &req.env_files {
        let content = std::fs::read(path)
            .map_err(|e| Error::io(format!("cannot read env file {}", path.display()), &e))?;
        entries.extend(parse_env_file(&content, path)?);
    }
    entries.extend(req.env.iter().cloned());
    Ok(resolve_env_args(&entries, |k| std::env::var_os(k)))
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
            eprintln!("{TOOL}: timing: {phase} {ms:.3} ms");
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

//! docker-enter's command line: `docker-enter [OPTIONS] CONTAINER [COMMAND
//! [ARG...]]`. Options stop at CONTAINER; everything after it belongs to
//! COMMAND. Parsing is pure: it yields a [`Request`]; once the container is
//! found, [`entry_plan`] says what to enter, and once that is prepared,
//! [`launch_plan`] decides the rest from what the container's files say.

mod envfile;
mod environment;
mod help;
mod misplaced;
mod missing;
mod no_container;
mod options;
mod plan;

#[cfg(test)]
#[path = "docker_enter_tests.rs"]
mod tests;

pub use envfile::{apply_env_values, read_env_file};
pub use environment::{EnvChanges, EnvOverride};
pub use help::{help_text, version_text};
pub use options::{completion, visible as visible_options, Opt, OptRow, OPTIONS};
pub use plan::{entry_plan, launch_plan, plan, wants_pty};

use crate::container::list::Format;
use crate::container::{Address, SourceOptions, StateFiles};
use crate::error::Error;
use crate::getopt::Getopt;
use crate::plan::Tools;
use crate::tools_option::ToolsOptions;
use std::ffi::OsString;
use std::path::PathBuf;

/// Whether the program gets a fresh terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tty {
    /// When our standard input, output and error all are terminals.
    #[default]
    Auto,
    Always,
    Never,
}

/// What the command line asks for, before anything is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// A name, full ID, unique ID prefix or address (`k8s:ns/pod/ctr`...).
    pub container: String,
    /// Empty: an interactive shell.
    pub command: Vec<OsString>,
    /// `-u`: overrides the container's configured user.
    pub user: Option<String>,
    /// `-w`: overrides the container's configured working directory.
    pub workdir: Option<PathBuf>,
    /// `-e` values in order, `KEY=VALUE` or `KEY`.
    pub env: Vec<OsString>,
    /// `--env-file` paths in order (read before the `-e` values apply).
    pub env_files: Vec<PathBuf>,
    pub tty: Tty,
    /// `-d`: start the command in the background and return at once.
    pub detach: bool,
    /// Where containers are looked for: `-H`, the state roots.
    pub sources: SourceOptions,
    /// `--privileged`: none of the container's confinement, only its
    /// resource limits.
    pub privileged: bool,
    /// `--tools`: programs brought from the host (as named, until the
    /// tool's `main` resolves the source).
    pub tools: Option<Tools>,
}

// Made once per run and moved straight to the caller (as nsenter's).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Request),
    Help,
    Version,
    /// `--list`: the running containers of every runtime.
    List {
        sources: SourceOptions,
        format: Format,
    },
}

/// Parse docker-enter's arguments (without argv[0]).
pub fn parse(args: &[OsString]) -> Result<Parsed, Error> {
    let specs = options::specs();
    let mut getopt = Getopt::new(&specs, args);
    let mut req = Request::default();
    let mut list = false;
    let mut format = None;
    let mut tools = ToolsOptions::default();
    let mut last = None;
    while let Some((opt, given)) = getopt.next_opt()? {
        last = Some((opt, given.clone()));
        let value = given.clone().unwrap_or_default();
        let sources = &mut req.sources;
        match opt {
            Opt::Help => return Ok(Parsed::Help),
            Opt::Version => return Ok(Parsed::Version),
            Opt::User => req.user = Some(text(&value, "--user")?),
            Opt::Workdir => {
                let dir = PathBuf::from(value);
                if !dir.is_absolute() {
                    return Err(Error::usage(format!(
                        "working directory {} is not an absolute path",
                        dir.display()
                    )));
                }
                req.workdir = Some(dir);
            }
            Opt::Env => {
                if value.is_empty() || value.as_encoded_bytes().starts_with(b"=") {
                    return Err(Error::usage(format!(
                        "invalid environment variable: {}",
                        value.to_string_lossy()
                    )));
                }
                req.env.push(value);
            }
            Opt::EnvFile => req.env_files.push(PathBuf::from(value)),
            Opt::Tty => req.tty = Tty::Always,
            Opt::NoTty => req.tty = Tty::Never,
            Opt::Interactive => {}
            Opt::Detach => req.detach = true,
            Opt::Host => sources.host = Some(text(&value, "--host")?),
            Opt::Privileged => req.privileged = true,
            Opt::List => list = true,
            Opt::Format => format = Some(Format::parse(&text(&value, "--format")?)?),
            Opt::StateFiles => {
                let when = text(&value, "--state-files")?;
                sources.state_files = StateFiles::parse(&when).ok_or_else(|| {
                    Error::usage(format!(
                        "invalid --state-files {when:?}: use first, fallback or never"
                    ))
                })?;
            }
            Opt::DockerRoot => sources.docker_root = Some(directory(value, "--docker-root")?),
            Opt::DockerExecRoot => {
                sources.docker_exec_root = Some(directory(value, "--docker-exec-root")?)
            }
            Opt::ContainerdState => {
                sources.containerd_state = Some(directory(value, "--containerd-state")?)
            }
            Opt::StorageRoot => sources.storage_root = Some(directory(value, "--storage-root")?),
            Opt::StorageRunroot => {
                sources.storage_runroot = Some(directory(value, "--storage-runroot")?)
            }
            Opt::HostRoot => sources.host_root = Some(directory(value, "--host-root")?),
            Opt::Tools => tools.source(given),
            Opt::ToolsAt => tools.at(value)?,
            Opt::ContainerAt => tools.container_at(value)?,
        }
    }
    if list {
        if let Some(extra) = getopt.operands().first() {
            return Err(Error::usage(format!(
                "--list takes no container, but {} was given",
                extra.to_string_lossy()
            )));
        }
        return Ok(Parsed::List {
            sources: req.sources,
            format: format.unwrap_or_default(),
        });
    }
    if format.is_some() {
        return Err(Error::usage("--format applies to --list only"));
    }
    let operands = getopt.operands();
    let Some((container, command)) = operands.split_first() else {
        return Err(no_container::refusal(args, last));
    };
    let options = &args[..args.len() - operands.len()];
    if let Some(err) = misplaced::options_after(options, container, command) {
        return Err(err);
    }
    if tools.source_missing() && looks_like_a_path(container) {
        return Err(Error::usage(format!(
            "--tools takes its source attached (--tools={0}): {0} is not a container",
            container.to_string_lossy()
        )));
    }
    req.tools = tools.finish()?;
    req.container = text(container, "the container name")?;
    req.command = command.to_vec();
    if req.detach && req.tty == Tty::Always {
        return Err(Error::usage(
            "-d and -t cannot be used together: a detached command has no terminal to relay",
        ));
    }
    if req.detach && req.command.is_empty() {
        return Err(Error::usage(
            "-d needs a command: a detached shell would read /dev/null and end at once",
        ));
    }
    Ok(Parsed::Run(req))
}

/// A directory, not a container: names hold no `/` (but the one Docker
/// shows in front of them) and do not start with `.`; the addresses that
/// hold a `/` (`k8s:ns/pod`, `containerd:ns/id`) say their runtime first.
fn looks_like_a_path(operand: &OsString) -> bool {
    let bytes = operand.as_encoded_bytes();
    let after_slash = bytes.strip_prefix(b"/").unwrap_or(bytes);
    let address = operand
        .to_str()
        .and_then(|text| Address::parse(text).ok())
        .is_some_and(|a| !matches!(a, Address::Any(_)));
    !address && (after_slash.contains(&b'/') || bytes.starts_with(b"."))
}

/// A state directory: an absolute path, so that it cannot depend on where
/// the command runs.
fn directory(value: OsString, option: &str) -> Result<PathBuf, Error> {
    let dir = PathBuf::from(value);
    if dir.is_absolute() {
        Ok(dir)
    } else {
        Err(Error::usage(format!(
            "{option} {} is not an absolute path",
            dir.display()
        )))
    }
}

/// Names, users and addresses are text.
fn text(value: &OsString, what: &str) -> Result<String, Error> {
    value.to_str().map(str::to_string).ok_or_else(|| {
        Error::usage(format!(
            "{what} is not valid UTF-8: {}",
            value.to_string_lossy()
        ))
    })
}

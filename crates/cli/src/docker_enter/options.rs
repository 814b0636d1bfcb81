//! The one table of docker-enter's options: it drives the parser, `--help`,
//! the shell completions (with [`completion`]) and the test that the man
//! page knows every option. Names follow `docker exec` where it has the option.

use crate::completions::{Completion, Group, Value};
use crate::getopt::{ArgKind, OptSpec};
use crate::table::row;
use ArgKind::{No, Optional, Required};

/// What an option means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    User,
    Workdir,
    Env,
    EnvFile,
    Tty,
    NoTty,
    Interactive,
    Detach,
    Host,
    Privileged,
    Tools,
    ToolsAt,
    ContainerAt,
    List,
    Format,
    StateFiles,
    DockerRoot,
    DockerExecRoot,
    ContainerdState,
    StorageRoot,
    StorageRunroot,
    HostRoot,
    Help,
    Version,
}

/// One option of docker-enter; `help` empty means hidden.
pub type OptRow = crate::table::OptRow<Opt>;

#[rustfmt::skip] // one row per line reads as a table
pub const OPTIONS: &[OptRow] = &[
    row(Opt::User, Some('u'), "user", Required, " <user>[:<group>]", "run as this user (name or uid, group name or gid), looked up in the container"),
    row(Opt::Workdir, Some('w'), "workdir", Required, " <dir>", "working directory inside the container"),
    row(Opt::Env, Some('e'), "env", Required, " <key>[=<value>]", "set a variable; <key> alone takes its value from here, or unsets it"),
    row(Opt::EnvFile, None, "env-file", Required, " <file>", "read variables from a file of KEY=VALUE lines"),
    row(Opt::Tty, Some('t'), "tty", No, "", "give the program a new terminal (default when stdin, stdout and stderr all are)"),
    row(Opt::NoTty, Some('T'), "no-tty", No, "", "do not give the program a new terminal"),
    row(Opt::Interactive, Some('i'), "interactive", No, "", "accepted for docker exec habits: stdin is always passed on"),
    row(Opt::Detach, Some('d'), "detach", No, "", "run the command in the background and return at once"),
    row(Opt::Host, Some('H'), "host", Required, " <socket>", "Docker daemon socket: unix:///path or /path"),
    row(Opt::Privileged, None, "privileged", No, "", "run with docker-enter's own privileges, not the container's confinement: trusts the container's binaries with the host"),
    row(Opt::Tools, None, "tools", Optional, "[=<source>]", "bring programs: a directory of static ones, a whole root (a directory or a local image); alone, the toolbox installed with the can"),
    row(Opt::ToolsAt, None, "tools-at", Required, " <dir>", "where a directory of programs goes in the container"),
    row(Opt::ContainerAt, None, "container-at", Required, " <dir>", "where the container's root goes in a tools root (/container)"),
    row(Opt::List, None, "list", No, "", "list the running containers of every runtime"),
    row(Opt::Format, None, "format", Required, " <format>", "--list as table, json or '{{.Field}} ...'"),
    row(Opt::StateFiles, None, "state-files", Required, " <when>", "Docker, Podman state files: first|fallback|never"),
    row(Opt::DockerRoot, None, "docker-root", Required, " <dir>", "Docker's data root (/var/lib/docker)"),
    row(Opt::DockerExecRoot, None, "docker-exec-root", Required, " <dir>", "Docker's exec root (/run/docker)"),
    row(Opt::ContainerdState, None, "containerd-state", Required, " <dir>", "containerd's state (/run/containerd)"),
    row(Opt::StorageRoot, None, "storage-root", Required, " <dir>", "Podman, CRI-O storage (/var/lib/containers/storage)"),
    row(Opt::StorageRunroot, None, "storage-runroot", Required, " <dir>", "their run root (/run/containers/storage)"),
    row(Opt::HostRoot, None, "host-root", Required, " <dir>", "the host's / when run in a container"),
    row(Opt::Help, Some('h'), "help", No, "", "display this help"),
    row(Opt::Version, Some('V'), "version", No, "", "display version"),
];

/// The parser's view of the table.
pub fn specs() -> Vec<OptSpec<Opt>> {
    OPTIONS.iter().map(|r| r.spec).collect()
}

/// The rows `--help`, the man page and completions show.
pub fn visible() -> impl Iterator<Item = &'static OptRow> {
    OPTIONS.iter().filter(|r| !r.help.is_empty())
}

/// How the shell completions offer each option's value (see
/// `crate::completions`); the options that say where containers are are
/// passed on to `docker-enter --list`.
pub fn completion(id: Opt) -> Completion {
    let of = Completion::new;
    let directory = Value::Directory("directory");
    match id {
        Opt::User => of(Value::Text("user[:group]")),
        Opt::Workdir => of(Value::Text("directory")),
        Opt::Env => of(Value::Variable("variable")).group(Group::Repeated),
        Opt::EnvFile => of(Value::File("env file")).group(Group::Repeated),
        Opt::Tty => of(Value::None).group(Group::Excludes("-t --tty -T --no-tty -d --detach")),
        Opt::NoTty => of(Value::None).group(Group::Excludes("-t --tty -T --no-tty")),
        Opt::Detach => of(Value::None).group(Group::Excludes("-d --detach -t --tty")),
        Opt::Interactive | Opt::Privileged => of(Value::None),
        Opt::Host => of(Value::File("socket (unix:///path or /path)")).locates(),
        Opt::Tools => of(Value::Directory("source")),
        Opt::ToolsAt => of(Value::Text("directory in the container")),
        Opt::ContainerAt => of(Value::Text("directory in the tools")),
        Opt::List => of(Value::None).group(Group::Excludes("1 *")),
        Opt::Format => of(Value::Words("format", &["table", "json"])),
        Opt::StateFiles => of(Value::Words("when", &["first", "fallback", "never"])).locates(),
        Opt::DockerRoot
        | Opt::DockerExecRoot
        | Opt::ContainerdState
        | Opt::StorageRoot
        | Opt::StorageRunroot
        | Opt::HostRoot => of(directory).locates(),
        Opt::Help | Opt::Version => of(Value::None).group(Group::Alone),
    }
}

//! The one table of nsenter's options: it drives the parser, `--help`, the
//! shell completions (with [`completion`]) and the test that the man page
//! documents every option.

use crate::completions::{Completion, Group, Value};
use crate::getopt::{ArgKind, OptSpec};
use crate::table::row;
use ArgKind::{No, Optional, Required};

/// What an option means; the parser maps each to a change of the Plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    All,
    Help,
    Version,
    Target,
    Mount,
    Uts,
    Ipc,
    Net,
    NetSocket,
    Pid,
    User,
    UserParent,
    Cgroup,
    Time,
    Setuid,
    Setgid,
    Root,
    Wd,
    Wdns,
    Env,
    NoFork,
    JoinCgroup,
    PreserveCredentials,
    KeepCaps,
    FollowContext,
    KillChild,
    MountProc,
    Confine,
    Tools,
    ToolsAt,
    ContainerAt,
}

/// One option of nsenter with its help line.
pub type OptRow = crate::table::OptRow<Opt>;

/// Ours, not util-linux's: long form only.
const fn extension(
    id: Opt,
    long: &'static str,
    arg: ArgKind,
    help_arg: &'static str,
    help: &'static str,
) -> OptRow {
    let mut r = row(id, None, long, arg, help_arg, help);
    r.spec.extension = true;
    r
}

/// util-linux quirk kept for drop-in use: `-W` requires its argument but
/// `--wdns` only takes an attached one (`--wdns /x` runs /x).
const fn wdns() -> OptRow {
    let mut r = row(
        Opt::Wdns,
        Some('W'),
        "wdns",
        Required,
        " <dir>",
        "change directory (looked up after entering)",
    );
    r.spec.long_arg = Optional;
    r
}

/// Every option, in util-linux's order of long options: glibc lists the
/// candidates of an ambiguous abbreviation in this order (`--s` gives
/// '--setuid' '--setgid'; the 2.38 order was read from `nsenter --=`).
#[rustfmt::skip] // one row per line reads as a table
pub const OPTIONS: &[OptRow] = &[
    row(Opt::All, Some('a'), "all", No, "", "enter all namespaces of the target"),
    row(Opt::Help, Some('h'), "help", No, "", "display this help"),
    row(Opt::Version, Some('V'), "version", No, "", "display version"),
    row(Opt::Target, Some('t'), "target", Required, " <pid>[:<ino>]", "process to take namespaces and more from"),
    row(Opt::Mount, Some('m'), "mount", Optional, "[=<file>]", "enter the mount namespace"),
    row(Opt::Uts, Some('u'), "uts", Optional, "[=<file>]", "enter the UTS namespace (host and domain name)"),
    row(Opt::Ipc, Some('i'), "ipc", Optional, "[=<file>]", "enter the IPC namespace (System V, POSIX queues)"),
    row(Opt::Net, Some('n'), "net", Optional, "[=<file>]", "enter the network namespace"),
    row(Opt::NetSocket, Some('N'), "net-socket", Required, " <fd>", "enter the network namespace of a socket of the target"),
    row(Opt::Pid, Some('p'), "pid", Optional, "[=<file>]", "enter the PID namespace (for the program, a child)"),
    row(Opt::User, Some('U'), "user", Optional, "[=<file>]", "enter the user namespace"),
    row(Opt::UserParent, None, "user-parent", No, "", "enter the parent of the user namespace"),
    row(Opt::Cgroup, Some('C'), "cgroup", Optional, "[=<file>]", "enter the cgroup namespace"),
    row(Opt::Time, Some('T'), "time", Optional, "[=<file>]", "enter the time namespace"),
    row(Opt::Setuid, Some('S'), "setuid", Required, " <uid>|follow", "user id to take once inside"),
    row(Opt::Setgid, Some('G'), "setgid", Required, " <gid>|follow", "group id to take once inside"),
    row(Opt::Root, Some('r'), "root", Optional, "[=<dir>]", "change the root directory"),
    row(Opt::Wd, Some('w'), "wd", Optional, "[=<dir>]", "change directory (opened before entering)"),
    wdns(),
    row(Opt::Env, Some('e'), "env", No, "", "take the environment of the target"),
    row(Opt::NoFork, Some('F'), "no-fork", No, "", "do not fork before running <program>"),
    row(Opt::JoinCgroup, Some('c'), "join-cgroup", No, "", "move into the cgroups of the target"),
    row(Opt::PreserveCredentials, None, "preserve-credentials", No, "", "keep uid, gid and groups with --user"),
    row(Opt::KeepCaps, None, "keep-caps", No, "", "keep capabilities (as ambient ones) with --user"),
    row(Opt::FollowContext, Some('Z'), "follow-context", No, "", "take the security context of the target"),
    extension(Opt::KillChild, "kill-child", Optional, "[=<signal>]", "send <signal> (KILL) to <program> if nsenter dies"),
    extension(Opt::MountProc, "mount-proc", No, "", "mount a fresh /proc in a private mount namespace"),
    extension(Opt::Confine, "confine", No, "", "take the target's confinement: capabilities, seccomp (copied with ptrace, which stops the target for a moment), LSM label, limits"),
    extension(Opt::Tools, "tools", Optional, "[=<source>]", "bring programs: a directory, a root, an image"),
    extension(Opt::ToolsAt, "tools-at", Required, " <dir>", "where a directory of programs goes"),
    extension(Opt::ContainerAt, "container-at", Required, " <dir>", "where the target's root goes in a tools root"),
];

/// The order of the lines of `--help` (the same as util-linux's).
pub const HELP_ORDER: &[Opt] = &[
    Opt::All,
    Opt::Target,
    Opt::Mount,
    Opt::Uts,
    Opt::Ipc,
    Opt::Net,
    Opt::NetSocket,
    Opt::Pid,
    Opt::Cgroup,
    Opt::User,
    Opt::UserParent,
    Opt::Time,
    Opt::Setuid,
    Opt::Setgid,
    Opt::PreserveCredentials,
    Opt::KeepCaps,
    Opt::Root,
    Opt::Wd,
    Opt::Wdns,
    Opt::Env,
    Opt::NoFork,
    Opt::JoinCgroup,
    Opt::FollowContext,
];

/// The options spelled out in "Extensions", then the -h/-V pair.
pub const HELP_EXTENSIONS: &[Opt] = &[
    Opt::KillChild,
    Opt::MountProc,
    Opt::Confine,
    Opt::Tools,
    Opt::ToolsAt,
    Opt::ContainerAt,
];
pub const HELP_INFO: &[Opt] = &[Opt::Help, Opt::Version];

pub fn row_of(id: Opt) -> &'static OptRow {
    OPTIONS
        .iter()
        .find(|r| r.spec.id == id)
        .expect("every Opt has a row")
}

/// The parser's view of the table.
pub fn specs() -> Vec<OptSpec<Opt>> {
    OPTIONS.iter().map(|r| r.spec).collect()
}

/// How the shell completions offer each option's value (see
/// `crate::completions`).
pub fn completion(id: Opt) -> Completion {
    const NAMESPACE_FILE: Value = Value::File("namespace file");
    const SIGNALS: &[&str] = &["HUP", "INT", "QUIT", "KILL", "TERM", "USR1", "USR2"];
    Completion::new(match id {
        Opt::Help | Opt::Version => return Completion::new(Value::None).group(Group::Alone),
        Opt::Target => Value::Pid("pid[:ino]"),
        Opt::Mount | Opt::Uts | Opt::Ipc | Opt::Net | Opt::Pid | Opt::User => NAMESPACE_FILE,
        Opt::Cgroup | Opt::Time => NAMESPACE_FILE,
        Opt::NetSocket => Value::Text("descriptor number"),
        Opt::Setuid => Value::Words("uid", &["follow"]),
        Opt::Setgid => Value::Words("gid", &["follow"]),
        Opt::Root | Opt::Wd | Opt::Wdns => Value::Directory("directory"),
        Opt::KillChild => Value::Words("signal", SIGNALS),
        Opt::Tools => Value::Directory("source"),
        Opt::ToolsAt => Value::Text("directory in the target"),
        Opt::ContainerAt => Value::Text("directory in the tools"),
        Opt::All
        | Opt::UserParent
        | Opt::PreserveCredentials
        | Opt::KeepCaps
        | Opt::Env
        | Opt::NoFork
        | Opt::JoinCgroup
        | Opt::FollowContext
        | Opt::MountProc
        | Opt::Confine => Value::None,
    })
}

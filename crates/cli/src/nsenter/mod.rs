//! nsenter's command line: util-linux 2.42's options (plus our extensions)
//! turned into a [`Plan`]. Pure: nothing is opened here; paths are recorded
//! (in command-line order, in `Plan::open_first`) and `enter::prepare`
//! opens them.
//!
//! Errors come in the order util-linux 2.38 gives them: option and value
//! errors as the options are read, left to right; then the checks that need
//! the whole command line (see `checks`).

mod checks;
mod help;
mod options;
mod values;

#[cfg(test)]
#[path = "nsenter_properties_tests.rs"]
mod properties_tests;
#[cfg(test)]
#[path = "nsenter_tests.rs"]
mod tests;

pub use help::{help_text, version_text};
pub use options::{completion, Opt, OptRow, OPTIONS};

use crate::error::Error;
use crate::getopt::Getopt;
use crate::ns_kind::NsKind;
use crate::plan::{
    AllNamespaces, Confinement, DirSource, Entry, EnvPlan, ForkMode, Launch, NsSource, Plan,
    Program,
};
use crate::signals::{parse_signal, SIGKILL};
use crate::tools_option::ToolsOptions;
use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asks for.
// Made once per run and moved straight to the caller: boxing the Plan would
// only make every caller unbox it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Plan),
    /// `-h`: print [`help_text`] on stdout, exit 0.
    Help,
    /// `-V`: print [`version_text`] on stdout, exit 0.
    Version,
}

/// Parse nsenter's arguments (without argv[0]).
pub fn parse(args: &[OsString]) -> Result<Parsed, Error> {
    parse_reading_files(args).0
}

/// Parse, and list the FILE and DIR arguments read before parsing stopped:
/// util-linux opens each one as it reads it, so a missing file is reported
/// before a later bad option. When the line parses, the plan lists them
/// all in `open_first`.
pub fn parse_reading_files(args: &[OsString]) -> (Result<Parsed, Error>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut parsed = parse_into(args, &mut files);
    if let Ok(Parsed::Run(plan)) = &mut parsed {
        plan.entry.open_first = files.clone();
    }
    (parsed, files)
}

fn parse_into(args: &[OsString], files: &mut Vec<PathBuf>) -> Result<Parsed, Error> {
    let specs = options::specs();
    let mut getopt = Getopt::new(&specs, args);
    let mut plan = Plan {
        entry: Entry::new("nsenter"),
        launch: Launch::new(Program::LoginShell),
    };
    let mut seen = Seen::default();
    while let Some((opt, value)) = getopt.next_opt()? {
        match opt {
            Opt::Help => return Ok(Parsed::Help),
            Opt::Version => return Ok(Parsed::Version),
            _ => files.extend(apply(&mut plan, &mut seen, opt, value)?),
        }
    }
    plan.entry.tools = seen.tools.finish()?;
    plan.launch.program = match (getopt.operands(), &plan.entry.tools) {
        ([], None) => Program::LoginShell,
        ([], Some(_)) => Program::ToolboxShell { login: true },
        (argv, _) => Program::Command(argv.to_vec()),
    };
    checks::whole_line(&plan)?;
    Ok(Parsed::Run(plan))
}

/// Options whose second appearance matters.
#[derive(Default)]
struct Seen {
    target: bool,
    wd: bool,
    wdns: bool,
    /// `--tools`, `--tools-at` and `--container-at`, checked together.
    tools: ToolsOptions,
}

/// Record one option in the plan; returns the file or directory it names,
/// if any (for `parse_reading_files`).
fn apply(
    plan: &mut Plan,
    seen: &mut Seen,
    opt: Opt,
    value: Option<OsString>,
) -> Result<Option<PathBuf>, Error> {
    let value_or_empty = || value.clone().unwrap_or_default();
    if let Some(kind) = namespace_of(opt) {
        let source = match &value {
            Some(v) => values::ns_source(v)?,
            None => NsSource::Target,
        };
        let file = match &source {
            NsSource::Path(path) => Some(path.clone()),
            _ => None,
        };
        plan.entry.set_namespace(kind, source);
        return Ok(file);
    }
    let dir = || value.clone().map(PathBuf::from);
    match opt {
        Opt::All => plan.entry.all = AllNamespaces::Every,
        Opt::Target => {
            let target = values::target(&value_or_empty())?;
            // 2.42 refuses a second --target; 2.38 took the last one.
            if seen.target {
                return Err(Error::msg("--target specified more than once"));
            }
            seen.target = true;
            plan.entry.target = Some(target);
        }
        Opt::NetSocket => {
            let fd = values::fd(&value_or_empty())?;
            plan.entry
                .set_namespace(NsKind::Net, NsSource::TargetSocket(fd));
        }
        Opt::UserParent => plan.entry.user_parent = true,
        Opt::Setuid => plan.launch.creds.uid = Some(values::id(&value_or_empty(), "uid")?),
        Opt::Setgid => plan.launch.creds.gid = Some(values::id(&value_or_empty(), "gid")?),
        Opt::PreserveCredentials => plan.launch.creds.preserve = true,
        Opt::KeepCaps => plan.launch.creds.keep_caps = true,
        Opt::Root => {
            plan.entry.root = Some(dir_source(value.clone()));
            return Ok(dir());
        }
        Opt::Wd => {
            seen.wd = true;
            exclusive_workdirs(seen)?;
            plan.entry.workdir = Some(dir_source(value.clone()));
            return Ok(dir());
        }
        Opt::Wdns => {
            seen.wdns = true;
            exclusive_workdirs(seen)?;
            // A bare `--wdns` (its argument is optional) asks for nothing,
            // as in util-linux, and forgets an earlier -W.
            plan.launch.workdir = value.map(PathBuf::from);
        }
        Opt::Env => plan.launch.env = EnvPlan::Target,
        Opt::NoFork => plan.entry.fork = ForkMode::Never,
        Opt::JoinCgroup => plan.entry.join_cgroup = true,
        Opt::FollowContext => plan.entry.follow_context = true,
        Opt::KillChild => plan.entry.kill_child = Some(kill_signal(value)?),
        Opt::MountProc => plan.entry.mount_proc = true,
        Opt::Confine => {
            plan.entry.confinement = Confinement::Target;
            // The program runs as a runtime runs it, in a keyring of its own.
            plan.entry.hardening.fresh_session_keyring = true;
            // As docker-enter: a pty or relayed pipes, never the caller's
            // 0, 1 and 2 (security rule 4); see `standard_streams`.
            plan.entry.hardening.no_host_streams = true;
            plan.entry.confinement_hint = "nsenter without --confine runs it with nsenter's own \
                privileges, trusting the target's binaries with them";
        }
        Opt::Tools => seen.tools.source(value),
        Opt::ToolsAt => seen.tools.at(value_or_empty())?,
        Opt::ContainerAt => seen.tools.container_at(value_or_empty())?,
        // Handled by the caller or above.
        Opt::Help | Opt::Version => {}
        Opt::Mount
        | Opt::Uts
        | Opt::Ipc
        | Opt::Net
        | Opt::Pid
        | Opt::User
        | Opt::Cgroup
        | Opt::Time => {}
    }
    Ok(None)
}

/// `--confine`'s standard streams, given which of the caller's 0, 1 and 2
/// are `terminals`: a fresh pty when all three are (an interactive
/// session), else pipes that nsenter relays, as docker-enter gives them.
/// Without `--confine`, the caller's own, as util-linux passes them.
pub fn standard_streams(plan: &mut Plan, terminals: [bool; 3]) {
    plan.entry.pty = plan.entry.hardening.no_host_streams && terminals.iter().all(|&t| t);
}

fn namespace_of(opt: Opt) -> Option<NsKind> {
    Some(match opt {
        Opt::Mount => NsKind::Mnt,
        Opt::Uts => NsKind::Uts,
        Opt::Ipc => NsKind::Ipc,
        Opt::Net => NsKind::Net,
        Opt::Pid => NsKind::Pid,
        Opt::User => NsKind::User,
        Opt::Cgroup => NsKind::Cgroup,
        Opt::Time => NsKind::Time,
        _ => return None,
    })
}

fn dir_source(value: Option<OsString>) -> DirSource {
    value.map_or(DirSource::Target, |dir| DirSource::Path(PathBuf::from(dir)))
}

/// util-linux checks this as soon as the second of the pair appears, and
/// names them in this order whichever came first.
fn exclusive_workdirs(seen: &Seen) -> Result<(), Error> {
    if seen.wd && seen.wdns {
        return Err(Error::msg("mutually exclusive arguments: --wdns --wd"));
    }
    Ok(())
}

/// `--kill-child[=SIG]`: SIGKILL unless a signal is named.
fn kill_signal(value: Option<OsString>) -> Result<i32, Error> {
    let Some(value) = value else {
        return Ok(SIGKILL);
    };
    let text = value.to_string_lossy();
    parse_signal(&text).ok_or_else(|| Error::msg(format!("unknown signal: {text}")))
}

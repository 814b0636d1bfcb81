//! `importenv ENVIRON_FILE COMMAND [ARG...]`: run COMMAND with exactly the
//! variables of a NUL-separated file such as /proc/PID/environ, searching
//! PATH in that environment as execvpe does. Bytes are kept as they are,
//! and anything the kernel can exec is accepted: the caller reads the file
//! up to what execve takes for the environment and the command's arguments.
//! Pure: [`parse`] names the file, the caller reads it, and [`plan`] turns
//! its entries into a Plan that enters nothing.

use crate::completions::{Completion, Group, Value};
use crate::error::Error;
use crate::getopt::{ArgKind, Getopt};
use crate::plan::{Entry, EnvPlan, ForkMode, InheritedFds, Launch, Plan, Program};
use crate::table::{help_line, row};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Help,
    Version,
}

/// One option of importenv with its help line.
pub type OptRow = crate::table::OptRow<Opt>;

/// The one table of importenv's options, as the other tools keep theirs:
/// it drives the parser, `--help` and the shell completions.
#[rustfmt::skip] // one row per line reads as a table
pub const OPTIONS: &[OptRow] = &[
    row(Opt::Help, Some('h'), "help", ArgKind::No, "", "display this help"),
    row(Opt::Version, Some('V'), "version", ArgKind::No, "", "display version"),
];

/// Where `--help` starts each option's description.
const DESCRIPTION_COLUMN: usize = 16;

const HELP_BEFORE_OPTIONS: &str = "
Usage:
 importenv <environ-file> <command> [<argument>...]

Run <command> with exactly the environment stored in <environ-file>:
NUL-separated KEY=VALUE entries, as in /proc/<pid>/environ. <command> is
searched in the PATH of that environment. Nothing of importenv's own
environment is passed on. The file may hold what the kernel lets a
program be given (a quarter of the stack limit, 6 MiB at most).

Options:
";

const HELP_AFTER_OPTIONS: &str = "
Exit status: that of <command>; 126 if it cannot run, 127 if it is not
found; 1 if the file cannot be read.

For more details see importenv(1).
";

/// `--help`: the options' lines from the table.
pub fn help_text() -> String {
    let options: String = OPTIONS
        .iter()
        .map(|r| help_line(r, DESCRIPTION_COLUMN))
        .collect();
    format!("{HELP_BEFORE_OPTIONS}{options}{HELP_AFTER_OPTIONS}")
}

/// How the shell completions offer each option (see `crate::completions`).
pub fn completion(id: Opt) -> Completion {
    match id {
        Opt::Help | Opt::Version => Completion::new(Value::None).group(Group::Alone),
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run {
        environ_file: PathBuf,
        command: Vec<OsString>,
    },
    Help,
    Version,
}

pub fn version_text() -> String {
    format!("importenv from nsenter-can {}\n", env!("CARGO_PKG_VERSION"))
}

/// Parse importenv's arguments (without argv[0]).
pub fn parse(args: &[OsString]) -> Result<Parsed, Error> {
    let specs: Vec<_> = OPTIONS.iter().map(|r| r.spec).collect();
    let mut getopt = Getopt::new(&specs, args);
    // Either option ends the run, so only the first one matters.
    match getopt.next_opt()? {
        Some((Opt::Help, _)) => return Ok(Parsed::Help),
        Some((Opt::Version, _)) => return Ok(Parsed::Version),
        None => {}
    }
    match getopt.operands() {
        [] => Err(Error::usage("no environ file given")),
        [_] => Err(Error::usage("no command given")),
        [file, command @ ..] => Ok(Parsed::Run {
            environ_file: PathBuf::from(file),
            command: command.to_vec(),
        }),
    }
}

/// Run `command` with exactly the file's `entries`: nothing entered, no
/// fork, the caller's descriptors passed on.
pub fn plan(entries: Vec<OsString>, command: Vec<OsString>) -> Plan {
    let mut entry = Entry::new("importenv");
    entry.fork = ForkMode::Never;
    entry.inherited_fds = InheritedFds::Pass;
    let mut launch = Launch::new(Program::Command(command));
    launch.env = EnvPlan::Exact(entries);
    Plan { entry, launch }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_file_and_a_command_are_needed() {
        assert_eq!(parse(&os(&[])).unwrap_err().what, "no environ file given");
        assert_eq!(parse(&os(&["f"])).unwrap_err().what, "no command given");
        assert_eq!(
            parse(&os(&["f", "env", "-0"])),
            Ok(Parsed::Run {
                environ_file: "f".into(),
                command: os(&["env", "-0"]),
            })
        );
        assert_eq!(parse(&os(&["-h", "x"])), Ok(Parsed::Help));
    }

    #[test]
    fn the_plan_holds_the_files_entries_as_bytes() {
        let want: Vec<OsString> = vec!["A=1".into(), OsString::from_vec(b"B=x\xff".to_vec())];
        let p = plan(want.clone(), os(&["env"]));
        assert_eq!(p.launch.env, EnvPlan::Exact(want));
        assert!(p.entry.target.is_none() && p.entry.namespaces.is_empty());
        assert_eq!(p.entry.fork, ForkMode::Never);
    }
}

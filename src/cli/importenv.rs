//! `importenv ENVIRON_FILE COMMAND [ARG...]`: run COMMAND with exactly the
//! variables of a NUL-separated file such as /proc/PID/environ, searching
//! PATH in that environment as execvpe does. Bytes are kept as they are,
//! and anything the kernel can exec is accepted: the file is read up to
//! what execve takes for the environment and the command's arguments.

use crate::bounded::environ::{collect_environ, environ_records};
use crate::bounded::ExecLimit;
use crate::cli::getopt::{ArgKind, Getopt, OptSpec};
use crate::enter::exec::exec_command;
use crate::error::{report, Error};
use std::ffi::{CString, OsStr, OsString};

const TOOL: &str = "importenv";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Help,
    Version,
}

const fn spec(id: Opt, short: char, long: &'static str) -> OptSpec<Opt> {
    OptSpec {
        id,
        short: Some(short),
        long: Some(long),
        short_arg: ArgKind::No,
        long_arg: ArgKind::No,
        extension: false,
    }
}

pub const OPTIONS: &[OptSpec<Opt>] = &[
    spec(Opt::Help, 'h', "help"),
    spec(Opt::Version, 'V', "version"),
];

pub const HELP: &str = "
Usage:
 importenv <environ-file> <command> [<argument>...]

Run <command> with exactly the environment stored in <environ-file>:
NUL-separated KEY=VALUE entries, as in /proc/<pid>/environ. <command> is
searched in the PATH of that environment. Nothing of importenv's own
environment is passed on. The file may hold what the kernel lets a
program be given (a quarter of the stack limit, 6 MiB at most).

Options:
 -h, --help     display this help
 -V, --version  display version

Exit status: that of <command>; 126 if it cannot run, 127 if it is not
found; 1 if the file cannot be read.

For more details see importenv(1).
";

/// Run importenv with `args` (without argv[0]); returns only on failure or
/// for help, with the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let mut getopt = Getopt::new(OPTIONS, args);
    // Either option ends the run, so only the first one matters.
    match getopt.next_opt() {
        Ok(Some((Opt::Help, _))) => return print(HELP),
        Ok(Some((Opt::Version, _))) => {
            return print(&format!(
                "importenv from nsenter-can {}\n",
                env!("CARGO_PKG_VERSION")
            ))
        }
        Ok(None) => {}
        Err(e) => return report(TOOL, &e),
    }
    let err = match getopt.operands() {
        [] => Error::usage("no environ file given"),
        [_] => Error::usage("no command given"),
        [file, command @ ..] => match read_environ(file, command) {
            Ok(env) => exec_command(command, &env),
            Err(e) => e,
        },
    };
    report(TOOL, &err)
}

/// The file's entries, no more than execve takes beside `argv`.
fn read_environ(path: &OsStr, argv: &[OsString]) -> Result<Vec<CString>, Error> {
    let name = path.to_string_lossy();
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read {name}"), &e))?;
    let limit = ExecLimit::current();
    let spent = argv.iter().map(|a| ExecLimit::cost(a.len())).sum();
    let mut records = environ_records(file, &name, &limit);
    let read = collect_environ(&mut records, &limit, spent);
    // A list of lines (`env > file`) would become one variable.
    let lines_without_nul = !records.separated()
        && match &read {
            Ok(entries) => entries.iter().any(|e| e.as_bytes().contains(&b'\n')),
            Err(_) => records.partial().contains(&b'\n'),
        };
    if lines_without_nul {
        return Err(Error::msg(format!(
            "{name} holds lines but no NUL byte: it must hold NUL-separated KEY=VALUE \
             entries, as /proc/PID/environ does (tr '\\n' '\\0' converts a list of lines)"
        )));
    }
    read
}

fn print(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => report(TOOL, &Error::io("write error", &e)),
    }
}

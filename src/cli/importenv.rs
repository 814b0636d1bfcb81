//! `importenv ENVIRON_FILE COMMAND [ARG...]`: run COMMAND with exactly the
//! variables of a NUL-separated file such as /proc/PID/environ, searching
//! PATH in that environment as execvpe does. The file is read whole: no
//! size or count limit, bytes kept as they are.

use crate::cli::getopt::{ArgKind, Getopt, OptSpec};
use crate::enter::{environ::split_environ, exec::exec_command};
use crate::error::{report, Error};
use std::ffi::OsString;
use std::path::Path;

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
environment is passed on.

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
        [file, command @ ..] => match std::fs::read(Path::new(file)) {
            Ok(block) => exec_command(command, &split_environ(&block)),
            Err(e) => Error::io(format!("cannot read {}", file.to_string_lossy()), &e),
        },
    };
    report(TOOL, &err)
}

fn print(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => report(TOOL, &Error::io("write error", &e)),
    }
}

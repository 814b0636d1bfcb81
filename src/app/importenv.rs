//! importenv's main: parse, read the environ file (no further than execve
//! could take), run the plan.

use crate::bounded::environ::{collect_environ, environ_records};
use crate::bounded::ExecLimit;
use crate::cli::importenv::{help_text, parse, plan, version_text, Parsed};
use crate::error::Error;
use crate::sys::stderr::report;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const TOOL: &str = "importenv";

/// Run importenv with `args` (without argv[0]); returns only on failure
/// or for help, with the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let result = match parse(args) {
        Ok(Parsed::Run {
            environ_file,
            command,
        }) => read_environ(&environ_file, &command)
            .and_then(|entries| super::prepare_and_run(plan(entries, command))),
        Ok(Parsed::Help) => return super::print(TOOL, &help_text()),
        Ok(Parsed::Version) => return super::print(TOOL, &version_text()),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| report(TOOL, &e))
}

/// The file's entries, no more than execve takes beside `argv`.
fn read_environ(path: &Path, argv: &[OsString]) -> Result<Vec<OsString>, Error> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    let limit = crate::sys::limits::exec_limit();
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

//! importenv's main: parse, read the environ file, run the plan.

use crate::cli::importenv::{parse, plan, version_text, Parsed, HELP};
use crate::error::{report, Error};
use std::ffi::OsString;

const TOOL: &str = "importenv";

/// Run importenv with `args` (without argv[0]); returns only on failure
/// or for help, with the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let result = match parse(args) {
        Ok(Parsed::Run {
            environ_file,
            command,
        }) => std::fs::read(&environ_file)
            .map_err(|e| Error::io(format!("cannot read {}", environ_file.display()), &e))
            .and_then(|block| super::prepare_and_run(&plan(&block, command))),
        Ok(Parsed::Help) => return super::print(TOOL, HELP),
        Ok(Parsed::Version) => return super::print(TOOL, &version_text()),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| report(TOOL, &e))
}

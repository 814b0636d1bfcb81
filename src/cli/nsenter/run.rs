//! nsenter's main: parse, then carry the plan out.

use super::{help_text, parse, version_text, Parsed};
use crate::enter;
use crate::error::report;
use std::ffi::OsString;

const TOOL: &str = "nsenter";

/// Run nsenter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let plan = match parse(args) {
        Ok(Parsed::Run(plan)) => plan,
        Ok(Parsed::Help) => return print(&help_text()),
        Ok(Parsed::Version) => return print(&version_text()),
        Err(e) => return report(TOOL, &e),
    };
    match enter::run(&plan) {
        Ok(code) => code,
        Err(e) => report(TOOL, &e),
    }
}

fn print(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => report(TOOL, &crate::error::Error::io("write error", &e)),
    }
}

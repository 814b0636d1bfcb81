//! nsenter's main: parse, then carry the plan out.

use super::{help_text, parse_reading_files, version_text, Parsed};
use crate::enter;
use crate::error::{report, Error};
use crate::sys::fd;
use std::ffi::OsString;

const TOOL: &str = "nsenter";

/// Run nsenter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    // util-linux opens FILE and DIR arguments as it reads them: the first
    // that cannot be opened is the error, even before a later bad option.
    let (parsed, files) = parse_reading_files(args);
    for path in files {
        if let Err(e) = fd::open(&path, libc::O_RDONLY) {
            return report(
                TOOL,
                &Error::sys(format!("cannot open {}", path.display()), e),
            );
        }
    }
    let plan = match parsed {
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
        Err(e) => report(TOOL, &Error::io("write error", &e)),
    }
}

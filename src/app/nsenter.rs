//! nsenter's main: parse, then prepare and run the plan.

use crate::cli::nsenter::{help_text, parse_reading_files, version_text, Parsed};
use crate::enter;
use crate::runtime::SourceOptions;
use crate::sys::stderr::report;
use std::ffi::OsString;

const TOOL: &str = "nsenter";

/// Run nsenter with `args` (without argv[0]); returns the exit status.
pub fn main(args: &[OsString]) -> i32 {
    let (parsed, files) = parse_reading_files(args);
    let mut plan = match parsed {
        Ok(Parsed::Run(plan)) => plan,
        // util-linux opens FILE and DIR arguments as it reads them: the
        // first that cannot be opened is the error, even before a later
        // bad option or --help. (A plan opens them itself, once.)
        other => {
            if let Err(e) = enter::check_named_files(&files) {
                return report(TOOL, &e);
            }
            return match other {
                Ok(Parsed::Help) => super::print(TOOL, &help_text()),
                Ok(Parsed::Version) => super::print(TOOL, &version_text()),
                Ok(Parsed::Run(_)) => unreachable!("handled above"),
                Err(e) => report(TOOL, &e),
            };
        }
    };
    // --confine protects our binary as docker-enter does (security rule
    // 6) when a PID namespace may be entered: that is when a container's
    // process can see ours. It costs one execve, which a plain nsenter,
    // like util-linux's, does not pay.
    if plan.entry.confinement.takes_restrictions() && plan.entry.may_enter_pid_namespace() {
        if let Err(e) = enter::run_from_protected_copy(TOOL) {
            return report(TOOL, &e);
        }
    }
    crate::cli::nsenter::standard_streams(&mut plan, enter::standard_terminals());
    if let Some(tools) = &mut plan.entry.tools {
        if let Err(e) = super::tools_source::resolve(tools, &SourceOptions::default()) {
            return report(TOOL, &e);
        }
    }
    super::prepare_and_run(plan).unwrap_or_else(|e| report(TOOL, &e))
}

//! Each tool's `main`: the side effects around its pure command line.
//! Here the arguments are parsed (`cli`), what the user named is read (env
//! files, an environ file, our own environment), the runtime is asked
//! about a container, the plan is prepared and run (`enter`), and answers
//! and errors are printed. The command lines and planners themselves stay
//! pure, so they are unit-tested without a system to touch.

pub mod docker_enter;
pub mod importenv;
pub mod multicall;
pub mod nsenter;
mod tools_source;

use crate::enter;
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::sys::stderr::report;
use std::io::Write;

/// Open everything a complete plan needs, then carry it out.
fn prepare_and_run(plan: Plan) -> Result<i32> {
    let prepared = enter::prepare(plan.entry)?;
    enter::run(prepared, &plan.launch)
}

/// Print help or version text on stdout: exit 0, or the write error.
fn print(tool: &str, text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => report(tool, &Error::io("write error", e)),
    }
}

//! The seccomp filters the program takes from the target (security rules
//! 10 and 19).
//!
//! A container that a runtime runs is confined as its runtime's own exec
//! confines a new process: `runc exec` compiles the profile that the
//! container's OCI bundle records (`linux.seccomp` of its config.json),
//! and so does docker-enter (`record.rs`, `compile/`), without touching
//! the container's processes. A target that no runtime describes has no
//! such record: its filters are copied from the live process, which stops
//! it for a moment (`live.rs`).

pub mod compile;
mod live;
mod record;

use super::status::Status;
use crate::error::{Error, Result};
use crate::plan::SeccompSource;
use crate::sys::seccomp::Filter;
use crate::target::Target;

/// The filters to install, oldest first.
pub fn filters(target: &Target, status: &Status, source: &SeccompSource) -> Result<Vec<Filter>> {
    let pid = target.pid;
    match status.seccomp_mode {
        0 | 2 => {}
        1 => {
            return Err(Error::msg(format!(
                "process {pid} runs in seccomp strict mode, under which no program can be started"
            )))
        }
        other => {
            return Err(Error::msg(format!(
                "cannot read the seccomp filters of process {pid}: unknown seccomp mode {other}"
            )))
        }
    }
    match source {
        SeccompSource::Bundle(config) => record::filters(pid, status, config),
        SeccompSource::Live if status.seccomp_mode == 0 => Ok(Vec::new()),
        SeccompSource::Live => live::copy(target),
    }
}

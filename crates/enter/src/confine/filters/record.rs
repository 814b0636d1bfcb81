//! The seccomp filter of a runtime's container, from the runtime's own
//! record: the profile in the container's OCI bundle (config.json,
//! `linux.seccomp`), compiled as runc compiles it (`compile/`). That is
//! what `runc exec`, and so `docker exec`, gives a new process of the
//! container, and reading it stops nobody.
//!
//! The record is read like the runtime's other state files (beneath its
//! state directory, no link followed, a regular file, bounded), and only
//! once: the profile read when the container was found is the one
//! compiled. It is held against the process it describes: a profile with
//! a filter for a process that runs without any is a record of something
//! else, and is refused rather than applied.

use super::compile;
use crate::confine::status::Status;
use crate::error::{Error, Result};
use crate::plan::BundleConfig;
use crate::runtime::statedir::{StateDir, MAX_JSON};
use crate::sys::seccomp::Filter;
use serde_json::Value;

/// What to do when the record cannot be used.
pub const LIVE_INSTEAD: &str = "docker-enter pid:PID copies the filters from the container's \
     process instead, stopping it for a moment";

/// The filter the record gives a new process of the container (none when
/// its profile asks for none).
pub fn filters(pid: i32, status: &Status, config: &BundleConfig) -> Result<Vec<Filter>> {
    let path = config.display();
    let no_record = |e: Error| e.hint(LIVE_INSTEAD);
    let read;
    let profile = match &config.seccomp {
        // Read when the container was found.
        Some(profile) => profile.as_ref(),
        None => {
            read = read_profile(config).map_err(no_record)?;
            &read
        }
    };
    let program = compile::compile(profile).map_err(|refusal| {
        no_record(Error::msg(format!(
            "cannot take the seccomp profile of {path}: {}",
            refusal.0
        )))
    })?;
    let Some(program) = program else {
        // Whatever filter the process added itself, a new one starts
        // without (as with the runtime's exec).
        return Ok(Vec::new());
    };
    if status.seccomp_mode != 2 || status.seccomp_filters == Some(0) {
        return Err(no_record(Error::msg(format!(
            "{path} gives process {pid} a seccomp filter, but it runs without one: \
             the record does not describe it"
        ))));
    }
    Ok(vec![Filter {
        program,
        log: false,
    }])
}

/// The record's `linux.seccomp` (Null when it has none).
fn read_profile(config: &BundleConfig) -> Result<Value> {
    let read = match StateDir::open(&config.root)? {
        Some(dir) => dir.read_json(&config.rel, MAX_JSON)?,
        None => None,
    };
    let Some((mut spec, _)) = read else {
        return Err(Error::msg(format!(
            "cannot read {}, the runtime's record of the container: No such file or directory",
            config.display()
        )));
    };
    Ok(spec["linux"]["seccomp"].take())
}

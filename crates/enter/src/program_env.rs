//! The program's environment, as `KEY=VALUE` byte strings.

use crate::bounded::environ::{collect_environ, environ_records};
use crate::error::{Error, Result};
use crate::plan::EnvPlan;
use crate::sys::fs::OFlags;
use crate::target::Target;
use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The target's environment, read through its held /proc/PID: bytes
/// untouched, empty entries dropped. The target decides what its environ
/// holds (prctl can point it anywhere), so no more is read than a program
/// can be given.
pub fn target_environ(target: &Target) -> Result<Vec<OsString>> {
    let file = std::fs::File::from(target.open_file("environ", OFlags::RDONLY)?);
    let limit = crate::sys::limits::exec_limit();
    let name = format!("/proc/{}/environ", target.pid);
    collect_environ(&mut environ_records(file, &name, &limit), &limit, 0)
}

/// Build the environment before entering (the target's is read through
/// its held /proc/PID).
pub fn build(plan: &EnvPlan, target: Option<&Target>) -> Result<Vec<CString>> {
    match plan {
        EnvPlan::Inherit => Ok(std::env::vars_os()
            .map(|(k, v)| {
                let mut e = k.as_bytes().to_vec();
                e.push(b'=');
                e.extend_from_slice(v.as_bytes());
                CString::new(e).expect("environment entries hold no NUL")
            })
            .collect()),
        EnvPlan::Target => {
            let target = target.ok_or_else(|| Error::msg("no target PID specified for --env"))?;
            Ok(target_environ(target)?
                .into_iter()
                .map(|e| CString::new(e.into_vec()).expect("entries hold no NUL"))
                .collect())
        }
        EnvPlan::Exact(entries) => entries
            .iter()
            .map(|e| {
                CString::new(e.as_bytes()).map_err(|_| {
                    Error::msg(format!(
                        "environment entry contains a NUL byte: {}",
                        e.to_string_lossy()
                    ))
                })
            })
            .collect(),
    }
}

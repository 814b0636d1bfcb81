//! The program's environment, as `KEY=VALUE` byte strings.

use crate::bounded::environ::{collect_environ, environ_records};
use crate::bounded::ExecLimit;
use crate::error::{Error, Result};
use crate::plan::EnvPlan;
use crate::target::Target;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

/// Build the environment before entering (the target's is read from the
/// host's /proc).
pub fn prepare(plan: &EnvPlan, target: Option<&Target>) -> Result<Vec<CString>> {
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
            // The target sets what its environ holds (prctl can point it
            // anywhere): read no more than a program can be given.
            let path = target.proc_path("environ");
            let file = std::fs::File::open(&path)
                .map_err(|e| Error::io(format!("cannot open {}", path.display()), &e))?;
            let limit = ExecLimit::current();
            let mut records = environ_records(file, &path.display().to_string(), &limit);
            collect_environ(&mut records, &limit, 0)
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

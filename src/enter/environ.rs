//! The program's environment, as `KEY=VALUE` byte strings.

use crate::error::{Error, Result};
use crate::plan::{environ_entries, EnvPlan};
use crate::target::Target;
use std::ffi::CString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// Split a NUL-separated environ block (/proc/PID/environ) into entries,
/// bytes untouched; empty entries (a trailing NUL) are dropped.
fn split_environ(block: &[u8]) -> Vec<CString> {
    environ_entries(block)
        .into_iter()
        .map(|e| CString::new(e.into_vec()).expect("split on NUL"))
        .collect()
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
            Ok(split_environ(&target.read("environ")?))
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

#[cfg(test)]
mod tests {
    use super::split_environ;

    #[test]
    fn environ_bytes_are_kept() {
        let env = split_environ(b"A=1\0B=x y=z\0C=\0D=\xff\xfe\0");
        let got: Vec<&[u8]> = env.iter().map(|c| c.as_bytes()).collect();
        assert_eq!(got, [&b"A=1"[..], b"B=x y=z", b"C=", b"D=\xff\xfe"]);
    }
}

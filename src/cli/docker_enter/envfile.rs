//! `-e` and `--env-file` values turned into changes of the container's
//! environment, as the docker CLI and daemon make them:
//! - `KEY=VALUE` sets KEY;
//! - `KEY` alone takes KEY's value from our environment, and when we have
//!   none, removes KEY from the container's environment (docker does both);
//! - env files hold one `KEY[=VALUE]` per line; blank lines and `#` comments
//!   are skipped, leading whitespace is dropped, a name with whitespace is
//!   refused; values are kept byte for byte.

use crate::error::Error;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvOverride {
    /// `KEY=VALUE`: replace or append.
    Set(OsString),
    /// `KEY`: remove.
    Unset(OsString),
}

/// The entries of an env file, in order, as `-e` would take them.
pub fn parse_env_file(content: &[u8], path: &Path) -> Result<Vec<OsString>, Error> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let mut entries = Vec::new();
    for (n, line) in content.split(|&b| b == b'\n').enumerate() {
        let bad = |why: &str| {
            Error::msg(format!(
                "invalid env file {} line {}: {why}",
                path.display(),
                n + 1
            ))
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line).trim_ascii_start();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        if line.contains(&0) {
            return Err(bad("it contains a NUL byte"));
        }
        let name = line.split(|&b| b == b'=').next().unwrap_or(line);
        if name.is_empty() {
            return Err(bad("no variable name before '='"));
        }
        if name.iter().any(u8::is_ascii_whitespace) {
            return Err(bad(&format!(
                "variable '{}' contains whitespace",
                String::from_utf8_lossy(name)
            )));
        }
        entries.push(OsString::from_vec(line.to_vec()));
    }
    Ok(entries)
}

/// Resolve entries (env files' first, then `-e`'s) against our environment.
pub fn resolve_env_args(
    entries: &[OsString],
    ours: impl Fn(&OsStr) -> Option<OsString>,
) -> Vec<EnvOverride> {
    entries
        .iter()
        .map(|e| {
            if e.as_bytes().contains(&b'=') {
                return EnvOverride::Set(e.clone());
            }
            match ours(e) {
                Some(value) => {
                    let mut set = e.clone();
                    set.push("=");
                    set.push(value);
                    EnvOverride::Set(set)
                }
                None => EnvOverride::Unset(e.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> OsString {
        OsString::from(s)
    }

    #[test]
    fn env_file_lines_as_docker_reads_them() {
        let file = b"\xEF\xBB\xBF  A=1 \n# comment\n\n\tB\r\nC=x=y\nD=\nE=\xff\xfe\n";
        let got = parse_env_file(file, Path::new("f")).unwrap();
        let want: Vec<OsString> = [&b"A=1 "[..], b"B", b"C=x=y", b"D=", b"E=\xff\xfe"]
            .iter()
            .map(|b| OsString::from_vec(b.to_vec()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn env_file_errors_name_file_and_line() {
        let err = parse_env_file(b"A=1\nBAD NAME=1\n", Path::new("/tmp/ef")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid env file /tmp/ef line 2: variable 'BAD NAME' contains whitespace"
        );
        let err = parse_env_file(b"A=1\0x\n", Path::new("f")).unwrap_err();
        assert!(err.to_string().contains("line 1: it contains a NUL byte"));
        assert!(parse_env_file(b"=x\n", Path::new("f")).is_err());
    }

    #[test]
    fn bare_names_take_our_value_or_unset() {
        let ours = |k: &OsStr| (k == "HERE").then(|| os("v a l"));
        let got = resolve_env_args(&[os("A=1"), os("HERE"), os("GONE")], ours);
        assert_eq!(
            got,
            [
                EnvOverride::Set(os("A=1")),
                EnvOverride::Set(os("HERE=v a l")),
                EnvOverride::Unset(os("GONE"))
            ]
        );
    }
}

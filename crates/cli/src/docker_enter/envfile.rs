//! `-e` and `--env-file` values turned into changes of the container's
//! environment, as the docker CLI and daemon make them:
//! - `KEY=VALUE` sets KEY;
//! - `KEY` alone takes KEY's value from our environment, and when we have
//!   none, removes KEY from the container's environment (docker does both);
//! - env files hold one `KEY[=VALUE]` per line; blank lines and `#` comments
//!   are skipped, leading whitespace is dropped, a name with whitespace is
//!   refused; values are kept byte for byte.
//!
//! Env files are streamed: a line may be as long as one variable the kernel
//! accepts, a file 64 MiB, and what they set may not outgrow what a program
//! can be given, so /dev/zero, a FIFO that never ends or a huge sparse file
//! is refused at once.

use super::environment::{EnvChanges, EnvOverride};
use crate::bounded::{size_text, Bounds, ExecLimit, Records, ENV_FILE_TOTAL};
use crate::error::Error;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// Stream one env file's entries into `changes`, which may not come to
/// need more than execve accepts (`limit`). `file` is `path`, opened by
/// the caller; a bare name takes its value from `ours`.
pub fn read_env_file(
    file: impl std::io::Read,
    path: &Path,
    limit: &ExecLimit,
    changes: &mut EnvChanges,
    ours: impl Fn(&OsStr) -> Option<OsString>,
) -> Result<(), Error> {
    let lines = env_file_lines(file, path, limit);
    let name = lines.name().to_string();
    for_each_entry(lines, path, |entry| {
        changes.apply(resolve(entry, &ours));
        if changes.cost() > limit.total {
            return Err(Error::msg(format!(
                "{name}: its variables need more than {}{}",
                size_text(limit.total),
                limit.total_reason()
            )));
        }
        Ok(())
    })
}

/// The `-e` values, after every env file, as the docker CLI orders them.
pub fn apply_env_values(
    values: &[OsString],
    changes: &mut EnvChanges,
    ours: impl Fn(&OsStr) -> Option<OsString>,
) {
    for value in values {
        changes.apply(resolve(value.clone(), &ours));
    }
}

fn env_file_lines<'a>(
    file: impl std::io::Read + 'a,
    path: &Path,
    limit: &ExecLimit,
) -> Records<'a> {
    let bounds = Bounds {
        record: limit.string,
        total: ENV_FILE_TOTAL,
    };
    Records::lines(file, format!("env file {}", path.display()), bounds)
        .explain_record(limit.string_reason())
}

/// Each entry of an env file, in order, as `-e` would take it.
fn for_each_entry(
    mut lines: Records<'_>,
    path: &Path,
    mut each: impl FnMut(OsString) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut number = 0;
    while let Some(line) = lines.next_record()? {
        number += 1;
        let bad = |why: &str| {
            Error::msg(format!(
                "invalid env file {} line {number}: {why}",
                path.display()
            ))
        };
        let line = match number {
            1 => line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line),
            _ => line,
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
        each(OsString::from_vec(line.to_vec()))?;
    }
    Ok(())
}

/// Resolve one entry against our environment.
fn resolve(entry: OsString, ours: impl Fn(&OsStr) -> Option<OsString>) -> EnvOverride {
    if entry.as_bytes().contains(&b'=') {
        return EnvOverride::Set(entry);
    }
    match ours(&entry) {
        Some(value) => {
            let mut set = entry;
            set.push("=");
            set.push(value);
            EnvOverride::Set(set)
        }
        None => EnvOverride::Unset(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> OsString {
        OsString::from(s)
    }

    fn parse_env_file(content: &[u8], path: &str) -> Result<Vec<OsString>, Error> {
        let limit = ExecLimit::with(Some(8 << 20), 4096);
        let mut entries = Vec::new();
        let lines = env_file_lines(content, Path::new(path), &limit);
        for_each_entry(lines, Path::new(path), |e| {
            entries.push(e);
            Ok(())
        })?;
        Ok(entries)
    }

    #[test]
    fn env_file_lines_as_docker_reads_them() {
        let file = b"\xEF\xBB\xBF  A=1 \n# comment\n\n\tB\r\nC=x=y\nD=\nE=\xff\xfe\n";
        let got = parse_env_file(file, "f").unwrap();
        let want: Vec<OsString> = [&b"A=1 "[..], b"B", b"C=x=y", b"D=", b"E=\xff\xfe"]
            .iter()
            .map(|b| OsString::from_vec(b.to_vec()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn env_file_errors_name_file_and_line() {
        let err = parse_env_file(b"A=1\nBAD NAME=1\n", "/tmp/ef").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid env file /tmp/ef line 2: variable 'BAD NAME' contains whitespace"
        );
        let err = parse_env_file(b"A=1\0x\n", "f").unwrap_err();
        assert!(err.to_string().contains("line 1: it contains a NUL byte"));
        assert!(parse_env_file(b"=x\n", "f").is_err());
        let long = [&b"A="[..], &[b'x'; 128 << 10], b"\n"].concat();
        assert_eq!(
            parse_env_file(&long, "/tmp/long").unwrap_err().to_string(),
            "env file /tmp/long: line 1 is longer than 128 KiB, the most the kernel \
             accepts for one variable (MAX_ARG_STRLEN)"
        );
    }

    #[test]
    fn bare_names_take_our_value_or_unset() {
        let ours = |k: &OsStr| (k == "HERE").then(|| os("v a l"));
        let got: Vec<_> = ["A=1", "HERE", "GONE"]
            .into_iter()
            .map(|e| resolve(os(e), ours))
            .collect();
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

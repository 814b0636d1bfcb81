//! Option arguments: PIDs, ids, namespace files and ids, descriptors.
//!
//! Numbers are read the way util-linux reads them with strtol: leading
//! white space and one `+` are allowed, nothing may follow the digits. Unlike
//! 2.38 we refuse values that do not fit instead of letting them wrap.

use crate::error::Error;
use crate::plan::{IdSpec, NsSource, TargetSpec};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// `PID` or `PID:INO` for `--target`.
pub fn target(text: &OsStr) -> Result<TargetSpec, Error> {
    let bad = || Error::msg(format!("failed to parse pid: '{}'", text.to_string_lossy()));
    let bytes = text.as_bytes();
    let (pid, ino) = match bytes.iter().position(|&b| b == b':') {
        Some(colon) => (&bytes[..colon], Some(&bytes[colon + 1..])),
        None => (bytes, None),
    };
    let pid = number(pid)
        .filter(|&n| n > 0 && n <= i64::from(i32::MAX))
        .ok_or_else(bad)?;
    let pidfd_ino = match ino {
        Some(ino) => Some(unsigned(ino).ok_or_else(bad)?),
        None => None,
    };
    Ok(TargetSpec {
        pid: pid as i32,
        pidfd_ino,
        identity: None,
    })
}

/// `-S` / `-G`: an id, or `follow` (the owner of /proc/PID).
pub fn id(text: &OsStr, what: &str) -> Result<IdSpec, Error> {
    if text.as_bytes() == b"follow" {
        return Ok(IdSpec::Follow);
    }
    unsigned(text.as_bytes())
        .and_then(|n| u32::try_from(n).ok())
        .map(IdSpec::Id)
        .ok_or_else(|| {
            Error::msg(format!(
                "failed to parse {what}: '{}'",
                text.to_string_lossy()
            ))
        })
}

/// A namespace option's attached value: a file, or `:NSID`.
pub fn ns_source(text: &OsStr) -> Result<NsSource, Error> {
    match text.as_bytes().strip_prefix(b":") {
        Some(nsid) => digits(nsid).map(NsSource::Nsid).ok_or_else(|| {
            Error::msg(format!(
                "failed to parse nsid: '{}'",
                text.to_string_lossy()
            ))
        }),
        None => Ok(NsSource::Path(PathBuf::from(text))),
    }
}

/// `-N FD`: a descriptor number of the target.
pub fn fd(text: &OsStr) -> Result<i32, Error> {
    number(text.as_bytes())
        .filter(|&n| (0..=i64::from(i32::MAX)).contains(&n))
        .map(|n| n as i32)
        .ok_or_else(|| Error::msg(format!("failed to parse fd: '{}'", text.to_string_lossy())))
}

/// strtol's syntax, refusing overflow: `[space]*[+-]?[0-9]+`.
fn number(bytes: &[u8]) -> Option<i64> {
    let trimmed = skip_space(bytes);
    let (negative, body) = match trimmed.first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let n = i64::try_from(digits(body)?).ok()?;
    Some(if negative { -n } else { n })
}

/// Like `number`, but a sign of minus is refused rather than wrapped.
fn unsigned(bytes: &[u8]) -> Option<u64> {
    let trimmed = skip_space(bytes);
    digits(trimmed.strip_prefix(b"+").unwrap_or(trimmed))
}

/// One or more decimal digits and nothing else.
fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// isspace() in the C locale.
fn skip_space(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b" \t\n\x0b\x0c\r".contains(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

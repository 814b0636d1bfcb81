//! NUL-separated environ files (/proc/PID/environ, importenv's file),
//! read no further than execve could take.

use super::{ExecLimit, Records};
use crate::error::Error;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStringExt;

/// The entries of `file`, which messages call `name`, bounded by `limit`.
pub fn environ_records<'a>(file: impl Read + 'a, name: &str, limit: &ExecLimit) -> Records<'a> {
    Records::entries(file, name, limit.environ_bounds())
        .explain_record(limit.string_reason())
        .explain_total(limit.total_reason())
}

/// Every entry, bytes untouched; empty entries (a trailing NUL) are
/// dropped. `spent` is what the program's arguments already use of the
/// limit: the entries must fit in the rest, pointers included.
pub fn collect_environ(
    records: &mut Records<'_>,
    limit: &ExecLimit,
    spent: u64,
) -> Result<Vec<OsString>, Error> {
    let mut used = spent;
    let mut entries = Vec::new();
    while let Some(entry) = records.next_record()? {
        if entry.is_empty() {
            continue;
        }
        used += ExecLimit::cost(entry.len());
        entries.push(OsString::from_vec(entry.to_vec()));
        if used > limit.total {
            return Err(records.too_large());
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(block: &[u8], limit: &ExecLimit, spent: u64) -> Result<Vec<Vec<u8>>, String> {
        let mut records = environ_records(block, "/proc/42/environ", limit);
        collect_environ(&mut records, limit, spent)
            .map(|e| e.into_iter().map(OsString::into_vec).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn environ_bytes_are_kept() {
        let limit = ExecLimit::with(Some(8 << 20), 4096);
        let got = read(b"A=1\0B=x y=z\0C=\0D=\xff\xfe\0\0", &limit, 0).unwrap();
        assert_eq!(got, [&b"A=1"[..], b"B=x y=z", b"C=", b"D=\xff\xfe"]);
    }

    #[test]
    fn exactly_what_execve_could_take() {
        // The least limit: 128 KiB for strings and pointers together.
        let limit = ExecLimit::with(Some(0), 4096);
        let entry = |len: usize| {
            let mut e = b"V=".to_vec();
            e.resize(len, b'v');
            e.push(0);
            e
        };
        // Two entries of 65527 bytes: 2 * (65527 + 1 + 8) = 128 KiB.
        let fits = [entry(65527), entry(65527)].concat();
        assert_eq!(read(&fits, &limit, 0).unwrap().len(), 2);
        assert_eq!(
            read(&fits, &limit, 1).unwrap_err(),
            "/proc/42/environ: larger than 128 KiB, the most the kernel accepts for a \
             program's environment and arguments (its least, with a stack limit of 0 bytes)"
        );
        // One entry: 128 KiB with its NUL, and not a byte more.
        assert!(read(&entry(131071), &ExecLimit::with(None, 4096), 0).is_ok());
        assert_eq!(
            read(&entry(131072), &ExecLimit::with(None, 4096), 0).unwrap_err(),
            "/proc/42/environ: entry 1 is longer than 128 KiB, the most the kernel accepts \
             for one variable (MAX_ARG_STRLEN)"
        );
    }
}

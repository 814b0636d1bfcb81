//! /proc/self/mountinfo (proc(5)): one line per mount,
//! `ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER-OPTIONS`.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// One mount, with the fields the tools use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The path inside the filesystem that the mount shows.
    pub root: PathBuf,
    pub mount_point: PathBuf,
    pub fstype: String,
    pub super_options: String,
}

/// Every well-formed line of a mountinfo file.
pub fn parse(mountinfo: &[u8]) -> Vec<Mount> {
    mountinfo
        .split(|&b| b == b'\n')
        .filter_map(parse_line)
        .collect()
}

fn parse_line(line: &[u8]) -> Option<Mount> {
    let dash = line.windows(3).position(|w| w == b" - ")?;
    let mut left = line[..dash].split(|&b| b == b' ');
    let mut right = line[dash + 3..].split(|&b| b == b' ');
    let root = left.nth(3)?;
    let mount_point = left.next()?;
    let fstype = right.next()?;
    let _source = right.next()?;
    let super_options = right.next().unwrap_or(b"");
    Some(Mount {
        root: path(root),
        mount_point: path(mount_point),
        fstype: String::from_utf8_lossy(fstype).into_owned(),
        super_options: String::from_utf8_lossy(super_options).into_owned(),
    })
}

fn path(field: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(unescape(field)))
}

/// The kernel writes space, tab, newline and backslash in paths as `\ooo`
/// octal escapes so that fields stay space-separated.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (field[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_line() {
        let mounts = parse(b"31 25 0:27 /a\\040b /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw,nsdelegate\nbroken\n");
        assert_eq!(
            mounts,
            [Mount {
                root: PathBuf::from("/a b"),
                mount_point: PathBuf::from("/sys/fs/cgroup/unified"),
                fstype: "cgroup2".into(),
                super_options: "rw,nsdelegate".into(),
            }]
        );
    }

    #[test]
    fn unescapes_octal_but_keeps_lone_backslashes() {
        assert_eq!(unescape(b"/a\\040b"), b"/a b");
        assert_eq!(unescape(b"a\\134b\\011c"), b"a\\b\tc");
        assert_eq!(unescape(b"a\\9b\\"), b"a\\9b\\");
    }
}

//! A user namespace's ID maps (`/proc/PID/uid_map`, `gid_map`): how an ID
//! seen from the host is called inside the namespace. The host's view of
//! a process in a user namespace (`/proc/PID/status`) names host IDs; the
//! program entered beside it must take the IDs its namespace gives them
//! (rootless Podman's root is host uid 1001 but uid 0 inside).

use crate::error::Error;

/// One line of a map: IDs `inside..inside+count` are `outside..` seen from
/// the reader's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    inside: u32,
    outside: u32,
    count: u32,
}

/// A parsed uid_map or gid_map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap {
    ranges: Vec<Range>,
}

/// The kernel allows at most 340 lines in a map.
const MAX_LINES: usize = 340;

impl IdMap {
    /// Parse the kernel's text; `file` names it in the error.
    pub fn parse(text: &[u8], file: &str) -> Result<IdMap, Error> {
        let bad = || Error::msg(format!("cannot parse {file}"));
        let text = std::str::from_utf8(text).map_err(|_| bad())?;
        let mut ranges = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let fields: Vec<u32> = line
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| bad())?;
            let [inside, outside, count] = fields[..] else {
                return Err(bad());
            };
            ranges.push(Range {
                inside,
                outside,
                count,
            });
            if ranges.len() > MAX_LINES {
                return Err(bad());
            }
        }
        Ok(IdMap { ranges })
    }

    /// The ID inside the namespace of `outside`, if the namespace maps it.
    pub fn inside(&self, outside: u32) -> Option<u32> {
        self.ranges.iter().find_map(|r| {
            let offset = outside.checked_sub(r.outside)?;
            (offset < r.count).then(|| r.inside.checked_add(offset))?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOTLESS: &[u8] = b"         0       1001          1\n         1     100000      65536\n";

    #[test]
    fn rootless_root_is_the_owner_and_the_rest_subordinate_ids() {
        let map = IdMap::parse(ROOTLESS, "uid_map").unwrap();
        assert_eq!(map.inside(1001), Some(0));
        assert_eq!(map.inside(100000), Some(1));
        assert_eq!(map.inside(100999), Some(1000));
        assert_eq!(map.inside(165535), Some(65536));
        assert_eq!(map.inside(165536), None);
        assert_eq!(map.inside(0), None);
    }

    #[test]
    fn the_initial_namespace_maps_everything_to_itself() {
        let map = IdMap::parse(b"         0          0 4294967295\n", "uid_map").unwrap();
        for id in [0, 1001, 65534, 4294967294] {
            assert_eq!(map.inside(id), Some(id));
        }
    }

    #[test]
    fn malformed_maps_are_refused() {
        for bad in [&b"0 1001"[..], b"0 x 1", b"0 1 2 3", b"\xff", b"-1 0 1"] {
            let err = IdMap::parse(bad, "/proc/7/uid_map").unwrap_err();
            assert_eq!(err.to_string(), "cannot parse /proc/7/uid_map");
        }
        let long = "0 0 1\n".repeat(MAX_LINES + 1);
        assert!(IdMap::parse(long.as_bytes(), "m").is_err());
    }
}

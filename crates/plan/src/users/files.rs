//! Parsers of the lines of the container's /etc/passwd and /etc/group.
//!
//! Lines are bytes (names and paths need not be UTF-8). Blank lines,
//! comments and lines that do not parse are skipped. (runc reads a bad number
//! as 0, which turns a garbage line into a root entry; skipping is safer and
//! differs only for files that are already broken.)

/// One line of /etc/passwd: `name:password:uid:gid:gecos:home:shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry<'a> {
    pub name: &'a [u8],
    pub uid: u32,
    pub gid: u32,
    pub home: &'a [u8],
    pub shell: &'a [u8],
}

/// One line of /etc/group: `name:password:gid:member,member`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry<'a> {
    pub name: &'a [u8],
    pub gid: u32,
    members: &'a [u8],
}

impl GroupEntry<'_> {
    /// Whether `user` is listed as a member (by name, as runc matches).
    pub fn has_member(&self, user: &[u8]) -> bool {
        !user.is_empty()
            && self
                .members
                .split(|&b| b == b',')
                .any(|m| m.trim_ascii() == user)
    }
}

/// The entry a passwd line holds, if it holds one.
pub fn passwd_entry(line: &[u8]) -> Option<PasswdEntry<'_>> {
    // Home and shell may be missing from short lines.
    let ([name, _, uid, gid, _, home, shell], 4..) = fields(line)? else {
        return None;
    };
    Some(PasswdEntry {
        name,
        uid: parse_id(uid)?,
        gid: parse_id(gid)?,
        home,
        shell,
    })
}

/// The entry a group line holds, if it holds one.
pub fn group_entry(line: &[u8]) -> Option<GroupEntry<'_>> {
    let ([name, _, gid, members], 3..) = fields(line)? else {
        return None;
    };
    Some(GroupEntry {
        name,
        gid: parse_id(gid)?,
        members,
    })
}

/// The first N colon-separated fields of a line that holds an entry (the
/// missing ones empty), and how many there were; fields after the Nth are
/// never looked at, so a line of colons costs no more than its length.
fn fields<const N: usize>(line: &[u8]) -> Option<([&[u8]; N], usize)> {
    let line = line.trim_ascii();
    if line.is_empty() || line.starts_with(b"#") {
        return None;
    }
    let mut out = [&b""[..]; N];
    let mut count = 0;
    for (slot, field) in out.iter_mut().zip(line.split(|&b| b == b':')) {
        *slot = field;
        count += 1;
    }
    (!out[0].is_empty()).then_some((out, count))
}

/// A uid or gid: decimal digits within 0..=2^31-1, the range runc accepts.
pub fn parse_id(text: &[u8]) -> Option<u32> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = text.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })?;
    (value <= i32::MAX as u32).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\n# a comment\n\n  daemon:x:1:1::/usr/sbin:/bin/false  \r\n\
        broken line\nbad:x:abc:0::/:/bin/sh\n+::::::\nshort:x:7:8\nalice:x:1000:1000:Alice:/home/\xffalice:/bin/sh";
    const GROUP: &[u8] = b"root:x:0:\nwheel:x:10:alice\nvideo:x:44:bob, alice\n#c:x:1:alice\nodd:x::alice\nnomembers:x:5";

    fn passwd_entries(content: &[u8]) -> impl Iterator<Item = PasswdEntry<'_>> {
        content.split(|&b| b == b'\n').filter_map(passwd_entry)
    }

    fn group_entries(content: &[u8]) -> impl Iterator<Item = GroupEntry<'_>> {
        content.split(|&b| b == b'\n').filter_map(group_entry)
    }

    #[test]
    fn passwd_keeps_good_lines_and_skips_the_rest() {
        let names: Vec<_> = passwd_entries(PASSWD)
            .map(|e| (e.name, e.uid, e.gid))
            .collect();
        assert_eq!(
            names,
            [
                (&b"root"[..], 0, 0),
                (b"daemon", 1, 1),
                (b"short", 7, 8),
                (b"alice", 1000, 1000)
            ]
        );
        let alice = passwd_entries(PASSWD).last().unwrap();
        assert_eq!(
            (alice.home, alice.shell),
            (&b"/home/\xffalice"[..], &b"/bin/sh"[..])
        );
        let short = passwd_entries(PASSWD).nth(2).unwrap();
        assert_eq!((short.home, short.shell), (&b""[..], &b""[..]));
    }

    #[test]
    fn group_members_are_matched_by_name() {
        let groups: Vec<_> = group_entries(GROUP).collect();
        let names: Vec<_> = groups.iter().map(|g| (g.name, g.gid)).collect();
        assert_eq!(
            names,
            [
                (&b"root"[..], 0),
                (b"wheel", 10),
                (b"video", 44),
                (b"nomembers", 5)
            ]
        );
        assert!(
            groups[1].has_member(b"alice")
                && groups[2].has_member(b"alice")
                && groups[2].has_member(b"bob")
        );
        assert!(
            !groups[0].has_member(b"alice")
                && !groups[0].has_member(b"")
                && !groups[3].has_member(b"alice")
        );
    }

    #[test]
    fn a_line_of_colons_is_no_entry() {
        let colons = vec![b':'; 60_000];
        assert_eq!(passwd_entry(&colons), None);
        assert_eq!(group_entry(&colons), None);
        let mut many = b"a:x:1:2:g:/h:/s".to_vec();
        many.extend_from_slice(&colons);
        let entry = passwd_entry(&many).unwrap();
        assert_eq!(
            (entry.uid, entry.home, entry.shell),
            (1, &b"/h"[..], &b"/s"[..])
        );
    }

    #[test]
    fn ids_are_decimal_within_runcs_range() {
        assert_eq!(parse_id(b"0"), Some(0));
        assert_eq!(parse_id(b"000000000001"), Some(1));
        assert_eq!(parse_id(b"2147483647"), Some(2_147_483_647));
        for bad in [
            &b""[..],
            b"2147483648",
            b"99999999999",
            b"4294967296",
            b"-1",
            b"+1",
            b" 1",
            b"0x10",
        ] {
            assert_eq!(parse_id(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}

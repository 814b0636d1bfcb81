//! Users and groups resolved from the CONTAINER's /etc/passwd and
//! /etc/group, never from the host's NSS (security rule 11), with the
//! semantics of `docker exec -u` and `Config.User` (runc's user lookup plus
//! what the daemon adds).
//!
//! The caller reads the files through the container root (openat2 with
//! RESOLVE_IN_ROOT) and passes their bytes; `None` means the file is absent.
//! Everything here is pure.

mod files;

use crate::error::Error;
use files::{group_entries, passwd_entries};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Who the program runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    /// The exact list for setgroups: the primary gid first, then the groups
    /// listing the user as a member (only without an explicit group), then
    /// the runtime's extra groups; no duplicates. docker exec does the same.
    pub groups: Vec<u32>,
    /// For `HOME`: the passwd entry's, `/` without an entry (or an empty one).
    pub home: PathBuf,
    /// The passwd entry's login shell, if it names one.
    pub shell: Option<PathBuf>,
}

/// The login shell of the first passwd entry with `uid`, if it names one
/// (nsenter's shell when no program is given).
pub fn shell_of_uid(passwd: &[u8], uid: u32) -> Option<&[u8]> {
    passwd_entries(passwd)
        .find(|e| e.uid == uid)
        .map(|e| e.shell)
        .filter(|shell| !shell.is_empty())
}

/// Resolve `spec` (`name|uid[:group|gid]`; empty means root) as docker exec
/// does, without extra groups.
pub fn resolve_user(
    spec: &str,
    passwd: Option<&[u8]>,
    group: Option<&[u8]>,
) -> Result<ExecUser, Error> {
    let (user_arg, group_arg) = match spec.split_once(':') {
        // runc reads only the second field of "a:b:c".
        Some((u, g)) => (u, Some(g.split(':').next().unwrap_or(g))),
        None => (spec, None),
    };
    let group_arg = group_arg.filter(|g| !g.is_empty());
    let uid_arg = numeric_id(user_arg)?;

    let passwd_bytes = passwd.unwrap_or(b"");
    let entry = passwd_entries(passwd_bytes).find(|e| match (user_arg, uid_arg) {
        ("", _) => e.uid == 0,
        (_, Some(uid)) => e.uid == uid,
        (name, None) => e.name == name.as_bytes(),
    });
    let (uid, primary_gid) = match (&entry, uid_arg) {
        (Some(e), _) => (e.uid, e.gid),
        (None, Some(uid)) => (uid, 0),
        (None, None) if user_arg.is_empty() => (0, 0),
        (None, None) => {
            return Err(Error::msg(format!(
                "unable to find user {user_arg}: no matching entries in passwd file"
            )))
        }
    };

    let group_bytes = group.unwrap_or(b"");
    let mut groups = Vec::new();
    let gid = match group_arg {
        Some(arg) => find_group(arg, group_bytes)?,
        None => {
            if let Some(e) = &entry {
                groups.extend(
                    group_entries(group_bytes)
                        .filter(|g| g.has_member(e.name))
                        .map(|g| g.gid),
                );
            }
            primary_gid
        }
    };
    groups.insert(0, gid);
    dedup_in_order(&mut groups);

    let home = entry
        .as_ref()
        .map(|e| e.home)
        .filter(|h| !h.is_empty())
        .unwrap_or(b"/");
    let shell = entry
        .as_ref()
        .map(|e| e.shell)
        .filter(|s| !s.is_empty())
        .map(path);
    Ok(ExecUser {
        uid,
        gid,
        groups,
        home: path(home),
        shell,
    })
}

/// Resolve `spec` and add the runtime's extra groups (`--group-add`, names
/// or gids), which docker exec applies to every user.
pub fn resolve_exec_user(
    spec: &str,
    group_add: &[String],
    passwd: Option<&[u8]>,
    group: Option<&[u8]>,
) -> Result<ExecUser, Error> {
    let mut user = resolve_user(spec, passwd, group)?;
    for extra in group_add {
        user.groups.push(find_group(extra, group.unwrap_or(b""))?);
    }
    dedup_in_order(&mut user.groups);
    Ok(user)
}

/// A group by name, or by gid (which need not be in the file).
fn find_group(arg: &str, group: &[u8]) -> Result<u32, Error> {
    let gid_arg = numeric_id(arg)?;
    let found = group_entries(group).find(|g| match gid_arg {
        Some(gid) => g.gid == gid,
        None => g.name == arg.as_bytes(),
    });
    match (found, gid_arg) {
        (Some(g), _) => Ok(g.gid),
        (None, Some(gid)) => Ok(gid),
        (None, None) => Err(Error::msg(format!(
            "unable to find group {arg}: no matching entries in group file"
        ))),
    }
}

/// `Some(id)` when `arg` is a number (as Go's Atoi reads one: optional sign,
/// digits), `None` when it is a name; a number out of range is an error.
fn numeric_id(arg: &str) -> Result<Option<u32>, Error> {
    let digits = arg.strip_prefix(['+', '-']).unwrap_or(arg);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    match files::parse_id(digits.as_bytes()) {
        Some(id) if !arg.starts_with('-') || id == 0 => Ok(Some(id)),
        _ => Err(Error::msg(format!(
            "invalid user/group id {arg}: uids and gids must be in range 0-2147483647"
        ))),
    }
}

fn dedup_in_order(ids: &mut Vec<u32>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
}

fn path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(bytes))
}

#[cfg(test)]
#[path = "creds_tests.rs"]
mod tests;

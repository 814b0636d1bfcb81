//! Users and groups resolved from the CONTAINER's /etc/passwd and
//! /etc/group, never from the host's NSS (security rule 11), with the
//! semantics of `docker exec -u` and `Config.User` (runc's user lookup plus
//! what the daemon adds).
//!
//! The caller opens the files through the container root (openat2 with
//! RESOLVE_IN_ROOT) and hands them over as bounded [`Records`], read once,
//! line by line; `None` means the file is absent. Nothing else here
//! touches the system.

pub mod files;

use crate::bounded::Records;
use crate::error::Error;
use files::{group_entry, passwd_entry, PasswdEntry};
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// The most supplementary groups a process may have (the kernel's
/// NGROUPS_MAX); setgroups refuses more.
pub const NGROUPS_MAX: usize = 65536;

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
pub fn shell_of_uid(passwd: Records<'_>, uid: u32) -> Result<Option<Vec<u8>>, Error> {
    let entry = find_user(Some(passwd), |e| e.uid == uid)?;
    Ok(entry.map(|e| e.shell).filter(|shell| !shell.is_empty()))
}

/// Resolve `spec` (`name|uid[:group|gid]`; empty means root) as docker exec
/// does, without extra groups.
pub fn resolve_user(
    spec: &str,
    passwd: Option<Records<'_>>,
    group: Option<Records<'_>>,
) -> Result<ExecUser, Error> {
    resolve_exec_user(spec, &[], passwd, group)
}

/// Resolve `spec` and add the runtime's extra groups (`--group-add`, names
/// or gids), which docker exec applies to every user. Each file is read
/// once, as far as needed.
pub fn resolve_exec_user(
    spec: &str,
    group_add: &[String],
    passwd: Option<Records<'_>>,
    group: Option<Records<'_>>,
) -> Result<ExecUser, Error> {
    let (user_arg, group_arg) = match spec.split_once(':') {
        // runc reads only the second field of "a:b:c".
        Some((u, g)) => (u, Some(g.split(':').next().unwrap_or(g))),
        None => (spec, None),
    };
    let group_arg = group_arg.filter(|g| !g.is_empty());
    let uid_arg = numeric_id(user_arg)?;

    let entry = find_user(passwd, |e| match (user_arg, uid_arg) {
        ("", _) => e.uid == 0,
        (_, Some(uid)) => e.uid == uid,
        (name, None) => e.name == name.as_bytes(),
    })?;
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
    let who = match &entry {
        Some(e) => String::from_utf8_lossy(&e.name).into_owned(),
        None => uid.to_string(),
    };

    // Without an explicit group, the user also gets the groups that list
    // it as a member.
    let member = match group_arg {
        None => entry.as_ref().map(|e| e.name.as_slice()),
        Some(_) => None,
    };
    let queries = group_arg
        .into_iter()
        .chain(group_add.iter().map(String::as_str))
        .map(GroupQuery::new)
        .collect::<Result<Vec<_>, _>>()?;
    let scan = scan_groups(group, &queries, member, &who)?;
    let mut found = queries.iter().zip(scan.found).map(|(q, gid)| {
        gid.or(q.gid).ok_or_else(|| {
            Error::msg(format!(
                "unable to find group {}: no matching entries in group file",
                q.arg
            ))
        })
    });

    let mut groups = Vec::new();
    let gid = match group_arg {
        Some(_) => found.next().expect("a query for the group")?,
        None => {
            groups.extend(scan.member_of);
            primary_gid
        }
    };
    groups.insert(0, gid);
    for extra in found {
        groups.push(extra?);
    }
    dedup_in_order(&mut groups);
    if groups.len() > NGROUPS_MAX {
        return Err(too_many_groups(&who));
    }

    let home = entry
        .as_ref()
        .map(|e| e.home.as_slice())
        .filter(|h| !h.is_empty())
        .unwrap_or(b"/");
    let shell = entry
        .as_ref()
        .map(|e| e.shell.as_slice())
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

/// A passwd entry kept after its line is gone.
struct User {
    name: Vec<u8>,
    uid: u32,
    gid: u32,
    home: Vec<u8>,
    shell: Vec<u8>,
}

/// The first passwd entry that `wanted` accepts; the file is read no
/// further.
fn find_user(
    passwd: Option<Records<'_>>,
    wanted: impl Fn(&PasswdEntry<'_>) -> bool,
) -> Result<Option<User>, Error> {
    let Some(mut lines) = passwd else {
        return Ok(None);
    };
    while let Some(line) = lines.next_record()? {
        if let Some(e) = passwd_entry(line).filter(|e| wanted(e)) {
            return Ok(Some(User {
                name: e.name.to_vec(),
                uid: e.uid,
                gid: e.gid,
                home: e.home.to_vec(),
                shell: e.shell.to_vec(),
            }));
        }
    }
    Ok(None)
}

/// A group asked for by name or gid (which need not be in the file).
struct GroupQuery<'a> {
    arg: &'a str,
    gid: Option<u32>,
}

impl<'a> GroupQuery<'a> {
    fn new(arg: &'a str) -> Result<Self, Error> {
        Ok(GroupQuery {
            arg,
            gid: numeric_id(arg)?,
        })
    }
}

/// What one pass over /etc/group found.
struct GroupScan {
    /// For each query, the first matching entry's gid.
    found: Vec<Option<u32>>,
    /// The gids of the groups listing the member, in file order, once each.
    member_of: Vec<u32>,
}

/// Answer every query and collect the member's groups in one pass, with
/// hash lookups, so the time is linear in the file and the queries.
fn scan_groups(
    group: Option<Records<'_>>,
    queries: &[GroupQuery<'_>],
    member: Option<&[u8]>,
    who: &str,
) -> Result<GroupScan, Error> {
    let mut scan = GroupScan {
        found: vec![None; queries.len()],
        member_of: Vec::new(),
    };
    let mut by_gid: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, q) in queries.iter().enumerate() {
        match q.gid {
            Some(gid) => by_gid.entry(gid).or_default().push(i),
            None => by_name.entry(q.arg.as_bytes()).or_default().push(i),
        }
    }
    let Some(mut lines) = group else {
        return Ok(scan);
    };
    let mut seen = HashSet::new();
    while member.is_some() || !by_gid.is_empty() || !by_name.is_empty() {
        let Some(line) = lines.next_record()? else {
            break;
        };
        let Some(g) = group_entry(line) else {
            continue;
        };
        let matched = by_gid.remove(&g.gid).into_iter().flatten();
        for i in matched.chain(by_name.remove(g.name).into_iter().flatten()) {
            scan.found[i] = Some(g.gid);
        }
        if member.is_some_and(|m| g.has_member(m)) && seen.insert(g.gid) {
            if seen.len() > NGROUPS_MAX {
                return Err(too_many_groups(who));
            }
            scan.member_of.push(g.gid);
        }
    }
    Ok(scan)
}

fn too_many_groups(who: &str) -> Error {
    Error::msg(format!(
        "user {who} is in more than {NGROUPS_MAX} groups, the most the kernel allows (NGROUPS_MAX)"
    ))
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
#[path = "users_tests.rs"]
mod tests;

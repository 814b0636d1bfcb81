//! Every user's rootless Podman. Each user keeps a containers/storage of
//! their own: the graphroot under their home
//! (`~/.local/share/containers/storage`), the runroot in their runtime
//! directory (`/run/user/UID/containers`, or `/tmp/podman-run-UID/containers`
//! when there is no /run/user/UID, as Podman chooses), unless a
//! storage.conf moves them ([`super::rootless_store`]).
//!
//! Those files are the user's, and the user may be hostile to root:
//! - the home and the runtime directory must be directories that user owns
//!   (not symlinks; in /tmp another user could have made one), and nothing
//!   beneath them is reached through a symlink (`StateDir`);
//! - files are bounded as every state file is;
//! - every container read there is entered only if its live process is in a
//!   user namespace that user made (`Identity::userns_owner`, checked by
//!   `enter::prepare` on the pidfd, and by `--list`), besides its conmon
//!   and cgroup where it has one. So a planted state file can at worst name
//!   another process of that same user's, entered with no more than that
//!   user's namespace gives.
//!
//! A user's store that cannot be read is said, and the other users' are
//! still read.

use super::rootless_store::UserStore;
use super::scan::{Hint, Scan, Source};
use super::statedir::StateDir;
use super::storage::scan_store;
use crate::error::Error;
use crate::sys::fs;
use nsenter_can_plan::users::files::passwd_entry;
use std::path::PathBuf;

/// The host's user database, read for homes and names (root's own file).
const PASSWD: &str = "etc/passwd";
const MAX_PASSWD: usize = 64 << 20;
/// Below it, system accounts (login.defs' UID_MIN).
const FIRST_USER_UID: u32 = 1000;
/// nobody, and uids past useradd's range, run no rootless Podman.
const LAST_USER_UID: u32 = 60000;

/// A user who may run rootless Podman.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub home: PathBuf,
}

/// The rootless Podman of the users in the host's passwd (or of one user,
/// the caller, when not root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootlessPodman {
    /// The host's root ("/", or where `--host-root` says).
    pub host_root: PathBuf,
    /// Only this user (the caller when not root), with their own
    /// `XDG_DATA_HOME` and `XDG_RUNTIME_DIR` where set.
    pub only: Option<OwnUser>,
    /// Only the user of this name (`podman:USER/NAME`) or uid (the owner
    /// of a `pid:` target's user namespace): one store read, not all.
    pub narrowed: Option<Narrowed>,
}

/// One user whose store alone is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrowed {
    Name(String),
    Uid(u32),
}

/// The caller, when not root: their environment says where their store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnUser {
    pub uid: u32,
    pub data_home: Option<PathBuf>,
    pub runtime_dir: Option<PathBuf>,
    /// Where their storage.conf is (`$XDG_CONFIG_HOME/containers`).
    pub config_home: Option<PathBuf>,
}

impl RootlessPodman {
    /// The same, reading only `user`'s store.
    pub fn narrowed(&self, user: Narrowed) -> RootlessPodman {
        RootlessPodman {
            narrowed: Some(user),
            ..self.clone()
        }
    }

    /// The users whose stores are looked at.
    pub(crate) fn users(&self) -> Result<Vec<User>, Error> {
        let path = self.host_root.join(PASSWD);
        let text = fs::read_head(&path, MAX_PASSWD)
            .map_err(|e| Error::sys(format!("cannot read {}", path.display()), e))?;
        let wanted = |uid: u32, name: &str| {
            let ours = match &self.only {
                Some(me) => uid == me.uid,
                None => (FIRST_USER_UID..LAST_USER_UID).contains(&uid),
            };
            ours && match &self.narrowed {
                Some(Narrowed::Name(n)) => n == name,
                Some(Narrowed::Uid(u)) => *u == uid,
                None => true,
            }
        };
        let mut users: Vec<User> = Vec::new();
        for line in text.split(|&b| b == b'\n') {
            let Some(entry) = passwd_entry(line) else {
                continue;
            };
            let (Ok(name), Ok(home)) = (
                std::str::from_utf8(entry.name),
                std::str::from_utf8(entry.home),
            ) else {
                continue;
            };
            if !wanted(entry.uid, name)
                || !home.starts_with('/')
                || users.iter().any(|u| u.uid == entry.uid)
            {
                continue;
            }
            users.push(User {
                name: name.to_string(),
                uid: entry.uid,
                home: PathBuf::from(home),
            });
        }
        Ok(users)
    }

    /// One user's containers, each named as theirs; `system_path` is the
    /// system storage.conf's `rootless_storage_path`.
    fn scan_user(
        &self,
        user: &User,
        system_path: Option<&str>,
        hint: Hint<'_>,
    ) -> Result<Option<Scan>, Error> {
        let home = StateDir::open_owned(&self.on_host(&user.home), user.uid)?;
        let conf = self.user_conf(user, home.as_ref())?;
        let store = UserStore {
            user,
            home: home.as_ref(),
            conf: conf.as_ref(),
        };
        let Some(graph) = self.graphroot(&store, system_path)? else {
            return Ok(None);
        };
        let run = || self.runroot(&store);
        let mut scan = scan_store(&graph, &run, hint, Some(user.uid))?;
        for c in &mut scan.containers {
            c.owner = Some(user.name.clone());
        }
        Ok(Some(scan))
    }
}

impl Source for RootlessPodman {
    fn describe(&self) -> String {
        "rootless Podman's containers/storage of each user".into()
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        let users = self.users()?;
        if users.is_empty() {
            return Ok(None);
        }
        // Root's own storage.conf only moves users' stores: one that cannot
        // be read is said, and each user's store is looked for where it is
        // by default, not given up.
        let (system_path, note) = match self.system_storage_path() {
            Ok(path) => (path, None),
            Err(e) => (
                None,
                Some(format!(
                    "rootless Podman: {e}; each user's store is looked for in its default place"
                )),
            ),
        };
        let found = scan_each(&users, "rootless Podman", |user| {
            self.scan_user(user, system_path.as_deref(), hint)
        })?;
        Ok(match note {
            Some(note) => {
                let mut scan = found.unwrap_or_default();
                scan.notes.push(note);
                Some(scan)
            }
            None => found,
        })
    }
}

/// What each user's rootless `runtime` holds, together: one user's state
/// that cannot be read is said (as a state file skipped) and cannot keep
/// root from the others'.
pub(crate) fn scan_each(
    users: &[User],
    runtime: &str,
    scan_user: impl Fn(&User) -> Result<Option<Scan>, Error>,
) -> Result<Option<Scan>, Error> {
    let mut all: Option<Scan> = None;
    for user in users {
        let found = scan_user(user).unwrap_or_else(|e| {
            Some(Scan {
                skipped: vec![format!("{runtime} of user {}: {e}", user.name)],
                ..Scan::default()
            })
        });
        if let Some(found) = found {
            let all = all.get_or_insert_with(Scan::default);
            all.containers.extend(found.containers);
            all.skipped.extend(found.skipped);
            all.notes.extend(found.notes);
        }
    }
    Ok(all)
}

//! Where one user's rootless Podman store is, as Podman decides it
//! (containers-storage.conf(5)):
//! - the graph root: the user's own storage.conf's `graphroot`, else its
//!   `rootless_storage_path`, else the system storage.conf's
//!   `rootless_storage_path` (/etc/containers, else /usr/share/containers),
//!   else `~/.local/share/containers/storage`;
//! - the run root: the user's `runroot`, else `containers` in their runtime
//!   directory: /run/user/UID, else the one in /tmp, which Podman names
//!   `podman-run-UID`, but containers/storage `containers-user-UID` once
//!   the user has a storage.conf of their own (both seen with Podman 4.3).
//!
//! The user's storage.conf is theirs, so hostile: it is read beneath their
//! home as any state file is (bounded, no symlink), and a place it names
//! is opened without following a symlink: beneath their home through the
//! home itself, elsewhere from the host's root, and there only if it is a
//! directory that user owns. Whatever is read there is still checked
//! against the live process, as every store's containers are.

use super::rootless::{RootlessPodman, User};
use super::statedir::{read_root_file, StateDir};
use super::storage_conf::{expand, Expansions, StorageConf, MAX_STORAGE_CONF};
use crate::error::Error;
use std::path::{Path, PathBuf};

/// The system's storage.conf: the first that exists (root's files).
const SYSTEM_CONFS: [&str; 2] = [
    "etc/containers/storage.conf",
    "usr/share/containers/storage.conf",
];
/// A user's own, beneath their home (or `$XDG_CONFIG_HOME/containers`).
const USER_CONF: &str = ".config/containers/storage.conf";

/// A user's storage.conf, and the file it was read from.
pub struct UserConf {
    conf: StorageConf,
    file: String,
}

/// One user, with their home opened (if they have one) and their
/// storage.conf read (if they have one).
pub struct UserStore<'a> {
    pub user: &'a User,
    pub home: Option<&'a StateDir>,
    pub conf: Option<&'a UserConf>,
}

impl RootlessPodman {
    /// The host path of `path` (an absolute path on the host).
    pub(crate) fn on_host(&self, path: &Path) -> PathBuf {
        self.host_root.join(path.strip_prefix("/").unwrap_or(path))
    }

    /// The system storage.conf's `rootless_storage_path`, if it has one.
    pub(crate) fn system_storage_path(&self) -> Result<Option<String>, Error> {
        for rel in SYSTEM_CONFS {
            let path = self.host_root.join(rel);
            let Some(file) = read_root_file(&path, MAX_STORAGE_CONF)? else {
                continue;
            };
            return StorageConf::parse_system(&file.bytes, &path.display().to_string());
        }
        Ok(None)
    }

    /// The user's own storage.conf: `~/.config/containers/storage.conf`
    /// (the caller's `$XDG_CONFIG_HOME/containers/storage.conf`, when not
    /// root), read as a state file beneath that directory is.
    pub(crate) fn user_conf(
        &self,
        user: &User,
        home: Option<&StateDir>,
    ) -> Result<Option<UserConf>, Error> {
        let own_config = self.only.as_ref().and_then(|me| me.config_home.clone());
        let config_dir;
        let (dir, rel) = match own_config {
            Some(config) => match StateDir::open_owned(&self.on_host(&config), user.uid)? {
                Some(dir) => {
                    config_dir = dir;
                    (&config_dir, "containers/storage.conf")
                }
                None => return Ok(None),
            },
            None => match home {
                Some(home) => (home, USER_CONF),
                None => return Ok(None),
            },
        };
        let Some(file) = dir.read(rel, MAX_STORAGE_CONF)? else {
            return Ok(None);
        };
        let name = dir.display(rel);
        Ok(Some(UserConf {
            conf: StorageConf::parse(&file.bytes, &name)?,
            file: name,
        }))
    }

    /// The user's graph root, opened; `None` when there is none.
    pub(crate) fn graphroot(
        &self,
        store: &UserStore<'_>,
        system_path: Option<&str>,
    ) -> Result<Option<StateDir>, Error> {
        let conf = store.conf.map(|c| &c.conf);
        let configured = [
            conf.and_then(|c| c.graphroot.as_deref())
                .map(|v| (v, "graphroot", store.conf)),
            conf.and_then(|c| c.rootless_storage_path.as_deref())
                .map(|v| (v, "rootless_storage_path", store.conf)),
            system_path.map(|v| (v, "rootless_storage_path", None)),
        ];
        if let Some((value, key, from)) = configured.into_iter().flatten().next() {
            let path = self.configured_path(store.user, value, key, from)?;
            return self.open_configured(store, &path, from);
        }
        let own_data = self.only.as_ref().and_then(|me| me.data_home.clone());
        match (own_data, store.home) {
            (Some(data), _) => match StateDir::open_owned(&self.on_host(&data), store.user.uid)? {
                Some(base) => base.subdir("containers/storage"),
                None => Ok(None),
            },
            (None, Some(home)) => home.subdir(".local/share/containers/storage"),
            (None, None) => Ok(None),
        }
    }

    /// The user's run root, opened; `None` when there is none.
    pub(crate) fn runroot(&self, store: &UserStore<'_>) -> Result<Option<StateDir>, Error> {
        let user = store.user;
        if let Some(conf) = store.conf {
            if let Some(value) = &conf.conf.runroot {
                let path = self.configured_path(user, value, "runroot", Some(conf))?;
                return self.open_configured(store, &path, Some(conf));
            }
        }
        let own_runtime = self.only.as_ref().and_then(|me| me.runtime_dir.clone());
        let tmp = match store.conf {
            Some(_) => format!("/tmp/containers-user-{}", user.uid),
            None => format!("/tmp/podman-run-{}", user.uid),
        };
        let candidates = match own_runtime {
            Some(dir) => vec![dir],
            None => vec![
                PathBuf::from(format!("/run/user/{}", user.uid)),
                PathBuf::from(tmp),
            ],
        };
        for dir in candidates {
            if let Some(dir) = StateDir::open_owned(&self.on_host(&dir), user.uid)? {
                if let Some(run) = dir.subdir("containers")? {
                    return Ok(Some(run));
                }
            }
        }
        Ok(None)
    }

    /// A path a storage.conf gives, expanded as Podman expands it for
    /// this user; an error names the file when root cannot tell where.
    fn configured_path(
        &self,
        user: &User,
        value: &str,
        key: &str,
        from: Option<&UserConf>,
    ) -> Result<PathBuf, Error> {
        let vars = Expansions {
            uid: user.uid,
            home: &user.home,
            user: &user.name,
        };
        expand(value, &vars).map_err(|why| {
            Error::msg(format!(
                "cannot tell where user {}'s store is: {key} in {} is {value:?}, and {why}",
                user.name,
                conf_name(from)
            ))
        })
    }

    /// A directory a storage.conf names for the user's store, opened with
    /// no symlink followed: beneath their home through it; elsewhere from
    /// the host's root, and only a directory that user owns.
    fn open_configured(
        &self,
        store: &UserStore<'_>,
        path: &Path,
        from: Option<&UserConf>,
    ) -> Result<Option<StateDir>, Error> {
        let user = store.user;
        if let (Some(home), Ok(rel)) = (store.home, path.strip_prefix(&user.home)) {
            return match rel.to_str() {
                Some("") => home.subdir("."),
                Some(rel) => home.subdir(rel),
                None => Ok(None),
            };
        }
        let Some(root) = StateDir::open(&self.host_root)? else {
            return Ok(None);
        };
        let rel = path.strip_prefix("/").unwrap_or(path);
        let Some(dir) = rel
            .to_str()
            .map(|rel| root.subdir(rel))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        match dir.owner()? {
            owner if owner == user.uid => Ok(Some(dir)),
            owner => Err(Error::msg(format!(
                "{} names {} for user {}'s store, but it is not theirs (its owner is uid {owner}); refusing to read it",
                conf_name(from),
                dir.path().display(),
                user.name
            ))),
        }
    }
}

/// The storage.conf that named a place, for messages.
fn conf_name(from: Option<&UserConf>) -> String {
    match from {
        Some(conf) => conf.file.clone(),
        None => "the system's storage.conf".to_string(),
    }
}

#[cfg(test)]
#[path = "rootless_store_tests.rs"]
mod tests;

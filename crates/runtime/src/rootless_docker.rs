//! Every user's rootless Docker (`dockerd-rootless.sh`). Each user's
//! daemon keeps Docker's state files in their own directories: the data
//! root under their home (`~/.local/share/docker`, or
//! `$XDG_DATA_HOME/docker`), the exec root in their runtime directory
//! (`$XDG_RUNTIME_DIR/docker`, `/run/user/UID/docker` where a login made
//! it), with its containerd's task bundles under
//! `docker/containerd/daemon/io.containerd.runtime.v2.task/moby`.
//!
//! The files are read as Docker's are (`DockerState`), as that user's:
//! their directories must be theirs, nothing beneath them is reached
//! through a symlink, and every container is entered only if its live
//! process is in a user namespace that user made (rootless Docker runs its
//! containers in the user namespace of its daemon), besides its start time,
//! its shim and its cgroup where it has one. So a planted file can at
//! worst name another process of that user's own namespaces.
//!
//! The users are those rootless Podman's lookup reads ([`RootlessPodman`]
//! chooses them: every user of the host's passwd for root, the caller
//! otherwise, or one user named by an address or a `pid:`).

use super::docker_state::{DockerState, StateOwner, TASKS_V2};
use super::rootless::{scan_each, Narrowed, RootlessPodman, User};
use super::scan::{Hint, Scan, Source};
use super::Container;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// Where a user's rootless dockerd keeps its state, under their data home
/// and their runtime directory.
const DATA_ROOT: &str = "docker";
const TASKS: &str = "docker/containerd/daemon";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootlessDocker {
    /// The users whose daemons are looked at, chosen as for rootless
    /// Podman.
    pub users: RootlessPodman,
}

impl RootlessDocker {
    /// The same, reading only `user`'s state.
    pub fn narrowed(&self, user: Narrowed) -> RootlessDocker {
        RootlessDocker {
            users: self.users.narrowed(user),
        }
    }

    /// A user's rootless Docker state: their data home
    /// (`~/.local/share`), their runtime directory (`/run/user/UID`), or
    /// the caller's own `XDG_DATA_HOME` and `XDG_RUNTIME_DIR`.
    fn state_of(&self, user: &User) -> DockerState {
        let own = self.users.only.as_ref();
        let data_home = match own.and_then(|me| me.data_home.clone()) {
            Some(data) => data,
            None => user.home.join(".local/share"),
        };
        let runtime_dir = match own.and_then(|me| me.runtime_dir.clone()) {
            Some(dir) => dir,
            None => PathBuf::from(format!("/run/user/{}", user.uid)),
        };
        let (data_home, runtime_dir) = (
            self.users.on_host(&data_home),
            self.users.on_host(&runtime_dir),
        );
        DockerState {
            data_root: data_home.join(DATA_ROOT),
            bundle_roots: vec![runtime_dir.join(TASKS).join(TASKS_V2)],
            owner: Some(StateOwner {
                uid: user.uid,
                name: user.name.clone(),
                bases: vec![data_home, runtime_dir],
            }),
        }
    }
}

impl Source for RootlessDocker {
    fn describe(&self) -> String {
        "rootless Docker's state files of each user".into()
    }

    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error> {
        scan_each(&self.users.users()?, "rootless Docker", |user| {
            self.state_of(user).scan(hint)
        })
    }

    fn complete(&self, container: Container) -> Result<Container, Error> {
        let owner = container.owner.clone().unwrap_or_default();
        let theirs = self.narrowed(Narrowed::Name(owner.clone())).users.users()?;
        match theirs.first() {
            Some(user) => self.state_of(user).complete(container),
            None => Err(Error::msg(format!(
                "user {owner} of container {} is gone from the host's passwd",
                container.name
            ))),
        }
    }
}

/// Whether `socket` is a rootless dockerd's (`RUNTIME_DIR/docker.sock`),
/// and of whom: the caller's own (their `XDG_RUNTIME_DIR`), or, for root,
/// the user of `/run/user/UID`. `DOCKER_HOST` names it on every rootless
/// Docker user's shell; its containers are then read from that user's
/// state files, which say whose they are.
pub fn socket_owner(socket: &Path, caller: u32, own_runtime_dir: Option<&Path>) -> Option<u32> {
    if socket.file_name()? != "docker.sock" {
        return None;
    }
    let dir = socket.parent()?;
    if caller != 0 {
        return (Some(dir) == own_runtime_dir).then_some(caller);
    }
    dir.strip_prefix("/run/user").ok()?.to_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rootless_daemons_socket_names_its_user() {
        let at = |s: &str, caller: u32, own: Option<&str>| {
            socket_owner(Path::new(s), caller, own.map(Path::new))
        };
        assert_eq!(at("/run/user/1001/docker.sock", 0, None), Some(1001));
        assert_eq!(
            at("/run/user/1001/docker.sock", 1001, Some("/run/user/1001")),
            Some(1001)
        );
        assert_eq!(at("/tmp/u/docker.sock", 1001, Some("/tmp/u")), Some(1001));
        // Another user's socket is not the caller's own rootless Docker.
        assert_eq!(
            at("/run/user/1002/docker.sock", 1001, Some("/run/user/1001")),
            None
        );
        for other in [
            "/var/run/docker.sock",
            "/run/user/1001/x/docker.sock",
            "/run/user/1001/podman.sock",
        ] {
            assert_eq!(at(other, 0, None), None, "{other}");
        }
    }
}

//! Finding containers, whatever runs them: each runtime produces the same
//! [`Container`] description, so the entering code never changes for one.
//!
//! - Docker: its state files (`/var/lib/docker/containers`, the OCI bundle)
//!   or its Engine API ([`docker`]), the daemon needed for neither;
//! - containerd, and Kubernetes pods on it: the task state directories;
//! - Podman and CRI-O: containers/storage's state directories, or Podman's
//!   Docker-compatible API;
//! - `pid:N`: any process.
//!
//! [`lookup`] turns an address (`web`, `docker:web`, `k8s:ns/pod/ctr`...)
//! into one container or an error that lists the candidates.
#![forbid(unsafe_code)]

mod containerd;
mod cri;
pub mod docker;
mod docker_state;
#[cfg(test)]
mod fake_daemon;
pub mod http;
pub mod idmap;
mod inspect;
pub mod live;
pub mod lookup;
mod rfc3339;
pub mod rootless;
pub mod rootless_docker;
mod rootless_store;
pub mod scan;
pub mod sources;
mod start;
pub mod statedir;
mod storage;
mod storage_conf;
mod suggest;
mod unclaimed_process;

// The layers below, under the names this crate's modules use.
use nsenter_can_plan::{error, plan, shell};
use nsenter_can_sys as sys;
use nsenter_can_target as target;

use crate::error::Error;

// The description of a container, and what the command line says about
// finding one, are plain data below the command lines.
pub use docker::Docker;
pub use lookup::{Found, Listing, Lookup};
pub use nsenter_can_plan::container::{
    address, cgroup_name, list, oci, short_id, Address, BundleFacts, Container, ContainerState,
    PodRef, ReadFrom, RuntimeKind, SourceOptions, StateFiles,
};
pub use rfc3339::unix_millis;

/// Refuse a container that cannot be entered now, saying why and what
/// makes it enterable, in its runtime's words.
/// What `ctr task exec` says of a task that has stopped.
pub const CTR_STOPPED: &str = "cannot exec in a stopped state";

pub fn require_running(query: &str, container: &Container) -> Result<(), Error> {
    let who = container.display(query);
    // A containerd task that has stopped (its files left behind) is refused
    // in `ctr`'s words, then the way to start it.
    let stopped = |what: String| {
        let what = match container.runtime {
            RuntimeKind::Containerd => format!("{what}: {CTR_STOPPED}"),
            _ => what,
        };
        match start::start_advice(container) {
            Some(advice) => Error::msg(format!("{what}; {advice}")),
            None => Error::msg(what),
        }
    };
    match &container.state {
        ContainerState::Running if container.pid > 0 => Ok(()),
        ContainerState::Running => Err(Error::msg(format!(
            "container {who} is running but has no process ID"
        ))),
        ContainerState::Paused => Err(Error::msg(match start::unpause_command(container) {
            Some(unpause) => format!("container {who} is paused; unpause it first: {unpause}"),
            None => format!("container {who} is paused, unpause it first"),
        })),
        ContainerState::Restarting => Err(Error::msg(format!(
            "container {who} is restarting, wait until it is running"
        ))),
        ContainerState::Stopped { status } if status.is_empty() => {
            Err(stopped(format!("container {who} is not running")))
        }
        ContainerState::Stopped { status } => Err(stopped(format!(
            "container {who} is not running ({status})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(state: ContainerState, pid: i32) -> Container {
        Container {
            id: "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349".into(),
            name: "web".into(),
            state,
            pid,
            ..Container::default()
        }
    }

    fn refusal(query: &str, state: ContainerState, pid: i32) -> String {
        require_running(query, &container(state, pid))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn only_a_running_container_with_a_pid_passes() {
        assert!(require_running("web", &container(ContainerState::Running, 42)).is_ok());
        assert_eq!(
            refusal("web", ContainerState::Running, 0),
            "container web is running but has no process ID"
        );
    }

    #[test]
    fn refusals_name_the_container_as_typed_and_by_name() {
        assert_eq!(
            refusal("web", ContainerState::Paused, 42),
            "container web is paused; unpause it first: docker unpause web"
        );
        assert_eq!(
            refusal("fd55", ContainerState::Restarting, 0),
            "container fd55 (web) is restarting, wait until it is running"
        );
        let exited = ContainerState::Stopped {
            status: "exited".into(),
        };
        assert_eq!(
            refusal("web", exited, 0),
            "container web is not running (exited); start it with: docker start web"
        );
        let unknown = ContainerState::Stopped {
            status: String::new(),
        };
        assert_eq!(
            refusal("fd5", unknown, 0),
            "container fd5 (web) is not running; start it with: docker start web"
        );
    }
}

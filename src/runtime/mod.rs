//! Finding containers: what entering needs to know about one, behind a small
//! interface so other runtimes (containerd, CRI, Podman, daemon-less state
//! readers) can be added without touching the entering code.

pub mod docker;
#[cfg(test)]
mod fake_daemon;
pub mod http;
mod inspect;
mod rfc3339;

use crate::error::Error;
use crate::plan::Identity;

pub use docker::Docker;
pub use rfc3339::unix_millis;

/// What entering needs to know about a container, whatever runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The full ID.
    pub id: String,
    /// The name without Docker's leading '/'.
    pub name: String,
    pub state: ContainerState,
    /// The container's init process as seen from the host; 0 when none.
    pub pid: i32,
    /// Facts checked through the pidfd before entering (security rule 1).
    pub identity: Identity,
    /// `Config.User`: the default for `-u` (`name|uid[:group|gid]`).
    pub user: String,
    /// `Config.WorkingDir`: empty means "/".
    pub working_dir: String,
    /// `Config.Env`: the baseline environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// `Config.Hostname`: docker exec sets `HOSTNAME` to it.
    pub hostname: String,
    /// Groups the runtime adds to every process (`--group-add`); docker exec
    /// applies them too. Names or numeric ids, resolved in the container.
    pub group_add: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    Running,
    Paused,
    Restarting,
    /// Created, exited, dead, being removed: the runtime's word for it.
    Stopped {
        status: String,
    },
}

/// A source of containers: one per runtime.
pub trait Runtime {
    /// Where containers come from, for messages: "Docker daemon at /var/run/docker.sock".
    fn describe(&self) -> String;
    /// The container a name, full ID or unique ID prefix names.
    fn find(&self, query: &str) -> Result<Container, Error>;
}

impl Container {
    /// How to name the container in a message: as the user typed it, and by
    /// name when that differs (an ID prefix says little).
    pub fn display(&self, query: &str) -> String {
        if query == self.name || self.name.is_empty() {
            query.to_string()
        } else {
            format!("{query} ({})", self.name)
        }
    }
}

/// Refuse a container that cannot be entered now, saying why.
pub fn require_running(query: &str, container: &Container) -> Result<(), Error> {
    let who = container.display(query);
    match &container.state {
        ContainerState::Running if container.pid > 0 => Ok(()),
        ContainerState::Running => Err(Error::msg(format!(
            "container {who} is running but has no process ID"
        ))),
        ContainerState::Paused => Err(Error::msg(format!(
            "container {who} is paused, unpause it first"
        ))),
        ContainerState::Restarting => Err(Error::msg(format!(
            "container {who} is restarting, wait until it is running"
        ))),
        ContainerState::Stopped { status } if status.is_empty() => {
            Err(Error::msg(format!("container {who} is not running")))
        }
        ContainerState::Stopped { status } => Err(Error::msg(format!(
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
            identity: Identity::default(),
            user: String::new(),
            working_dir: String::new(),
            env: Vec::new(),
            hostname: String::new(),
            group_add: Vec::new(),
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
            "container web is paused, unpause it first"
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
            "container web is not running (exited)"
        );
        let unknown = ContainerState::Stopped {
            status: String::new(),
        };
        assert_eq!(
            refusal("fd5", unknown, 0),
            "container fd5 (web) is not running"
        );
    }
}

//! A Docker-compatible description (`GET /containers/{id}/json`, also
//! served by Podman; or Docker's own `config.v2.json` on disk) turned into a
//! runtime-neutral [`Container`].

use super::cri::pod_of_docker_labels;
use super::oci::{strings, text};
use super::{rfc3339, Container, ContainerState, RuntimeKind};
use crate::error::Error;
use crate::plan::Identity;
use serde_json::Value;

/// Read the fields entering needs; absent optional fields (Podman sends some
/// as null) become empty, but an answer without an ID or state is refused.
pub(crate) fn container_from_inspect(v: &Value) -> Result<Container, Error> {
    let state = &v["State"];
    let status = text(&state["Status"]);
    docker_container(v, "Id", status, strings(&v["HostConfig"]["GroupAdd"])).map_err(|field| {
        Error::msg(format!(
            "container description from the daemon has no valid {field}"
        ))
    })
}

/// The same from Docker's `config.v2.json`, which has `ID` and no status
/// text (the API derives it from the flags, as done here), and keeps
/// `--group-add` in `hostconfig.json` beside it.
pub(crate) fn container_from_config_v2(v: &Value, file: &str) -> Result<Container, Error> {
    let state = &v["State"];
    let flag = |name: &str| state[name].as_bool().unwrap_or(false);
    let status = if flag("Dead") {
        "dead"
    } else if flag("RemovalInProgress") {
        "removing"
    } else if started_at(&state["StartedAt"]).is_none() {
        "created"
    } else {
        "exited"
    };
    docker_container(v, "ID", status.to_string(), Vec::new())
        .map_err(|field| Error::msg(format!("{file} has no valid {field}")))
}

/// The fields both forms share; Err names the field that is missing.
fn docker_container(
    v: &Value,
    id_field: &'static str,
    status: String,
    group_add: Vec<String>,
) -> Result<Container, &'static str> {
    let id = v[id_field]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or(id_field)?;
    let state = &v["State"];
    if !state.is_object() {
        return Err("State");
    }
    let pid = state["Pid"].as_i64().unwrap_or(0);
    let pid = i32::try_from(pid).map_err(|_| "State.Pid")?;
    let config = &v["Config"];
    let (pod, sandbox) = match pod_of_docker_labels(&config["Labels"]) {
        Some((pod, sandbox)) => (Some(pod), sandbox),
        None => (None, false),
    };
    Ok(Container {
        runtime: RuntimeKind::Docker,
        id: id.to_string(),
        name: text(&v["Name"]).trim_start_matches('/').to_string(),
        image: text(&config["Image"]),
        pod,
        sandbox,
        state: container_state(state, status),
        pid,
        identity: Identity {
            started_unix_ms: started_at(&state["StartedAt"]),
            // Docker (and Podman) name the container's cgroup after its
            // full ID.
            cgroup_id: Some(id.to_string()),
            in_container: true,
            ..Identity::default()
        },
        user: text(&config["User"]),
        working_dir: text(&config["WorkingDir"]),
        env: strings(&config["Env"]),
        hostname: text(&config["Hostname"]),
        group_add,
        ..Container::default()
    })
}

fn container_state(state: &Value, status: String) -> ContainerState {
    // A paused or restarting container also reports Running: true, so the
    // more specific flags are looked at first.
    let flag = |name: &str| state[name].as_bool().unwrap_or(false);
    if flag("Paused") {
        ContainerState::Paused
    } else if flag("Restarting") {
        ContainerState::Restarting
    } else if flag("Running") {
        ContainerState::Running
    } else {
        ContainerState::Stopped { status }
    }
}

/// Go's zero time ("0001-01-01T00:00:00Z") means "never started".
fn started_at(v: &Value) -> Option<i64> {
    let text = v.as_str()?;
    if text.starts_with("0001-01-01") {
        return None;
    }
    rfc3339::unix_millis(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(json: &str) -> Container {
        container_from_inspect(&serde_json::from_str(json).unwrap()).unwrap()
    }

    const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    #[test]
    fn running_container_with_user_workdir_env_hostname() {
        // docker run -d --name rt-run --hostname web1 -u alice -w /tmp -e 'FOO=a b' IMG sleep 100000
        let c = recorded(include_str!("testdata/inspect-run.json"));
        assert_eq!(
            c.id,
            "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349"
        );
        assert_eq!(c.name, "rt-run");
        assert_eq!((c.state, c.pid), (ContainerState::Running, 4905));
        assert_eq!(
            (c.user.as_str(), c.working_dir.as_str(), c.hostname.as_str()),
            ("alice", "/tmp", "web1")
        );
        assert_eq!(c.env, ["FOO=a b", PATH]);
        assert!(c.group_add.is_empty());
        assert_eq!(c.identity.cgroup_id.as_deref(), Some(c.id.as_str()));
        assert_eq!(
            c.identity.started_unix_ms,
            rfc3339::unix_millis("2026-11-29T02:53:48.275Z")
        );
    }

    #[test]
    fn paused_container_is_paused_not_running() {
        let c = recorded(include_str!("testdata/inspect-paused.json"));
        assert_eq!(
            (c.name.as_str(), c.state, c.pid),
            ("rt-paused", ContainerState::Paused, 4970)
        );
        assert_eq!(
            (c.user.as_str(), c.working_dir.as_str(), c.hostname.as_str()),
            ("", "", "8bbbe60ed9c1")
        );
    }

    #[test]
    fn restarting_container_is_restarting_not_running() {
        let c = recorded(include_str!("testdata/inspect-restart.json"));
        assert_eq!((c.state, c.pid), (ContainerState::Restarting, 0));
    }

    #[test]
    fn exited_container_keeps_its_status() {
        let c = recorded(include_str!("testdata/inspect-stopped.json"));
        assert_eq!(
            (c.state, c.pid),
            (
                ContainerState::Stopped {
                    status: "exited".into()
                },
                0
            )
        );
    }

    #[test]
    fn group_add_is_read() {
        // docker run -d --name rt-ga --group-add audio --group-add 777 -u bob IMG sleep 100000
        let c = recorded(include_str!("testdata/inspect-ga.json"));
        assert_eq!(
            (c.user.as_str(), c.group_add.as_slice()),
            ("bob", &["audio".to_string(), "777".to_string()][..])
        );
    }

    #[test]
    fn nulls_become_empty_and_never_started_has_no_start_time() {
        let v = serde_json::json!({
            "Id": "abc", "Name": "/x",
            "State": {"Status": "created", "Running": false, "Pid": 0, "StartedAt": "0001-01-01T00:00:00Z"},
            "Config": {"User": null, "Env": null}, "HostConfig": {"GroupAdd": null}
        });
        let c = container_from_inspect(&v).unwrap();
        assert_eq!(
            c.state,
            ContainerState::Stopped {
                status: "created".into()
            }
        );
        assert_eq!(c.identity.started_unix_ms, None);
        assert!(c.env.is_empty() && c.user.is_empty() && c.group_add.is_empty());
    }

    #[test]
    fn answers_without_id_or_state_are_refused() {
        for v in [
            serde_json::json!({"State": {}}),
            serde_json::json!({"Id": "abc"}),
            serde_json::json!([]),
        ] {
            assert!(container_from_inspect(&v).is_err(), "{v}");
        }
        let huge_pid = serde_json::json!({"Id": "a", "State": {"Pid": 1u64 << 40}});
        assert!(container_from_inspect(&huge_pid).is_err());
    }
}

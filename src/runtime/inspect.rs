//! A Docker-compatible inspect answer (`GET /containers/{id}/json`, also
//! served by Podman) turned into a runtime-neutral [`Container`].

use super::{rfc3339, Container, ContainerState};
use crate::error::Error;
use crate::plan::Identity;
use serde_json::Value;

/// Read the fields entering needs; absent optional fields (Podman sends some
/// as null) become empty, but an answer without an ID or state is refused.
pub(crate) fn container_from_inspect(v: &Value) -> Result<Container, Error> {
    let malformed = |field: &str| {
        Error::msg(format!(
            "container description from the daemon has no valid {field}"
        ))
    };
    let id = v["Id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed("Id"))?;
    let state = &v["State"];
    if !state.is_object() {
        return Err(malformed("State"));
    }
    let pid = state["Pid"].as_i64().unwrap_or(0);
    let pid = i32::try_from(pid).map_err(|_| malformed("State.Pid"))?;
    let config = &v["Config"];

    Ok(Container {
        id: id.to_string(),
        name: text(&v["Name"]).trim_start_matches('/').to_string(),
        state: container_state(state),
        pid,
        identity: Identity {
            start_ticks: None,
            started_unix_ms: started_at(&state["StartedAt"]),
            // Docker puts the full ID in every cgroup path of the container.
            cgroup_contains: Some(id.to_string()),
        },
        user: text(&config["User"]),
        working_dir: text(&config["WorkingDir"]),
        env: strings(&config["Env"]),
        hostname: text(&config["Hostname"]),
        group_add: strings(&v["HostConfig"]["GroupAdd"]),
    })
}

fn container_state(state: &Value) -> ContainerState {
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
        ContainerState::Stopped {
            status: text(&state["Status"]),
        }
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

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
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
        assert_eq!(c.identity.cgroup_contains.as_deref(), Some(c.id.as_str()));
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

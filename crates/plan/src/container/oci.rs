//! An OCI runtime bundle's `config.json`, as containerd, CRI-O, Podman and
//! Docker write it: the process a runtime's own exec would start (user,
//! environment, directory), the annotations that name Kubernetes pods, and
//! the confinement the runtime asked for.

use super::cgroup_name::cgroups_path_names;
use super::{Container, ReadFrom};
use crate::error::Error;
use crate::plan::{Identity, Parent};
use serde_json::Value;
use std::collections::BTreeMap;

/// What entering needs from a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bundle {
    /// `process.user`: ids the runtime resolved when it started the container.
    pub uid: u32,
    pub gid: u32,
    /// `process.user.additionalGids`: the configured user's supplementary groups.
    pub additional_gids: Vec<u32>,
    /// `process.env`, exactly what `ctr task exec` and CRI exec start with.
    pub env: Vec<String>,
    /// `process.cwd`.
    pub cwd: String,
    /// `hostname`: empty when the spec sets none (the UTS namespace keeps
    /// what it inherited, and the runtime's exec adds no HOSTNAME).
    pub hostname: String,
    pub annotations: BTreeMap<String, String>,
    /// `linux.cgroupsPath`: named after the container ID by every runtime.
    pub cgroups_path: String,
    pub facts: BundleFacts,
}

/// The confinement a bundle asked for, carried as optional facts. They say
/// what the runtime meant at start; what applies is read from the live
/// process when entering (a process may change its own limits), so nothing
/// here is applied as is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BundleFacts {
    /// `process.rlimits`.
    pub rlimits: Vec<Rlimit>,
    /// `process.oomScoreAdj`.
    pub oom_score_adj: Option<i32>,
    /// `process.noNewPrivileges`.
    pub no_new_privileges: bool,
    /// `process.capabilities`, by set.
    pub capabilities: Option<CapabilitySets>,
    /// Whether `linux.seccomp` is present (the filter is read from the process).
    pub seccomp: bool,
    /// `process.apparmorProfile`.
    pub apparmor_profile: String,
    /// `process.selinuxLabel`.
    pub selinux_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rlimit {
    /// "RLIMIT_NOFILE"
    pub kind: String,
    pub soft: u64,
    pub hard: u64,
}

/// Capability names ("CAP_CHOWN") by set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapabilitySets {
    pub bounding: Vec<String>,
    pub effective: Vec<String>,
    pub permitted: Vec<String>,
    pub inheritable: Vec<String>,
    pub ambient: Vec<String>,
}

impl Bundle {
    /// Read a parsed config.json; `file` names it in errors.
    pub fn from_json(v: &Value, file: &str) -> Result<Bundle, Error> {
        let process = &v["process"];
        if !process.is_object() {
            return Err(Error::msg(format!("{file} has no process section")));
        }
        let user = &process["user"];
        let id = |field: &str| -> Result<u32, Error> {
            match &user[field] {
                Value::Null => Ok(0),
                n => n
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        Error::msg(format!("{file}: process.user.{field} is not an id"))
                    }),
            }
        };
        let additional_gids = match &user["additionalGids"] {
            Value::Null => Vec::new(),
            Value::Array(a) => a
                .iter()
                .map(|g| g.as_u64().and_then(|g| u32::try_from(g).ok()))
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| {
                    Error::msg(format!(
                        "{file}: process.user.additionalGids holds a non-id"
                    ))
                })?,
            _ => {
                return Err(Error::msg(format!(
                    "{file}: process.user.additionalGids is not a list"
                )))
            }
        };
        Ok(Bundle {
            uid: id("uid")?,
            gid: id("gid")?,
            additional_gids,
            env: strings(&process["env"]),
            cwd: text(&process["cwd"]),
            hostname: text(&v["hostname"]),
            annotations: v["annotations"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
            cgroups_path: text(&v["linux"]["cgroupsPath"]),
            facts: facts(process, &v["linux"]),
        })
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(String::as_str)
    }

    /// Refuse a bundle whose process could not be told from any other: the
    /// cgroup it asks for must be named after the container (every runtime
    /// does so), since the live process's cgroup is what proves it is the
    /// container's. `file` names the bundle in the refusal.
    pub fn require_cgroup_of(&self, id: &str, file: &str) -> Result<(), Error> {
        if self.cgroups_path.is_empty() {
            return Err(Error::msg(format!(
                "{file} has no linux.cgroupsPath, so no process can be proven to be container {id}'s; refusing to trust it"
            )));
        }
        if !cgroups_path_names(&self.cgroups_path, id) {
            return Err(Error::msg(format!(
                "{file}: linux.cgroupsPath {} is not named after container {id}, so no process can be proven to be its; refusing to trust it",
                self.cgroups_path
            )));
        }
        Ok(())
    }

    /// The container this bundle describes, for task `id` whose pid file
    /// says `pid`, made by `parent`: the bundle's process as the runtime's
    /// own exec would start it. Runtime, names and pod are the caller's to
    /// fill in, and the state comes from the live process.
    pub fn into_container(self, id: &str, pid: Option<i32>, parent: Option<Parent>) -> Container {
        Container {
            read_from: ReadFrom::StateFiles,
            id: id.to_string(),
            pid: pid.unwrap_or(0),
            identity: Identity {
                // containerd (CRI and ctr), CRI-O and Podman all name the
                // container's cgroup after its ID (see require_cgroup_of).
                cgroup_id: Some(id.to_string()),
                in_container: true,
                parent,
                ..Identity::default()
            },
            user: format!("{}:{}", self.uid, self.gid),
            working_dir: self.cwd,
            // Their exec adds no HOSTNAME (CRI-O and Podman put one in the
            // process's environment themselves).
            env: self.env,
            user_groups: Some(self.additional_gids),
            facts: Some(self.facts),
            ..Container::default()
        }
    }
}

fn facts(process: &Value, linux: &Value) -> BundleFacts {
    let rlimits = process["rlimits"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    Some(Rlimit {
                        kind: r["type"].as_str()?.to_string(),
                        soft: r["soft"].as_u64()?,
                        hard: r["hard"].as_u64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let caps = &process["capabilities"];
    BundleFacts {
        rlimits,
        oom_score_adj: process["oomScoreAdj"]
            .as_i64()
            .and_then(|n| i32::try_from(n).ok()),
        no_new_privileges: process["noNewPrivileges"].as_bool().unwrap_or(false),
        capabilities: caps.is_object().then(|| CapabilitySets {
            bounding: strings(&caps["bounding"]),
            effective: strings(&caps["effective"]),
            permitted: strings(&caps["permitted"]),
            inheritable: strings(&caps["inheritable"]),
            ambient: strings(&caps["ambient"]),
        }),
        seccomp: linux["seccomp"].is_object(),
        apparmor_profile: text(&process["apparmorProfile"]),
        selinux_label: text(&process["selinuxLabel"]),
    }
}

pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

pub fn strings(v: &Value) -> Vec<String> {
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

    fn bundle(json: &str) -> Bundle {
        Bundle::from_json(&serde_json::from_str(json).unwrap(), "config.json").unwrap()
    }

    #[test]
    fn docker_bundle_as_recorded() {
        // docker run -d --hostname web1 -u 1000:1000 -w /tmp -e 'FOO=a b'
        //   --group-add 777 --ulimit nofile=1234:5678 IMG sleep 100000
        let b = bundle(include_str!(
            "../../../runtime/src/testdata/bundle-docker.json"
        ));
        assert_eq!((b.uid, b.gid), (1000, 1000));
        assert_eq!(b.additional_gids, [1000, 777]);
        assert_eq!(b.cwd, "/tmp");
        assert_eq!(b.hostname, "web1");
        assert!(b.env.contains(&"FOO=a b".to_string()));
        assert!(b
            .cgroups_path
            .ends_with("65318d6ee650779dbcf45336235540306fe06326ea48377b6d47f1c24d7436f8"));
        assert_eq!(
            b.facts.rlimits,
            [Rlimit {
                kind: "RLIMIT_NOFILE".into(),
                soft: 1234,
                hard: 5678
            }]
        );
        assert_eq!(b.facts.oom_score_adj, Some(0));
        assert!(b.facts.seccomp);
        let caps = b.facts.capabilities.unwrap();
        assert_eq!(caps.bounding.len(), 14);
        assert!(caps.ambient.is_empty());
    }

    #[test]
    fn containerd_bundle_with_cri_annotations() {
        // ctr run -d --annotation io.kubernetes.cri.* --cwd /tmp --env FOO=bar IMG app1 sleep 100000
        let b = bundle(include_str!(
            "../../../runtime/src/testdata/bundle-containerd.json"
        ));
        assert_eq!(
            (b.uid, b.gid, b.additional_gids.as_slice()),
            (0, 0, &[0][..])
        );
        assert_eq!(b.hostname, "");
        assert_eq!(
            b.annotation("io.kubernetes.cri.container-name"),
            Some("app")
        );
        assert_eq!(b.cgroups_path, "/k8s.io/app1");
        assert!(b.facts.no_new_privileges);
    }

    #[test]
    fn malformed_users_are_refused_naming_the_file() {
        for json in [
            r#"{"process": {"user": {"uid": -1}}}"#,
            r#"{"process": {"user": {"uid": 4294967296}}}"#,
            r#"{"process": {"user": {"additionalGids": ["x"]}}}"#,
            r#"{"process": {"user": {"additionalGids": 3}}}"#,
            r#"{"noprocess": {}}"#,
            r#"[]"#,
        ] {
            let err = Bundle::from_json(&serde_json::from_str(json).unwrap(), "/s/config.json")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("/s/config.json"), "{json}: {err}");
        }
        // Absent optional parts are empty, not errors.
        let b = bundle(r#"{"process": {}}"#);
        assert_eq!((b.uid, b.env.len(), b.cwd.as_str()), (0, 0, ""));
    }
}

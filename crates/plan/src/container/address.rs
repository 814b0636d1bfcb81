//! The CONTAINER argument: a name, ID or ID prefix looked up in every
//! runtime found, or an address that says where to look.

use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A name, full ID or unique ID prefix, in every runtime.
    Any(String),
    /// `docker:NAME`: a Docker container's name, ID or ID prefix.
    Docker(String),
    /// `podman:NAME`.
    Podman(String),
    /// `podman:USER/NAME`: a container of USER's rootless Podman.
    PodmanOf { owner: String, name: String },
    /// `docker:USER/NAME`: a container of USER's rootless Docker.
    DockerOf { owner: String, name: String },
    /// `containerd:NAMESPACE/ID` (ID or unique prefix).
    Containerd { namespace: String, id: String },
    /// `k8s:NAMESPACE/POD[/CONTAINER]`.
    K8s {
        namespace: String,
        pod: String,
        container: Option<String>,
    },
    /// `pid:N`.
    Pid(i32),
}

const FORMS: &str =
    "docker:[USER/]NAME, podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N";

impl Address {
    pub fn parse(text: &str) -> Result<Address, Error> {
        // No runtime allows ':' in a name or an ID, so a colon means a prefix.
        let Some((kind, rest)) = text.split_once(':') else {
            return name(text, text).map(Address::Any);
        };
        let malformed = |form: &str| {
            Error::msg(format!(
                "malformed container address {text}: expected {form}"
            ))
        };
        match kind {
            // Docker shows names with a leading '/': `podman:/web` is a name.
            "docker" | "podman" => {
                let of_user = rest.split_once('/').filter(|(owner, _)| !owner.is_empty());
                match (kind, of_user) {
                    ("docker", None) => name(rest, text).map(Address::Docker),
                    (_, None) => name(rest, text).map(Address::Podman),
                    ("docker", Some((owner, rest))) => Ok(Address::DockerOf {
                        owner: user_name(owner, text)?,
                        name: name(rest, text)?,
                    }),
                    (_, Some((owner, rest))) => Ok(Address::PodmanOf {
                        owner: user_name(owner, text)?,
                        name: name(rest, text)?,
                    }),
                }
            }
            "containerd" => match parts(rest).as_slice() {
                [ns, id] => Ok(Address::Containerd {
                    namespace: ns.to_string(),
                    id: id.to_string(),
                }),
                _ => Err(malformed("containerd:NAMESPACE/ID")),
            },
            "k8s" => match parts(rest).as_slice() {
                [ns, pod] => Ok(Address::K8s {
                    namespace: ns.to_string(),
                    pod: pod.to_string(),
                    container: None,
                }),
                [ns, pod, ctr] => Ok(Address::K8s {
                    namespace: ns.to_string(),
                    pod: pod.to_string(),
                    container: Some(ctr.to_string()),
                }),
                _ => Err(malformed("k8s:NAMESPACE/POD[/CONTAINER]")),
            },
            "pid" => match rest.parse::<i32>() {
                Ok(pid) if pid > 0 && rest.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Address::Pid(pid))
                }
                _ => Err(malformed("pid:N with N a process ID")),
            },
            _ => Err(Error::msg(format!(
                "unknown runtime '{kind}' in container address {text}: use {FORMS}"
            ))),
        }
    }
}

/// The '/'-separated parts of an address, each a non-empty identifier;
/// anything else gives a list of the wrong length.
fn parts(rest: &str) -> Vec<&str> {
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.iter().all(|p| is_identifier(p)) {
        parts
    } else {
        Vec::new()
    }
}

/// A name, ID or prefix; Docker shows names with a leading '/', accepted.
fn name(text: &str, whole: &str) -> Result<String, Error> {
    let bare = text.strip_prefix('/').unwrap_or(text);
    if is_identifier(bare) {
        Ok(bare.to_string())
    } else {
        Err(Error::msg(format!(
            "invalid container name or ID: {whole:?}"
        )))
    }
}

/// A user's login name, as `useradd` allows them (a subset of what the
/// address's other parts allow).
fn user_name(text: &str, whole: &str) -> Result<String, Error> {
    if is_identifier(text) && text.len() <= 32 {
        Ok(text.to_string())
    } else {
        Err(Error::msg(format!(
            "invalid user name in container address {whole:?}"
        )))
    }
}

/// What every runtime allows in names, IDs, namespaces and pod names:
/// letters, digits, '.', '_' and '-', not starting with '.' or '-' (so
/// never "." or ".."), at most 253 bytes.
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && !text.starts_with(['.', '-'])
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Address {
        Address::parse(text).unwrap()
    }

    fn err(text: &str) -> String {
        Address::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_form() {
        assert_eq!(ok("web"), Address::Any("web".into()));
        assert_eq!(ok("/web"), Address::Any("web".into()));
        assert_eq!(ok("3f2a"), Address::Any("3f2a".into()));
        assert_eq!(ok("docker:web"), Address::Docker("web".into()));
        assert_eq!(ok("docker:/web"), Address::Docker("web".into()));
        assert_eq!(ok("podman:db_1"), Address::Podman("db_1".into()));
        assert_eq!(ok("podman:/db_1"), Address::Podman("db_1".into()));
        assert_eq!(
            ok("podman:alice/web"),
            Address::PodmanOf {
                owner: "alice".into(),
                name: "web".into()
            }
        );
        assert_eq!(
            ok("docker:alice/web"),
            Address::DockerOf {
                owner: "alice".into(),
                name: "web".into()
            }
        );
        assert_eq!(
            err("podman:a b/web"),
            "invalid user name in container address \"podman:a b/web\""
        );
        assert_eq!(
            ok("containerd:k8s.io/abc"),
            Address::Containerd {
                namespace: "k8s.io".into(),
                id: "abc".into()
            }
        );
        assert_eq!(
            ok("k8s:default/web"),
            Address::K8s {
                namespace: "default".into(),
                pod: "web".into(),
                container: None
            }
        );
        assert_eq!(
            ok("k8s:default/web/app"),
            Address::K8s {
                namespace: "default".into(),
                pod: "web".into(),
                container: Some("app".into())
            }
        );
        assert_eq!(ok("pid:42"), Address::Pid(42));
    }

    #[test]
    fn bad_addresses_say_what_is_expected() {
        assert_eq!(
            err("lxc:web"),
            "unknown runtime 'lxc' in container address lxc:web: use docker:[USER/]NAME, podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N"
        );
        assert_eq!(
            err("containerd:abc"),
            "malformed container address containerd:abc: expected containerd:NAMESPACE/ID"
        );
        for bad in [
            "k8s:default",
            "k8s:default/",
            "k8s:/web",
            "k8s:a/b/c/d",
            "k8s:a/../c",
            "containerd:../x",
            "containerd:ns/a/b",
        ] {
            assert!(err(bad).starts_with("malformed container address"), "{bad}");
        }
        for bad in [
            "pid:",
            "pid:0",
            "pid:-1",
            "pid:+3",
            "pid:x",
            "pid:99999999999",
        ] {
            assert_eq!(
                err(bad),
                format!("malformed container address {bad}: expected pid:N with N a process ID")
            );
        }
        for bad in [
            "",
            ".",
            "..",
            "a b",
            "docker:",
            "docker:..",
            "podman:a/b/c",
            "podman:a/..",
            "x\ny",
        ] {
            assert!(
                err(bad).starts_with("invalid container name or ID"),
                "{bad:?}"
            );
        }
    }
}

//! What to type to make a container enterable again, in its runtime's
//! own words: said after refusing a stopped or paused container.

use super::{Container, RuntimeKind};

/// The next step for a stopped container: the command that starts it, or
/// for a pod's container where to see why it stopped (its kubelet starts
/// it again, as the pod's restart policy says).
pub fn start_advice(c: &Container) -> Option<String> {
    if let Some(pod) = &c.pod {
        return Some(format!(
            "its kubelet starts it again if the pod's restartPolicy says so; \
             kubectl -n {} describe pod {} tells why it stopped",
            word(&pod.namespace),
            word(&pod.pod)
        ));
    }
    let command = match c.runtime {
        RuntimeKind::Docker => format!("docker start {}", name(c)),
        RuntimeKind::Podman => format!("podman start {}", name(c)),
        // An exited task stays until it is removed; then the container
        // starts a new one.
        RuntimeKind::Containerd => {
            let ctr = format!("ctr -n {}", word(&c.namespace));
            format!("{ctr} task rm {0} && {ctr} task start -d {0}", word(&c.id))
        }
        RuntimeKind::CriO | RuntimeKind::Process => return None,
    };
    Some(format!("start it with: {command}"))
}

/// The command that unpauses a paused container.
pub fn unpause_command(c: &Container) -> Option<String> {
    match c.runtime {
        RuntimeKind::Docker => Some(format!("docker unpause {}", name(c))),
        RuntimeKind::Podman => Some(format!("podman unpause {}", name(c))),
        RuntimeKind::Containerd => Some(format!(
            "ctr -n {} task resume {}",
            word(&c.namespace),
            word(&c.id)
        )),
        RuntimeKind::CriO | RuntimeKind::Process => None,
    }
}

fn name(c: &Container) -> String {
    word(if c.name.is_empty() { &c.id } else { &c.name })
}

/// A name as a shell needs it (names come from state files a container
/// may have written).
fn word(text: &str) -> String {
    crate::shell::word(std::ffi::OsStr::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PodRef;

    fn of(runtime: RuntimeKind, name: &str) -> Container {
        Container {
            runtime,
            id: "3f2a".into(),
            name: name.into(),
            namespace: "demo".into(),
            ..Container::default()
        }
    }

    #[test]
    fn each_runtime_says_it_its_own_way() {
        let advice = |c: &Container| start_advice(c).unwrap_or_default();
        assert_eq!(
            advice(&of(RuntimeKind::Docker, "web")),
            "start it with: docker start web"
        );
        assert_eq!(
            advice(&of(RuntimeKind::Podman, "it's")),
            r"start it with: podman start 'it'\''s'"
        );
        assert_eq!(
            advice(&of(RuntimeKind::Containerd, "3f2a")),
            "start it with: ctr -n demo task rm 3f2a && ctr -n demo task start -d 3f2a"
        );
        let mut pod = of(RuntimeKind::CriO, "pg");
        pod.pod = Some(PodRef {
            namespace: "default".into(),
            pod: "db".into(),
            container: "pg".into(),
        });
        assert_eq!(
            advice(&pod),
            "its kubelet starts it again if the pod's restartPolicy says so; \
             kubectl -n default describe pod db tells why it stopped"
        );
        assert_eq!(start_advice(&of(RuntimeKind::Process, "")), None);
        assert_eq!(
            unpause_command(&of(RuntimeKind::Containerd, "3f2a")).as_deref(),
            Some("ctr -n demo task resume 3f2a")
        );
    }
}

//! Whether a cgroup path names a container. Every runtime puts a
//! container's processes in a cgroup named after its ID: a path component
//! that is the ID (`/docker/<id>`, `/k8s.io/<id>`, `/kubepods/.../<id>`), or,
//! under systemd, a scope named `<runtime>-<id>.scope` (`docker-`,
//! `libpod-`, `crio-`, `cri-containerd-`); Podman's cgroupfs driver names it
//! `libpod-<id>`. Only a whole component counts: `web` is not in `/n/web2`,
//! nor in `/adv2web`, and conmon's own `libpod-conmon-<id>` is not the
//! container's.

/// The prefixes runtimes put before the ID in a cgroup's name.
const RUNTIME_PREFIXES: [&str; 4] = ["docker-", "libpod-", "crio-", "cri-containerd-"];

/// Whether one component of a cgroup path is container `id`'s cgroup.
pub fn component_names(component: &str, id: &str) -> bool {
    if id.is_empty() {
        return false;
    }
    if component == id {
        return true;
    }
    let name = component.strip_suffix(".scope").unwrap_or(component);
    RUNTIME_PREFIXES
        .iter()
        .any(|prefix| name.strip_prefix(prefix) == Some(id))
}

/// Whether a process whose /proc/PID/cgroup reads `proc_cgroup` is in a
/// cgroup of container `id`, in any hierarchy.
pub fn proc_cgroup_names(proc_cgroup: &str, id: &str) -> bool {
    proc_cgroup.lines().any(|line| {
        // ID:CONTROLLERS:PATH; the path may itself hold ':'.
        let path = line.splitn(3, ':').nth(2).unwrap_or("");
        path.split('/').any(|c| component_names(c, id))
    })
}

/// Whether an OCI bundle's `linux.cgroupsPath` puts container `id` in a
/// cgroup named after it: a path (`/k8s.io/<id>`), or systemd's
/// `SLICE:PREFIX:NAME`, which makes the scope `PREFIX-NAME.scope`.
pub fn cgroups_path_names(cgroups_path: &str, id: &str) -> bool {
    let parts: Vec<&str> = cgroups_path.split(':').collect();
    match parts.as_slice() {
        [_, prefix, name] => component_names(&format!("{prefix}-{name}.scope"), id),
        _ => cgroups_path.split('/').any(|c| component_names(c, id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6b2a4e2e4d1cff8061e4249072541bc0307331b0f06476f2e939e219cccd901c";

    #[test]
    fn whole_components_and_runtime_scopes_name_a_container() {
        for path in [
            format!("0::/docker/{ID}"),
            format!("9:name=systemd:/libpod_parent/libpod-{ID}"),
            format!("0::/system.slice/docker-{ID}.scope"),
            format!("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-{ID}.scope"),
            format!("4:memory:/kubepods/besteffort/pod1/crio-{ID}"),
            format!("0::/machine.slice/libpod-{ID}.scope/container"),
        ] {
            assert!(proc_cgroup_names(&path, ID), "{path}");
        }
        assert!(proc_cgroup_names("8:pids:/k8s.io/web\n0::/", "web"));
    }

    #[test]
    fn part_of_a_name_never_does() {
        for (path, id) in [
            ("0::/n/web2", "web"),
            ("0::/n/adv2web", "web"),
            ("0::/n/web.scope", "web"),
            ("0::/system.slice/cron.service", "cron"),
            (&format!("0::/libpod_parent/libpod-conmon-{ID}") as &str, ID),
            (&format!("0::/docker/{ID}x") as &str, ID),
            (&format!("0::/docker/{}", &ID[..12]) as &str, ID),
            ("0::/", ""),
        ] {
            assert!(!proc_cgroup_names(path, id), "{path} names {id}");
        }
        // An ID prefix names nothing either.
        assert!(!proc_cgroup_names(&format!("0::/docker/{ID}"), &ID[..12]));
    }

    #[test]
    fn bundles_name_the_cgroup_they_ask_for() {
        assert!(cgroups_path_names("/k8s.io/app1", "app1"));
        assert!(cgroups_path_names(&format!("/docker/{ID}"), ID));
        assert!(cgroups_path_names(&format!("system.slice:docker:{ID}"), ID));
        assert!(cgroups_path_names(
            "kubepods-besteffort-pod1.slice:cri-containerd:app1",
            "app1"
        ));
        assert!(!cgroups_path_names("/k8s.io/app12", "app1"));
        assert!(!cgroups_path_names("system.slice:custom:app1", "app1"));
        assert!(!cgroups_path_names("", "app1"));
        assert!(!cgroups_path_names("/none", "app1"));
    }
}

//! Rootless containers (issue 20): each entry sits beside `podman exec`
//! as its oracle. The probe's output (user, capabilities, seccomp,
//! no_new_privs, ID maps) must be the same for docker-enter as for Podman.

mod common;

use common::docker_enter::{docker_enter, stderr, stdout};
use common::podman::PodmanContainer;
use common::rootless::{podman_exec, RootlessUser, IMAGE};

/// What the program is and may do, in the container's own terms.
const CREDS_PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                           cat /proc/self/uid_map /proc/self/gid_map";

fn ready() -> bool {
    common::require_root_and(&["podman", "useradd", "setpriv", "docker"])
        && common::require(common::docker_missing().is_none(), "docker is needed")
}

/// docker-enter ARGS, which must succeed; its stdout, trimmed.
fn enter_ok(args: &[&str]) -> String {
    let out = docker_enter(args);
    assert!(
        out.status.success(),
        "docker-enter {args:?}: {}",
        stderr(&out)
    );
    stdout(&out).trim().to_string()
}

/// An empty containers/storage: named with --storage-root, no runtime
/// claims a process, and `pid:` enters it as a bare process.
fn bare_process_store() -> String {
    common::tempdir("empty-store").display().to_string()
}

#[test]
fn pid_of_a_rootless_container_takes_the_ids_its_namespace_gives() {
    if !ready() {
        return;
    }
    let user = RootlessUser::new("p");
    let name = user.run("web", &[]);
    let pid = user.pid(&name).to_string();
    let theirs = podman_exec(&user, &name, CREDS_PROBE);
    assert!(theirs.starts_with("uid=0(root) gid=0(root)\n"), "{theirs}");
    let address = format!("pid:{pid}");
    // Found through the owner's storage, and as a bare process no runtime
    // claims (an empty store named instead).
    let empty = bare_process_store();
    for extra in [&[][..], &["--storage-root", &empty]] {
        let args = [extra, &[&address, "sh", "-c", CREDS_PROBE]].concat();
        assert_eq!(enter_ok(&args), theirs, "{args:?}");
    }
}

#[test]
fn pid_of_a_podman_container_with_a_uid_map_run_by_root() {
    if !ready() {
        return;
    }
    let image = common::podman::load(common::busybox_image::build());
    assert_eq!(image, IMAGE);
    let c = PodmanContainer::run(
        "nsc-rl-uidmap",
        &[
            "--network",
            "none",
            "--uidmap",
            "0:300000:65536",
            "--gidmap",
            "0:300000:65536",
        ],
        &image,
        &["sleep", "100000"],
    );
    let theirs = common::podman::podman_ok(&["exec", &c.name, "sh", "-c", CREDS_PROBE]);
    assert!(theirs.contains("0     300000"), "{theirs}");
    let pid = common::podman::podman_ok(&["inspect", "--format", "{{.State.Pid}}", &c.name]);
    let address = format!("pid:{pid}");
    let empty = bare_process_store();
    for args in [
        vec![c.name.as_str(), "sh", "-c", CREDS_PROBE],
        vec![&address, "sh", "-c", CREDS_PROBE],
        vec!["--storage-root", &empty, &address, "sh", "-c", CREDS_PROBE],
    ] {
        assert_eq!(enter_ok(&args), theirs, "{args:?}");
    }
}

//! docker-enter through Podman's Docker-compatible API. Needs root, Docker
//! (to build the offline test image) and Podman; skips without them, and
//! fails under CI=true, where .ci/run installs podman.

use crate::common;

use common::docker_enter::{image, ready, without_docker_host, CONFIGURED, DOCKER_ENTER};
use common::podman::{load, podman_ok, PodmanContainer};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `podman system service` on a socket of our own, stopped at the end.
struct Service {
    child: Child,
    socket: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[test]
fn enters_a_podman_container_through_its_docker_api() {
    if !ready() || !common::podman::ready() {
        return;
    }
    let image = load(image());
    let c = PodmanContainer::run(
        "nsc-pm",
        &["--hostname", "pmhost"],
        &image,
        &["sleep", "100000"],
    );
    let name = c.name.clone();

    let socket = std::env::temp_dir().join(format!("nsc-podman-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let service = Service {
        child: Command::new("podman")
            .args([
                "system",
                "service",
                "--time=0",
                &format!("unix://{}", socket.display()),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        socket: socket.clone(),
    };
    assert!(
        common::wait_until(Duration::from_secs(20), || service.socket.exists()),
        "podman system service did not start"
    );

    let enter = |args: &[&str]| {
        common::run(
            Command::new(DOCKER_ENTER)
                .args(args)
                .env("DOCKER_HOST", format!("unix://{}", socket.display())),
            b"",
        )
    };
    // What Podman's own exec gives, side by side: host name, user, group
    // and namespaces are the same.
    let probe = "hostname; id -u; id -g; \
                 for f in /proc/self/ns/*; do echo \"$f $(readlink $f)\"; done";
    // Where docker-enter follows docker exec rather than podman exec:
    // - supplementary groups: docker exec lists the primary group among
    //   them, podman exec leaves it out; ours are podman's plus the gid;
    // - HOME: a HOME in the configured environment (Podman writes
    //   HOME=/root there) wins for every user with docker exec; podman exec
    //   gives another user its passwd home.
    let configured_home = podman_ok(&["exec", &name, "sh", "-c", "echo $HOME"]);
    let groups = "id -g; sed -n 's/^Groups:[[:space:]]*//p' /proc/self/status";
    let sorted = |text: &str| -> (String, Vec<String>) {
        let mut lines = text.lines();
        let gid = lines.next().unwrap_or("").to_string();
        let mut ids: Vec<String> = lines
            .flat_map(|l| l.split_whitespace())
            .map(String::from)
            .collect();
        ids.sort();
        ids.dedup();
        (gid, ids)
    };
    for user in [&[][..], &["-u", "alice"][..], &["-u", "1000:1000"][..]] {
        let run_both = |script: &str| {
            let mut args: Vec<&str> = user.to_vec();
            args.extend([name.as_str(), "sh", "-c", script]);
            let theirs = podman_ok(&[&["exec"][..], &args].concat());
            let ours = enter(&args);
            ours.success();
            (theirs, ours.stdout.trim().to_string())
        };
        let (theirs, ours) = run_both(probe);
        assert_eq!(ours, theirs, "docker-enter {user:?}");
        let (theirs, ours) = run_both(groups);
        let (gid, mut expected) = sorted(&theirs);
        expected.push(gid);
        expected.sort();
        expected.dedup();
        assert_eq!(sorted(&ours).1, expected, "groups, docker-enter {user:?}");
        let (_, ours) = run_both("echo $HOME");
        assert_eq!(ours, configured_home, "HOME, docker-enter {user:?}");
    }
    assert_eq!(
        podman_ok(&["exec", &name, "hostname"]),
        "pmhost",
        "set-up: host name"
    );
    let out = enter(&["nsc-pm-no-such", "true"]);
    out.code_is(1)
        .stderr_contains("No such container: nsc-pm-no-such");
}

#[test]
fn enters_a_podman_container_from_its_storage_without_the_service() {
    if !ready() || !common::podman::ready() {
        return;
    }
    let image = load(image());
    let c = PodmanContainer::run(
        "nsc-pm-state",
        &[&["--hostname", "pmh"][..], CONFIGURED].concat(),
        &image,
        &["sleep", "100000"],
    );
    let probe = "id; hostname; pwd; for f in /proc/self/ns/*; do echo \"$f $(readlink $f)\"; done; cat /proc/self/cgroup; env | sort";
    let theirs = podman_ok(&["exec", &c.name, "sh", "-c", probe]);
    for address in [c.name.clone(), format!("podman:{}", c.name)] {
        let out = without_docker_host(&[&address, "sh", "-c", probe]);
        out.success();
        assert_eq!(out.stdout.trim(), theirs, "{address}");
    }
}

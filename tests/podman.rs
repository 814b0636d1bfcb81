//! docker-enter through Podman's Docker-compatible API. Needs root, Docker
//! (to build the offline test image) and Podman; skips without them, and
//! fails under CI=true, where .ci/run installs podman.

mod common;

use common::docker_enter::{image, ready, stderr, stdout, timed, DOCKER_ENTER};
use common::podman::{load, podman_ok, PodmanContainer};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    let deadline = Instant::now() + Duration::from_secs(20);
    while !service.socket.exists() {
        assert!(
            Instant::now() < deadline,
            "podman system service did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let enter = |args: &[&str]| {
        Command::new(DOCKER_ENTER)
            .args(args)
            .env("DOCKER_HOST", format!("unix://{}", socket.display()))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = enter(&[&name, "hostname"]);
    assert_eq!(
        (stdout(&out).as_str(), out.status.code()),
        ("pmhost\n", Some(0)),
        "{}",
        stderr(&out)
    );
    let out = enter(&["-u", "alice", &name, "sh", "-c", "id -u; id -G; echo $HOME"]);
    // Podman writes HOME=/root into the container's configured environment,
    // and a configured HOME wins over the passwd one, as with docker exec.
    assert_eq!(
        stdout(&out),
        "1000\n1000 10 44\n/root\n",
        "{}",
        stderr(&out)
    );
    // The same namespaces as Podman's own exec.
    let probe = "for f in /proc/self/ns/*; do echo \"$f $(readlink $f)\"; done";
    let theirs = podman_ok(&["exec", &name, "sh", "-c", probe]);
    let ours = enter(&[&name, "sh", "-c", probe]);
    assert_eq!(stdout(&ours).trim(), theirs);
    let out = enter(&["nsc-pm-no-such", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("No such container: nsc-pm-no-such"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn enters_a_podman_container_from_its_storage_without_the_service() {
    if !ready() || !common::podman::ready() {
        return;
    }
    let image = load(image());
    let c = PodmanContainer::run(
        "nsc-pm-state",
        &[
            "--hostname",
            "pmh",
            "-u",
            "alice",
            "-w",
            "/tmp",
            "-e",
            "FOO=a b",
        ],
        &image,
        &["sleep", "100000"],
    );
    let probe = "id; hostname; pwd; for f in /proc/self/ns/*; do echo \"$f $(readlink $f)\"; done; cat /proc/self/cgroup; env | sort";
    let theirs = podman_ok(&["exec", &c.name, "sh", "-c", probe]);
    for address in [c.name.clone(), format!("podman:{}", c.name)] {
        let (out, _) = timed(&[&address, "sh", "-c", probe]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), theirs, "{address}");
    }
}

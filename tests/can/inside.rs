//! The tools run from inside a privileged can, against a test container.

use crate::harness::{docker, image, pid_of, privileged, target, Scratch};

const HOSTNAME: &str = "can-test-web";

/// `docker run --rm --privileged --pid=host EXTRA...`, as the issue runs it.
fn privileged_can<'a>(image: &str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--rm", "--pid=host"];
    args.extend_from_slice(privileged(image));
    args.extend_from_slice(extra);
    args
}

#[test]
fn nsenter_in_the_can_enters_a_container() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-nsenter-target", HOSTNAME);
    let pid = pid_of(&target);
    let out = docker(&privileged_can(
        image,
        &[image, "nsenter", "-t", &pid, "-a", "/bin/hostname"],
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("{HOSTNAME}\n"));
}

#[test]
fn docker_enter_in_the_can_enters_a_container() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-docker-enter-target", HOSTNAME);
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let out = docker(&privileged_can(
        image,
        &[
            "-v",
            socket,
            image,
            "docker-enter",
            &target.name,
            "hostname",
        ],
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("{HOSTNAME}\n"));
}

#[test]
fn importenv_in_the_can_sets_the_stored_environment() {
    let Some(image) = image() else {
        return;
    };
    let dir = Scratch::new("importenv");
    std::fs::write(
        dir.path("environ"),
        "GREETING=hello from the can\0PATH=/bin\0",
    )
    .unwrap();
    let environ = format!("{}:/environ:ro", dir.path("environ").display());
    let busybox = "/bin/busybox:/busybox:ro";
    let out = docker(&[
        "run",
        "--rm",
        "-v",
        &environ,
        "-v",
        busybox,
        image,
        "importenv",
        "/environ",
        "/busybox",
        "env",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines: Vec<String> = out.stdout_text().lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(lines, ["GREETING=hello from the can", "PATH=/bin"]);
}

/// As on a Kubernetes node through `kubectl debug node/...`: the host's root
/// at /host, the host's PIDs, no daemon socket. docker-enter finds /host and
/// reads the runtimes' state files there.
#[test]
fn docker_enter_in_the_can_finds_containers_under_the_hosts_root() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-host-root-target", HOSTNAME);
    let out = docker(&privileged_can(
        image,
        &[
            "-v",
            "/:/host:ro",
            image,
            "docker-enter",
            &target.name,
            "hostname",
        ],
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("{HOSTNAME}\n"));
    let out = docker(&privileged_can(
        image,
        &[
            "-v",
            "/:/host:ro",
            image,
            "docker-enter",
            "--list",
            "--format",
            "{{.Address}}",
        ],
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed = out.stdout_text();
    assert!(
        listed
            .lines()
            .any(|l| l == format!("docker:{}", target.name)),
        "{listed}"
    );
}

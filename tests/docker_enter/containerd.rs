//! docker-enter with containerd and Kubernetes pods, from containerd's task
//! state, against a containerd of the test's own (pods are made with `ctr
//! run --annotation`, as the CRI plugin annotates them); and `--list`
//! across Docker, containerd and Podman in one run.

use crate::common;

use common::docker_enter::{image, ready, sleeping};
use common::podman::{load, PodmanContainer};
use common::private_daemon::PrivateContainerd;
use std::process::Command;

/// What the program sees: user, host name, directory, cgroups, environment.
const PROBE: &str = "id; hostname; pwd; cat /proc/self/cgroup; env | sort";

/// A pod default/web as the CRI plugin annotates one: a sandbox and two
/// application containers, `app` and `sidecar`.
fn pod(c: &PrivateContainerd, suffix: &str) -> [String; 3] {
    let ids = ["pause", "app", "side"].map(|n| format!("{n}-{suffix}"));
    let cri = |kind: &'static str, name: &'static str| {
        let mut a = vec![
            ("io.kubernetes.cri.container-type", kind),
            ("io.kubernetes.cri.sandbox-namespace", "default"),
            ("io.kubernetes.cri.sandbox-name", "web"),
        ];
        if !name.is_empty() {
            a.push(("io.kubernetes.cri.container-name", name));
        }
        a
    };
    let sleep = ["sleep", "100000"];
    c.run("k8s.io", &ids[0], &cri("sandbox", ""), image(), &sleep);
    c.run("k8s.io", &ids[1], &cri("container", "app"), image(), &sleep);
    c.run(
        "k8s.io",
        &ids[2],
        &cri("container", "sidecar"),
        image(),
        &sleep,
    );
    ids
}

#[test]
fn containerd_and_k8s_addresses_give_what_ctr_task_exec_gives() {
    if !ready() {
        return;
    }
    let c = PrivateContainerd::start(image());
    let ids = pod(&c, &std::process::id().to_string());
    let theirs = c.ctr_ok(
        "k8s.io",
        &[
            "task",
            "exec",
            "--exec-id",
            "probe",
            &ids[1],
            "sh",
            "-c",
            PROBE,
        ],
    );
    for address in [
        format!("containerd:k8s.io/{}", ids[1]),
        "k8s:default/web/app".into(),
    ] {
        let out = c.docker_enter(&[&address, "sh", "-c", PROBE]);
        out.success();
        assert_eq!(out.stdout.trim(), theirs, "{address}");
    }

    let refused = |args: &[&str], message: &str| {
        let out = c.docker_enter(args);
        assert_eq!(
            (out.stderr.clone(), out.stdout.clone(), out.code()),
            (format!("docker-enter: {message}\n"), String::new(), Some(1)),
            "{args:?}"
        );
    };
    refused(
        &["k8s:default/web", "true"],
        "pod default/web has several containers: k8s:default/web/app, k8s:default/web/sidecar; name one",
    );
    let sandbox = format!("containerd:k8s.io/{}", ids[0]);
    refused(
        &[&sandbox, "true"],
        &format!("{sandbox} is the sandbox (pause) container of pod default/web, which is never entered; name an application container: k8s:default/web/CONTAINER"),
    );
    refused(
        &["k8s:default/web/nope", "true"],
        "pod default/web has no container nope (it has: app, sidecar)",
    );

    // A container that exists but has stopped.
    c.ctr_ok("k8s.io", &["task", "kill", "-s", "SIGKILL", &ids[2]]);
    let stopped = common::wait_until(std::time::Duration::from_secs(20), || {
        c.docker_enter(&["k8s:default/web/sidecar", "true"])
            .stderr
            .contains("not running")
    });
    assert!(stopped, "the sidecar never showed as stopped");
    refused(
        &["k8s:default/web/sidecar", "true"],
        "container sidecar of pod default/web is not running (exited); its kubelet starts it \
         again if the pod's restartPolicy says so; kubectl -n default describe pod web tells \
         why it stopped",
    );
    // With one container left running, the pod alone names it.
    let out = c.docker_enter(&["k8s:default/web", "hostname"]);
    out.success();
}

/// A containerd task that has exited: the message gives the ctr commands
/// that start it again, and they do, run as printed (with the private
/// containerd's socket in CONTAINERD_ADDRESS, which ctr reads).
#[test]
fn a_stopped_task_says_the_ctr_commands_that_start_it() {
    if !ready() {
        return;
    }
    let c = PrivateContainerd::start(image());
    let id = format!("stopped-{}", std::process::id());
    c.run("default", &id, &[], image(), &["sleep", "100000"]);
    c.ctr_ok("default", &["task", "kill", "-s", "SIGKILL", &id]);
    let address = format!("containerd:default/{id}");
    let stopped = common::wait_until(std::time::Duration::from_secs(20), || {
        c.docker_enter(&[&address, "true"])
            .stderr
            .contains("not running")
    });
    assert!(stopped, "the task never showed as stopped");
    let out = c.docker_enter(&[&address, "true"]);
    let advice = format!("ctr -n default task rm {id} && ctr -n default task start -d {id}");
    assert_eq!(
        (out.stderr.clone(), out.code()),
        (
            format!(
                "docker-enter: container {address} ({id}) is not running (exited): cannot exec in a stopped state; \
                 start it with: {advice}\n"
            ),
            Some(1)
        )
    );
    let socket = c.dir.join("containerd.sock");
    let started = common::run(
        Command::new("sh")
            .args(["-c", &advice])
            .env("CONTAINERD_ADDRESS", &socket),
        b"",
    );
    started.success();
    let entered = common::wait_until(std::time::Duration::from_secs(20), || {
        c.docker_enter(&[&address, "true"]).succeeded()
    });
    assert!(entered, "{}", c.docker_enter(&[&address, "true"]).stderr);
}

#[test]
fn list_shows_docker_containerd_and_podman_containers_in_one_run() {
    if !common::podman::ready() {
        return;
    }
    let Some(docker) = sleeping("nsc-list", &[]) else {
        return;
    };
    let c = PrivateContainerd::start(image());
    let task = format!("nsc-list-{}", std::process::id());
    c.run("default", &task, &[], image(), &["sleep", "100000"]);
    let podman_image = load(image());
    let podman = PodmanContainer::run("nsc-list", &[], &podman_image, &["sleep", "100000"]);

    let out = c.docker_enter(&["--list", "--format", "{{.Runtime}} {{.Address}}"]);
    out.success();
    let text = out.stdout.clone();
    let lines: Vec<&str> = text.lines().collect();
    for want in [
        format!("docker docker:{}", docker.name),
        format!("containerd containerd:default/{task}"),
        format!("podman podman:{}", podman.name),
    ] {
        assert!(lines.contains(&want.as_str()), "{want} not in {lines:?}");
    }

    // The table for people, JSON lines for scripts.
    let table = c.docker_enter(&["--list"]).stdout;
    assert!(table.starts_with("RUNTIME "), "{table}");
    let json = c.docker_enter(&["--list", "--format", "json"]).stdout;
    let mine: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["address"] == format!("podman:{}", podman.name))
        .collect();
    assert_eq!(mine.len(), 1, "{json}");
    assert_eq!(mine[0]["runtime"], "podman");
    assert_eq!(mine[0]["state"], "running");
    assert!(mine[0]["pid"].as_i64().unwrap() > 0);
}

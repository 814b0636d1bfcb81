//! A name is matched whole, as `docker exec` and `podman exec` match it:
//! `web` never finds `web2`, nor `we` `web`, through Docker's state files,
//! its Engine API or Podman's storage (issue 15: a lookup that matched
//! names by prefix or by part passed every test).

use crate::common;
use common::RunResult;

use common::docker_enter::{docker_enter, image, ready};
use common::podman::{load, podman, podman_ok, PodmanContainer};
use common::{docker, docker_ok, TestContainer};

/// `docker run -d --name NAME` (exactly), removed when the test ends.
fn docker_named(name: &str) -> TestContainer {
    let _ = docker(&["rm", "-f", name]);
    docker_ok(&["run", "-d", "--name", name, image(), "sleep", "100000"]);
    TestContainer {
        name: name.to_string(),
    }
}

/// The ways docker-enter looks a Docker name up.
const DOCKER_WAYS: [&[&str]; 2] = [&["--state-files", "first"], &["--state-files", "never"]];

/// docker-enter `args` then `address` and the probe; its output.
fn probe(args: &[&str], address: &str) -> RunResult {
    let mut all = args.to_vec();
    all.extend([address, "cat", "/proc/self/cgroup"]);
    docker_enter(&all)
}

/// Not found, and nothing run.
fn assert_not_found(out: &RunResult, what: &str) {
    assert!(
        out.stderr.starts_with("docker-enter: No such container: "),
        "{what}: {}",
        out.stderr
    );
    assert_eq!(
        (out.stdout.clone(), out.code()),
        (String::new(), Some(1)),
        "{what}"
    );
}

#[test]
fn docker_names_are_matched_whole() {
    if !ready() {
        return;
    }
    let web = format!("nsc-web-{}", std::process::id());
    let (web2, we) = (format!("{web}2"), web[..web.len() - 1].to_string());
    let second = docker_named(&web2);
    // Only web2 runs: web and we name nothing, as for docker exec.
    for q in [&web, &we] {
        let theirs = docker(&["exec", q, "true"]);
        assert_ne!(theirs.code(), Some(0), "docker exec {q}");
        for way in DOCKER_WAYS {
            assert_not_found(&probe(way, q), &format!("{way:?} {q}"));
            assert_not_found(
                &probe(way, &format!("docker:{q}")),
                &format!("{way:?} docker:{q}"),
            );
        }
    }
    // Both run: each name is its own container.
    let first = docker_named(&web);
    for (name, c) in [(&web, &first), (&web2, &second)] {
        let theirs = docker_ok(&["exec", &c.name, "cat", "/proc/self/cgroup"]);
        for way in DOCKER_WAYS {
            let out = probe(way, name);
            assert_eq!(out.stdout.trim(), theirs, "{way:?} {name}: {}", out.stderr);
        }
    }
}

#[test]
fn podman_names_are_matched_whole() {
    if !ready() || !common::podman::ready() {
        return;
    }
    let podman_image = load(image());
    let web = format!("nsc-pweb-{}", std::process::id());
    let (web2, we) = (format!("{web}2"), web[..web.len() - 1].to_string());
    let run = |name: &str| {
        let _ = podman(&["rm", "-f", "-t", "0", name]);
        podman_ok(&[
            "run",
            "-d",
            "--name",
            name,
            "--ulimit",
            "nofile=20000:20000",
            "--ulimit",
            "nproc=32768:32768",
            &podman_image,
            "sleep",
            "100000",
        ]);
        PodmanContainer {
            name: name.to_string(),
        }
    };
    let second = run(&web2);
    for q in [&web, &we] {
        let theirs = podman(&["exec", q, "true"]);
        assert_ne!(theirs.code(), Some(0), "podman exec {q}");
        assert_not_found(&probe(&[], &format!("podman:{q}")), &format!("podman:{q}"));
        assert_not_found(&probe(&[], q), q);
    }
    let first = run(&web);
    for c in [&first, &second] {
        let theirs = podman_ok(&["exec", &c.name, "cat", "/proc/self/cgroup"]);
        let out = probe(&[], &format!("podman:{}", c.name));
        assert_eq!(out.stdout.trim(), theirs, "{}: {}", c.name, out.stderr);
    }
}

//! docker-enter puts the program in the container's cgroups in every
//! hierarchy (security rule 8), however it runs (plain, `-t`, `-d`), so
//! `docker stop` ends it; docker-enter itself, which waits, stays in its
//! own cgroups, as `docker exec`'s shim stays out of the container's. A
//! process in a cgroup namespace of its own (`pid:N`) is entered too.

use crate::common;

use common::cgroups::{
    cgroups_and_namespace, seen_from_the_namespace_root, CgroupTarget, SHOW_CGROUPS_AND_NAMESPACE,
};
use common::docker_enter::{docker_enter, sleeping, DOCKER_ENTER};
use common::{cgroup_lines, docker, docker_ok, Running, TestContainer};
use std::process::Command;
use std::time::Duration;

fn cgroups_of(pid: &str) -> Vec<String> {
    cgroup_lines(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap())
}

/// The container's cgroups, checked to be in several hierarchies, the
/// unified one among them.
fn container_cgroups(c: &TestContainer) -> Vec<String> {
    let theirs = cgroups_of(&c.pid());
    assert!(
        theirs.len() > 1 && theirs.iter().any(|l| l.starts_with("0::")),
        "expected a hybrid host, v1 and v2: {theirs:?}"
    );
    theirs
}

#[test]
fn the_program_is_in_the_containers_cgroups_however_it_runs() {
    let Some(c) = sleeping("nsc-de-cgroup", &[]) else {
        return;
    };
    container_cgroups(&c);
    let name = c.name.as_str();
    let show = ["cat", "/proc/self/cgroup"];
    let theirs = cgroup_lines(&docker_ok(&[&["exec", name][..], &show].concat()));

    let plain = docker_enter(&[&[name][..], &show].concat());
    assert_eq!(cgroup_lines(&plain.stdout), theirs, "{}", plain.stderr);

    // A terminal of its own (its lines end in \r\n).
    let pty = docker_enter(&[&["-t", name][..], &show].concat());
    assert_eq!(
        cgroup_lines(&pty.stdout.replace('\r', "")),
        theirs,
        "-t: {}",
        pty.stderr
    );

    // Detached: what it saw, left in a file of the container.
    let script = "cat /proc/self/cgroup > /tmp/cg.part && mv /tmp/cg.part /tmp/cg";
    let detached = docker_enter(&["-d", name, "sh", "-c", script]);
    detached.success();
    let mut seen = String::new();
    let written = common::wait_until(Duration::from_secs(10), || {
        let out = docker(&["exec", name, "cat", "/tmp/cg"]);
        seen = out.stdout.clone();
        out.succeeded()
    });
    assert!(written, "the detached program did not write /tmp/cg");
    assert_eq!(cgroup_lines(&seen), theirs, "-d");
}

/// The program, and what it starts, in the container's cgroups; the
/// waiting docker-enter in ours: it counts against none of the container's
/// limits, and `docker pause` does not freeze the terminal relay.
#[test]
fn the_waiting_docker_enter_stays_in_its_own_cgroups() {
    let Some(c) = sleeping("nsc-de-cgroup-wait", &[]) else {
        return;
    };
    let theirs = container_cgroups(&c);
    let script = "sleep 1000 & echo ready; wait";
    let running = Running::start(Command::new(DOCKER_ENTER).args([&c.name, "sh", "-c", script]));
    assert!(running.wait_output("ready"), "the program did not start");
    let program = running.program("sh");
    assert_eq!(cgroups_of(&program.to_string()), theirs, "the program");
    // `sleep &` may not have run its execve yet when `ready` shows.
    let mut started = 0;
    let ran = common::wait_until(Duration::from_secs(10), || {
        started = common::children(program)
            .into_iter()
            .find(|&p| common::comm(p) == "sleep")
            .unwrap_or(0);
        started != 0
    });
    assert!(ran, "the program's own child");
    assert_eq!(cgroups_of(&started.to_string()), theirs, "its child");
    assert_eq!(
        cgroups_of(&running.pid().to_string()),
        cgroups_of("self"),
        "the waiting docker-enter"
    );
}

/// In a container that shares the host's PID namespace, `docker stop`
/// ends what is in the container's cgroups (killing its main process ends
/// nothing else): the program, and docker-enter with it, as the program
/// ended. The control: a process in the container's namespaces but not in
/// its cgroups (util-linux nsenter, without -c) outlives the stop.
#[test]
fn docker_stop_ends_the_program() {
    let Some(c) = sleeping("nsc-de-cgroup-stop", &["--pid=host"]) else {
        return;
    };
    let init = c.pid();
    let mut running = Running::start(Command::new(DOCKER_ENTER).args([
        &c.name,
        "sh",
        "-c",
        "echo ready; exec sleep 1001",
    ]));
    assert!(running.wait_output("ready"), "the program did not start");
    let program = running.program("sleep");
    let outside = common::KillOnDrop(
        common::oracle()
            .args(["-t", &init, "-m", "-u", "sleep", "1002"])
            .spawn()
            .unwrap(),
    );
    let outside_pid = outside.0.id() as i32;
    assert!(
        common::wait_until(Duration::from_secs(10), || common::comm(outside_pid)
            == "sleep"),
        "the control did not start"
    );
    docker_ok(&["stop", "-t", "1", &c.name]);
    assert_eq!(
        running.wait(),
        "signal 9",
        "docker-enter ends as its program"
    );
    assert!(!common::alive(program), "the program outlived docker stop");
    assert!(
        common::alive(outside_pid),
        "control: a process outside the cgroups is not stopped"
    );
}

/// A process in a cgroup namespace of its own (as Docker gives containers
/// on cgroup v2 hosts), in cgroups made for it: the program sees its
/// cgroups from that namespace, as the process does, and is in them.
#[test]
fn a_process_in_a_cgroup_namespace_of_its_own() {
    if !common::require_root_and(&["unshare"]) {
        return;
    }
    let target = CgroupTarget::in_a_cgroup_namespace("de-cgroupns");
    let pid = target.pid_str();
    let theirs = target.cgroups();
    let namespace = common::ns_link(&pid, "cgroup");
    assert_ne!(
        namespace,
        common::ns_link("self", "cgroup"),
        "set-up failed"
    );
    let address = format!("pid:{pid}");
    let out = docker_enter(&[&address, "sh", "-c", SHOW_CGROUPS_AND_NAMESPACE]);
    assert_eq!(
        cgroups_and_namespace(&out.stdout),
        (seen_from_the_namespace_root(&theirs), Some(namespace)),
        "{}",
        out.stderr
    );
}

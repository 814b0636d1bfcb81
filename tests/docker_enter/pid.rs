//! `pid:N` is for processes in containers: a process that shares every
//! namespace with docker-enter is refused, pointing to nsenter, and so is
//! one whose namespaces the kernel will not show (issue 17: `pid:$$` ran a
//! root shell on the host, with no word said).

use crate::common;

use common::docker_enter::{docker_enter, image, ready};
use common::{KillOnDrop, Target, TestContainer, ORACLE};
use std::process::Command;

#[test]
fn a_host_process_is_refused_pointing_to_nsenter() {
    if !common::require_root_and(&["unshare", "sleep"]) {
        return;
    }
    let dir = common::tempdir("pid-host");
    let marker = dir.join("ran");
    let touch = ["touch", marker.to_str().unwrap()];
    let host = KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
    let pid = host.0.id();
    assert!(common::wait_until(
        std::time::Duration::from_secs(10),
        || { common::comm(pid as i32) == "sleep" }
    ));
    for address in [format!("pid:{pid}"), format!("pid:{}", std::process::id())] {
        let n = address.trim_start_matches("pid:");
        let comm = common::comm(n.parse().unwrap());
        let out = docker_enter(&[&address, touch[0], touch[1]]);
        assert_eq!(
            (out.stderr.clone(), out.stdout.clone(), out.code()),
            (
                format!(
                    "docker-enter: refusing {address}: process {n} ({comm}) is in no container: it shares every namespace with docker-enter, so the command would run on the host (to run a command in its namespaces all the same: nsenter -t {n} -a COMMAND)\n"
                ),
                String::new(),
                Some(1)
            )
        );
        assert!(!marker.exists(), "{address}: the command ran");
    }
    // What it points to does what it says: util-linux nsenter runs the
    // command beside that process.
    let out = common::run(
        Command::new(ORACLE)
            .args(["-t", &pid.to_string(), "-a"])
            .args(touch),
        b"",
    );
    out.success();
    assert!(marker.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn processes_in_containers_are_still_entered() {
    if !ready() || !common::require_root_and(&["unshare"]) {
        return;
    }
    // A process in namespaces of its own that no runtime claims.
    let guest = Target::start(&["--mount", "--uts"], "hostname pid-guest");
    let out = docker_enter(&[&format!("pid:{}", guest.pid), "hostname"]);
    assert_eq!(out.stdout.clone(), "pid-guest\n", "{}", out.stderr);
    // A container's process, and one started in it later.
    let c = TestContainer::run(
        "nsc-pid",
        &["--hostname", "pidc"],
        image(),
        &["sleep", "100000"],
    );
    let out = docker_enter(&[&format!("pid:{}", c.pid()), "hostname"]);
    assert_eq!(out.stdout.clone(), "pidc\n", "{}", out.stderr);
}

/// PID 1 here cannot be entered, not even by root (docs/facts.md): the
/// refusal says so and what to do. Where PID 1 can be looked at, it is
/// the host's init: refused as a host process.
#[test]
fn pid_1_is_refused_saying_why() {
    if !common::require_root_and(&[]) {
        return;
    }
    let out = docker_enter(&["pid:1", "true"]);
    let said = out.stderr.clone();
    match std::fs::metadata("/proc/1/ns/mnt") {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // The control: util-linux's words for the same refusal.
            let theirs = common::run(Command::new(ORACLE).args(["-t", "1", "-a", "true"]), b"");
            theirs.stderr_contains("Permission denied");
            assert_eq!(
                said,
                "docker-enter: cannot enter pid:1: access to its namespaces is denied even to root (stat of /proc/1/ns/mnt failed: Permission denied): the kernel protects process 1 from inspection, so docker-enter can neither tell whether it is in a container nor enter it (docker-enter --list shows the containers it can enter)\n"
            );
        }
        _ => assert!(
            said.starts_with("docker-enter: refusing pid:1: process 1 (")
                && said.ends_with(
                    "(to run a command in its namespaces all the same: nsenter -t 1 -a COMMAND)\n"
                ),
            "{said}"
        ),
    }
    assert_eq!((out.stdout.clone(), out.code()), (String::new(), Some(1)));
}

//! `--join-cgroup` (security rule 8): the program in the target's cgroups
//! in every hierarchy (v1, named v1 such as name=systemd, and the unified
//! one), whichever way it gets there: born in the unified cgroup (clone3
//! CLONE_INTO_CGROUP) with its one thread moved into each v1 cgroup, moved
//! in by writing cgroup.procs where clone3 fails, or, when nsenter execs
//! in place, our own process moved before anything is entered. The waiting
//! nsenter stays in its own cgroups; a target in a cgroup namespace of its
//! own is entered too.

use crate::common;

use common::cgroups::{
    cgroups_and_namespace, seen_from_the_namespace_root, CgroupTarget, CgroupWrite, Joins,
    SHOW_CGROUPS_AND_NAMESPACE,
};
use common::*;
use std::process::Command;

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");

fn ready() -> bool {
    require_root_and(&["unshare"])
}

/// A target in cgroups of its own, PID 1 of a PID namespace.
fn target(name: &str) -> CgroupTarget {
    CgroupTarget::start(name, |join| Target::start(&["--pid", "--mount-proc"], join))
}

#[test]
fn join_cgroup_joins_every_hierarchy() {
    if !ready() {
        return;
    }
    let target = target("every");
    let pid = target.pid_str();
    let theirs = target.cgroups();
    let out = run(
        ours().args(["-t", &pid, "-c", "-u", "cat", "/proc/self/cgroup"]),
        b"",
    );
    assert_eq!(
        cgroup_lines(&out.success().stdout),
        cgroup_lines(&theirs),
        "the program's /proc/self/cgroup must equal the target's"
    );
    // With -p the program runs in a child, which joins as it starts.
    let out = run(
        ours().args([
            "-t",
            &pid,
            "--join-cgroup",
            "-m",
            "-p",
            "cat",
            "/proc/self/cgroup",
        ]),
        b"",
    );
    assert_eq!(cgroup_lines(&out.success().stdout), cgroup_lines(&theirs));
}

/// The three ways in, seen with strace: each ends in the target's cgroups,
/// and only the one that must moves a whole process (a write to
/// cgroup.procs, which waits for an RCU grace period when cold).
#[test]
fn each_way_into_the_cgroups_ends_in_the_targets() {
    if !ready() || !require(have("strace"), "strace is not installed") {
        return;
    }
    let target = target("ways");
    let pid = target.pid_str();
    let theirs = cgroup_lines(&target.cgroups());
    let v1 = theirs.iter().filter(|l| !l.starts_with("0::")).count();
    let logs = tempdir("join-cgroup-ways");
    let forked = [
        NSENTER,
        "-t",
        &pid,
        "-c",
        "-m",
        "-p",
        "cat",
        "/proc/self/cgroup",
    ];
    let none: Vec<&CgroupWrite> = Vec::new();

    // A child: born in the unified cgroup; its thread moved into each v1
    // one by the child itself, through `tasks`; no cgroup.procs written.
    let (out, born) = Joins::trace(&forked, false, &logs.join("born"));
    assert_eq!(cgroup_lines(&out), theirs, "born: {born:?}");
    let [clone3] = born.clone3.as_slice() else {
        panic!("one clone3 expected: {born:?}");
    };
    assert!(clone3.args.contains("CLONE_INTO_CGROUP"), "{born:?}");
    let child: i32 = clone3.result.parse().expect("clone3 started the child");
    assert_eq!(born.of_kind("cgroup.procs"), none, "{born:?}");
    let tasks = born.of_kind("tasks");
    assert_eq!(tasks.len(), v1, "{born:?}");
    assert!(tasks.iter().all(|w| w.pid == child), "{born:?}");

    // clone3 failing, as on a kernel before 5.7 or under a seccomp filter
    // that hides it: the child, started plainly, also moves itself into
    // the unified cgroup. (The control of the check above: strace sees a
    // cgroup.procs write when there is one.)
    let (out, moved) = Joins::trace(&forked, true, &logs.join("moved"));
    assert_eq!(cgroup_lines(&out), theirs, "moved: {moved:?}");
    let [clone3] = moved.clone3.as_slice() else {
        panic!("one clone3 expected: {moved:?}");
    };
    assert!(clone3.result.contains("ENOSYS"), "{moved:?}");
    let procs = moved.of_kind("cgroup.procs");
    assert_eq!(procs.len(), 1, "{moved:?}");
    assert!(
        procs[0].pid != clone3.pid,
        "the child, not the waiting nsenter, joins: {moved:?}"
    );
    assert_eq!(moved.of_kind("tasks").len(), v1, "{moved:?}");

    // Execing in place (-F): no child; nsenter moves itself into every
    // hierarchy before entering anything.
    let in_place = [
        NSENTER,
        "-t",
        &pid,
        "-c",
        "-u",
        "-F",
        "cat",
        "/proc/self/cgroup",
    ];
    let (out, itself) = Joins::trace(&in_place, false, &logs.join("in-place"));
    assert_eq!(cgroup_lines(&out), theirs, "-F: {itself:?}");
    assert!(itself.clone3.is_empty(), "{itself:?}");
    assert_eq!(itself.of_kind("tasks").len(), v1, "{itself:?}");
    assert_eq!(itself.of_kind("cgroup.procs").len(), 1, "{itself:?}");
}

/// The program and what it starts are in the target's cgroups; nsenter,
/// which waits, stays in its own (as `docker exec`'s shim stays out of the
/// container's): it counts against none of the target's limits.
#[test]
fn the_waiting_nsenter_stays_in_its_own_cgroups() {
    if !ready() {
        return;
    }
    let target = target("parent");
    let pid = target.pid_str();
    let theirs = cgroup_lines(&target.cgroups());
    let script = "sleep 600 & echo ready; wait";
    let running = Running::start(
        Command::new(NSENTER).args(["-t", &pid, "-c", "-m", "-p", "sh", "-c", script]),
    );
    assert!(running.wait_output("ready"), "the program did not start");
    let cgroups_of =
        |pid: i32| cgroup_lines(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap());
    let program = running.program("sh");
    assert_eq!(cgroups_of(program), theirs, "the program");
    // "ready" may come before the shell's child has exec'd sleep.
    let sleeper = || children(program).into_iter().find(|&c| comm(c) == "sleep");
    assert!(
        wait_until(std::time::Duration::from_secs(10), || sleeper().is_some()),
        "the program's own child"
    );
    let started = sleeper().unwrap();
    assert_eq!(cgroups_of(started), theirs, "what the program started");
    assert_eq!(
        cgroups_of(running.pid()),
        cgroups_of(std::process::id() as i32),
        "the waiting nsenter"
    );
}

/// A target in a cgroup namespace of its own (as Docker gives containers
/// on cgroup v2 hosts): the program sees its cgroups as the target does,
/// from that namespace, whether it runs in a child (which enters the
/// namespace once it is in the cgroups) or in nsenter's own process.
#[test]
fn a_target_in_a_cgroup_namespace_of_its_own() {
    if !ready() {
        return;
    }
    let target = CgroupTarget::in_a_cgroup_namespace("cgroupns");
    let pid = target.pid_str();
    let theirs = target.cgroups();
    let namespace = ns_link(&pid, "cgroup");
    assert_ne!(namespace, ns_link("self", "cgroup"), "set-up failed");
    let expected = (seen_from_the_namespace_root(&theirs), Some(namespace));
    // Through sh: with -F the program is not in the PID namespace, and
    // /proc/self there is only for the processes it starts.
    for options in [&["-a", "-c"][..], &["-a", "-c", "-F"]] {
        let out = run(
            ours()
                .args(["-t", &pid])
                .args(options)
                .args(["sh", "-c", SHOW_CGROUPS_AND_NAMESPACE]),
            b"",
        );
        let seen = out.success().stdout.clone();
        assert_eq!(cgroups_and_namespace(&seen), expected, "{options:?}");
    }
}

/// A target in a user namespace of its own whose cgroup namespace is the
/// host's (`unshare -U`, rootless Podman with the host's cgroup
/// namespace): the program joins its cgroups, in a child and in place.
/// The cgroup namespace, owned by the host's user namespace, can only be
/// entered with our own credentials, in the same setns as the user
/// namespace, not by a child already in the target's user namespace.
#[test]
fn a_target_in_a_user_namespace_of_its_own() {
    if !ready() {
        return;
    }
    let target = CgroupTarget::start("userns", |join| {
        Target::start_script(
            &[],
            &["--pid", "--mount-proc"],
            &format!("{join}\nexec unshare --user --map-root-user sleep 600"),
        )
    });
    let pid = target.pid_str();
    let theirs = target.cgroups();
    assert_ne!(
        ns_link(&pid, "user"),
        ns_link("self", "user"),
        "set-up failed"
    );
    assert_eq!(
        ns_link(&pid, "cgroup"),
        ns_link("self", "cgroup"),
        "set-up failed"
    );
    for options in [
        &["-a", "-c"][..],
        &["-U", "-C", "-p", "-c"],
        &["-a", "-c", "-F"],
    ] {
        let out = run(
            ours()
                .args(["-t", &pid])
                .args(options)
                // Through sh: with -F only what the program starts is in
                // the PID namespace that the target's /proc shows.
                .args(["sh", "-c", "cat /proc/self/cgroup"]),
            b"",
        );
        assert_eq!(
            cgroup_lines(&out.success().stdout),
            cgroup_lines(&theirs),
            "{options:?}"
        );
    }
}

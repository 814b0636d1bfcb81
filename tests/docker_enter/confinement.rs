//! docker-enter runs the program as confined as `docker exec` does:
//! capabilities, no_new_privs, seccomp, rlimits, oom_score_adj and umask,
//! compared with a real `docker exec` on every container shape; what
//! `--privileged` gives; a set-user-ID root program; the refusals to run
//! less confined; the same confinement through a pty and through pipes.
//! Needs root and a daemon (skips, or fails under CI=true, without).

use crate::common;
use common::RunResult;

use common::confinement::{
    self, assert_same_as_docker_exec, mkdir_denied_profile, privileged_shape, probe_with_tools,
    split_tools_count, status_line, FAKED_PROBE, NR_MKDIR, NR_MKDIRAT, NR_PTRACE, PROBE,
    PTRACE_SECCOMP_GET_FILTER, VFORK_PARKED_C,
};
use common::docker_enter::{docker_enter, ready, DOCKER_ENTER};
use common::{docker, docker_ok, KillOnDrop, TestContainer};
use std::process::Command;
use std::time::Duration;

/// The probe through `docker exec` and through docker-enter, with
/// `options` (such as `-u 1000:1000`) given to both.
fn probe_both(container: &str, options: &[&str]) -> (String, String) {
    let mut args: Vec<&str> = options.to_vec();
    args.extend([container, "sh", "-c", PROBE]);
    let theirs = docker(&[&["exec"][..], &args].concat());
    let ours = docker_enter(&args);
    assert!(
        ours.succeeded() && theirs.succeeded(),
        "docker-enter {args:?}: {}\ndocker exec: {}",
        ours.stderr,
        theirs.stderr
    );
    (theirs.stdout.clone(), ours.stdout.clone())
}

/// A container of this shape gives the same probe through both, as root
/// and as another user; returns what docker-enter printed as root. None
/// when the test cannot run here (it then skips, or fails under CI).
fn same_confinement(name: &str, shape: &[&str]) -> Option<String> {
    if !ready() {
        return None;
    }
    let image = confinement::image()?;
    let c = TestContainer::run(name, shape, image, &["sleep", "100000"]);
    let mut as_root = String::new();
    for options in [&[][..], &["-u", "1000:1000"]] {
        let (theirs, ours) = probe_both(&c.name, options);
        let context = format!("docker run {shape:?}, docker-enter {options:?}");
        assert_same_as_docker_exec(&ours, &theirs, &c.pid(), &context);
        if options.is_empty() {
            as_root = ours;
        }
    }
    Some(as_root)
}

/// The line of the probe that starts with `key`.
fn line<'a>(probe: &'a str, key: &str) -> &'a str {
    probe
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in:\n{probe}"))
}

#[test]
fn a_default_container() {
    let Some(probe) = same_confinement("nsc-cf-default", &[]) else {
        return;
    };
    // The shape is what the issue describes: Docker's 14 capabilities and
    // its default filter, which forbids the mount.
    assert_eq!(line(&probe, "CapBnd"), "CapBnd:\t00000000a80425fb");
    assert_eq!(line(&probe, "Seccomp:"), "Seccomp:\t2");
    assert!(line(&probe, "mount").starts_with("mount 1 "), "{probe}");
}

#[test]
fn every_capability_dropped() {
    let Some(probe) = same_confinement("nsc-cf-capdrop", &["--cap-drop", "ALL"]) else {
        return;
    };
    assert_eq!(line(&probe, "CapEff"), "CapEff:\t0000000000000000");
    assert!(line(&probe, "mknod").starts_with("mknod 1"), "{probe}");
}

#[test]
fn sys_admin_and_net_admin_added() {
    let shape = ["--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN"];
    let Some(probe) = same_confinement("nsc-cf-capadd", &shape) else {
        return;
    };
    // With CAP_SYS_ADMIN Docker's filter allows the mount.
    assert_eq!(line(&probe, "mount"), "mount 0");
}

#[test]
fn a_container_running_as_another_user() {
    let Some(probe) = same_confinement("nsc-cf-user", &["-u", "1000:1000"]) else {
        return;
    };
    assert_eq!(line(&probe, "CapEff"), "CapEff:\t0000000000000000");
}

#[test]
fn no_new_privileges() {
    let shape = ["--security-opt", "no-new-privileges"];
    let Some(probe) = same_confinement("nsc-cf-nnp", &shape) else {
        return;
    };
    assert_eq!(line(&probe, "NoNewPrivs"), "NoNewPrivs:\t1");
}

#[test]
fn a_custom_seccomp_profile() {
    if !ready() {
        return;
    }
    let profile = mkdir_denied_profile();
    let shape = format!("seccomp={}", profile.display());
    let Some(probe) = same_confinement("nsc-cf-profile", &["--security-opt", &shape]) else {
        return;
    };
    assert_eq!(line(&probe, "mkdir"), "mkdir 1 Permission denied");
}

#[test]
fn seccomp_unconfined() {
    let shape = ["--security-opt", "seccomp=unconfined"];
    let Some(probe) = same_confinement("nsc-cf-unconfined", &shape) else {
        return;
    };
    assert_eq!(line(&probe, "Seccomp:"), "Seccomp:\t0");
}

#[test]
fn ulimits_and_oom_score_adj() {
    let shape = ["--ulimit", "nofile=1234:5678", "--oom-score-adj", "300"];
    let Some(probe) = same_confinement("nsc-cf-limits", &shape) else {
        return;
    };
    assert_eq!(line(&probe, "oom_score_adj"), "oom_score_adj 300");
    let nofile: Vec<&str> = line(&probe, "Max open files").split_whitespace().collect();
    assert_eq!(nofile[3..5], ["1234", "5678"]);
}

/// `--privileged`, or where the engine refuses it (root lacks
/// CAP_SYS_RESOURCE here) every capability Docker knows but that one.
#[test]
fn the_privileged_equivalent() {
    if !ready() {
        return;
    }
    let Some(image) = confinement::image() else {
        return;
    };
    let Some(probe) = same_confinement("nsc-cf-allcaps", privileged_shape(image)) else {
        return;
    };
    // Docker's "ALL" is its own list, not every capability this kernel
    // has (ours): the bounding set is cut to it.
    let ours = status_line("self", "CapBnd");
    assert_ne!(line(&probe, "CapBnd"), ours, "set-up: {probe}");
}

/// A hard limit above docker-enter's own cannot be raised without
/// CAP_SYS_RESOURCE: the program gets docker-enter's, lower, never more
/// than the container's.
#[test]
fn a_limit_we_cannot_raise_leaves_ours() {
    if !ready() || !common::require(common::have("prlimit"), "prlimit is not installed") {
        return;
    }
    let Some(image) = confinement::image() else {
        return;
    };
    let shape = ["--ulimit", "nofile=1234:5678"];
    let c = TestContainer::run("nsc-cf-lower", &shape, image, &["sleep", "100000"]);
    let nofile = |out: &RunResult| -> Vec<String> {
        let text = out.stdout.clone();
        let row = line(&text, "Max open files").to_string();
        row.split_whitespace()
            .skip(3)
            .take(2)
            .map(String::from)
            .collect()
    };
    let limits = [&c.name[..], "cat", "/proc/self/limits"];
    assert_eq!(nofile(&docker_enter(&limits)), ["1234", "5678"], "control");
    let out = common::run(
        Command::new("prlimit")
            .args(["--nofile=1000:1000", DOCKER_ENTER])
            .args(limits),
        b"",
    );
    out.success();
    assert_eq!(nofile(&out), ["1000", "1000"]);
    let out = common::run(
        Command::new("prlimit")
            .args(["--nofile=100:2000", DOCKER_ENTER])
            .args(limits),
        b"",
    );
    assert_eq!(
        nofile(&out),
        ["1234", "2000"],
        "the soft limit within our hard one"
    );
}

/// `--privileged`: our capabilities and no filter, but the container's
/// resource limits, OOM score and umask.
#[test]
fn privileged_gives_full_capabilities_and_no_filter() {
    if !ready() {
        return;
    }
    let Some(image) = confinement::image() else {
        return;
    };
    let shape = ["--ulimit", "nofile=1234:5678", "--oom-score-adj", "300"];
    let c = TestContainer::run("nsc-cf-privileged", &shape, image, &["sleep", "100000"]);
    let out = docker_enter(&["--privileged", &c.name, "sh", "-c", PROBE]);
    out.success();
    let probe = out.stdout.clone();
    for key in ["CapEff", "CapBnd"] {
        assert_eq!(line(&probe, key), status_line("self", key), "{probe}");
    }
    assert_eq!(line(&probe, "Seccomp:"), "Seccomp:\t0");
    assert_eq!(line(&probe, "NoNewPrivs"), "NoNewPrivs:\t0");
    assert_eq!(line(&probe, "mount"), "mount 0");
    assert_eq!(line(&probe, "oom_score_adj"), "oom_score_adj 300");
    assert!(line(&probe, "Max open files").contains(" 1234 "), "{probe}");
    assert_eq!(line(&probe, "umask"), "umask 0022");
    // Control: without it, the same container refuses the mount.
    let confined = docker_enter(&[&c.name, "sh", "-c", PROBE]).stdout;
    assert!(
        line(&confined, "mount").starts_with("mount 1 "),
        "{confined}"
    );
}

/// The caller's umask stays outside: from a shell with `umask 077`, the
/// program gets 0022, as `docker exec` gives (confined or `--privileged`,
/// with a terminal or detached); util-linux nsenter, the control, passes
/// 0077 on.
#[test]
fn the_callers_umask_stays_outside() {
    let Some(c) = confinement::sleeping_container("nsc-cf-umask", &[]) else {
        return;
    };
    let pid = c.pid();
    let under_umask_077 = |command: &[&str]| -> String {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "umask 077; exec \"$@\"", "sh"])
            .args(command);
        let out = common::run(&mut cmd, b"");
        out.success();
        out.stdout.clone()
    };
    assert_eq!(
        under_umask_077(&["nsenter", "-t", &pid, "-a", "sh", "-c", "umask"]),
        "0077\n",
        "control: the caller's umask"
    );
    for command in [
        vec!["docker", "exec", &c.name, "sh", "-c", "umask"],
        vec![DOCKER_ENTER, &c.name, "sh", "-c", "umask"],
        vec![DOCKER_ENTER, "--privileged", &c.name, "sh", "-c", "umask"],
        vec![DOCKER_ENTER, "-t", &c.name, "sh", "-c", "umask"],
    ] {
        // A pty ends its lines with CRLF.
        let said = under_umask_077(&command).replace("\r\n", "\n");
        assert_eq!(said, "0022\n", "{command:?}");
    }
    under_umask_077(&[
        DOCKER_ENTER,
        "-d",
        &c.name,
        "sh",
        "-c",
        "umask > /tmp/umask",
    ]);
    let written = common::wait_until(Duration::from_secs(10), || {
        docker(&["exec", &c.name, "cat", "/tmp/umask"]).stdout == "0022\n"
    });
    assert!(
        written,
        "-d: {}",
        docker(&["exec", &c.name, "cat", "/tmp/umask"]).stdout
    );
}

/// `--tools` mounts its toolbox before any of the confinement is taken
/// (the container's filter denies the mount calls): the program is then
/// exactly as confined as without the tools, and with `--privileged` as
/// privileged; the tools are mounted in both sessions.
#[test]
fn the_tools_leave_the_confinement_as_it_is() {
    let Some(c) = confinement::sleeping_container("nsc-cf-tools", &[]) else {
        return;
    };
    let toolbox = common::tools::toolbox("confinement");
    let tools = format!("--tools={}", toolbox.display());
    let script = probe_with_tools(&toolbox);
    let theirs = docker(&["exec", &c.name, "sh", "-c", PROBE]).stdout;
    let out = docker_enter(&[&tools, &c.name, "sh", "-c", &script]);
    out.success();
    let (ours, mounted) = split_tools_count(&out.stdout);
    assert_eq!(mounted, "1", "the tools are mounted:\n{ours}");
    assert_same_as_docker_exec(&ours, &theirs, &c.pid(), "docker-enter --tools");
    assert!(line(&ours, "Seccomp:").ends_with('2'), "{ours}");

    let out = docker_enter(&["--privileged", &tools, &c.name, "sh", "-c", &script]);
    out.success();
    let (probe, mounted) = split_tools_count(&out.stdout);
    assert_eq!(mounted, "1", "the tools are mounted:\n{probe}");
    assert_eq!(line(&probe, "CapEff"), status_line("self", "CapEff"));
    assert_eq!(line(&probe, "Seccomp:"), "Seccomp:\t0");
}

/// A set-user-ID root program run as another user gets the container's
/// capabilities, as with `docker exec -u`, not the host's.
#[test]
fn a_setuid_root_program_gets_the_containers_capabilities() {
    if !common::require(common::have("nsenter"), "util-linux nsenter is missing") {
        return;
    }
    let Some(c) = confinement::sleeping_container("nsc-cf-setuid", &[]) else {
        return;
    };
    let theirs = docker_ok(&["exec", "-u", "1000", &c.name, "/capprobe"]);
    assert!(theirs.contains("CapEff:\t00000000a80425fb"), "{theirs}");
    let ours = docker_enter(&["-u", "1000", &c.name, "/capprobe"]);
    assert_eq!(ours.stdout.trim(), theirs);
    // Control: entered the seed's way (util-linux nsenter), the same
    // program gets every capability of the host's root and can mount.
    let seed = common::run(
        Command::new("nsenter")
            .args(["-t", &c.pid(), "-a", "-S", "1000", "-G", "1000"])
            .arg("/capprobe"),
        b"",
    );
    let seed = seed.stdout.clone();
    assert!(seed.contains(&status_line("self", "CapEff")), "{seed}");
    assert!(seed.contains("mount ok"), "{seed}");
}

const STARTED: [&str; 3] = ["sh", "-c", "touch /tmp/started"];

/// `nsenter --confine -t PID`: the live copy of a process's filters, the
/// way for a target no runtime describes (docker-enter takes a runtime's
/// container's filter from its record, and stops nobody).
fn live_copy(pid: &str, command: &[&str]) -> RunResult {
    common::run(
        Command::new(env!("CARGO_BIN_EXE_nsenter"))
            .args(["--confine", "-t", pid, "-a"])
            .args(command),
        b"",
    )
}

/// A container process that another tracer holds.
#[test]
fn a_container_process_being_traced() {
    if !common::require(common::have("strace"), "strace is not installed") {
        return;
    }
    let Some(c) = confinement::sleeping_container("nsc-cf-traced", &[]) else {
        return;
    };
    let pid = c.pid();
    let _tracer = KillOnDrop(
        Command::new("strace")
            .args(["-o", "/dev/null", "-p", &pid])
            .spawn()
            .unwrap(),
    );
    let traced = common::wait_until(Duration::from_secs(10), || {
        status_line(&pid, "TracerPid") != "TracerPid:\t0"
    });
    assert!(traced, "strace did not attach");
    // docker-enter reads the runtime's record: the tracer is in no way.
    let out = docker_enter(&[&c.name, "true"]);
    out.success();
    // The live copy needs to trace it: refused, after waiting for the
    // other tracer within the limit it gives a process to stop.
    let started = std::time::Instant::now();
    let out = live_copy(&pid, &STARTED);
    let took = started.elapsed();
    let err = out.stderr.clone();
    out.failure();
    assert!(err.contains("it is being traced by process"), "{err}");
    assert!(err.contains("(strace)"), "{err}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "refused after {took:?}"
    );
}

/// A kernel without PTRACE_SECCOMP_GET_FILTER (as a filter on the tool
/// makes it look), and the tool itself under a seccomp filter (as in a
/// container): the live copy cannot read the filters, nothing runs;
/// docker-enter, which compiles the runtime's record, needs neither.
#[test]
fn filters_that_cannot_be_read() {
    if !ready() {
        return;
    }
    let Some((image, deny)) = confinement::image_and_deny() else {
        return;
    };
    let c = TestContainer::run("nsc-cf-noptrace", &[], image, &["sleep", "100000"]);
    let pid = c.pid();
    let under = |errno: &str, arg0: &str, nrs: &[&str], tool: &[&str]| {
        common::run(
            Command::new(&deny)
                .args([errno, arg0])
                .args(nrs)
                .arg("--")
                .args(tool)
                .arg("true"),
            b"",
        )
    };
    let nsenter = [env!("CARGO_BIN_EXE_nsenter"), "--confine", "-t", &pid, "-a"];
    let eio = under("5", PTRACE_SECCOMP_GET_FILTER, &[NR_PTRACE], &nsenter);
    assert!(
        eio.stderr
            .contains("this kernel cannot copy seccomp filters"),
        "{}",
        eio.stderr
    );
    let filtered = under("1", "any", &[NR_MKDIR, NR_MKDIRAT], &nsenter);
    filtered.stderr_contains("Permission denied");
    for (errno, arg0, nrs) in [
        ("5", PTRACE_SECCOMP_GET_FILTER, &[NR_PTRACE][..]),
        ("1", "any", &[NR_MKDIR, NR_MKDIRAT][..]),
    ] {
        let out = under(errno, arg0, nrs, &[DOCKER_ENTER, &c.name]);
        out.success();
    }
    // Control: the wrapper itself lets docker-enter run.
    let out = common::run(
        Command::new(&deny).args([
            "1",
            "any",
            NR_MKDIR,
            "--",
            DOCKER_ENTER,
            "--privileged",
            &c.name,
            "true",
        ]),
        b"",
    );
    out.success();
}

/// With a pty (all of our standard descriptors terminals) and with pipes
/// (-T at a terminal), the program is as confined as without either.
#[test]
fn the_same_confinement_through_a_pty_and_through_pipes() {
    if !common::require(common::have("script"), "script (util-linux) is missing") {
        return;
    }
    let Some(c) = confinement::sleeping_container("nsc-cf-tty", &[]) else {
        return;
    };
    let probe = "grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status";
    let theirs = docker_ok(&["exec", &c.name, "sh", "-c", probe]);
    for (tty, attached) in [("-t", "/dev/pts/"), ("-T", "not a tty")] {
        let command = format!("{DOCKER_ENTER} {tty} {} sh -c \"{probe}; tty\"", c.name);
        let out = common::run(
            Command::new("script").args(["-qec", &command, "/dev/null"]),
            b"",
        );
        // RunResult through a terminal: CR LF line ends, and somewhere the
        // echo of what script sends at the end of its input (^@).
        let seen = out.stdout.clone().replace("\r\n", "\n").replace("^@", "");
        let seen = seen.trim_end();
        let (lines, tty_line) = seen.rsplit_once('\n').unwrap_or((seen, ""));
        assert!(tty_line.starts_with(attached), "{command}: {seen}");
        assert_eq!(lines, theirs, "{command}: {}", out.stderr);
    }
}

/// A container holding CAP_SYS_ADMIN stacked a filter that makes setuid,
/// capset, close_range and the like return 0 without doing anything. As
/// `docker exec`, docker-enter takes the runtime's filter, not the one the
/// process stacked (the live copy, which takes both, is tested in
/// nsenter/confine.rs): the program, as root and as 1000:1000, holds
/// exactly what `docker exec` gives, runs as the uid asked,
/// and gets none of the descriptors docker-enter inherited (3 and 5 here):
/// everything that matters was done before the container's filter went on.
#[test]
fn a_filter_the_container_stacked_fakes_nothing_of_ours() {
    if !ready() || !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let Some(c) = confinement::faking_container("nsc-cf-faking") else {
        return;
    };
    for user in [&[][..], &["-u", "1000:1000"]] {
        let mut args: Vec<&str> = user.to_vec();
        args.extend([&c.name[..], "sh", "-c", FAKED_PROBE]);
        let theirs = docker_ok(&[&["exec"][..], &args].concat());
        let ours = docker_enter(&args);
        ours.success();
        assert_eq!(
            ours.stdout.clone().trim_end(),
            theirs,
            "docker-enter {user:?}"
        );
    }
    // ls lists its own directory's descriptor, 3, as with docker exec.
    let list = [&c.name[..], "ls", "/proc/self/fd"];
    let theirs = docker_ok(&[&["exec"][..], &list].concat());
    let dir = common::tempdir("faking-fds");
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, "in\n").unwrap();
    let list: Vec<String> = list.iter().map(|a| a.to_string()).collect();
    let out = common::run(
        &mut common::with_fds_3_and_5(DOCKER_ENTER, &input, &output, &list),
        b"",
    );
    out.success();
    assert_eq!(out.stdout.trim(), theirs, "ls /proc/self/fd");
}

/// The same container: docker-enter's descriptors are closed before any
/// filter goes on, so a `#!` interpreter
/// reached through one of them (`/proc/self/fd/N/bin/echo`) finds nothing.
#[test]
fn our_descriptors_are_closed_before_a_container_filter() {
    if !ready() || !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let Some(c) = confinement::faking_container("nsc-cf-faking-fds") else {
        return;
    };
    let scripts = confinement::fd_scripts(&c.pid());
    confinement::assert_an_open_descriptor_is_followed(&c.pid());
    for script in scripts {
        let out = docker_enter(&[&c.name, &script]);
        assert!(
            !out.stdout.contains("via-fd-"),
            "{script} ran through a descriptor of ours: {}",
            out.stdout
        );
        // Not found; or not a directory, where the descriptor is a file
        // the container's filter kept open after our check of the script
        // (it fakes close): the script itself.
        assert!(
            matches!(out.code(), Some(126 | 127)),
            "{script}: {}",
            out.stderr
        );
    }
}

/// Runs at once on one container: each copies the container's filters
/// while the others may be tracing its process for their own copy, and
/// waits for them instead of refusing.
#[test]
fn concurrent_runs_all_succeed() {
    let Some(c) = confinement::sleeping_container("nsc-cf-concurrent", &[]) else {
        return;
    };
    confinement::assert_concurrent_runs_succeed(|| {
        let mut cmd = Command::new(DOCKER_ENTER);
        cmd.args([&c.name, "true"]);
        cmd
    });
}

/// A container whose process never stops for the copy (an init parked in
/// vfork, whose child never execs: it sleeps uninterruptibly, as a hostile
/// container may on purpose) is refused at the limit, and the refusal
/// names docker exec, which works on it, before --privileged and what that
/// trusts.
#[test]
fn a_process_that_never_stops() {
    if !ready() {
        return;
    }
    let Some(image) = confinement::image() else {
        return;
    };
    let Some(parked) = common::static_c::require("vfork-parked", VFORK_PARKED_C) else {
        return;
    };
    let mount = format!("{}:/parked:ro", parked.display());
    let c = TestContainer::run("nsc-cf-parked", &["-v", &mount], image, &["/parked"]);
    let pid: i32 = c.pid().parse().unwrap();
    let parked = common::wait_until(Duration::from_secs(10), || {
        common::state_of(pid) == Some('D')
    });
    assert!(parked, "the container's process did not park in vfork");
    // The live copy must stop it: refused at the limit.
    let started = std::time::Instant::now();
    let out = live_copy(&pid.to_string(), &["true"]);
    out.stderr_contains("it did not stop within 2 s");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // docker-enter stops nobody: it works, as docker exec does.
    let out = docker_enter(&[&c.name, "true"]);
    out.success();
    docker_ok(&["exec", &c.name, "true"]);
}

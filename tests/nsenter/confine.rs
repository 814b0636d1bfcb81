//! nsenter's `--confine`: the target's confinement read from its live
//! process, for any runtime's processes (Docker's, compared with `docker
//! exec`) and for processes no runtime made; without it, nsenter keeps its
//! own, as util-linux does. Needs root (skips, or fails under CI=true,
//! without); the Docker cases need a daemon.

use crate::common;

use common::confinement::{
    self, assert_same_as_docker_exec, assert_same_but_the_faking_filter, confinement_lines,
    mkdir_denied_profile, probe_with_tools, split_tools_count, status_line, FAKED_PROBE, NR_MKDIR,
    NR_MKDIRAT, PROBE, SECCOMP_DENY_C, STRICT_MODE_C,
};
use common::docker_enter::ready;
use common::{docker_ok, ours, require_root_and, run, static_c, KillOnDrop, TestContainer};
use std::io::Read;
use std::process::{Command, Stdio};

/// `nsenter --confine -t PID -a sh -c PROBE` shows what `docker exec`
/// shows, on containers of several shapes.
#[test]
fn confine_matches_docker_exec() {
    if !ready() {
        return;
    }
    let Some(image) = confinement::image() else {
        return;
    };
    let profile = format!("seccomp={}", mkdir_denied_profile().display());
    let shapes: [&[&str]; 4] = [
        &[],
        &["--security-opt", "no-new-privileges", "--cap-drop", "ALL"],
        &["--security-opt", &profile],
        &["--ulimit", "nofile=1234:5678", "--oom-score-adj", "300"],
    ];
    for (i, shape) in shapes.iter().enumerate() {
        let c = TestContainer::run(
            &format!("nsc-confine-{i}"),
            shape,
            image,
            &["sleep", "100000"],
        );
        let theirs = docker_ok(&["exec", &c.name, "sh", "-c", PROBE]);
        let out = run(
            ours().args(["--confine", "-t", &c.pid(), "-a", "sh", "-c", PROBE]),
            b"",
        );
        out.success();
        assert_same_as_docker_exec(
            &confinement_lines(&out.stdout),
            &confinement_lines(&theirs),
            &c.pid(),
            &format!("{shape:?}: nsenter --confine"),
        );
    }
}

/// `--confine --tools`: the toolbox is mounted (before the target's filter
/// goes on, which denies mounting) and the program is as confined as
/// `docker exec` makes it.
#[test]
fn confine_with_tools_matches_docker_exec() {
    let Some(c) = confinement::sleeping_container("nsc-confine-tools", &[]) else {
        return;
    };
    let toolbox = common::tools::toolbox("nsenter-confine");
    let tools = format!("--tools={}", toolbox.display());
    let script = probe_with_tools(&toolbox);
    let theirs = docker_ok(&["exec", &c.name, "sh", "-c", PROBE]);
    let out = run(
        ours().args([
            "--confine",
            &tools,
            "-t",
            &c.pid(),
            "-a",
            "sh",
            "-c",
            &script,
        ]),
        b"",
    );
    out.success();
    let (probe, mounted) = split_tools_count(&out.stdout);
    assert_eq!(mounted, "1", "the tools are mounted:\n{probe}");
    assert_same_as_docker_exec(
        &confinement_lines(&probe),
        &confinement_lines(&theirs),
        &c.pid(),
        "nsenter --confine --tools",
    );
}

/// Without --confine nothing changes: the program has nsenter's own
/// capabilities and no filter, as with util-linux.
#[test]
fn without_confine_nsenter_keeps_its_own() {
    let Some(c) = confinement::sleeping_container("nsc-noconfine", &[]) else {
        return;
    };
    let probe = "grep -E '^(CapEff|Seccomp):' /proc/self/status";
    let out = run(ours().args(["-t", &c.pid(), "-a", "sh", "-c", probe]), b"");
    let expected = format!("{}\nSeccomp:\t0\n", status_line("self", "CapEff"));
    assert_eq!(out.stdout, expected, "{out:?}");
}

/// A target no runtime made: a process under a filter of its own that
/// makes mkdir fail with EACCES. --confine gives the program that filter.
#[test]
fn the_filter_of_a_process_no_runtime_made_is_taken() {
    if !require_root_and(&["sleep", "mkdir"]) {
        return;
    }
    let Some(deny) = static_c::require("seccomp-deny", SECCOMP_DENY_C) else {
        return;
    };
    let sleep = common::run(Command::new("sh").args(["-c", "command -v sleep"]), b"").stdout;
    let target = KillOnDrop(
        Command::new(&deny)
            .args(["13", "any", NR_MKDIR, NR_MKDIRAT, "--", sleep.trim(), "600"])
            .spawn()
            .unwrap(),
    );
    let pid = target.0.id().to_string();
    let filtered = common::wait_until(std::time::Duration::from_secs(10), || {
        common::comm(target.0.id() as i32) == "sleep"
    });
    assert!(filtered, "the target did not start");
    let dir = common::tempdir("confine-mkdir").join("made");
    let mkdir = |confine: bool| {
        let mut cmd = ours();
        if confine {
            cmd.arg("--confine");
        }
        cmd.args(["-t", &pid, "-m", "mkdir"]).arg(&dir);
        run(&mut cmd, b"")
    };
    let out = mkdir(true);
    assert!(
        out.status == "exit 1" && out.stderr.contains("Permission denied") && !dir.exists(),
        "{out:?}"
    );
    // Control: the same without --confine makes the directory.
    let out = mkdir(false);
    assert!(out.status == "exit 0" && dir.exists(), "{out:?}");
}

/// Two filters stacked on the target that fail the same call with
/// different errors: the kernel returns the newest filter's (for equal
/// actions the first it runs, and it runs the newest first), so the copy
/// must install them oldest first, as the kernel numbers them for
/// PTRACE_SECCOMP_GET_FILTER. The program sees what the target itself
/// sees under the same stack (the control), EPERM, not EACCES.
#[test]
fn stacked_filters_are_copied_in_their_order() {
    if !require_root_and(&["sleep", "mkdir"]) {
        return;
    }
    let Some(deny) = static_c::require("seccomp-deny", SECCOMP_DENY_C) else {
        return;
    };
    let deny = deny.to_str().unwrap();
    let which = |name: &str| {
        let out = common::run(
            Command::new("sh").args(["-c", &format!("command -v {name}")]),
            b"",
        );
        out.stdout.trim().to_string()
    };
    let (sleep, mkdir) = (which("sleep"), which("mkdir"));
    // The oldest filter fails mkdir with EACCES (13), the newest with EPERM (1).
    let stack = |command: &[&str]| -> Vec<String> {
        let mut args: Vec<&str> = vec!["13", "any", NR_MKDIR, NR_MKDIRAT, "--", deny];
        args.extend(["1", "any", NR_MKDIR, NR_MKDIRAT, "--"]);
        args.extend(command);
        args.into_iter().map(String::from).collect()
    };
    let dir = common::tempdir("confine-stacked").join("made");
    let dir = dir.to_str().unwrap();
    // The control: what the target's own stack gives mkdir.
    let own = run(Command::new(deny).args(stack(&[&mkdir, dir])), b"");
    own.stderr_contains("Operation not permitted");
    let target = KillOnDrop(
        Command::new(deny)
            .args(stack(&[&sleep, "600"]))
            .spawn()
            .unwrap(),
    );
    let started = common::wait_until(std::time::Duration::from_secs(10), || {
        common::comm(target.0.id() as i32) == "sleep"
    });
    assert!(started, "the target did not start");
    let pid = target.0.id().to_string();
    let copied = run(
        ours().args(["--confine", "-t", &pid, "-m", &mkdir, dir]),
        b"",
    );
    assert!(
        copied.status == "exit 1" && copied.stderr.contains("Operation not permitted"),
        "{copied:?}"
    );
}

/// A target in seccomp strict mode: no program could run under its
/// confinement, so nothing runs.
#[test]
fn a_target_in_strict_mode_is_refused() {
    if !require_root_and(&[]) {
        return;
    }
    let Some(strict) = static_c::require("strict-mode", STRICT_MODE_C) else {
        return;
    };
    let mut target = KillOnDrop(
        Command::new(&strict)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut said = [0u8; 7];
    target
        .0
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut said)
        .unwrap();
    assert_eq!(&said, b"strict\n");
    let pid = target.0.id().to_string();
    let out = run(
        ours().args(["--confine", "-t", &pid, "-m", "echo", "ran"]),
        b"",
    );
    assert_eq!(
        (out.status.as_str(), out.stdout.as_str(), out.stderr.as_str()),
        (
            "exit 1",
            "",
            format!(
                "nsenter: process {pid} runs in seccomp strict mode, under which no program can be started (nsenter without --confine runs it with nsenter's own privileges, trusting the target's binaries with them)\n"
            )
            .as_str()
        )
    );
}

#[test]
fn confine_needs_a_target() {
    let out = run(
        ours().args(["--confine", "-m/proc/self/ns/mnt", "true"]),
        b"",
    );
    out.one_line_error();
    out.stderr_is("nsenter: no target PID specified for --confine\n");
}

/// A target holding CAP_SYS_ADMIN stacked a filter that makes setuid,
/// capset, close and the like return 0 without doing anything: `nsenter
/// --confine` gives the program what `docker exec` gives (but the target's
/// extra filter), as root and as uid 1000 (`-S 1000 -G 1000`, `docker exec
/// -u 1000:1000`), and none of its descriptors reaches a `#!` interpreter.
#[test]
fn a_filter_the_target_stacked_fakes_nothing_of_ours() {
    if !ready() || !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let Some(c) = confinement::faking_container("nsc-confine-faking") else {
        return;
    };
    let pid = c.pid();
    for (ids, user) in [
        (&[][..], &[][..]),
        (&["-S", "1000", "-G", "1000"], &["-u", "1000:1000"]),
    ] {
        let theirs =
            docker_ok(&[&["exec"][..], user, &[&c.name, "sh", "-c", FAKED_PROBE]].concat());
        let out = run(
            ours()
                .args(["--confine", "-t", &pid, "-a"])
                .args(ids)
                .args(["sh", "-c", FAKED_PROBE]),
            b"",
        );
        out.success();
        assert_same_but_the_faking_filter(&out.stdout, &theirs, &format!("nsenter {ids:?}"));
    }
    let scripts = confinement::fd_scripts(&pid);
    confinement::assert_an_open_descriptor_is_followed(&pid);
    for script in scripts {
        let out = run(ours().args(["--confine", "-t", &pid, "-a", &script]), b"");
        assert!(!out.stdout.contains("via-fd-"), "{script}: {out:?}");
        // Not found; or not a directory, where nsenter passed on a
        // descriptor it inherited (as util-linux does) that is not one.
        assert!(matches!(out.code(), Some(126 | 127)), "{script}: {out:?}");
    }
}

/// `--keep-caps` with `--confine` as another uid: the ambient set is the
/// target's bounding set, no more (CAP_SYS_ADMIN, held a moment longer to
/// install the target's filters, is not among them).
#[test]
fn keep_caps_keeps_the_targets_bounding_set_only() {
    let Some(c) = confinement::sleeping_container("nsc-confine-keepcaps", &[]) else {
        return;
    };
    let pid = c.pid();
    let out = run(
        ours().args([
            "--confine",
            "--keep-caps",
            "-t",
            &pid,
            "-a",
            "-S",
            "1000",
            "-G",
            "1000",
            "grep",
            "^Cap",
            "/proc/self/status",
        ]),
        b"",
    );
    out.success();
    let bounding = status_line(&pid, "CapBnd");
    let set = &bounding["CapBnd:".len()..];
    let expected: String = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]
        .iter()
        .map(|key| format!("{key}:{set}\n"))
        .collect();
    out.stdout_is(expected);
}

/// Runs at once on one target: each waits while another copies the
/// target's filters (see docker-enter's test of the same).
#[test]
fn concurrent_runs_all_succeed() {
    let Some(c) = confinement::sleeping_container("nsc-confine-concurrent", &[]) else {
        return;
    };
    let pid = c.pid();
    confinement::assert_concurrent_runs_succeed(|| {
        let mut cmd = ours();
        cmd.args(["--confine", "-t", &pid, "-a", "true"]);
        cmd
    });
}

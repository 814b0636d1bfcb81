//! `docker-enter -d` as `docker exec -d`: it returns at once, the command
//! outlives it, and the command's descriptors lead where docker's do.

use crate::common;
use common::RunResult;

use common::docker_enter::{sleeping, DOCKER_ENTER};
use common::{docker, docker_ok, TestContainer};
use std::process::Command;
use std::time::Duration;

/// `docker-enter ARGS`, which must end within 5 s with its output closed:
/// a detached command holding our stdout or stderr would keep them open
/// (`output_within` fails then).
fn detached(args: &[&str]) -> RunResult {
    common::run_within(
        Command::new(DOCKER_ENTER).args(args),
        b"",
        Duration::from_secs(5),
    )
}

/// The contents of `path` in the container once it exists, within 10 s.
fn file_in(c: &TestContainer, path: &str) -> String {
    let mut text = None;
    let found = common::wait_until(Duration::from_secs(10), || {
        let out = docker(&["exec", &c.name, "cat", path]);
        text = out.succeeded().then(|| out.stdout.clone());
        text.is_some()
    });
    assert!(found, "{path} never appeared in {}", c.name);
    text.unwrap()
}

/// Fields of a /proc/PID/stat line after the command name: (pid, sid).
fn pid_and_session(stat: &str) -> (String, String) {
    let pid = stat.split_whitespace().next().unwrap().to_string();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    // state ppid pgrp session
    let sid = after.split_whitespace().nth(3).unwrap().to_string();
    (pid, sid)
}

#[test]
fn the_command_outlives_docker_enter() {
    let Some(c) = sleeping("nsc-detach", &[]) else {
        return;
    };
    docker_ok(&["exec", &c.name, "mkfifo", "/tmp/go"]);
    // The command blocks on the FIFO until the test writes to it, which
    // happens only after docker-enter has returned; what it writes then to
    // a file of its own is kept.
    let script = "grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status > /tmp/confined; \
                  echo to-stdout; echo to-stderr >&2; \
                  read word < /tmp/go; echo \"$word\" > /tmp/done";
    let out = detached(&["-d", &c.name, "sh", "-c", script]);
    assert_eq!(
        (out.code(), out.stdout.clone(), out.stderr.clone()),
        (Some(0), String::new(), String::new())
    );
    docker_ok(&["exec", &c.name, "sh", "-c", "echo outlived > /tmp/go"]);
    assert_eq!(file_in(&c, "/tmp/done"), "outlived\n");
    // Started detached, it is as confined as what docker exec starts.
    let confined = docker_ok(&[
        "exec",
        &c.name,
        "grep",
        "-E",
        "^(Cap|NoNewPrivs|Seccomp)",
        "/proc/self/status",
    ]);
    assert_eq!(file_in(&c, "/tmp/confined").trim_end(), confined.trim_end());
    // What it wrote to its standard output and error is discarded, as
    // docker exec -d discards it: not even the container's log has it.
    let logs = docker(&["logs", &c.name]);
    assert_eq!(
        (logs.stdout.clone(), logs.stderr.clone()),
        (String::new(), String::new())
    );
}

/// The host PID of the process of container `c` that is `inner` in it.
fn host_pid(c: &TestContainer, inner: &str) -> i32 {
    let init = c.pid();
    let pid_ns = common::ns_link(&init, "pid");
    let nspid_is_inner = |status: &str| {
        let line = status.lines().find(|l| l.starts_with("NSpid:"));
        line.and_then(|l| l.split_whitespace().last()) == Some(inner)
    };
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            common::ns_link(&pid.to_string(), "pid") == pid_ns
                && std::fs::read_to_string(format!("/proc/{pid}/status"))
                    .is_ok_and(|s| nspid_is_inner(&s))
        })
        .unwrap_or_else(|| panic!("no process {inner} in {}", c.name))
}

/// The descriptors (as `N -> target`, pipe numbers dropped) and whether
/// it leads a session, of a command started detached by `start` (`docker-enter
/// -d` or `docker exec -d`), which writes its PID to `pidfile` and
/// becomes `sleep`. Read from the host, the same way for both.
fn detached_program(c: &TestContainer, start: &[&str], pidfile: &str) -> (Vec<String>, bool) {
    let script = format!("echo $$ > {pidfile}; exec sleep 1000");
    let mut args = start.to_vec();
    args.extend_from_slice(&[&c.name, "sh", "-c", &script]);
    let out = match args[0] {
        "docker" => common::docker(&args[1..]),
        _ => detached(&args[1..]),
    };
    out.success();
    let pid = host_pid(c, file_in(c, pidfile).trim());
    let became_sleep = common::wait_until(Duration::from_secs(10), || common::comm(pid) == "sleep");
    assert!(became_sleep, "{args:?}: the command did not start");
    let mut fds: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let link = std::fs::read_link(e.path()).unwrap().display().to_string();
            let link = link.split(":[").next().unwrap().to_string();
            format!("{} -> {link}", e.file_name().to_string_lossy())
        })
        .collect();
    fds.sort();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (pid, sid) = pid_and_session(&stat);
    (fds, pid == sid)
}

#[test]
fn descriptors_and_session_as_docker_exec_d_gives_them() {
    let Some(c) = sleeping("nsc-detach-fds", &[]) else {
        return;
    };
    // Both lead a session of their own; docker's output pipes lead to its
    // daemon, which drains them; /dev/null does the same here.
    let ours = detached_program(&c, &["docker-enter", "-d"], "/tmp/ours");
    assert_eq!(
        ours,
        (
            vec![
                "0 -> /dev/null".into(),
                "1 -> /dev/null".into(),
                "2 -> /dev/null".into()
            ],
            true
        )
    );
    let docker = detached_program(&c, &["docker", "exec", "-d"], "/tmp/docker");
    assert_eq!(
        docker,
        (
            vec![
                "0 -> /dev/null".into(),
                "1 -> pipe".into(),
                "2 -> pipe".into()
            ],
            true
        )
    );
}

#[test]
fn a_command_that_cannot_run_is_reported() {
    let Some(c) = sleeping("nsc-detach-bad", &[]) else {
        return;
    };
    let out = detached(&["-d", &c.name, "no-such-program"]);
    assert_eq!(
        (out.code(), out.stderr.clone()),
        (
            Some(127),
            format!(
                "docker-enter: failed to execute no-such-program: No such file or directory \
                 (container {0} has no no-such-program in its PATH; --tools brings one: \
                 docker-enter --tools {0} no-such-program)\n",
                c.name
            )
        )
    );
    let out = detached(&["-d", &c.name, "/etc/passwd"]);
    assert_eq!(
        (out.code(), out.stderr.clone()),
        (
            Some(126),
            "docker-enter: failed to execute /etc/passwd: Permission denied\n".to_string()
        )
    );
}

//! docker-enter against a real Docker engine: what the program sees inside
//! equals what `docker exec` gives on the same container. Needs root and a
//! daemon (skips, or fails under CI=true, without).

mod common;

use common::docker_enter::{docker_enter, image, ready, stderr, stdout, DOCKER_ENTER};
use common::tmux::Tmux;
use common::{docker, docker_ok, Running, TestContainer};
use std::process::Command;

/// What a process sees of itself: user, directory, host name, namespaces,
/// cgroups and environment.
const PROBE: &str = "id; pwd; hostname; \
    for f in /proc/self/ns/*; do echo \"$f $(readlink $f)\"; done; \
    cat /proc/self/cgroup; env | sort";

/// `docker exec OPTS C sh -c PROBE` and `docker-enter OPTS C sh -c PROBE`
/// print the same.
fn same_as_docker_exec(container: &str, options: &[&str]) {
    let mut args: Vec<&str> = options.to_vec();
    args.extend([container, "sh", "-c", PROBE]);
    let mut exec_args = vec!["exec"];
    exec_args.extend(&args);
    let theirs = docker_ok(&exec_args);
    let ours = docker_enter(&args);
    assert!(
        ours.status.success(),
        "docker-enter {args:?}: {}",
        stderr(&ours)
    );
    assert_eq!(stdout(&ours).trim(), theirs, "docker-enter {args:?}");
}

#[test]
fn default_settings_match_docker_exec() {
    if !ready() {
        return;
    }
    let c = TestContainer::run("nsc-de-default", &[], image(), &["sleep", "100000"]);
    same_as_docker_exec(&c.name, &[]);
}

/// The program gets 0, 1 and 2 and nothing else, as with `docker exec`:
/// neither the descriptors docker-enter opens (pidfd, /proc/PID, namespace
/// and cgroup files, the daemon's socket) nor the caller's (`3<file`,
/// `5>file`, the control that the listing sees descriptors).
#[test]
fn the_program_gets_only_standard_descriptors() {
    if !ready() || !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let c = TestContainer::run("nsc-de-fds", &[], image(), &["sleep", "100000"]);
    let numbers = |table: Vec<String>| -> Vec<String> {
        let mut n: Vec<String> = table
            .iter()
            .map(|l| l.split(' ').next().unwrap_or("").to_string())
            .collect();
        n.sort();
        n
    };
    let listing = ["ls", "-l", "/proc/self/fd"];
    let theirs = numbers(common::fd_table(&docker_ok(
        &[&["exec", &c.name][..], &listing].concat(),
    )));
    assert_eq!(theirs, ["0", "1", "2"], "docker exec");

    let dir = common::tempdir("de-fds");
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, "x").unwrap();
    let args = |program: &[&str]| -> Vec<String> {
        std::iter::once(c.name.as_str())
            .chain(program.iter().copied())
            .map(String::from)
            .collect()
    };
    let direct = common::run(
        &mut common::with_fds_3_and_5(
            "ls",
            &input,
            &output,
            &["-l".into(), "/proc/self/fd".into()],
        ),
        b"",
    );
    assert!(
        numbers(common::fd_table(&direct.stdout)).contains(&"5".to_string()),
        "set-up failed: {direct:?}"
    );
    let ours = common::run(
        &mut common::with_fds_3_and_5(DOCKER_ENTER, &input, &output, &args(&listing)),
        b"",
    );
    assert_eq!(ours.status, "exit 0", "{ours:?}");
    assert_eq!(numbers(common::fd_table(&ours.stdout)), theirs, "{ours:?}");
}

#[test]
fn user_workdir_env_and_hostname_match_docker_exec() {
    if !ready() {
        return;
    }
    let c = TestContainer::run(
        "nsc-de-opts",
        &["--hostname", "web1"],
        image(),
        &["sleep", "100000"],
    );
    same_as_docker_exec(
        &c.name,
        &["-u", "1000:1000", "-w", "/tmp", "-e", "FOO=a  b"],
    );
}

#[test]
fn named_user_with_supplementary_groups_matches_docker_exec() {
    if !ready() {
        return;
    }
    let c = TestContainer::run(
        "nsc-de-groups",
        &["--group-add", "audio"],
        image(),
        &["sleep", "100000"],
    );
    same_as_docker_exec(&c.name, &["-u", "alice"]);
    same_as_docker_exec(&c.name, &["-u", "bob:staff"]);
}

#[test]
fn configured_user_workdir_and_env_match_docker_exec() {
    if !ready() {
        return;
    }
    let c = TestContainer::run(
        "nsc-de-config",
        &[
            "-u",
            "bob",
            "-w",
            "/home/bob",
            "-e",
            "HOME=/elsewhere",
            "-e",
            "X=1",
        ],
        image(),
        &["sleep", "100000"],
    );
    same_as_docker_exec(&c.name, &[]);
    same_as_docker_exec(&c.name, &["-u", "0", "-e", "X", "-e", "Y=2"]);
}

#[test]
fn id_prefix_and_exit_status() {
    if !ready() {
        return;
    }
    let c = TestContainer::run(
        "nsc-de-prefix",
        &["--hostname", "pfx"],
        image(),
        &["sleep", "100000"],
    );
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let out = docker_enter(&[&id[..12], "hostname"]);
    assert_eq!(
        (stdout(&out).as_str(), out.status.code()),
        ("pfx\n", Some(0))
    );
    let out = docker_enter(&[&id, "hostname"]);
    assert_eq!(stdout(&out), "pfx\n");

    assert_eq!(
        docker_enter(&[&c.name, "sh", "-c", "exit 7"]).status.code(),
        Some(7)
    );
    let out = docker_enter(&[&c.name, "no-such-program"]);
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(
        stderr(&out),
        "docker-enter: failed to execute no-such-program: No such file or directory\n"
    );
    assert_eq!(docker_enter(&[&c.name, "/etc"]).status.code(), Some(126));
    // A command read from stdin by the default shell.
    let out = common::output(
        Command::new(DOCKER_ENTER).arg(&c.name),
        b"echo in-$((40+2)); exit 5\n",
    );
    assert_eq!(
        (stdout(&out).as_str(), out.status.code()),
        ("in-42\n", Some(5))
    );
}

#[test]
fn signals_are_forwarded_to_the_command() {
    if !ready() {
        return;
    }
    let c = TestContainer::run("nsc-de-signal", &[], image(), &["sleep", "100000"]);
    let mut child = Running::start(Command::new(DOCKER_ENTER).args([
        &c.name,
        "sh",
        "-c",
        "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done",
    ]));
    assert!(child.wait_output("ready\n"), "{}", child.output());
    common::kill(child.pid(), libc::SIGTERM);
    assert_eq!(child.wait(), "exit 42");
}

#[test]
fn bash_completes_options_and_running_containers() {
    if !ready() {
        return;
    }
    let c = TestContainer::run("nsc-de-complete", &[], image(), &["sleep", "100000"]);
    let out = docker_enter(&["--complete-containers"]);
    assert!(
        stdout(&out).lines().any(|l| l == c.name),
        "{}",
        stdout(&out)
    );

    let script = format!(
        "source {}/completions/docker-enter.bash
         COMP_WORDS=(docker-enter --us); COMP_CWORD=1; COMPREPLY=(); _docker_enter; echo \"${{COMPREPLY[*]}}\"
         COMP_WORDS=(docker-enter -u alice {}); COMP_CWORD=3; COMPREPLY=(); _docker_enter; echo \"${{COMPREPLY[*]}}\"
         COMP_WORDS=(docker-enter web -); COMP_CWORD=2; COMPREPLY=(); _docker_enter; echo \"[${{COMPREPLY[*]}}]\"",
        env!("CARGO_MANIFEST_DIR"),
        c.name
    );
    let bin_dir = std::path::Path::new(DOCKER_ENTER).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = common::output(
        Command::new("bash").args(["-c", &script]).env("PATH", path),
        b"",
    );
    assert_eq!(
        stdout(&out),
        format!("--user\n{}\n[]\n", c.name),
        "{}",
        stderr(&out)
    );
}

/// tmux on a socket of our own, so no other session is touched.
#[test]
fn interactive_shell_at_a_real_terminal() {
    if !ready() {
        return;
    }
    if !common::have("tmux") {
        common::skip_or_fail("tmux is not installed");
        return;
    }
    let c = TestContainer::run(
        "nsc-de-tty",
        &["--hostname", "ttyhost"],
        image(),
        &["sleep", "100000"],
    );
    let tmux = Tmux::new("de");
    let command = format!(
        "{DOCKER_ENTER} {}; echo docker-enter-exited-$?; sleep 100",
        c.name
    );
    tmux.start(&command);
    tmux.keys(&["echo hi-$((1+2)) $(hostname) $TERM", "Enter"]);
    tmux.wait_for("the command's output", |s| s.contains("hi-3 ttyhost xterm"));
    tmux.keys(&["exit 3", "Enter"]);
    tmux.wait_for("the shell to end", |s| s.contains("docker-enter-exited-3"));
    let _ = docker(&["ps"]);
}

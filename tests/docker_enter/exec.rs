//! docker-enter against a real Docker engine: what the program sees inside
//! equals what `docker exec` gives on the same container. Needs root and a
//! daemon (skips, or fails under CI=true, without).

use crate::common;

use common::docker_enter::{docker_enter, image, ready, sleeping, DOCKER_ENTER};
use common::tmux::Tmux;
use common::{completions, docker, docker_ok, Running, TestContainer};
use std::collections::BTreeSet;
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
    ours.success();
    assert_eq!(ours.stdout.trim(), theirs, "docker-enter {args:?}");
}

#[test]
fn default_settings_match_docker_exec() {
    let Some(c) = sleeping("nsc-de-default", &[]) else {
        return;
    };
    same_as_docker_exec(&c.name, &[]);
}

/// The program gets 0, 1 and 2 and nothing else, as with `docker exec`:
/// neither the descriptors docker-enter opens (pidfd, /proc/PID, namespace
/// and cgroup files, the daemon's socket) nor the caller's (`3<file`,
/// `5>file`, the control that the listing sees descriptors).
#[test]
fn the_program_gets_only_standard_descriptors() {
    if !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let Some(c) = sleeping("nsc-de-fds", &[]) else {
        return;
    };
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
    ours.success();
    assert_eq!(numbers(common::fd_table(&ours.stdout)), theirs, "{ours:?}");
}

#[test]
fn user_workdir_env_and_hostname_match_docker_exec() {
    let Some(c) = sleeping("nsc-de-opts", &["--hostname", "web1"]) else {
        return;
    };
    same_as_docker_exec(
        &c.name,
        &["-u", "1000:1000", "-w", "/tmp", "-e", "FOO=a  b"],
    );
}

#[test]
fn named_user_with_supplementary_groups_matches_docker_exec() {
    let Some(c) = sleeping("nsc-de-groups", &["--group-add", "audio"]) else {
        return;
    };
    same_as_docker_exec(&c.name, &["-u", "alice"]);
    same_as_docker_exec(&c.name, &["-u", "bob:staff"]);
}

#[test]
fn configured_user_workdir_and_env_match_docker_exec() {
    let Some(c) = sleeping(
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
    ) else {
        return;
    };
    same_as_docker_exec(&c.name, &[]);
    same_as_docker_exec(&c.name, &["-u", "0", "-e", "X", "-e", "Y=2"]);
}

#[test]
fn id_prefix_and_exit_status() {
    let Some(c) = sleeping("nsc-de-prefix", &["--hostname", "pfx"]) else {
        return;
    };
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let out = docker_enter(&[&id[..12], "hostname"]);
    assert_eq!((out.stdout.as_str(), out.code()), ("pfx\n", Some(0)));
    let out = docker_enter(&[&id, "hostname"]);
    out.stdout_is("pfx\n");

    assert_eq!(
        docker_enter(&[&c.name, "sh", "-c", "exit 7"]).code(),
        Some(7)
    );
    let out = docker_enter(&[&c.name, "no-such-program"]);
    out.code_is(127).stderr_is(format!(
        "docker-enter: failed to execute no-such-program: No such file or directory \
             (container {0} has no no-such-program in its PATH; --tools brings one: \
             docker-enter --tools {0} no-such-program)\n",
        c.name
    ));
    assert_eq!(docker_enter(&[&c.name, "/etc"]).code(), Some(126));
    // A command read from stdin by the default shell.
    let out = common::run(
        Command::new(DOCKER_ENTER).arg(&c.name),
        b"echo in-$((40+2)); exit 5\n",
    );
    assert_eq!((out.stdout.as_str(), out.code()), ("in-42\n", Some(5)));
}

#[test]
fn signals_are_forwarded_to_the_command() {
    let Some(c) = sleeping("nsc-de-signal", &[]) else {
        return;
    };
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
fn bash_completes_options_running_containers_and_id_prefixes() {
    if !common::require(common::have("bash"), "bash is not installed") {
        return;
    }
    let Some(c) = sleeping("nsc-de-complete", &[]) else {
        return;
    };
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let out = docker_enter(&["--list", "--format", "{{.Name}} {{.Address}}"]);
    assert!(
        out.stdout
            .clone()
            .lines()
            .any(|l| l == format!("{0} docker:{0}", c.name)),
        "{}",
        out.stdout
    );

    let lines = [
        "docker-enter --us".to_string(),
        format!("docker-enter -u alice {}", c.name),
        format!("docker-enter docker:{}", c.name),
        format!("docker-enter {}", &id[..10]),
        "docker-enter web -".to_string(),
        "docker-enter --state-files f".to_string(),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let offered = completions::bash("docker-enter.bash", "_docker_enter", &lines);
    // After "docker:", bash completes what follows the colon.
    let expected: Vec<BTreeSet<String>> = [
        &["--user"][..],
        &[&c.name],
        &[&c.name],
        &[&id[..12]],
        &[],
        &["fallback", "first"],
    ]
    .iter()
    .map(|words| words.iter().map(|w| w.to_string()).collect())
    .collect();
    assert_eq!(offered, expected);
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

#[test]
fn pid_addresses_enter_that_process_with_its_containers_settings() {
    let Some(c) = sleeping(
        "nsc-de-pid",
        &["--hostname", "pidhost", "-u", "alice", "-w", "/tmp"],
    ) else {
        return;
    };
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let init: i32 = c.pid().parse().unwrap();
    // A second process in the container, not its main one.
    docker_ok(&["exec", "-d", &c.name, "sleep", "99999"]);
    let mut second = 0;
    assert!(common::wait_until(
        std::time::Duration::from_secs(10),
        || {
            second = std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
                .find(|&p| {
                    p != init
                        && common::comm(p) == "sleep"
                        && std::fs::read_to_string(format!("/proc/{p}/cgroup"))
                            .is_ok_and(|cg| cg.contains(&id))
                })
                .unwrap_or(0);
            second > 0
        }
    ));
    let probe = [
        "sh",
        "-c",
        "id -un; pwd; hostname; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt",
    ];
    let namespaces = format!(
        "{}\n{}\n",
        common::ns_link(&init.to_string(), "pid"),
        common::ns_link(&init.to_string(), "mnt")
    );
    for pid in [init, second] {
        let address = format!("pid:{pid}");
        let mut args = vec![address.as_str()];
        args.extend(probe);
        let out = docker_enter(&args);
        // As docker exec: the container's user, directory, host name and
        // namespaces.
        assert_eq!(
            (out.stdout.clone(), out.code()),
            (format!("alice\n/tmp\npidhost\n{namespaces}"), Some(0)),
            "{address}: {}",
            out.stderr
        );
    }
    // A process in namespaces of its own that no runtime claims (an LXC
    // guest, a sandboxed service): its own user and environment, in /
    // (docker-enter's own environment has no NSC_MARK).
    let unshare = common::KillOnDrop(
        Command::new("unshare")
            .args(["--fork", "--kill-child", "--mount", "--uts", "sleep", "100"])
            .env("NSC_MARK", "its own")
            .spawn()
            .unwrap(),
    );
    let mut guest = 0;
    assert!(common::wait_until(
        std::time::Duration::from_secs(10),
        || {
            guest = common::children(unshare.0.id() as i32)
                .first()
                .copied()
                .unwrap_or(0);
            guest > 0 && common::comm(guest) == "sleep"
        }
    ));
    let address = format!("pid:{guest}");
    let out = docker_enter(&[&address, "sh", "-c", "id -u; pwd; echo \"$NSC_MARK\""]);
    drop(unshare);
    assert_eq!(
        (out.stdout.as_str(), out.code()),
        ("0\n/\nits own\n", Some(0)),
        "{}",
        out.stderr
    );
}

#[test]
fn fish_and_zsh_completions_know_the_running_containers() {
    if !completions::shells_ready() {
        return;
    }
    let Some(c) = sleeping("nsc-de-fish", &[]) else {
        return;
    };
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let lines = [
        format!("docker-enter {}", c.name),
        format!("docker-enter -u alice {}", &id[..10]),
        "docker-enter --state-files f".to_string(),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let offered = completions::fish_described("docker-enter.fish", &lines);
    let name = format!("{}\tdocker {}", c.name, image());
    assert!(offered[0].contains(&name), "{:?}", offered[0]);
    let short_id = format!("{}\t{}", &id[..12], c.name);
    assert!(offered[1].contains(&short_id), "{:?}", offered[1]);
    let words: BTreeSet<&str> = offered[2]
        .iter()
        .map(|w| w.split('\t').next().unwrap())
        .collect();
    assert_eq!(words, BTreeSet::from(["fallback", "first"]));
    // zsh's is at least well-formed (zsh -n), and names the options.
    assert!(completions::zsh_options("_docker-enter").contains("--state-files"));
}

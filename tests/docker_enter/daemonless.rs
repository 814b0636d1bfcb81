//! docker-enter with Docker's daemon stopped by SIGSTOP, or killed with its
//! socket gone: the same output as with the daemon up, from its state
//! files, without waiting for it. Each test runs a dockerd of its own (the shared one is
//! never stopped) and puts it back, or takes it down, when it ends.

use crate::common;
use common::RunResult;

use common::docker_enter::{image, ready, without_docker_host, CONFIGURED};
use common::private_daemon::PrivateDockerd;
use std::time::Duration;

/// What the program sees of itself: user, groups, host name, directory,
/// environment.
const PROBE: &str = "id; hostname; pwd; env | sort";

/// How long a lookup without the daemon may take, at most: one that
/// waited for the stopped daemon would take the whole of docker-enter's
/// 5 s deadline for an answer, and more (--state-files fallback gives it
/// 1 s, then reads the files).
const WITHIN: Duration = Duration::from_secs(5);

/// docker-enter pointed at the private daemon and its state files.
fn enter(daemon: &PrivateDockerd, options: &[&str], args: &[&str]) -> RunResult {
    let mut all = daemon.enter_args();
    all.extend(options.iter().chain(args).map(|s| s.to_string()));
    without_docker_host(&all)
}

/// A daemon with a container `web` whose user, directory, environment,
/// groups and host name all differ from the defaults; and what the program
/// sees there through the daemon (checked against `docker exec`).
fn daemon_with_web() -> (PrivateDockerd, String) {
    let d = PrivateDockerd::start(image());
    let run = [
        &["run", "-d", "--network", "none", "--name", "web"][..],
        &["--hostname", "web1", "--group-add", "audio"],
        CONFIGURED,
        &[image(), "sleep", "100000"],
    ];
    d.docker_ok(&run.concat());
    let through_daemon = enter(&d, &["--state-files", "never"], &["web", "sh", "-c", PROBE]);
    through_daemon.success();
    let theirs = d.docker_ok(&["exec", "web", "sh", "-c", PROBE]);
    assert_eq!(through_daemon.stdout.trim(), theirs);
    (d, through_daemon.stdout.clone())
}

/// Without an answering daemon, docker-enter gives `expected` from the
/// state files, without waiting for it, saying nothing; asked to try the daemon first
/// (`--state-files fallback`), it says `why` the daemon was not used, once.
fn state_files_answer(d: &PrivateDockerd, expected: &str, why: &str, addresses: &[&str]) {
    for address in addresses {
        let out = enter(d, &[], &[address, "sh", "-c", PROBE]);
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str(), out.code()),
            (expected, "", Some(0)),
            "{address}"
        );
        assert!(out.elapsed < WITHIN, "{address}: took {:?}", out.elapsed);
    }
    let out = enter(
        d,
        &["--state-files", "fallback"],
        &["web", "sh", "-c", PROBE],
    );
    out.stdout_is(expected).stderr_is(format!(
        "docker-enter: {why}; using its state files under {} instead\n",
        d.data_root().display()
    ));
    assert!(out.elapsed < WITHIN, "took {:?}", out.elapsed);
}

#[test]
fn a_stopped_daemon_changes_nothing() {
    if !ready() {
        return;
    }
    let (d, expected) = daemon_with_web();
    let id = d.docker_ok(&["inspect", "-f", "{{.Id}}", "web"]);
    d.freeze();

    // The control: the daemon really does not answer.
    let out = enter(&d, &["--state-files", "never"], &["web", "true"]);
    let silent = format!("Docker daemon at {} did not answer", d.socket().display());
    out.stderr_is(format!("docker-enter: {silent} within 5s\n"));

    state_files_answer(
        &d,
        &expected,
        &format!("{silent} within 1s"),
        &["web", "docker:web", &id[..12]],
    );
}

#[test]
fn a_killed_daemon_with_its_socket_gone_changes_nothing() {
    if !ready() {
        return;
    }
    let (mut d, expected) = daemon_with_web();
    d.kill_and_remove_socket();

    let gone = format!(
        "cannot connect to {}: No such file or directory (is the Docker daemon running?)",
        d.socket().display()
    );
    state_files_answer(&d, &expected, &gone, &["web"]);

    // Listed as well, from the same files.
    let out = enter(
        &d,
        &["--list", "--format", "{{.Runtime}} {{.Address}}"],
        &[],
    );
    assert!(
        out.stdout.lines().any(|l| l == "docker docker:web"),
        "{}",
        out.stdout
    );
    // The control: only the daemon, and there is none.
    let out = enter(&d, &["--state-files", "never"], &["web", "true"]);
    out.stderr_is(format!("docker-enter: {gone}\n"));
}

//! Messages that lead somewhere, word for word, through the built binary
//! against real containers: a mistyped name gets the nearest running
//! names, an option that took the container says so with the line to
//! type, a command the container lacks says where it was looked for and
//! how `--tools` brings one, a stopped or paused container says the
//! runtime's own command that makes it enterable (and that command, run
//! as printed, does), and `--list` without root says so in one line.

use crate::common;
use common::RunResult;

use common::docker_enter::{docker_enter, image, ready, sleeping, DOCKER_ENTER};
use common::podman::{self, PodmanContainer};
use common::tools::{scratch_image, toolbox};
use common::{docker_ok, TestContainer};
use std::path::Path;
use std::process::Command;

/// Refused with `status` and exactly `lines` on stderr, nothing on stdout.
fn assert_said(out: &RunResult, status: i32, lines: &[&str]) {
    let expected: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(
        (out.stderr.clone(), out.code(), out.stdout.clone()),
        (expected, Some(status), String::new())
    );
}

/// Run the command a message gives (after `lead`) as printed, with
/// `path_first` first on PATH (where its `docker-enter` is).
fn run_as_printed(message: &str, lead: &str, path_first: Option<&Path>) -> RunResult {
    let line = message
        .split_once(lead)
        .unwrap_or_else(|| panic!("no {lead:?} in {message}"))
        .1
        .trim_end_matches(['\n', ')']);
    let mut sh = Command::new("sh");
    sh.args(["-c", line]);
    if let Some(dir) = path_first {
        let path = std::env::var("PATH").unwrap_or_default();
        sh.env("PATH", format!("{}:{path}", dir.display()));
    }
    common::run(&mut sh, b"")
}

#[test]
fn a_typo_gets_the_nearest_running_names() {
    let Some(web) = sleeping("nc-web", &[]) else {
        return;
    };
    // nc-web-PID with two letters swapped.
    let typo = web.name.replacen("web", "wbe", 1);
    let said = |suggestion: &str| {
        format!(
            "docker-enter: No such container: {typo} ({suggestion}docker-enter --list \
             lists the running containers)"
        )
    };
    assert_said(
        &docker_enter(&[&typo, "true"]),
        1,
        &[&said(&format!("did you mean {}? ", web.name))],
    );
    // Asked of Docker alone: the suggestion is its address.
    let docker_typo = format!("docker:{typo}");
    assert_said(
        &docker_enter(&[&docker_typo, "true"]),
        1,
        &[&format!(
            "docker-enter: No such container: {docker_typo} (did you mean docker:{}? \
             docker-enter --list lists the running containers)",
            web.name
        )],
    );
    // Control: once it no longer runs, it is not suggested.
    docker_ok(&["stop", "-t", "0", &web.name]);
    assert_said(&docker_enter(&[&typo, "true"]), 1, &[&said("")]);
}

#[test]
fn an_option_that_took_the_container_shows_the_line_to_type() {
    assert_said(
        &docker_enter(&["-u", "nc-web"]),
        1,
        &[
            "docker-enter: no container given: -u took nc-web as the user \
             (to enter container nc-web, type: docker-enter -u USER nc-web)",
            "Try 'docker-enter --help' for more information.",
        ],
    );
    // Control: a user given attached took nothing that was meant otherwise.
    assert_said(
        &docker_enter(&["--user=nc-web"]),
        1,
        &[
            "docker-enter: no container given",
            "Try 'docker-enter --help' for more information.",
        ],
    );
}

/// `docker-enter` installed in a prefix with the can's default toolbox
/// (busybox and its links) beside it: the prefix's bin directory.
fn installed_with_a_toolbox(name: &str) -> std::path::PathBuf {
    let tb = toolbox(name);
    let prefix = common::tempdir(&format!("prefix-{name}"));
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::create_dir_all(prefix.join("libexec/nsenter-can")).unwrap();
    std::fs::copy(DOCKER_ENTER, prefix.join("bin/docker-enter")).unwrap();
    common::sh(&format!(
        "cp -a {} {}",
        tb.display(),
        prefix.join("libexec/nsenter-can/toolbox").display()
    ));
    prefix.join("bin")
}

#[test]
fn a_command_the_container_lacks_says_where_it_looked_and_how_to_bring_it() {
    if !ready() {
        return;
    }
    let Some(tag) = scratch_image("nsenter-can-test/tools:scratch", None, "") else {
        return;
    };
    let c = TestContainer::run("nc-scratch", &[], tag, &[]);
    let bin = installed_with_a_toolbox("messages");
    let installed = bin.join("docker-enter");
    let out = common::run(
        Command::new(&installed).args([&c.name, "ls", "/pause"]),
        b"",
    );
    let message = format!(
        "docker-enter: failed to execute ls: No such file or directory (container {0} has no \
         ls in its PATH; --tools brings one: docker-enter --tools {0} ls /pause)",
        c.name
    );
    assert_said(&out, 127, &[&message]);
    // The line it gives, run as printed, finds the container's /pause.
    let ran = run_as_printed(&message, "--tools brings one: ", Some(&bin));
    assert_eq!(
        (ran.stdout.as_str(), ran.code()),
        ("/pause\n", Some(0)),
        "{}",
        ran.stderr
    );
    // With the toolbox, a command in neither names the toolbox searched.
    let out = common::run(
        Command::new(&installed).args(["--tools", &c.name, "no-such-tool"]),
        b"",
    );
    let toolbox = bin.parent().unwrap().join("libexec/nsenter-can/toolbox");
    assert_said(
        &out,
        127,
        &[&format!(
            "docker-enter: failed to execute no-such-tool: No such file or directory (neither \
             container {}'s PATH nor the toolbox {} has no-such-tool)",
            c.name,
            toolbox.display()
        )],
    );
}

#[test]
fn a_program_that_is_there_but_cannot_start_gets_no_such_hint() {
    let Some(c) = sleeping("nc-interp", &[]) else {
        return;
    };
    // There, but its interpreter is not: execve says ENOENT all the same.
    docker_ok(&[
        "exec",
        &c.name,
        "sh",
        "-c",
        "printf '#!/no/such/interpreter\\n' > /tmp/x && chmod 755 /tmp/x",
    ]);
    assert_said(
        &docker_enter(&[&c.name, "/tmp/x"]),
        127,
        &["docker-enter: failed to execute /tmp/x: No such file or directory"],
    );
}

#[test]
fn a_stopped_or_paused_container_says_the_runtimes_command_that_works() {
    let Some(c) = sleeping("nc-stopped", &[]) else {
        return;
    };
    docker_ok(&["stop", "-t", "0", &c.name]);
    let out = docker_enter(&[&c.name, "true"]);
    let message = format!(
        "docker-enter: container {0} is not running (exited); start it with: docker start {0}",
        c.name
    );
    assert_said(&out, 1, &[&message]);
    advice_works(&c.name, &message, "start it with: ");

    docker_ok(&["pause", &c.name]);
    let message = format!(
        "docker-enter: container {0} is paused; unpause it first: docker unpause {0}",
        c.name
    );
    assert_said(&docker_enter(&[&c.name, "true"]), 1, &[&message]);
    advice_works(&c.name, &message, "unpause it first: ");
}

/// The command after `lead` in `message`, run as printed, makes container
/// `name` enterable.
fn advice_works(name: &str, message: &str, lead: &str) {
    let ran = run_as_printed(message, lead, None);
    ran.success();
    assert_said(&docker_enter(&[name, "true"]), 0, &[]);
}

#[test]
fn a_stopped_podman_container_says_podman_start() {
    if !ready() || !podman::ready() {
        return;
    }
    let image = podman::load(image());
    let c = PodmanContainer::run("nc-pstopped", &[], &image, &["sleep", "100000"]);
    podman::podman_ok(&["stop", "-t", "0", &c.name]);
    let message = format!(
        "docker-enter: container {0} is not running (exited); start it with: podman start {0}",
        c.name
    );
    assert_said(&docker_enter(&[&c.name, "true"]), 1, &[&message]);
    advice_works(&c.name, &message, "start it with: ");
}

#[test]
fn list_without_root_says_so_in_one_line() {
    if !ready() {
        return;
    }
    let out = common::run(
        Command::new(common::NOBODY[0])
            .args(&common::NOBODY[1..])
            .args([DOCKER_ENTER, "--list"])
            .env_remove("DOCKER_HOST"),
        b"",
    );
    let text = out.stderr.clone();
    // Which other runtimes are there depends on the machine.
    assert!(
        text.starts_with(
            "docker-enter: cannot list every runtime's containers without root: cannot open \
             state directory /var/lib/docker/containers"
        ) && text.ends_with(
            ": Permission denied (run docker-enter --list as root, for example with sudo)\n"
        ),
        "{text}"
    );
    assert_eq!(
        (text.lines().count(), out.code(), out.stdout.clone()),
        (1, Some(1), String::new()),
        "{text}"
    );
    // Control: as root the same listing works and says nothing of root.
    let out = common::run(
        Command::new(DOCKER_ENTER)
            .arg("--list")
            .env_remove("DOCKER_HOST"),
        b"",
    );
    out.success();
    assert!(!out.stderr.contains("without root"), "{}", out.stderr);
}

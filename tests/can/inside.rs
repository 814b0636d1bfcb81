//! The tools run from inside a privileged can, against a test container.
//! These need the real tools: while a tool is a placeholder the test says so
//! and skips (fails under `CI=true`).

use crate::common::require;
use crate::harness::{busybox_image, docker, image, Container, Scratch};

const HOSTNAME: &str = "can-test-web";

/// The can image, when `tool` in it is real.
fn can_with_real(tool: &str) -> Option<&'static str> {
    let image = image()?;
    let version = docker(&["run", "--rm", image, tool, "--version"]);
    let real = version.code == 0 && !version.stdout.is_empty();
    let why = format!(
        "needs the real {tool}; '{tool} --version' in the can gave: {}",
        version.stderr.trim()
    );
    require(real, &why).then_some(image)
}

/// A running busybox container named after the test, to be entered.
fn target(name: &str) -> Option<Container> {
    Some(Container::start(
        name,
        &["--hostname", HOSTNAME, busybox_image()?, "sleep", "600"],
    ))
}

/// A privileged can sharing the host's PID namespace, as the issue runs it.
fn privileged<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--rm", "--privileged", "--pid=host"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn nsenter_in_the_can_enters_a_container() {
    let Some(image) = can_with_real("nsenter") else {
        return;
    };
    let Some(target) = target("nsenter-target") else {
        return;
    };
    let pid = target.pid();
    let out = docker(&privileged(&[
        image,
        "nsenter",
        "-t",
        &pid,
        "-a",
        "/bin/hostname",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("{HOSTNAME}\n"));
}

#[test]
fn docker_enter_in_the_can_enters_a_container() {
    let Some(image) = can_with_real("docker-enter") else {
        return;
    };
    let Some(target) = target("docker-enter-target") else {
        return;
    };
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let out = docker(&privileged(&[
        "-v",
        socket,
        image,
        "docker-enter",
        &target.0,
        "hostname",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("{HOSTNAME}\n"));
}

#[test]
fn importenv_in_the_can_sets_the_stored_environment() {
    let Some(image) = can_with_real("importenv") else {
        return;
    };
    let dir = Scratch::new("importenv");
    std::fs::write(
        dir.path("environ"),
        "GREETING=hello from the can\0PATH=/bin\0",
    )
    .unwrap();
    let environ = format!("{}:/environ:ro", dir.path("environ").display());
    let busybox = "/bin/busybox:/busybox:ro";
    let out = docker(&[
        "run",
        "--rm",
        "-v",
        &environ,
        "-v",
        busybox,
        image,
        "importenv",
        "/environ",
        "/busybox",
        "env",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines: Vec<String> = out.stdout_text().lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(lines, ["GREETING=hello from the can", "PATH=/bin"]);
}

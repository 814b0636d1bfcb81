//! A hostile container against docker-enter (and `nsenter --confine`):
//! what the caller holds around the program must not leak in. Each case
//! sits beside its control: `docker exec` on the same container, and the
//! way that leaks (util-linux nsenter, or the defence taken away) shown
//! leaking.

mod common;

use common::docker_enter::{ready, stderr, stdout, DOCKER_ENTER};
use common::podman::{load, PodmanContainer};
use common::{busybox_image, static_c, TestContainer, ORACLE};
use std::process::Command;

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");

// 2. keyring

const KEYPROBE_C: &str = include_str!("common/programs/keyprobe.c");
const KEY_LAUNCHER_C: &str = include_str!("common/programs/key_launcher.c");

/// What the probe says when the caller's key reached it.
const LEAKED: &str = "found TOP-SECRET\n";
/// What it says when it searched its session keyring and the key was not
/// there (not EPERM: keyctl itself allowed).
const NOT_FOUND: &str = "not-found ENOKEY\n";

/// busybox with the key probe at /keyprobe; None (after skipping, or
/// failing under CI) without Docker or gcc -static.
fn keys_image() -> Option<&'static str> {
    if !ready() {
        return None;
    }
    let probe = std::fs::read(static_c::require("keyprobe", KEYPROBE_C)?).unwrap();
    Some(busybox_image::build_custom(
        "nsenter-can-test/hostile:keys",
        "FROM scratch\nCOPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY keyprobe /\n",
        &[("keyprobe", &probe, 0o755)],
    ))
}

/// `COMMAND...` run the way an operator's login runs it: with a session
/// keyring that holds the user key "k" (see key_launcher.c); what the
/// probe it ends in printed.
fn with_a_key_in_the_session_keyring(command: &[&str]) -> String {
    let launcher = static_c::build("key_launcher", KEY_LAUNCHER_C).expect("built with the probe");
    let out = common::output(Command::new(launcher).args(command), b"");
    assert!(out.status.success(), "{command:?}: {}", stderr(&out));
    stdout(&out)
}

/// The key the caller's login put in its session keyring is not found
/// from inside, in a container whose seccomp allows keyctl, through
/// docker-enter (confined or `--privileged`) and `nsenter --confine`, as
/// through `docker exec`; util-linux nsenter, and ours without
/// `--confine`, pass the keyring on and the key is read.
#[test]
fn the_callers_session_keyring_stays_outside() {
    let Some(image) = keys_image() else {
        return;
    };
    let c = TestContainer::run(
        "nsc-hostile-keys",
        &["--security-opt", "seccomp=unconfined"],
        image,
        &["sleep", "100000"],
    );
    let pid = c.pid();
    let name = c.name.as_str();
    // Controls: the key is there to find, and keyctl is allowed.
    let oracle = [ORACLE, "-t", &pid, "-m", "-p", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let unconfined = [NSENTER, "-t", &pid, "-a", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&unconfined), LEAKED);
    let docker_exec = ["docker", "exec", name, "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&docker_exec), NOT_FOUND);

    for command in [
        vec![DOCKER_ENTER, name, "/keyprobe"],
        vec![DOCKER_ENTER, "--privileged", name, "/keyprobe"],
        vec![DOCKER_ENTER, "-d", name, "sh", "-c", "/keyprobe > /detached"],
        vec![NSENTER, "--confine", "-t", &pid, "-a", "/keyprobe"],
        vec![NSENTER, "--confine", "-t", &pid, "-a", "-F", "/keyprobe"],
    ] {
        let said = with_a_key_in_the_session_keyring(&command);
        let said = match command.contains(&"-d") {
            true => detached_output(name),
            false => said,
        };
        assert_eq!(said, NOT_FOUND, "{command:?}");
    }

    // Docker's default filter denies keyctl: the new keyring is joined
    // before it goes on, and the program is denied keyctl as under
    // `docker exec`.
    let default = TestContainer::run("nsc-hostile-keys-default", &[], image, &["sleep", "100000"]);
    let name = default.name.as_str();
    for command in [
        vec!["docker", "exec", name, "/keyprobe"],
        vec![DOCKER_ENTER, name, "/keyprobe"],
    ] {
        let said = with_a_key_in_the_session_keyring(&command);
        assert_eq!(said, "not-found EPERM\n", "{command:?}");
    }
}

/// What the detached probe wrote to /detached, once it has.
fn detached_output(container: &str) -> String {
    let mut said = String::new();
    let written = common::wait_until(std::time::Duration::from_secs(10), || {
        let out = common::docker(&["exec", container, "cat", "/detached"]);
        said = stdout(&out);
        !said.is_empty()
    });
    assert!(written, "the detached probe wrote nothing");
    said
}

/// The same in a user namespace of the container's own: a container of
/// rootful Podman with a uid map (Podman's default filter allows keyctl)
/// through docker-enter, and a process `unshare -U` made through `nsenter
/// --confine`; util-linux nsenter passes the keyring into both.
#[test]
fn a_user_namespace_gets_a_fresh_keyring_too() {
    let Some(image) = keys_image() else {
        return;
    };
    if !common::podman::ready() {
        return;
    }
    let image = load(image);
    let map = ["--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536"];
    let c = PodmanContainer::run("nsc-hostile-keys-userns", &map, &image, &["sleep", "100000"]);
    let pid = common::podman::podman_ok(&["inspect", "-f", "{{.State.Pid}}", &c.name]);
    assert_ne!(
        common::ns_link(&pid, "user"),
        common::ns_link("self", "user"),
        "set-up: a user namespace of its own"
    );
    let oracle = [ORACLE, "-t", &pid, "-a", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let address = format!("podman:{}", c.name);
    let ours = [DOCKER_ENTER, &address, "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&ours), NOT_FOUND);

    let probe = static_c::build("keyprobe", KEYPROBE_C).expect("built for the image");
    let probe = probe.to_str().unwrap();
    let target = common::Target::userns();
    let pid = target.pid_str();
    let oracle = [ORACLE, "-t", &pid, "-a", probe];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let ours = [NSENTER, "--confine", "-t", &pid, "-a", probe];
    assert_eq!(with_a_key_in_the_session_keyring(&ours), NOT_FOUND);
}

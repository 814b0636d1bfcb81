//! Section 4, the container is never disturbed (rule 19): `docker exec`
//! never stops, traces or signals the container's processes, and neither
//! does docker-enter, which compiles the seccomp filter from the
//! runtime's record instead of copying it from the live process.

use super::keyring_and_tools::busybox_with;
use crate::common;
use crate::common::docker_enter::DOCKER_ENTER;
use crate::common::{docker, TestContainer};
use std::process::Command;
use std::time::Duration;

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");
const IDLE_WAITER_C: &str = include_str!("../../common/programs/idle_waiter.c");

/// A container whose main process waits in epoll_wait and logs each
/// return: many runs of docker-enter (confined, and --privileged) wake it
/// never, as `docker exec` does not; the live copy of its filters (`nsenter
/// --confine`, which stops it for a moment) does, which shows the log
/// would tell.
#[test]
fn the_containers_idle_process_is_never_woken() {
    let Some(image) = busybox_with(
        "nsenter-can-test/hostile:idle",
        "idle_waiter",
        IDLE_WAITER_C,
    ) else {
        return;
    };
    let c = TestContainer::run("nsc-hostile-idle", &[], image, &["/idle_waiter"]);
    let pid = c.pid();
    let in_root = |file: &str| format!("/proc/{pid}/root/{file}");
    let waiting = common::wait_until(Duration::from_secs(20), || {
        std::path::Path::new(&in_root("ready")).exists()
    });
    assert!(waiting, "the idle process never got ready");
    let log = || std::fs::read_to_string(in_root("log")).unwrap_or_default();

    for _ in 0..20 {
        for extra in [&[][..], &["--privileged"]] {
            let out = common::run(
                Command::new(DOCKER_ENTER)
                    .args(extra)
                    .args([c.name.as_str(), "true"]),
                b"",
            );
            out.success();
        }
    }
    assert_eq!(log(), "", "docker-enter woke the container's process");

    // The control of the runtime's own exec.
    for _ in 0..3 {
        assert!(docker(&["exec", &c.name, "true"]).succeeded());
    }
    assert_eq!(log(), "", "docker exec woke the container's process");

    // The control that shows the log tells: a live copy stops it.
    let out = common::run(
        Command::new(NSENTER).args(["--confine", "-t", &pid, "-a", "true"]),
        b"",
    );
    out.success();
    assert!(
        log().contains("epoll_wait returned -1: Interrupted system call"),
        "the live copy's stop was not seen: {:?}",
        log()
    );
}

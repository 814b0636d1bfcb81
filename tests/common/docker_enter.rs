//! Helpers of the docker-enter tests: the built binary, its images.

use super::busybox_image;
use super::{RunResult, TestContainer};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::process::Command;

pub const DOCKER_ENTER: &str = env!("CARGO_BIN_EXE_docker-enter");

/// busybox with the test users, and the directories `-w` and HOME name.
pub fn image() -> &'static str {
    let dockerfile = "FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/tmp\", \"/home/alice\", \"/home/bob\"]
COPY passwd group /etc/
";
    busybox_image::build_custom(
        "nsenter-can-test/docker-enter:base",
        dockerfile,
        &[
            ("passwd", busybox_image::PASSWD.as_bytes(), 0o644),
            ("group", busybox_image::GROUP.as_bytes(), 0o644),
        ],
    )
}

/// The settings the runtime tests give a container (`docker run` and
/// `podman run` options), each unlike the default: a user, a working
/// directory and a variable with a space.
pub const CONFIGURED: &[&str] = &["-u", "alice", "-w", "/tmp", "-e", "FOO=a b"];

/// Run docker-enter with `args`; stdin is empty.
pub fn docker_enter(args: &[&str]) -> RunResult {
    super::run(Command::new(DOCKER_ENTER).args(args), b"")
}

/// Docker tests need root and a daemon: skip (or fail under CI) without.
pub fn ready() -> bool {
    match super::docker_missing() {
        Some(reason) => {
            super::skip_or_fail(&reason);
            false
        }
        None => true,
    }
}

/// A container of [`image`] that sleeps until the test ends (`docker run
/// -d --name NAME-PID-N OPTIONS IMAGE sleep 100000`); None, after skipping
/// (failing under CI), where Docker tests cannot run.
pub fn sleeping(name: &str, options: &[&str]) -> Option<TestContainer> {
    if !ready() {
        return None;
    }
    Some(TestContainer::run(
        name,
        options,
        image(),
        &["sleep", "100000"],
    ))
}

/// Run docker-enter with `args`, without `DOCKER_HOST` from the caller,
/// stdin empty.
pub fn without_docker_host<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> RunResult {
    super::run(
        Command::new(DOCKER_ENTER)
            .args(args)
            .env_remove("DOCKER_HOST"),
        b"",
    )
}

/// docker-enter with `args` (its options and the container), running a
/// program that prints READY and sleeps a minute: the session, once the
/// program sleeps, and the program's PID.
pub fn sleeping_session(args: &[&str]) -> (super::Running, i32) {
    let mut cmd = Command::new(DOCKER_ENTER);
    cmd.args(args)
        .args(["sh", "-c", "echo READY; exec sleep 60"]);
    let session = super::Running::start(&mut cmd);
    assert!(
        session.wait_output("READY"),
        "docker-enter {args:?}: {}",
        session.output()
    );
    let program = session.program("sleep");
    (session, program)
}

/// A daemon that answers every inspect with `body`, on a socket anyone
/// may connect to.
pub fn fake_daemon(name: &str, body: String) -> PathBuf {
    let socket = super::tempdir(name).join("docker.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(answer.as_bytes());
        }
    });
    socket
}

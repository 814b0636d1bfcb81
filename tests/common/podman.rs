//! Podman for the tests: the offline image loaded from Docker's store, and
//! containers removed when the test ends.

use std::process::{Command, Output, Stdio};

pub fn podman(args: &[&str]) -> Output {
    Command::new("podman")
        .args(args)
        .output()
        .expect("running podman")
}

pub fn podman_ok(args: &[&str]) -> String {
    let out = podman(args);
    assert!(
        out.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether podman can run here; skips (fails under CI) otherwise.
pub fn ready() -> bool {
    if Command::new("podman").arg("--version").output().is_err() {
        super::skip_or_fail("podman is not installed (apt-get install podman)");
        return false;
    }
    true
}

/// Load a Docker image into Podman's store (Podman takes it as an
/// archive); its name there.
pub fn load(tag: &str) -> String {
    let mut save = Command::new("docker")
        .args(["save", tag])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let load = Command::new("podman")
        .arg("load")
        .stdin(save.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(
        save.wait().unwrap().success() && load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    format!("localhost/{tag}")
}

/// A Podman container removed when the test ends.
pub struct PodmanContainer {
    pub name: String,
}

impl PodmanContainer {
    /// `podman run -d --name NAME-PID OPTIONS... IMAGE COMMAND...`, with the
    /// limits Podman needs on this machine (see facts.md).
    pub fn run(name: &str, options: &[&str], image: &str, command: &[&str]) -> PodmanContainer {
        let name = format!("{name}-{}", std::process::id());
        let _ = podman(&["rm", "-f", "-t", "0", &name]);
        let mut args = vec![
            "run",
            "-d",
            "--name",
            &name,
            "--ulimit",
            "nofile=20000:20000",
            "--ulimit",
            "nproc=32768:32768",
        ];
        args.extend_from_slice(options);
        args.push(image);
        args.extend_from_slice(command);
        podman_ok(&args);
        PodmanContainer { name }
    }
}

impl Drop for PodmanContainer {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.name]);
    }
}

//! Podman for the tests: the offline image loaded from Docker's store, and
//! containers removed when the test ends.

use super::RunResult;
use std::process::Command;

pub fn podman(args: &[&str]) -> RunResult {
    super::run(Command::new("podman").args(args), b"")
}

pub fn podman_ok(args: &[&str]) -> String {
    podman(args).success().stdout.trim().to_string()
}

/// Whether podman can run here; skips (fails under CI) otherwise.
pub fn ready() -> bool {
    super::require(
        super::have("podman"),
        "podman is not installed (apt-get install podman)",
    )
}

/// Load a Docker image into Podman's store (Podman takes it as an
/// archive); its name there.
pub fn load(tag: &str) -> String {
    super::run(
        Command::new("bash").args([
            "-c",
            "set -o pipefail; docker save \"$0\" | podman load",
            tag,
        ]),
        b"",
    )
    .success();
    format!("localhost/{tag}")
}

/// A Podman container removed when the test ends.
pub struct PodmanContainer {
    pub name: String,
}

impl PodmanContainer {
    /// `podman run -d --name NAME-PID-N OPTIONS... IMAGE COMMAND...`, with the
    /// limits Podman needs on this machine (see docs/facts.md).
    pub fn run(name: &str, options: &[&str], image: &str, command: &[&str]) -> PodmanContainer {
        let name = super::unique(name);
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

impl PodmanContainer {
    /// The host PID of its process.
    pub fn pid(&self) -> String {
        podman_ok(&["inspect", "--format", "{{.State.Pid}}", &self.name])
    }
}

impl Drop for PodmanContainer {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.name]);
    }
}

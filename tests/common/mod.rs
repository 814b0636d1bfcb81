//! Shared helpers of the integration tests.
#![allow(dead_code)] // each test binary uses its own part of it

pub mod busybox_image;
pub mod docker_enter;

use std::process::{Command, Output};

/// Stop a test that cannot run here: skip with the reason, or fail under
/// `CI=true` so that CI can never pass by skipping.
pub fn skip_or_fail(reason: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("cannot run under CI: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// Why Docker tests cannot run here, if they cannot.
pub fn docker_missing() -> Option<String> {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
        });
    if uid.as_deref() != Some("0") {
        return Some("needs root".into());
    }
    match Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "docker daemon not answering: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("docker CLI not found: {e}")),
    }
}

/// Run `docker ARGS`, returning its output whatever the status.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("running docker")
}

/// Run `docker ARGS` that must succeed; its stdout, trimmed.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A container removed when the test ends, whatever happens.
pub struct TestContainer {
    pub name: String,
}

impl TestContainer {
    /// `docker run -d --name NAME OPTIONS... IMAGE COMMAND...`
    pub fn run(name: &str, options: &[&str], image: &str, command: &[&str]) -> TestContainer {
        let name = format!("{name}-{}", std::process::id());
        let _ = docker(&["rm", "-f", &name]);
        let mut args = vec!["run", "-d", "--name", &name];
        args.extend_from_slice(options);
        args.push(image);
        args.extend_from_slice(command);
        docker_ok(&args);
        TestContainer { name }
    }
}

impl Drop for TestContainer {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.name]);
    }
}

//! Driving Docker for the can's tests: the image built once per run with
//! `can/build`, `docker` runs with their output as text, and scratch
//! directories that clean up after themselves. Skips, containers and the
//! busybox image come from `tests/common`.

use super::{docker, docker_missing, skip_or_fail, TestContainer};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

static BUILT: OnceLock<String> = OnceLock::new();

/// How long `can/build` may take: a cold release build on a small machine.
pub const BUILD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// The can image, built on first use and removed when this test binary
/// exits; `None` when the test must skip.
pub fn image() -> Option<&'static str> {
    if let Some(why) = docker_missing() {
        skip_or_fail(&format!("the can's tests: {why}"));
        return None;
    }
    Some(BUILT.get_or_init(|| {
        let tag = build_can();
        // A test harness has no other hook that runs when the test binary
        // exits.
        nsenter_can::sys::process::at_exit(remove_image);
        tag
    }))
}

/// Leave no test image behind (the test harness has no teardown of its
/// own; atexit handlers run when it exits, whatever the tests' outcome).
extern "C" fn remove_image() {
    if let Some(tag) = BUILT.get() {
        let _ = Command::new("docker")
            .args(["image", "rm", tag])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The image under test, one tag per checkout: a rerun replaces its own
/// image, and checkouts tested side by side do not swap each other's.
fn tag() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = root.file_name().unwrap_or_default().to_string_lossy();
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("nsenter-can:test-{name}")
}

fn image_id(tag: &str) -> Option<String> {
    let out = docker(&["image", "inspect", "--format", "{{.Id}}", tag]);
    out.succeeded().then(|| out.stdout.trim().to_owned())
}

/// `can/build TAG` as a user runs it: it must print the tag and nothing else.
fn build_can() -> String {
    let tag = tag();
    let old = image_id(&tag);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("can/build");
    // A release build of the tools from a fresh clone takes minutes.
    super::run_within(Command::new(&script).arg(&tag), b"", BUILD_TIMEOUT)
        .success()
        .stdout_is(format!("{tag}\n"));
    if let Some(old) = old.filter(|old| image_id(&tag).as_ref() != Some(old)) {
        // Remove the image this one replaced only if no other tag names it
        // (`can/build` without a tag may have made the same image).
        let tags = docker(&["image", "inspect", "--format", "{{len .RepoTags}}", &old]);
        if tags.stdout.trim() == "0" {
            let _ = docker(&["image", "rm", &old]);
        }
    }
    tag
}

/// `docker run` options for a privileged can. `--privileged` as the issue
/// says; where the engine cannot grant every capability (root here lacks
/// CAP_SYS_RESOURCE, and runc then refuses with "unable to apply caps"),
/// the nearest it allows: every other capability, no seccomp filter.
pub fn privileged(image: &str) -> &'static [&'static str] {
    static FLAGS: OnceLock<&'static [&'static str]> = OnceLock::new();
    FLAGS.get_or_init(|| {
        if docker(&["run", "--rm", "--privileged", image, "--version"]).succeeded() {
            return &["--privileged"];
        }
        eprintln!(
            "note: --privileged is refused here; using --cap-add ALL --cap-drop SYS_RESOURCE"
        );
        super::PRIVILEGED_EQUIVALENT
    })
}

/// A running busybox container to enter, removed when the test ends.
pub fn target(name: &str, hostname: &str) -> TestContainer {
    let image = super::busybox_image::build();
    TestContainer::run(name, &["--hostname", hostname], image, &["sleep", "600"])
}

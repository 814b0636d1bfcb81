//! Driving Docker for the can's tests: the image built once per run with
//! `can/build`, `docker` runs with their output, and scratch directories and
//! containers that clean up after themselves.

use crate::common::{is_root, require};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A busybox image to make target containers, built offline.
const BUSYBOX_TAG: &str = "nsenter-can-test/can-busybox:latest";

/// What a command did.
pub struct Out {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Out {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

pub fn run(cmd: &mut Command) -> Out {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr,
    }
}

pub fn docker(args: &[&str]) -> Out {
    run(Command::new("docker").args(args))
}

/// The can image, built on first use; `None` when the test must skip.
pub fn image() -> Option<&'static str> {
    if !require(is_root(), "the can's tests need root") {
        return None;
    }
    let answers = Command::new("docker")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require(
        answers,
        "the can's tests need a running Docker engine ('docker info' fails)",
    ) {
        return None;
    }
    static BUILT: OnceLock<String> = OnceLock::new();
    Some(BUILT.get_or_init(build_can))
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
    (out.code == 0).then(|| out.stdout_text().trim().to_owned())
}

/// `can/build TAG` as a user runs it: it must print the tag and nothing else.
fn build_can() -> String {
    let tag = tag();
    let old = image_id(&tag);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("can/build");
    let out = run(Command::new(&script).arg(&tag));
    assert_eq!(out.code, 0, "can/build failed:\n{}", out.stderr);
    assert_eq!(
        out.stdout_text(),
        format!("{tag}\n"),
        "can/build prints the tag"
    );
    if old.is_some() && old != image_id(&tag) {
        // The replaced image is now untagged; it may still be in use elsewhere.
        let _ = docker(&["image", "rm", old.as_deref().unwrap_or_default()]);
    }
    tag
}

/// A busybox image to make target containers from, or `None` to skip.
pub fn busybox_image() -> Option<&'static str> {
    if !require(
        Path::new("/bin/busybox").exists(),
        "needs /bin/busybox (Debian's busybox-static)",
    ) {
        return None;
    }
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let ctx = Scratch::new("busybox-context");
        std::fs::copy("/bin/busybox", ctx.path("busybox")).unwrap();
        let recipe = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";
        std::fs::write(ctx.path("Dockerfile"), recipe).unwrap();
        let out = docker(&["build", "--tag", BUSYBOX_TAG, ctx.0.to_str().unwrap()]);
        assert_eq!(out.code, 0, "cannot build the busybox image:\n{}", out.stderr);
    });
    Some(BUSYBOX_TAG)
}

/// A host directory for one test, removed when it ends.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("can-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// `-v DIR:/target` with optional mount options such as `ro`.
    pub fn volume(&self, options: &str) -> String {
        format!("{}:/target{options}", self.0.display())
    }
    /// The names in the directory, sorted, hidden ones included.
    pub fn names(&self) -> Vec<String> {
        let entries = std::fs::read_dir(&self.0).unwrap();
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A detached container removed when the test ends.
pub struct Container(pub String);

impl Container {
    /// `docker run -d --name can-test-NAME-PID ARGS...`
    pub fn start(name: &str, args: &[&str]) -> Container {
        let name = format!("can-test-{name}-{}", std::process::id());
        let _ = docker(&["rm", "-f", &name]);
        let mut all = vec!["run", "-d", "--name", &name];
        all.extend_from_slice(args);
        let out = docker(&all);
        assert_eq!(out.code, 0, "cannot start {name}:\n{}", out.stderr);
        Container(name)
    }
    pub fn pid(&self) -> String {
        docker(&["inspect", "--format", "{{.State.Pid}}", &self.0])
            .stdout_text()
            .trim()
            .to_owned()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.0]);
    }
}

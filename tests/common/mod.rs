//! Shared helpers of the integration tests: skipping honestly, making
//! targets with util-linux `unshare`, running a binary with a timeout, and
//! Docker containers. Tests drive the built binaries; nothing here calls
//! setns.
#![allow(dead_code)] // each test binary uses its own part of it

pub mod busybox_image;
pub mod docker_enter;
pub mod podman;
pub mod private_daemon;
pub mod tmux;

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one run of a tool may take before the test gives up on it.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether the test may go on. A missing precondition skips the test with
/// a printed reason, except under `CI=true`, where it fails: CI must never
/// pass by skipping.
pub fn require(cond: bool, why: &str) -> bool {
    if !cond {
        skip_or_fail(why);
    }
    cond
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether `tool` is an executable file on PATH (or is a path to one).
pub fn have(tool: &str) -> bool {
    if tool.contains('/') {
        return Path::new(tool).is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false)
}

/// Root and every one of `tools`, or skip (fail under CI).
pub fn require_root_and(tools: &[&str]) -> bool {
    if !require(is_root(), "these tests need root (they enter namespaces)") {
        return false;
    }
    tools
        .iter()
        .all(|t| require(have(t), &format!("{t} is not installed")))
}

/// A launcher that runs a command as nobody, without groups.
pub const NOBODY: &[&str] = &[
    "setpriv",
    "--reuid",
    "65534",
    "--regid",
    "65534",
    "--clear-groups",
    "--",
];

/// The util-linux 2.38 oracle.
pub const ORACLE: &str = "/usr/bin/nsenter";

/// Our nsenter, with argv[0] "nsenter" so that getopt's messages name it
/// the way the oracle's do.
pub fn ours() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nsenter"));
    cmd.arg0("nsenter");
    cmd
}

/// The oracle, also with argv[0] "nsenter".
pub fn oracle() -> Command {
    let mut cmd = Command::new(ORACLE);
    cmd.arg0("nsenter");
    cmd
}

/// Poll `cond` every few milliseconds until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What a finished run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// "exit N" or "signal N": comparable and readable in assertion output.
    pub status: String,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        self.status.strip_prefix("exit ")?.parse().ok()
    }

    /// Assert the util-linux error shape: exit 1, nothing on stdout, one
    /// line on stderr that starts with `nsenter: `.
    pub fn assert_one_line_error(&self, context: &str) {
        assert_eq!(self.status, "exit 1", "{context}: {self:#?}");
        assert_eq!(self.stdout, "", "{context}: {self:#?}");
        assert!(
            self.stderr.starts_with("nsenter: ") && self.stderr.lines().count() == 1,
            "{context}: expected one line 'nsenter: ...' on stderr: {self:#?}"
        );
    }
}

pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => format!("{status:?}"),
    }
}

/// Run `cmd` to the end with `stdin` as its input, capturing both outputs;
/// a run that outlives RUN_TIMEOUT is killed and fails the test.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = reader(child.stdout.take().unwrap());
    let err = reader(child.stderr.take().unwrap());
    let status = wait_with_timeout(&mut child, RUN_TIMEOUT)
        .unwrap_or_else(|| panic!("{cmd:?} did not finish within {RUN_TIMEOUT:?}"));
    let _ = writer.join();
    Outcome {
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        status: describe(status),
    }
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Wait for `child`; kill it and return None after `timeout`.
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let mut status = None;
    wait_until(timeout, || {
        status = child.try_wait().ok().flatten();
        status.is_some()
    });
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    status
}

/// Run a shell command line on the host and return its stdout (panics when
/// it fails: these are the tests' own set-up steps).
pub fn sh(script: &str) -> String {
    let out = run(Command::new("sh").args(["-c", script]), b"");
    assert_eq!(
        out.status, "exit 0",
        "set-up step failed: {script}: {out:#?}"
    );
    out.stdout
}

pub fn kill(pid: i32, sig: i32) {
    // 0 and negative numbers name process groups: ours, at worst.
    assert!(pid > 0, "kill({pid}) would signal a process group");
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// Whether a process exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => proc_state(&stat) != Some('Z'),
        Err(_) => false,
    }
}

/// The state letter of a /proc/PID/stat line (after the command name).
pub fn proc_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

pub fn state_of(pid: i32) -> Option<char> {
    proc_state(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The children of a process, from /proc/PID/task/*/children.
pub fn children(pid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        out.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<i32>().ok()),
        );
    }
    out
}

pub fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// `readlink /proc/PID/ns/<name>`, as the tests compare identities.
pub fn ns_link(pid: &str, name: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{name}"))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("<{e}>"))
}

/// A PID that no process has now: one of ours, reaped.
pub fn free_pid() -> i32 {
    let mut child = Command::new("true").spawn().expect("start true");
    let pid = child.id() as i32;
    child.wait().expect("wait for true");
    pid
}

/// A process made by util-linux `unshare` to be entered: `sleep 600` (after
/// `setup`) in the namespaces that `unshare_args` create. Killed with
/// SIGKILL when dropped (PID 1 of a PID namespace ignores SIGTERM).
pub struct Target {
    /// The sleep: the process to enter.
    pub pid: i32,
    unshare: Child,
}

impl Target {
    /// `unshare --fork <args> sh -c '<setup>; exec sleep 600'`.
    pub fn start(unshare_args: &[&str], setup: &str) -> Target {
        Target::start_via(&[], unshare_args, setup)
    }

    /// Like `start`, with `unshare` run through a launcher such as
    /// `setpriv ... --`.
    pub fn start_via(launcher: &[&str], unshare_args: &[&str], setup: &str) -> Target {
        Target::start_script(launcher, unshare_args, &format!("{setup}\nexec sleep 600"))
    }

    /// `unshare --fork <args> sh -c <script>`, where the script ends in a
    /// process named `sleep` (the target).
    pub fn start_script(launcher: &[&str], unshare_args: &[&str], script: &str) -> Target {
        let mut launcher = match launcher.split_first() {
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg("unshare");
                cmd
            }
            None => Command::new("unshare"),
        };
        launcher
            .arg("--fork")
            .args(unshare_args)
            .args(["sh", "-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let unshare = launcher
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {launcher:?}: {e}"));
        let upid = unshare.id() as i32;
        let mut target = Target { pid: 0, unshare };
        let ready = wait_until(Duration::from_secs(20), || {
            // The sleep is unshare's child once the set-up script has exec'd.
            match children(upid).first() {
                Some(&pid) if comm(pid) == "sleep" => {
                    target.pid = pid;
                    true
                }
                _ => false,
            }
        });
        assert!(ready, "target {launcher:?} did not come up");
        target
    }

    pub fn pid_str(&self) -> String {
        self.pid.to_string()
    }

    /// The full set: pid (with its own /proc), uts, ipc, net, cgroup and
    /// mount namespaces; hostname `t1`, working directory /usr/share.
    pub fn full() -> Target {
        Target::start(
            &[
                "--pid",
                "--mount-proc",
                "--uts",
                "--ipc",
                "--net",
                "--cgroup",
            ],
            "hostname t1; cd /usr/share",
        )
    }

    /// A user namespace (root mapped to us) with pid, mount and uts.
    pub fn userns() -> Target {
        Target::start(
            &[
                "--user",
                "--map-root-user",
                "--pid",
                "--mount-proc",
                "--uts",
            ],
            "hostname u1",
        )
    }

    /// A user namespace with only mount and uts.
    pub fn userns_mount_uts() -> Target {
        Target::start(
            &["--user", "--map-root-user", "--mount", "--uts"],
            "hostname u2",
        )
    }

    /// A time namespace whose boot time is 1000 s later than the host's.
    pub fn time() -> Target {
        Target::start(&["--time", "--boottime", "1000"], ":")
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if self.pid > 0 {
            kill(self.pid, libc::SIGKILL);
        }
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
    }
}

/// Ends a process the test started when the test ends, however it ends.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The lines of a /proc/PID/cgroup file, sorted, for comparison.
pub fn cgroup_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

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

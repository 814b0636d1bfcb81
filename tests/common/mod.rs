//! Shared helpers of the integration tests: skipping honestly, making
//! targets with util-linux `unshare`, running a binary with a timeout, and
//! Docker containers. Tests drive the built binaries; nothing here calls
//! setns.

pub mod busybox_image;
pub mod can;
pub mod cgroups;
pub mod completions;
pub mod confinement;
pub mod docker_enter;
pub mod fake_task;
pub mod podman;
pub mod private_daemon;
pub mod pty;
pub mod result;
pub mod rootless;
pub mod rootless_docker;
pub mod scratch;
pub mod seccomp;
pub mod serial;
pub mod static_c;
pub mod tmux;
pub mod tools;

pub use result::{describe, RunResult, QUICK};
pub use scratch::Scratch;
pub use serial::unique;

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
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
    rustix::process::geteuid().is_root()
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

/// A launcher that runs a command as an ordinary user (uid and gid 1000),
/// without groups.
pub const USER_1000: &[&str] = &[
    "setpriv",
    "--reuid",
    "1000",
    "--regid",
    "1000",
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

/// Run `cmd` to the end with `stdin` as its input, capturing both outputs.
/// A run that outlives RUN_TIMEOUT is killed and fails the test, and so
/// does output that stays open after it ended (a process it left behind
/// holding it): no test waits without a deadline.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> RunResult {
    run_within(cmd, stdin, RUN_TIMEOUT)
}

/// [`run`] with a deadline of its own, for the few commands that build
/// something (a release build of the tools takes minutes on a fresh clone).
pub fn run_within(cmd: &mut Command, stdin: &[u8], limit: Duration) -> RunResult {
    let started = Instant::now();
    let deadline = started + limit;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = reader(child.stdout.take().unwrap());
    let err = reader(child.stderr.take().unwrap());
    let status = wait_with_timeout(&mut child, limit)
        .unwrap_or_else(|| panic!("{cmd:?} did not finish within {limit:?}"));
    let elapsed = started.elapsed();
    let rest = || deadline.saturating_duration_since(Instant::now());
    let collect = |rx: std::sync::mpsc::Receiver<Vec<u8>>, which: &str| {
        rx.recv_timeout(rest())
            .unwrap_or_else(|_| panic!("{cmd:?} ended but its {which} stayed open"))
    };
    let output = Output {
        stdout: collect(out, "stdout"),
        stderr: collect(err, "stderr"),
        status,
    };
    RunResult::new(cmd, output, elapsed)
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(bytes);
    });
    rx
}

/// Run `cmd`'s program with its arguments and environment, stdin empty,
/// under GNU time, which measures its peak memory (`peak_kib`); a run that
/// outlives RUN_TIMEOUT fails the test.
pub fn run_measured(cmd: &mut Command) -> RunResult {
    assert!(
        have("/usr/bin/time"),
        "GNU time is needed (.ci/setup installs it)"
    );
    let report = tempdir("time").join("report");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => timed.env(key, v),
            None => timed.env_remove(key),
        };
    }
    let mut measured = run(&mut timed, b"");
    // "Command exited with non-zero status N" comes first when it did.
    let text = std::fs::read_to_string(&report).expect("GNU time's report");
    let peak_kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {text:?}"));
    // The result of the command itself, not of GNU time.
    measured.command = format!("{cmd:?}");
    measured.tool = result::tool_name(cmd);
    measured.peak_kib = Some(peak_kib);
    measured
}

/// The write(2) calls a run makes on its standard error, one string each
/// as strace shows it (`"nsenter: ...\n"`), from every process it starts.
pub fn stderr_writes(cmd: &mut Command) -> Vec<String> {
    let log = tempdir("strace").join("log");
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-s", "4096", "-e", "trace=write", "-o"])
        .arg(&log)
        .arg(program)
        .args(args)
        .stdin(Stdio::null());
    run(&mut traced, b"");
    let trace = std::fs::read_to_string(&log).expect("strace log");
    let _ = std::fs::remove_file(&log);
    trace
        .lines()
        .filter_map(|l| {
            // "[pid N] write(2, "...", 33) = 33" or "write(2, ...)".
            let call = &l[l.find("write(2, ")? + "write(2, ".len()..];
            Some(call[..call.rfind(", ")?].to_string())
        })
        .collect()
}

/// A file of `len` bytes that takes no room: NUL bytes all through.
pub fn sparse_file(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// Inputs without end an operator may pass by mistake: /dev/zero, a 5 GB
/// sparse file and a FIFO that gives NUL bytes until its reader goes away
/// (made in `dir`; join the handle once each has been read).
pub fn endless_inputs(dir: &Path) -> ([std::path::PathBuf; 3], std::thread::JoinHandle<()>) {
    let (sparse, fifo) = (dir.join("sparse"), dir.join("fifo"));
    sparse_file(&sparse, 5 << 30);
    sh(&format!("mkfifo {}", fifo.display()));
    let path = fifo.clone();
    let feeder = std::thread::spawn(move || {
        let mut fifo = std::fs::File::create(&path).unwrap();
        let zeros = [0u8; 65536];
        while fifo.write_all(&zeros).is_ok() {}
    });
    ([Path::new("/dev/zero").to_owned(), sparse, fifo], feeder)
}

/// Run `cmd` with a stdout whose reader has gone (a socket whose peer is
/// closed gives EPIPE at the first write, every time; a pipe closed by
/// `head` races it); its exit status and what it wrote on stderr.
pub fn run_with_closed_stdout(cmd: &mut Command) -> (ExitStatus, String) {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(ours);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_with_timeout(&mut child, RUN_TIMEOUT)
        .unwrap_or_else(|| panic!("{cmd:?} did not finish"));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, stderr)
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
    out.success();
    out.stdout
}

pub fn kill(pid: i32, sig: i32) {
    // 0 and negative numbers name process groups: ours, at worst.
    assert!(pid > 0, "kill({pid}) would signal a process group");
    // rustix takes named signals only: the tests send those.
    if let (Some(pid), Some(sig)) = (
        rustix::process::Pid::from_raw(pid),
        rustix::process::Signal::from_named_raw(sig),
    ) {
        let _ = rustix::process::kill_process(pid, sig);
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

/// Whether the process is in an interruptible sleep (state `S` in
/// /proc/PID/stat): a `sleep` that is there has finished its execve.
pub fn asleep(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('S'))
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
                // Named `sleep` as soon as its execve is past the point
                // of no return, but with its environment and arguments in
                // place (what /proc/PID/environ reads) only once it sleeps.
                Some(&pid) if comm(pid) == "sleep" && asleep(pid) => {
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

/// A tool run in the background whose output is collected as it comes.
pub struct Running {
    child: KillOnDrop,
    stdout: Arc<Mutex<String>>,
    /// Says when the reader has seen the end of the output.
    drained: std::sync::mpsc::Receiver<()>,
}

impl Running {
    pub fn start(cmd: &mut Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let mut pipe = child.stdout.take().unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let sink = stdout.clone();
        let (done, drained) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
            let _ = done.send(());
        });
        Running {
            child: KillOnDrop(child),
            stdout,
            drained,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.0.id() as i32
    }

    pub fn output(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn wait_output(&self, text: &str) -> bool {
        wait_until(Duration::from_secs(10), || self.output().contains(text))
    }

    /// The program: our child, once it runs `comm`.
    pub fn program(&self, comm_name: &str) -> i32 {
        let mut found = 0;
        let ok = wait_until(Duration::from_secs(10), || {
            found = children(self.pid())
                .into_iter()
                .find(|&c| comm(c) == comm_name)
                .unwrap_or(0);
            found != 0
        });
        assert!(ok, "the program {comm_name} did not start");
        found
    }

    /// Wait for the tool to end, and for what it wrote last to be read
    /// (a process it left behind may hold the pipe: then only briefly).
    pub fn wait(&mut self) -> String {
        let status = wait_with_timeout(&mut self.child.0, Duration::from_secs(10))
            .expect("nsenter did not end");
        let _ = self.drained.recv_timeout(Duration::from_secs(2));
        describe(status)
    }
}

/// The lines of a /proc/PID/cgroup file, sorted, for comparison.
pub fn cgroup_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// A fresh, empty directory of this test run, named after `name`.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(unique(name));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tool ARGS...` started from bash as `tool ARGS... 3<input 5>output`:
/// with descriptor 3 reading `input` and 5 writing `output`, on top of
/// whatever else the test process passes on.
pub fn with_fds_3_and_5(tool: &str, input: &Path, output: &Path, args: &[String]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.args([
        "-c",
        "exec 3<\"$1\" 5>\"$2\"; shift 2; exec \"$@\"",
        "with-fds",
    ])
    .arg(input)
    .arg(output)
    .arg(tool)
    .args(args);
    cmd
}

/// The descriptors `ls -l /proc/self/fd` shows when it is the program:
/// `N -> what`, ls's own directory descriptor left out, and pipe and socket
/// inode numbers dropped so that two runs compare.
pub fn fd_table(ls_long: &str) -> Vec<String> {
    let mut table: Vec<String> = ls_long
        .lines()
        .filter_map(|line| {
            let (left, link) = line.split_once(" -> ")?;
            let fd = left.split_whitespace().last()?;
            let link = match link.split_once(":[") {
                Some((kind, _)) => kind,
                None => link,
            };
            let own_dir = link.starts_with("/proc/") && link.ends_with("/fd");
            (!own_dir).then(|| format!("{fd} -> {link}"))
        })
        .collect();
    table.sort();
    table
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
    if !have("docker") {
        return Some("docker CLI not found".into());
    }
    let out = docker(&["version", "--format", "{{.Server.Version}}"]);
    if out.succeeded() {
        return None;
    }
    Some(format!(
        "docker daemon not answering: {}",
        out.stderr.trim()
    ))
}

/// Run `docker ARGS`, whatever the status.
pub fn docker(args: &[&str]) -> RunResult {
    run(Command::new("docker").args(args), b"")
}

/// Run `docker ARGS` that must succeed; its stdout, trimmed.
pub fn docker_ok(args: &[&str]) -> String {
    docker(args).success().stdout.trim().to_string()
}

/// A container removed when the test ends, whatever happens.
pub struct TestContainer {
    pub name: String,
}

impl TestContainer {
    /// `docker run -d --name NAME OPTIONS... IMAGE COMMAND...`
    pub fn run(name: &str, options: &[&str], image: &str, command: &[&str]) -> TestContainer {
        let name = unique(name);
        let _ = docker(&["rm", "-f", &name]);
        let mut args = vec!["run", "-d", "--name", &name];
        args.extend_from_slice(options);
        args.push(image);
        args.extend_from_slice(command);
        docker_ok(&args);
        TestContainer { name }
    }
}

impl TestContainer {
    /// The host PID of its process.
    pub fn pid(&self) -> String {
        docker_ok(&["inspect", "--format", "{{.State.Pid}}", &self.name])
    }
}

/// `docker run` options nearest to `--privileged` where the engine cannot
/// grant every capability (root here lacks CAP_SYS_RESOURCE, and runc
/// then refuses `--privileged` with "unable to apply caps"): every other
/// capability, no seccomp filter.
pub const PRIVILEGED_EQUIVALENT: &[&str] = &[
    "--cap-add",
    "ALL",
    "--cap-drop",
    "SYS_RESOURCE",
    "--security-opt",
    "seccomp=unconfined",
];

impl Drop for TestContainer {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.name]);
    }
}

//! docker-enter refusing bad addresses and hostile or stale state files:
//! one line on stderr, exit 1, nothing started, nothing changed. The state
//! directories are made by the tests, with a host `sleep` (or a real
//! container's process) behind them.

mod common;

use common::docker_enter::{image, ready, stderr, stdout, timed, DOCKER_ENTER};
use common::{docker_ok, require_root_and, KillOnDrop, TestContainer, NOBODY};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

fn run(args: &[&str]) -> (Output, Duration) {
    timed(args)
}

/// Refused at once with this one line, nothing on stdout.
fn assert_refused(out: &(Output, Duration), message: &str) {
    assert_eq!(
        (stderr(&out.0), stdout(&out.0), out.0.status.code()),
        (format!("docker-enter: {message}\n"), String::new(), Some(1))
    );
    assert!(out.1 < Duration::from_secs(2), "took {:?}", out.1);
}

/// A directory of the test's own, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("bad-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn arg(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every path below `dir` with its size and modification time.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            out.push((entry.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn bad_addresses_are_one_line_errors() {
    if !require_root_and(&[]) {
        return;
    }
    let empty = Scratch::new("addresses");
    let roots = |extra: &[&str]| {
        let mut args = vec![
            "--containerd-state".to_string(),
            empty.arg("containerd"),
            "--storage-root".into(),
            empty.arg("storage"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let with = |extra: &[&str]| {
        let args = roots(extra);
        run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_refused(
        &with(&["lxc:web", "true"]),
        "unknown runtime 'lxc' in container address lxc:web: use docker:NAME, podman:NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N",
    );
    assert_refused(
        &with(&["k8s:default", "true"]),
        "malformed container address k8s:default: expected k8s:NAMESPACE/POD[/CONTAINER]",
    );
    assert_refused(
        &with(&["containerd:../../etc", "true"]),
        "malformed container address containerd:../../etc: expected containerd:NAMESPACE/ID",
    );
    let (out, _) = with(&["k8s:default/nope", "true"]);
    assert!(
        stderr(&out).starts_with(
            "docker-enter: pod default/nope not found (looked in containerd state under "
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        (stderr(&out).lines().count(), out.status.code()),
        (1, Some(1))
    );
    assert_refused(
        &with(&["-H", "", "web", "true"]),
        "-H: no address given (unix:///path or /path)",
    );
    assert_refused(
        &with(&["-H", "tcp://127.0.0.1:2375", "web", "true"]),
        "-H tcp://127.0.0.1:2375: only a local unix socket (unix:///path or /path) is supported",
    );
    // Entering needs root, said before anything is looked up.
    let out = common::output(
        Command::new(NOBODY[0])
            .args(&NOBODY[1..])
            .args([DOCKER_ENTER, "lxc:web", "true"]),
        b"",
    );
    assert_eq!(
        stderr(&out),
        "docker-enter: entering a container needs root: run docker-enter as root (for example with sudo)\n"
    );
}

#[test]
fn hostile_state_files_are_refused_and_change_nothing() {
    if !require_root_and(&["mkfifo"]) {
        return;
    }
    let s = Scratch::new("hostile");
    let sleep = KillOnDrop(Command::new("sleep").arg("100").spawn().unwrap());
    let ns = "io.containerd.runtime.v2.task/t";
    let bundle = br#"{"process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "env": ["PATH=/usr/bin:/bin"]}, "linux": {"cgroupsPath": "/none"}}"#;
    let task = |id: &str, config: Option<&[u8]>| {
        if let Some(config) = config {
            s.write(&format!("state/{ns}/{id}/config.json"), config);
        }
        s.write(
            &format!("state/{ns}/{id}/init.pid"),
            sleep.0.id().to_string().as_bytes(),
        );
    };
    task("good", Some(bundle));
    task("trunc", Some(&bundle[..40]));
    task("link", None);
    std::os::unix::fs::symlink(
        "/etc/passwd",
        s.path(&format!("state/{ns}/link/config.json")),
    )
    .unwrap();
    task("huge", None);
    std::fs::File::create(s.path(&format!("state/{ns}/huge/config.json")))
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    task("fifo", None);
    let fifo = s.path(&format!("state/{ns}/fifo/config.json"));
    assert!(common::output(Command::new("mkfifo").arg(&fifo), b"")
        .status
        .success());
    let marker = s.path("entered");
    let state = s.arg("state");
    let enter = |id: &str| {
        run(&[
            "--containerd-state",
            &state,
            &format!("containerd:t/{id}"),
            "touch",
            marker.to_str().unwrap(),
        ])
    };
    let before = snapshot(&s.0);
    let file = |id: &str| s.arg(&format!("state/{ns}/{id}/config.json"));
    assert_refused(
        &enter("link"),
        &format!("cannot open {}: Too many levels of symbolic links (state files are read without following symlinks)", file("link")),
    );
    assert_refused(
        &enter("huge"),
        &format!("{} is larger than 8 MiB", file("huge")),
    );
    assert_refused(
        &enter("fifo"),
        &format!("{} is not a regular file", file("fifo")),
    );
    let (out, took) = enter("trunc");
    assert!(
        stderr(&out).starts_with(&format!(
            "docker-enter: {} is not valid JSON: EOF while parsing",
            file("trunc")
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        (stderr(&out).lines().count(), out.status.code()),
        (1, Some(1))
    );
    assert!(took < Duration::from_secs(2));
    assert!(!marker.exists(), "a refused lookup started something");
    assert_eq!(snapshot(&s.0), before, "a refused lookup changed the state");

    // The control: the same state with a well-formed bundle is entered.
    let (out, _) = enter("good");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(marker.exists());
}

#[test]
fn an_unreadable_state_directory_is_said_in_one_line() {
    if !require_root_and(&["setpriv"]) {
        return;
    }
    let s = Scratch::new("unreadable");
    s.write("not-a-dir", b"");
    assert_refused(
        &run(&["--containerd-state", &s.arg("not-a-dir"), "web", "true"]),
        &format!(
            "cannot open state directory {}: Not a directory",
            s.arg("not-a-dir")
        ),
    );
    // --list works for anyone, with what they may read; a directory they
    // may not is said, in one line.
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(s.path("closed/io.containerd.runtime.v2.task")).unwrap();
    std::fs::set_permissions(s.path("closed"), std::fs::Permissions::from_mode(0o711)).unwrap();
    std::fs::set_permissions(s.path(""), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        s.path("closed/io.containerd.runtime.v2.task"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    let out = common::output(
        Command::new(NOBODY[0]).args(&NOBODY[1..]).args([
            DOCKER_ENTER,
            "--containerd-state",
            &s.arg("closed"),
            "--list",
        ]),
        b"",
    );
    let closed = format!(
        "docker-enter: cannot list {}: Permission denied (run as root)",
        s.arg("closed/io.containerd.runtime.v2.task")
    );
    let err = stderr(&out);
    assert!(err.lines().any(|l| l == closed), "{err}");
    // Each runtime nobody may not read is one line of its own.
    assert!(
        err.lines().all(|l| l.starts_with("docker-enter: ")),
        "{err}"
    );
    assert_eq!((stdout(&out), out.status.code()), (String::new(), Some(1)));
}

#[test]
fn a_stale_docker_state_file_is_refused_never_entered() {
    if !ready() {
        return;
    }
    let c = TestContainer::run("nsc-stale-state", &[], image(), &["sleep", "100000"]);
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let pid: i32 = docker_ok(&["inspect", "-f", "{{.State.Pid}}", &c.name])
        .parse()
        .unwrap();
    let real = std::fs::read(format!("/var/lib/docker/containers/{id}/config.v2.json")).unwrap();
    let bundle = "io.containerd.runtime.v2.task/moby";
    let spec = std::fs::read(format!(
        "/run/docker/containerd/daemon/{bundle}/{id}/config.json"
    ))
    .unwrap();
    let s = Scratch::new("stale");
    // The bundle's config.json, the record of the container's seccomp
    // profile, copied too.
    s.write(
        &format!("exec/containerd/daemon/{bundle}/{id}/config.json"),
        &spec,
    );
    // Docker's files for that container, copied: `state_pid` in them, and
    // its init.pid written `written` ago.
    let state = |state_pid: i32, written: Duration| {
        let mut config: serde_json::Value = serde_json::from_slice(&real).unwrap();
        config["State"]["Pid"] = state_pid.into();
        s.write(
            &format!("data/containers/{id}/config.v2.json"),
            config.to_string().as_bytes(),
        );
        let init =
            format!("exec/containerd/daemon/io.containerd.runtime.v2.task/moby/{id}/init.pid");
        s.write(&init, state_pid.to_string().as_bytes());
        let when = SystemTime::now() - written;
        std::fs::File::options()
            .write(true)
            .open(s.path(&init))
            .unwrap()
            .set_modified(when)
            .unwrap();
    };
    let enter = || {
        run(&[
            "-H",
            &s.arg("no.sock"),
            "--docker-root",
            &s.arg("data"),
            "--docker-exec-root",
            &s.arg("exec"),
            &c.name,
            "echo",
            "entered",
        ])
    };

    // The PID of an unrelated host process that started just now.
    let other = KillOnDrop(Command::new("sleep").arg("100").spawn().unwrap());
    let other_pid = other.0.id() as i32;
    state(other_pid, Duration::ZERO);
    assert_refused(
        &enter(),
        &format!("process {other_pid} is no longer the container's process (it is not in the container's cgroup); refusing to enter"),
    );
    // Its PID file written an hour before that process started.
    state(other_pid, Duration::from_secs(3600));
    let (out, _) = enter();
    assert!(
        stderr(&out).starts_with(&format!(
            "docker-enter: process {other_pid} is no longer the container's process (it started 3600 s after its runtime wrote the PID down"
        )) || stderr(&out).starts_with(&format!(
            "docker-enter: process {other_pid} is no longer the container's process (it started 3599 s after"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!((stdout(&out), out.status.code()), (String::new(), Some(1)));

    // The control: the same copied files with the container's own PID.
    state(pid, Duration::ZERO);
    let (out, _) = enter();
    assert_eq!(stdout(&out), "entered\n", "{}", stderr(&out));
}

/// A daemon that answers, but not the Engine API (a proxy's redirect, an
/// empty gateway error, an old engine's plain text): one line with what
/// was asked and the status, as the built binary says it.
#[test]
fn a_daemon_that_answers_something_else_is_named_with_its_status() {
    if !require_root_and(&[]) {
        return;
    }
    use std::io::{Read, Write};
    use std::os::unix::net::UnixListener;
    let s = Scratch::new("answers");
    let cases: [(&[u8], &str); 3] = [
        (
            b"HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/html\r\nContent-Length: 41\r\n\r\n<html><body>Moved elsewhere</body></html>",
            "301 Moved Permanently",
        ),
        (
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
            "502 Bad Gateway",
        ),
        (
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 14\r\n\r\nshutting down\n",
            "503 Service Unavailable: shutting down",
        ),
    ];
    for (i, (answer, said)) in cases.into_iter().enumerate() {
        let socket = s.path(&format!("fake-{i}.sock"));
        let listener = UnixListener::bind(&socket).unwrap();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request);
            conn.write_all(answer).unwrap();
        });
        let socket = socket.display().to_string();
        let out = run(&[
            "-H",
            &socket,
            "--state-files",
            "never",
            "docker:web",
            "true",
        ]);
        assert_refused(
            &out,
            &format!(
                "Docker daemon at {socket} answered GET /v1.41/containers/web/json with {said}"
            ),
        );
        server.join().unwrap();
    }
}

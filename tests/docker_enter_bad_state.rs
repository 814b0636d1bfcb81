//! docker-enter refusing bad addresses and hostile or stale state files:
//! one line on stderr, exit 1, nothing started, nothing changed. The state
//! directories are made by the tests, with a host `sleep` (or a real
//! container's process) behind them.

mod common;

use common::docker_enter::{stderr, stdout, timed, DOCKER_ENTER};
use common::fake_task::FakeTask;
use common::state_dir::Scratch;
use common::{require_root_and, KillOnDrop, NOBODY};
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
    let empty = Scratch::new("bad-state-addresses");
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
        "unknown runtime 'lxc' in container address lxc:web: use docker:NAME, podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N",
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
    // Without root too, the address is refused before anything is looked
    // up (entering a rootless container of one's own needs no root).
    let out = common::output(
        Command::new(NOBODY[0])
            .args(&NOBODY[1..])
            .args([DOCKER_ENTER, "lxc:web", "true"]),
        b"",
    );
    assert_eq!(
        stderr(&out),
        "docker-enter: unknown runtime 'lxc' in container address lxc:web: use docker:NAME, \
         podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N\n"
    );
}

#[test]
fn hostile_state_files_are_refused_and_change_nothing() {
    if !require_root_and(&["mkfifo"]) {
        return;
    }
    let s = Scratch::new("bad-state-hostile");
    let sleep = KillOnDrop(Command::new("sleep").arg("100").spawn().unwrap());
    let ns = "io.containerd.runtime.v2.task/t";
    let bundle = |id: &str| {
        format!(
            r#"{{"process": {{"user": {{"uid": 0, "gid": 0}}, "cwd": "/", "env": ["PATH=/usr/bin:/bin"]}}, "linux": {{"cgroupsPath": "/t/{id}"}}}}"#
        )
    };
    let task = |id: &str, config: Option<&[u8]>| {
        if let Some(config) = config {
            s.write(&format!("state/{ns}/{id}/config.json"), config);
        }
        s.write(
            &format!("state/{ns}/{id}/init.pid"),
            sleep.0.id().to_string().as_bytes(),
        );
    };
    task("good", Some(bundle("good").as_bytes()));
    // A process with every mark of the task's (see FakeTask), and one in
    // our namespaces with every other mark.
    let good = FakeTask::start(&s.path(&format!("state/{ns}/good")), "good");
    task("hostlike", Some(bundle("hostlike").as_bytes()));
    let hostlike =
        FakeTask::in_our_namespaces(&s.path(&format!("state/{ns}/hostlike")), "hostlike");
    task("trunc", Some(&bundle("trunc").as_bytes()[..40]));
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
    assert!(good.pid > 0);
    assert_refused(
        &enter("hostlike"),
        &format!(
            "container containerd:t/hostlike (hostlike) is not running: its init.pid names process {}, which is not the task's (it shares every namespace with docker-enter: a host process, never a container's): cannot exec in a stopped state",
            hostlike.pid
        ),
    );
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
    let s = Scratch::new("bad-state-unreadable");
    s.write("not-a-dir", b"");
    assert_refused(
        &run(&["--containerd-state", &s.arg("not-a-dir"), "web", "true"]),
        &format!(
            "cannot open state directory {}: Not a directory",
            s.arg("not-a-dir")
        ),
    );
    // --list works for anyone, with what they may read; the directories
    // they may not are said, all in one line, with the remedy.
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
        "cannot list {}",
        s.arg("closed/io.containerd.runtime.v2.task")
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("docker-enter: cannot list every runtime's containers without root: ")
            && err.contains(&closed)
            && err.ends_with(
                ": Permission denied (run docker-enter --list as root, for example with sudo)\n"
            ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!((stdout(&out), out.status.code()), (String::new(), Some(1)));
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
    let s = Scratch::new("bad-state-answers");
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

//! docker-enter refusing bad addresses and hostile or stale state files:
//! one line on stderr, exit 1, nothing started, nothing changed. The state
//! directories are made by the tests, with a host `sleep` (or a real
//! container's process) behind them.

use crate::common;
use common::RunResult;

use common::docker_enter::{without_docker_host, DOCKER_ENTER};
use common::fake_task::FakeTask;
use common::Scratch;
use common::{require_root_and, KillOnDrop, NOBODY};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn run(args: &[&str]) -> RunResult {
    without_docker_host(args)
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
    with(&["lxc:web", "true"]).refused("docker-enter: unknown runtime 'lxc' in container address lxc:web: use docker:[USER/]NAME, podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N").quick();
    with(&["k8s:default", "true"]).refused("docker-enter: malformed container address k8s:default: expected k8s:NAMESPACE/POD[/CONTAINER]").quick();
    with(&["containerd:../../etc", "true"]).refused("docker-enter: malformed container address containerd:../../etc: expected containerd:NAMESPACE/ID").quick();
    let out = with(&["k8s:default/nope", "true"]);
    assert!(
        out.stderr.starts_with(
            "docker-enter: pod default/nope not found (looked in containerd state under "
        ),
        "{}",
        out.stderr
    );
    // Without root too, the address is refused before anything is looked
    // up (entering a rootless container of one's own needs no root).
    let out = common::run(
        Command::new(NOBODY[0])
            .args(&NOBODY[1..])
            .args([DOCKER_ENTER, "lxc:web", "true"]),
        b"",
    );
    out.refused(
        "docker-enter: unknown runtime 'lxc' in container address lxc:web: use docker:[USER/]NAME, \
         podman:[USER/]NAME, containerd:NAMESPACE/ID, k8s:NAMESPACE/POD[/CONTAINER] or pid:N",
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
    assert!(common::run(Command::new("mkfifo").arg(&fifo), b"").succeeded());
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
    enter("hostlike").refused(format!(
            "docker-enter: container containerd:t/hostlike (hostlike) is not running: its init.pid names process {}, which is not the task's (it shares every namespace with docker-enter: a host process, never a container's): cannot exec in a stopped state",
            hostlike.pid
        )).quick();
    let file = |id: &str| s.arg(&format!("state/{ns}/{id}/config.json"));
    enter("link").refused(format!("docker-enter: cannot open {}: Too many levels of symbolic links (state files are read without following symlinks)", file("link"))).quick();
    enter("huge")
        .refused(format!(
            "docker-enter: {} is larger than 8 MiB",
            file("huge")
        ))
        .quick();
    enter("fifo")
        .refused(format!(
            "docker-enter: {} is not a regular file",
            file("fifo")
        ))
        .quick();
    let out = enter("trunc");
    assert!(
        out.stderr.starts_with(&format!(
            "docker-enter: {} is not valid JSON: EOF while parsing",
            file("trunc")
        )),
        "{}",
        out.stderr
    );
    assert_eq!((out.stderr.lines().count(), out.code()), (1, Some(1)));
    out.quick();
    assert!(!marker.exists(), "a refused lookup started something");
    assert_eq!(snapshot(&s.0), before, "a refused lookup changed the state");

    // The control: the same state with a well-formed bundle is entered.
    let out = enter("good");
    out.success();
    assert!(marker.exists());
}

#[test]
fn an_unreadable_state_directory_is_said_in_one_line() {
    if !require_root_and(&["setpriv"]) {
        return;
    }
    let s = Scratch::new("bad-state-unreadable");
    s.write("not-a-dir", b"");
    run(&["--containerd-state", &s.arg("not-a-dir"), "web", "true"])
        .refused(format!(
            "docker-enter: cannot open state directory {}: Not a directory",
            s.arg("not-a-dir")
        ))
        .quick();
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
    let out = common::run(
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
    let err = out.stderr.clone();
    assert!(
        err.starts_with("docker-enter: cannot list every runtime's containers without root: ")
            && err.contains(&closed)
            && err.ends_with(
                ": Permission denied (run docker-enter --list as root, for example with sudo)\n"
            ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!((out.stdout.clone(), out.code()), (String::new(), Some(1)));
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
        out.refused(format!(
                "docker-enter: Docker daemon at {socket} answered GET /v1.41/containers/web/json with {said}"
            )).quick();
        server.join().unwrap();
    }
}

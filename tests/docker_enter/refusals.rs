//! docker-enter refusing bad input with a clear error, a non-zero exit and
//! nothing started: missing, ambiguous, stopped, paused and restarting
//! containers, unusable sockets, a silent daemon, unknown users, missing
//! directories and shells, a stale PID, and hostile images (a symlinked
//! /etc/passwd, a /bin/sh that would run our own binary).

use crate::common;
use common::RunResult;

use common::busybox_image::build_custom;
use common::docker_enter::{docker_enter, fake_daemon, image, ready, sleeping, DOCKER_ENTER};
use common::{docker, docker_ok, tempdir, TestContainer};
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn docker_enter_with_host(host: &str, args: &[&str]) -> RunResult {
    common::run(
        Command::new(DOCKER_ENTER)
            .args(args)
            .env("DOCKER_HOST", host),
        b"",
    )
}

#[test]
fn missing_and_ambiguous_containers() {
    if !ready() {
        return;
    }
    let name = format!("nsc-no-such-{}", std::process::id());
    docker_enter(&[&name, "true"]).refused(format!("docker-enter: No such container: {name} (docker-enter --list lists the running containers)"));

    // Create containers until two of them share a first hex digit.
    struct Created(Vec<String>);
    impl Drop for Created {
        fn drop(&mut self) {
            for id in &self.0 {
                let _ = docker(&["rm", "-f", id]);
            }
        }
    }
    let mut created = Created(Vec::new());
    let prefix = loop {
        let id = docker_ok(&["create", image(), "true"]);
        let first = id[..1].to_string();
        let shared = created.0.iter().any(|other| other.starts_with(&first));
        created.0.push(id);
        if shared {
            break first;
        }
    };
    // Every candidate is named by its address and ID (up to eight).
    let out = docker_enter(&[&prefix, "true"]);
    let message = out.stderr.clone();
    assert!(
        message.starts_with(&format!(
            "docker-enter: container ID prefix {prefix} is ambiguous: it matches docker:"
        )) && message.ends_with("; give more of the ID or the name\n"),
        "{message}"
    );
    assert_eq!((message.lines().count(), out.code()), (1, Some(1)));
    let sharing: Vec<&String> = created
        .0
        .iter()
        .filter(|id| id.starts_with(&prefix))
        .collect();
    if !message.contains(" more;") {
        for id in sharing {
            assert!(
                message.contains(&format!("(ID {})", &id[..12])),
                "{id}: {message}"
            );
        }
    }
}

#[test]
fn stopped_paused_and_restarting_containers() {
    if !ready() {
        return;
    }
    let exited = TestContainer::run("nsc-de-exited", &[], image(), &["true"]);
    docker_ok(&["wait", &exited.name]);
    docker_enter(&[&exited.name, "true"]).refused(format!(
        "docker-enter: container {0} is not running (exited); start it with: docker start {0}",
        exited.name
    ));

    let paused = TestContainer::run("nsc-de-paused", &[], image(), &["sleep", "100000"]);
    docker_ok(&["pause", &paused.name]);
    docker_enter(&[&paused.name, "true"]).refused(format!(
        "docker-enter: container {0} is paused; unpause it first: docker unpause {0}",
        paused.name
    ));

    // `false` exits at once; Docker waits longer before each restart, so
    // the container soon spends most of its time "restarting".
    let restarting = TestContainer::run(
        "nsc-de-restart",
        &["--restart", "always"],
        image(),
        &["false"],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "never caught restarting");
        let state = docker_ok(&[
            "inspect",
            "-f",
            "{{.State.Restarting}} {{.RestartCount}}",
            &restarting.name,
        ]);
        let count: u32 = state.split(' ').nth(1).unwrap().parse().unwrap();
        if !state.starts_with("true") || count < 3 {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let out = docker_enter(&[&restarting.name, "true"]);
        if out.stderr.contains("restarting") {
            out.refused(format!(
                "docker-enter: container {} is restarting, wait until it is running",
                restarting.name
            ));
            break;
        }
    }
}

#[test]
fn unusable_sockets_say_which_and_why() {
    if !ready() {
        return;
    }
    docker_enter_with_host("unix:///nonexistent/docker.sock", &["web", "true"]).refused("docker-enter: cannot connect to /nonexistent/docker.sock: No such file or directory (is the Docker daemon running?)");
    docker_enter(&["-H", "unix:///nonexistent/d.sock", "web", "true"]).refused("docker-enter: cannot connect to /nonexistent/d.sock: No such file or directory (is the Docker daemon running?)");
    docker_enter_with_host("tcp://127.0.0.1:2375", &["web", "true"]).refused("docker-enter: DOCKER_HOST=tcp://127.0.0.1:2375: only a local unix socket (unix:///path or /path) is supported");

    // A bare path to the socket is a socket too.
    docker_enter(&["-H", "/nonexistent/d.sock", "web", "true"]).refused("docker-enter: cannot connect to /nonexistent/d.sock: No such file or directory (is the Docker daemon running?)");

    // Without root, only a rootless container of one's own is entered:
    // anything else is one line, whatever the socket allows (a docker
    // group member would otherwise fail later, on the container's /proc
    // files).
    let out = common::run(
        Command::new(common::NOBODY[0])
            .args(&common::NOBODY[1..])
            .args([DOCKER_ENTER, "web", "true"])
            .env_remove("DOCKER_HOST"),
        b"",
    );
    out.refused(
        "docker-enter: cannot enter web without root: it is not one of uid 65534's rootless \
         Podman or Docker containers (docker-enter --list shows those), and other containers \
         only root may enter; run sudo docker-enter web ..., or its runtime's own exec (docker \
         exec, podman exec; as its owner for a rootless container)",
    );
}

#[test]
fn a_silent_daemon_times_out() {
    if !ready() {
        return;
    }
    let socket = tempdir("silent").join("docker.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    // Accept and keep every connection open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let started = Instant::now();
    let out = docker_enter_with_host(&format!("unix://{}", socket.display()), &["web", "true"]);
    let took = started.elapsed();
    out.refused(format!(
        "docker-enter: Docker daemon at {} did not answer within 5s",
        socket.display()
    ));
    assert!(took < Duration::from_secs(9), "took {took:?}");
}

#[test]
fn unknown_user_group_and_workdir_start_nothing() {
    let Some(c) = sleeping("nsc-de-bad", &[]) else {
        return;
    };
    let marker = ["sh", "-c", "touch /tmp/started"];
    let with = |opts: &[&str]| {
        let mut args = opts.to_vec();
        args.push(&c.name);
        args.extend(marker);
        docker_enter(&args)
    };
    with(&["-u", "nobody-here"]).refused(format!(
            "docker-enter: in container {}: unable to find user nobody-here: no matching entries in passwd file",
            c.name
        ));
    with(&["-u", "alice:nogroup"]).refused(format!(
            "docker-enter: in container {}: unable to find group nogroup: no matching entries in group file",
            c.name
        ));
    with(&["-w", "/nope"]).refused(format!(
        "docker-enter: working directory /nope does not exist in container {}",
        c.name
    ));
    with(&["-w", "/etc/passwd"]).refused(format!(
        "docker-enter: working directory /etc/passwd is not a directory in container {}",
        c.name
    ));
    assert!(!docker(&["exec", &c.name, "test", "-e", "/tmp/started"]).succeeded());
}

#[test]
fn a_workdir_behind_a_proc_link_is_followed_inside_only() {
    if !ready() {
        return;
    }
    let tag = build_custom(
        "nsenter-can-test/docker-enter:proclinks",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN [\"/bin/busybox\", \"ln\", \"-s\", \"/proc/1/root\", \"/w\"]\n\
         RUN [\"/bin/busybox\", \"ln\", \"-s\", \"/proc/1/root/proc/self/fd\", \"/fds\"]\n\
         RUN [\"/bin/busybox\", \"ln\", \"-s\", \"proc/self/cwd\", \"/here\"]\n",
        &[],
    );
    let c = TestContainer::run("nsc-de-proclink", &["-w", "/w"], tag, &["sleep", "100000"]);
    // WORKDIR /w, a link to /proc/1/root: docker exec runs in "/", and so do we.
    let theirs = docker(&["exec", &c.name, "pwd"]);
    let ours = docker_enter(&[&c.name, "pwd"]);
    assert_eq!(
        (ours.stdout.clone(), ours.code()),
        (theirs.stdout.clone(), Some(0)),
        "{}",
        ours.stderr
    );
    // Links that would lead to descriptors of ours (/proc/self/fd/N seen
    // through the container's /proc) never become the working directory.
    for n in 0..16 {
        let dir = format!("/fds/{n}");
        let out = docker_enter(&["-w", &dir, &c.name, "pwd"]);
        assert_eq!(
            (out.stdout.as_str(), out.code()),
            ("", Some(1)),
            "-w {dir}: {}",
            out.stderr
        );
    }
    // Through /proc/self, seen from the host: docker-enter's own process.
    // Not followed, and said so, whether named or behind a link made in
    // the container; a directory that is not there is said as missing.
    for dir in [
        "/proc/self/cwd",
        "/proc/self/fd/3",
        "/proc/thread-self/cwd",
        "/here",
    ] {
        docker_enter(&["-w", dir, &c.name, "pwd"]).refused(format!(
            "docker-enter: working directory {dir} leads out of container {} through /proc/self \
                 (docker-enter's own process); not followed",
            c.name
        ));
    }
    docker_enter(&["-w", "/proc/self-not", &c.name, "pwd"]).refused(format!(
        "docker-enter: working directory /proc/self-not does not exist in container {}",
        c.name
    ));
}

/// A working directory that leads out of the container's root through a
/// descriptor a container process holds (CVE-2024-21626): here a process
/// that util-linux nsenter started in the container's PID namespace with
/// a host directory open as its descriptor 3, which `/proc/N/fd/3`
/// reaches from inside. The planner cannot tell (a /proc magic link is
/// resolved only once inside); the check after changing directory refuses
/// it, as runc refuses it to `docker exec`. The control: from inside, the
/// path does lead to the host's directory.
#[test]
fn a_workdir_through_a_descriptor_to_the_host_is_refused() {
    let Some(c) = sleeping("nsc-de-fdcwd", &[]) else {
        return;
    };
    let host_dir = tempdir("fdcwd");
    std::fs::write(host_dir.join("host-marker"), "").unwrap();
    let holding = format!("exec 3<'{}'; exec sleep 100000", host_dir.display());
    let nsenter = common::KillOnDrop(
        Command::new("nsenter")
            .args(["-t", &c.pid(), "-p", "--", "sh", "-c", &holding])
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut holder = 0;
    let started = common::wait_until(Duration::from_secs(10), || {
        holder = common::children(nsenter.0.id() as i32)
            .into_iter()
            .find(|&p| common::comm(p) == "sleep")
            .unwrap_or(0);
        holder != 0
    });
    assert!(started, "the holder did not start");
    let status = std::fs::read_to_string(format!("/proc/{holder}/status")).unwrap();
    let inside = status
        .lines()
        .find(|l| l.starts_with("NSpid:"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap()
        .to_string();
    let dir = format!("/proc/{inside}/fd/3");
    // Control: from inside the container, the path is the host's directory.
    let listing = common::sh(&format!(
        "nsenter -t {} -m -p -r sh -c 'cd {dir} && ls'",
        c.pid()
    ));
    assert_eq!(listing, "host-marker\n");
    let theirs = docker(&["exec", "-w", &dir, &c.name, "ls"]);
    assert_ne!(theirs.code(), Some(0), "docker exec refuses it too");
    let out = docker_enter(&["-w", &dir, &c.name, "ls"]);
    out.refused(format!(
            "docker-enter: working directory (unreachable){} is outside the container; refusing to run there",
            host_dir.display()
        ));
}

#[test]
fn a_container_without_a_shell() {
    if !ready() {
        return;
    }
    let tag = build_custom(
        "nsenter-can-test/docker-enter:noshell",
        "FROM scratch\nCOPY busybox /busybox\n",
        &[],
    );
    let c = TestContainer::run("nsc-de-noshell", &[], tag, &["/busybox", "sleep", "100000"]);
    docker_enter(&[&c.name]).refused(format!(
            "docker-enter: container {0} has no shell (tried /bin/bash, /bin/sh); give a command to run, \
             or bring a shell with --tools, e.g. docker-enter --tools=/opt/busybox {0} \
             (--tools alone takes the toolbox installed with the can)",
            c.name
        ));
    // A container without a shell can still be entered with a command.
    let out = docker_enter(&[&c.name, "/busybox", "echo", "inside"]);
    assert_eq!((out.stdout.as_str(), out.code()), ("inside\n", Some(0)));
}

fn inspect_answer(id: &str, pid: u32, started_at: &str) -> String {
    serde_json::json!({
        "Id": id, "Name": "/stale",
        "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false,
                  "Pid": pid, "StartedAt": started_at},
        "Config": {"User": "", "WorkingDir": "", "Env": ["PATH=/bin"], "Hostname": "stale"},
        "HostConfig": {"GroupAdd": null}
    })
    .to_string()
}

fn rfc3339_now_minus(seconds: u64) -> String {
    let out = common::run(
        Command::new("date").args([
            "-u",
            "-d",
            &format!("@{}", now_secs() - seconds),
            "+%Y-%m-%dT%H:%M:%S.000000000Z",
        ]),
        b"",
    );
    out.stdout.trim().to_string()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_stale_pid_is_refused_never_entered() {
    let Some(c) = sleeping("nsc-de-stale", &[]) else {
        return;
    };
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let pid: u32 = c.pid().parse().unwrap();

    // The container's ID with the PID of an unrelated host process that
    // started just now: not in the container's cgroup.
    let unrelated = common::KillOnDrop(Command::new("sleep").arg("100").spawn().unwrap());
    let socket = fake_daemon(
        "stale-cgroup",
        inspect_answer(&id, unrelated.0.id(), &rfc3339_now_minus(0)),
    );
    let out = docker_enter_with_host(
        &format!("unix://{}", socket.display()),
        &["stale", "echo", "entered"],
    );
    let unrelated_pid = unrelated.0.id();
    drop(unrelated);
    out.refused(format!("docker-enter: container stale is not running: the Docker daemon names process {unrelated_pid}, which is not its process (it is not in a cgroup of container {id}); refusing to enter"));

    // The right process, but the daemon says the container started an hour
    // before it: the PID was reused.
    let socket = fake_daemon(
        "stale-start",
        inspect_answer(&id, pid, &rfc3339_now_minus(3600)),
    );
    let out = docker_enter_with_host(
        &format!("unix://{}", socket.display()),
        &["stale", "echo", "entered"],
    );
    out.stderr_contains("refusing to enter");
    assert_eq!((out.stdout.as_str(), out.code()), ("", Some(1)));
}

#[test]
fn a_symlinked_passwd_is_not_followed_out_of_the_container() {
    if !ready() {
        return;
    }
    // A file only the host has, named by an absolute symlink in the image.
    let host_only = "/tmp/nsc-host-only-passwd";
    std::fs::write(host_only, "evil:x:4242:4242::/evil:/bin/sh\n").unwrap();
    struct Remove(&'static str);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(self.0);
        }
    }
    let _cleanup = Remove(host_only);
    let dockerfile = format!(
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN [\"/bin/busybox\", \"ln\", \"-s\", \"{host_only}\", \"/etc/passwd\"]\n"
    );
    let tag = build_custom("nsenter-can-test/docker-enter:symlink", &dockerfile, &[]);
    let c = TestContainer::run("nsc-de-symlink", &[], tag, &["sleep", "100000"]);
    docker_enter(&["-u", "evil", &c.name, "id"]).refused(format!(
            "docker-enter: in container {}: unable to find user evil: no matching entries in passwd file",
            c.name
        ));
    // The container's own view agrees: no such user there either.
    assert!(!docker(&["exec", "-u", "evil", &c.name, "id"]).succeeded());
}

#[test]
fn a_shell_that_runs_our_own_binary_is_refused() {
    if !ready() {
        return;
    }
    let tag = build_custom(
        "nsenter-can-test/docker-enter:selfexe",
        "FROM scratch\nCOPY busybox /busybox\nCOPY sh /bin/sh\n",
        &[("sh", b"#!/proc/self/exe\n", 0o755)],
    );
    let c = TestContainer::run("nsc-de-selfexe", &[], tag, &["/busybox", "sleep", "100000"]);
    let before = std::fs::read(DOCKER_ENTER).unwrap();
    for args in [
        vec![c.name.as_str()],
        vec![&c.name, "/bin/sh", "-c", "true"],
        vec![&c.name, "sh", "-c", "true"],
    ] {
        let out = docker_enter(&args);
        assert_ne!(out.code(), Some(0), "{args:?}");
        assert!(
            out.stderr
                .contains("it would run this tool's own binary inside the container"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(
        std::fs::read(DOCKER_ENTER).unwrap() == before,
        "our binary changed"
    );
}

/// Every line of `text` is one of `whole`; otherwise the first that is not.
fn first_broken_line<'a>(text: &'a str, whole: &[&str]) -> Option<&'a str> {
    text.lines().find(|line| !whole.contains(line))
}

/// Run `commands` all at once with one shared stderr: each first waits at a
/// gate (opening a FIFO for reading), and the gate opens when all wait
/// there. Returns what they wrote, once all have ended with status 1.
fn all_at_once(name: &str, commands: &[Vec<&str>]) -> String {
    let dir = tempdir(name);
    let (gate, log_path) = (dir.join("gate"), dir.join("stderr"));
    common::sh(&format!("mkfifo {}", gate.display()));
    let log = std::fs::File::create(&log_path).unwrap();
    let runs: Vec<_> = commands
        .iter()
        .map(|argv| {
            let runner = common::KillOnDrop(
                Command::new("sh")
                    .args(["-c", "gate=$1; shift; exec 3<\"$gate\"; exec \"$@\"", "sh"])
                    .arg(&gate)
                    .args(argv)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(log.try_clone().unwrap())
                    .spawn()
                    .unwrap(),
            );
            runner
        })
        .collect();
    let waiting = |run: &common::KillOnDrop| {
        std::fs::read_to_string(format!("/proc/{}/wchan", run.0.id()))
            .is_ok_and(|w| w == "wait_for_partner")
    };
    assert!(
        common::wait_until(Duration::from_secs(20), || runs.iter().all(waiting)),
        "the runs did not all reach the gate"
    );
    let _open = std::fs::OpenOptions::new().write(true).open(&gate).unwrap();
    for mut run in runs {
        let status = common::wait_with_timeout(&mut run.0, common::RUN_TIMEOUT);
        assert_eq!(status.and_then(|s| s.code()), Some(1));
    }
    std::fs::read_to_string(&log_path).unwrap()
}

#[test]
fn concurrent_refusals_never_cut_into_each_others_lines() {
    let usage = [
        "docker-enter: no container given",
        "Try 'docker-enter --help' for more information.",
    ];
    let env_file = "docker-enter: env file /dev/zero: line 1 is longer than 128 KiB, \
                    the most the kernel accepts for one variable (MAX_ARG_STRLEN)";
    let whole = [usage[0], usage[1], env_file];
    // 50 runs at once on one stderr file, half of them with two lines.
    let commands: Vec<Vec<&str>> = (0..50)
        .map(|i| match i % 2 {
            0 => vec![DOCKER_ENTER],
            _ => vec![DOCKER_ENTER, "--env-file", "/dev/zero", "web", "true"],
        })
        .collect();
    // Several rounds: one round of runs that cut lines shows it only now
    // and then.
    for _ in 0..5 {
        let text = all_at_once("concurrent", &commands);
        assert_eq!(first_broken_line(&text, &whole), None, "{text}");
        assert_eq!(text.lines().count(), 75, "{text}");
        assert_eq!(text.matches(usage[0]).count(), 25);
    }

    // Control: the same harness does cut lines written in pieces (as
    // eprintln! wrote them), within a few rounds.
    let pieces = "printf docker-enter >&2; printf ': ' >&2; printf 'no container given' >&2; \
                  printf '\\n' >&2; exit 1";
    let cut = (0..20).any(|_| {
        let text = all_at_once("pieces", &vec![vec!["sh", "-c", pieces]; 50]);
        first_broken_line(&text, &whole).is_some()
    });
    assert!(
        cut,
        "control: pieces from 50 runs at once never interleaved"
    );
}

#[test]
fn each_refusal_is_one_write() {
    if !common::require(common::have("strace"), "strace is not installed") {
        return;
    }
    let usage = common::stderr_writes(&mut Command::new(DOCKER_ENTER));
    assert_eq!(
        usage,
        [
            r#""docker-enter: no container given\nTry 'docker-enter --help' for more information.\n""#
        ]
    );
    let env_file =
        common::stderr_writes(Command::new(DOCKER_ENTER).args(["--env-file", "/nope", "web"]));
    assert_eq!(
        env_file,
        [r#""docker-enter: cannot read env file /nope: No such file or directory\n""#]
    );
}

#[test]
fn options_after_the_container_are_shown_before_it() {
    // Refused while reading the command line: no daemon is asked.
    docker_enter(&["web", "-u", "app", "id"]).refused(
        "docker-enter: options go before the container, as in: docker-enter -u app web id \
         (after web, -u would be run as the command)",
    );
}

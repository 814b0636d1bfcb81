//! containerd's task state planted, duplicated, or left behind by a task
//! that stopped, against a containerd of the test's own: whatever the
//! files say, docker-enter enters only a process that is provably the
//! task's (its cgroup, its namespaces, its shim), and says what `ctr`
//! says of the same task. Each case fails on a lookup that trusts the
//! files (issue 16).

use crate::common;

use common::docker_enter::{image, ready, DOCKER_ENTER};
use common::private_daemon::PrivateContainerd;
use common::KillOnDrop;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TASKS: &str = "io.containerd.runtime.v2.task";

/// What `ctr task exec` says of task `id` (it fails).
fn ctr_exec_refusal(c: &PrivateContainerd, namespace: &str, id: &str) -> String {
    let out = c.ctr(
        namespace,
        &["task", "exec", "--exec-id", "probe", id, "true"],
    );
    out.failure();
    out.stderr.clone()
}

/// The CRI plugin's annotations of a pod's application container.
fn cri(namespace: &str, pod: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "io.kubernetes.cri.container-type": "container",
        "io.kubernetes.cri.sandbox-namespace": namespace,
        "io.kubernetes.cri.sandbox-name": pod,
        "io.kubernetes.cri.container-name": name,
    })
}

/// A task directory written by hand, as containerd would lay it out.
fn plant(state: &Path, namespace: &str, id: &str, spec: &serde_json::Value, pid: i32) -> PathBuf {
    let dir = state.join(TASKS).join(namespace).join(id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), spec.to_string()).unwrap();
    std::fs::write(dir.join("init.pid"), pid.to_string()).unwrap();
    dir
}

/// Set a file's modification time: the files' times are the writer's.
fn touch(path: &Path, when: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// A bundle that claims a pod, runs as root with a planted environment,
/// and names no cgroup: what a writer of one task directory would leave.
#[test]
fn a_planted_task_never_enters_a_host_process() {
    if !ready() {
        return;
    }
    let c = PrivateContainerd::start(image());
    let real = format!("real-{}", std::process::id());
    let real_pid = c.run("prod", &real, &[], image(), &["sleep", "100000"]);
    let host = KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
    let host_pid = host.0.id() as i32;
    let state = c.state();
    let mut spec = serde_json::json!({
        "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/",
                    "env": ["PATH=/usr/bin:/bin", "LD_PRELOAD=/tmp/planted.so"]},
        "annotations": cri("prod", "db-0", "db"),
    });
    let dir = plant(&state, "k8s.io", "evil", &spec, host_pid);
    touch(&dir.join("config.json"), std::time::UNIX_EPOCH);
    let config = dir.join("config.json").display().to_string();

    // The control: containerd has no such task.
    let theirs = ctr_exec_refusal(&c, "k8s.io", "evil");
    assert!(theirs.contains("not found"), "{theirs}");

    // No cgroup named after the task: nothing could prove its process.
    let no_cgroup = format!(
        "{config} has no linux.cgroupsPath, so no process can be proven to be container evil's; refusing to trust it"
    );
    for address in [
        "k8s:prod/db-0",
        "k8s:prod/db-0/db",
        "containerd:k8s.io/evil",
        "evil",
    ] {
        c.docker_enter(&[address, "sh", "-c", "echo entered"])
            .refused(format!("docker-enter: {}", no_cgroup));
    }
    let list = c.docker_enter(&["--list", "--format", "{{.Address}}"]);
    assert!(!list.stdout.contains("db-0"), "{}", list.stdout);
    list.stderr_contains(no_cgroup)
        .stdout_contains(format!("containerd:prod/{real}"));

    // A cgroup named after it, and init.pid naming a host process, then
    // another container's process: neither is the task's.
    spec["linux"] = serde_json::json!({"cgroupsPath": "/k8s.io/evil"});
    for (pid, why) in [
        (
            host_pid,
            "it is not in a cgroup of container evil".to_string(),
        ),
        (
            real_pid,
            "it is not in a cgroup of container evil".to_string(),
        ),
    ] {
        plant(&state, "k8s.io", "evil", &spec, pid);
        c.docker_enter(&["k8s:prod/db-0", "sh", "-c", "echo entered"]).refused(format!(
                "docker-enter: container k8s:prod/db-0 (db) is not running: its init.pid names process {pid}, which is not the task's ({why}): cannot exec in a stopped state"
            ));
        let list = c.docker_enter(&["--list", "--format", "{{.Address}}"]);
        assert!(!list.stdout.contains("db-0"), "{}", list.stdout);
    }

    // The real task's own ID and process, planted in another namespace:
    // its cgroup is the task's, but its shim runs in the real bundle.
    std::fs::remove_dir_all(&dir).unwrap();
    let mut twin = spec.clone();
    twin["linux"]["cgroupsPath"] = serde_json::json!(format!("/prod/{real}"));
    plant(&state, "k8s.io", &real, &twin, real_pid);
    let out = c.docker_enter(&["k8s:prod/db-0", "sh", "-c", "echo entered"]);
    let said = out.stderr.clone();
    assert!(
        said.starts_with(&format!(
            "docker-enter: container k8s:prod/db-0 (db) is not running: its init.pid names process {real_pid}, which is not the task's (its parent, process "
        )) && said.ends_with(", is not the shim of its task): cannot exec in a stopped state\n"),
        "{said}"
    );
    assert_eq!((out.stdout.clone(), out.code()), (String::new(), Some(1)));
    // The control: the real task by its own address is entered.
    let out = c.docker_enter(&[&format!("containerd:prod/{real}"), "echo", "entered"]);
    assert_eq!(out.stdout.clone(), "entered\n", "{}", out.stderr);
}

/// The same task ID in two containerd namespaces is two tasks: never one
/// chosen silently, both listed, each entered by its full address.
#[test]
fn the_same_task_id_in_two_namespaces_is_never_merged() {
    if !ready() {
        return;
    }
    let c = PrivateContainerd::start(image());
    let id = format!("app-{}", std::process::id());
    let annotations = [
        ("io.kubernetes.cri.container-type", "container"),
        ("io.kubernetes.cri.sandbox-namespace", "shop"),
        ("io.kubernetes.cri.sandbox-name", "web-0"),
        ("io.kubernetes.cri.container-name", "app"),
    ];
    let sleep = ["sleep", "100000"];
    c.run("k8s.io", &id, &annotations, image(), &sleep);
    c.run("n14", &id, &annotations, image(), &sleep);
    let probe = "cat /proc/self/cgroup";
    // The control: containerd holds two running tasks of that ID.
    let theirs = |ns: &str| {
        c.ctr_ok(
            ns,
            &["task", "exec", "--exec-id", "p", &id, "sh", "-c", probe],
        )
    };
    let (in_k8s, in_n14) = (theirs("k8s.io"), theirs("n14"));
    assert_ne!(in_k8s, in_n14);

    c.docker_enter(&[&id, "true"]).refused(format!(
            "docker-enter: {id} names several containers: containerd:k8s.io/{id} (k8s:shop/web-0/app), containerd:n14/{id}; name one by its address"
        ));
    let ours = |address: &str| {
        let out = c.docker_enter(&[address, "sh", "-c", probe]);
        out.success();
        out.stdout.trim().to_string()
    };
    assert_eq!(ours(&format!("containerd:k8s.io/{id}")), in_k8s);
    assert_eq!(ours(&format!("containerd:n14/{id}")), in_n14);
    // Only the CRI plugin's namespace holds pods.
    assert_eq!(ours("k8s:shop/web-0/app"), in_k8s);
    let list = c
        .docker_enter(&["--list", "--format", "{{.Address}}"])
        .stdout;
    let lines: Vec<&str> = list.lines().collect();
    for want in [
        "k8s:shop/web-0/app".to_string(),
        format!("containerd:n14/{id}"),
    ] {
        assert!(lines.contains(&want.as_str()), "{want} not in {lines:?}");
    }

    // Two tasks named alike in two namespaces, by name.
    let web = format!("web-{}", std::process::id());
    c.run("default", &web, &[], image(), &sleep);
    c.run("nsb", &web, &[], image(), &sleep);
    c.docker_enter(&[&web, "true"]).refused(format!(
            "docker-enter: {web} names several containers: containerd:default/{web}, containerd:nsb/{web}; name one by its address"
        ));
}

/// A task that stopped leaves its init.pid behind; a sibling task sharing
/// its shim (as a pod's containers do) forks right after and takes the
/// PID, aimed with ns_last_pid in a PID namespace the test made. The
/// newcomer is the shim's child, in a container's namespaces, in a cgroup
/// named `/n/web2`: only the whole cgroup component tells it from `web`.
#[test]
fn a_stopped_tasks_pid_taken_by_a_sibling_is_never_entered() {
    if !ready() || !common::require_root_and(&["pgrep"]) {
        return;
    }
    let c = PrivateContainerd::start_in_pid_namespace(image());
    // runc keeps its state by namespace and ID in a directory every
    // containerd shares: names of this run's own.
    let ns = format!("n{}", std::process::id());
    let ns = ns.as_str();
    // One shim for both, as for a pod's containers.
    let group = [("io.kubernetes.cri.sandbox-id", "web")];
    let sleep = ["sleep", "100000"];
    let x = c.run(ns, "web", &group, image(), &sleep);
    c.run(ns, "web2", &group, image(), &sleep);
    c.ctr_ok(ns, &["task", "kill", "-s", "SIGKILL", "web"]);
    assert!(common::wait_until(Duration::from_secs(20), || c
        .ctr_ok(ns, &["task", "ls"])
        .lines()
        .any(
            |l| l.split_whitespace().collect::<Vec<_>>() == ["web", &x.to_string(), "STOPPED"]
        )));
    // The control: ctr refuses the stopped task.
    let theirs = ctr_exec_refusal(&c, ns, "web");
    assert!(
        theirs.contains("cannot exec in a stopped state"),
        "{theirs}"
    );

    // web2 execs a process that takes web's PID: runc forks a few
    // processes first, so aim, look, and aim again.
    let in_ns =
        |script: &str| common::run(c.in_its_pid_namespace("sh").args(["-c", script]), b"").stdout;
    let mut last = x - 12;
    let mut taken = false;
    for attempt in 0..30 {
        c.set_last_pid(last);
        let tag = format!("{}", 424_200 + attempt);
        let exec_id = format!("squat{attempt}");
        c.ctr_ok(
            ns,
            &[
                "task",
                "exec",
                "-d",
                "--exec-id",
                &exec_id,
                "web2",
                "sleep",
                &tag,
            ],
        );
        let mut got = 0;
        common::wait_until(Duration::from_secs(10), || {
            got = in_ns(&format!("pgrep -x -f 'sleep {tag}'"))
                .trim()
                .parse()
                .unwrap_or(0);
            got > 0
        });
        assert!(got > 0, "the exec'd sleep {tag} did not start");
        if got == x {
            taken = true;
            break;
        }
        in_ns(&format!("kill -9 {got}"));
        last += x - got;
        if last <= 1 {
            last = x - 12;
        }
    }
    assert!(taken, "no exec of web2 took PID {x}");
    let cgroup = in_ns(&format!("cat /proc/{x}/cgroup"));
    let web2 = format!("/{ns}/web2");
    assert!(cgroup.lines().any(|l| l.ends_with(&web2)), "{cgroup}");
    // Written just now, as by a task that crashed right after it started.
    let init_pid = c.state().join(TASKS).join(ns).join("web/init.pid");
    touch(&init_pid, std::time::SystemTime::now());

    let out = common::run(
        c.in_its_pid_namespace(DOCKER_ENTER).args([
            "--containerd-state",
            c.state().to_str().unwrap(),
            &format!("containerd:{ns}/web"),
            "sh",
            "-c",
            "echo entered",
        ]),
        b"",
    );
    out.refused(format!(
            "docker-enter: container containerd:{ns}/web (web) is not running: its init.pid names process {x}, which is not the task's (it is not in a cgroup of container web): cannot exec in a stopped state"
        ));
    // web2 itself is entered, and listed alone.
    let out = common::run(
        c.in_its_pid_namespace(DOCKER_ENTER).args([
            "--containerd-state",
            c.state().to_str().unwrap(),
            "--list",
            "--format",
            "{{.Address}}",
        ]),
        b"",
    );
    assert_eq!(
        out.stdout.clone(),
        format!("containerd:{ns}/web2\n"),
        "{}",
        out.stderr
    );
}

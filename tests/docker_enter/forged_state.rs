//! Docker's and Podman's state files copied from real containers into
//! directories of the test's own, then forged: a planted PID of a host
//! process, a PID another container's process has taken, the same
//! container twice, a start time or a pid file that disagrees, a process
//! whose parent is not the runtime's. The live process decides, with the
//! runtime CLI as the control (issue 16; issue 15's start-time and
//! init.pid checks).

use crate::common;
use common::RunResult;

use common::docker_enter::{image, ready, sleeping, DOCKER_ENTER};
use common::fake_task::FakeTask;
use common::podman::{load, podman_ok, PodmanContainer};
use common::Scratch;
use common::{docker_ok, KillOnDrop, TestContainer};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// "2026-12-07T13:31:00.000000000Z", `secs` after the epoch.
pub(super) fn rfc3339(secs: u64) -> String {
    let out = common::run(
        Command::new("date").args([
            "-u",
            "-d",
            &format!("@{secs}"),
            "+%Y-%m-%dT%H:%M:%S.000000000Z",
        ]),
        b"",
    );
    out.stdout.trim().to_string()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The host PID of the one process whose command line is exactly `cmdline`.
fn pid_of_command_line(cmdline: &str) -> i32 {
    let mut pid = 0;
    common::wait_until(Duration::from_secs(10), || {
        let out = common::run(Command::new("pgrep").args(["-x", "-f", cmdline]), b"");
        pid = out.stdout.trim().parse().unwrap_or(0);
        pid > 0
    });
    assert!(pid > 0, "no process '{cmdline}'");
    pid
}

/// Docker's files of container `name` copied into a data root of the
/// test's own, to be forged there; the exec root (where the bundle and its
/// init.pid are) is the real one, an empty one, or one with a planted
/// bundle.
struct DockerCopy {
    s: Scratch,
    name: String,
    id: String,
    config: Value,
}

const REAL_EXEC_ROOT: &str = "/run/docker";

impl DockerCopy {
    fn of(name: &str) -> DockerCopy {
        let id = docker_ok(&["inspect", "-f", "{{.Id}}", name]);
        let read =
            |file: &str| std::fs::read(format!("/var/lib/docker/containers/{id}/{file}")).unwrap();
        let s = Scratch::new("forged-docker");
        s.write(
            &format!("data/containers/{id}/hostconfig.json"),
            &read("hostconfig.json"),
        );
        let config = serde_json::from_slice(&read("config.v2.json")).unwrap();
        let copy = DockerCopy {
            s,
            name: name.to_string(),
            id,
            config,
        };
        copy.forge(&copy.id.clone(), |_| {});
        copy
    }

    /// Write config.v2.json of `id` as the real one, changed by `edit`.
    fn forge(&self, id: &str, edit: impl FnOnce(&mut Value)) {
        let mut config = self.config.clone();
        config["ID"] = id.into();
        edit(&mut config);
        self.s.write(
            &format!("data/containers/{id}/config.v2.json"),
            config.to_string().as_bytes(),
        );
        if id != self.id {
            let host_config = std::fs::read(
                self.s
                    .path(&format!("data/containers/{}/hostconfig.json", self.id)),
            )
            .unwrap();
            self.s.write(
                &format!("data/containers/{id}/hostconfig.json"),
                &host_config,
            );
        }
    }

    fn enter(&self, exec_root: &str, args: &[String]) -> RunResult {
        common::run(
            Command::new(DOCKER_ENTER)
                .env_remove("DOCKER_HOST")
                .args([
                    "-H",
                    &self.s.arg("no.sock"),
                    "--docker-root",
                    &self.s.arg("data"),
                ])
                .args(["--docker-exec-root", exec_root])
                .args(args),
            b"",
        )
    }
}

#[test]
fn docker_state_files_that_name_another_process_are_refused() {
    if !common::require_root_and(&["pgrep", "date"]) {
        return;
    }
    let Some(c) = sleeping("nsc-forged-docker", &[]) else {
        return;
    };
    let other = TestContainer::run(
        "nsc-forged-docker-other",
        &[],
        image(),
        &["sleep", "100000"],
    );
    let real_pid: i32 = c.pid().parse().unwrap();
    let other_pid: i32 = other.pid().parse().unwrap();
    let copy = DockerCopy::of(&c.name);
    let (name, id) = (copy.name.clone(), copy.id.clone());
    let no_exec_root = copy.s.arg("no-exec");
    std::fs::create_dir_all(&no_exec_root).unwrap();
    let echo = ["sh", "-c", "echo entered"];
    let with = |args: &[&'static str]| -> Vec<String> {
        std::iter::once(name.clone())
            .chain(args.iter().map(|a| a.to_string()))
            .collect()
    };
    let not_its = |pid: i32, why: &str| {
        format!("container {name} is not running: Docker's state files name process {pid}, which is not its process ({why}); refusing to enter")
    };

    // The control: the copied files as they are, and docker exec.
    let probe = ["cat", "/proc/self/cgroup"];
    let theirs = docker_ok(&[&["exec", name.as_str()][..], &probe[..]].concat());
    let out = copy.enter(REAL_EXEC_ROOT, &with(&probe));
    assert_eq!(out.stdout.trim(), theirs, "{}", out.stderr);

    // Planted: a host process's PID.
    let host = KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
    let host_pid = host.0.id() as i32;
    let pid_is = |pid: i32| move |config: &mut Value| config["State"]["Pid"] = pid.into();
    copy.forge(&id, pid_is(host_pid));
    let cgroup = format!("it is not in a cgroup of container {id}");
    copy.enter(&no_exec_root, &with(&echo))
        .refused(format!("docker-enter: {}", not_its(host_pid, &cgroup)));
    // Reused: another container's process has the PID now (its daemon
    // down when the container exited).
    copy.forge(&id, pid_is(other_pid));
    copy.enter(&no_exec_root, &with(&echo))
        .refused(format!("docker-enter: {}", not_its(other_pid, &cgroup)));
    // Twice: another directory claims the name (the same process).
    let twin = format!(
        "{}{}",
        &id[..60],
        if id.ends_with('0') { "1111" } else { "0000" }
    );
    copy.forge(&id, |_| {});
    copy.forge(&twin, |_| {});
    let listed = |i: &str| format!("docker:{i} (ID {})", &i[..12]);
    let (a, b) = if id < twin {
        (&id, &twin)
    } else {
        (&twin, &id)
    };
    copy.enter(REAL_EXEC_ROOT, &with(&echo)).refused(format!(
        "docker-enter: {name} names several containers: {}, {}; name one by its address",
        listed(a),
        listed(b)
    ));
    std::fs::remove_dir_all(copy.s.path(&format!("data/containers/{twin}"))).unwrap();

    // Its own process, but a start an hour from when it started.
    let hour_later = rfc3339(now_secs() + 3600);
    copy.forge(&id, |config| {
        config["State"]["StartedAt"] = hour_later.clone().into()
    });
    let out = copy.enter(REAL_EXEC_ROOT, &with(&echo));
    let said = out.stderr.clone();
    let prefix = format!(
        "docker-enter: container {name} is not running: Docker's state files name process {real_pid}, which is not its process (it started "
    );
    assert!(
        said.starts_with(&prefix)
            && said.ends_with(" s before the container's recorded start); refusing to enter\n"),
        "{said}"
    );
    let secs: i64 = said[prefix.len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3610).contains(&secs), "{said}");
    assert_eq!((out.stdout.clone(), out.code()), (String::new(), Some(1)));

    // A process of the container that is not its first (docker exec'd):
    // same cgroup, namespaces and parent, started just now.
    let tag = format!("{}", 400_000 + std::process::id() % 100_000);
    docker_ok(&["exec", "-d", &name, "sleep", &tag]);
    let exec_pid = pid_of_command_line(&format!("sleep {tag}"));
    let exec_started = rfc3339(now_secs());
    let exec_named = |config: &mut Value| {
        config["State"]["Pid"] = exec_pid.into();
        config["State"]["StartedAt"] = exec_started.clone().into();
    };
    copy.forge(&id, exec_named);
    // The bundle's init.pid disagrees.
    let config_file = copy.s.arg(&format!("data/containers/{id}/config.v2.json"));
    let bundle =
        format!("{REAL_EXEC_ROOT}/containerd/daemon/io.containerd.runtime.v2.task/moby/{id}");
    copy.enter(REAL_EXEC_ROOT, &with(&echo)).refused(format!("docker-enter: Docker's state files disagree about container {name}'s process: {config_file} says {exec_pid}, {bundle}/init.pid says {real_pid}"));
    // A planted bundle agrees, but the process's shim runs in the real one.
    let planted = copy.s.path(&format!(
        "exec/containerd/daemon/io.containerd.runtime.v2.task/moby/{id}"
    ));
    std::fs::create_dir_all(&planted).unwrap();
    std::fs::write(planted.join("init.pid"), exec_pid.to_string()).unwrap();
    let out = copy.enter(&copy.s.arg("exec"), &with(&echo));
    let said = out.stderr.clone();
    assert!(
        said.starts_with(&format!("docker-enter: container {name} is not running: Docker's state files name process {exec_pid}, which is not its process (its parent, process "))
            && said.ends_with(", is not the shim of its task); refusing to enter\n"),
        "{said}"
    );
}

/// Podman's files of container `name` (containers/storage's index entry,
/// the bundle and the pid file) copied into roots of the test's own.
struct PodmanCopy {
    s: Scratch,
    name: String,
    id: String,
    entry: Value,
    config: Vec<u8>,
}

impl PodmanCopy {
    fn of(name: &str) -> PodmanCopy {
        let id = podman_ok(&["inspect", "-f", "{{.Id}}", name]);
        let index: Value = serde_json::from_slice(
            &std::fs::read("/var/lib/containers/storage/overlay-containers/containers.json")
                .unwrap(),
        )
        .unwrap();
        let entry = index
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id.as_str())
            .unwrap()
            .clone();
        let config = std::fs::read(format!(
            "/var/lib/containers/storage/overlay-containers/{id}/userdata/config.json"
        ))
        .unwrap();
        PodmanCopy {
            s: Scratch::new("forged-podman"),
            name: name.to_string(),
            id,
            entry,
            config,
        }
    }

    /// Container `id` (the copy's own, or another) in the index of graph
    /// driver `driver`, with this bundle, its pid file naming `pid`.
    fn forge(&self, driver: &str, id: &str, names: &[&str], config: &[u8], pid: i32) {
        let index_file = self
            .s
            .path(&format!("graph/{driver}-containers/containers.json"));
        let mut index: Vec<Value> = std::fs::read(&index_file)
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap_or_default();
        index.retain(|e| e["id"] != id);
        let mut entry = self.entry.clone();
        entry["id"] = id.into();
        entry["names"] = serde_json::json!(names);
        index.push(entry);
        self.s.write(
            &format!("graph/{driver}-containers/containers.json"),
            serde_json::to_string(&index).unwrap().as_bytes(),
        );
        self.s.write(
            &format!("graph/{driver}-containers/{id}/userdata/config.json"),
            config,
        );
        self.s.write(
            &format!("run/{driver}-containers/{id}/userdata/pidfile"),
            pid.to_string().as_bytes(),
        );
    }

    fn enter(&self, args: &[&str]) -> RunResult {
        common::run(
            Command::new(DOCKER_ENTER)
                .args(["--storage-root", &self.s.arg("graph")])
                .args(["--storage-runroot", &self.s.arg("run")])
                .args(args),
            b"",
        )
    }
}

#[test]
fn podman_state_files_that_name_another_process_are_refused() {
    if !ready() || !common::podman::ready() || !common::require_root_and(&["pgrep"]) {
        return;
    }
    let podman_image = load(image());
    let c = PodmanContainer::run(
        "nsc-forged-podman",
        &[],
        &podman_image,
        &["sleep", "100000"],
    );
    let other = PodmanContainer::run(
        "nsc-forged-podman-other",
        &[],
        &podman_image,
        &["sleep", "100000"],
    );
    let (real_pid, other_pid): (i32, i32) =
        (c.pid().parse().unwrap(), other.pid().parse().unwrap());
    let copy = PodmanCopy::of(&c.name);
    let (name, id) = (copy.name.clone(), copy.id.clone());
    let address = format!("podman:{name}");
    let echo = [address.as_str(), "sh", "-c", "echo entered"];
    let not_its = |pid: i32, why: &str| {
        format!("container {address} ({name}) is not running: its pid file names process {pid}, which is not its process ({why}); refusing to enter")
    };

    // The control: the copy as it is, and podman exec.
    let probe = ["cat", "/proc/self/cgroup"];
    let theirs = podman_ok(&[&["exec", name.as_str()][..], &probe[..]].concat());
    copy.forge("overlay", &id, &[&name], &copy.config, real_pid);
    let out = copy.enter(&[&[address.as_str()][..], &probe[..]].concat());
    assert_eq!(out.stdout.trim(), theirs, "{}", out.stderr);

    // Planted: a host process; reused: another container's process.
    let host = KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
    let host_pid = host.0.id() as i32;
    let cgroup = format!("it is not in a cgroup of container {id}");
    for pid in [host_pid, other_pid] {
        copy.forge("overlay", &id, &[&name], &copy.config, pid);
        copy.enter(&echo)
            .refused(format!("docker-enter: {}", not_its(pid, &cgroup)));
    }

    // Twice: a second graph driver's index holds the same container, with
    // an environment of its writer's, and the same process.
    let mut planted: Value = serde_json::from_slice(&copy.config).unwrap();
    planted["process"]["env"] = serde_json::json!(["LD_PRELOAD=/tmp/planted.so"]);
    copy.forge("overlay", &id, &[&name], &copy.config, real_pid);
    copy.forge(
        "vfs",
        &id,
        &[&name],
        planted.to_string().as_bytes(),
        real_pid,
    );
    let listed = format!("podman:{id} (ID {})", &id[..12]);
    copy.enter(&echo).refused(format!("docker-enter: {address} names several containers: {listed}, {listed}; name one by its address"));
    std::fs::remove_dir_all(copy.s.path("graph/vfs-containers")).unwrap();

    // A process with every other mark of a container (its cgroup named
    // after the ID, namespaces of its own), whose parent is not conmon.
    let fake_id = format!("{:0>64}", std::process::id());
    let fake_name = format!("nsc-fake-{}", std::process::id());
    let mut fake: Value = serde_json::from_slice(&copy.config).unwrap();
    fake["linux"]["cgroupsPath"] = format!("/libpod_parent/libpod-{fake_id}").into();
    let bundle = copy
        .s
        .path(&format!("graph/overlay-containers/{fake_id}/userdata"));
    std::fs::create_dir_all(&bundle).unwrap();
    let task = FakeTask::start(&bundle, &fake_id);
    copy.forge(
        "overlay",
        &fake_id,
        &[&fake_name],
        fake.to_string().as_bytes(),
        task.pid,
    );
    let out = copy.enter(&[&format!("podman:{fake_name}"), "sh", "-c", "echo entered"]);
    let said = out.stderr.clone();
    assert!(
        said.starts_with(&format!(
            "docker-enter: container podman:{fake_name} ({fake_name}) is not running: its pid file names process {}, which is not its process (its parent, process ",
            task.pid
        )) && said.ends_with(", is not the conmon of its container); refusing to enter\n"),
        "{said}"
    );
    assert_eq!((out.stdout.clone(), out.code()), (String::new(), Some(1)));
}

//! Lookups against state directories laid out as each runtime writes them,
//! from recorded files, with a live `sleep` standing in for each
//! container's process.

use super::*;
use crate::containerd::ContainerdState;
use crate::docker_state::DockerState;
use crate::statedir::tests::Scratch;
use crate::storage::Storage;
use crate::{require_running, Docker};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command};

const BUNDLE: &str = include_str!("testdata/bundle-containerd.json");

/// A process to point state files at; killed at the end.
struct Sleeper(Child);

impl Sleeper {
    fn new() -> Sleeper {
        Sleeper(Command::new("sleep").arg("100").spawn().unwrap())
    }
    fn pid(&self) -> i32 {
        self.0.id() as i32
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A PID that no process has now.
fn dead_pid() -> i32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id() as i32;
    child.wait().unwrap();
    pid
}

/// Every place empty, no daemon: each test adds the runtimes it needs.
fn sources(root: &Path) -> Sources {
    Sources {
        rootless: None,
        rootless_docker: None,
        docker: DockerSource {
            api: Docker::with_socket(root.join("no-docker.sock")),
            state: Some(DockerState {
                data_root: root.join("docker"),
                bundle_roots: vec![root.join("docker-exec")],
                owner: None,
            }),
            mode: StateFiles::First,
            explicit: false,
        },
        containerd: vec![ContainerdState {
            root: root.join("containerd"),
            explicit: false,
        }],
        storage: Storage {
            graphroot: root.join("storage"),
            runroot: root.join("storage-run"),
            explicit: false,
            podman_api: Docker::podman(root.join("no-podman.sock")),
        },
        host_root: None,
    }
}

/// A containerd task: the recorded bundle with these annotations, its
/// init.pid written after `pid` started.
fn task(s: &Scratch, namespace: &str, id: &str, annotations: Value, pid: i32) {
    let mut spec: Value = serde_json::from_str(BUNDLE).unwrap();
    spec["annotations"] = annotations;
    spec["linux"]["cgroupsPath"] = json!(format!("/{namespace}/{id}"));
    let dir = format!("containerd/io.containerd.runtime.v2.task/{namespace}/{id}");
    s.write(&format!("{dir}/config.json"), spec.to_string().as_bytes());
    s.write(&format!("{dir}/init.pid"), pid.to_string().as_bytes());
}

fn cri(kind: &str, pod: &str, name: &str) -> Value {
    let mut a = json!({
        "io.kubernetes.cri.container-type": kind,
        "io.kubernetes.cri.sandbox-namespace": "default",
        "io.kubernetes.cri.sandbox-name": pod,
    });
    if !name.is_empty() {
        a["io.kubernetes.cri.container-name"] = json!(name);
    }
    a
}

fn find(s: &Scratch, address: &str) -> Result<Container, String> {
    Lookup::new(sources(&s.0))
        .find(address)
        .map(|f| f.container)
        .map_err(|e| e.to_string())
}

/// A pod with its sandbox and two application containers.
fn pod(s: &Scratch, sleepers: &[Sleeper; 3]) {
    task(
        s,
        "k8s.io",
        "aa11sandbox",
        cri("sandbox", "web", ""),
        sleepers[0].pid(),
    );
    task(
        s,
        "k8s.io",
        "bb22app",
        cri("container", "web", "app"),
        sleepers[1].pid(),
    );
    task(
        s,
        "k8s.io",
        "cc33side",
        cri("container", "web", "sidecar"),
        sleepers[2].pid(),
    );
}

#[test]
fn a_pods_container_by_name_and_only_by_name_when_there_are_several() {
    let s = Scratch::new("pod");
    let sleepers = [Sleeper::new(), Sleeper::new(), Sleeper::new()];
    pod(&s, &sleepers);
    let app = find(&s, "k8s:default/web/app").unwrap();
    assert_eq!(
        (app.runtime, app.id.as_str(), app.pid, app.state.clone()),
        (
            RuntimeKind::Containerd,
            "bb22app",
            sleepers[1].pid(),
            ContainerState::Running
        )
    );
    assert_eq!(app.address(), "k8s:default/web/app");
    assert_eq!(
        (app.user.as_str(), app.working_dir.as_str()),
        ("0:0", "/tmp")
    );
    assert_eq!(app.user_groups, Some(vec![0]));
    assert!(app.env.contains(&"FOO=bar".to_string()) && app.hostname.is_empty());
    assert_eq!(app.identity.cgroup_id.as_deref(), Some("bb22app"));
    assert!(app.identity.in_container);
    assert!(matches!(
        app.identity.parent,
        Some(crate::plan::Parent::Shim { .. })
    ));
    assert_eq!(
        find(&s, "k8s:default/web").unwrap_err(),
        "pod default/web has several containers: k8s:default/web/app, k8s:default/web/sidecar; name one"
    );
    assert_eq!(
        find(&s, "containerd:k8s.io/cc33side").unwrap().name,
        "sidecar"
    );
    // A unique ID prefix, in the namespace or anywhere.
    assert_eq!(find(&s, "containerd:k8s.io/cc").unwrap().id, "cc33side");
    assert_eq!(find(&s, "bb2").unwrap().id, "bb22app");
}

#[test]
fn the_sandbox_is_never_chosen() {
    let s = Scratch::new("sandbox");
    let sleepers = [Sleeper::new(), Sleeper::new(), Sleeper::new()];
    pod(&s, &sleepers);
    let refusal = "is the sandbox (pause) container of pod default/web, which is never entered; name an application container: k8s:default/web/CONTAINER";
    assert_eq!(
        find(&s, "containerd:k8s.io/aa11sandbox").unwrap_err(),
        format!("containerd:k8s.io/aa11sandbox {refusal}")
    );
    assert_eq!(find(&s, "aa1").unwrap_err(), format!("aa1 {refusal}"));
    // With only the sandbox left, a pod has nothing to enter.
    let s = Scratch::new("sandbox-only");
    task(
        &s,
        "k8s.io",
        "aa11sandbox",
        cri("sandbox", "web", ""),
        sleepers[0].pid(),
    );
    assert_eq!(
        find(&s, "k8s:default/web").unwrap_err(),
        "pod default/web has no application container yet (only its sandbox)"
    );
    // --list leaves it out.
    let listing = Lookup::new(sources(&s.0)).list();
    assert!(listing.containers.is_empty(), "{:?}", listing.containers);
}

#[test]
fn missing_pods_containers_and_stopped_ones_are_told_apart() {
    let s = Scratch::new("missing");
    let sleepers = [Sleeper::new(), Sleeper::new(), Sleeper::new()];
    pod(&s, &sleepers);
    task(
        &s,
        "k8s.io",
        "dd44old",
        cri("container", "db", "pg"),
        dead_pid(),
    );
    assert!(find(&s, "k8s:default/nope")
        .unwrap_err()
        .starts_with("pod default/nope not found (looked in containerd state under "));
    assert_eq!(
        find(&s, "k8s:default/web/nope").unwrap_err(),
        "pod default/web has no container nope (it has: app, sidecar)"
    );
    assert_eq!(
        find(&s, "k8s:default/db/pg").unwrap_err(),
        "container pg of pod default/db is not running (exited); its kubelet starts it again \
         if the pod's restartPolicy says so; kubectl -n default describe pod db tells why it stopped"
    );
    assert_eq!(
        find(&s, "k8s:default/db").unwrap_err(),
        "pod default/db has no running container (it has: pg)"
    );
    assert!(find(&s, "containerd:k8s.io/zz")
        .unwrap_err()
        .starts_with("No such container: containerd:k8s.io/zz (looked under "));
    assert_eq!(
        find(&s, "nothing-here").unwrap_err(),
        "No such container: nothing-here (docker-enter --list lists the running containers)"
    );
    // A typo of a pod's name: only containers whose process is proven
    // theirs are suggested, and these sleepers are host processes (the
    // suggestions are tested in suggest.rs and docker_enter_messages.rs).
    assert_eq!(
        find(&s, "wbe").unwrap_err(),
        "No such container: wbe (docker-enter --list lists the running containers)"
    );
    // The stopped container is found, and refused as stopped.
    let old = find(&s, "dd44old").unwrap();
    assert_eq!(
        require_running("dd44old", &old).unwrap_err().to_string(),
        "container dd44old (pg) is not running (exited): cannot exec in a stopped state; its kubelet starts it again \
         if the pod's restartPolicy says so; kubectl -n default describe pod db tells why it stopped"
    );
}

/// Docker's recorded state files for a container named `name` whose
/// process is `pid`, with `labels`.
fn docker_container(s: &Scratch, id: &str, name: &str, pid: i32, labels: Value) {
    let mut config: Value =
        serde_json::from_str(include_str!("testdata/docker-config.v2.json")).unwrap();
    config["ID"] = json!(id);
    config["Name"] = json!(format!("/{name}"));
    config["State"]["Pid"] = json!(pid);
    config["Config"]["Labels"] = labels;
    let dir = format!("docker/containers/{id}");
    s.write(
        &format!("{dir}/config.v2.json"),
        config.to_string().as_bytes(),
    );
    s.write(
        &format!("{dir}/hostconfig.json"),
        include_bytes!("testdata/docker-hostconfig.json"),
    );
}

fn hex_id(first: char) -> String {
    format!("{first}{}", "0123456789abcdef".repeat(4).get(1..).unwrap())
}

#[test]
fn docker_state_files_give_what_the_api_gives() {
    let s = Scratch::new("docker");
    let web = Sleeper::new();
    let other = Sleeper::new();
    let id = hex_id('d');
    docker_container(&s, &id, "web", web.pid(), json!({"app": "web"}));
    // A label that reads like a name must not make a match.
    docker_container(&s, &hex_id('e'), "db", other.pid(), json!({"Name": "/web"}));
    let c = find(&s, "web").unwrap();
    assert_eq!(
        (c.runtime, c.id.as_str(), c.name.as_str()),
        (RuntimeKind::Docker, id.as_str(), "web")
    );
    assert_eq!(c.read_from, ReadFrom::StateFiles);
    assert_eq!(
        (c.user.as_str(), c.working_dir.as_str(), c.hostname.as_str()),
        ("1000:1000", "/tmp", "web1")
    );
    assert_eq!(c.env[0], "FOO=a b");
    assert_eq!(
        c.group_add,
        ["777"],
        "hostconfig.json is read for the one chosen"
    );
    assert_eq!(c.image, "nsenter-can-test/busybox:users");
    assert_eq!(c.identity.cgroup_id.as_deref(), Some(id.as_str()));
    assert_eq!(find(&s, "docker:/web").unwrap().id, id);
    assert_eq!(find(&s, &id[..5]).unwrap().id, id);
    assert_eq!(find(&s, "db").unwrap().id, hex_id('e'));
    // Its process gone while the daemon was down: stopped, whatever the file says.
    let gone = hex_id('f');
    docker_container(&s, &gone, "gone", dead_pid(), json!({}));
    assert_eq!(
        find(&s, "gone").unwrap().state,
        ContainerState::Stopped {
            status: "exited".into()
        }
    );
}

#[test]
fn ambiguity_across_runtimes_lists_every_candidate() {
    let s = Scratch::new("ambiguous");
    let a = Sleeper::new();
    let b = Sleeper::new();
    let id = hex_id('b');
    docker_container(&s, &id, "web", a.pid(), json!({}));
    task(&s, "default", "bb22web", json!({}), b.pid());
    assert_eq!(
        find(&s, "b").unwrap_err(),
        format!(
            "container ID prefix b is ambiguous: it matches docker:web (ID {}), containerd:default/bb22web; give more of the ID or the name",
            &id[..12]
        )
    );
    // A name is exact, so it wins over a prefix of another ID.
    task(&s, "default", "webcafe", json!({}), b.pid());
    assert_eq!(find(&s, "web").unwrap().id, id);
    // A Docker name that is a containerd ID: both exact, both named.
    task(&s, "default", "web", json!({}), b.pid());
    assert_eq!(
        find(&s, "web").unwrap_err(),
        format!(
            "web names several containers: docker:web (ID {}), containerd:default/web; name one by its address",
            &id[..12]
        )
    );
    assert_eq!(find(&s, "containerd:default/web").unwrap().id, "web");
    assert_eq!(
        find(&s, "containerd:default/webcafe").unwrap().id,
        "webcafe"
    );
}

#[test]
fn the_same_id_in_two_namespaces_is_two_tasks_never_one() {
    let s = Scratch::new("twins");
    let (a, b) = (Sleeper::new(), Sleeper::new());
    let app = cri("container", "web", "app");
    task(&s, "k8s.io", "app", app.clone(), a.pid());
    task(&s, "n14", "app", app, b.pid());
    let both = "containerd:k8s.io/app (k8s:default/web/app), containerd:n14/app";
    assert_eq!(
        find(&s, "app").unwrap_err(),
        format!("app names several containers: {both}; name one by its address")
    );
    assert_eq!(
        find(&s, "ap").unwrap_err(),
        format!("container ID prefix ap is ambiguous: it matches {both}; give more of the ID or the name")
    );
    // Each by its full address; a pod only in the CRI plugin's namespace.
    assert_eq!(find(&s, "containerd:n14/app").unwrap().pid, b.pid());
    assert_eq!(find(&s, "containerd:k8s.io/app").unwrap().pid, a.pid());
    assert_eq!(find(&s, "k8s:default/web/app").unwrap().pid, a.pid());
    // Twins in the CRI namespace (two containerd roots): both named.
    let mut sources = sources(&s.0);
    sources.containerd.push(ContainerdState {
        root: s.0.join("containerd"),
        explicit: false,
    });
    assert!(Lookup::new(sources)
        .find("k8s:default/web/app")
        .unwrap_err()
        .to_string()
        .starts_with("pod default/web runs several containers named app: containerd:k8s.io/app (k8s:default/web/app), containerd:k8s.io/app (k8s:default/web/app)"));
}

#[test]
fn one_container_seen_twice_is_one_two_claims_are_two() {
    let c = |read_from, pid| Container {
        id: hex_id('a'),
        read_from,
        pid,
        ..Container::default()
    };
    // Podman's service through DOCKER_HOST, and its storage: one.
    assert!(seen_twice(
        &c(ReadFrom::Daemon, 42),
        &c(ReadFrom::StateFiles, 42)
    ));
    assert!(seen_twice(
        &c(ReadFrom::StateFiles, 42),
        &c(ReadFrom::Daemon, 42)
    ));
    // Two sets of files, or two processes: two.
    assert!(!seen_twice(
        &c(ReadFrom::StateFiles, 42),
        &c(ReadFrom::StateFiles, 42)
    ));
    assert!(!seen_twice(
        &c(ReadFrom::Daemon, 42),
        &c(ReadFrom::StateFiles, 43)
    ));
    let mut other = c(ReadFrom::Daemon, 42);
    other.id = hex_id('b');
    assert!(!seen_twice(&other, &c(ReadFrom::StateFiles, 42)));
}

#[test]
fn a_container_named_after_anothers_id_is_suggested_by_its_own_id() {
    let s = Scratch::new("id-name");
    let (a, b) = (Sleeper::new(), Sleeper::new());
    let (x, y) = (hex_id('a'), hex_id('c'));
    docker_container(&s, &x, "foo", a.pid(), json!({}));
    docker_container(&s, &y, &x, b.pid(), json!({}));
    let err = find(&s, &x).unwrap_err();
    assert_eq!(
        err,
        format!(
            "{x} names several containers: docker:{y} (ID {}), docker:foo (ID {}); name one by its address",
            &y[..12],
            &x[..12]
        )
    );
    // Each suggestion names one of them.
    assert_eq!(find(&s, "docker:foo").unwrap().id, x);
    assert_eq!(find(&s, &format!("docker:{y}")).unwrap().id, y);
}

#[test]
fn podman_and_crio_from_containers_storage() {
    let s = Scratch::new("storage");
    let pm = Sleeper::new();
    let app = Sleeper::new();
    let sandbox = Sleeper::new();
    let write_entry = |index: &str, ids: &[(String, &[u8], i32)]| {
        s.write(
            "storage/overlay-containers/containers.json",
            index.as_bytes(),
        );
        for (id, config, pid) in ids {
            s.write(
                &format!("storage/overlay-containers/{id}/userdata/config.json"),
                config,
            );
            s.write(
                &format!("storage-run/overlay-containers/{id}/userdata/pidfile"),
                pid.to_string().as_bytes(),
            );
        }
    };
    let index = |file: &str| -> Vec<Value> { serde_json::from_str(file).unwrap() };
    let mut all = index(include_str!("testdata/podman-containers.json"));
    all.extend(index(include_str!("testdata/crio-containers.json")));
    let ids: Vec<String> = all
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    write_entry(
        &Value::Array(all).to_string(),
        &[
            (
                ids[0].clone(),
                include_bytes!("testdata/bundle-podman.json"),
                pm.pid(),
            ),
            (
                ids[1].clone(),
                include_bytes!("testdata/crio-sandbox-config.json"),
                sandbox.pid(),
            ),
            (
                ids[2].clone(),
                include_bytes!("testdata/crio-app-config.json"),
                app.pid(),
            ),
        ],
    );
    let c = find(&s, "podman:rt-rec-pm").unwrap();
    assert_eq!(
        (c.runtime, c.name.as_str(), c.pid),
        (RuntimeKind::Podman, "rt-rec-pm", pm.pid())
    );
    assert_eq!(c.image, "localhost/nsenter-can-test/docker-enter:base");
    assert_eq!(
        (c.user.as_str(), c.working_dir.as_str()),
        ("1000:1000", "/tmp")
    );
    assert!(c.env.contains(&"HOSTNAME=pmh".to_string()) && c.hostname.is_empty());
    assert_eq!(find(&s, "rt-rec-pm").unwrap().id, ids[0]);

    let c = find(&s, "k8s:default/web/app").unwrap();
    assert_eq!(
        (c.runtime, c.id.as_str(), c.pid),
        (RuntimeKind::CriO, ids[2].as_str(), app.pid())
    );
    assert_eq!(c.image, "docker.io/library/busybox:1.36");
    assert_eq!(c.user_groups, Some(vec![1000, 10]));
    assert!(c.env.contains(&"MODE=crio".to_string()));
    // CRI-O names its cgroup after the ID: the process is checked there.
    assert_eq!(c.identity.cgroup_id.as_deref(), Some(ids[2].as_str()));
    // One application container: the pod alone names it.
    assert_eq!(find(&s, "k8s:default/web").unwrap().id, ids[2]);
    assert!(find(&s, &ids[1][..8])
        .unwrap_err()
        .contains("sandbox (pause) container"));
    // podman: looks at Podman only.
    assert!(find(&s, &format!("podman:{}", &ids[2][..8]))
        .unwrap_err()
        .starts_with("No such container"));
}

#[test]
fn a_host_process_is_never_a_tasks_whatever_its_files_say() {
    use crate::live::{check_process, Liveness};
    let s = Scratch::new("host-process");
    let p = Sleeper::new();
    task(&s, "k8s.io", "now1", json!({}), p.pid());
    let dir =
        s.0.join("containerd/io.containerd.runtime.v2.task/k8s.io/now1");
    // The files' times are the writer's to choose: none makes it the task's.
    for when in [std::time::UNIX_EPOCH, std::time::SystemTime::now()] {
        for file in ["config.json", "init.pid"] {
            std::fs::File::options()
                .write(true)
                .open(dir.join(file))
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        let c = find(&s, "now1").unwrap();
        match check_process(&c) {
            Liveness::Stale(why) => assert!(
                why.ends_with("(it is not in a cgroup of container now1)"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(Lookup::new(sources(&s.0)).list().containers.is_empty());
    }
}

#[test]
fn a_bundle_that_cannot_prove_its_process_is_refused_naming_it() {
    let s = Scratch::new("no-cgroup");
    let p = Sleeper::new();
    let annotations = cri("container", "db-0", "db");
    task(&s, "k8s.io", "evil1", annotations.clone(), p.pid());
    let file =
        s.0.join("containerd/io.containerd.runtime.v2.task/k8s.io/evil1/config.json");
    let mut spec: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    for (cgroups_path, why) in [
        (Value::Null, " has no linux.cgroupsPath".to_string()),
        (
            json!("/k8s.io/evil12"),
            ": linux.cgroupsPath /k8s.io/evil12 is not named after container evil1".to_string(),
        ),
    ] {
        spec["linux"]["cgroupsPath"] = cgroups_path;
        std::fs::write(&file, spec.to_string()).unwrap();
        for address in ["k8s:default/db-0", "evil1", "containerd:k8s.io/evil1"] {
            let err = find(&s, address).unwrap_err();
            assert!(
                err.starts_with(&format!("{}{why}", file.display())),
                "{address}: {err}"
            );
        }
        // Listing everything, the rest is still listed, and it is said.
        let listing = Lookup::new(sources(&s.0)).list();
        assert!(listing.containers.is_empty());
        assert!(
            listing.warnings.iter().any(|w| w.contains(&why)),
            "{:?}",
            listing.warnings
        );
    }
}

#[test]
fn hostile_state_files_are_one_line_errors() {
    let s = Scratch::new("hostile");
    let p = Sleeper::new();
    task(&s, "k8s.io", "good1", json!({}), p.pid());
    let dir = s.0.join("containerd/io.containerd.runtime.v2.task/k8s.io");
    // Truncated JSON.
    s.write(
        "containerd/io.containerd.runtime.v2.task/k8s.io/trunc1/config.json",
        &BUNDLE.as_bytes()[..200],
    );
    // A link out of the state directory.
    std::fs::create_dir_all(dir.join("link1")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("link1/config.json")).unwrap();
    // 100 MB.
    std::fs::create_dir_all(dir.join("huge1")).unwrap();
    std::fs::File::create(dir.join("huge1/config.json"))
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let before = listing(&s.0);
    let file = |id: &str| dir.join(id).join("config.json").display().to_string();
    let err = find(&s, "containerd:k8s.io/trunc1").unwrap_err();
    assert!(
        err.starts_with(&format!(
            "{} is not valid JSON: EOF while parsing",
            file("trunc1")
        )),
        "{err}"
    );
    assert_eq!(
        find(&s, "link1").unwrap_err(),
        format!(
            "cannot open {}: Too many levels of symbolic links (state files are read without following symlinks)",
            file("link1")
        )
    );
    assert_eq!(
        find(&s, "k8s.io/huge1".split('/').nth(1).unwrap()).unwrap_err(),
        format!("{} is larger than 8 MiB", file("huge1"))
    );
    // The good container is still found by a lookup that does not read them.
    assert_eq!(find(&s, "good1").unwrap().id, "good1");
    for err in [find(&s, "trunc1"), find(&s, "link1"), find(&s, "huge1")] {
        assert_eq!(err.unwrap_err().lines().count(), 1);
    }
    // Reading changed nothing.
    assert_eq!(listing(&s.0), before);
}

/// Every path under `dir` with its size and modification time.
fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            out.push((
                entry.path().display().to_string(),
                meta.len(),
                meta.modified().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn a_runtime_that_cannot_be_read_fails_a_lookup_only_when_it_was_named() {
    let s = Scratch::new("named");
    let p = Sleeper::new();
    docker_container(&s, &hex_id('a'), "web", p.pid(), json!({}));
    // containerd's state is a file: unreadable.
    s.write("containerd", b"");
    let mut sources = sources(&s.0);
    assert_eq!(
        Lookup::new(sources.clone())
            .find("web")
            .unwrap()
            .container
            .name,
        "web"
    );
    sources.containerd[0].explicit = true;
    assert_eq!(
        Lookup::new(sources).find("web").unwrap_err().to_string(),
        format!(
            "cannot open state directory {}: Not a directory",
            s.0.join("containerd").display()
        )
    );
    // Found nowhere, the unreadable runtime is the reason given.
    assert!(find(&s, "nothing")
        .unwrap_err()
        .starts_with("cannot open state directory"));
}

//! The Docker runtime and user resolution against a real engine, compared
//! with what the daemon and `docker exec` say. Needs root and a daemon.

use crate::common;

use common::docker_enter::{ready, CONFIGURED, DOCKER_ENTER};
use common::{busybox_image, docker, docker_ok, TestContainer};
use nsenter_can::bounded::{Records, CONTAINER_FILE};
use nsenter_can::runtime::{require_running, ContainerState, Docker};
use nsenter_can::users::resolve_exec_user;
use std::time::{Duration, Instant};

fn lines(file: &[u8]) -> Records<'_> {
    Records::lines(file, "test file", CONTAINER_FILE)
}

#[test]
fn find_agrees_with_docker_inspect() {
    if !ready() {
        return;
    }
    let image = busybox_image::build();
    let c = TestContainer::run(
        "nsc-find",
        &[&["--hostname", "web1"][..], CONFIGURED].concat(),
        image,
        &["sleep", "1000"],
    );
    let docker_api = Docker::from_env().unwrap();

    let found = docker_api.find(&c.name).unwrap();
    let inspect = |fmt: &str| docker_ok(&["inspect", "--format", fmt, &c.name]);
    assert_eq!(found.id, inspect("{{.Id}}"));
    assert_eq!(found.pid.to_string(), inspect("{{.State.Pid}}"));
    assert_eq!(
        (found.state.clone(), found.name.as_str()),
        (ContainerState::Running, c.name.as_str())
    );
    assert_eq!(
        (
            found.user.as_str(),
            found.working_dir.as_str(),
            found.hostname.as_str()
        ),
        ("alice", "/tmp", "web1")
    );
    assert!(found.env.iter().any(|e| e == "FOO=a b"));
    require_running(&c.name, &found).unwrap();

    // The daemon resolves a unique ID prefix and the full ID as well.
    assert_eq!(docker_api.find(&found.id[..12]).unwrap().id, found.id);
    assert_eq!(docker_api.find(&found.id).unwrap().id, found.id);

    // The container's process is in cgroups named after its ID, and
    // started when Docker says it did.
    let cgroup = std::fs::read_to_string(format!("/proc/{}/cgroup", found.pid)).unwrap();
    let id = found.identity.cgroup_id.as_deref().unwrap();
    assert_eq!(id, found.id);
    assert!(
        cgroup.lines().all(|l| l.ends_with(&format!("/{id}"))),
        "{cgroup}"
    );
    assert!(found.identity.in_container);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let started = found.identity.started_unix_ms.unwrap();
    assert!(
        (0..60_000).contains(&(now_ms - started)),
        "started {started}, now {now_ms}"
    );

    // One lookup's cost against the local engine, for the report.
    let rounds = 50;
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            docker_api.find(&c.name).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    eprintln!(
        "find(): median {:?}, min {:?}, max {:?} over {rounds}",
        times[rounds / 2],
        times[0],
        times[rounds - 1]
    );
}

#[test]
fn states_are_refused_with_clear_messages() {
    if !ready() {
        return;
    }
    let image = busybox_image::build();
    let docker_api = Docker::from_env().unwrap();
    let refusal = |name: &str| {
        require_running(name, &docker_api.find(name).unwrap())
            .unwrap_err()
            .to_string()
    };

    let paused = TestContainer::run("nsc-paused", &[], image, &["sleep", "1000"]);
    docker_ok(&["pause", &paused.name]);
    assert_eq!(
        refusal(&paused.name),
        format!(
            "container {0} is paused; unpause it first: docker unpause {0}",
            paused.name
        )
    );

    let exited = TestContainer::run("nsc-exited", &[], image, &["true"]);
    docker_ok(&["wait", &exited.name]);
    assert_eq!(
        refusal(&exited.name),
        format!(
            "container {0} is not running (exited); start it with: docker start {0}",
            exited.name
        )
    );

    let created = format!("nsc-created-{}", std::process::id());
    docker_ok(&["create", "--name", &created, image, "true"]);
    let created_refusal = refusal(&created);
    let _ = docker(&["rm", "-f", &created]);
    assert_eq!(
        created_refusal,
        format!(
            "container {created} is not running (created); start it with: docker start {created}"
        )
    );

    let missing = docker_api
        .find("nsc-no-such-container")
        .unwrap_err()
        .to_string();
    assert_eq!(missing, "No such container: nsc-no-such-container");
}

#[test]
fn resolve_user_agrees_with_docker_exec() {
    if !ready() {
        return;
    }
    let image = busybox_image::build();
    let c = TestContainer::run(
        "nsc-creds",
        &["--group-add", "audio", "--group-add", "777"],
        image,
        &["sleep", "1000"],
    );
    let found = Docker::from_env().unwrap().find(&c.name).unwrap();
    let (passwd, group) = (
        busybox_image::PASSWD.as_bytes(),
        busybox_image::GROUP.as_bytes(),
    );

    for spec in [
        "",
        "root",
        "alice",
        "1000",
        "1000:1000",
        "alice:staff",
        "alice:50",
        "bob",
        "0:50",
        "4242",
        "4242:4242",
    ] {
        let mut args = vec!["exec"];
        if !spec.is_empty() {
            args.extend(["-u", spec]);
        }
        args.extend([
            c.name.as_str(),
            "sh",
            "-c",
            "id -u; id -g; id -G; echo $HOME",
        ]);
        let seen = docker_ok(&args);
        let seen: Vec<&str> = seen.lines().collect();
        let ours = resolve_exec_user(
            spec,
            &found.group_add,
            Some(lines(passwd)),
            Some(lines(group)),
        )
        .unwrap();
        // `id -G` prints the gid first and the rest sorted: compare as sets.
        let mut seen_groups: Vec<u32> = seen[2].split(' ').map(|g| g.parse().unwrap()).collect();
        let mut our_groups = ours.groups.clone();
        seen_groups.sort();
        our_groups.sort();
        let home = ours.home.display().to_string();
        let (uid, gid) = (ours.uid.to_string(), ours.gid.to_string());
        assert_eq!(
            (seen[0], seen[1], seen_groups, seen[3]),
            (&*uid, &*gid, our_groups, &*home),
            "-u {spec:?}"
        );
    }

    for spec in ["nobody", "alice:nogroup"] {
        let out = docker(&["exec", "-u", spec, &c.name, "true"]);
        let theirs = format!("{}{}", out.stdout, out.stderr);
        // The daemon starts the exec before runc fails, so the message comes on stdout.
        let ours = resolve_exec_user(
            spec,
            &found.group_add,
            Some(lines(passwd)),
            Some(lines(group)),
        )
        .unwrap_err()
        .to_string();
        assert!(
            !out.succeeded() && theirs.contains(&ours),
            "-u {spec}: docker said {theirs:?}, we say {ours:?}"
        );
    }
}

#[test]
fn state_files_give_the_same_entry_as_the_api() {
    use nsenter_can::runtime::sources::Sources;
    use nsenter_can::runtime::{Lookup, ReadFrom, SourceOptions};
    if !ready() {
        return;
    }
    let image = busybox_image::build();
    let options = [
        &["--hostname", "web1"][..],
        CONFIGURED,
        &["--group-add", "audio", "--label", "app=web"],
    ];
    let running = TestContainer::run("nsc-same", &options.concat(), image, &["sleep", "1000"]);
    let paused = TestContainer::run("nsc-same-paused", &[], image, &["sleep", "1000"]);
    docker_ok(&["pause", &paused.name]);
    let exited = TestContainer::run("nsc-same-exited", &[], image, &["true"]);
    docker_ok(&["wait", &exited.name]);

    let api = Docker::from_env().unwrap();
    let lookup = Lookup::new(Sources::from_options(&SourceOptions::default()).unwrap());
    for name in [&running.name, &paused.name, &exited.name] {
        let from_api = api.find(name).unwrap();
        let mut from_files = lookup.find(name).unwrap().container;
        assert_eq!(from_files.read_from, ReadFrom::StateFiles);
        // What only the state files know: the bundle directory, where the
        // container's parent (its shim) runs, the bundle's confinement
        // facts and where its config.json is.
        from_files.read_from = from_api.read_from;
        assert_eq!(
            from_files.identity.parent.is_some(),
            name == &running.name,
            "{name}"
        );
        from_files.identity.parent = None;
        from_files.facts = None;
        from_files.bundle_config = None;
        assert_eq!(from_files, from_api, "{name}");
    }
}

/// The container's process is opened once per run (issue 12): the lookup
/// asks only whether its PID is there, and `enter::prepare` takes the
/// pidfd and /proc/PID, checks the process's identity and enters through
/// them. Found through the state files or through the daemon alike.
#[test]
fn the_containers_process_is_opened_once_per_run() {
    if !ready() || !common::require_root_and(&["strace"]) {
        return;
    }
    let c = TestContainer::run("nsc-once", &[], busybox_image::build(), &["sleep", "1000"]);
    let pid = c.pid();
    let dir = common::tempdir("once");
    for source in ["first", "never"] {
        let log = dir.join(format!("strace-{source}"));
        let out = common::run(
            std::process::Command::new("strace")
                .args(["-f", "-qq", "-e", "trace=pidfd_open,open,openat", "-o"])
                .arg(&log)
                .args([DOCKER_ENTER, "--state-files", source, &c.name, "true"])
                .env_remove("DOCKER_HOST"),
            b"",
        );
        out.success();
        let log = std::fs::read_to_string(&log).unwrap();
        let count = |call: &str| log.lines().filter(|l| l.contains(call)).count();
        // Exactly one, not none: the trace sees the opening it counts.
        assert_eq!(
            count(&format!("pidfd_open({pid},")),
            1,
            "--state-files {source}: pidfd_open of the container's process:\n{log}"
        );
        assert_eq!(
            count(&format!("\"/proc/{pid}\"")),
            1,
            "--state-files {source}: /proc/{pid} opened:\n{log}"
        );
    }
}

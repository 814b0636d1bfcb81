//! Rootless Docker (issue 20): a user's own dockerd, run with Debian's
//! `dockerd-rootless.sh` under RootlessKit (tests/common/rootless_docker.rs),
//! and `docker exec` against it, as that user, the oracle. The probe's
//! output (user, capabilities, seccomp, no_new_privs, ID map, cgroup,
//! environment, directory) must be the same for docker-enter, run by the
//! owner and by root, by every address.

use crate::common;
use common::docker_enter::docker_enter;
use common::rootless_docker::{PlainUser, RootlessDockerd, DOCKERD_ROOTLESS};

/// Everything `docker exec` decides.
const PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                     cat /proc/self/uid_map /proc/self/cgroup /proc/self/limits; \
                     env | sort; pwd";

const DOCKER_ENTER: &str = env!("CARGO_BIN_EXE_docker-enter");

fn ready() -> bool {
    common::require_root_and(&[
        "rootlesskit",
        "newuidmap",
        "useradd",
        "setpriv",
        "unshare",
        "dockerd",
        DOCKERD_ROOTLESS,
    ]) && common::require(common::docker_missing().is_none(), "docker is needed")
}

/// docker-enter ARGS as root, which must succeed; its stdout, trimmed.
fn enter_ok(args: &[&str]) -> String {
    let out = docker_enter(args);
    out.success();
    out.stdout.trim().to_string()
}

#[test]
fn owner_and_root_enter_a_rootless_docker_container_as_docker_exec() {
    if !ready() {
        return;
    }
    let alice = RootlessDockerd::start("a");
    // Unique: root's lookup sees every user's containers, those of tests
    // running beside this one too.
    let name = alice.run(&common::unique("rdweb"), &["-w", "/etc", "-e", "FOO=alice"]);
    let theirs = alice.exec(&name, PROBE);
    // Root inside is the user outside, in the daemon's cgroups (rootless
    // Docker gives a container none of its own on cgroup v1).
    assert!(theirs.starts_with("uid=0(root) gid=0(root)"), "{theirs}");
    let session = format!("/nscrd-{}\n", alice.name);
    assert!(theirs.contains(&format!(":memory:{session}")), "{theirs}");
    let root_is_alice = ["0".to_string(), alice.uid.to_string(), "1".to_string()];
    assert!(
        theirs.lines().any(|l| l
            .split_whitespace()
            .eq(root_is_alice.iter().map(String::as_str))),
        "{theirs}"
    );
    let id = alice.inspect(&name, "{{.Id}}");
    let pid = alice.pid(&name);
    let (address, prefix, by_pid) = (
        format!("docker:{}/{name}", alice.name),
        id[..12].to_string(),
        format!("pid:{pid}"),
    );

    // Root: by name, by the owner's address, by ID prefix, by pid.
    for a in [name.as_str(), &address, &prefix, &by_pid] {
        assert_eq!(enter_ok(&[a, "sh", "-c", PROBE]), theirs, "root, {a}");
    }
    let listed = enter_ok(&["--list", "--format", "{{.Address}} {{.Owner}} {{.PID}}"]);
    let line = format!("{address} {} {pid}", alice.name);
    assert!(listed.lines().any(|l| l == line), "{line} in {listed}");

    // The owner, without root: with DOCKER_HOST at their daemon, as the
    // rootless setup has them set it, and without.
    let docker_name = format!("docker:{name}");
    for a in [name.as_str(), &docker_name, &address, &prefix, &by_pid] {
        for with_host in [false, true] {
            let args = [a, "sh", "-c", PROBE];
            let mut cmd = match with_host {
                true => alice.command_with_host(DOCKER_ENTER, &args),
                false => alice.command(DOCKER_ENTER, &args),
            };
            let out = common::run(&mut cmd, b"");
            out.success();
            assert_eq!(
                out.stdout.trim(),
                theirs,
                "owner, {a}, DOCKER_HOST {with_host}"
            );
        }
    }
    let listed = common::run(
        &mut alice.command(
            DOCKER_ENTER,
            &["--list", "--format", "{{.Address}} {{.PID}}"],
        ),
        b"",
    );
    assert_eq!(listed.stdout.trim(), format!("{address} {pid}"));

    // Another user is refused in one line that says what would work; the
    // owner's same commands above are the control.
    let bob = PlainUser::add("b");
    for a in [name.as_str(), &address, &prefix, &by_pid] {
        let out = common::run(&mut bob.command(DOCKER_ENTER, &[a, "true"]), b"");
        out.code_is(1).no_stdout();
        let said = &out.stderr;
        assert_eq!(said.lines().count(), 1, "{a}: {said}");
        assert!(
            said.starts_with(&format!("docker-enter: cannot enter {a} without root: "))
                && said.contains(&format!("run sudo docker-enter {a} ")),
            "{a}: {said}"
        );
    }
}

/// docker-enter ARGS as root must fail with one line on stderr and
/// nothing on stdout; that line.
fn refused(args: &[&str]) -> String {
    let out = docker_enter(args);
    out.one_line_error();
    out.stderr.clone()
}

/// When process `pid` started, as Docker records a container's start.
fn started_at(pid: i32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
    let ticks: u64 = after_comm.split(' ').nth(19).unwrap().parse().unwrap();
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // CLK_TCK is 100 (docs/facts.md).
    super::forged_state::rfc3339(boot + ticks / 100)
}

#[test]
fn a_planted_rootless_docker_state_never_gets_another_process_entered() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let mallory = RootlessDockerd::start("m");
    let decoy = mallory.run(&common::unique("decoy"), &[]);
    let address = format!("docker:{}/{decoy}", mallory.name);
    let listed = || enter_ok(&["--list", "--format", "{{.Address}}"]);
    let marker = "/etc/entered-by-root";
    let touch = [address.as_str(), "sh", "-c", "touch /etc/entered-by-root"];
    // Control: her own container is entered, and listed.
    enter_ok(&touch);
    assert!(mallory
        .docker(&["exec", &decoy, "test", "-e", marker])
        .succeeded());
    assert!(listed().lines().any(|l| l == address));

    // Her state files now name another user's rootless container, then a
    // process of root's in namespaces of its own, with the start time each
    // really has: only the user namespace's owner tells them from hers.
    let alice = common::rootless::RootlessUser::new("w");
    alice.run("web", &[]);
    let root_target = common::Target::full();
    let id = mallory.inspect(&decoy, "{{.Id}}");
    let config = mallory
        .data_root()
        .join("containers")
        .join(&id)
        .join("config.v2.json");
    let init_pid = mallory
        .runtime_dir()
        .join("docker/containerd/daemon/io.containerd.runtime.v2.task/moby")
        .join(&id)
        .join("init.pid");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    for victim in [alice.pid("web"), root_target.pid] {
        let mut forged = saved.clone();
        forged["State"]["Pid"] = victim.into();
        forged["State"]["StartedAt"] = started_at(victim).into();
        std::fs::write(&config, forged.to_string()).unwrap();
        std::fs::write(&init_pid, victim.to_string()).unwrap();
        let said = refused(&touch);
        assert!(said.contains("refusing to enter"), "{victim}: {said}");
        assert!(!listed().lines().any(|l| l == address), "{victim}");
    }
    assert!(!alice
        .podman(&["exec", "web", "test", "-e", marker])
        .succeeded());
    assert!(!std::path::Path::new(marker).exists());
}

/// Something done to a state file, at its path.
type Breaking = dyn Fn(&std::path::Path);

#[test]
fn a_users_broken_or_linked_docker_state_is_one_clear_error() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let mallory = RootlessDockerd::start("k");
    let decoy = mallory.run(&common::unique("decoy"), &[]);
    let id = mallory.inspect(&decoy, "{{.Id}}");
    let by_prefix = format!("docker:{}/{}", mallory.name, &id[..12]);
    // Another user's rootless container, and one of the system's Docker.
    let alice = common::rootless::RootlessUser::new("j");
    alice.run("web", &[]);
    let alice_web = format!("podman:{}/web", alice.name);
    let system = common::TestContainer::run(
        "rdsys",
        &["--network", "none"],
        common::busybox_image::build(),
        &["sleep", "100000"],
    );
    let listed = || enter_ok(&["--list", "--format", "{{.Address}}"]);

    let containers = mallory.data_root().join("containers");
    let config = containers.join(&id).join("config.v2.json");
    let saved = std::fs::read(&config).unwrap();
    let restore = |path: &std::path::Path| {
        let _ = std::fs::remove_file(path);
        std::fs::write(path, &saved).unwrap();
    };
    let breakages: [(&str, &Breaking); 4] = [
        ("malformed", &|p| std::fs::write(p, b"{\"ID\": ").unwrap()),
        ("100 MB", &|p| common::sparse_file(p, 100 << 20)),
        ("symlink loop", &|p| {
            std::fs::remove_file(p).unwrap();
            std::os::unix::fs::symlink(p, p).unwrap();
        }),
        ("not a regular file", &|p| {
            std::fs::remove_file(p).unwrap();
            common::sh(&format!("mkfifo {}", p.display()));
        }),
    ];
    for (what, breaking) in breakages {
        breaking(&config);
        let said = refused(&[&by_prefix, "true"]);
        assert!(said.contains("config.v2.json"), "{what}: {said}");
        // The other users' containers are still found.
        enter_ok(&[&alice_web, "true"]);
        assert!(listed().lines().any(|l| l == alice_web), "{what}");
        restore(&config);
    }
    enter_ok(&[&by_prefix, "true"]);

    // Her data root made a link to the system's: not followed, so no
    // container of the system's is taken for hers (the system's is still
    // found as the system's).
    let data_root = mallory.data_root();
    let aside = data_root.with_file_name("docker.aside");
    std::fs::rename(&data_root, &aside).unwrap();
    std::os::unix::fs::symlink("/var/lib/docker", &data_root).unwrap();
    let as_hers = format!("docker:{}/{}", mallory.name, system.name);
    let said = refused(&[&as_hers, "true"]);
    assert!(
        said.contains("without following symlinks") && !said.contains("refusing"),
        "{said}"
    );
    let all = listed();
    assert!(!all.contains(&as_hers), "{all}");
    assert!(
        all.lines().any(|l| l == format!("docker:{}", system.name)),
        "{all}"
    );
    std::fs::remove_file(&data_root).unwrap();
    std::fs::rename(&aside, &data_root).unwrap();
    enter_ok(&[&by_prefix, "true"]);
}

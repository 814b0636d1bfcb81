//! Rootless containers (issue 20): each entry sits beside `podman exec`
//! as its oracle. The probe's output (user, capabilities, seccomp,
//! no_new_privs, ID maps) must be the same for docker-enter as for Podman.

use crate::common;
use common::docker_enter::docker_enter;
use common::podman::PodmanContainer;
use common::rootless::{podman_exec, RootlessUser, IMAGE};

/// What the program is and may do, in the container's own terms.
const CREDS_PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                           cat /proc/self/uid_map /proc/self/gid_map";

pub(super) fn ready() -> bool {
    common::require_root_and(&["podman", "useradd", "setpriv", "docker"])
        && common::require(common::docker_missing().is_none(), "docker is needed")
}

/// docker-enter ARGS, which must succeed; its stdout, trimmed.
fn enter_ok(args: &[&str]) -> String {
    let out = docker_enter(args);
    out.success();
    out.stdout.trim().to_string()
}

/// An empty containers/storage: named with --storage-root, no runtime
/// claims a process, and `pid:` enters it as a bare process.
fn bare_process_store() -> String {
    common::tempdir("empty-store").display().to_string()
}

#[test]
fn pid_of_a_rootless_container_takes_the_ids_its_namespace_gives() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let user = RootlessUser::new("p");
    let name = user.run("web", &[]);
    let pid = user.pid(&name).to_string();
    let theirs = podman_exec(&user, &name, CREDS_PROBE);
    assert!(theirs.starts_with("uid=0(root) gid=0(root)\n"), "{theirs}");
    let address = format!("pid:{pid}");
    // Found through the owner's storage, and as a bare process no runtime
    // claims (an empty store named instead).
    let empty = bare_process_store();
    for extra in [&[][..], &["--storage-root", &empty]] {
        let args = [extra, &[&address, "sh", "-c", CREDS_PROBE]].concat();
        assert_eq!(enter_ok(&args), theirs, "{args:?}");
    }
}

#[test]
fn pid_of_a_podman_container_with_a_uid_map_run_by_root() {
    if !ready() {
        return;
    }
    let image = common::podman::load(common::busybox_image::build());
    assert_eq!(image, IMAGE);
    let c = PodmanContainer::run(
        "nsc-rl-uidmap",
        &[
            "--network",
            "none",
            "--uidmap",
            "0:300000:65536",
            "--gidmap",
            "0:300000:65536",
        ],
        &image,
        &["sleep", "100000"],
    );
    let theirs = common::podman::podman_ok(&["exec", &c.name, "sh", "-c", CREDS_PROBE]);
    assert!(theirs.contains("0     300000"), "{theirs}");
    let pid = common::podman::podman_ok(&["inspect", "--format", "{{.State.Pid}}", &c.name]);
    let address = format!("pid:{pid}");
    let empty = bare_process_store();
    for args in [
        vec![c.name.as_str(), "sh", "-c", CREDS_PROBE],
        vec![&address, "sh", "-c", CREDS_PROBE],
        vec!["--storage-root", &empty, &address, "sh", "-c", CREDS_PROBE],
    ] {
        assert_eq!(enter_ok(&args), theirs, "{args:?}");
    }
}

/// Everything `podman exec` decides: user, confinement, ID maps, cgroup,
/// environment, working directory.
const FULL_PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                          cat /proc/self/uid_map /proc/self/cgroup; env | sort; pwd";

#[test]
fn root_finds_every_users_rootless_containers() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, bob) = (RootlessUser::new("a"), RootlessUser::new("b"));
    alice.run("web", &["-w", "/etc", "-e", "FOO=alice"]);
    alice.run("db", &[]);
    bob.run("web", &[]);
    let alice_web = format!("podman:{}/web", alice.name);
    let bob_web = format!("podman:{}/web", bob.name);

    // By address, by a name only one user has, and by pid: all as the
    // owner's podman exec.
    let theirs = podman_exec(&alice, "web", FULL_PROBE);
    let pid = format!("pid:{}", alice.pid("web"));
    for address in [alice_web.as_str(), &pid] {
        assert_eq!(
            enter_ok(&[address, "sh", "-c", FULL_PROBE]),
            theirs,
            "{address}"
        );
    }
    assert_eq!(
        enter_ok(&["db", "sh", "-c", FULL_PROBE]),
        podman_exec(&alice, "db", FULL_PROBE)
    );
    assert_eq!(
        enter_ok(&[&bob_web, "sh", "-c", FULL_PROBE]),
        podman_exec(&bob, "web", FULL_PROBE)
    );

    // A name two users have: the addresses that tell them apart.
    let out = docker_enter(&["web", "true"]);
    out.failure();
    let said = &out.stderr;
    assert!(
        said.contains(&alice_web) && said.contains(&bob_web),
        "{said}"
    );

    // --list names the owner in the address, and as a field.
    let listed = enter_ok(&["--list", "--format", "{{.Address}} {{.Owner}} {{.Name}}"]);
    for line in [
        format!("{alice_web} {} web", alice.name),
        format!("podman:{}/db {} db", alice.name, alice.name),
        format!("{bob_web} {} web", bob.name),
    ] {
        assert!(listed.lines().any(|l| l == line), "{line} in {listed}");
    }
}

/// The runroot directory of a user's container (Podman keeps it in
/// /tmp/podman-run-UID when the user has no /run/user/UID).
fn userdata(user: &RootlessUser, name: &str) -> std::path::PathBuf {
    let id = user.podman_ok(&["inspect", "--format", "{{.Id}}", name]);
    std::path::PathBuf::from(format!(
        "/tmp/podman-run-{}/containers/vfs-containers/{id}/userdata",
        user.uid
    ))
}

/// docker-enter ARGS must fail with one line on stderr and nothing on
/// stdout; that line.
fn refused(args: &[&str]) -> String {
    let out = docker_enter(args);
    out.one_line_error();
    out.stderr.clone()
}

#[test]
fn a_planted_pid_file_never_gets_another_process_entered() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, mallory) = (RootlessUser::new("v"), RootlessUser::new("m"));
    alice.run("web", &[]);
    mallory.run("decoy", &[]);
    let decoy = format!("podman:{}/decoy", mallory.name);
    let marker = "/etc/entered-by-root";
    let touch = ["sh", "-c", "touch /etc/entered-by-root"];
    // Control: mallory's own container is entered.
    enter_ok(&[&[decoy.as_str()][..], &touch].concat());
    assert!(mallory
        .podman(&["exec", "decoy", "test", "-e", marker])
        .succeeded());

    // Mallory's pid file now names alice's container, then a process of
    // root's in namespaces of its own.
    let root_target = common::Target::full();
    let pidfile = userdata(&mallory, "decoy").join("pidfile");
    for victim in [alice.pid("web"), root_target.pid] {
        std::fs::write(&pidfile, victim.to_string()).unwrap();
        let said = refused(&[&[decoy.as_str()][..], &touch].concat());
        assert!(said.contains("refusing to enter"), "{said}");
        let listed = enter_ok(&["--list", "--format", "{{.Address}}"]);
        assert!(!listed.contains(&decoy), "{listed}");
    }
    assert!(!alice
        .podman(&["exec", "web", "test", "-e", marker])
        .succeeded());
}

/// Something done to a state file, at its path.
type Breaking = dyn Fn(&str);

#[test]
fn a_users_broken_store_is_one_clear_error() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, bob) = (RootlessUser::new("g"), RootlessUser::new("h"));
    alice.run("web", &[]);
    bob.run("db", &[]);
    let bob_db = format!("podman:{}/db", bob.name);
    let index = format!(
        "/home/{}/.local/share/containers/storage/vfs-containers/containers.json",
        bob.name
    );
    let saved = std::fs::read(&index).unwrap();
    let restore = |path: &str| {
        let _ = std::fs::remove_file(path);
        std::fs::write(path, &saved).unwrap();
    };
    let breakages: [(&str, &Breaking); 4] = [
        ("malformed", &|p| std::fs::write(p, b"[{\"id\": ").unwrap()),
        ("100 MB", &|p| {
            common::sparse_file(std::path::Path::new(p), 100 << 20)
        }),
        ("symlink loop", &|p| {
            std::fs::remove_file(p).unwrap();
            std::os::unix::fs::symlink(p, p).unwrap();
        }),
        ("not a regular file", &|p| {
            std::fs::remove_file(p).unwrap();
            common::sh(&format!("mkfifo {p}"));
        }),
    ];
    for (what, breaking) in breakages {
        breaking(&index);
        let said = refused(&[&bob_db, "true"]);
        assert!(said.contains("containers.json"), "{what}: {said}");
        // Alice's containers are still found.
        enter_ok(&[&format!("podman:{}/web", alice.name), "true"]);
        enter_ok(&["--list"]);
        restore(&index);
    }
    enter_ok(&[&bob_db, "true"]);
}

const DOCKER_ENTER: &str = env!("CARGO_BIN_EXE_docker-enter");

#[test]
fn the_owner_enters_without_root_as_podman_exec_does() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, bob) = (RootlessUser::new("o"), RootlessUser::new("n"));
    alice.run("web", &["-w", "/etc", "-e", "FOO=alice"]);
    let theirs = podman_exec(&alice, "web", FULL_PROBE);
    let pid = format!("pid:{}", alice.pid("web"));
    let alice_web = format!("podman:{}/web", alice.name);
    let addresses = ["web", "podman:web", alice_web.as_str(), pid.as_str()];
    for address in addresses {
        let out = common::run(
            &mut alice.command(DOCKER_ENTER, &[address, "sh", "-c", FULL_PROBE]),
            b"",
        );
        out.success();
        assert_eq!(out.stdout.trim(), theirs, "{address}");
    }
    let listed = common::run(
        &mut alice.command(
            DOCKER_ENTER,
            &["--list", "--format", "{{.Address}} {{.PID}}"],
        ),
        b"",
    );
    assert_eq!(
        listed.stdout.trim(),
        format!("{alice_web} {}", alice.pid("web"))
    );

    // Another user is refused in one line that says what would work; the
    // same commands as alice are the control.
    for address in addresses {
        let out = common::run(&mut bob.command(DOCKER_ENTER, &[address, "true"]), b"");
        out.code_is(1).no_stdout();
        let said = &out.stderr;
        assert_eq!(said.lines().count(), 1, "{address}: {said}");
        assert!(
            said.starts_with(&format!(
                "docker-enter: cannot enter {address} without root: "
            )) && said.contains(&format!("run sudo docker-enter {address} ")),
            "{address}: {said}"
        );
    }
}

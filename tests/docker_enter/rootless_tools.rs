//! `--tools` for the owner of a rootless container, without root (issue
//! 20; security rule 17): every form of SOURCE brings its programs, the
//! program is what `podman exec` gives, and the container's root cannot
//! make the tools writable, beside the control that shows the same attack
//! writing into the host's directory when the mount is not locked.

use super::hostile::keyring_and_tools::{
    assert_control_wrote, assert_wrote_nothing, attacker_at, old_way_holder, pid_inside,
    tools_attack_image, OwnTmpfs,
};
use super::rootless::ready;
use crate::common;
use common::docker_enter::{fake_daemon, DOCKER_ENTER};
use common::rootless::{podman_exec, RootlessUser};
use common::tools::{mount_needle, mounts_naming, toolbox, tree_hash};
use std::path::Path;

/// Who the program is and what it may do, in the container's terms (ids
/// as numbers: a whole root brings no passwd of the container's).
const PROBE: &str = "id -u; id -g; id -G; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                     cat /proc/self/uid_map /proc/self/gid_map /proc/self/cgroup";

/// `program ARGS` run by `user`, which must succeed; its stdout.
fn as_user(user: &RootlessUser, program: &str, args: &[&str]) -> String {
    let out = common::run(&mut user.command(program, args), b"");
    out.success();
    out.stdout.clone()
}

/// A whole root (a directory with `bin/`) of the toolbox `programs`.
fn root_of(programs: &Path, at: &Path) {
    common::sh(&format!(
        "mkdir -p {0}/bin && cp -a {1}/. {0}/bin/",
        at.display(),
        programs.display()
    ));
}

/// The owner brings a directory of programs, a whole root, an image's
/// layers (named by a daemon at `-H`) and the toolbox installed beside
/// the tool, all without root: the tools' own program runs, as the same
/// user with the same confinement as `podman exec` and as a run without
/// `--tools`; the host's directory is as it was, and no mount of it is
/// left anywhere. A user who does not own the container is refused in one
/// line, as without `--tools`.
#[test]
fn the_owner_brings_tools_of_every_kind_without_root() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, bob) = (RootlessUser::new("t"), RootlessUser::new("u"));
    alice.run("web", &[]);
    let theirs = podman_exec(&alice, "web", PROBE);
    assert_eq!(
        as_user(&alice, DOCKER_ENTER, &["web", "sh", "-c", PROBE]).trim(),
        theirs,
        "without --tools"
    );

    let programs = toolbox("owner");
    let root = common::tempdir("owner-root");
    root_of(&programs, &root);
    let socket = fake_daemon(
        "owner-daemon",
        format!(
            r#"{{"Id":"sha256:70015","GraphDriver":{{"Name":"overlay2","Data":{{"UpperDir":"{}"}}}}}}"#,
            root.display()
        ),
    );
    let host = format!("unix://{}", socket.display());
    // The can's layout: bin/docker-enter, and its toolbox beside it.
    let prefix = common::tempdir("owner-prefix");
    common::sh(&format!(
        "mkdir -p {0}/bin {0}/libexec/nsenter-can && cp {1} {0}/bin/ && \
         cp -a {2} {0}/libexec/nsenter-can/toolbox",
        prefix.display(),
        DOCKER_ENTER,
        programs.display()
    ));
    let installed = prefix.join("bin/docker-enter").display().to_string();

    let programs_at = format!("--tools={}", programs.display());
    let root_at = format!("--tools={}", root.display());
    // Which program ran the probe, and whether the container is at
    // /container (a whole root) or at / (a directory of programs).
    let in_dev_shm = "readlink /proc/$$/exe; test -e /bin/sleep && echo container";
    let in_root = "readlink /proc/$$/exe; test -e /container/bin/sleep && echo container";
    let cases: [(&str, Vec<&str>, &str, &str); 4] = [
        (
            DOCKER_ENTER,
            vec![&programs_at, "--tools-at=/dev/shm", "web", "/dev/shm/sh"],
            in_dev_shm,
            "/dev/shm/busybox",
        ),
        (
            DOCKER_ENTER,
            vec![&root_at, "web", "sh"],
            in_root,
            "/bin/busybox",
        ),
        (
            DOCKER_ENTER,
            vec!["-H", &host, "--tools=nsc/tools:owner", "podman:web", "sh"],
            in_root,
            "/bin/busybox",
        ),
        (
            &installed,
            vec!["--tools", "--tools-at=/dev/shm", "web", "/dev/shm/sh"],
            in_dev_shm,
            "/dev/shm/busybox",
        ),
    ];
    let (programs_before, root_before) = (tree_hash(&programs), tree_hash(&root));
    for (tool, args, which, exe) in cases {
        let script = format!("{which}; {PROBE}");
        let args = [&args[..], &["-c", &script]].concat();
        let said = as_user(&alice, tool, &args);
        assert_eq!(said, format!("{exe}\ncontainer\n{theirs}\n"), "{args:?}");
    }
    assert_eq!(tree_hash(&programs), programs_before);
    assert_eq!(tree_hash(&root), root_before);
    for dir in [&programs, &root] {
        assert_eq!(
            mounts_naming(&mount_needle(dir)),
            Vec::<String>::new(),
            "left mounted"
        );
    }

    // Bob's --tools into alice's container: refused in one line, and
    // nothing mounted (the same command is alice's control above).
    let alice_web = format!("podman:{}/web", alice.name);
    let out = common::run(
        &mut bob.command(DOCKER_ENTER, &[&programs_at, &alice_web, "true"]),
        b"",
    );
    out.code_is(1).no_stdout();
    let said = &out.stderr;
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with(&format!(
            "docker-enter: cannot enter {alice_web} without root: "
        )),
        "{said}"
    );
}

/// A rootless container whose root holds CAP_SYS_ADMIN (in its own user
/// namespace, `--cap-add SYS_ADMIN`; with Podman's filter and without
/// one) attacks the tools its owner brought: another of its processes
/// joins the session's mount namespace, and the program itself tries from
/// inside, every way tools_attacker.c knows (remount with and without
/// bind, a bind mount remounted, mount_setattr, a writable clone,
/// fspick). Nothing is written into the host's directory, for a directory
/// of programs and a whole root, both the owner's own and writable by the
/// container's root were the mount not locked. The control: the same
/// attack on the same directory mounted by the owner the way that does
/// not lock it (old_way_tools.c with a helper) writes into it.
#[test]
fn the_owners_tools_cannot_be_made_writable_from_inside() {
    let Some(image) = tools_attack_image() else {
        return;
    };
    if !ready() {
        return;
    }
    let alice = RootlessUser::new("w");
    let image = alice.load_from_docker(image);
    let owned = format!("size=16m,mode=0755,uid={0},gid={0}", alice.uid);
    let programs = OwnTmpfs::with_options("owner-attacked", &owned);
    let root = OwnTmpfs::with_options("owner-root-attacked", &owned);
    let toolbox = toolbox("owner-attacked");
    common::sh(&format!(
        "cp -a {}/. {}/",
        toolbox.display(),
        programs.0.display()
    ));
    root_of(&toolbox, &root.0);
    common::sh(&format!(
        "chown -hR {0}:{0} {1} {2}",
        alice.uid,
        programs.0.display(),
        root.0.display()
    ));
    let sources = [
        (
            format!("--tools={}", programs.0.display()),
            "/mnt",
            &programs.0,
        ),
        (format!("--tools={}", root.0.display()), "/", &root.0),
    ];
    let at = |place: &str| match place {
        "/" => "--container-at=/container",
        _ => "--tools-at=/mnt",
    };
    let shapes: [&[&str]; 2] = [
        &["--cap-add", "SYS_ADMIN"],
        &[
            "--cap-add",
            "SYS_ADMIN",
            "--security-opt",
            "seccomp=unconfined",
        ],
    ];
    for (i, shape) in shapes.iter().enumerate() {
        let name = alice.run_image(&format!("adm{i}"), shape, &image);
        let attack = |pid: &str, place: &str| {
            let out = alice.podman(&["exec", &name, "/tools_attacker", pid, place]);
            assert!(
                out.stdout.ends_with("done\n"),
                "{}{}",
                out.stdout,
                out.stderr
            );
            out.stdout.clone()
        };
        for (tools, place, host) in &sources {
            let before = tree_hash(host);
            let mut session = common::Running::start(&mut alice.command(
                DOCKER_ENTER,
                &[
                    tools,
                    at(place),
                    &name,
                    "sh",
                    "-c",
                    "echo READY; exec sleep 60",
                ],
            ));
            assert!(
                session.wait_output("READY"),
                "{tools}: {}",
                session.output()
            );
            let program = session.program("sleep");
            let case = format!("{shape:?} {tools}");
            assert_wrote_nothing(&attack(&pid_inside(program), place), true, &case);
            common::kill(program, libc::SIGTERM);
            assert_eq!(session.wait(), "signal 15");
            // The program, in the session's namespace already.
            let args = [tools, at(place), &name, attacker_at(place), "self", place];
            assert_wrote_nothing(&as_user(&alice, DOCKER_ENTER, &args), false, &case);
            assert_eq!(tree_hash(host), before, "{shape:?} {tools}");
        }

        // The control: mounted without the lock, the tools are turned
        // against the host by the same attack.
        let before = tree_hash(&programs.0);
        let pid = alice.pid(&name).to_string();
        let dir = programs.0.to_str().unwrap();
        let (_old_way, holder) = old_way_holder(
            |mounter, args| alice.command(mounter, args),
            &[dir, &pid, "/mnt", "helper"],
        );
        let report = attack(&holder, "/mnt");
        assert_control_wrote(&report, &programs.0, &before, &format!("{shape:?}"));
    }
}

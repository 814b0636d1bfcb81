//! Sections 2 and 3: the caller's session keyring stays outside (rule
//! 18), and the tools cannot be made writable from inside (rule 17).

use crate::common;
use crate::common::docker_enter::{ready, sleeping_session, DOCKER_ENTER};
use crate::common::podman::{load, PodmanContainer};
use crate::common::tools::tree_hash;
use crate::common::{busybox_image, static_c, TestContainer, ORACLE};
use std::path::{Path, PathBuf};
use std::process::Command;

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");

// 2. keyring

const KEYPROBE_C: &str = include_str!("../../common/programs/keyprobe.c");
const KEY_LAUNCHER_C: &str = include_str!("../../common/programs/key_launcher.c");

/// What the probe says when the caller's key reached it.
const LEAKED: &str = "found TOP-SECRET\n";
/// What it says when it searched its session keyring and the key was not
/// there (not EPERM: keyctl itself allowed).
const NOT_FOUND: &str = "not-found ENOKEY\n";

/// busybox, an empty /mnt and /tmp, and the static C program `name` built
/// from `source` at /`name`, tagged `tag`; None (after skipping, or
/// failing under CI) without Docker or gcc -static.
pub(crate) fn busybox_with(tag: &'static str, name: &str, source: &str) -> Option<&'static str> {
    if !ready() {
        return None;
    }
    let program = std::fs::read(static_c::require(name, source)?).unwrap();
    let dockerfile = format!(
        "FROM scratch\nCOPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN [\"/bin/busybox\", \"mkdir\", \"/mnt\", \"/tmp\"]\nCOPY {name} /\n"
    );
    Some(busybox_image::build_custom(
        tag,
        &dockerfile,
        &[(name, &program, 0o755)],
    ))
}

/// busybox with the key probe at /keyprobe.
fn keys_image() -> Option<&'static str> {
    busybox_with("nsenter-can-test/hostile:keys", "keyprobe", KEYPROBE_C)
}

/// `COMMAND...` run the way an operator's login runs it: with a session
/// keyring that holds the user key "k" (see key_launcher.c); what the
/// probe it ends in printed.
fn with_a_key_in_the_session_keyring(command: &[&str]) -> String {
    let launcher = static_c::build("key_launcher", KEY_LAUNCHER_C).expect("built with the probe");
    let out = common::run(Command::new(launcher).args(command), b"");
    out.success();
    out.stdout.clone()
}

/// The key the caller's login put in its session keyring is not found
/// from inside, in a container whose seccomp allows keyctl, through
/// docker-enter (confined or `--privileged`) and `nsenter --confine`, as
/// through `docker exec`; util-linux nsenter, and ours without
/// `--confine`, pass the keyring on and the key is read.
#[test]
fn the_callers_session_keyring_stays_outside() {
    let Some(image) = keys_image() else {
        return;
    };
    let c = TestContainer::run(
        "nsc-hostile-keys",
        &["--security-opt", "seccomp=unconfined"],
        image,
        &["sleep", "100000"],
    );
    let pid = c.pid();
    let name = c.name.as_str();
    // Controls: the key is there to find, and keyctl is allowed.
    let oracle = [ORACLE, "-t", &pid, "-m", "-p", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let unconfined = [NSENTER, "-t", &pid, "-a", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&unconfined), LEAKED);
    let docker_exec = ["docker", "exec", name, "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&docker_exec), NOT_FOUND);

    for command in [
        vec![DOCKER_ENTER, name, "/keyprobe"],
        vec![DOCKER_ENTER, "--privileged", name, "/keyprobe"],
        vec![
            DOCKER_ENTER,
            "-d",
            name,
            "sh",
            "-c",
            "/keyprobe > /detached",
        ],
        vec![NSENTER, "--confine", "-t", &pid, "-a", "/keyprobe"],
    ] {
        let said = with_a_key_in_the_session_keyring(&command);
        let said = match command.contains(&"-d") {
            true => detached_output(name),
            false => said,
        };
        assert_eq!(said, NOT_FOUND, "{command:?}");
    }

    // Docker's default filter denies keyctl: the new keyring is joined
    // before it goes on, and the program is denied keyctl as under
    // `docker exec`.
    let default = TestContainer::run("nsc-hostile-keys-default", &[], image, &["sleep", "100000"]);
    let name = default.name.as_str();
    for command in [
        vec!["docker", "exec", name, "/keyprobe"],
        vec![DOCKER_ENTER, name, "/keyprobe"],
    ] {
        let said = with_a_key_in_the_session_keyring(&command);
        assert_eq!(said, "not-found EPERM\n", "{command:?}");
    }
}

/// What the detached probe wrote to /detached, once it has.
fn detached_output(container: &str) -> String {
    let mut said = String::new();
    let written = common::wait_until(std::time::Duration::from_secs(10), || {
        let out = common::docker(&["exec", container, "cat", "/detached"]);
        said = out.stdout.clone();
        !said.is_empty()
    });
    assert!(written, "the detached probe wrote nothing");
    said
}

/// The same in a user namespace of the container's own: a container of
/// rootful Podman with a uid map (Podman's default filter allows keyctl)
/// through docker-enter, and a process `unshare -U` made through `nsenter
/// --confine`; util-linux nsenter passes the keyring into both.
#[test]
fn a_user_namespace_gets_a_fresh_keyring_too() {
    let Some(image) = keys_image() else {
        return;
    };
    if !common::podman::ready() {
        return;
    }
    let image = load(image);
    let map = ["--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536"];
    let c = PodmanContainer::run(
        "nsc-hostile-keys-userns",
        &map,
        &image,
        &["sleep", "100000"],
    );
    let pid = c.pid();
    assert_ne!(
        common::ns_link(&pid, "user"),
        common::ns_link("self", "user"),
        "set-up: a user namespace of its own"
    );
    let oracle = [ORACLE, "-t", &pid, "-a", "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let address = format!("podman:{}", c.name);
    let ours = [DOCKER_ENTER, &address, "/keyprobe"];
    assert_eq!(with_a_key_in_the_session_keyring(&ours), NOT_FOUND);

    let probe = static_c::build("keyprobe", KEYPROBE_C).expect("built for the image");
    let probe = probe.to_str().unwrap();
    let target = common::Target::userns();
    let pid = target.pid_str();
    let oracle = [ORACLE, "-t", &pid, "-a", probe];
    assert_eq!(with_a_key_in_the_session_keyring(&oracle), LEAKED);
    let ours = [NSENTER, "--confine", "-t", &pid, "-a", probe];
    assert_eq!(with_a_key_in_the_session_keyring(&ours), NOT_FOUND);
}

// 3. tools

const TOOLS_ATTACKER_C: &str = include_str!("../../common/programs/tools_attacker.c");
const OLD_WAY_TOOLS_C: &str = include_str!("../../common/programs/old_way_tools.c");

/// busybox with the tools attacker at /tools_attacker and an empty /mnt
/// for the tools.
pub(crate) fn tools_attack_image() -> Option<&'static str> {
    busybox_with(
        "nsenter-can-test/hostile:tools",
        "tools_attacker",
        TOOLS_ATTACKER_C,
    )
}

/// A host directory on a tmpfs of the test's own, unmounted at the end:
/// the attack's remount without `bind` reconfigures the filesystem under
/// the tools, which must never be the host's root filesystem.
pub(crate) struct OwnTmpfs(pub(crate) PathBuf);

impl OwnTmpfs {
    fn new(name: &str) -> OwnTmpfs {
        OwnTmpfs::with_options(name, "size=16m")
    }

    /// With more mount options (`uid=`, `gid=`: a user's own).
    pub(crate) fn with_options(name: &str, options: &str) -> OwnTmpfs {
        let dir = common::tempdir(name);
        common::sh(&format!(
            "mount -t tmpfs -o {options} nsc-tools {}",
            dir.display()
        ));
        OwnTmpfs(dir)
    }
}

impl Drop for OwnTmpfs {
    fn drop(&mut self) {
        let _ = common::run(Command::new("umount").arg("-l").arg(&self.0), b"");
    }
}

/// The session's program as the container sees it (the last of NSpid).
pub(crate) fn pid_inside(pid: i32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("NSpid:")).unwrap();
    line.split_whitespace().last().unwrap().to_string()
}

/// What the attacker reports, with its control: it joined, or the test
/// would prove nothing.
fn attack(container: &str, pid: &str, place: &str) -> String {
    let out = common::docker(&["exec", container, "/tools_attacker", pid, place]);
    let report = out.stdout.clone();
    assert!(report.ends_with("done\n"), "{report}{}", out.stderr);
    report
}

fn writes_that_worked(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.contains("-write ") && l.ends_with(" ok"))
        .collect()
}

/// The attacker ran to its end and wrote nothing; `joined`: it got into
/// the session's namespace first (else the test would prove nothing).
pub(crate) fn assert_wrote_nothing(report: &str, joined: bool, case: &str) {
    assert!(report.ends_with("done\n"), "{case}: {report}");
    assert!(
        !joined || report.starts_with("join ok\n"),
        "{case}: {report}"
    );
    assert_eq!(
        writes_that_worked(report),
        Vec::<&str>::new(),
        "{case}: {report}"
    );
}

/// The attacker as the session's program sees it: in a whole toolbox
/// root (`place` /), the container is at /container.
pub(crate) fn attacker_at(place: &str) -> &'static str {
    match place {
        "/" => "/container/tools_attacker",
        _ => "/tools_attacker",
    }
}

/// The control's mounter (old_way_tools.c), started with `args` (DIR PID
/// PLACE, and `helper` for a rootless container's owner) by `command`:
/// the holder of its namespace, which ends when dropped, and the holder's
/// PID as the container sees it.
pub(crate) fn old_way_holder(
    command: impl FnOnce(&str, &[&str]) -> Command,
    args: &[&str],
) -> (common::Running, String) {
    let mounter = static_c::build("old_way_tools", OLD_WAY_TOOLS_C).expect("gcc -static");
    let old_way = common::Running::start(&mut command(mounter.to_str().unwrap(), args));
    assert!(
        old_way.wait_output("\n"),
        "the old way's holder did not start"
    );
    let said = old_way.output();
    let holder = said.trim().strip_prefix("ready ").expect("ready NSPID");
    let holder = holder.to_string();
    (old_way, holder)
}

/// The control's report: through the tools mounted without the lock, the
/// attack wrote into the host's directory `dir` (whose files hashed
/// `before`), which is then cleaned.
pub(crate) fn assert_control_wrote(report: &str, dir: &Path, before: &str, case: &str) {
    assert!(
        report.contains("remount-bind-write ok\n"),
        "control {case}: {report}"
    );
    assert_ne!(tree_hash(dir), before, "control {case}");
    common::sh(&format!("rm -f {}/attack-*", dir.display()));
    assert_eq!(tree_hash(dir), before);
}

/// A container process holding CAP_SYS_ADMIN joins the mount namespace of
/// a running `--tools` session and tries every way to make the tools
/// writable (remount with and without bind, a bind mount remounted,
/// mount_setattr, a clone made writable, the superblock through fspick),
/// then writes: nothing of the host's changes, for a directory of tools,
/// a toolbox root and an image's layers; the program itself, which holds
/// the same capability, cannot either. The control: the same attack on the
/// tools mounted the old way (read-only, in a namespace of our user
/// namespace) writes into the host's directory.
#[test]
fn a_container_holding_sys_admin_cannot_make_the_tools_writable() {
    let Some(image) = tools_attack_image() else {
        return;
    };
    let programs = OwnTmpfs::new("tools-attacked");
    let toolbox = common::tools::toolbox("attacked");
    common::sh(&format!(
        "cp -a {}/. {}/",
        toolbox.display(),
        programs.0.display()
    ));
    let root = OwnTmpfs::new("root-attacked");
    std::fs::create_dir(root.0.join("bin")).unwrap();
    common::sh(&format!(
        "cp -a {}/. {}/bin/",
        toolbox.display(),
        root.0.display()
    ));
    let tools_image = busybox_image::build();
    let layers = common::docker_ok(&[
        "image",
        "inspect",
        "-f",
        "{{.GraphDriver.Data.UpperDir}}",
        tools_image,
    ]);
    let sources = [
        (
            format!("--tools={}", programs.0.display()),
            "/mnt",
            programs.0.clone(),
        ),
        (format!("--tools={}", root.0.display()), "/", root.0.clone()),
        (
            format!("--tools={tools_image}"),
            "/",
            PathBuf::from(&layers),
        ),
    ];
    // A directory of programs goes at /mnt, the container into a root at
    // /container.
    let at = |place: &str| match place {
        "/" => "--container-at=/container",
        _ => "--tools-at=/mnt",
    };
    for shape in [
        &["--cap-add", "SYS_ADMIN"][..],
        &[
            "--cap-add",
            "SYS_ADMIN",
            "--security-opt",
            "seccomp=unconfined",
        ],
    ] {
        let c = TestContainer::run("nsc-hostile-tools", shape, image, &["sleep", "100000"]);
        for (tools, place, host) in &sources {
            let before = tree_hash(host);
            let (mut session, program) = sleeping_session(&[tools, at(place), &c.name]);
            let case = format!("{shape:?} {tools}");
            let report = attack(&c.name, &pid_inside(program), place);
            assert_wrote_nothing(&report, true, &case);
            common::kill(program, libc::SIGTERM);
            assert_eq!(session.wait(), "signal 15");
            // The program, in the namespace already.
            let out = common::docker_enter::docker_enter(&[
                tools,
                at(place),
                &c.name,
                attacker_at(place),
                "self",
                place,
            ]);
            assert_wrote_nothing(&out.stdout, false, &format!("{case} {}", out.stderr));
            assert_eq!(
                tree_hash(host),
                before,
                "{shape:?} {tools}: the host's files"
            );
        }

        // The control: the old way's mount is turned against the host.
        let before = tree_hash(&programs.0);
        let pid = c.pid().to_string();
        let dir = programs.0.to_str().unwrap();
        let (_old_way, holder) = old_way_holder(
            |mounter, args| {
                let mut cmd = Command::new(mounter);
                cmd.args(args);
                cmd
            },
            &[dir, &pid, "/mnt"],
        );
        let report = attack(&c.name, &holder, "/mnt");
        assert_control_wrote(&report, &programs.0, &before, &format!("{shape:?}"));
    }
}

//! `docker-enter --tools`: programs brought into containers that have none,
//! and nothing in the container changed: its mount table, its files
//! (`docker diff`), its processes, during the session and after; our
//! mounts gone with the program; bad input refused in one line with
//! nothing mounted.

use crate::common;
use common::RunResult;

use common::busybox_image;
use common::docker_enter::{docker_enter, image, ready, sleeping_session, DOCKER_ENTER};
use common::tmux::{count, Tmux, SHELL};
use common::tools::{mount_needle, mounts_naming, processes_seeing, scratch_image, toolbox};
use common::{docker_ok, TestContainer};
use std::path::Path;
use std::process::Command;

/// A `FROM scratch` container holding only a static /pause; None when the
/// test cannot run (no Docker, no static C library).
fn scratch(name: &str) -> Option<TestContainer> {
    if !ready() {
        return None;
    }
    let tag = scratch_image("nsenter-can-test/tools:scratch", None, "")?;
    Some(TestContainer::run(name, &[], tag, &[]))
}

fn mountinfo(pid: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap()
}

/// The container's processes as the daemon lists them (host PIDs).
fn processes(c: &TestContainer) -> String {
    docker_ok(&["top", &c.name, "-o", "pid"])
}

/// Each mountinfo line as what it mounts where: the root, the mount
/// point, the options, the type, the source and the super options (the
/// IDs and the optional propagation fields left out).
fn comparable_mounts(mountinfo: &str) -> Vec<String> {
    mountinfo
        .lines()
        .map(|line| {
            let (before, after) = line.split_once(" - ").expect("a mountinfo line");
            let fields: Vec<&str> = before.split(' ').collect();
            format!("{} {} {} - {after}", fields[3], fields[4], fields[5])
        })
        .collect()
}

fn tools_arg(dir: &Path) -> String {
    format!("--tools={}", dir.display())
}

#[test]
fn a_scratch_container_gets_a_shell_and_stays_untouched() {
    let tb = toolbox("scratch");
    let Some(c) = scratch("nsc-tools-scratch") else {
        return;
    };
    let pid = c.pid();
    let (mounts_before, procs_before) = (mountinfo(&pid), processes(&c));
    // As without tools, the container has no shell: a control.
    let out = docker_enter(&[&c.name, "sh", "-c", "true"]);
    out.code_is(127);

    let out = docker_enter(&[&tools_arg(&tb), &c.name, "sh", "-c", "ls /; ps"]);
    out.success();
    let text = out.stdout.clone();
    let listing: Vec<&str> = text.lines().take_while(|l| !l.contains("PID")).collect();
    assert_eq!(listing, ["dev", "etc", "pause", "proc", "sys"], "{text}");
    // ps reads the container's /proc: its PID 1 is /pause.
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().next() == Some("1") && l.ends_with("/pause")),
        "{text}"
    );

    // During a session: the program's mount table has the tools, the
    // container's does not.
    let (mut session, program) = sleeping_session(&[&tools_arg(&tb), &c.name]);
    let needle = mount_needle(&tb);
    let ours = mountinfo(&program.to_string());
    let line = ours.lines().find(|l| l.contains(&needle));
    let line = line.unwrap_or_else(|| panic!("no tools mounted for the program:\n{ours}"));
    assert!(
        line.contains(" /mnt ") || line.contains(" /dev/shm "),
        "{line}"
    );
    assert!(line.contains(" ro,nosuid,nodev"), "{line}");
    // Nothing else of the host's: the program's mounts are the
    // container's and that one line (each compared without the IDs and
    // propagation, which a private copy of a namespace changes).
    let mut theirs = comparable_mounts(&mountinfo(&pid));
    theirs.push(comparable_mounts(line).remove(0));
    theirs.sort();
    let mut seen_by_program = comparable_mounts(&ours);
    seen_by_program.sort();
    assert_eq!(seen_by_program, theirs);
    // The search below finds a mount of ours while there is one: in our
    // private mount namespace, which the waiting docker-enter and the
    // program share, and nowhere else.
    let mut expected = vec![session.pid().to_string(), program.to_string()];
    expected.sort();
    assert_eq!(processes_seeing(&needle), expected);
    assert_eq!(
        mountinfo(&pid),
        mounts_before,
        "the container's mount table"
    );
    assert!(processes(&c).contains(&program.to_string()));
    common::kill(program, libc::SIGTERM);
    assert_eq!(session.wait(), "signal 15");

    // After: no mount of ours anywhere, and the container as it was.
    assert_eq!(mounts_naming(&needle), Vec::<String>::new());
    assert_eq!(mountinfo(&pid), mounts_before);
    assert_eq!(processes(&c), procs_before);
    assert_eq!(docker_ok(&["diff", &c.name]), "", "docker diff");
}

#[test]
fn the_tools_are_read_only_and_the_exit_status_passes() {
    let tb = toolbox("ro");
    let Some(c) = scratch("nsc-tools-ro") else {
        return;
    };
    // The tools' directory is the last of PATH.
    let script = "d=${PATH##*:}; echo \"$PATH\"; touch \"$d/busybox\" \"$d/new\" 2>&1; exit 7";
    let out = docker_enter(&[&tools_arg(&tb), &c.name, "sh", "-c", script]);
    out.code_is(7);
    let text = out.stdout.clone();
    // No empty /mnt, /media, /srv or /opt in a scratch container: /dev/shm,
    // after the container's own programs.
    assert!(
        text.starts_with("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/dev/shm\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("Read-only file system").count(),
        2,
        "neither a tool nor the place it is mounted can be written: {text}"
    );
    assert_eq!(docker_ok(&["diff", &c.name]), "");
    // docker diff does see what a session writes into the container.
    let out = docker_enter(&[&tools_arg(&tb), &c.name, "touch", "/written"]);
    out.success();
    assert_eq!(docker_ok(&["diff", &c.name]), "A /written");
}

#[test]
fn the_shell_works_at_a_terminal() {
    let tb = toolbox("tty");
    if !ready() || !common::require_root_and(&["tmux", "bash"]) {
        return;
    }
    let Some(c) = scratch("nsc-tools-tty") else {
        return;
    };
    let tmux = Tmux::new("tools");
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    // The host shell's next command is on docker-enter's line: keys typed
    // after `exit 3` could reach docker-enter, which relays the terminal's
    // input until it sees its program gone, and be lost with the pty.
    tmux.keys(&[
        &format!(
            "{DOCKER_ENTER} {} {}; echo OUT-$?-$((4*4))",
            tools_arg(&tb),
            c.name
        ),
        "Enter",
    ]);
    tmux.keys(&["tty; ls /; echo IN-$((2*3))", "Enter"]);
    let screen = tmux.wait_for("the tools' shell", |s| count(s, "IN-6") == 1);
    assert!(screen.contains("/dev/pts/"), "{screen}");
    assert!(screen.contains("pause"), "{screen}");
    tmux.keys(&["exit 3", "Enter"]);
    tmux.wait_for("the host shell again", |s| count(s, "OUT-3-16") == 1);
}

#[test]
fn a_toolbox_image_holds_the_container_at_container() {
    let Some(c) = scratch("nsc-tools-image") else {
        return;
    };
    let tools = busybox_image::build();
    let pid = c.pid();
    let before = mountinfo(&pid);
    let out = docker_enter(&[
        &format!("--tools={tools}"),
        &c.name,
        "sh",
        "-c",
        "ls -A /container/; echo; pwd; cat /etc/hostname; ps -o pid,args; \
         cat /proc/self/mountinfo >&2; touch /bin/x",
    ]);
    out.code_is(1);
    // What docker export gives at the top level.
    let exported = common::sh(&format!(
        "docker export {} | tar -t | sed 's|/.*||' | LC_ALL=C sort -u",
        c.name
    ));
    let text = out.stdout.clone();
    let (listing, rest) = text.split_once("\n\n").unwrap();
    assert_eq!(listing, exported.trim_end(), "{text}");
    let mut rest = rest.lines();
    assert_eq!(rest.next(), Some("/container"));
    let hostname = docker_ok(&["inspect", "-f", "{{.Config.Hostname}}", &c.name]);
    assert_eq!(rest.next(), Some(hostname.as_str()));
    assert!(
        text.contains("    1 /pause"),
        "the container's processes: {text}"
    );
    out.stderr_contains("touch: /bin/x: Read-only file system");
    assert_eq!(mountinfo(&pid), before);
    assert_eq!(docker_ok(&["diff", &c.name]), "");
    let upper = docker_ok(&[
        "image",
        "inspect",
        "-f",
        "{{.GraphDriver.Data.UpperDir}}",
        tools,
    ]);
    // The image's layers made the program's root, and are gone with it.
    out.stderr_contains(&upper);
    assert_eq!(mounts_naming(&upper), Vec::<String>::new());
}

#[test]
fn a_root_directory_is_a_toolbox_root_too() {
    let tb = toolbox("rootdir");
    let Some(c) = scratch("nsc-tools-rootdir") else {
        return;
    };
    // A root filesystem of ours: bin/ with the toolbox in it.
    let root = common::tempdir("rootfs");
    std::fs::create_dir(root.join("bin")).unwrap();
    common::sh(&format!("cp -a {}/. {}/bin/", tb.display(), root.display()));
    let out = docker_enter(&[
        &tools_arg(&root),
        "--container-at=/target/root",
        "-w",
        "/etc",
        &c.name,
        "sh",
        "-c",
        "pwd; ls /target/root/pause",
    ]);
    assert_eq!(
        (out.stdout.as_str(), out.code()),
        ("/target/root/etc\n/target/root/pause\n", Some(0)),
        "{}",
        out.stderr
    );
}

#[test]
fn a_non_root_user_stays_that_user() {
    let tb = toolbox("nonroot");
    if !ready() {
        return;
    }
    let passwd = "root:x:0:0:root:/root:/sbin/nologin\n\
                  nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
    let Some(tag) = scratch_image("nsenter-can-test/tools:nonroot", Some("nonroot"), passwd) else {
        return;
    };
    let c = TestContainer::run("nsc-tools-nonroot", &[], tag, &[]);
    let tools = busybox_image::build();
    for source in [tools_arg(&tb), format!("--tools={tools}")] {
        let out = docker_enter(&[&source, &c.name, "sh", "-c", "id -u; id -g; echo $HOME"]);
        assert_eq!(
            (out.stdout.as_str(), out.code()),
            ("65532\n65532\n/home/nonroot\n", Some(0)),
            "{source}: {}",
            out.stderr
        );
    }
    // The mounting needs privilege the user never gets: the shell cannot
    // undo the tools' read-only mount.
    let out = docker_enter(&[
        &tools_arg(&tb),
        &c.name,
        "sh",
        "-c",
        "mount -o remount,rw \"${PATH##*:}\"",
    ]);
    assert_ne!(out.code(), Some(0));
}

/// Exit 1, nothing on stdout, one line on stderr.
fn assert_one_line(out: &RunResult, starts: &str) {
    let err = out.stderr.clone();
    out.code_is(1).stdout_is("");
    assert!(
        err.lines().count() == 1 && err.starts_with(starts),
        "expected one line starting {starts:?}: {err:?}"
    );
}

#[test]
fn bad_input_is_one_line_and_mounts_nothing() {
    let tb = toolbox("bad");
    let Some(c) = scratch("nsc-tools-bad") else {
        return;
    };
    let scratch = common::tempdir("tools-bad");
    let file = scratch.join("file");
    std::fs::write(&file, "not a directory").unwrap();
    let shell_less = scratch.join("shell-less");
    std::fs::create_dir(&shell_less).unwrap();
    std::fs::copy(tb.join("busybox"), shell_less.join("busybox")).unwrap();
    let missing = scratch.join("missing");
    let cases: [(Vec<String>, &str); 6] = [
        (
            vec![tools_arg(&missing), c.name.clone()],
            "docker-enter: cannot use /",
        ),
        (
            vec![tools_arg(&file), c.name.clone()],
            "docker-enter: cannot use /",
        ),
        (
            vec![
                "--tools=nsenter-can-test/no-such-image".into(),
                c.name.clone(),
            ],
            "docker-enter: no image nsenter-can-test/no-such-image here",
        ),
        (
            vec![tools_arg(&tb), "--tools-at=/pause".into(), c.name.clone()],
            "docker-enter: cannot mount the tools at /pause: Not a directory",
        ),
        (
            vec![tools_arg(&tb), "--tools-at=/no/such".into(), c.name.clone()],
            "docker-enter: cannot mount the tools at /no/such: No such file or directory",
        ),
        (
            vec![tools_arg(&shell_less), c.name.clone()],
            "docker-enter: no shell in the tools /",
        ),
    ];
    for (args, starts) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_one_line(&docker_enter(&args), starts);
    }
    assert!(docker_enter(&[&tools_arg(&missing), &c.name])
        .stderr
        .ends_with(": No such file or directory\n"));
    assert!(docker_enter(&[&tools_arg(&file), &c.name])
        .stderr
        .ends_with(": it is not a directory\n"));
    // With a command, tools without a shell are fine.
    let out = docker_enter(&[&tools_arg(&shell_less), &c.name, "busybox", "true"]);
    out.success();
    for needle in [mount_needle(&tb), "/shell-less ".into()] {
        assert_eq!(mounts_naming(&needle), Vec::<String>::new(), "{needle}");
    }
    assert_eq!(docker_ok(&["diff", &c.name]), "");
}

#[test]
fn a_link_is_never_followed_to_the_place() {
    let tb = toolbox("link");
    if !ready() {
        return;
    }
    // A container whose /mnt is a link to its /etc, and whose /media is
    // empty: the default skips the link, and naming it is refused.
    let c = TestContainer::run("nsc-tools-link", &[], image(), &["sleep", "600"]);
    docker_ok(&[
        "exec",
        &c.name,
        "sh",
        "-c",
        "rmdir /mnt 2>/dev/null; ln -s /etc /mnt; mkdir -p /media",
    ]);
    let out = docker_enter(&[&tools_arg(&tb), &c.name, "sh", "-c", "echo $PATH"]);
    assert!(
        out.stdout.ends_with(":/media\n"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    let out = docker_enter(&[&tools_arg(&tb), "--tools-at=/mnt", &c.name, "true"]);
    assert_one_line(
        &out,
        "docker-enter: cannot mount the tools at /mnt: Too many levels of symbolic links (a symbolic link is on the way",
    );
    // Nothing landed on the link's target.
    let etc = docker_enter(&[&c.name, "ls", "/etc"]);
    etc.stdout_is(docker_ok(&["exec", &c.name, "ls", "/etc"]) + "\n")
        .stdout_contains("passwd");
}

#[test]
fn tools_alone_take_the_toolbox_installed_beside_the_tool() {
    let tb = toolbox("default");
    let Some(c) = scratch("nsc-tools-default") else {
        return;
    };
    // A prefix as the can installs into: bin/docker-enter, and the toolbox
    // under libexec/nsenter-can/.
    let prefix = common::tempdir("prefix");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::copy(DOCKER_ENTER, prefix.join("bin/docker-enter")).unwrap();
    let installed = prefix.join("bin/docker-enter");
    let out = common::run(
        Command::new(&installed).args(["--tools", &c.name, "true"]),
        b"",
    );
    assert_one_line(
        &out,
        "docker-enter: no toolbox is installed beside this tool",
    );
    std::fs::create_dir_all(prefix.join("libexec/nsenter-can")).unwrap();
    common::sh(&format!(
        "cp -a {} {}",
        tb.display(),
        prefix.join("libexec/nsenter-can/toolbox").display()
    ));
    let out = common::run(
        Command::new(&installed).args(["--tools", &c.name, "sh", "-c", "ls /pause"]),
        b"",
    );
    assert_eq!(
        (out.stdout.as_str(), out.code()),
        ("/pause\n", Some(0)),
        "{}",
        out.stderr
    );
}

/// A container with no empty directory of its own and no /dev/shm
/// (`--ipc none`): the tools go on an empty tmpfs its runtime masks a
/// kernel directory with, hiding nothing; without those masks
/// (`systempaths=unconfined`, the control) there is no place, said in one
/// line.
#[test]
fn without_dev_shm_the_tools_go_on_an_empty_masked_tmpfs() {
    let tb = toolbox("noshm");
    if !ready() {
        return;
    }
    let Some(tag) = scratch_image("nsenter-can-test/tools:scratch", None, "") else {
        return;
    };
    let c = TestContainer::run("nsc-tools-noshm", &["--ipc", "none"], tag, &[]);
    let out = docker_enter(&[&tools_arg(&tb), &c.name, "sh", "-c", "echo $PATH; ls /"]);
    out.success();
    let text = out.stdout.clone();
    let mut lines = text.lines();
    let path = lines.next().unwrap_or_default();
    let place = path.rsplit(':').next().unwrap_or_default();
    assert!(
        nsenter_can::plan::TOOLS_TMPFS_MOUNT_POINTS.contains(&place),
        "PATH {path}"
    );
    assert_eq!(
        lines.collect::<Vec<_>>(),
        ["dev", "etc", "pause", "proc", "sys"]
    );
    // Gone with the session, from every mount namespace.
    assert_eq!(mounts_naming(&mount_needle(&tb)), Vec::<String>::new());

    let bare = TestContainer::run(
        "nsc-tools-noshm-bare",
        &["--ipc", "none", "--security-opt", "systempaths=unconfined"],
        tag,
        &[],
    );
    let out = docker_enter(&[&tools_arg(&tb), &bare.name, "true"]);
    assert_one_line(
        &out,
        "docker-enter: no place to mount the tools: no empty /mnt",
    );
}

/// A host directory made a shared mount of its own for the test (Docker
/// takes `rshared` only from a shared mount), unmounted at the end.
struct SharedMount(std::path::PathBuf);

impl Drop for SharedMount {
    fn drop(&mut self) {
        let _ = common::run(Command::new("umount").arg("-l").arg(&self.0), b"");
    }
}

/// A container with an `rshared` bind mount of a host directory: the
/// tools mounted under it must propagate neither to the host nor to the
/// container (every mount of the private copy made private, recursively,
/// before anything is mounted).
#[test]
fn the_tools_never_propagate_through_a_shared_mount() {
    let tb = toolbox("rshared");
    if !ready() {
        return;
    }
    let shared = SharedMount(common::tempdir("rshared"));
    let dir = shared.0.display().to_string();
    common::sh(&format!(
        "mount --bind {dir} {dir} && mount --make-shared {dir} && mkdir {dir}/tools"
    ));
    let volume = format!("{dir}:/data:rshared");
    let c = TestContainer::run(
        "nsc-tools-rshared",
        &["-v", &volume],
        image(),
        &["sleep", "600"],
    );
    let pid = c.pid();
    let propagation = mountinfo(&pid);
    let line = propagation.lines().find(|l| l.contains(" /data ")).unwrap();
    assert!(line.contains(" shared:"), "set-up: /data is shared: {line}");
    // The set-up propagates: a mount made in the container's namespace
    // under /data shows on the host.
    let in_container = format!("nsenter -t {pid} -m");
    common::sh(&format!(
        "{in_container} mount -t tmpfs nsc-probe /data/tools"
    ));
    let host = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(host.contains(&format!("{dir}/tools ")), "control: {host}");
    common::sh(&format!("{in_container} umount /data/tools"));

    let (mut session, program) =
        sleeping_session(&[&tools_arg(&tb), "--tools-at=/data/tools", &c.name]);
    let mut expected = vec![session.pid().to_string(), program.to_string()];
    expected.sort();
    assert_eq!(
        processes_seeing(&mount_needle(&tb)),
        expected,
        "the tools are mounted only for the session"
    );
    assert_eq!(
        std::fs::read_dir(shared.0.join("tools")).unwrap().count(),
        0
    );
    common::kill(program, libc::SIGTERM);
    assert_eq!(session.wait(), "signal 15");
}

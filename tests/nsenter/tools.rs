//! `nsenter --tools`: the same tools docker-enter brings (tested in full in
//! docker_enter/tools.rs), from nsenter's command line.

use crate::common;

use common::busybox_image;
use common::docker_enter::ready;
use common::tools::{mount_needle, mounts_naming, scratch_image, toolbox};
use common::{docker_ok, oracle, ours, run, Running, Target, TestContainer, ORACLE};

/// A `FROM scratch` container and its PID; None when the test cannot run.
fn scratch_target(name: &str) -> Option<(TestContainer, String)> {
    if !ready() {
        return None;
    }
    let tag = scratch_image("nsenter-can-test/tools:scratch", None, "")?;
    let c = TestContainer::run(name, &[], tag, &[]);
    let pid = c.pid();
    Some((c, pid))
}

#[test]
fn without_a_program_the_tools_login_shell_runs() {
    let tb = toolbox("login");
    let Some((c, pid)) = scratch_target("nsc-nsenter-tools") else {
        return;
    };
    let before = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap();
    let tools = format!("--tools={}", tb.display());
    let out = run(
        ours().args(["-t", &pid, "-a", &tools]),
        b"echo \"$0\"; ls /; exit 4\n",
    );
    assert_eq!(out.status, "exit 4", "{out:#?}");
    out.stdout_is("-sh\ndev\netc\npause\nproc\nsys\n");
    let after = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap();
    assert_eq!(after, before);
    assert_eq!(docker_ok(&["diff", &c.name]), "");
    let needle = mount_needle(&tb);
    assert_eq!(mounts_naming(&needle), Vec::<String>::new());
}

#[test]
fn an_image_is_the_root_with_the_target_under_it() {
    let Some((_c, pid)) = scratch_target("nsc-nsenter-tools-image") else {
        return;
    };
    let tools = format!("--tools={}", busybox_image::build());
    let out = run(
        ours()
            .args(["-t", &pid, "-a", &tools, "--container-at=/t", "sh", "-c"])
            .arg("pwd; ls /t/pause; ps -o pid,args | grep -c '^ *1 /pause$'"),
        b"",
    );
    assert_eq!(
        (out.stdout.as_str(), out.status.as_str()),
        ("/t\n/t/pause\n1\n", "exit 0"),
        "{out:#?}"
    );
}

#[test]
fn tools_need_the_mount_namespace() {
    // Refused as the command line is read: the directory is not looked at.
    let out = run(ours().args(["-t", "1", "-n", "--tools=/no/such/dir"]), b"");
    out.one_line_error();
    out.stderr_is("nsenter: --tools needs the mount namespace entered (-m or -a)\n");
}

/// In a user namespace of its own, the target's root has every capability
/// over what that namespace owns: the mount namespace our tools are
/// mounted in is made before entering it, so it belongs to ours, and the
/// target's root cannot join it (and undo the read-only mounts).
#[test]
fn the_targets_root_cannot_join_the_tools_mount_namespace() {
    if !common::require_root_and(&["unshare", ORACLE]) {
        return;
    }
    let target = Target::userns();
    let tb = toolbox("userns");
    let mut session = Running::start(ours().args([
        "-t",
        &target.pid_str(),
        "-a",
        &format!("--tools={}", tb.display()),
        "sh",
        "-c",
        "echo READY; exec sleep 60",
    ]));
    assert!(session.wait_output("READY"), "{}", session.output());
    let program = session.program("sleep");
    // As the target's root, join a mount namespace: its own (the control),
    // then the program's.
    let join = |pid: i32| {
        run(
            oracle()
                .args(["-t", &target.pid_str(), "-U", "--", ORACLE])
                .arg(format!("--mount=/proc/{pid}/ns/mnt"))
                .arg("true"),
            b"",
        )
    };
    assert_eq!(join(target.pid).status, "exit 0", "{:#?}", join(target.pid));
    let refused = join(program);
    assert_eq!(refused.status, "exit 1", "{refused:#?}");
    assert!(
        refused.stderr.ends_with("Operation not permitted\n"),
        "{refused:#?}"
    );
    common::kill(program, libc::SIGKILL);
    session.wait();
}

//! Options newer than util-linux 2.38 (tested against the contract) and our
//! extensions: signals, descriptors, --mount-proc, non-dumpable (cgroups:
//! nsenter/join_cgroup.rs).

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn ready() -> bool {
    require_root_and(&["unshare", ORACLE])
}

fn nul_separated(bytes: &[u8]) -> Vec<String> {
    let mut vars: Vec<String> = bytes
        .split(|&b| b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    vars.sort();
    vars
}

#[test]
fn env_takes_the_targets_environment() {
    if !ready() {
        return;
    }
    let target = Target::start_via(&["env", "NSENTER_TEST_MARK=a b"], &["--uts"], ":");
    let pid = target.pid_str();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let out = run(ours().args(["-t", &pid, "-u", "-e", "env", "-0"]), b"");
    assert_eq!(
        nul_separated(out.success().stdout.as_bytes()),
        nul_separated(&environ)
    );
    let plain = run(ours().args(["-t", &pid, "-u", "env"]), b"");
    assert!(!plain.success().stdout.contains("NSENTER_TEST_MARK"));
}

#[test]
fn setuid_and_setgid_follow_the_owner_of_proc_pid() {
    if !ready() || !require(have("setpriv"), "setpriv is not installed") {
        return;
    }
    let target = Target::start_script(
        &[],
        &["--uts"],
        "exec setpriv --reuid 1 --regid 2 --clear-groups sleep 600",
    );
    let pid = target.pid_str();
    let out = run(
        ours().args(["-t", &pid, "-u", "-S", "follow", "-G", "follow", "id"]),
        b"",
    );
    assert_eq!(
        out.success().stdout.clone(),
        "uid=1(daemon) gid=2(bin) groups=2(bin)\n"
    );
}

#[test]
fn user_parent_enters_the_parent_user_namespace() {
    if !ready() {
        return;
    }
    let target = Target::userns_mount_uts();
    let pid = target.pid_str();
    let out = run(
        ours().args([
            "-t",
            &pid,
            "-U",
            "--user-parent",
            "-u",
            "sh",
            "-c",
            "readlink /proc/self/ns/user; hostname",
        ]),
        b"",
    );
    assert_eq!(
        out.success().stdout.clone(),
        format!("{}\nu2\n", ns_link("self", "user"))
    );
}

fn cap_amb(status: &str) -> u64 {
    let line = status
        .lines()
        .find(|l| l.starts_with("CapAmb:"))
        .expect("CapAmb line");
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

#[test]
fn keep_caps_raises_ambient_capabilities() {
    if !ready() {
        return;
    }
    let target = Target::userns();
    let pid = target.pid_str();
    let with = run(
        ours().args(["-t", &pid, "-U", "--keep-caps", "cat", "/proc/self/status"]),
        b"",
    );
    assert_ne!(cap_amb(&with.success().stdout), 0, "{with:#?}");
    let without = run(
        ours().args(["-t", &pid, "-U", "cat", "/proc/self/status"]),
        b"",
    );
    assert_eq!(cap_amb(&without.success().stdout), 0);
}

#[test]
fn net_socket_enters_the_sockets_network_namespace() {
    if !ready() || !require(have("python3"), "python3 is not installed") {
        return;
    }
    let dir = tempdir("net-socket");
    let noted = dir.join("socket-netns");
    // A socket made in one new network namespace, kept as descriptor 9 by a
    // process that then moves to another one.
    let script = format!(
        "exec python3 -c '\
import ctypes, os, socket
s = socket.socket()
os.dup2(s.fileno(), 9)
open(\"{}\", \"w\").write(os.readlink(\"/proc/self/ns/net\"))
assert ctypes.CDLL(None).unshare(0x40000000) == 0
os.execvp(\"sleep\", [\"sleep\", \"600\"])'",
        noted.display()
    );
    let target = Target::start_script(&[], &["--net"], &script);
    let pid = target.pid_str();
    let socket_ns = std::fs::read_to_string(&noted).unwrap();
    assert_ne!(socket_ns, ns_link(&pid, "net"), "set-up failed");
    let out = run(
        ours().args(["-t", &pid, "-N", "9", "readlink", "/proc/self/ns/net"]),
        b"",
    );
    assert_eq!(out.success().stdout, format!("{socket_ns}\n"));
    let out = run(ours().args(["-t", &pid, "--net-socket", "0", "true"]), b"");
    out.one_line_error();
}

fn pidfd_inode(pid: i32) -> u64 {
    let out = sh(&format!(
        "python3 -c 'import os; print(os.fstat(os.pidfd_open({pid})).st_ino)'"
    ));
    out.trim().parse().expect("pidfd inode")
}

#[test]
fn pid_with_pidfd_inode_pins_the_target() {
    if !ready() || !require(have("python3"), "python3 is not installed") {
        return;
    }
    let target = Target::full();
    let ino = pidfd_inode(target.pid);
    let pinned = format!("{}:{ino}", target.pid);
    let out = run(ours().args(["-t", &pinned, "-u", "hostname"]), b"");
    assert_eq!(out.success().stdout, "t1\n");
    let wrong = format!("{}:{}", target.pid, ino + 1);
    let out = run(ours().args(["-t", &wrong, "-u", "hostname"]), b"");
    out.one_line_error();
}

#[test]
fn namespace_ids_are_refused_clearly_before_linux_6_19() {
    if !ready() {
        return;
    }
    let out = run(ours().args(["--mount=:4026531832", "true"]), b"");
    out.one_line_error();
    out.stderr_contains("6.19");
}

fn gone_soon(pid: i32) -> bool {
    wait_until(Duration::from_secs(3), || !alive(pid))
}

#[test]
fn sigterm_to_the_parent_ends_the_program() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let mut mine = Running::start(ours().args(["-t", &pid, "-p", "-m", "sleep", "100"]));
    let program = mine.program("sleep");
    kill(mine.pid(), libc::SIGTERM);
    assert!(
        gone_soon(program),
        "the program outlived SIGTERM to nsenter"
    );
    assert_eq!(mine.wait(), "signal 15");

    // util-linux leaves it running: the test can tell the difference.
    let mut theirs = Running::start(oracle().args(["-t", &pid, "-p", "-m", "sleep", "100"]));
    let orphan = theirs.program("sleep");
    kill(theirs.pid(), libc::SIGTERM);
    theirs.wait();
    assert!(alive(orphan), "util-linux now forwards SIGTERM?");
    kill(orphan, libc::SIGKILL);
}

/// The program gets the SIGTERM sent to nsenter, handles it, and its exit
/// status is nsenter's. The control: util-linux does not forward it (it
/// dies of the signal and the program runs on).
#[test]
fn a_program_that_traps_term_gets_it() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let program = "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done";
    let mut mine = Running::start(ours().args(["-t", &pid, "-p", "-m", "sh", "-c", program]));
    assert!(mine.wait_output("ready"), "{}", mine.output());
    kill(mine.pid(), libc::SIGTERM);
    assert_eq!(mine.wait(), "exit 42");

    let mut theirs = Running::start(oracle().args(["-t", &pid, "-p", "-m", "sh", "-c", program]));
    assert!(theirs.wait_output("ready"), "{}", theirs.output());
    let orphan = theirs.program("sh");
    kill(theirs.pid(), libc::SIGTERM);
    assert_eq!(
        theirs.wait(),
        "signal 15",
        "util-linux now forwards SIGTERM?"
    );
    kill(orphan, libc::SIGKILL);
}

#[test]
fn sigkill_to_the_parent_kills_the_program() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    // Also with other credentials: the kernel clears the parent-death signal
    // on setuid/setgid, so it must be armed after them.
    for credentials in [&[][..], &["-S", "1000", "-G", "1000"][..]] {
        let mut cmd = ours();
        cmd.args(["-t", &pid, "-p"])
            .args(credentials)
            .args(["sleep", "100"]);
        let mut mine = Running::start(&mut cmd);
        let program = mine.program("sleep");
        kill(mine.pid(), libc::SIGKILL);
        mine.wait();
        assert!(
            gone_soon(program),
            "the program outlived nsenter's death {credentials:?}"
        );
    }
}

#[test]
fn kill_child_chooses_the_signal() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let dir = tempdir("kill-child");
    let marker = dir.join("got-term");
    let script = format!(
        "trap 'echo term > {}; exit 0' TERM; echo ready; while :; do sleep 0.05; done",
        marker.display()
    );
    let mut mine =
        Running::start(ours().args(["-t", &pid, "-p", "--kill-child=TERM", "sh", "-c", &script]));
    assert!(mine.wait_output("ready"));
    let program = mine.program("sh");
    kill(mine.pid(), libc::SIGKILL);
    mine.wait();
    assert!(gone_soon(program), "the program outlived nsenter's death");
    assert!(
        wait_until(Duration::from_secs(3), || marker.exists()),
        "the program did not get SIGTERM"
    );
}

#[test]
fn signals_sent_to_the_parent_reach_the_program() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let script = "trap 'echo got; exit 0' USR1; echo ready; while :; do sleep 0.05; done";
    let mut mine = Running::start(ours().args(["-t", &pid, "-p", "sh", "-c", script]));
    assert!(mine.wait_output("ready"), "{}", mine.output());
    kill(mine.pid(), libc::SIGUSR1);
    assert_eq!(mine.wait(), "exit 0");
    assert_eq!(mine.output(), "ready\ngot\n");
}

#[test]
fn a_stopped_program_stops_the_parent_and_continues_with_it() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let mut mine = Running::start(ours().args(["-t", &pid, "-p", "sleep", "100"]));
    let program = mine.program("sleep");
    kill(program, libc::SIGSTOP);
    assert!(
        wait_until(Duration::from_secs(5), || state_of(mine.pid()) == Some('T')),
        "nsenter did not stop with its program: {:?}",
        state_of(mine.pid())
    );
    kill(mine.pid(), libc::SIGCONT);
    assert!(
        wait_until(Duration::from_secs(5), || {
            state_of(program) == Some('S') && state_of(mine.pid()) == Some('S')
        }),
        "not continued: program {:?}, nsenter {:?}",
        state_of(program),
        state_of(mine.pid())
    );
    kill(program, libc::SIGKILL);
    assert_eq!(mine.wait(), "signal 9");
}

/// None of the descriptors nsenter opens (namespace files, pidfds, the
/// /proc/PID handle, cgroup files, sockets) reaches the program, with our
/// extensions too; the caller's do (the control: `3<file`, `5>file`).
#[test]
fn none_of_our_descriptors_reaches_the_program() {
    if !ready() || !require(have("bash"), "bash is not installed") {
        return;
    }
    let target = Target::full();
    let user = Target::userns();
    let dir = tempdir("own-fds");
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, "in\n").unwrap();
    let fds = |tool: &str, args: &[String]| {
        let mut args = args.to_vec();
        args.extend(["ls", "-l", "/proc/self/fd"].map(String::from));
        let out = run(&mut with_fds_3_and_5(tool, &input, &output, &args), b"");
        fd_table(&out.success().stdout)
    };
    let direct = fds("env", &[]);
    assert!(
        direct.iter().any(|l| l.starts_with("3 -> "))
            && direct.iter().any(|l| l.starts_with("5 -> ")),
        "set-up failed: {direct:?}"
    );
    let (t, u) = (target.pid_str(), user.pid_str());
    for args in [
        vec!["-t", &t, "-u", "-n", "-i"],
        vec!["-t", &t, "-p", "-c", "--kill-child"],
        vec!["-t", &t, "-u", "-e", "-S", "follow"],
        vec!["-t", &t, "-p", "--mount-proc"],
        vec![
            "-t",
            &u,
            "-U",
            "--user-parent",
            "-u",
            "--preserve-credentials",
        ],
    ] {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            fds(env!("CARGO_BIN_EXE_nsenter"), &args),
            direct,
            "nsenter {args:?}"
        );
    }
}

#[test]
fn mount_proc_shows_the_targets_processes() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let show = "cat /proc/1/comm; ls /proc | grep -c '^[0-9]'";
    let out = run(
        ours().args(["-t", &pid, "-p", "--mount-proc", "sh", "-c", show]),
        b"",
    );
    let text = out.success().stdout.clone();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sleep"), "{text}");
    let count: usize = lines.next().unwrap().parse().unwrap();
    assert!(count <= 4, "more than the target's processes: {text}");
    // Without it, /proc is still the host's.
    let out = run(ours().args(["-t", &pid, "-p", "sh", "-c", show]), b"");
    assert_ne!(out.success().stdout.lines().next(), Some("sleep"));
}

/// setpriv that drops CAP_SYS_PTRACE: a root process that must rely on the
/// ordinary ptrace access rules (same uid, same capabilities, dumpable).
const NO_PTRACE: &[&str] = &[
    "setpriv",
    "--bounding-set",
    "-sys_ptrace",
    "--inh-caps",
    "-sys_ptrace",
    "--",
];

/// Which of /proc/PID/fd/0, /proc/PID/exe, /proc/PID/root a root process
/// without CAP_SYS_PTRACE can follow.
fn reachable(pid: i32) -> Vec<&'static str> {
    ["fd/0", "exe", "root"]
        .into_iter()
        .filter(|link| {
            let out = run(
                Command::new(NO_PTRACE[0]).args(&NO_PTRACE[1..]).args([
                    "stat",
                    "-L",
                    &format!("/proc/{pid}/{link}"),
                ]),
                b"",
            );
            out.status == "exit 0"
        })
        .collect()
}

#[test]
fn the_waiting_parent_is_not_dumpable() {
    if !ready() || !require(have("setpriv"), "setpriv is not installed") {
        return;
    }
    let target = Target::start_via(NO_PTRACE, &["--pid", "--mount-proc"], ":");
    let pid = target.pid_str();
    let args = ["-t", &pid, "-p", "-m", "sleep", "100"];
    let launch = |tool: &str| {
        let mut cmd = Command::new(NO_PTRACE[0]);
        cmd.args(&NO_PTRACE[1..]).arg(tool).args(args);
        Running::start(&mut cmd)
    };
    // Control: util-linux's parent is dumpable, so the probe can read it.
    let theirs = launch(ORACLE);
    theirs.program("sleep");
    assert_eq!(
        reachable(theirs.pid()),
        ["fd/0", "exe", "root"],
        "the probe cannot work here"
    );
    let mine = launch(env!("CARGO_BIN_EXE_nsenter"));
    let program = mine.program("sleep");
    assert_eq!(
        reachable(mine.pid()),
        [""; 0],
        "nsenter's parent is dumpable"
    );
    for pid in [program, mine.pid(), theirs.pid()] {
        kill(pid, libc::SIGKILL);
    }
}

#[test]
fn no_program_runs_a_login_shell() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    let out = run(
        ours().env("SHELL", "/bin/sh").args(["-t", &pid, "-u"]),
        b"echo $0; hostname",
    );
    assert_eq!(out.success().stdout, "-sh\nt1\n");
    // Without $SHELL: the shell of our passwd entry.
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = rustix::process::getuid().as_raw().to_string();
    let shell = passwd
        .lines()
        .find(|l| l.split(':').nth(2) == Some(uid.as_str()))
        .and_then(|l| l.rsplit(':').next())
        .unwrap_or("/bin/sh");
    let name = Path::new(shell).file_name().unwrap().to_string_lossy();
    let out = run(
        ours().env_remove("SHELL").args(["-t", &pid, "-u"]),
        b"echo $0",
    );
    let text = out.success().stdout.clone();
    assert_eq!(text.lines().last(), Some(format!("-{name}").as_str()));
}

/// A program whose `#!` interpreter goes through `/proc/self/fd/N/...`
/// must not reach the host through a descriptor of ours: execve resolves
/// the interpreter while close-on-exec descriptors are still open, so ours
/// are closed before exec, not only marked. Ours include the target's
/// /proc/PID, a directory of the host's procfs: `N/../<pid>/root` is the
/// host's root. The control: through a descriptor the caller passes on
/// (the same /proc/PID directory, as fd 9), the host program runs, as with
/// util-linux, which passes it on too.
#[test]
fn our_descriptors_cannot_serve_as_interpreter() {
    if !ready() || !require(have("bash"), "bash is not installed") {
        return;
    }
    let dir = tempdir("fd-interpreter");
    let host_only = dir.join("host-only");
    std::fs::create_dir_all(&host_only).unwrap();
    // A binary, so that nothing needs its path again once the kernel has
    // resolved it: it prints its #! argument.
    std::fs::copy("/bin/echo", host_only.join("prog")).unwrap();
    // The host's root, as /proc/<our pid>/root seen from /proc/<target>/..
    let via_proc = |fd: u32| {
        format!(
            "#!/proc/self/fd/{fd}/../{}/root{}/prog from-host-dir\n",
            std::process::id(),
            host_only.display()
        )
    };
    let script = |n: u32| dir.join(format!("script{n}"));
    for n in 3..=12 {
        std::fs::write(script(n), via_proc(n)).unwrap();
    }
    std::fs::write(dir.join("control"), via_proc(9)).unwrap();
    sh(&format!(
        "chmod 755 {}/prog {}/script* {}/control",
        host_only.display(),
        dir.display(),
        dir.display()
    ));
    // The target's mount namespace hides the host-only directory.
    let target = Target::start(
        &["--mount"],
        &format!("mount -t tmpfs none {}", host_only.display()),
    );
    let pid = target.pid_str();
    let in_target = |tool: &str, fd9: &str, program: &Path| {
        let line = format!(
            "exec 9<{fd9}; exec {tool} -t {pid} -m {}",
            program.display()
        );
        run(Command::new("bash").args(["-c", &line]), b"")
    };
    for tool in [ORACLE, env!("CARGO_BIN_EXE_nsenter")] {
        let control = in_target(tool, &format!("/proc/{pid}"), &dir.join("control"));
        assert!(
            control.stdout.starts_with("from-host-dir "),
            "control, {tool}: {control:?}"
        );
    }
    for n in 3..=12 {
        let mine = in_target(env!("CARGO_BIN_EXE_nsenter"), "/dev/null", &script(n));
        assert!(
            !mine.stdout.contains("from-host-dir"),
            "a host-only program ran through descriptor {n}: {mine:?}"
        );
        // Not found (127), or not a directory (126) where the caller's
        // /dev/null is descriptor 9.
        assert!(
            matches!(mine.code(), Some(126 | 127)),
            "descriptor {n}: {mine:?}"
        );
    }
}

/// The program starts with the signal dispositions util-linux gives it:
/// nothing ignored that the caller did not ignore (the Rust runtime
/// ignores SIGPIPE for itself; that must not reach the program).
#[test]
fn the_program_ignores_no_signal_the_caller_did_not() {
    if !ready() {
        return;
    }
    let target = Target::full();
    let pid = target.pid_str();
    // Forked into the PID namespace, and exec'd directly (UTS only).
    for namespaces in [&["-m", "-p"][..], &["-u"][..]] {
        let sig_ign = |mut cmd: Command| {
            cmd.args(["-t", &pid]).args(namespaces);
            cmd.args(["grep", "SigIgn", "/proc/self/status"]);
            let out = run(&mut cmd, b"");
            out.success().stdout.clone()
        };
        assert_eq!(sig_ign(ours()), sig_ign(oracle()), "nsenter {namespaces:?}");
    }
}

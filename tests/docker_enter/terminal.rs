//! docker-enter and terminals: a program in a container cannot push
//! keystrokes into the host's terminal with TIOCSTI (docker-enter gives it
//! a fresh pty, or pipes, and a session of its own; security rule 13);
//! output redirected at a terminal keeps its bytes; `-t` gives a terminal
//! whatever stdin is, and never one the container chose (a /dev/ptmx it
//! replaced); a session ends with its terminal (rule 16).

use crate::common;

use common::docker_enter::{image, ready, sleeping, DOCKER_ENTER};
use common::pty::TestPty;
use common::tmux::{count, Tmux, SHELL};
use common::{docker_ok, require_root_and, TestContainer};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A static program that pushes "echo INJ-$((6+6))\n" with TIOCSTI into
/// whichever terminal it can reach: its stdin, stdout, stderr or /dev/tty.
const INJECTOR: &str = "#include <sys/ioctl.h>\n#include <fcntl.h>\n\
    static int push(int fd){const char*s=\"echo INJ-$((6+6))\\n\";\
    for(;*s;s++)if(ioctl(fd,TIOCSTI,s))return 0;return 1;}\n\
    int main(void){int fds[4]={0,1,2,open(\"/dev/tty\",O_RDWR)};\
    for(int i=0;i<4;i++)if(fds[i]>=0&&push(fds[i]))return 0;return 1;}\n";

/// Type `command` at an interactive shell; true when the injected command
/// ran in that (host) shell afterwards.
///
/// The injector pushes its keystrokes before it exits, so before the shell
/// prints AFTER-10. A terminal's input is one queue: the END line typed
/// after that comes behind anything pushed, so once END-14 shows, the
/// shell has already run whatever was injected. No waiting on a clock.
fn injection_reaches_host(tag: &str, command: &str) -> bool {
    let tmux = Tmux::new(tag);
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tmux.keys(&[&format!("{command}; echo AFTER-$((5+5))"), "Enter"]);
    tmux.wait_for("the command to end", |s| count(s, "AFTER-10") == 1);
    tmux.keys(&["echo END-$((7+7))", "Enter"]);
    let screen = tmux.wait_for("the shell to answer", |s| count(s, "END-14") == 1);
    count(&screen, "INJ-12") > 0
}

#[test]
fn tiocsti_from_the_container_does_not_reach_the_host_terminal() {
    if !ready() || !require_root_and(&["tmux", "bash", "gcc", "nsenter"]) {
        return;
    }
    let Some(binary) = common::static_c::require("tiocsti", INJECTOR) else {
        return;
    };
    let c = TestContainer::run("nsc-tiocsti", &[], image(), &["sleep", "100000"]);
    docker_ok(&[
        "cp",
        binary.to_str().unwrap(),
        &format!("{}:/tiocsti", c.name),
    ]);
    let pid = c.pid();
    // Control: util-linux nsenter hands the program our terminal, and the
    // injection works, so the checks below can fail.
    let control = format!("/usr/bin/nsenter -t {pid} -a /tiocsti");
    assert!(
        injection_reaches_host("control", &control),
        "TIOCSTI control did not inject; the test cannot see injection"
    );
    for (tag, command) in [
        ("pty", format!("{DOCKER_ENTER} {} /tiocsti", c.name)),
        ("notty", format!("{DOCKER_ENTER} -T {} /tiocsti", c.name)),
        (
            "piped",
            format!("echo | {DOCKER_ENTER} {} /tiocsti", c.name),
        ),
        // No standard descriptor is a terminal, but our controlling
        // terminal is there to open as /dev/tty.
        (
            "redirected",
            format!(
                "{DOCKER_ENTER} {} /tiocsti </dev/null >/dev/null 2>&1",
                c.name
            ),
        ),
    ] {
        assert!(
            !injection_reaches_host(tag, &command),
            "{command}: keystrokes from the container reached the host's terminal"
        );
    }
}

/// Every byte value, 4096 times over: LF and CR among them, which a
/// terminal would change.
fn every_byte() -> Vec<u8> {
    (0..256 * 4096).map(|i| (i % 256) as u8).collect()
}

#[test]
fn redirected_output_is_byte_exact_at_a_terminal() {
    if !require_root_and(&["tmux", "bash"]) {
        return;
    }
    let Some(c) = sleeping("nsc-bytes", &[]) else {
        return;
    };
    let dir = common::tempdir("bytes");
    let blob = every_byte();
    std::fs::write(dir.join("blob"), &blob).unwrap();
    let copy = format!("{}:/blob", c.name);
    docker_ok(&["cp", dir.join("blob").to_str().unwrap(), &copy]);

    // Standard input is the tmux terminal; output goes to a file, to a
    // pipe, and (standard error) to a file; docker exec does the same.
    let tmux = Tmux::new("bytes");
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    let de = format!("{DOCKER_ENTER} {}", c.name);
    let script = [
        format!("cd {} && test -t 0", dir.display()),
        format!("{de} cat /blob > ours.file"),
        format!("{de} cat /blob | cat > ours.pipe"),
        format!("{de} sh -c 'cat /blob >&2' 2> ours.err > ours.err-stdout"),
        format!("docker exec {} cat /blob > docker.file", c.name),
        format!("docker exec {} cat /blob | cat > docker.pipe", c.name),
        // Control: with a terminal forced, the bytes change (LF -> CR LF),
        // so a comparison below can fail.
        format!("{DOCKER_ENTER} -t {} cat /blob > ours.tty", c.name),
    ]
    .join(" && ");
    tmux.keys(&[
        &format!("{script} && echo OK-$((6*7)) || echo FAILED-$((6*7))"),
        "Enter",
    ]);
    let screen = tmux.wait_for("the commands to end", |s| {
        count(s, "OK-42") + count(s, "FAILED-42") == 1
    });
    assert_eq!(count(&screen, "OK-42"), 1, "{screen}");

    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let tty = read("ours.tty");
    assert_ne!(tty, blob, "control: a terminal changes the bytes");
    assert!(tty.len() > blob.len());
    assert_eq!(read("docker.file"), blob, "docker exec > file");
    assert_eq!(read("docker.pipe"), blob, "docker exec | cat");
    for (name, what) in [
        ("ours.file", "> file"),
        ("ours.pipe", "| cat"),
        ("ours.err", "2> file"),
    ] {
        let got = read(name);
        assert!(
            got == blob,
            "docker-enter {what}: {} bytes, not the {} bytes docker exec gives",
            got.len(),
            blob.len()
        );
    }
    assert_eq!(read("ours.err-stdout"), b"");
}

/// Run `docker-enter ARGS` with standard input from `input` (None:
/// /dev/null); what it printed, and its status.
fn docker_enter_fed(input: Option<&[u8]>, args: &[&str]) -> (String, String) {
    let mut cmd = Command::new("sh");
    match input {
        Some(_) => cmd.args(["-c", "exec \"$@\"", "sh", DOCKER_ENTER]),
        None => cmd.args(["-c", "exec \"$@\" </dev/null", "sh", DOCKER_ENTER]),
    };
    let out = common::run_within(
        cmd.args(args),
        input.unwrap_or(b""),
        Duration::from_secs(10),
    );
    (out.stdout.clone(), out.status.clone())
}

/// `/dev/pts/3` and `/dev/pts/0` compare equal.
fn any_pts(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("/dev/pts/") {
        out.push_str(&rest[..at + "/dev/pts/".len()]);
        rest = rest[at + "/dev/pts/".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out + rest
}

#[test]
fn t_gives_a_terminal_whatever_stdin_is() {
    let Some(c) = sleeping("nsc-dash-t", &[]) else {
        return;
    };
    let name = c.name.as_str();
    // stdin from /dev/null: 0, 1 and 2 are the new terminal, TERM is set,
    // standard error comes through it: as docker exec -t gives them.
    let script = "tty; for fd in 0 1 2; do readlink /proc/self/fd/$fd; done; \
                  echo TERM=$TERM; echo to-stderr >&2";
    let ours = docker_enter_fed(None, &["-t", name, "sh", "-c", script]);
    let docker = common::run(
        Command::new("sh").args([
            "-c",
            "exec \"$@\" </dev/null",
            "sh",
            "docker",
            "exec",
            "-t",
            name,
            "sh",
            "-c",
            script,
        ]),
        b"",
    );
    let docker = (docker.stdout.clone(), docker.status.clone());
    assert_eq!(
        any_pts(&ours.0),
        "/dev/pts/N\r\n/dev/pts/N\r\n/dev/pts/N\r\n/dev/pts/N\r\nTERM=xterm\r\nto-stderr\r\n"
    );
    assert_eq!((any_pts(&ours.0), ours.1), (any_pts(&docker.0), docker.1));

    // A pipe: the input goes through the terminal (which echoes it), and
    // its end is the program's end of file, a line open or not.
    let piped = docker_enter_fed(Some(b"hi\n"), &["-t", name, "cat"]);
    assert_eq!(piped, ("hi\r\nhi\r\n".to_string(), "exit 0".to_string()));
    let open_line = docker_enter_fed(Some(b"abc"), &["-t", name, "cat"]);
    assert_eq!(open_line, ("abcabc".to_string(), "exit 0".to_string()));

    // Without a terminal: no TERM, no tty.
    let plain = docker_enter_fed(Some(b""), &[name, "sh", "-c", "echo TERM=$TERM; tty"]);
    assert_eq!(
        plain,
        ("TERM=\nnot a tty\n".to_string(), "exit 1".to_string())
    );
}

/// docker-enter started on a terminal the test holds, running `script`
/// in `c`, once the script printed READY-6; with its program's PID.
struct Session {
    pty: TestPty,
    tool: Child,
    program: i32,
}

fn session(c: &TestContainer, options: &[&str], script: &str) -> Session {
    let mut argv = vec![DOCKER_ENTER];
    argv.extend_from_slice(options);
    argv.extend_from_slice(&[&c.name, "sh", "-c", script]);
    let mut pty = TestPty::open();
    let tool = pty.spawn(&argv);
    pty.wait_for("READY-6");
    let tool_pid = tool.id() as i32;
    let mut program = 0;
    assert!(
        common::wait_until(Duration::from_secs(5), || {
            program = common::children(tool_pid).first().copied().unwrap_or(0);
            program != 0
        }),
        "no program under docker-enter"
    );
    Session { pty, tool, program }
}

/// Both gone (a zombie no longer runs) within `limit`.
fn gone_within(pids: &[i32], limit: Duration) -> bool {
    common::wait_until(limit, || pids.iter().all(|&p| !common::alive(p)))
}

#[test]
fn a_session_ends_when_its_terminal_hangs_up() {
    if !require_root_and(&["setsid"]) {
        return;
    }
    let Some(c) = sleeping("nsc-hangup", &[]) else {
        return;
    };
    let ready = "echo READY-$((2*3))";
    for (what, options, script) in [
        ("a pty", &[][..], format!("{ready}; exec sleep 1000")),
        ("pipes (-T)", &["-T"], format!("{ready}; exec sleep 1000")),
        (
            "a pty, a program that ignores SIGHUP",
            &[],
            format!("trap '' HUP; {ready}; exec sleep 1000"),
        ),
        (
            "pipes, a program that ignores SIGHUP",
            &["-T"],
            format!("trap '' HUP; {ready}; exec sleep 1000"),
        ),
    ] {
        let mut s = session(&c, options, &script);
        assert!(common::alive(s.program), "{what}: the program runs");
        let hung_up = Instant::now();
        s.pty.hang_up();
        let status = common::wait_with_timeout(&mut s.tool, common::QUICK);
        let took = hung_up.elapsed();
        assert_eq!(
            status.map(common::describe).as_deref(),
            Some("signal 1"),
            "{what}: docker-enter ends as if hung up (took {took:?})"
        );
        assert!(
            gone_within(&[s.program], common::QUICK),
            "{what}: the program outlived its terminal"
        );
    }
}

/// On a hang-up, the program hears it: a shell that traps SIGHUP records
/// it (in a file of the container) and ends, through a pty and through
/// pipes (`-T`, where docker-enter sends SIGHUP to the program's process
/// group itself), as a login session's programs hear their terminal go.
/// Without it the program is killed after the grace period, with nothing
/// recorded. (The shell loops without starting a command: when the same
/// SIGHUP also kills a `sleep` it waits for, busybox sh often does not get
/// to its trap, seen here as the grace period's SIGKILL or a SIGPIPE.)
#[test]
fn a_program_that_traps_the_hang_up_hears_it() {
    if !require_root_and(&["setsid"]) {
        return;
    }
    let Some(c) = sleeping("nsc-hup-trap", &[]) else {
        return;
    };
    for (what, options) in [("pty", &[][..]), ("pipes", &["-T"])] {
        let record = format!("/tmp/hup-{what}");
        let script = format!(
            "trap 'echo HUP > {record}; exit 0' HUP; echo READY-$((2*3)); \
             while :; do :; done"
        );
        let mut s = session(&c, options, &script);
        s.pty.hang_up();
        let _ = common::wait_with_timeout(&mut s.tool, common::QUICK);
        assert!(
            gone_within(&[s.program], common::QUICK),
            "{what}: the program outlived its terminal"
        );
        let heard = common::docker(&["exec", &c.name, "cat", &record]);
        assert_eq!(
            heard.stdout.as_str(),
            "HUP\n",
            "{what}: the program did not hear the hang-up"
        );
    }
}

#[test]
fn a_session_ends_when_its_controlling_process_dies() {
    if !require_root_and(&["setsid"]) {
        return;
    }
    let Some(c) = sleeping("nsc-ctlproc", &[]) else {
        return;
    };
    // sh leads the terminal's session and runs docker-enter in its
    // foreground process group; killing sh makes the kernel send that
    // group SIGHUP. The terminal itself stays open: no hang-up, no EIO.
    let mut pty = TestPty::open();
    let mut shell = common::KillOnDrop(pty.spawn(&[
        "sh",
        "-c",
        "\"$@\"; :",
        "sh",
        DOCKER_ENTER,
        &c.name,
        "sh",
        "-c",
        "echo READY-$((2*3)); exec sleep 1000",
    ]));
    pty.wait_for("READY-6");
    let shell_pid = shell.0.id() as i32;
    let tool = common::children(shell_pid)[0];
    let program = common::children(tool)[0];
    assert_eq!(common::comm(tool), "docker-enter");
    assert!(common::alive(program));
    common::kill(shell_pid, libc::SIGKILL);
    let _ = shell.0.wait();
    assert!(
        gone_within(&[tool, program], common::QUICK),
        "docker-enter or its program outlived the process that controlled the terminal"
    );
}

#[test]
fn a_session_ends_when_tmux_is_killed() {
    if !require_root_and(&["tmux", "bash"]) {
        return;
    }
    let Some(c) = sleeping("nsc-tmuxkill", &[]) else {
        return;
    };
    // bash passes the hang-up on to its jobs as SIGHUP; a program that
    // ignores it must still go.
    let tmux = Tmux::new("killed");
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tmux.keys(&[
        &format!(
            "{DOCKER_ENTER} {} sh -c 'trap \"\" HUP; echo READY-$((2*3)); exec sleep 1000'",
            c.name
        ),
        "Enter",
    ]);
    tmux.wait_for("the program to start", |s| count(s, "READY-6") == 1);
    let pid_of = |format: &str| -> i32 {
        let out = tmux.run(&["display", "-p", "-t", "nsc", format]);
        out.stdout.as_str().trim().parse().unwrap()
    };
    let (server, shell) = (pid_of("#{pid}"), pid_of("#{pane_pid}"));
    let tool = common::children(shell)[0];
    let program = common::children(tool)[0];
    assert_eq!(common::comm(tool), "docker-enter");
    assert!(common::alive(program));
    common::kill(server, libc::SIGKILL);
    assert!(
        gone_within(&[tool, program], common::QUICK),
        "docker-enter or its program outlived the terminal"
    );
}

/// A container that replaced its /dev/ptmx with a regular file, a FIFO
/// or the null device: with `-t` the program still gets a fresh pty, from
/// the host's multiplexer that docker-enter opened before entering, never
/// the object the container put there, which is left as it was (the file
/// unchanged, a reader of the FIFO given nothing). The control: with the
/// container's own /dev/ptmx, the same probe through its own pty.
#[test]
fn a_replaced_dev_ptmx_is_never_the_programs_terminal() {
    let Some(c) = sleeping("nsc-fake-ptmx", &[]) else {
        return;
    };
    // A terminal on 0 and 1, and the device behind 0 (136: a pty's peer).
    let probe = "[ -t 0 ] && [ -t 1 ] && echo TTY; stat -L -c '%t %F' /proc/self/fd/0";
    let expected = "TTY\r\n88 character special file\r\n";
    let through = |what: &str| {
        let out = common::docker_enter::docker_enter(&["-t", &c.name, "sh", "-c", probe]);
        assert_eq!(
            (out.stdout.as_str(), out.code()),
            (expected, Some(0)),
            "{what}: {}",
            out.stderr
        );
    };
    through("the container's own /dev/ptmx");
    let in_container = |script: &str| docker_ok(&["exec", &c.name, "sh", "-c", script]);
    for (what, make) in [
        ("a regular file", "echo planted > /dev/ptmx"),
        ("a FIFO", "mkfifo /dev/ptmx"),
        ("the null device", "mknod /dev/ptmx c 1 3"),
    ] {
        in_container(&format!("rm /dev/ptmx && {make}"));
        let fifo = what == "a FIFO";
        if fifo {
            // A reader waiting for whoever opens the FIFO.
            docker_ok(&[
                "exec",
                "-d",
                &c.name,
                "sh",
                "-c",
                "cat /dev/ptmx > /tmp/fifo-read; echo ended > /tmp/fifo-ended",
            ]);
        }
        through(what);
        if fifo {
            // Whether or not docker-enter opened it, the reader ends once
            // a writer has come and gone: nothing of ours was in it.
            use std::os::unix::fs::OpenOptionsExt;
            let path = format!("/proc/{}/root/dev/ptmx", c.pid());
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path);
            let ended = common::wait_until(Duration::from_secs(10), || {
                common::docker(&["exec", &c.name, "test", "-e", "/tmp/fifo-ended"]).succeeded()
            });
            assert!(ended, "the FIFO's reader did not end");
            assert_eq!(
                in_container("wc -c < /tmp/fifo-read"),
                "0",
                "written into the FIFO"
            );
        }
        if what == "a regular file" {
            assert_eq!(in_container("cat /dev/ptmx"), "planted");
        }
    }
}

/// Opens of the file behind `path`, seen with inotify (IN_OPEN: an open
/// for reading or writing; a look-up with O_PATH, which neither reads nor
/// writes and reaches no driver, is not one).
struct OpenWatch(std::os::fd::OwnedFd);

impl OpenWatch {
    fn new(path: &str) -> OpenWatch {
        use rustix::fs::inotify;
        let fd = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)
            .expect("inotify_init1");
        inotify::add_watch(&fd, path, inotify::WatchFlags::OPEN)
            .unwrap_or_else(|e| panic!("inotify_add_watch {path}: {e}"));
        OpenWatch(fd)
    }

    /// Whether the file was opened since the last call (events are queued
    /// as the open happens, so nothing is waited for).
    fn opened(&self) -> bool {
        let mut events = [0u8; 4096];
        let mut seen = false;
        while matches!(rustix::io::read(&self.0, &mut events), Ok(n) if n > 0) {
            seen = true;
        }
        seen
    }
}

/// The container's /dev/ptmx is checked before it is opened: a regular
/// file, a FIFO or the null device put there is never opened at all
/// (opening can act: a FIFO's waiting reader is released, a driver runs),
/// not even for a moment before the check. The controls: the same watch
/// sees an open of each of them from inside; with the real device (behind
/// the link Docker puts at /dev/ptmx), the program's terminal is in the
/// container's devpts, so that device is used.
#[test]
fn a_replaced_dev_ptmx_is_never_opened() {
    let Some(c) = sleeping("nsc-unopened-ptmx", &[]) else {
        return;
    };
    let in_container = |script: &str| docker_ok(&["exec", &c.name, "sh", "-c", script]);
    let root = format!("/proc/{}/root", c.pid());
    // The device of the program's terminal, and of the container's
    // devpts (the program's terminal is in it when its /dev/ptmx is used).
    let probe = "stat -L -c %d /proc/self/fd/0; stat -c %d /dev/pts/ptmx";
    let enter = || {
        let out = common::docker_enter::docker_enter(&["-t", &c.name, "sh", "-c", probe]);
        let devices: Vec<String> = out
            .success()
            .stdout
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(devices.len(), 2, "{devices:?}");
        devices[0] == devices[1]
    };
    assert!(
        enter(),
        "with its own /dev/ptmx, the program's terminal is not the container's"
    );
    for (what, make) in [
        ("a regular file", "echo planted > /dev/ptmx"),
        ("a FIFO", "mkfifo /dev/ptmx"),
        ("the null device", "mknod /dev/ptmx c 1 3"),
    ] {
        in_container(&format!("rm -f /dev/ptmx && {make}"));
        let watch = OpenWatch::new(&format!("{root}/dev/ptmx"));
        assert!(
            !enter(),
            "{what}: the program's terminal is the container's"
        );
        assert!(!watch.opened(), "docker-enter opened {what} at /dev/ptmx");
        // Control: an open of it is seen (without blocking on the FIFO).
        in_container("exec 3<>/dev/ptmx");
        assert!(
            watch.opened(),
            "{what}: the open of the control was not seen"
        );
    }
}

//! Section 1, standard streams (rule 4): the program's 0, 1 and 2 are a
//! pty or pipes that docker-enter relays, never a host file, directory,
//! socket or device, byte-exact and with end of file both ways.

use crate::common;
use crate::common::docker_enter::{image, ready, DOCKER_ENTER};
use crate::common::{docker, docker_ok, TestContainer};
use std::fs::{File, OpenOptions};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

// 1. standard streams

const FDPROBE_C: &str = include_str!("../../common/programs/fdprobe.c");

/// A deadline no run here should come near, under load included.
const LIMIT: Duration = Duration::from_secs(30);

/// A container of the test image with the descriptor probe at /fdprobe;
/// None (after skipping, or failing under CI) without Docker or gcc.
fn streams_container(name: &str) -> Option<TestContainer> {
    if !ready() {
        return None;
    }
    let probe = common::static_c::require("fdprobe", FDPROBE_C)?;
    let c = TestContainer::run(name, &[], image(), &["sleep", "100000"]);
    docker_ok(&[
        "cp",
        probe.to_str().unwrap(),
        &format!("{}:/fdprobe", c.name),
    ]);
    Some(c)
}

/// The ways into a container the cases compare, each a command line that
/// runs `program` in `c`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Way {
    DockerEnter,
    Privileged,
    /// `--tools` with a directory of programs.
    Tools,
    Detached,
    /// `nsenter --confine -t PID -a`.
    NsenterConfine,
    /// Ours without `--confine`: util-linux's behaviour.
    Nsenter,
    /// util-linux nsenter itself: the control under which attacks work.
    UtilLinux,
    /// `docker exec -i`.
    DockerExec,
}

impl Way {
    fn command(self, c: &TestContainer, program: &[&str]) -> Command {
        let mut cmd = match self {
            Way::DockerEnter | Way::Privileged | Way::Tools | Way::Detached => {
                let mut cmd = Command::new(DOCKER_ENTER);
                match self {
                    Way::Privileged => cmd.arg("--privileged"),
                    Way::Tools => cmd.arg(format!("--tools={}", tools_dir().display())),
                    Way::Detached => cmd.arg("-d"),
                    _ => &mut cmd,
                };
                cmd.arg(&c.name);
                cmd
            }
            Way::NsenterConfine | Way::Nsenter => {
                let mut cmd = common::ours();
                if self == Way::NsenterConfine {
                    cmd.arg("--confine");
                }
                cmd.args(["-t", &c.pid(), "-a"]);
                cmd
            }
            Way::UtilLinux => {
                let mut cmd = common::oracle();
                cmd.args(["-t", &c.pid(), "-a"]);
                cmd
            }
            Way::DockerExec => {
                let mut cmd = Command::new("docker");
                cmd.args(["exec", "-i", &c.name]);
                cmd
            }
        };
        cmd.args(program);
        cmd
    }
}

/// `cmd` run by a shell that first applies `redirections` (such as `< /`
/// or `>&-`) to it.
fn redirected(cmd: &Command, redirections: &str) -> Command {
    let mut shell = Command::new("sh");
    shell
        .args(["-c", &format!("exec \"$@\" {redirections}"), "sh"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    shell
}

/// A directory of programs for `--tools` (the probe, by name).
fn tools_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::tempdir("hostile-tools");
        let probe = common::static_c::build("fdprobe", FDPROBE_C).expect("built before");
        std::fs::copy(probe, dir.join("fdprobe")).unwrap();
        dir
    })
}

/// Our ways that must give the program pipes.
const OURS: [Way; 4] = [
    Way::DockerEnter,
    Way::Privileged,
    Way::Tools,
    Way::NsenterConfine,
];

/// The ways that must give the program pipes: ours, and `docker exec -i`
/// beside them as the reference.
const PIPED: [Way; 5] = [
    Way::DockerEnter,
    Way::Privileged,
    Way::Tools,
    Way::NsenterConfine,
    Way::DockerExec,
];

/// An attack: `attempt` gives `safe` through every way in PIPED, and
/// `control` through util-linux nsenter, which hands the container the
/// caller's own descriptors (the attack works, so the check can fail).
fn fails_but_for_the_control<T: PartialEq + std::fmt::Debug>(
    attempt: impl Fn(Way) -> T,
    safe: T,
    control: T,
) {
    for way in PIPED {
        assert_eq!(attempt(way), safe, "{way:?}");
    }
    assert_eq!(
        attempt(Way::UtilLinux),
        control,
        "control: util-linux nsenter, handed the caller's descriptors"
    );
}

/// Run `cmd` with the given standard descriptors to its end (within
/// LIMIT): its status.
fn status_with(cmd: &mut Command, streams: [Stdio; 3]) -> ExitStatus {
    let [stdin, stdout, stderr] = streams;
    let mut child = cmd
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    common::wait_with_timeout(&mut child, LIMIT)
        .unwrap_or_else(|| panic!("{cmd:?} did not finish within {LIMIT:?}"))
}

/// What the probe wrote to `path` in `c`, pipe numbers dropped.
fn probe_report(c: &TestContainer, path: &str) -> Vec<String> {
    strip_numbers(&probe_report_raw(c, path))
}

/// `pipe:[N]` and `socket:[N]` without their numbers.
fn strip_numbers(report: &[String]) -> Vec<String> {
    report
        .iter()
        .map(|l| match l.find(":[") {
            Some(at) => l[..at + 1].to_string(),
            None => l.to_string(),
        })
        .collect()
}

/// What the probe wrote to `path` in `c` (within LIMIT: a detached probe
/// writes it after we return), read from the host through the
/// container's root (`docker exec` may be unable to run: see
/// `detached_without_a_null_device_gets_drained_pipes`); the file is
/// removed.
fn probe_report_raw(c: &TestContainer, path: &str) -> Vec<String> {
    let on_host = format!("/proc/{}/root{path}", c.pid());
    let mut text = None;
    let found = common::wait_until(LIMIT, || {
        text = std::fs::read_to_string(&on_host).ok();
        text.is_some()
    });
    assert!(found, "{path} never appeared in {}", c.name);
    std::fs::remove_file(&on_host).unwrap();
    text.unwrap().lines().map(str::to_string).collect()
}

/// Run `script` with the container's sh in its mount namespace, as root
/// from the host (util-linux nsenter), whatever the container's state.
fn in_container(c: &TestContainer, script: &str) {
    let out = common::run(
        common::oracle().args(["-t", &c.pid(), "-m", "sh", "-c", script]),
        b"",
    );
    out.success();
}

/// The standard descriptors the cases hand over: three of one kind.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A host file read as input, one appended to as output.
    File,
    Directory,
    Socket,
    DevNull,
}

/// Three descriptors of `kind` for a run, and what must stay alive
/// (a socket's other end) while it runs.
fn streams_of(kind: Kind, dir: &Path) -> ([Stdio; 3], Option<UnixStream>) {
    match kind {
        Kind::File => {
            let input = dir.join("input");
            std::fs::write(&input, b"host input\n").unwrap();
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("log"))
                .unwrap();
            let stdin = File::open(&input).unwrap();
            let stderr = log.try_clone().unwrap();
            ([stdin.into(), log.into(), stderr.into()], None)
        }
        Kind::Directory => {
            let d = File::open(dir).unwrap();
            let (a, b) = (d.try_clone().unwrap(), d.try_clone().unwrap());
            ([d.into(), a.into(), b.into()], None)
        }
        Kind::Socket => {
            let (ours, peer) = UnixStream::pair().unwrap();
            let stdio = || Stdio::from(OwnedFd::from(ours.try_clone().unwrap()));
            ([stdio(), stdio(), stdio()], Some(peer))
        }
        Kind::DevNull => ([Stdio::null(), Stdio::null(), Stdio::null()], None),
    }
}

/// The probe's report of what `way` gave it for descriptors of `kind`.
fn descriptors_given(c: &TestContainer, way: Way, kind: Kind, dir: &Path) -> Vec<String> {
    let (streams, _peer) = streams_of(kind, dir);
    let status = status_with(&mut way.command(c, &["/fdprobe", "/tmp/fds"]), streams);
    assert!(status.success(), "{way:?} {kind:?}: {status:?}");
    probe_report(c, "/tmp/fds")
}

fn lines(expected: [&str; 3]) -> Vec<String> {
    expected.iter().map(|l| l.to_string()).collect()
}

/// `readlink /proc/self/fd/{0,1,2}` in the program says `pipe:` whatever
/// docker-enter was given: a host file (read, and appended to), a
/// directory, a socket; with and without `--privileged`, and for
/// `nsenter --confine`, as for `docker exec -i`. For the host's
/// /dev/null, and detached, the program gets the container's own
/// /dev/null, as the probe tells by its inode. Control: util-linux
/// nsenter, and ours without `--confine` (util-linux's behaviour, kept),
/// hand the program the very objects given, so the probe can tell.
#[test]
fn redirected_streams_reach_the_program_as_pipes() {
    let Some(c) = streams_container("nsc-hostile-fds") else {
        return;
    };
    let dir = common::tempdir("hostile-fds");
    let pipes = lines(["0 pipe:", "1 pipe:", "2 pipe:"]);
    let null = " (its /dev/null)";
    let container_null = [0, 1, 2].map(|n| format!("{n} /dev/null{null}")).to_vec();
    let dir_name = dir.display().to_string();
    for kind in [Kind::File, Kind::Directory, Kind::Socket, Kind::DevNull] {
        for way in PIPED {
            // The host's null device becomes the container's own (nothing
            // to relay; `docker exec -i` gives pipes all the same).
            let expected = match (kind, way) {
                (Kind::DevNull, Way::DockerExec) => &pipes,
                (Kind::DevNull, _) => &container_null,
                _ => &pipes,
            };
            assert_eq!(
                &descriptors_given(&c, way, kind, &dir),
                expected,
                "{way:?} {kind:?}"
            );
        }
        assert_eq!(
            descriptors_given(&c, Way::Detached, kind, &dir),
            container_null,
            "docker-enter -d, {kind:?}"
        );
        // Control: the host's own objects, as given.
        let given = match kind {
            Kind::File => [
                format!("0 {dir_name}/input"),
                format!("1 {dir_name}/log"),
                format!("2 {dir_name}/log"),
            ]
            .to_vec(),
            Kind::Directory => [0, 1, 2].map(|n| format!("{n} {dir_name}")).to_vec(),
            Kind::Socket => lines(["0 socket:", "1 socket:", "2 socket:"]),
            // The host's /dev/null: not the container's.
            Kind::DevNull => [0, 1, 2].map(|n| format!("{n} /dev/null")).to_vec(),
        };
        for way in [Way::UtilLinux, Way::Nsenter] {
            assert_eq!(
                descriptors_given(&c, way, kind, &dir),
                given,
                "{way:?} {kind:?}"
            );
        }
    }
}

/// The host's /dev/null given as one descriptor and a pipe as another:
/// the program gets the container's own /dev/null for the first (nothing
/// to relay) and a pipe for the second; where the container's /dev/null
/// is not the null device (removed, a plain file, a link to one
/// elsewhere), pipes for all, and what the program writes reaches no file
/// of the container's. Control: the probe tells the container's device
/// from a pipe (the first case).
#[test]
fn the_hosts_null_device_becomes_the_containers_own() {
    let Some(c) = streams_container("nsc-hostile-null") else {
        return;
    };
    let given = |way: Way| {
        let cmd = &mut way.command(
            &c,
            &["sh", "-c", "/fdprobe /tmp/fds; echo out; echo err >&2"],
        );
        let out = common::run_within(&mut redirected(cmd, "2>/dev/null"), b"", LIMIT);
        assert_eq!(out.status, "exit 0", "{way:?}: {out:?}");
        (probe_report(&c, "/tmp/fds"), out.stdout)
    };
    let mixed = lines(["0 pipe:", "1 pipe:", "2 /dev/null (its /dev/null)"]);
    for way in OURS {
        assert_eq!(given(way), (mixed.clone(), "out\n".to_string()), "{way:?}");
    }
    let pipes = lines(["0 pipe:", "1 pipe:", "2 pipe:"]);
    for replace in [
        "rm /dev/null && echo plain > /dev/null",
        "rm /dev/null && mknod /tmp/null c 1 3 && ln -s /tmp/null /dev/null",
    ] {
        in_container(&c, replace);
        for way in OURS {
            assert_eq!(
                given(way),
                (pipes.clone(), "out\n".to_string()),
                "{way:?}, {replace}"
            );
        }
        if replace.contains("plain") {
            let file = format!("/proc/{}/root/dev/null", c.pid());
            assert_eq!(std::fs::read_to_string(file).unwrap(), "plain\n");
        }
        in_container(
            &c,
            "rm -f /dev/null /tmp/null && mknod -m 666 /dev/null c 1 3",
        );
    }
}

/// `docker-enter C sh -c 'echo "echo PWNED" > /proc/self/fd/0' < s.sh`
/// leaves the host's script as it was, as `docker exec -i` does. Control:
/// handed the script itself (util-linux nsenter), the container rewrites it.
#[test]
fn a_script_fed_on_stdin_cannot_be_rewritten() {
    let Some(c) = streams_container("nsc-hostile-script") else {
        return;
    };
    let script = common::tempdir("hostile-script").join("s.sh");
    let original = "echo host-original\n";
    let attack = ["sh", "-c", "echo 'echo PWNED' > /proc/self/fd/0"];
    let attacked = |way: Way| {
        std::fs::write(&script, original).unwrap();
        let stdin = File::open(&script).unwrap();
        let status = status_with(
            &mut way.command(&c, &attack),
            [stdin.into(), Stdio::null(), Stdio::inherit()],
        );
        (status.success(), std::fs::read_to_string(&script).unwrap())
    };
    fails_but_for_the_control(
        attacked,
        (true, original.to_string()),
        (true, "echo PWNED\n".to_string()),
    );
}

/// A log that docker-enter's output is appended to (`>> x.log`) can be
/// neither read back nor truncated from inside, as with `docker exec`.
/// Control: handed the log itself, the container prints it and empties it.
#[test]
fn a_log_appended_to_cannot_be_read_back_or_truncated() {
    let Some(c) = streams_container("nsc-hostile-log") else {
        return;
    };
    let log = common::tempdir("hostile-log").join("x.log");
    let secret = "secret-log-line-of-the-host\n";
    // Reading a pipe the program itself writes would wait for ever: the
    // read is cut after a second (a host file is read at once).
    let attack = [
        "sh",
        "-c",
        "exec 3</proc/self/fd/1; timeout 1 cat <&3 >&2; : > /proc/self/fd/1",
    ];
    let err = log.with_extension("err");
    let attacked = |way: Way| {
        std::fs::write(&log, secret).unwrap();
        let out = OpenOptions::new().append(true).open(&log).unwrap();
        let status = status_with(
            &mut way.command(&c, &attack),
            [
                Stdio::null(),
                out.into(),
                File::create(&err).unwrap().into(),
            ],
        );
        let read_back = std::fs::read_to_string(&err).unwrap();
        (
            status.success(),
            read_back.contains(secret.trim_end()),
            std::fs::read_to_string(&log).unwrap(),
        )
    };
    fails_but_for_the_control(
        attacked,
        (true, false, secret.to_string()),
        (true, true, String::new()),
    );
}

/// `docker-enter C cat /proc/self/fd/0/PATH < /` reads nothing of the
/// host: the program's stdin is a pipe, not the host's root directory.
/// Control: handed the host's root, the container reads any host file.
#[test]
fn the_hosts_root_given_as_stdin_cannot_be_walked() {
    let Some(c) = streams_container("nsc-hostile-root") else {
        return;
    };
    let dir = common::tempdir("hostile-root");
    let marker = format!("host-only-{}", std::process::id());
    std::fs::write(dir.join("marker"), &marker).unwrap();
    let through_root = format!("/proc/self/fd/0{}/marker", dir.display());
    let read = |way: Way| {
        let cmd = way.command(&c, &["cat", &through_root]);
        let out = common::run_within(&mut redirected(&cmd, "< /"), b"", LIMIT);
        (out.succeeded(), out.stdout.clone())
    };
    fails_but_for_the_control(read, (false, String::new()), (true, marker));
}

/// Several MB with every byte value (NULs, CR, LF among them), in a
/// pseudo-random order.
fn blob() -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..6 << 20)
        .map(|i: u32| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i % 1024 < 256 {
                (i % 1024) as u8
            } else {
                (x >> 24) as u8
            }
        })
        .collect()
}

/// Bytes pass exactly both ways, whatever the caller's descriptors are:
/// pipes (both at once, through `cat`), a file read and a file written
/// (spliced), a file appended to (which the kernel will not splice into:
/// copied), standard error apart from standard output; as `docker exec`
/// passes them.
#[test]
fn bytes_are_exact_both_ways() {
    let Some(c) = streams_container("nsc-hostile-bytes") else {
        return;
    };
    let blob = blob();
    let dir = common::tempdir("hostile-bytes");
    let input = dir.join("blob");
    std::fs::write(&input, &blob).unwrap();
    for way in [Way::DockerEnter, Way::NsenterConfine, Way::DockerExec] {
        let out = common::run_within(&mut way.command(&c, &["cat"]), &blob, LIMIT);
        out.success();
        assert!(
            out.stdout_bytes == blob,
            "{way:?} | cat |: {} bytes",
            out.stdout_bytes.len()
        );
        let err = common::run_within(&mut way.command(&c, &["sh", "-c", "cat >&2"]), &blob, LIMIT);
        assert!(
            err.stdout.is_empty() && err.stderr_bytes == blob,
            "{way:?} stderr"
        );
    }
    for (name, append) in [("written", false), ("appended", true)] {
        let path = dir.join(name);
        std::fs::write(&path, b"before\n").unwrap();
        let out = OpenOptions::new()
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&path)
            .unwrap();
        let status = status_with(
            &mut Way::DockerEnter.command(&c, &["cat"]),
            [
                File::open(&input).unwrap().into(),
                out.into(),
                Stdio::inherit(),
            ],
        );
        assert!(status.success());
        let mut expected = if append {
            b"before\n".to_vec()
        } else {
            Vec::new()
        };
        expected.extend_from_slice(&blob);
        let got = std::fs::read(&path).unwrap();
        assert!(
            got == expected,
            "file {name}: {} bytes, not {}",
            got.len(),
            expected.len()
        );
    }
}

/// End of file travels both ways: the end of our input is the end of the
/// program's; a program that closes its output ends that stream only; a
/// program that closes its input while more is coming is not held up.
#[test]
fn end_of_file_travels_both_ways() {
    let Some(c) = streams_container("nsc-hostile-eof") else {
        return;
    };
    let run = |way: Way, script: &str, input: &[u8]| {
        let out = common::run_within(&mut way.command(&c, &["sh", "-c", script]), input, LIMIT);
        (out.stdout.clone(), out.stderr.clone(), out.status.clone())
    };
    let plenty = vec![b'x'; 8 << 20];
    for way in [Way::DockerEnter, Way::NsenterConfine, Way::DockerExec] {
        assert_eq!(
            run(way, "cat; echo after-eof", b"abc"),
            ("abcafter-eof\n".into(), String::new(), "exit 0".into()),
            "{way:?}"
        );
        assert_eq!(
            run(way, "echo one; exec >&-; echo two >&2", b""),
            ("one\n".into(), "two\n".into(), "exit 0".into()),
            "{way:?}"
        );
        assert_eq!(
            run(way, "exec <&-; echo closed", &plenty),
            ("closed\n".into(), String::new(), "exit 0".into()),
            "{way:?}"
        );
    }
}

/// What the program leaves unread of a file given as stdin stays for the
/// caller (the relay moves the file's offset back by what it took and the
/// program did not read), so a shell reads on where the program stopped,
/// as without the relay. `docker exec -i` takes it all.
#[test]
fn what_the_program_leaves_unread_of_a_file_stays_for_the_caller() {
    let Some(c) = streams_container("nsc-hostile-unread") else {
        return;
    };
    let lines = common::tempdir("hostile-unread").join("lines");
    std::fs::write(&lines, "1\n2\n3\n4\n").unwrap();
    let script = "read a; echo outer=$a; \"$@\" sh -c 'read b; echo inner=$b'; cat";
    let run = |way: Way| {
        let cmd = way.command(&c, &[]);
        let out = common::run_within(
            Command::new("sh")
                .args(["-c", &format!("exec < {}; {script}", lines.display()), "sh"])
                .arg(cmd.get_program())
                .args(cmd.get_args()),
            b"",
            LIMIT,
        );
        out.stdout.clone()
    };
    for way in OURS {
        assert_eq!(run(way), "outer=1\ninner=2\n3\n4\n", "{way:?}");
    }
    assert_eq!(run(Way::DockerExec), "outer=1\ninner=2\n", "docker exec -i");
}

/// Input typed at a terminal reaches the program, through a pty (`-t`,
/// and `nsenter --confine` when all three are terminals) and through pipes
/// (`-T`), and the session ends when the program does: the relay reads
/// the terminal only when poll says it has something (a second read
/// would wait for the next line for ever). As with `docker exec -it` and
/// `-i`.
#[test]
fn typed_input_reaches_the_program_at_a_terminal() {
    let Some(c) = streams_container("nsc-hostile-typed") else {
        return;
    };
    let pid = c.pid();
    let program = "sh -c 'read x; echo got=$x'";
    for line in [
        format!("{DOCKER_ENTER} -t {} {program}", c.name),
        format!("{DOCKER_ENTER} -T {} {program}", c.name),
        format!(
            "{} --confine -t {pid} -a {program}",
            env!("CARGO_BIN_EXE_nsenter")
        ),
        format!("docker exec -it {} {program}", c.name),
        format!("docker exec -i {} {program}", c.name),
    ] {
        // script(1) runs the line on a terminal of its own, typing its
        // input there.
        let out = common::run_within(
            Command::new("script").args(["-qec", &line, "/dev/null"]),
            b"abc\n",
            LIMIT,
        );
        let text = out.stdout.as_str();
        assert!(
            out.succeeded() && text.contains("got=abc"),
            "{line}: {out:?}"
        );
    }
}

/// The processes of `c` whose command is `name`.
fn running_in(c: &TestContainer, name: &str) -> usize {
    let ps = docker_ok(&["exec", &c.name, "ps", "-o", "comm"]);
    ps.lines().filter(|l| l.trim() == name).count()
}

/// `docker-enter C yes | head -1` ends at once, as with `docker exec`:
/// when the reader of our output is gone, the program's output pipe is
/// closed, and `yes` dies of SIGPIPE, which is our status too.
#[test]
fn a_reader_that_goes_away_ends_the_program() {
    let Some(c) = streams_container("nsc-hostile-sigpipe") else {
        return;
    };
    let pipeline = |way: Way| {
        let cmd = way.command(&c, &["yes"]);
        let out = common::run_within(
            Command::new("bash")
                .args(["-c", "\"$@\" | head -1; echo \"${PIPESTATUS[0]}\"", "bash"])
                .arg(cmd.get_program())
                .args(cmd.get_args()),
            b"",
            LIMIT,
        );
        out.stdout.clone()
    };
    for way in OURS {
        assert_eq!(pipeline(way), "y\n141\n", "{way:?}");
        assert!(
            common::wait_until(LIMIT, || running_in(&c, "yes") == 0),
            "{way:?}: yes still runs in the container"
        );
    }
    assert_eq!(pipeline(Way::DockerExec), "y\n141\n", "docker exec");
}

/// The exit status is the program's, whatever its streams are.
#[test]
fn the_exit_status_is_the_programs() {
    let Some(c) = streams_container("nsc-hostile-status") else {
        return;
    };
    let dir = common::tempdir("hostile-status");
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, b"x\n").unwrap();
    for way in PIPED {
        let out = File::create(&output).unwrap();
        let status = status_with(
            &mut way.command(&c, &["sh", "-c", "cat; echo to-stderr >&2; exit 7"]),
            [
                File::open(&input).unwrap().into(),
                out.into(),
                Stdio::null(),
            ],
        );
        assert_eq!(common::describe(status), "exit 7", "{way:?}");
        assert_eq!(std::fs::read(&output).unwrap(), b"x\n", "{way:?}");
        // Killed: we die of the same signal; docker exec says 128 + it.
        let status = status_with(
            &mut way.command(&c, &["sh", "-c", "kill -TERM $$"]),
            [
                File::open(&input).unwrap().into(),
                Stdio::null(),
                Stdio::null(),
            ],
        );
        let killed = match way {
            Way::DockerExec => "exit 143",
            _ => "signal 15",
        };
        assert_eq!(common::describe(status), killed, "{way:?}");
    }
}

/// A descriptor the caller left closed is closed in the program (nothing
/// is made up in its place, and none of ours that took its number is
/// left there); the others are pipes. `docker exec` differs: it gives a
/// pipe (or /dev/null without -i) in any case.
#[test]
fn a_closed_descriptor_stays_closed() {
    let Some(c) = streams_container("nsc-hostile-closed") else {
        return;
    };
    let probe = |way: Way, closing: &str| {
        let cmd = way.command(&c, &["/fdprobe", "/tmp/fds"]);
        let out = common::run_within(&mut redirected(&cmd, closing), b"", LIMIT);
        out.success();
        probe_report(&c, "/tmp/fds")
    };
    let cases = [
        ("", ["0 pipe:", "1 pipe:", "2 pipe:"]),
        ("<&-", ["0 closed", "1 pipe:", "2 pipe:"]),
        (">&-", ["0 pipe:", "1 closed", "2 pipe:"]),
        ("2>&-", ["0 pipe:", "1 pipe:", "2 closed"]),
        ("<&- >&- 2>&-", ["0 closed", "1 closed", "2 closed"]),
    ];
    for way in OURS {
        for (closing, expected) in cases {
            assert_eq!(probe(way, closing), lines(expected), "{way:?} {closing}");
        }
    }
    assert_eq!(
        probe(Way::DockerExec, ">&-"),
        lines(["0 pipe:", "1 pipe:", "2 pipe:"]),
        "docker exec makes one up"
    );

    // Until exec, a number the caller left closed may hold a descriptor of
    // ours (a directory of the host's /proc, say), and execve resolves a
    // `#!` interpreter before it closes close-on-exec descriptors: a
    // script can name its interpreter through /proc/self/fd/N/.. and, with
    // the privileges of --privileged, reach the host's root through the
    // root of a host process (here one of the test's). None of ours must
    // be left there to reach through.
    let host_process = common::KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
    let host_pid = host_process.0.id();
    // A shell of the host that runs in a container: static busybox.
    let host_sh = common::tempdir("hostile-closed").join("sh");
    std::os::unix::fs::symlink(common::busybox_image::host_busybox(), &host_sh).unwrap();
    let escaped = format!("/proc/{}/root/tmp/escaped", c.pid());
    for n in 0..=2 {
        let script = format!(
            "#!/proc/self/fd/{n}/../{host_pid}/root{}\necho escaped > /tmp/escaped\n",
            host_sh.display()
        );
        let path = format!("/proc/{}/root/esc{n}", c.pid());
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let _ = std::fs::remove_file(&escaped);
        for way in OURS {
            let cmd = way.command(&c, &[&format!("/esc{n}")]);
            let out = common::run_within(&mut redirected(&cmd, "<&- >&- 2>&-"), b"", LIMIT);
            out.failure();
            assert!(!Path::new(&escaped).exists(), "{way:?}: /esc{n} escaped");
        }
        // Control: with a directory of the host's /proc on that number,
        // the script runs the host's sh.
        let cmd = Way::UtilLinux.command(&c, &[&format!("/esc{n}")]);
        let out = common::run_within(
            &mut redirected(&cmd, &format!("{n}</proc/self")),
            b"",
            LIMIT,
        );
        out.success();
        assert!(
            Path::new(&escaped).exists(),
            "control: /esc{n} did not escape"
        );
    }
}

/// The host processes (outside `c`'s PID namespace) holding `pipe` (as
/// `pipe:[N]`): their command names.
fn host_holders_of(pipe: &str, c: &TestContainer) -> Vec<String> {
    let inside = common::ns_link(&c.pid(), "pid");
    let pids = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok());
    let mut found = Vec::new();
    for pid in pids {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let holds = fds
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .any(|link| link.to_str() == Some(pipe));
        if holds && common::ns_link(&pid.to_string(), "pid") != inside {
            found.push(common::comm(pid));
        }
    }
    found
}

/// `docker-enter -d` in a container whose /dev/null is missing or not the
/// null device (a regular file; the zero device; a symbolic link, even to
/// a null device elsewhere: none is followed) gives the program pipes,
/// never the host's /dev/null: standard input at its end, standard output
/// and error drained by a process of ours on the host, so a program that
/// writes plenty runs to its end; that process ends with the program's
/// output. Control: the same program with the real device gets the
/// container's /dev/null (so the probe tells them apart); `docker exec`
/// runs nothing at all without a /dev/null.
#[test]
fn detached_without_a_null_device_gets_drained_pipes() {
    let Some(c) = streams_container("nsc-hostile-nonull") else {
        return;
    };
    let script = "head -c 3000000 /dev/zero; echo to-stderr >&2; \
                  /fdprobe /tmp/fds; read word < /tmp/go";
    let detached = |context: &str| {
        in_container(&c, "rm -f /tmp/go; mkfifo /tmp/go");
        let out = common::run_within(
            &mut Way::Detached.command(&c, &["sh", "-c", script]),
            b"",
            LIMIT,
        );
        assert_eq!(out.status.clone(), "exit 0", "{context}: {out:?}");
        let report = probe_report_raw(&c, "/tmp/fds");
        let pipe = report[1].split(' ').nth(1).unwrap_or_default().to_string();
        let holders = host_holders_of(&pipe, &c);
        std::fs::write(format!("/proc/{}/root/tmp/go", c.pid()), "go\n").unwrap();
        (strip_numbers(&report), pipe, holders)
    };
    let (report, _, _) = detached("control: the real device");
    let null = [0, 1, 2]
        .map(|n| format!("{n} /dev/null (its /dev/null)"))
        .to_vec();
    assert_eq!(report, null, "control: the real device");

    let replacements = [
        "rm /dev/null",
        "rm /dev/null && echo plain > /dev/null",
        "rm /dev/null && mknod /dev/null c 1 5",
        "rm /dev/null && mknod /tmp/null c 1 3 && ln -s /tmp/null /dev/null",
    ];
    for replace in replacements {
        in_container(&c, replace);
        if replace == "rm /dev/null" {
            let theirs = docker(&["exec", &c.name, "true"]);
            theirs.failure();
        }
        let (report, pipe, holders) = detached(replace);
        assert_eq!(
            report,
            lines(["0 pipe:", "1 pipe:", "2 pipe:"]),
            "after {replace}"
        );
        assert_eq!(holders, ["docker-enter-d"], "after {replace}: {pipe}");
        assert!(
            common::wait_until(LIMIT, || host_holders_of(&pipe, &c).is_empty()),
            "after {replace}: the drain outlived the program"
        );
        in_container(
            &c,
            "rm -f /dev/null /tmp/null && mknod -m 666 /dev/null c 1 3",
        );
    }
}

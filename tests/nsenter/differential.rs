//! Our nsenter against util-linux 2.38 (`/usr/bin/nsenter`) on the same
//! command lines, over targets made here with `unshare`: same stdout and
//! exit status, and the same stderr where the contract says so.
//!
//! Where 2.42 (which we follow) differs from 2.38, the case is in
//! KNOWN_DIFFERENCES with its reason, and both sides are asserted there, so
//! the list stays true.

use crate::common;
use common::RunResult;

use common::*;
use std::process::Command;

/// What the programs print: namespace identities, hostname, credentials and
/// working directory.
const SHOW: &str =
    "for n in cgroup ipc mnt net pid pid_for_children time time_for_children user uts; \
do printf '%s ' $n; readlink /proc/self/ns/$n; done; hostname; id; pwd";

/// One command line, run through both. `{T}` is the full target, `{U}` the
/// user-namespace target (pid, mount, uts), `{V}` the user-namespace target
/// with mount and uts only, `{M}` the time-namespace target, `{SHOW}` the
/// script above, `{FREE}` a PID nobody has.
struct Case {
    args: &'static [&'static str],
    stdin: &'static str,
    /// Compare stderr too (the messages are equal by contract).
    stderr: bool,
}

const fn case(args: &'static [&'static str]) -> Case {
    Case {
        args,
        stdin: "",
        stderr: false,
    }
}

const fn with_stderr(args: &'static [&'static str]) -> Case {
    Case {
        args,
        stdin: "",
        stderr: true,
    }
}

/// The targets of one test, and the values of the placeholders.
#[derive(Default)]
struct Vars {
    targets: Vec<Target>,
    pairs: Vec<(&'static str, String)>,
}

impl Vars {
    fn with(mut self, name: &'static str, target: Target) -> Self {
        self.pairs.push((name, target.pid_str()));
        self.targets.push(target);
        self
    }

    fn fill(&self, text: &str) -> String {
        let mut out = text.replace("{SHOW}", SHOW);
        for (name, value) in &self.pairs {
            out = out.replace(name, value);
        }
        out.replace("{FREE}", &free_pid().to_string())
    }

    fn args(&self, args: &[&str]) -> Vec<String> {
        args.iter().map(|a| self.fill(a)).collect()
    }
}

fn prepare(cmd: &mut Command) -> &mut Command {
    cmd.env("SHELL", "/bin/sh")
        .env("LC_ALL", "C")
        .current_dir("/tmp")
}

/// Run every case through both; return a description of each mismatch.
fn compare_all(vars: &Vars, cases: &[Case]) -> Vec<String> {
    let mut mismatches = Vec::new();
    for case in cases {
        let args = vars.args(case.args);
        let theirs = run(prepare(&mut oracle()).args(&args), case.stdin.as_bytes());
        let mine = run(prepare(&mut ours()).args(&args), case.stdin.as_bytes());
        let same = theirs.stdout == mine.stdout
            && theirs.status == mine.status
            && (!case.stderr || theirs.stderr == mine.stderr);
        // An empty comparison proves nothing: each case must do something.
        let empty = theirs.stdout.is_empty() && theirs.stderr.is_empty();
        if !same || empty {
            mismatches.push(format!(
                "nsenter {args:?}\n  oracle: {theirs:?}\n  ours:   {mine:?}"
            ));
        }
    }
    mismatches
}

fn assert_same(vars: &Vars, cases: &[Case]) {
    let mismatches = compare_all(vars, cases);
    assert!(
        mismatches.is_empty(),
        "{} of {} command lines differ from util-linux:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

fn ready() -> bool {
    require_root_and(&["unshare", ORACLE])
}

#[test]
fn namespace_options_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            case(&["-t", "{T}", "-a", "sh", "-c", "{SHOW}"]),
            case(&["--target", "{T}", "--all", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-m", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-u", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-i", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-n", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-p", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-C", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-T", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-mupn", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-mupniC", "sh", "-c", "{SHOW}"]),
            case(&["-t{T}", "-un", "sh", "-c", "{SHOW}"]),
            case(&["-ut", "{T}", "sh", "-c", "{SHOW}"]),
            case(&["--target={T}", "--uts", "--ipc", "sh", "-c", "{SHOW}"]),
            case(&[
                "--targ", "{T}", "--ut", "--ip", "--cg", "sh", "-c", "{SHOW}",
            ]),
            // Our extensions never make a 2.38 abbreviation ambiguous.
            case(&["--targe", "{T}", "--mou", "--pi", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-m", "-p", "sh", "-c", "{SHOW}"]),
            case(&["--net", "--target", "{T}", "--pid", "sh", "-c", "{SHOW}"]),
            case(&[
                "-m/proc/{T}/ns/mnt",
                "-u/proc/{T}/ns/uts",
                "sh",
                "-c",
                "{SHOW}",
            ]),
            case(&[
                "--mount=/proc/{T}/ns/mnt",
                "--net=/proc/{T}/ns/net",
                "sh",
                "-c",
                "{SHOW}",
            ]),
            case(&[
                "--pid=/proc/{T}/ns/pid",
                "--ipc=/proc/{T}/ns/ipc",
                "sh",
                "-c",
                "{SHOW}",
            ]),
            case(&["--cgroup=/proc/{T}/ns/cgroup", "sh", "-c", "{SHOW}"]),
            // A file given for one kind, the target for the others.
            case(&[
                "-t",
                "{T}",
                "-a",
                "-u/proc/self/ns/uts",
                "sh",
                "-c",
                "{SHOW}",
            ]),
            // -m FILE is "-m" then the program FILE.
            case(&["-t", "{T}", "-u", "-m", "/bin/echo", "x"]),
        ],
    );
}

#[test]
fn root_and_working_directory_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            case(&["-t", "{T}", "-m", "-r", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-m", "-w", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-m", "-r", "-w", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "-m", "-rw", "pwd"]),
            case(&["-t", "{T}", "-u", "-w", "pwd"]),
            case(&["-t", "{T}", "-u", "-w/etc", "pwd"]),
            case(&["-t", "{T}", "-u", "--wd=/usr", "pwd"]),
            case(&["-t", "{T}", "-m", "-W", "/usr", "pwd"]),
            case(&["-t", "{T}", "-m", "--wdns=/etc", "pwd"]),
            case(&["-t", "{T}", "-m", "-r", "-W", "/usr/share", "pwd"]),
            case(&["-t", "{T}", "-m", "--root=/", "pwd"]),
            case(&[
                "-t",
                "{T}",
                "-u",
                "-r/usr",
                "sh",
                "-c",
                "cd /bin && ls -d sh",
            ]),
        ],
    );
}

#[test]
fn credentials_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            case(&["-t", "{T}", "-m", "-S", "1", "-G", "1", "id"]),
            case(&["-t", "{T}", "-p", "-S", "65534", "-G", "65534", "id"]),
            case(&["-t", "{T}", "-u", "--setuid=2", "id"]),
            case(&["-t", "{T}", "-u", "--setgid=3", "id"]),
            case(&["-t", "{T}", "-u", "-S0", "-G0", "id"]),
        ],
    );
}

#[test]
fn user_namespace_matches() {
    if !ready() {
        return;
    }
    let vars = Vars::default()
        .with("{U}", Target::userns())
        .with("{V}", Target::userns_mount_uts());
    assert_same(
        &vars,
        &[
            case(&["-t", "{U}", "-U", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{U}", "-a", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{U}", "-U", "-u", "-m", "-p", "sh", "-c", "{SHOW}"]),
            case(&[
                "-t",
                "{U}",
                "-U",
                "--preserve-credentials",
                "sh",
                "-c",
                "{SHOW}",
            ]),
            case(&["-t", "{U}", "--user", "--pres", "-S", "0", "id"]),
            case(&["-t", "{U}", "-U", "-S", "0", "-G", "0", "id"]),
            case(&["-t", "{U}", "-u", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{V}", "-U", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{V}", "-a", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{V}", "-m", "-u", "sh", "-c", "{SHOW}"]),
            case(&[
                "--user=/proc/{V}/ns/user",
                "--uts=/proc/{V}/ns/uts",
                "sh",
                "-c",
                "{SHOW}",
            ]),
        ],
    );
}

/// util-linux's own case: an ordinary user enters a user namespace it made
/// and another namespace owned by it, by files. Only with the user
/// namespace entered first (in the second pass) may it enter the other:
/// entering it last fails with EPERM. util-linux succeeds (the control:
/// the target is set up as meant); so must we, with the same output.
#[test]
fn an_ordinary_user_enters_its_own_user_namespace_first() {
    if !ready() || !require(have("setpriv"), "setpriv is not installed") {
        return;
    }
    let target = Target::start_via(USER_1000, &["-U", "-u", "--map-root-user"], "hostname u3");
    let pid = target.pid_str();
    let args = [
        "--preserve-credentials".to_string(),
        format!("--user=/proc/{pid}/ns/user"),
        format!("--uts=/proc/{pid}/ns/uts"),
        "sh".into(),
        "-c".into(),
        "hostname; id -u".into(),
    ];
    let as_user = |tool: &str| {
        let mut cmd = Command::new(USER_1000[0]);
        cmd.args(&USER_1000[1..])
            .arg(tool)
            .args(&args)
            .current_dir("/");
        run(&mut cmd, b"")
    };
    let theirs = as_user(ORACLE);
    assert_eq!(
        (theirs.stdout.as_str(), theirs.status.as_str()),
        ("u3\n0\n", "exit 0"),
        "util-linux: {theirs:?}"
    );
    let mine = as_user(env!("CARGO_BIN_EXE_nsenter"));
    assert_eq!(mine, theirs);
}

/// A process in a user namespace of its own whose network namespace
/// belongs to the user namespace above it (`unshare --net`, then `unshare
/// -U` inside): the network namespace can only be entered before the user
/// namespace, whose holder has no power over its parent's namespaces.
/// util-linux enters all but the user namespace first; it succeeds (the
/// control: the program is in both of the target's namespaces), and so
/// must we, by files and through `-t`.
#[test]
fn a_net_namespace_of_the_parent_user_namespace_is_entered_first() {
    if !ready() {
        return;
    }
    let target = Target::start_script(&[], &["--net"], "exec unshare -U -r sleep 600");
    let pid = target.pid_str();
    assert_ne!(ns_link(&pid, "user"), ns_link("self", "user"), "set-up");
    assert_ne!(ns_link(&pid, "net"), ns_link("self", "net"), "set-up");
    let show = "readlink /proc/self/ns/user /proc/self/ns/net; id -u";
    let expected = format!("{}\n{}\n0\n", ns_link(&pid, "user"), ns_link(&pid, "net"));
    let by_files = [
        format!("--user=/proc/{pid}/ns/user"),
        format!("--net=/proc/{pid}/ns/net"),
    ];
    let by_target = ["-t".to_string(), pid.clone(), "-U".into(), "-n".into()];
    for args in [&by_files[..], &by_target[..]] {
        let theirs = run(
            prepare(&mut oracle()).args(args).args(["sh", "-c", show]),
            b"",
        );
        assert_eq!(
            (theirs.stdout.as_str(), theirs.status.as_str()),
            (expected.as_str(), "exit 0"),
            "util-linux {args:?}: {theirs:?}"
        );
        let mine = run(
            prepare(&mut ours()).args(args).args(["sh", "-c", show]),
            b"",
        );
        assert_eq!(mine, theirs, "{args:?}");
    }
}

#[test]
fn time_namespace_matches() {
    if !ready() {
        return;
    }
    let time = Target::time();
    let pid = time.pid_str();
    let vars = Vars::default().with("{M}", time);
    assert_same(
        &vars,
        &[
            case(&["-t", "{M}", "-T", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{M}", "-a", "sh", "-c", "{SHOW}"]),
            case(&["--time=/proc/{M}/ns/time", "sh", "-c", "{SHOW}"]),
        ],
    );
    // The clock is the namespace's: its boot time is 1000 s later.
    let host: f64 = uptime(&sh("cat /proc/uptime"));
    let inside = run(ours().args(["-t", &pid, "-T", "cat", "/proc/uptime"]), b"");
    inside.success();
    let offset = uptime(&inside.stdout) - host;
    assert!(
        (990.0..1100.0).contains(&offset),
        "uptime inside the time namespace is {offset} s ahead, expected 1000"
    );
}

fn uptime(text: &str) -> f64 {
    text.split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("cannot parse /proc/uptime: {text:?}"))
}

#[test]
fn program_and_arguments_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            // Parsing stops at the program; its options are its own.
            case(&["-t", "{T}", "-u", "ls", "-l", "-d", "/etc"]),
            case(&["-t", "{T}", "-u", "echo", "-m", "--net", "--", "-x"]),
            case(&["-t", "{T}", "-u", "--", "ls", "-l", "-d", "/etc"]),
            case(&[
                "-t",
                "{T}",
                "-u",
                "--",
                "sh",
                "-c",
                "echo \"$@\"",
                "sh",
                "-a",
                "--b",
            ]),
            case(&["-t", "{T}", "-u", "--", "hostname"]),
            case(&["-t", "{T}", "-u", "sh", "-c", "echo $0 $1", "--", "-t"]),
            // -F: no fork even with -p; the program is not in the PID namespace
            // but its children would be.
            case(&["-t", "{T}", "-F", "-p", "sh", "-c", "{SHOW}"]),
            case(&["-t", "{T}", "--no-fork", "-p", "-m", "sh", "-c", "{SHOW}"]),
            // No program: a login shell from $SHELL.
            Case {
                args: &["-t", "{T}", "-u"],
                stdin: "echo $0; hostname",
                stderr: true,
            },
            Case {
                args: &["-t", "{T}", "-p", "-m"],
                stdin: "echo $0; hostname",
                stderr: true,
            },
        ],
    );
}

#[test]
fn exit_status_matches() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            with_stderr(&["-t", "{T}", "-u", "sh", "-c", "echo out; exit 3"]),
            with_stderr(&["-t", "{T}", "-p", "sh", "-c", "echo out; exit 3"]),
            with_stderr(&["-t", "{T}", "-p", "sh", "-c", "echo out; exit 255"]),
            with_stderr(&["-t", "{T}", "-u", "sh", "-c", "echo out; kill -9 $$"]),
            with_stderr(&["-t", "{T}", "-p", "sh", "-c", "echo out; kill -9 $$"]),
            with_stderr(&["-t", "{T}", "-p", "sh", "-c", "echo out; kill -TERM $$"]),
            with_stderr(&[
                "-t",
                "{T}",
                "-p",
                "-m",
                "sh",
                "-c",
                "echo out; kill -USR1 $$",
            ]),
            with_stderr(&["-t", "{T}", "-u", "no-such-program-xyz"]),
            with_stderr(&["-t", "{T}", "-p", "no-such-program-xyz"]),
            with_stderr(&["-t", "{T}", "-m", "/no/such/program"]),
            with_stderr(&["-t", "{T}", "-u", "/etc/passwd"]),
            with_stderr(&["-t", "{T}", "-p", "/etc/passwd"]),
            with_stderr(&["-t", "{T}", "-u", "/etc"]),
            with_stderr(&["-t", "{T}", "-u", "--", "-x"]),
        ],
    );
}

#[test]
fn parse_errors_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            with_stderr(&["--bogus"]),
            with_stderr(&["--bogus=1", "-t", "{T}", "-u", "true"]),
            with_stderr(&["-x"]),
            with_stderr(&["-mx"]),
            with_stderr(&["-t"]),
            with_stderr(&["-u", "-t"]),
            with_stderr(&["--target"]),
            with_stderr(&["-t", "{T}", "-u", "-S"]),
            with_stderr(&["-t", "{T}", "-u", "-G"]),
            with_stderr(&["-t", "{T}", "-u", "-W"]),
            Case {
                args: &["-t", "{T}", "-u", "--wdns"],
                stdin: "echo shell",
                stderr: true,
            },
            with_stderr(&["--p", "-t", "{T}", "true"]),
            with_stderr(&["--uts=/x", "--pres=1", "true"]),
            with_stderr(&["-t", "abc", "-m", "true"]),
            with_stderr(&["-t", "1a", "-m", "true"]),
            with_stderr(&["-t", "", "-m", "true"]),
            with_stderr(&["--target=", "-m", "true"]),
            with_stderr(&["-t", "{T}", "-S", "abc", "-m", "true"]),
            with_stderr(&["-t", "{T}", "-G", "abc", "-m", "true"]),
            with_stderr(&["-t", "{T}", "-w", "-W", "/", "-m", "true"]),
        ],
    );
}

#[test]
fn open_and_setns_errors_match() {
    if !ready() {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    assert_same(
        &vars,
        &[
            with_stderr(&["--mount=/etc/passwd", "true"]),
            with_stderr(&["-t", "{T}", "--mount=/proc/{T}/ns/net", "true"]),
            with_stderr(&["--uts=/proc/{T}/ns/ipc", "true"]),
            with_stderr(&["--mount=/no/such/file", "true"]),
            with_stderr(&["-t", "{T}", "-m", "-r/no/such/dir", "true"]),
            with_stderr(&["-t", "{T}", "-m", "-w/no/such/dir", "true"]),
            with_stderr(&["-t", "{T}", "-m", "-W", "/no/such/dir", "true"]),
            with_stderr(&["-m", "true"]),
            with_stderr(&["-u", "-n", "true"]),
            with_stderr(&["-r", "-u/proc/{T}/ns/uts", "true"]),
            // The target's user namespace is ours: setns refuses it.
            with_stderr(&["-t", "{T}", "-U", "true"]),
        ],
    );
}

/// util-linux passes the caller's descriptors on to the program (`3<file`,
/// `5>file`, and whatever else the caller has open) and none of its own;
/// so do we, whether the program is exec'd directly, forked into the PID
/// namespace, or reached through namespace files and a new root.
#[test]
fn inherited_descriptors_reach_the_program() {
    if !ready() || !require(have("bash"), "bash is not installed") {
        return;
    }
    let vars = Vars::default().with("{T}", Target::full());
    let dir = tempdir("inherited-fds");
    let input = dir.join("in");
    std::fs::write(&input, "read through 3\n").unwrap();
    let cases: [&[&str]; 5] = [
        &["-t", "{T}", "-u"],
        &["-t", "{T}", "-a"],
        &["-t", "{T}", "-p"],
        &["--uts=/proc/{T}/ns/uts", "--net=/proc/{T}/ns/net"],
        &["-t", "{T}", "-m", "-p", "-r", "-w"],
    ];
    for case in cases {
        let output = dir.join("out");
        let side = |tool: &str| {
            let mut args = vars.args(case);
            args.extend(["sh", "-c", "cat <&3; echo written to 5 >&5"].map(String::from));
            let io = run(&mut with_fds_3_and_5(tool, &input, &output, &args), b"");
            let written = std::fs::read_to_string(&output).unwrap_or_default();
            let mut args = vars.args(case);
            args.extend(["ls", "-l", "/proc/self/fd"].map(String::from));
            let listing = run(&mut with_fds_3_and_5(tool, &input, &output, &args), b"");
            (io, written, fd_table(&listing.stdout), listing.status)
        };
        let theirs = side(ORACLE);
        let mine = side(env!("CARGO_BIN_EXE_nsenter"));
        assert_eq!(
            (&theirs.0.stdout, &theirs.1, &theirs.3),
            (
                &"read through 3\n".to_string(),
                &"written to 5\n".to_string(),
                &"exit 0".to_string()
            ),
            "set-up failed, nsenter {case:?}: {theirs:?}"
        );
        assert_eq!(mine, theirs, "nsenter {case:?}");
        assert!(
            ["3 -> ", "5 -> "]
                .iter()
                .all(|fd| mine.2.iter().any(|l| l.starts_with(fd))),
            "nsenter {case:?}: {:?}",
            mine.2
        );
    }
}

/// How one side must behave in a known difference.
struct Expect {
    status: &'static str,
    stdout: Text,
    stderr: Text,
}

enum Text {
    Exact(&'static str),
    Prefix(&'static str),
    Contains(&'static str),
}

impl Text {
    fn check(&self, vars: &Vars, got: &str) -> bool {
        match self {
            Text::Exact(want) => got == vars.fill(want),
            Text::Prefix(want) => got.starts_with(&vars.fill(want)),
            Text::Contains(want) => got.contains(&vars.fill(want)),
        }
    }
}

/// One place where util-linux 2.38 and we (following 2.42, or going further)
/// part, with the reason.
struct Difference {
    reason: &'static str,
    /// Runs the tool through this launcher (e.g. as another user).
    launcher: &'static [&'static str],
    args: &'static [&'static str],
    oracle: Expect,
    ours: Expect,
}

const fn fails(stderr: &'static str) -> Expect {
    Expect {
        status: "exit 1",
        stdout: Text::Exact(""),
        stderr: Text::Exact(stderr),
    }
}

const fn fails_with(stderr: Text) -> Expect {
    Expect {
        status: "exit 1",
        stdout: Text::Exact(""),
        stderr,
    }
}

const fn prints(stdout: &'static str) -> Expect {
    Expect {
        status: "exit 0",
        stdout: Text::Exact(stdout),
        stderr: Text::Exact(""),
    }
}

/// THE list of known differences between util-linux 2.38 and ours.
const KNOWN_DIFFERENCES: &[Difference] = &[
    Difference {
        reason: "2.42 refuses to run without any namespace option; 2.38 ran the program \
                 without entering anything",
        launcher: &[],
        args: &["echo", "ran"],
        oracle: prints("ran\n"),
        ours: fails("nsenter: no namespace specified\n"),
    },
    Difference {
        reason: "PID 0 is not a process: 2.42 refuses it while parsing; 2.38 took 0 as \
                 'no target'",
        launcher: &[],
        args: &["-t", "0", "-m", "echo", "ran"],
        oracle: fails("nsenter: neither filename nor target pid supplied for ns/mnt\n"),
        ours: fails("nsenter: failed to parse pid: '0'\n"),
    },
    Difference {
        reason: "2.38 read a negative PID as a huge unsigned number",
        launcher: &[],
        args: &["-t", "-5", "-m", "echo", "ran"],
        oracle: fails("nsenter: cannot open /proc/4294967291/ns/mnt: No such file or directory\n"),
        ours: fails("nsenter: failed to parse pid: '-5'\n"),
    },
    Difference {
        reason: "2.38 truncated a PID beyond 32 bits",
        launcher: &[],
        args: &["-t", "99999999999", "-m", "echo", "ran"],
        oracle: fails("nsenter: cannot open /proc/1215752191/ns/mnt: No such file or directory\n"),
        ours: fails("nsenter: failed to parse pid: '99999999999'\n"),
    },
    Difference {
        reason: "2.42 refuses --target given twice; 2.38 took the last one",
        launcher: &[],
        args: &["-t", "{T}", "--target", "{T}", "-u", "hostname"],
        oracle: prints("t1\n"),
        ours: fails_with(Text::Prefix("nsenter: ")),
    },
    Difference {
        reason: "we hold the target by pidfd first, so a missing process is reported as such",
        launcher: &[],
        args: &["-t", "{FREE}", "-m", "echo", "ran"],
        oracle: fails_with(Text::Prefix("nsenter: cannot open /proc/")),
        ours: fails_with(Text::Prefix("nsenter: cannot open process ")),
    },
    Difference {
        reason: "an unprivileged caller: 2.38 fails opening /proc/PID/ns/*, we fail at the \
                 pidfd setns and say what is needed",
        launcher: NOBODY,
        args: &["-t", "{T}", "-u", "echo", "ran"],
        oracle: fails("nsenter: cannot open /proc/{T}/ns/uts: Permission denied\n"),
        ours: fails(
            "nsenter: reassociate to namespaces failed: Operation not permitted \
             (root or CAP_SYS_ADMIN is needed)\n",
        ),
    },
    Difference {
        reason: "the version is ours",
        launcher: &[],
        args: &["-V"],
        oracle: prints("nsenter from util-linux 2.38.1\n"),
        ours: Expect {
            status: "exit 0",
            stdout: Text::Prefix("nsenter "),
            stderr: Text::Exact(""),
        },
    },
    Difference {
        reason: "the help lists the options newer than 2.38 and our extensions",
        launcher: &[],
        args: &["--help"],
        oracle: Expect {
            status: "exit 0",
            stdout: Text::Prefix("\nUsage:\n nsenter [options] [<program> [<argument>...]]\n"),
            stderr: Text::Exact(""),
        },
        ours: Expect {
            status: "exit 0",
            stdout: Text::Contains("--kill-child"),
            stderr: Text::Exact(""),
        },
    },
    // Options newer than 2.38 (2.39: -e, follow; 2.40: -c, --user-parent,
    // --keep-caps; 2.41: -N) and our extensions are unknown to the oracle.
    Difference {
        reason: "-e/--env is new in 2.39",
        launcher: &[],
        args: &["-t", "{T}", "-u", "-e", "echo", "ran"],
        oracle: fails("nsenter: invalid option -- 'e'\nTry 'nsenter --help' for more information.\n"),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "-S follow is new in 2.39",
        launcher: &[],
        args: &["-t", "{T}", "-u", "-S", "follow", "echo", "ran"],
        oracle: fails("nsenter: failed to parse uid: 'follow'\n"),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "-G follow is new in 2.39",
        launcher: &[],
        args: &["-t", "{T}", "-u", "-G", "follow", "echo", "ran"],
        oracle: fails("nsenter: failed to parse gid: 'follow'\n"),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "-c/--join-cgroup is new in 2.40",
        launcher: &[],
        args: &["-t", "{T}", "-u", "--join-cgroup", "echo", "ran"],
        oracle: fails(
            "nsenter: unrecognized option '--join-cgroup'\nTry 'nsenter --help' for more information.\n",
        ),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "--keep-caps is new in 2.40",
        launcher: &[],
        args: &["-t", "{T}", "-u", "--keep-caps", "echo", "ran"],
        oracle: fails(
            "nsenter: unrecognized option '--keep-caps'\nTry 'nsenter --help' for more information.\n",
        ),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "--user-parent is new in 2.40",
        launcher: &[],
        args: &["-t", "{V}", "-U", "--user-parent", "-u", "hostname"],
        oracle: fails(
            "nsenter: unrecognized option '--user-parent'\nTry 'nsenter --help' for more information.\n",
        ),
        ours: prints("u2\n"),
    },
    Difference {
        reason: "-N/--net-socket is new in 2.41",
        launcher: &[],
        args: &["-t", "{T}", "-N", "0", "echo", "ran"],
        oracle: fails("nsenter: invalid option -- 'N'\nTry 'nsenter --help' for more information.\n"),
        ours: fails_with(Text::Prefix("nsenter: ")),
    },
    Difference {
        reason: "--kill-child is our extension",
        launcher: &[],
        args: &["-t", "{T}", "-p", "--kill-child", "echo", "ran"],
        oracle: fails(
            "nsenter: unrecognized option '--kill-child'\nTry 'nsenter --help' for more information.\n",
        ),
        ours: prints("ran\n"),
    },
    Difference {
        reason: "--mount-proc is our extension",
        launcher: &[],
        args: &["-t", "{T}", "-p", "--mount-proc", "echo", "ran"],
        oracle: fails(
            "nsenter: unrecognized option '--mount-proc'\nTry 'nsenter --help' for more information.\n",
        ),
        ours: prints("ran\n"),
    },
    // New long options make some prefixes that 2.38 accepted ambiguous.
    Difference {
        reason: "--us: --user-parent (2.40) joined --user",
        launcher: &[],
        args: &["-t", "{V}", "--us", "echo", "ran"],
        oracle: prints("ran\n"),
        ours: fails_with(Text::Prefix("nsenter: option '--us' is ambiguous; possibilities:")),
    },
    Difference {
        reason: "--ne: --net-socket (2.41) joined --net",
        launcher: &[],
        args: &["-t", "{T}", "--ne", "echo", "ran"],
        oracle: prints("ran\n"),
        ours: fails_with(Text::Prefix("nsenter: option '--ne' is ambiguous; possibilities:")),
    },
    Difference {
        reason: "--n: the list of possibilities now has --net-socket",
        launcher: &[],
        args: &["--n", "-t", "{T}", "true"],
        oracle: fails(
            "nsenter: option '--n' is ambiguous; possibilities: '--net' '--no-fork'\n\
             Try 'nsenter --help' for more information.\n",
        ),
        ours: fails_with(Text::Contains("'--net-socket'")),
    },
];

fn check_side(vars: &Vars, who: &str, want: &Expect, got: &RunResult) -> Option<String> {
    let ok = got.status == want.status
        && want.stdout.check(vars, &got.stdout)
        && want.stderr.check(vars, &got.stderr);
    (!ok).then(|| format!("  {who}: {got:?}"))
}

#[test]
fn known_differences_hold() {
    if !ready() || !require(have("setpriv"), "setpriv is not installed") {
        return;
    }
    let vars = Vars::default()
        .with("{T}", Target::full())
        .with("{V}", Target::userns_mount_uts());
    let mut wrong = Vec::new();
    for diff in KNOWN_DIFFERENCES {
        let args = vars.args(diff.args);
        let launch = |tool: &str| {
            let mut cmd = match diff.launcher.split_first() {
                Some((first, rest)) => {
                    let mut cmd = Command::new(first);
                    cmd.args(rest).arg(tool);
                    cmd
                }
                None if tool == ORACLE => oracle(),
                None => ours(),
            };
            prepare(&mut cmd).args(&args);
            run(&mut cmd, b"")
        };
        let theirs = launch(ORACLE);
        let mine = launch(env!("CARGO_BIN_EXE_nsenter"));
        let problems: Vec<String> = [
            check_side(&vars, "oracle", &diff.oracle, &theirs),
            check_side(&vars, "ours", &diff.ours, &mine),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            wrong.push(format!(
                "nsenter {args:?} ({})\n{}",
                diff.reason,
                problems.join("\n")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} known differences do not hold as listed:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

//! Bad input: each case fails with its exit status and its message, and
//! nothing is half-done (the program, which would leave a marker, never runs).

use crate::common;

use common::*;
use std::path::PathBuf;

/// One bad command line. `{T}` is a target, `{FREE}` a PID nobody has,
/// `{INO}` a wrong pidfd inode, `{RUN...}` the marker-leaving program.
struct Bad {
    args: &'static [&'static str],
    /// Runs nsenter through this launcher (e.g. as another user).
    launcher: &'static [&'static str],
    status: &'static str,
    /// The whole of stderr, or its start when it ends in `*`.
    stderr: &'static str,
}

const fn bad(args: &'static [&'static str], status: &'static str, stderr: &'static str) -> Bad {
    Bad {
        args,
        launcher: &[],
        status,
        stderr,
    }
}

const TRY: &str = "Try 'nsenter --help' for more information.\n";

const BAD_INPUT: &[Bad] = &[
    bad(
        &["-t", "abc", "-m", "{RUN}"],
        "exit 1",
        "nsenter: failed to parse pid: 'abc'\n",
    ),
    bad(
        &["-t", "0", "-m", "{RUN}"],
        "exit 1",
        "nsenter: failed to parse pid: '0'\n",
    ),
    bad(
        &["-t", "-5", "-m", "{RUN}"],
        "exit 1",
        "nsenter: failed to parse pid: '-5'\n",
    ),
    bad(
        &["-t", "99999999999", "-m", "{RUN}"],
        "exit 1",
        "nsenter: failed to parse pid: '99999999999'\n",
    ),
    bad(
        &["-t", "{FREE}", "-m", "{RUN}"],
        "exit 1",
        "nsenter: cannot open process {FREE}: No such process\n",
    ),
    bad(&["-t", "{T}:{INO}", "-u", "{RUN}"], "exit 1", "nsenter: *"),
    bad(
        &["--mount=/etc/passwd", "{RUN}"],
        "exit 1",
        "nsenter: reassociate to namespace 'ns/mnt' failed: Invalid argument\n",
    ),
    bad(
        &["-t", "{T}", "--mount=/proc/{T}/ns/net", "{RUN}"],
        "exit 1",
        "nsenter: reassociate to namespace 'ns/mnt' failed: Invalid argument\n",
    ),
    bad(
        &["--bogus", "{RUN}"],
        "exit 1",
        "nsenter: unrecognized option '--bogus'\n*",
    ),
    bad(
        &["-t"],
        "exit 1",
        "nsenter: option requires an argument -- 't'\n*",
    ),
    bad(
        &["-t", "{T}", "--target", "{T}", "-u", "{RUN}"],
        "exit 1",
        "nsenter: *",
    ),
    bad(
        &["-t", "{T}", "-w", "-W", "/", "-m", "{RUN}"],
        "exit 1",
        "nsenter: mutually exclusive arguments: --wdns --wd\n",
    ),
    bad(&["{RUN}"], "exit 1", "nsenter: no namespace specified\n"),
    bad(
        &["-t", "{T}", "-m", "no-such-program-xyz"],
        "exit 127",
        "nsenter: failed to execute no-such-program-xyz: No such file or directory\n",
    ),
    bad(
        &["-t", "{T}", "-p", "/etc/passwd"],
        "exit 126",
        "nsenter: failed to execute /etc/passwd: Permission denied\n",
    ),
    Bad {
        args: &["-t", "{T}", "-u", "{RUN}"],
        launcher: NOBODY,
        status: "exit 1",
        stderr: "nsenter: reassociate to namespaces failed: Operation not permitted \
                 (root or CAP_SYS_ADMIN is needed)\n",
    },
];

fn matches(want: &str, got: &str) -> bool {
    match want.strip_suffix('*') {
        Some(start) => got.starts_with(start),
        None => got == want,
    }
}

#[test]
fn bad_input_fails_cleanly() {
    if !require_root_and(&["unshare", "setpriv"]) {
        return;
    }
    let target = Target::full();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bad-{}", target.pid));
    std::fs::create_dir_all(&dir).unwrap();
    let marker = dir.join("ran");
    let ran = format!("/bin/touch {}", marker.display());
    let fill = |text: &str, free: &str| {
        text.replace("{T}", &target.pid_str())
            .replace("{FREE}", free)
            .replace("{INO}", "1")
    };

    // The marker works: a good command line leaves it.
    let out = run(
        ours()
            .args(["-t", &target.pid_str(), "-u", "/bin/touch"])
            .arg(&marker),
        b"",
    );
    assert!(out.status == "exit 0" && marker.exists(), "{out:#?}");
    std::fs::remove_file(&marker).unwrap();

    let mut wrong = Vec::new();
    for case in BAD_INPUT {
        let free = free_pid().to_string();
        let mut args = Vec::new();
        for arg in case.args {
            match *arg {
                "{RUN}" => args.extend(ran.split(' ').map(str::to_string)),
                _ => args.push(fill(arg, &free)),
            }
        }
        let mut cmd = match case.launcher.split_first() {
            Some((first, rest)) => {
                let mut cmd = std::process::Command::new(first);
                cmd.args(rest).arg(env!("CARGO_BIN_EXE_nsenter"));
                cmd
            }
            None => ours(),
        };
        let out = run(cmd.args(&args).current_dir("/"), b"");
        let want = fill(case.stderr, &free);
        let lines = if want.contains(TRY) || want.ends_with("\n*") {
            2
        } else {
            1
        };
        let usage_hint_ok = lines == 1 || out.stderr.ends_with(TRY);
        if out.status != case.status
            || !out.stdout.is_empty()
            || !matches(&want, &out.stderr)
            || out.stderr.lines().count() != lines
            || !usage_hint_ok
            || marker.exists()
        {
            wrong.push(format!(
                "nsenter {args:?}\n  want {} {want:?}\n  got  {out:?} (program ran: {})",
                case.status,
                marker.exists()
            ));
            let _ = std::fs::remove_file(&marker);
        }
    }
    assert!(
        wrong.is_empty(),
        "{} bad inputs not handled as they should be:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn an_error_is_one_write_of_whole_lines() {
    if !require_root_and(&["unshare", "strace"]) {
        return;
    }
    let target = Target::full();
    let nsenter = env!("CARGO_BIN_EXE_nsenter");
    // A usage error, and a failure reported by the forked child.
    let usage = stderr_writes(std::process::Command::new(nsenter).arg("--bogus"));
    assert_eq!(
        usage,
        [
            r#""nsenter: unrecognized option '--bogus'\nTry 'nsenter --help' for more information.\n""#
        ]
    );
    let child = stderr_writes(std::process::Command::new(nsenter).args([
        "-t",
        &target.pid_str(),
        "-p",
        "no-such-program-xyz",
    ]));
    assert_eq!(
        child,
        [r#""nsenter: failed to execute no-such-program-xyz: No such file or directory\n""#]
    );
}

/// `sleep` with an environment of 30 variables of 100,000 bytes (3 MB),
/// exec'd with no stack limit, as only then the kernel takes that much.
fn target_with_a_big_environment() -> KillOnDrop {
    let script = "big=$(head -c 100000 /dev/zero | tr '\\0' v)
        for i in $(seq 30); do export \"BIG$i=$big\"; done
        exec sleep 600";
    let child = std::process::Command::new("prlimit")
        .args(["--stack=unlimited", "sh", "-c", script])
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(
        wait_until(std::time::Duration::from_secs(20), || comm(pid) == "sleep"),
        "the target did not come up"
    );
    KillOnDrop(child)
}

#[test]
fn an_environ_beyond_what_execve_accepts_is_refused() {
    if !require_root_and(&["prlimit"]) {
        return;
    }
    let target = target_with_a_big_environment();
    let pid = target.0.id().to_string();
    let nsenter_with_stack = |stack: &str| {
        run_measured(
            std::process::Command::new("prlimit")
                .arg(format!("--stack={stack}"))
                .args([env!("CARGO_BIN_EXE_nsenter"), "-t", &pid, "-u", "-e"])
                .args(["sh", "-c", "echo $BIG30 | wc -c"])
                .stdin(std::process::Stdio::null()),
        )
    };
    let m = nsenter_with_stack("8388608");
    m.stderr_is(format!(
        "nsenter: /proc/{pid}/environ: larger than 2 MiB, the most the kernel accepts \
             for a program's environment and arguments (a quarter of the 8 MiB stack limit: \
             see ulimit -s)\n"
    ));
    assert_eq!(m.status, "exit 1");
    m.cheap();
    // Control: with no stack limit the kernel takes it, and so do we.
    let m = nsenter_with_stack("unlimited");
    assert_eq!(
        (m.stdout.as_str(), m.status.as_str()),
        ("100001\n", "exit 0"),
        "{m:#?}"
    );
}

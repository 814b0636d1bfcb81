//! Helpers of the confinement tests (docker-enter's, and nsenter's
//! `--confine`): an image with a probe and a hunter, the probe that shows a
//! process's confinement, seccomp profiles and filters, and the hunter for
//! the host binary (runc CVE-2019-5736).

use super::busybox_image::{build_custom, GROUP, PASSWD};
use super::{docker, static_c, TestContainer};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const HUNTER_C: &str = include_str!("programs/hunter.c");
pub const CAPPROBE_C: &str = include_str!("programs/capprobe.c");
pub const SECCOMP_DENY_C: &str = include_str!("programs/seccomp_deny.c");
pub const STRICT_MODE_C: &str = include_str!("programs/strict_mode.c");
pub const VFORK_PARKED_C: &str = include_str!("programs/vfork_parked.c");

/// x86_64 system call numbers the tests deny (the only target built here).
pub const NR_PTRACE: &str = "101";
pub const NR_MKDIR: &str = "83";
pub const NR_MKDIRAT: &str = "258";
pub const NR_MOUNT_SETATTR: &str = "442";
pub const NR_OPEN_TREE: &str = "428";
pub const NR_MEMFD_CREATE: &str = "319";
/// PTRACE_SECCOMP_GET_FILTER, ptrace's first argument.
pub const PTRACE_SECCOMP_GET_FILTER: &str = "0x420c";

/// What a process's confinement looks like from inside, each line made by
/// a child of the shell that runs it (so it also shows what a child
/// inherits): capabilities, no_new_privs and seccomp; the OOM score and
/// every limit; the umask; and what three attempts that confinement may
/// forbid come to (a block device node, a mount, a directory).
pub const PROBE: &str = "grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status; \
    echo oom_score_adj $(cat /proc/self/oom_score_adj); \
    cat /proc/self/limits; \
    echo umask $(umask); \
    out=$(mknod /tmp/dev$$ b 8 0 2>&1); echo mknod $? ${out##*: }; rm -f /tmp/dev$$; \
    out=$(mount -t tmpfs x /mnt 2>&1); echo mount $? ${out##*: }; umount /mnt 2>/dev/null; \
    out=$(mkdir /tmp/dir$$ 2>&1); echo mkdir $? ${out##*: }; rmdir /tmp/dir$$ 2>/dev/null; \
    sleep 60 & echo grandchild $(grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/$!/status); kill $!";

/// The probe with `--tools=DIR`, then (its last line) how many mounts of
/// the toolbox `dir` the program sees: 1 shows the tools were there.
pub fn probe_with_tools(dir: &Path) -> String {
    let needle = super::tools::mount_needle(dir);
    format!("{PROBE}; grep -cF '{needle}' /proc/self/mountinfo")
}

/// The output of [`probe_with_tools`]: the probe's lines, and the count.
pub fn split_tools_count(output: &str) -> (String, String) {
    let (probe, count) = output
        .trim_end()
        .rsplit_once('\n')
        .unwrap_or_else(|| panic!("no probe in:\n{output}"));
    (format!("{probe}\n"), count.to_string())
}

/// Assert that the probe printed the same through our tool (`ours`) as
/// through `docker exec` (`theirs`) in the container whose process is
/// `pid`, but for one known difference, asserted on both sides:
///
/// - "Max open files": runc built with Go 1.19 or later sometimes gives the
///   exec'd process a soft limit raised to the hard one (its parent's
///   prlimit races with the Go runtime raising its own limit at start), so
///   `docker exec` shows the container's limit or that raised one. Ours is
///   exactly the container process's.
pub fn assert_same_as_docker_exec(ours: &str, theirs: &str, pid: &str, context: &str) {
    const NOFILE: &str = "Max open files";
    // Soft and hard limit of a "Max open files" row.
    let values = |row: &str| -> (String, String) {
        let fields: Vec<&str> = row.split_whitespace().collect();
        (fields[3].to_string(), fields[4].to_string())
    };
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let (soft, hard) = values(limits.lines().find(|l| l.starts_with(NOFILE)).unwrap());
    let ours_lines: Vec<&str> = ours.lines().collect();
    let theirs_lines: Vec<&str> = theirs.lines().collect();
    assert_eq!(
        ours_lines.len(),
        theirs_lines.len(),
        "{context}:\n{ours}\nagainst docker exec:\n{theirs}"
    );
    for (o, t) in ours_lines.iter().zip(&theirs_lines) {
        if o.starts_with(NOFILE) {
            assert_eq!(values(o), (soft.clone(), hard.clone()), "{context}: ours");
            let (t_soft, t_hard) = values(t);
            assert!(
                (t_soft == soft || t_soft == hard) && t_hard == hard,
                "{context}: docker exec gave {t:?}"
            );
        } else {
            assert_eq!(o, t, "{context}: ours (left) against docker exec (right)");
        }
    }
}

/// The probe's lines that nsenter --confine reproduces too (nsenter keeps
/// the caller's umask and environment, as util-linux does).
pub fn confinement_lines(probe_output: &str) -> String {
    probe_output
        .lines()
        .filter(|l| !l.starts_with("umask"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// busybox with the test users, a world-writable /tmp, /mnt, the hunter,
/// and the capability probe installed set-user-ID root; None (after
/// skipping, or failing under CI) without gcc -static.
pub fn image() -> Option<&'static str> {
    let hunter = static_c::require("hunter", HUNTER_C)?;
    let capprobe = static_c::require("capprobe", CAPPROBE_C)?;
    let dockerfile = "FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/tmp\", \"/mnt\", \"/home/alice\", \"/home/bob\"]
RUN [\"/bin/busybox\", \"chmod\", \"1777\", \"/tmp\"]
COPY passwd group /etc/
COPY hunter capprobe /
RUN [\"/bin/busybox\", \"chmod\", \"4755\", \"/capprobe\"]
";
    let read = |p: &Path| std::fs::read(p).unwrap();
    let (hunter, capprobe) = (read(&hunter), read(&capprobe));
    Some(build_custom(
        "nsenter-can-test/docker-enter:confine",
        dockerfile,
        &[
            ("passwd", PASSWD.as_bytes(), 0o644),
            ("group", GROUP.as_bytes(), 0o644),
            ("hunter", &hunter, 0o755),
            ("capprobe", &capprobe, 0o755),
        ],
    ))
}

/// A seccomp profile for `docker run --security-opt seccomp=FILE` that
/// allows everything but mkdir, which fails with EACCES.
pub fn mkdir_denied_profile() -> PathBuf {
    let path = super::tempdir("seccomp-profile").join("mkdir-eacces.json");
    std::fs::write(
        &path,
        r#"{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#,
    )
    .unwrap();
    path
}

/// The container options of `docker run --privileged`, or the nearest
/// this engine grants (`PRIVILEGED_EQUIVALENT`).
pub fn privileged_shape(image: &str) -> &'static [&'static str] {
    let privileged = docker(&["run", "--rm", "--privileged", image, "true"]);
    match privileged.succeeded() {
        true => &["--privileged"],
        false => super::PRIVILEGED_EQUIVALENT,
    }
}

/// A container of [`image`] that sleeps, run with `shape` (its `docker
/// run` options), when the tests can run here (root, Docker, gcc -static;
/// else None, after skipping or failing under CI).
pub fn sleeping_container(name: &str, shape: &[&str]) -> Option<super::TestContainer> {
    if !super::docker_enter::ready() {
        return None;
    }
    let image = image()?;
    Some(super::TestContainer::run(
        name,
        shape,
        image,
        &["sleep", "100000"],
    ))
}

/// The image of these tests and the seccomp-deny wrapper; None (after
/// skipping, or failing under CI) without gcc -static.
pub fn image_and_deny() -> Option<(&'static str, PathBuf)> {
    let image = image()?;
    Some((image, static_c::require("seccomp-deny", SECCOMP_DENY_C)?))
}

/// A container's process: CapEff, CapBnd and the like as it shows them.
pub fn status_line(pid: &str, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(&format!("{key}:")))
        .unwrap_or_default()
        .to_string()
}

/// A PATH of many directories that do not exist, then /bin: the program's
/// process tries each before it execs, which holds the window between fork
/// and exec open long enough for a hunter to find it.
pub fn slow_path() -> String {
    let mut dirs: Vec<String> = (0..3000).map(|i| format!("/no/such/dir{i}")).collect();
    dirs.push("/bin".into());
    dirs.join(":")
}

/// "DEV:INO" of a file, as the hunter prints it.
pub fn file_id(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    format!("{}:{}", meta.dev(), meta.ino())
}

/// A copy of `binary` in a directory of its own (the hunter may write to
/// what it catches: never to the build's own binaries).
pub fn copy_of(binary: &str, name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = super::tempdir(&format!("copy-{name}")).join(name);
    std::fs::copy(binary, &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The hunter, running as root with CAP_SYS_PTRACE in a container of its
/// own, and what it has reported.
pub struct Hunter {
    pub container: TestContainer,
}

impl Hunter {
    pub fn start(image: &str, name: &str) -> Hunter {
        let container = TestContainer::run(name, &["--cap-add", "SYS_PTRACE"], image, &["/hunter"]);
        let hunter = Hunter { container };
        hunter.wait_for("the hunter to start", |log| log.contains("ready\n"));
        hunter
    }

    pub fn log(&self) -> String {
        docker(&["logs", &self.container.name]).stdout
    }

    /// Poll the report until `pred` holds; None after 30 s.
    pub fn wait(&self, mut pred: impl FnMut(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.log();
            if pred(&log) {
                return Some(log);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for(&self, what: &str, pred: impl FnMut(&str) -> bool) -> String {
        self.wait(pred)
            .unwrap_or_else(|| panic!("waiting for {what}; the hunter said:\n{}", self.log()))
    }

    /// Run `attempt` (a tool entering the hunter's container) until the
    /// hunter holds an executable of ours, as `held_line` recognises its
    /// report line; false if it never does within the deadline.
    pub fn catch(&self, held_line: impl Fn(&str) -> bool, mut attempt: impl FnMut()) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            attempt();
            if self.log().lines().any(&held_line) {
                return true;
            }
        }
        false
    }

    /// Tell the hunter to make its last attempts (after the tool exited)
    /// and return its whole report. The file that tells it is made from
    /// the host, through the container's root: `docker exec` would start
    /// one more process for it to catch.
    pub fn finish(&self) -> String {
        let stop = format!("/proc/{}/root/tmp/hunter-stop", self.container.pid());
        std::fs::write(&stop, "").unwrap_or_else(|e| panic!("cannot create {stop}: {e}"));
        self.wait_for("the hunter's last attempts", |log| log.contains("done\n"))
    }
}

/// The calls a filter the container wrote must not fake for us (x86_64):
/// capset, setgroups, setresuid, setuid, setgid, setresgid, close_range,
/// prctl and close.
const FAKED: [&str; 9] = ["126", "116", "117", "105", "106", "119", "436", "157", "3"];

/// A container holding CAP_SYS_ADMIN whose process has stacked, on top of
/// Docker's filter, one of its own that makes [`FAKED`] calls return 0
/// without doing anything (`seccomp-deny 0`, which needs no no_new_privs
/// with CAP_SYS_ADMIN), then sleeps. `docker exec` gets Docker's filter
/// only. None (after skipping, or failing under CI) without gcc -static.
pub fn faking_container(name: &str) -> Option<TestContainer> {
    let (image, deny) = image_and_deny()?;
    let mount = format!("{}:/seccomp-deny:ro", deny.display());
    let mut init = vec!["/seccomp-deny", "0", "any"];
    init.extend(FAKED);
    init.extend(["--", "/bin/sleep", "100000"]);
    let c = TestContainer::run(
        name,
        &["--cap-add", "SYS_ADMIN", "-v", &mount],
        image,
        &init,
    );
    let pid = c.pid();
    let filtered = super::wait_until(Duration::from_secs(10), || {
        super::comm(pid.parse().unwrap()) == "sleep"
    });
    assert!(filtered, "the container's process did not start sleeping");
    assert_eq!(status_line(&pid, "Seccomp_filters"), "Seccomp_filters:\t2");
    Some(c)
}

/// The line of /proc/PID/status that counts the filters.
const FILTERS: &str = "Seccomp_filters";

/// What the program holds, as it sees it: capabilities, no_new_privs and
/// seccomp, its uid and gid.
pub const FAKED_PROBE: &str = "grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status; id -u; id -g";

/// Assert that the program, entered by a tool, holds what `docker exec`
/// gives in a [`faking_container`]: every line the same but the filter
/// count, one more (the container's own filter, which the tool copies from
/// the live process and `docker exec` does not have).
pub fn assert_same_but_the_faking_filter(ours: &str, theirs: &str, context: &str) {
    let without = |probe: &str| -> String {
        probe
            .lines()
            .filter(|l| !l.starts_with(FILTERS))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(without(ours), without(theirs), "{context}: ours (left)");
    let count = |probe: &str| -> u32 {
        let line = probe.lines().find(|l| l.starts_with(FILTERS));
        let line = line.unwrap_or_else(|| panic!("{context}: no {FILTERS} in {probe}"));
        line[FILTERS.len() + 1..].trim().parse().unwrap()
    };
    assert_eq!(count(ours), count(theirs) + 1, "{context}:\n{ours}");
}

/// Scripts in the container (`/tmp/fdN`, for N from 3 to 20) whose `#!`
/// interpreter is its `/bin/echo` reached through descriptor N of the
/// process that execs them: a descriptor of ours still open at execve (a
/// directory of the container's, like the root we hold) would run it and
/// print `via-fd-N`. Returns their paths in the container.
pub fn fd_scripts(pid: &str) -> Vec<String> {
    (3..=20)
        .map(|n| {
            let path = format!("/tmp/fd{n}");
            let host = format!("/proc/{pid}/root{path}");
            std::fs::write(&host, format!("#!/proc/self/fd/{n}/bin/echo via-fd-{n}\n")).unwrap();
            let runnable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
            std::fs::set_permissions(&host, runnable).unwrap();
            path
        })
        .collect()
}

/// The control of [`fd_scripts`]: a descriptor open at execve is followed.
/// nsenter --confine passes on what it inherited, as util-linux does: a
/// descriptor 9 of the container's root makes `/tmp/fd9` print `via-fd-9`
/// under the container's confinement.
pub fn assert_an_open_descriptor_is_followed(pid: &str) {
    let line = format!("exec 9</proc/{pid}/root; exec \"$0\" --confine -t {pid} -a /tmp/fd9",);
    let out = super::run(
        std::process::Command::new("bash").args(["-c", &line, env!("CARGO_BIN_EXE_nsenter")]),
        b"",
    );
    assert!(
        out.stdout.starts_with("via-fd-9 "),
        "control: an inherited descriptor 9 was not followed: {out:?}"
    );
}

/// Run `runs` commands at once (each thread waits for the others before it
/// starts its own); their outputs, each within its deadline.
pub fn all_at_once(
    runs: usize,
    command: impl Fn() -> std::process::Command + Sync,
) -> Vec<super::RunResult> {
    let start = std::sync::Barrier::new(runs);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..runs)
            .map(|_| {
                scope.spawn(|| {
                    let mut cmd = command();
                    start.wait();
                    super::run(&mut cmd, b"")
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

/// Three rounds of eight runs at once, every one of which must succeed:
/// each copies the target's filters while the others may be tracing it,
/// and waits for them instead of refusing.
pub fn assert_concurrent_runs_succeed(command: impl Fn() -> std::process::Command + Sync) {
    for _ in 0..3 {
        for out in all_at_once(8, &command) {
            out.success();
        }
    }
}

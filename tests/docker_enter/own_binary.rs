//! Security rule 6, tried as a hostile container would (runc
//! CVE-2019-5736): a hunter with CAP_SYS_PTRACE in the container loops
//! over /proc/*/exe, keeps a descriptor of the entering tool's binary
//! while the tool's child runs it, and tries to reopen it for writing,
//! during the run and after. docker-enter (and nsenter --confine) must
//! never let it: the binary is never opened for writing and its bytes do
//! not change. The control, our nsenter without --confine (as exposed as
//! util-linux's), shows that the hunter does write to a binary left open
//! to it. The sealed copy in memory, where no read-only mount can be made,
//! can change neither its bytes nor its size.
//!
//! Security rule 3 in the same window: a process of the program's uid in
//! the container, without privileges, finds the tool's child after its
//! change of uid (while it searches PATH) and cannot open its /proc files.
//!
//! Needs root, a daemon and gcc -static.

use crate::common;
use common::RunResult;

use common::confinement::{
    self, copy_of, file_id, slow_path, Hunter, NR_MEMFD_CREATE, NR_MOUNT_SETATTR, NR_OPEN_TREE,
};
use common::docker_enter::{ready, DOCKER_ENTER};
use common::{docker, TestContainer};
use std::path::Path;
use std::process::Command;
use std::sync::MutexGuard;

/// What the hunter made of one tool's binary.
struct Hunt {
    /// The copy's "DEV:INO".
    id: String,
    /// The hunter's report lines about the copy, their first three words.
    lines: Vec<String>,
    report: String,
    changed: bool,
}

/// Run a copy of `binary` into a hunter's container (`tool` makes the
/// command line from the copy's path, the container and its PID) until
/// the hunter holds the executable that `held` recognises, let the hunter
/// try again once the tool has exited, and say what became of the copy.
fn hunt(
    name: &str,
    binary: &str,
    held: impl Fn(&str, &str) -> bool,
    tool: impl Fn(&Path, &str, &str) -> Command,
) -> Option<Hunt> {
    if !ready() {
        return None;
    }
    let image = confinement::image()?;
    let hunter = Hunter::start(image, name);
    let base = Path::new(binary).file_name().unwrap().to_str().unwrap();
    let copy = copy_of(binary, base);
    let id = file_id(&copy);
    let before = std::fs::read(&copy).unwrap();
    let pid = hunter.container.pid();
    let caught = hunter.catch(
        |line| held(line, &id),
        || {
            // Whatever the program does; the window before its exec is
            // what counts.
            let _ = common::run(&mut tool(&copy, &hunter.container.name, &pid), b"");
        },
    );
    assert!(
        caught,
        "the hunter never caught the tool's process, so this test shows nothing:\n{}",
        hunter.log()
    );
    let report = hunter.finish();
    let lines = report
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(id.as_str()))
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    let changed = std::fs::read(&copy).unwrap() != before;
    Some(Hunt {
        id,
        lines,
        report,
        changed,
    })
}

/// The hunter holds the copy itself (DEV:INO), seen through whatever
/// mount.
fn holds_the_copy(line: &str, id: &str) -> bool {
    line.starts_with(&format!("held {id} "))
}

impl Hunt {
    fn has(&self, line: &str) -> bool {
        self.lines.iter().any(|l| l == line)
    }

    /// The binary was never opened for writing and never changed.
    fn assert_untouched(&self, id_of: &str) {
        assert!(
            !self.lines.iter().any(|l| l.starts_with("write-opened")),
            "{id_of}'s binary was opened for writing:\n{}",
            self.report
        );
        assert!(!self.changed, "{id_of}'s binary changed");
    }
}

#[test]
fn the_hunter_never_writes_to_docker_enter() {
    let Some(hunt) = hunt("nsc-hunt-de", DOCKER_ENTER, holds_the_copy, |copy, c, _| {
        let mut cmd = Command::new(copy);
        cmd.args(["-e", &format!("PATH={}", slow_path()), c, "true"]);
        cmd
    }) else {
        return;
    };
    hunt.assert_untouched("docker-enter");
    assert!(
        hunt.has(&format!("final {} EROFS", hunt.id)),
        "after docker-enter exited, a write must fail with EROFS:\n{}",
        hunt.report
    );
}

#[test]
fn the_hunter_never_writes_to_nsenter_confine() {
    let nsenter = env!("CARGO_BIN_EXE_nsenter");
    let Some(hunt) = hunt("nsc-hunt-ns", nsenter, holds_the_copy, |copy, _, pid| {
        let mut cmd = Command::new(copy);
        cmd.args(["--confine", "-t", pid, "-a", "true"])
            .env("PATH", slow_path());
        cmd
    }) else {
        return;
    };
    hunt.assert_untouched("nsenter --confine");
}

/// The control: without --confine, nsenter (like util-linux's) leaves its
/// binary open to the hunter, which writes to it once nsenter has exited.
#[test]
fn control_the_hunter_writes_to_an_unprotected_binary() {
    let nsenter = env!("CARGO_BIN_EXE_nsenter");
    let Some(hunt) = hunt("nsc-hunt-ctl", nsenter, holds_the_copy, |copy, _, pid| {
        let mut cmd = Command::new(copy);
        cmd.args(["-t", pid, "-a", "true"]).env("PATH", slow_path());
        cmd
    }) else {
        return;
    };
    assert!(
        hunt.lines.iter().any(|l| l.starts_with("wrote ")),
        "the hunter did not write to an unprotected binary:\n{}",
        hunt.report
    );
    assert!(hunt.changed, "the write did not reach the file");
}

/// docker-enter under a filter that fails the system calls `nrs` with
/// `errno`: it runs from a sealed copy in memory, which the hunter can open
/// but never change, and the binary on disk is never reached.
fn a_sealed_copy_is_run_when_denied(name: &str, errno: &str, nrs: &[&str]) {
    let Some((_, deny)) = confinement::image_and_deny() else {
        return;
    };
    // Caught once the hunter holds the copy in memory, or the binary on
    // disk (which fails the test below).
    let in_memory = |line: &str, id: &str| {
        (line.starts_with("held ") && line.contains("memfd:")) || holds_the_copy(line, id)
    };
    // --privileged: under a filter of our own, the container's filters
    // cannot be copied (that refusal has a test of its own).
    let Some(hunt) = hunt(name, DOCKER_ENTER, in_memory, |copy, c, _| {
        let mut cmd = Command::new(&deny);
        cmd.args([errno, "any"])
            .args(nrs)
            .arg("--")
            .arg(copy)
            .args([
                "--privileged",
                "-e",
                &format!("PATH={}", slow_path()),
                c,
                "true",
            ]);
        cmd
    }) else {
        return;
    };
    assert!(
        hunt.lines.is_empty(),
        "the hunter reached the binary on disk:\n{}",
        hunt.report
    );
    assert!(
        !hunt.report.lines().any(|l| l.starts_with("wrote ")),
        "the hunter changed an executable:\n{}",
        hunt.report
    );
    assert!(!hunt.changed, "docker-enter's binary changed");
}

/// A kernel without mount_setattr (as a filter makes it look).
#[test]
fn without_mount_setattr_a_sealed_copy_is_run() {
    a_sealed_copy_is_run_when_denied("nsc-hunt-memfd", "38", &[NR_MOUNT_SETATTR]);
}

/// open_tree denied with EPERM while we hold CAP_SYS_ADMIN (a host LSM, or
/// a filter on docker-enter itself, as in a container with Docker's
/// default profile).
#[test]
fn open_tree_denied_a_sealed_copy_is_run() {
    a_sealed_copy_is_run_when_denied("nsc-hunt-eperm", "1", &[NR_OPEN_TREE]);
}

/// Neither a read-only clone nor a sealed copy can be made: nothing runs,
/// one line says why and how to run the binary as it is; and the way it
/// names, the binary on a read-only mount, runs under the same filter.
#[test]
fn without_any_protected_copy_nothing_runs() {
    if !ready() || !common::require(common::have("unshare"), "unshare is missing") {
        return;
    }
    let Some((image, deny)) = confinement::image_and_deny() else {
        return;
    };
    let c = TestContainer::run("nsc-own-none", &[], image, &["sleep", "100000"]);
    let denied = |binary: &Path| {
        let mut cmd = Command::new(&deny);
        cmd.args(["1", "any", NR_OPEN_TREE, NR_MEMFD_CREATE, "--"])
            .arg(binary)
            .args(["--privileged", &c.name, "touch", "/tmp/started"]);
        cmd
    };
    let out = common::run(&mut denied(Path::new(DOCKER_ENTER)), b"");
    assert_eq!(
        (out.status.as_str(), out.stderr.as_str()),
        (
            "exit 1",
            "docker-enter: cannot run docker-enter from a copy the container cannot write: \
             Operation not permitted (docker-enter on a read-only mount (mount --bind -o ro) \
             runs as it is)\n"
        )
    );
    let started = docker(&["exec", &c.name, "test", "-e", "/tmp/started"]);
    started.failure();
    // The way out: a copy on a read-only bind mount (in a mount namespace
    // of this run only) needs neither call.
    let dir = copy_of(DOCKER_ENTER, "docker-enter");
    let dir = dir.parent().unwrap().to_str().unwrap().to_string();
    let line = format!("mount --bind -o ro {dir} {dir} && exec \"$@\"",);
    let inner = denied(&Path::new(&dir).join("docker-enter"));
    let out = common::run(
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &line, "sh"])
            .arg(inner.get_program())
            .args(inner.get_args()),
        b"",
    );
    out.success();
    let started = docker(&["exec", &c.name, "test", "-e", "/tmp/started"]);
    started.success();
}

/// The copy in memory docker-enter runs from where no read-only mount can
/// be made is sealed against every change: its bytes (F_SEAL_WRITE), its
/// size either way (F_SEAL_SHRINK, F_SEAL_GROW), and its seals
/// (F_SEAL_SEAL). Held from the host through the waiting docker-enter's
/// /proc/PID/exe, as the hunter holds it, and reopened for writing once
/// docker-enter has exited (while it runs, the kernel refuses any writer):
/// each change is tried and refused.
#[test]
fn the_sealed_copy_can_change_in_no_way() {
    use rustix::fs::SealFlags;
    use std::os::unix::fs::FileExt;
    let Some(c) = confinement::sleeping_container("nsc-own-sealed", &[]) else {
        return;
    };
    let Some((_, deny)) = confinement::image_and_deny() else {
        return;
    };
    // mount_setattr denied as on a kernel without it (ENOSYS).
    let mut cmd = Command::new(&deny);
    cmd.args(["38", "any", NR_MOUNT_SETATTR, "--", DOCKER_ENTER])
        .args([
            "--privileged",
            &c.name,
            "sh",
            "-c",
            "echo READY; exec sleep 60",
        ]);
    let mut session = common::Running::start(&mut cmd);
    assert!(session.wait_output("READY"), "{}", session.output());
    let exe = format!("/proc/{}/exe", session.pid());
    let link = std::fs::read_link(&exe).unwrap();
    assert!(link.to_string_lossy().starts_with("/memfd:"), "{link:?}");
    let copy = std::fs::File::open(&exe).unwrap();
    let all = SealFlags::SEAL | SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE;
    assert_eq!(rustix::fs::fcntl_get_seals(&copy).unwrap() & all, all);
    common::kill(session.program("sleep"), libc::SIGTERM);
    assert_eq!(session.wait(), "signal 15");
    // Each change, through a descriptor that may write.
    let reopen = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&copy));
    let writable = std::fs::OpenOptions::new()
        .write(true)
        .open(reopen)
        .unwrap();
    let size = writable.metadata().unwrap().len();
    assert!(writable.write_at(b"X", 0).is_err(), "written");
    assert!(writable.set_len(size / 2).is_err(), "shrunk");
    assert!(writable.set_len(size * 2).is_err(), "grown");
    assert!(
        rustix::fs::fcntl_add_seals(&writable, SealFlags::FUTURE_WRITE).is_err(),
        "sealed further"
    );
    assert_eq!(writable.metadata().unwrap().len(), size);
}

const PEEKER_C: &str = include_str!("../common/programs/peeker.c");

/// fs.suid_dumpable for the length of a test, restored when it ends; the
/// host-setting lock is held meanwhile (common/serial.rs).
struct SuidDumpable {
    before: String,
    _serial: MutexGuard<'static, ()>,
}

impl SuidDumpable {
    const PATH: &str = "/proc/sys/fs/suid_dumpable";

    fn set(value: &str) -> SuidDumpable {
        let serial = common::serial::host_setting();
        let before = std::fs::read_to_string(Self::PATH).unwrap();
        std::fs::write(Self::PATH, value).unwrap();
        SuidDumpable {
            before,
            _serial: serial,
        }
    }
}

impl Drop for SuidDumpable {
    fn drop(&mut self) {
        let _ = std::fs::write(Self::PATH, self.before.trim());
    }
}

/// Between its change of uid and its exec, the program's process holds
/// docker-enter's memory: it must stay non-dumpable. The kernel makes a
/// process that changes its uid dumpable as fs.suid_dumpable says; with 1
/// (as debugging hosts set it, and as this test sets it for its length),
/// only our own PR_SET_DUMPABLE after the change keeps a process of the
/// same uid out. A peeker running as uid 1000 in the container, without
/// privileges, catches docker-enter's child while it searches a PATH of
/// 3000 missing directories as uid 1000, and is denied its fd, environ,
/// exe and root; the control, a process `docker exec -u 1000` started, is
/// open to it.
/// Confined, and with `--privileged` (where no change of capabilities
/// follows the change of uid), each run by a copy of its own name, which
/// the peeker tells apart.
#[test]
fn the_program_stays_undumpable_from_its_change_of_uid_to_exec() {
    if !ready() {
        return;
    }
    let Some(peeker) = common::static_c::require("peeker", PEEKER_C) else {
        return;
    };
    let peeker = std::fs::read(peeker).unwrap();
    let tag = common::busybox_image::build_custom(
        "nsenter-can-test/docker-enter:peeker",
        "FROM scratch\nCOPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN [\"/bin/busybox\", \"mkdir\", \"-m\", \"1777\", \"/tmp\"]\nCOPY peeker /\n",
        &[("peeker", &peeker, 0o755)],
    );
    let _dumpable = SuidDumpable::set("1");
    let c = TestContainer::run(
        "nsc-own-peek",
        &["-u", "1000"],
        tag,
        &[
            "/peeker",
            "1000",
            "/bin/busybox",
            "docker-enter",
            "de-privileged",
            "peeker",
        ],
    );
    let log = || stdout_of(&docker(&["logs", &c.name]));
    let wait_log = |what: &str, pred: &dyn Fn(&str) -> bool| {
        let ok = common::wait_until(std::time::Duration::from_secs(30), || pred(&log()));
        assert!(ok, "waiting for {what}; the peeker said:\n{}", log());
    };
    wait_log("the peeker to start", &|l| l.contains("ready\n"));
    // Control: a dumpable process of uid 1000 is open to it (another
    // peeker, which watches for nothing).
    let other = docker(&[
        "exec", "-d", "-u", "1000", &c.name, "/peeker", "1000", "/peeker", "-",
    ]);
    other.success();
    wait_log("the control", &|l| l.contains("opened peeker fd\n"));
    // Until the peeker has been denied the child (it saw the process alive
    // after its change of uid), or has opened anything of it.
    let path = format!("PATH={}", slow_path());
    for (name, options) in [
        ("docker-enter", &[][..]),
        ("de-privileged", &["--privileged"]),
    ] {
        let copy = copy_of(DOCKER_ENTER, name);
        let caught = common::wait_until(std::time::Duration::from_secs(60), || {
            let mut cmd = Command::new(&copy);
            cmd.args(options)
                .args(["-u", "1000", "-e", &path, &c.name, "true"]);
            let _ = common::run(&mut cmd, b"");
            log().contains(&format!("d {name} "))
        });
        assert!(caught, "the peeker never caught {name}'s child:\n{}", log());
    }
    let stop = format!("/proc/{}/root/tmp/peeker-stop", c.pid());
    std::fs::write(&stop, "").unwrap();
    wait_log("the peeker to end", &|l| l.contains("done\n"));
    let report = log();
    assert!(
        !report.contains("opened docker-enter") && !report.contains("opened de-privileged"),
        "the child was open to the peeker:\n{report}"
    );
}

fn stdout_of(out: &RunResult) -> String {
    out.stdout.clone()
}

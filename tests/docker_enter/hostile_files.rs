//! docker-enter against files made to hurt it: the container's /etc/passwd
//! and /etc/group as a hostile root would write them, and env files an
//! operator might pass by mistake (/dev/zero, a FIFO that never ends, a
//! huge sparse file). Each run stays under 64 MB of memory; each refusal
//! comes at once (before `common::QUICK`) as one line naming the file and
//! the limit, and starts nothing.

use crate::common;

use common::busybox_image::build_custom;
use common::docker_enter::{ready, sleeping, DOCKER_ENTER};
use common::{run_measured, RunResult, TestContainer};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The control, `docker exec C true`, over the hostile files: runc reads
/// them whole, which on a busy machine takes longer than a tool of ours
/// may (its time is not under test).
fn docker_exec_true(c: &TestContainer) -> RunResult {
    let mut cmd = Command::new("docker");
    cmd.args(["exec", &c.name, "true"]);
    common::run_within(&mut cmd, b"", std::time::Duration::from_secs(180))
}

fn measured(args: &[&str]) -> RunResult {
    run_measured(Command::new(DOCKER_ENTER).args(args).stdin(Stdio::null()))
}

/// The container's root as its processes see it, reached from the host
/// (root here): what a hostile root can write, the test writes.
fn root_of(c: &TestContainer) -> PathBuf {
    let pid = c.pid();
    PathBuf::from(format!("/proc/{pid}/root"))
}

/// Write `path` with `len` bytes: `line` repeated, cut at `len`.
fn write_repeated(path: &Path, line: &[u8], len: usize) {
    let _ = std::fs::remove_file(path);
    let mut file = std::io::BufWriter::new(File::create(path).unwrap());
    let mut left = len;
    while left > 0 {
        let n = left.min(line.len());
        file.write_all(&line[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn hostile_passwd_and_group_files() {
    let Some(c) = sleeping("nsc-de-hostile", &[]) else {
        return;
    };
    let root = root_of(&c);
    let (passwd, group) = (root.join("etc/passwd"), root.join("etc/group"));
    let in_c = |what: &str| format!("in container {}: {what}", c.name);

    // 63 MB of colons, one line each: docker exec refuses them too.
    write_repeated(&passwd, b":", 63_000_000);
    write_repeated(&group, b":", 63_000_000);
    measured(&[&c.name, "true"])
        .refused(format!(
            "docker-enter: {}",
            &in_c("/etc/passwd: line 1 is longer than 64 KiB")
        ))
        .cheap();
    let theirs = docker_exec_true(&c);
    assert!(
        format!("{}{}", theirs.stdout, theirs.stderr).contains("too long"),
        "control: docker exec refuses such a file too"
    );

    // 63 MB of lines of 60,000 colons, each within the limit, then root:
    // read through in passing, at no cost in memory.
    let colons = [vec![b':'; 60_000], b"\n".to_vec()].concat();
    write_repeated(&passwd, &colons, 63_000_000 - 63_000_000 % colons.len());
    append(&passwd, "root:x:0:0:root:/root:/bin/sh\n");
    write_repeated(&group, &colons, 63_000_000 - 63_000_000 % colons.len());
    append(&group, "root:x:0:\n");
    let m = measured(&[&c.name, "sh", "-c", "echo in $HOME"]);
    m.cheap();
    assert_eq!(
        (m.stdout.as_str(), m.status.as_str()),
        ("in /root\n", "exit 0"),
        "{m:#?}"
    );
    assert!(
        docker_exec_true(&c).succeeded(),
        "control: docker exec accepts such a file too"
    );

    // A 5 GB sparse group file: nothing but NUL bytes.
    std::fs::write(&passwd, "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    common::sparse_file(&group, 5 << 30);
    measured(&[&c.name, "true"])
        .refused(format!(
            "docker-enter: {}",
            &in_c("/etc/group: line 1 is longer than 64 KiB")
        ))
        .cheap();

    // More than 256 MiB of acceptable lines, and a user not in them.
    write_repeated(&passwd, &colons, (256 << 20) + 1);
    std::fs::write(&group, "root:x:0:\n").unwrap();
    measured(&["-u", "nobody-here", &c.name, "true"])
        .refused(format!(
            "docker-enter: {}",
            &in_c("/etc/passwd: larger than 256 MiB")
        ))
        .cheap();

    // A FIFO that nobody writes (docker exec would wait on it forever).
    std::fs::remove_file(&passwd).unwrap();
    common::sh(&format!("mkfifo {}", passwd.display()));
    measured(&[&c.name, "true"])
        .refused(format!(
            "docker-enter: {}",
            &in_c("/etc/passwd is not a regular file")
        ))
        .cheap();
}

#[test]
fn a_user_in_more_groups_than_the_kernel_allows() {
    if !ready() {
        return;
    }
    let mut group = b"root:x:0:\nalice:x:1000:\n".to_vec();
    for i in 0..70_000 {
        group.extend_from_slice(format!("g{i}:x:{}:alice\n", 2000 + i).as_bytes());
    }
    let dockerfile = "FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
COPY passwd group /etc/
";
    let tag = build_custom(
        "nsenter-can-test/docker-enter:groups",
        dockerfile,
        &[
            (
                "passwd",
                b"root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/:/bin/sh\n",
                0o644,
            ),
            ("group", &group, 0o644),
        ],
    );
    let c = TestContainer::run("nsc-de-groups", &[], tag, &["sleep", "100000"]);
    measured(&["-u", "alice", &c.name, "true"])
        .refused(format!(
            "docker-enter: in container {}: user alice is in more than 65536 groups, \
             the most the kernel allows (NGROUPS_MAX)",
            c.name
        ))
        .cheap();
    // Control: the same user with an explicit group (so without the
    // member groups) is fine. (docker exec -u alice spends minutes on this
    // file, then fails with "setgroups: invalid argument".)
    let m = measured(&["-u", "alice:alice", &c.name, "id", "-G"]);
    assert_eq!(m.stdout, "1000\n", "{m:#?}");
}

#[test]
fn hostile_env_files_are_refused_before_any_lookup() {
    // Env files are read before the daemon is asked: no container needed.
    let dir = common::tempdir("de-hostile-env");
    let (files, feeder) = common::endless_inputs(&dir);
    let comments = dir.join("comments");
    write_repeated(
        &comments,
        &[b"#".as_slice(), &[b'c'; 100_000], b"\n"].concat(),
        (64 << 20) + 1,
    );
    let refusals = files.iter().map(|file| {
        let message = format!(
            "env file {}: line 1 is longer than 128 KiB, the most the kernel accepts \
             for one variable (MAX_ARG_STRLEN)",
            file.display()
        );
        (file, message)
    });
    let too_large = format!("env file {}: larger than 64 MiB", comments.display());
    for (file, message) in refusals.chain([(&comments, too_large)]) {
        let file = file.to_str().unwrap();
        measured(&["--env-file", file, "no-such-container", "true"])
            .refused(format!("docker-enter: {}", message))
            .cheap();
    }
    feeder.join().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn env_files_may_set_what_a_program_can_be_given() {
    let dir = common::tempdir("de-hostile-budget");
    let file = dir.join("env");
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!("VARIABLE_{i:06}=value\n"));
    }
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    // 100,000 variables of 21 bytes need 3.1 MiB: more than a quarter of
    // an 8 MiB stack limit, less than the kernel's 6 MiB ceiling.
    let with_stack = |stack: &str| {
        run_measured(
            Command::new("prlimit")
                .arg(format!("--stack={stack}"))
                .args([
                    DOCKER_ENTER,
                    "--env-file",
                    file,
                    "no-such-container",
                    "true",
                ])
                .stdin(Stdio::null()),
        )
    };
    with_stack("8388608").refused(format!(
            "docker-enter: env file {file}: its variables need more than 2 MiB, the most the kernel \
             accepts for a program's environment and arguments (a quarter of the 8 MiB \
             stack limit: see ulimit -s)"
        )).cheap();
    // Control: with no stack limit the same file is read through, and the
    // run goes on to look the container up (and fails there).
    let m = with_stack("unlimited");
    assert!(
        m.status == "exit 1" && !m.stderr.contains("env file"),
        "{m:#?}"
    );
}

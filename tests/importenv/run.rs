//! importenv run as a built binary: exactly the file's environment, bytes
//! kept, up to what execve accepts and no further, PATH searched in the new
//! environment; hostile files refused at once, cheaply, by name.

use crate::common;

use common::{run_measured, tempdir, RunResult};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

const IMPORTENV: &str = env!("CARGO_BIN_EXE_importenv");

fn importenv(args: &[&std::ffi::OsStr]) -> RunResult {
    common::run(
        Command::new(IMPORTENV).args(args).env("HOST_ONLY", "leak"),
        b"",
    )
}

#[test]
fn environment_is_exactly_the_files_bytes() {
    let dir = tempdir("importenv-exact");
    let mut block: Vec<u8> = Vec::new();
    for entry in [
        &b"SPACES=a  b c "[..],
        b"EQUALS=x=y==z",
        b"EMPTY=",
        b"BYTES=\xff\xfe\x80 not utf-8",
        b"PATH=/usr/bin:/bin",
    ] {
        block.extend_from_slice(entry);
        block.push(0);
    }
    // More than 1 MiB and 1024 variables, the seed's limits.
    for i in 0..1500 {
        block.extend_from_slice(format!("BIG{i}=").as_bytes());
        block.extend(std::iter::repeat_n(b'v', 800));
        block.push(0);
    }
    assert!(block.len() > 1 << 20);
    let file = dir.join("environ");
    std::fs::write(&file, &block).unwrap();

    let out = importenv(&[file.as_os_str(), "env".as_ref(), "-0".as_ref()]);
    out.success();
    assert!(
        out.stdout_bytes == block,
        "env -0 printed a different environment"
    );
}

#[test]
fn path_is_searched_in_the_new_environment() {
    let dir = tempdir("importenv-path");
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let script = bin.join("only-here");
    std::fs::write(&script, "#!/bin/sh\necho found \"$GREETING\"\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.join("environ");
    let mut block = b"PATH=".to_vec();
    block.extend_from_slice(bin.as_os_str().as_bytes());
    block.extend_from_slice(b"\0GREETING=hi there\0");
    std::fs::write(&file, block).unwrap();

    let out = importenv(&[file.as_os_str(), "only-here".as_ref()]);
    assert_eq!(out.stdout.as_str(), "found hi there\n");
    out.success();
}

#[test]
fn exit_status_is_passed_on() {
    let dir = tempdir("importenv-status");
    let file = dir.join("environ");
    std::fs::write(&file, b"PATH=/usr/bin:/bin\0").unwrap();
    let out = importenv(&[
        file.as_os_str(),
        "sh".as_ref(),
        "-c".as_ref(),
        "exit 9".as_ref(),
    ]);
    out.code_is(9);
}

#[test]
fn clear_errors_for_missing_file_command_and_usage() {
    let out = importenv(&["/nope".as_ref(), "true".as_ref()]);
    out.code_is(1)
        .stderr_is("importenv: cannot read /nope: No such file or directory\n");

    let dir = tempdir("importenv-errors");
    let file = dir.join("environ");
    std::fs::write(&file, b"PATH=/usr/bin:/bin\0").unwrap();
    let out = importenv(&[file.as_os_str(), "no-such-command-xyz".as_ref()]);
    out.code_is(127)
        .stderr_is("importenv: failed to execute no-such-command-xyz: No such file or directory\n");
    let out = importenv(&[file.as_os_str(), dir.as_os_str()]);
    out.code_is(126);

    let out = importenv(&[file.as_os_str()]);
    out.code_is(1)
        .stderr_is("importenv: no command given\nTry 'importenv --help' for more information.\n");
    let out = importenv(&["--help".as_ref()]);
    assert!(out
        .stdout
        .as_str()
        .contains("importenv <environ-file> <command>"));
}

/// importenv under a stack limit (`prlimit --stack`), measured.
fn with_stack(stack: &str, file: &Path, command: &[&str]) -> RunResult {
    run_measured(
        Command::new("prlimit")
            .arg(format!("--stack={stack}"))
            .arg(IMPORTENV)
            .arg(file)
            .args(command)
            .stdin(Stdio::null()),
    )
}

const TOTAL_8M: &str = "larger than 2 MiB, the most the kernel accepts for a program's \
    environment and arguments (a quarter of the 8 MiB stack limit: see ulimit -s)";

#[test]
fn hostile_files_are_refused_at_once() {
    let dir = tempdir("importenv-hostile");
    let (files, feeder) = common::endless_inputs(&dir);
    for file in &files {
        with_stack("8388608", file, &["true"])
            .refused(format!("importenv: {}: {TOTAL_8M}", file.display()))
            .cheap();
    }
    feeder.join().unwrap();
    let long = dir.join("long");
    std::fs::write(&long, [b"A=".as_slice(), &[b'x'; 131_070]].concat()).unwrap();
    with_stack("8388608", &long, &["true"])
        .refused(format!(
            "importenv: {}: entry 1 is longer than 128 KiB, the most the kernel accepts for one \
             variable (MAX_ARG_STRLEN)",
            long.display()
        ))
        .cheap();
}

#[test]
fn anything_execve_accepts_is_accepted() {
    let dir = tempdir("importenv-budget");
    // 26 variables of 120,000 bytes and PATH: 3 MiB.
    let mut block = Vec::new();
    for i in 0..26 {
        block.extend_from_slice(format!("V{i:02}=").as_bytes());
        block.extend(std::iter::repeat_n(b'v', 120_000 - 4));
        block.push(0);
    }
    block.extend_from_slice(b"PATH=/usr/bin:/bin\0");
    let file = dir.join("environ");
    std::fs::write(&file, &block).unwrap();
    // Beyond a quarter of an 8 MiB stack limit: execve could not take it.
    with_stack("8388608", &file, &["env", "-0"])
        .refused(format!("importenv: {}: {TOTAL_8M}", file.display()))
        .cheap();
    // Within the kernel's 6 MiB when the stack is unlimited: passed on whole.
    let m = with_stack("unlimited", &file, &["env", "-0"]);
    m.success();
    assert!(m.stdout.as_bytes() == block, "the environment changed");
}

#[test]
fn a_list_of_lines_is_refused_with_the_format() {
    let dir = tempdir("importenv-lines");
    let file = dir.join("env.txt");
    std::fs::write(&file, "A=1\nB=2\n").unwrap();
    let out = importenv(&[file.as_os_str(), "true".as_ref()]);
    assert_eq!(
        (out.stderr.clone(), out.code()),
        (
            format!(
                "importenv: {} holds lines but no NUL byte: it must hold NUL-separated \
                 KEY=VALUE entries, as /proc/PID/environ does (tr '\\n' '\\0' converts a \
                 list of lines)\n",
                file.display()
            ),
            Some(1)
        )
    );
    // Control: the same lines converted, or a value holding a newline in a
    // NUL-separated file, are taken as they are.
    std::fs::write(&file, "A=1\0B=2\nstill B\0").unwrap();
    let out = importenv(&[file.as_os_str(), "env".as_ref(), "-0".as_ref()]);
    assert_eq!(out.stdout_bytes, b"A=1\0B=2\nstill B\0", "{}", out.stderr);
}

#[test]
fn an_error_is_one_write_of_whole_lines() {
    if !common::require(common::have("strace"), "strace is not installed") {
        return;
    }
    let writes = common::stderr_writes(Command::new(IMPORTENV).arg("/nope"));
    assert_eq!(
        writes,
        [r#""importenv: no command given\nTry 'importenv --help' for more information.\n""#]
    );
}

//! importenv run as a built binary: exactly the file's environment, bytes
//! kept, no size or count limit, PATH searched in the new environment.

mod common;

use common::tempdir;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

const IMPORTENV: &str = env!("CARGO_BIN_EXE_importenv");

fn importenv(args: &[&std::ffi::OsStr]) -> Output {
    common::output(
        Command::new(IMPORTENV).args(args).env("HOST_ONLY", "leak"),
        b"",
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out.stdout == block,
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
    assert_eq!(String::from_utf8_lossy(&out.stdout), "found hi there\n");
    assert_eq!(out.status.code(), Some(0));
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
    assert_eq!(out.status.code(), Some(9));
}

#[test]
fn clear_errors_for_missing_file_command_and_usage() {
    let out = importenv(&["/nope".as_ref(), "true".as_ref()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "importenv: cannot read /nope: No such file or directory\n"
    );

    let dir = tempdir("importenv-errors");
    let file = dir.join("environ");
    std::fs::write(&file, b"PATH=/usr/bin:/bin\0").unwrap();
    let out = importenv(&[file.as_os_str(), "no-such-command-xyz".as_ref()]);
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(
        stderr(&out),
        "importenv: failed to execute no-such-command-xyz: No such file or directory\n"
    );
    let out = importenv(&[file.as_os_str(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(126), "{}", stderr(&out));

    let out = importenv(&[file.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "importenv: no command given\nTry 'importenv --help' for more information.\n"
    );
    let out = importenv(&["--help".as_ref()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("importenv <environ-file> <command>"));
}

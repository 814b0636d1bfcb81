//! The can's one program (`nsenter-can`): nsenter, docker-enter,
//! importenv and the entry point, picked by the name it runs under. Each
//! name must behave exactly as the separate binary of that name, and a
//! copy or link under any other name must say so rather than guess.

use crate::common;

use common::result::RunResult;
use common::{run, Target};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const ONE: &str = env!("CARGO_BIN_EXE_nsenter-can");

/// Each name and the separate binary it stands for.
const NAMES: [(&str, &str); 4] = [
    ("nsenter", env!("CARGO_BIN_EXE_nsenter")),
    ("docker-enter", env!("CARGO_BIN_EXE_docker-enter")),
    ("importenv", env!("CARGO_BIN_EXE_importenv")),
    ("can", env!("CARGO_BIN_EXE_can-entry")),
];

/// The one program under `name` in a fresh directory (a hard link, as the
/// image holds it).
fn named(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::hard_link(ONE, &path).unwrap();
    path
}

fn seen(out: &RunResult) -> (Option<i32>, String, String) {
    (out.code(), out.stdout.clone(), out.stderr.clone())
}

#[test]
fn each_name_runs_the_program_of_that_name() {
    let dir = common::tempdir("one-program");
    for (name, separate) in NAMES {
        let path = named(&dir, name);
        for args in [&["--version"][..], &["--help"], &["--no-such-option"]] {
            let one = run(Command::new(&path).args(args), b"");
            let apart = run(Command::new(separate).arg0(name).args(args), b"");
            assert_eq!(seen(&one), seen(&apart), "{name} {args:?}");
        }
    }
}

#[test]
fn nsenter_by_its_name_enters_a_namespace() {
    if !common::require_root_and(&["unshare"]) {
        return;
    }
    let target = Target::start(&["--uts"], "hostname one-program");
    let dir = common::tempdir("one-program-enter");
    let nsenter = named(&dir, "nsenter");
    let out = run(
        Command::new(&nsenter).args(["-t", &target.pid_str(), "-u", "hostname"]),
        b"",
    );
    assert_eq!(
        seen(&out),
        (Some(0), "one-program\n".into(), String::new()),
        "{nsenter:?}"
    );
}

#[test]
fn another_name_says_which_names_the_file_answers_to() {
    let dir = common::tempdir("one-program-names");
    for name in ["nsenter.new", "nsenter-can", "can-entry"] {
        let path = named(&dir, name);
        let out = run(Command::new(&path).arg("--version"), b"");
        assert_eq!(
            seen(&out),
            (
                Some(1),
                String::new(),
                format!(
                    "nsenter-can: cannot tell which program to be from the name '{}' (this \
                     file is nsenter, docker-enter, importenv, can: run it under one of those \
                     names, a copy or a link so named)\n",
                    path.display()
                )
            )
        );
    }
    // Control: the same file under a name it answers to runs.
    let out = run(Command::new(named(&dir, "importenv")).arg("--version"), b"");
    assert_eq!(out.code(), Some(0));
}

/// The entry point reports a closed stdout as the separate one does, with
/// Rust's runtime (which ignores SIGPIPE): the one program starts without
/// it, so it must ignore SIGPIPE itself, for the entry point alone.
#[test]
fn the_entry_point_reports_a_closed_stdout() {
    let dir = common::tempdir("one-program-pipe");
    let can = named(&dir, "can");
    let (status, stderr) = common::run_with_closed_stdout(Command::new(&can).arg("--help"));
    assert_eq!(
        (status.code(), status.signal(), stderr.as_str()),
        (Some(1), None, "can: write error: Broken pipe\n")
    );
    // A tool keeps the caller's SIGPIPE, as util-linux's does: killed by it.
    let nsenter = named(&dir, "nsenter");
    let (status, _) = common::run_with_closed_stdout(Command::new(&nsenter).arg("--help"));
    assert_eq!(
        status.signal(),
        Some(nsenter_can::signals::SIGPIPE),
        "{status:?}"
    );
}

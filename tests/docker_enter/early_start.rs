//! Security rule 6's re-exec made before the C library starts (x86_64):
//! the first system calls of docker-enter, and of the can's program run
//! as docker-enter, are the read-only clone of its own file and the
//! execveat of it, nothing of glibc's start before them. Run as nsenter,
//! the can's program starts as the C library starts it (the control: what
//! the trace shows without the early entry). That the copy run is
//! protected is own_binary.rs's to show.
//!
//! Needs root (open_tree) and strace.

use crate::common;
use common::docker_enter::DOCKER_ENTER;
use std::path::Path;
use std::process::Command;

/// The names of the system calls `program` makes, in order, up to and
/// including its first execveat (all of them if it makes none).
fn first_calls(program: &Path, log: &Path) -> Vec<String> {
    let out = common::run(
        Command::new("strace")
            .args(["-qq", "-o"])
            .arg(log)
            .arg(program)
            .arg("--version"),
        b"",
    );
    out.success();
    let log = std::fs::read_to_string(log).unwrap();
    let mut calls = Vec::new();
    for line in log.lines() {
        let name = line.split('(').next().unwrap_or_default().to_string();
        let done = name == "execveat";
        calls.push(name);
        if done {
            assert!(line.ends_with("= 0"), "the execveat failed:\n{log}");
            break;
        }
    }
    calls
}

const EARLY: [&str; 6] = [
    "execve",
    "statfs",
    "open_tree",
    "mount_setattr",
    "fstatfs",
    "execveat",
];

#[test]
fn docker_enter_runs_its_protected_copy_before_the_c_library_starts() {
    if !common::require_root_and(&["strace"]) {
        return;
    }
    let dir = common::tempdir("early");
    let can = dir.join("nsenter-can");
    std::fs::copy(env!("CARGO_BIN_EXE_nsenter-can"), &can).unwrap();
    for name in ["docker-enter", "nsenter"] {
        std::os::unix::fs::symlink("nsenter-can", dir.join(name)).unwrap();
    }
    let log = dir.join("strace");
    assert_eq!(first_calls(Path::new(DOCKER_ENTER), &log), EARLY);
    assert_eq!(first_calls(&dir.join("docker-enter"), &log), EARLY);
    // The control: the C library's start, and no re-exec for nsenter.
    let nsenter = first_calls(&dir.join("nsenter"), &log);
    assert_eq!(nsenter[..2], ["execve", "brk"], "{nsenter:?}");
    assert!(!nsenter.iter().any(|c| c == "execveat"), "{nsenter:?}");
}

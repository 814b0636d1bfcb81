//! The entry point's other verbs: `cat`, a tool's name, `--help`, and the
//! errors for what it does not know.

use crate::common;

use common::can::image;
use common::Scratch;
use common::{docker, run};
use nsenter_can::can::TOOLS;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The entry point, run directly where no image is needed.
const CAN: &str = env!("CARGO_BIN_EXE_can-entry");

#[test]
fn tool_verbs_run_the_tool_in_the_image() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("verbs");
    docker(&["run", "--rm", "-v", &dir.volume(""), image]).success();
    // The tool run by the can behaves exactly as the same file run here:
    // same output, same exit status (exec passes it straight through).
    for tool in TOOLS {
        let here = run(
            Command::new(dir.path(tool)).arg0(tool).arg("--version"),
            b"",
        );
        for verb in [tool.to_owned(), format!("/{tool}")] {
            let there = docker(&["run", "--rm", image, &verb, "--version"]);
            assert_eq!(
                (there.code(), &there.stdout, &there.stderr),
                (here.code(), &here.stdout, &here.stderr),
                "{verb}"
            );
        }
    }
}

#[test]
fn cat_of_a_file_not_in_the_image_fails() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "cat", "/nsenter", "/bin/sh"]);
    out.code_is(1);
    assert!(
        out.stdout.is_empty(),
        "nothing is written when a file is missing"
    );
    out.stderr_is("can: cannot open /bin/sh: No such file or directory\n");
}

#[test]
fn unknown_verb_shows_the_forms_to_run() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "install"]);
    out.code_is(1);
    assert!(out.stdout.is_empty());
    out.stderr_is(
        "can: unknown command 'install' (the commands are cat, nsenter, docker-enter \
         and importenv; with none, the can installs into /target)\n\
         Install the tools into a host directory by mounting it at /target:\n\
         \x20   docker run --rm -v /usr/local/bin:/target nsenter-can\n\
         Try 'docker run --rm nsenter-can --help' for more information.\n",
    );
}

/// With `panic = "abort"`, `print!` on a closed pipe aborted the can.
#[test]
fn a_closed_stdout_is_an_error_not_an_abort() {
    for verb in [&["--help"][..], &["--version"], &["cat", CAN]] {
        let (status, stderr) = common::run_with_closed_stdout(Command::new(CAN).args(verb));
        assert_eq!(
            (status.code(), stderr.as_str()),
            (Some(1), "can: write error: Broken pipe\n"),
            "{verb:?}"
        );
    }
    // The control: the same runs with a reader succeed.
    let out = common::run(Command::new(CAN).arg("--help"), b"");
    out.success();
    assert!(out.stdout_bytes.starts_with(b"Usage:\n"));
}

#[test]
fn help_describes_the_flows() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "--help"]);
    out.success();
    let help = out.stdout.clone();
    for flow in [
        "-v /usr/local/bin:/target",
        "-v /usr/local:/target",
        "> nsenter.new && chmod 755 nsenter.new",
        "cat /nsenter",
        "--pid=host",
        "docker-enter",
        "importenv",
    ] {
        assert!(help.contains(flow), "--help lacks {flow}:\n{help}");
    }
}

/// With its entry point replaced, as `kubectl debug node/... --image=
/// nsenter-can -- docker-enter ...` replaces it, each tool runs by name.
#[test]
fn each_tool_runs_by_name_with_the_entry_point_replaced() {
    let Some(image) = image() else { return };
    for tool in TOOLS {
        let out = docker(&["run", "--rm", "--entrypoint", tool, image, "--version"]);
        out.success();
        assert!(out.stdout.starts_with(tool), "{tool}: {}", out.stdout);
    }
}

//! The entry point's other verbs: `cat`, a tool's name, `--help`, and the
//! errors for what it does not know.

mod common;

use common::can::{docker, image, run, Scratch};
use nsenter_can::can::TOOLS;
use std::os::unix::process::CommandExt;
use std::process::Command;

#[test]
fn tool_verbs_run_the_tool_in_the_image() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("verbs");
    assert_eq!(
        docker(&["run", "--rm", "-v", &dir.volume(""), image]).code,
        0
    );
    // The tool run by the can behaves exactly as the same file run here:
    // same output, same exit status (exec passes it straight through).
    for tool in TOOLS {
        let here = run(Command::new(dir.path(tool)).arg0(tool).arg("--version"));
        for verb in [tool.to_owned(), format!("/{tool}")] {
            let there = docker(&["run", "--rm", image, &verb, "--version"]);
            assert_eq!(
                (there.code, &there.stdout, &there.stderr),
                (here.code, &here.stdout, &here.stderr),
                "{verb}"
            );
        }
    }
}

#[test]
fn cat_of_a_file_not_in_the_image_fails() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "cat", "/nsenter", "/bin/sh"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.is_empty(),
        "nothing is written when a file is missing"
    );
    assert_eq!(
        out.stderr,
        "can: cannot open /bin/sh: No such file or directory\n"
    );
}

#[test]
fn unknown_verb_fails_with_a_hint() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "sh"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr,
        "can: unknown command 'sh'\nTry 'can --help' for more information.\n"
    );
}

#[test]
fn help_describes_the_flows() {
    let Some(image) = image() else { return };
    let out = docker(&["run", "--rm", image, "--help"]);
    assert_eq!(out.code, 0);
    let help = out.stdout_text();
    for flow in [
        "-v /usr/local/bin:/target",
        "cat /nsenter",
        "--pid=host",
        "docker-enter",
        "importenv",
    ] {
        assert!(help.contains(flow), "--help lacks {flow}:\n{help}");
    }
}

//! The can's one program: nsenter, docker-enter, importenv and the can's
//! entry point in a single static binary, picked by the name it is run
//! under (argv[0]'s last component), as busybox picks its applets.
//!
//! Why: the four programs share nearly all their code, and four static
//! copies of it made the image 7.3 MB. The image holds this binary once,
//! under each name (hard links: `/can`, `/nsenter`, ...), so `cat /nsenter`
//! still gives a whole program that runs alone as `nsenter`, and the
//! installer writes it under each tool's name. The separate binaries
//! (`cargo build` makes both) stay for the tests and for those who build
//! from source.
//!
//! The name must be one of those exactly: a tool renamed (`nsenter.new`)
//! says which names it answers to rather than guess. docker-enter and
//! nsenter run themselves again from a protected copy (security rule 6)
//! with the same argv[0], so they stay what they were.

use crate::error::Error;
use crate::signals::SIGPIPE;
use crate::sys::signal;
use crate::sys::stderr::report;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// The name this binary is built under, in its messages.
const NAME: &str = "nsenter-can";

/// The names the binary answers to.
pub const NAMES: [&str; 4] = ["nsenter", "docker-enter", "importenv", "can"];

/// Run the program argv[0] names with `args` (without argv[0]).
pub fn main(args: &[OsString]) -> i32 {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    match program_named(&argv0) {
        Some("nsenter") => super::nsenter::main(args),
        Some("docker-enter") => super::docker_enter::main(args),
        Some("importenv") => super::importenv::main(args),
        Some("can") => {
            // The entry point reports a closed pipe as a write error, as
            // it does when built on its own with Rust's runtime (which
            // ignores SIGPIPE); the programs it runs get the default back
            // from std's Command.
            signal::ignore(SIGPIPE);
            crate::can::main()
        }
        _ => report(NAME, &unknown_name(&argv0)),
    }
}

/// The program of that name (the last component of a path), if any.
fn program_named(argv0: &std::ffi::OsStr) -> Option<&'static str> {
    let bytes = argv0.as_bytes();
    let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    NAMES.into_iter().find(|name| name.as_bytes() == base)
}

fn unknown_name(argv0: &std::ffi::OsStr) -> Error {
    Error::msg(format!(
        "cannot tell which program to be from the name '{}'",
        argv0.to_string_lossy()
    ))
    .hint(format!(
        "this file is {}: run it under one of those names, a copy or a link so named",
        NAMES.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn the_last_component_of_argv0_picks_the_program() {
        assert_eq!(program_named(OsStr::new("nsenter")), Some("nsenter"));
        assert_eq!(
            program_named(OsStr::new("/usr/local/bin/docker-enter")),
            Some("docker-enter")
        );
        assert_eq!(program_named(OsStr::new("./importenv")), Some("importenv"));
        assert_eq!(program_named(OsStr::new("/can")), Some("can"));
    }

    #[test]
    fn other_names_are_not_guessed() {
        for name in [
            "nsenter.new",
            ".nsenter.can-new",
            "nsenter-can",
            "/bin/",
            "",
            "NSENTER",
        ] {
            assert_eq!(program_named(OsStr::new(name)), None, "{name}");
        }
    }
}

//! The can's entry point: the one program of the `FROM scratch` image.
//!
//! Image layout: the entry point at `/can`, the tools beside it at
//! `/nsenter`, `/docker-enter` and `/importenv`, so that `cat /nsenter` names
//! a real path. The image's arguments pick a verb: none installs into the
//! mounted `/target`, `cat` streams files, a tool's name runs that tool.

pub mod help;
pub mod install;
pub mod mountinfo;
pub mod stream;

use crate::error::{self, Error, Result};
use crate::sys::Errno;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The tools the can carries, by file name.
pub const TOOLS: [&str; 3] = ["nsenter", "docker-enter", "importenv"];
/// Where the user mounts the host directory to install into.
pub const TARGET: &str = "/target";
/// The name in messages: `can: cannot write /target/nsenter: ...`.
const NAME: &str = "can";

/// Run the verb in the process arguments; returns the exit status.
pub fn main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => error::report(NAME, &e),
    }
}

fn run(args: &[OsString]) -> Result<i32> {
    let Some(verb) = args.first() else {
        return install_or_explain();
    };
    let rest = &args[1..];
    match verb.to_str().unwrap_or("") {
        "-h" | "--help" | "help" => print!("{}", help::HELP),
        "-V" | "--version" => println!("{NAME} from nsenter-can {}", env!("CARGO_PKG_VERSION")),
        "cat" if rest.is_empty() => return Err(Error::usage("cat needs a file, such as /nsenter")),
        "cat" => stream::cat(rest, &mut std::io::stdout().lock())?,
        word => match tool_named(word) {
            Some(tool) => return Err(exec_tool(tool, rest)),
            None => {
                return Err(Error::usage(format!(
                    "unknown command '{}'",
                    verb.to_string_lossy()
                )))
            }
        },
    }
    Ok(0)
}

/// A tool by its name or by its path in the image (`nsenter`, `/nsenter`).
fn tool_named(word: &str) -> Option<&'static str> {
    TOOLS
        .into_iter()
        .find(|tool| word.strip_prefix('/').unwrap_or(word) == *tool)
}

/// Where the tools are: beside the entry point (`/` in the image; the cargo
/// output directory when run from a checkout).
fn tools_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    exe.as_deref()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"))
        .to_path_buf()
}

/// Replace this process with the tool, so that its signals, terminal and
/// exit status are the container's own. Returns only on failure.
fn exec_tool(tool: &str, args: &[OsString]) -> Error {
    let path = tools_dir().join(tool);
    let err = Command::new(&path).arg0(tool).args(args).exec();
    match err.raw_os_error() {
        Some(errno) => Error::exec(&path.display().to_string(), Errno::from_raw_os_error(errno)),
        None => Error::io(format!("failed to execute {}", path.display()), &err),
    }
}

/// No arguments: install into `/target` when the user mounted it, else say
/// how to and write nothing.
fn install_or_explain() -> Result<i32> {
    let target = Path::new(TARGET);
    if !mountinfo::is_mount_point(target) {
        eprint!("{}", help::NO_MOUNT);
        return Ok(error::EXIT_FAILURE);
    }
    for tool in install::install(&tools_dir(), target, &TOOLS)? {
        println!(
            "installed {} ({} bytes): {}",
            tool.path.display(),
            tool.size,
            tool.version
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_named_with_or_without_their_path() {
        assert_eq!(tool_named("nsenter"), Some("nsenter"));
        assert_eq!(tool_named("/docker-enter"), Some("docker-enter"));
        assert_eq!(tool_named("//importenv"), None);
        assert_eq!(tool_named("sh"), None);
    }

    #[test]
    fn unknown_verbs_and_bare_cat_are_usage_errors() {
        let err = run(&["frobnicate".into()]).unwrap_err();
        assert_eq!(err.to_string(), "unknown command 'frobnicate'");
        assert_eq!(err.kind, error::ErrorKind::Usage);
        assert_eq!(
            run(&["cat".into()]).unwrap_err().kind,
            error::ErrorKind::Usage
        );
    }

    #[test]
    fn help_shows_every_verb() {
        for verb in [
            "cat FILE",
            "nsenter",
            "docker-enter",
            "importenv",
            "/target",
            "--pid=host",
        ] {
            assert!(help::HELP.contains(verb), "{verb}");
        }
    }
}

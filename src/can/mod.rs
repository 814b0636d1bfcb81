//! The can's entry point: the one program of the `FROM scratch` image.
//!
//! Image layout: the entry point at `/can`, the tools beside it at
//! `/nsenter`, `/docker-enter` and `/importenv`, so that `cat /nsenter` names
//! a real path, and their man pages and completions under `/share` (see
//! `layout`). The image's arguments pick a verb: none installs into the
//! mounted `/target`, `cat` streams files, a tool's name runs that tool.
//!
//! Output goes through writes whose errors are reported: with `panic =
//! "abort"`, `print!` on a closed pipe would abort the process.

pub mod help;
pub mod install;
pub mod layout;
pub mod mount_point;
pub mod stream;

use crate::error::{self, Error, ErrorKind, Result};
use crate::sys::Errno;
use std::ffi::OsString;
use std::io::Write;
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
    match run(&args, &mut std::io::stdout().lock()) {
        Ok(code) => code,
        Err(e) => report(&e, &mut std::io::stderr().lock()),
    }
}

fn run(args: &[OsString], out: &mut impl Write) -> Result<i32> {
    let Some(verb) = args.first() else {
        return install_or_explain(out);
    };
    let rest = &args[1..];
    match verb.to_str().unwrap_or("") {
        "-h" | "--help" | "help" => write_out(out, help::HELP)?,
        "-V" | "--version" => write_out(
            out,
            &format!("{NAME} from nsenter-can {}\n", env!("CARGO_PKG_VERSION")),
        )?,
        "cat" if rest.is_empty() => return Err(Error::usage("cat needs a file, such as /nsenter")),
        "cat" => stream::cat(rest, out)?,
        word => match tool_named(word) {
            Some(tool) => return Err(exec_tool(tool, rest)),
            None => {
                return Err(
                    Error::usage(format!("unknown command '{}'", verb.to_string_lossy()))
                        .hint(help::KNOWN_COMMANDS),
                )
            }
        },
    }
    Ok(0)
}

/// Write all of `text` and flush, or say why not.
fn write_out(out: &mut impl Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("write error", e))
}

/// `can: <error>` on stderr; a usage error goes on with the forms the user
/// can actually run, `docker run ...`, not `can --help`. A failing stderr
/// leaves nowhere to report to: only the exit status tells.
fn report(err: &Error, stderr: &mut impl Write) -> i32 {
    let mut text = format!("{NAME}: {err}\n");
    if err.kind == ErrorKind::Usage {
        text.push_str(help::USAGE_HINT);
    }
    let _ = stderr.write_all(text.as_bytes());
    err.exit_code()
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
///
/// argv[0] is the tool's path: docker-enter runs itself again from a
/// read-only mount of its binary (security rule 6), after which
/// /proc/self/exe no longer names the file, and `--tools` alone finds the
/// toolbox installed beside the tool from argv[0] (the image's PATH does
/// not hold `/`).
fn exec_tool(tool: &str, args: &[OsString]) -> Error {
    let path = tools_dir().join(tool);
    let err = Command::new(&path).args(args).exec();
    match err.raw_os_error() {
        Some(errno) => Error::exec(&path.display().to_string(), Errno::from_raw_os_error(errno)),
        None => Error::io(format!("failed to execute {}", path.display()), err),
    }
}

/// No arguments: install into `/target` when the user mounted it, else say
/// how to and write nothing.
fn install_or_explain(out: &mut impl Write) -> Result<i32> {
    let target = Path::new(TARGET);
    if !mount_point::is_mount_point(target) {
        let _ = std::io::stderr().write_all(help::NO_MOUNT.as_bytes());
        return Ok(error::EXIT_FAILURE);
    }
    let installed = install::install(&tools_dir(), target)?;
    write_out(out, &installed_lines(&installed))?;
    Ok(0)
}

/// One line per file put in place, a tool's with its version; links (the
/// toolbox's applets, hundreds) as one line per directory.
pub(crate) fn installed_lines(installed: &[install::Installed]) -> String {
    let mut lines: String = installed
        .iter()
        .filter(|file| file.link.is_none())
        .map(|file| {
            let what = format!("installed {} ({} bytes)", file.path.display(), file.size);
            match &file.version {
                Some(version) => format!("{what}: {version}\n"),
                None => format!("{what}\n"),
            }
        })
        .collect();
    let mut dirs: Vec<(&Path, usize)> = Vec::new();
    for file in installed.iter().filter(|file| file.link.is_some()) {
        let dir = file.path.parent().unwrap_or(Path::new("/"));
        match dirs.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, count)) => *count += 1,
            None => dirs.push((dir, 1)),
        }
    }
    for (dir, count) in dirs {
        lines.push_str(&format!("installed {count} links in {}\n", dir.display()));
    }
    lines
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

    /// What `run` prints on stderr for `args`, with its exit status.
    fn refusal(args: &[&str]) -> (String, i32) {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let err = run(&args, &mut Vec::new()).unwrap_err();
        let mut stderr = Vec::new();
        let code = report(&err, &mut stderr);
        (String::from_utf8(stderr).unwrap(), code)
    }

    #[test]
    fn unknown_verbs_and_bare_cat_show_the_forms_to_run() {
        assert_eq!(
            refusal(&["install"]),
            (
                "can: unknown command 'install' (the commands are cat, nsenter, docker-enter \
                 and importenv; with none, the can installs into /target)\n\
                 Install the tools into a host directory by mounting it at /target:\n    \
                 docker run --rm -v /usr/local/bin:/target nsenter-can\n\
                 Try 'docker run --rm nsenter-can --help' for more information.\n"
                    .to_string(),
                1
            )
        );
        let (text, code) = refusal(&["cat"]);
        assert_eq!(code, 1);
        assert!(
            text.starts_with("can: cat needs a file, such as /nsenter\nInstall"),
            "{text}"
        );
    }

    #[test]
    fn a_failed_write_is_an_error_not_a_panic() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(crate::sys::Errno::PIPE.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        for verb in ["--help", "--version"] {
            let err = run(&[verb.into()], &mut Closed).unwrap_err();
            assert_eq!(err.to_string(), "write error: Broken pipe", "{verb}");
        }
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

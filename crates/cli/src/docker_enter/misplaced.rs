//! Options typed after the container: `docker-enter web -u app id`.
//!
//! Options stop at the container, as with `docker exec`, so `-u` there is
//! the command, and running it can only fail (`failed to execute -u`).
//! When the command's first words are options of ours, say so and show
//! the command line with them moved before the container.

use super::options;
use crate::error::Error;
use crate::getopt::Getopt;
use crate::shell::word as shell_word;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// The refusal for a command that starts with options of ours, if it does.
/// A first word that is not one of our options (`-x`, `--`, `-`) is left
/// to be run.
pub fn options_after(
    options: &[OsString],
    container: &OsString,
    command: &[OsString],
) -> Option<Error> {
    let first = command.first()?.as_bytes();
    if first.len() < 2 || first[0] != b'-' || first == b"--" {
        return None;
    }
    let specs = options::specs();
    let mut getopt = Getopt::new(&specs, command);
    while getopt.next_opt().ok()?.is_some() {}
    let moved = &command[..command.len() - getopt.operands().len()];
    let rest = getopt.operands();
    let corrected: Vec<String> = std::iter::once(OsStr::new("docker-enter"))
        .chain(options.iter().map(OsString::as_os_str))
        .chain(moved.iter().map(OsString::as_os_str))
        .chain(std::iter::once(container.as_os_str()))
        .chain(rest.iter().map(OsString::as_os_str))
        .map(shell_word)
        .collect();
    Some(Error::msg(format!(
        "options go before the container, as in: {} (after {}, {} would be run as the command)",
        corrected.join(" "),
        shell_word(container),
        shell_word(&command[0]),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    fn refusal(options: &[&str], container: &str, command: &[&str]) -> Option<String> {
        options_after(&os(options), &container.into(), &os(command)).map(|e| e.to_string())
    }

    #[test]
    fn options_after_the_container_are_moved_before_it() {
        assert_eq!(
            refusal(&[], "web", &["-u", "app", "id"]).as_deref(),
            Some(
                "options go before the container, as in: docker-enter -u app web id \
                 (after web, -u would be run as the command)"
            )
        );
        assert_eq!(
            refusal(
                &["-e", "A=b c"],
                "web",
                &["-it", "--workdir=/tmp", "sh", "-c", "echo 'x'"]
            )
            .as_deref(),
            Some(
                "options go before the container, as in: docker-enter -e 'A=b c' -it \
                 --workdir=/tmp web sh -c 'echo '\\''x'\\''' \
                 (after web, -it would be run as the command)"
            )
        );
    }

    #[test]
    fn commands_that_are_not_our_options_run() {
        for command in [&["id"][..], &["-x"], &["--"], &["-"], &["--bogus"], &["-u"]] {
            assert_eq!(refusal(&[], "web", command), None, "{command:?}");
        }
        assert_eq!(refusal(&[], "web", &[]), None);
    }
}

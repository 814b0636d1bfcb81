//! No container on the command line: `docker-enter -u web`.
//!
//! An option that takes a value takes the next word when none is attached,
//! so `-u web` gives the user `web` and leaves no container. When the last
//! word went that way, say so and show the line with a value in its place.

use super::options::{self, Opt, OPTIONS};
use crate::error::Error;
use crate::getopt::Getopt;
use crate::shell::word as shell_word;
use std::ffi::{OsStr, OsString};

/// The refusal of a command line without a container; `last` is the last
/// option read and its value.
pub fn refusal(args: &[OsString], last: Option<(Opt, Option<OsString>)>) -> Error {
    let plain = Error::usage("no container given");
    let (Some((word, before)), Some((opt, Some(value)))) = (args.split_last(), last) else {
        return plain;
    };
    if value != *word || !missing_without_last(before) {
        return plain;
    }
    let Some(row) = OPTIONS.iter().find(|r| r.spec.id == opt) else {
        return plain;
    };
    // " <user>[:<group>]": the first placeholder, "user".
    let noun = row
        .help_arg
        .split(['<', '>'])
        .nth(1)
        .unwrap_or("value")
        .to_string();
    let typed = before
        .last()
        .map(|w| w.to_string_lossy())
        .unwrap_or_default();
    let option = if typed.starts_with("--") || typed.chars().count() == 2 {
        typed.into_owned()
    } else {
        // A cluster (-tu): the option is its last letter.
        format!("-{}", row.spec.short.unwrap_or('?'))
    };
    let placeholder = OsString::from(noun.to_uppercase());
    let line: Vec<String> = std::iter::once(OsStr::new("docker-enter"))
        .chain(before.iter().map(OsString::as_os_str))
        .chain([placeholder.as_os_str(), word.as_os_str()])
        .map(shell_word)
        .collect();
    Error::usage(format!(
        "no container given: {option} took {0} as the {noun} \
         (to enter container {0}, type: {1})",
        shell_word(word),
        line.join(" ")
    ))
}

/// Whether the words before the last one end with an option left without
/// its value: then the last word was that value.
fn missing_without_last(before: &[OsString]) -> bool {
    let specs = options::specs();
    let mut getopt = Getopt::new(&specs, before);
    loop {
        match getopt.next_opt() {
            Ok(Some(_)) => {}
            Ok(None) => return false,
            Err(_) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message for `words`, parsed as docker-enter parses them.
    fn message(words: &[&str]) -> String {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        crate::docker_enter::parse(&args).unwrap_err().to_string()
    }

    #[test]
    fn a_value_that_took_the_container_is_shown_with_the_line_to_type() {
        assert_eq!(
            message(&["-u", "nc-web"]),
            "no container given: -u took nc-web as the user \
             (to enter container nc-web, type: docker-enter -u USER nc-web)"
        );
        assert_eq!(
            message(&["-T", "--env", "web 1"]),
            "no container given: --env took 'web 1' as the key \
             (to enter container 'web 1', type: docker-enter -T --env KEY 'web 1')"
        );
        assert_eq!(
            message(&["-Tu", "web"]),
            "no container given: -u took web as the user \
             (to enter container web, type: docker-enter -Tu USER web)"
        );
    }

    #[test]
    fn a_value_given_attached_leaves_no_doubt() {
        for words in [
            &["-uweb"][..],
            &["--user=web"],
            &[],
            &["-T"],
            &["-e", "A=1", "--"],
        ] {
            assert_eq!(message(words), "no container given", "{words:?}");
        }
    }
}

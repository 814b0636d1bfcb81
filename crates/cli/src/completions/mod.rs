//! Shell completions, generated from the tools' option tables (as ripgrep
//! generates its own): each tool's table gives the spellings, which of
//! them take a value and how, and the description; [`Completion`] says
//! what a value is, for the shells to offer. A template per tool and
//! shell (`templates/`) holds what is not a list of options: where
//! options stop, what follows them. The files in `completions/` are what
//! [`generate`] makes; a unit test holds them equal.

mod bash;
mod fish;
mod zsh;

use crate::getopt::ArgKind;
use crate::table::OptRow;

/// What an option's value is, for a shell to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// The option takes no value.
    None,
    /// Any text, nothing to offer: what it is, for zsh's message.
    Text(&'static str),
    /// A process ID.
    Pid(&'static str),
    File(&'static str),
    Directory(&'static str),
    /// One of these words.
    Words(&'static str, &'static [&'static str]),
    /// The name of a variable of ours.
    Variable(&'static str),
}

/// Which options zsh lets appear together with this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Once, under either spelling.
    Once,
    /// Any number of times.
    Repeated,
    /// Alone on the line (`--help`, `--version`).
    Alone,
    /// Once, and not with these (zsh's exclusion list, spelled out).
    Excludes(&'static str),
}

/// How one option is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    pub value: Value,
    pub group: Group,
    /// docker-enter: the option says where containers are, so the
    /// completion passes it on to `docker-enter --list`.
    pub locates: bool,
}

impl Completion {
    pub const fn new(value: Value) -> Completion {
        Completion {
            value,
            group: Group::Once,
            locates: false,
        }
    }

    pub const fn group(self, group: Group) -> Completion {
        Completion { group, ..self }
    }

    pub const fn locates(self) -> Completion {
        Completion {
            locates: true,
            ..self
        }
    }
}

/// One option as the completions see it: spellings, value, description.
#[derive(Debug, Clone, Copy)]
pub struct Offered {
    pub short: Option<char>,
    pub long: &'static str,
    pub short_arg: ArgKind,
    pub long_arg: ArgKind,
    pub help: &'static str,
    pub completion: Completion,
}

/// The options of a table, each with how it is completed.
pub fn options<T: Copy + 'static>(
    rows: impl IntoIterator<Item = &'static OptRow<T>>,
    completion: impl Fn(T) -> Completion,
) -> Vec<Offered> {
    rows.into_iter()
        .map(|row| Offered {
            short: row.spec.short,
            long: row.spec.long.expect("every option has a long name"),
            short_arg: row.spec.short_arg,
            long_arg: row.spec.long_arg,
            help: row.help,
            completion: completion(row.spec.id),
        })
        .collect()
}

/// A shell that completions are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Every completion file: its name under `completions/`, tool and shell.
pub const FILES: &[(&str, &str, Shell)] = &[
    ("nsenter.bash", "nsenter", Shell::Bash),
    ("_nsenter", "nsenter", Shell::Zsh),
    ("nsenter.fish", "nsenter", Shell::Fish),
    ("docker-enter.bash", "docker-enter", Shell::Bash),
    ("_docker-enter", "docker-enter", Shell::Zsh),
    ("docker-enter.fish", "docker-enter", Shell::Fish),
    ("importenv.bash", "importenv", Shell::Bash),
    ("_importenv", "importenv", Shell::Zsh),
    ("importenv.fish", "importenv", Shell::Fish),
];

/// The options of `tool` as its completions offer them.
fn options_of(tool: &str) -> Vec<Offered> {
    match tool {
        "nsenter" => options(crate::nsenter::OPTIONS, crate::nsenter::completion),
        "docker-enter" => options(
            crate::docker_enter::visible_options(),
            crate::docker_enter::completion,
        ),
        "importenv" => options(crate::importenv::OPTIONS, crate::importenv::completion),
        _ => panic!("no such tool: {tool}"),
    }
}

fn template(tool: &str, shell: Shell) -> &'static str {
    match (tool, shell) {
        ("nsenter", Shell::Bash) => include_str!("templates/nsenter.bash"),
        ("nsenter", Shell::Zsh) => include_str!("templates/_nsenter"),
        ("nsenter", Shell::Fish) => include_str!("templates/nsenter.fish"),
        ("docker-enter", Shell::Bash) => include_str!("templates/docker-enter.bash"),
        ("docker-enter", Shell::Zsh) => include_str!("templates/_docker-enter"),
        ("docker-enter", Shell::Fish) => include_str!("templates/docker-enter.fish"),
        ("importenv", Shell::Bash) => include_str!("templates/importenv.bash"),
        ("importenv", Shell::Zsh) => include_str!("templates/_importenv"),
        ("importenv", Shell::Fish) => include_str!("templates/importenv.fish"),
        _ => panic!("no template for {tool}"),
    }
}

/// The completion script of `tool` for `shell`: its template with every
/// `@@NAME@@` replaced by what the options say.
pub fn generate(tool: &str, shell: Shell) -> String {
    let options = options_of(tool);
    let mut text = template(tool, shell).to_string();
    let fills: Vec<(&str, String)> = match shell {
        Shell::Bash => bash::fills(&options),
        Shell::Zsh => zsh::fills(&options),
        Shell::Fish => fish::fills(tool, &options),
    };
    for (name, value) in fills {
        text = text.replace(&format!("@@{name}@@"), &value);
    }
    assert!(
        !text.contains("@@"),
        "{tool}: a placeholder of the template is not filled"
    );
    text
}

/// Whether the option takes the next word as its value when spelled
/// `-x` (`short`) or `--long`.
fn takes_next(arg: ArgKind) -> bool {
    arg == ArgKind::Required
}

/// Each spelling whose value is the next word: `-t`, `--target`.
fn next_word_spellings(options: &[Offered], only: impl Fn(&Offered) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for o in options.iter().filter(|o| only(o)) {
        if let (Some(c), true) = (o.short, takes_next(o.short_arg)) {
            out.push(format!("-{c}"));
        }
        if takes_next(o.long_arg) {
            out.push(format!("--{}", o.long));
        }
    }
    out
}

/// Words joined by spaces into lines that end before column `width`, the
/// first starting at column `first` (after what precedes it in the
/// template), the others after `indent`.
fn wrap(words: &[String], first: usize, width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    let mut column = first;
    for word in words {
        let line = lines.last_mut().expect("one line at least");
        if !line.trim().is_empty() && column + 1 + word.len() > width {
            lines.push(format!("{indent}{word}"));
            column = indent.len() + word.len();
        } else {
            if !line.trim().is_empty() {
                line.push(' ');
                column += 1;
            }
            line.push_str(word);
            column += word.len();
        }
    }
    lines.join("\n")
}

/// Every spelling, short before long: `-a --all -t --target ...`.
fn spellings(options: &[Offered]) -> Vec<String> {
    let mut out = Vec::new();
    for o in options {
        if let Some(c) = o.short {
            out.push(format!("-{c}"));
        }
        out.push(format!("--{}", o.long));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn committed(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../completions")
            .join(name)
    }

    /// The committed completions are what the tables make. With
    /// `BLESS_COMPLETIONS=1` the files are rewritten instead.
    #[test]
    fn committed_completions_are_generated_from_the_tables() {
        let bless = std::env::var_os("BLESS_COMPLETIONS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        for &(name, tool, shell) in FILES {
            let want = generate(tool, shell);
            let path = committed(name);
            if bless {
                std::fs::write(&path, &want).unwrap();
            } else if std::fs::read_to_string(&path).unwrap() != want {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "completions/{stale:?} differ from what the option tables make: run \
             BLESS_COMPLETIONS=1 cargo test -p nsenter-can-cli completions, and commit"
        );
    }

    #[test]
    fn words_wrap_under_the_width() {
        let words: Vec<String> = ["-a", "--all", "-t", "--target"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(wrap(&words, 2, 14, "  "), "-a --all -t\n  --target");
    }
}

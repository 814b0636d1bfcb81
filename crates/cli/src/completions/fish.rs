//! What fish's templates are filled with. fish has no options whose value
//! is optional: those are offered as plain options, the value typed.

use super::{next_word_spellings, Offered, Value};
use crate::getopt::ArgKind;

pub(super) fn fills(tool: &str, options: &[Offered]) -> Vec<(&'static str, String)> {
    let locating = |o: &Offered| o.completion.locates;
    vec![
        (
            "SKIP_NEXT",
            next_word_spellings(options, |_| true).join(" "),
        ),
        (
            "LOCATING_NEXT",
            next_word_spellings(options, locating).join(" "),
        ),
        (
            "LOCATING_ATTACHED",
            options
                .iter()
                .filter(|o| locating(o))
                .map(|o| format!("'--{}=*'", o.long))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("COMPLETES", completes(tool, options)),
    ]
}

/// The function that says whether options are still being given.
fn condition(tool: &str) -> &'static str {
    match tool {
        "nsenter" => "__nsenter_no_program",
        "docker-enter" => "__docker_enter_needs_container",
        "importenv" => "__importenv_needs_file",
        _ => panic!("no fish condition for {tool}"),
    }
}

/// One `complete` line per option, or one per spelling when the two take
/// their value differently (`-W DIR`, `--wdns=DIR`).
fn completes(tool: &str, options: &[Offered]) -> String {
    let start = format!("complete -c {tool} -n {}", condition(tool));
    let mut out = Vec::new();
    for o in options {
        let description = format!("-d {}", quote(o.help));
        let value = |arg: ArgKind| match arg {
            ArgKind::Required => flags(o.completion.value),
            _ => String::new(),
        };
        let long = format!("-l {}", o.long);
        let lines: Vec<(String, String)> = match o.short {
            Some(c) if o.short_arg == o.long_arg => {
                vec![(format!("-s {c} {long}"), value(o.long_arg))]
            }
            Some(c) => vec![
                (format!("-s {c}"), value(o.short_arg)),
                (long, value(o.long_arg)),
            ],
            None => vec![(long, value(o.long_arg))],
        };
        for (names, value) in lines {
            let parts = [start.as_str(), &names, &value, &description];
            let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
            out.push(parts.join(" "));
        }
    }
    out.join("\n")
}

/// How fish completes a value that is the next word.
fn flags(value: Value) -> String {
    match value {
        Value::None => String::new(),
        Value::Text(_) => "-x".into(),
        Value::Pid(_) => "-x -a '(__fish_complete_pids)'".into(),
        Value::File(_) => "-r -F".into(),
        Value::Directory(_) => "-x -a '(__fish_complete_directories)'".into(),
        Value::Words(_, words) => format!("-x -a '{}'", words.join(" ")),
        Value::Variable(_) => "-x -a '(set -n)'".into(),
    }
}

/// A single-quoted fish word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

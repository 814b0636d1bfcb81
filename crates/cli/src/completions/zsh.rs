//! What zsh's templates are filled with: one `_arguments` spec per
//! option, or per spelling when the two take their value differently.

use super::{next_word_spellings, Group, Offered, Value};
use crate::getopt::ArgKind;

pub(super) fn fills(options: &[Offered]) -> Vec<(&'static str, String)> {
    vec![
        ("ARGUMENTS", arguments(options)),
        (
            "LOCATING_NEXT",
            next_word_spellings(options, |o| o.completion.locates).join("|"),
        ),
    ]
}

fn arguments(options: &[Offered]) -> String {
    let mut out = Vec::new();
    for o in options {
        match o.short {
            Some(c) if o.short_arg == o.long_arg => {
                let names = format!(
                    "{{-{c}{},--{}{}}}",
                    short_suffix(o.short_arg),
                    o.long,
                    long_suffix(o.long_arg)
                );
                let exclusion = match o.completion.group {
                    Group::Once => format!("'(-{c} --{})'", o.long),
                    other => exclusion(other),
                };
                out.push(format!("{exclusion}{names}'{}'", rest(o, o.long_arg)));
            }
            Some(c) => {
                let lead = exclusion(o.completion.group);
                out.push(format!(
                    "'{}-{c}{}{}'",
                    lead.trim_matches('\''),
                    short_suffix(o.short_arg),
                    rest(o, o.short_arg)
                ));
                out.push(format!(
                    "'{}--{}{}{}'",
                    lead.trim_matches('\''),
                    o.long,
                    long_suffix(o.long_arg),
                    rest(o, o.long_arg)
                ));
            }
            None => {
                let lead = exclusion(o.completion.group);
                out.push(format!(
                    "'{}--{}{}{}'",
                    lead.trim_matches('\''),
                    o.long,
                    long_suffix(o.long_arg),
                    rest(o, o.long_arg)
                ));
            }
        }
    }
    out.iter()
        .map(|spec| format!("    {spec} \\"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What comes before the spellings: which options may not appear with
/// this one. Empty for an option given once under one spelling.
fn exclusion(group: Group) -> String {
    match group {
        Group::Once => String::new(),
        Group::Repeated => "'*'".into(),
        Group::Alone => "'(- *)'".into(),
        Group::Excludes(list) => format!("'({list})'"),
    }
}

fn short_suffix(arg: ArgKind) -> &'static str {
    match arg {
        ArgKind::No => "",
        ArgKind::Required => "+",
        ArgKind::Optional => "-",
    }
}

fn long_suffix(arg: ArgKind) -> &'static str {
    match arg {
        ArgKind::No => "",
        ArgKind::Required => "=",
        ArgKind::Optional => "=-",
    }
}

/// `[description]` and, for a value, `:message:action` (`::` when the
/// value is optional).
fn rest(o: &Offered, arg: ArgKind) -> String {
    let description = format!("[{}]", escape(o.help));
    let colons = match arg {
        ArgKind::No => return description,
        ArgKind::Required => ":",
        ArgKind::Optional => "::",
    };
    let (message, action) = match o.completion.value {
        Value::None => return description,
        Value::Text(m) => (m, " ".to_string()),
        Value::Pid(m) => (m, "_pids".into()),
        Value::File(m) => (m, "_files".into()),
        Value::Directory(m) => (m, "_files -/".into()),
        Value::Words(m, words) => (m, format!("({})", words.join(" "))),
        Value::Variable(m) => (m, "_parameters -g \"*export*\"".into()),
    };
    let message = message.replace('\'', "'\\''").replace(':', "\\:");
    format!("{description}{colons}{message}:{action}")
}

/// Text inside a single-quoted spec: quotes closed and reopened, brackets
/// escaped.
fn escape(text: &str) -> String {
    text.replace('\'', "'\\''")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

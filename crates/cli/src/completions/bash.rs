//! What bash's templates are filled with.

use super::{next_word_spellings, spellings, wrap, Offered, Value};
use crate::getopt::ArgKind;

pub(super) fn fills(options: &[Offered]) -> Vec<(&'static str, String)> {
    let letters = |arg: ArgKind| -> String {
        options
            .iter()
            .filter(|o| o.short_arg == arg)
            .filter_map(|o| o.short)
            .collect()
    };
    let locating = |o: &Offered| o.completion.locates;
    vec![
        ("SHORT_OPTIONAL", letters(ArgKind::Optional)),
        ("SHORT_REQUIRED", letters(ArgKind::Required)),
        ("LONG_NEXT", long_next(options)),
        ("VALUE_CASES", value_cases(options)),
        ("PREV_CASES", prev_cases(options)),
        (
            "SKIP_NEXT",
            next_word_spellings(options, |o| !locating(o)).join("|"),
        ),
        (
            "LOCATING_NEXT",
            next_word_spellings(options, locating).join("|"),
        ),
        (
            "LOCATING_ATTACHED",
            options
                .iter()
                .filter(|o| locating(o))
                .map(|o| format!("--{}=*", o.long))
                .collect::<Vec<_>>()
                .join("|"),
        ),
        (
            "SPELLINGS",
            wrap(&spellings(options), 40, 76, &" ".repeat(20)),
        ),
    ]
}

/// Long options whose value is the next word: `--target|--setuid`.
fn long_next(options: &[Offered]) -> String {
    options
        .iter()
        .filter(|o| o.long_arg == ArgKind::Required)
        .map(|o| format!("--{}", o.long))
        .collect::<Vec<_>>()
        .join("|")
}

/// The spellings after which a value is completed: the short one when
/// its value is the next word (an optional one is only ever attached),
/// the long one (`--mount=FILE` as well as `--target PID`).
fn labels_of(o: &Offered) -> String {
    let mut out = Vec::new();
    if let (Some(c), ArgKind::Required) = (o.short, o.short_arg) {
        out.push(format!("-{c}"));
    }
    out.push(format!("--{}", o.long));
    out.join("|")
}

/// What fills COMPREPLY for a value; empty when nothing is offered.
fn action(value: Value) -> String {
    let compgen = |how: &str| format!("COMPREPLY=($(compgen {how} -- \"$cur\"))");
    match value {
        Value::None | Value::Text(_) => String::new(),
        Value::Pid(_) => compgen("-W \"$(cd /proc && printf '%s\\n' [0-9]*)\""),
        Value::File(_) => compgen("-f"),
        Value::Directory(_) => compgen("-d"),
        Value::Words(_, words) => compgen(&format!("-W '{}'", words.join(" "))),
        Value::Variable(_) => compgen("-e"),
    }
}

/// Options grouped by what is offered for their value, in the order of
/// the first of each group: (labels joined by `|`, action).
fn by_action(options: &[Offered], only: impl Fn(&Offered) -> bool) -> Vec<(String, String)> {
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    for o in options.iter().filter(|o| only(o)) {
        let act = action(o.completion.value);
        match groups.iter_mut().find(|(_, a)| *a == act) {
            Some((labels, _)) => labels.push(labels_of(o)),
            None => groups.push((vec![labels_of(o)], act)),
        }
    }
    groups
        .into_iter()
        .map(|(labels, act)| (labels.join("|"), act))
        .collect()
}

/// nsenter: one `case` arm per kind of value, on the option the value
/// belongs to.
fn value_cases(options: &[Offered]) -> String {
    by_action(options, |o| o.completion.value != Value::None)
        .into_iter()
        .map(|(labels, act)| match act.is_empty() {
            true => format!("        {labels}) ;;"),
            false => format!("        {labels})\n            {act} ;;"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// docker-enter: one `case` arm per kind of value, on the previous word
/// (options whose value is the next word).
fn prev_cases(options: &[Offered]) -> String {
    by_action(options, |o| o.long_arg == ArgKind::Required)
        .into_iter()
        .map(|(labels, act)| match act.is_empty() {
            true => format!("        {labels}) return 0 ;;"),
            false => format!("        {labels})\n            {act}; return 0 ;;"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

//! A row of a tool's options table: the parser's spec plus its help line.
//! Each tool keeps one table that drives its parser, `--help` and shell
//! completions, and the tests that its man page knows every option.

use crate::getopt::{ArgKind, OptSpec};

/// One option with its help line.
#[derive(Debug, Clone, Copy)]
pub struct OptRow<T> {
    pub spec: OptSpec<T>,
    /// What follows the long name in `--help`: " <pid>", "[=<file>]".
    pub help_arg: &'static str,
    pub help: &'static str,
}

/// An option whose short and long forms take the same argument.
pub const fn row<T: Copy>(
    id: T,
    short: Option<char>,
    long: &'static str,
    arg: ArgKind,
    help_arg: &'static str,
    help: &'static str,
) -> OptRow<T> {
    OptRow {
        spec: OptSpec {
            id,
            short,
            long: Some(long),
            short_arg: arg,
            long_arg: arg,
            extension: false,
        },
        help_arg,
        help,
    }
}

/// " -m, --mount[=<file>]   enter ...": names, then the description from
/// `column`, or one space after names too long for it.
pub fn help_line<T>(row: &OptRow<T>, column: usize) -> String {
    let short = match row.spec.short {
        Some(c) => format!(" -{c},"),
        None => "    ".to_string(),
    };
    let names = format!(
        "{short} --{}{}",
        row.spec.long.unwrap_or_default(),
        row.help_arg
    );
    let pad = column.saturating_sub(names.len()).max(1);
    format!("{names}{:pad$}{}\n", "", row.help)
}

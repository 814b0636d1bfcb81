//! A small parser with the semantics of glibc `getopt_long` in "+" mode
//! (POSIXLY_CORRECT): options stop at the first argument that is not one,
//! so everything from the program name on is passed on untouched.
//!
//! Why not a crate: lexopt does not do unique-prefix long options, and no
//! parser we know reproduces glibc's messages byte for byte, which scripts
//! and differential tests against util-linux see.
//!
//! Rules reproduced (each checked against util-linux nsenter 2.38.1):
//! - `--` ends the options; a lone `-` is a non-option.
//! - short options cluster (`-Fm`); a short option taking an argument,
//!   required or optional, swallows the rest of the cluster (`-mupn` is
//!   `-m` with the argument `upn`); a required one otherwise takes the next
//!   argument, an optional one never does.
//! - long options: an exact name wins, else a unique prefix; `--name=value`;
//!   a required argument may also be the next argument.
//!
//! One addition: an option marked `extension` (ours, not util-linux's) is
//! a prefix candidate only when no standard option matches the prefix, so
//! our extensions never make a util-linux abbreviation ambiguous.

use crate::error::Error;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// Whether an option takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    No,
    Required,
    /// Only when attached: `-mFILE`, `--mount=FILE`.
    Optional,
}

/// One option: its short and long spellings and what they take. The short
/// and long forms may differ in what they take (util-linux `-W` requires an
/// argument while `--wdns` only accepts an attached one).
#[derive(Debug, Clone, Copy)]
pub struct OptSpec<T> {
    pub id: T,
    pub short: Option<char>,
    pub long: Option<&'static str>,
    pub short_arg: ArgKind,
    pub long_arg: ArgKind,
    /// Not a util-linux option: never makes a standard prefix ambiguous.
    pub extension: bool,
}

/// Walks the arguments, yielding `(id, argument)` for each option found.
/// After it yields `None`, [`Getopt::operands`] is the program and its
/// arguments.
pub struct Getopt<'a, T> {
    specs: &'a [OptSpec<T>],
    args: &'a [OsString],
    /// Index of the argument being looked at.
    index: usize,
    /// Byte offset inside a short-option cluster, 0 when not in one.
    cluster: usize,
    done: bool,
}

impl<'a, T: Copy> Getopt<'a, T> {
    pub fn new(specs: &'a [OptSpec<T>], args: &'a [OsString]) -> Self {
        Getopt {
            specs,
            args,
            index: 0,
            cluster: 0,
            done: false,
        }
    }

    /// The arguments after the options (valid once `next_opt` gave `None`).
    pub fn operands(&self) -> &'a [OsString] {
        &self.args[self.index.min(self.args.len())..]
    }

    /// The next option, `Ok(None)` at the end of the options, or the usage
    /// error glibc would print.
    pub fn next_opt(&mut self) -> Result<Option<(T, Option<OsString>)>, Error> {
        if self.done {
            return Ok(None);
        }
        if self.cluster > 0 {
            return self.short_option().map(Some);
        }
        let Some(arg) = self.args.get(self.index) else {
            self.done = true;
            return Ok(None);
        };
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            self.index += 1;
            self.done = true;
            return Ok(None);
        }
        if let Some(body) = bytes.strip_prefix(b"--") {
            self.index += 1;
            return self.long_option(body).map(Some);
        }
        if bytes.len() > 1 && bytes[0] == b'-' {
            self.cluster = 1;
            return self.short_option().map(Some);
        }
        // The first non-option (a lone "-" included) ends the options.
        self.done = true;
        Ok(None)
    }

    fn short_option(&mut self) -> Result<(T, Option<OsString>), Error> {
        let bytes = self.args[self.index].as_bytes();
        let byte = bytes[self.cluster];
        self.cluster += 1;
        let rest = &bytes[self.cluster..];
        let at_end = rest.is_empty();
        let finish_word = |this: &mut Self| {
            this.index += 1;
            this.cluster = 0;
        };
        let spec = self
            .specs
            .iter()
            .find(|s| s.short.is_some_and(|c| c as u32 == u32::from(byte)));
        let Some(spec) = spec.copied() else {
            if at_end {
                finish_word(self);
            }
            return Err(Error::usage(format!(
                "invalid option -- '{}'",
                lossy(&[byte])
            )));
        };
        match spec.short_arg {
            ArgKind::No => {
                if at_end {
                    finish_word(self);
                }
                Ok((spec.id, None))
            }
            ArgKind::Optional => {
                let value = (!at_end).then(|| os(rest));
                finish_word(self);
                Ok((spec.id, value))
            }
            ArgKind::Required => {
                finish_word(self);
                if !at_end {
                    return Ok((spec.id, Some(os(rest))));
                }
                match self.args.get(self.index) {
                    Some(next) => {
                        self.index += 1;
                        Ok((spec.id, Some(next.clone())))
                    }
                    None => Err(Error::usage(format!(
                        "option requires an argument -- '{}'",
                        lossy(&[byte])
                    ))),
                }
            }
        }
    }

    /// `body` is the argument without its leading "--".
    fn long_option(&mut self, body: &[u8]) -> Result<(T, Option<OsString>), Error> {
        let (name, attached) = match body.iter().position(|&b| b == b'=') {
            Some(eq) => (&body[..eq], Some(os(&body[eq + 1..]))),
            None => (body, None),
        };
        let spec = self.match_long(name, body)?;
        let long = spec.long.unwrap_or_default();
        match (spec.long_arg, attached) {
            (ArgKind::No, Some(_)) => Err(Error::usage(format!(
                "option '--{long}' doesn't allow an argument"
            ))),
            (ArgKind::No, None) => Ok((spec.id, None)),
            (ArgKind::Optional, value) => Ok((spec.id, value)),
            (ArgKind::Required, Some(value)) => Ok((spec.id, Some(value))),
            (ArgKind::Required, None) => match self.args.get(self.index) {
                Some(next) => {
                    self.index += 1;
                    Ok((spec.id, Some(next.clone())))
                }
                None => Err(Error::usage(format!(
                    "option '--{long}' requires an argument"
                ))),
            },
        }
    }

    /// The option a long name (or prefix of one) stands for.
    fn match_long(&self, name: &[u8], body: &[u8]) -> Result<OptSpec<T>, Error> {
        let named = || self.specs.iter().filter_map(|s| s.long.map(|l| (s, l)));
        if let Some((spec, _)) = named().find(|(_, l)| l.as_bytes() == name) {
            return Ok(*spec);
        }
        let prefixed = |ext: bool| -> Vec<(&OptSpec<T>, &str)> {
            named()
                .filter(|(s, l)| s.extension == ext && l.as_bytes().starts_with(name))
                .collect()
        };
        let mut candidates = prefixed(false);
        if candidates.is_empty() {
            candidates = prefixed(true);
        }
        match candidates.as_slice() {
            [] => Err(Error::usage(format!(
                "unrecognized option '--{}'",
                lossy(body)
            ))),
            [(spec, _)] => Ok(**spec),
            [(first, _), others @ ..] if others.iter().all(|(s, _)| same_meaning(first, s)) => {
                // glibc: candidates that behave identically are not ambiguous.
                Ok(**first)
            }
            all => {
                let names: Vec<String> = all.iter().map(|(_, l)| format!("'--{l}'")).collect();
                Err(Error::usage(format!(
                    "option '--{}' is ambiguous; possibilities: {}",
                    lossy(body),
                    names.join(" ")
                )))
            }
        }
    }
}

fn same_meaning<T>(a: &OptSpec<T>, b: &OptSpec<T>) -> bool {
    // Two rows with the same short letter are aliases of one option.
    a.short.is_some() && a.short == b.short && a.long_arg == b.long_arg
}

fn os(bytes: &[u8]) -> OsString {
    OsStr::from_bytes(bytes).to_os_string()
}

/// Messages are text; a byte that is not UTF-8 is shown as U+FFFD.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
#[path = "getopt_tests.rs"]
mod tests;

//! Where a containers-storage.conf(5) puts a rootless user's store: the
//! `graphroot`, `runroot` and `rootless_storage_path` keys of its
//! `[storage]` table, read from a file its user (or root, for
//! /etc/containers/storage.conf) wrote.
//!
//! The user's file is hostile input to root. It is read bounded, and only
//! what decides where the store is, is understood: a TOML subset of tables,
//! `key = value` lines, and basic or literal strings for those three keys.
//! A value that is not a one-line string, a key given twice or a line that
//! is neither a table nor a key is an error naming the file and line.
//! Podman refuses such a file too (`podman ps` fails on it), so the
//! containers that run were not made by it, and no place can be guessed.
//!
//! Podman expands `$UID`, then the user's environment (`$HOME`,
//! `${USER}`...). Root knows a user's `UID`, `HOME` and `USER` (from
//! passwd); any other variable is the user's session's, which root cannot
//! see: an error says so. An empty value is unset, as containers/storage
//! takes it.

use crate::error::Error;
use std::path::{Component, Path, PathBuf};

/// A storage.conf is a few KiB with its comments (Podman's own, 10 KiB).
pub const MAX_STORAGE_CONF: usize = 1 << 20;

/// What a storage.conf says of where the store is; `None` when unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageConf {
    pub graphroot: Option<String>,
    pub runroot: Option<String>,
    pub rootless_storage_path: Option<String>,
}

/// What `$UID`, `$HOME` and `$USER` are for the user whose store it is.
pub struct Expansions<'a> {
    pub uid: u32,
    pub home: &'a Path,
    pub user: &'a str,
}

impl StorageConf {
    /// Parse the text of `file` (named in errors).
    pub fn parse(bytes: &[u8], file: &str) -> Result<StorageConf, Error> {
        StorageConf::parse_keys(bytes, file, true)
    }

    /// The system's file as it bears on rootless stores: only its
    /// `rootless_storage_path` (its `graphroot` and `runroot` are root's
    /// store's, passed over unread as other keys are).
    pub fn parse_system(bytes: &[u8], file: &str) -> Result<Option<String>, Error> {
        Ok(StorageConf::parse_keys(bytes, file, false)?.rootless_storage_path)
    }

    /// `roots`: whether `graphroot` and `runroot` are read.
    fn parse_keys(bytes: &[u8], file: &str, roots: bool) -> Result<StorageConf, Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::msg(format!("{file} is not UTF-8 text, as TOML must be")))?;
        let mut conf = StorageConf::default();
        let mut table = String::new();
        let mut lines = text.lines().enumerate();
        while let Some((n, line)) = lines.next() {
            let bad = |why: &str| Error::msg(format!("cannot read {file}, line {}: {why}", n + 1));
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                table = table_name(line).ok_or_else(|| bad("a table header is not closed"))?;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(bad("it is neither a [table] nor key = value"));
            };
            let key = format!("{table}.{}", unquote_key(key.trim()));
            let value = value.trim_start();
            let slot = match key.as_str() {
                ".storage.graphroot" | "storage.graphroot" if roots => &mut conf.graphroot,
                ".storage.runroot" | "storage.runroot" if roots => &mut conf.runroot,
                ".storage.rootless_storage_path" | "storage.rootless_storage_path" => {
                    &mut conf.rootless_storage_path
                }
                _ => {
                    skip_value(value, &mut lines).map_err(bad)?;
                    continue;
                }
            };
            let name = key.rsplit('.').next().unwrap_or_default();
            if slot.is_some() {
                return Err(bad(&format!("{name} is given twice")));
            }
            *slot = Some(one_line_string(value).ok_or_else(|| {
                bad(&format!(
                    "{name} is not a quoted string on one line (the only form read here)"
                ))
            })?);
        }
        // containers/storage takes an empty path as unset (its default).
        for slot in [
            &mut conf.graphroot,
            &mut conf.runroot,
            &mut conf.rootless_storage_path,
        ] {
            if slot.as_deref() == Some("") {
                *slot = None;
            }
        }
        Ok(conf)
    }
}

/// `[storage]`, `[ storage.options ]`, `[[x]]`: the table's dotted name.
fn table_name(line: &str) -> Option<String> {
    let line = strip_comment(line);
    let inner = match line.strip_prefix("[[") {
        Some(rest) => rest.strip_suffix("]]")?,
        None => line.strip_prefix('[')?.strip_suffix(']')?,
    };
    let parts: Vec<String> = inner.split('.').map(|p| unquote_key(p.trim())).collect();
    Some(parts.join("."))
}

/// A key as written: bare, or in quotes.
fn unquote_key(key: &str) -> String {
    let quoted = |q: char| key.len() >= 2 && key.starts_with(q) && key.ends_with(q);
    if quoted('"') || quoted('\'') {
        key[1..key.len() - 1].to_string()
    } else {
        key.split('.').map(str::trim).collect::<Vec<_>>().join(".")
    }
}

/// A line's text before a comment that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return line[..i].trim_end(),
            _ => {}
        }
        escaped = false;
    }
    line.trim_end()
}

/// A basic ("...") or literal ('...') string, then at most a comment.
fn one_line_string(value: &str) -> Option<String> {
    if value.starts_with("\"\"\"") || value.starts_with("'''") {
        return None;
    }
    let mut chars = value.chars();
    let quote = chars.next().filter(|&c| c == '"' || c == '\'')?;
    let mut out = String::new();
    loop {
        match chars.next()? {
            c if c == quote => break,
            '\\' if quote == '"' => out.push(match chars.next()? {
                '"' => '"',
                '\\' => '\\',
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'f' => '\u{c}',
                'r' => '\r',
                'u' => unicode(&mut chars, 4)?,
                'U' => unicode(&mut chars, 8)?,
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    let rest = chars.as_str().trim_start();
    (rest.is_empty() || rest.starts_with('#')).then_some(out)
}

fn unicode(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let hex: String = chars.by_ref().take(digits).collect();
    (hex.len() == digits)
        .then(|| u32::from_str_radix(&hex, 16).ok())
        .flatten()
        .and_then(char::from_u32)
}

/// Past the value of a key that does not say where the store is: one line,
/// or a multi-line string or array up to its end.
fn skip_value<'a>(
    value: &str,
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
) -> Result<(), &'static str> {
    for delim in ["\"\"\"", "'''"] {
        if let Some(rest) = value.strip_prefix(delim) {
            if rest.contains(delim) {
                return Ok(());
            }
            return match lines.any(|(_, l)| l.contains(delim)) {
                true => Ok(()),
                false => Err("a multi-line string is not closed"),
            };
        }
    }
    if value.starts_with('[') {
        let mut depth = bracket_depth(value);
        while depth > 0 {
            let Some((_, line)) = lines.next() else {
                return Err("an array is not closed");
            };
            depth += bracket_depth(line);
        }
    }
    Ok(())
}

/// Brackets opened less those closed, outside strings and comments.
fn bracket_depth(line: &str) -> i64 {
    strip_comment(line)
        .chars()
        .scan((None::<char>, false), |(quote, escaped), c| {
            let counted = match (*quote, c) {
                (Some('"'), '\\') if !*escaped => {
                    *escaped = true;
                    return Some(0);
                }
                (Some(q), c) if c == q && !*escaped => {
                    *quote = None;
                    0
                }
                (None, '"' | '\'') => {
                    *quote = Some(c);
                    0
                }
                (None, '[') => 1,
                (None, ']') => -1,
                _ => 0,
            };
            *escaped = false;
            Some(counted)
        })
        .sum()
}

/// A path from a storage.conf as Podman makes it: `$UID`, then `$HOME`,
/// `$USER` (or `${...}`); it must then be absolute and without `..`.
pub fn expand(value: &str, vars: &Expansions<'_>) -> Result<PathBuf, String> {
    let text = value.replace("$UID", &vars.uid.to_string());
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = match after.strip_prefix('{') {
            Some(braced) => {
                let end = braced.find('}').ok_or("a ${ is not closed")?;
                (&braced[..end], end + 2)
            }
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match name {
            "" => return Err(format!("{value} has a $ that names no variable")),
            "HOME" => out.push_str(&vars.home.to_string_lossy()),
            "USER" => out.push_str(vars.user),
            "UID" => out.push_str(&vars.uid.to_string()),
            _ => {
                return Err(format!(
                    "${name} is in the user's own environment, which root cannot see"
                ))
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    let path = PathBuf::from(&out);
    if !path.is_absolute() {
        return Err(format!("{out} is not an absolute path"));
    }
    if path.components().any(|c| c == Component::ParentDir) {
        return Err(format!("{out} goes up with .."));
    }
    Ok(path.components().collect())
}

#[cfg(test)]
#[path = "storage_conf_tests.rs"]
mod tests;

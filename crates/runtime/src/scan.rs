//! What every source of containers answers: the containers that may match
//! what is looked for, read and with their state.

use super::Container;
use crate::error::Error;

/// What a lookup is for, so that each source reads as little as it can:
/// a name or ID needs the files of matching IDs and a cheap search of the
/// others; a pod name, the files that mention it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint<'a> {
    All,
    /// A name, full ID or ID prefix.
    Query(&'a str),
    /// A Kubernetes pod's name.
    Pod(&'a str),
    /// The containers process `pid` may belong to (`pid:N`): those whose
    /// process it is, and those its cgroups (`/proc/PID/cgroup`) name.
    /// A source that cannot tell without reading everything reads all.
    Process {
        pid: i32,
        cgroups: &'a str,
    },
}

impl Hint<'_> {
    /// Whether every container may be an answer: a file that cannot be
    /// read is then skipped and said, not the lookup's error.
    pub fn reads_all(&self) -> bool {
        matches!(self, Hint::All | Hint::Process { .. })
    }

    /// The bytes a state file that may match must contain, as compact JSON
    /// writes them: `before`, then the text quoted after `lead`
    /// (`"Name":"/web"`). None when every file must be parsed, or when the
    /// text could be escaped in JSON, so that a byte search could miss it.
    pub fn needle(&self, before: &str, lead: &str) -> Option<Vec<u8>> {
        let text = match self {
            Hint::All | Hint::Process { .. } => return None,
            Hint::Query(q) => q.trim_start_matches('/'),
            Hint::Pod(p) => p,
        };
        plain(text).then(|| format!("{before}\"{lead}{text}\"").into_bytes())
    }

    /// For a name or ID looked for, the bytes a JSON text holding a
    /// string that is it, or that begins with it (an ID prefix), must
    /// contain: `"` and the text. None when that cannot be told so.
    pub fn string_start(&self) -> Option<Vec<u8>> {
        match self {
            Hint::Query(q) if plain(q) => Some(format!("\"{q}").into_bytes()),
            _ => None,
        }
    }
}

/// Text that JSON never escapes, so that a byte search cannot miss it.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A source's answer.
#[derive(Debug, Default)]
pub struct Scan {
    pub containers: Vec<Container>,
    /// State files that could not be read, said when nothing is found (one
    /// of them may have been the container meant).
    pub skipped: Vec<String>,
    /// Said on stderr once, whatever is found: the daemon did not answer
    /// and its state files were read instead.
    pub notes: Vec<String>,
}

/// A place containers are found: one runtime's daemon or state files.
pub trait Source {
    /// For messages: "Docker state files under /var/lib/docker".
    fn describe(&self) -> String;
    /// The containers that may match; `None` when this runtime is not here
    /// (its socket and state directories are absent).
    fn scan(&self, hint: Hint<'_>) -> Result<Option<Scan>, Error>;
    /// Whether the user named this place (an option, `-H`): then failing to
    /// read it fails a lookup, even one that another runtime answers.
    fn named_by_user(&self) -> bool {
        false
    }
    /// The rest of what entering needs, read only for the container chosen.
    fn complete(&self, container: Container) -> Result<Container, Error> {
        Ok(container)
    }
}

/// Whether `haystack` contains `needle` (memchr's SIMD search: linear).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

//! One error type for every tool, printed the util-linux way:
//! `<tool>: <what was being done to what>: <strerror>`.

/// An errno value from a failed system call (rustix's: plain data).
pub use rustix::io::Errno;
use std::fmt;
use std::sync::Arc;

/// Exit status for a failure of the tool itself (util-linux uses 1).
pub const EXIT_FAILURE: i32 = 1;
/// The program was found but could not be executed.
pub const EXIT_CANNOT_EXECUTE: i32 = 126;
/// The program was not found.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad command line: printed with a "Try '<tool> --help'" hint.
    Usage,
    /// Anything else that stops the tool before the program runs.
    Failed,
    /// The program could not be executed (exit 126 or 127).
    Exec,
    /// The target process ended while we held it: a failure like `Failed`,
    /// which a lookup reads as "the container has stopped".
    Exited,
    /// The process behind a container's PID is not the container's (the
    /// hint says why): the container has stopped and its PID is another's
    /// now, or its state files name a process that was never its.
    Stale,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    /// What was being done, to what: "cannot open /proc/42/ns/mnt".
    pub what: String,
    /// The errno behind it, printed as strerror after a colon.
    pub errno: Option<Errno>,
    /// What the user can do about it, printed in parentheses at the end.
    pub hint: Option<String>,
    /// The error that caused this one, kept whole (its kind, its own
    /// source) for `std::error::Error::source`. Printed after a colon
    /// when there is no errno to print instead.
    pub cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Errors are equal when they say the same: a cause is compared by its
/// text (an `io::Error` has no equality of its own).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.what == other.what
            && self.errno == other.errno
            && self.hint == other.hint
            && self.cause.as_ref().map(|c| c.to_string())
                == other.cause.as_ref().map(|c| c.to_string())
    }
}

impl Eq for Error {}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    fn new(kind: ErrorKind, what: String, errno: Option<Errno>) -> Self {
        Error {
            kind,
            what,
            errno,
            hint: None,
            cause: None,
        }
    }

    /// A failure with no errno behind it (util-linux `errx`).
    pub fn msg(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Failed, what.into(), None)
    }

    /// A failure caused by a system call (util-linux `err`).
    pub fn sys(what: impl Into<String>, errno: Errno) -> Self {
        Error::new(ErrorKind::Failed, what.into(), Some(errno))
    }

    /// A failure caused by an `io::Error`: its errno when it has one, and
    /// the error itself as the cause (an error without an errno, such as
    /// invalid UTF-8 or an early end of file, is printed from it).
    pub fn io(what: impl Into<String>, err: std::io::Error) -> Self {
        let errno = err.raw_os_error().map(Errno::from_raw_os_error);
        Error {
            cause: Some(Arc::new(err)),
            ..Error::new(ErrorKind::Failed, what.into(), errno)
        }
    }

    /// A bad command line.
    pub fn usage(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, what.into(), None)
    }

    /// The program could not be executed.
    pub fn exec(prog: &str, errno: Errno) -> Self {
        Error::new(
            ErrorKind::Exec,
            format!("failed to execute {prog}"),
            Some(errno),
        )
    }

    /// The target process `pid` ended while we held it.
    pub fn exited(pid: i32) -> Self {
        Error::new(ErrorKind::Exited, format!("process {pid} exited"), None)
    }

    /// Process `pid` is not the container's process, `why`.
    pub fn stale(pid: i32, why: impl Into<String>) -> Self {
        Error::new(
            ErrorKind::Stale,
            format!("process {pid} is not the container's process"),
            None,
        )
        .hint(why)
    }

    /// Prefix the description with more context: "reading config: <what>".
    pub fn context(mut self, before: impl fmt::Display) -> Self {
        self.what = format!("{before}: {}", self.what);
        self
    }

    /// Add more after the description: "<what>: <after>".
    pub fn context_after(mut self, after: impl fmt::Display) -> Self {
        self.what = format!("{}: {after}", self.what);
        self
    }

    /// Add advice for the user: "(root or CAP_SYS_ADMIN is needed)".
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> i32 {
        match (&self.kind, self.errno) {
            // As util-linux: only "no such file" is 127 (a PATH search that
            // found nothing ends as ENOENT too).
            (ErrorKind::Exec, Some(Errno::NOENT)) => EXIT_NOT_FOUND,
            (ErrorKind::Exec, _) => EXIT_CANNOT_EXECUTE,
            _ => EXIT_FAILURE,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages echo user input (arguments, container names): control
        // characters are escaped so every error stays one line.
        write!(f, "{}", self.what.escape_debug_controls())?;
        match (self.errno, &self.cause) {
            (Some(errno), _) => write!(f, ": {}", strerror(errno.raw_os_error()))?,
            (None, Some(cause)) => write!(f, ": {}", cause.to_string().escape_debug_controls())?,
            (None, None) => {}
        }
        match &self.hint {
            Some(hint) => write!(f, " ({hint})"),
            None => Ok(()),
        }
    }
}

trait EscapeControls {
    fn escape_debug_controls(&self) -> String;
}

impl EscapeControls for str {
    fn escape_debug_controls(&self) -> String {
        self.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// The C library's text for an errno, as util-linux prints it: std's
/// (strerror_r) without the " (os error N)" it adds.
pub fn strerror(code: i32) -> String {
    let text = std::io::Error::from_raw_os_error(code).to_string();
    match text.strip_suffix(&format!(" (os error {code})")) {
        Some(plain) => plain.to_string(),
        None => text,
    }
}

/// The lines `report` prints for `err`: `tool: error`, and for a bad
/// command line the usage hint.
pub fn report_lines(tool: &str, err: &Error) -> String {
    let mut message = format!("{tool}: {err}\n");
    if err.kind == ErrorKind::Usage {
        message.push_str(&format!("Try '{tool} --help' for more information.\n"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::{Errno, Error};

    #[test]
    fn printed_like_util_linux() {
        assert_eq!(
            Error::sys("cannot open /proc/42/ns/mnt", Errno::ACCESS).to_string(),
            "cannot open /proc/42/ns/mnt: Permission denied"
        );
        assert_eq!(
            Error::msg("no namespace specified")
                .hint("try -a")
                .to_string(),
            "no namespace specified (try -a)"
        );
    }

    #[test]
    fn strerror_is_the_c_library_text() {
        assert_eq!(
            super::strerror(Errno::NOENT.raw_os_error()),
            "No such file or directory"
        );
        assert_eq!(
            super::strerror(Errno::PERM.raw_os_error()),
            "Operation not permitted"
        );
    }

    #[test]
    fn control_characters_stay_on_one_line() {
        assert_eq!(
            Error::msg("invalid option -- '\n'").to_string(),
            "invalid option -- '\\n'"
        );
    }

    /// An `io::Error` without an errno (invalid UTF-8, an early end of
    /// file) is kept as the cause, whole, not flattened into the text;
    /// one with an errno is printed as strerror and kept too.
    #[test]
    fn io_errors_keep_their_cause() {
        use std::error::Error as _;
        use std::io;
        let err = Error::io(
            "cannot read /proc/stat",
            io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ),
        );
        assert_eq!(err.what, "cannot read /proc/stat");
        assert_eq!(err.errno, None);
        assert_eq!(
            err.to_string(),
            "cannot read /proc/stat: stream did not contain valid UTF-8"
        );
        let cause = err.source().expect("the io::Error is the source");
        let io = cause
            .downcast_ref::<io::Error>()
            .expect("kept as an io::Error");
        assert_eq!(io.kind(), io::ErrorKind::InvalidData);
        // Context keeps it too.
        assert!(err.clone().context("reading").source().is_some());

        let denied = Error::io("cannot open x", io::Error::from_raw_os_error(13));
        assert_eq!(denied.errno, Some(Errno::ACCESS));
        assert_eq!(denied.to_string(), "cannot open x: Permission denied");
        assert!(denied.source().is_some());
    }

    #[test]
    fn exec_failures_map_to_126_and_127() {
        assert_eq!(Error::exec("x", Errno::NOENT).exit_code(), 127);
        assert_eq!(Error::exec("x", Errno::ACCESS).exit_code(), 126);
        assert_eq!(Error::exec("x", Errno::NOTDIR).exit_code(), 126);
        assert_eq!(Error::msg("x").exit_code(), 1);
    }
}

//! The one result of a command the tests ran, and the assertions made on
//! it, chained: `run(..).success().stdout_is("t1\n")`, or
//! `.failure().code_is(1).stderr_contains("cannot open")`. A failed
//! assertion names the command and shows all it did, at the test's line.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Output};
use std::time::Duration;

/// The deadline of a run that must not wait on anything (a refusal, a
/// lookup from files, an exit after a hang-up): ten times what the
/// slowest of them takes on an idle CI machine, so that a busy machine
/// does not fail it, while what it guards against (reading an endless
/// file, waiting on a FIFO, a peer or a daemon that never answers) never
/// ends at all.
pub const QUICK: Duration = Duration::from_secs(10);

/// The memory a run that must not read a whole file stays under: a tool
/// needs a few MiB; the files the tests feed it are endless or 5 GB.
pub const CHEAP_KIB: u64 = 64 << 10;

#[derive(Clone)]
pub struct RunResult {
    /// The command line, for the messages of failed assertions.
    pub command: String,
    /// The name of the program run, which starts its error messages.
    pub tool: String,
    /// Standard output and error as text (invalid UTF-8 replaced) and as
    /// bytes.
    pub stdout: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    pub stderr_bytes: Vec<u8>,
    /// "exit N" or "signal N": comparable and readable in messages.
    pub status: String,
    /// Wall time from the start to the end of the run.
    pub elapsed: Duration,
    /// The peak resident memory (KiB), where the run was measured (see
    /// `run_measured`).
    pub peak_kib: Option<u64>,
}

/// "exit N" or "signal N".
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => format!("{status:?}"),
    }
}

/// The file name of the program `cmd` runs.
pub fn tool_name(cmd: &Command) -> String {
    let program = std::path::Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or_default();
    name.to_string_lossy().into_owned()
}

impl RunResult {
    pub fn new(cmd: &Command, out: Output, elapsed: Duration) -> RunResult {
        RunResult {
            command: format!("{cmd:?}"),
            tool: tool_name(cmd),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stdout_bytes: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stderr_bytes: out.stderr,
            status: describe(out.status),
            elapsed,
            peak_kib: None,
        }
    }

    /// The exit status; None when a signal ended the run.
    pub fn code(&self) -> Option<i32> {
        self.status.strip_prefix("exit ")?.parse().ok()
    }

    /// The signal that ended the run, if one did.
    pub fn signal(&self) -> Option<i32> {
        self.status.strip_prefix("signal ")?.parse().ok()
    }

    pub fn succeeded(&self) -> bool {
        self.status == "exit 0"
    }

    #[track_caller]
    fn check(&self, holds: bool, what: &str) -> &Self {
        assert!(holds, "{}: {what}\n{self:#?}", self.command);
        self
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        self.check(self.succeeded(), "expected exit 0")
    }

    #[track_caller]
    pub fn failure(&self) -> &Self {
        self.check(!self.succeeded(), "expected a failure")
    }

    #[track_caller]
    pub fn code_is(&self, code: i32) -> &Self {
        self.check(self.code() == Some(code), &format!("expected exit {code}"))
    }

    #[track_caller]
    pub fn stdout_is(&self, expected: impl AsRef<str>) -> &Self {
        let expected = expected.as_ref();
        self.check(
            self.stdout == expected,
            &format!("expected stdout {expected:?}"),
        )
    }

    #[track_caller]
    pub fn stderr_is(&self, expected: impl AsRef<str>) -> &Self {
        let expected = expected.as_ref();
        self.check(
            self.stderr == expected,
            &format!("expected stderr {expected:?}"),
        )
    }

    #[track_caller]
    pub fn stdout_contains(&self, part: impl AsRef<str>) -> &Self {
        let part = part.as_ref();
        self.check(
            self.stdout.contains(part),
            &format!("expected {part:?} on stdout"),
        )
    }

    #[track_caller]
    pub fn stderr_contains(&self, part: impl AsRef<str>) -> &Self {
        let part = part.as_ref();
        self.check(
            self.stderr.contains(part),
            &format!("expected {part:?} on stderr"),
        )
    }

    #[track_caller]
    pub fn no_stdout(&self) -> &Self {
        self.check(self.stdout_bytes.is_empty(), "expected nothing on stdout")
    }

    #[track_caller]
    pub fn no_stderr(&self) -> &Self {
        self.check(self.stderr.is_empty(), "expected nothing on stderr")
    }

    /// Refused the way every tool here refuses: exit 1, exactly `line`
    /// (`TOOL: MESSAGE`) on stderr, and nothing run (nothing on stdout).
    #[track_caller]
    pub fn refused(&self, line: impl AsRef<str>) -> &Self {
        self.code_is(1)
            .stderr_is(format!("{}\n", line.as_ref()))
            .no_stdout()
    }

    /// The util-linux error shape: exit 1, nothing on stdout, one line on
    /// stderr that starts with `TOOL: `.
    #[track_caller]
    pub fn one_line_error(&self) -> &Self {
        let shape = self.stderr.starts_with(&format!("{}: ", self.tool))
            && self.stderr.lines().count() == 1;
        self.code_is(1)
            .no_stdout()
            .check(shape, "expected one line 'TOOL: ...' on stderr")
    }

    /// Ended before the [`QUICK`] deadline.
    #[track_caller]
    pub fn quick(&self) -> &Self {
        self.check(
            self.elapsed < QUICK,
            &format!("expected an end within {QUICK:?}"),
        )
    }

    /// Ended quickly, under [`CHEAP_KIB`] of memory (a measured run).
    #[track_caller]
    pub fn cheap(&self) -> &Self {
        let peak = self.peak_kib.expect("a run measured with run_measured");
        self.quick()
            .check(peak < CHEAP_KIB, &format!("expected under {CHEAP_KIB} KiB"))
    }
}

/// Every field, but the bytes of an output only where they are not text.
impl std::fmt::Debug for RunResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("RunResult");
        out.field("command", &self.command)
            .field("tool", &self.tool)
            .field("stdout", &self.stdout);
        if std::str::from_utf8(&self.stdout_bytes).is_err() {
            out.field("stdout_bytes", &self.stdout_bytes);
        }
        out.field("stderr", &self.stderr);
        if std::str::from_utf8(&self.stderr_bytes).is_err() {
            out.field("stderr_bytes", &self.stderr_bytes);
        }
        out.field("status", &self.status)
            .field("elapsed", &self.elapsed)
            .field("peak_kib", &self.peak_kib)
            .finish()
    }
}

/// Two runs are alike when they print alike and end alike, however long
/// each took.
impl PartialEq for RunResult {
    fn eq(&self, other: &Self) -> bool {
        (&self.stdout_bytes, &self.stderr_bytes, &self.status)
            == (&other.stdout_bytes, &other.stderr_bytes, &other.status)
    }
}

//! Standard error, written the way every tool writes it.

use nsenter_can_plan::error::{report_lines, Error};

/// Print `tool: error` (and the usage hint) on stderr and return the exit code.
pub fn report(tool: &str, err: &Error) -> i32 {
    write_stderr(&report_lines(tool, err));
    err.exit_code()
}

/// Write whole lines on stderr in one write(2): runs that share a log file
/// or a terminal never cut into each other's lines (eprintln! writes each
/// piece of its format separately).
pub fn write_stderr(lines: &str) {
    use std::io::Write;
    // Never into one of our own files that took the number of a standard
    // error the caller left closed (a cgroup's `tasks`, a label file).
    if !super::fd::is_inherited(2) {
        return;
    }
    // Nothing better can be done when stderr is gone.
    let _ = std::io::stderr().lock().write_all(lines.as_bytes());
}

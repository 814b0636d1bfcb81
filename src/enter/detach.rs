//! `docker-enter -d`: the program started in the background, as `docker
//! exec -d` starts it, and we return at once.
//!
//! It gets what `docker exec -d` gives: standard input, output and error
//! that lead nowhere (/dev/null here; docker's are pipes its daemon
//! drains), and a session of its own. So it holds neither our terminal
//! (security rule 13) nor the pipes of whoever started us: a caller
//! reading our output (`$(docker-enter -d ...)`, ssh) sees its end at
//! once. No parent-death signal is armed: it lives on when we exit.

use super::program_cgroup::{self, Born, ProgramCgroup};
use crate::error::{Error, Result};
use crate::sys::fs::{self, OFlags};
use crate::sys::{fd, tty};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

const DEV_NULL: &str = "/dev/null";

/// The host's /dev/null, opened before entering: the fallback when the
/// container has no usable one.
pub fn open_host_null() -> Result<OwnedFd> {
    fs::open(Path::new(DEV_NULL), OFlags::RDWR | OFlags::NOCTTY)
        .map_err(|e| Error::sys(format!("cannot open {DEV_NULL}"), e))
}

/// After entering: the container's /dev/null when it is the null device
/// (character device 1:3; a container could put anything at that path),
/// else the host's opened before entering.
pub fn null_device(host_null: Option<OwnedFd>) -> Result<OwnedFd> {
    let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK;
    let container = fs::open(Path::new(DEV_NULL), flags)
        .ok()
        .filter(|null| fs::fstat(null.as_fd()).is_ok_and(|m| m.is_char_device(1, 3)));
    container
        .or(host_null)
        .ok_or_else(|| Error::msg(format!("no {DEV_NULL} to give the detached program")))
}

/// Start the program (`child` execs it, or returns why it could not) in
/// a session of its own with `null` as its standard descriptors (and in
/// `cgroup`, see `program_cgroup`), and return 0 once it runs, without
/// waiting for it. A program that cannot be started is our error,
/// reported here: its own stderr leads nowhere.
pub fn start(
    null: OwnedFd,
    cgroup: Option<&ProgramCgroup<'_>>,
    child: impl FnOnce(Born) -> Error,
) -> Result<i32> {
    let mut failed: Option<Error> = None;
    let mut child = Some(child);
    let mut in_child = |born: Born| -> i32 {
        let err = match (attach(null.as_fd()), child.take()) {
            (Err(e), _) => e,
            (Ok(()), Some(run)) => run(born),
            (Ok(()), None) => Error::msg("internal error: the program was started twice"),
        };
        let code = err.exit_code();
        // The child shares our memory until it execs or exits (see
        // `process::spawn`): what it leaves here, we read once it is done.
        failed = Some(err);
        code
    };
    program_cgroup::spawn(cgroup, &mut in_child)?;
    match failed {
        Some(err) => Err(err),
        None => Ok(0),
    }
}

/// In the program's process: a new session, and `null` as 0, 1 and 2.
fn attach(null: BorrowedFd<'_>) -> Result<()> {
    tty::new_session().map_err(|e| Error::sys("cannot start a new session", e))?;
    for target in 0..=2 {
        fd::dup_onto_standard(null, target)
            .map_err(|e| Error::sys(format!("cannot attach {DEV_NULL}"), e))?;
    }
    Ok(())
}

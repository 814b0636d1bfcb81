//! `docker-enter -d`: the program started in the background, as `docker
//! exec -d` starts it, and we return at once.
//!
//! Its standard input, output and error lead nowhere and are never the
//! host's (security rule 4): the container's own /dev/null, or, in a
//! container without a usable one, pipes (see [`Streams`]). It gets a
//! session of its own. So it holds neither our terminal (security rule
//! 13) nor the pipes of whoever started us: a caller reading our output
//! (`$(docker-enter -d ...)`, ssh) sees its end at once. No parent-death
//! signal is armed: it lives on when we exit.

use super::program_cgroup::{self, Born, ProgramCgroup};
use crate::error::{Error, Result};
use crate::sys::fs::{self, OFlags};
use crate::sys::{fd, process, tty};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

/// The container's null device, before entering: found under its root
/// (`/proc/PID/root`) with no symbolic link followed, checked to be the
/// null device (character device 1:3) before it is opened (opening a
/// device can act: a watchdog starts counting), then opened through the
/// held handle. None when there is no such device there (removed,
/// replaced, on a `nodev` mount).
pub fn open_container_null(root: BorrowedFd<'_>) -> Option<OwnedFd> {
    let found = fs::open_in_root_no_symlinks(root, Path::new("dev/null"), OFlags::PATH).ok()?;
    if !fs::fstat(found.as_fd()).is_ok_and(|m| is_null_device(&m)) {
        return None;
    }
    fs::reopen(found.as_fd(), OFlags::RDWR | OFlags::NOCTTY).ok()
}

/// The null device: character device 1:3, wherever it is found.
pub fn is_null_device(meta: &fs::Meta) -> bool {
    meta.is_char_device(1, 3)
}

/// The detached program's standard descriptors.
pub enum Streams {
    /// The container's /dev/null as 0, 1 and 2.
    Null(OwnedFd),
    /// A container without a usable /dev/null: standard input a pipe at
    /// its end, standard output and error one pipe that a process of ours
    /// reads and discards (as `docker exec -d`'s output goes to pipes its
    /// daemon drains) until every holder of it has closed it. That
    /// process stays on the host's side (it is started before anything
    /// is entered), holding nothing but that pipe.
    Pipes { input: OwnedFd, output: OwnedFd },
}

impl Streams {
    /// The container's null device, else pipes (call before entering:
    /// the draining process must not start inside).
    pub fn new(null: Option<OwnedFd>) -> Result<Streams> {
        if let Some(null) = null {
            return Ok(Streams::Null(null));
        }
        let failed = |e| Error::sys("cannot create a pipe", e);
        // The write end is dropped at once: the program reads end of file.
        let (input, _) = fd::pipe().map_err(failed)?;
        let (drained, output) = fd::pipe().map_err(failed)?;
        start_drain(drained)?;
        Ok(Streams::Pipes { input, output })
    }

    /// In the program's process: a new session, and the streams as 0, 1
    /// and 2.
    fn attach(&self) -> Result<()> {
        tty::new_session().map_err(|e| Error::sys("cannot start a new session", e))?;
        let ends: [BorrowedFd<'_>; 3] = match self {
            Streams::Null(null) => [null.as_fd(); 3],
            Streams::Pipes { input, output } => [input.as_fd(), output.as_fd(), output.as_fd()],
        };
        for (target, end) in (0..=2).zip(ends) {
            fd::dup_onto_standard(end, target)
                .map_err(|e| Error::sys("cannot attach the detached program's streams", e))?;
        }
        Ok(())
    }
}

/// Start the process that reads `drained` to its end, discarding it: in
/// a session of its own, with nothing else open (not our caller's
/// descriptors: `$(docker-enter -d ...)` would wait for it), under a name
/// that says what it is.
fn start_drain(drained: OwnedFd) -> Result<()> {
    match process::fork().map_err(|e| Error::sys("cannot start the output's drain", e))? {
        Some(_) => Ok(()),
        None => {
            let _ = tty::new_session();
            process::set_name(b"docker-enter-d");
            let kept = fd::dup_onto_standard(drained.as_fd(), 0).is_ok()
                && fd::close_standard(1).is_ok()
                && fd::close_standard(2).is_ok()
                && fd::close_all_above_stdio().is_ok();
            let mut discard = vec![0u8; 1 << 16];
            while kept && matches!(fd::read(fd::standard(0), &mut discard), Ok(1..)) {}
            process::exit_now(0)
        }
    }
}

/// Start the program (`child` execs it, or returns why it could not) in
/// a session of its own with `streams` as its standard descriptors (and
/// in `cgroup`, see `program_cgroup`), and return 0 once it runs, without
/// waiting for it. A program that cannot be started is our error,
/// reported here: its own stderr leads nowhere.
pub fn start(
    streams: Streams,
    cgroup: Option<&ProgramCgroup<'_>>,
    child: impl FnOnce(Born) -> Error,
) -> Result<i32> {
    let mut failed: Option<Error> = None;
    let mut child = Some(child);
    let mut in_child = |born: Born| -> i32 {
        let err = match (streams.attach(), child.take()) {
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

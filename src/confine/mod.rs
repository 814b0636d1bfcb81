//! Confinement: the program runs as confined as the target's own process
//! (security rules 7, 9 and 10), as `docker exec` confines what it starts.
//!
//! [`Taken::read`] reads the target's confinement in `enter::prepare`,
//! through the held /proc/PID and pidfd, while /proc is still the host's:
//! its bounding set and no_new_privs (/proc/PID/status), its seccomp
//! filters (copied with ptrace, see `seccomp.rs`), its resource limits and
//! oom_score_adj. (Its LSM label is `label::ExecLabel`'s, written at exec.)
//!
//! [`Taken::before_entering`] gives our own process the target's
//! oom_score_adj, before anything is entered: the program inherits it, and
//! the host's /proc is still ours to write it to (from inside a user
//! namespace the file could not be opened for writing). The waiting parent
//! keeps it too, which changes nothing that matters: if the OOM killer
//! takes the parent, the program goes with it (its parent-death signal).
//! The other steps run in the program's process, in runc's order:
//!
//! 1. [`Taken::before_credentials`]: rlimits; then
//!    no_new_privs if the target has it; without no_new_privs, installing
//!    a filter takes CAP_SYS_ADMIN, so the filters go on now, while we
//!    hold it; then the bounding set is cut to the target's.
//! 2. the uid, gid and groups change (`enter::creds`);
//! 3. [`Taken::after_credentials`]: for uid 0 the effective and permitted
//!    sets become the bounding set (what a root process of the container
//!    holds), for any other uid nothing (the kernel clears them at execve
//!    anyway); inheritable and ambient empty;
//! 4. [`Taken::before_exec`]: with no_new_privs the filters go on last,
//!    just before execve, so as few of our own system calls as possible
//!    run under them.
//!
//! Whatever cannot be read or applied stops everything, with a message
//! that says what and how to run without it (`Plan::confinement_hint`):
//! nothing ever runs less confined than asked in its place. Limits we
//! cannot reproduce without privileges we lack are the exception, and
//! only in the safe direction: a hard limit above ours (raising one takes
//! CAP_SYS_RESOURCE) leaves ours, and an oom_score_adj below our floor
//! leaves ours, higher: the program is then more limited than the target,
//! never less.

mod limits;
mod seccomp;
mod status;

use crate::error::{Error, Result};
use crate::plan::Confinement;
use crate::sys::fs::{self, OFlags};
use crate::sys::process::Limit;
use crate::sys::seccomp::{install, Filter};
use crate::sys::{caps, fd, ids, process, Errno};
use crate::target::Target;
use std::os::fd::AsFd;
use std::path::Path;
use std::time::{Duration, Instant};

/// The target's confinement, read and held until the program's process
/// applies it.
pub struct Taken {
    pid: i32,
    /// None under `Confinement::Privileged`.
    privileges: Option<Privileges>,
    limits: Vec<(usize, Limit)>,
    oom_score_adj: i32,
    /// Ours when we started.
    our_oom_score_adj: i32,
    /// What a refusal says to do instead.
    hint: &'static str,
    /// How long reading took (docker-enter's timing report).
    pub read_time: Duration,
}

struct Privileges {
    bounding: u64,
    no_new_privs: bool,
    /// Oldest first.
    filters: Vec<Filter>,
}

impl Taken {
    /// Read the target's confinement (`how` is Target or Privileged).
    pub fn read(target: &Target, how: Confinement, hint: &'static str) -> Result<Taken> {
        let started = Instant::now();
        let way_out = |e: Error| way_out(e, hint);
        let privileges = if how.takes_privileges() {
            Some(read_privileges(target).map_err(way_out)?)
        } else {
            None
        };
        let text = |name: &str| -> Result<String> {
            Ok(String::from_utf8_lossy(&target.read(name)?).into_owned())
        };
        let unparsable = |pid: String| {
            move |row| Error::msg(format!("cannot parse /proc/{pid}/limits: no \"{row}\" row"))
        };
        let theirs = limits::parse(&text("limits").map_err(way_out)?)
            .map_err(unparsable(target.pid.to_string()))
            .map_err(way_out)?;
        // The program inherits ours: only those that differ are set.
        let ours = std::fs::read_to_string("/proc/self/limits")
            .map_err(|e| Error::io("cannot read /proc/self/limits", &e))?;
        let ours = limits::parse(&ours).map_err(unparsable("self".into()))?;
        let limits = theirs.into_iter().filter(|l| !ours.contains(l)).collect();
        let oom_score_adj =
            parse_oom(&text("oom_score_adj").map_err(way_out)?, target.pid).map_err(way_out)?;
        let ours = std::fs::read_to_string("/proc/self/oom_score_adj")
            .map_err(|e| Error::io("cannot read /proc/self/oom_score_adj", &e))?;
        let our_oom_score_adj = parse_oom(&ours, process::getpid())?;
        Ok(Taken {
            pid: target.pid,
            privileges,
            limits,
            oom_score_adj,
            our_oom_score_adj,
            hint,
            read_time: started.elapsed(),
        })
    }

    /// Step 1 (see the module notes), as root, before the uid changes.
    pub fn before_credentials(&self) -> Result<()> {
        limits::apply(&self.limits).map_err(|(name, e)| {
            self.refusal(Error::sys(
                format!("cannot set the limit \"{name}\" of process {}", self.pid),
                e,
            ))
        })?;
        let Some(p) = &self.privileges else {
            return Ok(());
        };
        if p.no_new_privs {
            process::set_no_new_privs()
                .map_err(|e| self.refusal(Error::sys("cannot set no_new_privs", e)))?;
        } else {
            self.install_filters(p)?;
        }
        caps::limit_bounding_set(p.bounding).map_err(|e| {
            self.refusal(Error::sys(
                format!(
                    "cannot limit the bounding set to that of process {}",
                    self.pid
                ),
                e,
            ))
        })
    }

    /// Step 3: the capability sets for the uid we now have. With
    /// `keep_caps` (nsenter's --keep-caps) a uid other than 0 keeps the
    /// permitted capabilities within the bounding set, for the ambient set.
    pub fn after_credentials(&self, keep_caps: bool) -> Result<()> {
        let Some(p) = &self.privileges else {
            return Ok(());
        };
        let failed = |e| self.refusal(Error::sys("cannot set capabilities", e));
        let mut sets = caps::capget().map_err(failed)?;
        let kept = kept_capabilities(sets.permitted, p.bounding, ids::geteuid(), keep_caps);
        sets.permitted = kept;
        sets.effective = kept;
        sets.inheritable = 0;
        caps::capset(sets).map_err(failed)?;
        caps::clear_ambient().map_err(failed)?;
        // A change of capabilities may make us dumpable (security rule 3).
        process::set_dumpable(false)
            .map_err(|e| Error::sys("cannot make the process non-dumpable", e))
    }

    /// Step 4: the filters, last, when the target has no_new_privs.
    pub fn before_exec(&self) -> Result<()> {
        match &self.privileges {
            Some(p) if p.no_new_privs => self.install_filters(p),
            _ => Ok(()),
        }
    }

    fn install_filters(&self, p: &Privileges) -> Result<()> {
        for filter in &p.filters {
            install(filter).map_err(|e| {
                self.refusal(Error::sys(
                    format!("cannot install the seccomp filters of process {}", self.pid),
                    e,
                ))
            })?;
        }
        Ok(())
    }

    /// Before entering: our oom_score_adj becomes the target's (see the
    /// module notes). Going below our floor takes CAP_SYS_RESOURCE: then
    /// ours stays, higher.
    pub fn before_entering(&self) -> Result<()> {
        if self.oom_score_adj == self.our_oom_score_adj {
            return Ok(());
        }
        let value = self.oom_score_adj.to_string();
        let written = fs::open(Path::new("/proc/self/oom_score_adj"), OFlags::WRONLY)
            .and_then(|file| fd::write_all(file.as_fd(), value.as_bytes()));
        match written {
            Err(e) if stays_ours(self.oom_score_adj, self.our_oom_score_adj, e) => Ok(()),
            Err(e) => Err(self.refusal(Error::sys(
                format!(
                    "cannot set oom_score_adj {value} (that of process {})",
                    self.pid
                ),
                e,
            ))),
            Ok(()) => Ok(()),
        }
    }

    fn refusal(&self, err: Error) -> Error {
        way_out(err, self.hint)
    }
}

/// The permitted (and effective) capabilities of the program, as `docker
/// exec` gives them: for uid 0 the bounding set (execve gives root that
/// anyway), for any other uid none, unless `--keep-caps` keeps them.
fn kept_capabilities(permitted: u64, bounding: u64, euid: u32, keep_caps: bool) -> u64 {
    if euid == 0 || keep_caps {
        permitted & bounding
    } else {
        0
    }
}

/// Whether a failed write of oom_score_adj `want` leaves ours rightly:
/// only when the kernel refused to go below our floor (EACCES without
/// CAP_SYS_RESOURCE), so the program stays more likely to be killed than
/// the target, not less.
fn stays_ours(want: i32, ours: i32, errno: Errno) -> bool {
    errno == Errno::ACCESS && want < ours
}

fn read_privileges(target: &Target) -> Result<Privileges> {
    let text = String::from_utf8_lossy(&target.read("status")?).into_owned();
    let status = status::parse(&text).map_err(|line| {
        Error::msg(format!(
            "cannot parse /proc/{}/status: no {line} line",
            target.pid
        ))
    })?;
    let filters = seccomp::copy(target, status.seccomp_mode, status.tracer)?;
    Ok(Privileges {
        bounding: status.bounding,
        no_new_privs: status.no_new_privs,
        filters,
    })
}

fn parse_oom(text: &str, pid: i32) -> Result<i32> {
    text.trim()
        .parse()
        .map_err(|_| Error::msg(format!("cannot parse /proc/{pid}/oom_score_adj")))
}

/// Add what the user can do instead of running unconfined.
pub fn way_out(err: Error, hint: &'static str) -> Error {
    match (&err.hint, hint) {
        (_, "") => err,
        (Some(first), _) => {
            let both = format!("{first}; {hint}");
            err.hint(both)
        }
        (None, _) => err.hint(hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER_DEFAULT: u64 = 0xa80425fb;
    const HOST_ROOT: u64 = 0x1fffeffffff;

    #[test]
    fn root_gets_the_bounding_set_and_others_nothing() {
        assert_eq!(
            kept_capabilities(HOST_ROOT, DOCKER_DEFAULT, 0, false),
            DOCKER_DEFAULT
        );
        assert_eq!(kept_capabilities(HOST_ROOT, DOCKER_DEFAULT, 1000, false), 0);
        assert_eq!(
            kept_capabilities(HOST_ROOT, 0, 0, false),
            0,
            "--cap-drop ALL"
        );
        // --keep-caps keeps, within the bounding set.
        assert_eq!(
            kept_capabilities(HOST_ROOT, DOCKER_DEFAULT, 1000, true),
            DOCKER_DEFAULT
        );
        // Never more than we hold.
        assert_eq!(kept_capabilities(0b101, 0b110, 0, false), 0b100);
    }

    #[test]
    fn only_a_floor_we_cannot_go_below_leaves_our_oom_score_adj() {
        assert!(stays_ours(-500, 0, Errno::ACCESS));
        assert!(
            !stays_ours(300, 0, Errno::ACCESS),
            "raising is always allowed"
        );
        assert!(!stays_ours(-500, 0, Errno::NOENT));
    }

    #[test]
    fn a_way_out_joins_an_earlier_hint() {
        let plain = way_out(Error::msg("x"), "use --privileged");
        assert_eq!(plain.hint.as_deref(), Some("use --privileged"));
        let both = way_out(Error::msg("x").hint("why"), "use --privileged");
        assert_eq!(both.hint.as_deref(), Some("why; use --privileged"));
        assert_eq!(way_out(Error::msg("x"), "").hint, None);
    }
}

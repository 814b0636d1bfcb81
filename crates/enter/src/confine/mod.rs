//! Confinement: the program runs as confined as the target's own process
//! (security rules 7, 9 and 10), as `docker exec` confines what it starts.
//!
//! [`TargetConfinement::read`] reads the target's confinement in `enter::prepare`,
//! through the held /proc/PID and pidfd, while /proc is still the host's:
//! its bounding set and no_new_privs (/proc/PID/status), its seccomp
//! filters (copied with ptrace, see `seccomp.rs`), its resource limits and
//! oom_score_adj. (Its LSM label is `label::ExecLabel`'s, written at exec.)
//!
//! [`TargetConfinement::before_entering`] gives our own process the target's
//! oom_score_adj, before anything is entered: the program inherits it, and
//! the host's /proc is still ours to write it to (from inside a user
//! namespace the file could not be opened for writing). The waiting parent
//! keeps it too, which changes nothing that matters: if the OOM killer
//! takes the parent, the program goes with it (its parent-death signal).
//!
//! The other steps run in the program's process, in an order that puts
//! the target's filters on last. A filter can make any system call fail,
//! or return 0 without doing anything: a container holding CAP_SYS_ADMIN
//! can stack one that fakes setuid, capset or close_range. So every call
//! whose effect matters is made before the first filter goes on:
//!
//! 1. [`TargetConfinement::before_credentials`]: rlimits; no_new_privs if the target
//!    has it; the bounding set cut to the target's; keep-caps, so that
//!    CAP_SYS_ADMIN survives the change of uid when the filters need it;
//! 2. the groups, gid and uid change (`enter::creds`);
//! 3. [`TargetConfinement::after_credentials`]: the capability sets for that uid: for
//!    uid 0 the effective and permitted sets become the bounding set (what
//!    a root process of the container holds), for any other uid nothing;
//!    inheritable and ambient empty (nsenter's --keep-caps fills them
//!    within the bounding set). Only CAP_SYS_ADMIN may stay beyond that,
//!    in the effective and permitted sets, when the target has no
//!    no_new_privs: installing a filter then takes it;
//! 4. the parent-death signal, and our descriptors closed (`enter`);
//! 5. [`TargetConfinement::before_exec`]: the filters, oldest first; then CAP_SYS_ADMIN
//!    if it was held only for them is dropped, and execve follows.
//!
//! What runs under the filters is harmless to fake or deny, but for one
//! check: rule 6's look at the program (`enter::self_exec`: a stat, and
//! the `#!` line read) before execve, which a container filter that fakes
//! stat could blind. It is the second line there: the binary the program
//! could reach is already a read-only or sealed copy (docker-enter always,
//! `nsenter --confine` whenever it may enter a PID namespace), and an
//! execve a filter fakes runs nothing. The drop of
//! CAP_SYS_ADMIN only tidies: execve computes the new permitted and
//! effective sets from the bounding, inheritable and ambient sets (and the
//! file's), never from the old permitted set, and those three are final
//! before the filters. Each filter is installed under the ones before it,
//! so a filter the container stacked could fake the installation of one it
//! stacked later: the program can then lack only filters the container
//! added itself, never those of its runtime, which come first.
//!
//! runc, for want of CAP_SYS_ADMIN later, installs the filters before the
//! credentials change when the target has no no_new_privs, which leaves
//! setuid and capset to run under them; here CAP_SYS_ADMIN is held across
//! the change instead.
//!
//! Whatever cannot be read or applied stops everything, with a message
//! that says what and how to run without it (`Plan::confinement_hint`):
//! nothing ever runs less confined than asked in its place. Limits we
//! cannot reproduce without capabilities we lack are the exception, and
//! only in the safe direction: a hard limit above ours (raising one takes
//! CAP_SYS_RESOURCE) leaves ours, and an oom_score_adj below our floor
//! leaves ours, higher: the program is then more limited than the target,
//! never less.

pub mod filters;
mod rlimits;
pub(crate) mod status;

use crate::error::{Error, Result};
use crate::plan::{Confinement, SeccompSource};
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
pub struct TargetConfinement {
    pid: i32,
    /// None under `Confinement::ResourcesOnly`.
    restrictions: Option<Restrictions>,
    limits: Vec<(usize, Limit)>,
    oom_score_adj: i32,
    /// Ours when we started.
    our_oom_score_adj: i32,
    /// What a refusal says to do instead.
    hint: &'static str,
    /// How long reading took (docker-enter's timing report).
    pub read_time: Duration,
}

struct Restrictions {
    bounding: u64,
    no_new_privs: bool,
    /// Oldest first.
    filters: Vec<Filter>,
}

impl Restrictions {
    /// Installing the filters takes CAP_SYS_ADMIN: without no_new_privs.
    fn filters_need_admin(&self) -> bool {
        !self.no_new_privs && !self.filters.is_empty()
    }
}

/// The capability sets the program's process takes once the target's
/// filters are on, when they differ from those it held to install them.
pub struct AfterFilters(Option<caps::Caps>);

impl TargetConfinement {
    /// Read the target's confinement (`how` is Target or Privileged).
    pub fn read(
        target: &Target,
        how: Confinement,
        seccomp: &SeccompSource,
        hint: &'static str,
    ) -> Result<TargetConfinement> {
        let started = Instant::now();
        let way_out = |e: Error| way_out(e, hint);
        let restrictions = if how.takes_restrictions() {
            Some(read_restrictions(target, seccomp).map_err(way_out)?)
        } else {
            None
        };
        let text = |name: &str| -> Result<String> {
            Ok(String::from_utf8_lossy(&target.read(name)?).into_owned())
        };
        let unparsable = |pid: String| {
            move |row| Error::msg(format!("cannot parse /proc/{pid}/limits: no \"{row}\" row"))
        };
        let theirs = rlimits::parse(&text("limits").map_err(way_out)?)
            .map_err(unparsable(target.pid.to_string()))
            .map_err(way_out)?;
        // The program inherits ours: only those that differ are set.
        let ours = std::fs::read_to_string("/proc/self/limits")
            .map_err(|e| Error::io("cannot read /proc/self/limits", e))?;
        let ours = rlimits::parse(&ours).map_err(unparsable("self".into()))?;
        let limits = theirs.into_iter().filter(|l| !ours.contains(l)).collect();
        let oom_score_adj =
            parse_oom(&text("oom_score_adj").map_err(way_out)?, target.pid).map_err(way_out)?;
        let ours = std::fs::read_to_string("/proc/self/oom_score_adj")
            .map_err(|e| Error::io("cannot read /proc/self/oom_score_adj", e))?;
        let our_oom_score_adj = parse_oom(&ours, process::getpid())?;
        Ok(TargetConfinement {
            pid: target.pid,
            restrictions,
            limits,
            oom_score_adj,
            our_oom_score_adj,
            hint,
            read_time: started.elapsed(),
        })
    }

    /// Step 1 (see the module notes), as root, before the uid changes.
    pub fn before_credentials(&self) -> Result<()> {
        rlimits::apply(&self.limits).map_err(|(name, e)| {
            self.refusal(Error::sys(
                format!("cannot set the limit \"{name}\" of process {}", self.pid),
                e,
            ))
        })?;
        let Some(p) = &self.restrictions else {
            return Ok(());
        };
        if p.no_new_privs {
            process::set_no_new_privs()
                .map_err(|e| self.refusal(Error::sys("cannot set no_new_privs", e)))?;
        }
        caps::limit_bounding_set(p.bounding).map_err(|e| {
            self.refusal(Error::sys(
                format!(
                    "cannot limit the bounding set to that of process {}",
                    self.pid
                ),
                e,
            ))
        })?;
        if p.filters_need_admin() {
            // A change to another uid keeps the permitted set (execve
            // clears the flag).
            caps::set_keep_caps(true)
                .map_err(|e| self.refusal(Error::sys("cannot keep capabilities", e)))?;
        }
        Ok(())
    }

    /// Step 3: the capability sets for the uid we now have. With
    /// `keep_caps` (nsenter's --keep-caps) a uid other than 0 keeps the
    /// permitted capabilities within the bounding set, for the ambient set
    /// (`creds::keep_capabilities` raises them). Returns what
    /// [`TargetConfinement::before_exec`] drops once the filters are on.
    pub fn after_credentials(&self, keep_caps: bool) -> Result<AfterFilters> {
        let Some(p) = &self.restrictions else {
            return Ok(AfterFilters(None));
        };
        let failed = |e| self.refusal(Error::sys("cannot set capabilities", e));
        let mut sets = caps::capget().map_err(failed)?;
        let kept = kept_capabilities(sets.permitted, p.bounding, ids::geteuid(), keep_caps);
        let held = held_for_filters(kept, sets.permitted, p.filters_need_admin());
        sets.permitted = held;
        sets.effective = held;
        sets.inheritable = 0;
        caps::capset(sets).map_err(failed)?;
        caps::clear_ambient().map_err(failed)?;
        // A change of capabilities may make us dumpable (security rule 3).
        process::set_dumpable(false)
            .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
        let program = caps::Caps {
            permitted: kept,
            effective: kept,
            // What --keep-caps makes inheritable: kept lies within the
            // bounding set.
            inheritable: if keep_caps { kept } else { 0 },
        };
        Ok(AfterFilters((held != kept).then_some(program)))
    }

    /// The bounding set the program gets (all of ours with --privileged).
    pub fn bounding(&self) -> u64 {
        self.restrictions.as_ref().map_or(u64::MAX, |p| p.bounding)
    }

    /// Step 5, last before execve, once our descriptors are closed: the
    /// filters; then the capabilities held only to install them go.
    pub fn before_exec(&self, after: AfterFilters) -> Result<()> {
        let Some(p) = &self.restrictions else {
            return Ok(());
        };
        for filter in &p.filters {
            install(filter).map_err(|e| {
                self.refusal(Error::sys(
                    format!("cannot install the seccomp filters of process {}", self.pid),
                    e,
                ))
            })?;
        }
        if let Some(program) = after.0 {
            // Under the target's filters, which may deny or fake capset:
            // either way the program gets the same sets, since execve
            // computes them without the permitted set this drops from (see
            // the module notes). Its failure is no reason to refuse.
            let _ = caps::capset(program);
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

/// The permitted (and effective) capabilities held from the change of
/// credentials until the filters are on: the program's, and CAP_SYS_ADMIN
/// too when installing the filters takes it and we hold it.
fn held_for_filters(kept: u64, permitted: u64, filters_need_admin: bool) -> u64 {
    match filters_need_admin {
        true => kept | (permitted & caps::SYS_ADMIN),
        false => kept,
    }
}

/// Whether a failed write of oom_score_adj `want` leaves ours rightly:
/// only when the kernel refused to go below our floor (EACCES without
/// CAP_SYS_RESOURCE), so the program stays more likely to be killed than
/// the target, not less.
fn stays_ours(want: i32, ours: i32, errno: Errno) -> bool {
    errno == Errno::ACCESS && want < ours
}

fn read_restrictions(target: &Target, seccomp: &SeccompSource) -> Result<Restrictions> {
    let status = status::read(target)?;
    let filters = filters::filters(target, &status, seccomp)?;
    Ok(Restrictions {
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
    fn cap_sys_admin_is_held_for_the_filters_only_when_they_need_it() {
        let admin = caps::SYS_ADMIN;
        // Root in a default container: its bounding set lacks it.
        assert_eq!(
            held_for_filters(DOCKER_DEFAULT, HOST_ROOT, true),
            DOCKER_DEFAULT | admin
        );
        // Another uid keeps nothing but it.
        assert_eq!(held_for_filters(0, HOST_ROOT, true), admin);
        // With no_new_privs (or no filter) nothing more is held.
        assert_eq!(held_for_filters(0, HOST_ROOT, false), 0);
        // Never what we do not hold.
        assert_eq!(held_for_filters(0, DOCKER_DEFAULT, true), 0);
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

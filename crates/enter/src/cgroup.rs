//! Joining a target's cgroups on cgroup v1, v2 and hybrid hosts.
//!
//! /proc/PID/cgroup lists one line per hierarchy: `ID:CONTROLLERS:PATH`
//! (v2 is `0::PATH`). Each hierarchy is found among our mounts by its
//! controllers (or `name=`), and the target's cgroup there is opened before
//! entering anything: in a v1 hierarchy its `tasks` file, in the unified
//! one its directory (a child can be born there, clone3 CLONE_INTO_CGROUP)
//! and its `cgroup.procs`. Joining writes "0" (meaning "me") into those
//! files; `enter` decides which process joins how.

use crate::error::{Error, Result};
use crate::sys::fs::{self, OFlags};
use crate::sys::{fd, mount, Errno};
use nsenter_can_plan::cgroup_paths::{cgroup_dir, parse_memberships, parse_mounts, Membership};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// The target's cgroups, opened before entering anything: what it takes
/// to put the program there, in every hierarchy.
pub struct CgroupJoin {
    /// Each v1 hierarchy's cgroup directory (as shown in messages) and its
    /// `tasks` file (named hierarchies such as name=systemd included),
    /// opened for writing.
    threads: Vec<(PathBuf, OwnedFd)>,
    /// The unified (v2) hierarchy, when the target is in one.
    unified: Option<Unified>,
}

/// The target's cgroup in the unified hierarchy.
struct Unified {
    /// Its directory, as shown in messages.
    path: PathBuf,
    /// The directory itself (O_PATH): a child can be born there.
    dir: OwnedFd,
    /// Its cgroup.procs, opened for writing: to move a process there.
    procs: OwnedFd,
}

impl CgroupJoin {
    /// Open every hierarchy's cgroup for the memberships in `proc_cgroup`
    /// (the target's /proc/PID/cgroup). A hierarchy that is not mounted
    /// here, or only as a read-only view of another subtree (as inside a
    /// container), is mounted detached, with no mount point, to reach the
    /// target's cgroup in it.
    pub fn prepare(proc_cgroup: &str, mountinfo: &str) -> Result<CgroupJoin> {
        let mounts = parse_mounts(mountinfo);
        let mut join = CgroupJoin {
            threads: Vec::new(),
            unified: None,
        };
        for member in parse_memberships(proc_cgroup) {
            let mounted = cgroup_dir(&member, &mounts).map(|path| {
                let opened = join.open(&member, None, &path, &path);
                (path, opened)
            });
            match mounted {
                Some((_, Ok(()))) => {}
                Some((path, Err(e))) => {
                    if join.open_detached(&member).is_err() {
                        return Err(Error::sys(format!("cannot open {}", path.display()), e));
                    }
                }
                None => join.open_detached(&member)?,
            }
        }
        if join.threads.is_empty() && join.unified.is_none() {
            return Err(Error::msg(
                "cannot join the target's cgroup: it lists no hierarchy",
            ));
        }
        Ok(join)
    }

    /// Open the cgroup `dir` of `member`, relative to `base` (a detached
    /// mount) or as a path; `shown` names it in messages.
    fn open(
        &mut self,
        member: &Membership,
        base: Option<BorrowedFd<'_>>,
        dir: &Path,
        shown: &Path,
    ) -> std::result::Result<(), Errno> {
        let open = |path: &Path, flags| match base {
            Some(base) => fs::openat(base, path, flags),
            None => fs::open(path, flags),
        };
        if member.controllers.is_empty() {
            let handle = open(dir, OFlags::PATH | OFlags::DIRECTORY)?;
            let procs = fs::openat(handle.as_fd(), Path::new("cgroup.procs"), OFlags::WRONLY)?;
            self.unified = Some(Unified {
                path: shown.to_path_buf(),
                dir: handle,
                procs,
            });
        } else {
            let tasks = open(&dir.join("tasks"), OFlags::WRONLY)?;
            self.threads.push((shown.to_path_buf(), tasks));
        }
        Ok(())
    }

    /// The target's cgroup through a detached mount of its hierarchy.
    fn open_detached(&mut self, member: &Membership) -> Result<()> {
        let (fstype, options) = mount_options(member);
        let shown = format!("{}:{}", member.controllers.join(","), member.path);
        let root = mount::mount_detached(fstype, &options)
            .map_err(|e| Error::sys(format!("cannot mount the cgroup hierarchy of {shown}"), e))?;
        let rel = match member.path.trim_start_matches('/') {
            "" => ".",
            rel => rel,
        };
        // Named in messages by its path in the hierarchy.
        let path = Path::new(member.path.as_str());
        self.open(member, Some(root.as_fd()), Path::new(rel), path)
            .map_err(|e| Error::sys(format!("cannot open cgroup {shown}"), e))
    }

    /// Move the calling thread into the target's cgroup in every v1
    /// hierarchy: "0" written to `tasks` names the writer's thread, which
    /// the kernel moves without the global lock that moving a whole
    /// process takes (cgroup_threadgroup_rwsem, whose write side waits for
    /// an RCU grace period, milliseconds, when no migration happened just
    /// before). The thread is the program's whole process: a process we
    /// start has one thread, and a process that execs keeps only the
    /// thread that calls execve (the tools never start threads anyway;
    /// entering a user or mount namespace needs a single thread too).
    pub fn join_thread_v1(&self) -> Result<()> {
        for (dir, file) in &self.threads {
            write_zero(dir, file)?;
        }
        Ok(())
    }

    /// Move the calling process into the target's cgroup in the unified
    /// hierarchy, by writing its cgroup.procs.
    pub fn join_unified(&self) -> Result<()> {
        match &self.unified {
            Some(unified) => write_zero(&unified.path, &unified.procs),
            None => Ok(()),
        }
    }

    /// Move the calling process into every one of the target's cgroups:
    /// for a process that will exec the program itself.
    pub fn join(&self) -> Result<()> {
        self.join_thread_v1()?;
        self.join_unified()
    }

    /// The target's cgroup directory in the unified hierarchy, for a child
    /// to be born in.
    pub fn unified_dir(&self) -> Option<BorrowedFd<'_>> {
        self.unified.as_ref().map(|u| u.dir.as_fd())
    }
}

/// "0" into a cgroup file: the writer itself.
fn write_zero(dir: &Path, file: &OwnedFd) -> Result<()> {
    fd::write_all(file.as_fd(), b"0")
        .map_err(|e| Error::sys(format!("cannot join cgroup {}", dir.display()), e))
}

/// How to mount a membership's hierarchy: cgroup2 for the unified one,
/// else cgroup v1 with its controllers as flags and `name=` as a string.
fn mount_options(member: &Membership) -> (&'static str, Vec<(&str, Option<&str>)>) {
    if member.controllers.is_empty() {
        return ("cgroup2", Vec::new());
    }
    let mut options = Vec::new();
    let mut has_controller = false;
    for c in &member.controllers {
        match c.strip_prefix("name=") {
            Some(name) => options.push(("name", Some(name))),
            None => {
                has_controller = true;
                options.push((c.as_str(), None));
            }
        }
    }
    if !has_controller {
        // A named hierarchy without controllers must say so.
        options.insert(0, ("none", None));
    }
    ("cgroup", options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detached_mount_options() {
        let m = parse_memberships("11:cpu,cpuacct:/a\n1:name=systemd:/a\n0::/a\n");
        assert_eq!(
            mount_options(&m[0]),
            ("cgroup", vec![("cpu", None), ("cpuacct", None)])
        );
        assert_eq!(
            mount_options(&m[1]),
            ("cgroup", vec![("none", None), ("name", Some("systemd"))])
        );
        assert_eq!(mount_options(&m[2]), ("cgroup2", vec![]));
    }
}

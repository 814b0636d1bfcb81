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
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// One line of /proc/PID/cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Controllers and names ("cpu,cpuacct", "name=systemd"); empty for v2.
    pub controllers: Vec<String>,
    pub path: String,
}

/// A cgroup filesystem mount from /proc/self/mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupMount {
    /// The cgroup path that the mount shows at its mount point.
    pub root: String,
    pub mount_point: PathBuf,
    /// None for cgroup2; the controllers and names for v1.
    pub controllers: Option<Vec<String>>,
}

pub fn parse_memberships(text: &str) -> Vec<Membership> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let _id = parts.next()?;
            let controllers = parts.next()?;
            let path = parts.next()?;
            Some(Membership {
                controllers: controllers
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect(),
                path: path.to_string(),
            })
        })
        .collect()
}

pub fn parse_mounts(mountinfo: &str) -> Vec<CgroupMount> {
    crate::mountinfo::parse(mountinfo.as_bytes())
        .into_iter()
        .filter_map(|m| {
            let controllers = match m.fstype.as_str() {
                "cgroup2" => None,
                "cgroup" => Some(
                    m.super_options
                        .split(',')
                        .filter(|o| is_controller_option(o))
                        .map(String::from)
                        .collect(),
                ),
                _ => return None,
            };
            Some(CgroupMount {
                root: m.root.to_string_lossy().into_owned(),
                mount_point: m.mount_point,
                controllers,
            })
        })
        .collect()
}

/// v1 super options that name the hierarchy (controllers or name=), as
/// opposed to generic ones like rw, nosuid, relatime.
fn is_controller_option(option: &str) -> bool {
    const GENERIC: &[&str] = &[
        "rw",
        "ro",
        "nosuid",
        "nodev",
        "noexec",
        "relatime",
        "noprefix",
        "xattr",
        "cpuset_v2_mode",
        "clone_children",
    ];
    !GENERIC.contains(&option) && !option.starts_with("release_agent=")
}

/// The directory of a membership's cgroup, among the mounts. The first
/// mount whose root is an ancestor of the path wins.
pub fn cgroup_dir(member: &Membership, mounts: &[CgroupMount]) -> Option<PathBuf> {
    let mut wanted = member.controllers.clone();
    wanted.sort();
    mounts.iter().find_map(|m| {
        let same = match &m.controllers {
            None => wanted.is_empty(),
            Some(c) => {
                let mut c = c.clone();
                c.sort();
                !wanted.is_empty() && c == wanted
            }
        };
        if !same {
            return None;
        }
        let rel = relative_to(&member.path, &m.root)?;
        let mut path = m.mount_point.clone();
        if !rel.is_empty() {
            path.push(rel);
        }
        Some(path)
    })
}

fn relative_to<'a>(path: &'a str, root: &str) -> Option<&'a str> {
    if root == "/" {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(root)?;
    if rest.is_empty() || rest.starts_with('/') {
        Some(rest.trim_start_matches('/'))
    } else {
        None
    }
}

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

    const MOUNTINFO: &str = "\
30 25 0:26 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
";

    const HYBRID: &str = "\
12:memory:/docker/abc
11:cpu,cpuacct:/docker/abc
1:name=systemd:/docker/abc
0::/docker/abc
";

    #[test]
    fn maps_every_hybrid_hierarchy() {
        let mounts = parse_mounts(MOUNTINFO);
        assert_eq!(mounts.len(), 4);
        let files: Vec<_> = parse_memberships(HYBRID)
            .iter()
            .map(|m| cgroup_dir(m, &mounts).unwrap())
            .collect();
        assert_eq!(
            files,
            [
                "/sys/fs/cgroup/memory/docker/abc",
                "/sys/fs/cgroup/cpu,cpuacct/docker/abc",
                "/sys/fs/cgroup/systemd/docker/abc",
                "/sys/fs/cgroup/unified/docker/abc",
            ]
            .map(PathBuf::from)
        );
    }

    #[test]
    fn v2_only_and_root_cgroup() {
        let mounts = parse_mounts("29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        let m = &parse_memberships("0::/\n")[0];
        assert_eq!(
            cgroup_dir(m, &mounts).unwrap(),
            PathBuf::from("/sys/fs/cgroup")
        );
    }

    #[test]
    fn mount_root_not_an_ancestor_is_skipped() {
        let mounts = parse_mounts("29 23 0:26 /sub /mnt/cg rw - cgroup2 cgroup2 rw\n");
        let m = &parse_memberships("0::/other\n")[0];
        assert_eq!(cgroup_dir(m, &mounts), None);
        let m = &parse_memberships("0::/sub/x\n")[0];
        assert_eq!(cgroup_dir(m, &mounts).unwrap(), PathBuf::from("/mnt/cg/x"));
    }

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

//! A target process, held twice over: by pidfd (so a recycled PID cannot
//! redirect a signal or a setns) and by a descriptor of its /proc/PID
//! directory in the host's procfs, opened once. Every later read of the
//! target (its stat, cgroup, environ, namespaces, root, owner) goes through
//! that descriptor, never through a second path lookup: a directory of
//! /proc/PID keeps naming its process even if the PID is reused, and all
//! of it happens before entering (after entering, /proc may be the
//! container's).
//!
//! A crate of its own below the runtimes and entering, which both hold a
//! target: entering to enter it, a lookup (`--list`, `pid:N`) to check
//! that a container's process is its own.
#![forbid(unsafe_code)]

use nsenter_can_plan::container::cgroup_name::proc_cgroup_names;
use nsenter_can_plan::error::{Error, Result};
use nsenter_can_plan::ns_kind::NsKind;
use nsenter_can_plan::plan::{Identity, Parent, TargetSpec};
use nsenter_can_sys::fs::{self, Meta, OFlags};
use nsenter_can_sys::{self as sys, pidfd, Errno};
use std::cell::OnceCell;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// statfs f_type of pidfs (Linux 6.9), where each process has its own inode.
const PIDFS_MAGIC: i64 = 0x5049_4446;

pub struct Target {
    pub pid: i32,
    /// None only on kernels without pidfd_open (before 5.3).
    pidfd: Option<OwnedFd>,
    /// /proc/PID in the host's procfs (O_PATH).
    proc_dir: OwnedFd,
    /// /proc/PID/cgroup, once read (the identity check and the cgroup
    /// join both need it).
    cgroup: OnceCell<Vec<u8>>,
}

impl Target {
    /// Take hold of the target and check that it is the process meant.
    pub fn open(spec: &TargetSpec) -> Result<Target> {
        let pid = spec.pid;
        let pidfd = match pidfd::pidfd_open(pid) {
            Ok(fd) => Some(fd),
            Err(Errno::NOSYS) if spec.pidfd_ino.is_none() && spec.identity.is_none() => None,
            Err(e) => return Err(Error::sys(format!("cannot open process {pid}"), e)),
        };
        let path = PathBuf::from(format!("/proc/{pid}"));
        let proc_dir = fs::open(&path, OFlags::PATH | OFlags::DIRECTORY)
            .map_err(|e| Error::sys(format!("cannot open {}", path.display()), e))?;
        let target = Target {
            pid,
            pidfd,
            proc_dir,
            cgroup: OnceCell::new(),
        };
        if let Some(ino) = spec.pidfd_ino {
            target.check_inode(ino)?;
        }
        if let Some(identity) = &spec.identity {
            target.check_identity(identity)?;
        }
        // The pidfd's process outlived the opening of /proc/PID, so that
        // directory is its own, not a newcomer's with the same PID.
        target.check_alive()?;
        Ok(target)
    }

    fn check_inode(&self, want: u64) -> Result<()> {
        // Before Linux 6.9 every pidfd shares one anonymous inode: a match
        // would prove nothing, so PID:INO needs pidfs.
        let pidfd_fs = self.pidfd().and_then(|p| fs::fs_type(p).ok());
        let (Some(pidfd), Some(PIDFS_MAGIC)) = (self.pidfd(), pidfd_fs) else {
            return Err(Error::msg(format!(
                "cannot check {}:{want}: pidfd inodes identify processes only on Linux 6.9 or later",
                self.pid
            )));
        };
        let ino = fs::fstat(pidfd)
            .map_err(|e| Error::sys(format!("cannot stat pidfd of process {}", self.pid), e))?
            .ino;
        if ino != want {
            return Err(Error::msg(format!(
                "process {} is not {}:{} (its pidfd inode is {})",
                self.pid, self.pid, want, ino
            )));
        }
        Ok(())
    }

    /// The process behind the PID must be the one the runtime described,
    /// by facts the writer of its state files cannot choose.
    fn check_identity(&self, want: &Identity) -> Result<()> {
        let stat = self.read("stat")?;
        let start = parse_start_ticks(&stat)
            .ok_or_else(|| Error::msg(format!("cannot parse /proc/{}/stat", self.pid)))?;
        if let Some(ticks) = want.start_ticks {
            if ticks != start {
                return Err(self.stale(format!("it started at tick {start}, expected {ticks}")));
            }
        }
        if let Some(ms) = want.started_unix_ms {
            if let Some(why) = start_mismatch(ms, started_unix_ms(start)?) {
                return Err(self.stale(why));
            }
        }
        if let Some(id) = &want.cgroup_id {
            if !proc_cgroup_names(&String::from_utf8_lossy(self.cgroup()?), id) {
                return Err(self.stale(format!("it is not in a cgroup of container {id}")));
            }
        }
        if want.in_container && self.shares_every_namespace()? {
            return Err(self.stale(
                "it shares every namespace with docker-enter: a host process, never a container's"
                    .into(),
            ));
        }
        if let Some(parent) = &want.parent {
            if let Some(why) = self.parent_mismatch(parent, start, &stat)? {
                return Err(self.stale(why));
            }
        }
        if let Some(uid) = want.userns_owner {
            if let Some(why) = self.userns_owner_mismatch(uid)? {
                return Err(self.stale(why));
            }
        }
        Ok(())
    }

    /// Whether the process is in a user namespace of its own that `uid`
    /// made (what a rootless runtime's containers are in), and if not why.
    fn userns_owner_mismatch(&self, uid: u32) -> Result<Option<String>> {
        let userns = self.open_ns(NsKind::User)?;
        let owner = sys::ns::owner_uid(userns.as_fd()).map_err(|e| {
            let what = format!(
                "cannot tell who made the user namespace of process {}",
                self.pid
            );
            Error::sys(what, e)
        })?;
        if owner != uid {
            return Ok(Some(format!(
                "its user namespace was made by uid {owner}, not by uid {uid}"
            )));
        }
        if Some(self.ns_id(NsKind::User)?) == own_ns_id(NsKind::User) {
            return Ok(Some("it is in docker-enter's own user namespace".into()));
        }
        Ok(None)
    }

    /// "process 42 is not the container's process (why)".
    fn stale(&self, why: String) -> Error {
        Error::stale(self.pid, why)
    }

    /// Whether every namespace of the process is ours.
    pub fn shares_every_namespace(&self) -> Result<bool> {
        // The mount namespace first: every container has one of its own.
        let mut kinds = own_kinds();
        kinds.sort_by_key(|k| *k != NsKind::Mnt);
        for kind in kinds {
            if Some(self.ns_id(kind)?) != own_ns_id(kind) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// How the process's parent is not the one the runtime makes, if it is
    /// not. The parent is read from the process's stat, held by its own
    /// /proc directory while it is checked, and the process's stat is read
    /// again after: a parent that died meanwhile (its PID perhaps taken by
    /// another) would have left the process to another parent.
    fn parent_mismatch(&self, want: &Parent, start: u64, stat: &[u8]) -> Result<Option<String>> {
        let ppid = parse_ppid(stat)
            .ok_or_else(|| Error::msg(format!("cannot parse /proc/{}/stat", self.pid)))?;
        let not_it = || {
            let runtime_parent = match want {
                Parent::Shim { .. } => "the shim of its task",
                Parent::Conmon { .. } => "the conmon of its container",
            };
            Ok(Some(format!(
                "its parent, process {ppid}, is not {runtime_parent}"
            )))
        };
        let Ok(parent) = fs::open(
            Path::new(&format!("/proc/{ppid}")),
            OFlags::PATH | OFlags::DIRECTORY,
        ) else {
            return not_it();
        };
        let parent = parent.as_fd();
        // On the kernel's one clock: a parent is older than its child.
        let parent_start = fs::read_at(parent, Path::new("stat"), 4096)
            .ok()
            .and_then(|s| parse_start_ticks(&s));
        if parent_start.is_none_or(|p| p > start) {
            return not_it();
        }
        // Runtimes' parents run in the host's PID namespace, which is ours
        // (a container's process is never one of them).
        let pid_ns = fs::statat(parent, Path::new("ns/pid")).map(|m| (m.dev, m.ino));
        if pid_ns.ok() != own_ns_id(NsKind::Pid) {
            return not_it();
        }
        let matches = match want {
            Parent::Shim { bundle, tasks } => {
                // Its working directory through the magic link, and the
                // directory that holds it.
                let at = |rel: &str| fs::statat(parent, Path::new(rel)).map(|m| (m.dev, m.ino));
                at("cwd").is_ok_and(|cwd| cwd == *bundle)
                    || at("cwd/..").is_ok_and(|up| up == *tasks)
            }
            Parent::Conmon { id } => fs::read_at(parent, Path::new("cmdline"), 64 << 10)
                .is_ok_and(|cmdline| conmon_names(&cmdline, id)),
        };
        if !matches {
            return not_it();
        }
        let again = self.read("stat")?;
        if parse_ppid(&again) != Some(ppid) {
            return Ok(Some(format!(
                "its parent, process {ppid}, exited while it was checked"
            )));
        }
        Ok(None)
    }

    /// The pidfd's process still runs (so what was read through /proc/PID
    /// and opened by PID was its own).
    pub fn check_alive(&self) -> Result<()> {
        let Some(pidfd) = self.pidfd() else {
            return Ok(());
        };
        match pidfd::pidfd_check(pidfd) {
            // EPERM: alive, we just may not signal it; the real refusal comes later.
            Ok(()) | Err(Errno::PERM) => Ok(()),
            Err(Errno::SRCH) => Err(Error::exited(self.pid)),
            Err(e) => Err(Error::sys(format!("cannot check process {}", self.pid), e)),
        }
    }

    /// How messages name a file of the target: /proc/PID/<name> (only
    /// messages: the file is opened through the held directory).
    fn display_path(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/{}", self.pid, name))
    }

    /// Open a file or directory under /proc/PID through the held handle.
    pub fn open_file(&self, name: &str, flags: OFlags) -> Result<OwnedFd> {
        fs::openat(self.proc_dir.as_fd(), Path::new(name), flags).map_err(|e| {
            Error::sys(
                format!("cannot open {}", self.display_path(name).display()),
                e,
            )
        })
    }

    /// Read a file under /proc/PID.
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let file = self.open_file(name, OFlags::RDONLY)?;
        sys::fd::read_to_end(file.as_fd()).map_err(|e| {
            Error::sys(
                format!("cannot read {}", self.display_path(name).display()),
                e,
            )
        })
    }

    /// The target's /proc/PID/cgroup: one line per hierarchy.
    pub fn cgroup(&self) -> Result<&[u8]> {
        if let Some(text) = self.cgroup.get() {
            return Ok(text);
        }
        let text = self.read("cgroup")?;
        Ok(self.cgroup.get_or_init(|| text))
    }

    /// Open a namespace file of the target: /proc/PID/ns/<name>.
    pub fn open_ns(&self, kind: NsKind) -> Result<OwnedFd> {
        self.open_file(&format!("ns/{}", kind.proc_name()), OFlags::RDONLY)
    }

    /// The identity (device, inode) of one of the target's namespaces.
    pub fn ns_id(&self, kind: NsKind) -> Result<(u64, u64)> {
        let name = format!("ns/{}", kind.proc_name());
        let meta = fs::statat(self.proc_dir.as_fd(), Path::new(&name)).map_err(|e| {
            Error::sys(
                format!("stat of {} failed", self.display_path(&name).display()),
                e,
            )
        })?;
        Ok((meta.dev, meta.ino))
    }

    /// Owner uid and gid of /proc/PID (for `--setuid follow`).
    pub fn owner(&self) -> Result<(u32, u32)> {
        let meta: Meta = fs::fstat(self.proc_dir.as_fd())
            .map_err(|e| Error::sys(format!("stat of /proc/{} failed", self.pid), e))?;
        Ok((meta.uid, meta.gid))
    }

    pub fn pidfd(&self) -> Option<BorrowedFd<'_>> {
        self.pidfd.as_ref().map(|f| f.as_fd())
    }
}

/// The uid that made the user namespace of process `pid` (as we see it).
pub fn userns_owner_of(pid: i32) -> Option<u32> {
    let userns = fs::open(Path::new(&format!("/proc/{pid}/ns/user")), OFlags::RDONLY).ok()?;
    sys::ns::owner_uid(userns.as_fd()).ok()
}

/// The namespace kinds this kernel has: those in /proc/self/ns (one
/// directory read instead of a stat per kind), read once: they are the
/// kernel's, and `--list` asks for each container it checks.
pub fn own_kinds() -> Vec<NsKind> {
    static KINDS: std::sync::OnceLock<Vec<NsKind>> = std::sync::OnceLock::new();
    KINDS.get_or_init(read_own_kinds).clone()
}

fn read_own_kinds() -> Vec<NsKind> {
    match std::fs::read_dir("/proc/self/ns") {
        Ok(entries) => entries
            .filter_map(|e| NsKind::from_proc_name(e.ok()?.file_name().to_str()?))
            .collect(),
        Err(_) => NsKind::ALL
            .into_iter()
            .filter(|&k| own_ns_id(k).is_some())
            .collect(),
    }
}

/// Our own namespace identity, for "is it the same as ours?".
pub fn own_ns_id(kind: NsKind) -> Option<(u64, u64)> {
    let path = PathBuf::from(format!("/proc/self/ns/{}", kind.proc_name()));
    fs::stat(&path).ok().map(|meta| (meta.dev, meta.ino))
}

/// Whether we run in a PID namespace other than the host's (inside a
/// container such as the can without `--pid=host`): a process of another
/// container is then not there for us to see, whatever its state.
pub fn pid_namespace_is_nested() -> bool {
    /// The inode of the initial PID namespace (PROC_PID_INIT_INO).
    const HOST_PID_NS_INO: u64 = 0xEFFF_FFFC;
    own_ns_id(NsKind::Pid).is_some_and(|(_, ino)| ino != HOST_PID_NS_INO)
}

/// Field 22 of /proc/PID/stat: the start time in clock ticks since boot.
/// The command name (field 2) may hold spaces and parentheses, so count
/// from the last ')'.
pub fn parse_start_ticks(stat: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(&stat[stat.iter().rposition(|&b| b == b')')? + 1..]).ok()?;
    // After ")" come fields 3.. ; field 22 is the 20th of them.
    text.split_ascii_whitespace().nth(19)?.parse().ok()
}

/// Field 4 of /proc/PID/stat: the parent's PID.
fn parse_ppid(stat: &[u8]) -> Option<i32> {
    let text = std::str::from_utf8(&stat[stat.iter().rposition(|&b| b == b')')? + 1..]).ok()?;
    text.split_ascii_whitespace().nth(1)?.parse().ok()
}

/// Whether conmon's command line (NUL-separated) names container `id`:
/// `-c ID`, `--cid ID` or `--cid=ID`.
fn conmon_names(cmdline: &[u8], id: &str) -> bool {
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    args.windows(2)
        .any(|pair| matches!(pair[0], b"-c" | b"--cid") && pair[1] == id.as_bytes())
        || args
            .iter()
            .any(|a| a.strip_prefix(b"--cid=") == Some(id.as_bytes()))
}

/// How a process that started at `started` (wall-clock milliseconds, from
/// its start ticks and the boot time) is not the one a runtime says started
/// at `recorded`, if it is not.
fn start_mismatch(recorded: i64, started: i64) -> Option<String> {
    // btime has one-second resolution and the runtime notes the start
    // after the process exists: allow a few seconds either way.
    let off = started - recorded;
    (off.abs() > 5_000).then(|| {
        let when = if off < 0 { "before" } else { "after" };
        format!(
            "it started {} s {when} the container's recorded start",
            off.abs() / 1000
        )
    })
}

/// A start time in clock ticks since boot as wall-clock milliseconds.
fn started_unix_ms(start_ticks: u64) -> Result<i64> {
    Ok(boot_time_ms()? + start_ticks as i64 * 1000 / sys::process::clock_ticks_per_second())
}

fn boot_time_ms() -> Result<i64> {
    let stat = std::fs::read_to_string("/proc/stat")
        .map_err(|e| Error::io("cannot read /proc/stat", e))?;
    stat.lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .ok_or_else(|| Error::msg("cannot find btime in /proc/stat"))
}

#[cfg(test)]
mod tests {
    use super::{conmon_names, parse_ppid, parse_start_ticks, start_mismatch};

    #[test]
    fn start_times_against_what_the_runtime_recorded() {
        let at = 1_800_000_000_000;
        assert_eq!(start_mismatch(at + 4_000, at), None);
        assert_eq!(start_mismatch(at - 4_000, at), None);
        assert_eq!(
            start_mismatch(at - 10_000, at).as_deref(),
            Some("it started 10 s after the container's recorded start")
        );
        assert_eq!(
            start_mismatch(at + 3_600_000, at).as_deref(),
            Some("it started 3600 s before the container's recorded start")
        );
    }

    #[test]
    fn parents_and_conmon_command_lines() {
        let stat = b"42 (a) b (c)) S 4017 42 42 0 -1";
        assert_eq!(parse_ppid(stat), Some(4017));
        let conmon = b"/usr/bin/conmon\0--api-version\0\x31\0-c\0abc\0-u\0abc\0";
        assert!(conmon_names(conmon, "abc"));
        assert!(!conmon_names(conmon, "ab"));
        assert!(conmon_names(b"conmon\0--cid=abc\0", "abc"));
        assert!(conmon_names(b"conmon\0--cid\0abc", "abc"));
        assert!(!conmon_names(b"sleep\0abc\0", "abc"));
    }

    #[test]
    fn start_ticks_after_odd_command_names() {
        let stat = b"42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10 18446744073709551615";
        assert_eq!(parse_start_ticks(stat), Some(123456));
        assert_eq!(parse_start_ticks(b"42 (x) S 1"), None);
    }
}

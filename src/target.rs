//! A target process, held twice over: by pidfd (so a recycled PID cannot
//! redirect a signal or a setns) and by a descriptor of its /proc/PID
//! directory in the host's procfs, opened once. Every later read of the
//! target (its stat, cgroup, environ, namespaces, root, owner) goes through
//! that descriptor, never through a second path lookup: a directory of
//! /proc/PID keeps naming its process even if the PID is reused, and all
//! of it happens before entering (after entering, /proc may be the
//! container's).

use crate::error::{Error, Result};
use crate::ns::NsKind;
use crate::plan::{Identity, TargetSpec};
use crate::sys::fs::{self, Meta, OFlags};
use crate::sys::{self, pidfd, Errno};
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

    /// The process behind the PID must be the one the runtime described.
    fn check_identity(&self, want: &Identity) -> Result<()> {
        let stale = |why: String| {
            Error::msg(format!(
                "process {} is no longer the container's process ({why}); refusing to enter",
                self.pid
            ))
        };
        let stat = self.read("stat")?;
        let start = parse_start_ticks(&stat)
            .ok_or_else(|| Error::msg(format!("cannot parse /proc/{}/stat", self.pid)))?;
        if let Some(ticks) = want.start_ticks {
            if ticks != start {
                return Err(stale(format!("started at tick {start}, expected {ticks}")));
            }
        }
        let wall_clock = [
            want.started_unix_ms,
            want.started_after_unix_ms,
            want.started_by_unix_ms,
        ];
        if wall_clock.iter().any(Option::is_some) {
            if let Some(why) = wall_clock_mismatch(want, started_unix_ms(start)?) {
                return Err(stale(why));
            }
        }
        if let Some(id) = &want.cgroup_contains {
            if !String::from_utf8_lossy(self.cgroup()?).contains(id.as_str()) {
                return Err(stale("it is not in the container's cgroup".into()));
            }
        }
        Ok(())
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

    /// How messages name a file of the target: /proc/PID/<name>.
    pub fn proc_path(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/{}", self.pid, name))
    }

    /// Open a file or directory under /proc/PID through the held handle.
    pub fn open_file(&self, name: &str, flags: OFlags) -> Result<OwnedFd> {
        fs::openat(self.proc_dir.as_fd(), Path::new(name), flags)
            .map_err(|e| Error::sys(format!("cannot open {}", self.proc_path(name).display()), e))
    }

    /// Read a file under /proc/PID.
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let file = self.open_file(name, OFlags::RDONLY)?;
        crate::sys::fd::read_to_end(file.as_fd())
            .map_err(|e| Error::sys(format!("cannot read {}", self.proc_path(name).display()), e))
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
                format!("stat of {} failed", self.proc_path(&name).display()),
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

/// The namespace kinds this kernel has: those in /proc/self/ns (one
/// directory read instead of a stat per kind).
pub fn own_kinds() -> Vec<NsKind> {
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

/// How a process that started at `started` (wall-clock milliseconds) is not
/// the one a runtime described, if it is not.
fn wall_clock_mismatch(want: &Identity, started: i64) -> Option<String> {
    if let Some(ms) = want.started_unix_ms {
        // btime has one-second resolution and the runtime notes the start
        // after the process exists: allow a few seconds either way.
        if (started - ms).abs() > 5_000 {
            return Some(format!(
                "it started {} s away from the container's start",
                (started - ms) / 1000
            ));
        }
    }
    // The same resolution, and clock steps, for the state files' times.
    if let Some(after) = want.started_after_unix_ms {
        if after - started > 2_000 {
            return Some(format!(
                "it started {} s before its runtime wrote the container's configuration",
                (after - started) / 1000
            ));
        }
    }
    if let Some(by) = want.started_by_unix_ms {
        if started - by > 2_000 {
            return Some(format!(
                "it started {} s after its runtime wrote the PID down",
                (started - by) / 1000
            ));
        }
    }
    None
}

/// A start time in clock ticks since boot as wall-clock milliseconds.
fn started_unix_ms(start_ticks: u64) -> Result<i64> {
    Ok(boot_time_ms()? + start_ticks as i64 * 1000 / sys::process::clock_ticks_per_second())
}

fn boot_time_ms() -> Result<i64> {
    let stat = std::fs::read_to_string("/proc/stat")
        .map_err(|e| Error::io("cannot read /proc/stat", &e))?;
    stat.lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .ok_or_else(|| Error::msg("cannot find btime in /proc/stat"))
}

#[cfg(test)]
mod tests {
    use super::{parse_start_ticks, wall_clock_mismatch};
    use crate::plan::Identity;

    #[test]
    fn start_times_against_what_the_runtime_wrote() {
        let at = 1_800_000_000_000;
        let within = Identity {
            started_unix_ms: Some(at + 4_000),
            started_after_unix_ms: Some(at + 1_500),
            started_by_unix_ms: Some(at - 1_500),
            ..Identity::default()
        };
        assert_eq!(wall_clock_mismatch(&within, at), None);
        let reused = Identity {
            started_by_unix_ms: Some(at - 3_600_000),
            ..Identity::default()
        };
        assert_eq!(
            wall_clock_mismatch(&reused, at).as_deref(),
            Some("it started 3600 s after its runtime wrote the PID down")
        );
        let older = Identity {
            started_after_unix_ms: Some(at + 60_000),
            ..Identity::default()
        };
        assert_eq!(
            wall_clock_mismatch(&older, at).as_deref(),
            Some("it started 60 s before its runtime wrote the container's configuration")
        );
        let elsewhen = Identity {
            started_unix_ms: Some(at - 10_000),
            ..Identity::default()
        };
        assert_eq!(
            wall_clock_mismatch(&elsewhen, at).as_deref(),
            Some("it started 10 s away from the container's start")
        );
    }

    #[test]
    fn start_ticks_after_odd_command_names() {
        let stat = b"42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10 18446744073709551615";
        assert_eq!(parse_start_ticks(stat), Some(123456));
        assert_eq!(parse_start_ticks(b"42 (x) S 1"), None);
    }
}

//! Process-wide state: fork/exec/wait, root and working directory,
//! credentials, capabilities and prctl flags.

use super::{check, cstring, errno, retry, Errno, SysResult};
use std::ffi::CString;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub enum Forked {
    Parent { child: i32 },
    Child,
}

/// fork(2). Callers must be single-threaded (the tools are).
pub fn fork() -> SysResult<Forked> {
    // SAFETY: the tools are single-threaded, so the child may run any code.
    let pid = check(unsafe { libc::fork() } as libc::c_long)?;
    Ok(if pid == 0 {
        Forked::Child
    } else {
        Forked::Parent { child: pid as i32 }
    })
}

/// execve(2); returns only on failure, with the errno.
pub fn execve(path: &CString, argv: &[CString], envp: &[CString]) -> Errno {
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut envp_ptrs: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
    envp_ptrs.push(std::ptr::null());
    // SAFETY: path, argv and envp are NUL-terminated strings in
    // NULL-terminated arrays that outlive the call.
    unsafe { libc::execve(path.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
    errno()
}

/// How a child ended or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Exited(i32),
    Signaled(i32),
    Stopped(i32),
    Continued,
}

/// waitpid(2) for one child without blocking, reporting stops and
/// continues too; None when nothing changed.
pub fn wait_child_nohang(pid: i32) -> SysResult<Option<ChildStatus>> {
    let mut status = 0;
    let flags = libc::WUNTRACED | libc::WCONTINUED | libc::WNOHANG;
    let rc = retry(|| {
        // SAFETY: status is a valid int to write to.
        check(unsafe { libc::waitpid(pid, &mut status, flags) } as libc::c_long)
    })?;
    if rc == 0 {
        return Ok(None);
    }
    Ok(Some(if libc::WIFEXITED(status) {
        ChildStatus::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        ChildStatus::Signaled(libc::WTERMSIG(status))
    } else if libc::WIFSTOPPED(status) {
        ChildStatus::Stopped(libc::WSTOPSIG(status))
    } else {
        ChildStatus::Continued
    }))
}

pub fn getpid() -> i32 {
    // SAFETY: getpid cannot fail.
    unsafe { libc::getpid() }
}

pub fn getuid() -> u32 {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() }
}

/// The effective uid: 0 is what entering a container takes.
pub fn geteuid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

fn prctl(option: i32, arg: libc::c_ulong) -> SysResult<()> {
    // SAFETY: the options used here take integer arguments only.
    check(unsafe {
        libc::prctl(
            option,
            arg,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    } as libc::c_long)
    .map(drop)
}

/// PR_SET_DUMPABLE: while not dumpable, other processes of the same uid
/// (a container's root) cannot ptrace us or open our /proc files.
pub fn set_dumpable(dumpable: bool) -> SysResult<()> {
    prctl(libc::PR_SET_DUMPABLE, dumpable as libc::c_ulong)
}

/// PR_SET_PDEATHSIG: the signal we get when our parent dies.
pub fn set_parent_death_signal(sig: i32) -> SysResult<()> {
    prctl(libc::PR_SET_PDEATHSIG, sig as libc::c_ulong)
}

/// PR_SET_KEEPCAPS: keep permitted capabilities across setuid from 0.
pub fn set_keep_caps(keep: bool) -> SysResult<()> {
    prctl(libc::PR_SET_KEEPCAPS, keep as libc::c_ulong)
}

/// Raise one capability into the ambient set.
pub fn raise_ambient(cap: u32) -> SysResult<()> {
    // SAFETY: PR_CAP_AMBIENT takes integer arguments only.
    check(unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
            cap as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    } as libc::c_long)
    .map(drop)
}

/// Capability sets as three 64-bit masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_VERSION_3: u32 = 0x2008_0522;

pub fn capget() -> SysResult<Caps> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and a two-element data array are what version 3 expects.
    check(unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        )
    })?;
    let join = |lo: u32, hi: u32| (hi as u64) << 32 | lo as u64;
    Ok(Caps {
        effective: join(data[0].effective, data[1].effective),
        permitted: join(data[0].permitted, data[1].permitted),
        inheritable: join(data[0].inheritable, data[1].inheritable),
    })
}

pub fn capset(caps: Caps) -> SysResult<()> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let split = |v: u64| (v as u32, (v >> 32) as u32);
    let (e0, e1) = split(caps.effective);
    let (p0, p1) = split(caps.permitted);
    let (i0, i1) = split(caps.inheritable);
    let data = [
        CapData {
            effective: e0,
            permitted: p0,
            inheritable: i0,
        },
        CapData {
            effective: e1,
            permitted: p1,
            inheritable: i1,
        },
    ];
    // SAFETY: header and a two-element data array are what version 3 expects.
    check(unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        )
    })
    .map(drop)
}

pub fn setgroups(groups: &[u32]) -> SysResult<()> {
    // SAFETY: groups points to groups.len() gid_t values.
    check(unsafe { libc::setgroups(groups.len(), groups.as_ptr()) } as libc::c_long).map(drop)
}

/// setgid for the whole process (libc's wrapper keeps threads in step).
pub fn setgid(gid: u32) -> SysResult<()> {
    // SAFETY: setgid takes a number.
    check(unsafe { libc::setgid(gid) } as libc::c_long).map(drop)
}

pub fn setuid(uid: u32) -> SysResult<()> {
    // SAFETY: setuid takes a number.
    check(unsafe { libc::setuid(uid) } as libc::c_long).map(drop)
}

pub fn fchdir(dir: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: fchdir takes a descriptor.
    check(unsafe { libc::fchdir(dir.as_raw_fd()) } as libc::c_long).map(drop)
}

pub fn chdir(path: &Path) -> SysResult<()> {
    let c = cstring(path.as_os_str().as_bytes())?;
    // SAFETY: c is a valid C string.
    check(unsafe { libc::chdir(c.as_ptr()) } as libc::c_long).map(drop)
}

pub fn chroot(path: &Path) -> SysResult<()> {
    let c = cstring(path.as_os_str().as_bytes())?;
    // SAFETY: c is a valid C string.
    check(unsafe { libc::chroot(c.as_ptr()) } as libc::c_long).map(drop)
}

/// getcwd(2) as the kernel reports it: "(unreachable)/..." and similar
/// non-absolute answers are returned as they are, for the caller to judge.
pub fn getcwd() -> SysResult<PathBuf> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
    // SAFETY: the raw syscall writes at most buf.len() bytes into buf.
    let n = check(unsafe { libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr(), buf.len()) })?;
    let len = (n as usize).saturating_sub(1);
    buf.truncate(len);
    Ok(PathBuf::from(
        <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(buf),
    ))
}

/// mount(2) with optional source, type and no data.
pub fn mount(
    source: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
) -> SysResult<()> {
    let src = source.map(|s| cstring(s.as_bytes())).transpose()?;
    let tgt = cstring(target.as_os_str().as_bytes())?;
    let fst = fstype.map(|s| cstring(s.as_bytes())).transpose()?;
    let ptr = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: every pointer is a valid C string or null where mount allows it.
    check(
        unsafe { libc::mount(ptr(&src), tgt.as_ptr(), ptr(&fst), flags, std::ptr::null()) }
            as libc::c_long,
    )
    .map(drop)
}

/// Stop core dumps (used before dying of a signal that would dump one:
/// the program's crash is not ours).
pub fn disable_core_dumps() {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: limit is a valid rlimit; lowering a limit needs no privilege.
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &limit) };
}

/// Raise a signal against ourselves.
pub fn raise(sig: i32) {
    // SAFETY: raise takes a number.
    unsafe { libc::raise(sig) };
}

/// _exit(2) without running destructors or flushing stdio (used in a
/// forked child that must not run the parent's cleanup).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// sysconf(_SC_CLK_TCK): the unit of start times in /proc/PID/stat.
pub fn clock_ticks_per_second() -> i64 {
    // SAFETY: sysconf takes a number.
    let n = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if n > 0 {
        n as i64
    } else {
        100
    }
}

/// Whether CAP_SYS_ADMIN is in our effective set.
pub fn has_cap_sys_admin() -> bool {
    const CAP_SYS_ADMIN: u32 = 21;
    capget().is_ok_and(|c| c.effective & (1 << CAP_SYS_ADMIN) != 0)
}

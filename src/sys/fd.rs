//! Opening, reading and closing descriptors. Every descriptor we open is
//! close-on-exec (security rule 4).

use super::{check, cstring, retry, SysResult};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// open(2) with O_CLOEXEC added.
pub fn open(path: &Path, flags: i32) -> SysResult<OwnedFd> {
    let c = cstring(path.as_os_str().as_bytes())?;
    let fd = retry(|| {
        // SAFETY: c is a valid NUL-terminated string for the duration of the call.
        check(unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC, 0o666) } as libc::c_long)
    })?;
    // SAFETY: open returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// openat(2) relative to a directory descriptor, with O_CLOEXEC added.
pub fn openat(dir: BorrowedFd<'_>, path: &Path, flags: i32) -> SysResult<OwnedFd> {
    let c = cstring(path.as_os_str().as_bytes())?;
    let fd = retry(|| {
        // SAFETY: dir is a live descriptor and c a valid C string.
        check(
            unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags | libc::O_CLOEXEC, 0o666) }
                as libc::c_long,
        )
    })?;
    // SAFETY: openat returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// struct open_how of openat2(2) (libc's is non-exhaustive).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// openat2(2) with RESOLVE_IN_ROOT: `path` is resolved as if `root` were
/// "/", so absolute symlinks and ".." cannot escape it (security rule 11).
pub fn open_in_root(root: BorrowedFd<'_>, path: &Path, flags: i32) -> SysResult<OwnedFd> {
    openat2(
        root,
        path,
        flags,
        libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
    )
}

/// openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: `path` must be
/// a plain relative path below `dir` that crosses no symlink at all. For
/// runtimes' state directories, where a name a container influenced must
/// not lead anywhere else (a link there is refused with ELOOP, a ".." out
/// with EXDEV).
pub fn open_beneath(dir: BorrowedFd<'_>, path: &Path, flags: i32) -> SysResult<OwnedFd> {
    openat2(
        dir,
        path,
        flags,
        libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS,
    )
}

fn openat2(dir: BorrowedFd<'_>, path: &Path, flags: i32, resolve: u64) -> SysResult<OwnedFd> {
    let c = cstring(path.as_os_str().as_bytes())?;
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve,
    };
    let fd = retry(|| {
        // SAFETY: how is a valid open_how of the size we pass; c is a C string.
        check(unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                c.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        })
    })?;
    // SAFETY: openat2 returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The names in an open directory (getdents64), without "." and "..".
/// E2BIG when there are more than `max`: a directory we list is one a
/// runtime keeps, and a huge one is not a state directory we will walk.
pub fn dir_names(dir: BorrowedFd<'_>, max: usize) -> SysResult<Vec<std::ffi::OsString>> {
    use std::os::unix::ffi::OsStrExt as _;
    // Its own open file, so the offset getdents64 moves is not shared.
    let listing = openat(dir, Path::new("."), libc::O_RDONLY | libc::O_DIRECTORY)?;
    let mut names = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = retry(|| {
            // SAFETY: buf is writable for its length; listing is a live directory.
            check(unsafe {
                libc::syscall(
                    libc::SYS_getdents64,
                    listing.as_raw_fd(),
                    buf.as_mut_ptr(),
                    buf.len(),
                )
            })
        })? as usize;
        if n == 0 {
            return Ok(names);
        }
        let mut at = 0;
        // struct linux_dirent64: d_ino u64, d_off i64, d_reclen u16,
        // d_type u8, then the NUL-terminated name.
        while at + 19 <= n {
            let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
            if reclen < 19 || at + reclen > n {
                return Err(libc::EIO);
            }
            let name = &buf[at + 19..at + reclen];
            let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
            if name != b"." && name != b".." {
                if names.len() == max {
                    return Err(libc::E2BIG);
                }
                names.push(std::ffi::OsStr::from_bytes(name).to_os_string());
            }
            at += reclen;
        }
    }
}

/// The device and inode of an open descriptor.
pub fn dev_ino(fd: BorrowedFd<'_>) -> SysResult<(u64, u64)> {
    let st = fstat(fd)?;
    Ok((st.st_dev, st.st_ino))
}

/// fstat(2).
pub fn fstat(fd: BorrowedFd<'_>) -> SysResult<libc::stat> {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fd is live and st is a writable stat.
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } as libc::c_long)?;
    Ok(st)
}

/// stat(2) of a path (following symlinks).
pub fn stat(path: &Path) -> SysResult<libc::stat> {
    let c = cstring(path.as_os_str().as_bytes())?;
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: c is a C string and st a writable stat.
    check(unsafe { libc::stat(c.as_ptr(), &mut st) } as libc::c_long)?;
    Ok(st)
}

/// Read a whole file through its descriptor.
pub fn read_all(fd: &OwnedFd) -> SysResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = retry(|| {
            // SAFETY: buf is writable for its length; fd is live.
            check(
                unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
                    as libc::c_long,
            )
        })?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// Write all of `data` to a descriptor.
pub fn write_all(fd: BorrowedFd<'_>, mut data: &[u8]) -> SysResult<()> {
    while !data.is_empty() {
        let n = retry(|| {
            // SAFETY: data is readable for its length; fd is live.
            check(
                unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) }
                    as libc::c_long,
            )
        })?;
        data = &data[n as usize..];
    }
    Ok(())
}

/// read(2) once; Ok(0) at end of file.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    retry(|| {
        // SAFETY: buf is writable for its length; fd is live.
        check(
            unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
                as libc::c_long,
        )
    })
    .map(|n| n as usize)
}

/// poll(2) on `fds` (events set by the caller, revents filled in);
/// -1 waits without limit.
pub fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> SysResult<usize> {
    // SAFETY: fds points to fds.len() pollfd structures.
    check(
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) }
            as libc::c_long,
    )
    .map(|n| n as usize)
}

/// Set O_NONBLOCK on a descriptor.
pub fn set_nonblocking(fd: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: F_GETFL/F_SETFL take and return integer flags.
    let flags = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) } as libc::c_long)?;
    // SAFETY: as above.
    check(unsafe {
        libc::fcntl(
            fd.as_raw_fd(),
            libc::F_SETFL,
            flags as i32 | libc::O_NONBLOCK,
        )
    } as libc::c_long)
    .map(drop)
}

/// A detached mount of a cgroup hierarchy (fsopen/fsconfig/fsmount, Linux
/// 5.2): `fstype` is "cgroup" or "cgroup2"; each option is a flag
/// ("memory") or a key and value ("name", "systemd"). Nothing is attached
/// to any mount point: the descriptor is the hierarchy's root.
pub fn mount_detached(fstype: &str, options: &[(&str, Option<&str>)]) -> SysResult<OwnedFd> {
    const FSOPEN_CLOEXEC: libc::c_uint = 1;
    const FSCONFIG_SET_FLAG: libc::c_uint = 0;
    const FSCONFIG_SET_STRING: libc::c_uint = 1;
    const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
    const FSMOUNT_CLOEXEC: libc::c_uint = 1;
    let fs = cstring(fstype.as_bytes())?;
    // SAFETY: fs is a C string; fsopen returns a new descriptor.
    let ctx = check(unsafe { libc::syscall(libc::SYS_fsopen, fs.as_ptr(), FSOPEN_CLOEXEC) })?;
    // SAFETY: fsopen returned a new descriptor that nothing else owns.
    let ctx = unsafe { OwnedFd::from_raw_fd(ctx as RawFd) };
    for (key, value) in options {
        let k = cstring(key.as_bytes())?;
        let v = value.map(|v| cstring(v.as_bytes())).transpose()?;
        let (cmd, vptr) = match &v {
            Some(v) => (FSCONFIG_SET_STRING, v.as_ptr()),
            None => (FSCONFIG_SET_FLAG, std::ptr::null()),
        };
        // SAFETY: key and value are C strings (or null for a flag).
        check(unsafe {
            libc::syscall(
                libc::SYS_fsconfig,
                ctx.as_raw_fd(),
                cmd,
                k.as_ptr(),
                vptr,
                0,
            )
        })?;
    }
    // SAFETY: CMD_CREATE takes no key or value.
    check(unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            ctx.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_char>(),
            0,
        )
    })?;
    // SAFETY: fsmount takes a descriptor and flags and returns a new descriptor.
    let mnt =
        check(unsafe { libc::syscall(libc::SYS_fsmount, ctx.as_raw_fd(), FSMOUNT_CLOEXEC, 0) })?;
    // SAFETY: fsmount returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(mnt as RawFd) })
}

/// Flags for opening a file a container controls: without blocking (a
/// FIFO planted there must not hang us) and without making it our terminal.
pub const UNTRUSTED: i32 = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY;

/// Read a whole file a container controls, opened with [`UNTRUSTED`]:
/// EINVAL unless it is a regular file, EFBIG when it is larger than `max`.
pub fn read_regular(file: &OwnedFd, max: usize) -> SysResult<Vec<u8>> {
    read_regular_stat(file, max).map(|(bytes, _)| bytes)
}

/// [`read_regular`], with the file's status (one fstat for both).
pub fn read_regular_stat(file: &OwnedFd, max: usize) -> SysResult<(Vec<u8>, libc::stat)> {
    let st = fstat(file.as_fd())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(libc::EINVAL);
    }
    let size = st.st_size.max(0) as usize;
    if size > max {
        return Err(libc::EFBIG);
    }
    Ok((read_up_to(file, size.saturating_add(1).min(max))?, st))
}

/// The first `n` bytes of a regular file a container controls.
pub fn read_head(path: &Path, n: usize) -> SysResult<Vec<u8>> {
    let file = open(path, UNTRUSTED)?;
    regular_size(&file)?;
    read_up_to(&file, n)
}

fn regular_size(file: &OwnedFd) -> SysResult<usize> {
    let st = fstat(file.as_fd())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(libc::EINVAL);
    }
    Ok(st.st_size.max(0) as usize)
}

fn read_up_to(file: &OwnedFd, n: usize) -> SysResult<Vec<u8>> {
    let mut out = vec![0u8; n];
    let mut filled = 0;
    while filled < out.len() {
        match read(file.as_fd(), &mut out[filled..])? {
            0 => break,
            k => filled += k,
        }
    }
    out.truncate(filled);
    Ok(out)
}

/// close_range(2) for real: close every descriptor from `first` up, so
/// nothing of ours is open while execve resolves a `#!` interpreter
/// (a `/proc/self/fd/N/...` interpreter path must find nothing).
pub fn close_from(first: u32) -> SysResult<()> {
    // SAFETY: close_range takes numbers only; closing descriptors we may
    // still own elsewhere is acceptable because we are about to exec.
    let rc = unsafe { libc::syscall(libc::SYS_close_range, first, libc::c_uint::MAX, 0) };
    if rc == 0 {
        return Ok(());
    }
    // Kernels before 5.9: close up to the descriptor limit.
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: limit is a valid rlimit to fill.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    let top = limit.rlim_cur.min(1 << 20) as i32;
    for fd in first as i32..top {
        // SAFETY: closing a number that may not be open only fails with EBADF.
        unsafe { libc::close(fd) };
    }
    Ok(())
}

/// write(2) once; how many bytes were taken.
pub fn write_some(fd: BorrowedFd<'_>, data: &[u8]) -> SysResult<usize> {
    retry(|| {
        // SAFETY: data is readable for its length; fd is live.
        check(
            unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) }
                as libc::c_long,
        )
    })
    .map(|n| n as usize)
}

/// The filesystem type (statfs f_type) of an open descriptor.
pub fn fs_type(fd: BorrowedFd<'_>) -> SysResult<i64> {
    // SAFETY: an all-zero statfs is valid storage to be filled.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: fd is live and st is a writable statfs.
    check(unsafe { libc::fstatfs(fd.as_raw_fd(), &mut st) } as libc::c_long)?;
    Ok(st.f_type as i64)
}

/// pipe2(2) with O_CLOEXEC: (read end, write end).
pub fn pipe() -> SysResult<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: fds is an array of two ints for the kernel to fill.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } as libc::c_long)?;
    // SAFETY: pipe2 returned two new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// dup(2) with close-on-exec: a second descriptor for the same open file.
pub fn dup(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC takes a descriptor and a minimum number.
    let new =
        check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) } as libc::c_long)?;
    // SAFETY: fcntl returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new as RawFd) })
}

/// Standard input, output or error (0, 1, 2), borrowed for the whole run.
pub fn standard(n: RawFd) -> BorrowedFd<'static> {
    assert!((0..=2).contains(&n), "not a standard descriptor: {n}");
    // SAFETY: 0, 1 and 2 stay open for the life of the process (we never
    // close them), so a 'static borrow of them is sound.
    unsafe { BorrowedFd::borrow_raw(n) }
}

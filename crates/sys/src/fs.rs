//! Files and paths: opening (always close-on-exec), opening inside a
//! container's root or beneath a runtime's state directory, listing a
//! directory, file metadata, and bounded reads of files that a container
//! (or a runtime it influences) controls.

use super::fd::{ours, read};
use super::{retry, Errno, SysResult};
use rustix::fs::{AtFlags, Mode, RawDir, ResolveFlags};
use std::ffi::OsString;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

pub use rustix::fs::OFlags;

/// Flags for opening a file a container controls: without blocking (a
/// FIFO planted there must not hang us) and without making it our terminal.
pub const UNTRUSTED: OFlags = OFlags::RDONLY.union(OFlags::NONBLOCK).union(OFlags::NOCTTY);

/// open(2) with O_CLOEXEC added.
pub fn open(path: &Path, flags: OFlags) -> SysResult<OwnedFd> {
    retry(|| rustix::fs::open(path, flags | OFlags::CLOEXEC, Mode::empty())).map(ours)
}

/// openat(2) relative to a directory descriptor, with O_CLOEXEC added.
pub fn openat(dir: BorrowedFd<'_>, path: &Path, flags: OFlags) -> SysResult<OwnedFd> {
    retry(|| rustix::fs::openat(dir, path, flags | OFlags::CLOEXEC, Mode::empty())).map(ours)
}

/// openat2(2) with RESOLVE_IN_ROOT: `path` is resolved as if `root` were
/// "/", so absolute symlinks and ".." cannot escape it (security rule 11),
/// and no /proc magic link is followed.
pub fn open_in_root(root: BorrowedFd<'_>, path: &Path, flags: OFlags) -> SysResult<OwnedFd> {
    let resolve = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
    retry(|| rustix::fs::openat2(root, path, flags | OFlags::CLOEXEC, Mode::empty(), resolve))
        .map(ours)
}

/// openat2(2) with RESOLVE_IN_ROOT and RESOLVE_NO_SYMLINKS: `path` under
/// `root`, through no symbolic link at all (ELOOP), so what is opened is
/// the path as named, inside the root, whatever a container does to the
/// links along it.
pub fn open_in_root_no_symlinks(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlags,
) -> SysResult<OwnedFd> {
    let resolve = ResolveFlags::IN_ROOT | ResolveFlags::NO_SYMLINKS;
    retry(|| rustix::fs::openat2(root, path, flags | OFlags::CLOEXEC, Mode::empty(), resolve))
        .map(ours)
}

/// Open again, with `flags`, the file an O_PATH descriptor stands for,
/// through our /proc/self/fd (call while /proc is the host's): the same
/// file, looked up by no path, so nothing can be put in its place.
pub fn reopen(path_fd: BorrowedFd<'_>, flags: OFlags) -> SysResult<OwnedFd> {
    use std::os::fd::AsRawFd;
    let link = format!("/proc/self/fd/{}", path_fd.as_raw_fd());
    open(Path::new(&link), flags)
}

/// Open again, with `flags`, the file an O_PATH descriptor stands for,
/// through `our_fds`, our /proc/self/fd opened while /proc was the host's
/// (for use after entering a mount namespace, where /proc is another's).
pub fn reopen_through(
    our_fds: BorrowedFd<'_>,
    path_fd: BorrowedFd<'_>,
    flags: OFlags,
) -> SysResult<OwnedFd> {
    use std::os::fd::AsRawFd;
    openat(our_fds, Path::new(&path_fd.as_raw_fd().to_string()), flags)
}

/// mkdirat(2).
pub fn mkdir_at(dir: BorrowedFd<'_>, path: &Path, mode: u32) -> SysResult<()> {
    rustix::fs::mkdirat(dir, path, Mode::from_raw_mode(mode as _))
}

/// Create an empty file (O_CREAT | O_EXCL) under `dir`.
pub fn create_at(dir: BorrowedFd<'_>, path: &Path, mode: u32) -> SysResult<()> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
    rustix::fs::openat(dir, path, flags, Mode::from_raw_mode(mode as _)).map(drop)
}

/// openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: `path` must be
/// a plain relative path below `dir` that crosses no symlink at all. For
/// runtimes' state directories, where a name a container influenced must
/// not lead anywhere else (a link there is refused with ELOOP, a ".." out
/// with EXDEV).
pub fn open_beneath(dir: BorrowedFd<'_>, path: &Path, flags: OFlags) -> SysResult<OwnedFd> {
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    retry(|| rustix::fs::openat2(dir, path, flags | OFlags::CLOEXEC, Mode::empty(), resolve))
        .map(ours)
}

/// The names in an open directory (getdents64), without "." and "..".
/// E2BIG when there are more than `max`: a directory we list is one a
/// runtime keeps, and a huge one is not a state directory we will walk.
pub fn dir_names(dir: BorrowedFd<'_>, max: usize) -> SysResult<Vec<OsString>> {
    // Its own open file, so the offset getdents64 moves is not shared.
    let listing = openat(dir, Path::new("."), OFlags::RDONLY | OFlags::DIRECTORY)?;
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 32 * 1024];
    let mut entries = RawDir::new(listing, &mut buf);
    let mut names = Vec::new();
    while let Some(entry) = entries.next() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        if names.len() == max {
            return Err(Errno::TOOBIG);
        }
        names.push(std::ffi::OsStr::from_bytes(name).to_os_string());
    }
    Ok(names)
}

/// Whether the open directory `dir` holds nothing but `.` and `..`; reads
/// no further than its first other entry.
pub fn dir_is_empty(dir: BorrowedFd<'_>) -> SysResult<bool> {
    match dir_names(dir, 0) {
        Ok(_) => Ok(true),
        Err(Errno::TOOBIG) => Ok(false),
        Err(e) => Err(e),
    }
}

/// What the tools need of a file's metadata, in fixed types on every
/// architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// The device a device file stands for.
    pub rdev: u64,
    pub size: u64,
    /// When the contents last changed, in milliseconds since the epoch.
    pub mtime_unix_ms: i64,
}

impl Meta {
    // The field types of struct stat differ between architectures.
    #[allow(clippy::unnecessary_cast)]
    fn of(st: &rustix::fs::Stat) -> Meta {
        Meta {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            mode: st.st_mode as u32,
            uid: st.st_uid as u32,
            gid: st.st_gid as u32,
            rdev: st.st_rdev as u64,
            size: st.st_size.max(0) as u64,
            mtime_unix_ms: st.st_mtime as i64 * 1000 + st.st_mtime_nsec as i64 / 1_000_000,
        }
    }

    fn file_type(&self) -> rustix::fs::FileType {
        rustix::fs::FileType::from_raw_mode(self.mode as _)
    }

    pub fn is_dir(&self) -> bool {
        self.file_type() == rustix::fs::FileType::Directory
    }

    pub fn is_regular(&self) -> bool {
        self.file_type() == rustix::fs::FileType::RegularFile
    }

    /// A regular file with an execute bit.
    pub fn is_executable(&self) -> bool {
        self.is_regular() && self.mode & 0o111 != 0
    }

    /// A character device with these numbers.
    pub fn is_char_device(&self, major: u32, minor: u32) -> bool {
        self.file_type() == rustix::fs::FileType::CharacterDevice
            && rustix::fs::major(self.rdev as _) == major
            && rustix::fs::minor(self.rdev as _) == minor
    }
}

/// fstat(2).
pub fn fstat(fd: BorrowedFd<'_>) -> SysResult<Meta> {
    rustix::fs::fstat(fd).map(|st| Meta::of(&st))
}

/// stat(2) of a path (following symlinks).
pub fn stat(path: &Path) -> SysResult<Meta> {
    rustix::fs::stat(path).map(|st| Meta::of(&st))
}

/// fstatat(2) of a path relative to a directory descriptor (following
/// symlinks, so `ns/mnt` under a /proc/PID handle gives the namespace).
pub fn statat(dir: BorrowedFd<'_>, path: &Path) -> SysResult<Meta> {
    rustix::fs::statat(dir, path, AtFlags::empty()).map(|st| Meta::of(&st))
}

/// fstatat(2) of a path under a directory without following a final
/// symbolic link.
pub fn lstat_at(dir: BorrowedFd<'_>, path: &Path) -> SysResult<Meta> {
    rustix::fs::statat(dir, path, AtFlags::SYMLINK_NOFOLLOW).map(|st| Meta::of(&st))
}

/// What a symbolic link opened with O_PATH | O_NOFOLLOW says.
pub fn read_link(link: BorrowedFd<'_>) -> SysResult<OsString> {
    rustix::fs::readlinkat(link, "", Vec::new())
        .map(|target| OsString::from_vec(target.into_bytes()))
}

/// The filesystem type (statfs f_type) of an open descriptor.
#[allow(clippy::unnecessary_cast)] // f_type's type differs between architectures
pub fn fs_type(fd: BorrowedFd<'_>) -> SysResult<i64> {
    rustix::fs::fstatfs(fd).map(|st| st.f_type as i64)
}

/// The first `n` bytes of a regular file a container controls.
pub fn read_head(path: &Path, n: usize) -> SysResult<Vec<u8>> {
    let file = open(path, UNTRUSTED)?;
    regular(&file)?;
    read_up_to(&file, n, FIRST_READ)
}

/// Up to `n` bytes of a regular file under `dir` (a /proc/PID directory
/// held open), opened as [`UNTRUSTED`].
pub fn read_at(dir: BorrowedFd<'_>, path: &Path, n: usize) -> SysResult<Vec<u8>> {
    let file = openat(dir, path, UNTRUSTED)?;
    regular(&file)?;
    read_up_to(&file, n, FIRST_READ)
}

/// A whole file a container or runtime controls, opened with
/// [`UNTRUSTED`], and its metadata (one fstat for both): EINVAL unless it
/// is a regular file, EFBIG when it is larger than `max`.
pub fn read_regular(file: &OwnedFd, max: usize) -> SysResult<(Vec<u8>, Meta)> {
    let meta = regular(file)?;
    if meta.size > max as u64 {
        return Err(Errno::FBIG);
    }
    // One byte more than it says, up to `max`: a file that grows while it
    // is read is still cut at the limit.
    let size = meta.size as usize;
    let n = size.saturating_add(1).min(max);
    Ok((read_up_to(file, n, n)?, meta))
}

fn regular(file: &OwnedFd) -> SysResult<Meta> {
    let meta = fstat(file.as_fd())?;
    if !meta.is_regular() {
        return Err(Errno::INVAL);
    }
    Ok(meta)
}

/// The buffer a read of unknown size starts with; it doubles as the file
/// fills it.
const FIRST_READ: usize = 4 << 10;

/// Up to `n` bytes, into a buffer of `first` bytes at first.
fn read_up_to(file: &OwnedFd, n: usize, first: usize) -> SysResult<Vec<u8>> {
    // Not zeroed up to `n` at once: the limits are megabytes (4 MiB for a
    // /proc file, 64 MiB for passwd) and the files mostly a few hundred
    // bytes. Once the allocator serves such sizes from its heap, zeroing
    // the whole limit took 0.45 ms a read of /proc/PID/cgroup.
    let mut out = vec![0u8; n.min(first)];
    let mut filled = 0;
    loop {
        if filled == out.len() {
            if out.len() == n {
                break;
            }
            out.resize(out.len().saturating_mul(2).min(n), 0);
        }
        match read(file.as_fd(), &mut out[filled..])? {
            0 => break,
            k => filled += k,
        }
    }
    out.truncate(filled);
    Ok(out)
}

/// Whether the file at `path` sits on a read-only mount (statvfs
/// ST_RDONLY): no one can open it for writing through that mount.
pub fn on_read_only_mount(path: &Path) -> bool {
    rustix::fs::statvfs(path)
        .is_ok_and(|st| st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY))
}

/// Whether the file at `path` is a memfd sealed against writes.
pub fn sealed_against_writes(path: &Path) -> bool {
    open(path, OFlags::RDONLY)
        .and_then(|file| rustix::fs::fcntl_get_seals(&file))
        .is_ok_and(|seals| seals.contains(rustix::fs::SealFlags::WRITE))
}

/// A copy of the file at `path` in memory (a memfd named `name`), sealed
/// so that nothing can change it or its size again (memfd_create, Linux
/// 3.17; F_SEAL_WRITE cannot be undone, whatever the privileges).
pub fn sealed_copy(path: &Path, name: &str) -> SysResult<OwnedFd> {
    use rustix::fs::{MemfdFlags, SealFlags};
    let source = open(path, OFlags::RDONLY)?;
    let flags = MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING;
    // MFD_EXEC (Linux 6.3) says the copy is meant to run; older kernels
    // refuse the flag and make every memfd executable.
    let copy = match rustix::fs::memfd_create(name, flags | MemfdFlags::EXEC) {
        Err(Errno::INVAL) => rustix::fs::memfd_create(name, flags)?,
        other => other?,
    };
    let copy = ours(copy);
    let size = fstat(source.as_fd())?.size;
    let mut copied = 0u64;
    while copied < size {
        let left = usize::try_from(size - copied).unwrap_or(usize::MAX);
        match retry(|| rustix::fs::sendfile(copy.as_fd(), source.as_fd(), None, left))? {
            0 => return Err(Errno::IO),
            n => copied += n as u64,
        }
    }
    rustix::fs::fcntl_add_seals(
        &copy,
        SealFlags::SEAL | SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE,
    )?;
    Ok(copy)
}

/// Whether an open file sits on a read-only mount.
pub fn fd_on_read_only_mount(fd: BorrowedFd<'_>) -> bool {
    rustix::fs::fstatvfs(fd)
        .is_ok_and(|st| st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY))
}

/// flock(2): an exclusive lock on an open file (or directory), without
/// waiting (EWOULDBLOCK when another holds it) or waiting for it.
pub fn lock_exclusive(fd: BorrowedFd<'_>, wait: bool) -> SysResult<()> {
    let how = match wait {
        true => rustix::fs::FlockOperation::LockExclusive,
        false => rustix::fs::FlockOperation::NonBlockingLockExclusive,
    };
    retry(|| rustix::fs::flock(fd, how))
}

/// renameat2(2) with RENAME_EXCHANGE: `a` and `b` (both existing) swap
/// names in one step, so neither name is ever missing.
pub fn exchange(a: &Path, b: &Path) -> SysResult<()> {
    let cwd = rustix::fs::CWD;
    rustix::fs::renameat_with(cwd, a, cwd, b, rustix::fs::RenameFlags::EXCHANGE)
}

/// renameat2(2) with RENAME_NOREPLACE: `from` takes the name `to`, which
/// must not exist (EEXIST).
pub fn rename_noreplace(from: &Path, to: &Path) -> SysResult<()> {
    let cwd = rustix::fs::CWD;
    rustix::fs::renameat_with(cwd, from, cwd, to, rustix::fs::RenameFlags::NOREPLACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_head_grows_its_buffer_up_to_the_limit() {
        let dir = std::env::temp_dir().join(format!("nsc-read-head-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let bytes: Vec<u8> = (0..FIRST_READ * 5 + 7).map(|i| i as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_head(&path, 1 << 20).unwrap(), bytes);
        assert_eq!(
            read_head(&path, FIRST_READ * 3).unwrap(),
            &bytes[..FIRST_READ * 3]
        );
        assert_eq!(read_head(&path, 5).unwrap(), &bytes[..5]);
        std::fs::write(&path, b"").unwrap();
        assert!(read_head(&path, 1 << 20).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

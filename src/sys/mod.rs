//! The syscall layer: the only code that calls libc or holds `unsafe`.
//! Everything above it uses the small safe functions here, which return
//! `Result<T, Errno>` so callers can say what they were doing to what.

pub mod fd;
pub mod limits;
pub mod ns;
pub mod pidfd;
pub mod process;
pub mod signal;
pub mod tty;

/// An errno value from a failed system call.
pub type Errno = i32;
pub type SysResult<T> = Result<T, Errno>;

/// The errno of the last failed call on this thread.
pub fn errno() -> Errno {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Turn a -1 return into the errno.
pub(crate) fn check(rc: libc::c_long) -> SysResult<libc::c_long> {
    if rc == -1 {
        Err(errno())
    } else {
        Ok(rc)
    }
}

/// Retry a call that failed with EINTR.
pub(crate) fn retry<T>(mut call: impl FnMut() -> SysResult<T>) -> SysResult<T> {
    loop {
        match call() {
            Err(libc::EINTR) => continue,
            other => return other,
        }
    }
}

/// The C library's text for an errno, as util-linux prints it.
pub fn strerror(errno: Errno) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its whole length and strerror_r (XSI
    // version in the libc crate) NUL-terminates what it writes.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A C string from bytes; an interior NUL is EINVAL (no path or argument
/// we pass to the kernel can contain one).
pub fn cstring(bytes: &[u8]) -> SysResult<std::ffi::CString> {
    std::ffi::CString::new(bytes).map_err(|_| libc::EINVAL)
}

#[cfg(test)]
mod tests {
    #[test]
    fn strerror_matches_libc_text() {
        assert_eq!(super::strerror(libc::ENOENT), "No such file or directory");
        assert_eq!(super::strerror(libc::EPERM), "Operation not permitted");
    }

    #[test]
    fn cstring_refuses_interior_nul() {
        assert_eq!(super::cstring(b"a\0b"), Err(libc::EINVAL));
    }
}

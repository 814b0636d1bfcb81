//! Replacing the process with a program.

use super::{last_errno, Errno};
use std::ffi::CString;

/// execve(2); returns only on failure, with the errno. (rustix offers
/// execve only for programs without libc.)
pub fn execve(path: &CString, argv: &[CString], envp: &[CString]) -> Errno {
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut envp_ptrs: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
    envp_ptrs.push(std::ptr::null());
    // SAFETY: path, argv and envp are NUL-terminated strings in
    // NULL-terminated arrays that outlive the call.
    unsafe { libc::execve(path.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
    last_errno()
}

extern "C" {
    /// The C library's environment, exactly as it is (entries without '='
    /// included): a re-exec of ourselves must pass on what we were given.
    static environ: *const *const libc::c_char;
}

/// execveat(fd, "", argv, environ, AT_EMPTY_PATH): run the file `fd`
/// refers to (an O_PATH descriptor will do) with `argv` and our own
/// environment. Returns only on failure.
pub fn reexec(fd: std::os::fd::BorrowedFd<'_>, argv: &[CString]) -> Errno {
    use std::os::fd::AsRawFd;
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    // SAFETY: argv is NUL-terminated strings in a NULL-terminated array
    // that outlives the call; `environ` is the C library's environment,
    // valid and unchanged (the tools are single-threaded); "" with
    // AT_EMPTY_PATH names the descriptor itself.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            fd.as_raw_fd(),
            c"".as_ptr(),
            argv_ptrs.as_ptr(),
            environ,
            libc::AT_EMPTY_PATH,
        )
    };
    last_errno()
}

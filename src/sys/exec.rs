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

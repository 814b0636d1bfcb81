//! The resource limits that decide what execve accepts.

/// The soft RLIMIT_STACK in bytes; `None` when unlimited.
pub fn stack_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: limit is a valid rlimit for getrlimit to fill.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) };
    // getrlimit cannot fail for a valid resource; if it did, claim the
    // smallest limit the kernel honours rather than a large one.
    if rc != 0 {
        return Some(0);
    }
    (limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// The size of a memory page.
pub fn page_size() -> usize {
    // SAFETY: sysconf takes a name and returns a number.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(4096)
}

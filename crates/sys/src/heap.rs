//! The heap of a short-lived tool.
//!
//! glibc gives memory freed at the top of the heap back to the kernel
//! once 128 KiB of it is free (brk), and grows the heap again 128 KiB past
//! each request that does not fit: a tool that frees a parsed file and
//! then compiles a seccomp profile gives pages back and faults fresh,
//! zeroed ones in again, each fault and each brk a trip into the kernel.
//! The tools live for milliseconds and peak at a few hundred KiB, so what
//! they free they keep, and the heap grows in larger steps (address space
//! only: a page is still touched, and charged, only when used).

/// Keep freed memory and grow the heap in larger steps (see the module
/// notes). Call first thing, before anything is allocated.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const KEEP: libc::c_int = 64 << 20;
        const STEP: libc::c_int = 1 << 20;
        // SAFETY: mallopt only sets two of the allocator's parameters (no
        // memory is passed); before any thread exists, nothing allocates
        // concurrently. A value it refuses leaves glibc's default.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP);
            libc::mallopt(libc::M_TOP_PAD, STEP);
        }
    }
}

//! The limits that decide what execve accepts for a program.

use rustix::process::{getrlimit, Resource};

/// The soft RLIMIT_STACK in bytes; `None` when unlimited.
pub fn stack_limit() -> Option<u64> {
    getrlimit(Resource::Stack).current
}

/// The size of a memory page.
pub fn page_size() -> usize {
    rustix::param::page_size()
}

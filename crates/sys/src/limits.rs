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

/// The limit for a program we execute now, with our stack limit.
pub fn exec_limit() -> nsenter_can_plan::bounded::ExecLimit {
    nsenter_can_plan::bounded::ExecLimit::with(stack_limit(), page_size())
}

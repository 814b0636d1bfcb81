//! What execve accepts for a program's arguments and environment, worked
//! out as the kernel does (fs/exec.c): every string with its NUL and its
//! pointer must fit in a quarter of the stack limit, but never more than
//! 6 MiB (three quarters of _STK_LIM) and always at least 128 KiB
//! (ARG_MAX); one string may hold MAX_ARG_STRLEN (32 pages) with its NUL.
//! Reading an environment stops here: more could never be exec'd, and
//! anything less is accepted.

use super::{size_text, Bounds};

/// The stack limit the kernel's ceiling is derived from (_STK_LIM).
const STK_LIM: u64 = 8 << 20;
/// What execve accepts with even the smallest stack limit (ARG_MAX).
const ARG_MAX: u64 = 128 << 10;
/// Each string also costs its pointer in the new program's argv or envp.
const POINTER: u64 = std::mem::size_of::<usize>() as u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecLimit {
    /// Every argument and variable, each counted by [`ExecLimit::cost`].
    pub total: u64,
    /// One argument or variable, its NUL included (MAX_ARG_STRLEN).
    pub string: usize,
    /// The soft stack limit it was derived from; `None` for unlimited.
    stack: Option<u64>,
}

impl ExecLimit {
    /// The limit with the soft stack limit `stack` (`nsenter_can_sys::limits::exec_limit`
    /// reads ours) and the page size.
    pub fn with(stack: Option<u64>, page_size: usize) -> ExecLimit {
        let quarter = stack.map_or(u64::MAX, |s| s / 4);
        ExecLimit {
            total: quarter.clamp(ARG_MAX, STK_LIM / 4 * 3),
            string: page_size * 32,
            stack,
        }
    }

    /// What one argument or variable of `len` bytes uses of the total.
    pub fn cost(len: usize) -> u64 {
        len as u64 + 1 + POINTER
    }

    /// Bounds for a NUL-separated environ file.
    pub fn environ_bounds(&self) -> Bounds {
        Bounds {
            record: self.string,
            total: self.total,
        }
    }

    /// Why one variable may be no longer, for messages.
    pub fn string_reason(&self) -> &'static str {
        ", the most the kernel accepts for one variable (MAX_ARG_STRLEN)"
    }

    /// Why the whole may be no larger, for messages.
    pub fn total_reason(&self) -> String {
        let what = ", the most the kernel accepts for a program's environment and arguments";
        match self.stack {
            _ if self.total == STK_LIM / 4 * 3 => format!("{what}, whatever the stack limit"),
            Some(stack) if self.total == ARG_MAX && stack / 4 < ARG_MAX => {
                format!(
                    "{what} (its least, with a stack limit of {})",
                    size_text(stack)
                )
            }
            Some(stack) => format!(
                "{what} (a quarter of the {} stack limit: see ulimit -s)",
                size_text(stack)
            ),
            None => format!("{what}, whatever the stack limit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_of_the_stack_within_the_kernels_floor_and_ceiling() {
        let default = ExecLimit::with(Some(8 << 20), 4096);
        assert_eq!((default.total, default.string), (2 << 20, 128 << 10));
        assert_eq!(
            default.total_reason(),
            ", the most the kernel accepts for a program's environment and arguments \
             (a quarter of the 8 MiB stack limit: see ulimit -s)"
        );
        assert_eq!(ExecLimit::with(None, 4096).total, 6 << 20);
        assert_eq!(ExecLimit::with(Some(1 << 30), 4096).total, 6 << 20);
        assert_eq!(ExecLimit::with(Some(64 << 10), 4096).total, 128 << 10);
        assert!(ExecLimit::with(Some(64 << 10), 4096)
            .total_reason()
            .ends_with("(its least, with a stack limit of 64 KiB)"));
        assert_eq!(ExecLimit::with(None, 65536).string, 2 << 20);
    }

    #[test]
    fn each_string_costs_its_nul_and_pointer() {
        assert_eq!(ExecLimit::cost(3), 12);
    }
}

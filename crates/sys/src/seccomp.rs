//! seccomp filters: installed on the calling thread, as a container's
//! runtime installed them on the container's process (the filters are read
//! from that process with `ptrace::Seized::seccomp_filter`).

use super::{check, Errno, SysResult};

/// One classic BPF instruction, laid out as the kernel's `struct
/// sock_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// One filter of a process's stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub program: Vec<Insn>,
    /// SECCOMP_FILTER_FLAG_LOG: the filter's actions (other than allow)
    /// are logged, as the runtime asked.
    pub log: bool,
}

/// seccomp(SECCOMP_SET_MODE_FILTER): add `filter` on top of the calling
/// thread's stack (not its other threads': no TSYNC). Needs no_new_privs
/// or CAP_SYS_ADMIN; the filter holds across execve and is inherited by
/// every child.
pub fn install(filter: &Filter) -> SysResult<()> {
    let len = u16::try_from(filter.program.len()).map_err(|_| Errno::INVAL)?;
    let prog = libc::sock_fprog {
        len,
        filter: filter.program.as_ptr() as *mut libc::sock_filter,
    };
    let flags = if filter.log {
        libc::SECCOMP_FILTER_FLAG_LOG
    } else {
        0
    };
    // SAFETY: `prog` points to `len` instructions laid out as struct
    // sock_filter (Insn is repr(C) with the same fields), alive for the
    // call; the kernel copies them and does not write through the pointer.
    check(unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER as libc::c_ulong,
            flags,
            &prog as *const libc::sock_fprog,
        )
    })
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instruction_is_laid_out_as_sock_filter() {
        assert_eq!(
            std::mem::size_of::<Insn>(),
            std::mem::size_of::<libc::sock_filter>()
        );
        assert_eq!(
            std::mem::align_of::<Insn>(),
            std::mem::align_of::<libc::sock_filter>()
        );
    }
}

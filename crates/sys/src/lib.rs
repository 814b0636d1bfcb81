//! The syscall layer: the only code that calls the kernel or libc, and the
//! only crate where raw (`unsafe`) code is allowed; every other crate of
//! the workspace forbids it. Everything above it uses the small safe functions here,
//! which return `Result<T, Errno>` so callers can say what they were doing
//! to what.
//!
//! Most calls go through rustix, whose safe API leaves no raw code here.
//! libc remains for what rustix lacks (docs/dependencies.md keeps the
//! list): fork (and clone3's number, made with inline assembly), execve,
//! signal dispositions, masks and signalfd, kill and raise with any signal
//! number, the parent-death signal, a pidfd's
//! signal 0, close_range, the nsfs ioctls and SIOCGSKNS, ptrace,
//! seccomp, mount_setattr, execveat and keyctl.
//!
//! One module per subject: descriptors (`fd`), files and paths (`fs`),
//! root and working directory (`dirs`), mounts (`mount`), namespaces
//! (`ns`), process handles (`pidfd`), processes (`process`), running a
//! program (`exec`), user and group ids (`ids`), capabilities (`caps`),
//! the session keyring (`keys`),
//! seccomp filters (`seccomp`) and reading them from another process
//! (`ptrace`), signals (`signal`), unix sockets (`socket`), terminals
//! (`tty`), the limits execve works within (`limits`) and standard
//! error (`stderr`); docker-enter's entry point, before the C library
//! starts (`early_start`).
#![allow(unsafe_code)]

pub mod caps;
pub mod dirs;
mod early_start;
pub mod exec;
pub mod fd;
pub mod fs;
pub mod heap;
pub mod ids;
pub mod keys;
pub mod limits;
pub mod mount;
pub mod ns;
pub mod pidfd;
pub mod process;
pub mod ptrace;
pub mod seccomp;
pub mod signal;
pub mod socket;
pub mod stderr;
pub mod tty;

/// The C `main` of a tool: `tool_main!(path::to::main)` in a binary marked
/// `#![cfg_attr(not(test), no_main)]` calls `main(&args)` with the
/// arguments after argv[0] and exits with what it returns. (Built as a
/// test, the binary keeps the test harness's main.)
///
/// Why not Rust's own `fn main`: before it, the Rust runtime reads
/// /proc/self/maps to find the main thread's stack guard, sets up an
/// alternate signal stack with SIGSEGV and SIGBUS handlers (for its "stack
/// overflow" message), polls descriptors 0-2 and ignores SIGPIPE, about 15
/// system calls and 40 µs of a 1.7 ms `nsenter -t PID -a true`. The tools
/// need none of it: their stacks are shallow, a closed pipe ends them the
/// way it ends util-linux's, and the program inherits the caller's SIGPIPE
/// disposition untouched. std's arguments, environment and I/O work
/// without it (glibc hands std the arguments before `main`).
///
/// The `#[no_mangle]` that names the C `main` is a raw construct (two
/// symbols of one name are the linker's to choose between), and it is
/// written here, in the one crate that may hold raw code: the binaries
/// forbid unsafe code (the workspace lint), and rustc leaves what a macro
/// of another crate expands to out of that lint, so the binaries stay
/// free of it and of any `allow` that would let more in. A `#[no_mangle]`
/// written in a binary itself fails to compile.
#[macro_export]
macro_rules! tool_main {
    ($main:path) => {
        #[cfg(not(test))]
        #[no_mangle]
        pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
            $crate::heap::keep_freed_memory();
            let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
            // std::process::exit flushes std's buffered stdout first.
            std::process::exit($main(&args))
        }
    };
}

/// An errno value from a failed system call.
pub use nsenter_can_plan::error::Errno;
pub type SysResult<T> = Result<T, Errno>;

/// The errno of the last failed libc call on this thread.
fn last_errno() -> Errno {
    Errno::from_raw_os_error(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

/// Turn a libc -1 return into the errno.
fn check(rc: libc::c_long) -> SysResult<libc::c_long> {
    if rc == -1 {
        Err(last_errno())
    } else {
        Ok(rc)
    }
}

/// Retry a call that failed with EINTR.
fn retry<T>(mut call: impl FnMut() -> SysResult<T>) -> SysResult<T> {
    loop {
        match call() {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// A C string from bytes; an interior NUL is EINVAL (no path or argument
/// we pass to the kernel can contain one).
pub fn cstring(bytes: &[u8]) -> SysResult<std::ffi::CString> {
    std::ffi::CString::new(bytes).map_err(|_| Errno::INVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cstring_refuses_interior_nul() {
        assert_eq!(cstring(b"a\0b"), Err(Errno::INVAL));
    }
}

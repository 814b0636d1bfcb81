//! ptrace, for one purpose: reading the seccomp filters of a process
//! (PTRACE_SECCOMP_GET_FILTER, Linux 4.4 with CONFIG_CHECKPOINT_RESTORE).
//! The process is seized (no signal is sent, unlike PTRACE_ATTACH), held in
//! a ptrace-stop for the read, and let go at once; a signal the stop took
//! from it is given back.

use super::seccomp::{Filter, Insn};
use super::{check, last_errno, Errno, SysResult};
use std::time::{Duration, Instant};

const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;
const PTRACE_SECCOMP_GET_METADATA: libc::c_uint = 0x420d;
const PTRACE_EVENT_STOP: i32 = 128;
/// SECCOMP_FILTER_FLAG_LOG as struct seccomp_metadata holds it (libc's
/// type for it differs between architectures).
#[allow(clippy::unnecessary_cast)]
const FILTER_FLAG_LOG: u64 = libc::SECCOMP_FILTER_FLAG_LOG as u64;

/// struct seccomp_metadata.
#[repr(C)]
struct Metadata {
    filter_off: u64,
    flags: u64,
}

/// A process we trace. Dropping it detaches (a process we trace also goes
/// free when we exit).
pub struct Seized {
    pid: i32,
    stopped: bool,
    /// The signal whose delivery the stop interrupted, given back on detach.
    pending: i32,
}

/// ptrace(2).
///
/// # Safety
/// When `data` is an address, the request may write there: it must point
/// to memory the request may fill.
unsafe fn ptrace(
    request: libc::c_uint,
    pid: i32,
    addr: usize,
    data: usize,
) -> SysResult<libc::c_long> {
    // SAFETY: the caller vouches for `data` (see above); the other
    // arguments are plain numbers.
    check(unsafe { libc::ptrace(request, pid, addr as *mut libc::c_void, data) })
}

/// PTRACE_SEIZE: become the tracer of `pid` without stopping it. EPERM
/// when it is already traced (or we may not trace it).
pub fn seize(pid: i32) -> SysResult<Seized> {
    // SAFETY: PTRACE_SEIZE with no options takes no address.
    unsafe { ptrace(libc::PTRACE_SEIZE, pid, 0, 0) }?;
    Ok(Seized {
        pid,
        stopped: false,
        pending: 0,
    })
}

impl Seized {
    /// PTRACE_INTERRUPT, then wait for the ptrace-stop, for at most
    /// `limit` (a process in an uninterruptible sleep stops only when it
    /// wakes): ETIMEDOUT then, ESRCH if it ended instead.
    pub fn stop(&mut self, limit: Duration) -> SysResult<()> {
        // SAFETY: PTRACE_INTERRUPT takes no address.
        unsafe { ptrace(libc::PTRACE_INTERRUPT, self.pid, 0, 0) }?;
        let deadline = Instant::now() + limit;
        let mut pause = Duration::from_micros(50);
        let mut yields = 0;
        loop {
            let mut status: libc::c_int = 0;
            // SAFETY: status is a valid int to write the wait status to.
            let rc = unsafe { libc::waitpid(self.pid, &mut status, libc::__WALL | libc::WNOHANG) };
            match rc {
                -1 if last_errno() == Errno::INTR => continue,
                -1 => return Err(last_errno()),
                0 => {}
                _ if libc::WIFSTOPPED(status) => {
                    self.stopped = true;
                    // A signal-delivery-stop took a signal on its way to
                    // the process: it gets it back on detach. An event stop
                    // (ours, or a group-stop) took nothing.
                    if status >> 16 != PTRACE_EVENT_STOP {
                        self.pending = libc::WSTOPSIG(status);
                    }
                    return Ok(());
                }
                _ => return Err(Errno::SRCH),
            }
            if Instant::now() >= deadline {
                return Err(Errno::TIMEDOUT);
            }
            // The process stops within microseconds unless it sleeps
            // uninterruptibly: yield to it first (a sleep, however short,
            // lasts tens of microseconds of timer slack), then back off.
            if yields < 100 {
                yields += 1;
                std::thread::yield_now();
            } else {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
        }
    }

    /// The filter at `index` of the stopped process's stack, 0 being the
    /// oldest (the kernel counts from the first installed: `get_nth_filter`
    /// in kernel/seccomp.c). ENOENT past the newest; EINVAL when the process has no
    /// filter; EACCES when we lack CAP_SYS_ADMIN or run under seccomp
    /// ourselves; EIO when the kernel has no such request.
    pub fn seccomp_filter(&self, index: u64) -> SysResult<Filter> {
        let index = usize::try_from(index).map_err(|_| Errno::INVAL)?;
        // SAFETY: a null buffer asks for the length; nothing is written.
        let len = unsafe { ptrace(PTRACE_SECCOMP_GET_FILTER, self.pid, index, 0) }?;
        let len = usize::try_from(len).map_err(|_| Errno::INVAL)?;
        let mut program = vec![Insn::default(); len];
        // SAFETY: the buffer holds `len` instructions (struct sock_filter
        // layout), the length the kernel gave for this filter; an
        // installed filter never changes.
        let got = unsafe {
            ptrace(
                PTRACE_SECCOMP_GET_FILTER,
                self.pid,
                index,
                program.as_mut_ptr() as usize,
            )
        }?;
        if got as usize != len {
            return Err(Errno::IO);
        }
        let mut meta = Metadata {
            filter_off: index as u64,
            flags: 0,
        };
        // SAFETY: `meta` is a struct seccomp_metadata of the size passed.
        let asked = unsafe {
            ptrace(
                PTRACE_SECCOMP_GET_METADATA,
                self.pid,
                std::mem::size_of::<Metadata>(),
                &mut meta as *mut Metadata as usize,
            )
        };
        let log = match asked {
            Ok(_) => meta.flags & FILTER_FLAG_LOG != 0,
            // Linux 4.4 to 4.15 have the filter but not its flags.
            Err(Errno::IO) | Err(Errno::INVAL) => false,
            Err(e) => return Err(e),
        };
        Ok(Filter { program, log })
    }

    /// PTRACE_DETACH: the process runs on as before (still stopped if it
    /// was in a group-stop), with the signal the stop took.
    pub fn detach(mut self) -> SysResult<()> {
        self.release()
    }

    fn release(&mut self) -> SysResult<()> {
        if !self.stopped {
            // Detaching needs a ptrace-stop: a process we failed to stop
            // goes free when we exit.
            return Ok(());
        }
        self.stopped = false;
        // SAFETY: PTRACE_DETACH takes a signal number, no address.
        unsafe { ptrace(libc::PTRACE_DETACH, self.pid, 0, self.pending as usize) }.map(drop)
    }
}

impl Drop for Seized {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

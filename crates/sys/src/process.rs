//! Processes: starting a child (vfork-style, optionally born in a cgroup),
//! waiting, leaving, signals to ourselves at the end, and the prctl flags
//! that guard a process holding host descriptors.

use super::{check, Errno, SysResult};
use rustix::process::{DumpableBehavior, Pid, Resource, Rlimit, WaitOptions};
use std::os::fd::BorrowedFd;

/// The child's stack in [`spawn`]: what the code between fork and exec
/// needs (a PATH search, an error message) with room to spare. Pages are
/// only touched as used.
const CHILD_STACK: usize = 512 << 10;

/// Start `child` in a new process and return its PID once it has exec'd
/// or exited, as vfork does (clone with CLONE_VM | CLONE_VFORK, the way
/// posix_spawn starts programs): the child borrows our memory instead of
/// getting a copy, so no page table is copied and nothing is copied on
/// write, which makes starting the program markedly cheaper than fork.
/// The child runs on a stack of its own, with our signal mask; it should
/// exec, and leaves with `child`'s return value as exit status otherwise.
///
/// What the child may do: it runs while we are suspended, so it may read
/// everything we hold; what it allocates stays allocated here (it never
/// frees our memory); it must change process state only through calls
/// that affect the calling process alone (the `ids` and `caps` calls set
/// the calling thread's credentials, which is the child's whole process).
/// Callers must be single-threaded (the tools are): no lock is held by
/// another thread when the child starts. What the child writes in our
/// memory is ours once this returns: that is how a child says why it
/// could not exec (`nsenter_can_enter`'s detach).
///
/// # Safety
///
/// The child runs `child` in our memory while this thread waits, and ends
/// where it execs or exits: its own stack is then unmapped, and nothing on
/// it is dropped. The caller must make sure that `child`:
/// - starts no thread: one could go on running in our memory after the
///   child has exited and we have resumed;
/// - leaves nothing in our memory that points into its own stack (a value
///   of its own, pinned there and registered elsewhere): it would dangle.
///
/// [`start_child`] is the safe form, for this workspace's code.
pub unsafe fn spawn(child: &mut dyn FnMut() -> i32) -> SysResult<i32> {
    spawn_on_own_stack(child, None, 0)
}

/// [`spawn`], the child born in the cgroup v2 whose directory `cgroup` is
/// (an O_PATH descriptor will do): clone3 with CLONE_INTO_CGROUP (Linux
/// 5.7). The kernel places the child as it creates it, taking only the
/// read side of the lock that a write to cgroup.procs takes for writing
/// (which waits for an RCU grace period, milliseconds, unless another
/// migration happened just before). The permission checks are those of
/// writing the child's PID into that cgroup's cgroup.procs, with our
/// credentials and cgroup namespace. Fails, starting nothing, where the
/// kernel cannot (ENOSYS before 5.3 or under a filter that hides clone3,
/// E2BIG or EINVAL before 5.7, ENOSYS on an architecture this is not
/// written for) or refuses that cgroup: the caller then starts the
/// child with [`spawn`] and moves it in by writing cgroup.procs.
///
/// # Safety
///
/// As for [`spawn`]. [`start_child_in_cgroup`] is the safe form, for this
/// workspace's code.
pub unsafe fn spawn_in_cgroup(
    cgroup: BorrowedFd<'_>,
    child: &mut dyn FnMut() -> i32,
) -> SysResult<i32> {
    spawn_on_own_stack(child, Some(cgroup), 0)
}

/// [`spawn`], for the code of this workspace, which keeps its contract:
/// - no code but tests starts a thread: crates/clippy.toml disallows
///   std's ways to start one, and `cargo clippy -- -D warnings` holds
///   every crate to it (tests run on threads, but never start a child);
/// - no crate but this one can make a pointer (the others forbid unsafe
///   code), and no safe API of std or of our dependencies keeps one into
///   a stack after the frame that made it.
pub fn start_child(child: &mut dyn FnMut() -> i32) -> SysResult<i32> {
    // SAFETY: see above: `child` starts no thread and leaves nothing
    // pointing into its stack.
    unsafe { spawn(child) }
}

/// [`spawn_in_cgroup`], for the code of this workspace, which keeps its
/// contract as for [`start_child`].
pub fn start_child_in_cgroup(
    cgroup: BorrowedFd<'_>,
    child: &mut dyn FnMut() -> i32,
) -> SysResult<i32> {
    // SAFETY: as in `start_child`.
    unsafe { spawn_in_cgroup(cgroup, child) }
}

/// Run `child` as [`spawn`] does, but sharing our descriptor table (what
/// it opens stays open for us) and born in a new user namespace, a child
/// of ours, and a new mount namespace that belongs to it (CLONE_NEWUSER |
/// CLONE_NEWNS): a copy of ours, which the kernel locks as it copies it
/// into a less privileged user namespace. Returns once the child has
/// exited and been collected. Fails with EPERM where user namespaces may
/// not be made (a seccomp filter or an LSM on us, a chrooted caller),
/// and ENOSPC beyond user.max_user_namespaces.
pub(super) fn run_in_new_user_and_mount_namespaces(
    child: &mut dyn FnMut() -> i32,
) -> SysResult<()> {
    let namespaces = libc::CLONE_FILES | libc::CLONE_NEWUSER | libc::CLONE_NEWNS;
    let pid = spawn_on_own_stack(child, None, namespaces)?;
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: status is a valid int to write the wait status to.
        match unsafe { libc::waitpid(pid, &mut status, libc::__WALL) } {
            -1 if super::last_errno() == Errno::INTR => continue,
            // SIGCHLD ignored by our caller: the kernel collected it.
            -1 if super::last_errno() == Errno::CHILD => return Ok(()),
            -1 => return Err(super::last_errno()),
            _ => return Ok(()),
        }
    }
}

/// Start `child` on a stack of its own, vfork-style, in `cgroup` if given
/// (clone3), else with `clone_flags` added (clone).
fn spawn_on_own_stack(
    child: &mut dyn FnMut() -> i32,
    cgroup: Option<BorrowedFd<'_>>,
    clone_flags: libc::c_int,
) -> SysResult<i32> {
    extern "C" fn start(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the `&mut dyn FnMut` that `spawn` passed, alive
        // in our suspended parent's frame until we exec or exit.
        let child = unsafe { &mut *(arg as *mut &mut dyn FnMut() -> i32) };
        exit_now(child())
    }
    // SAFETY: an anonymous private mapping of CHILD_STACK bytes; nothing
    // else refers to it.
    let stack = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            CHILD_STACK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if stack == libc::MAP_FAILED {
        return Err(super::last_errno());
    }
    // A guard page at the low end: an overflow faults instead of writing
    // over our memory. SAFETY: the page is the start of our own mapping.
    let guarded = unsafe { libc::mprotect(stack, 4096, libc::PROT_NONE) };
    let mut arg: &mut dyn FnMut() -> i32 = child;
    let arg_ptr = (&mut arg as *mut &mut dyn FnMut() -> i32).cast::<libc::c_void>();
    let result = if guarded != 0 {
        Err(super::last_errno())
    } else if let Some(cgroup) = cgroup {
        clone3_vfork_into(cgroup, stack.cast(), start, arg_ptr)
    } else {
        // SAFETY: the stack grows down from the end of a mapping that
        // outlives the child's use of it (we resume only once it has
        // exec'd or exited); `start` never returns into clone's caller and
        // `arg` outlives the call; see above for what the child may do.
        let pid = unsafe {
            libc::clone(
                start,
                stack.cast::<u8>().add(CHILD_STACK).cast(),
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD | clone_flags,
                arg_ptr,
            )
        };
        check(pid.into()).map(|pid| pid as i32)
    };
    // SAFETY: the child has exec'd or exited (or was never started):
    // nothing uses the stack now.
    unsafe { libc::munmap(stack, CHILD_STACK) };
    result
}

/// fork(2), for a child that goes on apart from us in our own code (it
/// never execs): Some(its PID) here, None in the child. The tools are
/// single-threaded, so no other thread holds a lock the child would
/// inherit held.
pub fn fork() -> SysResult<Option<i32>> {
    // SAFETY: a single-threaded process (see above); the child gets a copy
    // of our memory and runs only code its caller chose, then _exit.
    let pid = unsafe { libc::fork() };
    check(pid.into()).map(|pid| (pid != 0).then_some(pid as i32))
}

/// Run `handler` when the process exits through `exit` (atexit(3)): for
/// the tests, whose harness has no teardown of its own.
pub fn at_exit(handler: extern "C" fn()) {
    // SAFETY: atexit only records the function pointer; `handler` is a
    // plain function of no arguments, which may run while the process
    // exits. Failure (no room to record it) leaves it unrecorded.
    unsafe { libc::atexit(handler) };
}

/// CLONE_INTO_CGROUP: clone3's `cgroup` field names the new child's cgroup.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const CLONE_INTO_CGROUP: u64 = 1 << 33;

/// clone3(2) as `libc::clone` above, with CLONE_VM | CLONE_VFORK on
/// `stack` (CHILD_STACK bytes), the child born in `cgroup`. glibc has no
/// clone3 wrapper, and a child that shares our memory must not return
/// through the frames of the function that made the system call (its stack
/// pointer is the new stack): so the system call and the child's first
/// instructions are written here in assembly, which calls `start(arg)`
/// straight away on the new stack, as glibc's clone does.
#[cfg(target_arch = "x86_64")]
fn clone3_vfork_into(
    cgroup: BorrowedFd<'_>,
    stack: *mut u8,
    start: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> SysResult<i32> {
    let args = CloneArgs::vfork_into(cgroup, stack);
    let ret: i64;
    // SAFETY: clone3 reads `args` (alive for the call) and writes nothing
    // of ours. In the parent the instruction returns the child's PID or
    // -errno, with only rax, rcx and r11 changed (declared), once the
    // child has exec'd or exited (CLONE_VFORK). In the child it returns 0
    // with every other register as the parent's and the stack pointer at
    // the top of `stack`, which is 16-byte aligned (the end of a mapping);
    // the child calls `start(arg)` (arg in r12, start in r13, both kept
    // across the system call), which never returns, as for `libc::clone`
    // above, so nothing of the parent's frame is used by the child. The
    // parent's stack is left alone (nostack); the child's pushes go on its
    // own stack.
    unsafe {
        std::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r12",
            "call r13",
            "ud2",
            "2:",
            inlateout("rax") libc::SYS_clone3 => ret,
            in("rdi") &args as *const CloneArgs,
            in("rsi") std::mem::size_of::<CloneArgs>(),
            in("r12") arg,
            in("r13") start,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    CloneArgs::pid_or_errno(ret)
}

/// [`clone3_vfork_into`] of x86-64 above, for aarch64: the system call
/// is `svc #0` with its number in x8 and its arguments in x0 and x1, and
/// returns in x0 alone.
#[cfg(target_arch = "aarch64")]
fn clone3_vfork_into(
    cgroup: BorrowedFd<'_>,
    stack: *mut u8,
    start: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> SysResult<i32> {
    let args = CloneArgs::vfork_into(cgroup, stack);
    let ret: i64;
    // SAFETY: clone3 reads `args` (alive for the call) and writes nothing
    // of ours. In the parent `svc` returns the child's PID or -errno in x0,
    // every other register kept, once the child has exec'd or exited
    // (CLONE_VFORK). In the child it returns 0 in x0 with every other
    // register as the parent's and sp at the top of `stack`, 16-byte
    // aligned (the end of a mapping); the child clears the frame pointer
    // and link register (the end of its call chain) and calls `start(arg)`
    // (arg in x20, start in x21, callee-saved registers the call keeps),
    // which never returns, as for `libc::clone` above, so nothing of the
    // parent's frame is used by the child and x29/x30 change in the child
    // alone. The parent's stack is left alone (nostack).
    unsafe {
        std::arch::asm!(
            "svc #0",
            "cbnz x0, 2f",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, x20",
            "blr x21",
            "udf #0",
            "2:",
            inlateout("x0") &args as *const CloneArgs => ret,
            in("x1") std::mem::size_of::<CloneArgs>(),
            in("x8") libc::SYS_clone3,
            in("x20") arg,
            in("x21") start,
            options(nostack),
        );
    }
    CloneArgs::pid_or_errno(ret)
}

/// No clone3 trampoline for this architecture (armv7, ppc64le, i686 and
/// others): the caller starts the child plainly and moves it.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn clone3_vfork_into(
    _cgroup: BorrowedFd<'_>,
    _stack: *mut u8,
    _start: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    _arg: *mut libc::c_void,
) -> SysResult<i32> {
    Err(super::Errno::NOSYS)
}

/// struct clone_args of linux/sched.h, as far as CLONE_INTO_CGROUP's
/// `cgroup` (CLONE_ARGS_SIZE_VER2, 88 bytes).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
impl CloneArgs {
    /// CLONE_VM | CLONE_VFORK on `stack` (CHILD_STACK bytes), the child
    /// born in `cgroup`, SIGCHLD when it ends.
    fn vfork_into(cgroup: BorrowedFd<'_>, stack: *mut u8) -> CloneArgs {
        use std::os::fd::AsRawFd;
        CloneArgs {
            flags: (libc::CLONE_VM | libc::CLONE_VFORK) as u64 | CLONE_INTO_CGROUP,
            exit_signal: libc::SIGCHLD as u64,
            stack: stack as u64,
            stack_size: CHILD_STACK as u64,
            cgroup: cgroup.as_raw_fd() as u64,
            ..CloneArgs::default()
        }
    }

    /// What clone3 returned: the child's PID, or -errno.
    fn pid_or_errno(ret: i64) -> SysResult<i32> {
        if ret < 0 {
            Err(super::Errno::from_raw_os_error(-ret as i32))
        } else {
            Ok(ret as i32)
        }
    }
}

/// How a child ended or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Exited(i32),
    Signaled(i32),
    Stopped(i32),
    Continued,
}

/// waitpid(2) for one child without blocking, reporting stops and
/// continues too; None when nothing changed.
pub fn wait_child_nohang(pid: i32) -> SysResult<Option<ChildStatus>> {
    let pid = Pid::from_raw(pid).ok_or(super::Errno::CHILD)?;
    let options = WaitOptions::UNTRACED | WaitOptions::CONTINUED | WaitOptions::NOHANG;
    let Some((_, status)) = super::retry(|| rustix::process::waitpid(Some(pid), options))? else {
        return Ok(None);
    };
    Ok(Some(if let Some(code) = status.exit_status() {
        ChildStatus::Exited(code)
    } else if let Some(sig) = status.terminating_signal() {
        ChildStatus::Signaled(sig)
    } else if let Some(sig) = status.stopping_signal() {
        ChildStatus::Stopped(sig)
    } else {
        ChildStatus::Continued
    }))
}

pub fn getpid() -> i32 {
    rustix::process::getpid().as_raw_nonzero().get()
}

/// PR_SET_DUMPABLE: while not dumpable, other processes of the same uid
/// (a container's root) cannot ptrace us or open our /proc files.
pub fn set_dumpable(dumpable: bool) -> SysResult<()> {
    rustix::process::set_dumpable_behavior(if dumpable {
        DumpableBehavior::Dumpable
    } else {
        DumpableBehavior::NotDumpable
    })
}

/// PR_SET_PDEATHSIG: the signal we get when our parent dies. Any signal
/// number, real-time ones included (rustix takes only named signals).
pub fn set_parent_death_signal(sig: i32) -> SysResult<()> {
    // SAFETY: PR_SET_PDEATHSIG takes an integer signal number only.
    check(unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            sig as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    } as libc::c_long)
    .map(drop)
}

/// Stop core dumps (used before dying of a signal that would dump one:
/// the program's crash is not ours).
pub fn disable_core_dumps() {
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = rustix::process::setrlimit(Resource::Core, none);
}

/// _exit(2) without running destructors or flushing stdio (used in a
/// forked child that must not run the parent's cleanup).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// The unit of start times in /proc/PID/stat (sysconf(_SC_CLK_TCK)).
pub fn clock_ticks_per_second() -> i64 {
    i64::try_from(rustix::param::clock_ticks_per_second())
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(100)
}

/// PR_SET_NO_NEW_PRIVS for the calling thread (the whole process here):
/// execve no longer grants privileges (setuid bits, file capabilities),
/// and a seccomp filter may be installed without CAP_SYS_ADMIN. It cannot
/// be unset.
pub fn set_no_new_privs() -> SysResult<()> {
    rustix::thread::set_no_new_privs(true)
}

/// umask(2); returns the previous mask.
pub fn set_umask(mask: u32) -> u32 {
    rustix::process::umask(rustix::fs::Mode::from_bits_truncate(mask)).bits()
}

/// A resource limit: soft and hard values, `None` for unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// The resources of setrlimit(2), in the kernel's order (RLIMIT_CPU is 0).
pub const RESOURCES: [Resource; 16] = [
    Resource::Cpu,
    Resource::Fsize,
    Resource::Data,
    Resource::Stack,
    Resource::Core,
    Resource::Rss,
    Resource::Nproc,
    Resource::Nofile,
    Resource::Memlock,
    Resource::As,
    Resource::Locks,
    Resource::Sigpending,
    Resource::Msgqueue,
    Resource::Nice,
    Resource::Rtprio,
    Resource::Rttime,
];

/// getrlimit(2) of RESOURCES[index].
pub fn get_limit(index: usize) -> SysResult<Limit> {
    let resource = *RESOURCES.get(index).ok_or(super::Errno::INVAL)?;
    let limit = rustix::process::getrlimit(resource);
    Ok(Limit {
        soft: limit.current,
        hard: limit.maximum,
    })
}

/// setrlimit(2) of RESOURCES[index]: EPERM when it would raise the hard
/// limit without CAP_SYS_RESOURCE.
pub fn set_limit(index: usize, limit: Limit) -> SysResult<()> {
    let resource = *RESOURCES.get(index).ok_or(super::Errno::INVAL)?;
    rustix::process::setrlimit(
        resource,
        Rlimit {
            current: limit.soft,
            maximum: limit.hard,
        },
    )
}

/// PR_SET_NAME: the calling thread's name (/proc/PID/comm, what ps and
/// pgrep show), cut to 15 bytes as the kernel does at execve.
pub fn set_name(name: &[u8]) {
    let mut bytes = name[..name.len().min(15)].to_vec();
    bytes.retain(|&b| b != 0);
    if let Ok(name) = std::ffi::CString::new(bytes) {
        let _ = rustix::thread::set_name(&name);
    }
}

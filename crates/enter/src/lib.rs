//! Carrying a plan out, in two steps, in the one order the kernel requires.
//! With the can's entry point (which only execs a tool), the only code that
//! calls setns, chroot, fork or exec.
//!
//! [`prepare`] takes the plan's [`Entry`] (before anything is entered, see
//! `prepare.rs`):
//! 1. not dumpable (security rule 3);
//! 2. the files the command line named, in order; the target, held once by
//!    pidfd and /proc/PID and checked (rule 1);
//! 3. every handle: namespaces, root, working directory, cgroup, label, pty;
//!    the target's confinement, when the plan takes it (rules 9 and 10).
//!
//! Between the two, a planner may ask the prepared target what it needs
//! (the container's passwd, whether a shell exists) to decide the
//! [`Launch`]: user, environment, directory, program.
//!
//! [`run`] takes the prepared handles, with the entry they were opened
//! for, and the launch:
//! 4. what the plan reads of the target, through the held handles; a last
//!    check that the target still lives;
//! 5. the target's oom_score_adj; join the cgroups (rule 8) if this process
//!    will exec the program, else leave the cgroup namespace to the child
//!    that will (`program_cgroup.rs`); drop groups if entering a user
//!    namespace;
//! 6. enter the namespaces (with `--tools`, the user namespace last: rule
//!    17); `--tools` mounted in a private copy of the mount namespace, then
//!    locked (`tools_mount.rs`), while we still hold every capability and no
//!    filter;
//!    chroot and chdir; the exec label;
//! 7. fork if the PID namespace or a relay needs it (the parent waits and
//!    forwards signals), or to start a detached program and return: the
//!    child is born in the target's unified cgroup and joins the rest
//!    first; in the process that execs: a new session keyring (rule 18),
//!    the target's confinement around the credentials, our descriptors
//!    closed (rule 4) and, for docker-enter, every descriptor above 2, then
//!    the target's seccomp filters, then exec.
//!
//! Confinement ([`confine`]), the target's cgroups ([`cgroup`]) and its
//! exec label ([`label`]) serve entering alone, so they live here too.
#![forbid(unsafe_code)]

pub mod cgroup;
pub mod confine;
pub mod label;

// The layers below, under the names this crate's modules use.
use nsenter_can_plan::{bounded, error, plan, signals};
use nsenter_can_runtime as runtime;
use nsenter_can_sys as sys;
use nsenter_can_target as target;

mod creds;
mod detach;
mod exec;
mod flow;
mod namespaces;
mod own_binary;
mod pipes;
mod prepare;
mod program_cgroup;
mod program_env;
mod relay;
mod root_and_cwd;
mod self_exec;
mod supervise;
mod terminal;
mod tools_helper;
mod tools_mount;

pub use own_binary::{restore_name, run_from_protected_copy};
pub use prepare::{check_named_files, prepare, Prepared};
pub use terminal::standard_terminals;

use crate::confine::TargetConfinement;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{Entry, ForkMode, InheritedFds, Launch, Program};
use crate::signals::SIGKILL;
use crate::sys::{fd, ids, keys, mount, ns, process, Errno};
use nsenter_can_plan::ns_kind::NsKind;
use pipes::Pipes;
use program_cgroup::{Born, ProgramCgroup};
use std::ffi::CString;
use std::path::Path;
use supervise::Attach;

/// Enter what was prepared, with the handles `prepare` opened for it, and
/// start `launch` there. Returns the exit status to leave with when we
/// forked and waited; otherwise returns only an error (exec replaced us).
pub fn run(prepared: Prepared, launch: &Launch) -> Result<i32> {
    let had_cap_sys_admin = prepared.had_cap_sys_admin;
    run_prepared(prepared, launch).map_err(|e| explain_permission(e, had_cap_sys_admin))
}

/// Root without CAP_SYS_ADMIN is root in a container: say how to run the
/// can so that it may enter (the forms docs/can.md gives).
const CONTAINED_ROOT_HINT: &str = "root here lacks CAP_SYS_ADMIN: run the can with \
     --privileged, or with --cap-add ALL --security-opt seccomp=unconfined";

/// A refusal for lack of privilege says what privilege is needed, and how
/// to get it when we already are root.
fn explain_permission(err: Error, had_cap_sys_admin: bool) -> Error {
    let denied = matches!(err.errno, Some(Errno::PERM) | Some(Errno::ACCESS));
    if !denied || err.kind == ErrorKind::Exec || had_cap_sys_admin || err.hint.is_some() {
        err
    } else if ids::getuid() == 0 {
        err.hint(CONTAINED_ROOT_HINT)
    } else {
        err.hint("root or CAP_SYS_ADMIN is needed")
    }
}

fn run_prepared(prepared: Prepared, launch: &Launch) -> Result<i32> {
    if let (Program::ToolboxShell { .. }, Some(tools)) = (&launch.program, &prepared.tools) {
        tools.require_shell()?;
    }
    let plan = &prepared.entry;
    let target = prepared.target.as_ref();
    let mut env = program_env::build(&launch.env, target)?;
    let mut creds = creds::resolve(
        &launch.creds,
        target,
        prepared.namespaces.enters(NsKind::User),
    )?;
    // Identify our binary while /proc/self/exe is still the host's view.
    let guard = if plan.hardening.refuse_self_exec {
        self_exec::SelfExe::current()
    } else {
        None
    };
    if let Some(confined) = &prepared.confined {
        confined.before_entering()?;
    }
    let forks = program_forks(plan, &prepared);
    let mut namespaces = prepared.namespaces;
    // A child of ours joins the cgroups as it starts (see program_cgroup);
    // a program that will be this process joins now, before anything is
    // entered.
    let program_cgroup = match &prepared.cgroup {
        Some(join) if forks => Some(ProgramCgroup::new(join, &mut namespaces, target)),
        Some(join) => {
            join.join()?;
            None
        }
        None => None,
    };
    if namespaces.enters(NsKind::User) {
        creds::drop_groups_early(&mut creds);
    }
    // Before anything is entered: a container without /dev/null has the
    // detached program's output drained by a process of ours on the host.
    let (detached, container_null) = match plan.detach {
        true => (Some(detach::Streams::new(prepared.container_null)?), None),
        false => (None, prepared.container_null),
    };
    // With --tools the user namespace comes last (see split_off), unless
    // it is what gives us the right to mount (see user_namespace_last).
    let user_last = match &prepared.tools {
        Some(tools) if tools.user_namespace_last() => namespaces.split_off(NsKind::User),
        _ => namespaces::Namespaces::none(),
    };
    namespaces::enter(&namespaces, target)?;
    // Entering a user namespace owned by another uid may make us dumpable.
    process::set_dumpable(false)
        .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    // Mounting needs CAP_SYS_ADMIN: before credentials and confinement
    // change, and in this process, so the waiting parent holds the mount
    // namespace as long as the program runs.
    let toolbox = prepared.tools.map(tools_mount::attach).transpose()?;
    if user_last.enters(NsKind::User) {
        namespaces::enter(&user_last, target)?;
        process::set_dumpable(false)
            .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    }
    if let Some(dir) = toolbox.as_ref().and_then(|t| t.programs_at.as_deref()) {
        tools_mount::append_to_path(&mut env, dir);
    }
    let toolbox_shell = toolbox.and_then(|t| t.shell);
    root_and_cwd::apply(&prepared.dirs, launch.workdir.as_deref(), plan.hardening)?;
    if let Some(label) = &prepared.label {
        label.apply()?;
    }

    let confined = prepared.confined.as_ref();
    let finish = |watch: Option<&supervise::DeathWatch>, born: Born| -> Error {
        if let Some(cgroup) = &program_cgroup {
            if let Err(e) = cgroup.complete(born) {
                return e;
            }
        }
        if let Err(e) = finish_in_program(plan, &creds, confined, watch) {
            return e;
        }
        let err = execute(&launch.program, &env, guard, toolbox_shell.as_deref());
        exec::explain_not_found(err, &launch.program, &env, launch.not_found_hint.as_deref())
    };
    let had_cap_sys_admin = prepared.had_cap_sys_admin;
    let cgroup = program_cgroup.as_ref();
    if let Some(streams) = detached {
        return detach::start(streams, cgroup, |born| {
            explain_permission(finish(None, born), had_cap_sys_admin)
        });
    }
    let attach = match prepared.host_master {
        Some(master) => Attach::Pty(terminal::open(master)?),
        None if plan.hardening.no_host_streams => {
            Attach::Pipes(Pipes::for_standard(container_null)?)
        }
        None => Attach::Inherit,
    };
    if forks {
        supervise::fork_and_wait(
            plan.tool,
            plan.kill_child.unwrap_or(SIGKILL),
            attach,
            cgroup,
            |watch, born| explain_permission(finish(Some(watch), born), had_cap_sys_admin),
        )
    } else {
        // Our descriptors are closed by now, the held handles included:
        // leave at once instead of returning (dropping them would close
        // numbers we no longer own).
        let err = explain_permission(
            finish(None, Born::Plainly { clone3: None }),
            had_cap_sys_admin,
        );
        process::exit_now(crate::sys::stderr::report(plan.tool, &err))
    }
}

/// Whether the program runs in a child of ours: started detached, or
/// waited for because a PID namespace, a relayed pty or pipes need it (or
/// the plan says so); else this process execs it.
fn program_forks(plan: &Entry, prepared: &Prepared) -> bool {
    plan.detach
        || prepared.host_master.is_some()
        || plan.hardening.no_host_streams
        || match plan.fork {
            ForkMode::Never => false,
            ForkMode::Always => true,
            ForkMode::WhenPidNs => prepared.namespaces.enters(NsKind::Pid) || plan.mount_proc,
        }
}

/// In the program's process: a fresh /proc if asked, the umask, the
/// target's confinement around the change of credentials, the
/// parent-death signal, none of our descriptors left open, and the
/// target's seccomp filters last (see `confine` for why in this order: a
/// filter the container wrote may fake any call made under it).
///
/// This runs in the vfork-style child (`sys::process::spawn`): every call
/// here changes only the calling process (rlimits, no_new_privs, seccomp
/// without TSYNC, capabilities and credentials of the calling thread,
/// umask: the child has its own signal, credential and fs state), never
/// memory the waiting parent relies on.
fn finish_in_program(
    plan: &Entry,
    creds: &creds::Resolved,
    confined: Option<&TargetConfinement>,
    watch: Option<&supervise::DeathWatch>,
) -> Result<()> {
    // Before the target's filters: Docker's default denies keyctl, and a
    // filter the container wrote could fake it (security rule 18).
    if plan.hardening.fresh_session_keyring {
        join_new_session_keyring()?;
    }
    if plan.mount_proc {
        mount_fresh_proc()?;
    }
    if let Some(mask) = plan.umask {
        process::set_umask(mask);
    }
    if let Some(confined) = confined {
        confined.before_credentials()?;
    }
    creds::apply(creds)?;
    let after_filters = confined
        .map(|c| c.after_credentials(creds.keep_caps))
        .transpose()?;
    creds::keep_capabilities(
        creds,
        confined.map_or(u64::MAX, TargetConfinement::bounding),
    )?;
    // After the last change of credentials, which would clear it.
    if let Some(watch) = watch {
        watch.arm()?;
    }
    // Before any filter of the target's, which could fake close_range.
    match plan.inherited_fds {
        InheritedFds::Pass => fd::close_ours(),
        InheritedFds::Close => fd::close_all_above_stdio(),
    }
    .map_err(|e| Error::sys("cannot close descriptors", e))?;
    match (confined, after_filters) {
        (Some(confined), Some(after)) => confined.before_exec(after),
        _ => Ok(()),
    }
}

/// Leave the caller's session keyring behind for a new, empty one, as
/// runc does for every process it starts: keys the operator's login put
/// there (pam_keyinit, Kerberos KEYRING caches, ecryptfs) must not be
/// readable from inside the container.
fn join_new_session_keyring() -> Result<()> {
    match keys::join_new_session_keyring() {
        // A kernel without keys has no keyring to pass on; a filter of
        // ours that hides keyctl hides it from the program too (it
        // inherits our filters).
        Ok(()) | Err(Errno::NOSYS) => Ok(()),
        Err(e) => Err(Error::sys("cannot join a new session keyring", e)),
    }
}

/// `--mount-proc`: a private mount namespace with a /proc of the PID
/// namespace we are in, so ps and top see the container's processes.
fn mount_fresh_proc() -> Result<()> {
    ns::unshare_mount_namespace()
        .map_err(|e| Error::sys("unshare of the mount namespace failed", e))?;
    mount::make_private_recursive(Path::new("/"))
        .map_err(|e| Error::sys("cannot make / private", e))?;
    mount::mount_proc(Path::new("/proc")).map_err(|e| Error::sys("mount proc on /proc failed", e))
}

fn execute(
    program: &Program,
    env: &[CString],
    guard: Option<self_exec::SelfExe>,
    toolbox_shell: Option<&Path>,
) -> Error {
    match program {
        Program::Command(argv) => exec::exec_command(argv, env, guard),
        Program::LoginShell => exec::exec_login_shell(env),
        Program::Exact { path, argv } => exec::exec_exact(path, argv, env, guard),
        Program::ToolboxShell { login } => match toolbox_shell {
            Some(path) => exec::exec_shell(path, *login, env, guard),
            None => Error::msg("internal error: no toolbox shell to run"),
        },
    }
}

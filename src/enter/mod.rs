//! Carrying a Plan out: the only place that calls setns, chroot, fork and
//! exec, in the one order the kernel requires.
//!
//! 1. not dumpable (security rule 3); hold the target by pidfd, check it;
//! 2. open every handle: namespaces, root, cwd, environment, cgroup, label;
//! 3. join the cgroup (rule 8), drop groups if entering a user namespace;
//! 4. enter the namespaces; chroot and chdir;
//! 5. fork if the PID namespace needs it (the parent waits and forwards
//!    signals); in the process that execs: credentials, then exec with every
//!    descriptor above 2 closed (rule 4).

mod creds;
mod dirs;
pub mod environ;
pub mod exec;
mod namespaces;
mod pipes;
mod relay;
mod self_exec;
mod supervise;
mod terminal;

use crate::cgroup::CgroupJoin;
use crate::error::{Error, Result};
use crate::label::ExecLabel;
use crate::ns::NsKind;
use crate::plan::{ForkMode, Plan, Program};
use crate::sys::{self, fd, ns, process};
use crate::target::Target;
use pipes::Pipes;
use std::ffi::CString;
use std::os::fd::AsFd;
use std::path::Path;
use supervise::Attach;

/// Carry the plan out. Returns the exit status to leave with when we forked
/// and waited; otherwise returns only an error (exec replaced us).
pub fn run(plan: &Plan) -> Result<i32> {
    // Asked now: credentials may change before an error is reported.
    let privileged = process::has_cap_sys_admin();
    run_plan(plan, privileged).map_err(|e| explain_permission(e, privileged))
}

/// A refusal for lack of privilege says what privilege is needed.
fn explain_permission(err: Error, privileged: bool) -> Error {
    let denied = matches!(err.errno, Some(libc::EPERM) | Some(libc::EACCES));
    if denied && err.kind != crate::error::ErrorKind::Exec && !privileged {
        err.hint("root or CAP_SYS_ADMIN is needed")
    } else {
        err
    }
}

fn run_plan(plan: &Plan, privileged: bool) -> Result<i32> {
    process::set_dumpable(false)
        .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    let target = plan.target.as_ref().map(Target::open).transpose()?;
    let target = target.as_ref();

    let namespaces = namespaces::prepare(plan, target)?;
    let dirs = dirs::prepare(plan, target)?;
    let env = environ::prepare(&plan.env, target)?;
    let mut creds = creds::resolve(&plan.creds, target, namespaces.enters(NsKind::User))?;
    let cgroup = if plan.join_cgroup {
        Some(prepare_cgroup(target)?)
    } else {
        None
    };
    let label = match (plan.follow_context, target) {
        (true, Some(t)) => ExecLabel::prepare(t)?,
        (true, None) => return Err(Error::msg("no target PID specified for --follow-context")),
        _ => None,
    };
    // Identify our binary while /proc/self/exe is still the host's view.
    let guard = if plan.hardening.refuse_self_exec {
        self_exec::SelfExe::current()
    } else {
        None
    };
    let host_master = if plan.pty && sys::tty::isatty(std::io::stdin().as_fd()) {
        Some(terminal::open_host_master()?)
    } else {
        None
    };
    if let Some(t) = target {
        // Everything read from /proc/PID above was the pidfd's process.
        t.check_alive()?;
    }

    if let Some(cgroup) = &cgroup {
        cgroup.join()?;
    }
    if namespaces.enters(NsKind::User) {
        creds::drop_groups_early(&mut creds);
    }
    namespaces::enter(&namespaces, target)?;
    // Entering a user namespace owned by another uid may make us dumpable.
    process::set_dumpable(false)
        .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    dirs::apply(&dirs, plan.hardening)?;
    if let Some(label) = &label {
        label.apply()?;
    }

    let attach = match host_master {
        Some(master) => Attach::Pty(terminal::open(master)?),
        None if plan.hardening.no_host_terminal => match Pipes::for_terminals()? {
            Some(pipes) => Attach::Pipes(pipes),
            None => Attach::Inherit,
        },
        None => Attach::Inherit,
    };
    let fork = !matches!(attach, Attach::Inherit)
        || match plan.fork {
            ForkMode::Never => false,
            ForkMode::Always => true,
            ForkMode::WhenPidNs => namespaces.enters(NsKind::Pid) || plan.mount_proc,
        };
    let finish = |watch: Option<&supervise::DeathWatch>| -> Error {
        if let Err(e) = finish_in_program(plan, &creds, watch) {
            return e;
        }
        execute(&plan.program, &env, guard)
    };
    if fork {
        supervise::fork_and_wait(
            plan.tool,
            plan.kill_child.unwrap_or(libc::SIGKILL),
            attach,
            |watch| explain_permission(finish(Some(watch)), privileged),
        )
    } else {
        // Every descriptor above 2 is closed by now, our handles included:
        // leave at once instead of returning (dropping them would close
        // numbers we no longer own).
        let err = explain_permission(finish(None), privileged);
        process::exit_now(crate::error::report(plan.tool, &err))
    }
}

fn prepare_cgroup(target: Option<&Target>) -> Result<CgroupJoin> {
    let target = target.ok_or_else(|| Error::msg("no target PID specified for --join-cgroup"))?;
    let memberships = String::from_utf8_lossy(&target.read("cgroup")?).into_owned();
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| Error::io("cannot read /proc/self/mountinfo", &e))?;
    CgroupJoin::prepare(&memberships, &mountinfo)
}

/// In the process that will exec: a fresh /proc if asked, credentials,
/// and no descriptor above 2 left open.
fn finish_in_program(
    plan: &Plan,
    creds: &creds::Resolved,
    watch: Option<&supervise::DeathWatch>,
) -> Result<()> {
    if plan.mount_proc {
        mount_fresh_proc()?;
    }
    creds::apply(creds)?;
    if let Some(watch) = watch {
        watch.arm()?;
    }
    // Closed, not only close-on-exec: execve resolves a `#!` interpreter
    // while close-on-exec descriptors are still open (security rule 4).
    fd::close_from(3).map_err(|e| Error::sys("cannot close descriptors", e))?;
    Ok(())
}

/// `--mount-proc`: a private mount namespace with a /proc of the PID
/// namespace we are in, so ps and top see the container's processes.
fn mount_fresh_proc() -> Result<()> {
    ns::unshare(libc::CLONE_NEWNS)
        .map_err(|e| Error::sys("unshare of the mount namespace failed", e))?;
    process::mount(None, Path::new("/"), None, libc::MS_REC | libc::MS_PRIVATE)
        .map_err(|e| Error::sys("cannot make / private", e))?;
    process::mount(
        Some("proc"),
        Path::new("/proc"),
        Some("proc"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
    )
    .map_err(|e| Error::sys("mount proc on /proc failed", e))
}

fn execute(program: &Program, env: &[CString], guard: Option<self_exec::SelfExe>) -> Error {
    match program {
        Program::Command(argv) => exec::exec_command_guarded(argv, env, guard),
        Program::LoginShell => exec::exec_login_shell(env),
        Program::Exact { path, argv } => exec::exec_exact(path, argv, env, guard),
    }
}

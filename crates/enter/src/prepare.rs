//! The first half of carrying a plan out: open and check everything before
//! anything is entered, and hold it.
//!
//! [`prepare`] makes the process non-dumpable (security rule 3), opens the
//! files the command line named, takes hold of the target once (pidfd and
//! /proc/PID, its identity checked), and opens every handle entering needs:
//! namespaces, root and working directory, the cgroup to join, the label
//! to exec with, a pty. What a planner still needs to know about the
//! container it asks the [`Prepared`] value ([`ContainerFs`]), which reads
//! through the same handles; `run` then uses them too. Nothing is opened
//! twice and no path to the target is looked up again.

use super::detach;
use super::namespaces::{self, Namespaces};
use super::root_and_cwd::{self, Dirs};
use super::terminal;
use super::tools_mount::{self, PreparedTools};
use crate::cgroup::CgroupJoin;
use crate::confine::{self, TargetConfinement};
use crate::error::{Error, Result};
use crate::label::ExecLabel;
use crate::plan::{Confinement, ContainerFs, Entry, PathKind};
use crate::sys::fs::{self, OFlags};
use crate::sys::{caps, process, Errno};
use crate::target::Target;
use std::cell::OnceCell;
use std::ffi::OsString;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything opened for one plan, held until `run` uses it.
pub struct Prepared {
    /// What this was prepared for: `run` enters exactly this.
    pub(super) entry: Entry,
    /// CAP_SYS_ADMIN before anything changed (for hints on refusals).
    pub(super) had_cap_sys_admin: bool,
    pub(super) target: Option<Target>,
    pub(super) namespaces: Namespaces,
    pub(super) dirs: Dirs,
    pub(super) cgroup: Option<CgroupJoin>,
    pub(super) label: Option<ExecLabel>,
    /// The target's confinement, for the program's process to take.
    pub(super) confined: Option<TargetConfinement>,
    /// The host's pty multiplexer, for a plan that gives the program a pty.
    pub(super) host_master: Option<terminal::HostSide>,
    /// The container's /dev/null, for a plan that detaches the program,
    /// or that gives it pipes where the caller's 0, 1 or 2 is the null
    /// device (None: it has no usable one, or none is needed).
    pub(super) container_null: Option<OwnedFd>,
    /// `--tools`, opened and locked down.
    pub(super) tools: Option<PreparedTools>,
    /// The container's root (/proc/PID/root), opened when first asked for.
    root: OnceCell<OwnedFd>,
}

/// Files opened in command-line order, taken by the step that uses each.
pub(super) struct Opened(Vec<(PathBuf, OwnedFd)>);

impl Opened {
    /// The handle of `path` opened first, else open it now.
    pub(super) fn take_or_open(&mut self, path: &Path) -> Result<OwnedFd> {
        match self.0.iter().position(|(p, _)| p == path) {
            Some(i) => Ok(self.0.remove(i).1),
            None => open_named(path),
        }
    }
}

/// Open and check everything `plan` needs before entering, and keep the
/// plan with the handles.
pub fn prepare(plan: Entry) -> Result<Prepared> {
    let had_cap_sys_admin = caps::has_cap_sys_admin();
    process::set_dumpable(false)
        .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    let mut opened = Opened(
        plan.open_first
            .iter()
            .map(|path| open_named(path).map(|fd| (path.clone(), fd)))
            .collect::<Result<_>>()?,
    );
    let target = plan.target.as_ref().map(Target::open).transpose()?;
    let namespaces = namespaces::prepare(&plan, target.as_ref(), &mut opened)?;
    let dirs = root_and_cwd::prepare(&plan, target.as_ref(), &mut opened)?;
    let cgroup = match (plan.join_cgroup, &target) {
        (false, _) => None,
        // Mounting a hierarchy to reach the target's cgroup is privileged.
        (true, Some(t)) => {
            Some(cgroup_of(t).map_err(|e| super::explain_permission(e, had_cap_sys_admin))?)
        }
        (true, None) => return Err(Error::msg("no target PID specified for --join-cgroup")),
    };
    // The target's confinement includes its label (security rule 7).
    let confining = plan.confinement.takes_restrictions();
    let label = match (plan.follow_context || confining, &target) {
        (false, _) => None,
        (true, Some(t)) => ExecLabel::prepare(t).map_err(|e| match confining {
            true => confine::way_out(e, plan.confinement_hint),
            false => e,
        })?,
        (true, None) if plan.follow_context => {
            return Err(Error::msg("no target PID specified for --follow-context"))
        }
        (true, None) => return Err(no_target_to_confine()),
    };
    let confined = match (plan.confinement, &target) {
        (Confinement::Ours, _) => None,
        (how, Some(t)) => Some(TargetConfinement::read(
            t,
            how,
            &plan.seccomp,
            plan.confinement_hint,
        )?),
        (_, None) => return Err(no_target_to_confine()),
    };
    let host_master = plan.pty.then(terminal::open_host_master).transpose()?;
    // Last: a whole toolbox root is made in a private copy of our mount
    // namespace, after every host path above was opened in the real one.
    let tools = plan
        .tools
        .as_ref()
        .map(|tools| tools_mount::prepare(tools, had_cap_sys_admin))
        .transpose()
        .map_err(|e| super::explain_permission(e, had_cap_sys_admin))?;
    let detach = plan.detach;
    let mut prepared = Prepared {
        entry: plan,
        had_cap_sys_admin,
        target,
        namespaces,
        dirs,
        cgroup,
        label,
        confined,
        host_master,
        container_null: None,
        tools,
        root: OnceCell::new(),
    };
    if detach {
        prepared.container_null = detach::open_container_null(prepared.root()?.as_fd());
    } else if plan_streams_to_null(&prepared) {
        // Without one, pipes as for any other descriptor.
        let root = prepared.root().ok();
        prepared.container_null = root.and_then(|r| detach::open_container_null(r.as_fd()));
    }
    Ok(prepared)
}

/// Whether the program gets pipes for our descriptors (no pty), one of
/// which is the null device (see `pipes`).
fn plan_streams_to_null(prepared: &Prepared) -> bool {
    let plan = &prepared.entry;
    plan.hardening.no_host_streams
        && prepared.host_master.is_none()
        && prepared.target.is_some()
        && super::pipes::caller_has_null_stream()
}

fn no_target_to_confine() -> Error {
    Error::msg("no target PID specified to take the confinement of")
}

/// A FILE or DIR argument, opened as util-linux opens it.
fn open_named(path: &Path) -> Result<OwnedFd> {
    fs::open(path, OFlags::RDONLY)
        .map_err(|e| Error::sys(format!("cannot open {}", path.display()), e))
}

/// Open each file a command line named, in order, and close them again:
/// for a command line that fails to parse, the first of its files that
/// cannot be opened is the error to report (util-linux opens each as it
/// reads it, before it meets the bad option).
pub fn check_named_files(paths: &[PathBuf]) -> Result<()> {
    paths.iter().try_for_each(|path| open_named(path).map(drop))
}

fn cgroup_of(target: &Target) -> Result<CgroupJoin> {
    let memberships = String::from_utf8_lossy(target.cgroup()?).into_owned();
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| Error::io("cannot read /proc/self/mountinfo", e))?;
    CgroupJoin::prepare(&memberships, &mountinfo)
}

impl Prepared {
    /// What was prepared: the plan `run` will enter.
    pub fn entry(&self) -> &Entry {
        &self.entry
    }

    /// The PID of the target, if the plan has one.
    pub fn target_pid(&self) -> Option<i32> {
        self.target.as_ref().map(|t| t.pid)
    }

    /// How long reading the target's confinement took, if it was read.
    pub fn confinement_read_time(&self) -> Option<Duration> {
        self.confined.as_ref().map(|c| c.read_time)
    }

    /// The target's environment (/proc/PID/environ), no more than a
    /// program can be given.
    pub fn target_environ(&self) -> Result<Vec<OsString>> {
        super::program_env::target_environ(self.held_target()?)
    }

    fn held_target(&self) -> Result<&Target> {
        self.target
            .as_ref()
            .ok_or_else(|| Error::msg("no target PID specified"))
    }

    /// The container's root directory, opened through the held /proc/PID
    /// the first time it is needed.
    fn root(&self) -> Result<&OwnedFd> {
        if let Some(root) = self.root.get() {
            return Ok(root);
        }
        let root = self
            .held_target()?
            .open_file("root", OFlags::PATH | OFlags::DIRECTORY)?;
        Ok(self.root.get_or_init(|| root))
    }
}

impl ContainerFs for Prepared {
    /// Open as a file the container controls (security rules 11 and 15):
    /// resolved inside its root, opened without blocking, regular; the
    /// caller reads it through a bounded reader.
    fn open(&self, path: &Path) -> Result<Option<Box<dyn std::io::Read + '_>>> {
        let failed = |e| Error::sys(format!("cannot read {}", path.display()), e);
        let file = match fs::open_in_root(self.root()?.as_fd(), path, fs::UNTRUSTED) {
            Ok(f) => f,
            Err(Errno::NOENT) | Err(Errno::NOTDIR) => return Ok(None),
            Err(e) => return Err(failed(e)),
        };
        if !fs::fstat(file.as_fd()).map_err(failed)?.is_regular() {
            return Err(Error::msg(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        Ok(Some(Box::new(std::fs::File::from(file))))
    }

    /// Without following a link out of the root.
    fn kind(&self, path: &Path) -> PathKind {
        let Ok(root) = self.root() else {
            return PathKind::Unresolved;
        };
        let meta = match fs::open_in_root(root.as_fd(), path, OFlags::PATH) {
            Ok(file) => fs::fstat(file.as_fd()),
            Err(e) => Err(e),
        };
        match meta {
            Ok(m) if m.is_dir() => PathKind::Directory,
            Ok(m) if m.is_executable() => PathKind::Executable,
            Ok(_) => PathKind::Other,
            Err(Errno::NOENT) if root_and_cwd::leads_through_self_link(root.as_fd(), path) => {
                PathKind::ThroughSelfLink
            }
            Err(Errno::NOENT) | Err(Errno::NOTDIR) => PathKind::Missing,
            // ELOOP: a /proc magic link (RESOLVE_NO_MAGICLINKS), which the
            // container resolves once entered (or a loop, which it reports).
            Err(_) => PathKind::Unresolved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::TargetSpec;
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;

    /// Our own process as the target: nothing is entered, but everything a
    /// planner may ask comes through the handles prepare holds.
    #[test]
    fn a_prepared_target_answers_through_its_handles() {
        let mut plan = Entry::new("test");
        plan.target = Some(TargetSpec {
            pid: std::process::id() as i32,
            pidfd_ino: None,
            identity: None,
        });
        let pid = plan.target.as_ref().map(|t| t.pid);
        let prepared = prepare(plan).unwrap();
        assert_eq!(prepared.target_pid(), pid);
        let environ = std::fs::read("/proc/self/environ").unwrap();
        let entries: Vec<&[u8]> = environ
            .split(|&b| b == 0)
            .filter(|e| !e.is_empty())
            .collect();
        let got = prepared.target_environ().unwrap();
        assert_eq!(
            got.iter().map(|e| e.as_bytes()).collect::<Vec<_>>(),
            entries
        );
        let fs: &dyn ContainerFs = &prepared;
        let read = |path: &Path| -> Result<Option<Vec<u8>>> {
            let Some(mut file) = fs.open(path)? else {
                return Ok(None);
            };
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            Ok(Some(bytes))
        };
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let through_magic_link =
            Path::new("/proc/self/root").join(manifest.strip_prefix("/").unwrap());
        assert!(std::fs::read(&through_magic_link).is_ok(), "set-up");
        assert!(
            read(&through_magic_link).is_err(),
            "no /proc magic link is followed inside the root"
        );
        assert_eq!(fs.kind(&through_magic_link), PathKind::Unresolved);
        assert_eq!(
            read(&manifest).unwrap(),
            Some(std::fs::read(&manifest).unwrap())
        );
        assert_eq!(read(Path::new("/no/such/file")).unwrap(), None);
        assert_eq!(fs.kind(Path::new("/no/such/file")), PathKind::Missing);
        assert_eq!(fs.kind(Path::new("/")), PathKind::Directory);
        assert_eq!(fs.kind(&manifest), PathKind::Other);
        assert_eq!(fs.kind(Path::new("/bin/sh")), PathKind::Executable);
        assert!(read(Path::new("/dev/null")).is_err(), "not a regular file");
        assert_eq!(prepared.confinement_read_time(), None);
    }

    /// Our own process as the target of `--confine`: its confinement is
    /// read through the held /proc/PID, and so is its label (when the host
    /// has an LSM that labels processes).
    #[test]
    fn a_prepared_target_holds_its_confinement() {
        let mut plan = Entry::new("test");
        plan.target = Some(TargetSpec {
            pid: std::process::id() as i32,
            pidfd_ino: None,
            identity: None,
        });
        plan.confinement = Confinement::Target;
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        if status.contains("Seccomp:\t2") {
            // A process cannot trace itself to copy its own filters.
            let err = prepare(plan).err().unwrap().to_string();
            assert!(err.contains("seccomp filters"), "{err}");
            return;
        }
        let prepared = prepare(plan).unwrap();
        assert!(prepared.confinement_read_time().is_some());
        // A label to follow: an AppArmor profile other than unconfined, or
        // with SELinux enabled, any.
        let labelled = match std::fs::read_to_string("/proc/self/attr/apparmor/current") {
            Ok(profile) => profile.trim_end_matches(['\n', '\0']) != "unconfined",
            Err(_) => Path::new("/sys/fs/selinux/enforce").exists(),
        };
        assert_eq!(prepared.label.is_some(), labelled);
    }
}

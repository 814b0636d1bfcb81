//! The plan: everything that entering will do, as plain data, in two
//! parts.
//!
//! Command lines and container lookups build them (pure, unit-tested).
//! [`Entry`] says what to enter: `enter::prepare` opens what it names and
//! keeps it with the handles. [`Launch`] says what the program is (user,
//! environment, directory, program): `enter::run` takes it with the
//! prepared handles and carries both out. A planner that needs to look
//! inside the container before it can decide the launch asks through
//! [`ContainerFs`], which the prepared target answers.

use crate::error::Error;
use crate::ns_kind::NsKind;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The container's files, seen from inside its root: what a planner may
/// ask before its plan is complete. `enter::Prepared` answers through the
/// handles it holds (openat2 with RESOLVE_IN_ROOT); tests answer with
/// recorded files.
pub trait ContainerFs {
    /// A regular file to read (the caller bounds the reading); `None` when
    /// there is no such file.
    fn open(&self, path: &Path) -> Result<Option<Box<dyn std::io::Read + '_>>, Error>;
    fn kind(&self, path: &Path) -> PathKind;
}

/// What a path names inside the container, as far as the host can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    Directory,
    /// A regular file with an execute bit.
    Executable,
    Other,
    /// A /proc magic link on the way (`/proc/1/root`): only the
    /// container's own view resolves it, after entering.
    Unresolved,
    /// Through the container's /proc/self (or thread-self), which names
    /// the process that looks: from the host, none of the container's.
    ThroughSelfLink,
}

/// The process whose namespaces, root, cwd, environment and credentials are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    pub pid: i32,
    /// `PID:INO`: the pidfd's inode must equal this.
    pub pidfd_ino: Option<u64>,
    /// What a runtime told us about the process it meant; checked through the
    /// pidfd before entering, so a reused PID is refused (security rule 1).
    pub identity: Option<Identity>,
}

/// Facts that identify one process, checked before entering it. A
/// runtime's state files are written by whoever can write there, so what
/// proves a container's process is what their writer cannot choose: the
/// process's cgroup, its namespaces, its parent, and start times on the
/// kernel's one clock (never a file's modification time).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Exact start time in clock ticks since boot (field 22 of /proc/PID/stat).
    pub start_ticks: Option<u64>,
    /// Start time as wall-clock milliseconds since the epoch (Docker's
    /// `State.StartedAt`), matched within a few seconds.
    pub started_unix_ms: Option<i64>,
    /// The container's ID: one of the process's cgroup paths must hold it
    /// as a whole component (`/docker/<id>`, `/k8s.io/<id>`), or as the
    /// runtime names a systemd scope after it (`docker-<id>.scope`); never
    /// as part of a longer name (`web` is not in `/n/web2`).
    pub cgroup_id: Option<String>,
    /// The process must not share every namespace with us: a container's
    /// process never does.
    pub in_container: bool,
    /// The parent the runtime makes for the container's process, where
    /// its state says which.
    pub parent: Option<Parent>,
    /// The uid that owns the process's user namespace (as the host sees
    /// it): a rootless container's process is in a namespace its user
    /// made, never in the host's.
    pub userns_owner: Option<u32>,
}

/// The parent a runtime makes for a container's first process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// containerd's shim (Docker's too). The shim runs in the task's bundle
    /// directory, `bundle` (device, inode); a shim that a pod's containers
    /// share runs in the bundle of the first of them, a directory in the
    /// same namespace directory, `tasks` (device, inode).
    Shim {
        bundle: (u64, u64),
        tasks: (u64, u64),
    },
    /// conmon (Podman): its command line names the container (`-c ID`).
    Conmon { id: String },
}

/// Where a namespace is taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsSource {
    /// The target's namespace of that kind (pidfd, else /proc/PID/ns/<name>).
    Target,
    /// A namespace file: /proc/PID/ns/<name> or a bind mount of one.
    Path(PathBuf),
    /// A namespace id (`=:NSID`, kernel 6.19).
    Nsid(u64),
    /// The network namespace of the socket that is descriptor FD of the target.
    TargetSocket(i32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsRequest {
    pub kind: NsKind,
    pub source: NsSource,
}

/// How `--all` is resolved when entering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllNamespaces {
    /// Only the namespaces asked for one by one.
    #[default]
    No,
    /// nsenter `-a`: every namespace this kernel has; the user namespace is
    /// skipped when it is ours.
    Every,
    /// docker-enter: every namespace that differs from ours (a namespace the
    /// container shares with the host is not entered).
    Differing,
}

/// A directory: the target's (/proc/PID/root or /proc/PID/cwd) or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirSource {
    Target,
    Path(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EnvPlan {
    /// Keep our environment.
    #[default]
    Inherit,
    /// `-e`: exactly the target's /proc/PID/environ.
    Target,
    /// Exactly these `KEY=VALUE` entries (docker-enter builds them).
    Exact(Vec<OsString>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSpec {
    Id(u32),
    /// The owner of /proc/PID of the target.
    Follow,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    pub uid: Option<IdSpec>,
    pub gid: Option<IdSpec>,
    /// Supplementary groups to set exactly; `None` leaves them unless a gid is
    /// set or a user namespace is entered (then they are dropped).
    pub groups: Option<Vec<u32>>,
    /// `--preserve-credentials`: do not touch uid/gid/groups on `--user`.
    pub preserve: bool,
    /// `--keep-caps`: raise permitted capabilities into the ambient set.
    pub keep_caps: bool,
}

/// What happens to the descriptors above 2 that we inherited. Ours (the
/// namespace files, pidfds, sockets and /proc handles we open) never reach
/// the program (security rule 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InheritedFds {
    /// The program gets them, as with util-linux nsenter (`3<file`,
    /// `LISTEN_FDS`, `flock` wrappers rely on it).
    #[default]
    Pass,
    /// The program gets only 0, 1 and 2, as with `docker exec`.
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForkMode {
    /// Fork when the PID namespace is entered (nsenter's default).
    #[default]
    WhenPidNs,
    /// Always fork (so signals can be forwarded and the parent waits).
    Always,
    /// `-F`: never fork.
    Never,
}

/// `--tools`: programs brought from the host into the container, which
/// stays untouched (the mounts live in a private copy of its mount
/// namespace; `enter/tools.rs` makes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    pub source: ToolsSource,
    /// A directory of programs: where it is mounted in the container;
    /// `None`: the first empty directory of [`TOOLS_MOUNT_POINTS`], else
    /// [`TOOLS_LAST_MOUNT_POINT`], else the first empty tmpfs of
    /// [`TOOLS_TMPFS_MOUNT_POINTS`].
    pub at: Option<PathBuf>,
    /// A whole root: where the container's root appears in it; `None`:
    /// [`DEFAULT_CONTAINER_AT`].
    pub container_at: Option<PathBuf>,
}

/// Where the tools come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolsSource {
    /// As the command line named it (`None`: `--tools` alone, the default
    /// toolbox); the tool's `main` resolves it into one of the others
    /// before anything is prepared.
    Named(Option<OsString>),
    /// Layout 1: a directory of (static) programs, mounted read-only in
    /// the container's tree and appended to PATH.
    Programs(PathBuf),
    /// Layout 2: a directory that is a complete root filesystem: the
    /// program's root, with the container's root inside it.
    Root(PathBuf),
    /// Layout 2 from a local image: its layer directories, top first, as
    /// the runtime reports them.
    Image { name: String, layers: Vec<PathBuf> },
}

/// Where a directory of programs goes when no place is named: the first
/// of these that is an empty directory in the container...
pub const TOOLS_MOUNT_POINTS: &[&str] = &["/mnt", "/media", "/srv", "/opt"];
/// ... else this one (Docker gives every container a /dev/shm, unless
/// `--ipc none`)...
pub const TOOLS_LAST_MOUNT_POINT: &str = "/dev/shm";
/// ... else the first of these that is an empty tmpfs: the directories
/// runtimes mask kernel files with (runc's and containerd's default masked
/// paths), each an empty read-only tmpfs in a container that is not
/// privileged, so mounting over one hides nothing.
pub const TOOLS_TMPFS_MOUNT_POINTS: &[&str] = &[
    "/proc/acpi",
    "/proc/asound",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];
/// Where the container's root appears inside a whole toolbox root.
pub const DEFAULT_CONTAINER_AT: &str = "/container";

impl Tools {
    /// Whether the tools are a whole root (layout 2), with the container
    /// under [`Tools::container_dir`].
    pub fn is_root(&self) -> bool {
        matches!(
            self.source,
            ToolsSource::Root(_) | ToolsSource::Image { .. }
        )
    }

    /// Where the container's root appears in a whole toolbox root.
    pub fn container_dir(&self) -> &Path {
        self.container_at
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONTAINER_AT))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// Run this argv (PATH search as execvp does).
    Command(Vec<OsString>),
    /// nsenter without a program: $SHELL, else our passwd shell, else
    /// /bin/sh, started as a login shell.
    LoginShell,
    /// Exactly this executable with this argv[0] and arguments, no PATH
    /// search (docker-enter's resolved shell).
    Exact { path: PathBuf, argv: Vec<OsString> },
    /// The shell the `--tools` toolbox brings (bash, else sh), found once
    /// it is mounted; as a login shell (`-sh`) for nsenter.
    ToolboxShell { login: bool },
}

/// Checks for a container we do not trust (see docs security rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hardening {
    /// After changing directory, getcwd() must succeed and be absolute.
    pub check_cwd: bool,
    /// Refuse to exec a program (or its #! interpreter) that is our own binary.
    pub refuse_self_exec: bool,
    /// The program's standard input, output and error are never the
    /// caller's descriptors: a pty, or pipes that the parent relays, and a
    /// session of its own, so it never holds a file, directory, socket or
    /// device of the host (security rule 4) nor the host's terminal
    /// (security rule 13).
    pub no_host_streams: bool,
    /// The program gets a new, empty session keyring, as runc gives every
    /// process it starts, instead of the caller's (security rule 18).
    pub fresh_session_keyring: bool,
}

/// Whose confinement the program runs under: capabilities, no_new_privs,
/// seccomp filters, LSM label (security rules 7, 9 and 10), resource
/// limits and oom_score_adj.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Confinement {
    /// Ours, untouched: what the caller has, the program has (nsenter's
    /// default, as util-linux).
    #[default]
    Ours,
    /// The target's, read from its process: bounding set (and for uid 0
    /// the capabilities within it), no_new_privs, every seccomp filter,
    /// LSM label, rlimits and oom_score_adj. What `docker exec` gives.
    Target,
    /// `docker-enter --privileged`: our capabilities, no filter, no LSM
    /// label, no no_new_privs, but the target's rlimits and oom_score_adj
    /// (limits on resources, not privileges, as `docker exec --privileged`
    /// keeps them).
    ResourcesOnly,
}

/// Where the target's seccomp filters come from, when its confinement is
/// taken (security rules 10 and 19).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SeccompSource {
    /// Copied from the live process with ptrace, which stops it for a
    /// moment: the only way for a target that no runtime describes
    /// (nsenter, `pid:`), or whose runtime's record cannot be seen from
    /// here (docker-enter run in the can with only the daemon's socket).
    #[default]
    Live,
    /// The runtime's own record (`runc exec` takes the profile from it):
    /// the profile in the container's OCI bundle, compiled as runc
    /// compiles it. Nobody is stopped.
    Bundle(BundleConfig),
}

/// An OCI bundle's config.json, opened beneath a runtime's state
/// directory (`root`, which the administrator chose) without following a
/// link, as the runtime's other state files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleConfig {
    pub root: PathBuf,
    /// Beneath `root`, e.g. `moby/<id>/config.json`.
    pub rel: String,
    /// Its `linux.seccomp` (Null when absent), when the file was read to
    /// find the container: the record that described the container is
    /// the one that confines, and is not read twice. None: read it then.
    pub seccomp: Option<std::sync::Arc<serde_json::Value>>,
}

impl BundleConfig {
    /// The file's path, for messages.
    pub fn display(&self) -> String {
        self.root.join(&self.rel).display().to_string()
    }
}

impl Confinement {
    /// Whether the target's restrictions (its capability bound,
    /// no_new_privs, seccomp filters, LSM label) are taken.
    pub fn takes_restrictions(self) -> bool {
        self == Confinement::Target
    }

    /// Whether the target's rlimits and oom_score_adj are taken.
    pub fn takes_resources(self) -> bool {
        self != Confinement::Ours
    }
}

/// A whole plan, for a tool that knows all of it from its command line
/// (nsenter, importenv): what to enter, then what to run there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub entry: Entry,
    pub launch: Launch,
}

/// What `enter::prepare` acts on, and how the program's process is made:
/// everything decided before the target is looked at. `prepare` takes it
/// and keeps it with the handles it opened for it, so `run` can only ever
/// enter what was prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name used in messages: "nsenter", "docker-enter".
    pub tool: &'static str,
    /// Files and directories named on the command line, in order (nsenter):
    /// each is opened first, in this order, as util-linux opens each one as
    /// it reads it, so the first that cannot be opened is the error, even
    /// one a later option overrides. Opened once: entering uses the same
    /// handles.
    pub open_first: Vec<PathBuf>,
    pub target: Option<TargetSpec>,
    pub all: AllNamespaces,
    /// Namespaces asked for one by one; they override `all` for their kind.
    pub namespaces: Vec<NsRequest>,
    /// `--user-parent`.
    pub user_parent: bool,
    pub root: Option<DirSource>,
    /// `-w`: a working directory opened before entering (a tunnel to the
    /// caller's view). The command line never sets it together with
    /// [`Launch::workdir`], which would win.
    pub workdir: Option<DirSource>,
    /// `-c`: join the target's cgroup in every hierarchy.
    pub join_cgroup: bool,
    /// `-Z`: exec with the target's SELinux label / AppArmor profile.
    pub follow_context: bool,
    pub confinement: Confinement,
    /// Where the seccomp filters come from, when the target's confinement
    /// is taken.
    pub seccomp: SeccompSource,
    /// What a refusal to run unconfined tells the user to do instead, when
    /// the target's confinement cannot be read or applied (nothing is ever
    /// run unconfined in its place).
    pub confinement_hint: &'static str,
    /// The program's umask (`docker exec` gives 0022); `None` keeps ours.
    pub umask: Option<u32>,
    pub fork: ForkMode,
    pub inherited_fds: InheritedFds,
    /// `--kill-child[=SIG]`: the signal the program gets if we die.
    pub kill_child: Option<i32>,
    /// `--mount-proc`: a private mount namespace with a fresh /proc.
    pub mount_proc: bool,
    pub hardening: Hardening,
    /// Give the program a fresh pseudo-terminal and relay our standard
    /// input and output through it, whatever they are, so the container
    /// never holds the host's terminal (security rule 13: TIOCSTI
    /// injection).
    pub pty: bool,
    /// Start the program in the background with the container's /dev/null
    /// (or pipes, see `enter::detach`) as its standard descriptors, in a
    /// session of its own, and return without waiting (`docker exec -d`).
    pub detach: bool,
    /// `--tools`: programs brought from the host.
    pub tools: Option<Tools>,
}

/// What the program is: its user, environment, directory and itself.
/// A planner may decide it from the container's own files, read through
/// the handles `prepare` opened; `enter::run` takes it with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub creds: Credentials,
    pub env: EnvPlan,
    /// `-W` / docker-enter: a working directory resolved after entering
    /// and after chroot; `None` keeps [`Entry::workdir`], else where
    /// entering leaves us.
    pub workdir: Option<PathBuf>,
    pub program: Program,
    /// What follows `failed to execute X: No such file or directory` when
    /// X is not there at all (docker-enter: where it was looked for, and
    /// how to bring it); not said when X is there and what it needs to
    /// start (its #! interpreter, its loader) is missing.
    pub not_found_hint: Option<String>,
}

impl Launch {
    /// `program` as we are: our user, environment and directory.
    pub fn new(program: Program) -> Launch {
        Launch {
            creds: Credentials::default(),
            env: EnvPlan::Inherit,
            workdir: None,
            program,
            not_found_hint: None,
        }
    }
}

impl Entry {
    /// An entry that enters nothing; builders fill it in.
    pub fn new(tool: &'static str) -> Entry {
        Entry {
            tool,
            open_first: Vec::new(),
            target: None,
            all: AllNamespaces::No,
            namespaces: Vec::new(),
            user_parent: false,
            root: None,
            workdir: None,
            join_cgroup: false,
            follow_context: false,
            confinement: Confinement::Ours,
            seccomp: SeccompSource::Live,
            confinement_hint: "",
            umask: None,
            fork: ForkMode::WhenPidNs,
            inherited_fds: InheritedFds::Pass,
            kill_child: None,
            mount_proc: false,
            hardening: Hardening::default(),
            pty: false,
            detach: false,
            tools: None,
        }
    }

    /// The source asked for one namespace kind, if it was asked for by name.
    pub fn source_of(&self, kind: NsKind) -> Option<&NsSource> {
        self.namespaces
            .iter()
            .rev()
            .find(|r| r.kind == kind)
            .map(|r| &r.source)
    }

    /// Whether the target's PID namespace may be entered: asked for by
    /// name, or with `--all` (whether it differs from ours is known only
    /// once the target is held).
    pub fn may_enter_pid_namespace(&self) -> bool {
        self.all != AllNamespaces::No || self.source_of(NsKind::Pid).is_some()
    }

    /// Ask for a namespace; a later request for the same kind replaces it.
    pub fn set_namespace(&mut self, kind: NsKind, source: NsSource) {
        self.namespaces.retain(|r| r.kind != kind);
        self.namespaces.push(NsRequest { kind, source });
        self.namespaces.sort_by_key(|r| r.kind.setns_order());
    }
}

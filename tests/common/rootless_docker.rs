//! Rootless Docker for the tests: a throwaway user (`useradd`, which gives
//! it subordinate IDs) running Debian's `dockerd-rootless.sh` under
//! RootlessKit, with the offline image loaded. Everything goes when the
//! value is dropped, also when the test fails: the containers, the
//! daemon and every process of the user's, the user, its home and its
//! runtime directory.
//!
//! How it is started, and why (each seen on this machine):
//! - the runtime directory is `/run/user/UID`, made as a login would make
//!   it (there is no systemd here): the daemon needs `XDG_RUNTIME_DIR`,
//!   and root's lookup looks there;
//! - RootlessKit's network is the host's (`--net=host --port-driver=none`)
//!   and the daemon gets a network namespace of its own (`unshare --net`
//!   inside the user namespace): the script's default, slirp4netns, needs
//!   `/dev/net/tun`, which is mode 0600 on this VM (no udev), and a daemon
//!   in the host's network namespace cannot make its bridge's iptables
//!   chains ("iptables -t nat -N DOCKER: Permission denied") and must not
//!   touch the host's docker0. The containers need no network;
//! - `--copy-up=/etc --copy-up=/run --propagation=rslave`, as the script
//!   passes them, so that its child part (`_DOCKERD_ROOTLESS_CHILD=1`)
//!   finds the /run it expects;
//! - a fresh user each time: a daemon killed with its state left behind
//!   (its pid file, its containerd's) cannot trouble the next one;
//! - the daemon, and every command run as the user, in cgroups of their
//!   own (`nscrd-NAME` in each hierarchy but cpuset, which would need its
//!   CPUs and memory nodes set), as a login session's: rootless Docker
//!   gives its containers no cgroup on cgroup v1, so they are in the
//!   daemon's, and `docker exec` runs its program there.

use super::result::RunResult;
use super::rootless::{add_user, as_user, image_archive};
use super::{run, wait_until};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Debian's docker.io ships the script as an example.
pub const DOCKERD_ROOTLESS: &str = "/usr/share/docker.io/contrib/dockerd-rootless.sh";
/// The test image, under its name in every daemon.
pub const IMAGE: &str = super::busybox_image::TAG;
/// How long the daemon may take to come up.
const DEADLINE: Duration = Duration::from_secs(60);

pub struct RootlessDockerd {
    pub name: String,
    pub uid: u32,
    child: Option<Child>,
}

impl RootlessDockerd {
    /// A user `nscrdPID-TAG` with their rootless Docker running and the
    /// image loaded.
    pub fn start(tag: &str) -> RootlessDockerd {
        let name = format!("nscrd{}{tag}", std::process::id());
        let uid = add_user(&name);
        let mut d = RootlessDockerd {
            name,
            uid,
            child: None,
        };
        let runtime_dir = d.runtime_dir();
        let _ = std::fs::remove_dir_all(&runtime_dir);
        std::fs::create_dir_all(&runtime_dir).unwrap();
        super::sh(&format!(
            "chown {0}:{0} {1} && chmod 0700 {1}",
            d.name,
            runtime_dir.display()
        ));
        for cgroup in d.session_cgroups() {
            std::fs::create_dir_all(cgroup).unwrap();
        }
        let log = std::fs::File::create(d.log()).unwrap();
        let mut daemon = d.command(
            "env",
            &[
                // The script's own part inside RootlessKit's namespaces.
                "_DOCKERD_ROOTLESS_CHILD=1",
                "rootlesskit",
                "--net=host",
                "--port-driver=none",
                "--copy-up=/etc",
                "--copy-up=/run",
                "--propagation=rslave",
                "unshare",
                "--net",
                "--",
                DOCKERD_ROOTLESS,
            ],
        );
        daemon
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        d.child = Some(daemon.spawn().expect("setpriv runs rootlesskit"));
        let up = wait_until(DEADLINE, || {
            d.docker(&["version", "--format", "{{.Server.Version}}"])
                .succeeded()
        });
        assert!(
            up,
            "rootless dockerd of {} did not come up: {}",
            d.name,
            std::fs::read_to_string(d.log()).unwrap_or_default()
        );
        d.docker_ok(&["load", "-q", "-i", image_archive()]);
        d
    }

    /// The user's session cgroups: `nscrd-NAME` in each hierarchy.
    fn session_cgroups(&self) -> Vec<PathBuf> {
        let Ok(hierarchies) = std::fs::read_dir("/sys/fs/cgroup") else {
            return Vec::new();
        };
        hierarchies
            .flatten()
            .map(|h| h.path())
            .filter(|h| h.join("cgroup.procs").exists() && !h.ends_with("cpuset"))
            .map(|h| h.join(format!("nscrd-{}", self.name)))
            .collect()
    }

    pub fn runtime_dir(&self) -> PathBuf {
        PathBuf::from(format!("/run/user/{}", self.uid))
    }

    pub fn home(&self) -> PathBuf {
        PathBuf::from(format!("/home/{}", self.name))
    }

    /// The daemon's `--data-root`, as dockerd-rootless picks it.
    pub fn data_root(&self) -> PathBuf {
        self.home().join(".local/share/docker")
    }

    /// `DOCKER_HOST` for this daemon.
    pub fn host(&self) -> String {
        format!("unix://{}/docker.sock", self.runtime_dir().display())
    }

    fn log(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-dockerd.log", self.name))
    }

    /// `PROGRAM ARGS` as this user, with a login's environment: HOME, USER,
    /// PATH and XDG_RUNTIME_DIR, and nothing else.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        // Into the session's cgroups as root, then the user.
        let procs: Vec<String> = self
            .session_cgroups()
            .iter()
            .map(|c| c.join("cgroup.procs").display().to_string())
            .collect();
        let runtime_dir = format!("XDG_RUNTIME_DIR={}", self.runtime_dir().display());
        let user = as_user(&self.name, &[runtime_dir]);
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("for p in $SESSION; do echo $$ > $p || exit 1; done; exec \"$@\"")
            .arg("sh")
            .env("SESSION", procs.join(" "))
            .arg(user.get_program())
            .args(user.get_args())
            .current_dir("/")
            .arg(program)
            .args(args);
        cmd
    }

    /// The same with `DOCKER_HOST` at this daemon, as the rootless setup
    /// tells its users to set it.
    pub fn command_with_host(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = self.command("env", &[&format!("DOCKER_HOST={}", self.host())]);
        cmd.arg(program).args(args);
        cmd
    }

    pub fn docker(&self, args: &[&str]) -> RunResult {
        run(&mut self.command_with_host("docker", args), b"")
    }

    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.succeeded(),
            "docker {args:?} as {}: {}",
            self.name,
            out.stderr
        );
        out.stdout.trim().to_string()
    }

    /// `docker run -d --name NAME OPTIONS... IMAGE sleep 100000`.
    pub fn run(&self, name: &str, options: &[&str]) -> String {
        let mut args = vec!["run", "-d", "--name", name];
        args.extend_from_slice(options);
        args.extend_from_slice(&[IMAGE, "sleep", "100000"]);
        self.docker_ok(&args);
        name.to_string()
    }

    /// `docker exec NAME sh -c SCRIPT` as the owner: the oracle's output.
    pub fn exec(&self, name: &str, script: &str) -> String {
        self.docker_ok(&["exec", name, "sh", "-c", script])
    }

    pub fn inspect(&self, name: &str, format: &str) -> String {
        self.docker_ok(&["inspect", "--format", format, name])
    }

    /// The host PID of a container's process.
    pub fn pid(&self, name: &str) -> i32 {
        self.inspect(name, "{{.State.Pid}}").parse().unwrap()
    }

    /// Every process of this user's (the daemon, its containerd, shims and
    /// containers, all run as the user's uid or its subordinate IDs).
    fn processes(&self) -> Vec<i32> {
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let subordinate = |uid: u32| {
            let ranges = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
            ranges.lines().any(|l| {
                let f: Vec<&str> = l.split(':').collect();
                let (Some(start), Some(count)) = (
                    f.get(1).and_then(|s| s.parse::<u32>().ok()),
                    f.get(2).and_then(|s| s.parse::<u32>().ok()),
                ) else {
                    return false;
                };
                f[0] == self.name && (start..start + count).contains(&uid)
            })
        };
        procs
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                let uid = std::fs::metadata(format!("/proc/{pid}"))
                    .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                    .ok();
                uid.is_some_and(|uid| uid == self.uid || subordinate(uid))
            })
            .collect()
    }
}

impl Drop for RootlessDockerd {
    fn drop(&mut self) {
        let ids = self.docker(&["ps", "-aq"]);
        for id in ids.stdout.split_whitespace() {
            let _ = self.docker(&["rm", "-f", id]);
        }
        if let Some(mut child) = self.child.take() {
            // RootlessKit passes SIGTERM on to dockerd, which stops.
            super::kill(child.id() as i32, libc::SIGTERM);
            if super::wait_with_timeout(&mut child, DEADLINE).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        // Whatever is left of the user's (a shim the daemon lost).
        for pid in self.processes() {
            super::kill(pid, libc::SIGKILL);
        }
        let _ = wait_until(Duration::from_secs(10), || self.processes().is_empty());
        for cgroup in self.session_cgroups() {
            let _ = std::fs::remove_dir(cgroup);
        }
        let _ = run(Command::new("userdel").args(["-r", "-f", &self.name]), b"");
        for dir in [self.home(), self.runtime_dir()] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A user with no containers, for being refused: removed when dropped.
pub struct PlainUser {
    pub name: String,
}

impl PlainUser {
    pub fn add(tag: &str) -> PlainUser {
        let name = format!("nscpu{}{tag}", std::process::id());
        add_user(&name);
        PlainUser { name }
    }

    /// `PROGRAM ARGS` as this user, with a login's environment.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = as_user(&self.name, &[]);
        cmd.arg(program).args(args);
        cmd
    }
}

impl Drop for PlainUser {
    fn drop(&mut self) {
        let _ = run(Command::new("userdel").args(["-r", "-f", &self.name]), b"");
    }
}

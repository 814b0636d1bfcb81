//! Daemons of a test's own, for tests that stop, hang or kill them: the
//! shared dockerd must never be touched.
//!
//! - [`PrivateDockerd`]: dockerd with its own data root, exec root, pid
//!   file, socket, bridge (never `--bridge=none`: dockerd then deletes the
//!   host's docker0) and the containerd it starts itself.
//! - [`PrivateContainerd`]: a standalone containerd with its own root,
//!   state and socket, driven with `ctr`.
//!
//! Both load the offline test image from the shared daemon (`docker save`)
//! and take everything down when dropped, however the test ends.

use super::RunResult;
use super::{docker_ok, wait_until};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::MutexGuard;
use std::time::Duration;

/// How long a daemon may take to come up, or to go down.
const DAEMON_DEADLINE: Duration = Duration::from_secs(60);

/// A fresh directory under the test target's temporary directory.
fn fresh_dir(kind: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{kind}-{}-{n}", std::process::id()));
    unmount_below(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Unmount whatever a daemon left mounted below `dir` (container root
/// filesystems, shm), deepest first.
fn unmount_below(dir: &Path) {
    let prefix = format!("{}/", dir.display());
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<&str> = mountinfo
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| p.starts_with(&prefix))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let _ = super::run(Command::new("umount").args(["-l", point]), b"");
    }
}

fn run_ok(cmd: &mut Command) -> String {
    super::run(cmd, b"").success().stdout.trim().to_string()
}

/// `docker save TAG` into a file of `dir`, for loading elsewhere.
fn saved_image(dir: &Path, tag: &str) -> PathBuf {
    let tar = dir.join("image.tar");
    docker_ok(&["save", "-o", tar.to_str().unwrap(), tag]);
    tar
}

pub struct PrivateDockerd {
    pub dir: PathBuf,
    child: Option<Child>,
    bridge: String,
    /// dockerd's options beyond those of every private daemon.
    options: Vec<String>,
    /// One daemon of a test's own at a time (see common/serial.rs); let
    /// go last, once the daemon is down.
    _serial: MutexGuard<'static, ()>,
    /// Its containers' plain names stay unambiguous while it runs.
    _plain_names: MutexGuard<'static, ()>,
}

impl PrivateDockerd {
    /// Start one and wait until it answers; `image` is loaded into it.
    pub fn start(image: &str) -> PrivateDockerd {
        PrivateDockerd::start_with(image, &[])
    }

    /// The same, with dockerd's `options` (`--userns-remap=default`).
    pub fn start_with(image: &str, options: &[&str]) -> PrivateDockerd {
        let plain_names = super::serial::plain_names();
        let serial = super::serial::private_daemon();
        let dir = fresh_dir("dockerd");
        // A bridge of its own (at most 15 characters), so dockerd never
        // creates, changes or deletes docker0.
        static BRIDGES: AtomicUsize = AtomicUsize::new(0);
        let bridge = format!(
            "nscb{}x{}",
            std::process::id() % 100_000,
            BRIDGES.fetch_add(1, Ordering::Relaxed)
        );
        let _ = super::run(Command::new("ip").args(["link", "del", &bridge]), b"");
        run_ok(Command::new("ip").args(["link", "add", &bridge, "type", "bridge"]));
        let mut d = PrivateDockerd {
            dir,
            child: None,
            bridge,
            options: options.iter().map(|o| o.to_string()).collect(),
            _serial: serial,
            _plain_names: plain_names,
        };
        std::fs::write(d.dir.join("daemon.json"), "{}").unwrap();
        d.launch();
        let tar = saved_image(&d.dir, image);
        d.docker_ok(&["load", "-q", "-i", tar.to_str().unwrap()]);
        d
    }

    fn launch(&mut self) {
        if let Err(why) = self.try_launch() {
            panic!("private dockerd did not come up: {why}");
        }
    }

    fn try_launch(&mut self) -> Result<(), String> {
        self.forget_dead_containerd();
        let log = std::fs::File::create(self.dir.join("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .arg("--config-file")
            .arg(self.dir.join("daemon.json"))
            .arg("--data-root")
            .arg(self.data_root())
            .arg("--exec-root")
            .arg(self.exec_root())
            .arg("--pidfile")
            .arg(self.dir.join("dockerd.pid"))
            .arg("-H")
            .arg(self.host())
            .arg(format!("--bridge={}", self.bridge))
            .args(["--iptables=false", "--ip-masq=false", "--ip-forward=false"])
            .args(&self.options)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start dockerd: {e}"))?;
        self.child = Some(child);
        let up = wait_until(DAEMON_DEADLINE, || {
            self.docker(&["version", "--format", "{{.Server.Version}}"])
                .succeeded()
        });
        if up {
            Ok(())
        } else {
            Err(std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default())
        }
    }

    /// dockerd trusts the PID in its containerd's pid file: after a crash
    /// that PID may be another process's, and dockerd would wait for it.
    fn forget_dead_containerd(&self) {
        let pidfile = self.exec_root().join("containerd/containerd.pid");
        let pid = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok());
        if pid.is_some_and(|pid| !self.owns(pid)) {
            let _ = std::fs::remove_file(pidfile);
        }
    }

    /// Whether a process was started for this daemon (its command line
    /// names our directory).
    fn owns(&self, pid: i32) -> bool {
        let ours = format!("{}/", self.dir.display());
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| String::from_utf8_lossy(&c).contains(&ours))
            .unwrap_or(false)
    }

    /// Every process left of this daemon: its containerd, the shims, and the
    /// containers' processes (by their cgroups, named after the IDs).
    fn kill_leftovers(&self) {
        // Under --userns-remap, in the remapped root's directory.
        let remapped = std::fs::read_dir(self.data_root())
            .map(|d| d.flatten().map(|e| e.path().join("containers")).collect())
            .unwrap_or_else(|_| Vec::new());
        let ids: Vec<String> = [self.data_root().join("containers")]
            .into_iter()
            .chain(remapped)
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flat_map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return;
        };
        for entry in procs.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
            if self.owns(pid) || ids.iter().any(|id| cgroup.contains(id.as_str())) {
                super::kill(pid, libc::SIGKILL);
            }
        }
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.join("docker.sock")
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    pub fn data_root(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn exec_root(&self) -> PathBuf {
        self.dir.join("exec")
    }

    /// docker-enter's options naming this daemon and its state files.
    pub fn enter_args(&self) -> Vec<String> {
        vec![
            "-H".into(),
            self.host(),
            "--docker-root".into(),
            self.data_root().display().to_string(),
            "--docker-exec-root".into(),
            self.exec_root().display().to_string(),
        ]
    }

    pub fn docker(&self, args: &[&str]) -> RunResult {
        super::run(
            Command::new("docker").arg("-H").arg(self.host()).args(args),
            b"",
        )
    }

    pub fn docker_ok(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("docker");
        cmd.arg("-H").arg(self.host()).args(args);
        run_ok(&mut cmd)
    }

    /// SIGSTOP: the daemon hangs with its socket open.
    pub fn freeze(&self) {
        self.signal(libc::SIGSTOP);
    }

    pub fn thaw(&self) {
        self.signal(libc::SIGCONT);
    }

    /// Signal the daemon, if it runs (never PID 0: our process group).
    fn signal(&self, sig: i32) {
        if let Some(child) = &self.child {
            super::kill(child.id() as i32, sig);
        }
    }

    /// SIGKILL, and its socket removed: as after a crash and a cleanup.
    pub fn kill_and_remove_socket(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    fn alive(&self) -> bool {
        self.child.is_some()
    }
}

impl Drop for PrivateDockerd {
    fn drop(&mut self) {
        self.thaw();
        // Restarted after a kill, the daemon takes its containers down;
        // whatever it cannot, or if it cannot start, is killed below.
        if self.alive() || self.try_launch().is_ok() {
            let ids = self.docker(&["ps", "-aq"]);
            for id in ids.stdout.split_whitespace() {
                let _ = self.docker(&["rm", "-f", id]);
            }
        }
        if let Some(mut child) = self.child.take() {
            super::kill(child.id() as i32, libc::SIGTERM);
            if super::wait_with_timeout(&mut child, DAEMON_DEADLINE).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        self.kill_leftovers();
        unmount_below(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = super::run(Command::new("ip").args(["link", "del", &self.bridge]), b"");
    }
}

pub struct PrivateContainerd {
    pub dir: PathBuf,
    child: Child,
    /// Namespaces the test ran containers in, cleaned up when dropped.
    namespaces: std::cell::RefCell<Vec<String>>,
    /// containerd's PID when it runs as PID 1 of a PID namespace of the
    /// test's own (see `start_in_pid_namespace`).
    pid_namespace_init: Option<i32>,
    /// One daemon of a test's own at a time (see common/serial.rs); let
    /// go last, once the daemon is down.
    _serial: MutexGuard<'static, ()>,
    /// Its containers' plain names stay unambiguous while it runs.
    _plain_names: MutexGuard<'static, ()>,
}

/// The test image's name once imported into containerd.
pub fn containerd_image(tag: &str) -> String {
    format!("docker.io/{tag}")
}

impl PrivateContainerd {
    pub fn start(image: &str) -> PrivateContainerd {
        PrivateContainerd::launch(image, &[])
    }

    /// containerd as PID 1 of a PID namespace of its own (with its own
    /// /proc, so a mount namespace too): every PID its tasks get, and
    /// init.pid holds, is of that namespace, where nothing else runs, so a
    /// test can choose the next PID (`ns_last_pid`) without touching the
    /// host's. Killing it ends everything in the namespace.
    pub fn start_in_pid_namespace(image: &str) -> PrivateContainerd {
        let mut c = PrivateContainerd::launch(
            image,
            &["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"],
        );
        let unshare = c.child.id() as i32;
        let mut init = 0;
        assert!(wait_until(DAEMON_DEADLINE, || {
            init = super::children(unshare).first().copied().unwrap_or(0);
            init > 0
        }));
        c.pid_namespace_init = Some(init);
        c
    }

    /// `cmd` run in containerd's PID namespace and its /proc (util-linux
    /// nsenter), for a test that started it there.
    pub fn in_its_pid_namespace(&self, program: &str) -> Command {
        let init = self
            .pid_namespace_init
            .expect("started with start_in_pid_namespace");
        let mut cmd = Command::new(super::ORACLE);
        cmd.args(["-t", &init.to_string(), "-p", "-m", "--", program]);
        cmd
    }

    /// The next PID given in containerd's PID namespace follows `last`.
    pub fn set_last_pid(&self, last: i32) {
        let out = super::run(
            self.in_its_pid_namespace("sh")
                .args(["-c", &format!("echo {last} > /proc/sys/kernel/ns_last_pid")]),
            b"",
        );
        out.success();
    }

    fn launch(image: &str, launcher: &[&str]) -> PrivateContainerd {
        let plain_names = super::serial::plain_names();
        let serial = super::serial::private_daemon();
        let dir = fresh_dir("containerd");
        std::fs::write(dir.join("config.toml"), "").unwrap();
        let log = std::fs::File::create(dir.join("containerd.log")).unwrap();
        let mut command = match launcher.split_first() {
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg("containerd");
                cmd
            }
            None => Command::new("containerd"),
        };
        let child = command
            .arg("--config")
            .arg(dir.join("config.toml"))
            .arg("--root")
            .arg(dir.join("root"))
            .arg("--state")
            .arg(dir.join("state"))
            .arg("--address")
            .arg(dir.join("containerd.sock"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("containerd installed (it comes with docker.io)");
        let c = PrivateContainerd {
            dir,
            child,
            namespaces: Default::default(),
            pid_namespace_init: None,
            _serial: serial,
            _plain_names: plain_names,
        };
        let up = wait_until(DAEMON_DEADLINE, || {
            c.ctr("default", &["version"]).succeeded()
        });
        assert!(
            up,
            "private containerd did not come up: {}",
            std::fs::read_to_string(c.dir.join("containerd.log")).unwrap_or_default()
        );
        let tar = saved_image(&c.dir, image);
        for ns in ["k8s.io", "default"] {
            c.ctr_ok(ns, &["images", "import", tar.to_str().unwrap()]);
        }
        c
    }

    /// containerd's --state, for docker-enter's --containerd-state.
    pub fn state(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// docker-enter with this containerd's state and `args`.
    pub fn docker_enter(&self, args: &[&str]) -> RunResult {
        super::run(
            Command::new(super::docker_enter::DOCKER_ENTER)
                .arg("--containerd-state")
                .arg(self.state())
                .args(args),
            b"",
        )
    }

    pub fn ctr(&self, namespace: &str, args: &[&str]) -> RunResult {
        super::run(
            Command::new("ctr")
                .arg("--address")
                .arg(self.dir.join("containerd.sock"))
                .args(["--namespace", namespace])
                .args(args),
            b"",
        )
    }

    pub fn ctr_ok(&self, namespace: &str, args: &[&str]) -> String {
        self.ctr(namespace, args)
            .success()
            .stdout
            .trim()
            .to_string()
    }

    /// `ctr run -d` with annotations; returns the task's PID.
    pub fn run(
        &self,
        namespace: &str,
        id: &str,
        annotations: &[(&str, &str)],
        image: &str,
        command: &[&str],
    ) -> i32 {
        if !self.namespaces.borrow().iter().any(|n| n == namespace) {
            self.namespaces.borrow_mut().push(namespace.to_string());
            if !matches!(namespace, "k8s.io" | "default") {
                // Imported into those two at start; others on first use.
                let tar = self.dir.join("image.tar");
                self.ctr_ok(namespace, &["images", "import", tar.to_str().unwrap()]);
            }
        }
        let mut args = vec!["run".to_string(), "-d".to_string()];
        for (k, v) in annotations {
            args.push("--annotation".into());
            args.push(format!("{k}={v}"));
        }
        args.push(containerd_image(image));
        args.push(id.into());
        args.extend(command.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.ctr_ok(namespace, &args);
        let pid_file = self
            .state()
            .join("io.containerd.runtime.v2.task")
            .join(namespace)
            .join(id)
            .join("init.pid");
        let mut pid = 0;
        assert!(
            wait_until(DAEMON_DEADLINE, || {
                pid = std::fs::read_to_string(&pid_file)
                    .ok()
                    .and_then(|p| p.trim().parse().ok())
                    .unwrap_or(0);
                pid > 0
            }),
            "{namespace}/{id} did not start"
        );
        pid
    }
}

impl Drop for PrivateContainerd {
    fn drop(&mut self) {
        for ns in self.namespaces.borrow().iter() {
            let tasks = self.ctr(ns, &["containers", "list", "-q"]);
            for id in tasks.stdout.split_whitespace() {
                let _ = self.ctr(ns, &["task", "kill", "-s", "SIGKILL", id]);
                let _ = wait_until(Duration::from_secs(10), || {
                    self.ctr(ns, &["task", "delete", id]).succeeded()
                        || !self.ctr(ns, &["task", "ps", id]).succeeded()
                });
                let _ = self.ctr(ns, &["containers", "delete", id]);
            }
        }
        if let Some(init) = self.pid_namespace_init {
            // The namespace's init: everything in it dies with it.
            super::kill(init, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        unmount_below(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

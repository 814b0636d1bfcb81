//! A process with every mark a runtime gives a container's first process,
//! made without a runtime, for state directories that tests write: mount
//! and UTS namespaces of its own, a cgroup named after the task ID (in the
//! unified hierarchy, below the test's own), and a parent that runs in the
//! task's bundle directory, as containerd's shim does (util-linux
//! `unshare`, started there). What docker-enter checks of a task's process
//! is then all true, and a test can take one mark away at a time.

use super::cgroups::hierarchies;
use super::{children, comm, kill, wait_until};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct FakeTask {
    /// The task's process (a `sleep`).
    pub pid: i32,
    /// Its parent, standing in for the shim.
    shim: Child,
    /// The cgroup named after the ID, and the one of the test's that holds it.
    cgroups: [PathBuf; 2],
}

impl FakeTask {
    /// The process of task `id`, its "shim" running in `bundle`; it writes
    /// its PID into `bundle/init.pid` as runc does.
    pub fn start(bundle: &Path, id: &str) -> FakeTask {
        FakeTask::start_in(bundle, id, &["--mount", "--uts"])
    }

    /// The same, with one mark taken away: it stays in every namespace of
    /// ours, as a host process does.
    pub fn in_our_namespaces(bundle: &Path, id: &str) -> FakeTask {
        FakeTask::start_in(bundle, id, &[])
    }

    fn start_in(bundle: &Path, id: &str, namespaces: &[&str]) -> FakeTask {
        let cgroups = task_cgroup(id);
        let script = format!(
            "echo 0 > {}/cgroup.procs && echo $$ > init.pid && exec sleep 600",
            cgroups[0].display()
        );
        let shim = Command::new("unshare")
            .arg("--fork")
            .args(namespaces)
            .args(["sh", "-c", &script])
            .current_dir(bundle)
            .stdin(Stdio::null())
            .spawn()
            .expect("util-linux unshare");
        let mut task = FakeTask {
            pid: 0,
            shim,
            cgroups,
        };
        let shim_pid = task.shim.id() as i32;
        let up = wait_until(Duration::from_secs(20), || {
            match children(shim_pid).first() {
                Some(&pid) if comm(pid) == "sleep" => {
                    task.pid = pid;
                    true
                }
                _ => false,
            }
        });
        assert!(up, "the fake task {id} did not start");
        task
    }
}

/// A fresh cgroup named `id` in the unified hierarchy, below the test's
/// own (and the directory made to hold it): [the task's, its parent].
fn task_cgroup(id: &str) -> [PathBuf; 2] {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let (mount, _) = hierarchies()
        .into_iter()
        .find(|(_, controllers)| controllers.is_empty())
        .expect("a cgroup v2 hierarchy (docs/facts.md: this host is hybrid)");
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let own = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    let holder = mount.join(own).join(format!(
        "nsc-task-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let dir = holder.join(id);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    [dir, holder]
}

impl Drop for FakeTask {
    fn drop(&mut self) {
        if self.pid > 0 {
            kill(self.pid, libc::SIGKILL);
        }
        let _ = self.shim.kill();
        let _ = self.shim.wait();
        for dir in &self.cgroups {
            // The killed process leaves its cgroup once it is reaped.
            wait_until(Duration::from_secs(10), || std::fs::remove_dir(dir).is_ok());
        }
    }
}

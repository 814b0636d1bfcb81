//! Cgroups for the tests of joining a target's cgroups: a target in fresh
//! cgroups of its own (one per mounted hierarchy, below the test's own),
//! how a program got there (`strace` of the joins), and what a process
//! sees of its cgroups.

use super::{wait_until, Target};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Every mounted cgroup hierarchy: (mount point, the controllers or name of
/// a v1 hierarchy as /proc/PID/cgroup spells them, empty for v2).
pub fn hierarchies() -> Vec<(PathBuf, String)> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let mut out = Vec::new();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let mut right = right.split_whitespace();
        let fstype = right.next().unwrap_or("");
        let options = right.nth(1).unwrap_or("");
        let mount = PathBuf::from(left.split_whitespace().nth(4).unwrap_or(""));
        match fstype {
            "cgroup2" => out.push((mount, String::new())),
            "cgroup" => {
                let names: Vec<&str> = options
                    .split(',')
                    .filter(|o| !matches!(*o, "rw" | "ro") && !o.contains("relatime"))
                    .filter(|o| !o.starts_with("release_agent") && *o != "clone_children")
                    .collect();
                out.push((mount, names.join(",")));
            }
            _ => {}
        }
    }
    out
}

/// Our own cgroup path in the hierarchy named `controllers` ("" for v2).
fn own_cgroup(controllers: &str) -> String {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    own.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, ctrl, path) = (parts.next()?, parts.next()?, parts.next()?);
            let mut a: Vec<&str> = ctrl.split(',').collect();
            let mut b: Vec<&str> = controllers.split(',').collect();
            a.sort();
            b.sort();
            (a == b).then(|| path.to_string())
        })
        .next()
        .unwrap_or_else(|| "/".into())
}

/// A target in fresh cgroups (one per hierarchy, below our own), removed
/// after the target is gone.
pub struct CgroupTarget {
    target: Option<Target>,
    dirs: Vec<PathBuf>,
}

impl CgroupTarget {
    /// Make the cgroups (named after `name` and our PID), and start the
    /// target with `start`, which is given the shell commands that move
    /// the shell running them into every one of them (its set-up).
    pub fn start(name: &str, start: impl FnOnce(&str) -> Target) -> CgroupTarget {
        let name = super::unique(&format!("nsenter-test-{name}"));
        let mut fixture = CgroupTarget {
            target: None,
            dirs: Vec::new(),
        };
        let mut join = Vec::new();
        for (mount, controllers) in hierarchies() {
            let parent = mount.join(own_cgroup(&controllers).trim_start_matches('/'));
            let dir = parent.join(&name);
            std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
            fixture.dirs.push(dir.clone());
            for file in ["cpuset.cpus", "cpuset.mems"] {
                if let Ok(value) = std::fs::read_to_string(parent.join(file)) {
                    std::fs::write(dir.join(file), value.trim()).unwrap();
                }
            }
            // "0": the writer, whatever PID namespace it is in.
            join.push(format!("echo 0 > {}/cgroup.procs", dir.display()));
        }
        fixture.target = Some(start(&join.join("\n")));
        fixture
    }

    /// A target moved into cgroups of its own, then into a cgroup
    /// namespace of its own (as Docker gives containers on cgroup v2
    /// hosts): those cgroups are the root of its namespace. PID 1 of a
    /// PID namespace.
    pub fn in_a_cgroup_namespace(name: &str) -> CgroupTarget {
        CgroupTarget::start(name, |join| {
            Target::start_script(
                &[],
                &["--pid", "--mount-proc"],
                &format!("{join}\nexec unshare --cgroup sleep 600"),
            )
        })
    }

    pub fn pid(&self) -> i32 {
        self.target.as_ref().unwrap().pid
    }

    pub fn pid_str(&self) -> String {
        self.pid().to_string()
    }

    /// The target's /proc/PID/cgroup, as we see it; checked to be the
    /// fixture's cgroups, unlike ours, on a host with several hierarchies.
    pub fn cgroups(&self) -> String {
        let theirs = std::fs::read_to_string(format!("/proc/{}/cgroup", self.pid())).unwrap();
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        assert_ne!(
            super::cgroup_lines(&theirs),
            super::cgroup_lines(&own),
            "set-up failed"
        );
        assert!(
            theirs.lines().count() > 1 && theirs.lines().any(|l| l.starts_with("0::")),
            "expected a hybrid host, v1 and v2: {theirs}"
        );
        theirs
    }
}

impl Drop for CgroupTarget {
    fn drop(&mut self) {
        drop(self.target.take());
        for dir in &self.dirs {
            // The killed target leaves its cgroup once it is reaped.
            wait_until(Duration::from_secs(10), || std::fs::remove_dir(dir).is_ok());
        }
    }
}

/// What a process in the root of its cgroup namespace sees in
/// /proc/self/cgroup, given what we see of it: every path is "/".
pub fn seen_from_the_namespace_root(cgroups: &str) -> Vec<String> {
    let lines = cgroups.lines().map(|l| match l.rsplit_once(':') {
        Some((hierarchy, _)) => format!("{hierarchy}:/"),
        None => l.to_string(),
    });
    super::cgroup_lines(&lines.collect::<Vec<_>>().join("\n"))
}

/// A shell script that shows a process's cgroups and cgroup namespace.
pub const SHOW_CGROUPS_AND_NAMESPACE: &str = "cat /proc/self/cgroup; readlink /proc/self/ns/cgroup";

/// What SHOW_CGROUPS_AND_NAMESPACE printed: the cgroups, sorted, and the
/// namespace.
pub fn cgroups_and_namespace(printed: &str) -> (Vec<String>, Option<String>) {
    let mut lines: Vec<&str> = printed.lines().collect();
    let namespace = lines.pop().map(str::to_string);
    (super::cgroup_lines(&lines.join("\n")), namespace)
}

/// A cgroup file written by a traced run, from `strace -f -y` output:
/// the writer's PID, and the file (`.../tasks`, `.../cgroup.procs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupWrite {
    pub pid: i32,
    pub file: PathBuf,
}

/// What `strace -f -y -e trace=write,clone3` saw of the joins: the cgroup
/// files written with "0", and the clone3 calls.
#[derive(Debug, Default)]
pub struct Joins {
    pub writes: Vec<CgroupWrite>,
    pub clone3: Vec<Clone3>,
}

/// A clone3 call: the caller's PID, its arguments as strace shows them,
/// and its result (the child's PID, or `-1 ENOSYS ...`).
#[derive(Debug, Clone, Default)]
pub struct Clone3 {
    pub pid: i32,
    pub args: String,
    pub result: String,
}

impl Joins {
    /// Run `cmd` under strace, clone3 failing with ENOSYS (as under a
    /// filter that hides it, or on a kernel without it) when `deny_clone3`;
    /// returns its standard output and what strace saw.
    pub fn trace(cmd: &[&str], deny_clone3: bool, log: &Path) -> (String, Joins) {
        let mut strace = Command::new("strace");
        strace.args(["-f", "-qq", "-y", "-e", "trace=write,clone3", "-o"]);
        strace.arg(log);
        if deny_clone3 {
            strace.args(["-e", "inject=clone3:error=ENOSYS"]);
        }
        let out = super::run(strace.args(cmd), b"");
        out.success();
        let text = std::fs::read_to_string(log).unwrap();
        let mut joins = Joins::default();
        for line in text.lines() {
            let Some((pid, call)) = line.split_once(char::is_whitespace) else {
                continue;
            };
            let call = call.trim_start();
            // With -f, a call may end unfinished and be resumed later:
            // "<... clone3 resumed>)    = 42".
            let (call, result) = match call.rsplit_once(" = ") {
                Some((call, result)) => (call.trim_end(), result.trim()),
                None => (call.trim_end_matches(" <unfinished ...>"), ""),
            };
            if let Some(args) = call.strip_prefix("clone3(") {
                joins.clone3.push(Clone3 {
                    pid: pid.parse().unwrap(),
                    args: args.to_string(),
                    result: result.to_string(),
                });
            } else if call.starts_with("<... clone3 resumed>") {
                if let Some(last) = joins.clone3.last_mut() {
                    last.result = result.to_string();
                }
            } else if let Some(rest) = call.strip_prefix("write(") {
                let file = rest.split_once('<').and_then(|(_, f)| f.split_once('>'));
                if let Some((file, args)) = file {
                    let cgroup_file = file.ends_with("/tasks") || file.ends_with("/cgroup.procs");
                    if cgroup_file && args == ", \"0\", 1)" {
                        joins.writes.push(CgroupWrite {
                            pid: pid.parse().unwrap(),
                            file: PathBuf::from(file),
                        });
                    }
                }
            }
        }
        (out.stdout.clone(), joins)
    }

    /// The files of `kind` ("tasks" or "cgroup.procs") written, and by whom.
    pub fn of_kind(&self, kind: &str) -> Vec<&CgroupWrite> {
        self.writes
            .iter()
            .filter(|w| w.file.file_name().is_some_and(|n| n == kind))
            .collect()
    }
}

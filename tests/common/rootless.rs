//! Rootless Podman for the tests: a throwaway user (made with `useradd`,
//! which gives it subordinate IDs), the offline image loaded into its own
//! storage, and its containers. Everything is removed when the value is
//! dropped, also when the test fails: containers, Podman's pause process,
//! the user, its home and its runtime directory.

use super::result::RunResult;
use super::{run, sh};
use std::process::Command;

/// The busybox image as an archive every user can read (Podman loads it
/// into their storage: nothing can be pulled here).
pub fn image_archive() -> &'static str {
    static ARCHIVE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let image = super::busybox_image::build();
        let path = format!(
            "{}/rootless-busybox-{}.tar",
            env!("CARGO_TARGET_TMPDIR"),
            std::process::id()
        );
        sh(&format!(
            "docker save -o {path} {image} && chmod 0644 {path} && chmod o+x {}",
            env!("CARGO_TARGET_TMPDIR")
        ));
        path
    })
}

/// The image's name in a user's storage.
pub const IMAGE: &str = "localhost/nsenter-can-test/busybox:users";

/// The limits Podman needs on this machine (docs/facts.md).
pub const LIMITS: &[&str] = &[
    "--network",
    "none",
    "--ulimit",
    "nofile=20000:20000",
    "--ulimit",
    "nproc=32768:32768",
];

/// A user of this test run, with the image in its storage.
pub struct RootlessUser {
    pub name: String,
    pub uid: u32,
}

impl RootlessUser {
    /// `useradd -m nscrlPID-TAG`, with the image loaded as that user.
    pub fn new(tag: &str) -> RootlessUser {
        let name = format!("nscrl{}{tag}", std::process::id());
        let uid = add_user(&name);
        let user = RootlessUser { name, uid };
        user.load_image();
        user
    }

    /// The offline image, loaded into the user's store (where their
    /// storage.conf says it is).
    pub fn load_image(&self) {
        self.podman_ok(&["load", "-q", "-i", image_archive()]);
    }

    /// Their home.
    pub fn home(&self) -> std::path::PathBuf {
        home_of(&self.name)
    }

    /// `COMMAND ARGS` as this user, with a login's environment but no
    /// runtime directory (Podman then keeps its state in /tmp).
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = as_user(&self.name, &[]);
        cmd.arg(program).args(args);
        cmd
    }

    pub fn podman(&self, args: &[&str]) -> RunResult {
        run(&mut self.command("podman", args), b"")
    }

    pub fn podman_ok(&self, args: &[&str]) -> String {
        let out = self.podman(args);
        assert!(
            out.succeeded(),
            "podman {args:?} as {}: {}",
            self.name,
            out.stderr
        );
        out.stdout.trim().to_string()
    }

    /// `podman run -d --name NAME LIMITS... OPTIONS... IMAGE sleep 100000`;
    /// the container goes with the user.
    pub fn run(&self, name: &str, options: &[&str]) -> String {
        self.run_image(name, options, IMAGE)
    }

    /// [`Self::run`] of another image of the user's.
    pub fn run_image(&self, name: &str, options: &[&str], image: &str) -> String {
        let mut args = vec!["run", "-d", "--name", name];
        args.extend_from_slice(LIMITS);
        args.extend_from_slice(options);
        args.extend_from_slice(&[image, "sleep", "100000"]);
        self.podman_ok(&args);
        name.to_string()
    }

    /// The shared daemon's image `tag` loaded into the user's storage;
    /// its name there.
    pub fn load_from_docker(&self, tag: &str) -> String {
        let archive = format!(
            "{}/rootless-{}-{}.tar",
            env!("CARGO_TARGET_TMPDIR"),
            tag.replace(['/', ':'], "-"),
            self.name
        );
        sh(&format!(
            "docker save -o {archive} {tag} && chmod 0644 {archive}"
        ));
        self.podman_ok(&["load", "-q", "-i", &archive]);
        let _ = std::fs::remove_file(&archive);
        format!("localhost/{tag}")
    }

    /// The host PID of a container's process.
    pub fn pid(&self, name: &str) -> i32 {
        self.podman_ok(&["inspect", "--format", "{{.State.Pid}}", name])
            .parse()
            .unwrap()
    }
}

/// `useradd -m NAME` (which gives the user subordinate IDs), after
/// removing any user of that name a killed run left; the new user's uid.
pub fn add_user(name: &str) -> u32 {
    let _ = run(Command::new("userdel").args(["-r", name]), b"");
    // useradd locks /etc/passwd and gives up when another holds it (a
    // test beside this one, or another process): one at a time here,
    // and tried again a few times.
    let added = {
        let _one = USERADD.lock().unwrap_or_else(|e| e.into_inner());
        (0..20).any(|_| {
            let ok = run(Command::new("useradd").args(["-m", name]), b"").succeeded();
            if !ok {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            ok
        })
    };
    assert!(added, "useradd -m {name} failed 20 times");
    sh(&format!("id -u {name}")).trim().parse().unwrap()
}

/// The home `useradd -m` gives user `name`.
fn home_of(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("/home/{name}"))
}

/// A command as user `name`, through setpriv with their groups, with a
/// login's environment (HOME, USER, PATH) and `env` (KEY=VALUE) only;
/// the program and its arguments are added after.
pub fn as_user(name: &str, env: &[String]) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid",
        name,
        "--regid",
        name,
        "--init-groups",
        "--",
        "env",
        "-i",
    ])
    .arg(format!("HOME={}", home_of(name).display()))
    .arg(format!("USER={name}"))
    .arg("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
    .args(env)
    .current_dir("/");
    cmd
}

/// One change to the user database at a time, within this test binary.
pub static USERADD: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Drop for RootlessUser {
    fn drop(&mut self) {
        let _ = self.podman(&["rm", "-a", "-f", "-t", "0"]);
        // Podman's pause process holds the user's namespace: ended by its
        // own record of its PID, if that is still the user's process.
        let pause = format!("/tmp/podman-run-{}/libpod/tmp/pause.pid", self.uid);
        if let Some(pid) = std::fs::read_to_string(pause)
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok())
        {
            let owner = std::fs::metadata(format!("/proc/{pid}"))
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                .ok();
            if owner == Some(self.uid) {
                super::kill(pid, libc::SIGKILL);
            }
        }
        let _ = run(Command::new("userdel").args(["-r", "-f", &self.name]), b"");
        // A podman still exiting may write into the home after userdel.
        for dir in [
            self.home(),
            format!("/tmp/podman-run-{}", self.uid).into(),
            format!("/tmp/containers-user-{}", self.uid).into(),
            format!("/run/user/{}", self.uid).into(),
        ] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// `podman exec` as the owner: the oracle's output.
pub fn podman_exec(user: &RootlessUser, name: &str, script: &str) -> String {
    user.podman_ok(&["exec", name, "sh", "-c", script])
}

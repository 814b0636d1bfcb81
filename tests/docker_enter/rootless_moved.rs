//! A rootless Podman store that the user's own storage.conf moved
//! (containers-storage.conf(5)): root finds it where Podman itself keeps
//! it, and reads the file as the user's, so as hostile input.

use crate::common;
use common::docker_enter::docker_enter;
use common::rootless::{podman_exec, RootlessUser};
use std::path::{Path, PathBuf};

fn ready() -> bool {
    common::require_root_and(&["podman", "useradd", "setpriv", "docker"])
        && common::require(common::docker_missing().is_none(), "docker is needed")
}

const PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                     cat /proc/self/uid_map; env | sort; pwd";

/// The user's ~/.config/containers/storage.conf.
fn conf_path(user: &RootlessUser) -> PathBuf {
    user.home().join(".config/containers/storage.conf")
}

/// Write the user's storage.conf, theirs as if they had written it.
fn write_conf(user: &RootlessUser, text: &str) {
    let path = conf_path(user);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    common::sh(&format!(
        "chown -R {0}: {1}/.config",
        user.name,
        user.home().display()
    ));
}

/// The user's store moved by their storage.conf ([`moved_conf`]) while
/// it lives. When dropped (before the user is), the containers of the
/// moved store are removed and the file with them, so that the user's own
/// cleanup finds those of the default store.
struct MovedStore<'a>(&'a RootlessUser);

impl<'a> MovedStore<'a> {
    fn new(user: &'a RootlessUser) -> MovedStore<'a> {
        write_conf(user, &moved_conf());
        MovedStore(user)
    }
}

impl Drop for MovedStore<'_> {
    fn drop(&mut self) {
        let path = conf_path(self.0);
        let _ = std::fs::remove_file(&path);
        write_conf(self.0, &moved_conf());
        let _ = self.0.podman(&["rm", "-a", "-f", "-t", "0"]);
        let _ = std::fs::remove_file(&path);
    }
}

/// The store's two places: the graph root beneath the home, the run root
/// outside it (in /tmp, where the user test's cleanup removes it).
fn moved_conf() -> String {
    "[storage]\ndriver = \"vfs\"\n\
     graphroot = \"$HOME/moved/graph\"   # moved\n\
     runroot = '/tmp/containers-user-$UID/moved-run'\n"
        .to_string()
}

fn enter_ok(args: &[&str]) -> String {
    let out = docker_enter(args);
    out.success();
    out.stdout.trim().to_string()
}

/// docker-enter ARGS fails with one line that contains `what`.
fn refused_with(args: &[&str], what: &str) -> String {
    let out = docker_enter(args);
    out.one_line_error();
    assert!(out.stderr.contains(what), "{args:?}: {}", out.stderr);
    out.stderr.clone()
}

#[test]
fn a_store_moved_by_the_users_storage_conf_is_found_where_podman_keeps_it() {
    if !ready() {
        return;
    }
    let user = RootlessUser::new("mv");
    // A container in the default store, which the move hides from Podman.
    user.run("old", &[]);
    // The control: found and entered while its store is where it was.
    let old = format!("podman:{}/old", user.name);
    let olds = podman_exec(&user, "old", PROBE);
    assert_eq!(enter_ok(&[&old, "sh", "-c", PROBE]), olds);
    let _moved = MovedStore::new(&user);
    // Podman itself runs the container there: the places are right.
    let info = user.podman_ok(&[
        "info",
        "--format",
        "{{.Store.GraphRoot}} {{.Store.RunRoot}}",
    ]);
    let graph = user.home().join("moved/graph");
    let run = format!("/tmp/containers-user-{}/moved-run", user.uid);
    assert_eq!(info, format!("{} {run}", graph.display()));
    user.load_image();
    user.run("moved", &["-w", "/etc", "-e", "WHERE=moved"]);
    assert!(graph.join("vfs-containers/containers.json").is_file());
    assert!(Path::new(&run).join("vfs-containers").is_dir());

    let theirs = podman_exec(&user, "moved", PROBE);
    let pid = format!("pid:{}", user.pid("moved"));
    let address = format!("podman:{}/moved", user.name);
    for by in [address.as_str(), "moved", &pid] {
        assert_eq!(enter_ok(&[by, "sh", "-c", PROBE]), theirs, "{by}");
    }
    let listed = enter_ok(&["--list", "--format", "{{.Address}}"]);
    assert!(listed.lines().any(|l| l == address), "{listed}");
    // As for Podman, the store it moved from is not theirs any more.
    assert!(!user
        .podman_ok(&["ps", "--format", "{{.Names}}"])
        .contains("old"));
    refused_with(&[&old, "true"], "No such container");

    // The owner, without root, finds it where their storage.conf says.
    let out = common::run(
        &mut user.command(
            env!("CARGO_BIN_EXE_docker-enter"),
            &[&address, "sh", "-c", PROBE],
        ),
        b"",
    );
    out.success();
    assert_eq!(out.stdout.trim(), theirs);
}

/// What is done to the user's storage.conf, at its path.
type Breaking = dyn Fn(&Path);

#[test]
fn a_hostile_storage_conf_is_one_clear_error_and_hides_no_other_store() {
    // Its rootless `web` would make a private daemon's `web` ambiguous.
    let _plain_names = crate::common::serial::plain_names();
    if !ready() {
        return;
    }
    let (alice, mallory) = (RootlessUser::new("ha"), RootlessUser::new("hm"));
    alice.run("web", &[]);
    let _moved = MovedStore::new(&mallory);
    mallory.load_image();
    mallory.run("decoy", &[]);
    let decoy = format!("podman:{}/decoy", mallory.name);
    let alice_web = format!("podman:{}/web", alice.name);
    let file = conf_path(&mallory);
    let alices_graph = alice.home().join(".local/share/containers/storage");
    let huge = |p: &Path| common::sparse_file(p, 100 << 20);
    let cases: [(&str, Box<Breaking>, String); 6] = [
        (
            "a symlink out of the home",
            Box::new(|p| std::os::unix::fs::symlink("/etc/containers/policy.json", p).unwrap()),
            "Too many levels of symbolic links".into(),
        ),
        (
            "100 MB",
            Box::new(huge),
            "storage.conf is larger than 1 MiB".into(),
        ),
        (
            "malformed",
            Box::new(|p| std::fs::write(p, "[storage]\ngraphroot = \"/unterminated\n").unwrap()),
            "storage.conf, line 2: graphroot is not a quoted string".into(),
        ),
        (
            "a variable of the user's session",
            Box::new(|p| {
                std::fs::write(p, "[storage]\ngraphroot = \"$XDG_DATA_HOME/s\"\n").unwrap()
            }),
            "$XDG_DATA_HOME is in the user's own environment".into(),
        ),
        (
            "another user's store",
            Box::new(move |p| {
                let text = format!("[storage]\ngraphroot = \"{}\"\n", alices_graph.display());
                std::fs::write(p, text).unwrap()
            }),
            format!("for user {}'s store, but it is not theirs", mallory.name),
        ),
        (
            "a FIFO",
            Box::new(|p| {
                common::sh(&format!("mkfifo {}", p.display()));
            }),
            "storage.conf is not a regular file".into(),
        ),
    ];
    // Control: read, the moved store is found.
    enter_ok(&[&decoy, "true"]);
    for (what, breaking, said) in &cases {
        std::fs::remove_file(&file).unwrap();
        breaking(&file);
        let line = refused_with(&[&decoy, "true"], said);
        assert!(line.contains(&file.display().to_string()), "{what}: {line}");
        // Alice's store is read all the same, by address and in --list.
        enter_ok(&[&alice_web, "true"]);
        let listed = enter_ok(&["--list", "--format", "{{.Address}}"]);
        assert!(listed.lines().any(|l| l == alice_web), "{what}: {listed}");
        assert!(!listed.contains(&mallory.name), "{what}: {listed}");
        std::fs::remove_file(&file).unwrap();
        write_conf(&mallory, &moved_conf());
    }
    enter_ok(&[&decoy, "true"]);
}

//! Where a user's store is, as their storage.conf and the system's say,
//! on a host root laid out for the test (its /etc is not this machine's).

use super::*;
use crate::statedir::tests::Scratch;
use std::os::unix::fs::chown;

/// The user's uid: not root's, so that root's directories are not theirs.
const UID: u32 = 4321;

struct Host {
    s: Scratch,
    user: User,
}

impl Host {
    /// A host root with user `u` (home /home/u, theirs), or `None` when
    /// not root (the ownership checks need another uid than ours): then
    /// skipped, as tests/common's skip_or_fail does, or failed under
    /// `CI=true` so that CI can never pass by skipping.
    fn new(name: &str) -> Option<Host> {
        if crate::sys::ids::geteuid() != 0 {
            let reason = "the store's ownership checks need root";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("cannot run under CI: {reason}");
            }
            eprintln!("SKIPPED: {reason}");
            return None;
        }
        let s = Scratch::new(name);
        let host = Host {
            user: User {
                name: "u".into(),
                uid: UID,
                home: "/home/u".into(),
            },
            s,
        };
        host.dir_of_user("home/u");
        Some(host)
    }

    /// A directory under the host root, and those down to it beneath
    /// `first`, the user's.
    fn dir_of_user(&self, rel: &str) {
        let path = self.s.0.join(rel);
        std::fs::create_dir_all(&path).unwrap();
        let mut p = path.as_path();
        while p != self.s.0 && !p.ends_with("home") && !p.ends_with("srv") && !p.ends_with("tmp") {
            chown(p, Some(UID), Some(UID)).unwrap();
            p = p.parent().unwrap();
        }
    }

    fn podman(&self) -> RootlessPodman {
        RootlessPodman {
            host_root: self.s.0.clone(),
            only: None,
            narrowed: None,
        }
    }

    /// Where the graph root and the run root are found (relative to the
    /// host root), or the error.
    fn places(&self) -> Result<(Option<String>, Option<String>), String> {
        let podman = self.podman();
        let rel = |d: Option<StateDir>| {
            d.map(|d| {
                d.path()
                    .strip_prefix(&self.s.0)
                    .unwrap()
                    .display()
                    .to_string()
            })
        };
        let run = || -> Result<_, Error> {
            let system = podman.system_storage_path()?;
            let home = StateDir::open_owned(&podman.on_host(&self.user.home), UID)?;
            let conf = podman.user_conf(&self.user, home.as_ref())?;
            let store = UserStore {
                user: &self.user,
                home: home.as_ref(),
                conf: conf.as_ref(),
            };
            Ok((
                rel(podman.graphroot(&store, system.as_deref())?),
                rel(podman.runroot(&store)?),
            ))
        };
        run().map_err(|e| e.to_string())
    }
}

fn some(a: &str, b: &str) -> Result<(Option<String>, Option<String>), String> {
    Ok((Some(a.into()), Some(b.into())))
}

#[test]
fn the_places_podman_chooses_from_each_storage_conf() {
    let Some(h) = Host::new("store-places") else {
        return;
    };
    h.dir_of_user("home/u/.local/share/containers/storage");
    h.dir_of_user("tmp/podman-run-4321/containers");
    h.dir_of_user("tmp/containers-user-4321/containers");
    // No storage.conf at all: the defaults.
    let defaults = some(
        "home/u/.local/share/containers/storage",
        "tmp/podman-run-4321/containers",
    );
    assert_eq!(h.places(), defaults);

    // The system's rootless_storage_path, expanded for the user; its
    // graphroot and runroot are root's, not the user's.
    h.s.write(
        "etc/containers/storage.conf",
        b"[storage]\ngraphroot = \"/var/lib/containers/storage\"\n\
          rootless_storage_path = \"/srv/podman/$USER/$UID\"\n",
    );
    h.dir_of_user("srv/podman/u/4321");
    let system = some("srv/podman/u/4321", "tmp/podman-run-4321/containers");
    assert_eq!(h.places(), system);
    // /usr/share's is read only when /etc has none.
    h.s.write(
        "usr/share/containers/storage.conf",
        b"[storage]\nrootless_storage_path = \"/nowhere\"\n",
    );
    assert_eq!(h.places(), system);

    // The user's own file: its graphroot first, then its own
    // rootless_storage_path; containers/storage then keeps the run root
    // in containers-user-UID.
    h.dir_of_user("home/u/.config/containers");
    let conf = "home/u/.config/containers/storage.conf";
    h.s.write(conf, b"[storage]\ndriver = \"vfs\"\n");
    let own_file = some("srv/podman/u/4321", "tmp/containers-user-4321/containers");
    assert_eq!(h.places(), own_file);
    h.dir_of_user("home/u/rsp");
    h.s.write(conf, b"[storage]\nrootless_storage_path = \"$HOME/rsp\"\n");
    assert_eq!(
        h.places(),
        some("home/u/rsp", "tmp/containers-user-4321/containers")
    );
    h.dir_of_user("home/u/g");
    h.dir_of_user("srv/run-u");
    h.s.write(
        conf,
        b"[storage]\nrootless_storage_path = \"$HOME/rsp\"\n\
          graphroot = \"/home/u/g\"\nrunroot = \"/srv/run-u\"\n",
    );
    assert_eq!(h.places(), some("home/u/g", "srv/run-u"));
    // A place that does not exist is no store (yet).
    h.s.write(conf, b"[storage]\ngraphroot = \"/srv/none\"\n");
    assert_eq!(
        h.places(),
        Ok((None, Some("tmp/containers-user-4321/containers".into())))
    );
}

#[test]
fn a_place_named_for_a_user_is_theirs_and_reached_without_symlinks() {
    let Some(h) = Host::new("store-hostile") else {
        return;
    };
    h.dir_of_user("home/u/.config/containers");
    let conf = "home/u/.config/containers/storage.conf";
    // Root's store, and a symlink from the home to it.
    std::fs::create_dir_all(h.s.0.join("var/lib/containers/storage")).unwrap();
    std::os::unix::fs::symlink("/var/lib/containers/storage", h.s.0.join("home/u/link")).unwrap();
    std::os::unix::fs::symlink("../../var/lib/containers", h.s.0.join("srv")).unwrap();
    for (text, said) in [
        (
            "/var/lib/containers/storage",
            "var/lib/containers/storage for user u's store, but it is not theirs (its owner is uid 0)",
        ),
        ("$HOME/link", "/home/u/link: Too many levels of symbolic links"),
        ("/srv/storage", "/srv/storage: Too many levels of symbolic links"),
    ] {
        h.s.write(conf, format!("[storage]\ngraphroot = \"{text}\"\n").as_bytes());
        let err = h.places().unwrap_err();
        assert!(err.contains(said), "{text}: {err}");
    }
    // The file itself: no symlink, bounded, regular.
    std::fs::remove_file(h.s.0.join(conf)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", h.s.0.join(conf)).unwrap();
    let err = h.places().unwrap_err();
    assert!(
        err.contains("storage.conf: Too many levels of symbolic links"),
        "{err}"
    );
    std::fs::remove_file(h.s.0.join(conf)).unwrap();
    h.s.write(conf, &vec![b'#'; MAX_STORAGE_CONF + 1]);
    let err = h.places().unwrap_err();
    assert!(err.ends_with("storage.conf is larger than 1 MiB"), "{err}");
    // The system's is bounded alike, and said alike.
    std::fs::remove_file(h.s.0.join(conf)).unwrap();
    h.s.write(
        "etc/containers/storage.conf",
        &vec![b'#'; MAX_STORAGE_CONF + 1],
    );
    let err = h.places().unwrap_err();
    assert!(
        err.ends_with("etc/containers/storage.conf is larger than 1 MiB"),
        "{err}"
    );
}

#[test]
fn a_system_storage_conf_that_cannot_be_read_hides_no_users_store() {
    let Some(h) = Host::new("store-system-bad") else {
        return;
    };
    h.s.write("etc/passwd", b"u:x:4321:4321::/home/u:/bin/sh\n");
    h.s.write(
        "etc/containers/storage.conf",
        b"[storage]\nrootless_storage_path = /srv/$USER\n",
    );
    // The user's store where it is by default: its index, unreadable, is
    // said, so it was looked at.
    h.dir_of_user("home/u/.local/share/containers/storage/overlay-containers");
    h.s.write(
        "home/u/.local/share/containers/storage/overlay-containers/containers.json",
        b"{",
    );
    let scan = crate::scan::Source::scan(&h.podman(), crate::scan::Hint::All)
        .expect("the user's store is still read")
        .expect("a scan");
    assert!(
        scan.notes
            .iter()
            .any(|n| n.contains(
                "etc/containers/storage.conf, line 2: rootless_storage_path is not a quoted string"
            ) && n.ends_with("each user's store is looked for in its default place")),
        "{:?}",
        scan.notes
    );
    assert!(
        scan.skipped
            .iter()
            .any(|s| s.contains("overlay-containers/containers.json is not valid JSON")),
        "{:?}",
        scan.skipped
    );
}

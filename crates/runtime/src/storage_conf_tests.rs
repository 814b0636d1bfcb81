//! containers-storage.conf as a user may write it, and as one may not.

use super::*;

fn parse(text: &str) -> Result<StorageConf, String> {
    StorageConf::parse(text.as_bytes(), "/home/u/.config/containers/storage.conf")
        .map_err(|e| e.to_string())
}

#[test]
fn the_store_keys_of_the_storage_table_and_nothing_else() {
    // As Podman's own storage.conf lays it out, with the keys moved.
    let text = r#"
# This file is the configuration file for all tools
[storage]
driver = "overlay"   # the driver
runroot = "/run/user/1000/moved"
graphroot = '$HOME/moved # not a comment'
rootless_storage_path = "$HOME/\u0072sp"

[storage.options]
additionalimagestores = [
  "/usr/lib/containers/storage",
  "[storage]",
]
graphroot = "/not/the/store"
mountopt = """
graphroot = "/nor/this"
"""
[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
"#;
    assert_eq!(
        parse(text).unwrap(),
        StorageConf {
            graphroot: Some("$HOME/moved # not a comment".into()),
            runroot: Some("/run/user/1000/moved".into()),
            rootless_storage_path: Some("$HOME/rsp".into()),
        }
    );
    // Dotted keys at the top level; an empty file; only other tables.
    let dotted = parse("storage.graphroot = \"/srv/u\"\n").unwrap();
    assert_eq!(dotted.graphroot.as_deref(), Some("/srv/u"));
    assert_eq!(parse("").unwrap(), StorageConf::default());
    let other = parse("[engine]\ngraphroot = \"/x\"\n").unwrap();
    assert_eq!(other, StorageConf::default());
}

#[test]
fn a_malformed_file_is_an_error_naming_it_and_the_line() {
    for (text, line, why) in [
        (
            "[storage]\ngraphroot = \"/x\n",
            2,
            "graphroot is not a quoted string",
        ),
        (
            "[storage]\ngraphroot = /x\n",
            2,
            "graphroot is not a quoted string",
        ),
        (
            "[storage]\nrunroot = \"\"\"\n/x\"\"\"\n",
            2,
            "runroot is not a quoted string",
        ),
        (
            "[storage]\ngraphroot = \"/x\" junk\n",
            2,
            "graphroot is not a quoted string",
        ),
        (
            "[storage]\ngraphroot = \"/x\"\ngraphroot = \"/y\"\n",
            3,
            "graphroot is given twice",
        ),
        ("[storage\n", 1, "a table header is not closed"),
        (
            "[storage]\njust words\n",
            2,
            "neither a [table] nor key = value",
        ),
        ("[storage]\nx = [\n\"a\",\n", 2, "an array is not closed"),
        (
            "[storage]\nx = '''\nabc\n",
            2,
            "a multi-line string is not closed",
        ),
    ] {
        let err = parse(text).unwrap_err();
        let lead = format!("cannot read /home/u/.config/containers/storage.conf, line {line}: ");
        assert!(
            err.starts_with(&lead) && err.contains(why),
            "{text:?}: {err}"
        );
    }
    let err = StorageConf::parse(b"\xff[storage]", "f").unwrap_err();
    assert_eq!(err.to_string(), "f is not UTF-8 text, as TOML must be");
}

#[test]
fn paths_expand_as_podman_expands_them_with_what_root_knows() {
    let home = Path::new("/home/alice");
    let vars = Expansions {
        uid: 1001,
        home,
        user: "alice",
    };
    for (value, path) in [
        ("$HOME/.local/share/x", "/home/alice/.local/share/x"),
        ("${HOME}/s/$USER/$UID", "/home/alice/s/alice/1001"),
        ("/srv/podman/$UID/storage/", "/srv/podman/1001/storage"),
        ("/srv//a/./b", "/srv/a/b"),
    ] {
        assert_eq!(
            expand(value, &vars).unwrap(),
            PathBuf::from(path),
            "{value}"
        );
    }
    for (value, why) in [
        (
            "$XDG_DATA_HOME/containers",
            "$XDG_DATA_HOME is in the user's own environment",
        ),
        ("relative/storage", "is not an absolute path"),
        ("$HOME/../bob/storage", "goes up with .."),
        ("${HOME/x", "a ${ is not closed"),
        ("/a/$/b", "names no variable"),
    ] {
        let err = expand(value, &vars).unwrap_err();
        assert!(err.contains(why), "{value}: {err}");
    }
}

#[test]
fn an_empty_value_is_unset_as_containers_storage_takes_it() {
    // containers/storage uses its default for an empty path, so Podman
    // does: "" is no place of its own.
    let text = "[storage]\ngraphroot = \"\"\nrunroot = ''\nrootless_storage_path = \"\"\n";
    assert_eq!(parse(text).unwrap(), StorageConf::default());
    // Still given once only.
    let twice = parse("[storage]\ngraphroot = \"\"\ngraphroot = \"/x\"\n").unwrap_err();
    assert!(twice.contains("graphroot is given twice"), "{twice}");
}

#[test]
fn the_system_file_is_read_for_its_rootless_storage_path_only() {
    // Root's own graphroot, in a form the user's file may not use, is
    // passed over: it is not where any user's store is.
    let text = "[storage]\ngraphroot = \"\"\"\n/var/lib/x\"\"\"\nrunroot = \"/run/a\"\n\
                runroot = \"/run/b\"\nrootless_storage_path = \"/srv/$USER\"\n";
    let got = StorageConf::parse_system(text.as_bytes(), "/etc/containers/storage.conf");
    assert_eq!(got.unwrap().as_deref(), Some("/srv/$USER"));
    let bad = b"[storage]\nrootless_storage_path = /srv\n";
    let err = StorageConf::parse_system(bad, "/etc/containers/storage.conf").unwrap_err();
    assert!(err
        .to_string()
        .contains("line 2: rootless_storage_path is not a quoted string"));
}

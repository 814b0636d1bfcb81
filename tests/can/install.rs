//! Installing with `docker run -v DIR:/target`, and every way it may fail
//! with nothing lost.

use crate::common;

use common::can::image;
use common::Scratch;
use common::{docker, run};
use nsenter_can::can::{layout::share_files, TOOLS};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// `docker run --rm -v VOLUME IMAGE`: the install flow.
fn install(image: &str, volume: &str) -> common::RunResult {
    docker(&["run", "--rm", "-v", volume, image])
}

#[test]
fn install_into_a_mounted_dir_gives_static_tools_that_run_here() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("install");
    let out = install(image, &dir.volume(""));
    out.success();
    assert_eq!(
        dir.names(),
        ["docker-enter", "importenv", "nsenter"],
        "the tools and nothing else"
    );

    let said = out.stdout.clone();
    for tool in TOOLS {
        let path = dir.path(tool);
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o755, "{tool}");
        let file = run(Command::new("file").arg("-b").arg(&path), b"")
            .stdout
            .clone();
        assert!(
            file.contains("static") && !file.contains("dynamic"),
            "{tool} is not static: {file}"
        );

        // It runs on the host, and the install reported its version.
        let version = common::run(Command::new(&path).arg0(tool).arg("--version"), b"");
        assert_eq!(version.signal(), None, "{tool} --version on the host");
        let line = said
            .lines()
            .find(|l| l.starts_with(&format!("installed /target/{tool} ")));
        let line = line.unwrap_or_else(|| panic!("no 'installed /target/{tool}' in:\n{said}"));
        assert!(line.contains(&format!("({} bytes)", meta.len())), "{line}");
        let first = version
            .stdout
            .as_str()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        if version.succeeded() && !first.is_empty() {
            assert!(line.ends_with(&format!(": {first}")), "{line} vs {first}");
        }
    }
}

/// The toolbox's programs and notes, in the order they are installed.
const TOOLBOX: &str = "libexec/nsenter-can/toolbox";
const TOOLBOX_FILES: [&str; 4] = [
    "libexec/nsenter-can/toolbox/busybox",
    "share/doc/nsenter-can/busybox/GPL-2",
    "share/doc/nsenter-can/busybox/README",
    "share/doc/nsenter-can/busybox/copyright",
];

/// `-v /usr/local:/target`: a prefix, known by its bin directory, gets the
/// tools in bin/, their man pages and completions under share/, and the
/// default toolbox under libexec/ (busybox, its links, its licence).
#[test]
fn install_into_a_prefix_adds_man_pages_completions_and_the_toolbox() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("prefix");
    std::fs::create_dir(dir.path("bin")).unwrap();
    let out = install(image, &dir.volume(""));
    out.success();

    let mut want: Vec<String> = TOOLS.iter().map(|t| format!("bin/{t}")).collect();
    want.extend(share_files());
    want.extend(TOOLBOX_FILES.iter().map(|f| f.to_string()));
    let mut said: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
    // The toolbox's links, hundreds, are said in one line.
    let links = said.pop().unwrap_or_default();
    let count = std::fs::read_dir(dir.path(TOOLBOX))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_symlink())
        .count();
    assert!(count > 100, "{count} links");
    assert_eq!(
        links,
        format!("installed {count} links in /target/{TOOLBOX}")
    );
    assert_eq!(
        std::fs::read_link(dir.path(&format!("{TOOLBOX}/sh"))).unwrap(),
        std::path::Path::new("busybox")
    );
    assert_eq!(said.len(), want.len(), "one line per file:\n{said:#?}");
    for (line, file) in said.iter().zip(&want) {
        let path = dir.path(file);
        let meta = std::fs::metadata(&path).unwrap();
        let mode = if file.starts_with("bin/") || file.starts_with(TOOLBOX) {
            0o755
        } else {
            0o644
        };
        assert_eq!(meta.permissions().mode() & 0o7777, mode, "{file}");
        let head = format!("installed /target/{file} ({} bytes)", meta.len());
        assert!(line.starts_with(&head), "{line:?} vs {head:?}");
        // The image holds the tools at its top, the rest as installed.
        let in_image = format!("/{}", file.strip_prefix("bin/").unwrap_or(file));
        let in_image = docker(&["run", "--rm", image, "cat", &in_image]);
        assert!(
            in_image.stdout_bytes == std::fs::read(&path).unwrap(),
            "{file}"
        );
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        std::fs::read(dir.path("share/man/man1/docker-enter.1")).unwrap(),
        std::fs::read(root.join("man/docker-enter.1")).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.path("share/bash-completion/completions/nsenter")).unwrap(),
        std::fs::read(root.join("completions/nsenter.bash")).unwrap()
    );
    assert_eq!(
        dir.names(),
        ["bin", "libexec", "share"],
        "nothing else at the top"
    );
}

#[test]
fn cat_gives_the_bytes_that_install_writes() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("cat-vs-install");
    install(image, &dir.volume("")).success();
    for tool in TOOLS {
        let out = docker(&["run", "--rm", image, "cat", &format!("/{tool}")]);
        out.success();
        assert!(
            out.stdout_bytes == std::fs::read(dir.path(tool)).unwrap(),
            "cat /{tool} differs from the installed file"
        );
    }
}

#[test]
fn replacing_a_running_tool_leaves_it_running() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("running");
    // Any long-lived program will do as the old "nsenter": writing into its
    // file would fail with ETXTBSY or corrupt it; a rename does neither.
    std::fs::copy("/bin/sleep", dir.path("nsenter")).unwrap();
    let mut old = common::KillOnDrop(Command::new(dir.path("nsenter")).arg("60").spawn().unwrap());

    let out = install(image, &dir.volume(""));
    let still_running = old.0.try_wait().unwrap().is_none();
    drop(old);
    out.success();
    assert!(still_running, "the old copy was disturbed");
    let new = docker(&["run", "--rm", image, "cat", "/nsenter"]).stdout_bytes;
    assert!(
        std::fs::read(dir.path("nsenter")).unwrap() == new,
        "the new nsenter is in place"
    );
}

/// Old tools left in place by a failed install: everything as it was.
fn assert_untouched(dir: &Scratch) {
    assert_eq!(dir.names(), ["nsenter"], "no temporary file is left");
    assert_eq!(
        std::fs::read(dir.path("nsenter")).unwrap(),
        b"old nsenter\n"
    );
}

#[test]
fn read_only_target_fails_and_keeps_the_old_tools() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("read-only");
    std::fs::write(dir.path("nsenter"), "old nsenter\n").unwrap();
    let out = install(image, &dir.volume(":ro"));
    out.code_is(1)
        .stderr_is("can: cannot write /target/nsenter: Read-only file system\n");
    assert_untouched(&dir);
}

#[test]
fn full_target_fails_and_keeps_the_old_tools() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("full");
    // A filesystem with room for one tool but not all of them.
    let size = docker(&["run", "--rm", image, "cat", "/nsenter"])
        .stdout
        .len()
        * 3
        / 2;
    let mounted = run(
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}")])
            .args(["tmpfs", dir.0.to_str().unwrap()]),
        b"",
    );
    assert_eq!(
        mounted.code().unwrap_or(-1),
        0,
        "cannot mount a small tmpfs: {}",
        mounted.stderr
    );
    std::fs::write(dir.path("nsenter"), "old nsenter\n").unwrap();
    let out = install(image, &dir.volume(""));
    let untouched = std::panic::catch_unwind(|| assert_untouched(&dir));
    let _ = run(Command::new("umount").arg(&dir.0), b"");
    out.code_is(1);
    assert!(
        out.stderr.starts_with("can: cannot write /target/"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(": No space left on device\n"),
        "{}",
        out.stderr
    );
    untouched.unwrap();
}

#[test]
fn file_as_target_fails_and_keeps_the_file() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("file-target");
    std::fs::write(dir.path("nsenter"), "old nsenter\n").unwrap();
    let volume = format!("{}:/target", dir.path("nsenter").display());
    let out = install(image, &volume);
    out.code_is(1)
        .stderr_is("can: cannot install into /target: Not a directory\n");
    assert_untouched(&dir);
}

#[test]
fn no_mount_explains_both_ways_and_writes_nothing() {
    let Some(image) = image() else { return };
    let name = format!("can-test-no-mount-{}", std::process::id());
    let out = docker(&["run", "--name", &name, image]);
    // `docker diff` lists every path the container added or changed.
    let diff = docker(&["diff", &name]).stdout;
    let _ = docker(&["rm", "-f", &name]);
    out.code_is(1);
    assert!(out.stdout.is_empty());
    // Both install forms, and a copy made under a new name first: a
    // failed run must not leave an empty file where the tool was.
    for form in [
        "-v /usr/local/bin:/target",
        "-v /usr/local:/target",
        "cat /nsenter > nsenter.new &&",
    ] {
        out.stderr_contains(form);
    }
    assert_eq!(diff, "", "the container wrote nothing");
}

/// `chattr +i` on a file for as long as the guard lives.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: std::path::PathBuf) -> Immutable {
        let out = run(Command::new("chattr").arg("+i").arg(&path), b"");
        out.success();
        Immutable(path)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = run(Command::new("chattr").arg("-i").arg(&self.0), b"");
    }
}

/// The third tool cannot be replaced (immutable): the two swapped before it
/// are put back, and nothing else is left (issue 16: before, the first two
/// stayed replaced).
#[test]
fn an_immutable_tool_fails_the_install_and_puts_the_others_back() {
    let Some(image) = image() else { return };
    if !common::require_root_and(&["chattr"]) {
        return;
    }
    let dir = Scratch::new("immutable");
    for tool in TOOLS {
        std::fs::write(dir.path(tool), format!("old {tool}\n")).unwrap();
    }
    let last = TOOLS[TOOLS.len() - 1];
    let guard = Immutable::set(dir.path(last));
    let out = install(image, &dir.volume(""));
    drop(guard);
    assert_eq!(
        (out.code().unwrap_or(-1), out.stderr.as_str()),
        (
            1,
            format!("can: cannot replace /target/{last}: Operation not permitted\n").as_str()
        )
    );
    assert_eq!(
        dir.names(),
        ["docker-enter", "importenv", "nsenter"],
        "no temporary file is left"
    );
    for tool in TOOLS {
        assert_eq!(
            std::fs::read_to_string(dir.path(tool)).unwrap(),
            format!("old {tool}\n"),
            "{tool} is as it was"
        );
    }
    // The control: without the flag, the same install replaces all three.
    install(image, &dir.volume("")).success();
    let new = docker(&["run", "--rm", image, "cat", &format!("/{last}")]).stdout_bytes;
    assert!(std::fs::read(dir.path(last)).unwrap() == new);
}

/// Two cans installing into one empty prefix at once take turns: both
/// succeed and the whole set is there, whole (issue 16: before, both often
/// failed, leaving anything from nothing to a partial set).
#[test]
fn two_installs_at_once_leave_the_whole_set() {
    let Some(image) = image() else { return };
    let want: Vec<(String, Vec<u8>)> = {
        let dir = Scratch::new("at-once-alone");
        std::fs::create_dir(dir.path("bin")).unwrap();
        install(image, &dir.volume("")).success();
        contents(&dir.0)
    };
    for round in 0..3 {
        let dir = Scratch::new(&format!("at-once-{round}"));
        std::fs::create_dir(dir.path("bin")).unwrap();
        let volume = dir.volume("");
        let both: Vec<_> = (0..2)
            .map(|_| {
                let volume = volume.clone();
                std::thread::spawn(move || install(image, &volume))
            })
            .collect();
        for one in both {
            let out = one.join().unwrap();
            out.success();
        }
        assert!(contents(&dir.0) == want, "round {round}: not the whole set");
    }
}

/// Every path under `dir` (relative, sorted) with its bytes, or a link's
/// target.
fn contents(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.is_dir() {
                todo.push(path);
                Vec::new()
            } else if meta.file_type().is_symlink() {
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap()
            };
            out.push((rel, bytes));
        }
    }
    out.sort();
    out
}

/// A `share` link in the prefix whose target is missing is refused for what
/// it is, with nothing written (issue 16: "cannot create /target/share:
/// File exists" before).
#[test]
fn a_share_link_that_leads_nowhere_is_refused_for_what_it_is() {
    let Some(image) = image() else { return };
    let dir = Scratch::new("nowhere");
    std::fs::create_dir(dir.path("bin")).unwrap();
    std::os::unix::fs::symlink("share.d", dir.path("share")).unwrap();
    let out = install(image, &dir.volume(""));
    assert_eq!(
        (out.code().unwrap_or(-1), out.stderr.as_str()),
        (
            1,
            "can: cannot install into /target/share: a symbolic link leads nowhere (share.d does not exist)\n"
        )
    );
    assert_eq!(dir.names(), ["bin", "share"]);
    assert_eq!(std::fs::read_dir(dir.path("bin")).unwrap().count(), 0);
}

//! Unit tests of the all-or-nothing install, with shell scripts as tools.

use super::*;

/// A scratch directory removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("can-install-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::create_dir_all(dir.join("dst")).unwrap();
        Scratch(dir)
    }
    fn src(&self) -> PathBuf {
        self.0.join("src")
    }
    fn dst(&self) -> PathBuf {
        self.0.join("dst")
    }
    fn tool(&self, name: &str, script: &str) {
        fs::write(self.src().join(name), format!("#!/bin/sh\n{script}\n")).unwrap();
    }
    /// Items for tools of `src/` into `dst/`.
    fn tools(&self, names: &[&'static str]) -> Vec<Item> {
        self.tools_into(&self.dst(), names)
    }
    fn tools_into(&self, dir: &Path, names: &[&'static str]) -> Vec<Item> {
        let item = |name: &&'static str| Item {
            from: self.src().join(name),
            dest: dir.join(name),
            kind: Kind::Tool(name),
        };
        names.iter().map(item).collect()
    }
    fn listing(&self) -> Vec<(String, Vec<u8>)> {
        let mut names: Vec<_> = fs::read_dir(self.dst())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                (
                    n.to_string_lossy().into_owned(),
                    fs::read(self.dst().join(&n)).unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

// One test function: the steps exec files they have just written, and
// running them on parallel test threads invites ETXTBSY from a sibling's fork.
#[test]
fn installs_all_or_nothing() {
    tools_flows();
    prefix_flows();
    installs_take_turns();
}

/// An install waits while another holds the directory's lock, then runs.
fn installs_take_turns() {
    let s = Scratch::new("turns");
    s.tool("a", "echo 'a 2.0'");
    let held = crate::sys::fs::open(&s.dst(), OFlags::RDONLY | OFlags::DIRECTORY).unwrap();
    crate::sys::fs::lock_exclusive(held.as_fd(), false).unwrap();
    let (dst, items) = (s.dst(), s.tools(&["a"]));
    let other = std::thread::spawn(move || install_items(&dst, &items).map(|done| done.len()));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!other.is_finished(), "it did not wait for the lock");
    assert!(
        s.listing().is_empty(),
        "it wrote while another held the lock"
    );
    drop(held);
    assert_eq!(other.join().unwrap().unwrap(), 1);
    assert_eq!(s.listing()[0].0, "a");
}

fn tools_flows() {
    let s = Scratch::new("flows");
    s.tool("a", "echo 'a 1.0'; echo extra");
    s.tool("b", "exit 3");
    s.tool("killed", "kill -9 $$");

    let done = install_items(&s.dst(), &s.tools(&["a", "b"])).unwrap();
    assert_eq!(done[0].version.as_deref(), Some("a 1.0"));
    assert_eq!(
        done[1].version.as_deref(),
        Some("version unknown: --version exited with status 3")
    );
    assert_eq!(done[0].path, s.dst().join("a"));
    for name in ["a", "b"] {
        let meta = fs::metadata(s.dst().join(name)).unwrap();
        assert_eq!(meta.mode() & 0o7777, MODE);
        assert_eq!(
            fs::read(s.dst().join(name)).unwrap(),
            fs::read(s.src().join(name)).unwrap()
        );
    }
    assert_eq!(s.listing().len(), 2, "no temporary file is left behind");

    // A failure at any tool leaves the directory exactly as it was.
    fs::write(s.dst().join("a"), "old a").unwrap();
    let before = s.listing();
    let err = install_items(&s.dst(), &s.tools(&["a", "missing"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read {}: No such file or directory",
            s.src().join("missing").display()
        )
    );
    assert_eq!(s.listing(), before);

    let err = install_items(&s.dst(), &s.tools(&["a", "killed"])).unwrap_err();
    let dest = s.dst().join("killed");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot verify {}: 'killed --version' was killed by signal 9",
            dest.display()
        )
    );
    assert_eq!(s.listing(), before);

    fs::create_dir(s.dst().join("b2")).unwrap();
    fs::copy(s.src().join("b"), s.src().join("b2")).unwrap();
    let err = install_items(&s.dst(), &s.tools(&["a", "b2"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot replace {}: Is a directory",
            s.dst().join("b2").display()
        )
    );
    fs::remove_dir(s.dst().join("b2")).unwrap();
    assert_eq!(s.listing(), before);

    // A stale temporary copy from an interrupted run does not get in the way.
    fs::write(s.dst().join(".a.can-new"), "stale").unwrap();
    install_items(&s.dst(), &s.tools(&["a"])).unwrap();
    assert_eq!(s.listing().len(), 2);
    assert_eq!(
        fs::read(s.dst().join("a")).unwrap(),
        fs::read(s.src().join("a")).unwrap()
    );

    // A swap that fails after others succeeded (an immutable file, as
    // chattr +i makes it) puts those back: the set is all or nothing.
    s.tool("c", "echo 'c 1.0'");
    for name in ["a", "b", "c"] {
        fs::write(s.dst().join(name), format!("old {name}")).unwrap();
    }
    let before = s.listing();
    let c = s.dst().join("c");
    let chattr = |flag: &str| {
        let ok = std::process::Command::new("chattr")
            .arg(flag)
            .arg(&c)
            .status()
            .is_ok_and(|st| st.success());
        assert!(ok, "chattr {flag} {} (needs root)", c.display());
    };
    chattr("+i");
    let err = install_items(&s.dst(), &s.tools(&["a", "b", "c"])).map(|_| ());
    chattr("-i");
    assert_eq!(
        err.unwrap_err().to_string(),
        format!("cannot replace {}: Operation not permitted", c.display())
    );
    assert_eq!(
        s.listing(),
        before,
        "a and b put back, no temporary file left"
    );
    fs::remove_file(&c).unwrap();

    let file = s.dst().join("a");
    let err = install_items(&file, &s.tools_into(&file, &["a"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot install into {}: Not a directory", file.display())
    );
}

/// The toolbox's files as the image holds them: busybox, two applet
/// links, and the licence.
const TOOLBOX: [(&str, u32); 4] = [
    ("libexec/nsenter-can/toolbox/busybox", MODE),
    ("libexec/nsenter-can/toolbox/ls", 0o777),
    ("libexec/nsenter-can/toolbox/sh", 0o777),
    ("share/doc/nsenter-can/busybox/copyright", DATA_MODE),
];

/// A source laid out as the image is: the tools at the top, their man
/// pages and completions under share/, the toolbox under libexec/.
fn image_like(s: &Scratch) {
    for tool in crate::can::TOOLS {
        s.tool(tool, &format!("echo '{tool} 9'"));
    }
    let data = layout::share_files().into_iter();
    for file in data.chain([TOOLBOX[0].0.into(), TOOLBOX[3].0.into()]) {
        let path = s.src().join(&file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, format!("{file}\n")).unwrap();
    }
    for (link, _) in &TOOLBOX[1..3] {
        std::os::unix::fs::symlink("busybox", s.src().join(link)).unwrap();
    }
}

/// Every file under `dir`, relative, sorted, with its mode.
fn tree(dir: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if meta.is_dir() {
                todo.push(path);
                out.push((format!("{rel}/"), meta.mode() & 0o7777));
            } else {
                out.push((rel, meta.mode() & 0o7777));
            }
        }
    }
    out.sort();
    out
}

fn prefix_flows() {
    let s = Scratch::new("prefix");
    image_like(&s);
    fs::create_dir(s.dst().join("bin")).unwrap();
    let before = tree(&s.dst());

    // A man page missing from the source: nothing is installed, and the
    // directories made for the share files are gone again.
    let page = s.src().join("share/man/man1/importenv.1");
    fs::rename(&page, s.src().join("page")).unwrap();
    let err = install(&s.src(), &s.dst()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot read {}: No such file or directory", page.display())
    );
    assert_eq!(tree(&s.dst()), before);
    fs::rename(s.src().join("page"), &page).unwrap();

    let done = install(&s.src(), &s.dst()).unwrap();
    assert_eq!(done.len(), 3 + layout::share_files().len() + TOOLBOX.len());
    assert_eq!(done[0].path, s.dst().join("bin/nsenter"));
    assert_eq!(done[0].version.as_deref(), Some("nsenter 9"));
    assert_eq!(done[3].version, None);
    let mut want: Vec<(String, u32)> = crate::can::TOOLS
        .iter()
        .map(|t| (format!("bin/{t}"), MODE))
        .chain(layout::share_files().into_iter().map(|f| (f, DATA_MODE)))
        .chain(TOOLBOX.iter().map(|(f, mode)| (f.to_string(), *mode)))
        .collect();
    let files = layout::share_files().into_iter();
    for file in files.chain(TOOLBOX.iter().map(|(f, _)| f.to_string())) {
        let mut dir = Path::new(&file).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            want.push((format!("{}/", d.display()), 0o755));
            dir = d.parent();
        }
    }
    want.push(("bin/".into(), 0o755));
    want.sort();
    want.dedup();
    let mut got = tree(&s.dst());
    // Directories made here get this process's umask: compare file modes only.
    for (name, mode) in got.iter_mut().chain(want.iter_mut()) {
        if name.ends_with('/') {
            *mode = 0;
        }
    }
    assert_eq!(got, want);
    for file in layout::share_files() {
        assert_eq!(
            fs::read(s.dst().join(&file)).unwrap(),
            fs::read(s.src().join(&file)).unwrap()
        );
    }
    for (link, _) in &TOOLBOX[1..3] {
        assert_eq!(
            fs::read_link(s.dst().join(link)).unwrap(),
            Path::new("busybox")
        );
    }
    let lines = crate::can::installed_lines(&done);
    assert!(
        lines.ends_with(&format!(
            "installed 2 links in {}\n",
            s.dst().join("libexec/nsenter-can/toolbox").display()
        )),
        "{lines}"
    );

    // A share directory that is a link out of the target is refused, and
    // so is one that leads nowhere (not "File exists" from mkdir).
    fs::remove_dir_all(s.dst().join("share")).unwrap();
    let share = s.dst().join("share");
    let out_of = format!(
        "cannot install into {}: a symbolic link leads out of {}",
        share.display(),
        s.dst().display()
    );
    for (to, said) in [
        ("/", out_of.clone()),
        ("/nonexistent", out_of.clone()),
        ("../elsewhere", out_of.clone()),
        (
            "bin/../missing",
            format!(
                "cannot install into {}: a symbolic link leads nowhere (bin/../missing does not exist)",
                share.display()
            ),
        ),
    ] {
        let _ = fs::remove_file(&share);
        std::os::unix::fs::symlink(to, &share).unwrap();
        let before = tree(&s.dst());
        let err = install(&s.src(), &s.dst()).unwrap_err();
        assert_eq!(err.to_string(), said, "share -> {to}");
        assert_eq!(tree(&s.dst()), before, "share -> {to}");
    }
}

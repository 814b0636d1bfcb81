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
    let s = Scratch::new("flows");
    s.tool("a", "echo 'a 1.0'; echo extra");
    s.tool("b", "exit 3");
    s.tool("killed", "kill -9 $$");

    let done = install(&s.src(), &s.dst(), &["a", "b"]).unwrap();
    assert_eq!(done[0].version, "a 1.0");
    assert_eq!(
        done[1].version,
        "version unknown: --version exited with status 3"
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
    let err = install(&s.src(), &s.dst(), &["a", "missing"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read {}: No such file or directory",
            s.src().join("missing").display()
        )
    );
    assert_eq!(s.listing(), before);

    let err = install(&s.src(), &s.dst(), &["a", "killed"]).unwrap_err();
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
    let err = install(&s.src(), &s.dst(), &["a", "b2"]).unwrap_err();
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
    install(&s.src(), &s.dst(), &["a"]).unwrap();
    assert_eq!(s.listing().len(), 2);
    assert_eq!(
        fs::read(s.dst().join("a")).unwrap(),
        fs::read(s.src().join("a")).unwrap()
    );

    let file = s.dst().join("a");
    let err = install(&s.src(), &file, &["a"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot install into {}: Not a directory", file.display())
    );
}

//! Reading state directories as hostile input: links, sizes, kinds.

use super::*;
use std::os::unix::fs::symlink;

/// A scratch directory removed at the end of the test.
pub(crate) struct Scratch(pub PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("nsc-state-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(s: &Scratch) -> StateDir {
    StateDir::open(&s.0).unwrap().unwrap()
}

#[test]
fn files_beneath_are_read_with_their_time() {
    let s = Scratch::new("read");
    s.write("a/config.json", br#"{"x": 1}"#);
    s.write("a/init.pid", b"42\n");
    let dir = open(&s);
    let (json, mtime) = dir.read_json("a/config.json", MAX_JSON).unwrap().unwrap();
    assert_eq!(json["x"], 1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - mtime).abs() < 60_000, "{now} {mtime}");
    assert_eq!(
        dir.read_pid("a/init.pid").unwrap().map(|(p, _)| p),
        Some(42)
    );
    assert!(dir.read("a/none", 10).unwrap().is_none());
    assert!(dir.subdir("b").unwrap().is_none());
    let mut names = dir.names().unwrap();
    names.sort();
    assert_eq!(names, ["a"]);
    assert!(StateDir::open(&s.0.join("missing")).unwrap().is_none());
}

#[test]
fn links_are_never_followed_and_nothing_leads_out() {
    let s = Scratch::new("links");
    let outside = Scratch::new("outside");
    let secret = outside.write("config.json", br#"{"secret": true}"#);
    std::fs::create_dir_all(s.0.join("c")).unwrap();
    symlink(&secret, s.0.join("c/config.json")).unwrap();
    symlink(&outside.0, s.0.join("d")).unwrap();
    symlink("config.json", s.0.join("c/relative.json")).unwrap();
    // A control: the same file read plainly is there to be read.
    assert!(std::fs::read(s.0.join("c/config.json")).is_ok());
    let dir = open(&s);
    for rel in ["c/config.json", "d/config.json", "c/relative.json"] {
        let err = dir.read(rel, MAX_JSON).err().unwrap().to_string();
        assert!(
            err.ends_with(
                "Too many levels of symbolic links (state files are read without following symlinks)"
            ),
            "{rel}: {err}"
        );
    }
    let err = dir.read("../x", MAX_JSON).err().unwrap().to_string();
    assert!(
        err.contains("(it leads out of the state directory)"),
        "{err}"
    );
    assert!(dir.subdir("d").is_err());
}

#[test]
fn only_regular_files_of_bounded_size() {
    let s = Scratch::new("kinds");
    std::fs::create_dir_all(s.0.join("fifo-dir")).unwrap();
    let fifo = s.0.join("fifo-dir/config.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = s.write("big.json", b"");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let dir = open(&s);
    let started = std::time::Instant::now();
    let err = dir.read("fifo-dir/config.json", MAX_JSON).err().unwrap();
    assert!(
        err.to_string()
            .ends_with("config.json is not a regular file"),
        "{err}"
    );
    let err = dir.read("big.json", MAX_JSON).err().unwrap();
    assert!(
        err.to_string().ends_with("big.json is larger than 8 MiB"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn malformed_files_are_errors_that_name_them() {
    let s = Scratch::new("malformed");
    s.write("t.json", br#"{"process": {"env": ["A=1""#);
    s.write("words.pid", b"forty-two");
    s.write("empty.pid", b"");
    let dir = open(&s);
    let err = dir.read_json("t.json", MAX_JSON).err().unwrap().to_string();
    assert!(
        err.starts_with(&format!(
            "{} is not valid JSON: EOF",
            s.0.join("t.json").display()
        )),
        "{err}"
    );
    let err = dir.read_pid("words.pid").err().unwrap().to_string();
    assert!(
        err.ends_with("words.pid does not hold a process ID"),
        "{err}"
    );
    // runc has not written it yet: no process.
    assert!(dir.read_pid("empty.pid").unwrap().is_none());
}

#[test]
fn sizes_are_said_in_binary_units() {
    assert_eq!(human_size(8 << 20), "8 MiB");
    assert_eq!(human_size(64 << 10), "64 KiB");
    assert_eq!(human_size(100), "100 bytes");
}

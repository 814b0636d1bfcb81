//! A directory of the test's own, removed when the test ends: for state
//! files it writes (a runtime's layout, copied or forged), or a host
//! directory it mounts into a container (`-v DIR:/target`).

use std::path::PathBuf;

pub struct Scratch(pub PathBuf);

impl Scratch {
    /// `<target tmp>/<name>-<our PID>-<N>`, made afresh.
    pub fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(super::unique(name));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    /// Write `bytes` at `rel`, making the directories on the way.
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// `rel`'s path as a command-line argument.
    pub fn arg(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }

    /// `-v DIR:/target` with optional mount options such as `:ro`.
    pub fn volume(&self, options: &str) -> String {
        format!("{}:/target{options}", self.0.display())
    }

    /// The names in the directory, sorted, hidden ones included.
    pub fn names(&self) -> Vec<String> {
        let entries = std::fs::read_dir(&self.0).unwrap();
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

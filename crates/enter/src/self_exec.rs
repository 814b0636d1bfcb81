//! Security rule 6: never hand the container a writable host binary.
//!
//! An image may make `/bin/sh` a `#!/proc/self/exe` script: exec'ing it
//! would run our own binary inside the container, where a process could
//! take a handle on it and later write to it (runc CVE-2019-5736). Before
//! each execve the file, and the interpreters of its `#!` lines as the
//! kernel would follow them, are compared with our binary, identified
//! before entering.
//!
//! The files are opened without blocking and must be regular: a FIFO the
//! container planted must not hang us. A container that swaps the file
//! between this check and execve is not covered (that needs exec from a
//! sealed copy of ourselves); descriptors are all closed before exec, so a
//! `/proc/self/fd/N` interpreter finds nothing of ours.

use crate::sys::fs;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfExe {
    dev: u64,
    ino: u64,
}

impl SelfExe {
    /// Our binary; call before entering, while /proc is the host's.
    pub fn current() -> Option<SelfExe> {
        let meta = fs::stat(Path::new("/proc/self/exe")).ok()?;
        Some(SelfExe {
            dev: meta.dev,
            ino: meta.ino,
        })
    }

    fn is(&self, path: &[u8]) -> bool {
        fs::stat(Path::new(OsStr::from_bytes(path)))
            .is_ok_and(|meta| meta.dev == self.dev && meta.ino == self.ino)
    }

    /// The file, or an interpreter of its `#!` lines (nested as the kernel
    /// allows, four deep), is our own binary.
    pub fn runs_us(&self, path: &[u8]) -> bool {
        let mut path = path.to_vec();
        for _ in 0..5 {
            if self.is(&path) {
                return true;
            }
            match interpreter_of(&path) {
                Some(next) => path = next,
                None => return false,
            }
        }
        false
    }
}

/// The interpreter named by a file's `#!` line.
fn interpreter_of(path: &[u8]) -> Option<Vec<u8>> {
    let head = fs::read_head(Path::new(OsStr::from_bytes(path)), 256).ok()?;
    let line = head.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let interp = line
        .split(|b| b.is_ascii_whitespace())
        .find(|w| !w.is_empty())?;
    Some(interp.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_whose_interpreter_is_us_runs_us() {
        let me = SelfExe::current().unwrap();
        let dir = std::env::temp_dir().join(format!("nsc-selfexec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("sh");
        std::fs::write(&script, "#!/proc/self/exe\n").unwrap();
        let plain = dir.join("plain");
        std::fs::write(&plain, "#!/bin/true\n").unwrap();
        assert!(me.runs_us(script.as_os_str().as_bytes()));
        assert!(me.runs_us(b"/proc/self/exe"));
        assert!(!me.runs_us(plain.as_os_str().as_bytes()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_fifo_is_not_read() {
        let dir = std::env::temp_dir().join(format!("nsc-selfexec-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        assert_eq!(interpreter_of(fifo.as_os_str().as_bytes()), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

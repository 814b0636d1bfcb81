//! The container's files read from the host before entering: its root is
//! opened through the pinned process (`/proc/PID/root`), and every path is
//! resolved inside it with openat2(RESOLVE_IN_ROOT), so a symlink such as
//! `/etc/passwd -> /host/only` cannot lead out (security rule 11).

use super::plan::{ContainerFs, PathKind};
use crate::error::Error;
use crate::plan::TargetSpec;
use crate::runtime::Container;
use crate::sys::fd;
use crate::target::Target;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

pub struct RootFs {
    root: OwnedFd,
    /// The container as messages name it.
    who: String,
}

impl RootFs {
    /// Pin the container's process by pidfd, check that it is still the
    /// container's (security rule 1), and open its root directory.
    pub fn open(container: &Container, who: &str) -> Result<RootFs, Error> {
        let target = Target::open(&TargetSpec {
            pid: container.pid,
            pidfd_ino: None,
            identity: Some(container.identity.clone()),
        })?;
        let path = target.proc_path("root");
        let root = fd::open(&path, libc::O_PATH | libc::O_DIRECTORY)
            .map_err(|e| Error::sys(format!("cannot open {}", path.display()), e))?;
        // The root opened above belonged to the pidfd's process.
        target.check_alive()?;
        Ok(RootFs {
            root,
            who: who.to_string(),
        })
    }
}

impl ContainerFs for RootFs {
    /// Opened without following a link out of the root and without
    /// blocking (a FIFO there must not hang us); the caller bounds the reading.
    fn open(&self, path: &Path) -> Result<Option<Box<dyn Read + '_>>, Error> {
        let failed = |e| {
            Error::sys(
                format!("cannot read {} in container {}", path.display(), self.who),
                e,
            )
        };
        let file = match fd::open_in_root(self.root.as_fd(), path, fd::UNTRUSTED) {
            Ok(f) => std::fs::File::from(f),
            Err(libc::ENOENT) | Err(libc::ENOTDIR) => return Ok(None),
            Err(e) => return Err(failed(e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| failed(e.raw_os_error().unwrap_or(libc::EIO)))?;
        if !meta.is_file() {
            return Err(Error::msg(format!(
                "{} in container {} is not a regular file",
                path.display(),
                self.who
            )));
        }
        Ok(Some(Box::new(file)))
    }

    fn kind(&self, path: &Path) -> PathKind {
        use std::os::unix::fs::PermissionsExt;
        let file = match fd::open_in_root(self.root.as_fd(), path, libc::O_PATH) {
            Ok(f) => std::fs::File::from(f),
            Err(libc::ENOENT) | Err(libc::ENOTDIR) => return PathKind::Missing,
            // ELOOP: a magic link, refused by RESOLVE_NO_MAGICLINKS (or a
            // loop, which entering will report).
            Err(_) => return PathKind::Unresolved,
        };
        match file.metadata() {
            Ok(m) if m.is_dir() => PathKind::Directory,
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => PathKind::Executable,
            Ok(_) => PathKind::Other,
            Err(_) => PathKind::Unresolved,
        }
    }
}

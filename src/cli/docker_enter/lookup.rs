//! The container's files read from the host before entering: its root is
//! opened through the pinned process (`/proc/PID/root`), and every path is
//! resolved inside it with openat2(RESOLVE_IN_ROOT), so a symlink such as
//! `/etc/passwd -> /host/only` cannot lead out (security rule 11).

use super::plan::ContainerFs;
use crate::error::Error;
use crate::plan::TargetSpec;
use crate::runtime::Container;
use crate::sys::fd;
use crate::target::Target;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

/// passwd and group files beyond this are not ones we will parse.
const MAX_FILE: usize = 64 << 20;

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

    fn stat(&self, path: &Path) -> Option<libc::stat> {
        let file = fd::open_in_root(self.root.as_fd(), path, libc::O_PATH).ok()?;
        fd::fstat(file.as_fd()).ok()
    }
}

impl ContainerFs for RootFs {
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, Error> {
        let failed = |e| {
            Error::sys(
                format!("cannot read {} in container {}", path.display(), self.who),
                e,
            )
        };
        let file = match fd::open_in_root(self.root.as_fd(), path, fd::UNTRUSTED) {
            Ok(f) => f,
            Err(libc::ENOENT) | Err(libc::ENOTDIR) => return Ok(None),
            Err(e) => return Err(failed(e)),
        };
        match fd::read_regular(&file, MAX_FILE) {
            Ok(content) => Ok(Some(content)),
            Err(libc::EINVAL) | Err(libc::EFBIG) => Err(Error::msg(format!(
                "{} in container {} is not a regular file of a sensible size",
                path.display(),
                self.who
            ))),
            Err(e) => Err(failed(e)),
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.stat(path)
            .is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
    }

    fn is_executable(&self, path: &Path) -> bool {
        self.stat(path)
            .is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_mode & 0o111 != 0)
    }
}

//! `--tools` for a caller without CAP_SYS_ADMIN over its own mount
//! namespace: the owner of a rootless container, who enters it without
//! root (the kernel lets the user who made a user namespace in).
//!
//! Cloning a host directory (open_tree) and making an overlay or a tmpfs
//! need CAP_SYS_ADMIN over the mount namespace one is in, which such a
//! user lacks over the host's. So a helper of ours does it
//! ([`ns::in_helper`]): a forked child in a user namespace of its own (a
//! child of ours, only our uid and gid mapped) and a mount namespace that
//! belongs to it, where it holds that capability. It opens the tools as
//! root's run opens them (`tools_mount`'s code, unchanged): detached,
//! read-only, nosuid, nodev. It reads them as we would, with our uid: it
//! gets nothing of the host that we could not read. The detached mounts
//! come back as descriptors, and are attached after we have entered the
//! container's user and mount namespaces (the kernel lets a detached
//! mount of another mount namespace be attached by whoever may mount
//! where it goes), then locked as root's are: copied into a mount
//! namespace of a new user namespace, which marks them MNT_LOCK_READONLY.
//!
//! The container's root holds every capability over the container's user
//! namespace and over the one the lock makes (a child of it, made by a
//! process of the same host uid): it may join the session's mount
//! namespace, but no capability in any user namespace clears those marks.
//! It has none over the helper's user namespace (a sibling of its own),
//! which owns the overlay and tmpfs a whole root is made of.

use super::tools_mount::{Layout, Opened};
use crate::error::{Error, ErrorKind, Result};
use crate::sys::{ns, Errno};
use std::os::fd::OwnedFd;

/// The first field of the helper's answer.
const PROGRAMS: &[u8] = b"programs";
const ROOT: &[u8] = b"root";
const FAILED: &[u8] = b"failed";

/// Run `open` (which opens the tools) in a helper, and take what it
/// opened. `shells` are the shells `open` may name.
pub(super) fn open_in_helper(
    open: impl FnOnce() -> Result<Opened>,
    shells: &[&'static str],
) -> Result<Opened> {
    let (bytes, fds) = ns::in_helper(|| encode(open())).map_err(|e| {
        Error::sys("cannot start a helper to open the tools", e)
            .hint("creating a user namespace must be allowed (user.max_user_namespaces)")
    })?;
    decode(&bytes, fds, shells)
}

/// The helper's answer: NUL-separated fields (none of them holds a NUL),
/// and the descriptors.
fn encode(opened: Result<Opened>) -> ns::HelperAnswer {
    let join = |fields: &[&[u8]]| fields.join(&0u8);
    match opened {
        Ok((layout, shell)) => {
            let shell = shell.unwrap_or("").as_bytes();
            match layout {
                Layout::Programs { tree } => (join(&[PROGRAMS, shell]), vec![tree]),
                Layout::Root { root, tmp } => (join(&[ROOT, shell]), vec![root, tmp]),
            }
        }
        Err(err) => {
            let errno = err.errno.map_or(0, |e| e.raw_os_error()).to_string();
            let mut fields = vec![FAILED, errno.as_bytes(), err.what.as_bytes()];
            if let Some(hint) = &err.hint {
                fields.push(hint.as_bytes());
            }
            (join(&fields), Vec::new())
        }
    }
}

fn decode(bytes: &[u8], mut fds: Vec<OwnedFd>, shells: &[&'static str]) -> Result<Opened> {
    let garbled = || Error::msg("internal error: the helper that opens the tools said nonsense");
    let fields: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    let text = |field: &[u8]| String::from_utf8_lossy(field).into_owned();
    let shell = |field: &[u8]| -> Result<Option<&'static str>> {
        match field {
            b"" => Ok(None),
            named => shells
                .iter()
                .find(|s| s.as_bytes() == named)
                .map(|s| Some(*s))
                .ok_or_else(garbled),
        }
    };
    match (fields.as_slice(), fds.len()) {
        ([PROGRAMS, named], 1) => {
            let tree = fds.remove(0);
            Ok((Layout::Programs { tree }, shell(named)?))
        }
        ([ROOT, named], 2) => {
            let (root, tmp) = (fds.remove(0), fds.remove(0));
            Ok((Layout::Root { root, tmp }, shell(named)?))
        }
        ([FAILED, errno, what, hint @ ..], 0) if hint.len() <= 1 => {
            let errno: i32 = text(errno).parse().map_err(|_| garbled())?;
            Err(Error {
                kind: ErrorKind::Failed,
                what: text(what),
                errno: (errno != 0).then(|| Errno::from_raw_os_error(errno)),
                hint: hint.first().map(|h| text(h)),
                cause: None,
            })
        }
        _ => Err(garbled()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::fs::{self, OFlags};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::path::Path;

    /// The descriptors of a layout.
    fn fds_of(layout: &Layout) -> Vec<BorrowedFd<'_>> {
        match layout {
            Layout::Programs { tree } => vec![tree.as_fd()],
            Layout::Root { root, tmp } => vec![root.as_fd(), tmp.as_fd()],
        }
    }

    const SHELLS: &[&str] = &["bin/bash", "bin/sh"];

    fn dir() -> OwnedFd {
        fs::open(Path::new("/"), OFlags::PATH | OFlags::DIRECTORY).unwrap()
    }

    fn round_trip(opened: Result<Opened>) -> Result<Opened> {
        let (bytes, fds) = encode(opened);
        decode(&bytes, fds, SHELLS)
    }

    #[test]
    fn what_the_helper_opened_comes_back_whole() {
        let root = round_trip(Ok((
            Layout::Root {
                root: dir(),
                tmp: dir(),
            },
            Some("bin/sh"),
        )))
        .unwrap();
        assert!(matches!(root.0, Layout::Root { .. }));
        assert_eq!(fds_of(&root.0).len(), 2);
        assert_eq!(root.1, Some("bin/sh"));
        let programs = round_trip(Ok((Layout::Programs { tree: dir() }, None))).unwrap();
        assert!(matches!(programs.0, Layout::Programs { .. }));
        assert_eq!(programs.1, None);

        let failed = Error::sys("cannot use /x as tools", Errno::ACCESS).hint("do this");
        assert_eq!(round_trip(Err(failed.clone())).err(), Some(failed));
        let bare = Error::msg("cannot use /x as tools: it is not a directory");
        assert_eq!(round_trip(Err(bare.clone())).err(), Some(bare));
    }

    #[test]
    fn a_garbled_answer_is_an_error() {
        for (bytes, fds) in [
            (&b"programs\0bin/sh"[..], vec![]),
            (b"programs\0/bin/evil", vec![dir()]),
            (b"root\0", vec![dir()]),
            (b"failed\0x\0what", vec![]),
            (b"other", vec![]),
        ] {
            let err = decode(bytes, fds, SHELLS).err().unwrap();
            assert!(err.what.contains("nonsense"), "{bytes:?}: {err}");
        }
    }
}

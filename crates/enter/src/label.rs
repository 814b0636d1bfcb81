//! The target's security label, SELinux or AppArmor, for the program
//! (nsenter's `--follow-context`, and part of the target's confinement for
//! docker-enter and `nsenter --confine`), read and written through procfs
//! (no libselinux).
//!
//! The label is read from the host's /proc before entering, and the
//! attr/exec file is opened then too (security rule 7: after entering,
//! /proc may be the container's). Written in the process that forks the
//! program: the exec label is inherited across fork and applies at exec.

use crate::error::{Error, Result};
use crate::sys::fs::{self, OFlags};
use crate::sys::{fd, Errno};
use crate::target::Target;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

pub struct ExecLabel {
    file: OwnedFd,
    value: Vec<u8>,
    path: String,
}

impl ExecLabel {
    /// The target's label, ready to be applied; None when no labelling LSM
    /// is active (there is nothing to follow).
    pub fn prepare(target: &Target) -> Result<Option<ExecLabel>> {
        // AppArmor has its own attr directory on kernels that stack LSMs.
        let apparmor = read_label(target, "attr/apparmor/current")?;
        let selinux = match apparmor {
            None if Path::new("/sys/fs/selinux/enforce").exists() => {
                read_label(target, "attr/current")?
            }
            _ => None,
        };
        match exec_label(apparmor, selinux) {
            Some((path, value)) => open_exec(path, value).map(Some),
            None => Ok(None),
        }
    }

    pub fn apply(&self) -> Result<()> {
        fd::write_all(self.file.as_fd(), &self.value).map_err(|e| {
            Error::sys(
                format!(
                    "failed to set exec context to '{}' ({})",
                    String::from_utf8_lossy(&self.value),
                    self.path
                ),
                e,
            )
        })
    }
}

/// A label file's content without its trailing newline and NUL; None when
/// the LSM is not there (the file is missing or refuses reads).
fn read_label(target: &Target, name: &str) -> Result<Option<Vec<u8>>> {
    match target.read(name) {
        Ok(mut v) => {
            while matches!(v.last(), Some(b'\n') | Some(0)) {
                v.pop();
            }
            Ok((!v.is_empty()).then_some(v))
        }
        Err(e)
            if matches!(
                e.errno,
                Some(Errno::NOENT) | Some(Errno::INVAL) | Some(Errno::OPNOTSUPP)
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.context(format!("failed to get {} security context", target.pid))),
    }
}

/// What to write where for the target's AppArmor profile (as
/// `attr/apparmor/current` shows it) or, without AppArmor, its SELinux
/// label (`attr/current`, read only when SELinux is enabled): None when
/// there is nothing to follow.
fn exec_label(
    apparmor: Option<Vec<u8>>,
    selinux: Option<Vec<u8>>,
) -> Option<(&'static str, Vec<u8>)> {
    match (apparmor, selinux) {
        (Some(profile), _) if profile == b"unconfined" => None,
        (Some(profile), _) => {
            let mut value = b"exec ".to_vec();
            value.extend_from_slice(strip_mode(&profile));
            Some(("/proc/thread-self/attr/apparmor/exec", value))
        }
        (None, Some(label)) => Some(("/proc/thread-self/attr/exec", label)),
        (None, None) => None,
    }
}

/// AppArmor shows "profile (enforce)"; only the profile name is written.
fn strip_mode(label: &[u8]) -> &[u8] {
    match label.windows(2).rposition(|w| w == b" (") {
        Some(i) if label.ends_with(b")") => &label[..i],
        _ => label,
    }
}

fn open_exec(path: &str, value: Vec<u8>) -> Result<ExecLabel> {
    let file = fs::open(Path::new(path), OFlags::WRONLY)
        .map_err(|e| Error::sys(format!("cannot open {path}"), e))?;
    Ok(ExecLabel {
        file,
        value,
        path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::exec_label;

    /// What docker-enter's confinement and `--follow-context` write, for
    /// the labels a Docker container's process shows.
    #[test]
    fn the_label_to_exec_with() {
        assert_eq!(
            exec_label(Some(b"docker-default (enforce)".to_vec()), None),
            Some((
                "/proc/thread-self/attr/apparmor/exec",
                b"exec docker-default".to_vec()
            ))
        );
        assert_eq!(exec_label(Some(b"unconfined".to_vec()), None), None);
        let selinux = b"system_u:system_r:container_t:s0:c12,c345".to_vec();
        assert_eq!(
            exec_label(None, Some(selinux.clone())),
            Some(("/proc/thread-self/attr/exec", selinux))
        );
        assert_eq!(exec_label(None, None), None);
    }

    #[test]
    fn apparmor_mode_is_stripped() {
        assert_eq!(
            super::strip_mode(b"docker-default (enforce)"),
            b"docker-default"
        );
        assert_eq!(super::strip_mode(b"plain"), b"plain");
    }
}

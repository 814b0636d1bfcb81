//! Is a path a mount point? The can installs only into a directory the user
//! mounted at `/target`, so it must tell a mount from a plain directory
//! without a `mountpoint` binary (the image has no shell and no utilities).
//!
//! The answer comes from `/proc/self/mountinfo` (proc(5)); when /proc is not
//! readable it falls back to comparing device numbers with the parent.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// True when `path` (absolute, without symlinks) is where something is mounted.
pub fn is_mount_point(path: &Path) -> bool {
    match std::fs::read(MOUNTINFO) {
        Ok(text) => mount_points(&text).iter().any(|m| m == path),
        Err(_) => differs_from_parent(path),
    }
}

/// The mount point column (field 5) of every line of a mountinfo file.
pub fn mount_points(mountinfo: &[u8]) -> Vec<PathBuf> {
    crate::mountinfo::parse(mountinfo)
        .into_iter()
        .map(|m| m.mount_point)
        .collect()
}

/// Without /proc: a mount point sits on another device than its parent, or
/// is the root itself (same inode as its parent).
fn differs_from_parent(path: &Path) -> bool {
    let (Ok(own), Ok(parent)) = (std::fs::metadata(path), std::fs::metadata(path.join("..")))
    else {
        return false;
    };
    own.dev() != parent.dev() || own.ino() == parent.ino()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"\
1067 1066 0:60 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l
1070 1067 8:1 /usr/local/bin /target rw,relatime - ext4 /dev/sda1 rw
1071 1067 8:1 /tmp/a\\040b /with\\040space rw - ext4 /dev/sda1 rw
";

    #[test]
    fn reads_the_mount_point_column() {
        let points = mount_points(SAMPLE);
        assert_eq!(
            points,
            [
                Path::new("/"),
                Path::new("/target"),
                Path::new("/with space")
            ]
        );
    }

    #[test]
    fn proc_is_a_mount_point_and_a_fresh_directory_is_not() {
        assert!(is_mount_point(Path::new("/proc")));
        let dir = std::env::temp_dir().join(format!("can-mountinfo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!is_mount_point(&dir));
        assert!(!differs_from_parent(&dir));
        std::fs::remove_dir(&dir).unwrap();
    }
}

//! Where a process's cgroups are, on cgroup v1, v2 and hybrid hosts: its
//! memberships (/proc/PID/cgroup, one line per hierarchy,
//! `ID:CONTROLLERS:PATH`, v2 being `0::PATH`) found among the cgroup
//! mounts (mountinfo) by their controllers (or `name=`). Text in, paths
//! out: entering joins them (`nsenter_can_enter::cgroup`), a lookup reads
//! whether a container is frozen (`nsenter_can_runtime::live`).

use std::path::PathBuf;

/// One line of /proc/PID/cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Controllers and names ("cpu,cpuacct", "name=systemd"); empty for v2.
    pub controllers: Vec<String>,
    pub path: String,
}

/// A cgroup filesystem mount from /proc/self/mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupMount {
    /// The cgroup path that the mount shows at its mount point.
    pub root: String,
    pub mount_point: PathBuf,
    /// None for cgroup2; the controllers and names for v1.
    pub controllers: Option<Vec<String>>,
}

pub fn parse_memberships(text: &str) -> Vec<Membership> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let _id = parts.next()?;
            let controllers = parts.next()?;
            let path = parts.next()?;
            Some(Membership {
                controllers: controllers
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect(),
                path: path.to_string(),
            })
        })
        .collect()
}

pub fn parse_mounts(mountinfo: &str) -> Vec<CgroupMount> {
    crate::mountinfo::parse(mountinfo.as_bytes())
        .into_iter()
        .filter_map(|m| {
            let controllers = match m.fstype.as_str() {
                "cgroup2" => None,
                "cgroup" => Some(
                    m.super_options
                        .split(',')
                        .filter(|o| is_controller_option(o))
                        .map(String::from)
                        .collect(),
                ),
                _ => return None,
            };
            Some(CgroupMount {
                root: m.root.to_string_lossy().into_owned(),
                mount_point: m.mount_point,
                controllers,
            })
        })
        .collect()
}

/// v1 super options that name the hierarchy (controllers or name=), as
/// opposed to generic ones like rw, nosuid, relatime.
fn is_controller_option(option: &str) -> bool {
    const GENERIC: &[&str] = &[
        "rw",
        "ro",
        "nosuid",
        "nodev",
        "noexec",
        "relatime",
        "noprefix",
        "xattr",
        "cpuset_v2_mode",
        "clone_children",
    ];
    !GENERIC.contains(&option) && !option.starts_with("release_agent=")
}

/// The directory of a membership's cgroup, among the mounts. The first
/// mount whose root is an ancestor of the path wins.
pub fn cgroup_dir(member: &Membership, mounts: &[CgroupMount]) -> Option<PathBuf> {
    let mut wanted = member.controllers.clone();
    wanted.sort();
    mounts.iter().find_map(|m| {
        let same = match &m.controllers {
            None => wanted.is_empty(),
            Some(c) => {
                let mut c = c.clone();
                c.sort();
                !wanted.is_empty() && c == wanted
            }
        };
        if !same {
            return None;
        }
        let rel = relative_to(&member.path, &m.root)?;
        let mut path = m.mount_point.clone();
        if !rel.is_empty() {
            path.push(rel);
        }
        Some(path)
    })
}

fn relative_to<'a>(path: &'a str, root: &str) -> Option<&'a str> {
    if root == "/" {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(root)?;
    if rest.is_empty() || rest.starts_with('/') {
        Some(rest.trim_start_matches('/'))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
30 25 0:26 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
";

    const HYBRID: &str = "\
12:memory:/docker/abc
11:cpu,cpuacct:/docker/abc
1:name=systemd:/docker/abc
0::/docker/abc
";

    #[test]
    fn maps_every_hybrid_hierarchy() {
        let mounts = parse_mounts(MOUNTINFO);
        assert_eq!(mounts.len(), 4);
        let files: Vec<_> = parse_memberships(HYBRID)
            .iter()
            .map(|m| cgroup_dir(m, &mounts).unwrap())
            .collect();
        assert_eq!(
            files,
            [
                "/sys/fs/cgroup/memory/docker/abc",
                "/sys/fs/cgroup/cpu,cpuacct/docker/abc",
                "/sys/fs/cgroup/systemd/docker/abc",
                "/sys/fs/cgroup/unified/docker/abc",
            ]
            .map(PathBuf::from)
        );
    }

    #[test]
    fn v2_only_and_root_cgroup() {
        let mounts = parse_mounts("29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        let m = &parse_memberships("0::/\n")[0];
        assert_eq!(
            cgroup_dir(m, &mounts).unwrap(),
            PathBuf::from("/sys/fs/cgroup")
        );
    }

    #[test]
    fn mount_root_not_an_ancestor_is_skipped() {
        let mounts = parse_mounts("29 23 0:26 /sub /mnt/cg rw - cgroup2 cgroup2 rw\n");
        let m = &parse_memberships("0::/other\n")[0];
        assert_eq!(cgroup_dir(m, &mounts), None);
        let m = &parse_memberships("0::/sub/x\n")[0];
        assert_eq!(cgroup_dir(m, &mounts).unwrap(), PathBuf::from("/mnt/cg/x"));
    }
}

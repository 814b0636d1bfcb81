//! User and group ids. The kernel keeps them per thread; rustix sets them
//! for the calling thread only, which is the whole process here: the tools
//! are single-threaded.

use super::SysResult;
use rustix::process::{Gid, Uid};

pub fn getuid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The effective uid: 0 is what entering a container takes.
pub fn geteuid() -> u32 {
    rustix::process::geteuid().as_raw()
}

pub fn setgroups(groups: &[u32]) -> SysResult<()> {
    let groups: Vec<Gid> = groups.iter().map(|&g| Gid::from_raw(g)).collect();
    rustix::thread::set_thread_groups(&groups)
}

pub fn setgid(gid: u32) -> SysResult<()> {
    rustix::thread::set_thread_gid(Gid::from_raw(gid))
}

pub fn setuid(uid: u32) -> SysResult<()> {
    rustix::thread::set_thread_uid(Uid::from_raw(uid))
}

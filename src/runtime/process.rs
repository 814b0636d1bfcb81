//! `pid:N` for a process no runtime claims (an LXC or nspawn guest, a
//! sandboxed service): its own user and start time stand in for a
//! runtime's configuration. Its environment is its own too, read after
//! `enter::prepare` through the held /proc/PID (`app::docker_enter`), so
//! it is bounded as every target's environ is and cannot be another
//! process's.

use super::{Container, ContainerState, ReadFrom, RuntimeKind};
use crate::error::Error;
use crate::plan::Identity;
use crate::sys::fs;
use crate::sys::Errno;
use crate::target::parse_start_ticks;
use std::path::Path;

const MAX_PROC_FILE: usize = 64 << 10;

/// The process as a container: running as its effective uid and gid, in
/// "/"; its environment is filled in after prepare.
pub fn describe(pid: i32) -> Result<Container, Error> {
    let read = |name: &str, max: usize| {
        let path = format!("/proc/{pid}/{name}");
        fs::read_head(Path::new(&path), max).map_err(|e| match e {
            Errno::NOENT | Errno::SRCH => Error::msg(format!("no process {pid}")),
            e => Error::sys(format!("cannot read {path}"), e),
        })
    };
    let stat = read("stat", MAX_PROC_FILE)?;
    let start = parse_start_ticks(&stat)
        .ok_or_else(|| Error::msg(format!("cannot parse /proc/{pid}/stat")))?;
    let status = String::from_utf8_lossy(&read("status", MAX_PROC_FILE)?).into_owned();
    let effective = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .unwrap_or("0")
            .to_string()
    };
    let comm = read("comm", MAX_PROC_FILE)?;
    Ok(Container {
        read_from: ReadFrom::Proc,
        runtime: RuntimeKind::Process,
        id: pid.to_string(),
        name: String::from_utf8_lossy(&comm).trim_end().to_string(),
        state: ContainerState::Running,
        pid,
        identity: Identity {
            start_ticks: Some(start),
            ..Identity::default()
        },
        user: format!("{}:{}", effective("Uid:"), effective("Gid:")),
        ..Container::default()
    })
}

//! `pid:N` for a process no runtime claims (an LXC or nspawn guest, a
//! sandboxed service): its own user, environment and start time stand in
//! for a runtime's configuration.

use super::{Container, ContainerState, ReadFrom, RuntimeKind};
use crate::error::Error;
use crate::plan::Identity;
use crate::sys::fs;
use crate::sys::Errno;
use crate::target::parse_start_ticks;
use std::path::Path;

/// /proc/PID/environ beyond this is not an environment we copy (Linux
/// caps a process's arguments and environment together at a quarter of its
/// stack limit, 2 MiB by default).
const MAX_ENVIRON: usize = 4 << 20;
const MAX_PROC_FILE: usize = 64 << 10;

/// The process as a container: running as its effective uid and gid, in
/// "/", with its environment (entries that are not UTF-8 are left out).
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
    let environ = read("environ", MAX_ENVIRON)?;
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
        env: environ
            .split(|&b| b == 0)
            .filter(|e| e.contains(&b'='))
            .filter_map(|e| String::from_utf8(e.to_vec()).ok())
            .collect(),
        ..Container::default()
    })
}

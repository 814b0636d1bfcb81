//! `pid:N` for a process no runtime claims (an LXC or nspawn guest, a
//! sandboxed service): its own user and groups (as its user namespace
//! names them) and start time stand in for a runtime's configuration. Its
//! environment is its own too, read after `enter::prepare` through the
//! held /proc/PID (`app::docker_enter`), so it is bounded as every
//! target's environ is and cannot be another process's.

use super::idmap::IdMap;
use super::{Container, ContainerState, ReadFrom, RuntimeKind};
use crate::error::Error;
use crate::plan::Identity;
use crate::plan::TargetSpec;
use crate::sys::fs;
use crate::sys::Errno;
use crate::target::{parse_start_ticks, Target};
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
    // The host's view names host IDs: the program takes the IDs the
    // process's own user namespace gives them (rootless root is 0 there).
    let map =
        |name: &str| IdMap::parse(&read(name, MAX_PROC_FILE)?, &format!("/proc/{pid}/{name}"));
    let (uid_map, gid_map) = (map("uid_map")?, map("gid_map")?);
    let host_ids = |key: &str| -> Vec<u32> {
        let line = status.lines().find_map(|l| l.strip_prefix(key));
        line.unwrap_or_default()
            .split_whitespace()
            .filter_map(|id| id.parse().ok())
            .collect()
    };
    let effective = |key: &str, map: &IdMap, file: &str| -> Result<u32, Error> {
        let host = *host_ids(key)
            .get(1)
            .ok_or_else(|| Error::msg(format!("cannot parse /proc/{pid}/status")))?;
        map.inside(host).ok_or_else(|| {
            Error::msg(format!(
                "process {pid} runs as {} {host}, which its user namespace does not map \
                 (/proc/{pid}/{file}); nothing inside could run as it",
                key.trim_end_matches(':').to_lowercase()
            ))
        })
    };
    let uid = effective("Uid:", &uid_map, "uid_map")?;
    let gid = effective("Gid:", &gid_map, "gid_map")?;
    // Its supplementary groups too; one its namespace does not map could
    // not be given inside, and is left out.
    let groups = host_ids("Groups:")
        .into_iter()
        .filter_map(|g| gid_map.inside(g))
        .collect();
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
        user: format!("{uid}:{gid}"),
        user_groups: Some(groups),
        ..Container::default()
    })
}

/// Refuse `pid:N` of a process that shares every namespace with us: it is
/// in no container, and entering it would run the command on the host.
/// One whose namespaces the kernel will not show even to root (a sandbox's
/// init) is refused too, saying so: nothing could be entered there.
pub fn refuse_host_process(pid: i32) -> Result<(), Error> {
    let spec = TargetSpec {
        pid,
        pidfd_ino: None,
        identity: None,
    };
    let shares = Target::open(&spec).and_then(|t| t.shares_every_namespace());
    match shares {
        Ok(false) => Ok(()),
        Ok(true) => {
            let comm = fs::read_head(Path::new(&format!("/proc/{pid}/comm")), MAX_PROC_FILE)
                .map(|c| String::from_utf8_lossy(&c).trim_end().to_string())
                .unwrap_or_default();
            Err(Error::msg(format!(
                "refusing pid:{pid}: process {pid} ({comm}) is in no container: it shares \
                 every namespace with docker-enter, so the command would run on the host"
            ))
            .hint(format!(
                "to run a command in its namespaces all the same: nsenter -t {pid} -a COMMAND"
            )))
        }
        Err(e) if matches!(e.errno, Some(Errno::ACCESS | Errno::PERM)) => Err(Error::msg(format!(
            "cannot enter pid:{pid}: access to its namespaces is denied even to root \
                 ({e}): the kernel protects process {pid} from inspection, so docker-enter \
                 can neither tell whether it is in a container nor enter it"
        ))
        .hint("docker-enter --list shows the containers it can enter")),
        Err(e) => Err(e),
    }
}

//! What /proc/PID/status says of a process's confinement.

use crate::error::Error;
use crate::target::Target;

/// The lines of /proc/PID/status that confinement needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// CapBnd: the bounding set, what the process and its children can
    /// ever hold.
    pub bounding: u64,
    pub no_new_privs: bool,
    /// Seccomp: 0 none, 1 strict, 2 filters.
    pub seccomp_mode: u8,
    /// Seccomp_filters (Linux 5.9): how many filters are stacked.
    pub seccomp_filters: Option<u32>,
    /// TracerPid: the process tracing it, 0 for none.
    pub tracer: i32,
}

/// The target's status, read through its held /proc/PID.
pub fn read(target: &Target) -> crate::error::Result<Status> {
    let text = String::from_utf8_lossy(&target.read("status")?).into_owned();
    parse(&text).map_err(|line| {
        Error::msg(format!(
            "cannot parse /proc/{}/status: no {line} line",
            target.pid
        ))
    })
}

/// Parse the status text; Err names the line missing or malformed (a
/// kernel without it, or not a status file).
pub fn parse(text: &str) -> Result<Status, &'static str> {
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let bounding = field("CapBnd")
        .and_then(|v| u64::from_str_radix(v, 16).ok())
        .ok_or("CapBnd")?;
    let no_new_privs = match field("NoNewPrivs") {
        Some("0") => false,
        Some("1") => true,
        _ => return Err("NoNewPrivs"),
    };
    let seccomp_mode = field("Seccomp")
        .and_then(|v| v.parse().ok())
        .ok_or("Seccomp")?;
    let seccomp_filters = match field("Seccomp_filters") {
        None => None,
        Some(v) => Some(v.parse().map_err(|_| "Seccomp_filters")?),
    };
    let tracer = field("TracerPid")
        .and_then(|v| v.parse().ok())
        .ok_or("TracerPid")?;
    Ok(Status {
        bounding,
        no_new_privs,
        seccomp_mode,
        seccomp_filters,
        tracer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status of a process in a default Docker container, cut down.
    const DOCKER: &str = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n\
        TracerPid:\t0\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n\
        CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n\
        NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn a_docker_container_process() {
        assert_eq!(
            parse(DOCKER),
            Ok(Status {
                bounding: 0xa80425fb,
                no_new_privs: false,
                seccomp_mode: 2,
                seccomp_filters: Some(1),
                tracer: 0,
            })
        );
    }

    #[test]
    fn traced_with_no_new_privs_on_an_older_kernel() {
        let text = DOCKER
            .replace("TracerPid:\t0", "TracerPid:\t77")
            .replace("NoNewPrivs:\t0", "NoNewPrivs:\t1")
            .replace("Seccomp_filters:\t1\n", "");
        let status = parse(&text).unwrap();
        assert_eq!(
            (status.tracer, status.no_new_privs, status.seccomp_filters),
            (77, true, None)
        );
    }

    #[test]
    fn a_missing_or_bad_line_is_named() {
        assert_eq!(parse(&DOCKER.replace("CapBnd", "CapXyz")), Err("CapBnd"));
        assert_eq!(
            parse(&DOCKER.replace("NoNewPrivs:\t0", "NoNewPrivs:\tx")),
            Err("NoNewPrivs")
        );
        assert_eq!(parse(""), Err("CapBnd"));
    }
}

//! seccomp filters for the tests: what a process runs under (read with
//! ptrace by a small static program), what libseccomp makes of a profile
//! when driven as runc 1.1 drives it (a small program linked against the
//! system's libseccomp.so.2, which runc, Docker and Podman depend on), and
//! programs as bytes.

use nsenter_can::sys::seccomp::Insn;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const FILTERS_C: &str = include_str!("programs/filters.c");
pub const ORACLE_C: &str = include_str!("programs/seccomp_oracle.c");

/// A program as the kernel holds it: `struct sock_filter` in host order.
pub fn bytes(program: &[Insn]) -> Vec<u8> {
    program
        .iter()
        .flat_map(|i| {
            let mut b = i.code.to_ne_bytes().to_vec();
            b.extend([i.jt, i.jf]);
            b.extend(i.k.to_ne_bytes());
            b
        })
        .collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The filters of process `pid`, oldest first: (flags, program bytes).
/// The process is stopped for a moment.
pub fn filters(pid: i32) -> Vec<(u64, Vec<u8>)> {
    let Some(dumper) = super::static_c::require("filters", FILTERS_C) else {
        panic!("cannot build the filter dumper");
    };
    super::run(Command::new(dumper).arg(pid.to_string()), b"")
        .success()
        .stdout
        .lines()
        .map(|line| {
            let mut parts = line.split(' ');
            let _index = parts.next();
            let flags = parts.next().unwrap().parse().unwrap();
            (flags, unhex(parts.next().unwrap()))
        })
        .collect()
}

/// The oracle: libseccomp driven as runc drives it; None (after saying
/// why, or failing under CI) when it cannot be built.
pub fn oracle() -> Option<PathBuf> {
    static BUILT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = super::tempdir("seccomp-oracle");
            let source = dir.join("oracle.c");
            std::fs::write(&source, ORACLE_C).ok()?;
            let binary = dir.join("oracle");
            let out = super::run(
                Command::new("gcc")
                    .args(["-O2", "-o"])
                    .arg(&binary)
                    .arg(&source)
                    .arg("-l:libseccomp.so.2"),
                b"",
            );
            if !out.succeeded() {
                eprintln!("gcc oracle: {}", out.stderr);
                return None;
            }
            Some(binary)
        })
        .clone()
        .or_else(|| {
            super::skip_or_fail("cannot build the libseccomp oracle (gcc, libseccomp2)");
            None
        })
}

/// libseccomp's name of an OCI architecture.
fn arch_name(oci: &str) -> String {
    oci.trim_start_matches("SCMP_ARCH_").to_ascii_lowercase()
}

/// runc 1.1's action value (libseccomp's SCMP_ACT_*).
fn action(name: &str, errno_ret: Option<u64>) -> u32 {
    let data = (errno_ret.unwrap_or(1) & 0xffff) as u32;
    match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => 0,
        "SCMP_ACT_KILL_PROCESS" => 0x8000_0000,
        "SCMP_ACT_TRAP" => 0x0003_0000,
        "SCMP_ACT_ERRNO" => 0x0005_0000 | data,
        "SCMP_ACT_TRACE" => 0x7ff0_0000 | data,
        "SCMP_ACT_LOG" => 0x7ffc_0000,
        "SCMP_ACT_ALLOW" => 0x7fff_0000,
        other => panic!("no action {other}"),
    }
}

fn op(name: &str) -> u32 {
    match name {
        "SCMP_CMP_NE" => 1,
        "SCMP_CMP_LT" => 2,
        "SCMP_CMP_LE" => 3,
        "SCMP_CMP_EQ" => 4,
        "SCMP_CMP_GE" => 5,
        "SCMP_CMP_GT" => 6,
        "SCMP_CMP_MASKED_EQ" => 7,
        other => panic!("no comparison {other}"),
    }
}

/// The oracle's input for one profile (`linux.seccomp`): what runc 1.1
/// asks of libseccomp (its matchCall, written again here from its
/// documented behaviour, independently of docker-enter's code).
pub fn oracle_input(profile: &Value) -> String {
    let default = action(
        profile["defaultAction"].as_str().unwrap(),
        profile["defaultErrnoRet"].as_u64(),
    );
    let mut out = format!("default {default}\n");
    for arch in profile["architectures"].as_array().into_iter().flatten() {
        out += &format!("arch {}\n", arch_name(arch.as_str().unwrap()));
    }
    for entry in profile["syscalls"].as_array().into_iter().flatten() {
        let act = action(
            entry["action"].as_str().unwrap(),
            entry["errnoRet"].as_u64(),
        );
        if act == default {
            continue;
        }
        let args: Vec<(u64, u32, u64, u64)> = entry["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["index"].as_u64().unwrap(),
                    op(a["op"].as_str().unwrap()),
                    a["value"].as_u64().unwrap_or(0),
                    a["valueTwo"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let mut indexes: Vec<u64> = args.iter().map(|a| a.0).collect();
        indexes.sort_unstable();
        let shared = indexes.windows(2).any(|w| w[0] == w[1]);
        let groups: Vec<Vec<(u64, u32, u64, u64)>> = if shared {
            args.iter().map(|a| vec![*a]).collect()
        } else {
            vec![args.clone()]
        };
        for name in entry["names"].as_array().into_iter().flatten() {
            for group in &groups {
                out += &format!("rule {act} {} {}", name.as_str().unwrap(), group.len());
                for (i, o, a, b) in group {
                    out += &format!(" {i} {o} {a} {b}");
                }
                out += "\n";
            }
        }
    }
    out + "end\n"
}

/// What the oracle writes for `input`, fed to it while it answers.
fn converse(oracle: &Path, input: String) -> String {
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// libseccomp's program for each profile (Err with what failed).
pub fn libseccomp(oracle: &Path, profiles: &[Value]) -> Vec<Result<Vec<u8>, String>> {
    let input: String = profiles.iter().map(oracle_input).collect();
    let out = converse(oracle, input);
    let results: Vec<Result<Vec<u8>, String>> = out
        .lines()
        .map(|line| match line.strip_prefix("ok ") {
            Some(hex) => Ok(unhex(hex)),
            None => Err(line.to_string()),
        })
        .collect();
    assert_eq!(
        results.len(),
        profiles.len(),
        "the oracle answered every profile"
    );
    results
}

/// The oracle's answers to table requests ("name ARCH NAME", "number ARCH
/// NUMBER"), one line each.
pub fn ask_table(oracle: &Path, requests: &[String]) -> Vec<String> {
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let out = converse(oracle, input);
    let answers: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(answers.len(), requests.len());
    answers
}

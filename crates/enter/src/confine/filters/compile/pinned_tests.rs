//! The compiler's output pinned: the programs containers on this machine
//! run (testdata/), and digests of today's programs for shapes that only
//! the integration tests compare with libseccomp (tests/seccomp), so that
//! a change to the compiler's data or speed cannot change a byte unseen
//! by `cargo test -p nsenter-can-enter`.

use super::{compile, libseccomp_part, variants};
use crate::sys::seccomp::Insn;
use serde_json::{json, Value};

const DOCKER: &[u8] = include_bytes!("../../../../../runtime/src/testdata/bundle-docker.json");
const PODMAN: &[u8] = include_bytes!("../../../../../runtime/src/testdata/bundle-podman.json");

fn profile(bundle: &[u8]) -> Value {
    let mut config: Value = serde_json::from_slice(bundle).expect("a bundle's config.json");
    config["linux"]["seccomp"].take()
}

/// A program as the kernel hands it out: `struct sock_filter`s in the
/// host's byte order.
fn program(taken: &[u8]) -> Vec<Insn> {
    taken
        .chunks_exact(8)
        .map(|i| Insn {
            code: u16::from_ne_bytes([i[0], i[1]]),
            jt: i[2],
            jf: i[3],
            k: u32::from_ne_bytes([i[4], i[5], i[6], i[7]]),
        })
        .collect()
}

/// FNV-1a of a program's bytes (as the kernel holds it), with its
/// length.
fn digest(program: &[Insn]) -> (usize, u64) {
    let hash = program
        .iter()
        .flat_map(|i| {
            let [c0, c1] = i.code.to_ne_bytes();
            let [k0, k1, k2, k3] = i.k.to_ne_bytes();
            [c0, c1, i.jt, i.jf, k0, k1, k2, k3]
        })
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    (program.len(), hash)
}

/// The container's program is ours once runc's stub is in our order.
fn runs_as_taken(bundle: &[u8], taken: &[u8]) {
    let profile = profile(bundle);
    let taken = program(taken);
    let ours = compile(&profile).unwrap().expect("a filter");
    let body = libseccomp_part(&profile).unwrap().unwrap();
    assert_eq!(ours.len(), taken.len());
    assert!(taken.ends_with(&body), "libseccomp's part");
    assert!(ours.ends_with(&body));
    let orders = variants(&profile).unwrap();
    assert!(orders.contains(&ours));
    assert!(orders.contains(&taken), "runc's stub in some order");
}

#[test]
fn docker_default_is_what_its_container_runs() {
    runs_as_taken(DOCKER, include_bytes!("testdata/docker-default.bpf"));
}

#[test]
fn podman_default_is_what_its_container_runs() {
    runs_as_taken(PODMAN, include_bytes!("testdata/podman-default.bpf"));
}

/// Argument rules with several comparisons of each kind (two on one
/// argument split a rule), ERRNO actions with different values, calls
/// multiplexed through socketcall(2) and ipc(2) on x86, x32 beside
/// x86_64, names libseccomp does not know.
fn shapes() -> Value {
    let arg = |index: u64, op: &str, value: u64, two: u64| json!({"index": index, "op": op, "value": value, "valueTwo": two});
    json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": ["read", "write", "close", "no_such_call", "socket", "shmat"],
             "action": "SCMP_ACT_ALLOW"},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [arg(0, "SCMP_CMP_EQ", 8, 0)]},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [arg(0, "SCMP_CMP_EQ", 0xffff_ffff, 0)]},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [arg(0, "SCMP_CMP_MASKED_EQ", 0x7e02_0000, 0)]},
            {"names": ["mmap", "mprotect"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
             "args": [arg(2, "SCMP_CMP_MASKED_EQ", 4, 4), arg(3, "SCMP_CMP_GT", 1 << 33, 0)]},
            {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3,
             "args": [arg(1, "SCMP_CMP_LT", 9, 0), arg(1, "SCMP_CMP_GE", 2, 0)]},
            {"names": ["prctl"], "action": "SCMP_ACT_TRAP",
             "args": [arg(0, "SCMP_CMP_NE", 22, 0), arg(1, "SCMP_CMP_LE", 3, 0),
                      arg(4, "SCMP_CMP_GE", u64::MAX, 0)]},
            {"names": ["connect", "accept4", "semop", "msgrcv"], "action": "SCMP_ACT_LOG",
             "args": [arg(2, "SCMP_CMP_EQ", 16, 0)]},
            {"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
            {"names": ["socketcall", "ipc"], "action": "SCMP_ACT_TRACE", "errnoRet": 2},
        ]
    })
}

#[test]
fn tricky_shapes_compile_as_today() {
    let program = compile(&shapes()).unwrap().unwrap();
    assert_eq!(digest(&program), (134, 153013912152588941));
}

/// Hundreds of calls on five ABIs: long jumps and copied returns.
#[test]
fn a_large_profile_compiles_as_today() {
    let mut profile = profile(DOCKER);
    profile["architectures"] = json!([
        "SCMP_ARCH_X86",
        "SCMP_ARCH_ARM",
        "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_PPC64LE"
    ]);
    let extra = profile["syscalls"].as_array_mut().unwrap();
    extra.push(shapes()["syscalls"][4].clone());
    extra.push(shapes()["syscalls"][6].clone());
    let program = compile(&profile).unwrap().unwrap();
    assert_eq!(digest(&program), (1669, 1463246191381328199));
}

/// Sections that end in the same calls (x86, ARM and MIPS number many
/// calls alike): their call tests share identities, found across the
/// sections.
#[test]
fn sections_that_end_alike_compile_as_today() {
    let profile = json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPSEL"],
        "syscalls": [
            {"names": ["read", "write", "close", "exit", "fork"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["kill"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}
        ]
    });
    let program = compile(&profile).unwrap().unwrap();
    assert_eq!(digest(&program), (58, 6264507816428587315));
}

#[test]
fn flags_and_unknown_denials_are_refused() {
    let mut flagged = shapes();
    flagged["flags"] = json!(["SECCOMP_FILTER_FLAG_LOG"]);
    assert!(compile(&flagged).unwrap_err().0.contains("flags"));
    let denied = json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["no_such_call"], "action": "SCMP_ACT_ERRNO"}]
    });
    assert!(compile(&denied).unwrap_err().0.contains("does not know"));
}

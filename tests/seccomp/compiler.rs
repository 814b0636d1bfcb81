//! docker-enter compiles a container's seccomp profile as runc 1.1 does
//! with libseccomp 2.5.4 (crates/enter/src/confine/filters/compile). Here its program
//! is compared, byte for byte, with libseccomp's own for the same profile
//! (the system's libseccomp.so.2, driven as runc drives it): the default
//! profiles of Docker and Podman, and thousands of random profiles that
//! reach every part of the compiler (argument comparisons of every kind
//! and width, several rules on a call, conflicting rules, the ABIs that
//! multiplex socket and IPC calls, x32, names libseccomp does not know),
//! and hundreds of random profiles of Docker's size or larger (long jumps).
//! That the whole program, runc's stub included, is the one a container
//! runs is checked against a Docker and a Podman container here too
//! (`containers_run_the_filter_we_compile_from_their_record`).

use crate::common;

use common::seccomp::{ask_table, bytes, libseccomp, oracle};
use nsenter_can::confine::filters::compile;
use serde_json::{json, Value};

/// A small fixed-seed generator: the same profiles on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Names to draw from: ordinary calls, calls some ABIs reach only
/// through socketcall(2) or ipc(2), those multiplexers, calls only some
/// ABIs have, and names libseccomp 2.5.4 does not know.
const NAMES: &[&str] = &[
    "read",
    "write",
    "open",
    "openat",
    "close",
    "mmap",
    "clone",
    "clone3",
    "personality",
    "ptrace",
    "kill",
    "getpid",
    "uname",
    "epoll_wait",
    "sigaltstack",
    "futex",
    "prctl",
    "socket",
    "connect",
    "accept",
    "accept4",
    "send",
    "recv",
    "sendto",
    "recvmsg",
    "sendmmsg",
    "socketpair",
    "setsockopt",
    "semop",
    "semget",
    "semtimedop",
    "msgrcv",
    "shmat",
    "shmctl",
    "socketcall",
    "ipc",
    "arch_prctl",
    "_llseek",
    "chown32",
    "breakpoint",
    "set_tls",
    "cacheflush",
    "io_uring_setup",
    "faccessat2",
    "process_mrelease",
    "fchmodat2",
    "statmount",
    "no_such_call",
];

const ARCHS: &[&str] = &[
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
];

const OPS: &[&str] = &[
    "SCMP_CMP_NE",
    "SCMP_CMP_LT",
    "SCMP_CMP_LE",
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ",
];

fn value(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0 => 0,
        1 => rng.below(4),
        2 => u64::from(u32::MAX),
        3 => 1 << 32,
        4 => u64::MAX,
        5 => rng.next() & 0xffff_ffff,
        6 => rng.next() & 0xffff_ffff_0000_0000,
        _ => rng.next(),
    }
}

/// An action with its errnoRet, when it has one.
fn action(rng: &mut Rng, allowing: bool) -> (&'static str, Option<u64>) {
    if allowing && rng.below(2) == 0 {
        return ("SCMP_ACT_ALLOW", None);
    }
    match rng.below(9) {
        0 => ("SCMP_ACT_ERRNO", None),
        1 | 2 => ("SCMP_ACT_ERRNO", Some(1 + rng.below(3))),
        3 => ("SCMP_ACT_KILL", None),
        4 => ("SCMP_ACT_KILL_PROCESS", None),
        5 => ("SCMP_ACT_TRAP", None),
        6 => ("SCMP_ACT_LOG", None),
        7 => ("SCMP_ACT_TRACE", Some(rng.below(3))),
        _ => ("SCMP_ACT_ALLOW", None),
    }
}

fn random_profile(rng: &mut Rng) -> Value {
    let default = action(rng, false);
    let archs: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(ARCHS)).collect();
    let mut syscalls = Vec::new();
    for _ in 0..rng.below(30) {
        let names: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(NAMES)).collect();
        let act = action(rng, true);
        let count = [0, 0, 0, 1, 1, 2, 3][rng.below(7) as usize];
        syscalls.push(entry(rng, names, act, count));
    }
    profile(default, archs, syscalls)
}

/// A syscall entry of `names` with `count` random conditions.
fn entry(rng: &mut Rng, names: Vec<&str>, act: (&str, Option<u64>), count: u64) -> Value {
    let args: Vec<Value> = (0..count)
        .map(|_| {
            json!({
                "index": rng.below(6),
                "op": rng.pick(OPS),
                "value": value(rng),
                "valueTwo": value(rng),
            })
        })
        .collect();
    let mut entry = json!({"names": names, "action": act.0, "args": args});
    if let Some(e) = act.1 {
        entry["errnoRet"] = json!(e);
    }
    entry
}

fn profile(default: (&str, Option<u64>), archs: Vec<&str>, syscalls: Vec<Value>) -> Value {
    let mut profile = json!({
        "defaultAction": default.0,
        "architectures": archs,
        "syscalls": syscalls,
    });
    if let Some(e) = default.1 {
        profile["defaultErrnoRet"] = json!(e);
    }
    profile
}

/// Our program without runc's stub, or why we refuse.
fn ours(profile: &Value) -> Result<Vec<u8>, String> {
    match compile::libseccomp_part(profile) {
        Ok(Some(program)) => Ok(bytes(&program)),
        Ok(None) => Err("no filter".into()),
        Err(e) => Err(e.0),
    }
}

/// Where our refusal is ours alone (not libseccomp's): a name it does not
/// know, denied under a default that allows.
fn refused_by_us_alone(why: &str) -> bool {
    why.contains("does not know")
}

/// Our programs against libseccomp's for `profiles`: each the same, or
/// both refused (or refused by us alone, for a reason of ours alone).
/// Returns the programs both made, and how many both refused.
fn compare_with_libseccomp(oracle: &std::path::Path, profiles: &[Value]) -> (Vec<Vec<u8>>, usize) {
    let theirs = libseccomp(oracle, profiles);
    let (mut same, mut both_refused) = (Vec::new(), 0);
    for (profile, theirs) in profiles.iter().zip(theirs) {
        match (ours(profile), theirs) {
            (Ok(a), Ok(b)) => {
                if a != b {
                    let at = (0..a.len().min(b.len()) / 8)
                        .find(|i| a[i * 8..i * 8 + 8] != b[i * 8..i * 8 + 8]);
                    panic!(
                        "a different program ({} against {} instructions, first difference at {at:?}) for\n{}",
                        a.len() / 8,
                        b.len() / 8,
                        common::seccomp::oracle_input(profile)
                    );
                }
                same.push(a);
            }
            (Err(_), Err(_)) => both_refused += 1,
            (Err(why), Ok(_)) if refused_by_us_alone(&why) => {}
            (ours, theirs) => panic!(
                "for\n{}\nwe give {:?}, libseccomp {:?}",
                common::seccomp::oracle_input(profile),
                ours.map(|p| p.len() / 8),
                theirs.map(|p| p.len() / 8)
            ),
        }
    }
    (same, both_refused)
}

#[test]
fn random_profiles_compile_as_libseccomp_does() {
    let Some(oracle) = oracle() else { return };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let profiles: Vec<Value> = (0..3000).map(|_| random_profile(&mut rng)).collect();
    let (same, both_refused) = compare_with_libseccomp(&oracle, &profiles);
    // Both outcomes are exercised.
    assert!(same.len() > 1500, "{} programs compared", same.len());
    assert!(both_refused > 50, "{both_refused} refused by both");
}

/// A profile the size of Docker's or larger: hundreds of names, most of
/// them allowed outright, some under conditions, on one to three ABIs.
/// Sections of more than 255 instructions need the generator's long jumps
/// and copied returns, which small profiles never reach.
fn large_profile(rng: &mut Rng, known: &[&str]) -> Value {
    let default = action(rng, false);
    let archs: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(ARCHS)).collect();
    let mut syscalls = Vec::new();
    for _ in 0..1 + rng.below(12) {
        let count = 5 + rng.below(120);
        let names: Vec<&str> = (0..count)
            .map(|_| match rng.below(40) {
                0 => *rng.pick(NAMES),
                _ => *rng.pick(known),
            })
            .collect();
        let act = match rng.below(10) {
            0..=6 => ("SCMP_ACT_ALLOW", None),
            _ => action(rng, true),
        };
        let conditions = match rng.below(6) {
            0 => 1 + rng.below(3),
            _ => 0,
        };
        syscalls.push(entry(rng, names, act, conditions));
    }
    profile(default, archs, syscalls)
}

#[test]
fn large_random_profiles_compile_as_libseccomp_does() {
    let Some(oracle) = oracle() else { return };
    let known: Vec<&str> = compile::known_names().collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let profiles: Vec<Value> = (0..300).map(|_| large_profile(&mut rng, &known)).collect();
    let (same, _) = compare_with_libseccomp(&oracle, &profiles);
    // Long jumps (BPF_JA) among them.
    let long = same
        .iter()
        .filter(|p| p.chunks(8).any(|i| i[0] == 0x05))
        .count();
    assert!(same.len() > 100, "{} programs compared", same.len());
    assert!(long > 10, "{long} programs with long jumps");
}

/// The default profiles Docker and Podman wrote on this machine.
#[test]
fn docker_and_podman_default_profiles_compile_as_libseccomp_does() {
    let Some(oracle) = oracle() else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/runtime/src/testdata");
    let profiles: Vec<Value> = ["bundle-docker.json", "bundle-podman.json"]
        .iter()
        .map(|f| {
            let text = std::fs::read(dir.join(f)).unwrap();
            let config: Value = serde_json::from_slice(&text).unwrap();
            config["linux"]["seccomp"].clone()
        })
        .collect();
    for (profile, theirs) in profiles.iter().zip(libseccomp(&oracle, &profiles)) {
        let theirs = theirs.expect("libseccomp compiles it");
        assert!(ours(profile).unwrap() == theirs);
        // And runc's stub in front of it.
        let whole = bytes(&compile::compile(profile).unwrap().unwrap());
        assert!(whole.len() > theirs.len() && whole.ends_with(&theirs));
    }
}

/// The compiler's syscall table is the system libseccomp's: every name it
/// knows has the same number on every ABI (any pseudo number below
/// -10000 for a call the ABI lacks: only the multiplexed calls' carry
/// meaning), and every number up to 1100
/// (past the last call of any ABI) and every multiplexed call's pseudo
/// number has the same name.
#[test]
fn the_syscall_table_is_the_system_libseccomps() {
    let Some(oracle) = oracle() else { return };
    let names: Vec<&str> = compile::known_names().collect();
    let bases = [
        ("SCMP_ARCH_X86_64", 0),
        ("SCMP_ARCH_X86", 0),
        ("SCMP_ARCH_X32", 0x4000_0000),
        ("SCMP_ARCH_ARM", 0),
        ("SCMP_ARCH_AARCH64", 0),
        ("SCMP_ARCH_PPC64LE", 0),
        ("SCMP_ARCH_MIPSEL", 4000),
        ("SCMP_ARCH_MIPSEL64", 5000),
        ("SCMP_ARCH_MIPSEL64N32", 6000),
    ];
    let mut requests = Vec::new();
    let mut ours = Vec::new();
    for (arch, base) in bases {
        let lib = arch.trim_start_matches("SCMP_ARCH_").to_ascii_lowercase();
        for name in &names {
            requests.push(format!("name {lib} {name}"));
            let n = compile::resolve(arch, name).unwrap().unwrap();
            ours.push(n.to_string());
        }
        let numbers = (base..base + 1100).chain((101..=120).chain(201..=224).map(|n: i32| -n));
        for number in numbers {
            requests.push(format!("number {lib} {number}"));
            ours.push(
                compile::name_of(arch, number)
                    .unwrap()
                    .unwrap_or("-")
                    .to_string(),
            );
        }
    }
    let pseudo = |n: &str| match n.parse::<i32>() {
        Ok(n) if n <= -10000 => "pseudo".to_string(),
        _ => n.to_string(),
    };
    let ours: Vec<String> = ours.iter().map(|n| pseudo(n)).collect();
    let theirs: Vec<String> = ask_table(&oracle, &requests)
        .iter()
        .map(|n| pseudo(n))
        .collect();
    let differ: Vec<String> = requests
        .iter()
        .zip(ours.iter().zip(&theirs))
        .filter(|(_, (a, b))| a != b)
        .map(|(r, (a, b))| format!("{r}: ours {a}, libseccomp {b}"))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// The filter a container's process runs, against our compilation of its
/// bundle's `linux.seccomp`, read from the runtime's record as
/// docker-enter reads it.
///
/// runc builds its ENOSYS stub (the program's first part, `stub.rs`) from
/// Go maps, whose iteration order is random: on an x86_64 host, the two
/// ABI sections (x86_64 and x86) and, apart from them, the two ABI tests
/// come in either order, so one profile gives a container one of four
/// programs, all doing the same. No choice of ours can match a random
/// order, so the comparison is: the part libseccomp generates (all the
/// rest) byte for byte, and the whole program byte for byte once the
/// stub's order is taken as runc's (it is one of the four of
/// `compile::variants`, and of our program's length). Podman runs runc
/// here too (`podman info`: runc 1.1.5); crun, not installed, is not
/// covered.
fn runs_what_we_compile(runtime: &str, pid: i32, config: &std::path::Path) {
    let spec: Value = serde_json::from_slice(&std::fs::read(config).unwrap()).unwrap();
    let profile = &spec["linux"]["seccomp"];
    let ours = bytes(&compile::compile(profile).unwrap().expect("a filter"));
    let generated = bytes(&compile::libseccomp_part(profile).unwrap().unwrap());
    let live = common::seccomp::filters(pid);
    assert_eq!(live.len(), 1, "{runtime}: one filter");
    let (_, live) = &live[0];
    assert_eq!(live.len(), ours.len(), "{runtime}: the program's length");
    assert!(
        live.ends_with(&generated),
        "{runtime}: libseccomp's part differs from ours"
    );
    let orders: Vec<Vec<u8>> = compile::variants(profile)
        .unwrap()
        .iter()
        .map(|p| bytes(p))
        .collect();
    assert_eq!(orders.len(), 4, "{runtime}: the stub's orders");
    assert!(orders.contains(&ours));
    assert!(
        orders.contains(live),
        "{runtime}: runc's stub is not ours in any order"
    );
}

#[test]
fn containers_run_the_filter_we_compile_from_their_record() {
    use common::podman::{self, PodmanContainer};
    if !common::docker_enter::ready() {
        return;
    }
    let image = common::docker_enter::image();
    let c = common::TestContainer::run("nsc-seccomp-live", &[], image, &["sleep", "100000"]);
    let id = common::docker_ok(&["inspect", "-f", "{{.Id}}", &c.name]);
    let config = format!(
        "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/{id}/config.json"
    );
    runs_what_we_compile("docker", c.pid().parse().unwrap(), config.as_ref());

    if !podman::ready() {
        return;
    }
    let image = podman::load(image);
    let c = PodmanContainer::run("nsc-seccomp-live", &[], &image, &["sleep", "100000"]);
    let pid = podman::podman_ok(&["inspect", "-f", "{{.State.Pid}}", &c.name]);
    let config = podman::podman_ok(&["inspect", "-f", "{{.OCIConfigPath}}", &c.name]);
    runs_what_we_compile("podman", pid.parse().unwrap(), config.as_ref());
}

//! An OCI seccomp profile compiled to the program runc 1.1 loads for it,
//! byte for byte: what `runc exec` (and so `docker exec`) gives a new
//! process of the container, taken from the runtime's own record instead
//! of the container's process.
//!
//! runc hands the profile to libseccomp 2.5.4 (`profile.rs` reads it as
//! runc does; each name becomes a rule on every ABI the profile lists,
//! after the native one): libseccomp merges each call's rules into a tree
//! of comparisons (`chain.rs`, `tree.rs`, `db.rs`) and lays the trees out
//! as one BPF program (`bpf.rs`). runc then puts its ENOSYS stub in front
//! (`stub.rs`). Each step is written here after the library's algorithm,
//! to produce the same bytes: linking libseccomp itself is much slower
//! (its rule database keeps a snapshot of every rule for its
//! transactions; docs/dependencies.md, and the compiler's time in
//! docs/design.md, Measured). Tests compare the result with libseccomp's
//! on random profiles, and with the filters containers run under
//! (tests/seccomp/compiler.rs).

mod arch;
mod bpf;
mod chain;
mod db;
mod profile;
mod stub;
mod syscalls;
mod tree;

// Pinned programs of the native ABI as this x86_64 build sees it (its
// digests and testdata/*.bpf are x86_64's, little-endian).
#[cfg(all(test, target_arch = "x86_64", target_endian = "little"))]
mod pinned_tests;

use crate::sys::seccomp::Insn;
use arch::Arch;
use chain::Cond;
use db::{AddError, Db, Rule};
use profile::Profile;
use serde_json::Value;

/// Why a profile cannot be compiled as runc would have compiled it: runc
/// could not have started the container with it, or docker-enter cannot
/// reproduce what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The kernel's limit on a filter's length (BPF_MAXINSNS).
const MAX_INSNS: usize = 4096;

/// The program runc 1.1 loads for `linux.seccomp` (a bundle's
/// config.json's); None when it asks for none.
pub fn compile(seccomp: &Value) -> Result<Option<Vec<Insn>>, Refusal> {
    let Some(profile) = Profile::from_oci(seccomp)? else {
        return Ok(None);
    };
    let stub = match stub::largest(&profile) {
        Some(largest) => {
            let order: Vec<usize> = (0..largest.len()).collect();
            stub::build(&largest, &order, &order).map_err(Refusal)?
        }
        None => Vec::new(),
    };
    let (dbs, default) = databases(&profile)?;
    // The generator's memory takes the profile's place (fewer fresh pages
    // for a process that compiles once).
    drop(profile);
    let program = generate(dbs, default, &stub)?;
    if program.len() > MAX_INSNS {
        return Err(Refusal(format!(
            "the filter would have {} instructions, more than the kernel takes",
            program.len()
        )));
    }
    Ok(Some(program))
}

/// Every program runc 1.1 may load for `linux.seccomp`: its stub's
/// sections and ABI tests come in the order Go's maps give (see
/// `stub.rs`), so a container runs one of these. For tests.
pub fn variants(seccomp: &Value) -> Result<Vec<Vec<Insn>>, Refusal> {
    let Some(profile) = Profile::from_oci(seccomp)? else {
        return Ok(Vec::new());
    };
    let body = body(&profile)?;
    let Some(largest) = stub::largest(&profile) else {
        return Ok(vec![body]);
    };
    let orders = permutations(largest.len());
    let mut out = Vec::new();
    for sections in &orders {
        for tests in &orders {
            let mut program = stub::build(&largest, sections, tests).map_err(Refusal)?;
            program.extend(body.iter().copied());
            if !out.contains(&program) {
                out.push(program);
            }
        }
    }
    Ok(out)
}

/// The part of [`compile`]'s program that libseccomp generates (without
/// runc's stub). For tests.
pub fn libseccomp_part(seccomp: &Value) -> Result<Option<Vec<Insn>>, Refusal> {
    Profile::from_oci(seccomp)?.map(|p| body(&p)).transpose()
}

/// Every system call name the compiler knows. For tests.
pub fn known_names() -> impl Iterator<Item = &'static str> {
    syscalls::names()
}

/// The number libseccomp gives `name` on the ABI an OCI profile calls
/// `arch` (`seccomp_syscall_resolve_name_arch`). For tests.
pub fn resolve(arch: &str, name: &str) -> Result<Option<i32>, Refusal> {
    Ok(Arch::from_oci(arch)?.resolve(name))
}

/// The name libseccomp gives number `number` of that ABI
/// (`seccomp_syscall_resolve_num_arch`). For tests.
pub fn name_of(arch: &str, number: i32) -> Result<Option<&'static str>, Refusal> {
    Ok(Arch::from_oci(arch)?.name_of(number))
}

/// The part libseccomp generates: the profile's rules on every ABI.
fn body(profile: &Profile) -> Result<Vec<Insn>, Refusal> {
    let (dbs, default) = databases(profile)?;
    generate(dbs, default, &[])
}

/// The program of `dbs` after `front` (see `bpf::generate`).
fn generate(dbs: Vec<Db>, default: u32, front: &[Insn]) -> Result<Vec<Insn>, Refusal> {
    bpf::generate(dbs, default, front)
        .map_err(|e| Refusal(format!("libseccomp would not lay the filter out: {}", e.0)))
}

/// The profile's rules merged into a database per ABI, and the default
/// action.
fn databases(profile: &Profile) -> Result<(Vec<Db>, u32), Refusal> {
    let native = Arch::native();
    // A call for each name, and a few more where an ABI multiplexes.
    let calls = profile.syscalls.len() + 16;
    let mut dbs = vec![Db::new(native, calls)];
    for &arch in &profile.archs {
        if !dbs.iter().any(|d| d.arch == arch) {
            dbs.push(Db::new(arch, calls));
        }
    }
    let default = profile.default.value()?;
    // One name's rules under conditions, the buffer reused from name to
    // name.
    let mut conditional: Vec<Rule> = Vec::new();
    let mut plain = Rule {
        action: 0,
        syscall: 0,
        conds: [None; 6],
    };
    for call in &profile.syscalls {
        let action = profile.action(call).value()?;
        // runc skips what the default does anyway.
        if action == default {
            continue;
        }
        let Some(row) = call.row() else {
            unknown_call(profile, call)?;
            continue;
        };
        let syscall = native.resolve_row(row);
        let args = profile.args(call);
        // Most names have no conditions: their one rule is the same rule
        // with another number and action (a rule is 150 bytes, copied
        // about otherwise).
        let named: &[Rule] = if args.is_empty() {
            plain.action = action;
            plain.syscall = syscall;
            std::slice::from_ref(&plain)
        } else {
            rules(profile.name(call), args, action, syscall, &mut conditional)?;
            &conditional
        };
        // libseccomp translates the native number to the other ABIs by
        // the name it stands for: the row's own, but where the native ABI
        // lacks the call, its pseudo number may name another.
        let row = match syscall {
            n if n < 0 => native.row_of(n).unwrap_or(row),
            _ => row,
        };
        for rule in named {
            for db in &mut dbs {
                db.add_rule(native, row, rule).map_err(|e| {
                    Refusal(match e {
                        AddError::Conflict => format!(
                            "the rules for {} disagree (libseccomp refuses them)",
                            profile.name(call)
                        ),
                        AddError::Untranslatable => {
                            format!("{} cannot be translated to {:?}", profile.name(call), db.arch)
                        }
                        AddError::Endless => format!(
                            "libseccomp never finishes adding the rules for {} (runc hangs on them)",
                            profile.name(call)
                        ),
                    })
                })?;
            }
        }
    }
    for db in &mut dbs {
        db.done_adding();
    }
    Ok((dbs, default))
}

/// A name libseccomp does not know is skipped, as runc skips it:
/// where the profile denies it under a default that lets calls through, a
/// runtime with a newer library would deny what this copy would allow.
fn unknown_call(profile: &Profile, call: &profile::Syscall) -> Result<(), Refusal> {
    if profile.default.lets_through() && !profile.action(call).lets_through() {
        return Err(Refusal(format!(
            "the profile denies system call {:?}, which this build does not know \
             (it knows those of Linux 6.7, as Debian 12's libseccomp does)",
            profile.name(call)
        )));
    }
    Ok(())
}

/// The rules runc adds for one name, into `out`: one with every
/// condition, or one per condition when two compare the same argument.
fn rules(
    name: &str,
    args: &[profile::Arg],
    action: u32,
    syscall: i32,
    out: &mut Vec<Rule>,
) -> Result<(), Refusal> {
    let rule = |args: &[profile::Arg]| -> Result<Rule, Refusal> {
        let mut conds: [Option<Cond>; 6] = [None; 6];
        for a in args {
            let i = usize::try_from(a.index)
                .ok()
                .filter(|&i| i < 6)
                .ok_or_else(|| Refusal(format!("{name}: argument index {} is over 5", a.index)))?;
            let (mask, datum) = match a.op {
                tree::Op::MaskedEq => (a.value, a.value_two),
                _ => (u64::MAX, a.value),
            };
            conds[i] = Some(Cond {
                arg: i as u32,
                op: a.op,
                mask,
                datum,
            });
        }
        Ok(Rule {
            action,
            syscall,
            conds,
        })
    };
    let mut seen = [0u32; 6];
    for a in args {
        if let Some(n) = usize::try_from(a.index).ok().and_then(|i| seen.get_mut(i)) {
            *n += 1;
        }
    }
    out.clear();
    if seen.iter().any(|&n| n > 1) {
        for a in args {
            out.push(rule(std::slice::from_ref(a))?);
        }
    } else {
        out.push(rule(args)?);
    }
    Ok(())
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}

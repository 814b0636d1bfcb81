//! runc 1.1's "ENOSYS stub", put in front of libseccomp's program.
//!
//! A call newer than every call the profile names gets ENOSYS instead of
//! the default action (EPERM, mostly), so that a program built for a newer
//! kernel falls back instead of failing: per ABI (per `AUDIT_ARCH_*` that
//! the profile's architectures map to), a test of the call's number
//! against the largest number the profile names there. x86_64 and x32
//! share an ABI number and are told apart by x32's bit.
//!
//! runc builds the stub from Go maps, whose order of iteration is random:
//! with two ABI numbers (x86 and x86_64 on an x86_64 host) the sections,
//! and separately the ABI tests, come in either order, so the same profile
//! gives a container one of four programs. They do the same; [`build`]
//! takes an order for each, and a test checks that a container's program
//! is one of ours.

use super::arch::{Arch, X32_SYSCALL_BIT};
use super::profile::Profile;
use crate::sys::seccomp::Insn;

const LD_ABS: u16 = 0x20;
const JA: u16 = 0x05;
const JEQ: u16 = 0x15;
const JGT: u16 = 0x25;
const JSET: u16 = 0x45;
const RET: u16 = 0x06;
const MAX_JUMP: u32 = 255;

fn ld(offset: u32) -> Insn {
    Insn {
        code: LD_ABS,
        jt: 0,
        jf: 0,
        k: offset,
    }
}

fn ja(skip: u32) -> Insn {
    Insn {
        code: JA,
        jt: 0,
        jf: 0,
        k: skip,
    }
}

fn jump(code: u16, k: u32, jt: u32, jf: u32) -> Insn {
    Insn {
        code,
        jt: jt as u8,
        jf: jf as u8,
        k,
    }
}

fn ret(k: u32) -> Insn {
    Insn {
        code: RET,
        jt: 0,
        jf: 0,
        k,
    }
}

/// The largest number each ABI of the profile names, grouped by ABI
/// number, in the order the profile first names each.
pub(super) type Largest = Vec<(u32, Vec<(Arch, u32)>)>;

/// What runc computes the stub from; None when it adds none (a default
/// action that lets calls through).
pub(super) fn largest(profile: &Profile) -> Option<Largest> {
    if profile.default_errno_ret == Some(u64::from(enosys())) {
        return None;
    }
    if profile.default.lets_through() {
        return None;
    }
    let rows: Vec<usize> = profile.syscalls.iter().filter_map(|s| s.row()).collect();
    let mut out: Largest = Vec::new();
    for &arch in &profile.archs {
        let audit = arch.audit();
        let i = match out.iter().position(|(a, _)| *a == audit) {
            Some(i) => i,
            None => {
                out.push((audit, Vec::new()));
                out.len() - 1
            }
        };
        if out[i].1.iter().any(|(a, _)| *a == arch) {
            continue;
        }
        // Signed, as runc compares them: pseudo numbers never count.
        let max = rows
            .iter()
            .map(|&row| arch.resolve_row(row))
            .fold(0i32, i32::max);
        // runc drops an ABI without any (and keeps its ABI number).
        if max != 0 {
            out[i].1.push((arch, max as u32));
        }
    }
    Some(out)
}

/// SCMP_ACT_ERRNO(ENOSYS).
fn enosys() -> u32 {
    0x0005_0000 | crate::sys::Errno::NOSYS.raw_os_error() as u32
}

/// The stub for `largest`, with the sections in the order `sections`
/// and the ABI tests in the order `tests` (each a permutation of the
/// indexes of `largest`).
pub(super) fn build(
    largest: &Largest,
    sections: &[usize],
    tests: &[usize],
) -> Result<Vec<Insn>, String> {
    let enosys = enosys();
    // Built back to front: jumps are counted from the end.
    let mut tail = vec![ja(1), ret(enosys)];
    let mut starts = vec![0u32; largest.len()];
    for &i in sections {
        let (audit, maxes) = &largest[i];
        let to_enosys = tail.len() as u32 - 1;
        let to_filter = to_enosys + 1;
        let mut section = vec![ld(0)];
        match maxes.as_slice() {
            [] => continue,
            [(arch, max)] => {
                let mut rest = if to_enosys < MAX_JUMP {
                    vec![jump(JGT, *max, to_enosys + 1, 0), ja(to_filter)]
                } else {
                    vec![jump(JGT, *max, 0, 1), ja(to_enosys + 1), ja(to_filter)]
                };
                // On x86_64's ABI number, skip the test for the other mode.
                let skip = rest.len() as u32 - 1;
                match arch {
                    Arch::X86_64 => rest.insert(0, jump(JSET, X32_SYSCALL_BIT, skip, 0)),
                    Arch::X32 => rest.insert(0, jump(JSET, X32_SYSCALL_BIT, 0, skip)),
                    _ => {}
                }
                section.extend(rest);
            }
            [_, _] => {
                let find = |want: Arch| maxes.iter().find(|(a, _)| *a == want).map(|(_, m)| *m);
                let (Some(x86_64), Some(x32)) = (find(Arch::X86_64), find(Arch::X32)) else {
                    return Err(format!("two architectures share ABI number {audit:#x}"));
                };
                if to_enosys + 2 <= MAX_JUMP {
                    section.extend([
                        jump(JSET, X32_SYSCALL_BIT, 1, 0),
                        jump(JGT, x86_64, to_enosys + 2, 1),
                        jump(JGT, x32, to_enosys + 1, 0),
                        ja(to_filter),
                    ]);
                } else {
                    section.extend([
                        jump(JSET, X32_SYSCALL_BIT, 1, 0),
                        jump(JGT, x86_64, 1, 2),
                        jump(JGT, x32, 0, 1),
                        ja(to_enosys + 1),
                        ja(to_filter),
                    ]);
                }
            }
            _ => return Err(format!("three architectures share ABI number {audit:#x}")),
        }
        section.extend(tail);
        tail = section;
        starts[i] = tail.len() as u32;
    }
    // Any other ABI goes on to the filter, which kills it.
    tail.insert(0, ja(tail.len() as u32));
    for &i in tests {
        let (audit, _) = largest[i];
        // runc's table gives 0 for an ABI without a section.
        let skip = tail.len() as u32 - starts[i];
        if skip <= MAX_JUMP {
            tail.insert(0, jump(JEQ, audit, skip, 0));
        } else {
            tail.splice(0..0, [jump(JEQ, audit, 0, 1), ja(skip)]);
        }
    }
    tail.insert(0, ld(4));
    Ok(tail)
}

//! The ABIs a filter can cover, as runc names them (`SCMP_ARCH_*`) and as
//! libseccomp resolves their system calls.
//!
//! Only little-endian ABIs are here: the tools are built for x86_64, i686,
//! aarch64, armv7 and ppc64le, and libseccomp refuses to put an ABI of the
//! other byte order in the same filter (so runc could not have started a
//! container whose profile asked for one on these hosts).

use super::syscalls::{self, Column};
use super::Refusal;

/// The x32 ABI's calls are x86_64's numbering with this bit set.
pub(super) const X32_SYSCALL_BIT: u32 = 0x4000_0000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Arch {
    X86,
    X86_64,
    X32,
    Arm,
    Aarch64,
    Mipsel,
    Mipsel64,
    Mipsel64n32,
    Ppc64le,
}

/// Whether arguments are compared as two 32-bit halves (64-bit ABIs) or
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Width {
    W32,
    W64,
}

impl Arch {
    /// The ABI runc and libseccomp were built for: the tools' own (a host
    /// runs the runtime built for its architecture, as it runs ours).
    pub(super) fn native() -> Arch {
        #[cfg(target_arch = "x86_64")]
        return Arch::X86_64;
        #[cfg(target_arch = "x86")]
        return Arch::X86;
        #[cfg(target_arch = "aarch64")]
        return Arch::Aarch64;
        #[cfg(target_arch = "arm")]
        return Arch::Arm;
        #[cfg(all(target_arch = "powerpc64", target_endian = "little"))]
        return Arch::Ppc64le;
        #[cfg(not(any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            all(target_arch = "powerpc64", target_endian = "little")
        )))]
        compile_error!("no seccomp ABI for this architecture");
    }

    /// An OCI profile's architecture. runc 1.1 knows these names; those of
    /// the other byte order could not have been in a running container's
    /// filter here, and others not at all.
    pub(super) fn from_oci(name: &str) -> Result<Arch, Refusal> {
        Ok(match name {
            "SCMP_ARCH_X86" => Arch::X86,
            "SCMP_ARCH_X86_64" => Arch::X86_64,
            "SCMP_ARCH_X32" => Arch::X32,
            "SCMP_ARCH_ARM" => Arch::Arm,
            "SCMP_ARCH_AARCH64" => Arch::Aarch64,
            "SCMP_ARCH_MIPSEL" => Arch::Mipsel,
            "SCMP_ARCH_MIPSEL64" => Arch::Mipsel64,
            "SCMP_ARCH_MIPSEL64N32" => Arch::Mipsel64n32,
            "SCMP_ARCH_PPC64LE" => Arch::Ppc64le,
            "SCMP_ARCH_MIPS"
            | "SCMP_ARCH_MIPS64"
            | "SCMP_ARCH_MIPS64N32"
            | "SCMP_ARCH_PPC"
            | "SCMP_ARCH_PPC64"
            | "SCMP_ARCH_S390"
            | "SCMP_ARCH_S390X" => {
                return Err(Refusal(format!(
                    "architecture {name} is big-endian, which no filter on this host can cover"
                )))
            }
            _ => return Err(Refusal(format!("unknown architecture {name:?}"))),
        })
    }

    /// AUDIT_ARCH_*: what the kernel puts in `seccomp_data.arch`.
    pub(super) fn audit(self) -> u32 {
        const LE: u32 = 0x4000_0000;
        const BIT64: u32 = 0x8000_0000;
        const MIPS64_N32: u32 = 0x2000_0000;
        match self {
            Arch::X86 => LE | 3,
            // The kernel reports x32 as x86_64.
            Arch::X86_64 | Arch::X32 => BIT64 | LE | 62,
            Arch::Arm => LE | 40,
            Arch::Aarch64 => BIT64 | LE | 183,
            Arch::Mipsel => LE | 8,
            Arch::Mipsel64 => BIT64 | LE | 8,
            Arch::Mipsel64n32 => BIT64 | LE | MIPS64_N32 | 8,
            Arch::Ppc64le => BIT64 | LE | 21,
        }
    }

    pub(super) fn width(self) -> Width {
        match self {
            Arch::X86_64 | Arch::Aarch64 | Arch::Mipsel64 | Arch::Ppc64le => Width::W64,
            Arch::X86 | Arch::X32 | Arch::Arm | Arch::Mipsel | Arch::Mipsel64n32 => Width::W32,
        }
    }

    #[inline]
    fn column(self) -> Column {
        match self {
            Arch::X86 => Column::X86,
            Arch::X86_64 => Column::X86_64,
            Arch::X32 => Column::X32,
            Arch::Arm => Column::Arm,
            Arch::Aarch64 => Column::Aarch64,
            Arch::Mipsel => Column::Mips,
            Arch::Mipsel64 => Column::Mips64,
            Arch::Mipsel64n32 => Column::Mips64n32,
            Arch::Ppc64le => Column::Ppc64,
        }
    }

    /// socketcall(2) and ipc(2), on the ABIs that multiplex socket and IPC
    /// calls through them: there a rule on such a call becomes two, one on
    /// the direct call and one on the multiplexer with its call number.
    #[inline]
    pub(super) fn multiplexers(self) -> Option<(i32, i32)> {
        match self {
            Arch::X86 | Arch::Ppc64le => Some((102, 117)),
            Arch::Mipsel => Some((4102, 4117)),
            _ => None,
        }
    }

    /// The number the table's number stands for on this ABI (libseccomp's
    /// "raw" number: MIPS O32 counts from 4000 there already).
    #[inline]
    fn raw_offset(self) -> u32 {
        match self {
            Arch::Mipsel => 4000,
            _ => 0,
        }
    }

    /// What the raw number becomes in a filter (MIPS N64 and N32 count
    /// from 5000 and 6000, x32 sets its bit; ARM's EABI adds nothing).
    #[inline]
    fn munge(self, raw: u32) -> u32 {
        match self {
            Arch::X32 => raw | X32_SYSCALL_BIT,
            Arch::Mipsel64 => raw + 5000,
            Arch::Mipsel64n32 => raw + 6000,
            _ => raw,
        }
    }

    fn unmunge(self, number: u32) -> u32 {
        match self {
            Arch::X32 => number & !X32_SYSCALL_BIT,
            Arch::Mipsel64 if number >= 5000 => number - 5000,
            Arch::Mipsel64n32 if number >= 6000 => number - 6000,
            _ => number,
        }
    }

    /// The raw number of a row (libseccomp's "raw" resolution: the direct
    /// call), or its pseudo number where the ABI lacks it.
    #[inline]
    pub(super) fn raw_of_row(self, row: usize) -> i32 {
        match syscalls::number(row, self.column()) {
            Some(n) => (n + self.raw_offset()) as i32,
            None => syscalls::pseudo(row),
        }
    }

    /// libseccomp's number for a row on this ABI: a multiplexed call's
    /// pseudo number where the ABI multiplexes them, else the raw number
    /// as the filter sees it.
    #[inline]
    pub(super) fn resolve_row(self, row: usize) -> i32 {
        if self.multiplexers().is_some() && syscalls::multiplexed(row).is_some() {
            return syscalls::pseudo(row);
        }
        match self.raw_of_row(row) {
            n if n < 0 => n,
            n => self.munge(n as u32) as i32,
        }
    }

    /// libseccomp's name resolution for this ABI
    /// (`seccomp_syscall_resolve_name_arch`): None for a name it does not
    /// know.
    pub(super) fn resolve(self, name: &str) -> Option<i32> {
        syscalls::index(name).map(|row| self.resolve_row(row))
    }

    /// The row of a number of this ABI (the inverse of
    /// [`Arch::resolve_row`]).
    pub(super) fn row_of(self, number: i32) -> Option<usize> {
        if self.multiplexers().is_some() {
            if let Some(row) =
                syscalls::by_pseudo(number).filter(|&r| syscalls::multiplexed(r).is_some())
            {
                return Some(row);
            }
        }
        match number {
            n if n >= 0 => self.row_of_raw(self.unmunge(n as u32) as i32),
            n => self.row_of_raw(n),
        }
    }

    /// The name a number of this ABI stands for
    /// (`seccomp_syscall_resolve_num_arch`).
    pub(super) fn name_of(self, number: i32) -> Option<&'static str> {
        self.row_of(number).map(syscalls::name)
    }

    /// The row a raw number stands for.
    fn row_of_raw(self, number: i32) -> Option<usize> {
        if number >= 0 {
            // As libseccomp: MIPS O32 numbers below 4000 are taken as
            // they are.
            let n = number as u32;
            let n = n.checked_sub(self.raw_offset()).unwrap_or(n);
            syscalls::by_number(self.column(), n)
        } else {
            // A pseudo number names a call only on an ABI that lacks it.
            let row = syscalls::by_pseudo(number)?;
            syscalls::number(row, self.column())
                .is_none()
                .then_some(row)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_libseccomp_resolves_them() {
        assert_eq!(Arch::X86_64.resolve("read"), Some(0));
        assert_eq!(Arch::X32.resolve("read"), Some(0x4000_0000));
        assert_eq!(Arch::X86.resolve("socket"), Some(-101));
        assert_eq!(
            Arch::X86.raw_of_row(super::syscalls::index("socket").unwrap()),
            359
        );
        assert_eq!(Arch::Mipsel.resolve("read"), Some(4003));
        assert_eq!(Arch::Mipsel64.resolve("read"), Some(5000));
        assert!(Arch::X86_64.resolve("socketcall").unwrap() < -10000);
        assert_eq!(Arch::X86_64.resolve("no_such_call"), None);
    }

    #[test]
    fn numbers_name_their_calls_back() {
        for arch in [
            Arch::X86,
            Arch::X86_64,
            Arch::X32,
            Arch::Arm,
            Arch::Aarch64,
            Arch::Mipsel,
            Arch::Mipsel64,
            Arch::Mipsel64n32,
            Arch::Ppc64le,
        ] {
            for name in [
                "read",
                "socket",
                "socketcall",
                "arch_prctl",
                "shmctl",
                "send",
            ] {
                let n = arch.resolve(name).unwrap();
                assert_eq!(arch.name_of(n), Some(name), "{arch:?} {name} {n}");
            }
        }
        assert_eq!(Arch::X86.name_of(359), Some("socket"));
        assert_eq!(Arch::X86.name_of(102), Some("socketcall"));
        // x86_64 has socket: its pseudo number names nothing there.
        assert_eq!(Arch::X86_64.name_of(-101), None);
    }
}

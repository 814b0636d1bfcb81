//! Capabilities: the three sets, the ambient set, keep-caps across setuid.

use super::SysResult;
use rustix::thread::{CapabilitySet, CapabilitySets};

/// Capability sets as three 64-bit masks (bit N is capability N).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
}

const CAP_SYS_ADMIN: u32 = 21;
/// CAP_SYS_ADMIN as a mask of the sets.
pub const SYS_ADMIN: u64 = 1 << CAP_SYS_ADMIN;

pub fn capget() -> SysResult<Caps> {
    let sets = rustix::thread::capabilities(None)?;
    Ok(Caps {
        effective: sets.effective.bits(),
        permitted: sets.permitted.bits(),
        inheritable: sets.inheritable.bits(),
    })
}

pub fn capset(caps: Caps) -> SysResult<()> {
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::from_bits_retain(caps.effective),
            permitted: CapabilitySet::from_bits_retain(caps.permitted),
            inheritable: CapabilitySet::from_bits_retain(caps.inheritable),
        },
    )
}

/// Raise one capability into the ambient set.
pub fn raise_ambient(cap: u32) -> SysResult<()> {
    let one = CapabilitySet::from_bits_retain(1u64.checked_shl(cap).unwrap_or(0));
    rustix::thread::configure_capability_in_ambient_set(one, true)
}

/// PR_SET_KEEPCAPS: keep permitted capabilities across setuid from 0.
pub fn set_keep_caps(keep: bool) -> SysResult<()> {
    rustix::thread::set_keep_capabilities(keep)
}

/// Whether CAP_SYS_ADMIN is in our effective set.
pub fn has_cap_sys_admin() -> bool {
    capget().is_ok_and(|c| c.effective & SYS_ADMIN != 0)
}

/// Take every capability that is not in `keep` out of the bounding set
/// (PR_CAPBSET_DROP, which needs CAP_SETPCAP). Capabilities this kernel
/// does not know are left alone: it has none of them to give. Each is
/// dropped without asking first whether it is there (dropping one that is
/// not does nothing), one system call instead of two: only without
/// CAP_SETPCAP, where every drop is refused, is it asked, and a refusal
/// for one that is not there is no failure.
pub fn limit_bounding_set(keep: u64) -> SysResult<()> {
    use rustix::io::Errno;
    use rustix::thread::{capability_is_in_bounding_set, remove_capability_from_bounding_set};
    for cap in 0..64u32 {
        if keep & (1u64 << cap) != 0 {
            continue;
        }
        let one = CapabilitySet::from_bits_retain(1u64 << cap);
        match remove_capability_from_bounding_set(one) {
            Ok(()) => {}
            // Past the last capability of this kernel.
            Err(Errno::INVAL) => break,
            Err(Errno::PERM) => match capability_is_in_bounding_set(one) {
                Ok(false) => {}
                Err(Errno::INVAL) => break,
                Ok(true) => return Err(Errno::PERM),
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Empty the ambient set (kernels before 4.3 have none: nothing to do).
pub fn clear_ambient() -> SysResult<()> {
    match rustix::thread::clear_ambient_capability_set() {
        Err(rustix::io::Errno::INVAL) => Ok(()),
        other => other,
    }
}

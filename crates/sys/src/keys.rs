//! The kernel's key retention service: the session keyring a process
//! searches for keys (Kerberos KEYRING caches, pam_keyinit's login
//! keyring, ecryptfs keys live there or are linked from it).

use super::{check, SysResult};

/// keyctl(2) operation: join or make a session keyring (linux/keyctl.h).
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;

/// Replace the calling process's session keyring by a new, empty,
/// anonymous one (KEYCTL_JOIN_SESSION_KEYRING with no name), as runc does
/// for every process it starts: nothing of the keyring we were given is
/// reachable from the new one. Children inherit it. ENOSYS on a kernel
/// built without keys (or under a filter that hides keyctl, which the
/// program then inherits too).
pub fn join_new_session_keyring() -> SysResult<()> {
    // SAFETY: KEYCTL_JOIN_SESSION_KEYRING takes one pointer argument, the
    // keyring's name; NULL asks for an anonymous keyring. The call changes
    // only the calling thread's credentials (our whole process).
    check(unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    })
    .map(drop)
}

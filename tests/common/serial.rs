//! What keeps the tests of this one binary, which run on parallel threads,
//! out of each other's way: names of their own, and locks for the few
//! tests that change what the whole machine shares.
//!
//! Everything a test makes (containers, directories, cgroups, sockets) is
//! named with [`unique`]. A test that changes something every process
//! sees holds a lock for as long as the change lasts:
//!
//! - [`private_daemon`], taken by `PrivateDockerd` and `PrivateContainerd`
//!   for their life: runc keeps its state by namespace and ID in one
//!   directory every containerd shares, and two daemons at once on a small
//!   machine make each other miss their deadlines. A test runs one such
//!   daemon at a time (a second would wait for the first forever).
//! - [`host_setting`], held while a sysctl differs from the machine's.
//! - [`plain_names`], held by a test that makes, or looks up as root, a
//!   container by a plain name others use too (`web`): root's lookup reads
//!   every runtime and every user's rootless store, so a rootless `web` of
//!   one test makes another's private daemon's `web` ambiguous. Taken
//!   before [`private_daemon`], never after it.
//!
//! The shared dockerd and containerd are never stopped, restarted or
//! reconfigured by any test; the can image is built once for the run
//! (common/can.rs).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// `NAME-PID-N`: a name no other test of this run, and no other run, has.
pub fn unique(name: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{name}-{}-{n}", std::process::id())
}

/// Held by a daemon of a test's own while it runs.
pub fn private_daemon() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    hold(&LOCK)
}

/// Held while a plain container name may be ambiguous to root's lookup.
pub fn plain_names() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    hold(&LOCK)
}

/// Held while a host-wide setting (a sysctl) differs from the machine's.
pub fn host_setting() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    hold(&LOCK)
}

/// A test that failed while holding a lock must not fail the next one.
fn hold(lock: &'static Mutex<()>) -> MutexGuard<'static, ()> {
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

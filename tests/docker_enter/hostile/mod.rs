//! A hostile container against docker-enter (and `nsenter --confine`):
//! what the container's root can do to the host through what entering
//! hands the program, tried the way an attacker would. Each case sits
//! beside its controls: `docker exec` on the same container, and the way
//! that leaks (util-linux nsenter, or the defence taken away) shown
//! leaking. See docs/security.md.
//!
//! Sections, one module each:
//! 1. standard streams (rule 4): `hostile/streams.rs`;
//! 2. the session keyring (rule 18) and 3. tools that cannot be made
//!    writable (rule 17): `hostile/keyring_and_tools.rs`;
//! 4. the container is never disturbed (rule 19): `hostile/undisturbed.rs`.

pub(crate) mod keyring_and_tools;
mod streams;
mod undisturbed;

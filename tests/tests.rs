//! The integration tests: one test binary (as uutils lays them out), so
//! that the helpers in `common/` are compiled once and a helper no test
//! uses is a warning.
//!
//! Layout: one directory per subject (a tool, or a part of one), one file
//! per topic in it, and `common/` for what more than one file needs:
//!
//! - `nsenter/`: nsenter against util-linux 2.38 and its extensions;
//! - `docker_enter/`: docker-enter against real containers and runtimes,
//!   `docker_enter/hostile/` a hostile container's attacks;
//! - `importenv/`, `kubectl_enter/`: the other tools;
//! - `can/`: the can image, built once for the run;
//! - `seccomp/`: the seccomp compiler against libseccomp;
//! - `release/`: arch/release's tarballs and Debian packages.
//!
//! A new test goes into the file of its topic; a new topic is a file in
//! its subject's directory, named in that directory's `mod.rs`. A helper
//! goes into `common/` (once: look there first), never into a test file
//! that another file then copies.
//!
//! Filters name the path: `cargo test --test tests nsenter::` runs the
//! nsenter tests, `cargo test --test tests docker_enter::refusals::` one
//! file's, and `cargo test --test tests -- --exact
//! nsenter::differential::exit_status_matches` one test.
//!
//! The tests of this binary run on parallel threads. A test that changes
//! what the whole machine shares holds the lock of `common::serial` for
//! it (see there); names of containers, directories and cgroups are made
//! unique with `common::unique`.

mod common;

mod can;
mod docker_enter;
mod importenv;
mod kubectl_enter;
mod nsenter;
mod release;
mod seccomp;

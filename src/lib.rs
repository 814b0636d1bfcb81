//! nsenter-can: enter running containers from the host.
//!
//! The shape of the code (docs/design.md tells it in full):
//! - `cli` turns each tool's command line (and what a runtime says about a
//!   container) into a [`plan::Plan`]: plain data, decided without
//!   touching the system;
//! - `enter` carries a plan out: `enter::prepare` opens the target and
//!   every handle once, `enter::run` enters, forks and execs;
//! - `app` holds each tool's `main`, the side effects around the pure
//!   command line;
//! - `bounded` reads files we do not control (the container's passwd and
//!   group, env files, environ files) as streams with limits, for all of
//!   them;
//! - `sys` is the syscall layer: only it calls the kernel or touches libc,
//!   and only it may hold raw code (Cargo.toml's `[lints]` deny it to the
//!   rest of the package).

pub mod app;
pub mod bounded;
pub mod can;
pub mod cgroup;
pub mod cli;
pub mod confine;
pub mod creds;
pub mod enter;
pub mod error;
pub mod label;
pub mod mountinfo;
pub mod ns;
pub mod plan;
pub mod runtime;
pub mod shell;
pub mod signals;
pub mod sys;
pub mod target;

#[cfg(test)]
mod lib_tests;

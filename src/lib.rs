//! nsenter-can: enter running containers from the host.
//!
//! This package holds the binaries and each tool's `main` (`app`, and the
//! can's entry point, `can`): the side effects around the pure command
//! lines. The layers below are crates of the workspace, each using only
//! the ones below it (docs/design.md, "Layers"):
//! - `nsenter_can_plan`: the plan and the base types, decided without
//!   touching the system;
//! - `nsenter_can_sys`: the syscall layer, the only crate that calls the
//!   kernel or touches libc, and the only one that may hold raw code;
//! - `nsenter_can_cli`: each tool's command line turned into a plan; it
//!   depends on the plan crate alone;
//! - `nsenter_can_target`: a target process, held and checked;
//! - `nsenter_can_runtime`: finding containers, whatever runs them;
//! - `nsenter_can_enter`: carrying a plan out (`prepare`, then `run`),
//!   with the target's confinement, cgroups and label.
//!
//! They are re-exported here under their short names, which `app`, `can`
//! and the integration tests use.
#![forbid(unsafe_code)]

pub mod app;
pub mod can;

pub use nsenter_can_cli as cli;
pub use nsenter_can_enter as enter;
pub use nsenter_can_enter::confine;
pub use nsenter_can_plan::{
    bounded, container, error, mountinfo, ns_kind, plan, shell, signals, users,
};
pub use nsenter_can_runtime as runtime;
pub use nsenter_can_sys as sys;
pub use nsenter_can_target as target;
// The C `main` of each tool binary.
pub use nsenter_can_sys::tool_main;

#[cfg(test)]
mod lib_tests;

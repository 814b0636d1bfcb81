//! Command lines of the tools: each turns its arguments into a Plan (or
//! help/version), without touching the system: no system call, no file,
//! no environment, no output. What a plan needs from outside (an env
//! file's bytes, the container's passwd, whether stdin is a terminal) is
//! handed in by the tool's `main` in `app`. The crate depends on the plan
//! and base types alone (not on the syscall crate): the compiler keeps it so.
#![forbid(unsafe_code)]

// The base types, under the names this crate's modules use.
use nsenter_can_plan::{bounded, container, error, ns_kind, plan, shell, signals, users};

pub mod completions;
pub mod docker_enter;
pub mod getopt;
pub mod importenv;
pub mod nsenter;
pub mod table;
pub mod tools_option;

//! Command lines of the tools: each turns its arguments into a Plan (or
//! help/version), without touching the system.

pub mod docker_enter;
pub mod getopt;
pub mod importenv;
pub mod nsenter;
pub mod signal;
pub mod table;

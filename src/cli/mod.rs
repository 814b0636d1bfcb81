//! Command lines of the tools: each turns its arguments into a Plan (or
//! help/version), without touching the system.

pub mod getopt;
pub mod nsenter;
pub mod signal;

//! nsenter-can: enter running containers from the host.
//!
//! Command lines and container lookups build a [`plan::Plan`]; `enter::run`
//! carries it out. Only `sys` touches libc.

pub mod bounded;
pub mod can;
pub mod cgroup;
pub mod cli;
pub mod creds;
pub mod enter;
pub mod error;
pub mod label;
pub mod mountinfo;
pub mod ns;
pub mod plan;
pub mod runtime;
pub mod sys;
pub mod target;

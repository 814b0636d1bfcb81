//! The plan and the base types of nsenter-can: what every layer above
//! speaks, decided and parsed without touching the system. Nothing here
//! makes a system call (the crate does not depend on the syscall crate),
//! so the command lines, which use only this crate, cannot either.
//!
//! - [`plan`]: what a tool will do, decided before anything is done;
//! - [`error`]: the one error type, printed the util-linux way;
//! - [`container`]: containers as every runtime describes them, and what
//!   the command line says about finding one;
//! - [`bounded`]: reading files we do not control as streams with limits;
//! - [`users`]: users and groups resolved from the container's files;
//! - [`ns_kind`], [`signals`], [`shell`], [`mountinfo`], [`cgroup_paths`]: the
//!   kernel's names and texts, as plain data.
#![forbid(unsafe_code)]

pub mod bounded;
pub mod cgroup_paths;
pub mod container;
pub mod error;
pub mod mountinfo;
pub mod ns_kind;
pub mod plan;
pub mod shell;
pub mod signals;
pub mod users;

//! Command lines of the tools: each turns its arguments into a Plan (or
//! help/version), without touching the system: no system call, no file,
//! no environment, no output. What a plan needs from outside (an env
//! file's bytes, the container's passwd, whether stdin is a terminal) is
//! handed in by the tool's `main` in `app`. The test below keeps it so.

pub mod docker_enter;
pub mod getopt;
pub mod importenv;
pub mod nsenter;
pub mod table;

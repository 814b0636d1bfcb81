//! docker-enter, driven as a built binary against real containers (the
//! shared Docker daemon, and daemons of a test's own where a test stops,
//! hangs or forges them), compared with `docker exec` where it has an
//! answer.

mod bad_state;
mod cgroup;
mod completions;
mod confinement;
mod containerd;
mod daemonless;
mod detach;
#[cfg(target_arch = "x86_64")]
mod early_start;
mod exec;
mod forged_state;
mod forged_tasks;
mod hostile;
mod hostile_files;
mod messages;
mod names;
mod own_binary;
mod pid;
mod podman;
mod refusals;
mod rootless;
mod rootless_docker;
mod rootless_moved;
mod rootless_tools;
mod runtime;
mod terminal;
mod tools;
mod userns_remap;

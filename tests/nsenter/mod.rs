//! nsenter, driven as a built binary against targets made with util-linux
//! `unshare`, compared with util-linux 2.38 (the oracle) where it has an
//! answer.

mod bad_input;
mod completions;
mod confine;
mod differential;
mod extensions;
mod join_cgroup;
mod quick_start;
mod terminal;
mod tools;

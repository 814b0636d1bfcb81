//! The can image: built with `can/build` once for the whole run (tagged
//! `nsenter-can:test-<checkout directory>`, removed when the run ends;
//! see common/can.rs), then driven with `docker run` as a user drives it.

mod architecture;
mod image;
mod inside;
mod install;
mod one_program;
mod publish;
mod verbs;

//! The `docker-enter` binary: see `nsenter_can::app::docker_enter` (and `tool_main!` for
//! why it starts without the Rust runtime's set-up).
#![cfg_attr(not(test), no_main)]

nsenter_can::tool_main!(nsenter_can::app::docker_enter::main);

//! The can's one program: nsenter, docker-enter, importenv and the can's
//! entry point, picked by the name it runs under (see
//! `nsenter_can::app::multicall`, and `tool_main!` for why it starts
//! without the Rust runtime's set-up).
#![cfg_attr(not(test), no_main)]

nsenter_can::tool_main!(nsenter_can::app::multicall::main);

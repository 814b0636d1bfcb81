//! docker-enter's entry point: on x86_64 Linux the binaries that are
//! docker-enter start in `nsenter_can_start_*` (crates/sys/src/early_start.rs),
//! which makes security rule 6's re-exec before the C library starts, then
//! goes on to the C library's `_start`. `--undefined` pulls the code in
//! from the sys crate's archive when it is not one LTO object.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // x86_64 with 64-bit pointers only: not x32, whose stack holds 32-bit
    // ones.
    let width = std::env::var("CARGO_CFG_TARGET_POINTER_WIDTH").unwrap_or_default();
    if arch != "x86_64" || width != "64" || os != "linux" {
        return;
    }
    for (bin, entry) in [
        ("docker-enter", "nsenter_can_start_docker_enter"),
        ("nsenter-can", "nsenter_can_start_by_name"),
    ] {
        println!("cargo:rustc-link-arg-bin={bin}=-Wl,--undefined={entry}");
        println!("cargo:rustc-link-arg-bin={bin}=-Wl,--entry={entry}");
    }
}

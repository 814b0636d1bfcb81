//! Checks on the workspace as a whole: the declared rust-version. clippy
//! holds our code to it (`incompatible_msrv`, tests included by
//! clippy.toml), this holds the locked dependencies to it. (The layering
//! is the crates' dependencies: the compiler keeps it.)

/// No locked dependency needs a newer Rust than Cargo.toml declares.
#[test]
fn the_declared_rust_version_covers_every_dependency() {
    // The dependencies of this platform (the tools are Linux-only).
    let platform = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &platform])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let version = |v: &str| -> Vec<u32> { v.split('.').map(|n| n.parse().unwrap_or(0)).collect() };
    let ours = version(env!("CARGO_PKG_RUST_VERSION"));
    let newer: Vec<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            let name = p["name"].as_str().unwrap_or("?");
            (version(needs) > ours).then(|| format!("{name} needs {needs}"))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "rust-version {} is not true:\n{}",
        env!("CARGO_PKG_RUST_VERSION"),
        newer.join("\n")
    );
}

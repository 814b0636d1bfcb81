//! Checks on the package as a whole. The layering that lib.rs describes,
//! kept true: the command lines stay pure, and only the syscall layer
//! touches libc (the compiler keeps raw code inside `sys`: Cargo.toml
//! denies it to the rest of the package). And the declared rust-version:
//! clippy holds our code to it (`incompatible_msrv`, tests included by
//! clippy.toml), this holds the locked dependencies to it.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    out
}

fn src(part: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(part)
}

/// The lines of `files` that name one of `words`, as "path:line: text".
fn naming(files: &[(PathBuf, String)], words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            if words.iter().any(|w| line.contains(w)) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

/// Everything in `cli` is decided without touching the system: what a
/// plan needs from outside is handed in by the tool's `main` (in `app`).
#[test]
fn the_command_lines_touch_nothing() {
    let touching = [
        // Modules of ours that act.
        "crate::sys",
        "crate::enter",
        "crate::app",
        "crate::target",
        "crate::cgroup",
        "crate::label",
        "crate::can",
        "runtime::Docker",
        "runtime::http",
        // The system, through std and the syscall crates.
        "libc::",
        "rustix::",
        "std::fs",
        "std::net",
        "std::os::unix::net",
        "std::process",
        "std::env",
        "std::thread",
        "std::time",
        "std::io::std",
        "IsTerminal",
        "print!",
        "println!",
        "eprint",
        "dbg!",
    ];
    let found = naming(&sources(&src("cli")), &touching);
    assert!(
        found.is_empty(),
        "the CLI touches the system:\n{}",
        found.join("\n")
    );
}

/// Only `sys` names libc.
#[test]
fn only_the_syscall_layer_touches_libc() {
    let outside: Vec<_> = sources(&src(""))
        .into_iter()
        .filter(|(path, _)| !path.starts_with(src("sys")) && !path.ends_with("lib_tests.rs"))
        .collect();
    let found = naming(&outside, &["libc::", "extern crate libc", "use libc"]);
    assert!(
        found.is_empty(),
        "libc outside src/sys:\n{}",
        found.join("\n")
    );
}

/// The checks above can fail: they find what they look for.
#[test]
fn the_checks_see_what_they_look_for() {
    let here = [(
        PathBuf::from("x.rs"),
        "use std::fs;\nlet x = libc::EIO;\n".into(),
    )];
    assert_eq!(naming(&here, &["std::fs", "libc::"]).len(), 2);
    assert!(!naming(&sources(&src("sys")), &["libc::"]).is_empty());
}

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

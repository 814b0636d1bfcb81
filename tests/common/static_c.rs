//! Small static C programs the tests build with `gcc -static`: probes and
//! attackers that run in images FROM scratch, or wrap a tool on the host.

use std::path::PathBuf;
use std::process::Command;

/// Build `source` as a static program named `name` (once per test binary);
/// None when gcc or the static C library is missing.
pub fn build(name: &str, source: &str) -> Option<PathBuf> {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return Some(path.clone());
    }
    let dir = super::tempdir(&format!("c-{name}"));
    let c_file = dir.join(format!("{name}.c"));
    std::fs::write(&c_file, source).ok()?;
    let binary = dir.join(name);
    let out = super::run(
        Command::new("gcc")
            .args(["-static", "-O2", "-o"])
            .arg(&binary)
            .arg(&c_file),
        b"",
    );
    if !out.succeeded() {
        eprintln!("gcc {name}: {}", out.stderr);
        return None;
    }
    built.push((name.to_string(), binary.clone()));
    Some(binary)
}

/// [`build`], or skip (fail under CI) saying why.
pub fn require(name: &str, source: &str) -> Option<PathBuf> {
    let built = build(name, source);
    if built.is_none() {
        super::skip_or_fail("cannot build a static test program with gcc -static (libc6-dev)");
    }
    built
}

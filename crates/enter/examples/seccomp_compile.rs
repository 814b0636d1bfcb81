//! Times the seccomp compiler on a bundle's config.json (its
//! `linux.seccomp`): the first compile in this fresh process, the page
//! faults it took, and the median of `N` more (warm). One line out:
//! `first_us faults warm_us instructions`. bench/seccomp-compile.sh runs
//! it in many fresh processes. With `PREWARM=1` a small profile is
//! compiled first, so that the first timed compile finds the code paged
//! in and tells its heap's fresh pages from the code's.
//!
//!     cargo run --release -p nsenter-can-enter --example seccomp_compile -- CONFIG [N]

use nsenter_can_enter::confine::filters::compile;
use std::time::Instant;

/// Minor page faults of this process so far (/proc/self/stat, field 10).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = &stat[stat.rfind(')').expect("a stat line") + 2..];
    after_name
        .split(' ')
        .nth(7)
        .and_then(|f| f.parse().ok())
        .expect("minflt")
}

fn main() {
    // As the tools start (crates/sys, tool_main!).
    nsenter_can_sys::heap::keep_freed_memory();
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), n) = (args.get(1), args.get(2)) else {
        eprintln!("usage: seccomp_compile CONFIG [N]");
        std::process::exit(2);
    };
    let n: usize = n.map_or(0, |n| n.parse().expect("N, a number"));
    let text = std::fs::read(path).expect("the config");
    let config: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
    drop(text);
    let profile = &config["linux"]["seccomp"];

    if std::env::var_os("PREWARM").is_some() {
        let small = serde_json::json!({
            "defaultAction": "SCMP_ACT_ERRNO",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [
                {"names": ["read", "write", "socket", "personality", "zzz"],
                 "action": "SCMP_ACT_ALLOW"},
                {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_MASKED_EQ"}]}
            ]
        });
        let _ = compile::compile(&small);
    }
    let faults = minor_faults();
    let started = Instant::now();
    let program = compile::compile(profile);
    let first = started.elapsed();
    let faults = minor_faults() - faults;
    let len = match program {
        Ok(Some(p)) => p.len(),
        Ok(None) => 0,
        Err(e) => panic!("refused: {}", e.0),
    };
    let mut warm: Vec<u128> = (0..n)
        .map(|_| {
            let started = Instant::now();
            let p = compile::compile(profile);
            let t = started.elapsed().as_nanos();
            drop(p);
            t
        })
        .collect();
    warm.sort_unstable();
    let warm_us = warm.get(n / 2).map_or(0.0, |&t| t as f64 / 1e3);
    println!(
        "{:.1} {faults} {warm_us:.1} {len}",
        first.as_nanos() as f64 / 1e3
    );
}

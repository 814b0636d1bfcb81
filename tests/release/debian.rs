//! `arch/release`: per architecture a tarball (a prefix: bin/ and share/)
//! and a .deb, plus SHA256SUMS. The amd64 package is installed here with
//! dpkg, used (`man -w`, `--version`) and purged; util-linux's nsenter,
//! its man page and its bash completion must be the same files before,
//! during and after. The others are read with `dpkg-deb -I` and `-c`, and
//! their programs' architecture from their ELF headers (`file`), never run.

use crate::common;

use common::result::RunResult;
use common::{run, run_within};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Five cross builds, cold, on a small machine.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// arch/build's name, Debian's, and what `file` says of its programs.
const ARCHES: [(&str, &str, &str); 5] = [
    ("x86_64", "amd64", "x86-64"),
    ("aarch64", "arm64", "ARM aarch64"),
    ("armv7", "armhf", "ARM, EABI5"),
    ("ppc64le", "ppc64el", "64-bit PowerPC"),
    ("i686", "i386", "Intel 80386"),
];

/// util-linux's files that the package must leave alone.
const UTIL_LINUX: [&str; 3] = [
    "/usr/bin/nsenter",
    "/usr/share/man/man1/nsenter.1.gz",
    "/usr/share/bash-completion/completions/nsenter",
];

/// The files of each tarball, under its top directory.
const TARBALL: [&str; 15] = [
    "bin/docker-enter",
    "bin/importenv",
    "bin/nsenter",
    "share/bash-completion/completions/docker-enter",
    "share/bash-completion/completions/importenv",
    "share/bash-completion/completions/nsenter",
    "share/fish/vendor_completions.d/docker-enter.fish",
    "share/fish/vendor_completions.d/importenv.fish",
    "share/fish/vendor_completions.d/nsenter.fish",
    "share/man/man1/docker-enter.1",
    "share/man/man1/importenv.1",
    "share/man/man1/nsenter.1",
    "share/zsh/site-functions/_docker-enter",
    "share/zsh/site-functions/_importenv",
    "share/zsh/site-functions/_nsenter",
];

/// The files of each package (directories left out).
const PACKAGE: [&str; 17] = [
    "./usr/bin/docker-enter",
    "./usr/bin/importenv",
    "./usr/lib/nsenter-can/bin/nsenter",
    "./usr/lib/nsenter-can/share/bash-completion/completions/nsenter",
    "./usr/lib/nsenter-can/share/fish/vendor_completions.d/nsenter.fish",
    "./usr/lib/nsenter-can/share/man/man1/nsenter.1.gz",
    "./usr/lib/nsenter-can/share/zsh/site-functions/_nsenter",
    "./usr/share/bash-completion/completions/docker-enter",
    "./usr/share/bash-completion/completions/importenv",
    "./usr/share/doc/nsenter-can/README.Debian",
    "./usr/share/doc/nsenter-can/copyright",
    "./usr/share/fish/vendor_completions.d/docker-enter.fish",
    "./usr/share/fish/vendor_completions.d/importenv.fish",
    "./usr/share/man/man1/docker-enter.1.gz",
    "./usr/share/man/man1/importenv.1.gz",
    "./usr/share/zsh/vendor-completions/_docker-enter",
    "./usr/share/zsh/vendor-completions/_importenv",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ok(out: RunResult, what: &str) -> String {
    assert_eq!(out.code(), Some(0), "{what}: {}", out.stderr);
    out.stdout.clone()
}

fn sha256(path: &str) -> String {
    ok(run(Command::new("sha256sum").arg(path), b""), path)
}

/// dpkg, waiting out another dpkg or apt holding its lock.
fn dpkg(args: &[&str]) -> RunResult {
    let mut last = None;
    for _ in 0..120 {
        let out = run(Command::new("dpkg").args(args), b"");
        if !out.stderr.contains("lock") {
            return out;
        }
        last = Some(out);
        std::thread::sleep(Duration::from_secs(5));
    }
    last.unwrap()
}

/// Purges the package when the test ends, however it ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let out = dpkg(&["--purge", "nsenter-can"]);
        assert_eq!(
            out.code(),
            Some(0),
            "dpkg --purge nsenter-can: {}",
            out.stderr
        );
    }
}

#[test]
fn release_gives_a_tarball_and_a_package_per_architecture() {
    if !common::require_root_and(&["dpkg", "dpkg-deb", "man", "file", "sha256sum"]) {
        return;
    }
    let status = run(
        Command::new("dpkg-query").args(["-W", "-f=${Status}", "nsenter-can"]),
        b"",
    );
    let status = status.stdout.clone();
    if !common::require(
        status.is_empty() || status.ends_with(" not-installed"),
        "nsenter-can is installed on this machine; the test would remove it",
    ) {
        return;
    }
    let made = run_within(
        &mut Command::new(root().join("arch/release")),
        b"",
        RELEASE_TIMEOUT,
    );
    let made = ok(made, "arch/release");
    let dist = root().join("dist");
    let version = env!("CARGO_PKG_VERSION");
    let mut expected: Vec<PathBuf> = Vec::new();
    for (arch, deb, _) in ARCHES {
        expected.push(dist.join(format!("nsenter-can-{version}-{arch}.tar.gz")));
        expected.push(dist.join(format!("nsenter-can_{version}_{deb}.deb")));
    }
    expected.push(dist.join("SHA256SUMS"));
    let listed: Vec<PathBuf> = made.lines().map(PathBuf::from).collect();
    assert_eq!(listed, expected);
    let checked = run(
        Command::new("sha256sum")
            .arg("-c")
            .arg("SHA256SUMS")
            .current_dir(&dist),
        b"",
    );
    assert_eq!(ok(checked, "sha256sum -c").lines().count(), 10);

    for (arch, deb, machine) in ARCHES {
        // The tarball: the prefix, its programs for that architecture.
        let tarball = dist.join(format!("nsenter-can-{version}-{arch}.tar.gz"));
        let top = format!("nsenter-can-{version}-{arch}/");
        let names = ok(
            run(Command::new("tar").arg("-tzf").arg(&tarball), b""),
            "tar -t",
        );
        let mut files: Vec<&str> = names
            .lines()
            .filter(|n| !n.ends_with('/'))
            .map(|n| {
                n.strip_prefix(&top)
                    .unwrap_or_else(|| panic!("{n} outside {top}"))
            })
            .collect();
        files.sort();
        assert_eq!(files, TARBALL, "{}", tarball.display());
        let unpacked = common::tempdir(&format!("release-{arch}"));
        ok(
            run(
                Command::new("tar")
                    .arg("-xzf")
                    .arg(&tarball)
                    .arg("-C")
                    .arg(&unpacked),
                b"",
            ),
            "tar -x",
        );
        for tool in ["nsenter", "docker-enter", "importenv"] {
            let program = unpacked.join(&top).join("bin").join(tool);
            let described = ok(
                run(Command::new("file").arg("-b").arg(&program), b""),
                "file",
            );
            assert!(
                described.contains(machine) && described.contains("static"),
                "{arch} {tool}: {described}"
            );
        }

        // The package: its control fields and its files.
        let package = dist.join(format!("nsenter-can_{version}_{deb}.deb"));
        let info = ok(
            run(Command::new("dpkg-deb").arg("-I").arg(&package), b""),
            "dpkg-deb -I",
        );
        for field in [
            "Package: nsenter-can".to_string(),
            format!("Version: {version}"),
            format!("Architecture: {deb}"),
        ] {
            assert!(info.contains(&field), "{deb}: no {field} in\n{info}");
        }
        let contents = ok(
            run(Command::new("dpkg-deb").arg("-c").arg(&package), b""),
            "dpkg-deb -c",
        );
        let mut files: Vec<&str> = contents
            .lines()
            .filter(|l| l.starts_with('-'))
            .map(|l| l.split_whitespace().last().unwrap())
            .collect();
        files.sort();
        assert_eq!(files, PACKAGE, "{deb}");
        assert!(
            contents.lines().all(|l| l.contains(" root/root ")),
            "{contents}"
        );
    }

    // The amd64 package, here: installed, used, purged; util-linux's
    // nsenter untouched throughout.
    if std::env::consts::ARCH != "x86_64" {
        return;
    }
    let before: Vec<String> = UTIL_LINUX.iter().map(|f| sha256(f)).collect();
    let package = dist.join(format!("nsenter-can_{version}_amd64.deb"));
    let installed = Installed;
    let out = dpkg(&["-i", package.to_str().unwrap()]);
    assert_eq!(out.code(), Some(0), "dpkg -i: {}", out.stderr);
    assert_eq!(
        ok(
            run(Command::new("man").args(["-w", "docker-enter"]), b""),
            "man -w"
        ),
        "/usr/share/man/man1/docker-enter.1.gz\n"
    );
    assert_eq!(
        ok(
            run(Command::new("docker-enter").arg("--version"), b""),
            "docker-enter --version"
        ),
        format!("docker-enter from nsenter-can {version}\n")
    );
    let during: Vec<String> = UTIL_LINUX.iter().map(|f| sha256(f)).collect();
    assert_eq!(during, before, "the package changed util-linux's files");
    // Ours, by PATH: its man page found beside it (man-db looks there).
    let path = format!(
        "/usr/lib/nsenter-can/bin:{}",
        std::env::var("PATH").unwrap()
    );
    assert_eq!(
        ok(
            run(
                Command::new("man")
                    .args(["-w", "nsenter"])
                    .env("PATH", &path),
                b""
            ),
            "man -w nsenter"
        ),
        "/usr/lib/nsenter-can/share/man/man1/nsenter.1.gz\n"
    );
    let ours = ok(
        run(
            Command::new("/usr/lib/nsenter-can/bin/nsenter").arg("--version"),
            b"",
        ),
        "nsenter --version",
    );
    assert!(ours.starts_with("nsenter from nsenter-can"), "{ours}");
    drop(installed);
    assert!(!Path::new("/usr/bin/docker-enter").exists());
    assert!(!Path::new("/usr/lib/nsenter-can").exists());
    let after: Vec<String> = UTIL_LINUX.iter().map(|f| sha256(f)).collect();
    assert_eq!(after, before);
}

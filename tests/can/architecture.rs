//! The can cannot ship a program it cannot run: every program that goes
//! into it (its one program, busybox) must be a static one for
//! the image's architecture, read from its ELF header (can/elf.sh, never
//! by running it), and the toolbox must get its applet links; otherwise
//! `can/build`, `can/busybox` or `can/layout` fails with one line.

use crate::common;

use common::busybox_image::host_busybox;
use common::run;
use common::Scratch;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// This machine's architecture, as can/elf.sh names it and as Debian does.
fn machine() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "x86_64" => ("x86_64", "amd64"),
        "aarch64" => ("aarch64", "arm64"),
        other => panic!("no foreign architecture chosen for {other}"),
    }
}

/// Another architecture than this machine's: its name and e_machine.
fn foreign() -> (&'static str, u16) {
    match machine().0 {
        "x86_64" => ("aarch64", 183),
        _ => ("x86_64", 62),
    }
}

/// A copy of `program` that claims to be for another machine: e_machine
/// (bytes 18-19, little-endian here) changed, nothing else.
fn relabelled(program: &Path, to: &Path) -> PathBuf {
    let mut bytes = std::fs::read(program).unwrap();
    bytes[18..20].copy_from_slice(&foreign().1.to_le_bytes());
    std::fs::write(to, bytes).unwrap();
    to.to_path_buf()
}

/// Run `script` with can/elf.sh sourced; its stdout.
fn elf_sh(script: &str) -> String {
    let out = run(
        Command::new("sh").args([
            "-c",
            &format!(". {}/can/elf.sh; {script}", root().display()),
        ]),
        b"",
    );
    out.success();
    out.stdout.clone()
}

/// An ELF header and one program header of `p_type`, for a machine.
fn header(class64: bool, little: bool, machine: u16, p_type: u32) -> Vec<u8> {
    let (ehsize, phsize) = if class64 { (64, 56) } else { (52, 32) };
    let mut b = vec![0u8; ehsize + phsize];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = if class64 { 2 } else { 1 };
    b[5] = if little { 1 } else { 2 };
    b[6] = 1;
    let put = |b: &mut Vec<u8>, at: usize, v: u64, len: usize| {
        let bytes = if little {
            v.to_le_bytes()[..len].to_vec()
        } else {
            v.to_be_bytes()[8 - len..].to_vec()
        };
        b[at..at + len].copy_from_slice(&bytes);
    };
    put(&mut b, 16, 3, 2); // ET_DYN, as a static-pie is
    put(&mut b, 18, u64::from(machine), 2);
    if class64 {
        put(&mut b, 32, ehsize as u64, 8);
        put(&mut b, 54, phsize as u64, 2);
        put(&mut b, 56, 1, 2);
    } else {
        put(&mut b, 28, ehsize as u64, 4);
        put(&mut b, 42, phsize as u64, 2);
        put(&mut b, 44, 1, 2);
    }
    put(&mut b, ehsize, u64::from(p_type), 4);
    b
}

#[test]
fn elf_headers_name_the_machine_and_the_linking() {
    let scratch = Scratch::new("elf-headers");
    let machines = [
        (true, true, 62, "x86_64"),
        (false, true, 3, "i386"),
        (true, true, 183, "aarch64"),
        (false, true, 40, "arm"),
        (true, true, 21, "powerpc64le"),
        (true, false, 21, "powerpc64"),
        (true, false, 22, "s390x"),
        (true, true, 243, "riscv64"),
        (true, true, 258, "loongarch64"),
        (true, true, 4242, "ELF machine 4242 (64-bit, LSB)"),
    ];
    for (class64, little, number, name) in machines {
        for (p_type, link) in [(1, "static"), (3, "dynamic")] {
            let file = scratch.path(&format!("{number}-{little}-{p_type}"));
            std::fs::write(&file, header(class64, little, number, p_type)).unwrap();
            assert_eq!(
                elf_sh(&format!("elf_describe {}", file.display())),
                format!("{name} {link}\n")
            );
        }
    }
    // The names each way of naming an architecture gives, one for all.
    assert_eq!(
        elf_sh("for a in amd64 x86_64 arm64 armv7 armhf ppc64el riscv64gc 386 i686; do elf_arch $a; done"),
        "x86_64\nx86_64\naarch64\narm\narm\npowerpc64le\nriscv64\ni386\ni386\n"
    );
    // The host's own programs: busybox is static, ls is not.
    let (arch, _) = machine();
    assert_eq!(
        elf_sh(&format!("elf_describe {}", host_busybox())),
        format!("{arch} static\n")
    );
    assert_eq!(elf_sh("elf_describe /bin/ls"), format!("{arch} dynamic\n"));
    assert_eq!(elf_sh("elf_describe /etc/passwd"), "not-elf\n");
}

/// A directory as can/busybox leaves it, with `busybox` as its program.
fn unpacked_busybox(scratch: &Scratch, busybox: &Path) -> PathBuf {
    let package = scratch.path("busybox");
    let doc = package.join("usr/share/doc/busybox-static");
    std::fs::create_dir_all(&doc).unwrap();
    std::fs::create_dir_all(package.join("bin")).unwrap();
    std::fs::copy(busybox, package.join("bin/busybox")).unwrap();
    for file in [
        doc.join("copyright"),
        package.join("GPL-2"),
        package.join("README"),
    ] {
        std::fs::write(file, "text").unwrap();
    }
    package
}

/// The can's one program, as `cargo build` leaves it, in a directory.
fn built_tools(scratch: &Scratch) -> PathBuf {
    let bins = scratch.path("bins");
    std::fs::create_dir_all(&bins).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_nsenter-can"), bins.join("nsenter-can")).unwrap();
    bins
}

/// `can/layout BINS BUSYBOX OUT ARCH`: its status and stderr.
fn layout(bins: &Path, busybox: &Path, out: &Path) -> (i32, String) {
    let ran = run(
        Command::new(root().join("can/layout"))
            .arg(bins)
            .arg(busybox)
            .arg(out)
            .arg(machine().0),
        b"",
    );
    (ran.code().unwrap_or(-1), ran.stderr)
}

#[test]
fn layout_refuses_what_the_can_could_not_run() {
    let (arch, debian) = machine();
    let scratch = Scratch::new("layout-refusals");
    let bins = built_tools(&scratch);
    let package = unpacked_busybox(&scratch, Path::new(host_busybox()));
    let out = scratch.path("out");
    // Control: the built tools and the host's busybox lay out.
    assert_eq!(layout(&bins, &package, &out), (0, String::new()));

    // A program that needs a loader and libraries the can does not have.
    std::fs::copy("/bin/ls", bins.join("nsenter-can")).unwrap();
    assert_eq!(
        layout(&bins, &package, &scratch.path("out-dynamic")),
        (
            1,
            format!(
                "can/layout: cannot put nsenter-can in the {arch} can: {}/nsenter-can is \
                 dynamically linked (the can has no loader or libraries) (build the tools \
                 for {arch})\n",
                bins.display()
            )
        )
    );
    std::fs::copy(env!("CARGO_BIN_EXE_nsenter-can"), bins.join("nsenter-can")).unwrap();

    // A busybox for another machine: refused from its header, never run.
    let busybox = package.join("bin/busybox");
    relabelled(Path::new(host_busybox()), &busybox);
    assert_eq!(
        layout(&bins, &package, &scratch.path("out-foreign")),
        (
            1,
            format!(
                "can/layout: cannot make the {arch} can's toolbox: {} is a program for {}, \
                 not {arch} (take busybox-static for {debian})\n",
                busybox.display(),
                foreign().0
            )
        )
    );

    // A static program with no table of applets: the toolbox would have
    // no links (no shell for --tools).
    let Some(silent) = common::static_c::require("silent", "int main(void){return 0;}\n") else {
        return;
    };
    std::fs::copy(silent, &busybox).unwrap();
    assert_eq!(
        layout(&bins, &package, &scratch.path("out-nolinks")),
        (
            1,
            format!(
                "can/applets: cannot read the applets' names of {}: no table of them (0 \
                 names, no sh among them; is it busybox, built with test?)\n",
                busybox.display()
            )
        )
    );
}

/// can/applets reads busybox's applets from its file, never running it,
/// so a busybox of any architecture gets its links: what it reads is what
/// `busybox --list` prints here.
#[test]
fn applets_are_read_from_the_file_as_busybox_lists_them() {
    let read = run(
        Command::new(root().join("can/applets")).arg(host_busybox()),
        b"",
    );
    read.success();
    let listed = run(Command::new(host_busybox()).arg("--list"), b"");
    listed.success();
    assert!(listed.stdout.lines().count() > 100);
    assert_eq!(read.stdout, listed.stdout);

    // Relabelled for another machine (so it cannot run here), it gives
    // the same names: nothing was run.
    let scratch = Scratch::new("applets");
    let foreign = relabelled(Path::new(host_busybox()), &scratch.path("busybox"));
    let read = run(Command::new(root().join("can/applets")).arg(&foreign), b"");
    assert_eq!(read.stdout, listed.stdout);
}

/// A busybox-static package holding `busybox`, made with dpkg-deb as
/// Debian's is laid out; its path.
fn package(scratch: &Scratch, name: &str, busybox: &Path, arch: &str) -> PathBuf {
    let tree = scratch.path(&format!("{name}-tree"));
    let doc = tree.join("usr/share/doc/busybox-static");
    std::fs::create_dir_all(&doc).unwrap();
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::create_dir_all(tree.join("DEBIAN")).unwrap();
    std::fs::copy(busybox, tree.join("bin/busybox")).unwrap();
    std::fs::write(doc.join("copyright"), "copyright\n").unwrap();
    std::fs::write(
        tree.join("DEBIAN/control"),
        format!(
            "Package: busybox-static\nVersion: 1:1.37.0-6+b1\nSource: busybox (1:1.37.0-6)\n\
             Architecture: {arch}\nMaintainer: tests <tests@example.org>\n\
             Description: the test's package\n"
        ),
    )
    .unwrap();
    let deb = scratch.path(&format!("{name}.deb"));
    let built = run(
        Command::new("dpkg-deb")
            .args(["--build", "--root-owner-group"])
            .arg(&tree)
            .arg(&deb),
        b"",
    );
    built.success();
    deb
}

#[test]
fn a_can_from_a_wrong_architecture_busybox_fails_to_build() {
    if let Some(why) = common::docker_missing() {
        common::skip_or_fail(&format!("the can's tests: {why}"));
        return;
    }
    let (arch, debian) = machine();
    let scratch = Scratch::new("wrong-arch");
    let foreign_busybox = relabelled(Path::new(host_busybox()), &scratch.path("foreign"));
    let wrong = package(&scratch, "wrong", &foreign_busybox, "arm64");
    let tag = format!("nsenter-can-test/can:wrong-arch-{}", std::process::id());
    let built = common::run_within(
        Command::new(root().join("can/build"))
            .args(["--busybox-deb"])
            .arg(&wrong)
            .arg(&tag),
        b"",
        common::can::BUILD_TIMEOUT,
    );
    assert_eq!(
        (
            built.code().unwrap_or(-1),
            built.stderr.as_str(),
            built.stdout.as_str()
        ),
        (
            1,
            format!(
                "can/busybox: cannot take the {arch} can's toolbox from {}: its bin/busybox \
                 is a program for {}, not {arch} (use busybox-static for {debian}: \
                 apt-get download busybox-static:{debian})\n",
                wrong.display(),
                foreign().0
            )
            .as_str(),
            ""
        )
    );
    let image = common::docker(&["image", "inspect", &tag]);
    image.failure();

    // Control: the same package with the host's busybox is taken as it is.
    let right = package(&scratch, "right", Path::new(host_busybox()), debian);
    let taken = scratch.path("taken");
    let ran = run(
        Command::new(root().join("can/busybox"))
            .arg(&taken)
            .arg(arch)
            .arg(&right),
        b"",
    );
    ran.success();
    assert_eq!(
        std::fs::read(taken.join("bin/busybox")).unwrap(),
        std::fs::read(host_busybox()).unwrap()
    );
    let readme = std::fs::read_to_string(taken.join("README")).unwrap();
    assert!(readme.contains("version 1:1.37.0-6+b1"), "{readme}");
    assert!(
        readme.contains("apt-get source busybox=1:1.37.0-6"),
        "{readme}"
    );
}

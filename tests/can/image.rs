//! The can image against a real Docker engine, driven as a user drives it:
//! built with `can/build`, then `docker run`: what the image holds (here),
//! and every flow of the entry point (can_install, can_verbs, can_inside).
//! Without root or Docker the tests skip (and fail under `CI=true`).

use crate::common;

use common::can as harness;
use common::docker;
use common::private_daemon::PrivateDockerd;
use nsenter_can::can::{layout::share_files, TOOLS};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// The default toolbox's files (besides its links) and its licence.
const TOOLBOX_FILES: [&str; 4] = [
    "libexec/nsenter-can/toolbox/busybox",
    "share/doc/nsenter-can/busybox/GPL-2",
    "share/doc/nsenter-can/busybox/README",
    "share/doc/nsenter-can/busybox/copyright",
];

/// Target from issue 19: the whole image at most 4 MB, toolbox included
/// (the one program stored once, under four names).
const MAX_IMAGE_BYTES: u64 = 4_000_000;

/// Every file of the image, as `can/layout` lays it out.
fn image_files() -> Vec<String> {
    let mut files = vec!["can".to_string()];
    files.extend(TOOLS.iter().map(|t| t.to_string()));
    files.extend(share_files());
    files.extend(TOOLBOX_FILES.iter().map(|f| f.to_string()));
    files.sort();
    files
}

#[test]
fn image_is_small_and_holds_only_the_tools() {
    let Some(image) = harness::image() else {
        return;
    };
    let inspect = |format: &str| {
        docker(&["image", "inspect", "--format", format, image])
            .stdout
            .clone()
    };
    assert_eq!(inspect("{{json .Config.Entrypoint}}").trim(), r#"["/can"]"#);

    let mut total = 0;
    let program = docker(&["run", "--rm", image, "cat", "/can"]).stdout_bytes;
    for file in image_files() {
        let bytes = docker(&["run", "--rm", image, "cat", &format!("/{file}")]).stdout_bytes;
        eprintln!("/{file}: {} bytes", bytes.len());
        assert!(!bytes.is_empty(), "/{file} is in the image");
        // The tools are the entry point's program under other names,
        // stored once.
        if TOOLS.contains(&file.as_str()) {
            assert!(bytes == program, "/{file} is not /can's program");
        } else {
            total += bytes.len() as u64;
        }
    }
    let size: u64 = inspect("{{.Size}}").trim().parse().unwrap();
    eprintln!("image {image}: {size} bytes");
    assert!(
        size <= MAX_IMAGE_BYTES,
        "image is {size} bytes, over {MAX_IMAGE_BYTES}"
    );
    // The image's size is its files' sizes: nothing else is in it.
    assert!(
        size <= total + 64 * 1024,
        "image {size} bytes, its files {total}"
    );
}

/// `can/layout` puts exactly the files the entry point knows into the
/// image: the tools beside `/can`, what `share_files` installs, and the
/// toolbox: busybox (as can/busybox unpacks Debian's package) with a
/// relative link per applet, and its licence.
#[test]
fn layout_script_gives_the_files_the_can_installs() {
    let scratch = common::Scratch::new("layout");
    let bins = scratch.path("bins");
    std::fs::create_dir(&bins).unwrap();
    let built = env!("CARGO_BIN_EXE_nsenter-can");
    std::fs::copy(built, bins.join("nsenter-can")).unwrap();
    let package = scratch.path("busybox");
    let doc = package.join("usr/share/doc/busybox-static");
    std::fs::create_dir_all(&doc).unwrap();
    std::fs::create_dir_all(package.join("bin")).unwrap();
    std::fs::copy(
        common::busybox_image::host_busybox(),
        package.join("bin/busybox"),
    )
    .unwrap();
    for (file, text) in [
        (doc.join("copyright"), "copyright"),
        (package.join("GPL-2"), "GPL-2"),
        (package.join("README"), "README"),
    ] {
        std::fs::write(file, text).unwrap();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = scratch.path("out");
    let ran = common::run(
        std::process::Command::new(root.join("can/layout"))
            .arg(&bins)
            .arg(&package)
            .arg(&out)
            .arg(std::env::consts::ARCH),
        b"",
    );
    ran.success();
    let (mut found, mut links) = (Vec::new(), Vec::new());
    let mut todo = vec![out.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(&out).unwrap().display().to_string();
            if let Ok(to) = std::fs::read_link(&path) {
                links.push((name, to));
            } else if path.is_dir() {
                todo.push(path);
            } else {
                found.push(name);
            }
        }
    }
    found.sort();
    assert_eq!(found, image_files());
    // A link per applet, each relative, so it leads to busybox wherever
    // the toolbox is mounted.
    let toolbox = "libexec/nsenter-can/toolbox/";
    for applet in ["sh", "ls", "ps", "cat"] {
        assert!(
            links.contains(&(format!("{toolbox}{applet}"), "busybox".into())),
            "no link {applet} -> busybox"
        );
    }
    assert!(links.len() > 100, "{} links", links.len());
    assert!(links
        .iter()
        .all(|(name, to)| name.starts_with(toolbox) && to == Path::new("busybox")));
    // The one program is /can and each tool: one file under four names,
    // which the image stores once.
    assert_eq!(
        std::fs::read(out.join("can")).unwrap(),
        std::fs::read(built).unwrap()
    );
    let inode = |name: &str| std::fs::metadata(out.join(name)).unwrap().ino();
    for tool in TOOLS {
        assert_eq!(inode(tool), inode("can"), "{tool} is a link of /can");
    }
    assert_eq!(
        std::fs::read(out.join("share/zsh/site-functions/_nsenter")).unwrap(),
        std::fs::read(root.join("completions/_nsenter")).unwrap()
    );
}

/// `can/build` right after a release build of the same sources reuses it:
/// run again, it compiles nothing and says which build it took (the
/// everyday `cargo build --release`, unless a RUSTFLAGS of the caller's
/// needs one of its own).
#[test]
fn can_build_reuses_a_current_release_build() {
    let Some(image) = harness::image() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let again = common::run_within(
        Command::new(root.join("can/build")).arg(image),
        b"",
        harness::BUILD_TIMEOUT,
    );
    again.success();
    assert!(!again.stderr.contains("Compiling "), "{}", again.stderr);
    if std::env::var("RUSTFLAGS").unwrap_or_default().is_empty() {
        let took = format!(
            "can/build: the tools of the release build in {}/target/release\n",
            root.display()
        );
        again.stderr_contains(took);
    }
}

/// can/Dockerfile is the can image's one recipe: a FROM scratch image of
/// the files can/layout laid out in the context's out/, which can/build
/// builds for every architecture (nothing in it runs: no RUN, no builder
/// stage to emulate).
#[test]
fn dockerfile_is_the_can_stage_alone() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = std::fs::read_to_string(root.join("can/Dockerfile")).unwrap();
    let build = std::fs::read_to_string(root.join("can/build")).unwrap();
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(instructions, ["FROM", "COPY", "ENV", "ENTRYPOINT"]);
    assert!(
        dockerfile.contains("FROM scratch\nCOPY out/ /\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains(r#"ENTRYPOINT ["/can"]"#),
        "{dockerfile}"
    );
    assert!(build.contains(
        "\"$root/can/layout\" \"$bins\" \"$context/busybox\" \"$context/out\" \"$arch\""
    ));
    assert!(build.contains("cp \"$root/can/Dockerfile\" \"$context/Dockerfile\""));
}

/// `can/build` leaves no image but the one it tags. The classic builder
/// keeps each stage it builds as an untagged image, which removing the tag
/// does not reach; BuildKit keeps none, so the classic one is asked for.
/// Built with a daemon of the test's own: the shared one's images are
/// other builds' too.
#[test]
fn can_build_leaves_no_other_image() {
    if let Some(why) = common::docker_missing() {
        common::skip_or_fail(&format!("the can's tests: {why}"));
        return;
    }
    let d = PrivateDockerd::start(common::busybox_image::build());
    let untagged = || d.docker_ok(&["images", "--quiet", "--filter", "dangling=true"]);
    let classic_build = |cmd: &mut Command| {
        let out = common::run_within(
            cmd.env("DOCKER_HOST", d.host()).env("DOCKER_BUILDKIT", "0"),
            b"",
            harness::BUILD_TIMEOUT,
        );
        out.success();
    };
    // Control: a build with a stage before the last leaves that stage
    // behind, and the check below sees it.
    let stages = common::Scratch::new("stages");
    std::fs::write(stages.path("f"), "f").unwrap();
    std::fs::write(
        stages.path("Dockerfile"),
        "FROM scratch AS first\nCOPY f /f\nFROM scratch\nCOPY --from=first /f /g\n",
    )
    .unwrap();
    classic_build(
        Command::new("docker")
            .args(["build", "-q", "-t", "nsenter-can-test/stages"])
            .arg(&stages.0),
    );
    assert_ne!(untagged(), "", "control: the first stage stays behind");
    d.docker_ok(&["image", "prune", "--force"]);
    assert_eq!(untagged(), "");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    classic_build(Command::new(root.join("can/build")).arg("nsenter-can-test/can:stages"));
    assert_eq!(untagged(), "", "can/build left an untagged image");
}

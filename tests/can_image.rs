//! The can image against a real Docker engine, driven as a user drives it:
//! built with `can/build`, then `docker run`: what the image holds (here),
//! and every flow of the entry point (can_install, can_verbs, can_inside).
//! Without root or Docker the tests skip (and fail under `CI=true`).

mod common;

use common::can::{self as harness, docker};
use nsenter_can::can::{layout::share_files, TOOLS};
use std::path::Path;

/// Target from the issue: the whole image at most 8 MB.
const MAX_IMAGE_BYTES: u64 = 8_000_000;

/// Every file of the image, as `can/layout` lays it out.
fn image_files() -> Vec<String> {
    let mut files = vec!["can".to_string()];
    files.extend(TOOLS.iter().map(|t| t.to_string()));
    files.extend(share_files());
    files.sort();
    files
}

#[test]
fn image_is_small_and_holds_only_the_tools() {
    let Some(image) = harness::image() else {
        return;
    };
    let inspect =
        |format: &str| docker(&["image", "inspect", "--format", format, image]).stdout_text();
    assert_eq!(inspect("{{json .Config.Entrypoint}}").trim(), r#"["/can"]"#);

    let mut total = 0;
    for file in image_files() {
        let file = format!("/{file}");
        let size = docker(&["run", "--rm", image, "cat", &file]).stdout.len() as u64;
        eprintln!("{file}: {size} bytes");
        assert!(size > 0, "{file} is in the image");
        total += size;
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
/// image: the tools beside `/can`, and what `share_files` installs.
#[test]
fn layout_script_gives_the_files_the_can_installs() {
    let scratch = harness::Scratch::new("layout");
    let bins = scratch.path("bins");
    std::fs::create_dir(&bins).unwrap();
    for bin in ["can-entry", "nsenter", "docker-enter", "importenv"] {
        std::fs::write(bins.join(bin), bin).unwrap();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = scratch.path("out");
    let ran = harness::run(
        std::process::Command::new(root.join("can/layout"))
            .arg(&bins)
            .arg(&out),
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut found = Vec::new();
    let mut todo = vec![out.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path.strip_prefix(&out).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    assert_eq!(found, image_files());
    assert_eq!(std::fs::read(out.join("can")).unwrap(), b"can-entry");
    assert_eq!(
        std::fs::read(out.join("share/zsh/site-functions/_nsenter")).unwrap(),
        std::fs::read(root.join("completions/_nsenter")).unwrap()
    );
}

/// `can/build` takes can/Dockerfile from `FROM scratch AS can` to its end
/// and puts its own "builder" stage before it: that stage must come once,
/// last, and take the tools from builder's /out, which both ways fill.
#[test]
fn dockerfile_ends_with_the_stage_can_build_shares() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = std::fs::read_to_string(root.join("can/Dockerfile")).unwrap();
    let build = std::fs::read_to_string(root.join("can/build")).unwrap();
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(
        froms.last(),
        Some(&"FROM scratch AS can"),
        "the shared stage is last"
    );
    assert_eq!(
        froms
            .iter()
            .filter(|l| **l == "FROM scratch AS can")
            .count(),
        1
    );
    let shared = &dockerfile[dockerfile.find("FROM scratch AS can").unwrap()..];
    assert!(shared.contains("COPY --from=builder /out/ /"), "{shared}");
    assert!(shared.contains(r#"ENTRYPOINT ["/can"]"#), "{shared}");
    // Both ways fill /out with can/layout.
    assert!(dockerfile.contains("can/layout \"target/$host/release\" /out"));
    assert!(build.contains("\"$root/can/layout\" \"$bins\" \"$context/out\""));
}

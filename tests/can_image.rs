//! The can image against a real Docker engine, driven as a user drives it:
//! built with `can/build`, then `docker run`: what the image holds (here),
//! and every flow of the entry point (can_install, can_verbs, can_inside).
//! Without root or Docker the tests skip (and fail under `CI=true`).

mod common;

use common::can::{self as harness, docker};
use nsenter_can::can::TOOLS;

/// Target from the issue: the whole image at most 8 MB.
const MAX_IMAGE_BYTES: u64 = 8_000_000;

#[test]
fn image_is_small_and_holds_only_the_tools() {
    let Some(image) = harness::image() else {
        return;
    };
    let inspect =
        |format: &str| docker(&["image", "inspect", "--format", format, image]).stdout_text();
    assert_eq!(inspect("{{json .Config.Entrypoint}}").trim(), r#"["/can"]"#);

    let mut total = 0;
    for file in ["/can", "/nsenter", "/docker-enter", "/importenv"] {
        let size = docker(&["run", "--rm", image, "cat", file]).stdout.len() as u64;
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
        "image {size} bytes, its four files {total}"
    );
    assert_eq!(TOOLS.len(), 3, "update the file list above with TOOLS");
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
    for tool in TOOLS {
        let copied = |text: &str| {
            text.lines()
                .any(|l| l.trim_start().starts_with("cp ") && l.contains(tool))
        };
        assert!(
            copied(&dockerfile) && copied(&build),
            "{tool} goes into /out both ways"
        );
    }
}

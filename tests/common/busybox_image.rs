//! An offline test image (no registry here): Debian's static busybox in a
//! `FROM scratch` image, with users that exercise group handling.

use super::docker_ok;
use std::path::PathBuf;

pub const TAG: &str = "nsenter-can-test/busybox:users";

/// The image's /etc/passwd: comments, blank and broken lines included, as
/// real images have them. The unit tests of `users` use the same files.
pub const PASSWD: &str = include_str!("../../crates/plan/src/users/testdata/passwd");

/// alice is a member of wheel and video, bob of video and audio.
pub const GROUP: &str = include_str!("../../crates/plan/src/users/testdata/group");

const DOCKERFILE: &str = "FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
COPY passwd group /etc/
";

/// Build the image once per test binary (Docker's cache makes rebuilds cheap).
pub fn build() -> &'static str {
    build_custom(
        TAG,
        DOCKERFILE,
        &[
            ("passwd", PASSWD.as_bytes(), 0o644),
            ("group", GROUP.as_bytes(), 0o644),
        ],
    )
}

/// Debian's static busybox on this machine.
pub fn host_busybox() -> &'static str {
    ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("busybox-static installed (apt-get install busybox-static)")
}

/// Build `tag` from `dockerfile` with `files` (name, bytes, mode) and
/// busybox as `busybox` in the context; once per tag and test binary.
pub fn build_custom(
    tag: &'static str,
    dockerfile: &str,
    files: &[(&str, &[u8], u32)],
) -> &'static str {
    use std::os::unix::fs::PermissionsExt;
    static BUILT: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    // A build that failed in another test must not fail this one.
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built.contains(&tag) {
        return tag;
    }
    // A context of this process's own: two test binaries building one tag
    // at once must not empty each other's context.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{}-{}",
        tag.replace(['/', ':'], "-"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(host_busybox(), dir.join("busybox")).unwrap();
    for (name, bytes, mode) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode)).unwrap();
    }
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    docker_ok(&["build", "-q", "-t", tag, dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    built.push(tag);
    tag
}

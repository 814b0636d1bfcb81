//! An offline test image (no registry here): Debian's static busybox in a
//! `FROM scratch` image, with users that exercise group handling.

use super::docker_ok;
use std::path::PathBuf;
use std::sync::OnceLock;

pub const TAG: &str = "nsenter-can-test/busybox:users";

/// The image's /etc/passwd: comments, blank and broken lines included, as
/// real images have them. The unit tests of `creds` use the same files.
pub const PASSWD: &str = include_str!("../../src/creds/testdata/passwd");

/// alice is a member of wheel and video, bob of video and audio.
pub const GROUP: &str = include_str!("../../src/creds/testdata/group");

const DOCKERFILE: &str = "FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
COPY passwd group /etc/
";

/// Build the image once per test binary (Docker's cache makes rebuilds cheap).
pub fn build() -> &'static str {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("busybox-image");
        std::fs::create_dir_all(&dir).unwrap();
        let busybox = ["/bin/busybox", "/usr/bin/busybox"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("busybox-static installed (apt-get install busybox-static)");
        std::fs::copy(busybox, dir.join("busybox")).unwrap();
        std::fs::write(dir.join("passwd"), PASSWD).unwrap();
        std::fs::write(dir.join("group"), GROUP).unwrap();
        std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
        docker_ok(&["build", "-q", "-t", TAG, dir.to_str().unwrap()]);
    });
    TAG
}

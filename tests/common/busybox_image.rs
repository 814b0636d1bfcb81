//! An offline test image (no registry here): Debian's static busybox in a
//! `FROM scratch` image, with users that exercise group handling.

use super::docker_ok;
use std::path::PathBuf;
use std::sync::OnceLock;

pub const TAG: &str = "nsenter-can-test/busybox:users";

/// The image's /etc/passwd: comments, blank and broken lines included, as
/// real images have them.
pub const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
# a comment line
daemon:x:1:1:daemon:/usr/sbin:/bin/false

alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001::/home/bob:/bin/ash
broken line without colons
";

/// alice is a member of wheel and video, bob of video and audio.
pub const GROUP: &str = "root:x:0:
daemon:x:1:
alice:x:1000:
bob:x:1001:
wheel:x:10:alice
video:x:44:bob,alice
audio:x:29:bob
staff:x:50:
";

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

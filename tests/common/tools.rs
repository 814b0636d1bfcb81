//! Helpers of the `--tools` tests: a toolbox of static programs (Debian's
//! busybox and its applet links), containers with no shell (`FROM scratch`
//! with one static program built here), and the mounts every process sees.

use super::busybox_image::{build_custom, host_busybox};
use super::static_c;
use std::path::PathBuf;

/// A program that does nothing until it is told to end: the whole of a
/// `FROM scratch` container.
const PAUSE: &str = "#include <signal.h>\n#include <unistd.h>\n\
    static void bye(int s){(void)s;_exit(0);}\n\
    int main(void){signal(SIGTERM,bye);signal(SIGINT,bye);for(;;)pause();}\n";

/// A directory of static programs: busybox and a relative link per applet,
/// one of its own for each test (`name`), so that looking for its mounts
/// finds no other test's.
pub fn toolbox(name: &str) -> PathBuf {
    let dir = super::tempdir(&format!("toolbox-{name}"));
    std::fs::copy(host_busybox(), dir.join("busybox")).unwrap();
    let list = super::sh(&format!("{} --list", dir.join("busybox").display()));
    for applet in list.lines().filter(|a| *a != "busybox") {
        std::os::unix::fs::symlink("busybox", dir.join(applet)).unwrap();
    }
    dir
}

/// What identifies a mount of the directory `dir` in a mountinfo line:
/// its root, which ends with the directory's (unique) name.
pub fn mount_needle(dir: &std::path::Path) -> String {
    format!("/{} ", dir.file_name().unwrap().to_string_lossy())
}

/// A `FROM scratch` image holding only `/pause` (static, built with gcc),
/// run as `user` when given; None (after skipping or failing under CI)
/// when no static program can be built.
pub fn scratch_image(tag: &'static str, user: Option<&str>, passwd: &str) -> Option<&'static str> {
    let pause = static_c::require("pause", PAUSE)?;
    let bytes = std::fs::read(pause).unwrap();
    let mut dockerfile = String::from("FROM scratch\nCOPY pause /pause\n");
    let mut files: Vec<(&str, &[u8], u32)> = vec![("pause", &bytes, 0o755)];
    if !passwd.is_empty() {
        dockerfile.push_str("COPY passwd /etc/passwd\n");
        files.push(("passwd", passwd.as_bytes(), 0o644));
    }
    if let Some(user) = user {
        dockerfile.push_str(&format!("USER {user}\n"));
    }
    dockerfile.push_str("ENTRYPOINT [\"/pause\"]\n");
    Some(build_custom(tag, &dockerfile, &files))
}

/// The lines of every process's mountinfo that contain `needle`: where a
/// mount of ours would show, in any mount namespace of the machine.
pub fn mounts_naming(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path().join("mountinfo")) else {
            continue;
        };
        found.extend(
            text.lines()
                .filter(|l| l.contains(needle))
                .map(|l| format!("{}: {l}", name.to_string_lossy())),
        );
    }
    found
}

/// The processes (PIDs, sorted) whose mount table holds a line that
/// contains `needle`.
pub fn processes_seeing(needle: &str) -> Vec<String> {
    let mut seen: Vec<String> = mounts_naming(needle)
        .iter()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    seen.sort();
    seen.dedup();
    seen
}

/// Every file, link and directory under `dir`, with its mode and the hash
/// of its bytes: what a write into the toolbox would change.
pub fn tree_hash(dir: &std::path::Path) -> String {
    super::sh(&format!(
        "cd '{}' && find . -printf '%p %y %m %l\\n' | LC_ALL=C sort && \
         find . -type f -exec sha256sum {{}} + | LC_ALL=C sort",
        dir.display()
    ))
}

//! `cat FILE...`: a tool's bytes on stdout, so that the seed's
//! `docker run IMAGE cat /nsenter > /tmp/nsenter` works with no shell or
//! coreutils in the image.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// Copy each file to `out` in turn. Every file is opened before a byte is
/// written, so a mistyped name leaves the caller's redirect empty rather than
/// half-filled.
pub fn cat(paths: &[impl AsRef<Path>], out: &mut impl Write) -> Result<()> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.as_ref();
        let file = File::open(path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        files.push((path, file));
    }
    for (path, mut file) in files {
        copy(path, &mut file, out)?;
    }
    out.flush().map_err(|e| Error::io("write error", e))
}

/// A copy loop of our own rather than io::copy, which does not say whether
/// the file (a directory, say) or stdout (a closed pipe) failed.
fn copy(path: &Path, file: &mut File, out: &mut impl Write) -> Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
        };
        out.write_all(&buf[..n])
            .map_err(|e| Error::io("write error", e))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_in_order() {
        let dir = std::env::temp_dir().join(format!("can-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a"), b"one\0").unwrap();
        std::fs::write(dir.join("b"), b"two").unwrap();
        let mut out = Vec::new();
        cat(&[dir.join("a"), dir.join("b")], &mut out).unwrap();
        assert_eq!(out, b"one\0two");

        let mut out = Vec::new();
        let err = cat(&[dir.join("a"), dir.join("missing")], &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot open {}: No such file or directory",
                dir.join("missing").display()
            )
        );
        assert!(
            out.is_empty(),
            "nothing is written when any file is missing"
        );

        let err = cat(&[&dir], &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot read {}: Is a directory", dir.display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

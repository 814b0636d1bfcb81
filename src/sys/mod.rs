//! The syscall layer: the only code that calls libc or holds `unsafe`.
//! Everything above it uses the small safe functions here.

/// The C library's text for an errno, as util-linux prints it.
pub fn strerror(errno: i32) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its whole length and strerror_r (XSI
    // version in the libc crate) NUL-terminates what it writes.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn strerror_matches_libc_text() {
        assert_eq!(super::strerror(libc::ENOENT), "No such file or directory");
        assert_eq!(super::strerror(libc::EPERM), "Operation not permitted");
    }
}

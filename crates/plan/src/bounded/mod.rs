//! Reading files we do not control: the container's /etc/passwd and
//! /etc/group, env files, environ files. Each is streamed record by record
//! through [`Records`], with a limit on each record and on the whole file,
//! in time linear in what is read; a refusal names the file and the limit.
//! The limits are ones a real system never reaches, and each is in the
//! man pages.

pub mod environ;
mod exec_limit;
mod records;

pub use exec_limit::ExecLimit;
pub use records::{Bounds, Records};

/// The container's /etc/passwd and /etc/group. A line may hold 64 KiB with
/// its newline, as for docker exec (its line scanner's limit); the file
/// 256 MiB, four times what a million users take.
pub const CONTAINER_FILE: Bounds = Bounds {
    record: 64 << 10,
    total: 256 << 20,
};

/// An env file may be this large: ten times what any program can be given
/// (its lines are bounded by [`ExecLimit`]).
pub const ENV_FILE_TOTAL: u64 = 64 << 20;

/// Bytes as a person reads them: "64 KiB", "2 MiB", "131071 bytes".
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(64 << 10), "64 KiB");
        assert_eq!(size_text(256 << 20), "256 MiB");
        assert_eq!(size_text(2_560_000), "2500 KiB");
        assert_eq!(size_text(131_071), "131071 bytes");
        assert_eq!(size_text(1000), "1000 bytes");
    }
}

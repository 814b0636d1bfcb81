//! Test helper: a daemon on a temporary unix socket that answers each
//! connection with the next canned answer and keeps the requests it got.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct FakeDaemon {
    pub socket: PathBuf,
    server: JoinHandle<Vec<String>>,
}

/// A fresh socket path in a directory of its own.
pub fn socket_path() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("nsc-fake-daemon-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("docker.sock")
}

impl FakeDaemon {
    /// Answer one connection per item, writing each answer in pieces of
    /// `piece` bytes (to exercise split reads); a `None` answer stays silent
    /// for `silence` and then hangs up.
    #[allow(clippy::disallowed_methods)] // a test's thread, never in a child
    pub fn start(
        answers: Vec<Option<&'static [u8]>>,
        piece: usize,
        silence: Duration,
    ) -> FakeDaemon {
        let socket = socket_path();
        let listener = UnixListener::bind(&socket).unwrap();
        let server = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for answer in answers {
                let (mut conn, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let n = conn.read(&mut buf).unwrap();
                requests.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                match answer {
                    Some(bytes) => {
                        for part in bytes.chunks(piece) {
                            // The client may hang up early on a bad answer.
                            if conn.write_all(part).is_err() {
                                break;
                            }
                        }
                    }
                    None => std::thread::sleep(silence),
                }
            }
            requests
        });
        FakeDaemon { socket, server }
    }

    /// The request texts received, once every answer has been given.
    pub fn requests(self) -> Vec<String> {
        self.server.join().unwrap()
    }
}

//! A terminal the test holds: a pseudo-terminal whose master the test
//! reads, with a tool started on its other end as the leader of a session
//! it controls (util-linux `setsid --ctty`). Dropping the master hangs the
//! terminal up, as a closed terminal window or a killed `script` does.

use rustix::pty::OpenptFlags;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestPty {
    master: Option<OwnedFd>,
    peer: std::path::PathBuf,
    /// Everything read from the master so far.
    pub seen: String,
}

impl TestPty {
    pub fn open() -> TestPty {
        let master =
            rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)
                .expect("openpt");
        rustix::pty::grantpt(&master).expect("grantpt");
        rustix::pty::unlockpt(&master).expect("unlockpt");
        let name = rustix::pty::ptsname(&master, Vec::new()).expect("ptsname");
        let flags = rustix::fs::fcntl_getfl(&master).unwrap();
        rustix::fs::fcntl_setfl(&master, flags | rustix::fs::OFlags::NONBLOCK).unwrap();
        TestPty {
            master: Some(master),
            peer: name.into_string().unwrap().into(),
            seen: String::new(),
        }
    }

    /// Start `argv` with the terminal as its standard input, output and
    /// error and as the controlling terminal of the new session it leads.
    /// `setsid` replaces itself with `argv` (it forks only when it already
    /// leads a process group), so the child is `argv[0]` itself.
    pub fn spawn(&self, argv: &[&str]) -> Child {
        let end = || -> Stdio {
            File::options()
                .read(true)
                .write(true)
                .open(&self.peer)
                .expect("open the pty's peer")
                .into()
        };
        Command::new("setsid")
            .arg("--ctty")
            .args(argv)
            .stdin(end())
            .stdout(end())
            .stderr(end())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {argv:?}: {e}"))
    }

    /// Read what the terminal shows until `marker` appears, for up to 10 s.
    pub fn wait_for(&mut self, marker: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let master = self.master.as_ref().expect("the terminal is open");
        let mut buf = [0u8; 4096];
        while !self.seen.contains(marker) {
            assert!(
                Instant::now() < deadline,
                "waiting for {marker}; the terminal shows:\n{}",
                self.seen
            );
            match rustix::io::read(master, &mut buf) {
                Ok(n) if n > 0 => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => {
                    let mut fds = [rustix::event::PollFd::new(
                        master,
                        rustix::event::PollFlags::IN,
                    )];
                    let wait = rustix::event::Timespec {
                        tv_sec: 0,
                        tv_nsec: 50_000_000,
                    };
                    let _ = rustix::event::poll(&mut fds, Some(&wait));
                }
            }
        }
    }

    /// Close the master: the kernel hangs the terminal up.
    pub fn hang_up(&mut self) {
        drop(self.master.take());
    }
}

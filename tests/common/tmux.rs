//! A private tmux server for tests of interactive use: type keys, read the
//! screen.

use std::process::Command;
use std::time::{Duration, Instant};

/// An interactive bash with job control, as an operator has.
pub const SHELL: &str = "env -i TERM=xterm PS1='$ ' bash --norc --noprofile -i";

/// How often `marker` shows on the screen. Arithmetic in the typed commands
/// (`echo READY-$((2*3))`) keeps markers out of the echoed command line:
/// only output shows "READY-6".
pub fn count(screen: &str, marker: &str) -> usize {
    screen.matches(marker).count()
}

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// A server of our own (`tmux -L`), killed when the value is dropped.
    pub fn new(tag: &str) -> Tmux {
        Tmux {
            socket: super::unique(&format!("nsc-{tag}")),
        }
    }

    pub fn run(&self, args: &[&str]) -> super::RunResult {
        super::run(
            Command::new("tmux").arg("-L").arg(&self.socket).args(args),
            b"",
        )
    }

    /// A detached session "nsc" running `command` on a 120x40 screen.
    pub fn start(&self, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            "nsc",
            "-x",
            "120",
            "-y",
            "40",
            command,
        ])
        .success();
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "nsc"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "nsc"]).stdout
    }

    /// Poll the screen until `pred` holds, for up to 10 s.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

//! Interactive use at a real terminal (tmux): a Ctrl-C reaches the program
//! once, not twice (nsenter forwards only signals a process sent), and a
//! program in a container cannot push keystrokes into the host's terminal
//! with TIOCSTI (docker-enter gives it a fresh pty; security rule 13).

mod common;

use common::docker_enter::{image, ready, DOCKER_ENTER};
use common::tmux::Tmux;
use common::{docker_ok, require_root_and, Target, TestContainer};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");

/// An interactive bash with job control, as an operator has.
const SHELL: &str = "env -i TERM=xterm PS1='$ ' bash --norc --noprofile -i";

/// Arithmetic in the typed commands keeps the markers out of the echoed
/// command line: only output shows "GOT-2INT", "READY-6" and so on.
fn count(screen: &str, marker: &str) -> usize {
    screen.matches(marker).count()
}

#[test]
fn ctrl_c_at_a_terminal_reaches_the_program_once() {
    if !require_root_and(&["tmux", "bash", "unshare"]) {
        return;
    }
    let target = Target::full();
    let tmux = Tmux::new("ctrlc");
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    let program = "trap \"echo GOT-\\$((1+1))INT\" INT; echo READY-$((2*3)); \
                   i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; echo DONE-$((3+4))";
    tmux.keys(&[
        &format!("{NSENTER} -t {} -p -m sh -c '{program}'", target.pid),
        "Enter",
    ]);
    tmux.wait_for("the program to start", |s| count(s, "READY-6") == 1);
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("the program to finish", |s| count(s, "DONE-7") == 1);
    assert_eq!(
        count(&screen, "GOT-2INT"),
        1,
        "the program must see one SIGINT:\n{screen}"
    );
}

/// A static program that pushes "echo INJ-$((6+6))\n" with TIOCSTI into
/// whichever terminal it can reach: its stdin, stdout, stderr or /dev/tty.
fn injector() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("nsc-tiocsti-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let source = dir.join("tiocsti.c");
    std::fs::write(
        &source,
        "#include <sys/ioctl.h>\n#include <fcntl.h>\n\
         static int push(int fd){const char*s=\"echo INJ-$((6+6))\\n\";\
         for(;*s;s++)if(ioctl(fd,TIOCSTI,s))return 0;return 1;}\n\
         int main(void){int fds[4]={0,1,2,open(\"/dev/tty\",O_RDWR)};\
         for(int i=0;i<4;i++)if(fds[i]>=0&&push(fds[i]))return 0;return 1;}\n",
    )
    .ok()?;
    let binary = dir.join("tiocsti");
    let built = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .ok()?;
    built.success().then_some(binary)
}

/// Type `command` at an interactive shell; true when the injected command
/// ran in that (host) shell afterwards.
fn injection_reaches_host(tag: &str, command: &str) -> bool {
    let tmux = Tmux::new(tag);
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tmux.keys(&[&format!("{command}; echo AFTER-$((5+5))"), "Enter"]);
    tmux.wait_for("the command to end", |s| count(s, "AFTER-10") == 1);
    // Give the host's shell time to read anything pushed into its input.
    std::thread::sleep(Duration::from_millis(700));
    tmux.keys(&["echo END-$((7+7))", "Enter"]);
    let screen = tmux.wait_for("the shell to answer", |s| count(s, "END-14") == 1);
    count(&screen, "INJ-12") > 0
}

#[test]
fn tiocsti_from_the_container_does_not_reach_the_host_terminal() {
    if !ready() || !require_root_and(&["tmux", "bash", "gcc", "nsenter"]) {
        return;
    }
    let Some(binary) = injector() else {
        common::skip_or_fail("cannot build a static test program with gcc -static (libc6-dev)");
        return;
    };
    let c = TestContainer::run("nsc-tiocsti", &[], image(), &["sleep", "100000"]);
    docker_ok(&[
        "cp",
        binary.to_str().unwrap(),
        &format!("{}:/tiocsti", c.name),
    ]);
    let pid = docker_ok(&["inspect", "-f", "{{.State.Pid}}", &c.name]);
    // Control: util-linux nsenter hands the program our terminal, and the
    // injection works, so the checks below can fail.
    let control = format!("/usr/bin/nsenter -t {pid} -a /tiocsti");
    assert!(
        injection_reaches_host("control", &control),
        "TIOCSTI control did not inject; the test cannot see injection"
    );
    for (tag, command) in [
        ("pty", format!("{DOCKER_ENTER} {} /tiocsti", c.name)),
        ("notty", format!("{DOCKER_ENTER} -T {} /tiocsti", c.name)),
        (
            "piped",
            format!("echo | {DOCKER_ENTER} {} /tiocsti", c.name),
        ),
    ] {
        assert!(
            !injection_reaches_host(tag, &command),
            "{command}: keystrokes from the container reached the host's terminal"
        );
    }
    let _ = std::fs::remove_dir_all(binary.parent().unwrap());
}

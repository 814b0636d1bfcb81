//! docker-enter at a real terminal (tmux): a program in a container cannot
//! push keystrokes into the host's terminal with TIOCSTI (docker-enter
//! gives it a fresh pty, or pipes; security rule 13).

mod common;

use common::docker_enter::{image, ready, DOCKER_ENTER};
use common::tmux::{count, Tmux, SHELL};
use common::{docker_ok, require_root_and, TestContainer};

/// A static program that pushes "echo INJ-$((6+6))\n" with TIOCSTI into
/// whichever terminal it can reach: its stdin, stdout, stderr or /dev/tty.
const INJECTOR: &str = "#include <sys/ioctl.h>\n#include <fcntl.h>\n\
    static int push(int fd){const char*s=\"echo INJ-$((6+6))\\n\";\
    for(;*s;s++)if(ioctl(fd,TIOCSTI,s))return 0;return 1;}\n\
    int main(void){int fds[4]={0,1,2,open(\"/dev/tty\",O_RDWR)};\
    for(int i=0;i<4;i++)if(fds[i]>=0&&push(fds[i]))return 0;return 1;}\n";

/// Type `command` at an interactive shell; true when the injected command
/// ran in that (host) shell afterwards.
///
/// The injector pushes its keystrokes before it exits, so before the shell
/// prints AFTER-10. A terminal's input is one queue: the END line typed
/// after that comes behind anything pushed, so once END-14 shows, the
/// shell has already run whatever was injected. No waiting on a clock.
fn injection_reaches_host(tag: &str, command: &str) -> bool {
    let tmux = Tmux::new(tag);
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    tmux.keys(&[&format!("{command}; echo AFTER-$((5+5))"), "Enter"]);
    tmux.wait_for("the command to end", |s| count(s, "AFTER-10") == 1);
    tmux.keys(&["echo END-$((7+7))", "Enter"]);
    let screen = tmux.wait_for("the shell to answer", |s| count(s, "END-14") == 1);
    count(&screen, "INJ-12") > 0
}

#[test]
fn tiocsti_from_the_container_does_not_reach_the_host_terminal() {
    if !ready() || !require_root_and(&["tmux", "bash", "gcc", "nsenter"]) {
        return;
    }
    let Some(binary) = common::static_c::require("tiocsti", INJECTOR) else {
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
}

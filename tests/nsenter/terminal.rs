//! nsenter at a terminal: a Ctrl-C reaches the program once, not twice
//! (nsenter forwards only signals a process sent); a hang-up that only
//! the session's leader hears reaches the program.

use crate::common;

use common::pty::TestPty;
use common::tmux::{count, Tmux, SHELL};
use common::{require_root_and, Target};

const NSENTER: &str = env!("CARGO_BIN_EXE_nsenter");

#[test]
fn ctrl_c_at_a_terminal_reaches_the_program_once() {
    if !require_root_and(&["tmux", "bash", "unshare"]) {
        return;
    }
    let target = Target::full();
    let tmux = Tmux::new("ctrlc");
    tmux.start(SHELL);
    tmux.wait_for("the prompt", |s| s.lines().any(|l| l.trim_end() == "$"));
    // The program waits for its first SIGINT (up to 8 s, however slow
    // tmux is to type Ctrl-C), then one second more for a second one.
    let program = "n=0; trap \"n=\\$((n+1)); echo GOT-\\$((1+1))INT\" INT; echo READY-$((2*3)); \
                   i=0; while [ $n -eq 0 ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i+1)); done; \
                   i=0; while [ $i -lt 10 ]; do sleep 0.1; i=$((i+1)); done; echo DONE-$((3+4))";
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

#[test]
fn a_hang_up_reaches_the_program_when_nsenter_leads_the_session() {
    if !require_root_and(&["setsid", "unshare"]) {
        return;
    }
    let target = Target::full();
    // nsenter leads the terminal's session: when the terminal hangs up,
    // the kernel sends SIGHUP to it alone, not to the program beside it.
    let mut pty = TestPty::open();
    let pid = target.pid.to_string();
    let program = "echo READY-$((2*3)); exec sleep 1000";
    let mut tool =
        common::KillOnDrop(pty.spawn(&[NSENTER, "-t", &pid, "-p", "-m", "sh", "-c", program]));
    pty.wait_for("READY-6");
    let sleeper = common::children(tool.0.id() as i32)[0];
    assert!(common::alive(sleeper));
    pty.hang_up();
    let status = common::wait_with_timeout(&mut tool.0, common::QUICK);
    assert_eq!(
        status.map(common::describe).as_deref(),
        Some("signal 1"),
        "nsenter ends as its program does, of the hang-up"
    );
    assert!(common::wait_until(common::QUICK, || {
        !common::alive(sleeper)
    }));
}

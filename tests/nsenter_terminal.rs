//! nsenter at a real terminal (tmux): a Ctrl-C reaches the program once,
//! not twice (nsenter forwards only signals a process sent).

mod common;

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

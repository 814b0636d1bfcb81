//! The README's quick start for nsenter, run exactly as written (taken
//! from README.md, so that the README cannot change without this test):
//! it must enter the `sleep` it started, never another program's, even
//! when a newer `sleep` runs on the host.

use crate::common;

use common::{require_root_and, tempdir, wait_with_timeout, RUN_TIMEOUT};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// The paragraph of README.md the example follows.
const LEAD: &str = "Without Docker, enter any process with `nsenter`";

/// The example as it was before: the newest `sleep` on the host.
const OLD_EXAMPLE: &str = "unshare --fork --pid --mount-proc --uts sleep infinity &\n\
                           ./target/release/nsenter -t \"$(pgrep -n -x sleep)\" -a ps\n";

/// Another program's `sleep`, started on the host once the example's own
/// has started, and waited for until it is the newest (the subshell may
/// return before its child has become sleep): `$!` stays the example's (a
/// subshell's background job is not the shell's).
const NEWER_SLEEP: &str = "until pgrep -P $! -x sleep >/dev/null; do sleep 0.1; done; \
    (sleep 1000 &); \
    until [ \"$(pgrep -n -x sleep)\" != \"$(pgrep -P $! -x sleep)\" ]; do sleep 0.1; done\n";

/// The indented block that follows the lead paragraph, unindented.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let after = &readme[readme.find(LEAD).expect("the quick start's lead")..];
    let block: Vec<&str> = after
        .lines()
        .skip_while(|l| !l.starts_with("    "))
        .take_while(|l| l.starts_with("    "))
        .map(|l| &l[4..])
        .collect();
    assert!(!block.is_empty(), "no example after {LEAD:?}");
    block.join("\n") + "\n"
}

/// `script` with `line` put after its first line.
fn after_first_line(script: &str, line: &str) -> String {
    let (first, rest) = script.split_at(script.find('\n').unwrap() + 1);
    format!("{first}{line}{rest}")
}

/// Kills a process group when the test ends, whatever happens: what the
/// example leaves running (unshare, its sleep, a decoy).
struct Group(rustix::process::Pid);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process_group(self.0, rustix::process::Signal::KILL);
    }
}

/// Run `script` with bash, as typed at a prompt, in a directory where
/// `./target/release/nsenter` is the nsenter under test; its stdout and
/// stderr once bash has ended (what it left running is then killed).
fn run_example(name: &str, script: &str) -> (String, String) {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("target/release")).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_nsenter"),
        dir.join("target/release/nsenter"),
    )
    .unwrap();
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut bash = Command::new("bash")
        .args(["-c", script])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let group = Group(rustix::process::Pid::from_child(&bash));
    let status = wait_with_timeout(&mut bash, RUN_TIMEOUT);
    drop(group);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{script}\nstdout: {}\nstderr: {}",
        read(&out),
        read(&err)
    );
    (read(&out), read(&err))
}

/// `ps`'s table as (PID, command) pairs.
fn processes(ps: &str) -> Vec<(String, String)> {
    ps.lines()
        .skip(1)
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words[0].to_string(), words.last().unwrap().to_string())
        })
        .collect()
}

/// What `ps` shows inside the example's namespaces: its sleep as PID 1,
/// and nothing else but ps (once, a loaded machine showed ps twice; the
/// host's namespaces show other processes, and PID 1 is never a sleep).
fn entered_the_example(ps: &str) -> bool {
    let table = processes(ps);
    table.first() == Some(&("1".into(), "sleep".into()))
        && table.len() >= 2
        && table[1..].iter().all(|(_, command)| command == "ps")
}

#[test]
fn the_readme_example_enters_the_sleep_it_started() {
    if !require_root_and(&["unshare", "pgrep", "ps", "bash"]) {
        return;
    }
    let example = readme_example();
    let (ps, stderr) = run_example("quick-start", &example);
    assert!(entered_the_example(&ps), "{example}\n{ps}\n{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn the_readme_example_ignores_a_newer_sleep_of_another_program() {
    if !require_root_and(&["unshare", "pgrep", "ps", "bash"]) {
        return;
    }
    // Control: the example as it was enters the newer sleep, on the host,
    // and the check below sees it. Another test may start a sleep as PID 1
    // of a namespace of its own at that moment, which the old example
    // then enters and which looks like its own: such a run is tried again.
    let mut tables = Vec::new();
    let caught = (0..5).any(|_| {
        let (ps, _) = run_example(
            "quick-start-old",
            &after_first_line(OLD_EXAMPLE, NEWER_SLEEP),
        );
        tables.push(ps);
        !entered_the_example(tables.last().unwrap())
    });
    assert!(
        caught,
        "control: the old example entered its own sleep: {tables:#?}"
    );

    let example = after_first_line(&readme_example(), NEWER_SLEEP);
    let (ps, stderr) = run_example("quick-start-decoy", &example);
    assert!(entered_the_example(&ps), "{example}\n{ps}\n{stderr}");
}

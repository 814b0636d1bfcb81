//! Shell completions held to a tool's options table: each shell is asked
//! what it offers after `TOOL -`, the way it asks when the user presses
//! Tab, and the answer must be the table's spellings, no more and no fewer.
//! zsh cannot be driven without a terminal, so its `_arguments` specs are
//! read instead (after `zsh -n` has parsed the file).

use super::{require, run, RunResult};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// `completions/NAME` in the checkout.
pub fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// `-x` and `--long` for each row of a table: (short, long).
pub fn spellings<'a>(rows: impl IntoIterator<Item = (Option<char>, &'a str)>) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for (short, long) in rows {
        set.insert(format!("--{long}"));
        if let Some(c) = short {
            set.insert(format!("-{c}"));
        }
    }
    set
}

/// The shells the tests drive, or skip (fail under CI).
pub fn shells_ready() -> bool {
    ["bash", "zsh", "fish"]
        .iter()
        .all(|shell| require(super::have(shell), &format!("{shell} is not installed")))
}

/// A shell with the built tools first on PATH (completions may run them).
fn shell(name: &str) -> Command {
    let bins = std::path::Path::new(env!("CARGO_BIN_EXE_nsenter"))
        .parent()
        .unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bins.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(name);
    cmd.env("PATH", std::env::join_paths(dirs).unwrap());
    cmd
}

fn ok(out: RunResult) -> String {
    out.success().no_stderr();
    out.stdout
}

/// What bash's completion function `func` from `completions/NAME` offers
/// for each command line, with the cursor at its end. COMP_WORDS is split
/// at spaces only (bash also splits at '=': the scripts must not rely on
/// it either way).
pub fn bash(name: &str, func: &str, lines: &[&str]) -> Vec<BTreeSet<String>> {
    let script = format!(
        r#"source "$0" || exit 1
for line in "$@"; do
    COMP_LINE=$line COMP_POINT=${{#line}}
    read -ra COMP_WORDS <<<"$line"
    [[ -z $line || $line == *' ' ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) COMPREPLY=()
    {func}
    printf '%s\n' "${{COMPREPLY[@]}}" '--end--'
done"#
    );
    let out = run(
        shell("bash")
            .args(["--norc", "--noprofile", "-c", &script])
            .arg(file(name))
            .args(lines),
        b"",
    );
    answers(&ok(out), lines.len())
}

/// What fish offers (`complete -C`) for each command line, from
/// `completions/NAME` alone: the candidates without their descriptions.
pub fn fish(name: &str, lines: &[&str]) -> Vec<BTreeSet<String>> {
    fish_offers(name, lines, r#" | string replace -r '\t.*' ''"#)
}

/// [`fish`], each candidate with its description after a tab
/// (`web\tdocker busybox`).
pub fn fish_described(name: &str, lines: &[&str]) -> Vec<BTreeSet<String>> {
    fish_offers(name, lines, "")
}

fn fish_offers(name: &str, lines: &[&str], filter: &str) -> Vec<BTreeSet<String>> {
    let script = format!(
        r#"source $argv[1]; or exit 1
for line in $argv[2..-1]
    complete -C "$line"{filter}
    echo -- --end--
end"#
    );
    let out = run(
        shell("fish")
            .args(["--no-config", "-c", &script, "--"])
            .arg(file(name))
            .args(lines),
        b"",
    );
    answers(&ok(out), lines.len())
}

fn answers(stdout: &str, count: usize) -> Vec<BTreeSet<String>> {
    let mut sets = vec![BTreeSet::new()];
    for line in stdout.lines() {
        match line {
            "--end--" => sets.push(BTreeSet::new()),
            "" => {}
            word => {
                sets.last_mut().unwrap().insert(word.to_string());
            }
        }
    }
    sets.pop();
    assert_eq!(sets.len(), count, "one answer per line:\n{stdout}");
    sets
}

/// The options named by the `_arguments` specs of a zsh completion: the
/// words before each description's `[`, exclusion groups and repetition
/// marks included, with zsh's argument markers (`+`, `-`, `=`, `=-`) taken
/// off.
pub fn zsh_options(name: &str) -> BTreeSet<String> {
    let path = file(name);
    ok(run(shell("zsh").arg("-n").arg(&path), b""));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut set = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        // A spec with a description: '(-u --user)'{-u+,--user=}'[...]...
        let spec = line.starts_with('\'') || line.starts_with('{');
        if !spec || !line.contains('[') {
            continue;
        }
        let names = line.split('[').next().unwrap_or_default();
        for word in names.split(|c: char| c.is_whitespace() || "'{}(),*".contains(c)) {
            let word = word.trim_end_matches(['+', '=', '-']);
            let is_option = word.len() > 1
                && word.starts_with('-')
                && word
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if is_option {
                set.insert(word.to_string());
            }
        }
    }
    set
}

/// bash, fish and zsh all offer exactly `want` for `TOOL -`.
pub fn assert_offer_exactly(tool: &str, bash_func: &str, want: &BTreeSet<String>) {
    let line = format!("{tool} -");
    let bash = &self::bash(&format!("{tool}.bash"), bash_func, &[&line])[0];
    assert_eq!(bash, want, "bash completion of '{line}'");
    let fish = &self::fish(&format!("{tool}.fish"), &[&line])[0];
    assert_eq!(fish, want, "fish completion of '{line}'");
    assert_eq!(
        &zsh_options(&format!("_{tool}")),
        want,
        "zsh completion of {tool}"
    );
}

//! nsenter's bash, zsh and fish completions: they offer exactly the options
//! of nsenter's table, a value where an option takes one, and stop offering
//! options at the program, as nsenter stops reading them there.

use crate::common;

use common::completions::{assert_offer_exactly, bash, fish, shells_ready, spellings};
use nsenter_can::cli::nsenter::OPTIONS;
use std::collections::BTreeSet;

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn every_shell_offers_exactly_the_options_of_the_table() {
    if !shells_ready() {
        return;
    }
    let table = spellings(OPTIONS.iter().map(|r| (r.spec.short, r.spec.long.unwrap())));
    assert_eq!(
        table.len(),
        53,
        "the table as counted when the completions were written"
    );
    assert_offer_exactly("nsenter", "_nsenter", &table);
}

#[test]
fn bash_completes_values_and_stops_at_the_program() {
    if !shells_ready() {
        return;
    }
    let own_pid = std::process::id().to_string();
    let got = bash(
        "nsenter.bash",
        "_nsenter",
        &[
            "nsenter --mount-p",
            &format!("nsenter -t {own_pid}"),
            &format!("nsenter -at {own_pid}"),
            &format!("nsenter --target {own_pid}"),
            "nsenter --setuid fol",
            "nsenter --kill-child=TE",
            "nsenter -a sh -",
            "nsenter -a -- -",
            // -m takes only an attached value: here "t", and 42 is the program.
            "nsenter -mt 42 -",
        ],
    );
    assert_eq!(got[0], set(&["--mount-proc"]));
    for answer in &got[1..4] {
        assert!(answer.contains(&own_pid), "{answer:?} lacks pid {own_pid}");
        assert!(answer.iter().all(|p| p.starts_with(&own_pid)), "{answer:?}");
    }
    assert_eq!(got[4], set(&["follow"]));
    assert_eq!(got[5], set(&["--kill-child=TERM"]));
    assert_eq!(got[6], set(&[]), "options end at the program");
    assert_eq!(got[7], set(&[]), "options end at --");
    assert_eq!(got[8], set(&[]), "an optional value is only attached");

    // The control: the same words before the program are options.
    assert!(bash("nsenter.bash", "_nsenter", &["nsenter -a -"])[0].contains("--mount"));
}

#[test]
fn fish_completes_values_and_stops_at_the_program() {
    if !shells_ready() {
        return;
    }
    let got = fish(
        "nsenter.fish",
        &[
            "nsenter --setuid ",
            "nsenter -a sh --mount",
            "nsenter -a --mount",
            "nsenter -t 1 bas",
        ],
    );
    assert_eq!(got[0], set(&["follow"]));
    assert!(!got[1].contains("--mount"), "options end at the program");
    assert!(got[2].contains("--mount-proc"), "the control: {:?}", got[2]);
    assert!(
        got[3].contains("bash"),
        "the program is a command: {:?}",
        got[3]
    );
}

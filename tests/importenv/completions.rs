//! importenv's bash, zsh and fish completions: exactly its options, then an
//! environ file, then a command.

use crate::common;

use common::completions::{assert_offer_exactly, bash, fish, shells_ready, spellings};
use nsenter_can::cli::importenv::OPTIONS;

#[test]
fn every_shell_offers_exactly_the_options_of_the_table() {
    if !shells_ready() {
        return;
    }
    let table = spellings(OPTIONS.iter().map(|r| (r.spec.short, r.spec.long.unwrap())));
    assert_eq!(table.len(), 4);
    assert_offer_exactly("importenv", "_importenv", &table);
}

#[test]
fn a_file_then_a_command_then_its_arguments() {
    if !shells_ready() {
        return;
    }
    let lines = ["importenv /proc/sel", "importenv /proc/self/environ bas"];
    let got = bash("importenv.bash", "_importenv", &lines);
    assert!(got[0].contains("/proc/self"), "{:?}", got[0]);
    assert!(got[1].contains("bash"), "{:?}", got[1]);
    let got = fish("importenv.fish", &lines);
    assert!(got[0].contains("/proc/self/"), "{:?}", got[0]);
    assert!(got[1].contains("bash"), "{:?}", got[1]);
    // Options only before the file.
    let after = bash("importenv.bash", "_importenv", &["importenv -"])[0].clone();
    assert!(after.contains("--help"));
    let late = bash("importenv.bash", "_importenv", &["importenv f -"]);
    assert!(!late[0].contains("--help"), "{:?}", late[0]);
}

//! docker-enter's bash, zsh and fish completions offer exactly the visible
//! options of its table (running containers are tested with Docker in
//! `docker_enter/exec.rs`).

use crate::common;

use common::completions::{assert_offer_exactly, shells_ready, spellings};
use nsenter_can::cli::docker_enter::visible_options;

#[test]
fn every_shell_offers_exactly_the_options_of_the_table() {
    if !shells_ready() {
        return;
    }
    let rows = visible_options().map(|r| (r.spec.short, r.spec.long.unwrap()));
    assert_offer_exactly("docker-enter", "_docker_enter", &spellings(rows));
}

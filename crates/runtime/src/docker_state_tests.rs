//! Docker's state files where dockerd keeps them besides its data root's
//! `containers`: a remapped root's directory, and a user's rootless Docker.

use super::*;
use crate::statedir::tests::Scratch;
use serde_json::{json, Value};
use std::os::unix::fs::MetadataExt;

const CONFIG: &str = include_str!("testdata/docker-config.v2.json");
const BUNDLE: &str = include_str!("testdata/bundle-docker.json");
const TASKS: &str = "run/docker/containerd/daemon/io.containerd.runtime.v2.task";

fn hex_id(first: char) -> String {
    format!("{first}{}", "0123456789abcdef".repeat(4).get(1..).unwrap())
}

/// A running container `name`, its process ours (so that it is there).
fn container(s: &Scratch, containers: &str, id: &str, name: &str) {
    let mut config: Value = serde_json::from_str(CONFIG).unwrap();
    config["ID"] = json!(id);
    config["Name"] = json!(format!("/{name}"));
    config["State"]["Pid"] = json!(std::process::id());
    let file = format!("{containers}/{id}/config.v2.json");
    s.write(&file, config.to_string().as_bytes());
}

/// Its task bundle's config.json, naming `cgroups_path` (none if empty).
fn bundle(s: &Scratch, id: &str, cgroups_path: &str) {
    let mut spec: Value = serde_json::from_str(BUNDLE).unwrap();
    match cgroups_path {
        "" => drop(spec["linux"].as_object_mut().unwrap().remove("cgroupsPath")),
        path => spec["linux"]["cgroupsPath"] = json!(path),
    }
    let file = format!("{TASKS}/moby/{id}/config.json");
    s.write(&file, spec.to_string().as_bytes());
}

fn found(state: &DockerState) -> Vec<Container> {
    let mut found = state
        .scan(Hint::All)
        .unwrap()
        .map(|scan| scan.containers)
        .unwrap_or_default();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

#[test]
fn a_remapped_roots_containers_are_read_beside_the_others() {
    let s = Scratch::new("remapped");
    container(&s, "data/containers", &hex_id('a'), "plain");
    container(
        &s,
        "data/231072.231072/containers",
        &hex_id('b'),
        "remapped",
    );
    // Not a remapped root's name: not looked in.
    container(&s, "data/volumes/containers", &hex_id('c'), "volume");
    let state = DockerState {
        data_root: s.0.join("data"),
        bundle_roots: Vec::new(),
        owner: None,
    };
    let names: Vec<String> = found(&state).into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["plain", "remapped"]);
}

/// A rootless Docker of the user who owns `s`'s files, or of `uid`.
fn rootless(s: &Scratch, uid: u32) -> DockerState {
    let data_home = s.0.join("home/.local/share");
    DockerState {
        data_root: data_home.join("docker"),
        bundle_roots: vec![s.0.join(TASKS)],
        owner: Some(StateOwner {
            uid,
            name: "alice".into(),
            bases: vec![data_home, s.0.join("run")],
        }),
    }
}

#[test]
fn a_users_state_is_read_as_theirs_only_where_it_is_theirs() {
    let s = Scratch::new("rootless-docker");
    let (web, db) = (hex_id('a'), hex_id('b'));
    container(&s, "home/.local/share/docker/containers", &web, "web");
    container(&s, "home/.local/share/docker/containers", &db, "db");
    // rootless Docker on cgroup v1 names no cgroup; one named must be the
    // container's.
    bundle(&s, &web, "");
    bundle(&s, &db, &format!("/docker/{db}"));
    let mine = std::fs::metadata(&s.0).unwrap().uid();
    let theirs = found(&rootless(&s, mine));
    let facts: Vec<_> = theirs
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.owner.as_deref(),
                c.identity.userns_owner,
                c.identity.cgroup_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        facts,
        [
            ("db", Some("alice"), Some(mine), Some(db.as_str())),
            ("web", Some("alice"), Some(mine), None)
        ]
    );
    assert_eq!(theirs[1].address(), "docker:alice/web");

    // Another's cgroup named: refused, naming the bundle.
    bundle(&s, &db, &format!("/docker/{web}"));
    let err = rootless(&s, mine).scan(Hint::All).unwrap_err().to_string();
    assert!(err.contains(&format!("moby/{db}/config.json")), "{err}");
    bundle(&s, &db, "");

    // Directories that are not the user's are not read at all.
    assert!(rootless(&s, mine + 1).scan(Hint::All).unwrap().is_none());

    // Nothing beneath their directory is reached through a symlink.
    let data_root = s.0.join("home/.local/share/docker");
    std::fs::rename(&data_root, s.0.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(s.0.join("elsewhere"), &data_root).unwrap();
    let err = rootless(&s, mine).scan(Hint::All).unwrap_err().to_string();
    assert!(err.contains("without following symlinks"), "{err}");
}

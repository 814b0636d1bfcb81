//! What a lookup reads of a containers/storage store.

use super::*;
use crate::statedir::tests::Scratch;
use serde_json::json;

/// A store of three Podman containers (IDs 64 times 'a', 'b', 'c'), each
/// with the recorded bundle named after its ID and a pid file naming
/// 4000 + its number.
fn store(s: &Scratch) -> Vec<String> {
    let ids: Vec<String> = ['a', 'b', 'c']
        .iter()
        .map(|c| c.to_string().repeat(64))
        .collect();
    let index: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": id, "names": [format!("c{i}")], "metadata": "{}"}))
        .collect();
    s.write(
        "graph/vfs-containers/containers.json",
        Value::Array(index).to_string().as_bytes(),
    );
    let bundle: Value = serde_json::from_str(include_str!("testdata/bundle-podman.json")).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let mut spec = bundle.clone();
        spec["linux"]["cgroupsPath"] = json!(format!("user.slice:libpod:{id}"));
        s.write(
            &format!("graph/vfs-containers/{id}/userdata/config.json"),
            spec.to_string().as_bytes(),
        );
        s.write(
            &format!("run/vfs-containers/{id}/userdata/pidfile"),
            (4000 + i).to_string().as_bytes(),
        );
    }
    ids
}

fn scanned(s: &Scratch, hint: Hint<'_>) -> Vec<String> {
    let graph = StateDir::open(&s.0.join("graph")).unwrap().unwrap();
    let run = || StateDir::open(&s.0.join("run"));
    let scan = scan_store(&graph, &run, hint, None).unwrap();
    assert!(scan.skipped.is_empty(), "{:?}", scan.skipped);
    scan.containers.into_iter().map(|c| c.id).collect()
}

#[test]
fn a_process_lookup_reads_only_the_bundles_that_may_be_its_container() {
    let s = Scratch::new("storage-pid");
    let ids = store(&s);
    assert_eq!(scanned(&s, Hint::All).len(), 3);
    // Its pid file names the process.
    let hint = Hint::Process {
        pid: 4001,
        cgroups: "0::/user.slice\n",
    };
    assert_eq!(scanned(&s, hint), [ids[1].clone()]);
    // Its cgroups name the container (a process it started).
    let cgroups = format!("0::/user.slice/libpod-{}.scope\n", ids[2]);
    let hint = Hint::Process {
        pid: 77,
        cgroups: &cgroups,
    };
    assert_eq!(scanned(&s, hint), [ids[2].clone()]);
    // Neither: no bundle is read, a broken one included.
    s.write(
        &format!("graph/vfs-containers/{}/userdata/config.json", ids[0]),
        b"{",
    );
    let hint = Hint::Process {
        pid: 77,
        cgroups: "0::/\n",
    };
    assert!(scanned(&s, hint).is_empty());
}

#[test]
fn a_runroot_is_opened_only_for_a_container_read() {
    let s = Scratch::new("storage-lazy");
    store(&s);
    let graph = StateDir::open(&s.0.join("graph")).unwrap().unwrap();
    let opened = std::cell::Cell::new(0);
    let run = || {
        opened.set(opened.get() + 1);
        StateDir::open(&s.0.join("run"))
    };
    let scan = scan_store(&graph, &run, Hint::Query("nothing-named-so"), None).unwrap();
    assert!(scan.containers.is_empty());
    assert_eq!(opened.get(), 0);
    let scan = scan_store(&graph, &run, Hint::All, None).unwrap();
    assert_eq!(scan.containers.len(), 3);
    assert_eq!(opened.get(), 1);
    assert_eq!(scan.containers[0].pid, 4000);
}

#[test]
fn an_index_without_the_name_is_not_parsed_unless_cut_short() {
    let s = Scratch::new("storage-needle");
    let ids = store(&s);
    let query = |q: &str| {
        let graph = StateDir::open(&s.0.join("graph")).unwrap().unwrap();
        let run = || StateDir::open(&s.0.join("run"));
        scan_store(&graph, &run, Hint::Query(q), None)
            .map(|scan| scan.containers.len())
            .map_err(|e| e.to_string())
    };
    assert_eq!(query("c1"), Ok(1));
    assert_eq!(query(&ids[2][..12]), Ok(1));
    assert_eq!(query("nothing"), Ok(0));
    // Whole but not JSON: a name it does not hold is not looked for there.
    let index = "graph/vfs-containers/containers.json";
    s.write(index, b"[{\"id\": \"c1\" oops]");
    assert_eq!(query("nothing"), Ok(0));
    assert!(query("c1").unwrap_err().contains("is not valid JSON"));
    // Cut short: whatever is looked for, the index's error is said.
    s.write(index, b"[{\"id\": ");
    for q in ["nothing", "c1"] {
        let err = query(q).unwrap_err();
        assert!(
            err.contains("containers.json is not valid JSON"),
            "{q}: {err}"
        );
    }
}

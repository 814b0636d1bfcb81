//! Docker with `--userns-remap=default` (issue 20): a daemon of the test's
//! own (the shared one is left as it is), whose containers' root is a
//! subordinate ID of the `dockremap` user. It keeps its containers under
//! `<data-root>/UID.GID/containers`; docker-enter, told the daemon's roots,
//! reads them there, and by name and by `pid:` gives what `docker exec`
//! gives.

use crate::common;
use common::private_daemon::PrivateDockerd;
use common::rootless::USERADD;
use std::process::Command;

/// What `docker exec` decides, and the ID map that differs from a plain
/// container's.
const PROBE: &str = "id; grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; \
                     cat /proc/self/uid_map /proc/self/gid_map /proc/self/cgroup; \
                     env | sort; pwd";

fn image() -> &'static str {
    common::busybox_image::build()
}

/// The `dockremap` user that `--userns-remap=default` maps root to, with
/// a range of subordinate IDs past every other user's, made as dockerd
/// would make it when it is not there; the start of its range.
fn dockremap() -> u32 {
    let _one = USERADD.lock().unwrap_or_else(|e| e.into_inner());
    let ok = |cmd: &mut Command| common::run(cmd, b"").succeeded();
    if !ok(Command::new("id").arg("dockremap")) {
        assert!(ok(Command::new("useradd").args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/bin/false",
            "dockremap",
        ])));
    }
    let start_of = |file: &str| {
        std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .find_map(|l| {
                l.strip_prefix("dockremap:")?
                    .split(':')
                    .next()?
                    .parse()
                    .ok()
            })
    };
    if let Some(start) = start_of("/etc/subuid") {
        return start;
    }
    let end = ["/etc/subuid", "/etc/subgid"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    Some(f.get(1)?.parse::<u32>().ok()? + f.get(2)?.parse::<u32>().ok()?)
                })
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap_or(100_000)
        .max(100_000);
    let range = format!("{end}-{}", end + 65535);
    assert!(ok(Command::new("usermod").args([
        "--add-subuids",
        &range,
        "--add-subgids",
        &range,
        "dockremap",
    ])));
    end
}

#[test]
fn a_userns_remapped_container_is_entered_as_docker_exec() {
    if !common::require_root_and(&["dockerd", "useradd", "usermod"])
        || !common::require(common::docker_missing().is_none(), "docker is needed")
    {
        return;
    }
    let first = dockremap();
    let d = PrivateDockerd::start_with(image(), &["--userns-remap=default"]);
    // Unique: a name is looked for in every runtime, rootless ones too.
    let name = common::unique("remapped");
    let run = [
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        &name,
        "-w",
        "/etc",
        "-e",
        "FOO=remapped",
    ];
    d.docker_ok(&[&run[..], &[image(), "sleep", "100000"]].concat());
    let theirs = d.docker_ok(&["exec", &name, "sh", "-c", PROBE]);
    // Root inside is dockremap's first subordinate ID outside.
    let remapped = ["0".to_string(), first.to_string(), "65536".to_string()];
    assert!(
        theirs
            .lines()
            .any(|l| l.split_whitespace().eq(remapped.iter().map(String::as_str))),
        "{theirs}"
    );
    let data = d.data_root();
    assert!(
        data.join(format!("{first}.{first}/containers")).is_dir(),
        "the daemon keeps its containers in the remapped root's directory"
    );
    let pid = format!(
        "pid:{}",
        d.docker_ok(&["inspect", "-f", "{{.State.Pid}}", &name])
    );
    let docker_name = format!("docker:{name}");

    // The daemon stopped: its state files alone answer.
    d.freeze();
    let roots = d.enter_args();
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    for address in [name.as_str(), &docker_name, &pid] {
        let args = [&roots[..], &[address, "sh", "-c", PROBE]].concat();
        let out = common::docker_enter::docker_enter(&args);
        out.success();
        assert_eq!(out.stdout.trim(), theirs, "{address}");
    }
    d.thaw();
}

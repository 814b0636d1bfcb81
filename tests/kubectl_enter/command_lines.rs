//! The kubectl-enter plugin, with a fake kubectl that records how it is
//! called and answers for a pod: the kubectl command lines it builds. No
//! cluster can be reached here, so this is as far as it is tested (see
//! docs/runtimes.md).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

const PLUGIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/plugins/kubectl-enter");

/// A kubectl that appends each call to `calls` (one argument a line, then
/// a blank line) and answers `get pod` with FAKE_POD, NUL-free lines.
const FAKE_KUBECTL: &str = r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >> "$FAKE_CALLS"
echo >> "$FAKE_CALLS"
case " $* " in
    *" get pod "*) printf '%b' "$FAKE_POD" ;;
esac
"#;

struct Fake {
    dir: PathBuf,
}

impl Fake {
    fn new(name: &str) -> Fake {
        use std::os::unix::fs::PermissionsExt;
        let dir = common::tempdir(&format!("kubectl-{name}"));
        let kubectl = dir.join("kubectl");
        std::fs::write(&kubectl, FAKE_KUBECTL).unwrap();
        std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fake { dir }
    }

    /// Run the plugin with `args`, the pod described by `pod` (namespace,
    /// node, default container, containers); stdout, stderr, status and
    /// the kubectl calls, each a list of arguments.
    fn run(&self, pod: &str, args: &[&str]) -> (String, i32, Vec<Vec<String>>) {
        let calls = self.dir.join("calls");
        let _ = std::fs::remove_file(&calls);
        let path = format!(
            "{}:{}",
            self.dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = common::run(
            Command::new(PLUGIN)
                .args(args)
                .env("PATH", path)
                .env("FAKE_CALLS", &calls)
                .env("FAKE_POD", pod)
                .env_remove("KUBECTL_ENTER_IMAGE"),
            b"",
        );
        let recorded = std::fs::read_to_string(&calls).unwrap_or_default();
        let calls = recorded
            .split("\n\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().map(str::to_string).collect())
            .collect();
        (out.stderr.clone(), out.code().unwrap_or(-1), calls)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_string).collect()
}

const JSONPATH: &str = r#"jsonpath={.metadata.namespace}{"\n"}{.spec.nodeName}{"\n"}{.metadata.annotations.kubectl\.kubernetes\.io/default-container}{"\n"}{.spec.containers[*].name}{"\n"}"#;

#[test]
fn finds_the_node_and_runs_docker_enter_there() {
    let fake = Fake::new("one");
    let (err, code, calls) = fake.run(
        "shop\\nnode-7\\n\\napp\\n",
        &["-n", "shop", "web-0", "--", "sh", "-c", "echo 'a b'"],
    );
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        calls,
        [
            vec![
                "get".to_string(),
                "pod".into(),
                "--namespace".into(),
                "shop".into(),
                "web-0".into(),
                "-o".into(),
                JSONPATH.into()
            ],
            [
                words("debug node/node-7 -i --profile=sysadmin --image=nsenter-can -- /docker-enter --host-root /host k8s:shop/web-0/app sh -c"),
                vec!["echo 'a b'".to_string()]
            ]
            .concat()
        ]
    );
}

#[test]
fn the_container_is_chosen_as_kubectl_exec_chooses_it() {
    let fake = Fake::new("choose");
    let last = |calls: &[Vec<String>]| calls.last().unwrap().join(" ");
    // Several containers, none named: the first, said on stderr.
    let (err, code, calls) = fake.run("default\\nn1\\n\\napp sidecar\\n", &["web"]);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "kubectl-enter: defaulted container \"app\" out of: app, sidecar\n"
    );
    assert!(last(&calls).ends_with(" k8s:default/web/app"), "{calls:?}");
    // The pod's default-container annotation wins.
    let (err, _, calls) = fake.run("default\\nn1\\nsidecar\\napp sidecar\\n", &["web"]);
    assert_eq!(err, "");
    assert!(
        last(&calls).ends_with(" k8s:default/web/sidecar"),
        "{calls:?}"
    );
    // -c wins over both; options after the pod, and kubectl's own
    // connection options, passed on to every call.
    let (_, _, calls) = fake.run(
        "default\\nn1\\nsidecar\\napp sidecar\\n",
        &[
            "web",
            "-c",
            "app",
            "--context",
            "prod",
            "--image=reg/nsenter-can:1",
        ],
    );
    assert_eq!(calls[0][..2], ["--context", "prod"]);
    assert_eq!(
        last(&calls),
        "--context prod debug node/n1 -i --profile=sysadmin --image=reg/nsenter-can:1 -- /docker-enter --host-root /host k8s:default/web/app"
    );
}

#[test]
fn refusals_say_why_and_run_nothing_on_the_node() {
    let fake = Fake::new("refuse");
    let (err, code, calls) = fake.run("default\\n\\n\\napp\\n", &["pending"]);
    assert_eq!(
        (err.as_str(), code),
        (
            "kubectl-enter: pod default/pending is not running on a node yet\n",
            1
        )
    );
    assert_eq!(calls.len(), 1, "only the lookup: {calls:?}");
    let (err, code, calls) = fake.run("", &["a", "b"]);
    assert_eq!(
        (err.as_str(), code, calls.len()),
        (
            "kubectl-enter: one pod at a time, not a and b (a command goes after --)\n",
            1,
            0
        )
    );
    let (err, code, _) = fake.run("", &["--bogus"]);
    assert_eq!(
        (err.as_str(), code),
        (
            "kubectl-enter: unknown option --bogus (see kubectl enter --help)\n",
            1
        )
    );
    let (err, code, _) = fake.run("", &["-c"]);
    assert_eq!(
        (err.as_str(), code),
        ("kubectl-enter: -c needs a value\n", 1)
    );
}

#[test]
fn help_says_how_and_what_stays_behind() {
    let out = common::run(Command::new(PLUGIN).arg("--help"), b"");
    let text = out.stdout.as_str();
    out.success();
    assert!(text.starts_with("Usage: kubectl enter [options] POD [-- COMMAND [ARG...]]"));
    assert!(text.contains("kubectl delete pod node-debugger-"));
    assert!(Path::new(PLUGIN).exists());
}

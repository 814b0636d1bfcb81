//! Where each runtime is looked for: defaults, options, DOCKER_HOST, and
//! the host's root.

use super::*;

fn sources(opts: &SourceOptions, docker_host: Option<&str>, existing: &[&str]) -> Sources {
    let exists = |p: &Path| existing.iter().any(|e| Path::new(e) == p);
    Sources::new(opts, docker_host, &exists).unwrap()
}

fn paths(s: &Sources) -> Vec<String> {
    let mut out = vec![s.docker.api.socket().display().to_string()];
    if let Some(state) = &s.docker.state {
        out.push(state.data_root.display().to_string());
        out.extend(state.bundle_roots.iter().map(|p| p.display().to_string()));
    }
    out.extend(s.containerd.iter().map(|c| c.root.display().to_string()));
    out.push(s.storage.graphroot.display().to_string());
    out.push(s.storage.runroot.display().to_string());
    out.push(s.storage.podman_api.socket().display().to_string());
    out
}

#[test]
fn defaults_are_the_usual_places() {
    let s = sources(&SourceOptions::default(), None, &["/var/lib/docker"]);
    assert_eq!(
        paths(&s),
        [
            "/var/run/docker.sock",
            "/var/lib/docker",
            "/run/docker/containerd/daemon/io.containerd.runtime.v2.task",
            "/run/containerd/io.containerd.runtime.v2.task",
            "/run/containerd",
            "/run/k3s/containerd",
            "/var/lib/containers/storage",
            "/run/containers/storage",
            "/run/podman/podman.sock",
        ]
    );
    assert_eq!(s.docker.mode, StateFiles::First);
    assert!(!s.docker.explicit && s.host_root.is_none());
}

#[test]
fn the_default_daemon_however_spelled_keeps_its_state_files() {
    for host in ["unix:///var/run/docker.sock", "/run/docker.sock", ""] {
        let s = sources(&SourceOptions::default(), Some(host), &[]);
        assert!(!s.docker.explicit, "{host}");
        assert!(s.docker.state.is_some(), "{host}");
    }
}

#[test]
fn another_daemon_goes_with_its_own_state_files_only() {
    let s = sources(&SourceOptions::default(), Some("unix:///tmp/d.sock"), &[]);
    assert!(s.docker.explicit && s.docker.state.is_none());
    assert_eq!(s.docker.api.socket(), Path::new("/tmp/d.sock"));
    // -H wins over DOCKER_HOST, and names its roots.
    let opts = SourceOptions {
        host: Some("/tmp/p.sock".into()),
        docker_root: Some("/tmp/p/data".into()),
        docker_exec_root: Some("/tmp/p/exec".into()),
        ..SourceOptions::default()
    };
    let s = sources(&opts, Some("unix:///tmp/d.sock"), &[]);
    assert_eq!(s.docker.api.socket(), Path::new("/tmp/p.sock"));
    let state = s.docker.state.unwrap();
    assert_eq!(state.data_root, Path::new("/tmp/p/data"));
    assert_eq!(
        state.bundle_roots,
        [PathBuf::from(
            "/tmp/p/exec/containerd/daemon/io.containerd.runtime.v2.task"
        )]
    );
}

#[test]
fn addresses_are_checked_and_name_their_origin() {
    let exists = |_: &Path| false;
    let err = |opts: &SourceOptions, env: Option<&str>| {
        Sources::new(opts, env, &exists).unwrap_err().to_string()
    };
    let with_host = |h: &str| SourceOptions {
        host: Some(h.into()),
        ..SourceOptions::default()
    };
    assert_eq!(
        err(&with_host(""), None),
        "-H: no address given (unix:///path or /path)"
    );
    assert!(err(&with_host("tcp://x:2375"), None).starts_with("-H tcp://x:2375: "));
    assert!(err(&SourceOptions::default(), Some("tcp://x:2375"))
        .starts_with("DOCKER_HOST=tcp://x:2375: "));
}

#[test]
fn options_replace_each_default() {
    let opts = SourceOptions {
        containerd_state: Some("/c".into()),
        storage_root: Some("/g".into()),
        storage_runroot: Some("/r".into()),
        state_files: StateFiles::Fallback,
        ..SourceOptions::default()
    };
    let s = sources(&opts, None, &[]);
    assert_eq!(s.containerd.len(), 1);
    assert!(s.containerd[0].explicit && s.storage.explicit);
    assert_eq!(
        (s.storage.graphroot.as_path(), s.storage.runroot.as_path()),
        (Path::new("/g"), Path::new("/r"))
    );
    // Falling back to state files waits one second for the daemon.
    assert_eq!(s.docker.mode, StateFiles::Fallback);
    assert_eq!(StateFiles::parse("never"), Some(StateFiles::Never));
    assert_eq!(StateFiles::parse("sometimes"), None);
}

#[test]
fn host_root_is_found_at_host_only_when_we_have_no_runtime_of_our_own() {
    // In a `kubectl debug node/...` pod: the node's root at /host.
    let s = sources(&SourceOptions::default(), None, &["/host/run/containerd"]);
    assert_eq!(s.host_root.as_deref(), Some(Path::new("/host")));
    assert_eq!(
        paths(&s),
        [
            "/host/run/docker.sock",
            "/host/var/lib/docker",
            "/host/run/docker/containerd/daemon/io.containerd.runtime.v2.task",
            "/host/run/containerd/io.containerd.runtime.v2.task",
            "/host/run/containerd",
            "/host/run/k3s/containerd",
            "/host/var/lib/containers/storage",
            "/host/run/containers/storage",
            "/host/run/podman/podman.sock",
        ]
    );
    // What a daemon names on the host is under /host here.
    let layer = Path::new("/var/lib/docker/overlay2/6e/diff");
    assert_eq!(
        s.seen_here(layer),
        Path::new("/host/var/lib/docker/overlay2/6e/diff")
    );
    // On a host with a runtime, /host is just a directory.
    let s = sources(
        &SourceOptions::default(),
        None,
        &["/host/run/containerd", "/var/lib/docker"],
    );
    assert_eq!(s.host_root, None);
    assert_eq!(s.seen_here(layer), layer);
    // Nothing anywhere: nothing to detect.
    assert_eq!(
        sources(&SourceOptions::default(), None, &[]).host_root,
        None
    );
    // Given: used as is; "/" means none.
    let opts = SourceOptions {
        host_root: Some("/mnt/node".into()),
        ..SourceOptions::default()
    };
    assert_eq!(
        sources(&opts, None, &[]).containerd[0].root,
        Path::new("/mnt/node/run/containerd")
    );
    let opts = SourceOptions {
        host_root: Some("/".into()),
        ..SourceOptions::default()
    };
    assert_eq!(
        sources(&opts, None, &["/host/run/containerd"]).host_root,
        None
    );
}

//! `can/publish` against a real registry: Debian's `docker-registry` on
//! 127.0.0.1, with a storage directory of the test's own. One image per
//! architecture and a multi-arch index are pushed; the index must list the
//! five platforms, and the `nsenter` inside each image must be that
//! architecture's program, as `file` reads it from the layer fetched from
//! the registry (never by running it: nothing foreign runs here).
//!
//! The foreign tools come from arch/build's cross builds (a minute or so
//! each on an idle machine, reused once built).

use crate::common;

use common::{docker, run, run_within, Scratch};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Five cross builds and five pushes, cold, on a small machine.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// The most an image may weigh, its toolbox included (`docker image
/// inspect --format '{{.Size}}'`; docs/can.md, "Smaller cans").
const CAN_SIZE_GOAL: u64 = 4_000_000;

/// Each platform and what `file` says of a program for it.
const PLATFORMS: [(&str, &str, &str); 5] = [
    ("linux/amd64", "amd64", "x86-64"),
    ("linux/arm64", "arm64", "ARM aarch64"),
    ("linux/arm/v7", "armv7", "ARM, EABI5"),
    ("linux/ppc64le", "ppc64le", "64-bit PowerPC"),
    ("linux/386", "386", "Intel 80386"),
];

/// `docker-registry serve` on a free port of 127.0.0.1, killed and its
/// storage removed when dropped.
struct Registry {
    child: Child,
    port: u16,
    _dir: Scratch,
}

impl Registry {
    fn start() -> Registry {
        let dir = Scratch::new("registry");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    \
                 rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path("storage").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path("log")).unwrap())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let up = common::wait_until(Duration::from_secs(20), || {
            registry.get("/v2/", "*/*").succeeded()
        });
        assert!(up, "docker-registry did not answer on port {port}");
        registry
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// GET `path` from the registry's API (curl fails on an HTTP error).
    fn get(&self, path: &str, accept: &str) -> common::result::RunResult {
        run(
            Command::new("curl")
                .args(["-sSfL", "-H", &format!("Accept: {accept}")])
                .arg(format!("http://{}{path}", self.host())),
            b"",
        )
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// The layer of the image `digest` (one), unpacked into `dir`.
fn unpack_layer(registry: &Registry, digest: &str, dir: &Path) {
    let manifest = registry.get(
        &format!("/v2/nsenter-can/manifests/{digest}"),
        "application/vnd.docker.distribution.manifest.v2+json",
    );
    assert_eq!(manifest.code(), Some(0), "{}", manifest.stderr);
    let manifest = json(&manifest.stdout_bytes);
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "{manifest}");
    let blob = registry.get(
        &format!(
            "/v2/nsenter-can/blobs/{}",
            layers[0]["digest"].as_str().unwrap()
        ),
        "*/*",
    );
    assert_eq!(blob.code(), Some(0), "{}", blob.stderr);
    std::fs::create_dir_all(dir).unwrap();
    let tarball = dir.with_extension("tar.gz");
    std::fs::write(&tarball, &blob.stdout_bytes).unwrap();
    let untar = run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(dir),
        b"",
    );
    assert_eq!(untar.code(), Some(0), "{}", untar.stderr);
}

#[test]
fn publish_pushes_an_image_per_architecture_and_an_index() {
    if let Some(why) = common::docker_missing() {
        common::skip_or_fail(&format!("the can's tests: {why}"));
        return;
    }
    if !common::require(
        common::have("docker-registry") && common::have("curl"),
        "can/publish's test needs docker-registry and curl (apt-get install docker-registry curl)",
    ) {
        return;
    }
    let registry = Registry::start();
    let reference = format!("{}/nsenter-can:test", registry.host());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let published = run_within(
        Command::new(root.join("can/publish")).arg(&reference),
        b"",
        PUBLISH_TIMEOUT,
    );
    let tags: Vec<String> = PLATFORMS
        .iter()
        .map(|(_, suffix, _)| format!("{reference}-{suffix}"))
        .collect();
    let _cleanup = Cleanup(tags.iter().cloned().chain([reference.clone()]).collect());
    assert_eq!(published.code(), Some(0), "{}", published.stderr);
    let said = published.stdout.clone();
    for ((platform, _, _), tag) in PLATFORMS.iter().zip(&tags) {
        assert!(
            said.contains(&format!("pushed {tag} ({platform}) sha256:")),
            "{said}"
        );
    }

    // Each can within the size goal: one for ppc64le, whose Debian
    // busybox alone is 2.5 MB, with the toolbox can/busybox-build makes.
    for tag in &tags {
        let size = docker(&["image", "inspect", "--format", "{{.Size}}", tag]);
        assert_eq!(size.code(), Some(0), "{}", size.stderr);
        let bytes: u64 = size.stdout.trim().parse().unwrap();
        assert!(bytes <= CAN_SIZE_GOAL, "{tag} weighs {bytes} bytes");
    }

    // The index, as `docker manifest inspect` reads it from the registry.
    let inspect = docker(&["manifest", "inspect", "--insecure", &reference]);
    assert_eq!(inspect.code(), Some(0), "{}", inspect.stderr);
    let index = json(&inspect.stdout_bytes);
    let mut seen = BTreeSet::new();
    let mut toolboxes: Vec<(String, BTreeSet<String>)> = Vec::new();
    let scratch = Scratch::new("publish-layers");
    for entry in index["manifests"].as_array().unwrap() {
        let p = &entry["platform"];
        let mut platform = format!(
            "{}/{}",
            p["os"].as_str().unwrap(),
            p["architecture"].as_str().unwrap()
        );
        if let Some(variant) = p["variant"].as_str() {
            platform = format!("{platform}/{variant}");
        }
        let (_, suffix, machine) = PLATFORMS
            .iter()
            .find(|(name, _, _)| *name == platform)
            .unwrap_or_else(|| panic!("unexpected platform {platform} in {index}"));
        assert!(seen.insert(platform.clone()), "{platform} twice in {index}");

        // Its nsenter, read from the layer, is that architecture's.
        let dir: PathBuf = scratch.path(suffix);
        unpack_layer(&registry, entry["digest"].as_str().unwrap(), &dir);
        let described = run(Command::new("file").arg("-b").arg(dir.join("nsenter")), b"");
        let described = described.stdout.clone();
        assert!(
            described.contains(machine),
            "{platform}: nsenter is {described}"
        );
        assert!(
            described.contains("static"),
            "{platform}: nsenter is {described}"
        );
        let described = run(
            Command::new("file")
                .arg("-b")
                .arg(dir.join("libexec/nsenter-can/toolbox/busybox")),
            b"",
        );
        assert!(
            described.stdout.clone().contains(machine),
            "{platform}: busybox is {}",
            described.stdout.clone()
        );
        // The same applets on every architecture, the built toolbox too.
        let toolbox = std::fs::read_dir(dir.join("libexec/nsenter-can/toolbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<BTreeSet<_>>();
        assert!(toolbox.len() > 250, "{platform}: {toolbox:?}");
        if let Some((first, applets)) = toolboxes.first() {
            assert_eq!(&toolbox, applets, "{platform}'s toolbox against {first}'s");
        }
        toolboxes.push((platform, toolbox));
    }
    let expected: BTreeSet<String> = PLATFORMS.iter().map(|(p, _, _)| p.to_string()).collect();
    assert_eq!(seen, expected);
}

/// The local tags and the local index `can/publish` left, removed.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = common::docker(&["manifest", "rm", self.0.last().unwrap()]);
        for tag in &self.0[..self.0.len() - 1] {
            let _ = common::docker(&["image", "rm", tag]);
        }
    }
}

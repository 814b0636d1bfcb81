//! The tools run from inside a privileged can, against a test container.

use crate::common;

use common::can::{image, privileged, target};
use common::Scratch;
use common::{docker, RunResult};

const HOSTNAME: &str = "can-test-web";

/// `docker run --rm --privileged --pid=host EXTRA...`, as the issue runs it.
fn privileged_can<'a>(image: &str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--rm", "--pid=host"];
    args.extend_from_slice(privileged(image));
    args.extend_from_slice(extra);
    args
}

#[test]
fn nsenter_in_the_can_enters_a_container() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-nsenter-target", HOSTNAME);
    let pid = target.pid();
    let out = docker(&privileged_can(
        image,
        &[image, "nsenter", "-t", &pid, "-a", "/bin/hostname"],
    ));
    out.success().stdout_is(format!("{HOSTNAME}\n"));
}

#[test]
fn docker_enter_in_the_can_enters_a_container() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-docker-enter-target", HOSTNAME);
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let out = docker_enter_in_the_can(image, socket, &[&target.name, "hostname"]);
    out.success().stdout_is(format!("{HOSTNAME}\n"));
}

/// docker-enter ARGS in a privileged can with the host's PIDs and one
/// volume: the daemon's socket, or the host's root at /host.
fn docker_enter_in_the_can(image: &str, volume: &str, args: &[&str]) -> RunResult {
    let mut extra = vec!["-v", volume, image, "docker-enter"];
    extra.extend_from_slice(args);
    docker(&privileged_can(image, &extra))
}

/// `docker-enter --tools` alone, in the can, brings the can's own toolbox
/// (Debian's busybox) into a container that has no shell.
#[test]
fn docker_enter_in_the_can_brings_its_toolbox() {
    let Some(image) = image() else {
        return;
    };
    let Some(tag) = common::tools::scratch_image("nsenter-can-test/tools:scratch", None, "") else {
        return;
    };
    let target = common::TestContainer::run("can-test-tools-target", &[], tag, &[]);
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let out = docker_enter_in_the_can(
        image,
        socket,
        &[
            "--tools",
            &target.name,
            "sh",
            "-c",
            "ls /; busybox | head -1",
        ],
    );
    out.success();
    let text = out.stdout.clone();
    assert!(
        text.starts_with("dev\netc\npause\nproc\nsys\nBusyBox v"),
        "{text}"
    );
    assert_eq!(common::docker_ok(&["diff", &target.name]), "");
}

/// `--tools=IMAGE` in the can with the host's root at /host, as `kubectl
/// debug node/...` mounts it: the layers the daemon names are found there.
#[test]
fn docker_enter_in_the_can_takes_an_image_under_the_hosts_root() {
    let Some(image) = image() else {
        return;
    };
    let Some(tag) = common::tools::scratch_image("nsenter-can-test/tools:scratch", None, "") else {
        return;
    };
    let target = common::TestContainer::run("can-test-tools-image-target", &[], tag, &[]);
    let tools = format!("--tools={}", common::busybox_image::build());
    let args = [tools.as_str(), &target.name, "ls", "/container"];
    let out = docker_enter_in_the_can(image, "/:/host:ro", &args);
    out.success().stdout_is("dev\netc\npause\nproc\nsys\n");
    // Control: with the daemon's socket alone, its storage is not here.
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let out = docker_enter_in_the_can(image, socket, &args);
    out.code_is(1);
    assert!(
        out.stderr
            .contains("(the daemon's storage is not visible here;"),
        "{}",
        out.stderr
    );
}

#[test]
fn importenv_in_the_can_sets_the_stored_environment() {
    let Some(image) = image() else {
        return;
    };
    let dir = Scratch::new("importenv");
    std::fs::write(
        dir.path("environ"),
        "GREETING=hello from the can\0PATH=/bin\0",
    )
    .unwrap();
    let environ = format!("{}:/environ:ro", dir.path("environ").display());
    let busybox = "/bin/busybox:/busybox:ro";
    let out = docker(&[
        "run",
        "--rm",
        "-v",
        &environ,
        "-v",
        busybox,
        image,
        "importenv",
        "/environ",
        "/busybox",
        "env",
    ]);
    out.success();
    let mut lines: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(lines, ["GREETING=hello from the can", "PATH=/bin"]);
}

/// What root in a container without privileges lacks: said with the
/// `docker run` options that give it.
const PRIVILEGE_HINT: &str = "(root here lacks CAP_SYS_ADMIN: run the can with --privileged, \
                              or with --cap-add ALL --security-opt seccomp=unconfined)\n";

#[test]
fn the_can_says_which_docker_run_option_it_lacks() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-lacks-target", HOSTNAME);
    let pid = target.pid();
    let socket = "/var/run/docker.sock:/var/run/docker.sock";
    let enter = [image, "docker-enter", target.name.as_str(), "true"];

    // Privileged but in a PID namespace of its own: the container's
    // process is not there to open, whether the daemon or the state files
    // under the host's root described it (there, it cannot be told from an
    // exited one).
    let hidden = format!(
        "docker-enter: cannot open process {pid}: No such process (the processes of \
         container {} are not visible from this PID namespace: run the can with \
         --pid=host)\n",
        target.name
    );
    for source in [socket, "/:/host:ro"] {
        let mut args = vec!["run", "--rm"];
        args.extend_from_slice(privileged(image));
        args.extend_from_slice(&["-v", source]);
        args.extend_from_slice(&enter);
        let out = docker(&args);
        assert_eq!(
            (out.code().unwrap_or(-1), out.stderr.as_str()),
            (1, hidden.as_str()),
            "-v {source}"
        );
    }

    // The host's PIDs but no privileges: root without CAP_SYS_ADMIN.
    let mut args = vec!["run", "--rm", "--pid=host", "-v", socket];
    args.extend_from_slice(&enter);
    let out = docker(&args);
    out.code_is(1);
    assert!(
        out.stderr
            .starts_with("docker-enter: cannot mount the cgroup hierarchy of ")
            && out
                .stderr
                .ends_with(&format!(": Operation not permitted {PRIVILEGE_HINT}")),
        "{}",
        out.stderr
    );
    let out = docker(&[
        "run",
        "--rm",
        "--pid=host",
        image,
        "nsenter",
        "-t",
        &pid,
        "-a",
        "true",
    ]);
    assert_eq!(
        (out.code().unwrap_or(-1), out.stderr),
        (
            1,
            format!("nsenter: reassociate to namespaces failed: Operation not permitted {PRIVILEGE_HINT}")
        )
    );
}

/// As on a Kubernetes node through `kubectl debug node/...`: the host's root
/// at /host, the host's PIDs, no daemon socket. docker-enter finds /host and
/// reads the runtimes' state files there.
#[test]
fn docker_enter_in_the_can_finds_containers_under_the_hosts_root() {
    let Some(image) = image() else {
        return;
    };
    let target = target("can-test-host-root-target", HOSTNAME);
    let host_root = "/:/host:ro";
    let out = docker_enter_in_the_can(image, host_root, &[&target.name, "hostname"]);
    out.success().stdout_is(format!("{HOSTNAME}\n"));
    let list = ["--list", "--format", "{{.Address}}"];
    let out = docker_enter_in_the_can(image, host_root, &list);
    out.success();
    let listed = out.stdout.clone();
    assert!(
        listed
            .lines()
            .any(|l| l == format!("docker:{}", target.name)),
        "{listed}"
    );
}

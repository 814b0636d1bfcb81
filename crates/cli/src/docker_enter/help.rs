//! `--help` and `--version`, generated from the options table.

use super::options::visible;

const DESCRIPTION_COLUMN: usize = 30;

/// The exact text `docker-enter --help` prints on stdout.
pub fn help_text() -> String {
    let mut out = String::from(
        "\nUsage:\n docker-enter [options] <container> [<command> [<argument>...]]\n \
         docker-enter --list [--format <format>]\n\n\
         Run a command in a running container, as docker exec would, by entering\n\
         the container's namespaces and cgroup directly. Docker, containerd,\n\
         Kubernetes pods, Podman and CRI-O (every user's rootless Docker and\n\
         Podman too) are found through their state files, with no daemon needed.\n\
         <container> is a name, a full ID or a unique ID prefix, or\n\
         docker:[USER/]NAME, podman:[USER/]NAME, containerd:NAMESPACE/ID,\n\
         k8s:NAMESPACE/POD[/CONTAINER] or pid:N. Without a <command>, the user's\n\
         shell from the container's /etc/passwd runs, else /bin/bash, else\n\
         /bin/sh (with --tools, the tools' shell). Options stop at <container>.\n\n\
         The container's processes are never stopped: its seccomp filter is\n\
         compiled from its runtime's record. Only pid:N of a process that no\n\
         runtime describes, or a container whose record cannot be seen from\n\
         here (in the can without /run mounted), has its filters copied with\n\
         ptrace, which stops it for a moment.\n\nOptions:\n",
    );
    for row in visible() {
        out.push_str(&crate::table::help_line(row, DESCRIPTION_COLUMN));
    }
    out.push_str(concat!(
        "\nEnvironment:\n",
        " DOCKER_HOST           the Docker daemon's socket, unix:///path or /path\n",
        " DOCKER_ENTER_TIMING=1 print the time each step takes on stderr\n",
        "\nExit status: that of <command>; 126 if it cannot run, 127 if it is not\n",
        "found; 1 if docker-enter fails before starting it.\n",
        "\nFor more details see docker-enter(1).\n",
    ));
    out
}

/// The exact text `docker-enter --version` prints on stdout.
pub fn version_text() -> String {
    format!(
        "docker-enter from nsenter-can {}\n",
        env!("CARGO_PKG_VERSION")
    )
}

//! What the can says about itself: `--help`, and the explanation printed
//! when it is run with nothing mounted at `/target`.

/// `docker run --rm nsenter-can --help`.
pub const HELP: &str = "\
Usage:
 docker run --rm -v DIR:/target nsenter-can          install the tools into DIR
 docker run --rm nsenter-can cat /TOOL > FILE        copy one tool out
 docker run --rm -it --privileged --pid=host nsenter-can TOOL [ARG...]
                                                     run a tool from inside the can

The can holds three static tools: /nsenter, /docker-enter and /importenv.

Verbs (the image's arguments):
 (none)              install every tool into the directory mounted at /target:
                     each is written under a temporary name, checked, then
                     renamed into place (a copy running now is not disturbed)
 cat FILE...         write the files' bytes to stdout
 nsenter ARG...      run nsenter (util-linux compatible)
 docker-enter CONTAINER [COMMAND [ARG...]]
                     enter a container; mount /var/run/docker.sock for it
 importenv ENVIRON_FILE COMMAND [ARG...]
                     run COMMAND with the environment stored in a file
 -h, --help          display this help
 -V, --version       display version

Examples:
 docker run --rm -v /usr/local/bin:/target nsenter-can
 docker run --rm nsenter-can cat /nsenter > /tmp/nsenter && chmod 755 /tmp/nsenter
 docker run --rm -it --privileged --pid=host nsenter-can nsenter -t 1 -a
 docker run --rm -it --privileged --pid=host \\
     -v /var/run/docker.sock:/var/run/docker.sock nsenter-can docker-enter web
";

/// Printed when nothing is mounted at `/target`: nothing is written then.
pub const NO_MOUNT: &str = "\
can: nothing is mounted at /target, so nothing was installed.
Install the tools into a host directory by mounting it at /target:
    docker run --rm -v /usr/local/bin:/target nsenter-can
or copy a single tool out through stdout:
    docker run --rm nsenter-can cat /nsenter > /usr/local/bin/nsenter
    chmod 755 /usr/local/bin/nsenter
Try 'docker run --rm nsenter-can --help' for more information.
";

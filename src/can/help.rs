//! What the can says about itself: `--help`, the explanation printed when
//! it is run with nothing mounted at `/target`, and the advice after a
//! command it does not know. Every form shown is one the user can run as
//! it stands: the can is reached through `docker run`, never by its name.

/// `docker run --rm nsenter-can --help`.
pub const HELP: &str = "\
Usage:
 docker run --rm -v DIR:/target nsenter-can          install the tools into DIR
 docker run --rm -v PREFIX:/target nsenter-can       install into PREFIX/bin, with
                                                     man pages and completions
 docker run --rm nsenter-can cat FILE > OUT          copy one file out
 docker run --rm -it --privileged --pid=host nsenter-can TOOL [ARG...]
                                                     run a tool from inside the can

The can holds three static tools, /nsenter, /docker-enter and /importenv,
and their man pages and bash, zsh and fish completions under /share.

Commands (the image's arguments):
 (none)              install into the directory mounted at /target: when it
                     holds a bin directory (a prefix such as /usr/local), the
                     tools go into bin/, the man pages into share/man/man1/
                     and the completions where bash, zsh and fish look under
                     share/; otherwise the tools alone go into it. Each file
                     is written under a temporary name, checked, then renamed
                     into place (a copy running now is not disturbed)
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
 docker run --rm -v /usr/local:/target nsenter-can
 docker run --rm nsenter-can cat /nsenter > nsenter.new && chmod 755 nsenter.new \\
     && mv nsenter.new /usr/local/bin/nsenter
 docker run --rm -it --privileged --pid=host nsenter-can nsenter -t 1 -a
 docker run --rm -it --privileged --pid=host \\
     -v /var/run/docker.sock:/var/run/docker.sock nsenter-can docker-enter web
";

/// Printed when nothing is mounted at `/target`: nothing is written then.
pub const NO_MOUNT: &str = "\
can: nothing is mounted at /target, so nothing was installed.
Install the tools into a host directory by mounting it at /target:
    docker run --rm -v /usr/local/bin:/target nsenter-can
or into a prefix, with man pages and completions:
    docker run --rm -v /usr/local:/target nsenter-can
or copy a single tool out through stdout, under a new name first:
    docker run --rm nsenter-can cat /nsenter > nsenter.new &&
        chmod 755 nsenter.new && mv nsenter.new /usr/local/bin/nsenter
Try 'docker run --rm nsenter-can --help' for more information.
";

/// After an unknown command: the ones there are.
pub const KNOWN_COMMANDS: &str =
    "the commands are cat, nsenter, docker-enter and importenv; with none, the can installs into /target";

/// After any usage error.
pub const USAGE_HINT: &str = "\
Install the tools into a host directory by mounting it at /target:
    docker run --rm -v /usr/local/bin:/target nsenter-can
Try 'docker run --rm nsenter-can --help' for more information.
";

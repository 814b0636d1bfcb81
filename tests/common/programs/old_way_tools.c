/* The tools mounted the way that can be turned against the host: a
 * read-only, nosuid, nodev clone of DIR, attached in a private copy of a
 * container's mount namespace that belongs to our own user namespace, as
 * `--tools` mounted them before their mounts were locked. The control of
 * the tools attack (tools_attacker.c): through this mount it writes into
 * DIR.
 *
 * Usage: old_way_tools DIR PID PLACE
 *   DIR: the host's directory of tools; PID: the container's process (host
 *   PID); PLACE: where to mount the tools in the container.
 *
 * A child in the container's PID namespace holds the namespace, with no
 * capabilities (as a program with fewer than the attacker's); it prints
 * "ready NSPID" (its PID as the container sees it) and waits to be killed,
 * and dies with us.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
    perror(what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: old_way_tools DIR PID PLACE\n");
        return 2;
    }
    int tree = open_tree(AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) return fail("open_tree");
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr))
        return fail("mount_setattr");
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/ns/mnt", argv[2]);
    int mnt = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%s/ns/pid", argv[2]);
    int pid = open(path, O_RDONLY | O_CLOEXEC);
    if (mnt < 0 || pid < 0) return fail("open the container's namespaces");
    if (setns(mnt, CLONE_NEWNS) || setns(pid, CLONE_NEWPID)) return fail("setns");
    if (unshare(CLONE_NEWNS)) return fail("unshare");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) return fail("make / private");
    if (move_mount(tree, "", AT_FDCWD, argv[3], MOVE_MOUNT_F_EMPTY_PATH)) return fail("move_mount");
    pid_t holder = fork();
    if (holder < 0) return fail("fork");
    if (holder == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct none[2] = {{0}};
        if (syscall(SYS_capset, &header, none)) return fail("capset");
        printf("ready %d\n", getpid());
        fflush(stdout);
        for (;;) pause();
    }
    waitpid(holder, NULL, 0);
    return 0;
}

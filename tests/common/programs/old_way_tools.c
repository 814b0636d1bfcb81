/* The tools mounted the way that can be turned against the host: a
 * read-only, nosuid, nodev clone of DIR, attached in a private copy of a
 * container's mount namespace, not locked, as `--tools` mounted them
 * before their mounts were locked. The control of the tools attack
 * (tools_attacker.c): through this mount it writes into DIR.
 *
 * Usage: old_way_tools DIR PID PLACE [helper]
 *   DIR: the host's directory of tools; PID: the container's process (host
 *   PID); PLACE: where to mount the tools in the container.
 *   As root, the copy belongs to our own user namespace. With `helper`,
 *   run by a rootless container's owner: the clone is made by a helper in
 *   a user namespace of its own (the owner holds no CAP_SYS_ADMIN over
 *   the host's mounts) and handed back over a socket pair, and the
 *   container's user namespace is entered too: the copy belongs to it.
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
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
    perror(what);
    return 1;
}

/* The read-only clone of DIR, made here. */
static int clone_read_only(const char *dir) {
    int tree = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) return fail("open_tree"), -1;
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr))
        return fail("mount_setattr"), -1;
    return tree;
}

/* In the helper: the clone, made in a user and mount namespace of its
 * own, sent over `sock`. */
static int clone_and_send(const char *dir, int sock) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) return fail("unshare");
    int tree = clone_read_only(dir);
    if (tree < 0) return 1;
    char byte = 0, space[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = space, .msg_controllen = sizeof space};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &tree, sizeof(int));
    if (sendmsg(sock, &msg, 0) != 1) return fail("sendmsg");
    return 0;
}

/* The clone, made by a helper. */
static int clone_in_helper(const char *dir) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair)) return fail("socketpair"), -1;
    pid_t helper = fork();
    if (helper < 0) return fail("fork"), -1;
    if (helper == 0) _exit(clone_and_send(dir, pair[1]));
    close(pair[1]);
    char byte, space[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = space, .msg_controllen = sizeof space};
    ssize_t got = recvmsg(pair[0], &msg, MSG_CMSG_CLOEXEC);
    waitpid(helper, NULL, 0);
    struct cmsghdr *cmsg = got == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS) return fail("receive the clone"), -1;
    int tree;
    memcpy(&tree, CMSG_DATA(cmsg), sizeof tree);
    return tree;
}

int main(int argc, char **argv) {
    int helper = argc == 5 && strcmp(argv[4], "helper") == 0;
    if (argc != 4 && !helper) {
        fprintf(stderr, "usage: old_way_tools DIR PID PLACE [helper]\n");
        return 2;
    }
    int tree = helper ? clone_in_helper(argv[1]) : clone_read_only(argv[1]);
    if (tree < 0) return 1;
    int target = syscall(SYS_pidfd_open, atoi(argv[2]), 0);
    if (target < 0) return fail("pidfd_open");
    int kinds = CLONE_NEWNS | CLONE_NEWPID | (helper ? CLONE_NEWUSER : 0);
    if (setns(target, kinds)) return fail("setns");
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

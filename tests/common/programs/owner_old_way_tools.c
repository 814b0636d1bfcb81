/* The tools mounted by a rootless container's owner the way that can be
 * turned against the host: a read-only, nosuid, nodev clone of DIR, made
 * by a helper in a user namespace of its own (the owner holds no
 * CAP_SYS_ADMIN over the host's mounts) and attached, not locked, in a
 * private copy of the container's mount namespace, which belongs to the
 * container's user namespace. The control of the rootless tools attack
 * (tools_attacker.c): through this mount its root writes into DIR.
 *
 * Usage: owner_old_way_tools DIR PID PLACE
 *   DIR: the host's directory of tools; PID: the container's process (host
 *   PID); PLACE: where to mount the tools in the container.
 *
 * A child in the container's PID namespace holds the namespace, with no
 * capabilities; it prints "ready NSPID" (its PID as the container sees
 * it) and waits to be killed, and dies with us.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
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

/* In the helper: the clone of DIR, sent over `sock`. */
static int clone_and_send(const char *dir, int sock) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) return fail("unshare");
    int tree = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) return fail("open_tree");
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr))
        return fail("mount_setattr");
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

static int receive(int sock) {
    char byte, space[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = space, .msg_controllen = sizeof space};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1) return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: owner_old_way_tools DIR PID PLACE\n");
        return 2;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair)) return fail("socketpair");
    pid_t helper = fork();
    if (helper < 0) return fail("fork");
    if (helper == 0) _exit(clone_and_send(argv[1], pair[1]));
    close(pair[1]);
    int tree = receive(pair[0]);
    waitpid(helper, NULL, 0);
    if (tree < 0) return fail("receive the clone");
    int target = syscall(SYS_pidfd_open, atoi(argv[2]), 0);
    if (target < 0) return fail("pidfd_open");
    if (setns(target, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID)) return fail("setns");
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

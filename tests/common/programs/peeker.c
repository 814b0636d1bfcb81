/* A container process without privileges peeking into processes of its
 * own uid: the entering tool's child between its change of uid and its
 * exec still holds the tool's memory and descriptors, and must not be
 * open to it (security rule 3).
 *
 * Usage: peeker UID PROGRAM NAME...
 * Loops over /proc/<pid> for processes whose real, effective, saved and
 * filesystem uids are all UID and whose name (comm) is one of NAMEs, and
 * tries what a process of the same uid may do to a dumpable one: open
 * /proc/<pid>/fd (a directory), /proc/<pid>/environ, and read the links
 * /proc/<pid>/exe and /proc/<pid>/root. PROGRAM is the file the tool's
 * child execs: a process whose /proc/<pid>/exe is already that file has
 * gone past its exec (the kernel renames it a moment later), and what it
 * lets us open is not the tool's; so is one gone before its exe could be
 * looked at (PROGRAM may exit at once): only a process seen running
 * another file counts as opened.
 *
 * Reports, one a line: "ready"; "seen NAME" the first time it sees a
 * process of NAME; "opened NAME WHAT" the first time WHAT succeeds for a
 * process of NAME before its exec; "denied NAME WHAT ERRNO" the first time
 * it fails with ERRNO. Once /tmp/peeker-stop exists: "done".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NAMES 4
#define N_WHAT 4

static const char *what[N_WHAT] = {"fd", "environ", "exe", "root"};
static int n_names;
static char *names[MAX_NAMES];
static int seen[MAX_NAMES];
static int opened[MAX_NAMES][N_WHAT];
static int denied[MAX_NAMES][N_WHAT];

static int try(int pid, int w) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, what[w]);
    if (w == 0) {
        DIR *d = opendir(path);
        if (!d) return errno;
        closedir(d);
        return 0;
    }
    if (w == 1) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) return errno;
        close(fd);
        return 0;
    }
    char target[256];
    return readlink(path, target, sizeof target) < 0 ? errno : 0;
}

static struct stat program;

/* Whether PID runs PROGRAM already: 1, or 0 when it runs another file;
 * -1 when that cannot be told (it is gone: PROGRAM may exit at once). */
static int past_exec(int pid) {
    char path[64];
    struct stat exe;
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    if (stat(path, &exe) != 0) return -1;
    return exe.st_dev == program.st_dev && exe.st_ino == program.st_ino;
}

/* The index of NAME among ours when PID is such a process of UID. */
static int watched(int pid, const char *uid) {
    char path[64], line[256], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int uid_ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Name:\t", 6)) {
            snprintf(comm, sizeof comm, "%s", line + 6);
            comm[strcspn(comm, "\n")] = 0;
        } else if (!strncmp(line, "Uid:", 4)) {
            char want[128];
            snprintf(want, sizeof want, "Uid:\t%s\t%s\t%s\t%s\n", uid, uid, uid, uid);
            uid_ok = !strcmp(line, want);
        }
    }
    fclose(f);
    for (int i = 0; uid_ok && i < n_names; i++)
        if (!strcmp(comm, names[i])) return i;
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 4 || stat(argv[2], &program) != 0) {
        fprintf(stderr, "usage: peeker UID PROGRAM NAME...\n");
        return 2;
    }
    for (int i = 3; i < argc && n_names < MAX_NAMES; i++) names[n_names++] = argv[i];
    int self = getpid();
    puts("ready");
    fflush(stdout);
    for (;;) {
        int stopping = access("/tmp/peeker-stop", F_OK) == 0;
        DIR *proc = opendir("/proc");
        struct dirent *e;
        while (proc && (e = readdir(proc))) {
            int pid = atoi(e->d_name);
            int n = pid > 0 && pid != self ? watched(pid, argv[1]) : -1;
            if (n < 0) continue;
            if (!seen[n]) {
                seen[n] = 1;
                printf("seen %s\n", names[n]);
            }
            for (int w = 0; w < N_WHAT; w++) {
                int err = try(pid, w);
                if (err == 0 && !opened[n][w] && past_exec(pid) == 0) {
                    opened[n][w] = 1;
                    printf("opened %s %s\n", names[n], what[w]);
                } else if (err != 0 && err != ENOENT && err != ESRCH && !denied[n][w]) {
                    denied[n][w] = 1;
                    printf("denied %s %s %s\n", names[n], what[w], strerrorname_np(err));
                }
            }
            fflush(stdout);
        }
        if (proc) closedir(proc);
        if (stopping) break;
    }
    puts("done");
    return 0;
}

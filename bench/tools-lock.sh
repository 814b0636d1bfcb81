#!/bin/sh
# Benchmark: what locking `--tools`' mounts costs (security rule 17), step
# by step, in a container's mount namespace as docker-enter does it: a
# private copy of the namespace (unshare, / made private), then the
# short-lived child born in a new user namespace and a copy of that mount
# namespace (clone CLONE_NEWUSER | CLONE_NEWNS | CLONE_FILES | CLONE_VM |
# CLONE_VFORK, opening its namespace through /proc), and the setns into
# that copy, which frees the first. Each run is a fresh process; the
# medians and minimums of RUNS runs are printed. A run of docker-enter
# takes milliseconds: bench/tools.sh shows the whole of it, too coarse on
# a loaded machine to see this part.
#
# Needs root, a Docker daemon, gcc and busybox-static:
#   bench/tools-lock.sh [RUNS]
set -eu

runs=${1:-300}
work=$(mktemp -d)
name=nsc-bench-tools-lock-$$
image=nsenter-can-bench/busybox
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
mkdir "$work/ctx"
cp "$(command -v busybox)" "$work/ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$work/ctx/Dockerfile"
docker build -q -t "$image" "$work/ctx" >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null

cat >"$work/lock.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int proc;
static volatile int copy;

static int child(void *arg) {
    (void)arg;
    int fd = openat(proc, "self/ns/mnt", O_RDONLY | O_CLOEXEC);
    copy = fd < 0 ? -errno : fd;
    _exit(0);
}

static long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int runs = atoi(argv[2]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/ns/mnt", argv[1]);
    int container = open(path, O_RDONLY | O_CLOEXEC);
    proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    long *step = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    long *t[3];
    for (int k = 0; k < 3; k++) t[k] = calloc(runs, sizeof(long));
    for (int i = 0; i < runs; i++) {
        if (fork() == 0) {
            char *stack = mmap(0, 1 << 16, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
            if (setns(container, CLONE_NEWNS) || unshare(CLONE_NEWNS) ||
                mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
                _exit(1);
            long a = now();
            int pid = clone(child, stack + (1 << 16),
                            CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_NEWUSER | CLONE_NEWNS |
                                SIGCHLD,
                            0);
            waitpid(pid, NULL, __WALL);
            long b = now();
            if (copy < 0 || setns(copy, CLONE_NEWNS)) _exit(1);
            long c = now();
            step[0] = b - a, step[1] = c - b, step[2] = c - a;
            _exit(0);
        }
        int status;
        wait(&status);
        if (status != 0) {
            fprintf(stderr, "run %d failed\n", i);
            return 1;
        }
        for (int k = 0; k < 3; k++) t[k][i] = step[k];
    }
    const char *what[3] = {"the child and the locked copy", "setns (frees the first copy)",
                           "the lock in all"};
    for (int k = 0; k < 3; k++) {
        qsort(t[k], runs, sizeof(long), by_value);
        printf("%-32s median %5ld us  min %5ld us\n", what[k], t[k][runs / 2] / 1000,
               t[k][0] / 1000);
    }
    return 0;
}
C
gcc -O2 -o "$work/lock" "$work/lock.c"
echo "$runs runs, in container $name's mount namespace"
"$work/lock" "$(docker inspect -f '{{.State.Pid}}' "$name")" "$runs"

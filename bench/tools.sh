#!/bin/sh
# Benchmark: `docker-enter --tools=DIR C true` against `docker-enter C true`,
# side by side on one container (a busybox image, so `true` exists without
# tools), with DIR a directory of Debian's static busybox and its applet
# links. Also shown, not judged: a whole toolbox root from a local image
# (`--tools=IMAGE`, its layers mounted as an overlay).
#
# In short hyperfine rounds of all three commands: hyperfine runs each
# command's runs in a row, so on a shared machine a change of load between
# commands would pass for a difference between them; the ratio of each
# round is taken, and the median of those is judged (the medians of all
# runs are shown too).
#
# With BASE_BIN set to another build's docker-enter (say, main's), its
# `C true` and `--tools=DIR C true` run in the same rounds, and this
# build's cost of the tools is judged against that build's too.
#
# Then what locking the tools' mounts costs (security rule 17), step by
# step, too small for the rounds above to show on a loaded machine: in the
# container's mount namespace as docker-enter does it, a private copy of
# it (unshare, / made private), then the short-lived child born in a new
# user namespace and a copy of that mount namespace (clone CLONE_NEWUSER |
# CLONE_NEWNS | CLONE_FILES | CLONE_VM | CLONE_VFORK, which opens its
# namespace through /proc), and the setns into that copy, which frees the
# first; LOCK_RUNS fresh processes (300 by default), medians and minimums.
#
# Needs root, a Docker daemon, hyperfine, busybox-static, gcc, and the
# release build:
#   cargo build --release && [BASE_BIN=/path/to/docker-enter] [LOCK_RUNS=n] bench/tools.sh [ROUNDS] [RUNS_PER_ROUND]
. "$(dirname "$0")/busybox-image.sh"
set -eu

rounds=${1:-10}
runs=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
de="$here/target/release/docker-enter"
[ -x "$de" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

image=nsenter-can-bench/busybox
ctx=$(mktemp -d)
name=nsc-bench-tools-$$
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$ctx"; }
trap cleanup EXIT INT TERM
busybox=$(command -v busybox)
busybox_image "$image" "$ctx"
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null

# The toolbox: busybox and a relative link per applet.
tools=$ctx/toolbox
mkdir "$tools"
cp "$busybox" "$tools/busybox"
for applet in $("$tools/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$tools/$applet"
done

base=${BASE_BIN:-}
[ -z "$base" ] || [ -x "$base" ] || { echo "BASE_BIN=$base is not an executable" >&2; exit 1; }
round=1
while [ "$round" -le "$rounds" ]; do
    set -- -n 'docker-enter C true' "$de $name true" \
        -n 'docker-enter --tools=DIR C true' "$de --tools=$tools $name true" \
        -n 'docker-enter --tools=IMAGE C true' "$de --tools=$image $name true"
    if [ -n "$base" ]; then
        set -- "$@" -n 'BASE C true' "$base $name true" \
            -n 'BASE --tools=DIR C true' "$base --tools=$tools $name true"
    fi
    hyperfine -N --warmup 5 --runs "$runs" --export-json "$ctx/round-$round.json" "$@" >/dev/null 2>&1
    round=$((round + 1))
done

python3 - "$ctx"/round-*.json <<'PY'
import json, statistics, sys
base_name = "docker-enter C true"
times, ratios, rounds = {}, {}, []
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    med = {r["command"]: statistics.median(r["times"]) for r in results}
    rounds.append(med)
    for r in results:
        times.setdefault(r["command"], []).extend(r["times"])
        ratios.setdefault(r["command"], []).append(med[r["command"]] / med[base_name])
print(f"{len(sys.argv) - 1} rounds")
print(f"{'command':36} {'median ms':>10} {'x without (median of rounds)':>29}")
for name, all_times in times.items():
    ms = statistics.median(all_times) * 1000
    print(f"{name:36} {ms:10.2f} {statistics.median(ratios[name]):29.3f}")
ratio = statistics.median(ratios["docker-enter --tools=DIR C true"])
print()
print(f"--tools=DIR / without = {ratio:.3f} (target <= 1.5): {'PASS' if ratio <= 1.5 else 'FAIL'}")
if "BASE --tools=DIR C true" in ratios:
    def against_base(ours, theirs):
        return statistics.median(m[ours] / m[theirs] for m in rounds)
    tools = against_base("docker-enter --tools=DIR C true", "BASE --tools=DIR C true")
    plain = against_base("docker-enter C true", "BASE C true")
    print(f"this build / BASE (median of rounds): --tools=DIR {tools:.3f}, without tools {plain:.3f}")
PY

cat >"$ctx/lock.c" <<'C'
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
gcc -O2 -o "$ctx/lock" "$ctx/lock.c"
echo
echo "the tools' lock, ${LOCK_RUNS:-300} runs:"
"$ctx/lock" "$(docker inspect -f '{{.State.Pid}}' "$name")" "${LOCK_RUNS:-300}"

#!/bin/sh
# What starting a program costs on this machine, apart from our code: the
# time of one CPUID instruction (a trap to the hypervisor in a VM), and an
# empty static glibc program against an empty one with no C library (its
# start makes no CPUID), side by side. glibc's start detects the CPU and
# its caches with a few dozen CPUIDs at every execve; docs/design.md
# ("Start-up", "Measured") says what that means for docker-enter.
#
# Needs gcc (libc6-dev) and hyperfine:
#   bench/startup.sh [RUNS]
set -eu
[ "$(uname -m)" = x86_64 ] || { echo "bench/startup.sh: x86_64 only (CPUID)" >&2; exit 1; }
runs=${1:-500}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM

cat >"$dir/cpuid.c" <<'C'
#include <cpuid.h>
#include <stdio.h>
#include <time.h>
int main(void) {
    unsigned a, b, c, d, sink = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 1000; i++) {
        __cpuid_count(4, i & 3, a, b, c, d);
        sink ^= a;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("one CPUID (leaf 4, mean of 1000): %.2f us\n", ns / 1000 / 1000);
    return (int)(sink & 0);
}
C
gcc -O2 -o "$dir/cpuid" "$dir/cpuid.c"
"$dir/cpuid"

printf 'int main(void) { return 0; }\n' >"$dir/empty.c"
gcc -O2 -static -o "$dir/glibc-static" "$dir/empty.c"
printf '.globl _start\n_start:\n mov $60, %%eax\n xor %%edi, %%edi\n syscall\n' >"$dir/nolibc.s"
gcc -nostdlib -static -o "$dir/no-libc" "$dir/nolibc.s"
hyperfine -N --warmup 20 --runs "$runs" \
    -n 'empty program, static glibc' "$dir/glibc-static" \
    -n 'empty program, no C library' "$dir/no-libc"

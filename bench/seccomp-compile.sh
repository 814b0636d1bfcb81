#!/bin/sh
# The seccomp compiler alone (crates/enter/examples/seccomp_compile.rs):
# RUNS fresh processes each compile the profile of CONFIG (a bundle's
# config.json) once, then WARM times more; prints the medians of the
# first compile (µs), its page faults, and the warm compile (µs), the
# warm one over the first 10 processes. With PREWARM=1 (passed on to the
# example) each process compiles a small profile first, so that the first
# timed compile finds the compiler's code paged in.
#
#     bench/seccomp-compile.sh CONFIG [RUNS] [WARM]
set -eu
config=${1:?usage: bench/seccomp-compile.sh CONFIG [RUNS] [WARM]}
runs=${2:-200}
warm=${3:-50}
cd "$(dirname "$0")/.."
cargo build --quiet --release -p nsenter-can-enter --example seccomp_compile
bin=target/release/examples/seccomp_compile
"$bin" "$config" 0 >/dev/null
i=0
while [ "$i" -lt "$runs" ]; do
    if [ "$i" -lt 10 ]; then "$bin" "$config" "$warm"; else "$bin" "$config" 0; fi
    i=$((i + 1))
done | awk -v runs="$runs" '
    { first[NR] = $1; faults[NR] = $2; if (NR <= 10) { warm[NR] = $3 }; len = $4 }
    function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        printf "%d instructions; first compile %.1f us (median of %d fresh processes), %d page faults; warm %.1f us\n",
            len, median(first, NR), NR, median(faults, NR), median(warm, NR < 10 ? NR : 10)
    }'

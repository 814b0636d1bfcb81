#!/usr/bin/env bash
# Our nsenter against util-linux's on the same target, side by side in one
# run: median wall time and ratio, binary sizes, peak memory.
# Needs root, util-linux (unshare, nsenter), hyperfine, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-500}
TRIPLE=x86_64-unknown-linux-gnu
echo "building release binaries (static and dynamic)..." >&2
RUSTFLAGS='-C target-feature=+crt-static' cargo build -q --release --target "$TRIPLE" --bin nsenter
cargo build -q --release --bin nsenter
STATIC=target/$TRIPLE/release/nsenter
DYNAMIC=target/release/nsenter
THEIRS=/usr/bin/nsenter

# A target with its own mount, UTS, IPC, network, PID and cgroup namespaces.
unshare --fork --pid --mount-proc --uts --ipc --net --cgroup sleep 600 &
UNSHARE=$!
trap 'kill -9 $UNSHARE 2>/dev/null || true; pkill -9 -P $UNSHARE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    T=$(cat /proc/$UNSHARE/task/*/children 2>/dev/null | tr -d ' ') && [ -n "$T" ] && break
    sleep 0.05
done
echo "target: PID $T ($(readlink /proc/$T/ns/pid))" >&2

JSON=$(mktemp)
hyperfine -N --style basic --warmup 50 --runs "$RUNS" --export-json "$JSON" \
    -n "util-linux $($THEIRS -V | awk '{print $NF}')" "$THEIRS -t $T -a true" \
    -n "ours (static)" "$STATIC -t $T -a true" \
    -n "ours (dynamic)" "$DYNAMIC -t $T -a true" >&2

peak_kib() { # median of 21 runs of the maximum resident set size
    for _ in $(seq 21); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 11p
}

python3 - "$JSON" <<PY
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = sorted(res[0]["times"])[len(res[0]["times"]) // 2]
print(f"{'command':<22} {'median':>10} {'ratio':>7}")
for r in res:
    t = sorted(r["times"]); m = t[len(t) // 2]
    print(f"{r['command']:<22} {m*1e3:>8.3f}ms {m/base:>7.2f}")
PY
rm -f "$JSON"

echo
printf '%-22s %10s %12s\n' binary bytes "peak RSS"
printf '%-22s %10s %9s KiB\n' "util-linux nsenter" "$(stat -c %s $THEIRS)" "$(peak_kib $THEIRS -t "$T" -a true)"
printf '%-22s %10s %9s KiB\n' "ours (static)" "$(stat -c %s $STATIC)" "$(peak_kib $STATIC -t "$T" -a true)"
printf '%-22s %10s %9s KiB\n' "ours (dynamic)" "$(stat -c %s $DYNAMIC)" "$(peak_kib $DYNAMIC -t "$T" -a true)"

#!/usr/bin/env bash
# Our nsenter, as `cargo build --release` builds it (static), against
# util-linux's on the same target, side by side in one hyperfine run:
# median wall time and ratio, binary sizes, peak memory. The goal: at most
# 0.8 of util-linux's time for `nsenter -t T -a true`.
#
# BASELINE=/path/to/another/nsenter adds that binary to the same run (a
# build from before a change, to measure the change).
# Needs root, util-linux (unshare, nsenter), hyperfine, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-500}
GOAL=0.8
echo "building: cargo build --release" >&2
cargo build -q --release --bin nsenter
# OURS=/path/to/nsenter measures another build as ours (the can's one
# program under the name nsenter, say).
OURS=${OURS:-target/release/nsenter}
THEIRS=/usr/bin/nsenter
BASELINE=${BASELINE:-}

# A target with its own mount, UTS, IPC, network, PID and cgroup namespaces.
unshare --fork --pid --mount-proc --uts --ipc --net --cgroup sleep 600 &
UNSHARE=$!
trap 'kill -9 $UNSHARE 2>/dev/null || true; pkill -9 -P $UNSHARE 2>/dev/null || true' EXIT
T=
for _ in $(seq 100); do
    T=$(cat /proc/$UNSHARE/task/*/children 2>/dev/null | tr -d ' ') && [ -n "$T" ] && break
    sleep 0.05
done
[ -n "$T" ] || { echo "the target did not start" >&2; exit 1; }
echo "target: PID $T ($(readlink /proc/$T/ns/pid))" >&2

commands=(-n "util-linux $($THEIRS -V | awk '{print $NF}')" "$THEIRS -t $T -a true"
          -n "ours" "$OURS -t $T -a true")
if [ -n "$BASELINE" ]; then
    commands+=(-n "baseline" "$BASELINE -t $T -a true")
fi
JSON=$(mktemp)
hyperfine -N --style basic --warmup 50 --runs "$RUNS" --export-json "$JSON" "${commands[@]}" >&2

python3 - "$JSON" "$GOAL" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
goal = float(sys.argv[2])
base = statistics.median(res[0]["times"])
print(f"{'command':<22} {'median':>10} {'ratio':>7}")
for r in res:
    m = statistics.median(r["times"])
    print(f"{r['command']:<22} {m*1e3:>8.3f}ms {m/base:>7.3f}")
ours = statistics.median(res[1]["times"]) / base
print(f"\nours / util-linux = {ours:.3f} (goal <= {goal}): {'PASS' if ours <= goal else 'FAIL'}")
PY
rm -f "$JSON"

peak_kib() { # median of 21 runs of the maximum resident set size
    for _ in $(seq 21); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 11p
}

echo
printf '%-22s %10s %12s\n' binary bytes "peak RSS"
printf '%-22s %10s %9s KiB\n' "util-linux nsenter" "$(stat -c %s $THEIRS)" "$(peak_kib $THEIRS -t "$T" -a true)"
printf '%-22s %10s %9s KiB\n' "ours" "$(stat -c %s $OURS)" "$(peak_kib $OURS -t "$T" -a true)"
if [ -n "$BASELINE" ]; then
    printf '%-22s %10s %9s KiB\n' "baseline" "$(stat -c %s "$BASELINE")" "$(peak_kib "$BASELINE" -t "$T" -a true)"
fi

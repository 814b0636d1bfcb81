#!/usr/bin/env bash
# Benchmark: joining a container's cgroups, in the states a user meets.
#
# Moving a whole process into a cgroup (a write to cgroup.procs) waits for
# an RCU grace period (the kernel takes cgroup_threadgroup_rwsem for
# writing) unless another migration happened moments before. docker-enter
# joins without one (docs/security.md, rule 8). This measures the whole
# `docker-enter C true`, and `nsenter -t PID -a -c true` (which forks for
# the PID namespace), in three states:
#
#   after exec   right after a `docker exec C true` (hyperfine --prepare);
#   cold         1 s after the run before (--prepare 'sleep 1'): a command
#                typed now and then;
#   warm         back to back.
#
# and `docker exec C true` itself, and `nsenter -t PID -a true`, which
# joins no cgroup: the floor (a cold run is slower than a warm one anyway:
# a VM's idle CPU, cold caches). Each state runs in ROUNDS short hyperfine
# rounds, the commands in turn first and last (the machine's other load
# drifts; this spreads it over them), and prints medians over all rounds.
# Then one cold run of each binary under `strace -f -T -y`: how long each
# join took.
#
# BASELINE=/path/to/another/docker-enter adds that binary to every row
# (a build from before a change), and the nsenter beside it if there is one.
#
# Needs root, a Docker daemon, hyperfine, strace, python3, and the release
# build:
#   cargo build --release && BASELINE=/tmp/old/docker-enter bench/cgroup-join.sh [RUNS]
. "$(dirname "$0")/busybox-image.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-30}
ROUNDS=${ROUNDS:-5}
DE=$PWD/target/release/docker-enter
NS=$PWD/target/release/nsenter
BASELINE=${BASELINE:-}
BASE_NS=
[ -n "$BASELINE" ] && [ -x "$(dirname "$BASELINE")/nsenter" ] && BASE_NS=$(dirname "$BASELINE")/nsenter
[ -x "$DE" ] || { echo "build first: cargo build --release" >&2; exit 1; }
for tool in hyperfine strace python3; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/nsc-bench-cgroup.XXXXXX)
C=nsc-bench-cgroup-$$
IMAGE=nsenter-can-bench/busybox
cleanup() { docker rm -f "$C" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

# An offline FROM scratch image with busybox, as the tests build it.
busybox_image "$IMAGE" "$WORK/ctx"
docker run -d --network none --name "$C" "$IMAGE" sleep 1000000 >/dev/null
PID=$(docker inspect -f '{{.State.Pid}}' "$C")

# The commands measured: name, then command line.
commands=("docker-enter" "$DE $C true")
[ -n "$BASELINE" ] && commands+=("docker-enter, baseline" "$BASELINE $C true")
commands+=("nsenter -a -c" "$NS -t $PID -a -c true")
[ -n "$BASE_NS" ] && commands+=("nsenter -a -c, baseline" "$BASE_NS -t $PID -a -c true")
# The floor: the same without joining the cgroups.
commands+=("nsenter -a (no cgroup)" "$NS -t $PID -a true")

# rounds STATE PREPARE [EXTRA_NAME EXTRA_COMMAND]: every command, each run
# after PREPARE, in ROUNDS rounds; JSON files under $WORK/STATE.
rounds() {
    local state=$1 prepare=$2 round i args specs=("${commands[@]}")
    shift 2
    specs+=("$@")
    mkdir -p "$WORK/$state"
    for round in $(seq "$ROUNDS"); do
        args=()
        for ((i = 0; i < ${#specs[@]}; i += 2)); do
            local one=(--prepare "$prepare" -n "${specs[i]}" "${specs[i+1]}")
            if ((round % 2)); then args+=("${one[@]}"); else args=("${one[@]}" "${args[@]}"); fi
        done
        hyperfine -N --style none --warmup 1 --runs $((RUNS / ROUNDS)) \
            --export-json "$WORK/$state/$round.json" "${args[@]}" >/dev/null 2>>"$WORK/hyperfine.log" ||
            { cat "$WORK/hyperfine.log" >&2; exit 1; }
    done
}

echo "measuring: $RUNS runs per command and state, in $ROUNDS rounds" >&2
rounds "after exec" "docker exec $C true" "docker exec" "docker exec $C true"
rounds cold "sleep 1"
rounds warm true

python3 - "$WORK" <<'PY'
import glob, json, os, statistics, sys
work = sys.argv[1]
states = ["after exec", "cold", "warm"]
table = {}
for state in states:
    for f in glob.glob(os.path.join(work, state, "*.json")):
        for r in json.load(open(f))["results"]:
            table.setdefault(r["command"], {}).setdefault(state, []).extend(r["times"])
exec_ms = statistics.median(table["docker exec"]["after exec"]) * 1000
print(f"medians in ms (x docker exec, {exec_ms:.1f} ms, in brackets)")
print(f"{'command':28}" + "".join(f"{s:>20}" for s in states))
for name, by_state in table.items():
    cells = []
    for state in states:
        t = by_state.get(state)
        if t is None:
            cells.append(f"{'':>20}")
            continue
        ms = statistics.median(t) * 1000
        cells.append(f"{ms:>11.2f} ({ms / exec_ms:5.3f})")
    print(f"{name:28}" + "".join(cells))

def median(name, state):
    return statistics.median(table[name][state]) * 1000

print("\nwhat joining the cgroups costs nsenter (-a -c less -a), ms")
for name in ["nsenter -a -c", "nsenter -a -c, baseline"]:
    if name in table:
        costs = [median(name, s) - median("nsenter -a (no cgroup)", s) for s in states]
        print(f"{name:28}" + "".join(f"{c:>20.2f}" for c in costs))
PY

# What each join costs, cold: the cgroup file writes and the clone, with
# their times (strace -T; strace slows every call, the proportions stand).
joins() { # NAME COMMAND...
    sleep 1
    echo
    echo "== $1, cold, strace -f -T -y (cgroup writes and clones)"
    shift
    strace -f -qq -T -y -e trace=write,clone,clone3 -o "$WORK/strace" "$@" >/dev/null
    grep -E 'clone3?\(|clone3? resumed|/(tasks|cgroup\.procs)>' "$WORK/strace" |
        sed -E 's/child_stack=[^,]*, |stack=[^,]*, stack_size=[^,]*, //; s/ +</ </'
}
joins docker-enter "$DE" "$C" true
[ -n "$BASELINE" ] && joins "docker-enter, baseline" "$BASELINE" "$C" true
joins "nsenter -a -c" "$NS" -t "$PID" -a -c true
[ -n "$BASE_NS" ] && joins "nsenter -a -c, baseline" "$BASE_NS" -t "$PID" -a -c true
exit 0

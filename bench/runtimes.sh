#!/usr/bin/env bash
# Benchmark: finding containers without a daemon, side by side in one run.
#
# 1. Lookup through state files on a host with 100 containers (made here,
#    removed at the end): the "find" phase of `docker-enter NAME true`
#    (DOCKER_ENTER_TIMING=1), by name and by ID prefix, and `--list`.
#    Goal: at most 1 ms.
# 2. dockerd stopped (SIGSTOP) against running, on a private dockerd of our
#    own (the shared one is never stopped): `docker-enter C true` each way,
#    alternated by hyperfine's --prepare. Goal: as fast stopped as running.
# 3. A busy daemon: `docker-enter C true` run right after each `docker exec
#    C true` (hyperfine --prepare), reading state files (the default) and
#    asking the daemon (--state-files never), against `docker exec` itself;
#    and 0.1 s after, when the daemon's own work on the exec is done; and
#    alone, back to back and 0.5 s apart. Goal: at most 0.05 x docker exec.
#    The find phase alone, right after an exec, is also printed (state files
#    against the daemon). What the rows show here (see docs/runtimes.md):
#    finding costs the same whatever the daemon does; entering pays an RCU
#    grace period (about 10 ms on this VM) in its first cgroup.procs write
#    unless another cgroup migration happened just before, so runs back to
#    back are faster than any run that follows a pause.
# 4. The Engine API's answer read in linear time: `--list` against a fake
#    daemon whose answer is 1, 4 and 16 MiB of chunked JSON.
# 5. Root finding every user's rootless Podman containers: 20 users with 5
#    containers each (bench/rootless.sh): the find phase by NAME,
#    podman:USER/NAME, ID prefix and pid:N, and --list, each printed against
#    the goal, find under 2 ms. Run on a quiet machine, not under nice.
#
# Needs root, a Docker daemon, hyperfine, python3, and the release build:
#   cargo build --release && bench/runtimes.sh [RUNS]
. "$(dirname "$0")/busybox-image.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-200}
DE=${DE:-$PWD/target/release/docker-enter}
[ -x "$DE" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

TAG=$$
WORK=$(mktemp -d /tmp/nsc-bench-runtimes.XXXXXX)
IMAGE=nsenter-can-bench/busybox
BRIDGE=nscbench$((TAG % 10000))
PRIV=$WORK/dockerd
FAKE_PID=
cleanup() {
    set +e
    [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
    if [ -f "$PRIV/dockerd.pid" ]; then
        pid=$(cat "$PRIV/dockerd.pid")
        kill -CONT "$pid" 2>/dev/null
        docker -H "unix://$PRIV/docker.sock" rm -f bench >/dev/null 2>&1
        kill "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    docker ps -aq --filter "name=nsc-bench-rt-$TAG-" | xargs -r docker rm -f >/dev/null 2>&1
    grep -o " $WORK/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
    ip link del "$BRIDGE" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# An offline FROM scratch image with busybox, as the tests build it.
busybox_image "$IMAGE" "$WORK/ctx"

# hyperfine in ROUNDS short rounds, the commands in turn first and last,
# and the medians over all of them: the machine's other load drifts, and
# this spreads it over every command. Arguments come in threes: a command
# run before each timed run (hyperfine --prepare), a name, the command.
# Prints each command's median (ms) as "name<TAB>ms" lines.
ROUNDS=${ROUNDS:-10}
side_by_side() {
    local round i out=$WORK/sbs specs=("$@") args
    rm -rf "$out"; mkdir -p "$out"
    for round in $(seq "$ROUNDS"); do
        args=()
        for ((i = 0; i < ${#specs[@]}; i += 3)); do
            local one=(--prepare "${specs[i]}" -n "${specs[i+1]}" "${specs[i+2]}")
            if ((round % 2)); then args=("${args[@]}" "${one[@]}"); else args=("${one[@]}" "${args[@]}"); fi
        done
        hyperfine -N --style none --warmup 2 --runs $((RUNS / ROUNDS)) \
            --export-json "$out/$round.json" "${args[@]}" >/dev/null
    done
    python3 - "$out" <<'PY'
import glob, json, statistics, sys
times = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
for name, t in sorted(times.items(), key=lambda x: x[0]):
    print(f"{name}\t{statistics.median(t) * 1000:.3f}")
PY
}

median_find() { # ARGS...: median of the "find" phase over $RUNS runs, in ms
    for _ in $(seq "$RUNS"); do
        DOCKER_ENTER_TIMING=1 "$DE" "$@" true 2>&1 >/dev/null | awk '$3 == "find" {print $4}'
    done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

echo "== 1. lookup through state files, 100 containers"
for i in $(seq 1 100); do
    docker run -d --network none --name "nsc-bench-rt-$TAG-$i" "$IMAGE" sleep 1000000 >/dev/null
done
echo "containers on this host: $(ls /var/lib/docker/containers | wc -l)"
ID=$(docker inspect -f '{{.Id}}' "nsc-bench-rt-$TAG-50")
printf '%-44s %8s ms\n' "find by name (median)" "$(median_find "nsc-bench-rt-$TAG-50")"
printf '%-44s %8s ms\n' "find by ID prefix (median)" "$(median_find "${ID:0:12}")"
JSON=$WORK/list.json
hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-json "$JSON" "$DE --list" >/dev/null
python3 -c 'import json,statistics,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%-44s %8.3f ms" % ("docker-enter --list (whole run, median)", statistics.median(r["times"])*1000))' "$JSON"

echo
echo "== 2. private dockerd stopped (SIGSTOP) against running"
mkdir -p "$PRIV"
echo '{}' >"$PRIV/daemon.json"
ip link add "$BRIDGE" type bridge
dockerd --config-file "$PRIV/daemon.json" --data-root "$PRIV/data" --exec-root "$PRIV/exec" \
    --pidfile "$PRIV/dockerd.pid" -H "unix://$PRIV/docker.sock" --bridge="$BRIDGE" \
    --iptables=false --ip-masq=false --ip-forward=false >"$PRIV/dockerd.log" 2>&1 &
PD="docker -H unix://$PRIV/docker.sock"
for _ in $(seq 300); do $PD version >/dev/null 2>&1 && break; sleep 0.1; done
docker save "$IMAGE" | $PD load -q >/dev/null
$PD run -d --network none --name bench "$IMAGE" sleep 1000000 >/dev/null
DPID=$(cat "$PRIV/dockerd.pid")
ARGS="-H unix://$PRIV/docker.sock --docker-root $PRIV/data --docker-exec-root $PRIV/exec"
side_by_side \
    "kill -CONT $DPID" "dockerd running" "$DE $ARGS bench true" \
    "kill -STOP $DPID" "dockerd stopped" "$DE $ARGS bench true" >"$WORK/stopped.tsv"
kill -CONT "$DPID"
python3 - "$WORK/stopped.tsv" <<'PY'
import sys
r = dict((n, float(ms)) for n, ms in (l.rstrip("\n").split("\t") for l in open(sys.argv[1])))
for name, ms in r.items():
    print(f"{name:44} {ms:8.3f} ms")
print(f"{'stopped / running':44} {r['dockerd stopped'] / r['dockerd running']:8.3f}")
PY

echo
echo "== 3. a busy daemon: each run right after a docker exec"
C="nsc-bench-rt-$TAG-1"
side_by_side \
    "true" "docker exec C true" "docker exec $C true" \
    "docker exec $C true" "docker-enter C true, after docker exec" "$DE $C true" \
    "docker exec $C true" "docker-enter --state-files never, after" "$DE --state-files never $C true" \
    "sh -c 'docker exec $C true && sleep 0.1'" "docker-enter C true, 0.1 s after" "$DE $C true" \
    "true" "docker-enter C true, alone" "$DE $C true" \
    "sleep 0.5" "docker-enter C true, alone, 0.5 s apart" "$DE $C true" >"$WORK/busy.tsv"
python3 - "$WORK/busy.tsv" <<'PY'
import sys
med = dict((n, float(ms)) for n, ms in (l.rstrip("\n").split("\t") for l in open(sys.argv[1])))
exec_ms = med["docker exec C true"]
print(f"{'command':44} {'median ms':>10} {'x docker exec':>14}")
for name, ms in med.items():
    print(f"{name:44} {ms:10.3f} {ms / exec_ms:14.4f}")
ratio = med["docker-enter C true, after docker exec"] / exec_ms
print(f"goal <= 0.05 x docker exec: {ratio:.4f} {'PASS' if ratio <= 0.05 else 'FAIL'}")
PY
for mode in first never; do
    for _ in $(seq "$RUNS"); do
        docker exec "$C" true
        DOCKER_ENTER_TIMING=1 "$DE" --state-files "$mode" "$C" true 2>&1 >/dev/null | awk '$3 == "find" {print $4}'
    done | sort -n | awk -v m="$mode" '{v[NR] = $1} END {printf "%-44s %8s ms\n", "find phase after docker exec, --state-files " m, v[int((NR + 1) / 2)]}'
done

echo
echo "== 4. the Engine API's answer: linear in its size"
python3 - "$WORK/fake.sock" >"$WORK/fake.log" 2>&1 <<'PY' &
import socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
while True:
    c, _ = s.accept()
    c.recv(4096)  # GET /v1.41/containers/json, what --list asks
    mib = int(open(path + ".size").read())
    body = b"[" + b" " * (mib * 1024 * 1024 - 2) + b"]"
    c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(body), 4096):
        piece = body[i:i + 4096]
        c.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    c.sendall(b"0\r\n\r\n")
    c.close()
PY
FAKE_PID=$!
for _ in $(seq 100); do [ -S "$WORK/fake.sock" ] && break; sleep 0.05; done
for mib in 1 4 16; do
    echo "$mib" >"$WORK/fake.sock.size"
    hyperfine -N --style none --warmup 2 --runs 20 --export-json "$WORK/api-$mib.json" \
        "$DE -H $WORK/fake.sock --state-files never --containerd-state $WORK/none --storage-root $WORK/none --list" >/dev/null
    python3 -c 'import json,statistics,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%-44s %8.3f ms" % (sys.argv[2], statistics.median(r["times"])*1000))' \
        "$WORK/api-$mib.json" "--list, answer of $mib MiB (median)"
done

echo
echo "== 5. every user's rootless Podman (bench/rootless.sh)"
DE=$DE bench/rootless.sh "$RUNS"

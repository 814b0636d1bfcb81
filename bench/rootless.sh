#!/usr/bin/env bash
# Benchmark: root finding every user's rootless Podman containers.
#
# 20 users (made here with useradd, removed at the end with their homes,
# containers and Podman's pause processes) run 5 containers each from the
# offline busybox image, each loaded into the user's own storage. Printed,
# each against the goal (a lookup under 2 ms): the median "find" phase of
# `docker-enter ADDRESS true` (DOCKER_ENTER_TIMING=1) by a name only one
# user has, by podman:USER/NAME, by an ID prefix and by pid:N; the "list"
# phase of `docker-enter --list` (all 100 found, each checked against its
# live process), and --list as a whole run (hyperfine).
#
# Run it on a quiet machine and NOT under nice: the figures are wall time.
#
# Needs root, Docker (to build the image), Podman with newuidmap, hyperfine,
# python3, and the release build:
#   cargo build --release && bench/rootless.sh [RUNS]
# bench/runtimes.sh runs it last.
. "$(dirname "$0")/busybox-image.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-200}
USERS=${USERS:-20}
PER_USER=${PER_USER:-5}
DE=${DE:-$PWD/target/release/docker-enter}
[ -x "$DE" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

TAG=$$
WORK=$(mktemp -d /tmp/nsc-bench-rootless.XXXXXX)
chmod 755 "$WORK"
IMAGE=nsenter-can-bench/busybox
made=()
as_user() { # USER COMMAND...: run as USER with a login's environment
    local u=$1; shift
    setpriv --reuid "$u" --regid "$u" --init-groups -- env -i HOME="/home/$u" USER="$u" \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$@"
}
cleanup() {
    set +e
    for u in "${made[@]}"; do
        uid=$(id -u "$u" 2>/dev/null) || continue
        as_user "$u" podman rm -a -f -t 0 >/dev/null 2>&1
        pause=$(cat "/tmp/podman-run-$uid/libpod/tmp/pause.pid" 2>/dev/null)
        if [ -n "$pause" ] && [ "$(stat -c %u "/proc/$pause" 2>/dev/null)" = "$uid" ]; then
            kill -9 "$pause"
        fi
        userdel -r -f "$u" >/dev/null 2>&1
        # A podman still exiting may write into the home after userdel.
        rm -rf "/tmp/podman-run-$uid" "/tmp/containers-user-$uid" "/home/$u"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

busybox_image "$IMAGE" "$WORK/ctx"
docker save -o "$WORK/image.tar" "$IMAGE"
chmod 644 "$WORK/image.tar"

echo "== rootless Podman: $USERS users x $PER_USER containers"
for i in $(seq 1 "$USERS"); do
    u="nscb${TAG}u$i"
    useradd -m "$u"
    made+=("$u")
    as_user "$u" podman load -q -i "$WORK/image.tar" >/dev/null
    for j in $(seq 1 "$PER_USER"); do
        as_user "$u" podman run -d --name "c$j-u$i" --network none \
            --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 \
            "localhost/$IMAGE" sleep 1000000 >/dev/null
    done
done
U="nscb${TAG}u10"
PID=$(as_user "$U" podman inspect -f '{{.State.Pid}}' c3-u10)
echo "rootless containers listed: $("$DE" --list --format '{{.Owner}}' | grep -c "^nscb$TAG")"

ID=$(as_user "$U" podman inspect -f '{{.Id}}' c3-u10)

median_phase() { # PHASE ARGS...: median of PHASE over $RUNS runs, in ms
    local phase=$1; shift
    for _ in $(seq "$RUNS"); do
        DOCKER_ENTER_TIMING=1 "$DE" "$@" 2>&1 >/dev/null | awk -v p="$phase" '$3 == p {print $4}'
    done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
against_goal() { # WHAT MS: the figure, and whether it is under 2 ms
    awk -v w="$1" -v ms="$2" 'BEGIN {printf "%-48s %8.3f ms  goal < 2 ms: %s\n", w, ms, (ms < 2 ? "PASS" : "FAIL")}'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
against_goal "find by NAME (median)" "$(median_phase find c3-u10 true)"
against_goal "find by podman:USER/NAME (median)" "$(median_phase find "podman:$U/c3-u10" true)"
against_goal "find by ID prefix (12 digits, median)" "$(median_phase find "${ID:0:12}" true)"
against_goal "find by pid:N (median)" "$(median_phase find "pid:$PID" true)"
against_goal "--list: find and check all (median)" "$(median_phase list --list)"
hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-json "$WORK/list.json" "$DE --list" >/dev/null
against_goal "docker-enter --list (whole run, median)" \
    "$(python3 -c 'import json,statistics,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(statistics.median(r["times"])*1000)' "$WORK/list.json")"

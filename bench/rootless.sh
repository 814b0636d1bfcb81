#!/usr/bin/env bash
# Benchmark: root finding every user's rootless Podman containers.
#
# 20 users (made here with useradd, removed at the end with their homes,
# containers and Podman's pause processes) run 5 containers each from the
# offline busybox image, each loaded into the user's own storage. Printed:
# the median "find" phase of `docker-enter ADDRESS true`
# (DOCKER_ENTER_TIMING=1) by a name only one user has, by
# podman:USER/NAME, and by pid:N, and `--list` as a whole run.
# Goal: find under 2 ms.
#
# Needs root, Docker (to build the image), Podman with newuidmap, hyperfine,
# python3, and the release build:
#   cargo build --release && bench/rootless.sh [RUNS]
# bench/runtimes.sh runs it last.
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

mkdir "$WORK/ctx"
cp "$(command -v busybox)" "$WORK/ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$WORK/ctx/Dockerfile"
docker build -q -t "$IMAGE" "$WORK/ctx" >/dev/null
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

median_find() { # ARGS...: median of the "find" phase over $RUNS runs, in ms
    for _ in $(seq "$RUNS"); do
        DOCKER_ENTER_TIMING=1 "$DE" "$@" true 2>&1 >/dev/null | awk '$3 == "find" {print $4}'
    done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
printf '%-44s %8s ms\n' "find by name (median)" "$(median_find c3-u10)"
printf '%-44s %8s ms\n' "find by podman:USER/NAME (median)" "$(median_find "podman:$U/c3-u10")"
printf '%-44s %8s ms\n' "find by pid:N (median)" "$(median_find "pid:$PID")"
hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-json "$WORK/list.json" "$DE --list" >/dev/null
python3 -c 'import json,statistics,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%-44s %8.3f ms" % ("docker-enter --list (whole run, median)", statistics.median(r["times"])*1000))' "$WORK/list.json"

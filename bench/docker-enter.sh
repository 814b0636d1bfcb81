#!/bin/sh
# Benchmark: `docker-enter C true` against `docker exec C true` and against
# the seed's way (`docker inspect` for the PID, then util-linux nsenter),
# side by side in one hyperfine run on one container; then the time
# docker-enter spends finding the container apart from entering it
# (DOCKER_ENTER_TIMING=1 prints each phase on stderr).
#
# Needs root, a Docker daemon, hyperfine, and the release build:
#   cargo build --release && bench/docker-enter.sh [RUNS]
set -eu

runs=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
de="$here/target/release/docker-enter"
[ -x "$de" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

# An offline FROM scratch image with busybox, as the tests build it.
image=nsenter-can-bench/busybox
ctx=$(mktemp -d)
name=nsc-bench-$$
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$ctx"; }
trap cleanup EXIT INT TERM
cp "$(command -v busybox)" "$ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$ctx/Dockerfile"
docker build -q -t "$image" "$ctx" >/dev/null 2>"$ctx/build.log" || { cat "$ctx/build.log" >&2; exit 1; }
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null

seed="nsenter --target \$(docker inspect -f '{{.State.Pid}}' $name) --mount --uts --ipc --net --pid true"
json=$(mktemp)
hyperfine -N --warmup 10 --runs "$runs" --export-json "$json" \
    -n docker-enter "$de $name true" \
    -n 'docker exec' "docker exec $name true" >/dev/null
# The seed's way needs a shell for its command substitution.
hyperfine --warmup 10 --runs "$runs" --export-json "$json.seed" \
    -n "seed (docker inspect + nsenter)" "$seed" >/dev/null

# Phases of docker-enter, medians over the same number of runs.
phases=$(mktemp)
i=0
while [ "$i" -lt "$runs" ]; do
    DOCKER_ENTER_TIMING=1 "$de" "$name" true 2>>"$phases"
    i=$((i + 1))
done

python3 - "$json" "$json.seed" "$phases" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]
med = {r["command"]: statistics.median(r["times"]) * 1000 for r in results}
exec_ms = med["docker exec"]
print(f"{'command':36} {'median ms':>10} {'x docker exec':>14}")
for name, ms in med.items():
    print(f"{name:36} {ms:10.2f} {ms / exec_ms:14.3f}")
phases = {}
for line in open(sys.argv[3]):
    # "docker-enter: timing: <phase> <ms> ms"
    words = line.split()
    if len(words) >= 5 and words[1] == "timing:":
        phases.setdefault(" ".join(words[2:-2]), []).append(float(words[-2]))
print()
print("docker-enter phases (DOCKER_ENTER_TIMING=1), medians:")
for phase, times in phases.items():
    print(f"  {phase:34} {statistics.median(times):8.2f} ms")
ratio = med["docker-enter"] / exec_ms
print()
print(f"docker-enter / docker exec = {ratio:.3f} (target <= 0.1): {'PASS' if ratio <= 0.1 else 'FAIL'}")
PY
rm -f "$json" "$json.seed" "$phases"

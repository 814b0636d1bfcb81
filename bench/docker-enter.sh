#!/bin/sh
# Benchmark: `docker-enter C true` against the same from a BASE build,
# against `docker exec C true` and against the seed's way (`docker
# inspect` for the PID, then util-linux nsenter), on one container, side by
# side; then how fast the relay moves bytes each way:
#
# 1. one hyperfine run of docker-enter, the BASE build, docker-enter
#    --privileged (without the container's capabilities and seccomp
#    filters: what taking them costs), docker-enter from a read-only mount
#    of its binary (which skips running itself again from one: what
#    protecting the binary costs), and docker exec;
# 2. the two alternately: each timed run of one right after a run of the
#    other (hyperfine --prepare), since dockerd is still busy after each
#    docker exec;
# 3. docker-enter's own phases (DOCKER_ENTER_TIMING=1): finding the
#    container, reading its confinement, the rest of the plan, entering
#    and running;
# 4. the relay, in one hyperfine run: RELAY_MIB MiB (default 1024) out of
#    the container (busybox `dd bs=1M` inside writing, `dd` outside
#    reading) and into it, through docker-enter, the BASE build and
#    `docker exec` (-i for input); MB/s from the medians. Goals: docker-enter
#    moves at least 2.5 x docker exec's MB/s out and 1.5 x in, and `true`
#    costs at most 0.2 ms more than the BASE build;
# 5. docker-enter and the BASE build run by run in turn (RUNS each): the
#    medians of wall time and of CPU time (user + system, the program's
#    included), which a loaded machine disturbs less than wall time.
#
# BASE is a docker-enter binary, or a git revision (default: main) built
# with `cargo build --release` in a temporary worktree (its target
# directory is kept in target/bench-base, so a second run is quick).
#
# Needs root, a Docker daemon, hyperfine, util-linux (unshare, nsenter),
# python3 and the release build:
#   cargo build --release && bench/docker-enter.sh [RUNS]
. "$(dirname "$0")/busybox-image.sh"
set -eu

runs=${1:-200}
base=${BASE:-main}
relay_mib=${RELAY_MIB:-1024}
relay_runs=${RELAY_RUNS:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
de="$here/target/release/docker-enter"
[ -x "$de" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

# An offline FROM scratch image with busybox, as the tests build it.
image=nsenter-can-bench/busybox
ctx=$(mktemp -d)
name=nsc-bench-$$
cleanup() {
    docker rm -f "$name" >/dev/null 2>&1 || true
    [ -d "$ctx/base" ] && git -C "$here" worktree remove --force "$ctx/base" >/dev/null 2>&1
    rm -rf "$ctx"
}
trap cleanup EXIT INT TERM

# The BASE build: a binary as given, or the revision built apart.
if [ -x "$base" ] && [ ! -d "$base" ]; then
    base_de=$base
else
    echo "building BASE ($base) in a temporary worktree" >&2
    git -C "$here" worktree add --detach "$ctx/base" "$base" >/dev/null 2>&1
    (cd "$ctx/base" && cargo build -q --release --bin docker-enter \
        --target-dir "$here/target/bench-base") >&2
    base_de="$here/target/bench-base/release/docker-enter"
    cp "$base_de" "$ctx/base-docker-enter"
    base_de="$ctx/base-docker-enter"
fi
busybox_image "$image" "$ctx"
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null

# The same binary on a read-only bind mount, in a mount namespace of the
# benchmark's own (nothing is left mounted on the host).
ro="$ctx/ro/docker-enter"
mkdir -p "$ctx/ro" && touch "$ro"
json="$ctx/side-by-side.json"
unshare --mount --propagation private sh -c "
    mount --bind '$de' '$ro' && mount -o remount,bind,ro '$ro' &&
    hyperfine -N --warmup 10 --runs $runs --export-json '$json' \
        -n docker-enter '$de $name true' \
        -n 'docker-enter --privileged' '$de --privileged $name true' \
        -n 'docker-enter, binary on a read-only mount' '$ro $name true' \
        -n 'docker exec' 'docker exec $name true' \
        -n 'docker-enter, BASE build' '$base_de $name true'" >/dev/null

hyperfine -N --warmup 5 --runs "$runs" --export-json "$ctx/alternate.json" \
    --prepare "docker exec $name true" -n docker-enter "$de $name true" \
    --prepare "$de $name true" -n 'docker exec' "docker exec $name true" >/dev/null

# The seed's way needs a shell for its command substitution.
seed="nsenter --target \$(docker inspect -f '{{.State.Pid}}' $name) --mount --uts --ipc --net --pid true"
hyperfine --warmup 10 --runs "$runs" --export-json "$ctx/seed.json" \
    -n "seed (docker inspect + nsenter)" "$seed" >/dev/null

# Phases of docker-enter, medians over the same number of runs.
phases="$ctx/phases"
i=0
while [ "$i" -lt "$runs" ]; do
    DOCKER_ENTER_TIMING=1 "$de" "$name" true 2>>"$phases"
    i=$((i + 1))
done

# The relay: out of the container and into it, every way side by side.
out="dd if=/dev/zero bs=1M count=$relay_mib 2>/dev/null"
in="dd of=/dev/null bs=1M 2>/dev/null"
feed="dd if=/dev/zero bs=1M count=$relay_mib status=none"
drain="dd of=/dev/null bs=1M status=none"
hyperfine --warmup 1 --runs "$relay_runs" --export-json "$ctx/relay.json" \
    -n 'out: docker exec' "docker exec $name $out | $drain" \
    -n 'out: docker-enter' "$de $name $out | $drain" \
    -n 'out: docker-enter, BASE build' "$base_de $name $out | $drain" \
    -n 'in: docker exec' "$feed | docker exec -i $name $in" \
    -n 'in: docker-enter' "$feed | $de $name $in" \
    -n 'in: docker-enter, BASE build' "$feed | $base_de $name $in" >/dev/null

python3 - "$json" "$ctx/seed.json" "$ctx/alternate.json" "$phases" "$ctx/relay.json" "$relay_mib" <<'PY'
import json, statistics, sys

def medians(path):
    return {r["command"]: statistics.median(r["times"]) * 1000
            for r in json.load(open(path))["results"]}

side = medians(sys.argv[1])
side.update(medians(sys.argv[2]))
exec_ms = side["docker exec"]
print("side by side, one hyperfine run (seed: a run of its own, through a shell)")
print(f"{'command':44} {'median ms':>10} {'x docker exec':>14}")
for name, ms in side.items():
    print(f"{name:44} {ms:10.2f} {ms / exec_ms:14.3f}")
de = side["docker-enter"]
print(f"\ntaking the container's capabilities and seccomp filters: "
      f"{de - side['docker-enter --privileged']:+.2f} ms (docker-enter against --privileged)")
print(f"running from a read-only mount of the binary: "
      f"{de - side['docker-enter, binary on a read-only mount']:+.2f} ms "
      f"(against a binary already on one)")

alt = medians(sys.argv[3])
print("\nalternately, each run right after one of the other")
for name, ms in alt.items():
    print(f"{name:44} {ms:10.2f} {ms / alt['docker exec']:14.3f}")

phases = {}
for line in open(sys.argv[4]):
    # "docker-enter: timing: <phase> <ms> ms"
    words = line.split()
    if len(words) >= 5 and words[1] == "timing:":
        phases.setdefault(" ".join(words[2:-2]), []).append(float(words[-2]))
print("\ndocker-enter phases (DOCKER_ENTER_TIMING=1), medians:")
for phase, times in phases.items():
    print(f"  {phase:34} {statistics.median(times):8.3f} ms")

ratio = de / exec_ms
alt_ratio = alt["docker-enter"] / alt["docker exec"]
print(f"\ndocker-enter / docker exec = {ratio:.3f} side by side, {alt_ratio:.3f} alternately"
      f" (target <= 0.1): {'PASS' if max(ratio, alt_ratio) <= 0.1 else 'FAIL'}")
delta = de - side["docker-enter, BASE build"]
print(f"docker-enter - BASE build = {delta:+.3f} ms side by side"
      f" (target <= +0.2): {'PASS' if delta <= 0.2 else 'FAIL'}")

mb = int(sys.argv[6]) * 1048576 / 1e6
relay = medians(sys.argv[5])
print(f"\nthe relay, {sys.argv[6]} MiB each way, one hyperfine run (medians)")
print(f"{'command':44} {'median s':>10} {'MB/s':>8} {'x docker exec':>14}")
speed = {}
for name, ms in relay.items():
    speed[name] = mb / (ms / 1000)
    way = name.split(":")[0]
    print(f"{name:44} {ms / 1000:10.2f} {speed[name]:8.0f} "
          f"{speed[name] / speed[way + ': docker exec']:14.2f}")
for way, goal in (("out", 2.5), ("in", 1.5)):
    x = speed[f"{way}: docker-enter"] / speed[f"{way}: docker exec"]
    print(f"{way}: docker-enter / docker exec = {x:.2f} (target >= {goal}):"
          f" {'PASS' if x >= goal else 'FAIL'}")
PY

python3 - "$de" "$base_de" "$name" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
new, base, name, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
null = open(os.devnull, "w")
taken = {new: ([], []), base: ([], [])}
for i in range(runs):
    for binary in (new, base) if i % 2 == 0 else (base, new):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([binary, name, "true"], stdin=subprocess.DEVNULL, stdout=null, stderr=null)
        wall = (time.perf_counter() - start) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
        taken[binary][0].append(wall)
        taken[binary][1].append(cpu)
print(f"\nrun by run in turn with the BASE build, {runs} runs each (medians)")
print(f"{'command':44} {'wall ms':>10} {'CPU ms':>10}")
for label, binary in (("docker-enter", new), ("docker-enter, BASE build", base)):
    wall, cpu = taken[binary]
    print(f"{label:44} {statistics.median(wall):10.3f} {statistics.median(cpu):10.3f}")
delta = [statistics.median(taken[new][k]) - statistics.median(taken[base][k]) for k in (0, 1)]
for what, d in zip(("wall", "CPU"), delta):
    print(f"docker-enter - BASE build = {d:+.3f} ms {what} (target <= +0.2):"
          f" {'PASS' if d <= 0.2 else 'FAIL'}")
PY

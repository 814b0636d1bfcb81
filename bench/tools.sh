#!/bin/sh
# Benchmark: `docker-enter --tools=DIR C true` against `docker-enter C true`,
# side by side on one container (a busybox image, so `true` exists without
# tools), with DIR a directory of Debian's static busybox and its applet
# links. Also shown, not judged: a whole toolbox root from a local image
# (`--tools=IMAGE`, its layers mounted as an overlay).
#
# In short hyperfine rounds of all three commands: hyperfine runs each
# command's runs in a row, so on a shared machine a change of load between
# commands would pass for a difference between them; the ratio of each
# round is taken, and the median of those is judged (the medians of all
# runs are shown too).
#
# With BASE_BIN set to another build's docker-enter (say, main's), its
# `C true` and `--tools=DIR C true` run in the same rounds, and this
# build's cost of the tools is judged against that build's too.
#
# Needs root, a Docker daemon, hyperfine, busybox-static, and the release
# build:
#   cargo build --release && [BASE_BIN=/path/to/docker-enter] bench/tools.sh [ROUNDS] [RUNS_PER_ROUND]
set -eu

rounds=${1:-10}
runs=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
de="$here/target/release/docker-enter"
[ -x "$de" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

image=nsenter-can-bench/busybox
ctx=$(mktemp -d)
name=nsc-bench-tools-$$
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$ctx"; }
trap cleanup EXIT INT TERM
busybox=$(command -v busybox)
cp "$busybox" "$ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$ctx/Dockerfile"
docker build -q -t "$image" "$ctx" >/dev/null 2>"$ctx/build.log" || { cat "$ctx/build.log" >&2; exit 1; }
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null

# The toolbox: busybox and a relative link per applet.
tools=$ctx/toolbox
mkdir "$tools"
cp "$busybox" "$tools/busybox"
for applet in $("$tools/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$tools/$applet"
done

base=${BASE_BIN:-}
[ -z "$base" ] || [ -x "$base" ] || { echo "BASE_BIN=$base is not an executable" >&2; exit 1; }
round=1
while [ "$round" -le "$rounds" ]; do
    set -- -n 'docker-enter C true' "$de $name true" \
        -n 'docker-enter --tools=DIR C true' "$de --tools=$tools $name true" \
        -n 'docker-enter --tools=IMAGE C true' "$de --tools=$image $name true"
    if [ -n "$base" ]; then
        set -- "$@" -n 'BASE C true' "$base $name true" \
            -n 'BASE --tools=DIR C true' "$base --tools=$tools $name true"
    fi
    hyperfine -N --warmup 5 --runs "$runs" --export-json "$ctx/round-$round.json" "$@" >/dev/null 2>&1
    round=$((round + 1))
done

python3 - "$ctx"/round-*.json <<'PY'
import json, statistics, sys
base_name = "docker-enter C true"
times, ratios, rounds = {}, {}, []
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    med = {r["command"]: statistics.median(r["times"]) for r in results}
    rounds.append(med)
    for r in results:
        times.setdefault(r["command"], []).extend(r["times"])
        ratios.setdefault(r["command"], []).append(med[r["command"]] / med[base_name])
print(f"{len(sys.argv) - 1} rounds")
print(f"{'command':36} {'median ms':>10} {'x without (median of rounds)':>29}")
for name, all_times in times.items():
    ms = statistics.median(all_times) * 1000
    print(f"{name:36} {ms:10.2f} {statistics.median(ratios[name]):29.3f}")
ratio = statistics.median(ratios["docker-enter --tools=DIR C true"])
print()
print(f"--tools=DIR / without = {ratio:.3f} (target <= 1.5): {'PASS' if ratio <= 1.5 else 'FAIL'}")
if "BASE --tools=DIR C true" in ratios:
    def against_base(ours, theirs):
        return statistics.median(m[ours] / m[theirs] for m in rounds)
    tools = against_base("docker-enter --tools=DIR C true", "BASE --tools=DIR C true")
    plain = against_base("docker-enter C true", "BASE C true")
    print(f"this build / BASE (median of rounds): --tools=DIR {tools:.3f}, without tools {plain:.3f}")
PY

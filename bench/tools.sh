#!/bin/sh
# Benchmark: `docker-enter --tools=DIR C true` against `docker-enter C true`,
# side by side in one hyperfine run on one container (a busybox image, so
# `true` exists without tools), with DIR a directory of Debian's static
# busybox and its applet links. Also shown, not judged: a whole toolbox
# root from a local image (`--tools=IMAGE`, its layers mounted as an
# overlay).
#
# Needs root, a Docker daemon, hyperfine, busybox-static, and the release
# build:
#   cargo build --release && bench/tools.sh [RUNS]
set -eu

runs=${1:-200}
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

json=$ctx/times.json
hyperfine -N --warmup 10 --runs "$runs" --export-json "$json" \
    -n 'docker-enter C true' "$de $name true" \
    -n 'docker-enter --tools=DIR C true' "$de --tools=$tools $name true" \
    -n 'docker-enter --tools=IMAGE C true' "$de --tools=$image $name true" >/dev/null

python3 - "$json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: statistics.median(r["times"]) * 1000 for r in results}
base = med["docker-enter C true"]
print(f"{'command':36} {'median ms':>10} {'x without':>10}")
for name, ms in med.items():
    print(f"{name:36} {ms:10.2f} {ms / base:10.3f}")
ratio = med["docker-enter --tools=DIR C true"] / base
print()
print(f"--tools=DIR / without = {ratio:.3f} (target <= 1.5): {'PASS' if ratio <= 1.5 else 'FAIL'}")
PY

#!/usr/bin/env bash
# Bounded work on big input, measured side by side in one run:
# - docker-enter with env files of 5,000, 50,000 and 500,000 lines (50,000
#   distinct variables at most, the rest override them), against docker
#   exec and against the build before the bounded readers (BASE);
# - docker-enter -u LAST with a container passwd of 1, 10 and 40 MB (LAST is
#   its last line), against docker exec and BASE, with peak memory;
# - the normal path, `docker-enter C true`, against BASE: it must not change.
# Medians and ratios from hyperfine; peak memory from GNU time.
#
# Needs root, a Docker daemon, hyperfine, python3, GNU time (/usr/bin/time).
#   bench/bounded.sh                 BASE=<git rev> (default main) RUNS=<n> (default 200)
. "$(dirname "$0")/busybox-image.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
RUNS=${RUNS:-200}
BASE=${BASE:-main}
for tool in hyperfine python3 /usr/bin/time docker; do
    command -v "$tool" >/dev/null || { echo "bench/bounded.sh: $tool is not installed" >&2; exit 1; }
done

echo "building docker-enter (this tree and $BASE)..." >&2
cargo build -q --release --bin docker-enter
new=$here/target/release/docker-enter
base_sha=$(git rev-parse "$BASE")
if git merge-base --is-ancestor HEAD "$base_sha"; then
    echo "bench/bounded.sh: $BASE already holds this tree; give BASE=<the revision before it>" >&2
    exit 1
fi
old=$here/target/bench-base/$base_sha/docker-enter
if [ ! -x "$old" ]; then
    src=$(mktemp -d)
    git archive "$base_sha" | tar -x -C "$src"
    CARGO_TARGET_DIR=$here/target/bench-base/build cargo build -q --release \
        --manifest-path "$src/Cargo.toml" --bin docker-enter
    mkdir -p "$(dirname "$old")"
    cp "$here/target/bench-base/build/release/docker-enter" "$old"
    rm -rf "$src"
fi

work=$(mktemp -d)
name=nsc-bench-bounded-$$
image=nsenter-can-bench/busybox
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
busybox_image "$image" "$work/ctx"
docker run -d --name "$name" "$image" sleep 1000000 >/dev/null
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$work/passwd.small"
printf 'root:x:0:\n' >"$work/group"
docker cp "$work/passwd.small" "$name:/etc/passwd"
docker cp "$work/group" "$name:/etc/group"

# One hyperfine group: NAME RUNS then label/command pairs.
results=$work/results.jsonl
bench() {
    local group=$1 runs=$2
    shift 2
    local args=()
    while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
    hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$work/h.json" "${args[@]}" >/dev/null
    python3 - "$group" "$work/h.json" >>"$results" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[2]))["results"]:
    print(json.dumps({"group": sys.argv[1], "name": r["command"],
                      "ms": statistics.median(r["times"]) * 1000}))
PY
}
# Peak resident memory of one run, in MB.
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }
memory=$work/memory.txt

echo "env files..." >&2
for n in 5000 50000 500000; do
    f=$work/env-$n
    awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "VAR_%d=value%d\n", i % 50000, i }' >"$f"
    if [ "$n" -le 50000 ]; then
        # The old build is quadratic (9 s at 50,000 lines): three runs do.
        bench "env file, $n lines" 3 \
            "docker-enter" "$new --env-file $f $name true" \
            "docker-enter $BASE" "$old --env-file $f $name true" \
            "docker exec" "docker exec --env-file $f $name true"
    else
        # docker exec refuses it (its API message limit is 4 MiB); the old
        # build would take minutes.
        bench "env file, $n lines" 5 "docker-enter" "$new --env-file $f $name true"
    fi
    echo "env file, $n lines: docker-enter $(peak "$new" --env-file "$f" "$name" true) MB" >>"$memory"
done

echo "passwd files..." >&2
for mb in 1 10 40; do
    f=$work/passwd-$mb
    awk -v bytes=$((mb * 1000000)) 'BEGIN {
        print "root:x:0:0:root:/root:/bin/sh"
        for (i = 0; size < bytes; i++) {
            line = sprintf("user%07d:x:%d:%d:User %d:/home/user%07d:/bin/sh", i, 10000 + i, 10000 + i, i, i)
            print line; size += length(line) + 1
        }
        print "last:x:9999:9999::/home/last:/bin/sh"
    }' >"$f"
    docker cp "$f" "$name:/etc/passwd"
    bench "passwd $mb MB, -u last" 5 \
        "docker-enter" "$new -u last $name true" \
        "docker-enter $BASE" "$old -u last $name true" \
        "docker exec" "docker exec -u last $name true"
    echo "passwd $mb MB: docker-enter $(peak "$new" -u last "$name" true) MB," \
        "docker-enter $BASE $(peak "$old" -u last "$name" true) MB" >>"$memory"
done
docker cp "$work/passwd.small" "$name:/etc/passwd"

echo "normal path..." >&2
bench "normal path: C true" "$RUNS" \
    "docker-enter" "$new $name true" \
    "docker-enter $BASE" "$old $name true"

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault(r["group"], []).append(r)
print(f"{'case':30} {'command':28} {'median ms':>10} {'x first':>8}")
for group, rs in groups.items():
    first = rs[0]["ms"]
    for r in rs:
        print(f"{group:30} {r['name']:28} {r['ms']:10.1f} {r['ms'] / first:8.2f}")
PY
echo
echo "peak memory (GNU time, maximum resident set):"
sed 's/^/  /' "$memory"

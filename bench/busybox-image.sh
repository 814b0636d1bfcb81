# Sourced by the benchmarks: the offline FROM scratch busybox image the
# tests build too (tests/common/busybox_image.rs), so no image is pulled.

# busybox_image IMAGE DIR: build IMAGE from this machine's busybox, in DIR
# (made if missing); on failure, docker's output and exit 1.
busybox_image() {
    local image=$1 dir=$2
    mkdir -p "$dir"
    cp "$(command -v busybox)" "$dir/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$dir/Dockerfile"
    docker build -q -t "$image" "$dir" >/dev/null 2>"$dir/build.log" || { cat "$dir/build.log" >&2; exit 1; }
}

# arch/guest/test.sh: the tests run inside the VM of one architecture, on
# that architecture's Debian kernel (arch/test boots it). Each test prints
# one line, "PASS name" or "FAIL name" with the two sides below it;
# arch/test counts them. Busybox sh.
#
# Laid out by arch/test: our tools in /ours, util-linux's nsenter and
# unshare (Debian's, this architecture's) in /oracle, containerd, ctr and
# runc (Debian's) where their packages put them, /etc/arch-test.env with
# ARCH and CLONE3_PATH (which way docker-enter's program must be born:
# "trampoline" in the container's cgroup, or "fallback" and moved).

. /etc/arch-test.env
# util-linux names itself by argv[0] in getopt's messages: its
# "/oracle/nsenter:" is read as "nsenter:" (a PATH search cannot give it
# that name here: busybox's own sh and env run their nsenter applet).
# Both are run the same way (the shell running them reports a death by
# signal alike).
as_nsenter() {
    _bin=$1
    shift
    "$_bin" "$@" 2>/tmp/nsenter.err
    _rc=$?
    sed "s|^$_bin:|nsenter:|" /tmp/nsenter.err >&2
    return $_rc
}

pass() { echo "PASS $1"; }
fail() {
    echo "FAIL $1"
    shift
    for line in "$@"; do printf '    %s\n' "$line"; done
}

# Run "$@" and keep its stdout, stderr and status in out, err and rc.
capture() {
    out=$("$@" 2>/tmp/stderr </dev/null)
    rc=$?
    err=$(cat /tmp/stderr)
}

# side NAME ARGS...: our nsenter and util-linux's with the same ARGS give
# the same stdout, stderr and exit status, and say something (a case
# that prints nothing and exits 0 proves nothing).
side() {
    name=$1
    shift
    capture as_nsenter /ours/nsenter "$@"
    ours="$rc|$out|$err"
    capture as_nsenter /oracle/nsenter "$@"
    theirs="$rc|$out|$err"
    if [ "$ours" != "$theirs" ]; then
        fail "nsenter $name" "ours:       $ours" "util-linux: $theirs"
    elif [ "$rc" = 0 ] && [ -z "$out$err" ]; then
        fail "nsenter $name" "both printed nothing"
    else
        pass "nsenter $name (status $rc: $(echo "$out$err" | tr '\n' ' ' | cut -c1-60))"
    fi
}

# The PID of the first child of PID $1 once it runs $2 (unshare --fork's
# child, after its exec).
child_running() {
    for _ in $(seq 100); do
        kid=$(cat "/proc/$1/task/$1/children" 2>/dev/null | cut -d' ' -f1)
        if [ -n "$kid" ] && [ "$(cat "/proc/$kid/comm" 2>/dev/null)" = "$2" ]; then
            echo "$kid"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# contract NAME STATUS STDERR ARGS...: where 2.38 and 2.42 differ (see
# nsenter-behaviour.md), ours must do what 2.42 does: exit STATUS, say
# STDERR, print nothing; util-linux 2.38 must differ (else the case
# belongs with side).
contract() {
    name=$1 want_rc=$2 want_err=$3
    shift 3
    capture as_nsenter /oracle/nsenter "$@"
    theirs="$rc|$out|$err"
    capture as_nsenter /ours/nsenter "$@"
    if [ "$rc|$out|$err" = "$want_rc||$want_err" ] && [ "$theirs" != "$rc|$out|$err" ]; then
        pass "nsenter $name, as 2.42 (2.38: $(echo "$theirs" | tr '\n' ' ' | cut -c1-50))"
    else
        fail "nsenter $name, as 2.42" "ours: $rc|$out|$err" "want: $want_rc||$want_err" "2.38: $theirs"
    fi
}

echo "== nsenter beside util-linux $(/oracle/nsenter --version | sed 's/.* //')"
# A target in new mount, UTS, IPC, net, PID and cgroup namespaces, inside a
# cgroup of its own, with its own hostname, a file only its mount namespace
# has, and /mnt as its directory.
mkdir -p /sys/fs/cgroup/nstarget
sh -c 'echo $$ > /sys/fs/cgroup/nstarget/cgroup.procs
    exec /oracle/unshare -m -u -i -n -p -f --mount-proc -C sh -c "
        hostname inner; mount -t tmpfs t /mnt; echo secret > /mnt/file
        cd /mnt; exec sleep 100000"' &
T=$(child_running $! sleep) || fail "nsenter target" "the unshare'd target did not start"
# A target in a user namespace of its own (root inside is root outside).
/oracle/unshare -U -r -m sleep 100000 &
TU=$!
sleep 0.5

side "-a: every namespace" -t "$T" -a sh -c 'for n in mnt uts ipc net pid cgroup user; do readlink /proc/self/ns/$n; done'
side "-u: hostname" -t "$T" -u hostname
side "-m: the target's files" -t "$T" -m cat /mnt/file
side "-n: the target's network" -t "$T" -n cat /proc/net/dev
side "-p -m: its PID 1" -t "$T" -p -m cat /proc/1/comm
side "-i: IPC namespace" -t "$T" -i readlink /proc/self/ns/ipc
side "-C: cgroup seen from inside" -t "$T" -C cat /proc/self/cgroup
side "-m -r -w: root and directory" -t "$T" -m -r -w sh -c 'pwd; cat file'
side "-W: directory inside" -t "$T" -m -W /mnt cat file
side "-S -G: credentials" -t "$T" -m -S 1000 -G 1000 id
side "-U: user namespace" -t "$TU" -U sh -c 'id -u; id -g; cat /proc/self/uid_map'
side "--preserve-credentials" -t "$TU" -U --preserve-credentials sh -c 'id -u; cat /proc/self/status | grep ^CapEff'
side "-a into a user namespace" -t "$TU" -a sh -c 'id; readlink /proc/self/ns/user'
side "-p -F: no fork" -t "$T" -p -F readlink /proc/self/ns/pid
side "exit status passed on" -t "$T" -a sh -c 'exit 7'
side "death by signal passed on" -t "$T" -a sh -c 'kill -TERM $$'
side "--net=FILE" --net="/proc/$T/ns/net" cat /proc/net/dev
side "no target PID" -m true
side "unknown option" --bogus
contract "-t twice" 1 "nsenter: --target specified more than once" -t "$T" -t "$T" -m true
side "--mount=FILE before entering" --mount="/proc/$T/ns/mnt" -t "$T" -u sh -c 'hostname; cat /mnt/file'
contract "-r -w and no namespace" 1 "nsenter: no namespace specified" -t "$T" -r -w pwd
contract "no such target (pidfd)" 1 "nsenter: cannot open process 999999: No such process" -t 999999 -m true

echo "== docker-enter beside ctr task exec (containerd $(containerd --version | cut -d' ' -f3), runc $(runc --version | head -1 | cut -d' ' -f3))"
mkdir -p /etc/containerd /var/lib/containerd /run/containerd
cat > /etc/containerd/config.toml <<'TOML'
version = 2
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
TOML
containerd >/tmp/containerd.log 2>&1 &
for _ in $(seq 300); do ctr version >/dev/null 2>&1 && break; sleep 0.2; done
# The container's root: this architecture's busybox-static and a passwd.
rootfs=/ctr/rootfs
mkdir -p $rootfs/bin $rootfs/etc $rootfs/proc $rootfs/sys $rootfs/dev $rootfs/tmp $rootfs/work
cp /bin/busybox $rootfs/bin/busybox
for applet in $(busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/work:/bin/sh\n' > $rootfs/etc/passwd
printf 'root:x:0:\napp:x:1000:\n' > $rootfs/etc/group
# containerd's default seccomp profile, which lets unshare through only with
# CAP_SYS_ADMIN (the container lacks it).
capture ctr run -d --rootfs --seccomp --cwd /work --env FOO=bar --env PATH=/bin $rootfs web sleep 100000
[ "$rc" = 0 ] || fail "ctr run" "$err" "$(tail -5 /tmp/containerd.log)"
for _ in $(seq 100); do
    C=$(cat /run/containerd/io.containerd.runtime.v2.task/default/web/init.pid 2>/dev/null) && [ -n "$C" ] && break
    sleep 0.2
done
probe='id; echo "cwd $(pwd)"; env | sort | sed "s/^/env /"
    for n in mnt uts ipc net pid cgroup user; do echo "ns $n $(readlink /proc/self/ns/$n)"; done
    sed "s/^/cgroup /" /proc/self/cgroup
    grep -E "^(Cap|Seccomp|NoNewPrivs)" /proc/self/status'
capture ctr task exec --exec-id probe web sh -c "$probe"
ctr_out=$out
ctr_rc=$rc
capture /ours/docker-enter containerd:default/web sh -c "$probe"
de_out=$out
de_rc=$rc
[ "$ctr_rc" = 0 ] && [ "$de_rc" = 0 ] ||
    fail "docker-enter runs the probe" "ctr: $ctr_rc $ctr_out" "docker-enter: $de_rc $out $err"
# field NAME PATTERN: the probe's lines that match PATTERN are the same.
field() {
    a=$(echo "$ctr_out" | grep -E "$2")
    b=$(echo "$de_out" | grep -E "$2")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        pass "docker-enter $1 as ctr task exec ($(echo "$a" | tr '\n' ' ' | cut -c1-60))"
    else
        fail "docker-enter $1 as ctr task exec" "ctr:          $(echo "$a" | tr '\n' ' ')" "docker-enter: $(echo "$b" | tr '\n' ' ')"
    fi
}
field user '^uid='
field env '^env '
field directory '^cwd '
field namespaces '^ns '
field cgroup '^cgroup '
field capabilities '^Cap'
field "seccomp mode" '^(Seccomp|NoNewPrivs)'
# The container runs a filter: seccomp mode 2 on both sides.
case $(echo "$de_out" | grep '^Seccomp:') in
    *2) pass "docker-enter under the container's filter (Seccomp: 2)" ;;
    *) fail "docker-enter under the container's filter" "$(echo "$de_out" | grep '^Seccomp')" ;;
esac

# A syscall the profile denies: unshare(CLONE_NEWUSER). The control: the
# same in the container's namespaces without its filter (nsenter -a, as
# root) succeeds, so the denial is the filter's.
capture /ours/nsenter -t "$C" -a unshare -U true
if [ "$rc" = 0 ]; then
    pass "control: unshare -U works in the container's namespaces without its filter"
else
    fail "control: unshare -U in the container's namespaces" "$rc $err"
fi
capture ctr task exec --exec-id denied web unshare -U true
ctr_denied="$rc $err"
capture /ours/docker-enter containerd:default/web unshare -U true
if [ "$rc" != 0 ] && [ "$ctr_denied" != "0 " ] && echo "$err" | grep -q 'Operation not permitted'; then
    pass "docker-enter: unshare is denied, as by ctr task exec ($err)"
else
    fail "docker-enter: unshare is denied" "ctr: $ctr_denied" "docker-enter: $rc $err"
fi

# The filter, call by call: arch/guest/probe.c under ctr task exec and
# under docker-enter prints the same errno for each call, for each ABI
# the kernel runs here (the profile has a part for each); without the
# filter (nsenter -a, the control) it prints otherwise.
for probe in /probes/*; do
    abi=${probe##*/}
    cp "$probe" "$rootfs/bin/probe-$abi"
    capture ctr task exec --exec-id "probe-$abi" web "/bin/probe-$abi"
    ctr_probe="$rc $out"
    capture /ours/docker-enter containerd:default/web "/bin/probe-$abi"
    de_probe="$rc $out"
    capture /ours/nsenter -t "$C" -a "/bin/probe-$abi"
    free_probe="$rc $out"
    if [ "$de_probe" = "$ctr_probe" ] && [ "$free_probe" != "$ctr_probe" ] &&
        echo "$de_probe" | grep -q '^getpid 0$'; then
        pass "seccomp: each call's errno as under ctr task exec, $abi ABI ($(echo "$de_probe" | grep -c ' 1$') denied with EPERM, $(echo "$de_probe" | wc -l) calls)"
    else
        fail "seccomp: each call's errno as under ctr task exec, $abi ABI" \
            "ctr:          $(echo "$ctr_probe" | tr '\n' ' ')" \
            "docker-enter: $(echo "$de_probe" | tr '\n' ' ')" \
            "no filter:    $(echo "$free_probe" | tr '\n' ' ')"
    fi
done

# The filter itself, as the kernel holds it, byte for byte: a process
# that ctr task exec started and one that docker-enter started. runc
# orders the arch checks of its ENOSYS stub by Go map iteration, which is
# random for each exec (docs/security.md, rule 10): ours is one of those
# orders, so ctr task exec is asked again until one of its execs shows it
# (two orders for a profile of two ABIs, a few more for three), at most
# 16 times; the libseccomp part never varies.
pid_running() {
    for _ in $(seq 30); do
        for p in /proc/[0-9]*; do
            [ "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" = "$1 " ] && { echo "${p#/proc/}"; return 0; }
        done
        sleep 0.1
    done
    return 1
}
/ours/docker-enter containerd:default/web sleep 100002 >/dev/null 2>&1 &
held_de=$(pid_running "sleep 100002")
capture "/probes/$ARCH" filters "${held_de:-0}"
de_filters=$out de_err=$err
ctr_seen= tries=0
for i in $(seq 16); do
    tries=$i
    held_ctr=
    ctr task exec -d --exec-id "held$i" web sleep "2000$i" >/dev/null 2>&1 &&
        held_ctr=$(pid_running "sleep 2000$i")
    capture "/probes/$ARCH" filters "${held_ctr:-0}"
    [ -z "$held_ctr" ] || kill "$held_ctr" 2>/dev/null
    ctr_seen="$ctr_seen $out;"
    [ -n "$out" ] && [ "$out" = "$de_filters" ] && break
done
if [ -n "$de_filters" ] && [ "$ctr_seen" != "${ctr_seen%"$de_filters;"}" ]; then
    pass "seccomp: the kernel holds the same filter as for ctr task exec ($de_filters; exec $tries of ctr's)"
else
    fail "seccomp: the same filter as for one of 16 ctr task execs" "ctr:         $ctr_seen" "docker-enter: $de_filters $de_err"
fi
kill "$held_de" 2>/dev/null

# Which way the program was born: clone3 into the container's cgroup (the
# trampoline), or plainly and then moved (the fallback).
if strace -V >/dev/null 2>&1; then
    strace -f -qq -o /tmp/clone.trace -e trace=clone,clone3 \
        /ours/docker-enter containerd:default/web true >/dev/null 2>&1
    if grep -q 'clone3(.*CLONE_INTO_CGROUP.*= [1-9]' /tmp/clone.trace; then
        path=trampoline
    elif grep -q 'clone(.*CLONE_VFORK' /tmp/clone.trace; then
        path=fallback
    else
        path=unknown
    fi
    if [ "$path" = "$CLONE3_PATH" ]; then
        pass "docker-enter's program born by the $path path (clone3 trace)"
    else
        fail "docker-enter's program born by the $CLONE3_PATH path" "seen: $path" "$(cat /tmp/clone.trace)"
    fi
else
    fail "strace runs" "$(strace -V 2>&1)"
fi

echo "== importenv"
printf 'A=1\0PATH=/bin:/usr/bin\0B=two words\0' > /tmp/environ
capture /ours/importenv /tmp/environ env
if [ "$rc" = 0 ] && [ "$out" = "$(printf 'A=1\nPATH=/bin:/usr/bin\nB=two words')" ]; then
    pass "importenv: exactly the file's environment"
else
    fail "importenv: exactly the file's environment" "$rc $out $err"
fi
# By its path: the container's PATH names its own directories.
capture /ours/importenv "/proc/$C/environ" /usr/bin/env
want=$(tr '\0' '\n' < "/proc/$C/environ")
if [ "$rc" = 0 ] && [ "$out" = "$want" ]; then
    pass "importenv: the container's environment from /proc/PID/environ"
else
    fail "importenv: the container's environment" "want: $want" "got: $rc $out $err"
fi
capture /ours/importenv /tmp/environ no-such-program
if [ "$rc" = 127 ]; then pass "importenv: 127 for a program not found"; else fail "importenv: 127" "$rc $err"; fi

echo "== the can's toolbox"
# The busybox the can's --tools brings on this architecture (for ppc64le
# built from Debian's source with musl, can/busybox-build), run here on
# its own kernel: a pipeline of applets, floating point through printf
# (musl's long double differs from glibc's on ppc64le), ps through /proc.
tb=/toolbox/busybox
capture $tb sh -c 'echo one two | awk "{ print \$2 }" | sed s/two/three/ | grep -c "^thr[e]e$"'
if [ "$rc" = 0 ] && [ "$out" = 1 ]; then
    pass "toolbox: sh, awk, sed and grep in a pipeline"
else
    fail "toolbox: sh, awk, sed and grep in a pipeline" "$rc $out $err"
fi
capture $tb sh -c 'printf "%.3f " 2.5; awk "BEGIN { printf \"%.3f\", 2 / 3 }"'
if [ "$rc" = 0 ] && [ "$out" = "2.500 0.667" ]; then
    pass "toolbox: printf and awk print floating point ($out)"
else
    fail "toolbox: floating point" "want: 2.500 0.667" "got: $rc $out $err"
fi
capture $tb ps -o pid,comm
if [ "$rc" = 0 ] && echo "$out" | grep -q '^ *1 '; then
    pass "toolbox: ps lists PID 1 ($(echo "$out" | wc -l) lines)"
else
    fail "toolbox: ps lists PID 1" "$rc $out $err"
fi

echo "== the can's entry point"
can=/canroot
mkdir -p $can/target $can/proc $can/dev
cp /ours/can-entry $can/can
cp /ours/nsenter /ours/docker-enter /ours/importenv $can/
mount -t tmpfs target $can/target
mount -t proc proc $can/proc
mount --bind /dev $can/dev
capture chroot $can /can
if [ "$rc" = 0 ] && cmp -s $can/target/nsenter /ours/nsenter && cmp -s $can/target/docker-enter /ours/docker-enter &&
    "$can/target/nsenter" --version >/dev/null; then
    pass "can: installs the tools into /target ($(echo "$out" | head -1))"
else
    fail "can: installs into /target" "$rc $out $err" "$(ls -l $can/target)"
fi
chroot $can /can cat /nsenter > /tmp/nsenter.cat
if cmp -s /tmp/nsenter.cat /ours/nsenter; then
    chmod +x /tmp/nsenter.cat
    capture /tmp/nsenter.cat -t "$T" -u hostname
    if [ "$out" = inner ]; then
        pass "can: cat /nsenter gives the tool, which works alone"
    else
        fail "can: cat /nsenter works alone" "$rc $out $err"
    fi
else
    fail "can: cat /nsenter is the tool" "$(ls -l /tmp/nsenter.cat)"
fi

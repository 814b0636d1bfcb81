# arch/debian.sh: taking what a build or a test needs from Debian without
# harming this machine. Sourced by arch/build and arch/test (POSIX sh).
#
# A foreign package is installed only when it is Multi-Arch: same, so it
# sits beside the host's own and replaces no program of this machine (a
# package such as busybox-static:arm64 would replace /bin/busybox with a
# program this machine cannot run). Anything else foreign is downloaded
# and extracted (dpkg-deb -x) into a directory of our own.
#
#   debian_add_arch DEB          dpkg --add-architecture, then apt-get update
#   debian_install PKG...        apt-get install, after a dry run shows that
#                                nothing is removed and every foreign package
#                                is Multi-Arch: same
#   debian_fetch DIR PKG...      apt-get download PKG into the cache DIR
#                                (kept: a second run downloads nothing)
#   debian_deb PKG DIR           the cached package file of PKG in DIR

debian_fail() {
    echo "${0##*/}: $*" >&2
    exit 1
}

debian_apt() {
    # NEEDRESTART_SUSPEND: no service (dockerd) is restarted under anyone.
    NEEDRESTART_SUSPEND=1 DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

debian_add_arch() {
    _native=$(dpkg --print-architecture)
    [ "$1" = "$_native" ] && return 0
    if ! dpkg --print-foreign-architectures | grep -qx "$1"; then
        echo "${0##*/}: dpkg --add-architecture $1" >&2
        dpkg --add-architecture "$1"
        debian_apt update -qq >&2 || debian_fail "apt-get update failed after adding $1"
    elif ! apt-cache show "libc6:$1" >/dev/null 2>&1; then
        debian_apt update -qq >&2 || debian_fail "apt-get update failed"
    fi
}

# Installed means "install ok installed" for that exact name[:arch].
debian_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

debian_install() {
    _missing=
    for _p in "$@"; do
        debian_installed "$_p" || _missing="$_missing $_p"
    done
    [ -n "$_missing" ] || return 0
    # shellcheck disable=SC2086
    _plan=$(debian_apt install -s -y $_missing 2>&1) ||
        { apt-cache policy $_missing >/dev/null 2>&1; debian_apt update -qq >&2
          _plan=$(debian_apt install -s -y $_missing 2>&1) ||
              debian_fail "apt-get cannot install$_missing: $(echo "$_plan" | tail -3)"; }
    if echo "$_plan" | grep -q '^Remv '; then
        debian_fail "installing$_missing would remove: $(echo "$_plan" | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ')(refused)"
    fi
    _native=$(dpkg --print-architecture)
    for _p in $(echo "$_plan" | sed -n 's/^Inst \([^ ]*:[^ ]*\) .*/\1/p'); do
        case $_p in *":$_native" | *":all") continue ;; esac
        _ma=$(apt-cache show "$_p" 2>/dev/null | sed -n 's/^Multi-Arch: //p' | head -1)
        [ "$_ma" = same ] ||
            debian_fail "installing$_missing would install $_p (Multi-Arch: ${_ma:-none}), which may replace a program of this machine (refused)"
    done
    echo "${0##*/}: apt-get install$_missing" >&2
    # shellcheck disable=SC2086
    debian_apt install -y -qq --no-install-recommends $_missing >&2 ||
        debian_fail "apt-get install$_missing failed"
}

# The file apt-get download makes for PKG[:ARCH] at its candidate
# version: NAME_VERSION_ARCH.deb, the epoch's colon written %3a.
debian_deb_name() {
    _name=${1%%:*}
    _arch=${1#*:}
    [ "$_arch" = "$1" ] && _arch=$(dpkg --print-architecture)
    _ver=
    [ -n "${debian_versions:-}" ] && _ver=$(sed -n "s/^$1 //p" "$debian_versions")
    [ -n "$_ver" ] || _ver=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$_ver" ] && [ "$_ver" != "(none)" ] || return 1
    _ver=$(echo "$_ver" | sed 's/:/%3a/')
    for _a in "$_arch" all; do
        echo "${_name}_${_ver}_$_a.deb"
    done
}

# The candidate versions of PKG... from one apt-cache call (each call
# reads every package list: seconds on a loaded machine), kept in the
# file $debian_versions as "PKG VERSION" lines for debian_deb_name.
debian_candidates() {
    debian_versions=${debian_versions:-$(mktemp)}
    apt-cache policy "$@" 2>/dev/null | awk '
        /^[^ ].*:$/ { name = substr($0, 1, length($0) - 1) }
        /^ *Candidate: / { print name, $2 }' >> "$debian_versions"
}

debian_fetch() {
    _dir=$1
    shift
    mkdir -p "$_dir"
    debian_candidates "$@"
    _need=
    for _p in "$@"; do
        _names=$(debian_deb_name "$_p") || debian_fail "Debian has no package $_p"
        _have=
        for _n in $_names; do [ -f "$_dir/$_n" ] && _have=1; done
        [ -n "$_have" ] || _need="$_need $_p"
    done
    [ -z "$_need" ] && return 0
    # shellcheck disable=SC2086
    (cd "$_dir" && debian_apt -o APT::Sandbox::User=root download -qq $_need >&2) ||
        debian_fail "apt-get download$_need failed"
}

# The cached package file of PKG[:ARCH] in DIR (after debian_fetch).
debian_deb() {
    for _n in $(debian_deb_name "$1"); do
        [ -f "$2/$_n" ] && { echo "$2/$_n"; return 0; }
    done
    debian_fail "no package file for $1 in $2"
}

# can/platform.sh: the Docker platform (linux/arm/v7) of each architecture
# arch/build builds (armv7), and back. Sourced after arch/arches.sh by
# can/build and can/publish (POSIX sh).
#
#   platform_of NAME       linux/amd64, linux/arm64, linux/arm/v7,
#                          linux/ppc64le or linux/386
#   platform_name PLATFORM the architecture's name (x86_64, armv7, ...);
#                          status 1 for a platform no architecture has
#   platform_list          every platform, space-separated

platform_of() (
    arch_set "$1" || return 1
    # 32-bit arm images say which architecture version they need: ours
    # are built for ARMv7 with its hard-float ABI (armhf).
    case $oci_arch in
        arm) echo linux/arm/v7 ;;
        *) echo "linux/$oci_arch" ;;
    esac
)

platform_name() {
    for _a in $ARCHES; do
        [ "$(platform_of "$_a")" = "$1" ] && echo "$_a" && return 0
    done
    return 1
}

platform_list() {
    for _a in $ARCHES; do platform_of "$_a"; done | tr '\n' ' ' | sed 's/ $//'
}

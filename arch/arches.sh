# arch/arches.sh: what each architecture we build and test is called by
# Rust, Debian and the kernel, and how it is built and booted. Sourced by
# arch/build and arch/test (POSIX sh).
#
#   arch_known NAME      true for x86_64, aarch64, armv7, ppc64le, i686
#   arch_set NAME        sets, for NAME:
#     triple             Rust's target (target/<triple>/release)
#     deb                Debian's architecture (amd64, arm64, ...)
#     gnu                the GNU triple of Debian's cross tools
#     qemu               the qemu-system program that boots it
#     qemu_args          its machine, CPU and console options
#     kernel_pkg         Debian's kernel package for it
#     kernel_file        the file in that package that qemu boots
#     console            the kernel's console device
#     oci_arch           the OCI/Go name (amd64, arm64, arm, ppc64le, 386)

ARCHES="x86_64 aarch64 armv7 ppc64le i686"

arch_known() {
    case " $ARCHES " in *" $1 "*) return 0 ;; esac
    return 1
}

# The kernel is the version Debian bookworm ships with each image: one
# ABI for all, so a package of another version is never mixed in.
KERNEL_ABI=6.1.0-50

arch_set() {
    case $1 in
        x86_64)
            triple=x86_64-unknown-linux-gnu deb=amd64 gnu=x86_64-linux-gnu
            qemu=qemu-system-x86_64 qemu_args="-M q35 -cpu max"
            kernel_pkg=linux-image-$KERNEL_ABI-cloud-amd64-unsigned
            kernel_file=vmlinuz-$KERNEL_ABI-cloud-amd64 console=ttyS0 oci_arch=amd64 ;;
        aarch64)
            triple=aarch64-unknown-linux-gnu deb=arm64 gnu=aarch64-linux-gnu
            # pauth-impdef: pointer authentication without QARMA, which TCG
            # emulates slowly.
            qemu=qemu-system-aarch64 qemu_args="-M virt -cpu max,pauth-impdef=on"
            kernel_pkg=linux-image-$KERNEL_ABI-cloud-arm64-unsigned
            kernel_file=vmlinuz-$KERNEL_ABI-cloud-arm64 console=ttyAMA0 oci_arch=arm64 ;;
        armv7)
            triple=armv7-unknown-linux-gnueabihf deb=armhf gnu=arm-linux-gnueabihf
            qemu=qemu-system-arm qemu_args="-M virt -cpu cortex-a15"
            kernel_pkg=linux-image-$KERNEL_ABI-armmp
            kernel_file=vmlinuz-$KERNEL_ABI-armmp console=ttyAMA0 oci_arch=arm ;;
        ppc64le)
            triple=powerpc64le-unknown-linux-gnu deb=ppc64el gnu=powerpc64le-linux-gnu
            qemu=qemu-system-ppc64 qemu_args="-M pseries -cpu POWER9"
            kernel_pkg=linux-image-$KERNEL_ABI-powerpc64le
            kernel_file=vmlinux-$KERNEL_ABI-powerpc64le console=hvc0 oci_arch=ppc64le ;;
        i686)
            triple=i686-unknown-linux-gnu deb=i386 gnu=i686-linux-gnu
            qemu=qemu-system-i386 qemu_args="-M pc -cpu max"
            kernel_pkg=linux-image-$KERNEL_ABI-686-unsigned
            kernel_file=vmlinuz-$KERNEL_ABI-686 console=ttyS0 oci_arch=386 ;;
        *) return 1 ;;
    esac
}

# The package cache, kept between runs (CI may keep it too).
arch_cache() {
    echo "${NSENTER_CAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nsenter-can}/arch"
}

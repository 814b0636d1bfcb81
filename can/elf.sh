# can/elf.sh: which machine a program is for, read from its ELF header
# (never by running it: a foreign program may not run here, or may run
# under emulation and prove nothing). Sourced by can/build, can/busybox,
# can/layout and .ci/setup: POSIX sh, od and awk only, as in the
# Dockerfile's builder stage.
#
#   elf_arch NAME            the canonical name of an architecture named
#                            the Rust (x86_64, armv7, riscv64gc), Debian
#                            (amd64, armhf, ppc64el) or Go (386, arm64) way
#   elf_debian_arch NAME     Debian's name for it (amd64, arm64, ...)
#   elf_describe FILE        "ARCH static", "ARCH dynamic", or "not-elf"
#   elf_check ARCH FILE [NAME]
#                            true when FILE is a static program for ARCH;
#                            otherwise prints why, naming FILE as NAME

elf_arch() {
    case $1 in
        x86_64 | amd64) echo x86_64 ;;
        i[3-6]86 | 386) echo i386 ;;
        aarch64 | arm64) echo aarch64 ;;
        arm | armv[5-7]* | armhf | armel | thumbv7*) echo arm ;;
        powerpc64le | ppc64le | ppc64el) echo powerpc64le ;;
        powerpc64 | ppc64) echo powerpc64 ;;
        riscv64*) echo riscv64 ;;
        loongarch64 | loong64) echo loongarch64 ;;
        *) echo "$1" ;;
    esac
}

elf_debian_arch() {
    case $(elf_arch "$1") in
        x86_64) echo amd64 ;;
        aarch64) echo arm64 ;;
        arm) echo armhf ;;
        powerpc64le) echo ppc64el ;;
        powerpc64) echo ppc64 ;;
        loongarch64) echo loong64 ;;
        *) elf_arch "$1" ;;
    esac
}

# The machine from e_ident's class and byte order and e_machine; static
# when no program header asks for an interpreter (PT_INTERP, type 3): a
# static-pie has none either. The headers are read from the first 64 KiB.
elf_describe() {
    od -An -v -t u1 -N 65536 "$1" | awk '
        function u(off, len,   v, k) {
            v = 0
            if (le) { for (k = len - 1; k >= 0; k--) v = v * 256 + b[off + k] }
            else { for (k = 0; k < len; k++) v = v * 256 + b[off + k] }
            return v
        }
        { for (i = 1; i <= NF; i++) b[n++] = $i }
        END {
            if (n < 52 || b[0] != 127 || b[1] != 69 || b[2] != 76 || b[3] != 70) {
                print "not-elf"
                exit
            }
            class = b[4]; le = (b[5] == 1)
            type = u(16, 2); machine = u(18, 2)
            if (class == 2) { phoff = u(32, 8); phsize = u(54, 2); phnum = u(56, 2) }
            else { phoff = u(28, 4); phsize = u(42, 2); phnum = u(44, 2) }
            key = class "-" le "-" machine
            names["2-1-62"] = "x86_64"; names["1-1-3"] = "i386"
            names["2-1-183"] = "aarch64"; names["1-1-40"] = "arm"
            names["2-1-21"] = "powerpc64le"; names["2-0-21"] = "powerpc64"
            names["2-0-22"] = "s390x"; names["2-1-243"] = "riscv64"
            names["2-1-258"] = "loongarch64"
            arch = (key in names) ? names[key] : \
                sprintf("ELF machine %d (%d-bit, %s)", machine, class * 32, le ? "LSB" : "MSB")
            if (type != 2 && type != 3) link = "not-a-program"
            else if (phoff + phnum * phsize > n) link = "unknown"
            else {
                link = "static"
                for (i = 0; i < phnum; i++)
                    if (u(phoff + i * phsize, 4) == 3) link = "dynamic"
            }
            print arch " " link
        }'
}

elf_check() {
    _want=$(elf_arch "$1")
    _name=${3:-$2}
    if [ ! -f "$2" ] || [ ! -r "$2" ]; then
        echo "$_name is not a readable file"
        return 1
    fi
    _seen=$(elf_describe "$2")
    _link=${_seen##* }
    _arch=${_seen% *}
    case $_seen in
        not-elf) echo "$_name is not an ELF program" ;;
        *" not-a-program") echo "$_name is an ELF file but not a program" ;;
        *" unknown") echo "$_name has its program headers past its first 64 KiB" ;;
        *) if [ "$_arch" != "$_want" ]; then
               echo "$_name is a program for $_arch, not $_want"
           elif [ "$_link" != static ]; then
               echo "$_name is dynamically linked (the can has no loader or libraries)"
           else
               return 0
           fi ;;
    esac
    return 1
}

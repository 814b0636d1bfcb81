/* arch/guest/probe.c: what a seccomp filter lets through, one line per
 * system call: its name and the errno it failed with (0: it ran).
 * arch/test builds it static with each architecture's cross compiler;
 * the VM runs it under ctr task exec and under docker-enter, whose lines
 * must be equal, and without any filter (nsenter -a), whose lines must
 * differ: so the comparison can fail.
 *
 * Every call is made with arguments that harm nothing: bad pointers
 * (EFAULT), bad descriptors, or flags that only change this process. A
 * call this architecture does not have is left out (#ifdef SYS_...).
 *
 * `probe filters PID` prints instead the seccomp filters process PID runs
 * under, as the kernel holds them (PTRACE_SECCOMP_GET_FILTER, newest
 * first): per filter its length and a hash of its instructions, so that
 * two processes' filters can be compared byte for byte. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define GET_FILTER 0x420c /* PTRACE_SECCOMP_GET_FILTER */

static int filters(pid_t pid)
{
    if (ptrace(PTRACE_SEIZE, pid, 0L, 0L) || ptrace(PTRACE_INTERRUPT, pid, 0L, 0L)) {
        perror("probe: ptrace");
        return 1;
    }
    int status;
    if (waitpid(pid, &status, __WALL) != pid) {
        perror("probe: waitpid");
        return 1;
    }
    for (long i = 0;; i++) {
        long n = ptrace(GET_FILTER, pid, i, NULL);
        if (n < 0)
            break;
        struct sock_filter *insns = calloc(n, sizeof *insns);
        if (!insns || ptrace(GET_FILTER, pid, i, insns) != n) {
            perror("probe: PTRACE_SECCOMP_GET_FILTER");
            return 1;
        }
        uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
        const unsigned char *bytes = (const unsigned char *)insns;
        for (size_t k = 0; k < n * sizeof *insns; k++)
            hash = (hash ^ bytes[k]) * 1099511628211ULL;
        printf("filter %ld: %ld instructions, hash %016llx\n", i, n, (unsigned long long)hash);
        free(insns);
    }
    ptrace(PTRACE_DETACH, pid, 0L, 0L);
    return 0;
}

#define BAD ((long)1) /* an address nothing is mapped at */

static void probe(const char *name, long nr, long a, long b, long c, long d)
{
    errno = 0;
    long r = syscall(nr, a, b, c, d, 0L, 0L);
    printf("%s %d\n", name, r == -1 ? errno : 0);
}

#define P(name, a, b, c, d) probe(#name, SYS_##name, a, b, c, d)

int main(int argc, char **argv)
{
    if (argc == 3)
        return filters(atoi(argv[2]));
    setvbuf(stdout, NULL, _IOFBF, 1 << 14);
    printf("abi %d-bit\n", (int)(sizeof(long) * 8));
    P(getpid, 0, 0, 0, 0);
    P(getcwd, BAD, 64, 0, 0);
#ifdef SYS_uname
    P(uname, BAD, 0, 0, 0);
#endif
    P(unshare, CLONE_NEWUSER, 0, 0, 0);
    P(unshare, CLONE_NEWNS, 0, 0, 0);
    P(setns, -1, 0, 0, 0);
    P(mount, BAD, BAD, BAD, 0);
    P(umount2, BAD, 0, 0, 0);
    P(pivot_root, BAD, BAD, 0, 0);
    P(chroot, BAD, 0, 0, 0);
    P(keyctl, 0, 0, 0, 0);
    P(add_key, BAD, BAD, BAD, 0);
    P(request_key, BAD, BAD, BAD, 0);
    P(ptrace, -1, 0, 0, 0);
    P(personality, 0x12345, 0, 0, 0);
    P(personality, 0xffffffff, 0, 0, 0);
    P(bpf, -1, BAD, 0, 0);
    P(perf_event_open, BAD, 0, -1, -1);
    P(syslog, -1, 0, 0, 0);
    P(acct, BAD, 0, 0, 0);
    P(swapon, BAD, 0, 0, 0);
    P(swapoff, BAD, 0, 0, 0);
    P(init_module, BAD, 0, BAD, 0);
    P(finit_module, -1, BAD, 0, 0);
    P(delete_module, BAD, 0, 0, 0);
    P(kexec_load, 0, 0, BAD, 0);
    P(quotactl, -1, BAD, 0, BAD);
    P(settimeofday, BAD, BAD, 0, 0);
    P(clock_settime, -1, BAD, 0, 0);
    P(sethostname, BAD, 1, 0, 0);
    P(setdomainname, BAD, 1, 0, 0);
    P(open_by_handle_at, -1, BAD, 0, 0);
    P(name_to_handle_at, -1, BAD, BAD, BAD);
    P(lookup_dcookie, 0, BAD, 0, 0);
    P(move_pages, -1, 1, BAD, BAD);
    P(mbind, BAD, 0, 0, BAD);
    P(set_mempolicy, -1, BAD, 0, 0);
    P(get_mempolicy, BAD, BAD, 0, BAD);
    P(vhangup, 0, 0, 0, 0);
    P(fanotify_init, -1, 0, 0, 0);
    P(clone3, BAD, 0, 0, 0);
    P(io_uring_setup, 0, BAD, 0, 0);
    P(userfaultfd, -1, 0, 0, 0);
    P(process_vm_readv, -1, BAD, 1, BAD);
    P(kcmp, -1, -1, -1, 0);
#ifdef SYS_iopl
    P(iopl, 99, 0, 0, 0);
#endif
#ifdef SYS_ioperm
    P(ioperm, 0, 0, 0, 0);
#endif
#ifdef SYS_uselib
    P(uselib, BAD, 0, 0, 0);
#endif
#ifdef SYS_ustat
    P(ustat, 0, BAD, 0, 0);
#endif
#ifdef SYS_sysfs
    P(sysfs, 99, 0, 0, 0);
#endif
#ifdef SYS__sysctl
    P(_sysctl, BAD, 0, 0, 0);
#endif
#ifdef SYS_socketcall
    P(socketcall, 99, BAD, 0, 0);
#endif
#ifdef SYS_ipc
    P(ipc, 99, 0, 0, 0);
#endif
#ifdef SYS_arch_prctl
    P(arch_prctl, 0x9999, 0, 0, 0);
#endif
    return 0;
}

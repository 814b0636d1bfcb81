/* seccomp-deny ERRNO ARG0 NR... -- COMMAND [ARG...]
 *
 * Run COMMAND under a seccomp filter that fails the system calls NR... with
 * ERRNO, when their first argument is ARG0 ("any": whatever it is): a
 * kernel without a call or a ptrace request, or a caller that runs under a
 * filter of its own, as the tests need them. Needs CAP_SYS_ADMIN (it does
 * not set no_new_privs, so set-user-ID programs keep working under it).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: seccomp-deny ERRNO ARG0|any NR... -- COMMAND...\n");
        return 2;
    }
    unsigned err = strtoul(argv[1], NULL, 0);
    int any = strcmp(argv[2], "any") == 0;
    unsigned arg0 = any ? 0 : strtoul(argv[2], NULL, 0);
    struct sock_filter prog[256];
    int n = 0;
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    int i = 3;
    for (; i < argc && strcmp(argv[i], "--") != 0 && n < 240; i++) {
        unsigned nr = strtoul(argv[i], NULL, 0);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
        if (any) {
            prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
        } else {
            prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3);
            prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
            prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arg0, 0, 1);
        }
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA));
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    if (i + 1 >= argc) {
        fprintf(stderr, "seccomp-deny: no command after --\n");
        return 2;
    }
    struct sock_fprog fprog = {.len = n, .filter = prog};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
        perror("seccomp-deny: PR_SET_SECCOMP");
        return 2;
    }
    execv(argv[i + 1], argv + i + 1);
    perror("seccomp-deny: execv");
    return 127;
}

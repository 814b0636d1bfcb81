/* filters PID
 *
 * Print the seccomp filters of process PID, one line each, in the kernel's
 * numbering for PTRACE_SECCOMP_GET_FILTER (index 0 is the oldest):
 * "INDEX FLAGS HEX", FLAGS as PTRACE_SECCOMP_GET_METADATA gives them, HEX
 * the program's bytes. The process is stopped for the read (the tests
 * trace their own containers). Needs CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <linux/filter.h>

#define GET_FILTER 0x420c
#define GET_METADATA 0x420d

struct metadata {
    unsigned long long filter_off;
    unsigned long long flags;
};

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: filters PID\n");
        return 2;
    }
    int pid = atoi(argv[1]);
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) != 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0) {
        perror("filters: ptrace");
        return 1;
    }
    int status;
    if (waitpid(pid, &status, __WALL) != pid) {
        perror("filters: waitpid");
        return 1;
    }
    for (long i = 0;; i++) {
        long n = ptrace(GET_FILTER, pid, (void *)i, 0);
        if (n < 0) {
            if (errno != ENOENT && !(errno == EINVAL && i == 0)) {
                perror("filters: PTRACE_SECCOMP_GET_FILTER");
                return 1;
            }
            break;
        }
        struct sock_filter *prog = calloc(n, sizeof *prog);
        if (ptrace(GET_FILTER, pid, (void *)i, prog) != n) {
            perror("filters: PTRACE_SECCOMP_GET_FILTER");
            return 1;
        }
        struct metadata meta = {i, 0};
        if (ptrace(GET_METADATA, pid, (void *)sizeof meta, &meta) < 0) {
            perror("filters: PTRACE_SECCOMP_GET_METADATA");
            return 1;
        }
        printf("%ld %llu ", i, meta.flags);
        const unsigned char *bytes = (const unsigned char *)prog;
        for (size_t b = 0; b < n * sizeof *prog; b++) {
            printf("%02x", bytes[b]);
        }
        printf("\n");
        free(prog);
    }
    ptrace(PTRACE_DETACH, pid, 0, 0);
    return 0;
}

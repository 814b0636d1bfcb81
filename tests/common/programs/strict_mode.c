/* A process in seccomp strict mode (only read, write, _exit and
 * sigreturn), waiting on its standard input: no program can be started
 * under its confinement. Prints "strict" once in that mode. */
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void) {
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0) return 1;
    write(1, "strict\n", 7);
    char c;
    read(0, &c, 1);
    _exit(0);
}

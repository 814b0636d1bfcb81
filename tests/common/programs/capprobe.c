/* What a program holds once exec'd, set-user-ID root in the tests: its
 * capability lines, and whether it can mount. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int main(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status && fgets(line, sizeof line, status))
        if (strncmp(line, "Cap", 3) == 0) fputs(line, stdout);
    if (mount("x", "/mnt", "tmpfs", 0, NULL) == 0) {
        puts("mount ok");
        umount("/mnt");
    } else {
        printf("mount %s\n", strerrorname_np(errno));
    }
    return 0;
}

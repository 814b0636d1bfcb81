/* What a program was given as its standard input, output and error: for
 * each of 0, 1 and 2, what /proc/self/fd/N links to ("closed" when it is
 * not open), and whether it is the container's own /dev/null. Read before
 * anything is opened (an open would take a closed number), then written
 * to the file argv[1] through a rename, so a reader never sees half. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char link[3][512];
    struct stat st[3];
    int open_[3];
    for (int i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "/proc/self/fd/%d", i);
        ssize_t n = readlink(path, link[i], sizeof link[i] - 1);
        if (n < 0)
            strcpy(link[i], "closed");
        else
            link[i][n] = 0;
        open_[i] = fstat(i, &st[i]) == 0;
    }
    if (argc < 2)
        return 2;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part", argv[1]);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        return 1;
    struct stat null;
    int has_null = stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode);
    for (int i = 0; i < 3; i++) {
        int is_null = open_[i] && has_null && st[i].st_dev == null.st_dev &&
                      st[i].st_ino == null.st_ino;
        dprintf(out, "%d %s%s\n", i, link[i], is_null ? " (its /dev/null)" : "");
    }
    close(out);
    return rename(tmp, argv[1]) == 0 ? 0 : 1;
}

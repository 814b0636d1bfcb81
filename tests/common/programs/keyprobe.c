/* Looks for the user key "k" from its own session keyring, as a program
 * inside a container would look for a key its caller left there (a
 * Kerberos KEYRING cache, pam_keyinit's login keyring).
 *
 * Prints one line: "found PAYLOAD" when the key was found and read,
 * "unreadable ERRNO" when found but not read, "not-found ERRNO" when the
 * search failed (ENOKEY: the keyring was searched and holds no such key;
 * EPERM or ENOSYS: keyctl is denied, the search proves nothing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEY_SPEC_SESSION_KEYRING -3

int main(void) {
    long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "k", 0);
    if (id < 0) {
        printf("not-found %s\n", strerrorname_np(errno));
        return 0;
    }
    char payload[256];
    long n = syscall(SYS_keyctl, KEYCTL_READ, id, payload, sizeof payload - 1);
    if (n < 0) {
        printf("unreadable %s\n", strerrorname_np(errno));
        return 0;
    }
    payload[n < (long)sizeof payload - 1 ? n : (long)sizeof payload - 1] = 0;
    printf("found %s\n", payload);
    return 0;
}

/* Runs a command the way an operator's login session would: in a session
 * keyring of its own (a new anonymous one, as pam_keyinit makes) that
 * holds the user key "k" = "TOP-SECRET".
 *
 * Usage: key_launcher COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEY_SPEC_SESSION_KEYRING -3

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: key_launcher COMMAND [ARG...]\n");
        return 2;
    }
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (char *)0) < 0) {
        perror("key_launcher: join a session keyring");
        return 2;
    }
    if (syscall(SYS_add_key, "user", "k", "TOP-SECRET", 10, KEY_SPEC_SESSION_KEYRING) < 0) {
        perror("key_launcher: add_key");
        return 2;
    }
    execvp(argv[1], argv + 1);
    perror("key_launcher: exec");
    return 127;
}

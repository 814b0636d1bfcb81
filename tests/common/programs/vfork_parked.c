/* A container init that no ptrace request can stop: it calls vfork()
 * and its child neither execs nor exits, so the parent sleeps in the
 * kernel, uninterruptibly (state D), until it is killed. The child pauses.
 * docker exec still starts programs in such a container. */
#include <unistd.h>

int main(void) {
    if (vfork() == 0) {
        for (;;) pause();
    }
    return 0;
}

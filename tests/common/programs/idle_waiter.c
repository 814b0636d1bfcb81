/* A container's idle main process, as a server waiting for work: it sits
 * in epoll_wait on nothing, and logs every return to /log. Nothing should
 * ever wake it: a ptrace stop (PTRACE_INTERRUPT) of it makes epoll_wait
 * return EINTR, which kills programs that treat it as fatal. /ready tells
 * the test it waits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(void)
{
    int ep = epoll_create1(0);
    int log = open("/log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (ep < 0 || log < 0)
        return 1;
    close(open("/ready", O_WRONLY | O_CREAT, 0644));
    for (;;) {
        struct epoll_event event;
        int n = epoll_wait(ep, &event, 1, -1);
        dprintf(log, "epoll_wait returned %d: %s\n", n,
                n < 0 ? strerror(errno) : "an event");
    }
}

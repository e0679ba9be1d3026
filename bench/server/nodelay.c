/* Diagnostic LD_PRELOAD shim for bench/server/run.sh (ARENA_BENCH_NODELAY=1): sets TCP_NODELAY on every
 * socket the server accepts, to measure what disabling Nagle's algorithm on the server's player sockets
 * would change without editing the server. Not part of any product; built by run.sh into a temp dir. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void nodelay(int fd)
{
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

int accept(int s, struct sockaddr *a, socklen_t *l)
{
    static int (*real)(int, struct sockaddr *, socklen_t *);
    if (!real)
        real = dlsym(RTLD_NEXT, "accept");
    int fd = real(s, a, l);
    nodelay(fd);
    return fd;
}

int accept4(int s, struct sockaddr *a, socklen_t *l, int flags)
{
    static int (*real)(int, struct sockaddr *, socklen_t *, int);
    if (!real)
        real = dlsym(RTLD_NEXT, "accept4");
    int fd = real(s, a, l, flags);
    nodelay(fd);
    return fd;
}

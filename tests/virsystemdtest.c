/*
 * virsystemdtest.c: socket activation's variables read (and refused),
 * sd_notify's datagram sent to a path and to an abstract socket
 * (src/util/virsystemd.h), and libvirtd's matching of the sockets passed
 * to its own (src/remote/remote_daemon_activation.h). The daemon under
 * systemd-socket-activate is tests/systemdtest.sh.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "remote/remote_daemon_activation.h"
#include "util/virerror.h"
#include "util/virsystemd.h"
#include "testutilsvirt.h"

static void
setListenEnv(const char *pid, const char *fds, const char *names)
{
    g_autofree char *self = g_strdup_printf("%lld", (long long) getpid());

    g_setenv("LISTEN_PID", pid ? pid : self, TRUE);
    g_setenv("LISTEN_FDS", fds, TRUE);
    if (names)
        g_setenv("LISTEN_FDNAMES", names, TRUE);
    else
        g_unsetenv("LISTEN_FDNAMES");
}

static void
assertListenEnvGone(void)
{
    g_assert_null(g_getenv("LISTEN_PID"));
    g_assert_null(g_getenv("LISTEN_FDS"));
    g_assert_null(g_getenv("LISTEN_FDNAMES"));
}

/* No variables: no activation. */
static void
testListenNone(void)
{
    virSystemdListenFD *fds = (virSystemdListenFD *) 1;

    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_assert_cmpint(virSystemdGetListenFDs(&fds), ==, 0);
    g_assert_null(fds);
}

/* Another process's (passed on by mistake): ignored, and removed. */
static void
testListenOtherPid(void)
{
    virSystemdListenFD *fds = NULL;

    virResetLastError();
    setListenEnv("1", "2", "a:b");
    g_assert_cmpint(virSystemdGetListenFDs(&fds), ==, 0);
    g_assert_null(fds);
    g_assert_false(virErrorIsSet());
    assertListenEnvGone();
}

/* The descriptors 3 and 4, with names, in a child (it takes over fds 3
 * and 4 whatever they were). */
static void
testListenTwo(void)
{
    if (g_test_subprocess()) {
        virSystemdListenFD *fds = NULL;
        int a = socket(AF_UNIX, SOCK_STREAM, 0);
        int b = socket(AF_UNIX, SOCK_STREAM, 0);

        g_assert_cmpint(dup2(a, 3), ==, 3);
        g_assert_cmpint(dup2(b, 4), ==, 4);
        fcntl(3, F_SETFD, 0);
        fcntl(4, F_SETFD, 0);
        setListenEnv(NULL, "2", "libvirtd.socket:");
        g_assert_cmpint(virSystemdGetListenFDs(&fds), ==, 2);
        g_assert_cmpint(fds[0].fd, ==, 3);
        g_assert_cmpstr(fds[0].name, ==, "libvirtd.socket");
        g_assert_cmpint(fds[1].fd, ==, 4);
        g_assert_null(fds[1].name);
        /* Not for the QEMUs the daemon runs. */
        g_assert_true(fcntl(3, F_GETFD) & FD_CLOEXEC);
        g_assert_true(fcntl(4, F_GETFD) & FD_CLOEXEC);
        assertListenEnvGone();
        virSystemdListenFDsFree(fds, 2);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
}

/* LISTEN_FDS=2 with descriptor 4 closed. */
static void
testListenClosed(void)
{
    if (g_test_subprocess()) {
        virSystemdListenFD *fds = NULL;
        int a = socket(AF_UNIX, SOCK_STREAM, 0);

        g_assert_cmpint(dup2(a, 3), ==, 3);
        close(4);
        setListenEnv(NULL, "2", NULL);
        g_assert_cmpint(virSystemdGetListenFDs(&fds), ==, -1);
        g_assert_null(fds);
        virTestAssertError(VIR_ERR_SYSTEM_ERROR);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "descriptor 4 is not open"));
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
}

typedef struct {
    const char *pid;        /* NULL: ours */
    const char *fds;
    const char *names;
    const char *msgPart;
} ListenBad;

static const ListenBad listenBad[] = {
    { "x12", "1", NULL, "LISTEN_PID is not a number" },
    { NULL, "two", NULL, "LISTEN_FDS is not a number" },
    { NULL, "-1", NULL, "LISTEN_FDS is not a number" },
    { NULL, "100000", NULL, "up to 1024: '100000'" },
    { NULL, "1", "a:b", "has 2 names for LISTEN_FDS=1" },
};

static void
testListenBad(const void *data)
{
    const ListenBad *c = data;
    virSystemdListenFD *fds = NULL;

    virResetLastError();
    setListenEnv(c->pid, c->fds, c->names);
    g_assert_cmpint(virSystemdGetListenFDs(&fds), ==, -1);
    g_assert_null(fds);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_test_message("%s", virGetLastErrorMessage());
    g_assert_nonnull(strstr(virGetLastErrorMessage(), c->msgPart));
    assertListenEnvGone();
}

/* A datagram socket bound to @addr (a path, or @name: abstract). */
static int
bindDgram(const char *addr)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    size_t len = strlen(addr);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    memcpy(un.sun_path, addr, len);
    if (addr[0] == '@')
        un.sun_path[0] = '\0';
    g_assert_cmpint(bind(fd, (struct sockaddr *) &un,
                         offsetof(struct sockaddr_un, sun_path) + len), ==, 0);
    return fd;
}

static void
assertReceived(int fd, const char *want)
{
    char buf[64] = "";
    ssize_t got = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

    g_assert_cmpint(got, ==, strlen(want));
    g_assert_cmpstr(buf, ==, want);
}

static void
testNotify(void)
{
    g_autofree char *dir = g_dir_make_tmp("virsystemdtest.XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "notify", NULL);
    g_autofree char *abstract = g_strdup_printf("@virsystemdtest-%lld", (long long) getpid());
    int fd = bindDgram(path);
    int afd = bindDgram(abstract);
    g_autofree char *taken = NULL;

    g_setenv("NOTIFY_SOCKET", path, TRUE);
    taken = virSystemdTakeNotifySocket();
    g_assert_cmpstr(taken, ==, path);
    g_assert_null(g_getenv("NOTIFY_SOCKET"));

    g_assert_cmpint(virSystemdNotify(taken, "READY=1"), ==, 0);
    assertReceived(fd, "READY=1");
    g_assert_cmpint(virSystemdNotify(abstract, "STOPPING=1"), ==, 0);
    assertReceived(afd, "STOPPING=1");
    /* Outside systemd: nothing, no error. */
    g_assert_cmpint(virSystemdNotify(NULL, "READY=1"), ==, 0);

    g_assert_cmpint(virSystemdNotify("relative/path", "READY=1"), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "'relative/path'"));
    g_assert_cmpint(virSystemdNotify("@", "READY=1"), ==, -1);
    unlink(path);
    g_assert_cmpint(virSystemdNotify(path, "READY=1"), ==, -1);
    virTestAssertError(VIR_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), path));

    g_setenv("NOTIFY_SOCKET", "", TRUE);
    g_assert_null(virSystemdTakeNotifySocket());
    close(fd);
    close(afd);
    rmdir(dir);
}

/* A stream socket bound to @path, listening if @listening. */
static int
bindUnix(const char *path, bool listening)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *) &un, sizeof(un)), ==, 0);
    if (listening)
        g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

static void
testSocketKind(void)
{
    g_autofree char *dir = g_dir_make_tmp("virsystemdtest.XXXXXX", NULL);
    g_autofree char *rw = g_build_filename(dir, "libvirt-sock", NULL);
    g_autofree char *ro = g_build_filename(dir, "libvirt-sock-ro", NULL);
    g_autofree char *other = g_build_filename(dir, "other", NULL);
    g_autofree char *idle = g_build_filename(dir, "idle", NULL);
    int rwFd = bindUnix(rw, true);
    int roFd = bindUnix(ro, true);
    int otherFd = bindUnix(other, true);
    int idleFd = bindUnix(idle, false);
    struct sockaddr_in in = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int tcpFd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(bind(tcpFd, (struct sockaddr *) &in, sizeof(in)), ==, 0);
    g_assert_cmpint(listen(tcpFd, 1), ==, 0);

    /* By address. */
    g_assert_cmpint(remoteDaemonSocketKindOf(rwFd, NULL, rw, ro), ==, REMOTE_DAEMON_SOCKET_RW);
    g_assert_cmpint(remoteDaemonSocketKindOf(roFd, NULL, rw, ro), ==, REMOTE_DAEMON_SOCKET_RO);
    g_assert_cmpint(remoteDaemonSocketKindOf(tcpFd, NULL, rw, ro), ==, REMOTE_DAEMON_SOCKET_TLS);
    /* A name systemd gives by default that is not the units': by address. */
    g_assert_cmpint(remoteDaemonSocketKindOf(roFd, "stored", rw, ro), ==, REMOTE_DAEMON_SOCKET_RO);
    /* By name, whatever the address (a unit with another ListenStream). */
    g_assert_cmpint(remoteDaemonSocketKindOf(otherFd, "libvirtd-ro.socket", rw, ro), ==,
                    REMOTE_DAEMON_SOCKET_RO);
    g_assert_cmpint(remoteDaemonSocketKindOf(otherFd, "libvirtd.socket", rw, ro), ==,
                    REMOTE_DAEMON_SOCKET_RW);

    /* None of the daemon's. */
    virResetLastError();
    g_assert_cmpint(remoteDaemonSocketKindOf(otherFd, NULL, rw, ro), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), other));
    /* A session daemon has no read-only socket. */
    g_assert_cmpint(remoteDaemonSocketKindOf(roFd, NULL, rw, NULL), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "none of this daemon's sockets"));
    /* Not listening. */
    g_assert_cmpint(remoteDaemonSocketKindOf(idleFd, "libvirtd.socket", rw, ro), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "not a listening stream socket"));

    g_assert_cmpstr(remoteDaemonSocketKindUnit(REMOTE_DAEMON_SOCKET_TLS), ==, "libvirtd-tls.socket");
    close(rwFd);
    close(roFd);
    close(otherFd);
    close(idleFd);
    close(tcpFd);
    unlink(rw);
    unlink(ro);
    unlink(other);
    unlink(idle);
    rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/systemd/listen/none", testListenNone);
    g_test_add_func("/systemd/listen/other-pid", testListenOtherPid);
    g_test_add_func("/systemd/listen/two", testListenTwo);
    g_test_add_func("/systemd/listen/closed", testListenClosed);
    for (size_t i = 0; i < G_N_ELEMENTS(listenBad); i++) {
        g_autofree char *name = g_strdup_printf("/systemd/listen/bad/%zu", i);
        g_test_add_data_func(name, &listenBad[i], testListenBad);
    }
    g_test_add_func("/systemd/notify", testNotify);
    g_test_add_func("/systemd/socket-kind", testSocketKind);
    return g_test_run();
}

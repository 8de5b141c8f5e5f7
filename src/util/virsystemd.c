/*
 * virsystemd.c: socket activation and readiness notification, systemd's
 * documented protocols spoken directly (see virsystemd.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/virerror.h"
#include "util/virlog.h"
#include "util/virsystemd.h"

#define VIR_FROM_THIS VIR_FROM_SYSTEMD

/* A decimal number of at most @max, nothing else. */
static int
virSystemdParseNumber(const char *var, const char *value, guint64 max,
                      guint64 *out)
{
    g_autoptr(GError) err = NULL;

    if (!g_ascii_string_to_unsigned(value, 10, 0, max, out, &err)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "systemd's %s is not a number up to %llu: '%s'",
                       var, (unsigned long long) max, value);
        return -1;
    }
    return 0;
}

void
virSystemdListenFDsFree(virSystemdListenFD *fds, int nfds)
{
    if (!fds)
        return;
    for (int i = 0; i < nfds; i++)
        g_free(fds[i].name);
    g_free(fds);
}

int
virSystemdGetListenFDs(virSystemdListenFD **fds)
{
    g_autofree char *pidStr = g_strdup(g_getenv("LISTEN_PID"));
    g_autofree char *countStr = g_strdup(g_getenv("LISTEN_FDS"));
    g_autofree char *namesStr = g_strdup(g_getenv("LISTEN_FDNAMES"));
    g_auto(GStrv) names = NULL;
    virSystemdListenFD *ret = NULL;
    guint64 pid = 0;
    guint64 count = 0;

    *fds = NULL;
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    if (!pidStr || !countStr)
        return 0;
    if (virSystemdParseNumber("LISTEN_PID", pidStr, G_MAXINT, &pid) < 0)
        return -1;
    /* Meant for another process (one that passed its environment on). */
    if (pid != (guint64) getpid()) {
        VIR_DEBUG("LISTEN_PID %s is not ours: no socket activation", pidStr);
        return 0;
    }
    /* A generous cap: far more sockets than a daemon has. */
    if (virSystemdParseNumber("LISTEN_FDS", countStr, 1024, &count) < 0)
        return -1;
    if (namesStr) {
        names = g_strsplit(namesStr, ":", -1);
        if (g_strv_length(names) != count) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "systemd's LISTEN_FDNAMES '%s' has %u names for LISTEN_FDS=%llu descriptors",
                           namesStr, g_strv_length(names), (unsigned long long) count);
            return -1;
        }
    }
    ret = g_new0(virSystemdListenFD, count ? count : 1);
    for (guint64 i = 0; i < count; i++) {
        int fd = VIR_SYSTEMD_LISTEN_FDS_START + (int) i;
        int flags = fcntl(fd, F_GETFD);

        if (flags < 0) {
            virReportSystemError(errno,
                                 "systemd passed %llu sockets, but descriptor %d is not open",
                                 (unsigned long long) count, fd);
            virSystemdListenFDsFree(ret, (int) count);
            return -1;
        }
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        ret[i].fd = fd;
        if (names && *names[i])
            ret[i].name = g_strdup(names[i]);
        VIR_DEBUG("systemd passed descriptor %d named '%s'", fd,
                  ret[i].name ? ret[i].name : "");
    }
    *fds = ret;
    return (int) count;
}

char *
virSystemdTakeNotifySocket(void)
{
    char *path = g_strdup(g_getenv("NOTIFY_SOCKET"));

    g_unsetenv("NOTIFY_SOCKET");
    if (path && !*path)
        g_clear_pointer(&path, g_free);
    return path;
}

int
virSystemdNotify(const char *path, const char *state)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    socklen_t len;
    size_t plen;
    int fd;
    ssize_t sent;

    if (!path)
        return 0;
    plen = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || plen < 2 ||
        plen >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "systemd's NOTIFY_SOCKET '%s' is neither a socket path nor an abstract socket name",
                       path);
        return -1;
    }
    memcpy(addr.sun_path, path, plen);
    /* An abstract name: a NUL first, and the length says where it ends. */
    if (path[0] == '@')
        addr.sun_path[0] = '\0';
    len = offsetof(struct sockaddr_un, sun_path) + plen;
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "%s", "cannot create a datagram socket for systemd's notification");
        return -1;
    }
    do {
        sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
                      (struct sockaddr *) &addr, len);
    } while (sent < 0 && errno == EINTR);
    close(fd);
    if (sent < 0) {
        virReportSystemError(errno, "cannot send '%s' to systemd's NOTIFY_SOCKET '%s'",
                             state, path);
        return -1;
    }
    VIR_DEBUG("told systemd '%s' on '%s'", state, path);
    return 0;
}

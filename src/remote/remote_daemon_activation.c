/*
 * remote_daemon_activation.c: matching the sockets systemd passes to
 * libvirtd's sockets, by name or by address.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "remote/remote_daemon_activation.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

static const char *const remoteDaemonSocketUnits[] = {
    [REMOTE_DAEMON_SOCKET_RW] = "libvirtd.socket",
    [REMOTE_DAEMON_SOCKET_RO] = "libvirtd-ro.socket",
    [REMOTE_DAEMON_SOCKET_TLS] = "libvirtd-tls.socket",
};
G_STATIC_ASSERT(G_N_ELEMENTS(remoteDaemonSocketUnits) == REMOTE_DAEMON_SOCKET_LAST);

const char *
remoteDaemonSocketKindUnit(remoteDaemonSocketKind kind)
{
    return kind < REMOTE_DAEMON_SOCKET_LAST ? remoteDaemonSocketUnits[kind] : "?";
}

int
remoteDaemonSocketKindOf(int fd, const char *name, const char *rwPath,
                         const char *roPath)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len = sizeof(ss);
    int type = 0;
    int listening = 0;
    socklen_t ilen = sizeof(int);
    g_autofree char *where = NULL;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ilen) < 0 ||
        type != SOCK_STREAM ||
        (ilen = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen)) < 0 ||
        !listening) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "systemd passed descriptor %d ('%s'), which is not a listening stream socket",
                       fd, name ? name : "");
        return -1;
    }
    if (name) {
        for (int k = 0; k < REMOTE_DAEMON_SOCKET_LAST; k++) {
            if (strcmp(name, remoteDaemonSocketUnits[k]) == 0)
                return k;
        }
    }
    if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0) {
        virReportSystemError(errno, "cannot read the address of descriptor %d passed by systemd", fd);
        return -1;
    }
    switch (ss.ss_family) {
    case AF_UNIX: {
        const struct sockaddr_un *un = (const struct sockaddr_un *) &ss;
        size_t plen = len > offsetof(struct sockaddr_un, sun_path) ?
            len - offsetof(struct sockaddr_un, sun_path) : 0;

        where = g_strndup(un->sun_path, plen);
        if (g_strcmp0(where, rwPath) == 0)
            return REMOTE_DAEMON_SOCKET_RW;
        if (roPath && g_strcmp0(where, roPath) == 0)
            return REMOTE_DAEMON_SOCKET_RO;
        break;
    }
    case AF_INET:
    case AF_INET6:
        return REMOTE_DAEMON_SOCKET_TLS;
    default:
        where = g_strdup_printf("address family %d", ss.ss_family);
        break;
    }
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "systemd passed descriptor %d ('%s', bound to '%s'), which is none of this daemon's sockets: '%s'%s%s%s, TCP for TLS, or one named %s, %s or %s",
                   fd, name ? name : "", where, rwPath,
                   roPath ? ", '" : "", roPath ? roPath : "", roPath ? "'" : "",
                   remoteDaemonSocketUnits[REMOTE_DAEMON_SOCKET_RW],
                   remoteDaemonSocketUnits[REMOTE_DAEMON_SOCKET_RO],
                   remoteDaemonSocketUnits[REMOTE_DAEMON_SOCKET_TLS]);
    return -1;
}

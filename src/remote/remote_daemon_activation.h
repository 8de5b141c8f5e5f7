/*
 * remote_daemon_activation.h: which of libvirtd's sockets each socket
 * passed by systemd (socket activation) is.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

typedef enum {
    REMOTE_DAEMON_SOCKET_RW,    /* libvirtd.socket: libvirt-sock */
    REMOTE_DAEMON_SOCKET_RO,    /* libvirtd-ro.socket: libvirt-sock-ro */
    REMOTE_DAEMON_SOCKET_TLS,   /* libvirtd-tls.socket: TCP, TLS */

    REMOTE_DAEMON_SOCKET_LAST
} remoteDaemonSocketKind;

/* "libvirtd.socket", ... (the units' names, systemd's default
 * FileDescriptorName=), for messages. */
const char *remoteDaemonSocketKindUnit(remoteDaemonSocketKind kind);

/*
 * Which socket @fd is: by @name when it is one of the units' names, else
 * by the address it is bound to: @rwPath, @roPath (NULL: the daemon has
 * no read-only socket), or any TCP address for TLS. A socket that is
 * none of them, or not a listening stream socket, is an error naming the
 * descriptor, @name and its address. Returns the kind or -1.
 */
int remoteDaemonSocketKindOf(int fd, const char *name, const char *rwPath,
                             const char *roPath);

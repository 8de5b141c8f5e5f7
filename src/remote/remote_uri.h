/*
 * remote_uri.h: which URIs the remote driver opens, and what it makes of
 * them: the socket to connect to and the URI to hand to the daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _remoteURI remoteURI;
struct _remoteURI {
    char *driver;       /* the scheme without its transport: "qemu" */
    char *transport;    /* "unix" (also for a scheme without one) */
    char *socket;       /* the unix socket to connect to */
    char *name;         /* the URI sent to the daemon in CONNECT_OPEN */
};

void remoteURIFree(remoteURI *ruri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteURI, remoteURIFree);

/*
 * Parse @uri for the remote driver, for a read-only open if @readonly.
 * Returns 0 with *@ruri set (the caller frees it); -2 (VIR_DRV_OPEN_DECLINED)
 * if the URI is not the remote driver's, with no error; -1 with an error
 * for a URI that is the remote driver's but cannot be opened (a transport
 * to another host, which is not there yet; qemu:///session; a bad
 * parameter). @defaultSocketDir is the directory of the daemon's sockets
 * when the URI names none (the build's $(runstatedir)/libvirt-bp).
 */
int remoteURIParse(GUri *uri, bool readonly, const char *defaultSocketDir,
                   remoteURI **ruri);

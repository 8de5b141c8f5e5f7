/*
 * remote_tls.c: qemu+tls:// (see remote_transport.h): the client's
 * certificates from pkipath= or libvirt's default layout, then TLS over
 * TCP to the daemon (src/rpc/virnetclient.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "remote/remote_transport.h"
#include "rpc/virnettls.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

virNetClient *
remoteTransportOpenTLS(const remoteURI *ruri)
{
    virNetTLSFiles files = { 0 };
    g_autoptr(virNetTLSContext) ctx = NULL;
    g_autofree char *port = NULL;
    virNetClient *client;

    virNetTLSFilesClient(ruri->pkipath, &files);
    /* As libvirt's: no_verify=1 accepts a server whose certificate
     * fails the checks (logged), no_sanity=1 skips the checks of our
     * own certificate before connecting. */
    ctx = virNetTLSContextNew(false, &files, NULL, !ruri->noSanity, !ruri->noVerify,
                              ruri->tlsPriority);
    virNetTLSFilesClear(&files);
    if (!ctx)
        return NULL;
    port = ruri->port > 0 ? g_strdup_printf("%d", ruri->port)
                          : g_strdup(VIR_NET_TLS_PORT);
    VIR_DEBUG("TLS to host '%s' port %s", ruri->host, port);
    client = virNetClientNewTLS(ruri->host, port, ctx);
    return client;
}

/*
 * remote_ssh.c: qemu+ssh:// (see remote_transport.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "remote/remote_transport.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

virNetClient *
remoteTransportOpenSSH(const remoteURI *ruri, bool readonly G_GNUC_UNUSED)
{
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   "transport 'ssh' to host '%s' is not supported yet", ruri->host);
    return NULL;
}

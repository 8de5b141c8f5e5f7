/*
 * remote_session.c: the user's session daemon (see remote_transport.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "remote/remote_transport.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

char *
remoteSessionSocketDir(void)
{
    return g_build_filename(g_get_user_runtime_dir(), "libvirt-bp", NULL);
}

int
remoteSessionEnsureDaemon(const char *socketPath)
{
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   "no session daemon listens on '%s', and starting one is not supported yet",
                   socketPath);
    return -1;
}

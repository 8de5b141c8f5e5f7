/*
 * testutilstls.c: the suites' daemons over tls (see testutilsdaemonpriv.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "testutils.h"
#include "testutilsdaemonpriv.h"

void
virTestTLSPrepare(virTestDaemon *d G_GNUC_UNUSED, GString *conf G_GNUC_UNUSED)
{
    g_error("VIR_TEST_TRANSPORT=tls: not there yet");
}

guint
virTestTLSClients(virTestDaemon *d G_GNUC_UNUSED)
{
    return 0;
}

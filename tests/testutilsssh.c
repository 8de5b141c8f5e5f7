/*
 * testutilsssh.c: the suites' daemons over ssh (see testutilsdaemonpriv.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "testutils.h"
#include "testutilsdaemonpriv.h"

void
virTestSSHPrepare(virTestDaemon *d G_GNUC_UNUSED, GString *conf G_GNUC_UNUSED)
{
    g_error("VIR_TEST_TRANSPORT=ssh: not there yet");
}

void
virTestSSHStart(virTestDaemon *d G_GNUC_UNUSED)
{
}

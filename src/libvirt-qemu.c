/*
 * libvirt-qemu.c: the public entry points of libvirt-qemu.h, for drivers
 * that run QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "libvirt/libvirt-qemu.h"
#include "datatypes.h"
#include "driver.h"
#include "libvirt_internal.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

int
virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd,
                            char **result, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p cmd=%s result=%p flags=0x%x", domain, NULLSTR(cmd),
              result, flags);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    virCheckNonNullArgGoto(cmd, error);
    virCheckNonNullArgGoto(result, error);
    if (!conn->driver->domainQemuMonitorCommand) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainQemuMonitorCommand(domain, cmd, result, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

/*
 * qemu_driver_domain.c: the QEMU driver's calls that a libvirt client
 * expects besides the block pull: the connection's type and host, the old
 * list calls (ids of running domains, names of defined ones), and suspend
 * and resume. Their table entries are in qemu_driver.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "driver.h"
#include "hypervisor/domain_driver.h"
#include "qemu_domain.h"
#include "qemu_driver_domain.h"
#include "qemu_monitor.h"
#include "qemu_process.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

const char *
qemuConnectGetType(virConnectPtr conn G_GNUC_UNUSED)
{
    return "QEMU";
}

char *
qemuConnectGetHostname(virConnectPtr conn G_GNUC_UNUSED)
{
    return virDomainDriverGetHostname();
}

/* ------------------------------------------------------------------ */
/* The old list calls                                                   */

/*
 * The ids of the running domains (@names NULL) or the names of the
 * inactive persistent ones (@ids NULL) of @conn's driver, each domain
 * looked at under its lock, as virConnectListAllDomains() does.
 */
static void
qemuConnectCollect(virConnectPtr conn, GArray *ids, GPtrArray *names)
{
    qemuDriver *driver = conn->privateData;
    g_autoptr(GPtrArray) all = virDomainObjListCollect(driver->domains);

    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        virDomainObjLock(vm);
        if (!vm->removed) {
            if (ids && virDomainObjIsActive(vm))
                g_array_append_val(ids, vm->def->id);
            else if (names && !virDomainObjIsActive(vm) && vm->persistent)
                g_ptr_array_add(names, g_strdup(vm->def->name));
        }
        virDomainObjUnlock(vm);
    }
}

int
qemuConnectNumOfDomains(virConnectPtr conn)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

    qemuConnectCollect(conn, ids, NULL);
    return ids->len;
}

int
qemuConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(int));

    qemuConnectCollect(conn, all, NULL);
    return virDomainDriverExportIDs(all, ids, maxids);
}

int
qemuConnectNumOfDefinedDomains(virConnectPtr conn)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    qemuConnectCollect(conn, NULL, names);
    return names->len;
}

int
qemuConnectListDefinedDomains(virConnectPtr conn, char **const names,
                              int maxnames)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);

    qemuConnectCollect(conn, NULL, all);
    return virDomainDriverExportNames(all, names, maxnames);
}

/* ------------------------------------------------------------------ */
/* Suspend and resume                                                   */

/*
 * Send "stop" or "cont" to the domain's QEMU, with its job held (vm
 * locked; dropped meanwhile). The state and the event are set by
 * qemuProcessSetPaused() / qemuProcessSetRunning(), called both by the
 * monitor's STOP / RESUME handlers and after the reply here: whichever
 * comes first tells it, the other finds nothing left to do.
 */
static int
qemuDomainSetRunState(virDomainPtr dom, const char *api, bool pause)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;
    qemuMonitor *mon;
    int rc;
    int ret = -1;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    priv = vm->privateData;
    if (qemuDomainObjBeginJob(vm, api) < 0)
        goto cleanup;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        goto endjob;
    }
    /* Already there: nothing to send and nothing to tell, as libvirt. */
    if (vm->state == (pause ? VIR_DOMAIN_PAUSED : VIR_DOMAIN_RUNNING)) {
        ret = 0;
        goto endjob;
    }
    /* Set under the lock, for the STOP handler, which may run before the
     * reply comes. */
    if (pause)
        priv->pausedReason = VIR_DOMAIN_PAUSED_USER;
    if (!(mon = qemuDomainObjEnterMonitor(vm))) {
        priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
        goto endjob;
    }
    rc = pause ? qemuMonitorStop(mon) : qemuMonitorCont(mon);
    qemuDomainObjExitMonitor(vm);
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    if (rc < 0)
        goto endjob;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' stopped while it was being %s",
                       vm->def->name, pause ? "suspended" : "resumed");
        goto endjob;
    }
    if (pause)
        qemuProcessSetPaused(driver, vm, VIR_DOMAIN_PAUSED_USER);
    else
        qemuProcessSetRunning(driver, vm, VIR_DOMAIN_RUNNING_UNPAUSED);
    ret = 0;

 endjob:
    qemuDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainSuspend(virDomainPtr dom)
{
    return qemuDomainSetRunState(dom, "virDomainSuspend", true);
}

int
qemuDomainResume(virDomainPtr dom)
{
    return qemuDomainSetRunState(dom, "virDomainResume", false);
}

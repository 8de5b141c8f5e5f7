/*
 * libvirt-domain.c: the public entry points for domains: definition,
 * lifecycle, lookups, queries, block pull and domain events. Each one
 * logs its arguments, resets the thread's error, checks its handle (which
 * also holds it to its read-only classification, src/libvirt_access.h)
 * and its arguments, and dispatches to the connection's driver.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "datatypes.h"
#include "driver.h"
#include "libvirt_internal.h"
#include "conf/domain_conf.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* ------------------------------------------------------------------ */
/* Domains                                                              */

virDomainPtr
virDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    virDomainPtr ret;

    VIR_DEBUG("conn=%p xml=%s flags=0x%x", conn, NULLSTR(xml), flags);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    virCheckNonNullArgGoto(xml, error);
    if (!conn->driver->domainDefineXMLFlags) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainDefineXMLFlags(conn, xml, flags)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

virDomainPtr
virDomainDefineXML(virConnectPtr conn, const char *xml)
{
    return virDomainDefineXMLFlags(conn, xml, 0);
}

int
virDomainUndefineFlags(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p flags=0x%x", domain, flags);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    if (!conn->driver->domainUndefineFlags) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainUndefineFlags(domain, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainUndefine(virDomainPtr domain)
{
    return virDomainUndefineFlags(domain, 0);
}

int
virDomainCreateWithFlags(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p flags=0x%x", domain, flags);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    if (!conn->driver->domainCreateWithFlags) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainCreateWithFlags(domain, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainCreate(virDomainPtr domain)
{
    return virDomainCreateWithFlags(domain, 0);
}

virDomainPtr
virDomainCreateXML(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    virDomainPtr ret;

    VIR_DEBUG("conn=%p xml=%s flags=0x%x", conn, NULLSTR(xmlDesc), flags);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    virCheckNonNullArgGoto(xmlDesc, error);
    if (!conn->driver->domainCreateXML) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainCreateXML(conn, xmlDesc, flags)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

int
virDomainDestroyFlags(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p flags=0x%x", domain, flags);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    if (!conn->driver->domainDestroyFlags) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainDestroyFlags(domain, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainDestroy(virDomainPtr domain)
{
    return virDomainDestroyFlags(domain, 0);
}

virDomainPtr
virDomainLookupByName(virConnectPtr conn, const char *name)
{
    virDomainPtr ret;

    VIR_DEBUG("conn=%p name=%s", conn, NULLSTR(name));
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    virCheckNonNullArgGoto(name, error);
    if (!conn->driver->domainLookupByName) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainLookupByName(conn, name)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

virDomainPtr
virDomainLookupByUUIDString(virConnectPtr conn, const char *uuidstr)
{
    unsigned char uuid[VIR_UUID_BUFLEN];
    virDomainPtr ret;

    VIR_DEBUG("conn=%p uuidstr=%s", conn, NULLSTR(uuidstr));
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    virCheckNonNullArgGoto(uuidstr, error);
    if (virUUIDParse(uuidstr, uuid) < 0) {
        virReportInvalidArg(uuidstr, "'%s' is not a valid UUID", uuidstr);
        goto error;
    }
    if (!conn->driver->domainLookupByUUID) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainLookupByUUID(conn, uuid)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

virDomainPtr
virDomainLookupByID(virConnectPtr conn, int id)
{
    virDomainPtr ret;

    VIR_DEBUG("conn=%p id=%d", conn, id);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    if (id < 0) {
        virReportInvalidArg(id, "domain id %d must not be negative", id);
        goto error;
    }
    if (!conn->driver->domainLookupByID) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainLookupByID(conn, id)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

int
virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                         unsigned int flags)
{
    int ret;

    VIR_DEBUG("conn=%p domains=%p flags=0x%x", conn, domains, flags);
    virResetLastError();
    if (domains)
        *domains = NULL;
    virCheckConnectReturn(conn, -1);
    if (!conn->driver->connectListAllDomains) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectListAllDomains(conn, domains, flags)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

/* The ids or names array of the old list calls: @max not negative, and
 * room behind @array unless it is 0. */
#define virCheckListArgsGoto(array, max, label) \
    do { \
        if ((max) < 0) { \
            virReportInvalidArg(max, "%s must not be negative (got %d)", \
                                #max, (max)); \
            goto label; \
        } \
        if (!(array) && (max) > 0) { \
            virReportInvalidArg(array, "%s must not be NULL when %s is %d", \
                                #array, #max, (max)); \
            goto label; \
        } \
    } while (0)

int
virConnectNumOfDomains(virConnectPtr conn)
{
    int ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (!conn->driver->connectNumOfDomains) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectNumOfDomains(conn)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectNumOfDefinedDomains(virConnectPtr conn)
{
    int ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (!conn->driver->connectNumOfDefinedDomains) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectNumOfDefinedDomains(conn)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    int ret;

    VIR_DEBUG("conn=%p ids=%p maxids=%d", conn, ids, maxids);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckListArgsGoto(ids, maxids, error);
    if (!conn->driver->connectListDomains) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectListDomains(conn, ids, maxids)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectListDefinedDomains(virConnectPtr conn, char **const names,
                             int maxnames)
{
    int ret;

    VIR_DEBUG("conn=%p names=%p maxnames=%d", conn, names, maxnames);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckListArgsGoto(names, maxnames, error);
    if (!conn->driver->connectListDefinedDomains) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectListDefinedDomains(conn, names, maxnames)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

const char *
virDomainGetName(virDomainPtr domain)
{
    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, NULL);
    return domain->name;
}

int
virDomainGetUUID(virDomainPtr domain, unsigned char *uuid)
{
    VIR_DEBUG("dom=%p uuid=%p", domain, uuid);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    virCheckNonNullArgGoto(uuid, error);
    memcpy(uuid, domain->uuid, VIR_UUID_BUFLEN);
    return 0;

 error:
    virDispatchError(domain->conn);
    return -1;
}

int
virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
    VIR_DEBUG("dom=%p buf=%p", domain, buf);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    virCheckNonNullArgGoto(buf, error);
    virUUIDFormat(domain->uuid, buf);
    return 0;

 error:
    virDispatchError(domain->conn);
    return -1;
}

unsigned int
virDomainGetID(virDomainPtr domain)
{
    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, (unsigned int) -1);
    return (unsigned int) domain->id;
}

virConnectPtr
virDomainGetConnect(virDomainPtr domain)
{
    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, NULL);
    return domain->conn;
}

int
virDomainGetState(virDomainPtr domain, int *state, int *reason,
                  unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p state=%p reason=%p flags=0x%x", domain, state, reason, flags);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    virCheckNonNullArgGoto(state, error);
    if (!conn->driver->domainGetState) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainGetState(domain, state, reason, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p info=%p", domain, info);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    virCheckNonNullArgGoto(info, error);
    memset(info, 0, sizeof(*info));
    if (!conn->driver->domainGetInfo) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainGetInfo(domain, info) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

char *
virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;
    char *ret;

    VIR_DEBUG("dom=%p flags=0x%x", domain, flags);
    virResetLastError();
    virCheckDomainFlagsReturn(domain, flags, NULL);
    conn = domain->conn;
    if (!conn->driver->domainGetXMLDesc) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->domainGetXMLDesc(domain, flags)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

int
virDomainIsActive(virDomainPtr domain)
{
    int ret;

    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    if (!domain->conn->driver->domainIsActive) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = domain->conn->driver->domainIsActive(domain)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(domain->conn);
    return -1;
}

int
virDomainIsPersistent(virDomainPtr domain)
{
    int ret;

    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    if (!domain->conn->driver->domainIsPersistent) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = domain->conn->driver->domainIsPersistent(domain)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(domain->conn);
    return -1;
}

int
virDomainRef(virDomainPtr domain)
{
    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    g_atomic_int_inc(&domain->refs);
    return 0;
}

int
virDomainFree(virDomainPtr domain)
{
    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    virObjectUnrefDomain(domain);
    return 0;
}

int
virDomainSuspend(virDomainPtr domain)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    if (!conn->driver->domainSuspend) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainSuspend(domain) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainResume(virDomainPtr domain)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p", domain);
    virResetLastError();
    virCheckDomainReturn(domain, -1);
    conn = domain->conn;
    if (!conn->driver->domainResume) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainResume(domain) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Block pull                                                           */

int
virDomainBlockPull(virDomainPtr dom, const char *path,
                   virDomainBlockPullInfoPtr pos, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p path=%s pos=%p flags=0x%x", dom, NULLSTR(path), pos, flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(path, error);
    if (!conn->driver->domainBlockPull) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockPull(dom, path, pos, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainBlockPullAll(virDomainPtr dom, const char *path, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p path=%s flags=0x%x", dom, NULLSTR(path), flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(path, error);
    if (!conn->driver->domainBlockPullAll) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockPullAll(dom, path, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainBlockPullAbort(virDomainPtr dom, const char *path, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p path=%s flags=0x%x", dom, NULLSTR(path), flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(path, error);
    if (!conn->driver->domainBlockPullAbort) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockPullAbort(dom, path, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainGetBlockPullInfo(virDomainPtr dom, const char *path,
                          virDomainBlockPullInfoPtr info, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p path=%s info=%p flags=0x%x", dom, NULLSTR(path), info, flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(path, error);
    virCheckNonNullArgGoto(info, error);
    if (!conn->driver->domainGetBlockPullInfo) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainGetBlockPullInfo(dom, path, info, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Block jobs (libvirt's API)                                           */

int
virDomainBlockRebase(virDomainPtr dom, const char *disk, const char *base,
                     unsigned long bandwidth, unsigned int flags)
{
    virConnectPtr conn;
    const unsigned int copyFlags = VIR_DOMAIN_BLOCK_REBASE_SHALLOW |
                                   VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT |
                                   VIR_DOMAIN_BLOCK_REBASE_COPY_RAW |
                                   VIR_DOMAIN_BLOCK_REBASE_COPY |
                                   VIR_DOMAIN_BLOCK_REBASE_COPY_DEV;

    VIR_DEBUG("dom=%p disk=%s base=%s bandwidth=%lu flags=0x%x",
              dom, NULLSTR(disk), NULLSTR(base), bandwidth, flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(disk, error);
    if (flags & copyFlags) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                       "block copy is not supported (flags 0x%x of virDomainBlockRebase ask for a copy); only pulls are",
                       flags & copyFlags);
        goto error;
    }
    if (!conn->driver->domainBlockRebase) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockRebase(dom, disk, base, bandwidth, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainGetBlockJobInfo(virDomainPtr dom, const char *disk,
                         virDomainBlockJobInfoPtr info, unsigned int flags)
{
    virConnectPtr conn;
    int ret;

    VIR_DEBUG("dom=%p disk=%s info=%p flags=0x%x", dom, NULLSTR(disk), info, flags);
    virResetLastError();
    if (info)
        memset(info, 0, sizeof(*info));
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(disk, error);
    virCheckNonNullArgGoto(info, error);
    if (!conn->driver->domainGetBlockJobInfo) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->domainGetBlockJobInfo(dom, disk, info, flags)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainBlockJobAbort(virDomainPtr dom, const char *disk, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p disk=%s flags=0x%x", dom, NULLSTR(disk), flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(disk, error);
    if (!conn->driver->domainBlockJobAbort) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockJobAbort(dom, disk, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virDomainBlockJobSetSpeed(virDomainPtr dom, const char *disk,
                          unsigned long bandwidth, unsigned int flags)
{
    virConnectPtr conn;

    VIR_DEBUG("dom=%p disk=%s bandwidth=%lu flags=0x%x",
              dom, NULLSTR(disk), bandwidth, flags);
    virResetLastError();
    virCheckDomainReturn(dom, -1);
    conn = dom->conn;
    virCheckNonNullArgGoto(disk, error);
    if (!conn->driver->domainBlockJobSetSpeed) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->domainBlockJobSetSpeed(dom, disk, bandwidth, flags) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Domain events                                                        */

int
virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                 int eventID,
                                 virConnectDomainEventGenericCallback cb,
                                 void *opaque, virFreeCallback freecb)
{
    int ret;

    VIR_DEBUG("conn=%p dom=%p eventID=%d cb=%p opaque=%p freecb=%p",
              conn, dom, eventID, cb, opaque, freecb);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (dom) {
        if (!virDomainIsValid(dom) || dom->conn != conn) {
            virReportInvalidArg(dom, "%s",
                                "domain must be a valid domain of this connection");
            goto error;
        }
    }
    virCheckNonNullArgGoto(cb, error);
    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        virReportInvalidArg(eventID, "eventID must be less than %d",
                            VIR_DOMAIN_EVENT_ID_LAST);
        goto error;
    }
    if (!conn->driver->connectDomainEventRegisterAny) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectDomainEventRegisterAny(conn, dom, eventID,
                                                           cb, opaque,
                                                           freecb)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    VIR_DEBUG("conn=%p callbackID=%d", conn, callbackID);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (callbackID < 0) {
        virReportInvalidArg(callbackID, "callbackID %d must not be negative",
                            callbackID);
        goto error;
    }
    if (!conn->driver->connectDomainEventDeregisterAny) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->connectDomainEventDeregisterAny(conn, callbackID) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

/*
 * libvirt.c: the public entry points. Each one logs its arguments, resets
 * the thread's error, checks handles, arguments and read-only connections,
 * and dispatches to the connection's driver. No hypervisor logic lives here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "libvirt/libvirt-qemu.h"
#include "datatypes.h"
#include "driver.h"
#include "conf/domain_conf.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIR_DEFAULT_URI "qemu:///system"

static virConnectDriver *virConnectDrivers[] = {
    &qemuConnectDriver,
};

/* Keep the failure of a call on @conn readable with virConnGetLastError(). */
static void
virDispatchError(virConnectPtr conn)
{
    virErrorPtr err = virErrorGetCurrent();

    if (!err) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "an error occurred, but the cause is unknown");
        err = virErrorGetCurrent();
    }
    if (conn && virConnectIsValid(conn)) {
        g_mutex_lock(&conn->lock);
        virErrorCopy(err, &conn->err);
        g_mutex_unlock(&conn->lock);
    }
}

#define virCheckConnectReturn(conn, retval) \
    do { \
        if (!virConnectIsValid(conn)) { \
            virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_NONE, \
                              VIR_ERR_INVALID_CONN, VIR_ERR_ERROR, \
                              "%s: invalid connection pointer", __func__); \
            virDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

#define virCheckDomainReturn(dom, retval) \
    do { \
        if (!virDomainIsValid(dom)) { \
            virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_DOM, \
                              VIR_ERR_INVALID_DOMAIN, VIR_ERR_ERROR, \
                              "%s: invalid domain pointer", __func__); \
            virDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

#define virCheckNonNullArgGoto(arg, label) \
    do { \
        if (!(arg)) { \
            virReportInvalidNonNullArg(arg); \
            goto label; \
        } \
    } while (0)

#define virCheckReadOnlyGoto(connflags, label) \
    do { \
        if ((connflags) & VIR_CONNECT_RO) { \
            virReportError(VIR_ERR_OPERATION_DENIED, "%s", \
                           "this function is not supported on a read-only connection"); \
            goto label; \
        } \
    } while (0)

#define virReportUnsupported() \
    virReportError(VIR_ERR_NO_SUPPORT, "this function is not supported by the connection driver: %s", \
                   __func__)

/* ------------------------------------------------------------------ */
/* Connections                                                          */

/*
 * One-time set-up, before the library starts threads of its own. GLib's
 * number parsing builds its C locale on first use; a thread that has to
 * wait for another one doing that may see errno set by the wait and take a
 * valid number for an error. Do the first use here, alone.
 */
static gpointer
virGlobalInitOnce(gpointer data G_GNUC_UNUSED)
{
    guint64 unused;

    g_ascii_string_to_unsigned("0", 10, 0, 1, &unused, NULL);
    return NULL;
}

/**
 * virInitialize:
 *
 * Set the library up. Every call that needs it does this itself; calling
 * it first is only useful to learn early that the environment is bad.
 *
 * Returns 0, or -1 with an error (VIR_ERR_INVALID_ARG if LIBVIRT_DEBUG is
 * set to something that is not a log level); the same error comes back
 * on every later call.
 */
int
virInitialize(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, virGlobalInitOnce, NULL);
    return virLogInitialize();
}

static virConnectPtr
virConnectOpenInternal(const char *name, unsigned int flags)
{
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GError) gerr = NULL;
    virConnectPtr conn = NULL;
    size_t i;

    if (virInitialize() < 0)
        return NULL;
    if (!name || !*name) {
        name = g_getenv("LIBVIRT_DEFAULT_URI");
        if (!name || !*name)
            name = VIR_DEFAULT_URI;
    }
    VIR_DEBUG("opening '%s' flags=0x%x", name, flags);

    if (!(uri = g_uri_parse(name, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                            &gerr))) {
        virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_URI,
                          VIR_ERR_INVALID_ARG, VIR_ERR_ERROR,
                          "cannot parse connection URI '%s': %s", name,
                          gerr->message);
        return NULL;
    }

    conn = virGetConnect();
    conn->flags = flags;
    conn->uri = g_strdup(name);

    for (i = 0; i < G_N_ELEMENTS(virConnectDrivers); i++) {
        virDrvOpenStatus st;

        conn->driver = virConnectDrivers[i];
        st = conn->driver->connectOpen(conn, uri, flags);
        if (st == VIR_DRV_OPEN_SUCCESS)
            return conn;
        if (st == VIR_DRV_OPEN_ERROR) {
            conn->driver = NULL;
            virObjectUnrefConnect(conn);
            return NULL;
        }
    }
    conn->driver = NULL;
    virObjectUnrefConnect(conn);
    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_NONE,
                      VIR_ERR_NO_CONNECT, VIR_ERR_ERROR,
                      "no connection driver available for '%s' (this build "
                      "supports qemu:///embed?root=DIR)", name);
    return NULL;
}

virConnectPtr
virConnectOpen(const char *name)
{
    virConnectPtr conn;

    VIR_DEBUG("name=%s", NULLSTR(name));
    virResetLastError();
    if (!(conn = virConnectOpenInternal(name, 0)))
        virDispatchError(NULL);
    return conn;
}

virConnectPtr
virConnectOpenReadOnly(const char *name)
{
    virConnectPtr conn;

    VIR_DEBUG("name=%s", NULLSTR(name));
    virResetLastError();
    if (!(conn = virConnectOpenInternal(name, VIR_CONNECT_RO)))
        virDispatchError(NULL);
    return conn;
}

int
virConnectRef(virConnectPtr conn)
{
    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    g_atomic_int_inc(&conn->refs);
    return 0;
}

int
virConnectClose(virConnectPtr conn)
{
    int left;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    left = g_atomic_int_add(&conn->refs, 0) - 1;
    virObjectUnrefConnect(conn);
    return left;
}

char *
virConnectGetURI(virConnectPtr conn)
{
    char *ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    if (conn->driver->connectGetURI) {
        if (!(ret = conn->driver->connectGetURI(conn)))
            goto error;
        return ret;
    }
    return strdup(conn->uri);

 error:
    virDispatchError(conn);
    return NULL;
}

int
virConnectIsAlive(virConnectPtr conn)
{
    int ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (!conn->driver->connectIsAlive)
        return 1;
    if ((ret = conn->driver->connectIsAlive(conn)) < 0)
        virDispatchError(conn);
    return ret;
}

int
virGetVersion(unsigned long *libVer, const char *type G_GNUC_UNUSED,
              unsigned long *typeVer)
{
    virResetLastError();
    if (virInitialize() < 0) {
        virDispatchError(NULL);
        return -1;
    }
    if (libVer)
        *libVer = LIBVIR_VERSION_NUMBER;
    if (typeVer)
        *typeVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

int
virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    VIR_DEBUG("conn=%p libVer=%p", conn, libVer);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(libVer, error);
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    VIR_DEBUG("conn=%p hvVer=%p", conn, hvVer);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(hvVer, error);
    if (!conn->driver->connectGetVersion) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->connectGetVersion(conn, hvVer) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

virErrorPtr
virConnGetLastError(virConnectPtr conn)
{
    if (!virConnectIsValid(conn))
        return NULL;
    return conn->err.code == VIR_ERR_OK ? NULL : &conn->err;
}

void
virConnResetLastError(virConnectPtr conn)
{
    if (!virConnectIsValid(conn))
        return;
    g_mutex_lock(&conn->lock);
    virResetError(&conn->err);
    g_mutex_unlock(&conn->lock);
}

int
virConnCopyLastError(virConnectPtr conn, virErrorPtr to)
{
    int ret;

    if (!virConnectIsValid(conn) || !to)
        return -1;
    g_mutex_lock(&conn->lock);
    if (conn->err.code == VIR_ERR_OK) {
        virResetError(to);
        ret = 0;
    } else {
        ret = virErrorCopy(&conn->err, to);
    }
    g_mutex_unlock(&conn->lock);
    return ret;
}

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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckDomainReturn(domain, NULL);
    conn = domain->conn;
    if ((conn->flags & VIR_CONNECT_RO) && (flags & VIR_DOMAIN_XML_SECURE)) {
        virReportError(VIR_ERR_OPERATION_DENIED, "%s",
                       "virDomainGetXMLDesc with secure flag");
        goto error;
    }
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    virCheckReadOnlyGoto(conn->flags, error);
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
    if (eventID != VIR_DOMAIN_EVENT_ID_LIFECYCLE &&
        eventID != VIR_DOMAIN_EVENT_ID_BLOCK_PULL) {
        virReportInvalidArg(eventID, "unsupported event ID %d", eventID);
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

/* ------------------------------------------------------------------ */
/* QEMU specific                                                        */

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
    virCheckReadOnlyGoto(conn->flags, error);
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

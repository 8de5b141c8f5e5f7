/*
 * driver-hypervisor.h: the hypervisor driver table. One function pointer
 * per public call that reaches a driver; a driver leaves NULL what it does
 * not support and the public entry point then reports VIR_ERR_NO_SUPPORT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VIR_DRIVER_H_ALLOW
# error "include driver.h, not driver-hypervisor.h"
#endif

typedef enum {
    VIR_DRV_OPEN_SUCCESS = 0,
    VIR_DRV_OPEN_DECLINED = -2,     /* the URI is not for this driver */
    VIR_DRV_OPEN_ERROR = -1,
} virDrvOpenStatus;

/*
 * Open @conn on @uri. @auth is the caller's (NULL from virConnectOpen()
 * and virConnectOpenReadOnly()): a driver that needs credentials asks
 * them through it. @flags: VIR_CONNECT_RO.
 */
typedef virDrvOpenStatus (*virDrvConnectOpen)(virConnectPtr conn, GUri *uri,
                                              virConnectAuthPtr auth,
                                              unsigned int flags);
typedef int (*virDrvConnectClose)(virConnectPtr conn);
typedef char *(*virDrvConnectGetURI)(virConnectPtr conn);
typedef int (*virDrvConnectIsAlive)(virConnectPtr conn);
typedef int (*virDrvConnectGetVersion)(virConnectPtr conn, unsigned long *hvVer);

typedef virDomainPtr (*virDrvDomainDefineXMLFlags)(virConnectPtr conn,
                                                   const char *xml,
                                                   unsigned int flags);
typedef int (*virDrvDomainUndefineFlags)(virDomainPtr dom, unsigned int flags);
typedef int (*virDrvDomainCreateWithFlags)(virDomainPtr dom, unsigned int flags);
typedef virDomainPtr (*virDrvDomainCreateXML)(virConnectPtr conn,
                                              const char *xml,
                                              unsigned int flags);
typedef int (*virDrvDomainDestroyFlags)(virDomainPtr dom, unsigned int flags);
typedef virDomainPtr (*virDrvDomainLookupByName)(virConnectPtr conn,
                                                 const char *name);
typedef virDomainPtr (*virDrvDomainLookupByUUID)(virConnectPtr conn,
                                                 const unsigned char *uuid);
typedef virDomainPtr (*virDrvDomainLookupByID)(virConnectPtr conn, int id);
typedef int (*virDrvConnectListAllDomains)(virConnectPtr conn,
                                           virDomainPtr **domains,
                                           unsigned int flags);
typedef int (*virDrvDomainGetState)(virDomainPtr dom, int *state, int *reason,
                                    unsigned int flags);
typedef int (*virDrvDomainGetInfo)(virDomainPtr dom, virDomainInfoPtr info);
typedef char *(*virDrvDomainGetXMLDesc)(virDomainPtr dom, unsigned int flags);
typedef int (*virDrvDomainIsActive)(virDomainPtr dom);
typedef int (*virDrvDomainIsPersistent)(virDomainPtr dom);

typedef int (*virDrvDomainBlockPull)(virDomainPtr dom, const char *path,
                                     virDomainBlockPullInfoPtr pos,
                                     unsigned int flags);
typedef int (*virDrvDomainBlockPullAll)(virDomainPtr dom, const char *path,
                                        unsigned int flags);
typedef int (*virDrvDomainBlockPullAbort)(virDomainPtr dom, const char *path,
                                          unsigned int flags);
typedef int (*virDrvDomainGetBlockPullInfo)(virDomainPtr dom, const char *path,
                                            virDomainBlockPullInfoPtr info,
                                            unsigned int flags);

typedef int (*virDrvDomainBlockRebase)(virDomainPtr dom, const char *disk,
                                       const char *base,
                                       unsigned long bandwidth,
                                       unsigned int flags);
typedef int (*virDrvDomainGetBlockJobInfo)(virDomainPtr dom, const char *disk,
                                           virDomainBlockJobInfoPtr info,
                                           unsigned int flags);
typedef int (*virDrvDomainBlockJobAbort)(virDomainPtr dom, const char *disk,
                                         unsigned int flags);
typedef int (*virDrvDomainBlockJobSetSpeed)(virDomainPtr dom, const char *disk,
                                            unsigned long bandwidth,
                                            unsigned int flags);

typedef int (*virDrvDomainQemuMonitorCommand)(virDomainPtr dom, const char *cmd,
                                              char **result, unsigned int flags);

typedef int (*virDrvConnectDomainEventRegisterAny)(virConnectPtr conn,
                                                   virDomainPtr dom,
                                                   int eventID,
                                                   virConnectDomainEventGenericCallback cb,
                                                   void *opaque,
                                                   virFreeCallback freecb);
typedef int (*virDrvConnectDomainEventDeregisterAny)(virConnectPtr conn,
                                                     int callbackID);

/* What a libvirt client expects besides the domain calls above. */
typedef const char *(*virDrvConnectGetType)(virConnectPtr conn);
typedef char *(*virDrvConnectGetHostname)(virConnectPtr conn);
typedef int (*virDrvConnectSetKeepAlive)(virConnectPtr conn, int interval,
                                         unsigned int count);
typedef int (*virDrvConnectNumOfDomains)(virConnectPtr conn);
typedef int (*virDrvConnectListDomains)(virConnectPtr conn, int *ids,
                                        int maxids);
typedef int (*virDrvConnectNumOfDefinedDomains)(virConnectPtr conn);
typedef int (*virDrvConnectListDefinedDomains)(virConnectPtr conn,
                                               char **const names,
                                               int maxnames);
typedef int (*virDrvDomainSuspend)(virDomainPtr dom);
typedef int (*virDrvDomainResume)(virDomainPtr dom);

/* virHypervisorDriver (typedef in datatypes.h) */
struct _virHypervisorDriver {
    const char *name;           /* "QEMU", "Test": for logs and errors */
    virDrvConnectOpen connectOpen;
    virDrvConnectClose connectClose;
    virDrvConnectGetURI connectGetURI;
    virDrvConnectIsAlive connectIsAlive;
    virDrvConnectGetVersion connectGetVersion;
    virDrvDomainDefineXMLFlags domainDefineXMLFlags;
    virDrvDomainUndefineFlags domainUndefineFlags;
    virDrvDomainCreateWithFlags domainCreateWithFlags;
    virDrvDomainCreateXML domainCreateXML;
    virDrvDomainDestroyFlags domainDestroyFlags;
    virDrvDomainLookupByName domainLookupByName;
    virDrvDomainLookupByUUID domainLookupByUUID;
    virDrvDomainLookupByID domainLookupByID;
    virDrvConnectListAllDomains connectListAllDomains;
    virDrvDomainGetState domainGetState;
    virDrvDomainGetInfo domainGetInfo;
    virDrvDomainGetXMLDesc domainGetXMLDesc;
    virDrvDomainIsActive domainIsActive;
    virDrvDomainIsPersistent domainIsPersistent;
    virDrvDomainBlockPull domainBlockPull;
    virDrvDomainBlockPullAll domainBlockPullAll;
    virDrvDomainBlockPullAbort domainBlockPullAbort;
    virDrvDomainGetBlockPullInfo domainGetBlockPullInfo;
    virDrvDomainBlockRebase domainBlockRebase;
    virDrvDomainGetBlockJobInfo domainGetBlockJobInfo;
    virDrvDomainBlockJobAbort domainBlockJobAbort;
    virDrvDomainBlockJobSetSpeed domainBlockJobSetSpeed;
    virDrvDomainQemuMonitorCommand domainQemuMonitorCommand;
    virDrvConnectDomainEventRegisterAny connectDomainEventRegisterAny;
    virDrvConnectDomainEventDeregisterAny connectDomainEventDeregisterAny;
    /* Client calls (NULL: connectGetType falls back to @name,
     * connectSetKeepAlive fails with VIR_ERR_NO_SUPPORT, as libvirt). */
    virDrvConnectGetType connectGetType;
    virDrvConnectGetHostname connectGetHostname;
    virDrvConnectSetKeepAlive connectSetKeepAlive;
    virDrvConnectNumOfDomains connectNumOfDomains;
    virDrvConnectListDomains connectListDomains;
    virDrvConnectNumOfDefinedDomains connectNumOfDefinedDomains;
    virDrvConnectListDefinedDomains connectListDefinedDomains;
    virDrvDomainSuspend domainSuspend;
    virDrvDomainResume domainResume;
};

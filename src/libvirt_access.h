/*
 * libvirt_access.h: every public symbol of the library and what it may do
 * on a read-only connection. This table is the one place that decides:
 * the entry points' handle checks look their own name up in it (see
 * virAPICheckAccess() in libvirt.c), and an entry point missing from it
 * fails on every connection. tests/virreadonlytest.c includes this file
 * too: it checks the table against src/libvirt_bp.syms (a new symbol
 * forces a decision here) and calls every entry on a read-only
 * connection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "libvirt/libvirt.h"

typedef enum {
    VIR_API_ACCESS_LOCAL,       /* no connection involved (errors, event
                                 * loop, opening): nothing to refuse */
    VIR_API_ACCESS_READ,        /* queries, references, event callbacks:
                                 * allowed on a read-only connection */
    VIR_API_ACCESS_WRITE,       /* changes a domain or the driver: refused
                                 * with VIR_ERR_OPERATION_DENIED */
} virAPIAccess;

typedef struct {
    const char *name;
    virAPIAccess access;
    /* For a READ entry: the flags that make a call privileged, refused on
     * a read-only connection as a WRITE would be. */
    unsigned int writeFlags;
} virAPIAccessEntry;

/* Sorted by name, as src/libvirt_bp.syms. */
static const virAPIAccessEntry virAPIAccessTable[] = {
    { "virConnCopyLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnGetLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnResetLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnectAuthPtrDefault", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnectClose", VIR_API_ACCESS_READ, 0 },
    /* libvirt lets read-only connections watch events. */
    { "virConnectDomainEventDeregisterAny", VIR_API_ACCESS_READ, 0 },
    { "virConnectDomainEventRegisterAny", VIR_API_ACCESS_READ, 0 },
    { "virConnectGetHostname", VIR_API_ACCESS_READ, 0 },
    { "virConnectGetLibVersion", VIR_API_ACCESS_READ, 0 },
    { "virConnectGetType", VIR_API_ACCESS_READ, 0 },
    { "virConnectGetURI", VIR_API_ACCESS_READ, 0 },
    { "virConnectGetVersion", VIR_API_ACCESS_READ, 0 },
    { "virConnectIsAlive", VIR_API_ACCESS_READ, 0 },
    { "virConnectListAllDomains", VIR_API_ACCESS_READ, 0 },
    { "virConnectListDefinedDomains", VIR_API_ACCESS_READ, 0 },
    { "virConnectListDomains", VIR_API_ACCESS_READ, 0 },
    { "virConnectNumOfDefinedDomains", VIR_API_ACCESS_READ, 0 },
    { "virConnectNumOfDomains", VIR_API_ACCESS_READ, 0 },
    { "virConnectOpen", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnectOpenAuth", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnectOpenReadOnly", VIR_API_ACCESS_LOCAL, 0 },
    { "virConnectRef", VIR_API_ACCESS_READ, 0 },
    /* A close callback and keepalive belong to the connection, not to
     * what it manages: allowed read-only, as in libvirt. */
    { "virConnectRegisterCloseCallback", VIR_API_ACCESS_READ, 0 },
    { "virConnectSetKeepAlive", VIR_API_ACCESS_READ, 0 },
    { "virConnectUnregisterCloseCallback", VIR_API_ACCESS_READ, 0 },
    { "virCopyLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virDomainBlockJobAbort", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainBlockJobSetSpeed", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainBlockPull", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainBlockPullAbort", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainBlockPullAll", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainBlockRebase", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainCreate", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainCreateWithFlags", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainCreateXML", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainDefineXML", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainDefineXMLFlags", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainDestroy", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainDestroyFlags", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainFree", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetBlockJobInfo", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetBlockPullInfo", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetConnect", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetID", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetInfo", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetName", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetState", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetUUID", VIR_API_ACCESS_READ, 0 },
    { "virDomainGetUUIDString", VIR_API_ACCESS_READ, 0 },
    /* The secure XML may hold secrets (libvirt's rule). */
    { "virDomainGetXMLDesc", VIR_API_ACCESS_READ, VIR_DOMAIN_XML_SECURE },
    { "virDomainIsActive", VIR_API_ACCESS_READ, 0 },
    { "virDomainIsPersistent", VIR_API_ACCESS_READ, 0 },
    { "virDomainLookupByID", VIR_API_ACCESS_READ, 0 },
    { "virDomainLookupByName", VIR_API_ACCESS_READ, 0 },
    { "virDomainLookupByUUIDString", VIR_API_ACCESS_READ, 0 },
    /* Any QMP command, "quit" included: never read-only. */
    { "virDomainQemuMonitorCommand", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainRef", VIR_API_ACCESS_READ, 0 },
    { "virDomainResume", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainSuspend", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainUndefine", VIR_API_ACCESS_WRITE, 0 },
    { "virDomainUndefineFlags", VIR_API_ACCESS_WRITE, 0 },
    { "virEventAddHandle", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventAddTimeout", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventRegisterDefaultImpl", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventRemoveHandle", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventRemoveTimeout", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventRunDefaultImpl", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventUpdateHandle", VIR_API_ACCESS_LOCAL, 0 },
    { "virEventUpdateTimeout", VIR_API_ACCESS_LOCAL, 0 },
    { "virFreeError", VIR_API_ACCESS_LOCAL, 0 },
    { "virGetLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virGetLastErrorCode", VIR_API_ACCESS_LOCAL, 0 },
    { "virGetLastErrorDomain", VIR_API_ACCESS_LOCAL, 0 },
    { "virGetLastErrorMessage", VIR_API_ACCESS_LOCAL, 0 },
    { "virGetVersion", VIR_API_ACCESS_LOCAL, 0 },
    { "virInitialize", VIR_API_ACCESS_LOCAL, 0 },
    { "virResetError", VIR_API_ACCESS_LOCAL, 0 },
    { "virResetLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virSaveLastError", VIR_API_ACCESS_LOCAL, 0 },
    { "virSetErrorFunc", VIR_API_ACCESS_LOCAL, 0 },
};

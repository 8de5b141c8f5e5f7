/*
 * libvirt_internal.h: what the public entry points (libvirt.c,
 * libvirt-domain.c, libvirt-qemu.c) share: the checks of their prologue
 * and the hand-over of a failure to the caller.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "datatypes.h"
#include "util/virerror.h"

/* Keep the failure of a call on @conn (may be NULL) readable with
 * virConnGetLastError() too. */
void virDispatchError(virConnectPtr conn);

/*
 * May @func (a public function's name) run on @conn with @flags? Decided
 * by the table of src/libvirt_access.h alone: on a read-only connection a
 * WRITE function, or a READ one given one of its write flags, fails with
 * VIR_ERR_OPERATION_DENIED. A name missing from the table fails on every
 * connection (VIR_ERR_INTERNAL_ERROR): each new entry point must be
 * classified. Returns 0 or -1 with the error reported.
 */
int virAPICheckAccess(virConnectPtr conn, const char *func, unsigned int flags);

/*
 * The prologue's handle checks. Every entry point that takes a connection
 * or a domain starts with one of them, after virResetLastError(): an
 * invalid handle fails with VIR_ERR_INVALID_CONN / VIR_ERR_INVALID_DOMAIN,
 * and the call is then held to its read-only classification.
 */
#define virCheckConnectReturn(conn, retval) \
    do { \
        if (!virConnectIsValid(conn)) { \
            virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_NONE, \
                              VIR_ERR_INVALID_CONN, VIR_ERR_ERROR, \
                              "%s: invalid connection pointer", __func__); \
            virDispatchError(NULL); \
            return retval; \
        } \
        if (virAPICheckAccess(conn, __func__, 0) < 0) { \
            virDispatchError(conn); \
            return retval; \
        } \
    } while (0)

/* As virCheckDomainReturn(), for a call whose @flags may make it a write. */
#define virCheckDomainFlagsReturn(dom, flags, retval) \
    do { \
        if (!virDomainIsValid(dom)) { \
            virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_DOM, \
                              VIR_ERR_INVALID_DOMAIN, VIR_ERR_ERROR, \
                              "%s: invalid domain pointer", __func__); \
            virDispatchError(NULL); \
            return retval; \
        } \
        if (virAPICheckAccess((dom)->conn, __func__, (flags)) < 0) { \
            virDispatchError((dom)->conn); \
            return retval; \
        } \
    } while (0)

#define virCheckDomainReturn(dom, retval) \
    virCheckDomainFlagsReturn(dom, 0, retval)

#define virCheckNonNullArgGoto(arg, label) \
    do { \
        if (!(arg)) { \
            virReportInvalidNonNullArg(arg); \
            goto label; \
        } \
    } while (0)

#define virReportUnsupported() \
    virReportError(VIR_ERR_NO_SUPPORT, \
                   "this function is not supported by the connection driver: %s", \
                   __func__)

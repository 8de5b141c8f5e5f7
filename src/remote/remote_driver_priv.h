/*
 * remote_driver_priv.h: what the remote driver's files share: a
 * connection's private data and the helpers that make calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "driver.h"
#include "conf/domain_event.h"
#include "rpc/virnetclient.h"
#include "remote/remote_protocol.h"

typedef struct _remotePrivate remotePrivate;

/*
 * One connection to a daemon. Shared between the connection (which owns
 * one reference, dropped at close) and the rpc client's I/O thread (one
 * more, dropped when the client lets go of its close callback), because
 * events and the close notice may still arrive while the connection is
 * being closed.
 */
struct _remotePrivate {
    gint refs;
    virNetClient *client;

    GMutex lock;                /* protects what follows */
    virConnectPtr conn;         /* not a reference; NULL once closed */
    virDomainEventState *eventState;
    GHashTable *localToRemote;  /* our callback id -> the daemon's */
    GHashTable *remoteKnown;    /* the daemon's callback ids in use */
    unsigned int registering;   /* registrations waiting for the daemon */
    GQueue pendingEvents;       /* remotePendingEvent: for ids not known yet */
    char *type;                 /* cached CONNECT_GET_TYPE */
    bool serverKeepAlive;       /* the daemon speaks keepalive */
    bool serverBP;              /* the daemon has BP_PROGRAM (and sends us
                                 * its events) */
};

/* The connection's private data (checked by every call). */
remotePrivate *remoteGetPrivate(virConnectPtr conn);

/* A call of the remote program; 0, or -1 with the daemon's error raised
 * as it sent it, or VIR_ERR_RPC when the connection failed. */
int remoteCall(virConnectPtr conn, int proc, xdrproc_t argsFilter, void *args,
               xdrproc_t retFilter, void *ret);
/* The same, of the QEMU program and of ours (block pull). */
int remoteCallQemu(virConnectPtr conn, int proc, xdrproc_t argsFilter,
                   void *args, xdrproc_t retFilter, void *ret);
int remoteCallBP(virConnectPtr conn, int proc, xdrproc_t argsFilter,
                 void *args, xdrproc_t retFilter, void *ret);

/* A domain handle from the wire's, and back. */
virDomainPtr remoteDriverGetDomain(virConnectPtr conn, const remote_nonnull_domain *rdom);
void remoteDriverMakeDomain(remote_nonnull_domain *rdom, virDomainPtr dom);

/* The connection's calls (remote_driver.c), for the table. */
virDrvOpenStatus remoteConnectOpen(virConnectPtr conn, GUri *uri,
                                   virConnectAuthPtr auth, unsigned int flags);
int remoteConnectClose(virConnectPtr conn);
int remoteConnectIsAlive(virConnectPtr conn);
int remoteConnectSetKeepAlive(virConnectPtr conn, int interval,
                              unsigned int count);
int remoteConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                        int eventID,
                                        virConnectDomainEventGenericCallback cb,
                                        void *opaque, virFreeCallback freecb);
int remoteConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID);

/* The table of calls (remote_driver_domain.c). */
extern virHypervisorDriver remoteHypervisorDriver;

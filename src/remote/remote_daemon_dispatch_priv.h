/*
 * remote_daemon_dispatch_priv.h: what the files of the daemon's dispatch
 * share: the per-client state, the helpers that turn wire handles into
 * library handles and back, and the declarations of the handlers the
 * procedure tables name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "rpc/virnetserver.h"
#include "remote/remote_protocol.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"

/*
 * A client's state. @lock protects @conn, @uri and @callbacks; calls on
 * the connection run without it, on a reference of their own.
 */
typedef struct _remoteClient remoteClient;
struct _remoteClient {
    GMutex lock;
    virNetServerClient *client;  /* the client this belongs to (no ref) */
    const char *systemURI;       /* the daemon's; not owned */
    virConnectPtr conn;          /* NULL until CONNECT_OPEN */
    char *uri;                   /* what GET_URI answers */
    GArray *callbacks;           /* int: ids of the event registrations */
    bool bpAware;                /* asked about BP_FEATURE_PROGRAM: may get
                                  * BP_PROGRAM's messages (event id 7) */
};

/*
 * The client's connection, with a reference of the caller's (drop it
 * with virObjectUnrefConnect()), or NULL with an error if the client has
 * none open.
 */
virConnectPtr remoteClientGetConn(virNetServerClient *client);

/* The library's handle of the domain @dom names (by its UUID), or NULL
 * with the library's error (VIR_ERR_NO_DOMAIN). */
virDomainPtr remoteGetDomain(virConnectPtr conn, const remote_nonnull_domain *dom);

/* Fill @out with @dom's name (a copy), UUID and id. */
void remoteMakeDomain(remote_nonnull_domain *out, virDomainPtr dom);

void remoteDomainUnrefp(virDomainPtr *dom);
void remoteConnUnrefp(virConnectPtr *conn);
/* Locals released when they go out of scope, without touching the
 * thread's last error (the public free functions reset it, and it is
 * what goes back to the client). */
#define REMOTE_AUTO_DOMAIN __attribute__((cleanup(remoteDomainUnrefp)))
#define REMOTE_AUTO_CONN __attribute__((cleanup(remoteConnUnrefp)))

/*
 * A procedure's handler as the server calls it. REMOTE_DISPATCH_DECL
 * declares one; REMOTE_DISPATCH_CONN defines one that runs @body-function
 * remoteDispatchNAMEConn(conn, args, ret) with the client's connection
 * (the handler fails with "connection not open" without one).
 */
#define REMOTE_DISPATCH_DECL(name) \
    int remoteDispatch##name(virNetServer *server, \
                             virNetServerClient *client, \
                             const virNetMessageHeader *header, \
                             virNetMessageError *rerr, \
                             void *args, void *ret)

#define REMOTE_DISPATCH_CONN(name, argsType, retType) \
    static int remoteDispatch##name##Conn(virConnectPtr conn, \
                                          argsType *args, retType *ret); \
    REMOTE_DISPATCH_DECL(name) \
    { \
        REMOTE_AUTO_CONN virConnectPtr conn = remoteClientGetConn(client); \
        int rv; \
        (void)server; \
        (void)header; \
        if (!conn) { \
            virNetMessageSaveError(rerr); \
            return -1; \
        } \
        rv = remoteDispatch##name##Conn(conn, args, ret); \
        if (rv < 0) \
            virNetMessageSaveError(rerr); \
        return rv; \
    } \
    static int remoteDispatch##name##Conn(virConnectPtr conn, \
                                          argsType *args, retType *ret)

/* The handlers defined with REMOTE_DISPATCH_CONN in remote_daemon_dispatch.c. */
REMOTE_DISPATCH_DECL(ConnectGetType);
REMOTE_DISPATCH_DECL(ConnectGetVersion);
REMOTE_DISPATCH_DECL(ConnectGetLibVersion);
REMOTE_DISPATCH_DECL(ConnectGetHostname);
REMOTE_DISPATCH_DECL(ConnectGetMaxVcpus);
REMOTE_DISPATCH_DECL(ConnectIsSecure);
REMOTE_DISPATCH_DECL(NodeGetSecurityModel);
REMOTE_DISPATCH_DECL(NodeGetInfo);
REMOTE_DISPATCH_DECL(ConnectGetCapabilities);

/* The handlers of remote_daemon_dispatch_domain.c. */
REMOTE_DISPATCH_DECL(DomainCreate);
REMOTE_DISPATCH_DECL(DomainCreateXML);
REMOTE_DISPATCH_DECL(DomainDefineXML);
REMOTE_DISPATCH_DECL(DomainDestroy);
REMOTE_DISPATCH_DECL(DomainGetXMLDesc);
REMOTE_DISPATCH_DECL(DomainGetAutostart);
REMOTE_DISPATCH_DECL(DomainGetInfo);
REMOTE_DISPATCH_DECL(DomainGetOSType);
REMOTE_DISPATCH_DECL(ConnectListDefinedDomains);
REMOTE_DISPATCH_DECL(DomainLookupByID);
REMOTE_DISPATCH_DECL(DomainLookupByName);
REMOTE_DISPATCH_DECL(DomainLookupByUUID);
REMOTE_DISPATCH_DECL(ConnectNumOfDefinedDomains);
REMOTE_DISPATCH_DECL(DomainResume);
REMOTE_DISPATCH_DECL(DomainSuspend);
REMOTE_DISPATCH_DECL(DomainUndefine);
REMOTE_DISPATCH_DECL(ConnectListDomains);
REMOTE_DISPATCH_DECL(ConnectNumOfDomains);
REMOTE_DISPATCH_DECL(DomainGetSecurityLabel);
REMOTE_DISPATCH_DECL(DomainIsActive);
REMOTE_DISPATCH_DECL(DomainIsPersistent);
REMOTE_DISPATCH_DECL(DomainHasManagedSaveImage);
REMOTE_DISPATCH_DECL(DomainCreateWithFlags);
REMOTE_DISPATCH_DECL(DomainGetState);
REMOTE_DISPATCH_DECL(DomainUndefineFlags);
REMOTE_DISPATCH_DECL(DomainDestroyFlags);
REMOTE_DISPATCH_DECL(DomainBlockJobAbort);
REMOTE_DISPATCH_DECL(DomainGetBlockJobInfo);
REMOTE_DISPATCH_DECL(DomainBlockJobSetSpeed);
REMOTE_DISPATCH_DECL(DomainBlockPull);
REMOTE_DISPATCH_DECL(DomainBlockRebase);
REMOTE_DISPATCH_DECL(ConnectListAllDomains);
REMOTE_DISPATCH_DECL(DomainDefineXMLFlags);
REMOTE_DISPATCH_DECL(DomainGetMessages);
REMOTE_DISPATCH_DECL(QemuDomainMonitorCommand);
REMOTE_DISPATCH_DECL(BPDomainBlockPull);
REMOTE_DISPATCH_DECL(BPDomainBlockPullAll);
REMOTE_DISPATCH_DECL(BPDomainBlockPullAbort);
REMOTE_DISPATCH_DECL(BPDomainGetBlockPullInfo);

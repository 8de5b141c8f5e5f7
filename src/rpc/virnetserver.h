/*
 * virnetserver.h: the server side of the remote protocol. A server
 * listens on unix sockets (read-write and read-only), reads messages on
 * an I/O thread of its own that never waits on anything else, and runs
 * each call on a worker of a pool: a slow call holds up no other client's
 * calls or events. Programs (a program number, a version, a table of
 * procedures) say what calls it takes. Keepalive (virkeepaliveprotocol.x)
 * is answered and, once a client asks for it, sent.
 *
 * A malformed, truncated or oversized message, or a client that sends
 * nothing within the handshake timeout, costs that client its connection
 * and nothing else. A call of an unknown program or procedure gets an
 * error reply (VIR_ERR_RPC), as libvirt's server does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "rpc/virnetmessage.h"

typedef struct _virNetServer virNetServer;
typedef struct _virNetServerClient virNetServerClient;
typedef struct _virNetServerProgram virNetServerProgram;

/*
 * A procedure's handler, run on a worker: @args is decoded already, @ret
 * zeroed; return 0 and the server encodes @ret into the reply, or -1 and
 * it sends an error: @rerr if the handler filled it, else the worker
 * thread's last error (virNetMessageSaveError()). The server frees @args
 * and @ret through their filters afterwards.
 */
typedef int (*virNetServerDispatchFunc)(virNetServer *server,
                                        virNetServerClient *client,
                                        const virNetMessageHeader *header,
                                        virNetMessageError *rerr,
                                        void *args, void *ret);

typedef struct _virNetServerProc virNetServerProc;
struct _virNetServerProc {
    int proc;                   /* procedure number; the table is sorted */
    virNetServerDispatchFunc func;
    size_t argsSize;
    xdrproc_t argsFilter;       /* xdr_void for none */
    size_t retSize;
    xdrproc_t retFilter;        /* xdr_void for none */
    bool needsOpen;             /* refused until the handshake opened a
                                 * connection (see SetClientOpen) */
};

/* A program: kept by the server, @procs must outlive it. */
virNetServerProgram *virNetServerProgramNew(unsigned int program,
                                            unsigned int version,
                                            const virNetServerProc *procs,
                                            size_t nprocs);

typedef struct _virNetServerConfig virNetServerConfig;
struct _virNetServerConfig {
    size_t minWorkers;          /* threads kept */
    size_t maxWorkers;          /* at most this many calls run at once */
    size_t maxClients;          /* further connections are refused */
    size_t maxClientRequests;   /* calls of one client in flight */
    size_t maxMessageSize;      /* a message over this closes its client */
    int keepaliveInterval;      /* seconds; <= 0 disables */
    unsigned int keepaliveCount;
    unsigned int handshakeTimeout; /* seconds a new client may stay silent */
};

/* Fill @cfg with the defaults (libvirt's: 5/20 workers, 5000 clients, 5
 * requests, VIR_NET_MESSAGE_LIMIT, keepalive 5 s x 5, 60 s handshake). */
void virNetServerConfigDefaults(virNetServerConfig *cfg);

/* Returns a server not yet running, or NULL with an error. */
virNetServer *virNetServerNew(const virNetServerConfig *cfg);
/* Apply new limits (SIGHUP): clients over the new limits are kept. */
void virNetServerUpdateConfig(virNetServer *srv, const virNetServerConfig *cfg);
/* The server takes @prog. Returns 0, or -1 if one of that number is there. */
int virNetServerAddProgram(virNetServer *srv, virNetServerProgram *prog);

/*
 * Listen on @path: a stale socket there is replaced, a live one (another
 * server answers) is an error; the socket gets @mode and group @group
 * (-1: leave it). Connections through it are read-only if @readonly.
 * Returns 0 or -1 with an error naming @path.
 */
int virNetServerAddUnixSocket(virNetServer *srv, const char *path,
                              mode_t mode, gid_t group, bool readonly);
/* Listen on a socket already bound and listening (systemd activation). */
int virNetServerAddUnixSocketFD(virNetServer *srv, int fd, bool readonly);

/* A TLS context (src/rpc/virnettls.h): the server's certificate, the CA,
 * and the checks of a client's certificate (tls_allowed_dn_list). */
typedef struct _virNetTLSContext virNetTLSContext;

/*
 * Listen for TLS clients on TCP @port of @addr (NULL: every address,
 * IPv4 and IPv6), each checked with @tls (the server takes a reference).
 * Returns 0 or -1 with an error naming the address and port.
 */
int virNetServerAddTCPSocket(virNetServer *srv, const char *addr,
                             const char *port, virNetTLSContext *tls);
/* The same on a TCP socket already bound and listening (systemd). */
int virNetServerAddTCPSocketFD(virNetServer *srv, int fd,
                               virNetTLSContext *tls);

/*
 * Per-client state of the programs above the server: @newFunc is called
 * when a client connects (its return is the client's private data; NULL
 * refuses the client), @freeFunc when the client is gone and no call of
 * its is running any more.
 */
typedef void *(*virNetServerClientPrivNew)(virNetServerClient *client,
                                           void *opaque);
void virNetServerSetClientPrivate(virNetServer *srv,
                                  virNetServerClientPrivNew newFunc,
                                  GDestroyNotify freeFunc, void *opaque);

/* Start the I/O thread and the workers. Returns 0 or -1. */
int virNetServerStart(virNetServer *srv);
/*
 * Stop: close the listening sockets (and unlink their paths), wait for
 * the calls in flight, close every client (their privates freed), stop
 * the threads. Safe to call more than once; not from a worker.
 */
void virNetServerStop(virNetServer *srv);
void virNetServerFree(virNetServer *srv);

/* How many clients are connected now. */
size_t virNetServerClientCount(virNetServer *srv);

/* Of a client; all thread-safe. */
bool virNetServerClientIsReadonly(virNetServerClient *client);
/* Peer credentials read from the socket (SO_PEERCRED). A TCP (TLS)
 * client has none: uid and gid (uid_t/gid_t) -1, pid 0. */
void virNetServerClientGetUnixIdentity(virNetServerClient *client,
                                       uid_t *uid, gid_t *gid, pid_t *pid);
void *virNetServerClientGetPrivateData(virNetServerClient *client);
/* Procedures with needsOpen are refused (VIR_ERR_INTERNAL_ERROR,
 * "connection not open") until this is called. */
void virNetServerClientSetOpen(virNetServerClient *client);
/* Start sending keepalive PINGs with the server's interval and count. */
void virNetServerClientStartKeepAlive(virNetServerClient *client);
/*
 * Queue an asynchronous message (type VIR_NET_MESSAGE, serial 0) to the
 * client, after every message queued before it: an event. Never blocks.
 * Returns 0, or -1 if the client is closed or it does not encode.
 */
int virNetServerClientSendMessage(virNetServerClient *client,
                                  unsigned int program, unsigned int version,
                                  int proc, xdrproc_t filter, void *data);
/* Close the connection (after what is queued is sent, if it can be). */
void virNetServerClientClose(virNetServerClient *client);
bool virNetServerClientIsClosed(virNetServerClient *client);
virNetServerClient *virNetServerClientRef(virNetServerClient *client);
void virNetServerClientUnref(virNetServerClient *client);

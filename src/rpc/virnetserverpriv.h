/*
 * virnetserverpriv.h: what virnetserver.c (the server, its listening
 * sockets and workers) and virnetserverclient.c (one client's I/O on the
 * server's I/O thread) share. Not for users of the server.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "rpc/virnetserver.h"
#include "rpc/virnettls.h"
#include "util/vireventthread.h"

struct _virNetServerProgram {
    unsigned int program;
    unsigned int version;
    const virNetServerProc *procs;
    size_t nprocs;
    bool sorted;                /* procs sorted: binary search */
};

/*
 * Everything below "lock" in both structs is guarded by the server's
 * lock. Sockets are read, written and closed on the I/O thread only;
 * other threads queue messages and wake it up.
 */
struct _virNetServerClient {
    gint refs;
    virNetServer *srv;          /* outlives its clients (Stop closes them) */
    bool readonly;
    uid_t uid;
    gid_t gid;
    pid_t pid;
    char *addr;                 /* TCP: the peer's "address;port" for the
                                 * log, NULL for a unix socket */

    int fd;
    virNetTLSSession *tls;      /* NULL: plain socket */
    bool tlsHandshake;          /* the TLS handshake is not done yet */
    bool tlsPending;            /* TLS holds decrypted bytes poll() cannot
                                 * see: read without waiting */
    void *priv;
    bool privFreed;
    bool open;                  /* virNetServerClientSetOpen() was called */
    bool closing;               /* no more reading; close once tx is sent */
    bool closed;
    bool gotMessage;            /* a complete message came in */
    size_t nrequests;           /* calls in flight */
    virNetMessage *rx;          /* being read */
    virNetMessage *tx;          /* queue to send, head */
    virNetMessage *txTail;
    size_t txAsyncBytes;        /* of the asynchronous messages in tx */
    bool overflow;              /* it does not read them: close at once */
    GSource *source;
    gpointer tag;
    GSource *handshakeTimer;
    GSource *keepaliveTimer;
    unsigned int kaUnanswered;
};

struct _virNetServer {
    GMutex lock;
    GCond cond;
    virNetServerConfig cfg;
    GPtrArray *programs;
    GPtrArray *services;
    GPtrArray *clients;         /* each holds a reference */
    virEventThread *thread;
    GThreadPool *pool;
    virNetServerClientPrivNew privNew;
    GDestroyNotify privFree;
    void *privOpaque;
    size_t njobs;               /* calls in flight, all clients */
    bool started;
    bool stopping;
};

/* virnetserverclient.c */
virNetServerClient *virNetServerClientNew(virNetServer *srv, int fd,
                                          bool readonly);
/* Make @client a TLS client of @ctx (before it is attached). Returns 0,
 * or -1 with an error. */
int virNetServerClientSetTLS(virNetServerClient *client, virNetTLSContext *ctx);
void virNetServerClientAttachLocked(virNetServerClient *client);
void virNetServerClientCloseNowLocked(virNetServerClient *client);
void virNetServerClientFlushLocked(virNetServerClient *client);
bool virNetServerClientTryFlushLocked(virNetServerClient *client);
void virNetServerClientQueueLocked(virNetServerClient *client,
                                   virNetMessage *msg);
void *virNetServerClientTakePrivLocked(virNetServerClient *client);
void virNetServerClientFreePriv(virNetServerClient *client, void *priv);
void virNetServerClientAnswerPingLocked(virNetServerClient *client);
void virNetServerWakeup(virNetServer *srv);

/* virnetserver.c: a complete message of @client, on the I/O thread;
 * a job for a worker that frees a client's private data (holding a
 * reference to the client until it is done). */
void virNetServerPushFreeJob(virNetServerClient *client, void *priv);
void virNetServerDispatchLocked(virNetServer *srv, virNetServerClient *client,
                                virNetMessage *msg);

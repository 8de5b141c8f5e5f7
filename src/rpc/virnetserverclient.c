/*
 * virnetserverclient.c: one client of the server: its socket read and
 * written on the server's I/O thread without ever blocking, its outgoing
 * queue, its handshake and keepalive timers, and the calls other threads
 * make on it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netdb.h>

#include "rpc/virnetserverpriv.h"
#include "rpc/virkeepaliveprotocol.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

typedef struct {
    GSource base;
    gpointer tag;
    GIOCondition events;            /* what tag is polled for now */
    virNetServerClient *client;     /* a reference */
    bool tlsPending;                /* prepare() saw buffered TLS data */
} virNetServerClientSource;

void
virNetServerWakeup(virNetServer *srv)
{
    if (srv->thread)
        g_main_context_wakeup(virEventThreadGetContext(srv->thread));
}

virNetServerClient *
virNetServerClientNew(virNetServer *srv, int fd, bool readonly)
{
    virNetServerClient *client = g_new0(virNetServerClient, 1);
    struct ucred cred = { 0 };
    socklen_t len = sizeof(cred);
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);

    client->refs = 1;
    client->srv = srv;
    client->fd = fd;
    client->readonly = readonly;
    client->uid = (uid_t) -1;
    client->gid = (gid_t) -1;
    if (getsockname(fd, (struct sockaddr *) &ss, &sslen) == 0 &&
        ss.ss_family != AF_UNIX) {
        /* A TCP peer has no credentials: its identity is its certificate. */
        char host[NI_MAXHOST] = "";
        char port[NI_MAXSERV] = "";

        sslen = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *) &ss, &sslen) == 0 &&
            getnameinfo((struct sockaddr *) &ss, sslen, host, sizeof(host),
                        port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
            client->addr = g_strdup_printf("%s;%s", host, port);
        else
            client->addr = g_strdup("unknown TCP peer");
        return client;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        client->uid = cred.uid;
        client->gid = cred.gid;
        client->pid = cred.pid;
    }
    return client;
}

int
virNetServerClientSetTLS(virNetServerClient *client, virNetTLSContext *ctx)
{
    if (!(client->tls = virNetTLSSessionNew(ctx, client->fd, NULL)))
        return -1;
    client->tlsHandshake = true;
    return 0;
}

virNetServerClient *
virNetServerClientRef(virNetServerClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

void
virNetServerClientUnref(virNetServerClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    /* Closed clients gave their private data back already; one that never
     * got as far as its socket source has its own still. */
    if (client->priv && !client->privFreed && client->srv->privFree)
        client->srv->privFree(client->priv);
    virNetTLSSessionFree(client->tls);
    if (client->fd >= 0)
        close(client->fd);
    virNetMessageFree(client->rx);
    virNetMessageQueueClear(&client->tx, &client->txTail);
    g_free(client->addr);
    g_free(client);
}

void *
virNetServerClientTakePrivLocked(virNetServerClient *client)
{
    if (!client->closed || client->nrequests > 0 || client->privFreed)
        return NULL;
    client->privFreed = true;
    return g_steal_pointer(&client->priv);
}

/* Free a client's private data. On the I/O thread, a worker does it:
 * what it closes (a connection, event registrations) may wait on the
 * driver, and the I/O thread never waits. */
void
virNetServerClientFreePriv(virNetServerClient *client, void *priv)
{
    virNetServer *srv = client->srv;

    if (!priv || !srv->privFree)
        return;
    if (srv->pool && srv->thread && virEventThreadIsSelf(srv->thread))
        virNetServerPushFreeJob(client, priv);
    else
        srv->privFree(priv);
}

/*
 * A client that does not read what it is sent (events, PONGs) would make
 * its queue grow without end: past twice the message size cap, it is
 * dropped. Returns true (and marks it so) if @len more bytes are too many.
 */
static bool
virNetServerClientOverflowLocked(virNetServerClient *client, size_t len)
{
    virNetServer *srv = client->srv;

    if (client->overflow)
        return true;
    if (client->txAsyncBytes + len <=
        2 * MAX(srv->cfg.maxMessageSize, VIR_NET_MESSAGE_INITIAL))
        return false;
    VIR_WARN("closing client %p: it does not read its messages (%zu bytes queued)",
             client, client->txAsyncBytes);
    client->closing = true;
    client->overflow = true;
    return true;
}

void
virNetServerClientQueueLocked(virNetServerClient *client, virNetMessage *msg)
{
    if (client->closed ||
        (msg->header.type == VIR_NET_MESSAGE &&
         virNetServerClientOverflowLocked(client, msg->bufferLength))) {
        virNetMessageFree(msg);
        return;
    }
    if (msg->header.type == VIR_NET_MESSAGE)
        client->txAsyncBytes += msg->bufferLength;
    virNetMessageQueuePush(&client->tx, &client->txTail, msg);
}

static void
virNetServerClientDestroySource(GSource **source)
{
    if (!*source)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}

/* Close now (I/O thread). The server's list drops its reference; the
 * caller holds one of its own. */
void
virNetServerClientCloseNowLocked(virNetServerClient *client)
{
    virNetServer *srv = client->srv;

    if (client->closed)
        return;
    VIR_DEBUG("closing client %p (fd %d)", client, client->fd);
    client->closed = true;
    client->closing = true;
    virNetServerClientDestroySource(&client->source);
    virNetServerClientDestroySource(&client->handshakeTimer);
    virNetServerClientDestroySource(&client->keepaliveTimer);
    g_clear_pointer(&client->tls, virNetTLSSessionFree);
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    g_clear_pointer(&client->rx, virNetMessageFree);
    virNetMessageQueueClear(&client->tx, &client->txTail);
    g_ptr_array_remove(srv->clients, client);
}

/* The socket's send() and recv(), through TLS for a TLS client; errno
 * as theirs (EIO: a TLS error, *@why says which). */
static ssize_t
virNetServerClientSendRaw(virNetServerClient *client, const char *buf,
                          size_t len, const char **why)
{
    if (client->tls)
        return virNetTLSSessionSend(client->tls, buf, len, why);
    return send(client->fd, buf, len, MSG_NOSIGNAL);
}

static ssize_t
virNetServerClientRecvRaw(virNetServerClient *client, char *buf, size_t len,
                          const char **why)
{
    if (client->tls)
        return virNetTLSSessionRecv(client->tls, buf, len, why);
    return recv(client->fd, buf, len, 0);
}

/*
 * A step of a TLS client's handshake; once it is done, its certificate
 * is checked (virnettls.c) and it gets the '\1' byte that tells it it
 * was accepted (libvirt's clients wait for it), or it is closed and why
 * is logged with its address and Distinguished Name.
 */
static void
virNetServerClientTLSHandshakeLocked(virNetServerClient *client)
{
    g_autofree char *dn = NULL;
    virNetMessage *confirm;
    int rc = virNetTLSSessionHandshake(client->tls, client->addr);

    if (rc == 0)
        return;
    if (rc < 0) {
        VIR_WARN("refusing TLS client '%s': %s", client->addr,
                 virGetLastErrorMessage());
        virResetLastError();
        virNetServerClientCloseNowLocked(client);
        return;
    }
    if (virNetTLSSessionCheckPeer(client->tls, client->addr, &dn) < 0) {
        VIR_WARN("refusing TLS client '%s' (DN '%s'): %s", client->addr,
                 dn ? dn : "none", virGetLastErrorMessage());
        virResetLastError();
        virNetServerClientCloseNowLocked(client);
        return;
    }
    VIR_DEBUG("client %p: TLS client '%s' accepted (DN '%s')", client,
              client->addr, dn ? dn : "none");
    client->tlsHandshake = false;
    confirm = virNetMessageNew();
    confirm->buffer = g_new0(char, 1);
    confirm->buffer[0] = VIR_NET_TLS_CONFIRM;
    confirm->bufferLength = 1;
    /* Nothing can be queued before it: the client sent no call yet. */
    virNetMessageQueuePush(&client->tx, &client->txTail, confirm);
}

/* Send what can be sent without blocking. Returns -1 if the socket
 * failed: the client is then closed, if @closeOnError (the loop's
 * thread only), else left for the loop to meet the failure again. */
static int
virNetServerClientWriteFull(virNetServerClient *client, bool closeOnError)
{
    while (client->tx) {
        virNetMessage *msg = client->tx;
        const char *why = NULL;
        ssize_t n = virNetServerClientSendRaw(client,
                                              msg->buffer + msg->bufferOffset,
                                              msg->bufferLength - msg->bufferOffset,
                                              &why);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            VIR_DEBUG("client %p: write failed: %s", client,
                      why ? why : g_strerror(errno));
            if (closeOnError)
                virNetServerClientCloseNowLocked(client);
            return -1;
        }
        msg->bufferOffset += n;
        if (msg->bufferOffset == msg->bufferLength) {
            virNetMessageQueueServe(&client->tx, &client->txTail);
            if (msg->header.type == VIR_NET_MESSAGE)
                client->txAsyncBytes -= msg->bufferLength;
            virNetMessageFree(msg);
        }
    }
    return 0;
}

static int
virNetServerClientWriteLocked(virNetServerClient *client)
{
    return virNetServerClientWriteFull(client, true);
}

/**
 * virNetServerClientTryFlushLocked:
 * @client: a client, srv->lock held, on any thread
 *
 * Send what the socket takes now (a worker's reply, without a wake-up of
 * the loop's thread). A failure is not acted on here: the loop meets it
 * when it writes the rest.
 *
 * Returns true if nothing is left to send.
 */
bool
virNetServerClientTryFlushLocked(virNetServerClient *client)
{
    if (client->closed || client->fd < 0 || client->tlsHandshake)
        return false;
    if (virNetServerClientWriteFull(client, false) < 0)
        return false;
    return client->tx == NULL;
}

void
virNetServerClientFlushLocked(virNetServerClient *client)
{
    if (!client->closed && client->fd >= 0 && !client->tlsHandshake)
        virNetServerClientWriteLocked(client);
}

static bool
virNetServerClientWantsReadLocked(virNetServerClient *client)
{
    virNetServer *srv = client->srv;

    return !client->closed && !client->closing && !srv->stopping &&
        !client->tlsHandshake &&
        client->nrequests < MAX(srv->cfg.maxClientRequests, 1);
}

/* Read what is there, handing each complete message on. */
static void
virNetServerClientReadLocked(virNetServerClient *client)
{
    virNetServer *srv = client->srv;
    /* A client flooding messages that need no worker (keepalive, ignored
     * types) yields to the others after this many; poll() brings it back. */
    unsigned int budget = 64;

    while (budget > 0 && virNetServerClientWantsReadLocked(client)) {
        virNetMessage *msg = virNetMessageReadPending(&client->rx);
        const char *why = NULL;
        ssize_t n;
        int rc;

        n = virNetServerClientRecvRaw(client, msg->buffer + msg->bufferOffset,
                                      msg->bufferLength - msg->bufferOffset, &why);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            VIR_DEBUG("client %p: read failed: %s", client,
                      why ? why : g_strerror(errno));
            virNetServerClientCloseNowLocked(client);
            return;
        }
        if (n == 0) {
            VIR_DEBUG("client %p: end of file", client);
            virNetServerClientCloseNowLocked(client);
            return;
        }
        rc = virNetMessageReadDone(msg, n, srv->cfg.maxMessageSize);
        if (rc < 0) {
            VIR_WARN("closing client %p: %s", client, virGetLastErrorMessage());
            virResetLastError();
            virNetServerClientCloseNowLocked(client);
            return;
        }
        if (rc == 0)
            continue;
        client->rx = NULL;
        virNetServerDispatchLocked(srv, client, msg);
        budget--;
    }
}

static gboolean
virNetServerClientSourcePrepare(GSource *source, gint *timeout)
{
    virNetServerClientSource *src = (virNetServerClientSource *) source;
    virNetServerClient *client = src->client;
    virNetServer *srv = client->srv;
    GIOCondition want = 0;
    bool ready = false;         /* dispatch without waiting for poll() */

    *timeout = -1;
    g_mutex_lock(&srv->lock);
    src->tlsPending = false;
    if (!client->closed && client->tlsHandshake) {
        want = virNetTLSSessionWants(client->tls);
    } else if (!client->closed) {
        if (virNetServerClientWantsReadLocked(client)) {
            want |= G_IO_IN;
            /* Bytes TLS decrypted already never wake poll(). */
            if (client->tls && virNetTLSSessionPending(client->tls) > 0)
                src->tlsPending = ready = true;
        }
        if (client->tx)
            want |= G_IO_OUT;
        if (client->overflow || (client->closing && !client->tx))
            ready = true;
    }
    g_mutex_unlock(&srv->lock);
    virEventSourceUpdateUnixFD(source, src->tag, &src->events, want);
    return ready;
}

static gboolean
virNetServerClientSourceDispatch(GSource *source,
                                 GSourceFunc callback G_GNUC_UNUSED,
                                 gpointer data G_GNUC_UNUSED)
{
    virNetServerClientSource *src = (virNetServerClientSource *) source;
    virNetServerClient *client = virNetServerClientRef(src->client);
    virNetServer *srv = client->srv;
    GIOCondition rev = g_source_query_unix_fd(source, src->tag);
    void *priv;

    if (src->tlsPending)
        rev |= G_IO_IN;
    g_mutex_lock(&srv->lock);
    if (!client->closed && client->tlsHandshake && rev)
        virNetServerClientTLSHandshakeLocked(client);
    if (!client->closed && !client->tlsHandshake && (rev & G_IO_OUT))
        virNetServerClientWriteLocked(client);
    if (!client->closed && !client->tlsHandshake && (rev & G_IO_IN))
        virNetServerClientReadLocked(client);
    /* A hang-up with nothing left to read (or while reading is paused). */
    if (!client->closed && !client->tlsHandshake &&
        (rev & (G_IO_HUP | G_IO_ERR)) && !(rev & G_IO_IN))
        virNetServerClientCloseNowLocked(client);
    if (!client->closed && (client->overflow || (client->closing && !client->tx)))
        virNetServerClientCloseNowLocked(client);
    priv = virNetServerClientTakePrivLocked(client);
    g_mutex_unlock(&srv->lock);

    virNetServerClientFreePriv(client, priv);
    virNetServerClientUnref(client);
    return G_SOURCE_CONTINUE;
}

static void
virNetServerClientSourceFinalize(GSource *source)
{
    virNetServerClientSource *src = (virNetServerClientSource *) source;

    virNetServerClientUnref(src->client);
}

static GSourceFuncs virNetServerClientSourceFuncs = {
    .prepare = virNetServerClientSourcePrepare,
    .dispatch = virNetServerClientSourceDispatch,
    .finalize = virNetServerClientSourceFinalize,
};

static gboolean
virNetServerClientHandshakeTimeout(gpointer opaque)
{
    virNetServerClient *client = opaque;
    virNetServer *srv = client->srv;
    void *priv = NULL;

    g_mutex_lock(&srv->lock);
    if (client->handshakeTimer && !client->gotMessage) {
        VIR_WARN("closing client %p%s%s%s: no message within %u seconds%s",
                 client, client->addr ? " ('" : "",
                 client->addr ? client->addr : "", client->addr ? "')" : "",
                 srv->cfg.handshakeTimeout,
                 client->tlsHandshake ? " (TLS handshake not complete)" : "");
        virNetServerClientCloseNowLocked(client);
        priv = virNetServerClientTakePrivLocked(client);
    }
    g_clear_pointer(&client->handshakeTimer, g_source_unref);
    g_mutex_unlock(&srv->lock);
    virNetServerClientFreePriv(client, priv);
    return G_SOURCE_REMOVE;
}

static GSource *
virNetServerClientAddTimer(virNetServerClient *client, guint ms,
                           GSourceFunc func)
{
    GSource *timer = g_timeout_source_new(ms);

    g_source_set_callback(timer, func, virNetServerClientRef(client),
                          (GDestroyNotify) virNetServerClientUnref);
    g_source_attach(timer, virEventThreadGetContext(client->srv->thread));
    return timer;
}

/* Start watching the socket (I/O thread, once the private data is set). */
void
virNetServerClientAttachLocked(virNetServerClient *client)
{
    virNetServer *srv = client->srv;
    GSource *source;
    virNetServerClientSource *src;

    source = g_source_new(&virNetServerClientSourceFuncs,
                          sizeof(virNetServerClientSource));
    src = (virNetServerClientSource *) source;
    src->client = virNetServerClientRef(client);
    src->tag = g_source_add_unix_fd(source, client->fd, G_IO_IN);
    src->events = G_IO_IN;
    g_source_set_name(source, "virNetServerClient");
    /* Its dispatch never iterates the context again: not blocking the
     * source around it spares two wake-ups of the thread per dispatch. */
    g_source_set_can_recurse(source, TRUE);
    g_source_attach(source, virEventThreadGetContext(srv->thread));
    client->source = source;

    if (srv->cfg.handshakeTimeout > 0)
        client->handshakeTimer =
            virNetServerClientAddTimer(client, srv->cfg.handshakeTimeout * 1000,
                                       virNetServerClientHandshakeTimeout);
}

static gboolean
virNetServerClientKeepAliveTimer(gpointer opaque)
{
    virNetServerClient *client = opaque;
    virNetServer *srv = client->srv;
    void *priv = NULL;
    gboolean ret = G_SOURCE_CONTINUE;

    g_mutex_lock(&srv->lock);
    if (client->closed || !client->keepaliveTimer) {
        ret = G_SOURCE_REMOVE;
    } else if (client->kaUnanswered >= srv->cfg.keepaliveCount) {
        VIR_WARN("closing client %p: no answer to %u keepalive messages",
                 client, client->kaUnanswered);
        virNetServerClientCloseNowLocked(client);
        priv = virNetServerClientTakePrivLocked(client);
        ret = G_SOURCE_REMOVE;
    } else {
        virNetMessage *ping = virNetMessageNewKeepAlive(KEEPALIVE_PROC_PING);

        if (ping)
            virNetServerClientQueueLocked(client, ping);
        client->kaUnanswered++;
    }
    g_mutex_unlock(&srv->lock);
    virNetServerClientFreePriv(client, priv);
    return ret;
}

/* A PONG for a PING of the client. */
void
virNetServerClientAnswerPingLocked(virNetServerClient *client)
{
    virNetMessage *pong = virNetMessageNewKeepAlive(KEEPALIVE_PROC_PONG);

    if (pong)
        virNetServerClientQueueLocked(client, pong);
}

void
virNetServerClientStartKeepAlive(virNetServerClient *client)
{
    virNetServer *srv = client->srv;

    g_mutex_lock(&srv->lock);
    if (!client->closed && !client->keepaliveTimer && srv->thread &&
        srv->cfg.keepaliveInterval > 0) {
        client->kaUnanswered = 0;
        client->keepaliveTimer =
            virNetServerClientAddTimer(client, srv->cfg.keepaliveInterval * 1000,
                                       virNetServerClientKeepAliveTimer);
    }
    g_mutex_unlock(&srv->lock);
}

bool
virNetServerClientIsReadonly(virNetServerClient *client)
{
    return client->readonly;
}

void
virNetServerClientGetUnixIdentity(virNetServerClient *client,
                                  uid_t *uid, gid_t *gid, pid_t *pid)
{
    if (uid)
        *uid = client->uid;
    if (gid)
        *gid = client->gid;
    if (pid)
        *pid = client->pid;
}

void *
virNetServerClientGetPrivateData(virNetServerClient *client)
{
    void *priv;

    g_mutex_lock(&client->srv->lock);
    priv = client->priv;
    g_mutex_unlock(&client->srv->lock);
    return priv;
}

void
virNetServerClientSetOpen(virNetServerClient *client)
{
    g_mutex_lock(&client->srv->lock);
    client->open = true;
    g_mutex_unlock(&client->srv->lock);
}

int
virNetServerClientSendMessage(virNetServerClient *client,
                              unsigned int program, unsigned int version,
                              int proc, xdrproc_t filter, void *data)
{
    virNetServer *srv = client->srv;
    g_autoptr(virNetMessage) msg = virNetMessageNew();

    msg->header.prog = program;
    msg->header.vers = version;
    msg->header.proc = proc;
    msg->header.type = VIR_NET_MESSAGE;
    msg->header.serial = 0;
    msg->header.status = VIR_NET_OK;
    if (virNetMessageEncodeHeader(msg) < 0 ||
        virNetMessageEncodePayload(msg, filter, data) < 0)
        return -1;

    g_mutex_lock(&srv->lock);
    if (client->closed || client->closing) {
        g_mutex_unlock(&srv->lock);
        virReportError(VIR_ERR_RPC, "%s", "the client connection is closed");
        return -1;
    }
    if (virNetServerClientOverflowLocked(client, msg->bufferLength)) {
        g_mutex_unlock(&srv->lock);
        virNetServerWakeup(srv);
        virReportError(VIR_ERR_RPC, "%s",
                       "the client does not read its messages: its connection is closed");
        return -1;
    }
    virNetServerClientQueueLocked(client, g_steal_pointer(&msg));
    g_mutex_unlock(&srv->lock);
    virNetServerWakeup(srv);
    return 0;
}

void
virNetServerClientClose(virNetServerClient *client)
{
    virNetServer *srv = client->srv;

    g_mutex_lock(&srv->lock);
    client->closing = true;
    g_mutex_unlock(&srv->lock);
    virNetServerWakeup(srv);
}

bool
virNetServerClientIsClosed(virNetServerClient *client)
{
    bool ret;

    g_mutex_lock(&client->srv->lock);
    ret = client->closed || client->closing;
    g_mutex_unlock(&client->srv->lock);
    return ret;
}

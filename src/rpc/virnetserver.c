/*
 * virnetserver.c: the server of the remote protocol: listening sockets
 * and new clients on the I/O thread, programs and their procedures, and
 * the pool of workers that runs the calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib-unix.h>

#include "rpc/virnetserverpriv.h"
#include "rpc/virkeepaliveprotocol.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

typedef struct {
    virNetServer *srv;
    int fd;
    char *path;                 /* NULL: given as an fd, not ours to unlink */
    bool readonly;
    virNetTLSContext *tls;      /* TCP: each client's TLS (a reference) */
    GSource *source;
} virNetServerService;

typedef struct {
    virNetServerClient *client;     /* a reference */
    const virNetServerProc *proc;   /* NULL: free @priv */
    virNetMessage *msg;
    void *priv;
} virNetServerJob;

void
virNetServerConfigDefaults(virNetServerConfig *cfg)
{
    cfg->minWorkers = 5;
    cfg->maxWorkers = 20;
    cfg->maxClients = 5000;
    cfg->maxClientRequests = 5;
    cfg->maxMessageSize = VIR_NET_MESSAGE_LIMIT;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    cfg->handshakeTimeout = 60;
}

static int
virNetServerProcCompare(const void *a, const void *b)
{
    const virNetServerProc *pa = a;
    const virNetServerProc *pb = b;

    return (pa->proc > pb->proc) - (pa->proc < pb->proc);
}

virNetServerProgram *
virNetServerProgramNew(unsigned int program, unsigned int version,
                       const virNetServerProc *procs, size_t nprocs)
{
    virNetServerProgram *prog = g_new0(virNetServerProgram, 1);
    size_t i;

    prog->program = program;
    prog->version = version;
    prog->procs = procs;
    prog->nprocs = nprocs;
    prog->sorted = true;
    for (i = 1; i < nprocs; i++) {
        if (procs[i - 1].proc >= procs[i].proc)
            prog->sorted = false;
    }
    return prog;
}

static const virNetServerProc *
virNetServerProgramFindProc(virNetServerProgram *prog, int proc)
{
    virNetServerProc key = { .proc = proc };
    size_t i;

    if (prog->sorted)
        return bsearch(&key, prog->procs, prog->nprocs,
                       sizeof(*prog->procs), virNetServerProcCompare);
    for (i = 0; i < prog->nprocs; i++) {
        if (prog->procs[i].proc == proc)
            return &prog->procs[i];
    }
    return NULL;
}

static void
virNetServerServiceFree(gpointer opaque)
{
    virNetServerService *svc = opaque;

    if (svc->source) {
        g_source_destroy(svc->source);
        g_source_unref(svc->source);
    }
    if (svc->fd >= 0)
        close(svc->fd);
    if (svc->path)
        unlink(svc->path);
    virNetTLSContextUnref(svc->tls);
    g_free(svc->path);
    g_free(svc);
}

virNetServer *
virNetServerNew(const virNetServerConfig *cfg)
{
    virNetServer *srv = g_new0(virNetServer, 1);

    g_mutex_init(&srv->lock);
    g_cond_init(&srv->cond);
    srv->cfg = *cfg;
    srv->programs = g_ptr_array_new_with_free_func(g_free);
    srv->services = g_ptr_array_new_with_free_func(virNetServerServiceFree);
    srv->clients = g_ptr_array_new_with_free_func((GDestroyNotify) virNetServerClientUnref);
    return srv;
}

void
virNetServerUpdateConfig(virNetServer *srv, const virNetServerConfig *cfg)
{
    g_mutex_lock(&srv->lock);
    srv->cfg = *cfg;
    if (srv->pool)
        g_thread_pool_set_max_threads(srv->pool, MAX(cfg->maxWorkers, 1), NULL);
    g_mutex_unlock(&srv->lock);
    virNetServerWakeup(srv);
}

int
virNetServerAddProgram(virNetServer *srv, virNetServerProgram *prog)
{
    size_t i;

    g_mutex_lock(&srv->lock);
    for (i = 0; i < srv->programs->len; i++) {
        virNetServerProgram *p = g_ptr_array_index(srv->programs, i);

        if (p->program == prog->program && p->version == prog->version) {
            g_mutex_unlock(&srv->lock);
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           "program 0x%x version %u is already served",
                           prog->program, prog->version);
            g_free(prog);
            return -1;
        }
    }
    g_ptr_array_add(srv->programs, prog);
    g_mutex_unlock(&srv->lock);
    return 0;
}

void
virNetServerSetClientPrivate(virNetServer *srv,
                             virNetServerClientPrivNew newFunc,
                             GDestroyNotify freeFunc, void *opaque)
{
    g_mutex_lock(&srv->lock);
    srv->privNew = newFunc;
    srv->privFree = freeFunc;
    srv->privOpaque = opaque;
    g_mutex_unlock(&srv->lock);
}

static void
virNetServerSetCloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
        VIR_WARN("cannot set FD_CLOEXEC on fd %d: %s", fd, g_strerror(errno));
}

static void
virNetServerSetNonBlock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        VIR_WARN("cannot make fd %d non-blocking: %s", fd, g_strerror(errno));
}

/* Accept the new connections of a listening socket (I/O thread). */
static gboolean
virNetServerServiceAccept(gint fd, GIOCondition cond G_GNUC_UNUSED,
                          gpointer opaque)
{
    virNetServerService *svc = opaque;
    virNetServer *srv = svc->srv;

    for (;;) {
        virNetServerClient *client;
        virNetServerClientPrivNew privNew;
        void *privOpaque;
        void *priv = NULL;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                VIR_WARN("cannot accept a connection: %s", g_strerror(errno));
            return G_SOURCE_CONTINUE;
        }
        /* TCP: small replies and events go out at once, not after
         * Nagle's algorithm waited for an ACK. */
        if (svc->tls) {
            int one = 1;

            setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }

        g_mutex_lock(&srv->lock);
        if (srv->stopping || srv->clients->len >= srv->cfg.maxClients) {
            VIR_WARN("refusing a connection: %u clients already (max_clients %zu)",
                     srv->clients->len, srv->cfg.maxClients);
            g_mutex_unlock(&srv->lock);
            close(cfd);
            continue;
        }
        client = virNetServerClientNew(srv, cfd, svc->readonly);
        if (svc->tls && virNetServerClientSetTLS(client, svc->tls) < 0) {
            VIR_WARN("refusing TLS client '%s': %s", client->addr,
                     virGetLastErrorMessage());
            virResetLastError();
            g_mutex_unlock(&srv->lock);
            virNetServerClientUnref(client);
            continue;
        }
        g_ptr_array_add(srv->clients, virNetServerClientRef(client));
        privNew = srv->privNew;
        privOpaque = srv->privOpaque;
        g_mutex_unlock(&srv->lock);

        /* Nothing of this client runs before its socket source exists. */
        if (privNew && !(priv = privNew(client, privOpaque))) {
            VIR_WARN("refusing a connection: %s", virGetLastErrorMessage());
            virResetLastError();
            g_mutex_lock(&srv->lock);
            client->privFreed = true;
            virNetServerClientCloseNowLocked(client);
            g_mutex_unlock(&srv->lock);
            virNetServerClientUnref(client);
            continue;
        }

        g_mutex_lock(&srv->lock);
        client->priv = priv;
        virNetServerClientAttachLocked(client);
        g_mutex_unlock(&srv->lock);
        VIR_DEBUG("new client %p fd %d uid %d pid %d readonly %d", client,
                  cfd, (int) client->uid, (int) client->pid, svc->readonly);
        virNetServerClientUnref(client);
    }
}

static void
virNetServerServiceAttach(virNetServer *srv, virNetServerService *svc)
{
    svc->source = g_unix_fd_source_new(svc->fd, G_IO_IN);
    g_source_set_callback(svc->source,
                          (GSourceFunc) (void (*)(void)) virNetServerServiceAccept,
                          svc, NULL);
    g_source_attach(svc->source, virEventThreadGetContext(srv->thread));
}

static int
virNetServerAddService(virNetServer *srv, int fd, const char *path,
                       bool readonly, virNetTLSContext *tls)
{
    virNetServerService *svc = g_new0(virNetServerService, 1);

    svc->srv = srv;
    svc->fd = fd;
    svc->path = g_strdup(path);
    svc->readonly = readonly;
    svc->tls = tls ? virNetTLSContextRef(tls) : NULL;
    virNetServerSetCloexec(fd);
    virNetServerSetNonBlock(fd);

    g_mutex_lock(&srv->lock);
    if (srv->started && !srv->stopping)
        virNetServerServiceAttach(srv, svc);
    g_ptr_array_add(srv->services, svc);
    g_mutex_unlock(&srv->lock);
    return 0;
}

/* Is a server answering at @path? */
static bool
virNetServerSocketIsLive(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0)
        return true;
    live = connect(fd, (const struct sockaddr *) addr, sizeof(*addr)) == 0 ||
        (errno != ECONNREFUSED && errno != ENOENT);
    close(fd);
    return live;
}

int
virNetServerAddUnixSocket(virNetServer *srv, const char *path,
                          mode_t mode, gid_t group, bool readonly)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat sb;
    mode_t oldmask;
    int fd;
    int rc;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "socket path '%s' is too long", path);
        return -1;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));

    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "cannot listen on '%s': it exists and is not a socket",
                           path);
            return -1;
        }
        if (virNetServerSocketIsLive(&addr)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "cannot listen on '%s': another server is answering there",
                           path);
            return -1;
        }
        /* A stale socket, left by a server that died. */
        if (unlink(path) < 0 && errno != ENOENT) {
            virReportSystemError(errno, "cannot remove the stale socket '%s'", path);
            return -1;
        }
    }

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        virReportSystemError(errno, "cannot create a socket for '%s'", path);
        return -1;
    }
    /* Nobody may connect before the socket has its final mode. */
    oldmask = umask(0077);
    rc = bind(fd, (struct sockaddr *) &addr, sizeof(addr));
    umask(oldmask);
    if (rc < 0) {
        virReportSystemError(errno, "cannot bind the socket '%s'", path);
        close(fd);
        return -1;
    }
    if (chmod(path, mode) < 0) {
        virReportSystemError(errno, "cannot set mode %o on the socket '%s'",
                             (unsigned int) mode, path);
        goto error;
    }
    if (group != (gid_t) -1 && chown(path, (uid_t) -1, group) < 0) {
        virReportSystemError(errno, "cannot set group %u on the socket '%s'",
                             (unsigned int) group, path);
        goto error;
    }
    if (listen(fd, SOMAXCONN) < 0) {
        virReportSystemError(errno, "cannot listen on the socket '%s'", path);
        goto error;
    }
    return virNetServerAddService(srv, fd, path, readonly, NULL);

 error:
    close(fd);
    unlink(path);
    return -1;
}

int
virNetServerAddUnixSocketFD(virNetServer *srv, int fd, bool readonly)
{
    int type = 0;
    socklen_t len = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        type != SOCK_STREAM) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "file descriptor %d is not a listening stream socket", fd);
        return -1;
    }
    return virNetServerAddService(srv, fd, NULL, readonly, NULL);
}

static virNetServerProgram *
virNetServerFindProgramLocked(virNetServer *srv, unsigned int program,
                              unsigned int version)
{
    size_t i;

    for (i = 0; i < srv->programs->len; i++) {
        virNetServerProgram *p = g_ptr_array_index(srv->programs, i);

        if (p->program == program && p->version == version)
            return p;
    }
    return NULL;
}

/* Turn @msg (a call) into its error reply. Returns 0 or -1. */
static int
virNetServerEncodeError(virNetMessage *msg, virNetMessageError *rerr)
{
    msg->header.type = VIR_NET_REPLY;
    msg->header.status = VIR_NET_ERROR;
    if (virNetMessageEncodeHeader(msg) < 0 ||
        virNetMessageEncodePayload(msg, (xdrproc_t) xdr_virNetMessageError,
                                   rerr) < 0)
        return -1;
    return 0;
}

/* Answer the call @msg with an error of ours, without touching this
 * thread's last error. */
static void G_GNUC_PRINTF(4, 5)
virNetServerReplyErrorLocked(virNetServerClient *client, virNetMessage *msg,
                             int code, const char *fmt, ...)
{
    virNetMessageError rerr = { 0 };
    va_list ap;

    va_start(ap, fmt);
    rerr.code = code;
    rerr.domain = VIR_FROM_RPC;
    rerr.level = VIR_ERR_ERROR;
    rerr.message = g_new0(char *, 1);
    *rerr.message = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    VIR_DEBUG("client %p: refusing call %u: %s", client,
              msg->header.serial, *rerr.message);
    if (virNetServerEncodeError(msg, &rerr) < 0) {
        virResetLastError();
        virNetMessageFree(msg);
        virNetServerClientCloseNowLocked(client);
    } else {
        virNetServerClientQueueLocked(client, msg);
    }
    virNetMessageFreeError(&rerr);
}

void
virNetServerDispatchLocked(virNetServer *srv, virNetServerClient *client,
                           virNetMessage *msg)
{
    virNetServerProgram *prog;
    const virNetServerProc *proc;
    virNetServerJob *job;

    if (virNetMessageDecodeHeader(msg) < 0) {
        VIR_WARN("closing client %p: %s", client, virGetLastErrorMessage());
        virResetLastError();
        virNetMessageFree(msg);
        virNetServerClientCloseNowLocked(client);
        return;
    }

    /* Any complete message shows the peer is alive and has spoken. */
    client->gotMessage = true;
    client->kaUnanswered = 0;
    if (client->handshakeTimer) {
        g_source_destroy(client->handshakeTimer);
        g_clear_pointer(&client->handshakeTimer, g_source_unref);
    }

    if (msg->header.prog == KEEPALIVE_PROGRAM) {
        if (msg->header.type == VIR_NET_MESSAGE &&
            msg->header.proc == KEEPALIVE_PROC_PING)
            virNetServerClientAnswerPingLocked(client);
        virNetMessageFree(msg);
        return;
    }

    if (msg->header.type != VIR_NET_CALL) {
        /* Nothing else is expected from a client: no reply is awaited. */
        VIR_DEBUG("client %p: ignoring a message of type %d", client,
                  msg->header.type);
        virNetMessageFree(msg);
        return;
    }

    if (msg->header.status != VIR_NET_OK) {
        virNetServerReplyErrorLocked(client, msg, VIR_ERR_RPC,
                                     "unexpected message status %u",
                                     msg->header.status);
        return;
    }
    if (!(prog = virNetServerFindProgramLocked(srv, msg->header.prog,
                                               msg->header.vers))) {
        virNetServerReplyErrorLocked(client, msg, VIR_ERR_RPC,
                                     "cannot find program 0x%x version %u",
                                     msg->header.prog, msg->header.vers);
        return;
    }
    if (!(proc = virNetServerProgramFindProc(prog, msg->header.proc)) ||
        !proc->func) {
        virNetServerReplyErrorLocked(client, msg, VIR_ERR_RPC,
                                     "unknown procedure: %d", msg->header.proc);
        return;
    }

    job = g_new0(virNetServerJob, 1);
    job->client = virNetServerClientRef(client);
    job->proc = proc;
    job->msg = msg;
    client->nrequests++;
    srv->njobs++;
    g_thread_pool_push(srv->pool, job, NULL);
}

void
virNetServerPushFreeJob(virNetServerClient *client, void *priv)
{
    virNetServerJob *job = g_new0(virNetServerJob, 1);

    job->client = virNetServerClientRef(client);
    job->priv = priv;
    g_thread_pool_push(client->srv->pool, job, NULL);
}

/* Run one call (a worker). */
static void
virNetServerHandleJob(gpointer data, gpointer opaque)
{
    virNetServerJob *job = data;
    virNetServer *srv = opaque;
    virNetServerClient *client = job->client;
    const virNetServerProc *proc = job->proc;
    virNetMessage *msg = job->msg;
    virNetMessageError rerr = { 0 };
    g_autofree char *args = NULL;
    g_autofree char *ret = NULL;
    xdrproc_t argsFilter;
    xdrproc_t retFilter;
    bool decoded = false;
    bool closed;
    bool open;
    int rv = -1;
    void *priv;
    bool wake;

    if (!proc) {
        srv->privFree(job->priv);
        virNetServerClientUnref(client);
        g_free(job);
        return;
    }

    args = g_malloc0(MAX(proc->argsSize, 1));
    ret = g_malloc0(MAX(proc->retSize, 1));
    /* NULL filters: no arguments, no return value. */
    argsFilter = proc->argsFilter;
    retFilter = proc->retFilter;
    virResetLastError();
    g_mutex_lock(&srv->lock);
    closed = client->closed;
    open = client->open;
    g_mutex_unlock(&srv->lock);

    if (closed) {
        /* Gone before its call started: nobody waits for the reply. */
        g_clear_pointer(&msg, virNetMessageFree);
    } else if (proc->needsOpen && !open) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection not open");
    } else if (virNetMessageDecodePayload(msg, argsFilter, args) == 0) {
        decoded = true;
        rv = proc->func(srv, client, &msg->header, &rerr, args, ret);
    }

    if (msg) {
        msg->header.type = VIR_NET_REPLY;
        msg->header.status = VIR_NET_OK;
        if (rv == 0 &&
            (virNetMessageEncodeHeader(msg) < 0 ||
             virNetMessageEncodePayload(msg, retFilter, ret) < 0))
            rv = -1;
        if (rv < 0) {
            if (rerr.code == VIR_ERR_OK) {
                virNetMessageFreeError(&rerr);
                virNetMessageSaveError(&rerr);
            }
            if (virNetServerEncodeError(msg, &rerr) < 0) {
                VIR_WARN("cannot encode the error reply to call %u: %s",
                         msg->header.serial, virGetLastErrorMessage());
                g_clear_pointer(&msg, virNetMessageFree);
            }
        }
    }

    if (decoded && argsFilter)
        xdr_free(argsFilter, args);
    if (retFilter)
        xdr_free(retFilter, ret);
    virNetMessageFreeError(&rerr);
    virResetLastError();

    g_mutex_lock(&srv->lock);
    /* The loop must look again at a client that could not read more. */
    wake = client->nrequests >= MAX(srv->cfg.maxClientRequests, 1);
    client->nrequests--;
    srv->njobs--;
    if (msg) {
        virNetServerClientQueueLocked(client, msg);
        /* The reply goes out from this thread while the socket takes it:
         * the loop's thread is woken only for what is left. */
        if (!virNetServerClientTryFlushLocked(client))
            wake = true;
    } else {
        client->closing = true;
    }
    if (client->closing || srv->stopping)
        wake = true;
    priv = virNetServerClientTakePrivLocked(client);
    g_cond_broadcast(&srv->cond);
    g_mutex_unlock(&srv->lock);
    if (wake)
        virNetServerWakeup(srv);

    virNetServerClientFreePriv(client, priv);
    virNetServerClientUnref(client);
    g_free(job);
}

int
virNetServerStart(virNetServer *srv)
{
    g_autoptr(GError) gerr = NULL;
    size_t i;

    g_mutex_lock(&srv->lock);
    if (srv->started || srv->stopping) {
        g_mutex_unlock(&srv->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       "the server was started already");
        return -1;
    }
    srv->pool = g_thread_pool_new(virNetServerHandleJob, srv,
                                  MAX(srv->cfg.maxWorkers, 1), FALSE, &gerr);
    if (!srv->pool) {
        g_mutex_unlock(&srv->lock);
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot create the server's workers: %s", gerr->message);
        return -1;
    }
    srv->thread = virEventThreadNew("rpc-server");
    srv->started = true;
    for (i = 0; i < srv->services->len; i++)
        virNetServerServiceAttach(srv, g_ptr_array_index(srv->services, i));
    g_mutex_unlock(&srv->lock);
    return 0;
}

typedef struct {
    virNetServer *srv;
    void (*func)(virNetServer *srv);
    bool done;
} virNetServerRunData;

static gboolean
virNetServerRunCallback(gpointer opaque)
{
    virNetServerRunData *data = opaque;

    data->func(data->srv);
    g_mutex_lock(&data->srv->lock);
    data->done = true;
    g_cond_broadcast(&data->srv->cond);
    g_mutex_unlock(&data->srv->lock);
    return G_SOURCE_REMOVE;
}

/* Run @func on the I/O thread and wait for it: what the sockets are
 * changed by must never race with their own callbacks. */
static void
virNetServerRunOnThread(virNetServer *srv, void (*func)(virNetServer *srv))
{
    virNetServerRunData data = { srv, func, false };
    GSource *idle;

    if (!srv->thread) {
        func(srv);
        return;
    }
    idle = g_idle_source_new();
    g_source_set_callback(idle, virNetServerRunCallback, &data, NULL);
    g_source_attach(idle, virEventThreadGetContext(srv->thread));
    g_source_unref(idle);
    g_mutex_lock(&srv->lock);
    while (!data.done)
        g_cond_wait(&srv->cond, &srv->lock);
    g_mutex_unlock(&srv->lock);
}

static void
virNetServerCloseServices(virNetServer *srv)
{
    g_autoptr(GPtrArray) services = NULL;

    g_mutex_lock(&srv->lock);
    services = g_steal_pointer(&srv->services);
    srv->services = g_ptr_array_new_with_free_func(virNetServerServiceFree);
    g_mutex_unlock(&srv->lock);
}

static void
virNetServerCloseClients(virNetServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;
    g_autoptr(GPtrArray) privs = g_ptr_array_new();    /* client, priv, ... */
    size_t i;

    g_mutex_lock(&srv->lock);
    clients = g_ptr_array_new_full(srv->clients->len,
                                   (GDestroyNotify) virNetServerClientUnref);
    for (i = 0; i < srv->clients->len; i++)
        g_ptr_array_add(clients,
                        virNetServerClientRef(g_ptr_array_index(srv->clients, i)));
    for (i = 0; i < clients->len; i++) {
        virNetServerClient *client = g_ptr_array_index(clients, i);
        void *priv;

        /* Last words (replies, events) go out if the socket takes them. */
        virNetServerClientFlushLocked(client);
        virNetServerClientCloseNowLocked(client);
        if ((priv = virNetServerClientTakePrivLocked(client))) {
            g_ptr_array_add(privs, client);
            g_ptr_array_add(privs, priv);
        }
    }
    g_mutex_unlock(&srv->lock);
    for (i = 0; i < privs->len; i += 2)
        virNetServerClientFreePriv(g_ptr_array_index(privs, i),
                                   g_ptr_array_index(privs, i + 1));
}

void
virNetServerStop(virNetServer *srv)
{
    g_mutex_lock(&srv->lock);
    srv->stopping = true;
    g_mutex_unlock(&srv->lock);
    virNetServerWakeup(srv);

    virNetServerRunOnThread(srv, virNetServerCloseServices);

    g_mutex_lock(&srv->lock);
    while (srv->njobs > 0)
        g_cond_wait(&srv->cond, &srv->lock);
    g_mutex_unlock(&srv->lock);

    virNetServerRunOnThread(srv, virNetServerCloseClients);

    if (srv->pool) {
        g_thread_pool_free(srv->pool, FALSE, TRUE);
        srv->pool = NULL;
    }
    g_clear_pointer(&srv->thread, virEventThreadFree);
}

void
virNetServerFree(virNetServer *srv)
{
    if (!srv)
        return;
    virNetServerStop(srv);
    g_ptr_array_unref(srv->services);
    g_ptr_array_unref(srv->clients);
    g_ptr_array_unref(srv->programs);
    g_cond_clear(&srv->cond);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}

size_t
virNetServerClientCount(virNetServer *srv)
{
    size_t n;

    g_mutex_lock(&srv->lock);
    n = srv->clients->len;
    g_mutex_unlock(&srv->lock);
    return n;
}

/* Bind and listen on one address of getaddrinfo(). Returns the socket,
 * or -1 with errno set. */
static int
virNetServerListenTCP(const struct addrinfo *ai)
{
    int one = 1;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    int saved;

    if (fd < 0)
        return -1;
    /* A restarted daemon rebinds at once, its old connections in TIME_WAIT. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto error;
    /* "::" and "0.0.0.0" are two sockets: the IPv6 one must not take the
     * IPv4 addresses too, or the second bind fails. */
    if (ai->ai_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
        goto error;
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0)
        goto error;
    return fd;

 error:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int
virNetServerAddTCPSocket(virNetServer *srv, const char *addr,
                         const char *port, virNetTLSContext *tls)
{
    struct addrinfo hints = {
        .ai_flags = AI_PASSIVE | AI_ADDRCONFIG,
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    const char *what = addr ? addr : "every address";
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    int rc;
    int err = 0;

    if (!tls) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot listen on %s port %s without TLS", what, port);
        return -1;
    }
    if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "cannot listen on %s port %s: %s", what, port,
                       rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = virNetServerListenTCP(ai);

        if (fd < 0) {
            /* An address family the host lacks is no failure if another
             * address of the list works. */
            if (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL) {
                err = err ? err : errno;
                continue;
            }
            err = errno;
            for (guint i = 0; i < fds->len; i++)
                close(g_array_index(fds, int, i));
            g_array_set_size(fds, 0);
            break;
        }
        g_array_append_val(fds, fd);
    }
    freeaddrinfo(res);
    if (fds->len == 0) {
        virReportSystemError(err ? err : EADDRNOTAVAIL,
                             "cannot listen on %s port %s", what, port);
        return -1;
    }
    for (guint i = 0; i < fds->len; i++)
        virNetServerAddService(srv, g_array_index(fds, int, i), NULL, false, tls);
    return 0;
}

int
virNetServerAddTCPSocketFD(virNetServer *srv, int fd, virNetTLSContext *tls)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int type = 0;
    socklen_t tlen = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
        type != SOCK_STREAM || getsockname(fd, (struct sockaddr *) &ss, &len) < 0 ||
        (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "file descriptor %d is not a listening TCP socket", fd);
        return -1;
    }
    if (!tls) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot listen on socket fd %d without TLS", fd);
        return -1;
    }
    return virNetServerAddService(srv, fd, NULL, false, tls);
}

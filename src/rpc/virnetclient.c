/*
 * virnetclient.c: the client side of the remote protocol: one socket,
 * read and written on an I/O thread of its own; callers queue their call
 * and sleep until the reply with their serial comes (or the connection
 * ends); events go to their program's handler in the order they came.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <glib-unix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include "rpc/virnetclient.h"
#include "rpc/virkeepaliveprotocol.h"
#include "rpc/virnettls.h"
#include "util/virerror.h"
#include "util/virlog.h"
#include "util/vireventthread.h"

#define VIR_FROM_THIS VIR_FROM_RPC

typedef struct _virNetClientPending virNetClientPending;
struct _virNetClientPending {
    unsigned int serial;
    virNetMessage *reply;       /* set once the reply came */
    bool done;                  /* replied to, or the connection ended */
    GCond cond;
    virNetClientPending *next;
};

typedef struct {
    unsigned int program;
    unsigned int version;
    virNetClientEventFunc func;
    void *opaque;
} virNetClientEventProgram;

typedef struct {
    GSource base;
    gpointer tag;
    GIOCondition events;            /* what tag is polled for now */
    virNetClient *client;       /* no reference: the client owns the source */
} virNetClientSource;

/* All below "lock" is guarded by it; the socket is read, written and
 * closed on the I/O thread only. */
struct _virNetClient {
    gint refs;
    virEventThread *thread;

    GMutex lock;
    GCond cond;                 /* closed changed */
    int fd;
    virNetTLSSession *tls;      /* NULL: plain socket */
    unsigned int serial;
    virNetClientPending *calls;    /* waiting for their reply */
    virNetMessage *rx;
    virNetMessage *tx;
    virNetMessage *txTail;
    GSource *source;
    bool closing;               /* virNetClientClose(): close on the thread */
    bool closed;
    char *closeMessage;         /* why, for the calls that fail */
    int closeReason;            /* VIR_CONNECT_CLOSE_REASON_* */
    bool closeDone;             /* the close callback has run */
    GPtrArray *events;
    virNetClientCloseFunc closeFunc;
    void *closeOpaque;
    GDestroyNotify closeFree;
    GSource *kaTimer;
    unsigned int kaCount;
    unsigned int kaUnanswered;

    /* The command at the other end of fd (virNetClientNewCommand), 0
     * once reaped; its stderr, of which the last bytes are kept to
     * explain an end of file (ssh's "Permission denied"). */
    pid_t cmdPid;
    char *cmdName;
    int cmdStatus;              /* waitpid()'s, once reaped */
    int cmdErrFd;
    GSource *cmdErrSource;
    GString *cmdErr;
};

static void virNetClientCloseLocked(virNetClient *client, int reason,
                                    const char *why);
static char *virNetClientCommandExplainLocked(virNetClient *client,
                                              const char *why);

static void
virNetClientQueueLocked(virNetClient *client, virNetMessage *msg)
{
    virNetMessageQueuePush(&client->tx, &client->txTail, msg);
}

/* A complete message from the server (I/O thread, lock held). Events
 * are handed out by the caller, unlocked; returns such a message and the
 * handler in @prog, or NULL. */
static virNetMessage *
virNetClientDispatchLocked(virNetClient *client, virNetMessage *msg,
                           virNetClientEventProgram **prog)
{
    virNetClientPending *call;
    size_t i;

    *prog = NULL;
    if (virNetMessageDecodeHeader(msg) < 0) {
        g_autofree char *why = g_strdup(virGetLastErrorMessage());

        virResetLastError();
        virNetMessageFree(msg);
        virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR, why);
        return NULL;
    }
    client->kaUnanswered = 0;

    switch (msg->header.type) {
    case VIR_NET_REPLY:
        for (call = client->calls; call; call = call->next) {
            if (call->serial == msg->header.serial && !call->done) {
                call->reply = msg;
                call->done = true;
                g_cond_signal(&call->cond);
                return NULL;
            }
        }
        VIR_DEBUG("client %p: a reply to no call (serial %u)", client,
                  msg->header.serial);
        break;

    case VIR_NET_MESSAGE:
        if (msg->header.prog == KEEPALIVE_PROGRAM) {
            if (msg->header.proc == KEEPALIVE_PROC_PING) {
                virNetMessage *pong = virNetMessageNewKeepAlive(KEEPALIVE_PROC_PONG);

                if (pong)
                    virNetClientQueueLocked(client, pong);
            }
            break;
        }
        for (i = 0; i < client->events->len; i++) {
            virNetClientEventProgram *p = g_ptr_array_index(client->events, i);

            if (p->program == msg->header.prog &&
                p->version == msg->header.vers) {
                *prog = p;
                return msg;
            }
        }
        VIR_DEBUG("client %p: an event of an unknown program 0x%x", client,
                  msg->header.prog);
        break;

    default:
        VIR_DEBUG("client %p: ignoring a message of type %d", client,
                  msg->header.type);
        break;
    }
    virNetMessageFree(msg);
    return NULL;
}

static gboolean
virNetClientSourcePrepare(GSource *source, gint *timeout)
{
    virNetClientSource *src = (virNetClientSource *) source;
    virNetClient *client = src->client;
    GIOCondition want = G_IO_IN;
    bool closeNow;

    *timeout = -1;
    g_mutex_lock(&client->lock);
    if (client->tx)
        want |= G_IO_OUT;
    closeNow = client->closing;
    g_mutex_unlock(&client->lock);
    virEventSourceUpdateUnixFD(source, src->tag, &src->events, want);
    return closeNow;
}

/* The transport under the messages: the socket (or pipe), or TLS over
 * it. errno as send()'s and recv()'s; EIO: a TLS error, *@why says it. */
static ssize_t
virNetClientSendRaw(virNetClient *client, const char *buf, size_t len,
                    const char **why)
{
    ssize_t n;

    if (client->tls)
        return virNetTLSSessionSend(client->tls, buf, len, why);
    n = send(client->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK)
        n = write(client->fd, buf, len);
    return n;
}

static ssize_t
virNetClientRecvRaw(virNetClient *client, char *buf, size_t len,
                    const char **why)
{
    ssize_t n;

    if (client->tls)
        return virNetTLSSessionRecv(client->tls, buf, len, why);
    n = recv(client->fd, buf, len, 0);
    if (n < 0 && errno == ENOTSOCK)
        n = read(client->fd, buf, len);
    return n;
}

/*
 * Send what the socket takes now. On the I/O thread (@ioThread) a failure
 * ends the connection. From a caller's thread (so that a call costs no
 * wake-up of the I/O thread) a failure is not acted on: the I/O thread
 * meets it when it writes the rest. Returns true if nothing is left to
 * send.
 */
static bool
virNetClientWriteLocked(virNetClient *client, bool ioThread)
{
    while (client->tx && !client->closed && (ioThread || !client->closing)) {
        virNetMessage *msg = client->tx;
        const char *tlsWhy = NULL;
        ssize_t n = virNetClientSendRaw(client, msg->buffer + msg->bufferOffset,
                                        msg->bufferLength - msg->bufferOffset,
                                        &tlsWhy);

        if (n < 0) {
            g_autofree char *why = NULL;

            if (errno == EINTR)
                continue;
            if (!ioThread || errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            if (errno == EPIPE || errno == ECONNRESET) {
                virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_EOF,
                                        "end of file");
                return false;
            }
            why = g_strdup_printf("cannot send data: %s",
                                  tlsWhy ? tlsWhy : g_strerror(errno));
            virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR, why);
            return false;
        }
        msg->bufferOffset += n;
        if (msg->bufferOffset == msg->bufferLength)
            virNetMessageFree(virNetMessageQueueServe(&client->tx,
                                                      &client->txTail));
    }
    return client->tx == NULL;
}

/* Read one complete message if there is one. Returns it, or NULL when
 * nothing more can be read now (or the connection ended). */
static virNetMessage *
virNetClientReadLocked(virNetClient *client)
{
    while (!client->closed) {
        virNetMessage *msg = virNetMessageReadPending(&client->rx);
        const char *tlsWhy = NULL;
        ssize_t n;
        int rc;

        n = virNetClientRecvRaw(client, msg->buffer + msg->bufferOffset,
                                msg->bufferLength - msg->bufferOffset, &tlsWhy);
        /* A peer that closes with our data unread resets the connection:
         * it went away all the same. */
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_EOF,
                                    "end of file");
            return NULL;
        }
        if (n < 0) {
            g_autofree char *why = NULL;

            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return NULL;
            why = g_strdup_printf("cannot receive data: %s",
                                  tlsWhy ? tlsWhy : g_strerror(errno));
            virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR, why);
            return NULL;
        }

        rc = virNetMessageReadDone(msg, n, VIR_NET_MESSAGE_LIMIT);
        if (rc < 0) {
            g_autofree char *why = g_strdup(virGetLastErrorMessage());

            virResetLastError();
            virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR, why);
            return NULL;
        }
        if (rc == 0)
            continue;
        return g_steal_pointer(&client->rx);
    }
    return NULL;
}

/* The end of the connection: to be called with the lock held, on the I/O
 * thread; the close callback is called by the caller, unlocked (see
 * virNetClientRunCloseCallback). */
static void
virNetClientCloseLocked(virNetClient *client, int reason, const char *why)
{
    virNetClientPending *call;

    if (client->closed)
        return;
    VIR_DEBUG("client %p: connection closed (reason %d): %s", client,
              reason, why);
    client->closed = true;
    if (client->cmdPid && (reason == VIR_CONNECT_CLOSE_REASON_EOF ||
                           reason == VIR_CONNECT_CLOSE_REASON_ERROR))
        client->closeMessage = virNetClientCommandExplainLocked(client, why);
    else
        client->closeMessage = g_strdup(why);
    if (client->source) {
        g_source_destroy(client->source);
        g_clear_pointer(&client->source, g_source_unref);
    }
    if (client->kaTimer) {
        g_source_destroy(client->kaTimer);
        g_clear_pointer(&client->kaTimer, g_source_unref);
    }
    g_clear_pointer(&client->tls, virNetTLSSessionFree);
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    g_clear_pointer(&client->rx, virNetMessageFree);
    virNetMessageQueueClear(&client->tx, &client->txTail);
    for (call = client->calls; call; call = call->next) {
        call->done = true;
        g_cond_signal(&call->cond);
    }
    client->closing = false;
    client->closeReason = reason;
    g_cond_broadcast(&client->cond);
}

/* Put *@func, *@opaque and *@freeFunc in place of the close callback
 * (lock held) and hand the ones that were there back in them. */
static void
virNetClientSwapCloseCallbackLocked(virNetClient *client,
                                    virNetClientCloseFunc *func,
                                    void **opaque,
                                    GDestroyNotify *freeFunc)
{
    virNetClientCloseFunc oldFunc = client->closeFunc;
    void *oldOpaque = client->closeOpaque;
    GDestroyNotify oldFree = client->closeFree;

    client->closeFunc = *func;
    client->closeOpaque = *opaque;
    client->closeFree = *freeFunc;
    *func = oldFunc;
    *opaque = oldOpaque;
    *freeFunc = oldFree;
}

static void
virNetClientRunCloseCallback(virNetClient *client)
{
    virNetClientCloseFunc func = NULL;
    void *opaque = NULL;
    GDestroyNotify freeFunc = NULL;
    int reason;

    g_mutex_lock(&client->lock);
    virNetClientSwapCloseCallbackLocked(client, &func, &opaque, &freeFunc);
    reason = client->closeReason;
    g_mutex_unlock(&client->lock);

    if (func)
        func(client, reason, opaque);
    if (freeFunc)
        freeFunc(opaque);

    g_mutex_lock(&client->lock);
    client->closeDone = true;
    g_cond_broadcast(&client->cond);
    g_mutex_unlock(&client->lock);
}

static gboolean
virNetClientSourceDispatch(GSource *source,
                           GSourceFunc callback G_GNUC_UNUSED,
                           gpointer data G_GNUC_UNUSED)
{
    virNetClientSource *src = (virNetClientSource *) source;
    virNetClient *client = src->client;
    GIOCondition rev = g_source_query_unix_fd(source, src->tag);
    bool closed;

    g_mutex_lock(&client->lock);
    if (client->closing)
        virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_CLIENT,
                                "the connection was closed by the client");
    if (!client->closed && (rev & G_IO_OUT))
        virNetClientWriteLocked(client, true);
    if (!client->closed && (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
        virNetMessage *msg;

        while ((msg = virNetClientReadLocked(client))) {
            virNetClientEventProgram *prog;

            if ((msg = virNetClientDispatchLocked(client, msg, &prog))) {
                /* Events run unlocked, in order, on this thread. */
                g_mutex_unlock(&client->lock);
                prog->func(client, msg, prog->opaque);
                virNetMessageFree(msg);
                g_mutex_lock(&client->lock);
            }
        }
    }
    closed = client->closed;
    g_mutex_unlock(&client->lock);

    /* No reference is taken here: a client is freed only after its I/O
     * thread was joined. */
    if (closed)
        virNetClientRunCloseCallback(client);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs virNetClientSourceFuncs = {
    .prepare = virNetClientSourcePrepare,
    .dispatch = virNetClientSourceDispatch,
};

/* A client over @fd, through @tls if not NULL (both taken). */
static virNetClient *
virNetClientNewTransport(int fd, virNetTLSSession *tls)
{
    virNetClient *client = g_new0(virNetClient, 1);
    virNetClientSource *src;
    int flags;

    client->refs = 1;
    client->cmdErrFd = -1;
    g_mutex_init(&client->lock);
    g_cond_init(&client->cond);
    client->fd = fd;
    client->tls = tls;
    client->events = g_ptr_array_new_with_free_func(g_free);

    if ((flags = fcntl(fd, F_GETFD)) >= 0)
        flags = fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    if (flags >= 0 && (flags = fcntl(fd, F_GETFL)) >= 0)
        flags = fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (flags < 0) {
        virReportError(VIR_ERR_RPC, "cannot set up fd %d for the connection: %s",
                       fd, g_strerror(errno));
        g_clear_pointer(&client->tls, virNetTLSSessionFree);
        client->fd = -1;
        close(fd);
        virNetClientUnref(client);
        return NULL;
    }

    client->thread = virEventThreadNew("rpc-client");
    client->source = g_source_new(&virNetClientSourceFuncs,
                                  sizeof(virNetClientSource));
    src = (virNetClientSource *) client->source;
    src->client = client;
    src->tag = g_source_add_unix_fd(client->source, fd, G_IO_IN);
    src->events = G_IO_IN;
    g_source_set_name(client->source, "virNetClient");
    /* Its dispatch never iterates the context again: not blocking the
     * source around it spares two wake-ups of the thread per dispatch. */
    g_source_set_can_recurse(client->source, TRUE);
    g_source_attach(client->source, virEventThreadGetContext(client->thread));
    return client;
}

virNetClient *
virNetClientNewFD(int fd)
{
    return virNetClientNewTransport(fd, NULL);
}

virNetClient *
virNetClientNewUnix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_NO_CONNECT,
                       "cannot connect to '%s': the socket path is too long", path);
        return NULL;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportError(VIR_ERR_NO_CONNECT,
                       "cannot connect to '%s': cannot create a socket: %s",
                       path, g_strerror(errno));
        return NULL;
    }
    while (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (errno == EINTR)
            continue;
        virReportError(VIR_ERR_NO_CONNECT, "cannot connect to '%s': %s",
                       path, g_strerror(errno));
        close(fd);
        return NULL;
    }
    return virNetClientNewFD(fd);
}

/* ------------------------------------------------------------------ */
/* A command at the other end (ssh)                                     */

/* How much of the command's stderr is kept, and how many of its last
 * lines an error quotes. */
#define VIR_NET_CLIENT_CMD_ERR_MAX 4096
#define VIR_NET_CLIENT_CMD_ERR_LINES 3
/* How long an end of file waits for the command to exit (its stderr is
 * complete then), and how long a closed client's command has between
 * SIGTERM and SIGKILL. Bounds, not timings. */
#define VIR_NET_CLIENT_CMD_EXIT_MS 3000
#define VIR_NET_CLIENT_CMD_TERM_MS 3000

/* Read what the command wrote to stderr (lock held). Returns false at
 * its end (or an error), true while it may write more. */
static bool
virNetClientCommandReadErrLocked(virNetClient *client)
{
    char buf[1024];

    while (client->cmdErrFd >= 0) {
        ssize_t n = read(client->cmdErrFd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0)
            return false;
        VIR_DEBUG("client %p: %s said: %.*s", client, client->cmdName,
                  (int) n, buf);
        g_string_append_len(client->cmdErr, buf, n);
        if (client->cmdErr->len > VIR_NET_CLIENT_CMD_ERR_MAX)
            g_string_erase(client->cmdErr, 0,
                           client->cmdErr->len - VIR_NET_CLIENT_CMD_ERR_MAX);
    }
    return false;
}

/* The I/O thread drains stderr as it comes, so that a chatty command
 * never blocks on a full pipe. */
static gboolean
virNetClientCommandErrReady(gint fd G_GNUC_UNUSED,
                            GIOCondition cond G_GNUC_UNUSED,
                            gpointer opaque)
{
    virNetClient *client = opaque;
    bool more;

    g_mutex_lock(&client->lock);
    more = virNetClientCommandReadErrLocked(client);
    if (!more)
        g_clear_pointer(&client->cmdErrSource, g_source_unref);
    g_mutex_unlock(&client->lock);
    return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Reap the command if it has exited (lock held). True once it is. */
static bool
virNetClientCommandReapLocked(virNetClient *client)
{
    pid_t rc;

    if (!client->cmdPid)
        return true;
    while ((rc = waitpid(client->cmdPid, &client->cmdStatus, WNOHANG)) < 0 &&
           errno == EINTR)
        ;
    if (rc == 0)
        return false;
    /* ECHILD: the application reaped it (a SIGCHLD handler of its own). */
    if (rc < 0)
        client->cmdStatus = -1;
    VIR_DEBUG("client %p: %s (pid %d) ended, status 0x%x", client,
              client->cmdName, (int) client->cmdPid, client->cmdStatus);
    client->cmdPid = 0;
    return true;
}

/*
 * The connection ended by the command's doing (ssh could not log in, the
 * far side had no helper or no daemon): wait a bounded time for it to
 * exit, so that what it said on stderr is all there, and return @why
 * with its last lines and its exit status (lock held, I/O thread).
 */
static char *
virNetClientCommandExplainLocked(virNetClient *client, const char *why)
{
    gint64 deadline = g_get_monotonic_time() + VIR_NET_CLIENT_CMD_EXIT_MS * 1000;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) said = g_string_new(NULL);
    g_autofree char *status = NULL;
    size_t n;

    for (;;) {
        bool errOpen = virNetClientCommandReadErrLocked(client);
        bool exited = virNetClientCommandReapLocked(client);

        if ((exited && !errOpen) || g_get_monotonic_time() >= deadline)
            break;
        /* Exited, but a child of its own may hold stderr open: take
         * what is there and do not wait for that one. */
        if (exited) {
            virNetClientCommandReadErrLocked(client);
            break;
        }
        g_usleep(10 * 1000);
    }

    /* The last non-empty lines, on one line: the reason is the last
     * thing ssh (or the far side) says. */
    lines = g_strsplit(client->cmdErr->str, "\n", -1);
    n = 0;
    for (size_t i = g_strv_length(lines); i > 0 && n < VIR_NET_CLIENT_CMD_ERR_LINES; i--) {
        if (*g_strstrip(lines[i - 1])) {
            if (n++ > 0)
                g_string_prepend(said, " ");
            g_string_prepend(said, lines[i - 1]);
        }
    }

    if (client->cmdPid)
        status = g_strdup("still running");
    else if (client->cmdStatus == -1)
        status = g_strdup("exit status unknown");
    else if (WIFEXITED(client->cmdStatus))
        status = g_strdup_printf("exit status %d", WEXITSTATUS(client->cmdStatus));
    else if (WIFSIGNALED(client->cmdStatus))
        status = g_strdup_printf("killed by signal %d", WTERMSIG(client->cmdStatus));
    else
        status = g_strdup_printf("status 0x%x", client->cmdStatus);
    if (said->len)
        return g_strdup_printf("%s; '%s' (%s) said: %s", why, client->cmdName,
                               status, said->str);
    return g_strdup_printf("%s; '%s' (%s) said nothing on stderr", why,
                           client->cmdName, status);
}

/* End the command if it still runs: SIGTERM, then SIGKILL after a
 * bounded wait; it is reaped either way. Not on the I/O thread. */
static void
virNetClientCommandStop(virNetClient *client)
{
    gint64 deadline = g_get_monotonic_time() + VIR_NET_CLIENT_CMD_TERM_MS * 1000;
    bool killed = false;

    g_mutex_lock(&client->lock);
    while (!virNetClientCommandReapLocked(client)) {
        if (!killed) {
            VIR_DEBUG("client %p: stopping %s (pid %d)", client,
                      client->cmdName, (int) client->cmdPid);
            kill(client->cmdPid, SIGTERM);
            killed = true;
        } else if (g_get_monotonic_time() >= deadline) {
            VIR_WARN("%s (pid %d) did not end on SIGTERM, killing it",
                     client->cmdName, (int) client->cmdPid);
            kill(client->cmdPid, SIGKILL);
            deadline = G_MAXINT64;
        }
        g_mutex_unlock(&client->lock);
        g_usleep(10 * 1000);
        g_mutex_lock(&client->lock);
    }
    g_mutex_unlock(&client->lock);
}

/* Make @fd non-blocking (it is close-on-exec already). */
static int
virNetClientSetFDFlags(int fd)
{
    int flags;

    if ((flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    return 0;
}

virNetClient *
virNetClientNewCommand(const char *const *argv)
{
    g_autofree char *path = NULL;
    int sv[2] = { -1, -1 };
    int errPipe[2] = { -1, -1 };
    virNetClient *client;
    sigset_t all;
    sigset_t old;
    pid_t pid;

    /* Looked up before fork(): the child of a threaded program may only
     * make async-signal-safe calls, which execvp()'s search is not. */
    if (!(path = g_find_program_in_path(argv[0]))) {
        virReportError(VIR_ERR_NO_CONNECT,
                       "cannot run '%s': no such program in PATH", argv[0]);
        return NULL;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
        pipe2(errPipe, O_CLOEXEC) < 0) {
        virReportError(VIR_ERR_NO_CONNECT, "cannot run '%s': %s", argv[0],
                       g_strerror(errno));
        goto error;
    }

    /* The child starts with every signal blocked (no handler of ours may
     * run in it) and unblocks them, with their default actions, before
     * exec: a SIGPIPE ignored here would otherwise stay ignored in ssh. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0) {
        static const char failed[] = "virNetClientNewCommand: cannot execute the command\n";
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        for (int sig = 1; sig < NSIG; sig++)
            sigaction(sig, &dfl, NULL);
        /* Its stdin and stdout are the connection; stderr is ours to
         * read. No terminal is taken away: without no_tty, ssh may ask
         * for a password on the controlling terminal, as with libvirt. */
        if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(sv[1], STDOUT_FILENO) < 0 ||
            dup2(errPipe[1], STDERR_FILENO) < 0)
            _exit(127);
        closefrom(STDERR_FILENO + 1);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        execv(path, (char *const *) argv);
        if (write(STDERR_FILENO, failed, sizeof(failed) - 1) < 0) {
            /* Nothing left to tell it to. */
        }
        _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        virReportError(VIR_ERR_NO_CONNECT, "cannot run '%s': fork failed: %s",
                       argv[0], g_strerror(errno));
        goto error;
    }
    VIR_DEBUG("started %s (pid %d)", path, (int) pid);
    close(sv[1]);
    close(errPipe[1]);

    if (virNetClientSetFDFlags(errPipe[0]) < 0) {
        virReportError(VIR_ERR_NO_CONNECT, "cannot run '%s': %s", argv[0],
                       g_strerror(errno));
        close(sv[0]);
        goto stop;
    }
    /* It takes sv[0], also when it fails. */
    if (!(client = virNetClientNewFD(sv[0])))
        goto stop;

    g_mutex_lock(&client->lock);
    client->cmdPid = pid;
    client->cmdName = g_path_get_basename(argv[0]);
    client->cmdErr = g_string_new(NULL);
    client->cmdErrFd = errPipe[0];
    client->cmdErrSource = g_unix_fd_source_new(errPipe[0], G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(client->cmdErrSource,
                          G_SOURCE_FUNC(virNetClientCommandErrReady), client, NULL);
    g_source_attach(client->cmdErrSource,
                    virEventThreadGetContext(client->thread));
    g_mutex_unlock(&client->lock);
    return client;

 stop:
    close(errPipe[0]);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return NULL;

 error:
    for (size_t i = 0; i < 2; i++) {
        if (sv[i] >= 0)
            close(sv[i]);
        if (errPipe[i] >= 0)
            close(errPipe[i]);
    }
    return NULL;
}

/* Milliseconds left until @deadline (g_get_monotonic_time() units),
 * at least 0. */
static int
virNetClientRemainingMs(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left > 0 ? (int) ((left + 999) / 1000) : 0;
}

/* Wait until @fd is ready for @events or @deadline passes. Returns 1,
 * 0 on the deadline, -1 with errno. */
static int
virNetClientWaitFD(int fd, GIOCondition events, gint64 deadline)
{
    struct pollfd pfd = { .fd = fd };
    int rc;

    pfd.events = (events & G_IO_OUT) ? POLLOUT : POLLIN;
    do {
        rc = poll(&pfd, 1, virNetClientRemainingMs(deadline));
    } while (rc < 0 && errno == EINTR);
    return rc;
}

/* A TCP connection to @host port @port, any of its addresses (IPv4 or
 * IPv6), within @deadline. Returns the non-blocking socket, or -1 with
 * an error naming host and port. */
static int
virNetClientConnectTCP(const char *host, const char *port, gint64 deadline)
{
    struct addrinfo hints = {
        .ai_flags = AI_ADDRCONFIG,
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    int one = 1;
    int err = 0;
    int rc;
    int fd = -1;

    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        virReportError(VIR_ERR_NO_CONNECT, "cannot resolve host '%s' port '%s': %s",
                       host, port,
                       rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        socklen_t len = sizeof(err);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        /* Calls and replies are small: Nagle's algorithm with delayed
         * ACKs would hold each back tens of milliseconds. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno;
        if (err == EINPROGRESS) {
            rc = virNetClientWaitFD(fd, G_IO_OUT, deadline);
            if (rc == 0)
                err = ETIMEDOUT;
            else if (rc < 0)
                err = errno;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
            if (err == 0)
                break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        virReportError(VIR_ERR_NO_CONNECT, "cannot connect to host '%s' port '%s': %s",
                       host, port, g_strerror(err ? err : ECONNREFUSED));
    return fd;
}

/*
 * The TLS handshake, the check of the server's certificate, and the
 * server's verdict on ours (its '\1' byte), all before the I/O thread
 * exists, each step bounded by @deadline. Returns 0 or -1 with an error.
 */
static int
virNetClientTLSStart(virNetTLSSession *tls, int fd, const char *peer,
                     gint64 deadline)
{
    char byte = 0;
    ssize_t n;
    int rc;

    while ((rc = virNetTLSSessionHandshake(tls, peer)) == 0) {
        if ((rc = virNetClientWaitFD(fd, virNetTLSSessionWants(tls), deadline)) <= 0)
            goto timeout;
    }
    if (rc < 0 || virNetTLSSessionCheckPeer(tls, peer, NULL) < 0)
        return -1;

    for (;;) {
        const char *why = NULL;

        n = virNetTLSSessionRecv(tls, &byte, 1, &why);
        if (n == 1)
            break;
        if (n < 0 && errno == EAGAIN) {
            if ((rc = virNetClientWaitFD(fd, virNetTLSSessionWants(tls), deadline)) <= 0)
                goto timeout;
            continue;
        }
        virReportError(VIR_ERR_AUTH_FAILED,
                       "server verification (of our certificate or IP address) failed: the server '%s' closed the connection (%s); its log says why",
                       peer, n == 0 ? "end of file" : why ? why : g_strerror(errno));
        return -1;
    }
    if (byte != VIR_NET_TLS_CONFIRM) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "server verification (of our certificate or IP address) failed: the server '%s' answered 0x%02x, not the confirmation byte",
                       peer, (unsigned char) byte);
        return -1;
    }
    return 0;

 timeout:
    if (rc < 0)
        virReportSystemError(errno, "cannot wait for the TLS server '%s'", peer);
    else
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       "the TLS server '%s' did not complete the handshake within %d seconds",
                       peer, VIR_NET_CLIENT_TLS_TIMEOUT);
    return -1;
}

virNetClient *
virNetClientNewTLS(const char *host, const char *port, virNetTLSContext *ctx)
{
    gint64 deadline = g_get_monotonic_time() +
        (gint64) VIR_NET_CLIENT_TLS_TIMEOUT * G_USEC_PER_SEC;
    g_autofree char *peer = NULL;
    g_autoptr(virNetTLSSession) tls = NULL;
    int fd;

    if (strchr(host, ':'))
        peer = g_strdup_printf("[%s]:%s", host, port);
    else
        peer = g_strdup_printf("%s:%s", host, port);
    if ((fd = virNetClientConnectTCP(host, port, deadline)) < 0)
        return NULL;
    if (!(tls = virNetTLSSessionNew(ctx, fd, host)) ||
        virNetClientTLSStart(tls, fd, peer, deadline) < 0) {
        g_clear_pointer(&tls, virNetTLSSessionFree);
        close(fd);
        return NULL;
    }
    VIR_DEBUG("TLS connection to '%s' established", peer);
    return virNetClientNewTransport(fd, g_steal_pointer(&tls));
}

static void
virNetClientReportLostLocked(virNetClient *client)
{
    virReportError(VIR_ERR_RPC, "the connection to the daemon was lost: %s",
                   client->closeMessage ? client->closeMessage : "closed");
}

int
virNetClientCall(virNetClient *client, unsigned int program,
                 unsigned int version, int proc,
                 xdrproc_t argsFilter, void *args,
                 xdrproc_t retFilter, void *ret)
{
    g_autoptr(virNetMessage) msg = virNetMessageNew();
    g_autoptr(virNetMessage) reply = NULL;
    virNetClientPending call = { 0 };
    virNetClientPending **link;

    if (virEventThreadIsSelf(client->thread)) {
        virReportError(VIR_ERR_RPC, "%s",
                       "a call cannot be made from the connection's own I/O thread (an event handler)");
        return -1;
    }

    msg->header.prog = program;
    msg->header.vers = version;
    msg->header.proc = proc;
    msg->header.type = VIR_NET_CALL;
    msg->header.status = VIR_NET_OK;

    g_mutex_lock(&client->lock);
    if (client->closed || client->closing) {
        virNetClientReportLostLocked(client);
        g_mutex_unlock(&client->lock);
        return -1;
    }
    msg->header.serial = call.serial = ++client->serial;
    g_mutex_unlock(&client->lock);

    if (virNetMessageEncodeHeader(msg) < 0 ||
        virNetMessageEncodePayload(msg, argsFilter, args) < 0)
        return -1;

    g_cond_init(&call.cond);
    g_mutex_lock(&client->lock);
    if (client->closed) {
        virNetClientReportLostLocked(client);
        g_mutex_unlock(&client->lock);
        g_cond_clear(&call.cond);
        return -1;
    }
    virNetClientQueueLocked(client, g_steal_pointer(&msg));
    call.next = client->calls;
    client->calls = &call;
    if (!virNetClientWriteLocked(client, false))
        g_main_context_wakeup(virEventThreadGetContext(client->thread));
    while (!call.done)
        g_cond_wait(&call.cond, &client->lock);
    for (link = &client->calls; *link; link = &(*link)->next) {
        if (*link == &call) {
            *link = call.next;
            break;
        }
    }
    reply = g_steal_pointer(&call.reply);
    if (!reply)
        virNetClientReportLostLocked(client);
    g_mutex_unlock(&client->lock);
    g_cond_clear(&call.cond);

    if (!reply)
        return -1;

    if (reply->header.status == VIR_NET_ERROR) {
        virNetMessageError rerr = { 0 };

        if (virNetMessageDecodePayload(reply, (xdrproc_t) xdr_virNetMessageError,
                                       &rerr) < 0)
            return -1;
        virNetMessageRaiseError(&rerr);
        virNetMessageFreeError(&rerr);
        return -1;
    }
    if (reply->header.status != VIR_NET_OK) {
        virReportError(VIR_ERR_RPC, "unexpected status %d in the reply to procedure %d",
                       reply->header.status, proc);
        return -1;
    }
    if (reply->header.prog != program || reply->header.vers != version ||
        reply->header.proc != proc) {
        virReportError(VIR_ERR_RPC,
                       "the reply to procedure %d of program 0x%x came for procedure %d of program 0x%x",
                       proc, program, reply->header.proc, reply->header.prog);
        return -1;
    }
    return virNetMessageDecodePayload(reply, retFilter, ret);
}

int
virNetClientAddProgramEvents(virNetClient *client, unsigned int program,
                             unsigned int version,
                             virNetClientEventFunc func, void *opaque)
{
    virNetClientEventProgram *prog = g_new0(virNetClientEventProgram, 1);

    prog->program = program;
    prog->version = version;
    prog->func = func;
    prog->opaque = opaque;
    g_mutex_lock(&client->lock);
    g_ptr_array_add(client->events, prog);
    g_mutex_unlock(&client->lock);
    return 0;
}

void
virNetClientSetCloseCallback(virNetClient *client,
                             virNetClientCloseFunc func, void *opaque,
                             GDestroyNotify freeFunc)
{
    g_mutex_lock(&client->lock);
    virNetClientSwapCloseCallbackLocked(client, &func, &opaque, &freeFunc);
    g_mutex_unlock(&client->lock);
    /* The previous callback's data. */
    if (freeFunc)
        freeFunc(opaque);
}

static gboolean
virNetClientKeepAliveTimer(gpointer opaque)
{
    virNetClient *client = opaque;
    bool closed = false;

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return G_SOURCE_REMOVE;
    }
    if (client->kaUnanswered >= client->kaCount) {
        virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_KEEPALIVE,
                                "no answer to keepalive messages");
        closed = true;
    } else {
        virNetMessage *ping = virNetMessageNewKeepAlive(KEEPALIVE_PROC_PING);

        if (ping)
            virNetClientQueueLocked(client, ping);
        client->kaUnanswered++;
    }
    g_mutex_unlock(&client->lock);
    if (closed)
        virNetClientRunCloseCallback(client);
    return closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

int
virNetClientKeepAliveStart(virNetClient *client, int interval,
                           unsigned int count)
{
    g_mutex_lock(&client->lock);
    if (client->closed) {
        virNetClientReportLostLocked(client);
        g_mutex_unlock(&client->lock);
        return -1;
    }
    if (client->kaTimer) {
        g_source_destroy(client->kaTimer);
        g_clear_pointer(&client->kaTimer, g_source_unref);
    }
    client->kaUnanswered = 0;
    client->kaCount = count;
    if (interval > 0) {
        client->kaTimer = g_timeout_source_new((guint) interval * 1000);
        g_source_set_callback(client->kaTimer, virNetClientKeepAliveTimer,
                              client, NULL);
        g_source_attach(client->kaTimer,
                        virEventThreadGetContext(client->thread));
    }
    g_mutex_unlock(&client->lock);
    return 0;
}

bool
virNetClientIsOpen(virNetClient *client)
{
    bool ret;

    g_mutex_lock(&client->lock);
    ret = !client->closed && !client->closing;
    g_mutex_unlock(&client->lock);
    return ret;
}

void
virNetClientClose(virNetClient *client)
{
    if (!client)
        return;
    g_mutex_lock(&client->lock);
    if (virEventThreadIsSelf(client->thread)) {
        if (client->closed) {
            g_mutex_unlock(&client->lock);
            return;
        }
        virNetClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_CLIENT,
                                "the connection was closed by the client");
        g_mutex_unlock(&client->lock);
        virNetClientRunCloseCallback(client);
        return;
    }
    if (!client->closed)
        client->closing = true;
    g_main_context_wakeup(virEventThreadGetContext(client->thread));
    /* Returns once the callback has run: nothing of the connection is
     * called after it. */
    while (!client->closeDone)
        g_cond_wait(&client->cond, &client->lock);
    g_mutex_unlock(&client->lock);
    /* The command saw its input end; if it does not follow, it is ended
     * here rather than left to the client's last reference. */
    virNetClientCommandStop(client);
}

virNetClient *
virNetClientRef(virNetClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

static gpointer
virNetClientFree(gpointer opaque)
{
    virNetClient *client = opaque;

    if (client->thread) {
        virNetClientClose(client);
        virEventThreadFree(client->thread);
    }
    virNetTLSSessionFree(client->tls);
    if (client->fd >= 0)
        close(client->fd);
    /* The I/O thread is gone: its stderr source no longer runs. */
    if (client->cmdErrSource) {
        g_source_destroy(client->cmdErrSource);
        g_source_unref(client->cmdErrSource);
    }
    if (client->cmdErrFd >= 0)
        close(client->cmdErrFd);
    virNetClientCommandStop(client);
    g_free(client->cmdName);
    if (client->cmdErr)
        g_string_free(client->cmdErr, TRUE);
    if (client->closeFree)
        client->closeFree(client->closeOpaque);
    g_ptr_array_unref(client->events);
    g_free(client->closeMessage);
    g_cond_clear(&client->cond);
    g_mutex_clear(&client->lock);
    g_free(client);
    return NULL;
}

void
virNetClientUnref(virNetClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    /* The I/O thread cannot join itself: the last reference dropped by a
     * handler is finished by a thread of its own. */
    if (client->thread && virEventThreadIsSelf(client->thread))
        g_thread_unref(g_thread_new("rpc-client-free", virNetClientFree, client));
    else
        virNetClientFree(client);
}

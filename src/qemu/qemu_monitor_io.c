/*
 * qemu_monitor_io.c: the QMP transport: the socket on a GMainContext,
 * framing of QEMU's JSON messages, the greeting, matching each reply to
 * its command by their order, timeouts, and handing events (to the JSON
 * layer's event table) and the end of the connection to the owner's
 * callbacks. A thread waiting for a reply reads the socket itself; the
 * context thread reads it when nobody waits.
 * It knows no QMP command but the shape of a message; see
 * qemu_monitor.c for the API on top.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu_monitor_priv.h"
#include "qemu_monitor_json.h"
#include "util/virerror.h"
#include "util/vireventthread.h"
#include "util/virjson.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* How much one dispatch reads at most; poll fires again if more waits. */
#define QEMU_MONITOR_READ_CHUNK 65536

/* JSON nesting QEMU may send (backing chains nest in query replies). */
#define QEMU_MONITOR_MAX_DEPTH 512

/* One command waiting for its reply. It belongs to the thread that sent
 * it (qemuMonitorIOSendStart) until qemuMonitorIOSendFinish frees it; the
 * monitor only points at it while it is pending, and it is always
 * unlinked under the monitor lock before it is freed. One whose sender
 * gave up waiting (@abandoned) belongs to the monitor, which frees it
 * when its reply comes or the connection ends.
 *
 * Commands carry no "id": QEMU (without the "oob" capability, which we
 * never ask for) runs the commands of a connection one at a time and
 * answers them in the order they came, so the next reply is the oldest
 * pending command's. QEMU 7.2 also answers a command with an "id" about
 * 0.2 ms later than one without (measured: docs/benchmarks.md). */
struct _qemuMonitorIOMessage {
    char *id;               /* ours, for the log only */
    char *cmd;
    bool done;
    bool abandoned;
    unsigned long long eventsBefore;    /* events read before the reply */
    bool negotiation;       /* qmp_capabilities of the open sequence */
    json_object *reply;     /* the whole reply, when one came */
    char *failure;          /* why it ended without a reply */
};

static void
qemuMonitorIOMessageFree(qemuMonitorIOMessage *msg)
{
    if (!msg)
        return;
    g_free(msg->id);
    g_free(msg->cmd);
    if (msg->reply)
        json_object_put(msg->reply);
    g_free(msg->failure);
    g_free(msg);
}


/* The fd watch: a GSource whose fd condition can change in place. */
typedef struct {
    GSource base;
    gpointer tag;
    qemuMonitor *mon;       /* a reference, dropped at finalize */
} qemuMonitorIOSource;

struct _qemuMonitor {
    gint refs;
    GMutex lock;
    GCond cond;             /* replies, greeting, death, callback end */

    GMainContext *ctx;
    GSource *watch;         /* NULL once closed */
    GIOCondition watchCond;
    bool kickPending;
    int fd;

    qemuMonitorCallbacks cb;
    void *opaque;

    json_tokener *tok;
    size_t msgBytes;        /* fed to @tok since the last whole message */
    GString *out;           /* bytes not yet written, from @outOffset */
    size_t outOffset;

    GQueue order;           /* commands waiting for a reply, oldest first */
    GQueue events;          /* read, not yet handed to the owner (context thread) */
    unsigned long long eventsRead;      /* how many were queued */
    unsigned long long eventsDone;      /* how many were handed on (or dropped) */

    /* A thread waiting for a reply reads the socket itself (see
     * qemuMonitorIOSendFinish): @reading while one polls it without the
     * lock. Whoever else ends its wait (a reply read by the context
     * thread, the end of the connection) writes to @wakeFd. */
    bool reading;
    unsigned int waiters;
    int wakeFd;
    unsigned long long serial;
    int commandTimeout;

    bool greeted;
    unsigned int version[3];
    char *package;

    bool ready;             /* negotiated: callbacks may run */
    bool closed;            /* qemuMonitorIOClose was called */
    bool dead;              /* the connection is gone */
    bool writeClosed;       /* QEMU takes no more input; the read side ends it */
    bool deadError;
    char *deadReason;
    bool eofNotified;
    unsigned int inCallback;
};

/**
 * qemuMonitorIORef:
 * @mon: a monitor
 *
 * Take a reference: @mon stays valid memory until the matching
 * qemuMonitorIOUnref(); it does not keep the connection open.
 *
 * Returns @mon.
 */
qemuMonitor *
qemuMonitorIORef(qemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}


/**
 * qemuMonitorIOUnref:
 * @mon: a monitor, or NULL
 *
 * Drop a reference taken with qemuMonitorIORef(). The owner returned by
 * qemuMonitorIOOpenFD() drops its reference with qemuMonitorIOClose()
 * instead.
 */
void
qemuMonitorIOUnref(qemuMonitor *mon)
{
    json_object *event;
    qemuMonitorIOMessage *msg;

    if (!mon || !g_atomic_int_dec_and_test(&mon->refs))
        return;

    VIR_DEBUG("mon=%p freed", mon);
    if (mon->fd >= 0)
        close(mon->fd);
    if (mon->wakeFd >= 0)
        close(mon->wakeFd);
    while ((event = g_queue_pop_head(&mon->events)))
        json_object_put(event);
    if (mon->tok)
        json_tokener_free(mon->tok);
    g_string_free(mon->out, TRUE);
    while ((msg = g_queue_pop_head(&mon->order))) {
        if (msg->abandoned)
            qemuMonitorIOMessageFree(msg);
    }
    g_free(mon->package);
    g_free(mon->deadReason);
    g_main_context_unref(mon->ctx);
    g_cond_clear(&mon->cond);
    g_mutex_clear(&mon->lock);
    g_free(mon);
}


static void
qemuMonitorIOUnrefCb(gpointer opaque)
{
    qemuMonitorIOUnref(opaque);
}


/* Wake the thread polling the socket for its reply: what it waits for
 * was settled by another thread. */
static void
qemuMonitorIOWakeReaderLocked(qemuMonitor *mon)
{
    uint64_t one = 1;

    if (!mon->reading)
        return;
    /* Only fails when the counter would overflow, i.e. a wake is due. */
    if (write(mon->wakeFd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        VIR_WARN("mon=%p cannot wake the reading thread: %s",
                 mon, g_strerror(errno));
}


/* End the connection: every pending command fails with @reason and later
 * ones fail at once. The eof callback is delivered by the I/O code once it
 * has dropped the lock. */
static void
qemuMonitorIOMarkDeadLocked(qemuMonitor *mon,
                            bool error,
                            const char *reason)
{
    qemuMonitorIOMessage *msg;

    if (mon->dead)
        return;

    VIR_DEBUG("mon=%p connection ended (error=%d): %s", mon, error, reason);
    mon->dead = true;
    mon->deadError = error;
    mon->deadReason = g_strdup(reason);

    while ((msg = g_queue_pop_head(&mon->order))) {
        if (msg->abandoned) {
            qemuMonitorIOMessageFree(msg);
            continue;
        }
        msg->failure = g_strdup(reason);
        msg->done = true;
    }

    /* On garbage, make QEMU see the end too instead of a silent peer. */
    if (error && mon->fd >= 0)
        shutdown(mon->fd, SHUT_RDWR);

    qemuMonitorIOWakeReaderLocked(mon);
    g_cond_broadcast(&mon->cond);
}


/* Write what the socket takes without blocking. */
static void
qemuMonitorIOFlushLocked(qemuMonitor *mon)
{
    while (!mon->dead && !mon->writeClosed && mon->outOffset < mon->out->len) {
        ssize_t n = send(mon->fd, mon->out->str + mon->outOffset,
                         mon->out->len - mon->outOffset,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            g_autofree char *reason = NULL;

            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EPIPE || errno == ECONNRESET) {
                /* QEMU went, but what it wrote before it went may still
                 * be unread: the replies of the commands sent before
                 * this one. Nothing more is written; the read side
                 * delivers those replies, then meets the end of file,
                 * which fails the commands left. */
                mon->writeClosed = true;
                break;
            }
            reason = g_strdup_printf("cannot write to the QEMU monitor: %s",
                                     g_strerror(errno));
            qemuMonitorIOMarkDeadLocked(mon, true, reason);
            return;
        }
        mon->outOffset += n;
    }

    if (mon->writeClosed || mon->outOffset >= mon->out->len) {
        g_string_truncate(mon->out, 0);
        mon->outOffset = 0;
    }
}


/* Ask for G_IO_OUT only while output is queued. Context thread only. */
static void
qemuMonitorIOUpdateWatchLocked(qemuMonitor *mon)
{
    /* Input is read by the threads waiting for a reply while there are
     * any; an end of file or error shows up in any case. */
    GIOCondition want = mon->waiters ? 0 : G_IO_IN;
    qemuMonitorIOSource *src = (qemuMonitorIOSource *) mon->watch;

    if (!src || mon->dead)
        return;
    if (mon->outOffset < mon->out->len)
        want |= G_IO_OUT;
    virEventSourceUpdateUnixFD(mon->watch, src->tag, &mon->watchCond, want);
}


static void
qemuMonitorIOParseGreetingLocked(qemuMonitor *mon,
                                 json_object *obj)
{
    json_object *qmp;
    json_object *version;
    json_object *qemu;
    json_object *val;
    static const char *const parts[] = { "major", "minor", "micro" };
    size_t i;

    if (!json_object_object_get_ex(obj, "QMP", &qmp) ||
        !json_object_is_type(qmp, json_type_object)) {
        qemuMonitorIOMarkDeadLocked(mon, true,
                                    "QEMU did not start with a QMP greeting");
        return;
    }

    if (json_object_object_get_ex(qmp, "version", &version) &&
        json_object_is_type(version, json_type_object)) {
        if (json_object_object_get_ex(version, "qemu", &qemu) &&
            json_object_is_type(qemu, json_type_object)) {
            for (i = 0; i < G_N_ELEMENTS(parts); i++) {
                if (json_object_object_get_ex(qemu, parts[i], &val) &&
                    json_object_is_type(val, json_type_int))
                    mon->version[i] = json_object_get_int(val);
            }
        }
        if (json_object_object_get_ex(version, "package", &val) &&
            json_object_is_type(val, json_type_string))
            mon->package = g_strdup(json_object_get_string(val));
    }

    mon->greeted = true;
    g_cond_broadcast(&mon->cond);
}


static void
qemuMonitorIODeliverReplyLocked(qemuMonitor *mon,
                                json_object *obj)
{
    qemuMonitorIOMessage *msg = g_queue_pop_head(&mon->order);

    /* In order, whatever "id" the reply may carry (see the message). */
    if (!msg) {
        VIR_WARN("mon=%p QEMU sent a reply to no command", mon);
        return;
    }
    if (msg->abandoned) {
        VIR_DEBUG("mon=%p dropping the late reply to '%s' (%s)",
                  mon, msg->cmd, msg->id);
        qemuMonitorIOMessageFree(msg);
        return;
    }

    msg->reply = json_object_get(obj);
    msg->eventsBefore = mon->eventsRead;
    msg->done = true;
    /* Events that follow the negotiation in the same read already belong
     * to the owner. */
    if (msg->negotiation && !json_object_object_get_ex(obj, "error", NULL))
        mon->ready = true;
    qemuMonitorIOWakeReaderLocked(mon);
    g_cond_broadcast(&mon->cond);
}


/* Act on one message from QEMU; events are queued for the context thread
 * to deliver without the lock. */
static void
qemuMonitorIOHandleMessageLocked(qemuMonitor *mon,
                                 json_object *obj)
{
    json_object *val;

    VIR_DEBUG("mon=%p received: %s", mon,
              json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));

    if (!json_object_is_type(obj, json_type_object)) {
        qemuMonitorIOMarkDeadLocked(mon, true,
                                    "QEMU sent a message that is not a JSON object");
        return;
    }

    if (!mon->greeted) {
        qemuMonitorIOParseGreetingLocked(mon, obj);
        return;
    }

    if (json_object_object_get_ex(obj, "event", &val)) {
        if (!json_object_is_type(val, json_type_string)) {
            qemuMonitorIOMarkDeadLocked(mon, true,
                                        "QEMU sent an event without a name");
            return;
        }
        g_queue_push_tail(&mon->events, json_object_get(obj));
        mon->eventsRead++;
        return;
    }

    if (json_object_object_get_ex(obj, "return", NULL) ||
        json_object_object_get_ex(obj, "error", NULL)) {
        qemuMonitorIODeliverReplyLocked(mon, obj);
        return;
    }

    qemuMonitorIOMarkDeadLocked(mon, true,
                                "QEMU sent a message that is neither a reply nor an event");
}


/* Feed bytes to the incremental parser; QEMU may split a message across
 * reads or put several in one. */
static void
qemuMonitorIOFeedLocked(qemuMonitor *mon,
                        const char *buf,
                        size_t len)
{
    /* JSON from QEMU never holds a raw NUL, and json-c would stop at one */
    if (memchr(buf, '\0', len)) {
        qemuMonitorIOMarkDeadLocked(mon, true, "QEMU sent a NUL byte");
        return;
    }

    while (len > 0 && !mon->dead) {
        g_autoptr(virJSONValue) obj = NULL;
        enum json_tokener_error err;
        size_t used;

        obj = json_tokener_parse_ex(mon->tok, buf, len);
        err = json_tokener_get_error(mon->tok);

        if (err == json_tokener_continue) {
            mon->msgBytes += len;
            if (mon->msgBytes > QEMU_MONITOR_MAX_MESSAGE_SIZE)
                qemuMonitorIOMarkDeadLocked(mon, true,
                                            "QEMU sent a message larger than the limit");
            return;
        }
        if (err != json_tokener_success) {
            g_autofree char *reason =
                g_strdup_printf("cannot parse QEMU's output: %s",
                                json_tokener_error_desc(err));
            qemuMonitorIOMarkDeadLocked(mon, true, reason);
            return;
        }

        used = json_tokener_get_parse_end(mon->tok);
        if (used == 0 || used > len) {
            qemuMonitorIOMarkDeadLocked(mon, true,
                                        "cannot parse QEMU's output");
            return;
        }
        mon->msgBytes += used;
        if (mon->msgBytes > QEMU_MONITOR_MAX_MESSAGE_SIZE) {
            qemuMonitorIOMarkDeadLocked(mon, true,
                                        "QEMU sent a message larger than the limit");
            return;
        }
        mon->msgBytes = 0;
        buf += used;
        len -= used;

        /* a JSON null at top level parses to a NULL object */
        if (!obj) {
            qemuMonitorIOMarkDeadLocked(mon, true,
                                        "QEMU sent a message that is not a JSON object");
            return;
        }
        qemuMonitorIOHandleMessageLocked(mon, obj);
    }
}


static void
qemuMonitorIOReadLocked(qemuMonitor *mon)
{
    char buf[QEMU_MONITOR_READ_CHUNK];
    ssize_t n;

    do {
        n = recv(mon->fd, buf, sizeof(buf), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);

    if (n < 0) {
        g_autofree char *reason = NULL;

        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        /* QEMU resets the connection when it exits with input of ours
         * still unread: that is an end of file, not a failure. */
        if (errno == ECONNRESET) {
            qemuMonitorIOMarkDeadLocked(mon, false, "end of file from QEMU");
            return;
        }
        reason = g_strdup_printf("cannot read from the QEMU monitor: %s",
                                 g_strerror(errno));
        qemuMonitorIOMarkDeadLocked(mon, true, reason);
        return;
    }
    if (n == 0) {
        if (mon->msgBytes > 0)
            VIR_DEBUG("mon=%p end of file inside a message", mon);
        qemuMonitorIOMarkDeadLocked(mon, false, "end of file from QEMU");
        return;
    }

    qemuMonitorIOFeedLocked(mon, buf, n);
}


/* Run a callback without the lock. Returns false (and runs nothing) once
 * the monitor is closed or not yet negotiated. */
static bool
qemuMonitorIOCallbackEnterLocked(qemuMonitor *mon)
{
    if (mon->closed || !mon->ready)
        return false;
    mon->inCallback++;
    g_mutex_unlock(&mon->lock);
    return true;
}


static void
qemuMonitorIOCallbackLeave(qemuMonitor *mon)
{
    g_mutex_lock(&mon->lock);
    mon->inCallback--;
    g_cond_broadcast(&mon->cond);
}


/* Deliver the eof callback once, after the connection died. */
static void
qemuMonitorIOEmitEOF(qemuMonitor *mon)
{
    bool error;

    g_mutex_lock(&mon->lock);
    if (mon->dead && !mon->eofNotified && !mon->closed && mon->ready) {
        mon->eofNotified = true;
        error = mon->deadError;
        if (qemuMonitorIOCallbackEnterLocked(mon)) {
            qemuMonitorEmitEOF(mon, error);
            qemuMonitorIOCallbackLeave(mon);
        }
    }
    g_mutex_unlock(&mon->lock);
}


/* Hand the events read so far, whichever thread read them, in order to
 * the JSON layer's table, which calls the owner's typed callbacks (all of
 * it runs as a callback, without the lock); then the eof. Context thread
 * only, so that the order holds. */
static void
qemuMonitorIOEmitAll(qemuMonitor *mon)
{
    json_object *obj;

    g_mutex_lock(&mon->lock);
    while ((obj = g_queue_pop_head(&mon->events))) {
        if (qemuMonitorIOCallbackEnterLocked(mon)) {
            qemuMonitorJSONHandleEvent(mon, obj);
            qemuMonitorIOCallbackLeave(mon);
        }
        json_object_put(obj);
        mon->eventsDone++;
        g_cond_broadcast(&mon->cond);
    }
    g_mutex_unlock(&mon->lock);
    qemuMonitorIOEmitEOF(mon);
}


static gboolean
qemuMonitorIOSourceDispatch(GSource *source,
                            GSourceFunc callback G_GNUC_UNUSED,
                            gpointer user_data G_GNUC_UNUSED)
{
    qemuMonitorIOSource *src = (qemuMonitorIOSource *) source;
    qemuMonitor *mon = qemuMonitorIORef(src->mon);
    GIOCondition revents = g_source_query_unix_fd(source, src->tag);
    gboolean keep;

    g_mutex_lock(&mon->lock);
    if (!mon->dead && (revents & G_IO_OUT))
        qemuMonitorIOFlushLocked(mon);
    if (!mon->dead && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        qemuMonitorIOReadLocked(mon);
    if (!mon->dead && (revents & G_IO_NVAL))
        qemuMonitorIOMarkDeadLocked(mon, true, "the monitor socket is invalid");
    qemuMonitorIOUpdateWatchLocked(mon);
    keep = !mon->dead;
    g_mutex_unlock(&mon->lock);

    qemuMonitorIOEmitAll(mon);
    qemuMonitorIOUnref(mon);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}


static void
qemuMonitorIOSourceFinalize(GSource *source)
{
    qemuMonitorIOSource *src = (qemuMonitorIOSource *) source;

    qemuMonitorIOUnref(src->mon);
}


static GSourceFuncs qemuMonitorIOSourceFuncs = {
    .dispatch = qemuMonitorIOSourceDispatch,
    .finalize = qemuMonitorIOSourceFinalize,
};


/* Output was queued, or events were read, by another thread: write it,
 * and hand them to the owner, from the context. */
static gboolean
qemuMonitorIOKick(gpointer opaque)
{
    qemuMonitor *mon = opaque;

    g_mutex_lock(&mon->lock);
    mon->kickPending = false;
    if (!mon->dead) {
        qemuMonitorIOFlushLocked(mon);
        qemuMonitorIOUpdateWatchLocked(mon);
    }
    g_mutex_unlock(&mon->lock);

    qemuMonitorIOEmitAll(mon);
    return G_SOURCE_REMOVE;
}


static void
qemuMonitorIOKickLocked(qemuMonitor *mon)
{
    GSource *src;

    if (mon->kickPending)
        return;
    mon->kickPending = true;
    src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, qemuMonitorIOKick, qemuMonitorIORef(mon),
                          qemuMonitorIOUnrefCb);
    g_source_attach(src, mon->ctx);
    g_source_unref(src);
}


/* The one message for a command that cannot run because the connection
 * is gone, whether it was gone before or went while the command waited. */
static void
qemuMonitorIOReportClosed(const char *cmd,
                          const char *reason)
{
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "cannot run QEMU command '%s': the monitor closed (%s)",
                   cmd, reason ? reason : "no reason");
}


/**
 * qemuMonitorIOCheck:
 * @mon: a monitor, or NULL
 * @cmd: the QMP command about to be sent, for the message
 *
 * Can @cmd be sent on @mon? A command on a connection that is gone fails
 * with VIR_ERR_OPERATION_FAILED naming @cmd and why the connection ended;
 * a NULL @mon or @cmd with VIR_ERR_INVALID_ARG.
 *
 * Returns 0 if it can, -1 with an error reported if not.
 */
int
qemuMonitorIOCheck(qemuMonitor *mon,
                   const char *cmd)
{
    g_autofree char *reason = NULL;

    if (!mon || !cmd) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "a QEMU command needs a monitor and a command name");
        return -1;
    }
    g_mutex_lock(&mon->lock);
    if (mon->dead)
        reason = g_strdup(mon->deadReason);
    g_mutex_unlock(&mon->lock);
    if (reason) {
        qemuMonitorIOReportClosed(cmd, reason);
        return -1;
    }
    return 0;
}


/**
 * qemuMonitorIOSendStart:
 * @mon: an open monitor
 * @cmd: the QMP command name
 * @args: its "arguments" object, or NULL; always stolen
 * @negotiation: @cmd is the qmp_capabilities that opens the connection
 *
 * Send @cmd without waiting for its reply, which
 * qemuMonitorIOSendFinish() waits for. Several commands may be sent
 * before any reply is waited for: QEMU runs them in order.
 *
 * Returns the command in flight, which must be passed to
 * qemuMonitorIOSendFinish() (also when the connection ends meanwhile),
 * or NULL with an error reported (as qemuMonitorIOSend()).
 */
qemuMonitorIOMessage *
qemuMonitorIOSendStart(qemuMonitor *mon,
                       const char *cmd,
                       json_object *args,
                       bool negotiation)
{
    g_autoptr(virJSONValue) request = NULL;
    qemuMonitorIOMessage *msg;
    const char *text;

    if (qemuMonitorIOCheck(mon, cmd) < 0) {
        virJSONValueFree(args);
        return NULL;
    }

    request = json_object_new_object();
    json_object_object_add(request, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(request, "arguments", args);

    /* Waiting on the context thread would stop every event delivery. */
    if (g_main_context_is_owner(mon->ctx)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot run QEMU command '%s' from the monitor's event thread",
                       cmd);
        return NULL;
    }

    msg = g_new0(qemuMonitorIOMessage, 1);
    msg->cmd = g_strdup(cmd);
    msg->negotiation = negotiation;

    g_mutex_lock(&mon->lock);
    if (mon->dead) {
        msg->failure = g_strdup(mon->deadReason);
        msg->done = true;
        g_mutex_unlock(&mon->lock);
        return msg;
    }

    msg->id = g_strdup_printf("bp-%llu", ++mon->serial);
    text = json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN);
    VIR_DEBUG("mon=%p send: %s", mon, text);

    g_queue_push_tail(&mon->order, msg);
    /* No newline after the object: QEMU reads byte by byte and leaves one
     * unread when "quit" stops it, which resets the connection. */
    g_string_append(mon->out, text);
    /* Written from this thread while the socket takes it: a command costs
     * no wake-up of the context thread, which only reads the reply. What
     * the socket does not take (or a connection that ends here) is left
     * to the context thread. */
    qemuMonitorIOFlushLocked(mon);
    if (mon->dead || mon->outOffset < mon->out->len)
        qemuMonitorIOKickLocked(mon);
    g_mutex_unlock(&mon->lock);
    return msg;
}


/* Wait for QEMU's next output on the socket and read it in this thread,
 * which waits for a reply: handing it over from the context thread costs
 * a second wake-up on the path of every command. One thread reads at a
 * time; others wait on the condition for it to read their reply or leave.
 * The context thread stops watching for input while anyone waits, but may
 * still read what a poll it began before found, and an end of file; then
 * it wakes the reader (@wakeFd). Events read here are left to the context
 * thread, which delivers them in order. */
static void
qemuMonitorIOReadForReplyLocked(qemuMonitor *mon,
                                gint64 deadline)
{
    struct pollfd fds[2] = {
        { .fd = mon->fd, .events = POLLIN },
        { .fd = mon->wakeFd, .events = POLLIN },
    };
    int wait_ms = -1;
    int rc;

    if (deadline >= 0)
        wait_ms = MAX(0, (deadline - g_get_monotonic_time() + 999) / 1000);

    /* Close() waits for @reading to drop before it closes the socket. */
    mon->reading = true;
    g_mutex_unlock(&mon->lock);
    do {
        rc = poll(fds, G_N_ELEMENTS(fds), wait_ms);
    } while (rc < 0 && errno == EINTR);
    g_mutex_lock(&mon->lock);
    mon->reading = false;

    if (rc > 0 && fds[1].revents) {
        uint64_t count;

        if (read(mon->wakeFd, &count, sizeof(count)) < 0 && errno != EAGAIN)
            VIR_WARN("mon=%p cannot read the wake-up counter: %s",
                     mon, g_strerror(errno));
    }
    if (rc > 0 && fds[0].revents && !mon->dead)
        qemuMonitorIOReadLocked(mon);
    if (rc < 0) {
        g_autofree char *reason =
            g_strdup_printf("cannot poll the QEMU monitor: %s", g_strerror(errno));

        qemuMonitorIOMarkDeadLocked(mon, true, reason);
    }

    /* Events, and the end of the connection, are the context's to deliver. */
    if (!g_queue_is_empty(&mon->events) || mon->dead)
        qemuMonitorIOKickLocked(mon);
    /* Another waiter may take over reading, or find its reply. */
    g_cond_broadcast(&mon->cond);
}


/**
 * qemuMonitorIOSendFinish:
 * @mon: the monitor @msg was sent on
 * @msg: a command from qemuMonitorIOSendStart(); freed
 * @reply: where to put QEMU's whole reply (a new reference)
 * @timeout_ms: as for qemuMonitorIOSend(), counted from now
 *
 * Wait for the reply of @msg. Errors as qemuMonitorIOSend().
 *
 * Returns 0 with *@reply set, or -1.
 */
int
qemuMonitorIOSendFinish(qemuMonitor *mon,
                        qemuMonitorIOMessage *msg,
                        json_object **reply,
                        int timeout_ms)
{
    g_autofree char *failure = NULL;
    g_autofree char *cmd = NULL;
    gint64 deadline = -1;
    gint64 start = g_get_monotonic_time();
    bool timedOut = false;

    *reply = NULL;
    qemuMonitorIORef(mon);
    g_mutex_lock(&mon->lock);

    if (timeout_ms == QEMU_MONITOR_IO_DEFAULT_TIMEOUT)
        timeout_ms = mon->commandTimeout;
    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    /* While someone waits for a reply, the context thread leaves the
     * socket's input to the waiters (qemuMonitorIOReadForReplyLocked). */
    if (mon->waiters++ == 0)
        qemuMonitorIOKickLocked(mon);
    while (!msg->done) {
        if (deadline >= 0 && g_get_monotonic_time() >= deadline) {
            /* The reply may still come: it is the monitor's to drop. */
            msg->abandoned = true;
            timedOut = true;
            break;
        }
        if (!mon->reading) {
            qemuMonitorIOReadForReplyLocked(mon, deadline);
        } else if (deadline < 0) {
            g_cond_wait(&mon->cond, &mon->lock);
        } else {
            g_cond_wait_until(&mon->cond, &mon->lock, deadline);
        }
    }
    if (--mon->waiters == 0)
        qemuMonitorIOKickLocked(mon);
    /* QEMU's events come before the reply of a command that caused them
     * (STOP before the reply to "stop"): the owner sees them before the
     * caller sees the reply, whichever thread read them. */
    while (msg->reply && mon->eventsDone < msg->eventsBefore && !mon->closed)
        g_cond_wait(&mon->cond, &mon->lock);
    *reply = g_steal_pointer(&msg->reply);
    failure = g_steal_pointer(&msg->failure);
    cmd = g_strdup(msg->cmd);
    VIR_DEBUG("mon=%p command '%s' (%s) ended after %lld us", mon, cmd,
              NULLSTR(msg->id), (long long) (g_get_monotonic_time() - start));
    if (!timedOut)
        qemuMonitorIOMessageFree(msg);
    g_mutex_unlock(&mon->lock);
    qemuMonitorIOUnref(mon);

    if (timedOut) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       "timed out after %d ms waiting for QEMU to answer command '%s'",
                       timeout_ms, cmd);
        return -1;
    }
    if (!*reply) {
        qemuMonitorIOReportClosed(cmd, failure);
        return -1;
    }
    return 0;
}


/**
 * qemuMonitorIOSend:
 * @mon: an open monitor
 * @cmd: the QMP command name
 * @args: its "arguments" object, or NULL; always stolen
 * @reply: where to put QEMU's whole reply (a new reference)
 * @timeout_ms: how long to wait for the reply; negative: for ever;
 *              QEMU_MONITOR_IO_DEFAULT_TIMEOUT: the monitor's command
 *              timeout
 * @negotiation: @cmd is the qmp_capabilities that opens the connection
 *
 * Send @cmd and wait for its reply. Several threads may wait at once;
 * replies are matched to commands in order. Must not be called from the
 * thread iterating the monitor's context. What the reply says (return or
 * error) is for the caller to read; the events QEMU sent before it have
 * been handed to the owner's callbacks when this returns.
 *
 * Errors: no reply in time gives VIR_ERR_OPERATION_TIMEOUT (the command
 * may still run); a connection that is gone or goes while waiting gives
 * VIR_ERR_OPERATION_FAILED saying so; a call from the context thread
 * gives VIR_ERR_INTERNAL_ERROR.
 *
 * Returns 0 with *@reply set, or -1.
 */
int
qemuMonitorIOSend(qemuMonitor *mon,
                  const char *cmd,
                  json_object *args,
                  json_object **reply,
                  int timeout_ms,
                  bool negotiation)
{
    qemuMonitorIOMessage *msg;

    *reply = NULL;
    if (!(msg = qemuMonitorIOSendStart(mon, cmd, args, negotiation)))
        return -1;
    return qemuMonitorIOSendFinish(mon, msg, reply, timeout_ms);
}


/**
 * qemuMonitorIOSetCommandTimeout:
 * @mon: a monitor
 * @timeout_ms: how long later commands wait for a reply; negative: forever
 */
void
qemuMonitorIOSetCommandTimeout(qemuMonitor *mon,
                               int timeout_ms)
{
    g_mutex_lock(&mon->lock);
    mon->commandTimeout = timeout_ms;
    g_mutex_unlock(&mon->lock);
}


/**
 * qemuMonitorIOOpenFD:
 * @fd: a socket connected to QEMU's QMP monitor; taken, also on failure
 * @ctx: the context whose thread does the monitor's I/O and callbacks
 * @cb: the callbacks (copied), or NULL
 * @opaque: passed to the callbacks
 * @timeout_ms: limit for reading the greeting; negative: none;
 *              QEMU_MONITOR_IO_NO_WAIT: do not wait for it
 *
 * Set up the connection and wait for QEMU's greeting. Callbacks run only
 * once the qmp_capabilities sent with @negotiation (see
 * qemuMonitorIOSend()) succeeded. Must not be called from the context's
 * thread.
 *
 * Returns the monitor, owned by the caller who frees it with
 * qemuMonitorIOClose(); NULL on error.
 */
qemuMonitor *
qemuMonitorIOOpenFD(int fd,
                    GMainContext *ctx,
                    const qemuMonitorCallbacks *cb,
                    void *opaque,
                    int timeout_ms)
{
    qemuMonitor *mon;
    qemuMonitorIOSource *src;
    gint64 deadline = -1;
    int flags;

    if (fd < 0 || !ctx) {
        if (fd >= 0)
            close(fd);
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "opening a QEMU monitor needs a socket and a main context");
        return NULL;
    }
    if (g_main_context_is_owner(ctx)) {
        close(fd);
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "cannot open a QEMU monitor from its own event thread");
        return NULL;
    }

    if ((flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        virReportSystemError(errno, "%s",
                             "cannot set up the QEMU monitor socket");
        close(fd);
        return NULL;
    }

    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

    mon = g_new0(qemuMonitor, 1);
    mon->refs = 1;
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->ctx = g_main_context_ref(ctx);
    mon->fd = fd;
    if (cb)
        mon->cb = *cb;
    mon->opaque = opaque;
    mon->tok = json_tokener_new_ex(QEMU_MONITOR_MAX_DEPTH);
    /* several messages may share a read: what follows one is the next */
    json_tokener_set_flags(mon->tok, JSON_TOKENER_STRICT |
                           JSON_TOKENER_ALLOW_TRAILING_CHARS);
    mon->out = g_string_new(NULL);
    g_queue_init(&mon->order);
    g_queue_init(&mon->events);
    mon->commandTimeout = QEMU_MONITOR_DEFAULT_COMMAND_TIMEOUT_MS;
    if ((mon->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        virReportSystemError(errno, "%s",
                             "cannot create the QEMU monitor's wake-up counter");
        qemuMonitorIOUnref(mon);
        return NULL;
    }

    VIR_DEBUG("mon=%p fd=%d opening", mon, fd);

    src = (qemuMonitorIOSource *) g_source_new(&qemuMonitorIOSourceFuncs,
                                               sizeof(qemuMonitorIOSource));
    src->mon = qemuMonitorIORef(mon);
    src->tag = g_source_add_unix_fd(&src->base, fd, G_IO_IN);
    g_source_set_name(&src->base, "qemu-monitor");
    /* Its dispatch never iterates the context again: GLib need not block
     * the source around it, which costs two wake-ups of the thread per
     * dispatch (the fd leaves the poll set and comes back). */
    g_source_set_can_recurse(&src->base, TRUE);
    mon->watchCond = G_IO_IN;
    g_mutex_lock(&mon->lock);
    mon->watch = &src->base;
    g_mutex_unlock(&mon->lock);
    g_source_attach(&src->base, ctx);

    /* The greeting comes before any reply: who sends a command at once
     * reads it on the way. */
    if (timeout_ms == QEMU_MONITOR_IO_NO_WAIT)
        return mon;

    g_mutex_lock(&mon->lock);
    while (!mon->greeted && !mon->dead) {
        if (deadline < 0) {
            g_cond_wait(&mon->cond, &mon->lock);
        } else if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline)) {
            break;
        }
    }
    if (!mon->greeted) {
        if (mon->dead)
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "cannot open the QEMU monitor: %s",
                           mon->deadReason);
        else
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           "timed out after %d ms waiting for the QEMU monitor greeting",
                           timeout_ms);
        g_mutex_unlock(&mon->lock);
        qemuMonitorIOClose(mon);
        return NULL;
    }
    g_mutex_unlock(&mon->lock);
    return mon;
}


/**
 * qemuMonitorIOConnect:
 * @socketPath: the unix socket QEMU listens on
 * @timeout_ms: how long a socket QEMU has yet to create is waited for;
 *              negative: for ever
 *
 * Connect to QEMU's monitor socket. When QEMU created the socket itself a
 * connection refused or a missing path is retried until @timeout_ms; a
 * socket that was handed to QEMU already listening connects at once.
 *
 * Returns the connected socket, or -1 with an error reported.
 */
int
qemuMonitorIOConnect(const char *socketPath,
                     int timeout_ms)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = -1;
    int fd;

    if (!socketPath) {
        virReportInvalidNonNullArg(socketPath);
        return -1;
    }
    if (strlen(socketPath) >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "monitor socket path '%s' is too long", socketPath);
        return -1;
    }
    memcpy(addr.sun_path, socketPath, strlen(socketPath) + 1);

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "%s", "cannot create a unix socket");
        return -1;
    }

    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    while (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int err = errno;

        if (err == EINTR)
            continue;
        if ((err == ENOENT || err == ECONNREFUSED) &&
            (deadline < 0 || g_get_monotonic_time() < deadline)) {
            g_usleep(10 * 1000);
            continue;
        }
        virReportSystemError(err, "cannot connect to QEMU monitor '%s'",
                             socketPath);
        close(fd);
        return -1;
    }

    VIR_DEBUG("connected to QEMU monitor '%s'", socketPath);
    return fd;
}


/**
 * qemuMonitorIOClose:
 * @mon: a monitor from qemuMonitorIOOpenFD(), or NULL
 *
 * Close the connection and drop the owner's reference. Every pending
 * command fails. When this returns no callback runs any more: called from
 * another thread it waits for a callback that is running to return, so
 * the caller must not hold a lock that callbacks take; called from a
 * callback (the context thread) it does not wait.
 */
void
qemuMonitorIOClose(qemuMonitor *mon)
{
    GSource *watch = NULL;

    if (!mon)
        return;

    VIR_DEBUG("mon=%p closing", mon);
    g_mutex_lock(&mon->lock);
    mon->closed = true;
    qemuMonitorIOMarkDeadLocked(mon, false, "closed on request");
    watch = g_steal_pointer(&mon->watch);
    if (!g_main_context_is_owner(mon->ctx)) {
        while (mon->inCallback > 0)
            g_cond_wait(&mon->cond, &mon->lock);
    }
    /* A thread polling the socket for its reply was woken when the
     * connection was marked dead; it lets go of the socket at once. */
    while (mon->reading)
        g_cond_wait(&mon->cond, &mon->lock);
    /* The I/O code touches the fd only under the lock and while the
     * connection is alive, which it no longer is. */
    if (mon->fd >= 0) {
        close(mon->fd);
        mon->fd = -1;
    }
    g_mutex_unlock(&mon->lock);

    if (watch) {
        g_source_destroy(watch);
        g_source_unref(watch);
    }
    qemuMonitorIOUnref(mon);
}


/**
 * qemuMonitorIOGetVersion:
 * @mon: an open monitor
 * @version: set to QEMU's major, minor and micro version as its greeting
 *           told them (0 when it told none)
 */
void
qemuMonitorIOGetVersion(qemuMonitor *mon,
                        unsigned int version[3])
{
    g_mutex_lock(&mon->lock);
    memcpy(version, mon->version, sizeof(mon->version));
    g_mutex_unlock(&mon->lock);
}


/**
 * qemuMonitorIOGetVersionPackage:
 * @mon: an open monitor
 *
 * Returns the "package" string of QEMU's greeting, "" if none; owned by
 * @mon (it never changes once the monitor is open).
 */
const char *
qemuMonitorIOGetVersionPackage(qemuMonitor *mon)
{
    return mon->package ? mon->package : "";
}


/**
 * qemuMonitorIOIsAlive:
 * @mon: a monitor
 *
 * Returns true while the connection to QEMU is up.
 */
bool
qemuMonitorIOIsAlive(qemuMonitor *mon)
{
    bool alive;

    g_mutex_lock(&mon->lock);
    alive = !mon->dead;
    g_mutex_unlock(&mon->lock);
    return alive;
}


/**
 * qemuMonitorIOGetCallbacks:
 * @mon: a monitor
 * @opaque: set to the owner's data for the callbacks
 *
 * For the middle layer's qemuMonitorEmit*(), which run inside a callback
 * of the transport (the callbacks never change once the monitor is open).
 *
 * Returns the owner's callbacks.
 */
const qemuMonitorCallbacks *
qemuMonitorIOGetCallbacks(qemuMonitor *mon,
                          void **opaque)
{
    *opaque = mon->opaque;
    return &mon->cb;
}


/**
 * qemuMonitorIOSendMany:
 * @mon: an open monitor
 * @n: how many commands
 * @cmds: their QMP names
 * @args: their "arguments" objects (entries may be NULL); every entry is
 *        stolen, also on failure
 * @replies: where to put QEMU's whole replies (new references; NULL for a
 *           command that got none)
 * @timeout_ms: how long to wait for all the replies, as qemuMonitorIOSend()
 *
 * Send @cmds back to back, without waiting for each reply, then wait for
 * all their replies: a pipeline, one round trip for all of them. QEMU runs
 * the commands of one connection one after another, in the order they
 * arrive, so a command still sees what the ones before it did; the caller
 * must not send a command whose arguments depend on an earlier reply.
 * What each reply says (return or error) is for the caller to read.
 *
 * Errors as qemuMonitorIOSend(), naming the first command without a
 * reply; on error the replies that came are still set (the caller frees
 * them).
 *
 * Returns 0 with every reply set, or -1.
 */
int
qemuMonitorIOSendMany(qemuMonitor *mon,
                      size_t n,
                      const char *const *cmds,
                      json_object **args,
                      json_object **replies,
                      int timeout_ms)
{
    g_autofree qemuMonitorIOMessage **msgs = g_new0(qemuMonitorIOMessage *, n + 1);
    virErrorPtr first = NULL;
    gint64 deadline = -1;
    size_t sent;
    size_t i;

    for (i = 0; i < n; i++)
        replies[i] = NULL;
    if (n == 0)
        return 0;

    /* Every command goes out before any reply is waited for. */
    for (sent = 0; sent < n; sent++) {
        msgs[sent] = qemuMonitorIOSendStart(mon, cmds[sent],
                                            g_steal_pointer(&args[sent]), false);
        if (!msgs[sent]) {
            virErrorPreserveLast(&first);
            break;
        }
    }
    for (i = sent; i < n; i++)
        g_clear_pointer(&args[i], json_object_put);

    if (sent > 0) {
        g_mutex_lock(&mon->lock);
        if (timeout_ms == QEMU_MONITOR_IO_DEFAULT_TIMEOUT)
            timeout_ms = mon->commandTimeout;
        g_mutex_unlock(&mon->lock);
        if (timeout_ms >= 0)
            deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    }
    /* One deadline for all the replies; every command is waited for (and
     * freed) even after one failed, and the first failure is the one
     * reported. */
    for (i = 0; i < sent; i++) {
        int left = -1;

        if (deadline >= 0)
            left = MAX(0, (deadline - g_get_monotonic_time()) / 1000);
        if (qemuMonitorIOSendFinish(mon, msgs[i], &replies[i], left) < 0 && !first)
            virErrorPreserveLast(&first);
    }
    if (!first)
        return 0;
    virErrorRestore(&first);
    return -1;
}

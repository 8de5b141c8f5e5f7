/*
 * rawqmp.c: a minimal QMP client (see rawqmp.h). Nothing here comes from
 * the driver: a unix socket, poll() and json-c's parser, one message per
 * line as QEMU writes them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rawqmp.h"

struct _RawQmp {
    int fd;
    GString *in;                /* bytes read, not yet a whole line */
    GQueue events;              /* RawQmpEvent *, oldest first */
    json_object *reply;         /* the reply waited for, once read */
    bool haveReply;
    bool replyError;
    unsigned int skip;          /* replies of rawQmpSend() to drop */
    unsigned int skipErrors;    /* how many of them were errors */
    bool broken;
};

static gint64
rawNowNs(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (gint64) ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

void
rawQmpEventFree(RawQmpEvent *ev)
{
    if (!ev)
        return;
    g_free(ev->name);
    if (ev->data)
        json_object_put(ev->data);
    g_free(ev);
}

int
rawQmpFd(const RawQmp *q)
{
    return q->fd;
}

/* One whole message, read at @realUs/@monoNs. */
static void
rawHandleLine(RawQmp *q, const char *line, gint64 realUs, gint64 monoNs)
{
    json_object *msg = json_tokener_parse(line);
    json_object *v;

    if (!msg || !json_object_is_type(msg, json_type_object)) {
        g_printerr("rawqmp: not a QMP message: '%s'\n", line);
        if (msg)
            json_object_put(msg);
        return;
    }
    if (json_object_object_get_ex(msg, "event", &v)) {
        RawQmpEvent *ev = g_new0(RawQmpEvent, 1);
        json_object *ts;
        json_object *sec;
        json_object *usec;

        ev->name = g_strdup(json_object_get_string(v));
        if (json_object_object_get_ex(msg, "data", &v))
            ev->data = json_object_get(v);
        if (json_object_object_get_ex(msg, "timestamp", &ts) &&
            json_object_object_get_ex(ts, "seconds", &sec) &&
            json_object_object_get_ex(ts, "microseconds", &usec))
            ev->qemuUs = json_object_get_int64(sec) * G_GINT64_CONSTANT(1000000) +
                json_object_get_int64(usec);
        ev->arrivalRealUs = realUs;
        ev->arrivalMonoNs = monoNs;
        g_queue_push_tail(&q->events, ev);
    } else if (json_object_object_get_ex(msg, "return", &v) ||
               json_object_object_get_ex(msg, "error", &v)) {
        bool error = json_object_object_get_ex(msg, "error", NULL);

        if (q->skip > 0) {
            q->skip--;
            if (error) {
                q->skipErrors++;
                g_printerr("rawqmp: error reply: %s\n", json_object_to_json_string(v));
            }
        } else {
            if (q->reply)
                json_object_put(q->reply);
            q->reply = json_object_get(v);
            q->haveReply = true;
            q->replyError = error;
        }
    }
    /* anything else (the greeting) is not waited for */
    json_object_put(msg);
}

/* Read once (the socket is readable); split whole lines. */
static int
rawRead(RawQmp *q)
{
    char buf[65536];
    ssize_t n;
    gint64 realUs;
    gint64 monoNs;
    char *nl;

    while ((n = read(q->fd, buf, sizeof(buf))) < 0 && errno == EINTR)
        ;
    monoNs = rawNowNs(CLOCK_MONOTONIC);
    realUs = rawNowNs(CLOCK_REALTIME) / 1000;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0) {
        q->broken = true;
        return -1;
    }
    g_string_append_len(q->in, buf, n);
    while ((nl = memchr(q->in->str, '\n', q->in->len))) {
        size_t len = nl - q->in->str;
        g_autofree char *line = g_strndup(q->in->str, len);

        g_string_erase(q->in, 0, len + 1);
        g_strchomp(line);
        if (*line)
            rawHandleLine(q, line, realUs, monoNs);
    }
    return 0;
}

/* Wait up to @timeoutMs (-1: forever) for input and read it. Returns 1
 * if something was read, 0 on timeout, -1 if broken. */
static int
rawWait(RawQmp *q, int timeoutMs)
{
    struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
    int rc;

    while ((rc = poll(&pfd, 1, timeoutMs)) < 0 && errno == EINTR)
        ;
    if (rc < 0) {
        q->broken = true;
        return -1;
    }
    if (rc == 0)
        return 0;
    return rawRead(q) < 0 ? -1 : 1;
}

int
rawQmpReadAvailable(RawQmp *q)
{
    int rc;

    while ((rc = rawWait(q, 0)) > 0)
        ;
    return rc;
}

static int
rawWrite(RawQmp *q, const char *cmd)
{
    size_t len = strlen(cmd);
    size_t done = 0;

    while (done < len) {
        ssize_t n = send(q->fd, cmd + done, len - done, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };

            poll(&pfd, 1, 1000);
            continue;
        }
        if (n <= 0) {
            g_printerr("rawqmp: cannot send: %s\n", g_strerror(errno));
            q->broken = true;
            return -1;
        }
        done += n;
    }
    return 0;
}

unsigned int
rawQmpSkippedErrors(const RawQmp *q)
{
    return q->skipErrors;
}

int
rawQmpSend(RawQmp *q, const char *cmd)
{
    if (rawWrite(q, cmd) < 0)
        return -1;
    q->skip++;
    return 0;
}

int
rawQmpCommand(RawQmp *q, const char *cmd, json_object **ret, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;

    if (ret)
        *ret = NULL;
    if (q->reply)
        json_object_put(q->reply);
    q->reply = NULL;
    q->haveReply = false;
    if (rawWrite(q, cmd) < 0)
        return -1;
    while (!q->haveReply) {
        gint64 left = deadline - g_get_monotonic_time();

        if (left <= 0 || rawWait(q, (int) (left / 1000) + 1) < 0) {
            g_printerr("rawqmp: no reply to '%s'%s\n", cmd,
                       q->broken ? ": QEMU closed the socket" : " in time");
            return -1;
        }
    }
    if (q->replyError) {
        g_printerr("rawqmp: '%s' failed: %s\n", cmd, json_object_to_json_string(q->reply));
        return -1;
    }
    if (ret)
        *ret = g_steal_pointer(&q->reply);
    return 0;
}

RawQmpEvent *
rawQmpPopEvent(RawQmp *q)
{
    return g_queue_pop_head(&q->events);
}

RawQmpEvent *
rawQmpNextEvent(RawQmp *q, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;

    while (g_queue_is_empty(&q->events)) {
        int wait = -1;

        if (timeoutMs >= 0) {
            gint64 left = deadline - g_get_monotonic_time();

            if (left <= 0)
                return NULL;
            wait = (int) (left / 1000) + 1;
        }
        if (rawWait(q, wait) < 0)
            return NULL;
    }
    return g_queue_pop_head(&q->events);
}

RawQmp *
rawQmpConnect(const char *path, int timeoutMs)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;
    g_autoptr(RawQmp) q = g_new0(RawQmp, 1);

    q->in = g_string_new(NULL);
    g_queue_init(&q->events);
    q->fd = -1;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_printerr("rawqmp: socket path '%s' is too long\n", path);
        return NULL;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    for (;;) {
        if ((q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
            g_printerr("rawqmp: socket: %s\n", g_strerror(errno));
            return NULL;
        }
        if (connect(q->fd, (struct sockaddr *) &addr, sizeof(addr)) == 0)
            break;
        close(q->fd);
        q->fd = -1;
        if (g_get_monotonic_time() > deadline) {
            g_printerr("rawqmp: cannot connect to '%s' in time: %s\n", path,
                       g_strerror(errno));
            return NULL;
        }
        g_usleep(2000);
    }
    /* The greeting comes first; the capabilities reply completes it. */
    if (rawQmpCommand(q, "{\"execute\": \"qmp_capabilities\"}\n", NULL, timeoutMs) < 0)
        return NULL;
    return g_steal_pointer(&q);
}

void
rawQmpClose(RawQmp *q)
{
    RawQmpEvent *ev;

    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    while ((ev = g_queue_pop_head(&q->events)))
        rawQmpEventFree(ev);
    if (q->reply)
        json_object_put(q->reply);
    g_string_free(q->in, TRUE);
    g_free(q);
}

/*
 * qemumockqmp.c: a scripted QMP peer for the tests (see qemumockqmp.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <json-c/json.h>

#include "qemumockqmp.h"

typedef enum {
    MOCK_ITEM_EXPECT,       /* a command and its answer */
    MOCK_ITEM_EMIT,         /* text to write */
    MOCK_ITEM_SIGNAL,       /* wait for mockQMPSignal() */
    MOCK_ITEM_CALL,         /* call a function */
    MOCK_ITEM_EXIT,         /* the end */
} mockItemKind;

typedef struct {
    mockItemKind kind;
    char *cmd;              /* the "execute" expected */
    char *args;             /* expected "arguments" as JSON; "-" none;
                             * NULL not checked */
    char *reply;            /* reply JSON; NULL never answer */
    char *text;             /* raw text written just before the reply, or
                             * what an EMIT item writes */
    unsigned int flags;
    unsigned int delayMs;   /* wait this long before replying */
    void (*fn)(void *data); /* what a CALL item calls */
    void *data;
    GDestroyNotify freeData;
} mockItem;

struct _mockQMP {
    GMutex lock;            /* the test's thread adds while the peer runs */
    GQueue items;
    GString *errors;        /* every mismatch seen */
    GString *held;          /* replies kept back by MOCK_HOLD */
    GString *signaled;      /* replies kept back by MOCK_SIGNALED */
    guint commands;         /* how many commands arrived */
    guint signals;          /* signals not yet waited for */
    bool autoNegotiate;
    json_tokener *tok;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);


static void
mockItemFree(mockItem *item)
{
    if (!item)
        return;
    g_free(item->cmd);
    g_free(item->args);
    g_free(item->reply);
    g_free(item->text);
    if (item->freeData)
        item->freeData(item->data);
    g_free(item);
}


mockQMP *
mockQMPNew(void)
{
    mockQMP *mock = g_new0(mockQMP, 1);

    g_mutex_init(&mock->lock);
    g_queue_init(&mock->items);
    mock->errors = g_string_new(NULL);
    mock->held = g_string_new(NULL);
    mock->signaled = g_string_new(NULL);
    mock->tok = json_tokener_new();
    return mock;
}


void
mockQMPFree(mockQMP *mock)
{
    if (!mock)
        return;
    g_queue_clear_full(&mock->items, (GDestroyNotify) mockItemFree);
    g_string_free(mock->errors, TRUE);
    g_string_free(mock->held, TRUE);
    g_string_free(mock->signaled, TRUE);
    json_tokener_free(mock->tok);
    g_mutex_clear(&mock->lock);
    g_free(mock);
}


void
mockQMPSetAutoNegotiate(mockQMP *mock, bool autoNegotiate)
{
    mock->autoNegotiate = autoNegotiate;
}


void
mockQMPError(mockQMP *mock, const char *fmt, ...)
{
    va_list ap;

    g_mutex_lock(&mock->lock);
    va_start(ap, fmt);
    g_string_append_vprintf(mock->errors, fmt, ap);
    va_end(ap);
    g_string_append_c(mock->errors, '\n');
    g_mutex_unlock(&mock->lock);
}


/* A new item of @kind; filled in by the caller, then queued. */
static mockItem *
mockItemNew(mockItemKind kind)
{
    mockItem *item = g_new0(mockItem, 1);

    item->kind = kind;
    return item;
}


static void
mockQMPPush(mockQMP *mock, mockItem *item)
{
    g_mutex_lock(&mock->lock);
    g_queue_push_tail(&mock->items, item);
    g_mutex_unlock(&mock->lock);
}


void
mockQMPExpect(mockQMP *mock, const char *cmd, const char *args,
              const char *reply, const char *before, unsigned int flags,
              unsigned int delayMs)
{
    mockItem *item = mockItemNew(MOCK_ITEM_EXPECT);

    item->cmd = g_strdup(cmd);
    item->args = g_strdup(args);
    item->reply = g_strdup(reply);
    item->text = g_strdup(before);
    item->flags = flags;
    item->delayMs = delayMs;
    mockQMPPush(mock, item);
}


void
mockQMPEmit(mockQMP *mock, const char *text)
{
    mockItem *item = mockItemNew(MOCK_ITEM_EMIT);

    item->text = g_strdup(text);
    mockQMPPush(mock, item);
}


void
mockQMPWaitSignal(mockQMP *mock)
{
    mockQMPPush(mock, mockItemNew(MOCK_ITEM_SIGNAL));
}


void
mockQMPCall(mockQMP *mock, void (*fn)(void *data), void *data,
            GDestroyNotify freeData)
{
    mockItem *item = mockItemNew(MOCK_ITEM_CALL);

    item->fn = fn;
    item->data = data;
    item->freeData = freeData;
    mockQMPPush(mock, item);
}


void
mockQMPExit(mockQMP *mock)
{
    mockQMPPush(mock, mockItemNew(MOCK_ITEM_EXIT));
}


bool
mockQMPWrite(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= n;
    }
    return true;
}


/* Do what leads the queue up to the next expected command: write events,
 * pass a wait whose signal came, stop at the exit. */
static mockQMPResult
mockQMPRunQueue(mockQMP *mock, int fd)
{
    /* Nobody to write to: the queue runs once someone connects. */
    if (fd < 0)
        return MOCK_QMP_CONTINUE;
    for (;;) {
        mockItem *item;

        g_mutex_lock(&mock->lock);
        item = g_queue_peek_head(&mock->items);
        if (!item || item->kind == MOCK_ITEM_EXPECT ||
            (item->kind == MOCK_ITEM_SIGNAL && mock->signals == 0)) {
            g_mutex_unlock(&mock->lock);
            return MOCK_QMP_CONTINUE;
        }
        g_queue_pop_head(&mock->items);
        if (item->kind == MOCK_ITEM_SIGNAL)
            mock->signals--;
        g_mutex_unlock(&mock->lock);

        if (item->kind == MOCK_ITEM_EXIT) {
            mockItemFree(item);
            return MOCK_QMP_EXIT;
        }
        if (item->kind == MOCK_ITEM_CALL)
            item->fn(item->data);
        if (item->kind == MOCK_ITEM_EMIT &&
            !mockQMPWrite(fd, item->text, strlen(item->text))) {
            mockItemFree(item);
            return MOCK_QMP_HANGUP;
        }
        mockItemFree(item);
    }
}


mockQMPResult
mockQMPConnected(mockQMP *mock, int fd)
{
    json_tokener_reset(mock->tok);
    g_string_truncate(mock->held, 0);
    return mockQMPRunQueue(mock, fd);
}


mockQMPResult
mockQMPSignal(mockQMP *mock, int fd)
{
    g_autofree char *reply = NULL;

    g_mutex_lock(&mock->lock);
    mock->signals++;
    if (mock->signaled->len > 0 && fd >= 0)
        reply = g_string_free(g_steal_pointer(&mock->signaled), FALSE);
    if (!mock->signaled)
        mock->signaled = g_string_new(NULL);
    g_mutex_unlock(&mock->lock);
    if (reply && !mockQMPWrite(fd, reply, strlen(reply)))
        return MOCK_QMP_HANGUP;
    return mockQMPRunQueue(mock, fd);
}


guint
mockQMPCommands(mockQMP *mock)
{
    guint n;

    g_mutex_lock(&mock->lock);
    n = mock->commands;
    g_mutex_unlock(&mock->lock);
    return n;
}


/* Do @args hold what @item expects? */
static void
mockQMPCheckArgs(mockQMP *mock, mockItem *item, const char *name,
                 json_object *args)
{
    g_autoptr(json_object) expected = NULL;
    bool ok = true;

    if (!item->args)
        return;
    if (strcmp(item->args, "-") == 0) {
        if (args)
            mockQMPError(mock, "'%s' has arguments %s, expected none", name,
                         json_object_to_json_string(args));
        return;
    }

    expected = json_tokener_parse(item->args);
    if (!expected || !args) {
        ok = false;
    } else if (item->flags & MOCK_SUBSET) {
        json_object_object_foreach(expected, key, want) {
            json_object *have = NULL;

            if (!json_object_object_get_ex(args, key, &have) ||
                !json_object_equal(want, have))
                ok = false;
        }
    } else {
        ok = json_object_equal(expected, args);
    }
    if (!ok)
        mockQMPError(mock, "'%s' has arguments %s, expected %s%s", name,
                     args ? json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN) : "none",
                     (item->flags & MOCK_SUBSET) ? "at least " : "", item->args);
}


/* The text to send for @item in answer to @command, or NULL for none. */
static char *
mockQMPFormatReply(mockQMP *mock, mockItem *item, json_object *command)
{
    g_autoptr(json_object) reply = NULL;
    json_object *args = NULL;
    json_object *line = NULL;

    if (item->flags & MOCK_RAW)
        return g_strdup(item->reply);

    if (item->flags & MOCK_ECHO) {
        if (!json_object_object_get_ex(command, "arguments", &args) ||
            !json_object_object_get_ex(args, "command-line", &line)) {
            mockQMPError(mock, "'%s' has no command-line to echo", item->cmd);
            return NULL;
        }
        reply = json_object_new_object();
        json_object_object_add(reply, "return", json_object_get(line));
    } else if (!(reply = json_tokener_parse(item->reply))) {
        mockQMPError(mock, "canned reply for '%s' is not JSON", item->cmd);
        return NULL;
    }

    return g_strdup_printf("%s\r\n",
                           json_object_to_json_string_ext(reply,
                                                          JSON_C_TO_STRING_PLAIN));
}


/* What the queue waits for instead of a command, for the message. */
static const char *
mockQMPDescribe(mockItem *item)
{
    if (!item)
        return "nothing";
    switch (item->kind) {
    case MOCK_ITEM_EXPECT:
        return item->cmd;
    case MOCK_ITEM_SIGNAL:
        return "a signal from the test first";
    case MOCK_ITEM_EMIT:
        return "to write events first";
    case MOCK_ITEM_CALL:
        return "to mark a point first";
    case MOCK_ITEM_EXIT:
        return "the end";
    }
    return "?";
}


/* Write the answer of @item, with what it held back. */
static mockQMPResult
mockQMPAnswer(mockQMP *mock, int fd, mockItem *item, json_object *command)
{
    g_autofree char *text = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    bool ok = true;

    if (item->delayMs)
        g_usleep(item->delayMs * 1000);
    if (!item->reply || !(text = mockQMPFormatReply(mock, item, command)))
        return MOCK_QMP_CONTINUE;

    if (item->flags & MOCK_SIGNALED) {
        g_mutex_lock(&mock->lock);
        g_string_append(mock->signaled, item->text ? item->text : "");
        g_string_append(mock->signaled, text);
        g_mutex_unlock(&mock->lock);
        return MOCK_QMP_CONTINUE;
    }

    if (item->flags & MOCK_HOLD) {
        g_string_append(mock->held, item->text ? item->text : "");
        g_string_append(mock->held, text);
        return MOCK_QMP_CONTINUE;
    }

    g_string_append(out, mock->held->str);
    g_string_truncate(mock->held, 0);
    g_string_append(out, item->text ? item->text : "");
    g_string_append(out, text);

    if (item->flags & MOCK_HALF)
        g_string_truncate(out, out->len / 2);

    if (item->flags & MOCK_SPLIT) {
        size_t off;

        for (off = 0; off < out->len && ok; off += 7) {
            ok = mockQMPWrite(fd, out->str + off, MIN(7, out->len - off));
            g_usleep(500);
        }
    } else {
        ok = mockQMPWrite(fd, out->str, out->len);
    }

    if (item->flags & MOCK_EOF) {
        shutdown(fd, SHUT_RDWR);
        return MOCK_QMP_HANGUP;
    }
    return ok ? MOCK_QMP_CONTINUE : MOCK_QMP_HANGUP;
}


/* Check one command against the head of the queue and answer it. */
static mockQMPResult
mockQMPHandle(mockQMP *mock, int fd, json_object *command)
{
    json_object *execute = NULL;
    json_object *args = NULL;
    json_object *id = NULL;
    const char *name = "(none)";
    mockItem *item;
    mockQMPResult rc;

    if (json_object_object_get_ex(command, "execute", &execute))
        name = json_object_get_string(execute);
    /* The driver matches replies to commands by their order, as QEMU
     * answers them, and sends no "id" (QEMU 7.2 is slower to answer a
     * command that has one). */
    if (json_object_object_get_ex(command, "id", &id))
        mockQMPError(mock, "command '%s' has an id", name);
    json_object_object_get_ex(command, "arguments", &args);

    if (mock->autoNegotiate && strcmp(name, "qmp_capabilities") == 0) {
        mockItem negotiation = { .cmd = (char *) name,
                                 .reply = (char *) MOCK_QMP_EMPTY_REPLY };

        return mockQMPAnswer(mock, fd, &negotiation, command);
    }

    g_mutex_lock(&mock->lock);
    mock->commands++;
    item = g_queue_peek_head(&mock->items);
    if (item && item->kind == MOCK_ITEM_EXPECT)
        g_queue_pop_head(&mock->items);
    else
        item = NULL;
    g_mutex_unlock(&mock->lock);

    if (!item || strcmp(item->cmd, name) != 0) {
        g_autofree char *expected = NULL;

        g_mutex_lock(&mock->lock);
        expected = g_strdup(mockQMPDescribe(item ? item :
                                            g_queue_peek_head(&mock->items)));
        g_mutex_unlock(&mock->lock);
        mockQMPError(mock, "unexpected command '%s' (expected %s)",
                     name, expected);
        mockItemFree(item);
        item = mockItemNew(MOCK_ITEM_EXPECT);
        item->cmd = g_strdup(name);
        item->reply = g_strdup("{\"error\": {\"class\": \"GenericError\", "
                               "\"desc\": \"unexpected command\"}}");
    } else {
        mockQMPCheckArgs(mock, item, name, args);
    }

    rc = mockQMPAnswer(mock, fd, item, command);
    mockItemFree(item);
    if (rc != MOCK_QMP_CONTINUE)
        return rc;
    return mockQMPRunQueue(mock, fd);
}


mockQMPResult
mockQMPFeed(mockQMP *mock, int fd, const char *buf, size_t len)
{
    size_t off = 0;

    while (off < len) {
        g_autoptr(json_object) obj = NULL;
        enum json_tokener_error err;
        mockQMPResult rc;

        obj = json_tokener_parse_ex(mock->tok, buf + off, len - off);
        err = json_tokener_get_error(mock->tok);
        if (err == json_tokener_continue)
            break;
        if (err != json_tokener_success || !obj) {
            mockQMPError(mock, "the monitor sent something that is not JSON");
            return MOCK_QMP_HANGUP;
        }
        off += json_tokener_get_parse_end(mock->tok);
        if ((rc = mockQMPHandle(mock, fd, obj)) != MOCK_QMP_CONTINUE)
            return rc;
    }
    return MOCK_QMP_CONTINUE;
}


char *
mockQMPReport(mockQMP *mock)
{
    GString *report = g_string_new(NULL);
    GList *l;

    g_mutex_lock(&mock->lock);
    g_string_append(report, mock->errors->str);
    for (l = mock->items.head; l; l = l->next) {
        mockItem *item = l->data;

        if (item->kind == MOCK_ITEM_EXPECT)
            g_string_append_printf(report, "unused: '%s'\n", item->cmd);
        else if (item->kind == MOCK_ITEM_SIGNAL)
            g_string_append(report, "unused: a wait for a signal\n");
        else if (item->kind == MOCK_ITEM_EMIT)
            g_string_append_printf(report, "unused: events %s", item->text);
        else if (item->kind == MOCK_ITEM_CALL)
            g_string_append(report, "unused: a mark\n");
        else
            g_string_append(report, "unused: the end\n");
    }
    if (mock->signaled->len > 0)
        g_string_append(report, "unsent: a reply waiting for a signal\n");
    g_mutex_unlock(&mock->lock);
    return g_string_free(report, FALSE);
}

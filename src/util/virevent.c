/*
 * virevent.c: the public event loop API on a private GMainContext. The
 * application iterates it with virEventRunDefaultImpl(); handles and timers
 * may be added from any thread (attaching a source wakes the loop).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <glib-unix.h>

#include "virevent.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_EVENT

typedef struct _virEventItem virEventItem;
struct _virEventItem {
    int id;
    bool isTimer;
    int fd;                     /* handles */
    int events;                 /* handles: virEventHandleType */
    int timeout;                /* timers: ms, -1 disabled */
    virEventHandleCallback hcb;
    virEventTimeoutCallback tcb;
    void *opaque;
    virFreeCallback ff;
    GSource *source;            /* NULL while disabled */
};

static GMutex virEventLock;
static GMainContext *virEventContext;   /* set once registered */
static GHashTable *virEventItems;       /* id -> virEventItem */
static int virEventNextId = 1;

bool
virEventIsRegistered(void)
{
    bool ret;

    g_mutex_lock(&virEventLock);
    ret = virEventContext != NULL;
    g_mutex_unlock(&virEventLock);
    return ret;
}

int
virEventRegisterDefaultImpl(void)
{
    VIR_DEBUG("registering the default event loop");
    virResetLastError();
    /* Often the first call a program makes: fail as virInitialize() does. */
    if (virLogInitialize() < 0)
        return -1;
    g_mutex_lock(&virEventLock);
    if (!virEventContext) {
        virEventContext = g_main_context_new();
        virEventItems = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    g_mutex_unlock(&virEventLock);
    return 0;
}

int
virEventRunDefaultImpl(void)
{
    GMainContext *ctx;

    virResetLastError();
    g_mutex_lock(&virEventLock);
    ctx = virEventContext;
    g_mutex_unlock(&virEventLock);
    if (!ctx) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "no event loop: call virEventRegisterDefaultImpl() first");
        return -1;
    }
    g_main_context_iteration(ctx, TRUE);
    return 0;
}

static GIOCondition
virEventToCondition(int events)
{
    GIOCondition cond = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        cond |= G_IO_IN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        cond |= G_IO_OUT;
    /* Errors and hang-ups are always reported, as poll() does. */
    if (events)
        cond |= G_IO_ERR | G_IO_HUP;
    return cond;
}

static int
virEventFromCondition(GIOCondition cond)
{
    int events = 0;

    if (cond & G_IO_IN)
        events |= VIR_EVENT_HANDLE_READABLE;
    if (cond & G_IO_OUT)
        events |= VIR_EVENT_HANDLE_WRITABLE;
    if (cond & G_IO_ERR)
        events |= VIR_EVENT_HANDLE_ERROR;
    if (cond & G_IO_HUP)
        events |= VIR_EVENT_HANDLE_HANGUP;
    return events;
}

/* Look the item up again at dispatch: it may have been removed since. */
static bool
virEventItemSnapshot(int id, virEventItem *copy)
{
    virEventItem *item;

    g_mutex_lock(&virEventLock);
    item = g_hash_table_lookup(virEventItems, GINT_TO_POINTER(id));
    if (item)
        *copy = *item;
    g_mutex_unlock(&virEventLock);
    return item != NULL;
}

static gboolean
virEventDispatchHandle(gint fd, GIOCondition cond, gpointer data)
{
    int id = GPOINTER_TO_INT(data);
    virEventItem item;

    if (virEventItemSnapshot(id, &item))
        item.hcb(id, fd, virEventFromCondition(cond), item.opaque);
    return G_SOURCE_CONTINUE;
}

static gboolean
virEventDispatchTimer(gpointer data)
{
    int id = GPOINTER_TO_INT(data);
    virEventItem item;

    if (virEventItemSnapshot(id, &item))
        item.tcb(id, item.opaque);
    return G_SOURCE_CONTINUE;
}

/* The handle (@isTimer false) or timer with this id, or NULL if there is
 * none of that kind. Lock held. */
static virEventItem *
virEventItemLookupLocked(int id,
                         bool isTimer)
{
    virEventItem *item;

    if (!virEventItems)
        return NULL;
    item = g_hash_table_lookup(virEventItems, GINT_TO_POINTER(id));
    if (!item || item->isTimer != isTimer)
        return NULL;
    return item;
}

/* Replace the item's GSource to match its settings. Lock held. */
static void
virEventItemArmLocked(virEventItem *item)
{
    if (item->source) {
        g_source_destroy(item->source);
        g_source_unref(item->source);
        item->source = NULL;
    }
    if (item->isTimer) {
        if (item->timeout < 0)
            return;
        item->source = g_timeout_source_new(item->timeout);
        g_source_set_callback(item->source, virEventDispatchTimer,
                              GINT_TO_POINTER(item->id), NULL);
    } else {
        if (item->events == 0)
            return;
        item->source = g_unix_fd_source_new(item->fd,
                                             virEventToCondition(item->events));
        g_source_set_callback(item->source, G_SOURCE_FUNC(virEventDispatchHandle),
                              GINT_TO_POINTER(item->id), NULL);
    }
    g_source_attach(item->source, virEventContext);
}

/* Register @item, whose kind and callback are set, with the user data
 * @opaque freed by @ff. Returns its id, or -1 (reported; @item is freed). */
static int
virEventAddItem(virEventItem *item,
                void *opaque,
                virFreeCallback ff)
{
    int id;

    item->opaque = opaque;
    item->ff = ff;
    g_mutex_lock(&virEventLock);
    if (!virEventContext) {
        g_mutex_unlock(&virEventLock);
        g_free(item);
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "no event loop: call virEventRegisterDefaultImpl() first");
        return -1;
    }
    id = item->id = virEventNextId++;
    g_hash_table_insert(virEventItems, GINT_TO_POINTER(id), item);
    virEventItemArmLocked(item);
    g_mutex_unlock(&virEventLock);
    return id;
}

/* Free user data later, from the loop: the caller may be inside the very
 * callback whose data this is. */
typedef struct {
    virFreeCallback ff;
    void *opaque;
} virEventDeferredFree;

static gboolean
virEventRunDeferredFree(gpointer data)
{
    virEventDeferredFree *df = data;

    df->ff(df->opaque);
    g_free(df);
    return G_SOURCE_REMOVE;
}

static int
virEventRemoveItem(int id, bool isTimer)
{
    virEventItem *item;

    g_mutex_lock(&virEventLock);
    if (!(item = virEventItemLookupLocked(id, isTimer))) {
        g_mutex_unlock(&virEventLock);
        return -1;
    }
    g_hash_table_remove(virEventItems, GINT_TO_POINTER(id));
    if (item->source) {
        g_source_destroy(item->source);
        g_source_unref(item->source);
    }
    if (item->ff) {
        virEventDeferredFree *df = g_new0(virEventDeferredFree, 1);
        GSource *src = g_idle_source_new();

        df->ff = item->ff;
        df->opaque = item->opaque;
        g_source_set_callback(src, virEventRunDeferredFree, df, NULL);
        g_source_attach(src, virEventContext);
        g_source_unref(src);
    }
    g_mutex_unlock(&virEventLock);
    g_free(item);
    return 0;
}

/* Set a handle's events (@isTimer false) or a timer's timeout to @value;
 * an unknown id is ignored, as the public calls return nothing. */
static void
virEventUpdateItem(int id,
                   bool isTimer,
                   int value)
{
    virEventItem *item;

    g_mutex_lock(&virEventLock);
    if ((item = virEventItemLookupLocked(id, isTimer))) {
        int *setting = isTimer ? &item->timeout : &item->events;

        if (*setting != value) {
            *setting = value;
            virEventItemArmLocked(item);
        }
    }
    g_mutex_unlock(&virEventLock);
}

int
virEventAddHandle(int fd, int events, virEventHandleCallback cb,
                  void *opaque, virFreeCallback ff)
{
    virEventItem *item;

    VIR_DEBUG("fd=%d events=0x%x cb=%p opaque=%p", fd, events, cb, opaque);
    if (fd < 0 || !cb) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "virEventAddHandle: invalid file descriptor or NULL callback");
        return -1;
    }
    item = g_new0(virEventItem, 1);
    item->fd = fd;
    item->events = events;
    item->hcb = cb;
    return virEventAddItem(item, opaque, ff);
}

void
virEventUpdateHandle(int watch, int events)
{
    virEventUpdateItem(watch, false, events);
}

int
virEventRemoveHandle(int watch)
{
    VIR_DEBUG("watch=%d", watch);
    return virEventRemoveItem(watch, false);
}

int
virEventAddTimeout(int timeout, virEventTimeoutCallback cb,
                   void *opaque, virFreeCallback ff)
{
    virEventItem *item;

    VIR_DEBUG("timeout=%d cb=%p opaque=%p", timeout, cb, opaque);
    if (!cb) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "virEventAddTimeout: NULL callback");
        return -1;
    }
    item = g_new0(virEventItem, 1);
    item->isTimer = true;
    item->timeout = timeout;
    item->tcb = cb;
    return virEventAddItem(item, opaque, ff);
}

void
virEventUpdateTimeout(int timer, int timeout)
{
    virEventUpdateItem(timer, true, timeout);
}

int
virEventRemoveTimeout(int timer)
{
    VIR_DEBUG("timer=%d", timer);
    return virEventRemoveItem(timer, true);
}

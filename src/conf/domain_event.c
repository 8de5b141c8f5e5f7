/*
 * domain_event.c: queueing domain events and dispatching them to the
 * registered callbacks from the application's event loop, in order.
 *
 * An event goes to the callbacks registered when it happened (queued),
 * never to one registered later: the callback ids only grow, and each
 * event remembers the next id of its time (queuedAt). The one exception
 * is the end of a block pull that no callback wanted: its driver keeps it
 * with the domain (virDomainEventStateQueueHold(), in the status file),
 * and tells it to each block pull callback registered later, to that
 * callback only (virDomainEventStateTellHeld()), because an application
 * that was away when its pull ended must still learn how it ended, and
 * never from another application's callback. The ids double as the
 * stamps that say what happened before a registration.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "domain_event.h"
#include "domain_conf.h"
#include "datatypes.h"
#include "util/virerror.h"
#include "util/virevent.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_EVENT

struct _virDomainEvent {
    int eventID;
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;
    int type;           /* lifecycle */
    int detail;         /* lifecycle */
    char *path;         /* block pull; block job: the callback's @disk */
    int status;         /* block pull, block job */
    int jobType;        /* block job: a virDomainBlockJobType */
    char *disk;         /* block pull: the disk's target */
    unsigned int serial; /* block pull: which pull of the disk */

    /* Who may receive it. Callback ids only grow: */
    int queuedAt;       /* the next callback id when it was queued: only
                         * callbacks with a smaller id receive it */
    int onlyCallbackID; /* held outcome told to this new callback; -1: any */
    int remoteID;       /* from a daemon's callback: only the callback
                         * registered for that one receives it; -1: any */
    bool told;          /* from a daemon: a held outcome it told to a new
                         * callback (onlyCallbackID once queued) */
};

/* The event the callback running in this thread was called for. */
static GPrivate virDomainEventCurrent = G_PRIVATE_INIT(NULL);

typedef struct {
    int callbackID;
    virConnectPtr conn;         /* not a reference: removed at close */
    bool hasDomain;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int eventID;
    virConnectDomainEventGenericCallback cb;
    void *opaque;
    virFreeCallback freecb;
    int remoteID;               /* the daemon's callback behind it, or -1 */
    bool deleted;               /* removed while a dispatch was running */
} virDomainEventCallback;

struct _virDomainEventState {
    gint refs;                  /* the owner's, and the loop timer's */
    GMutex lock;
    GPtrArray *callbacks;       /* virDomainEventCallback */
    GQueue queue;               /* virDomainEvent */
    int nextID;
    int timer;                  /* event loop timer, -1 until needed */
    bool dispatching;
};

static virDomainEvent *
virDomainEventNew(int eventID, const char *name, const unsigned char *uuid,
                  int id)
{
    virDomainEvent *ev = g_new0(virDomainEvent, 1);

    ev->eventID = eventID;
    ev->name = g_strdup(name);
    memcpy(ev->uuid, uuid, VIR_UUID_BUFLEN);
    ev->id = id;
    ev->onlyCallbackID = -1;
    ev->remoteID = -1;
    return ev;
}

virDomainEvent *
virDomainEventLifecycleNew(const char *name, const unsigned char *uuid,
                           int id, int type, int detail)
{
    virDomainEvent *ev = virDomainEventNew(VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           name, uuid, id);
    ev->type = type;
    ev->detail = detail;
    return ev;
}

virDomainEvent *
virDomainEventBlockPullNew(const char *name, const unsigned char *uuid,
                           int id, const char *disk, unsigned int serial,
                           const char *path, int status)
{
    virDomainEvent *ev = virDomainEventNew(VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                           name, uuid, id);
    ev->disk = g_strdup(disk);
    ev->serial = serial;
    ev->path = g_strdup(path);
    ev->status = status;
    return ev;
}

virDomainEvent *
virDomainEventBlockJobNew(int eventID, const char *name,
                          const unsigned char *uuid, int id,
                          const char *disk, int type, int status)
{
    virDomainEvent *ev = virDomainEventNew(eventID, name, uuid, id);

    ev->path = g_strdup(disk);
    ev->jobType = type;
    ev->status = status;
    return ev;
}

void
virDomainEventFree(virDomainEvent *event)
{
    if (!event)
        return;
    g_free(event->name);
    g_free(event->path);
    g_free(event->disk);
    g_free(event);
}

static void
virDomainEventCallbackFree(gpointer data)
{
    virDomainEventCallback *cb = data;

    if (cb->freecb)
        cb->freecb(cb->opaque);
    g_free(cb);
}

virDomainEventState *
virDomainEventStateNew(void)
{
    virDomainEventState *state = g_new0(virDomainEventState, 1);

    state->refs = 1;
    g_mutex_init(&state->lock);
    state->callbacks = g_ptr_array_new_with_free_func(virDomainEventCallbackFree);
    g_queue_init(&state->queue);
    state->timer = -1;
    return state;
}

static void
virDomainEventStateUnref(void *opaque)
{
    virDomainEventState *state = opaque;

    if (!g_atomic_int_dec_and_test(&state->refs))
        return;
    g_queue_clear_full(&state->queue, (GDestroyNotify) virDomainEventFree);
    g_ptr_array_unref(state->callbacks);
    g_mutex_clear(&state->lock);
    g_free(state);
}

/* The timer keeps the state alive until the loop has let go of it: the
 * owner may drop its reference while a dispatch runs in the loop's thread. */
void
virDomainEventStateFree(virDomainEventState *state)
{
    int timer;

    if (!state)
        return;
    g_mutex_lock(&state->lock);
    timer = state->timer;
    state->timer = -1;
    g_mutex_unlock(&state->lock);
    if (timer > 0)
        virEventRemoveTimeout(timer);
    virDomainEventStateUnref(state);
}

static void
virDomainEventDispatchOne(virDomainEvent *ev, virDomainEventCallback *cb)
{
    virDomainPtr dom = virGetDomain(cb->conn, ev->name, ev->uuid, ev->id);

    VIR_DEBUG("dispatching event %d of domain '%s' to callback %d",
              ev->eventID, ev->name, cb->callbackID);
    switch (ev->eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        ((virConnectDomainEventCallback)(void (*)(void)) cb->cb)(cb->conn, dom, ev->type,
                                                 ev->detail, cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_PULL:
        ((virConnectDomainEventBlockPullCallback)(void (*)(void)) cb->cb)(cb->conn, dom,
                                                          ev->path, ev->status,
                                                          cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        ((virConnectDomainEventBlockJobCallback)(void (*)(void)) cb->cb)(cb->conn, dom,
                                                         ev->path, ev->jobType,
                                                         ev->status, cb->opaque);
        break;
    }
    virObjectUnrefDomain(dom);
}

static bool
virDomainEventCallbackMatches(virDomainEventCallback *cb, virDomainEvent *ev)
{
    if (cb->deleted || cb->eventID != ev->eventID)
        return false;
    if (cb->callbackID >= ev->queuedAt)
        return false;
    if (ev->onlyCallbackID >= 0 && cb->callbackID != ev->onlyCallbackID)
        return false;
    if (ev->remoteID >= 0 && cb->remoteID != ev->remoteID)
        return false;
    return !cb->hasDomain || memcmp(cb->uuid, ev->uuid, VIR_UUID_BUFLEN) == 0;
}

/* Does any registered callback want @ev? Lock held. */
static bool
virDomainEventStateWantedLocked(virDomainEventState *state, virDomainEvent *ev)
{
    for (guint i = 0; i < state->callbacks->len; i++) {
        if (virDomainEventCallbackMatches(g_ptr_array_index(state->callbacks, i), ev))
            return true;
    }
    return false;
}

/* The event loop timer: deliver everything queued, in order. Callbacks run
 * without the lock held, so they may register, deregister or call the API. */
static void
virDomainEventStateFlush(int timer, void *opaque)
{
    virDomainEventState *state = opaque;
    g_autoptr(GPtrArray) held = g_ptr_array_new();
    virDomainEvent *ev;

    g_mutex_lock(&state->lock);
    virEventUpdateTimeout(timer, -1);
    state->dispatching = true;
    while ((ev = g_queue_pop_head(&state->queue))) {
        size_t i;

        for (i = 0; i < state->callbacks->len; i++) {
            virDomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);
            virDomainEventCallback copy;

            if (!virDomainEventCallbackMatches(cb, ev))
                continue;
            copy = *cb;
            /* Keep the connection alive for the duration of the call, and
             * drop that reference only once we are done with the state: the
             * last reference of a connection may take the state with it. */
            if (!virConnectRefIfAlive(copy.conn))
                continue;
            g_ptr_array_add(held, copy.conn);
            g_mutex_unlock(&state->lock);
            g_private_set(&virDomainEventCurrent, ev);
            virDomainEventDispatchOne(ev, &copy);
            g_private_set(&virDomainEventCurrent, NULL);
            g_mutex_lock(&state->lock);
        }
        virDomainEventFree(ev);
    }
    state->dispatching = false;
    for (guint i = 0; i < state->callbacks->len;) {
        virDomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);
        if (cb->deleted)
            g_ptr_array_remove_index(state->callbacks, i);
        else
            i++;
    }
    g_mutex_unlock(&state->lock);
    for (guint i = 0; i < held->len; i++)
        virObjectUnrefConnect(g_ptr_array_index(held, i));
}

/* Is this callback of @conn registered already (a second one is
 * refused)? */
static bool
virDomainEventStateFindLocked(virDomainEventState *state, virConnectPtr conn,
                              virDomainPtr dom, int eventID,
                              virConnectDomainEventGenericCallback cb,
                              void *opaque)
{
    for (guint i = 0; i < state->callbacks->len; i++) {
        virDomainEventCallback *other = g_ptr_array_index(state->callbacks, i);
        if (!other->deleted && other->conn == conn && other->cb == cb &&
            (!conn->eventsByOpaque || other->opaque == opaque) &&
            other->eventID == eventID && other->hasDomain == (dom != NULL) &&
            (!dom || memcmp(other->uuid, dom->uuid, VIR_UUID_BUFLEN) == 0))
            return true;
    }
    return false;
}

int
virDomainEventStateCheckNew(virDomainEventState *state,
                            virConnectPtr conn, virDomainPtr dom,
                            int eventID,
                            virConnectDomainEventGenericCallback cb,
                            void *opaque)
{
    bool found;

    g_mutex_lock(&state->lock);
    found = virDomainEventStateFindLocked(state, conn, dom, eventID, cb, opaque);
    g_mutex_unlock(&state->lock);
    if (found) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "this event callback is already registered");
        return -1;
    }
    return 0;
}

int
virDomainEventStateRegisterID(virDomainEventState *state,
                              virConnectPtr conn, virDomainPtr dom,
                              int eventID,
                              virConnectDomainEventGenericCallback cb,
                              void *opaque, virFreeCallback freecb)
{
    virDomainEventCallback *item;
    int id;

    /* Every id libvirt knows may be registered, as in libvirt; only some
     * are ever emitted. */
    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "unsupported event ID %d", eventID);
        return -1;
    }
    if (!virEventIsRegistered()) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "could not register the event callback: no event loop "
                       "is registered (call virEventRegisterDefaultImpl() first)");
        return -1;
    }

    g_mutex_lock(&state->lock);
    if (state->timer < 0) {
        g_atomic_int_inc(&state->refs);
        state->timer = virEventAddTimeout(-1, virDomainEventStateFlush,
                                          state, virDomainEventStateUnref);
        if (state->timer < 0) {
            g_atomic_int_dec_and_test(&state->refs);
            g_mutex_unlock(&state->lock);
            return -1;
        }
    }
    if (virDomainEventStateFindLocked(state, conn, dom, eventID, cb, opaque)) {
        g_mutex_unlock(&state->lock);
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "this event callback is already registered");
        return -1;
    }
    item = g_new0(virDomainEventCallback, 1);
    id = item->callbackID = state->nextID++;
    item->conn = conn;
    if (dom) {
        item->hasDomain = true;
        memcpy(item->uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    item->eventID = eventID;
    item->cb = cb;
    item->opaque = opaque;
    item->freecb = freecb;
    item->remoteID = -1;
    g_ptr_array_add(state->callbacks, item);
    g_mutex_unlock(&state->lock);
    VIR_DEBUG("registered callback %d for event %d", id, eventID);
    return id;
}

/* Remove callbacks matching @conn (and @callbackID if >= 0). Lock held.
 * Returns how many were removed. */
static int
virDomainEventStateRemoveLocked(virDomainEventState *state,
                                virConnectPtr conn, int callbackID)
{
    int n = 0;

    for (guint i = 0; i < state->callbacks->len;) {
        virDomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->deleted || cb->conn != conn ||
            (callbackID >= 0 && cb->callbackID != callbackID)) {
            i++;
            continue;
        }
        n++;
        if (state->dispatching) {
            cb->deleted = true;
            i++;
        } else {
            g_ptr_array_remove_index(state->callbacks, i);
        }
    }
    return n;
}

int
virDomainEventStateDeregisterID(virDomainEventState *state,
                                virConnectPtr conn, int callbackID)
{
    int n;

    if (callbackID < 0) {
        virReportError(VIR_ERR_INVALID_ARG, "invalid callback ID %d", callbackID);
        return -1;
    }
    g_mutex_lock(&state->lock);
    n = virDomainEventStateRemoveLocked(state, conn, callbackID);
    g_mutex_unlock(&state->lock);
    if (n == 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "could not find event callback %d for deletion",
                       callbackID);
        return -1;
    }
    return 0;
}

void
virDomainEventStateDeregisterConn(virDomainEventState *state,
                                  virConnectPtr conn)
{
    g_mutex_lock(&state->lock);
    virDomainEventStateRemoveLocked(state, conn, -1);
    g_mutex_unlock(&state->lock);
}

/* Queue @event (stolen) for the callbacks registered now. Lock held. */
static void
virDomainEventStateQueueLocked(virDomainEventState *state, virDomainEvent *event)
{
    if (state->timer < 0) {
        /* Nobody ever registered a callback: nobody can receive it. */
        virDomainEventFree(event);
        return;
    }
    VIR_DEBUG("queued event %d of domain '%s'", event->eventID, event->name);
    g_queue_push_tail(&state->queue, event);
    virEventUpdateTimeout(state->timer, 0);
}

void
virDomainEventStateQueue(virDomainEventState *state, virDomainEvent *event)
{
    if (!event)
        return;
    g_mutex_lock(&state->lock);
    event->queuedAt = state->nextID;
    virDomainEventStateQueueLocked(state, event);
    g_mutex_unlock(&state->lock);
}

int
virDomainEventStateSetRemoteID(virDomainEventState *state,
                               virConnectPtr conn, int callbackID,
                               int remoteID)
{
    int ret = -1;

    g_mutex_lock(&state->lock);
    for (guint i = 0; i < state->callbacks->len; i++) {
        virDomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!cb->deleted && cb->conn == conn && cb->callbackID == callbackID) {
            cb->remoteID = remoteID;
            ret = 0;
            break;
        }
    }
    g_mutex_unlock(&state->lock);
    if (ret < 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "could not find event callback %d", callbackID);
    }
    return ret;
}

void
virDomainEventStateQueueRemote(virDomainEventState *state,
                               virDomainEvent *event, int remoteID)
{
    if (!event)
        return;
    event->remoteID = remoteID;
    g_mutex_lock(&state->lock);
    event->queuedAt = state->nextID;
    /* A held outcome the daemon told: for that callback alone, and
     * dropped as the embed's when a newer pull of the disk starts. */
    for (guint i = 0; event->told && i < state->callbacks->len; i++) {
        virDomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!cb->deleted && cb->remoteID == remoteID) {
            event->onlyCallbackID = cb->callbackID;
            break;
        }
    }
    virDomainEventStateQueueLocked(state, event);
    g_mutex_unlock(&state->lock);
}

const virDomainEvent *
virDomainEventDispatching(void)
{
    return g_private_get(&virDomainEventCurrent);
}

bool
virDomainEventBlockPullIsTold(const virDomainEvent *event)
{
    return event->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL &&
        (event->onlyCallbackID >= 0 || event->told);
}

void
virDomainEventBlockPullSetTold(virDomainEvent *event)
{
    if (event->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL)
        event->told = true;
}

const char *
virDomainEventBlockPullDisk(const virDomainEvent *event, unsigned int *serial)
{
    if (event->eventID != VIR_DOMAIN_EVENT_ID_BLOCK_PULL)
        return NULL;
    *serial = event->serial;
    return event->disk;
}

bool
virDomainEventStateQueueHold(virDomainEventState *state, virDomainObj *vm,
                             virDomainEvent *event, bool holdable)
{
    bool held = false;

    if (!event)
        return false;
    /* The domain's lock is held all along: a callback registered from
     * now on finds the outcome in the domain (virDomainEventStateTellHeld()
     * waits for the lock), one registered before receives it live. */
    g_mutex_lock(&state->lock);
    event->queuedAt = state->nextID;
    if (event->eventID != VIR_DOMAIN_EVENT_ID_BLOCK_PULL ||
        virDomainEventStateWantedLocked(state, event)) {
        virDomainEventStateQueueLocked(state, event);
        g_mutex_unlock(&state->lock);
        return false;
    }
    g_mutex_unlock(&state->lock);
    if (holdable) {
        VIR_DEBUG("holding the end of the pull of disk '%s' of domain '%s' until someone listens",
                  event->disk, event->name);
        held = virDomainObjHoldOutcome(vm, event->disk, event->serial,
                                       event->path, event->status,
                                       event->queuedAt);
    }
    virDomainEventFree(event);
    return held;
}

void
virDomainEventStateTellHeld(virDomainEventState *state, virDomainObj *vm,
                            int callbackID)
{
    g_mutex_lock(&state->lock);
    for (guint i = 0; i < vm->heldOutcomes->len; i++) {
        virDomainHeldOutcome *held = g_ptr_array_index(vm->heldOutcomes, i);
        virDomainEvent *ev;

        /* Ended once the callback listened: it had it live. */
        if (held->happened > callbackID)
            continue;
        ev = virDomainEventBlockPullNew(vm->def->name, vm->def->uuid,
                                        vm->def->id, held->disk, held->serial,
                                        held->path, held->status);
        ev->queuedAt = callbackID + 1;
        ev->onlyCallbackID = callbackID;
        VIR_DEBUG("telling callback %d the held end of the pull of disk '%s' of domain '%s'",
                  callbackID, held->disk, vm->def->name);
        virDomainEventStateQueueLocked(state, ev);
    }
    g_mutex_unlock(&state->lock);
}

/* Is @ev the end of an older pull of that disk (@disk: its target, or
 * its top image's path as a remote driver's caller may name it)? */
static bool
virDomainEventIsOlderPull(virDomainEvent *ev, const unsigned char *uuid,
                          const char *disk, unsigned int serial)
{
    return ev->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL &&
        ev->serial != serial &&
        (g_strcmp0(ev->disk, disk) == 0 || g_strcmp0(ev->path, disk) == 0) &&
        memcmp(ev->uuid, uuid, VIR_UUID_BUFLEN) == 0;
}

void
virDomainEventStateBlockPullStarted(virDomainEventState *state,
                                    const unsigned char *uuid,
                                    const char *disk, unsigned int serial)
{
    g_mutex_lock(&state->lock);
    for (GList *l = state->queue.head; l;) {
        GList *next = l->next;
        virDomainEvent *ev = l->data;

        /* Held outcomes told to a new callback and not yet delivered:
         * the callback may be the new pull's waiter. The others were
         * heard live by callbacks that listened when they happened. */
        if (ev->onlyCallbackID >= 0 &&
            virDomainEventIsOlderPull(ev, uuid, disk, serial)) {
            VIR_DEBUG("dropping the held end of an older pull of disk '%s'", disk);
            virDomainEventFree(ev);
            g_queue_delete_link(&state->queue, l);
        }
        l = next;
    }
    g_mutex_unlock(&state->lock);
}

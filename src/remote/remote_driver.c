/*
 * remote_driver.c: the remote driver's connection to libvirtd: opening
 * it as a libvirt client does, keepalive, the close callback, and the
 * domain events that come over the wire, re-queued into the
 * connection's own event state so that applications get them on their
 * event loop as they do from a local driver.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "remote/remote_driver.h"
#include "remote/remote_driver_priv.h"
#include "remote/remote_uri.h"
#include "remote/remote_transport.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"
#include "util/virerror.h"
#include "util/virevent.h"
#include "util/virlog.h"
#include "util/viruuid.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* The directory of the daemon's sockets when the URI names none. */
#define REMOTE_SOCKET_DIR RUNSTATEDIR "/libvirt-bp"

/* The features a libvirt client asks the daemon about (libvirt's
 * VIR_DRV_FEATURE_* numbers, a protocol fact). */
enum {
    REMOTE_FEATURE_PROGRAM_KEEPALIVE = 10,
    REMOTE_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

/* Keepalive unless the application says otherwise: a dead daemon is
 * found within interval * (count + 1) seconds. */
#define REMOTE_KEEPALIVE_INTERVAL 5
#define REMOTE_KEEPALIVE_COUNT 5

/* ------------------------------------------------------------------ */
/* Private data                                                         */

typedef struct {
    int remoteID;
    virDomainEvent *event;
} remotePendingEvent;

static void
remotePendingEventFree(gpointer data)
{
    remotePendingEvent *pe = data;

    virDomainEventFree(pe->event);
    g_free(pe);
}

static remotePrivate *
remotePrivateNew(void)
{
    remotePrivate *priv = g_new0(remotePrivate, 1);

    priv->refs = 1;
    g_mutex_init(&priv->lock);
    priv->localToRemote = g_hash_table_new(g_direct_hash, g_direct_equal);
    priv->remoteKnown = g_hash_table_new(g_direct_hash, g_direct_equal);
    priv->pullStarted = g_hash_table_new_full(g_str_hash, g_str_equal,
                                              g_free, NULL);
    g_queue_init(&priv->pendingEvents);
    return priv;
}

static remotePrivate *
remotePrivateRef(remotePrivate *priv)
{
    g_atomic_int_inc(&priv->refs);
    return priv;
}

static void
remotePrivateUnref(void *opaque)
{
    remotePrivate *priv = opaque;

    if (!priv || !g_atomic_int_dec_and_test(&priv->refs))
        return;
    g_queue_clear_full(&priv->pendingEvents, remotePendingEventFree);
    g_hash_table_unref(priv->localToRemote);
    g_hash_table_unref(priv->remoteKnown);
    g_hash_table_unref(priv->pullStarted);
    virDomainEventStateFree(priv->eventState);
    g_free(priv->type);
    g_mutex_clear(&priv->lock);
    g_free(priv);
}

remotePrivate *
remoteGetPrivate(virConnectPtr conn)
{
    return conn->privateData;
}

/* ------------------------------------------------------------------ */
/* Calls                                                                */

/* No arguments, or no reply. */
static const xdrproc_t remoteXdrVoid = (xdrproc_t) (void (*)(void)) xdr_void;

static int
remoteCallProgram(virConnectPtr conn, unsigned int program,
                  unsigned int version, int proc,
                  xdrproc_t argsFilter, void *args,
                  xdrproc_t retFilter, void *ret)
{
    remotePrivate *priv = conn->privateData;

    if (!priv || !priv->client) {
        virReportError(VIR_ERR_INVALID_CONN, "%s",
                       "the connection to the daemon is closed");
        return -1;
    }
    VIR_DEBUG("call program 0x%x procedure %d", program, proc);
    return virNetClientCall(priv->client, program, version, proc,
                            argsFilter ? argsFilter : remoteXdrVoid, args,
                            retFilter ? retFilter : remoteXdrVoid, ret);
}

int
remoteCall(virConnectPtr conn, int proc, xdrproc_t argsFilter, void *args,
           xdrproc_t retFilter, void *ret)
{
    return remoteCallProgram(conn, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                             proc, argsFilter, args, retFilter, ret);
}

int
remoteCallQemu(virConnectPtr conn, int proc, xdrproc_t argsFilter,
               void *args, xdrproc_t retFilter, void *ret)
{
    return remoteCallProgram(conn, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
                             proc, argsFilter, args, retFilter, ret);
}

int
remoteCallBP(virConnectPtr conn, int proc, xdrproc_t argsFilter,
             void *args, xdrproc_t retFilter, void *ret)
{
    return remoteCallProgram(conn, BP_PROGRAM, BP_PROTOCOL_VERSION,
                             proc, argsFilter, args, retFilter, ret);
}

virDomainPtr
remoteDriverGetDomain(virConnectPtr conn, const remote_nonnull_domain *rdom)
{
    return virGetDomain(conn, rdom->name, (const unsigned char *) rdom->uuid,
                        rdom->id);
}

void
remoteDriverMakeDomain(remote_nonnull_domain *rdom, virDomainPtr dom)
{
    rdom->name = dom->name;
    memcpy(rdom->uuid, dom->uuid, VIR_UUID_BUFLEN);
    rdom->id = dom->id;
}

/* Does the daemon have @feature? A failure counts as no. */
static bool
remoteSupportsFeature(virConnectPtr conn, int feature)
{
    remote_connect_supports_feature_args args = { .feature = feature };
    remote_connect_supports_feature_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                   (xdrproc_t) xdr_remote_connect_supports_feature_args, &args,
                   (xdrproc_t) xdr_remote_connect_supports_feature_ret, &ret) < 0) {
        VIR_DEBUG("feature %d: %s", feature, virGetLastErrorMessage());
        virResetLastError();
        return false;
    }
    return ret.supported != 0;
}

/* ------------------------------------------------------------------ */
/* Events from the wire                                                 */

static char *
remotePullKey(const unsigned char *uuid, const char *disk)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    virUUIDFormat(uuid, uuidstr);
    return g_strdup_printf("%s %s", uuidstr, disk);
}

/* Has a pull of @disk (target or path) of the domain @uuid been started
 * through this connection after the registration stamped @since? Lock
 * held. */
static bool
remotePullStartedSinceLocked(remotePrivate *priv, const unsigned char *uuid,
                             const char *disk, guint since)
{
    g_autofree char *key = NULL;
    gpointer seq;

    if (!disk || !*disk)
        return false;
    key = remotePullKey(uuid, disk);
    return g_hash_table_lookup_extended(priv->pullStarted, key, NULL, &seq) &&
        GPOINTER_TO_UINT(seq) > since;
}

void
remoteDriverBlockPullStarted(virDomainPtr dom, const char *disk)
{
    remotePrivate *priv = dom->conn->privateData;

    if (!priv || !disk)
        return;
    g_mutex_lock(&priv->lock);
    priv->pullStarts++;
    g_hash_table_insert(priv->pullStarted, remotePullKey(dom->uuid, disk),
                        GUINT_TO_POINTER(priv->pullStarts));
    /* The held outcomes told and queued here: as the embed state drops
     * them (no pull of ours has serial 0, so all are older ones). */
    if (priv->eventState)
        virDomainEventStateBlockPullStarted(priv->eventState, dom->uuid, disk, 0);
    g_mutex_unlock(&priv->lock);
}

/* Hand @event (stolen), sent for the daemon's callback @remoteID, to the
 * callback registered for it. An event may come before the reply to its
 * registration (the daemon tells a new block pull callback the outcomes
 * it held): it waits for that reply, in order. A held outcome that comes
 * after a pull of its disk began through this connection since its
 * callback was registered is an older pull's: the daemon sent it before
 * it heard of the new pull, and it is dropped as if it had been queued
 * here already (see remoteDriverBlockPullStarted()). */
static void
remoteEventQueue(remotePrivate *priv, int remoteID, virDomainEvent *event,
                 const bp_domain_event_callback_block_pull_msg *held)
{
    gpointer since;

    g_mutex_lock(&priv->lock);
    if (!priv->eventState) {
        virDomainEventFree(event);
    } else if (g_hash_table_lookup_extended(priv->remoteKnown, GINT_TO_POINTER(remoteID),
                                            NULL, &since)) {
        if (held &&
            (remotePullStartedSinceLocked(priv, (unsigned char *) held->dom.uuid,
                                          held->disk, GPOINTER_TO_UINT(since)) ||
             remotePullStartedSinceLocked(priv, (unsigned char *) held->dom.uuid,
                                          held->path, GPOINTER_TO_UINT(since)))) {
            VIR_DEBUG("dropping the held end of an older pull of disk '%s'",
                      held->disk);
            virDomainEventFree(event);
        } else {
            virDomainEventStateQueueRemote(priv->eventState, event, remoteID);
        }
    } else if (priv->registering > 0) {
        remotePendingEvent *pe = g_new0(remotePendingEvent, 1);

        pe->remoteID = remoteID;
        pe->event = event;
        g_queue_push_tail(&priv->pendingEvents, pe);
    } else {
        VIR_DEBUG("dropping an event for unknown daemon callback %d", remoteID);
        virDomainEventFree(event);
    }
    g_mutex_unlock(&priv->lock);
}

/* The end of a registration: its events that came early go to the event
 * state; once no registration waits any more, the rest are nobody's. */
static void
remoteEventRegistrationDoneLocked(remotePrivate *priv, int remoteID)
{
    for (GList *l = priv->pendingEvents.head; l;) {
        GList *next = l->next;
        remotePendingEvent *pe = l->data;

        if (remoteID >= 0 && pe->remoteID == remoteID) {
            virDomainEventStateQueueRemote(priv->eventState,
                                           g_steal_pointer(&pe->event), remoteID);
            remotePendingEventFree(pe);
            g_queue_delete_link(&priv->pendingEvents, l);
        }
        l = next;
    }
    if (--priv->registering == 0)
        g_queue_clear_full(&priv->pendingEvents, remotePendingEventFree);
}

static void
remoteRemoteEvent(virNetClient *client G_GNUC_UNUSED, virNetMessage *msg,
                  void *opaque)
{
    remotePrivate *priv = opaque;

    switch (msg->header.proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
        remote_domain_event_callback_lifecycle_msg ev = { 0 };

        if (virNetMessageDecodePayload(msg, (xdrproc_t) xdr_remote_domain_event_callback_lifecycle_msg,
                                       &ev) < 0)
            break;
        remoteEventQueue(priv, ev.callbackID,
                         virDomainEventLifecycleNew(ev.msg.dom.name,
                                                    (unsigned char *) ev.msg.dom.uuid,
                                                    ev.msg.dom.id, ev.msg.event,
                                                    ev.msg.detail),
                         NULL);
        xdr_free((xdrproc_t) xdr_remote_domain_event_callback_lifecycle_msg, (char *) &ev);
        return;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB: {
        remote_domain_event_callback_block_job_msg ev = { 0 };

        if (virNetMessageDecodePayload(msg, (xdrproc_t) xdr_remote_domain_event_callback_block_job_msg,
                                       &ev) < 0)
            break;
        remoteEventQueue(priv, ev.callbackID,
                         virDomainEventBlockJobNew(VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                   ev.msg.dom.name,
                                                   (unsigned char *) ev.msg.dom.uuid,
                                                   ev.msg.dom.id, ev.msg.path,
                                                   ev.msg.type, ev.msg.status),
                         NULL);
        xdr_free((xdrproc_t) xdr_remote_domain_event_callback_block_job_msg, (char *) &ev);
        return;
    }
    case REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2: {
        remote_domain_event_block_job_2_msg ev = { 0 };

        if (virNetMessageDecodePayload(msg, (xdrproc_t) xdr_remote_domain_event_block_job_2_msg,
                                       &ev) < 0)
            break;
        remoteEventQueue(priv, ev.callbackID,
                         virDomainEventBlockJobNew(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                   ev.dom.name,
                                                   (unsigned char *) ev.dom.uuid,
                                                   ev.dom.id, ev.dst, ev.type,
                                                   ev.status),
                         NULL);
        xdr_free((xdrproc_t) xdr_remote_domain_event_block_job_2_msg, (char *) &ev);
        return;
    }
    default:
        VIR_DEBUG("ignoring event procedure %d of the remote program",
                  msg->header.proc);
        return;
    }
    VIR_WARN("cannot decode event procedure %d: %s", msg->header.proc,
             virGetLastErrorMessage());
    virResetLastError();
}

static void
remoteBPEvent(virNetClient *client G_GNUC_UNUSED, virNetMessage *msg,
              void *opaque)
{
    remotePrivate *priv = opaque;
    bp_domain_event_callback_block_pull_msg ev = { 0 };
    virDomainEvent *event;

    if (msg->header.proc != BP_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_PULL) {
        VIR_DEBUG("ignoring event procedure %d of the block pull program",
                  msg->header.proc);
        return;
    }
    if (virNetMessageDecodePayload(msg, (xdrproc_t) xdr_bp_domain_event_callback_block_pull_msg,
                                   &ev) < 0) {
        VIR_WARN("cannot decode a block pull event: %s", virGetLastErrorMessage());
        virResetLastError();
        return;
    }
    /* The disk's target, as the daemon knows it; a held outcome it told
     * is queued as such, to be dropped if a newer pull of the disk starts
     * through this connection before it is delivered. */
    event = virDomainEventBlockPullNew(ev.dom.name, (unsigned char *) ev.dom.uuid,
                                       ev.dom.id, *ev.disk ? ev.disk : ev.path,
                                       ev.serial, ev.path, ev.status);
    if (ev.held)
        virDomainEventBlockPullSetTold(event);
    remoteEventQueue(priv, ev.callbackID, event, ev.held ? &ev : NULL);
    xdr_free((xdrproc_t) xdr_bp_domain_event_callback_block_pull_msg, (char *) &ev);
}

/* ------------------------------------------------------------------ */
/* Event registration                                                   */

int
remoteConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                    int eventID,
                                    virConnectDomainEventGenericCallback cb,
                                    void *opaque, virFreeCallback freecb)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_domain_event_callback_register_any_args args = { 0 };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    remote_connect_domain_event_callback_deregister_any_args dargs = { 0 };
    remote_nonnull_domain rdom;
    virErrorPtr saved = NULL;
    int localID;

    if (!virEventIsRegistered()) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "could not register the event callback: no event loop "
                       "is registered (call virEventRegisterDefaultImpl() first)");
        return -1;
    }
    /* For a daemon without our program, id 7 is libvirt's CONTROL_ERROR:
     * a block pull callback there would never hear anything. */
    if (eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL && !priv->serverBP) {
        virReportError(VIR_ERR_NO_SUPPORT, "%s",
                       "the daemon has no block pull program (it is not libvirt-bp's libvirtd): "
                       "no block pull events; use VIR_DOMAIN_EVENT_ID_BLOCK_JOB");
        return -1;
    }
    args.eventID = eventID;
    if (dom) {
        remoteDriverMakeDomain(&rdom, dom);
        args.dom = &rdom;
    }

    /* A duplicate is refused here, before the daemon hears of it: a
     * registration there would be told the outcomes it held, which the
     * undone one would then take away from the next callback. */
    if (virDomainEventStateCheckNew(priv->eventState, conn, dom, eventID,
                                    cb, opaque) < 0)
        return -1;

    g_mutex_lock(&priv->lock);
    priv->registering++;
    g_mutex_unlock(&priv->lock);

    /* One registration on the daemon for each of ours: each callback
     * gets exactly the events its own registration brings (a new block
     * pull callback the outcomes the daemon held, say). */
    if (remoteCall(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                   (xdrproc_t) xdr_remote_connect_domain_event_callback_register_any_args, &args,
                   (xdrproc_t) xdr_remote_connect_domain_event_callback_register_any_ret, &ret) < 0) {
        g_mutex_lock(&priv->lock);
        remoteEventRegistrationDoneLocked(priv, -1);
        g_mutex_unlock(&priv->lock);
        return -1;
    }

    localID = virDomainEventStateRegisterID(priv->eventState, conn, dom, eventID,
                                            cb, opaque, freecb);
    if (localID < 0) {
        /* Undo the daemon's side; the first error is the one to keep. */
        virErrorPreserveLast(&saved);
        dargs.callbackID = ret.callbackID;
        remoteCall(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                   (xdrproc_t) xdr_remote_connect_domain_event_callback_deregister_any_args,
                   &dargs, NULL, NULL);
        virErrorRestore(&saved);
        g_mutex_lock(&priv->lock);
        remoteEventRegistrationDoneLocked(priv, -1);
        g_mutex_unlock(&priv->lock);
        return -1;
    }

    g_mutex_lock(&priv->lock);
    virDomainEventStateSetRemoteID(priv->eventState, conn, localID, ret.callbackID);
    g_hash_table_insert(priv->localToRemote, GINT_TO_POINTER(localID),
                        GINT_TO_POINTER(ret.callbackID));
    /* Stamped: a held outcome told to it and coming after a pull of its
     * disk started from now on is an older pull's. */
    g_hash_table_insert(priv->remoteKnown, GINT_TO_POINTER(ret.callbackID),
                        GUINT_TO_POINTER(priv->pullStarts));
    remoteEventRegistrationDoneLocked(priv, ret.callbackID);
    g_mutex_unlock(&priv->lock);
    VIR_DEBUG("callback %d of event %d is the daemon's callback %d",
              localID, eventID, ret.callbackID);
    return localID;
}

int
remoteConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    remotePrivate *priv = conn->privateData;
    remote_connect_domain_event_callback_deregister_any_args args = { 0 };
    gpointer remoteID = NULL;
    bool found;

    g_mutex_lock(&priv->lock);
    found = g_hash_table_lookup_extended(priv->localToRemote,
                                         GINT_TO_POINTER(callbackID), NULL,
                                         &remoteID);
    g_mutex_unlock(&priv->lock);
    if (!found) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "could not find event callback %d for deletion",
                       callbackID);
        return -1;
    }

    args.callbackID = GPOINTER_TO_INT(remoteID);
    if (remoteCall(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                   (xdrproc_t) xdr_remote_connect_domain_event_callback_deregister_any_args,
                   &args, NULL, NULL) < 0) {
        /* A daemon that is gone has forgotten it already. */
        if (virNetClientIsOpen(priv->client))
            return -1;
        virResetLastError();
    }

    g_mutex_lock(&priv->lock);
    g_hash_table_remove(priv->localToRemote, GINT_TO_POINTER(callbackID));
    g_hash_table_remove(priv->remoteKnown, remoteID);
    g_mutex_unlock(&priv->lock);
    return virDomainEventStateDeregisterID(priv->eventState, conn, callbackID);
}

/* ------------------------------------------------------------------ */
/* Close callback and keepalive                                         */

typedef struct {
    virConnectPtr conn;         /* a reference */
    int reason;
} remoteCloseNotice;

static void
remoteCloseNoticeFree(void *opaque)
{
    remoteCloseNotice *notice = opaque;

    virObjectUnrefConnect(notice->conn);
    g_free(notice);
}

/* Tell the application's close callback, if it has one now. */
static void
remoteCloseNoticeRun(remoteCloseNotice *notice)
{
    virConnectPtr conn = notice->conn;
    virConnectCloseFunc cb;
    void *cbopaque;

    g_mutex_lock(&conn->lock);
    cb = conn->closeCallback;
    cbopaque = conn->closeOpaque;
    g_mutex_unlock(&conn->lock);
    if (cb)
        cb(conn, notice->reason, cbopaque);
}

static void
remoteCloseNoticeTimer(int timer, void *opaque)
{
    virEventRemoveTimeout(timer);
    remoteCloseNoticeRun(opaque);
}

static gpointer
remoteCloseNoticeThread(gpointer opaque)
{
    remoteCloseNoticeRun(opaque);
    remoteCloseNoticeFree(opaque);
    return NULL;
}

/*
 * The rpc client saw the connection end, on its I/O thread: the
 * application's close callback learns why, unless the application closed
 * the connection itself. Not from the I/O thread: the callback may close
 * the connection, whose last reference would then free the rpc client
 * from its own thread. In the application's event loop as libvirt's
 * (with the events), or a thread of its own if there is no loop.
 */
static void
remoteClientClosed(virNetClient *client G_GNUC_UNUSED, int reason, void *opaque)
{
    remotePrivate *priv = opaque;
    remoteCloseNotice *notice;
    virConnectPtr conn = NULL;

    VIR_DEBUG("the connection to the daemon closed, reason %d", reason);
    g_mutex_lock(&priv->lock);
    if (priv->conn && virConnectRefIfAlive(priv->conn))
        conn = priv->conn;
    g_mutex_unlock(&priv->lock);
    if (!conn)
        return;
    notice = g_new0(remoteCloseNotice, 1);
    notice->conn = conn;
    notice->reason = reason;
    if (virEventIsRegistered() &&
        virEventAddTimeout(0, remoteCloseNoticeTimer, notice,
                           remoteCloseNoticeFree) >= 0)
        return;
    virResetLastError();
    g_thread_unref(g_thread_new("remote-close", remoteCloseNoticeThread, notice));
}

int
remoteConnectIsAlive(virConnectPtr conn)
{
    remotePrivate *priv = conn->privateData;

    return priv && priv->client && virNetClientIsOpen(priv->client) ? 1 : 0;
}

int
remoteConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    remotePrivate *priv = conn->privateData;

    /* libvirt's answer for a daemon without keepalive. */
    if (!priv->serverKeepAlive)
        return 1;
    return virNetClientKeepAliveStart(priv->client, interval, count) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Open and close                                                       */

/* The daemon's authentication: none is the one this build speaks. */
static int
remoteAuthenticate(virConnectPtr conn)
{
    remote_auth_list_ret ret = { 0 };
    bool none;

    if (remoteCall(conn, REMOTE_PROC_AUTH_LIST, NULL, NULL,
                   (xdrproc_t) xdr_remote_auth_list_ret, &ret) < 0)
        return -1;
    none = ret.types.types_len == 0 || ret.types.types_val[0] == REMOTE_AUTH_NONE;
    if (!none) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the daemon asks for authentication type %d, which this client does not support",
                       ret.types.types_val[0]);
    }
    xdr_free((xdrproc_t) xdr_remote_auth_list_ret, (char *) &ret);
    return none ? 0 : -1;
}

static int
remoteOpenHandshake(virConnectPtr conn, remotePrivate *priv, const char *name,
                    unsigned int flags)
{
    remote_connect_open_args args = { 0 };
    char *namep = (char *) name;

    if (remoteAuthenticate(conn) < 0)
        return -1;
    priv->serverKeepAlive = remoteSupportsFeature(conn, REMOTE_FEATURE_PROGRAM_KEEPALIVE);

    args.name = &namep;
    args.flags = flags & VIR_CONNECT_RO;
    VIR_DEBUG("opening '%s' on the daemon", name);
    if (remoteCall(conn, REMOTE_PROC_CONNECT_OPEN,
                   (xdrproc_t) xdr_remote_connect_open_args, &args, NULL, NULL) < 0)
        return -1;

    /* Our own program: the daemon sends its event (the end of a block
     * pull, event id 7) only to a client that asked, since libvirt's
     * client would take it for garbage; libvirt's daemon says no. */
    priv->serverBP = remoteSupportsFeature(conn, BP_FEATURE_PROGRAM);

    /* Asked as libvirt's client does; both are facts of the daemon we
     * rely on rather than options. */
    if (!remoteSupportsFeature(conn, REMOTE_FEATURE_REMOTE_EVENT_CALLBACK))
        VIR_INFO("the daemon does not filter events per callback");
    if (!remoteSupportsFeature(conn, REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK))
        VIR_INFO("the daemon does not support close callbacks");

    if (priv->serverKeepAlive &&
        virNetClientKeepAliveStart(priv->client, REMOTE_KEEPALIVE_INTERVAL,
                                   REMOTE_KEEPALIVE_COUNT) < 0)
        return -1;
    return 0;
}

/* Close the rpc client and let go of it: it holds a reference on @priv
 * (through its close callback) until its I/O thread is done, so ours on
 * it must go first. */
static void
remoteClientShutdown(remotePrivate *priv)
{
    virNetClient *client;

    g_mutex_lock(&priv->lock);
    client = g_steal_pointer(&priv->client);
    g_mutex_unlock(&priv->lock);
    if (!client)
        return;
    virNetClientClose(client);
    virNetClientUnref(client);
}

/* The connection to the daemon @ruri names, by its transport. */
static virNetClient *
remoteConnectTransport(const remoteURI *ruri, bool readonly)
{
    switch (ruri->kind) {
    case REMOTE_TRANSPORT_UNIX:
        if (ruri->autostart && remoteSessionEnsureDaemon(ruri->socket) < 0)
            return NULL;
        return virNetClientNewUnix(ruri->socket);
    case REMOTE_TRANSPORT_SSH:
        return remoteTransportOpenSSH(ruri, readonly);
    case REMOTE_TRANSPORT_TLS:
        return remoteTransportOpenTLS(ruri);
    }
    virReportError(VIR_ERR_INTERNAL_ERROR, "unknown transport %d", ruri->kind);
    return NULL;
}

virDrvOpenStatus
remoteConnectOpen(virConnectPtr conn, GUri *uri,
                  virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    g_autoptr(remoteURI) ruri = NULL;
    remotePrivate *priv = NULL;
    virErrorPtr saved = NULL;
    int rc;

    if ((rc = remoteURIParse(uri, flags & VIR_CONNECT_RO, REMOTE_SOCKET_DIR,
                             &ruri)) < 0)
        return rc == -2 ? VIR_DRV_OPEN_DECLINED : VIR_DRV_OPEN_ERROR;
    virCheckFlags(VIR_CONNECT_RO, VIR_DRV_OPEN_ERROR);

    VIR_DEBUG("connecting over %s to '%s' for '%s'", ruri->transport,
              ruri->host ? ruri->host : ruri->socket, ruri->name);
    priv = remotePrivateNew();
    priv->conn = conn;
    priv->eventState = virDomainEventStateNew();
    if (!(priv->client = remoteConnectTransport(ruri, flags & VIR_CONNECT_RO)))
        goto error;
    virNetClientSetCloseCallback(priv->client, remoteClientClosed,
                                 remotePrivateRef(priv), remotePrivateUnref);
    if (virNetClientAddProgramEvents(priv->client, REMOTE_PROGRAM,
                                     REMOTE_PROTOCOL_VERSION,
                                     remoteRemoteEvent, priv) < 0 ||
        virNetClientAddProgramEvents(priv->client, BP_PROGRAM,
                                     BP_PROTOCOL_VERSION,
                                     remoteBPEvent, priv) < 0)
        goto error;

    conn->privateData = priv;
    if (remoteOpenHandshake(conn, priv, ruri->name, flags) < 0)
        goto error;
    return VIR_DRV_OPEN_SUCCESS;

 error:
    virErrorPreserveLast(&saved);
    conn->privateData = NULL;
    g_mutex_lock(&priv->lock);
    priv->conn = NULL;
    g_mutex_unlock(&priv->lock);
    remoteClientShutdown(priv);
    remotePrivateUnref(priv);
    virErrorRestore(&saved);
    return VIR_DRV_OPEN_ERROR;
}

int
remoteConnectClose(virConnectPtr conn)
{
    remotePrivate *priv = conn->privateData;
    virDomainEventState *state;
    int ret = 0;

    if (!priv)
        return 0;
    /* From now on the end of the connection is the application's doing:
     * its close callback is not called. */
    g_mutex_lock(&priv->lock);
    priv->conn = NULL;
    g_mutex_unlock(&priv->lock);
    /* Tell the daemon, unless it is gone already. */
    if (virNetClientIsOpen(priv->client) &&
        remoteCall(conn, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL) < 0)
        ret = -1;

    g_mutex_lock(&priv->lock);
    state = g_steal_pointer(&priv->eventState);
    g_queue_clear_full(&priv->pendingEvents, remotePendingEventFree);
    g_mutex_unlock(&priv->lock);
    virDomainEventStateDeregisterConn(state, conn);
    virDomainEventStateFree(state);

    remoteClientShutdown(priv);
    conn->privateData = NULL;
    remotePrivateUnref(priv);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */

static const char remoteURIHelp[] =
    "qemu:///system, qemu:///session, qemu+unix:///system?socket=PATH, qemu+ssh://[user@]host/system, qemu+tls://host/system";

static virConnectDriver remoteConnectDriver = {
    /* Offered whatever the local drivers declined, embed URIs aside;
     * remoteURIParse() says which are ours. */
    .localOnly = false,
    .embeddable = false,
    .uriSchemes = NULL,
    .uriHelp = remoteURIHelp,
    .hypervisorDriver = &remoteHypervisorDriver,
};

int
remoteRegister(void)
{
    return virRegisterConnectDriver(&remoteConnectDriver);
}

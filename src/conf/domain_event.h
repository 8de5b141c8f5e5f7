/*
 * domain_event.h: domain events (lifecycle, block pull), the callbacks
 * applications registered for them, and their delivery in the
 * application's event loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "libvirt/libvirt.h"

typedef struct _virDomainEvent virDomainEvent;
typedef struct _virDomainObj virDomainObj;
typedef struct _virDomainEventState virDomainEventState;

virDomainEvent *virDomainEventLifecycleNew(const char *name,
                                           const unsigned char *uuid,
                                           int id, int type, int detail);
/* The end of one pull of disk @disk (its target): @serial tells it from
 * the disk's other pulls (see virDomainEventStateBlockPullStarted). */
virDomainEvent *virDomainEventBlockPullNew(const char *name,
                                           const unsigned char *uuid,
                                           int id, const char *disk,
                                           unsigned int serial,
                                           const char *path, int status);
/* The end of a block job for VIR_DOMAIN_EVENT_ID_BLOCK_JOB (@disk: the
 * top image's path) or VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 (@disk: the
 * target), @eventID; delivered live only, never held. */
virDomainEvent *virDomainEventBlockJobNew(int eventID, const char *name,
                                          const unsigned char *uuid, int id,
                                          const char *disk, int type,
                                          int status);
void virDomainEventFree(virDomainEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainEvent, virDomainEventFree);

virDomainEventState *virDomainEventStateNew(void);
void virDomainEventStateFree(virDomainEventState *state);

/*
 * Register a callback of @conn. Needs the event loop (virEventRegisterDefaultImpl)
 * to be registered. Returns the callback id or -1.
 */
int virDomainEventStateRegisterID(virDomainEventState *state,
                                  virConnectPtr conn,
                                  virDomainPtr dom,
                                  int eventID,
                                  virConnectDomainEventGenericCallback cb,
                                  void *opaque,
                                  virFreeCallback freecb);

/* Would virDomainEventStateRegisterID() refuse this callback as one
 * registered already? -1 with its error then, else 0. (The remote driver
 * asks before it registers on the daemon, which tells a new registration
 * the outcomes it held.) */
int virDomainEventStateCheckNew(virDomainEventState *state,
                                virConnectPtr conn, virDomainPtr dom,
                                int eventID,
                                virConnectDomainEventGenericCallback cb,
                                void *opaque);

/* Deregister one callback of @conn. Returns 0, or -1 if it is unknown. */
int virDomainEventStateDeregisterID(virDomainEventState *state,
                                    virConnectPtr conn, int callbackID);

/* Drop every callback of @conn (at connection close). */
void virDomainEventStateDeregisterConn(virDomainEventState *state,
                                       virConnectPtr conn);

/* Queue @event (stolen) for delivery in the application's event loop, to
 * the callbacks registered now that want it. Safe from any thread. */
void virDomainEventStateQueue(virDomainEventState *state,
                              virDomainEvent *event);

/*
 * For the remote driver, where each callback stands for one callback
 * registered on the daemon: tie callback @callbackID of @conn to the
 * daemon's @remoteID (returns 0, or -1 if it is unknown), and queue
 * @event (stolen), which the daemon sent for @remoteID, for that callback
 * alone.
 */
int virDomainEventStateSetRemoteID(virDomainEventState *state,
                                   virConnectPtr conn, int callbackID,
                                   int remoteID);
void virDomainEventStateQueueRemote(virDomainEventState *state,
                                    virDomainEvent *event, int remoteID);

/* The disk (target) and pull serial of a block pull end, NULL for other
 * events. */
const char *virDomainEventBlockPullDisk(const virDomainEvent *event,
                                        unsigned int *serial);

/*
 * The event whose callback runs now in this thread (called from the
 * state's dispatch), or NULL: what a relay (libvirtd) learns beyond the
 * public callback's arguments.
 */
const virDomainEvent *virDomainEventDispatching(void);

/* Is @event a held outcome told to a new callback (not heard live)? */
bool virDomainEventBlockPullIsTold(const virDomainEvent *event);

/*
 * For the remote driver: @event (a block pull end from the wire) is a
 * held outcome the daemon told its new callback.
 * virDomainEventStateQueueRemote() then queues it as the state's own
 * told outcomes, for that callback alone, and
 * virDomainEventStateBlockPullStarted() drops it likewise.
 */
void virDomainEventBlockPullSetTold(virDomainEvent *event);

/*
 * Queue @event (stolen), an event of the domain @vm (locked), as
 * virDomainEventStateQueue() does; but the end of a block pull that no
 * registered callback wants is kept in @vm (virDomainObjHoldOutcome(),
 * with the state's stamp) if @holdable, dropped otherwise (the driver
 * says a newer pull of the disk has started: its end is what a later
 * callback waits for). Returns true if @vm changed: its status is to be
 * saved.
 */
bool virDomainEventStateQueueHold(virDomainEventState *state,
                                  virDomainObj *vm, virDomainEvent *event,
                                  bool holdable);

/*
 * Callback @callbackID, a block pull callback just registered, for @vm's
 * domain or for all domains, learns the outcomes @vm (locked) holds that
 * ended before it was registered: queued for it alone, once. A callback
 * registered later learns them again, until a newer pull of the disk
 * starts (virDomainObjDropHeldOutcome()).
 */
void virDomainEventStateTellHeld(virDomainEventState *state,
                                 virDomainObj *vm, int callbackID);

/*
 * A new pull, @serial, of disk @disk (its target, or its top image's
 * path) of the domain @uuid has started.
 * Held outcomes of the disk's older pulls told to a new callback but not
 * delivered yet are dropped: that callback may wait for the new pull,
 * and would take them for its end. (The driver drops the domain's held
 * outcome of the disk itself.) What callbacks heard live stays.
 */
void virDomainEventStateBlockPullStarted(virDomainEventState *state,
                                         const unsigned char *uuid,
                                         const char *disk,
                                         unsigned int serial);

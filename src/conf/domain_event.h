/*
 * domain_event.h: domain events (lifecycle, block pull), the callbacks
 * applications registered for them, and their delivery in the
 * application's event loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "libvirt/libvirt.h"

typedef struct _virDomainEvent virDomainEvent;
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

/* Deregister one callback of @conn. Returns 0, or -1 if it is unknown. */
int virDomainEventStateDeregisterID(virDomainEventState *state,
                                    virConnectPtr conn, int callbackID);

/* Drop every callback of @conn (at connection close). */
void virDomainEventStateDeregisterConn(virDomainEventState *state,
                                       virConnectPtr conn);

/* Queue @event (stolen) for delivery in the application's event loop. Safe
 * from any thread. */
void virDomainEventStateQueue(virDomainEventState *state,
                              virDomainEvent *event);

/*
 * A new pull, @serial, of disk @disk of the domain @uuid has started. The
 * outcomes of the disk's older pulls that are not delivered yet must not
 * reach a callback registered from now on, which would take them for the
 * new pull's end: those nobody wanted (held, or handed to a new callback
 * and not yet delivered) are dropped, the others go only to the callbacks
 * that were registered when they were queued.
 */
void virDomainEventStateBlockPullStarted(virDomainEventState *state,
                                         const unsigned char *uuid,
                                         const char *disk,
                                         unsigned int serial);

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
virDomainEvent *virDomainEventBlockPullNew(const char *name,
                                           const unsigned char *uuid,
                                           int id, const char *path,
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

/*
 * virdomainobjlist.h: the domain objects a driver knows, found by UUID,
 * name or id without taking any domain's lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"

typedef struct _virDomainObjList virDomainObjList;

virDomainObjList *virDomainObjListNew(void);
/* Drops the list's references; accepts NULL. */
void virDomainObjListFree(virDomainObjList *doms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainObjList, virDomainObjListFree);

/*
 * Add @vm, which has a definition, to the list (the list takes a
 * reference): its name and UUID become those of its definition for good,
 * and it counts as not removed. A domain with @vm's UUID already listed
 * is replaced. Lock of @vm held or not: only lock-free fields are set.
 */
void virDomainObjListAdd(virDomainObjList *doms, virDomainObj *vm);

/* Remove @vm from the list if it is there, and mark it removed (lock held). */
void virDomainObjListRemove(virDomainObjList *doms, virDomainObj *vm);

/*
 * Lookups: a new reference on the domain, which is not locked (lookups
 * read only its name, UUID and liveID); NULL if there is none, with
 * nothing reported.
 */
virDomainObj *virDomainObjListFindByUUID(virDomainObjList *doms,
                                         const unsigned char *uuid);
virDomainObj *virDomainObjListFindByName(virDomainObjList *doms, const char *name);
/* A running domain only: an id is given at start. */
virDomainObj *virDomainObjListFindByID(virDomainObjList *doms, int id);

/* Every domain listed, new references (the array drops them when freed). */
GPtrArray *virDomainObjListCollect(virDomainObjList *doms);

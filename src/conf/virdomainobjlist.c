/*
 * virdomainobjlist.c: a driver's domain objects by UUID, with lookups that
 * take no domain's lock, so that a domain busy for seconds (starting,
 * being killed) never holds up calls on the others.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "conf/virdomainobjlist.h"

struct _virDomainObjList {
    GMutex lock;                /* taken after a domain's, never before */
    GHashTable *objs;           /* UUID string -> virDomainObj (a reference) */
};

/**
 * virDomainObjListNew:
 *
 * Returns an empty list, to be freed with virDomainObjListFree().
 */
virDomainObjList *
virDomainObjListNew(void)
{
    virDomainObjList *doms = g_new0(virDomainObjList, 1);

    g_mutex_init(&doms->lock);
    doms->objs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) virDomainObjUnref);
    return doms;
}

/**
 * virDomainObjListFree:
 * @doms: a list, or NULL
 *
 * Free the list and drop its references on the domains.
 */
void
virDomainObjListFree(virDomainObjList *doms)
{
    if (!doms)
        return;
    g_hash_table_unref(doms->objs);
    g_mutex_clear(&doms->lock);
    g_free(doms);
}

static char *
virDomainObjListKey(const unsigned char *uuid)
{
    char *key = g_new0(char, VIR_UUID_STRING_BUFLEN);

    virUUIDFormat(uuid, key);
    return key;
}

/**
 * virDomainObjListAdd:
 * @doms: a list
 * @vm: a domain object with a definition
 *
 * List @vm under its definition's UUID (see virdomainobjlist.h).
 */
void
virDomainObjListAdd(virDomainObjList *doms, virDomainObj *vm)
{
    virDomainObjRef(vm);
    vm->removed = false;
    if (!vm->name) {
        vm->name = g_strdup(vm->def->name);
        memcpy(vm->uuid, vm->def->uuid, VIR_UUID_BUFLEN);
    }
    g_atomic_int_set(&vm->liveID, vm->def->id >= 0 ? vm->def->id : -1);
    g_mutex_lock(&doms->lock);
    g_hash_table_insert(doms->objs, virDomainObjListKey(vm->uuid), vm);
    g_mutex_unlock(&doms->lock);
}

/**
 * virDomainObjListRemove:
 * @doms: a list
 * @vm: a domain object, locked by the caller
 *
 * Take @vm off the list (if it is the one listed under its UUID) and mark
 * it removed: calls that still hold it see it gone.
 */
void
virDomainObjListRemove(virDomainObjList *doms, virDomainObj *vm)
{
    g_autofree char *key = virDomainObjListKey(vm->uuid);

    vm->removed = true;
    g_mutex_lock(&doms->lock);
    if (g_hash_table_lookup(doms->objs, key) == vm)
        g_hash_table_remove(doms->objs, key);
    g_mutex_unlock(&doms->lock);
}

typedef bool (*virDomainObjListMatch)(virDomainObj *vm, const void *data);

/* The first domain @match accepts, a new reference. Reads only what needs
 * no domain lock (see virDomainObj): the lock order stays domain, then
 * list. */
static virDomainObj *
virDomainObjListFind(virDomainObjList *doms, virDomainObjListMatch match,
                     const void *data)
{
    GHashTableIter iter;
    gpointer value;
    virDomainObj *found = NULL;

    g_mutex_lock(&doms->lock);
    g_hash_table_iter_init(&iter, doms->objs);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (match(value, data)) {
            found = virDomainObjRef(value);
            break;
        }
    }
    g_mutex_unlock(&doms->lock);
    return found;
}

static bool
virDomainObjListMatchName(virDomainObj *vm, const void *data)
{
    return strcmp(vm->name, data) == 0;
}

static bool
virDomainObjListMatchID(virDomainObj *vm, const void *data)
{
    gint id = g_atomic_int_get(&vm->liveID);

    return id >= 0 && id == *(const int *) data;
}

/**
 * virDomainObjListFindByUUID:
 * @doms: a list
 * @uuid: a raw UUID
 *
 * Returns the domain with @uuid, a new reference, unlocked; NULL if none.
 */
virDomainObj *
virDomainObjListFindByUUID(virDomainObjList *doms, const unsigned char *uuid)
{
    g_autofree char *key = virDomainObjListKey(uuid);
    virDomainObj *vm;

    g_mutex_lock(&doms->lock);
    if ((vm = g_hash_table_lookup(doms->objs, key)))
        virDomainObjRef(vm);
    g_mutex_unlock(&doms->lock);
    return vm;
}

/**
 * virDomainObjListFindByName:
 * @doms: a list
 * @name: a domain name
 *
 * Returns the domain named @name, a new reference, unlocked; NULL if none.
 */
virDomainObj *
virDomainObjListFindByName(virDomainObjList *doms, const char *name)
{
    return virDomainObjListFind(doms, virDomainObjListMatchName, name);
}

/**
 * virDomainObjListFindByID:
 * @doms: a list
 * @id: the id of a running domain
 *
 * Returns the running domain with @id, a new reference, unlocked; NULL if
 * none.
 */
virDomainObj *
virDomainObjListFindByID(virDomainObjList *doms, int id)
{
    return virDomainObjListFind(doms, virDomainObjListMatchID, &id);
}

/**
 * virDomainObjListCollect:
 * @doms: a list
 *
 * Returns every listed domain (new references, unlocked, in no particular
 * order) in an array that drops them when it is freed.
 */
GPtrArray *
virDomainObjListCollect(virDomainObjList *doms)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainObjUnref);
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&doms->lock);
    g_hash_table_iter_init(&iter, doms->objs);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, virDomainObjRef(value));
    g_mutex_unlock(&doms->lock);
    return all;
}

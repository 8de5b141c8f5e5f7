/*
 * qemu_backing.c: the backing images a persistent domain is known to use.
 *
 * QEMU's user owns a domain's top images while it runs, so it can write
 * any backing file name into their headers. Were a start to follow those
 * names, the next start would hand QEMU's user whatever file it named (a
 * root-only secret, read as raw). So the chains the headers name when the
 * administrator first defines a domain (or a disk) are recorded, in
 * ROOT/lib/qemu/UUID.backing.json where QEMU's user cannot write, and a
 * start gives QEMU a backing image named by a header only if the record
 * lists it for that disk, or if it lies under a directory of qemu.conf's
 * backing_dirs. A later define keeps what was recorded for every disk
 * whose top image did not change: a define is no proof that a header
 * QEMU's user may have rewritten since is meant (it is what "virsh edit"
 * does for any change). A completed pull removes the images that left
 * the chain, so a header rewritten later to name them again is refused
 * too.
 *
 * The file: { "disks": [ { "image": TOP, "backing": [ PATH, ... ] } ] },
 * each PATH absolute with every symlink resolved.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_backing.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virjson.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/*
 * Every update of a record is one load-modify-write under this lock: a
 * define, a start that records a disk for the first time and the end of
 * a pull may run at once (each holds a lock of its own, the driver's
 * list or the domain), and each would otherwise write back a record
 * without the others' changes. Taken last, after any domain's lock; it
 * covers every root, since only one process may use a root.
 */
static GMutex qemuBackingLock;

/* A record is a GHashTable: top image path -> GPtrArray of backing paths. */
static GHashTable *
qemuBackingRecordNew(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) g_ptr_array_unref);
}

/* Named by the uuid: a name may be as long as a file name allows. */
static char *
qemuBackingRecordPath(qemuDriver *driver, const virDomainDef *def)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    g_autofree char *file = NULL;

    virUUIDFormat(def->uuid, uuidstr);
    file = g_strdup_printf("%s.backing.json", uuidstr);

    return g_build_filename(driver->libDir, file, NULL);
}

static bool
qemuBackingListHas(GPtrArray *list, const char *path)
{
    for (guint i = 0; i < list->len; i++) {
        if (strcmp(g_ptr_array_index(list, i), path) == 0)
            return true;
    }
    return false;
}

/* Parse a record file's content; NULL if it is not one. */
static GHashTable *
qemuBackingRecordParse(const char *content)
{
    g_autoptr(virJSONValue) root = json_tokener_parse(content);
    g_autoptr(GHashTable) record = qemuBackingRecordNew();
    json_object *disks;

    if (!root || !json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "disks", &disks) ||
        !json_object_is_type(disks, json_type_array))
        return NULL;

    for (size_t i = 0; i < json_object_array_length(disks); i++) {
        json_object *disk = json_object_array_get_idx(disks, i);
        json_object *image;
        json_object *backing;
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);

        if (!json_object_is_type(disk, json_type_object) ||
            !json_object_object_get_ex(disk, "image", &image) ||
            !json_object_is_type(image, json_type_string) ||
            !json_object_object_get_ex(disk, "backing", &backing) ||
            !json_object_is_type(backing, json_type_array))
            return NULL;
        for (size_t j = 0; j < json_object_array_length(backing); j++) {
            json_object *path = json_object_array_get_idx(backing, j);

            if (!json_object_is_type(path, json_type_string))
                return NULL;
            g_ptr_array_add(list, g_strdup(json_object_get_string(path)));
        }
        g_hash_table_insert(record, g_strdup(json_object_get_string(image)),
                            g_steal_pointer(&list));
    }
    return g_steal_pointer(&record);
}

/*
 * Load the record of domain @name: 0 with *record set, NULL if there is
 * none (a domain defined by an older version); -1 with an error reported.
 */
static int
qemuBackingRecordLoad(qemuDriver *driver, const virDomainDef *def,
                      GHashTable **record)
{
    g_autofree char *path = qemuBackingRecordPath(driver, def);
    const char *name = def->name;
    g_autofree char *content = NULL;
    g_autoptr(GError) gerr = NULL;

    *record = NULL;
    if (!g_file_get_contents(path, &content, NULL, &gerr)) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "cannot read the backing image record '%s' of domain '%s': %s",
                       path, name, gerr->message);
        return -1;
    }
    if (!(*record = qemuBackingRecordParse(content))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "the backing image record '%s' of domain '%s' is corrupt; define the domain again to rewrite it",
                       path, name);
        return -1;
    }
    return 0;
}

static int
qemuBackingRecordWrite(qemuDriver *driver, const virDomainDef *def,
                       GHashTable *record)
{
    g_autofree char *path = qemuBackingRecordPath(driver, def);
    g_autoptr(virJSONValue) root = json_object_new_object();
    json_object *disks = json_object_new_array();
    g_autoptr(GList) images = g_hash_table_get_keys(record);

    /* In a stable order, so that the file only changes when the record does. */
    images = g_list_sort(images, (GCompareFunc) strcmp);
    for (GList *l = images; l; l = l->next) {
        const char *image = l->data;
        GPtrArray *list = g_hash_table_lookup(record, image);
        json_object *disk = json_object_new_object();
        json_object *backing = json_object_new_array();

        for (guint j = 0; j < list->len; j++) {
            json_object_array_add(backing,
                                  json_object_new_string(g_ptr_array_index(list, j)));
        }
        json_object_object_add(disk, "image", json_object_new_string(image));
        json_object_object_add(disk, "backing", backing);
        json_object_array_add(disks, disk);
    }
    json_object_object_add(root, "disks", disks);
    return virFileWriteAtomic(path,
                              json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY),
                              0600);
}

/* Does @disk read its chain from the image headers? */
static bool
qemuBackingDiskProbed(const virDomainDiskDef *disk)
{
    return disk->src && disk->src->path &&
        (!disk->src->backingStore || !disk->src->backingFromXML);
}

/* The backing images of the chain below @top, as the record keeps them:
 * absolute, every symlink resolved (as a start compares them). */
static GPtrArray *
qemuBackingChainPaths(const virStorageSource *top)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

    for (const virStorageSource *src = top->backingStore;
         src && src->type == VIR_STORAGE_TYPE_FILE; src = src->backingStore) {
        char *real = realpath(src->path, NULL);

        /* realpath() mallocs, which g_free() may free (GLib >= 2.46). */
        g_ptr_array_add(list, real ? real : g_strdup(src->path));
    }
    return list;
}

/*
 * The record of @def's domain as it is on disk, or an empty one if there
 * is none or it cannot be used: a record that cannot be read only loses
 * what it knew (warned about).
 */
static GHashTable *
qemuBackingRecordLoadOrNew(qemuDriver *driver, const virDomainDef *def)
{
    GHashTable *record = NULL;

    if (qemuBackingRecordLoad(driver, def, &record) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }
    return record ? record : qemuBackingRecordNew();
}

/* Is @path an image the running domain @vm has given to QEMU? vm locked. */
static bool
qemuBackingInUse(virDomainObj *vm, const char *path)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    return virDomainObjIsActive(vm) && priv->labels &&
        g_strv_contains((const char *const *) priv->labels, path);
}

/* The chain below top image @path in @vm's live definition, if it has a
 * disk with that top image and knows its chain; NULL otherwise. */
static GPtrArray *
qemuBackingLiveChain(virDomainObj *vm, const char *path)
{
    for (size_t i = 0; i < vm->def->ndisks; i++) {
        virStorageSource *src = vm->def->disks[i]->src;

        if (src && src->path && strcmp(src->path, path) == 0 && src->backingStore)
            return qemuBackingChainPaths(src);
    }
    return NULL;
}

/*
 * The chain to record for @disk of @def, a definition being defined, or
 * NULL to record nothing for it (its first start will). @scratch is a
 * copy of @disk the headers may be read into. @old is the record so far
 * of @vm, an existing persistent domain (both NULL for a new one).
 */
static GPtrArray *
qemuBackingDefineDisk(const virDomainDef *def, const virDomainDiskDef *disk,
                      virDomainDiskDef *scratch, GHashTable *old,
                      virDomainObj *vm)
{
    const char *path = disk->src->path;
    GPtrArray *list;

    /* Given in the XML: the administrator's word, which also replaces
     * what a header said before. */
    if (!qemuBackingDiskProbed(disk))
        return qemuBackingChainPaths(disk->src);

    /* A disk whose top image did not change keeps what was recorded,
     * whatever its header says by now: QEMU's user may have written it
     * while it owned the image, and a define is often an unrelated change
     * (what "virsh edit" does). */
    if (old && (list = g_hash_table_lookup(old, path)))
        return g_ptr_array_ref(list);

    if (vm && qemuBackingInUse(vm, path)) {
        /* Owned by QEMU's user right now: its header is not read. The
         * chain the domain runs with was checked when it started. */
        return qemuBackingLiveChain(vm, path);
    }

    /* A new image: its headers are read now, as the administrator
     * defines it. One not made yet is recorded at its first start. */
    if (virDomainDiskResolveChain(scratch, NULL, NULL) < 0) {
        VIR_WARN("the backing chain of disk '%s' of domain '%s' is recorded at its next start: %s",
                 disk->dst, def->name, virGetLastErrorMessage());
        virResetLastError();
        return NULL;
    }
    return qemuBackingChainPaths(scratch->src);
}

int
qemuBackingDefine(qemuDriver *driver, const virDomainDef *def,
                  virDomainObj *vm)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&qemuBackingLock);
    g_autofree char *path = qemuBackingRecordPath(driver, def);
    g_autoptr(GHashTable) old = NULL;
    g_autoptr(GHashTable) record = qemuBackingRecordNew();
    g_autoptr(virDomainDef) scratch = virDomainDefCopy(def);
    g_autofree char *previous = NULL;
    g_autoptr(GError) gerr = NULL;

    /* Only a persistent domain has a record to keep: one that is new, or
     * only ran as a transient domain so far, starts afresh. */
    if (vm && vm->persistent)
        old = qemuBackingRecordLoadOrNew(driver, def);

    for (size_t i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        GPtrArray *list;

        if (!disk->src || !disk->src->path ||
            !(list = qemuBackingDefineDisk(def, disk, scratch->disks[i],
                                           old, vm)))
            continue;
        g_hash_table_replace(record, g_strdup(disk->src->path), list);
    }

    /* Both files or neither: what a failed define leaves is what was. */
    if (!g_file_get_contents(path, &previous, NULL, &gerr) &&
        !g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "cannot read the backing image record '%s' of domain '%s': %s",
                       path, def->name, gerr->message);
        return -1;
    }
    if (qemuBackingRecordWrite(driver, def, record) < 0)
        return -1;
    if (qemuDomainSaveConfig(driver, def) < 0) {
        g_autoptr(virError) saved = NULL;
        int rc = 0;

        virErrorPreserveLast(&saved);
        if (previous)
            rc = virFileWriteAtomic(path, previous, 0600);
        else if (unlink(path) < 0 && errno != ENOENT)
            rc = -1;
        if (rc < 0) {
            VIR_WARN("cannot put back the backing image record '%s' of domain '%s' after its definition failed to save",
                     path, def->name);
        }
        virErrorRestore(&saved);
        return -1;
    }
    return 0;
}

void
qemuBackingRecordRemove(qemuDriver *driver, const virDomainDef *def)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&qemuBackingLock);
    g_autofree char *path = qemuBackingRecordPath(driver, def);

    virFileUnlinkQuiet(path);
}

/* Does @path lie under one of @dirs (compared with symlinks resolved)? */
static bool
qemuBackingUnderDirs(char **dirs, const char *path)
{
    for (size_t i = 0; dirs && dirs[i]; i++) {
        char *real = realpath(dirs[i], NULL);
        size_t len;
        bool under;

        if (!real)
            continue;
        len = strlen(real);
        under = strcmp(real, "/") == 0 ||
            (strncmp(path, real, len) == 0 && path[len] == '/');
        free(real);
        if (under)
            return true;
    }
    return false;
}

typedef struct {
    const char *name;       /* the domain's */
    GHashTable *record;
    GHashTable *fresh;      /* top images recorded by this start */
    char **dirs;
} qemuBackingCheckData;

static int
qemuBackingCheck(const virDomainDiskDef *disk, const char *image,
                 const char *name, const char *backing, void *opaque)
{
    qemuBackingCheckData *data = opaque;
    GPtrArray *list = g_hash_table_lookup(data->record, disk->src->path);

    if (g_hash_table_contains(data->fresh, disk->src->path)) {
        g_ptr_array_add(list, g_strdup(backing));
        return 0;
    }
    if ((list && qemuBackingListHas(list, backing)) ||
        qemuBackingUnderDirs(data->dirs, backing))
        return 0;

    if (strcmp(name, backing) != 0) {
        virReportError(VIR_ERR_ACCESS_DENIED,
                       "backing file '%s' (named '%s' by image '%s' of disk '%s') is not one domain '%s' is known to use, so it is not given to QEMU; if the image is meant to use it, give its chain with <backingStore> in the domain XML, add its directory to backing_dirs in qemu.conf, or undefine the domain and define it again (its images' chains are then recorded anew)",
                       backing, name, image, disk->dst, data->name);
    } else {
        virReportError(VIR_ERR_ACCESS_DENIED,
                       "backing file '%s' named by image '%s' of disk '%s' is not one domain '%s' is known to use, so it is not given to QEMU; if the image is meant to use it, give its chain with <backingStore> in the domain XML, add its directory to backing_dirs in qemu.conf, or undefine the domain and define it again (its images' chains are then recorded anew)",
                       backing, image, disk->dst, data->name);
    }
    return -1;
}

int
qemuBackingResolveChains(qemuDriver *driver, virDomainObj *vm,
                         virDomainDef *def)
{
    g_autoptr(GMutexLocker) locker = NULL;
    g_autoptr(GHashTable) record = NULL;
    g_autoptr(GHashTable) fresh = g_hash_table_new(g_str_hash, g_str_equal);
    qemuBackingCheckData data = { def->name, NULL, fresh, driver->cfg->backingDirs };

    if (!vm->persistent)
        return virDomainDefResolveChains(def);

    locker = g_mutex_locker_new(&qemuBackingLock);
    if (qemuBackingRecordLoad(driver, def, &record) < 0)
        return -1;
    if (!record)
        record = qemuBackingRecordNew();
    data.record = record;

    for (size_t i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        char *top;

        if (!qemuBackingDiskProbed(disk) || disk->src->backingStore ||
            g_hash_table_contains(record, disk->src->path))
            continue;
        /* Not known yet: trusted as it is now, the first time. */
        top = g_strdup(disk->src->path);
        g_hash_table_insert(record, top,
                            g_ptr_array_new_with_free_func(g_free));
        g_hash_table_add(fresh, top);
    }

    if (virDomainDefResolveChainsCheck(def, qemuBackingCheck, &data) < 0)
        return -1;
    if (g_hash_table_size(fresh) > 0) {
        VIR_DEBUG("recording the backing chains of %u disks of domain '%s'",
                  g_hash_table_size(fresh), def->name);
        return qemuBackingRecordWrite(driver, def, record);
    }
    return 0;
}

void
qemuBackingRecordForget(qemuDriver *driver, virDomainObj *vm,
                        const char *top, GPtrArray *paths)
{
    g_autoptr(GMutexLocker) locker = NULL;
    g_autoptr(GHashTable) record = NULL;
    virDomainDiskDef *disk;
    GPtrArray *list;

    if (!vm->persistent || !vm->newDef ||
        !(disk = virDomainDiskByName(vm->newDef, top)) ||
        !disk->src || g_strcmp0(disk->src->path, top) != 0)
        return;

    locker = g_mutex_locker_new(&qemuBackingLock);
    record = qemuBackingRecordLoadOrNew(driver, vm->def);
    if (!(list = g_hash_table_lookup(record, top))) {
        /* An empty entry, not none: no later start may take a header's
         * word for this disk's chain. */
        list = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(record, g_strdup(top), list);
    }
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);

        for (guint j = list->len; j > 0; j--) {
            if (strcmp(g_ptr_array_index(list, j - 1), path) == 0)
                g_ptr_array_remove_index(list, j - 1);
        }
    }
    if (qemuBackingRecordWrite(driver, vm->def, record) < 0) {
        VIR_WARN("cannot record the backing chain of disk '%s' of domain '%s' after its pull: %s",
                 disk->dst, vm->def->name, virGetLastErrorMessage());
        virResetLastError();
    }
}

/*
 * qemu_backing.c: the backing images a persistent domain is known to use.
 *
 * QEMU's user owns a domain's top images while it runs, so it can write
 * any backing file name into their headers. Were a start to follow those
 * names, the next start would hand QEMU's user whatever file it named (a
 * root-only secret, read as raw). So the chains the headers name when the
 * administrator defines a domain are recorded, in ROOT/lib/qemu/UUID.backing.json
 * where QEMU's user cannot write, and a start gives QEMU a backing image
 * named by a header only if the record lists it for that disk, or if it
 * lies under a directory of qemu.conf's backing_dirs. A completed pull
 * removes the images that left the chain, so a header rewritten later to
 * name them again is refused too.
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
#include "virerror.h"
#include "virfile.h"
#include "virjson.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

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

static GPtrArray *
qemuBackingChainPaths(const virStorageSource *top)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

    for (const virStorageSource *src = top->backingStore;
         src && src->type == VIR_STORAGE_TYPE_FILE; src = src->backingStore)
        g_ptr_array_add(list, g_strdup(src->path));
    return list;
}

GHashTable *
qemuBackingProbe(const virDomainDef *def)
{
    g_autoptr(virDomainDef) copy = virDomainDefCopy(def);
    GHashTable *probed = qemuBackingRecordNew();

    for (size_t i = 0; i < copy->ndisks; i++) {
        virDomainDiskDef *disk = copy->disks[i];

        if (!qemuBackingDiskProbed(disk) || disk->src->backingStore)
            continue;
        /* A define does not need the images yet: an image that cannot be
         * read now is recorded at the first start that reads it. */
        if (virDomainDiskResolveChain(disk, NULL, NULL) < 0) {
            VIR_WARN("the backing chain of disk '%s' of domain '%s' is recorded at its next start: %s",
                     disk->dst, def->name, virGetLastErrorMessage());
            virResetLastError();
            continue;
        }
        g_hash_table_insert(probed, g_strdup(disk->src->path),
                            qemuBackingChainPaths(disk->src));
    }
    return probed;
}

int
qemuBackingRecordSave(qemuDriver *driver, const virDomainDef *def,
                      GHashTable *probed)
{
    g_autoptr(GHashTable) old = NULL;
    g_autoptr(GHashTable) record = qemuBackingRecordNew();

    /* An unreadable old record only loses what it knew of unreadable images. */
    if (qemuBackingRecordLoad(driver, def, &old) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }
    for (size_t i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        GPtrArray *list;

        if (!qemuBackingDiskProbed(disk))
            continue;
        /* A disk whose headers could not be read keeps its old entry: an
         * image made unreadable on purpose must not clear what was known. */
        if (!(list = g_hash_table_lookup(probed, disk->src->path)) &&
            !(old && (list = g_hash_table_lookup(old, disk->src->path))))
            continue;
        g_hash_table_replace(record, g_strdup(disk->src->path),
                             g_ptr_array_ref(list));
    }
    return qemuBackingRecordWrite(driver, def, record);
}

void
qemuBackingRecordRemove(qemuDriver *driver, const virDomainDef *def)
{
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
                       "backing file '%s' (named '%s' by image '%s' of disk '%s') is not one domain '%s' is known to use, so it is not given to QEMU; if the image is meant to use it, define the domain again (the chains its images name are then recorded) or add its directory to backing_dirs in qemu.conf",
                       backing, name, image, disk->dst, data->name);
    } else {
        virReportError(VIR_ERR_ACCESS_DENIED,
                       "backing file '%s' named by image '%s' of disk '%s' is not one domain '%s' is known to use, so it is not given to QEMU; if the image is meant to use it, define the domain again (the chains its images name are then recorded) or add its directory to backing_dirs in qemu.conf",
                       backing, image, disk->dst, data->name);
    }
    return -1;
}

int
qemuBackingResolveChains(qemuDriver *driver, virDomainObj *vm,
                         virDomainDef *def)
{
    g_autoptr(GHashTable) record = NULL;
    g_autoptr(GHashTable) fresh = g_hash_table_new(g_str_hash, g_str_equal);
    qemuBackingCheckData data = { def->name, NULL, fresh, driver->cfg->backingDirs };

    if (!vm->persistent)
        return virDomainDefResolveChains(def);

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
    g_autoptr(GHashTable) record = NULL;
    virDomainDiskDef *disk;
    GPtrArray *list;

    if (!vm->persistent || !vm->newDef ||
        !(disk = virDomainDiskByName(vm->newDef, top)) ||
        !qemuBackingDiskProbed(disk) || disk->src->backingStore)
        return;

    if (qemuBackingRecordLoad(driver, vm->def, &record) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }
    if (!record)
        record = qemuBackingRecordNew();
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

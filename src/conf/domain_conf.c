/*
 * domain_conf.c: the domain definition's objects: enums and their names,
 * allocation, copies, lookups, backing chains and image indexes; and the
 * domain object drivers keep (references, lock, state, private data).
 * Parsing, validation, the schema explainer and formatting (of status
 * files too) live in domain_parse.c, domain_validate.c, domain_explain.c
 * and domain_format.c.
 */
#include <config.h>

#include <string.h>

#include "conf/domain_conf.h"
#include "util/virenum.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

/* ------------------------------------------------------------------ */
/* Enum <-> string                                                      */
/* ------------------------------------------------------------------ */

VIR_ENUM_IMPL(virDomainVirtType, virDomainVirtType, VIR_DOMAIN_VIRT_LAST,
              "qemu", "kvm");

VIR_ENUM_IMPL(virDomainDiskBus, virDomainDiskBus, VIR_DOMAIN_DISK_BUS_LAST,
              "virtio", "ide", "sata", "scsi");

VIR_ENUM_IMPL(virDomainLifecycleAction, virDomainLifecycleAction,
              VIR_DOMAIN_LIFECYCLE_ACTION_LAST,
              "destroy", "restart", "preserve", "rename-restart");

VIR_ENUM_IMPL(virDomainChrType, virDomainChrType, VIR_DOMAIN_CHR_TYPE_LAST,
              "null", "file");

VIR_ENUM_IMPL(virDomainState, virDomainState, VIR_DOMAIN_LAST,
              "nostate", "running", "blocked", "paused", "shutdown", "shutoff",
              "crashed", "pmsuspended");

VIR_ENUM_IMPL(virDomainBlockPullStatus, virConnectDomainEventBlockPullStatus,
              VIR_DOMAIN_BLOCK_PULL_LAST,
              "completed", "failed", "canceled");

/* "none" only names the absence of a format: never read from XML. */
static const char *const virStorageFileFormatNames[] = {
    "none", "raw", "qcow2",
};
G_STATIC_ASSERT(G_N_ELEMENTS(virStorageFileFormatNames) == VIR_STORAGE_FILE_LAST);

/**
 * virStorageFileFormatToString:
 * @fmt: an image format
 *
 * Returns the name used in XML and on the QEMU command line ("raw",
 * "qcow2"; "none" for VIR_STORAGE_FILE_NONE), or NULL for a bad value.
 */
const char *
virStorageFileFormatToString(virStorageFileFormat fmt)
{
    return virEnumToString(virStorageFileFormatNames,
                           G_N_ELEMENTS(virStorageFileFormatNames), fmt);
}

/**
 * virStorageFileFormatFromString:
 * @str: a format name
 *
 * Returns the virStorageFileFormat named @str ("raw" or "qcow2"), or -1
 * if there is none (no error is reported).
 */
int
virStorageFileFormatFromString(const char *str)
{
    int ret = virEnumFromString(virStorageFileFormatNames,
                                G_N_ELEMENTS(virStorageFileFormatNames), str);

    return ret == VIR_STORAGE_FILE_NONE ? -1 : ret;
}

/* ------------------------------------------------------------------ */
/* Allocation, freeing, copying                                         */
/* ------------------------------------------------------------------ */

/**
 * virStorageSourceNew:
 *
 * Returns a new image description of type file with nothing known below
 * it (backingStore NULL); free with virStorageSourceFree().
 */
virStorageSource *
virStorageSourceNew(void)
{
    virStorageSource *src = g_new0(virStorageSource, 1);

    src->type = VIR_STORAGE_TYPE_FILE;
    return src;
}

/**
 * virStorageSourceFree:
 * @src: an image, may be NULL
 *
 * Free @src and the whole chain below it.
 */
void
virStorageSourceFree(virStorageSource *src)
{
    while (src) {
        virStorageSource *next = src->backingStore;

        g_free(src->path);
        g_free(src->nodeformat);
        g_free(src->nodestorage);
        g_free(src);
        src = next;
    }
}

/**
 * virStorageSourceCopy:
 * @src: an image, may be NULL
 *
 * Returns a deep copy of @src and its chain (NULL for NULL); never fails.
 */
virStorageSource *
virStorageSourceCopy(const virStorageSource *src)
{
    virStorageSource *ret = NULL;
    virStorageSource **next = &ret;

    for (; src; src = src->backingStore) {
        virStorageSource *copy = g_new0(virStorageSource, 1);

        copy->type = src->type;
        copy->path = g_strdup(src->path);
        copy->format = src->format;
        copy->readonly = src->readonly;
        copy->nodeformat = g_strdup(src->nodeformat);
        copy->nodestorage = g_strdup(src->nodestorage);
        copy->index = src->index;
        copy->backingFromXML = src->backingFromXML;
        *next = copy;
        next = &copy->backingStore;
    }
    return ret;
}

/**
 * virDomainDiskDefFree:
 * @disk: a disk, may be NULL
 *
 * Free @disk and its images.
 */
void
virDomainDiskDefFree(virDomainDiskDef *disk)
{
    if (!disk)
        return;
    virStorageSourceFree(disk->src);
    g_free(disk->driverName);
    g_free(disk->dst);
    g_free(disk->alias);
    g_free(disk);
}

/**
 * virDomainChrDefFree:
 * @chr: a serial port or console, may be NULL
 */
void
virDomainChrDefFree(virDomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->path);
    g_free(chr);
}

/**
 * virDomainDefNew:
 *
 * Returns an empty definition with libvirt's defaults (not running: id -1;
 * one vCPU; on_reboot restart, on_poweroff and on_crash destroy); free with
 * virDomainDefFree().
 */
virDomainDef *
virDomainDefNew(void)
{
    virDomainDef *def = g_new0(virDomainDef, 1);

    def->virtType = VIR_DOMAIN_VIRT_QEMU;
    def->id = -1;
    def->vcpus = 1;
    def->onPoweroff = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    def->onReboot = VIR_DOMAIN_LIFECYCLE_ACTION_RESTART;
    def->onCrash = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    return def;
}

/**
 * virDomainDefFree:
 * @def: a definition, may be NULL
 */
void
virDomainDefFree(virDomainDef *def)
{
    size_t i;

    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->osType);
    g_free(def->arch);
    g_free(def->machine);
    g_free(def->emulator);
    for (i = 0; i < def->ndisks; i++)
        virDomainDiskDefFree(def->disks[i]);
    g_free(def->disks);
    for (i = 0; i < def->nserials; i++)
        virDomainChrDefFree(def->serials[i]);
    g_free(def->serials);
    for (i = 0; i < def->nconsoles; i++)
        virDomainChrDefFree(def->consoles[i]);
    g_free(def->consoles);
    g_free(def);
}

static virDomainChrDef **
virDomainChrDefListCopy(virDomainChrDef *const *list, size_t n)
{
    virDomainChrDef **ret = g_new0(virDomainChrDef *, n ? n : 1);
    size_t i;

    for (i = 0; i < n; i++) {
        ret[i] = g_new0(virDomainChrDef, 1);
        ret[i]->type = list[i]->type;
        ret[i]->path = g_strdup(list[i]->path);
        ret[i]->port = list[i]->port;
    }
    return ret;
}

/**
 * virDomainDefCopy:
 * @def: a definition
 *
 * Returns a deep copy of @def (free with virDomainDefFree()); never fails.
 */
virDomainDef *
virDomainDefCopy(const virDomainDef *def)
{
    virDomainDef *ret = g_new0(virDomainDef, 1);
    size_t i;

    ret->virtType = def->virtType;
    ret->id = def->id;
    ret->name = g_strdup(def->name);
    memcpy(ret->uuid, def->uuid, VIR_UUID_BUFLEN);
    ret->title = g_strdup(def->title);
    ret->description = g_strdup(def->description);
    ret->maxMemKiB = def->maxMemKiB;
    ret->curMemKiB = def->curMemKiB;
    ret->vcpus = def->vcpus;
    ret->osType = g_strdup(def->osType);
    ret->arch = g_strdup(def->arch);
    ret->machine = g_strdup(def->machine);
    ret->onPoweroff = def->onPoweroff;
    ret->onReboot = def->onReboot;
    ret->onCrash = def->onCrash;
    ret->emulator = g_strdup(def->emulator);

    ret->disks = g_new0(virDomainDiskDef *, def->ndisks ? def->ndisks : 1);
    ret->ndisks = def->ndisks;
    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];
        virDomainDiskDef *copy = g_new0(virDomainDiskDef, 1);

        copy->src = virStorageSourceCopy(disk->src);
        copy->driverName = g_strdup(disk->driverName);
        copy->dst = g_strdup(disk->dst);
        copy->bus = disk->bus;
        copy->readonly = disk->readonly;
        copy->alias = g_strdup(disk->alias);
        ret->disks[i] = copy;
    }
    ret->serials = virDomainChrDefListCopy(def->serials, def->nserials);
    ret->nserials = def->nserials;
    ret->consoles = virDomainChrDefListCopy(def->consoles, def->nconsoles);
    ret->nconsoles = def->nconsoles;
    return ret;
}

/* ------------------------------------------------------------------ */
/* Chains and lookups                                                   */
/* ------------------------------------------------------------------ */

/**
 * virStorageSourceChainLength:
 * @src: the top image of a disk, may be NULL
 *
 * Returns the number of backing images known below @src (the top image
 * and the chain's terminator are not counted): 0 if it has none.
 */
size_t
virStorageSourceChainLength(const virStorageSource *src)
{
    size_t n = 0;

    if (!src)
        return 0;
    for (src = src->backingStore; src && src->type != VIR_STORAGE_TYPE_NONE;
         src = src->backingStore)
        n++;
    return n;
}

/**
 * virStorageSourceChainHasPath:
 * @src: the top image of a disk, may be NULL
 * @path: an image path
 *
 * Returns true if @path names @src or one of its known backing images.
 */
bool
virStorageSourceChainHasPath(const virStorageSource *src, const char *path)
{
    if (!path)
        return false;
    for (; src && src->type != VIR_STORAGE_TYPE_NONE; src = src->backingStore) {
        if (src->path && strcmp(src->path, path) == 0)
            return true;
    }
    return false;
}

/**
 * virDomainDiskByName:
 * @def: a definition
 * @name: a target name ("vda") or the path of a disk's top image
 *
 * Returns the disk (owned by @def), or NULL if there is none (no error is
 * reported).
 */
virDomainDiskDef *
virDomainDiskByName(virDomainDef *def, const char *name)
{
    size_t i;

    if (!def || !name)
        return NULL;
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];

        if (disk->dst && strcmp(disk->dst, name) == 0)
            return disk;
    }
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];

        if (disk->src && disk->src->path && strcmp(disk->src->path, name) == 0)
            return disk;
    }
    return NULL;
}

/**
 * virStorageSourceGetIndex:
 * @src: an image
 *
 * Returns the index of @src in live XML: its own, or else the N of a node
 * name "libvirt-N-format" (libvirt's live XML shows that N), or 0 if it
 * has neither.
 */
unsigned int
virStorageSourceGetIndex(const virStorageSource *src)
{
    const char *p;
    guint64 num;
    g_autofree char *digits = NULL;

    if (src->index > 0)
        return src->index;
    if (!src->nodeformat || !g_str_has_prefix(src->nodeformat, "libvirt-") ||
        !g_str_has_suffix(src->nodeformat, "-format"))
        return 0;
    p = src->nodeformat + strlen("libvirt-");
    digits = g_strndup(p, strlen(p) - strlen("-format"));
    if (!g_ascii_string_to_unsigned(digits, 10, 1, G_MAXUINT, &num, NULL))
        return 0;
    return (unsigned int)num;
}

/**
 * virDomainDefMaxStorageIndex:
 * @def: a definition
 *
 * Returns the highest index (virStorageSourceGetIndex()) of the images of
 * all disks' known chains, 0 if none has one.
 */
unsigned int
virDomainDefMaxStorageIndex(const virDomainDef *def)
{
    unsigned int max = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        const virStorageSource *src;

        for (src = def->disks[i]->src;
             src && src->type != VIR_STORAGE_TYPE_NONE;
             src = src->backingStore) {
            if (virStorageSourceGetIndex(src) > max)
                max = virStorageSourceGetIndex(src);
        }
    }
    return max;
}

/**
 * virDomainDefAssignStorageIndexes:
 * @def: a definition
 *
 * Give each image of each disk's known chain that has no index yet the
 * next free one: the highest index in use plus one, in disk order, each
 * chain from its top down.
 */
void
virDomainDefAssignStorageIndexes(virDomainDef *def)
{
    unsigned int next = virDomainDefMaxStorageIndex(def) + 1;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        virStorageSource *src;

        for (src = def->disks[i]->src;
             src && src->type != VIR_STORAGE_TYPE_NONE;
             src = src->backingStore) {
            if (src->index == 0)
                src->index = virStorageSourceGetIndex(src);
            if (src->index == 0)
                src->index = next++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Domain objects                                                       */
/* ------------------------------------------------------------------ */

/**
 * virDomainXMLOptionNew:
 * @priv: the driver's private data callbacks, copied (may be NULL)
 * @opaque: given to @priv's alloc callback (the driver)
 *
 * Returns the options a driver makes its domain objects and reads their
 * status files with; free with virDomainXMLOptionFree() once no object
 * made with it is left. Never fails.
 */
virDomainXMLOption *
virDomainXMLOptionNew(const virDomainXMLPrivateDataCallbacks *priv, void *opaque)
{
    virDomainXMLOption *xmlopt = g_new0(virDomainXMLOption, 1);

    if (priv)
        xmlopt->privateData = *priv;
    xmlopt->opaque = opaque;
    return xmlopt;
}

void
virDomainXMLOptionFree(virDomainXMLOption *xmlopt)
{
    g_free(xmlopt);
}

static void
virDomainHeldOutcomeFree(virDomainHeldOutcome *held)
{
    if (!held)
        return;
    g_free(held->disk);
    g_free(held->path);
    g_free(held);
}

/**
 * virDomainObjNew:
 * @xmlopt: the driver's options, or NULL for an object without private data
 *
 * Returns a new domain object, shut off (reason unknown), not running
 * (liveID -1), with one reference, which the caller owns; its private
 * data comes from @xmlopt's alloc callback. Never fails.
 */
virDomainObj *
virDomainObjNew(virDomainXMLOption *xmlopt)
{
    virDomainObj *vm = g_new0(virDomainObj, 1);

    vm->refs = 1;
    vm->liveID = -1;
    g_mutex_init(&vm->lock);
    g_cond_init(&vm->cond);
    vm->state = VIR_DOMAIN_SHUTOFF;
    vm->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    vm->heldOutcomes = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainHeldOutcomeFree);
    if (xmlopt && xmlopt->privateData.alloc) {
        vm->privateData = xmlopt->privateData.alloc(xmlopt->opaque);
        vm->privateDataFreeFunc = xmlopt->privateData.free;
    }
    return vm;
}

/**
 * virDomainObjRef:
 * @vm: a domain object
 *
 * Take a reference on @vm, for the caller to drop with
 * virDomainObjUnref(). Returns @vm.
 */
virDomainObj *
virDomainObjRef(virDomainObj *vm)
{
    g_atomic_int_inc(&vm->refs);
    return vm;
}

/**
 * virDomainObjUnref:
 * @vm: a domain object, or NULL
 *
 * Drop a reference; the last one frees @vm with its definitions and
 * private data (its lock must not be held then).
 */
void
virDomainObjUnref(virDomainObj *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refs))
        return;
    if (vm->privateDataFreeFunc)
        vm->privateDataFreeFunc(vm->privateData);
    virDomainDefFree(vm->def);
    virDomainDefFree(vm->newDef);
    g_free(vm->name);
    g_free(vm->pidBootID);
    g_ptr_array_unref(vm->heldOutcomes);
    g_mutex_clear(&vm->lock);
    g_cond_clear(&vm->cond);
    g_free(vm);
}

/* The index of @disk's held outcome in @vm, or -1. */
static int
virDomainObjFindHeldOutcome(virDomainObj *vm, const char *disk)
{
    for (guint i = 0; i < vm->heldOutcomes->len; i++) {
        virDomainHeldOutcome *held = g_ptr_array_index(vm->heldOutcomes, i);

        if (strcmp(held->disk, disk) == 0)
            return i;
    }
    return -1;
}

bool
virDomainObjHoldOutcome(virDomainObj *vm, const char *disk,
                        unsigned int serial, const char *path, int status,
                        int happened)
{
    int i = virDomainObjFindHeldOutcome(vm, disk);
    virDomainHeldOutcome *held;

    if (i >= 0) {
        held = g_ptr_array_index(vm->heldOutcomes, i);
        if (held->serial > serial)
            return false;
        g_ptr_array_remove_index(vm->heldOutcomes, i);
    }
    held = g_new0(virDomainHeldOutcome, 1);
    held->disk = g_strdup(disk);
    held->serial = serial;
    held->path = g_strdup(path);
    held->status = status;
    held->happened = happened;
    g_ptr_array_add(vm->heldOutcomes, held);
    return true;
}

bool
virDomainObjDropHeldOutcome(virDomainObj *vm, const char *disk)
{
    int i = virDomainObjFindHeldOutcome(vm, disk);

    if (i < 0)
        return false;
    g_ptr_array_remove_index(vm->heldOutcomes, i);
    return true;
}

/**
 * virDomainObjLock:
 * @vm: a domain object the caller holds a reference on
 *
 * Take @vm's lock. The order is a domain's lock before its list's, never
 * two domains' at once.
 */
void
virDomainObjLock(virDomainObj *vm)
{
    g_mutex_lock(&vm->lock);
}

/**
 * virDomainObjUnlock:
 * @vm: a domain object locked by the caller
 */
void
virDomainObjUnlock(virDomainObj *vm)
{
    g_mutex_unlock(&vm->lock);
}

/**
 * virDomainObjEndAPI:
 * @vm: where a driver call keeps its domain: locked, with a reference
 *      of its own (or NULL)
 *
 * Unlock *@vm, drop the call's reference and set *@vm to NULL.
 */
void
virDomainObjEndAPI(virDomainObj **vm)
{
    if (!*vm)
        return;
    virDomainObjUnlock(*vm);
    g_clear_pointer(vm, virDomainObjUnref);
}

/**
 * virDomainObjWait:
 * @vm: a domain object locked by the caller
 *
 * Wait for virDomainObjBroadcast() on @vm; the lock is dropped meanwhile
 * and held again on return.
 */
void
virDomainObjWait(virDomainObj *vm)
{
    g_cond_wait(&vm->cond, &vm->lock);
}

/**
 * virDomainObjWaitUntil:
 * @vm: a domain object locked by the caller
 * @deadline: when to give up, in g_get_monotonic_time()'s microseconds
 *
 * As virDomainObjWait(), for at most until @deadline.
 *
 * Returns false if the deadline passed, true if woken before.
 */
bool
virDomainObjWaitUntil(virDomainObj *vm, gint64 deadline)
{
    return g_cond_wait_until(&vm->cond, &vm->lock, deadline);
}

/**
 * virDomainObjBroadcast:
 * @vm: a domain object locked by the caller
 *
 * Wake every thread waiting on @vm: something it may wait for changed.
 */
void
virDomainObjBroadcast(virDomainObj *vm)
{
    g_cond_broadcast(&vm->cond);
}

/**
 * virDomainObjIsActive:
 * @vm: a domain object locked by the caller
 *
 * Returns true if the domain is running: its live definition has an id.
 */
bool
virDomainObjIsActive(virDomainObj *vm)
{
    return vm->def && vm->def->id >= 0;
}

/**
 * virDomainObjSetState:
 * @vm: a domain object locked by the caller
 * @state: a virDomainState
 * @reason: its reason
 *
 * Set the state, make the id lookups see the domain's id as it is now,
 * and wake whoever waits on @vm.
 */
void
virDomainObjSetState(virDomainObj *vm, int state, int reason)
{
    vm->state = state;
    vm->reason = reason;
    g_atomic_int_set(&vm->liveID, virDomainObjIsActive(vm) ? vm->def->id : -1);
    virDomainObjBroadcast(vm);
}

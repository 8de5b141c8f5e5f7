/*
 * driver.c: the tables of registered drivers, and the hosting of state
 * drivers: started for a root by the process that opens an embed URI on
 * it, held by each connection to that root, stopped with the last one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIR_DRIVER_TAB_MAX 8

/* Written at registration, before the first open; read-only afterwards. */
static virConnectDriver *virConnectDriverTab[VIR_DRIVER_TAB_MAX];
static size_t virConnectDriverTabCount;
static virStateDriver *virStateDriverTab[VIR_DRIVER_TAB_MAX];
static size_t virStateDriverTabCount;

/* ------------------------------------------------------------------ */
/* Registration                                                         */

int
virRegisterConnectDriver(virConnectDriver *driver)
{
    VIR_DEBUG("registering connection driver '%s'", driver->hypervisorDriver->name);
    if (virConnectDriverTabCount >= VIR_DRIVER_TAB_MAX) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot register connection driver '%s': all %d places are taken",
                       driver->hypervisorDriver->name, VIR_DRIVER_TAB_MAX);
        return -1;
    }
    virConnectDriverTab[virConnectDriverTabCount++] = driver;
    return 0;
}

int
virRegisterStateDriver(virStateDriver *driver)
{
    VIR_DEBUG("registering state driver '%s'", driver->name);
    if (virStateDriverTabCount >= VIR_DRIVER_TAB_MAX) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot register state driver '%s': all %d places are taken",
                       driver->name, VIR_DRIVER_TAB_MAX);
        return -1;
    }
    virStateDriverTab[virStateDriverTabCount++] = driver;
    return 0;
}

virConnectDriver *
virConnectDriverGet(size_t i)
{
    return i < virConnectDriverTabCount ? virConnectDriverTab[i] : NULL;
}

bool
virConnectDriverClaims(const virConnectDriver *driver, GUri *uri, bool embed)
{
    const char *host = g_uri_get_host(uri);

    if (driver->uriSchemes) {
        size_t i;

        for (i = 0; driver->uriSchemes[i]; i++) {
            if (g_strcmp0(driver->uriSchemes[i], g_uri_get_scheme(uri)) == 0)
                break;
        }
        if (!driver->uriSchemes[i])
            return false;
    }
    if (driver->localOnly && host && *host)
        return false;
    return !embed || driver->embeddable;
}

bool
virURIIsEmbed(GUri *uri)
{
    const char *host = g_uri_get_host(uri);

    return (!host || !*host) && g_strcmp0(g_uri_get_path(uri), "/embed") == 0;
}

/* ------------------------------------------------------------------ */
/* State drivers                                                        */

/* The states started for one root. */
typedef struct {
    bool started[VIR_DRIVER_TAB_MAX];   /* by index in virStateDriverTab */
    unsigned int holds;                 /* embed connections holding it */
} virStateInstance;

/*
 * Root -> virStateInstance ("" for a daemon's NULL root). The lock is held
 * while states start and stop: a connection to a root whose state is
 * stopping waits for the stop, then starts it anew, instead of meeting
 * what is left of the old one (its lock on the root, say).
 */
static GMutex virStateLock;
static GHashTable *virStateInstances;

static const char *
virStateKey(const char *root)
{
    return root ? root : "";
}

static int
virStateCleanupLocked(const char *root, virStateInstance *inst)
{
    int ret = 0;
    size_t i;

    for (i = virStateDriverTabCount; i-- > 0;) {
        virStateDriver *drv = virStateDriverTab[i];

        if (!inst->started[i])
            continue;
        VIR_DEBUG("stopping state driver '%s' for '%s'", drv->name, NULLSTR(root));
        if (drv->stateCleanup && drv->stateCleanup(root) < 0)
            ret = -1;
        inst->started[i] = false;
    }
    return ret;
}

static virStateInstance *
virStateInitializeLocked(bool privileged, const char *root,
                         virStateInhibitCallback callback, void *opaque)
{
    g_autofree virStateInstance *inst = NULL;
    size_t i;

    if (!virStateInstances)
        virStateInstances = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                  g_free, g_free);
    if (g_hash_table_contains(virStateInstances, virStateKey(root))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "the driver states of '%s' are running already",
                       root ? root : "this daemon");
        return NULL;
    }
    inst = g_new0(virStateInstance, 1);
    for (i = 0; i < virStateDriverTabCount; i++) {
        virStateDriver *drv = virStateDriverTab[i];

        VIR_DEBUG("starting state driver '%s' for '%s'", drv->name, NULLSTR(root));
        switch (drv->stateInitialize(privileged, root, callback, opaque)) {
        case VIR_DRV_STATE_INIT_COMPLETE:
            inst->started[i] = true;
            break;
        case VIR_DRV_STATE_INIT_SKIPPED:
            break;
        case VIR_DRV_STATE_INIT_ERROR:
        default: {
            virErrorPtr saved = NULL;

            /* The first failure is what the caller sees, not a later
             * one of the cleanup. */
            virErrorPreserveLast(&saved);
            virStateCleanupLocked(root, inst);
            virErrorRestore(&saved);
            return NULL;
        }
        }
    }
    g_hash_table_insert(virStateInstances, g_strdup(virStateKey(root)), inst);
    return g_steal_pointer(&inst);
}

int
virStateInitialize(bool privileged, const char *root,
                   virStateInhibitCallback callback, void *opaque)
{
    virStateInstance *inst;

    g_mutex_lock(&virStateLock);
    inst = virStateInitializeLocked(privileged, root, callback, opaque);
    g_mutex_unlock(&virStateLock);
    return inst ? 0 : -1;
}

static virStateInstance *
virStateLookupLocked(const char *root)
{
    virStateInstance *inst = NULL;

    if (virStateInstances)
        inst = g_hash_table_lookup(virStateInstances, virStateKey(root));
    if (!inst)
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "no driver state is running for '%s'",
                       root ? root : "this daemon");
    return inst;
}

int
virStateCleanup(const char *root)
{
    virStateInstance *inst;
    int ret = -1;

    g_mutex_lock(&virStateLock);
    if ((inst = virStateLookupLocked(root))) {
        ret = virStateCleanupLocked(root, inst);
        g_hash_table_remove(virStateInstances, virStateKey(root));
    }
    g_mutex_unlock(&virStateLock);
    return ret;
}

int
virStateReload(const char *root)
{
    virStateInstance *inst;
    int ret = -1;

    g_mutex_lock(&virStateLock);
    if ((inst = virStateLookupLocked(root))) {
        ret = 0;
        for (size_t i = 0; i < virStateDriverTabCount; i++) {
            virStateDriver *drv = virStateDriverTab[i];

            if (inst->started[i] && drv->stateReload && drv->stateReload(root) < 0)
                ret = -1;
        }
    }
    g_mutex_unlock(&virStateLock);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Embed roots                                                          */

int
virStateEmbedHold(const char *root)
{
    virStateInstance *inst = NULL;

    g_mutex_lock(&virStateLock);
    if (virStateInstances)
        inst = g_hash_table_lookup(virStateInstances, root);
    if (!inst)
        inst = virStateInitializeLocked(geteuid() == 0, root, NULL, NULL);
    if (inst)
        inst->holds++;
    g_mutex_unlock(&virStateLock);
    return inst ? 0 : -1;
}

void
virStateEmbedRelease(const char *root)
{
    virStateInstance *inst = NULL;

    g_mutex_lock(&virStateLock);
    if (virStateInstances)
        inst = g_hash_table_lookup(virStateInstances, root);
    if (inst && --inst->holds == 0) {
        VIR_DEBUG("last connection to embed root '%s' closed", root);
        if (virStateCleanupLocked(root, inst) < 0) {
            VIR_WARN("stopping the driver states of '%s' failed: %s", root,
                     virGetLastErrorMessage());
        }
        g_hash_table_remove(virStateInstances, root);
    }
    g_mutex_unlock(&virStateLock);
}

/*
 * The value of the one parameter of SCHEME:///embed?root=DIR, unescaped.
 * Parsed here rather than with g_uri_parse_params(), which keeps the last
 * of two 'root's without a word and cannot say what is wrong with a value.
 */
static char *
virStateEmbedRootParam(GUri *uri)
{
    const char *scheme = g_uri_get_scheme(uri);
    const char *query = g_uri_get_query(uri);
    g_auto(GStrv) params = NULL;
    g_autofree char *root = NULL;

    if (query)
        params = g_strsplit(query, "&", -1);
    for (size_t i = 0; params && params[i]; i++) {
        const char *eq = strchr(params[i], '=');
        g_autofree char *key = NULL;
        g_autoptr(GBytes) value = NULL;
        const char *data;
        gsize len;

        if (!*params[i])
            continue;
        key = g_uri_unescape_segment(params[i], eq, NULL);
        if (g_strcmp0(key, "root") != 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI '%s:///embed' takes only the 'root' parameter, not '%s'",
                           scheme, params[i]);
            return NULL;
        }
        if (root) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI '%s:///embed' has the 'root' parameter more than once; "
                           "give one root directory", scheme);
            return NULL;
        }
        if (!eq)
            break;  /* "root" alone: no directory, said below */
        if (!(value = g_uri_unescape_bytes(eq + 1, -1, NULL, NULL))) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "the root directory in URI parameter '%s' is not properly %%-escaped",
                           params[i]);
            return NULL;
        }
        data = g_bytes_get_data(value, &len);
        /* A path stops at a NUL: the directory would not be the one asked for. */
        if (memchr(data, '\0', len)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "the root directory in URI parameter '%s' contains a NUL byte (%%00)",
                           params[i]);
            return NULL;
        }
        if (!g_utf8_validate(data, len, NULL)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "the root directory in URI parameter '%s' is not valid UTF-8",
                           params[i]);
            return NULL;
        }
        root = g_strndup(data, len);
    }
    if (!root || !*root) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "URI '%s:///embed' needs a root directory: %s:///embed?root=DIR",
                       scheme, scheme);
        return NULL;
    }
    return g_steal_pointer(&root);
}

/*
 * Make sure of the embed root before anything is created in it, or read
 * from it: its configuration picks the programs a driver runs and as whom.
 * Only root and the caller may own the root, every directory and symbolic
 * link on the way to it, and none of these may be writable by others (on
 * the way, the sticky bit of /tmp makes that harmless). A root that does
 * not exist is created, but only where that holds already. Returns the
 * resolved root: one spelling per directory, as the root names the hosted
 * state of this process and each domain's hold on its images.
 */
static char *
virStateEmbedRootPrepare(const char *root)
{
    g_autofree char *what = g_strdup_printf("embed root '%s'", root);
    g_autofree char *real = NULL;
    bool exists = false;
    struct stat sb;

    if (!(real = virFileResolveTrusted(what, root, &exists)))
        return NULL;
    if (!exists) {
        if (g_mkdir_with_parents(real, 0700) < 0) {
            virReportSystemError(errno, "cannot create embed root '%s'", root);
            return NULL;
        }
        g_clear_pointer(&real, g_free);
        if (!(real = virFileResolveTrusted(what, root, &exists)))
            return NULL;
    }
    if (strcmp(real, root) != 0) {
        g_free(what);
        what = g_strdup_printf("embed root '%s' (from '%s')", real, root);
    }
    if (lstat(real, &sb) < 0) {
        virReportSystemError(errno, "cannot use embed root '%s'", real);
        return NULL;
    }
    if (virFileCheckTrusted(what, real, &sb, S_IFDIR, false) < 0)
        return NULL;
    return g_steal_pointer(&real);
}

char *
virStateEmbedRoot(GUri *uri)
{
    g_autofree char *root = NULL;

    if (!(root = virStateEmbedRootParam(uri)))
        return NULL;
    if (!g_path_is_absolute(root)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "embed root '%s' must be an absolute path", root);
        return NULL;
    }
    return virStateEmbedRootPrepare(root);
}

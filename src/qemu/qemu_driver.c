/*
 * qemu_driver.c: the QEMU driver: its state for an embed root (started,
 * reloaded and stopped by whoever hosts it), connections attaching to
 * that state, and every domain call, each taking the domain's lock and
 * job as needed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt-qemu.h"
#include "driver.h"
#include "hypervisor/domain_driver.h"
#include "qemu_monitor.h"
#include "util/virjson.h"
#include "qemu_backing.h"
#include "qemu_blockjob.h"
#include "qemu_blockjob_api.h"
#include "qemu_domain.h"
#include "qemu_driver.h"
#include "qemu_driver_domain.h"
#include "qemu_process.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/*
 * The driver states this process hosts, by embed root (see
 * qemuStateInitialize()). The lock also serializes definitions: a
 * conflict check and the insertion it allows must not interleave with
 * another define or a reload.
 */
static GMutex qemuDriversLock;
static GHashTable *qemuDrivers;

/* ------------------------------------------------------------------ */
/* Driver setup and teardown                                            */

static void
qemuDriverFree(qemuDriver *driver)
{
    g_autoptr(GPtrArray) all = NULL;

    if (!driver)
        return;
    VIR_DEBUG("shutting down the driver of '%s'", driver->root);
    qemuDomainSaveRetryCancel(driver);
    /* QEMU keeps running: only our side of each monitor closes. */
    if (driver->domains) {
        all = virDomainObjListCollect(driver->domains);
        for (guint i = 0; i < all->len; i++) {
            virDomainObj *vm = g_ptr_array_index(all, i);
            qemuDomainObjPrivate *priv = vm->privateData;
            qemuMonitor *mon;

            virDomainObjLock(vm);
            while (priv->monUsers > 0)
                virDomainObjWait(vm);
            mon = g_steal_pointer(&priv->mon);
            virDomainObjUnlock(vm);
            if (mon) {
                qemuMonitorClose(mon);
                virDomainObjUnref(vm);
            }
        }
    }
    if (driver->workerPool)
        g_thread_pool_free(driver->workerPool, FALSE, TRUE);
    virEventThreadFree(driver->eventThread);
    /* The last references on the domains, whose private data the
     * options' callbacks free. */
    g_clear_pointer(&all, g_ptr_array_unref);
    virDomainObjListFree(driver->domains);
    virDomainXMLOptionFree(driver->xmlopt);
    virDomainEventStateFree(driver->eventState);
    virSecurityManagerFree(driver->securityManager);
    qemuDriverConfigFree(driver->cfg);
    if (driver->stateDirFd >= 0)
        close(driver->stateDirFd);
    if (driver->lockFd >= 0)
        close(driver->lockFd);
    g_free(driver->root);
    g_free(driver->configDir);
    g_free(driver->stateDir);
    g_free(driver->logDir);
    g_free(driver->libDir);
    g_mutex_clear(&driver->lock);
    g_mutex_clear(&driver->workLock);
    g_free(driver);
}

static GDir *
qemuDriverOpenDir(const char *path)
{
    g_autoptr(GError) gerr = NULL;
    GDir *dir;

    if (!(dir = g_dir_open(path, 0, &gerr)))
        virReportError(VIR_ERR_OPERATION_FAILED, "cannot read '%s': %s",
                       path, gerr->message);
    return dir;
}

/*
 * A definition or status file says what to run, which pid to signal and
 * which files to give back to whom: refuse the root if anyone but root or
 * the caller could have written one. The directories are checked
 * already, so only a file left behind with a loose owner or mode can
 * fail; all are checked before any is used, so that a refused root has
 * not reconnected to some of its domains first.
 */
static int
qemuDriverCheckDomainFiles(qemuDriver *driver)
{
    const char *dirs[] = { driver->configDir, driver->stateDir };

    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autoptr(GDir) dir = NULL;
        const char *ent;

        if (!(dir = qemuDriverOpenDir(dirs[i])))
            return -1;
        while ((ent = g_dir_read_name(dir))) {
            g_autofree char *path = NULL;
            g_autofree char *what = NULL;
            struct stat sb;

            if (!g_str_has_suffix(ent, ".xml"))
                continue;
            path = g_build_filename(dirs[i], ent, NULL);
            what = g_strdup_printf("domain file '%s'", path);
            if (lstat(path, &sb) < 0) {
                virReportSystemError(errno, "cannot check domain file '%s'", path);
                return -1;
            }
            if (virFileCheckTrusted(what, path, &sb, S_IFREG, false) < 0)
                return -1;
        }
    }
    return 0;
}

/* The persistent definition in ROOT/etc/qemu/@ent; NULL for a file that
 * is not one, or does not parse (a warning is logged: one bad file does
 * not keep the others from loading). Read as saved by this driver, maybe
 * an older version (VIR_DOMAIN_DEF_PARSE_ON_DISK). */
static virDomainDef *
qemuDriverReadConfig(qemuDriver *driver, const char *ent)
{
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    virDomainDef *def;

    if (!g_str_has_suffix(ent, ".xml"))
        return NULL;
    path = g_build_filename(driver->configDir, ent, NULL);
    if (!(xml = virFileReadAll(path, 10 * 1024 * 1024)) ||
        !(def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_ON_DISK))) {
        VIR_WARN("ignoring domain config '%s': %s", path,
                 virGetLastErrorMessage());
        virResetLastError();
        return NULL;
    }
    return def;
}

/* Load persistent definitions, then the status of running domains. */
static int
qemuDriverLoadDomains(qemuDriver *driver)
{
    g_autoptr(GPtrArray) taking = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *ent;

    if (qemuDriverCheckDomainFiles(driver) < 0)
        return -1;
    if (!(dir = qemuDriverOpenDir(driver->configDir)))
        return -1;
    while ((ent = g_dir_read_name(dir))) {
        g_autoptr(virDomainObj) vm = NULL;
        virDomainDef *def;

        if (!(def = qemuDriverReadConfig(driver, ent)))
            continue;
        vm = virDomainObjNew(driver->xmlopt);
        vm->def = def;
        vm->def->id = -1;
        vm->persistent = true;
        virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
        virDomainObjListAdd(driver->domains, vm);
    }

    g_clear_pointer(&dir, g_dir_close);
    if (!(dir = qemuDriverOpenDir(driver->stateDir)))
        return -1;
    /* Pairs of a domain (a reference) and its takeover in flight. */
    taking = g_ptr_array_new();
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autoptr(virDomainObj) vm = NULL;
        g_autoptr(virDomainObj) old = NULL;
        qemuMonitorOpening *op = NULL;
        int rc;

        path = g_build_filename(driver->stateDir, ent, NULL);
        /* Left by a process killed in the middle of an atomic write (see
         * virFileWriteAtomic): the file it was to replace is intact, and
         * we hold the root's lock, so nobody is writing it now. */
        if (g_str_has_suffix(ent, ".new")) {
            virFileUnlinkQuiet(path);
            continue;
        }
        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        if (!(vm = qemuDomainLoadStatus(driver, path))) {
            VIR_WARN("ignoring status file '%s': %s", path,
                     virGetLastErrorMessage());
            virResetLastError();
            continue;
        }
        if ((old = virDomainObjListFindByUUID(driver->domains, vm->def->uuid))) {
            virDomainObjLock(old);
            virDomainObjListRemove(driver->domains, old);
            virDomainObjUnlock(old);
        }
        virDomainObjListAdd(driver->domains, vm);
        virDomainObjLock(vm);
        qemuDomainObjBeginInternalJob(vm, "reconnect");
        if ((rc = qemuProcessReconnectStart(driver, vm, &op)) == 0) {
            /* The job stays held until the second half below. */
            g_ptr_array_add(taking, g_steal_pointer(&vm));
            g_ptr_array_add(taking, op);
            virDomainObjUnlock(taking->pdata[taking->len - 2]);
            continue;
        }
        qemuDomainObjEndJob(vm);
        if (!vm->persistent)
            virDomainObjListRemove(driver->domains, vm);
        virDomainObjUnlock(vm);
    }

    /* Every QEMU was asked at once: their replies come in together. */
    for (guint i = 0; i < taking->len; i += 2) {
        g_autoptr(virDomainObj) vm = taking->pdata[i];
        int rc;

        virDomainObjLock(vm);
        rc = qemuProcessReconnectFinish(driver, vm, taking->pdata[i + 1]);
        qemuDomainObjEndJob(vm);
        if (rc == 1 && !vm->persistent)
            virDomainObjListRemove(driver->domains, vm);
        virDomainObjUnlock(vm);
    }
    return 0;
}

static qemuDriver *
qemuDriverNew(const char *root)
{
    g_autofree char *lockPath = NULL;
    g_autofree char *confPath = NULL;
    g_autofree char *etcDir = NULL;
    g_autofree char *runDir = NULL;
    g_autofree char *logParent = NULL;
    g_autofree char *libParent = NULL;
    qemuDriver *driver = g_new0(qemuDriver, 1);
    const char *dirs[7];

    driver->lockFd = -1;
    driver->stateDirFd = -1;
    driver->nextID = 1;
    g_mutex_init(&driver->lock);
    g_mutex_init(&driver->workLock);
    driver->root = g_strdup(root);
    driver->configDir = g_build_filename(root, "etc", "qemu", NULL);
    driver->stateDir = g_build_filename(root, "run", "qemu", NULL);
    driver->logDir = g_build_filename(root, "log", "qemu", NULL);
    driver->libDir = g_build_filename(root, "lib", "qemu", NULL);
    etcDir = g_build_filename(root, "etc", NULL);
    runDir = g_build_filename(root, "run", NULL);
    logParent = g_build_filename(root, "log", NULL);
    libParent = g_build_filename(root, "lib", NULL);
    /* Parents first: each is checked before anything is made in it. */
    dirs[0] = driver->configDir;
    dirs[1] = runDir;
    dirs[2] = driver->stateDir;
    dirs[3] = logParent;
    dirs[4] = driver->logDir;
    dirs[5] = libParent;
    dirs[6] = driver->libDir;

    /* The root itself was checked by virStateEmbedRoot(). qemu.conf is
     * read (and checked) before anything else is created: a refused one
     * leaves the root as it was. */
    if (virFileMakeTrustedDir(etcDir, 0700) < 0)
        goto error;
    driver->cfg = qemuDriverConfigNew();
    confPath = g_build_filename(etcDir, "qemu.conf", NULL);
    if (qemuDriverConfigLoadFile(driver->cfg, confPath) < 0)
        goto error;
    if (!(driver->securityManager =
          virSecurityManagerNew(driver->cfg->securityDriver,
                                driver->cfg->user, driver->cfg->group)))
        goto error;

    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (virFileMakeTrustedDir(dirs[i], 0700) < 0)
            goto error;
    }
    lockPath = g_build_filename(driver->stateDir, "driver.lock", NULL);
    {
        g_autofree char *what = g_strdup_printf("embedded driver root '%s'", root);
        if ((driver->lockFd = virFileLockExclusive(lockPath, what)) < 0)
            goto error;
    }
    if ((driver->stateDirFd = open(driver->stateDir,
                                   O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, "cannot open '%s'", driver->stateDir);
        goto error;
    }

    driver->eventState = virDomainEventStateNew();
    driver->xmlopt = qemuDomainXMLOptionNew(driver);
    driver->domains = virDomainObjListNew();
    driver->eventThread = virEventThreadNew("qemu-monitor");
    /* Up to QEMU_DRIVER_WORKERS domains' events at a time; one thread per
     * domain at a time keeps each domain's in the order QEMU sent them. */
    driver->workerPool = g_thread_pool_new(qemuProcessEventWorker, driver,
                                           QEMU_DRIVER_WORKERS, FALSE, NULL);
    if (qemuDriverLoadDomains(driver) < 0)
        goto error;
    return driver;

 error:
    qemuDriverFree(driver);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The state driver                                                     */

/*
 * The state of the embed root @root: started by the process that opens
 * qemu:///embed?root=ROOT first (see virStateEmbedHold()), with @root
 * checked and resolved already. One state per root per process; a second
 * process on the same root is refused by the root's lock
 * (VIR_ERR_OPERATION_INVALID). The daemon's instance (@root NULL) is not
 * hosted yet: qemu:///system is for libvirtd.
 */
static virDrvStateInitResult
qemuStateInitialize(bool privileged G_GNUC_UNUSED, const char *root,
                    virStateInhibitCallback callback G_GNUC_UNUSED,
                    void *opaque G_GNUC_UNUSED)
{
    qemuDriver *driver;
    virDrvStateInitResult ret = VIR_DRV_STATE_INIT_ERROR;

    if (!root)
        return VIR_DRV_STATE_INIT_SKIPPED;
    g_mutex_lock(&qemuDriversLock);
    if (!qemuDrivers)
        qemuDrivers = g_hash_table_new(g_str_hash, g_str_equal);
    if (g_hash_table_contains(qemuDrivers, root)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "the QEMU driver's state for embed root '%s' is running already",
                       root);
    } else if ((driver = qemuDriverNew(root))) {
        g_hash_table_insert(qemuDrivers, driver->root, driver);
        ret = VIR_DRV_STATE_INIT_COMPLETE;
    }
    g_mutex_unlock(&qemuDriversLock);
    return ret;
}

/* Stop the state of @root: QEMUs keep running, the next host of the root
 * reconnects to them. */
static int
qemuStateCleanup(const char *root)
{
    qemuDriver *driver = NULL;

    g_mutex_lock(&qemuDriversLock);
    if (root && qemuDrivers && (driver = g_hash_table_lookup(qemuDrivers, root)))
        g_hash_table_remove(qemuDrivers, root);
    g_mutex_unlock(&qemuDriversLock);
    if (!driver) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "the QEMU driver has no state for '%s'", NULLSTR(root));
        return -1;
    }
    qemuDriverFree(driver);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Connections                                                          */

/*
 * Attach a connection to the state its embed URI's root hosts (started
 * by the library before this is called). qemu:///system and
 * qemu:///session are declined: they are libvirtd's.
 */
static virDrvOpenStatus
qemuConnectOpen(virConnectPtr conn, GUri *uri,
                virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    qemuDriver *driver = NULL;

    if (!virURIIsEmbed(uri))
        return VIR_DRV_OPEN_DECLINED;
    virCheckFlags(VIR_CONNECT_RO, VIR_DRV_OPEN_ERROR);

    g_mutex_lock(&qemuDriversLock);
    if (conn->embedRoot && qemuDrivers)
        driver = g_hash_table_lookup(qemuDrivers, conn->embedRoot);
    g_mutex_unlock(&qemuDriversLock);
    if (!driver) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "the QEMU driver's state for embed root '%s' is not running",
                       NULLSTR(conn->embedRoot));
        return VIR_DRV_OPEN_ERROR;
    }
    conn->privateData = driver;
    return VIR_DRV_OPEN_SUCCESS;
}

static int
qemuConnectClose(virConnectPtr conn)
{
    qemuDriver *driver = conn->privateData;

    if (!driver)
        return 0;
    virDomainEventStateDeregisterConn(driver->eventState, conn);
    conn->privateData = NULL;
    return 0;
}

static char *
qemuConnectGetURI(virConnectPtr conn)
{
    return strdup(conn->uri);
}

static int
qemuConnectIsAlive(virConnectPtr conn G_GNUC_UNUSED)
{
    return 1;
}

static int
qemuConnectGetVersion(virConnectPtr conn G_GNUC_UNUSED, unsigned long *hvVer)
{
    /* The QEMU we run by default is Debian 12's 7.2. */
    *hvVer = 7002000;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Domain helpers                                                       */

/* The domain object of a handle, locked, with a reference (for
 * virDomainObjEndAPI()); or NULL with VIR_ERR_NO_DOMAIN. */
virDomainObj *
qemuDomObjFromDomain(virDomainPtr dom)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm = virDomainObjListFindByUUID(driver->domains, dom->uuid);

    if (!vm) {
        virDomainDriverReportNoDomain(dom->uuid, dom->name);
        return NULL;
    }
    virDomainObjLock(vm);
    if (vm->removed) {
        virDomainObjEndAPI(&vm);
        virReportError(VIR_ERR_NO_DOMAIN, "domain '%s' no longer exists",
                       dom->name);
        return NULL;
    }
    return vm;
}

/* The domains of @conn's driver. */
static virDomainObjList *
qemuConnDomains(virConnectPtr conn)
{
    qemuDriver *driver = conn->privateData;

    return driver->domains;
}

/* Is there another domain with @def's name or UUID? */
static int
qemuDomainCheckConflict(qemuDriver *driver, virDomainDef *def,
                        virDomainObj **existing)
{
    g_autoptr(virDomainObj) byuuid = virDomainObjListFindByUUID(driver->domains,
                                                                def->uuid);
    g_autoptr(virDomainObj) byname = virDomainObjListFindByName(driver->domains,
                                                                def->name);
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    *existing = NULL;
    if (byuuid && byuuid != byname) {
        virUUIDFormat(def->uuid, uuidstr);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' already exists with uuid %s",
                       byuuid->name, uuidstr);
        return -1;
    }
    if (byname && byname != byuuid) {
        virUUIDFormat(byname->uuid, uuidstr);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' already exists with uuid %s",
                       def->name, uuidstr);
        return -1;
    }
    *existing = g_steal_pointer(&byuuid);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Domain calls                                                         */

/*
 * Make @def (stolen) the persistent definition of its domain: @existing
 * (the domain with its name and UUID, if there is one: locked by the
 * caller, unlocked on return) or a new one. Tells DEFINED, ADDED or
 * UPDATED. Called with qemuDriversLock held. Returns the domain, a new
 * reference, unlocked.
 */
static virDomainObj *
qemuDomainObjAssignDef(qemuDriver *driver, virDomainDef *def,
                       virDomainObj *existing)
{
    virDomainObj *vm = existing;
    bool updated = false;

    if (vm) {
        virDomainObjRef(vm);
        updated = vm->persistent;
        vm->persistent = true;
        if (virDomainObjIsActive(vm)) {
            virDomainDefFree(vm->newDef);
            vm->newDef = def;
            qemuDomainSaveStatus(driver, vm);
        } else {
            virDomainDefFree(vm->def);
            vm->def = def;
        }
    } else {
        vm = virDomainObjNew(driver->xmlopt);
        vm->def = def;
        vm->persistent = true;
        virDomainObjListAdd(driver->domains, vm);
        virDomainObjLock(vm);
    }
    qemuDomainEventQueue(driver,
                         virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                    vm->def->id,
                                                    VIR_DOMAIN_EVENT_DEFINED,
                                                    updated ?
                                                    VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                                    VIR_DOMAIN_EVENT_DEFINED_ADDED));
    virDomainObjUnlock(vm);
    return vm;
}

static virDomainPtr
qemuDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    qemuDriver *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainObj) existing = NULL;
    g_autoptr(virDomainObj) vm = NULL;
    virDomainPtr ret = NULL;

    virCheckFlags(VIR_DOMAIN_DEFINE_VALIDATE, NULL);

    if (!(def = virDomainDefParseString(xml, 0)) ||
        qemuDomainCheckName(def->name) < 0)
        return NULL;
    def->id = -1;
    /* Serialize definitions: the conflict check and the insertion must not
     * interleave with another define of the same name. */
    g_mutex_lock(&qemuDriversLock);
    if (qemuDomainCheckConflict(driver, def, &existing) < 0)
        goto cleanup;
    if (existing) {
        virDomainObjLock(existing);
        if (existing->removed) {
            /* Undefined meanwhile: this define adds it anew. */
            virDomainObjUnlock(existing);
            g_clear_pointer(&existing, virDomainObjUnref);
        }
    }
    /* The definition and the record of the backing chains its domain is
     * known to use are saved together; later starts refuse other chains
     * (see qemu_backing.c). The domain stays locked throughout, so that
     * the end of a pull cannot update the record in between. */
    if (qemuBackingDefine(driver, def, existing) < 0) {
        if (existing)
            virDomainObjUnlock(existing);
        goto cleanup;
    }

    vm = qemuDomainObjAssignDef(driver, g_steal_pointer(&def), existing);
    ret = virDomainDriverHandle(conn, vm, false);

 cleanup:
    g_mutex_unlock(&qemuDriversLock);
    return ret;
}

/* Is @def, as it would be defined again, the persistent definition @vm
 * has? */
static bool
qemuDomainObjHasConfig(virDomainObj *vm, const virDomainDef *def)
{
    const virDomainDef *cur = vm->newDef ? vm->newDef : vm->def;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    if (!vm->persistent)
        return false;
    a = virDomainDefFormat(cur, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    b = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    return strcmp(a, b) == 0;
}

/*
 * Re-read the persistent definitions in ROOT/etc/qemu: a file that
 * appeared defines its domain (DEFINED ADDED), a changed one replaces the
 * definition (DEFINED UPDATED; of a running domain, for its next start).
 * A file that does not parse, or whose name or UUID another domain has,
 * is left out with a warning, as at start. Nothing is undefined.
 */
static int
qemuStateReload(const char *root)
{
    g_autoptr(GDir) dir = NULL;
    qemuDriver *driver = NULL;
    const char *ent;
    int ret = -1;

    g_mutex_lock(&qemuDriversLock);
    if (root && qemuDrivers)
        driver = g_hash_table_lookup(qemuDrivers, root);
    if (!driver) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "the QEMU driver has no state for '%s'", NULLSTR(root));
        goto cleanup;
    }
    if (qemuDriverCheckDomainFiles(driver) < 0 ||
        !(dir = qemuDriverOpenDir(driver->configDir)))
        goto cleanup;
    while ((ent = g_dir_read_name(dir))) {
        g_autoptr(virDomainDef) def = NULL;
        g_autoptr(virDomainObj) existing = NULL;
        g_autoptr(virDomainObj) vm = NULL;
        bool same = false;

        if (!(def = qemuDriverReadConfig(driver, ent)))
            continue;
        def->id = -1;
        if (qemuDomainCheckConflict(driver, def, &existing) < 0) {
            VIR_WARN("ignoring domain config '%s/%s': %s", driver->configDir,
                     ent, virGetLastErrorMessage());
            virResetLastError();
            continue;
        }
        if (existing) {
            virDomainObjLock(existing);
            same = existing->removed || qemuDomainObjHasConfig(existing, def);
            if (same)
                virDomainObjUnlock(existing);
        }
        if (!same)
            vm = qemuDomainObjAssignDef(driver, g_steal_pointer(&def), existing);
    }
    ret = 0;

 cleanup:
    g_mutex_unlock(&qemuDriversLock);
    return ret;
}

static int
qemuDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "cannot undefine transient domain '%s'", vm->def->name);
        virDomainObjEndAPI(&vm);
        return -1;
    }
    qemuDomainRemoveConfig(driver, vm->def->name);
    qemuBackingRecordRemove(driver, vm->def);
    qemuDomainEventQueue(driver,
                         virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                    vm->def->id,
                                                    VIR_DOMAIN_EVENT_UNDEFINED,
                                                    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED));
    vm->persistent = false;
    if (virDomainObjIsActive(vm)) {
        g_clear_pointer(&vm->newDef, virDomainDefFree);
        qemuDomainSaveStatus(driver, vm);
    } else {
        virDomainObjListRemove(driver->domains, vm);
    }
    virDomainObjEndAPI(&vm);
    return 0;
}

static int
qemuDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_START_PAUSED, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainObjBeginJob(vm, "virDomainCreate") < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }
    if (vm->removed) {
        virReportError(VIR_ERR_NO_DOMAIN, "domain '%s' no longer exists", dom->name);
    } else if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is already running", vm->def->name);
    } else if (qemuProcessStart(driver, vm, flags) == 0) {
        dom->id = vm->def->id;
        ret = 0;
    }
    qemuDomainObjEndJob(vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

static virDomainPtr
qemuDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    qemuDriver *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainObj) existing = NULL;
    g_autoptr(virDomainObj) vm = NULL;
    virDomainPtr ret = NULL;

    virCheckFlags(VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_VALIDATE, NULL);
    if (!(def = virDomainDefParseString(xml, 0)) ||
        qemuDomainCheckName(def->name) < 0)
        return NULL;
    def->id = -1;
    g_mutex_lock(&qemuDriversLock);
    if (qemuDomainCheckConflict(driver, def, &existing) < 0) {
        g_mutex_unlock(&qemuDriversLock);
        return NULL;
    }
    if (existing) {
        g_mutex_unlock(&qemuDriversLock);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' already exists", def->name);
        return NULL;
    }
    vm = virDomainObjNew(driver->xmlopt);
    vm->def = g_steal_pointer(&def);
    virDomainObjListAdd(driver->domains, vm);
    g_mutex_unlock(&qemuDriversLock);

    virDomainObjLock(vm);
    if (qemuDomainObjBeginJob(vm, "virDomainCreateXML") < 0) {
        virDomainObjListRemove(driver->domains, vm);
        virDomainObjUnlock(vm);
        return NULL;
    }
    if (qemuProcessStart(driver, vm, flags & VIR_DOMAIN_START_PAUSED) < 0) {
        qemuDomainObjEndJob(vm);
        virDomainObjListRemove(driver->domains, vm);
        virDomainObjUnlock(vm);
        return NULL;
    }
    ret = virDomainDriverHandle(conn, vm, true);
    qemuDomainObjEndJob(vm);
    virDomainObjUnlock(vm);
    return ret;
}

static int
qemuDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm;
    qemuDomainObjPrivate *priv;
    pid_t pid;
    bool graceful = !!(flags & VIR_DOMAIN_DESTROY_GRACEFUL);
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_DESTROY_GRACEFUL, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    priv = vm->privateData;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        virDomainObjEndAPI(&vm);
        return -1;
    }
    /* Kill first, without the job: whatever holds the job may be waiting
     * on this very QEMU. */
    priv->beingDestroyed = true;
    pid = vm->pid;
    virDomainObjUnlock(vm);
    if (virProcessKillWait(pid, false, graceful ? 10000 : 3000) < 0) {
        virDomainObjLock(vm);
        priv->beingDestroyed = false;
        virDomainObjEndAPI(&vm);
        return -1;
    }
    virDomainObjLock(vm);
    /* Not bounded: QEMU is gone, so whoever holds the job is on its way
     * out (the monitor closed under it), and the clean-up is ours, the
     * end of the monitor having been left to us (beingDestroyed). */
    qemuDomainObjBeginInternalJob(vm, "virDomainDestroy");
    if (virDomainObjIsActive(vm) && vm->pid == pid) {
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                        VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
        ret = 0;
    } else {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
    }
    dom->id = -1;
    qemuDomainObjEndJob(vm);
    if (ret == 0 && !vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

static virDomainPtr
qemuDomainLookupByName(virConnectPtr conn, const char *name)
{
    g_autoptr(virDomainObj) vm = virDomainDriverFindByName(qemuConnDomains(conn), name);

    return vm ? virDomainDriverHandle(conn, vm, false) : NULL;
}

static virDomainPtr
qemuDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    g_autoptr(virDomainObj) vm = virDomainDriverFindByUUID(qemuConnDomains(conn), uuid);

    return vm ? virDomainDriverHandle(conn, vm, false) : NULL;
}

static virDomainPtr
qemuDomainLookupByID(virConnectPtr conn, int id)
{
    g_autoptr(virDomainObj) vm = virDomainDriverFindByID(qemuConnDomains(conn), id);

    return vm ? virDomainDriverHandle(conn, vm, false) : NULL;
}

static int
qemuConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                          unsigned int flags)
{
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) out = g_ptr_array_new();

    virCheckFlags(VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL, -1);
    all = virDomainObjListCollect(qemuConnDomains(conn));
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        virDomainObjLock(vm);
        if (!vm->removed &&
            virDomainDriverListMatch(virDomainObjIsActive(vm), vm->persistent,
                                     vm->state, flags))
            g_ptr_array_add(out, domains ? virDomainDriverHandle(conn, vm, true) : NULL);
        virDomainObjUnlock(vm);
    }
    return virDomainDriverListExport(out, domains);
}

static int
qemuDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags)
{
    virDomainObj *vm;

    virCheckFlags(0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    *state = vm->state;
    if (reason)
        *reason = vm->reason;
    virDomainObjEndAPI(&vm);
    return 0;
}

/* CPU time of a process in nanoseconds, from /proc. */
static unsigned long long
qemuProcessCPUTime(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;
    long ticks = sysconf(_SC_CLK_TCK);

    if (!g_file_get_contents(path, &stat, NULL, NULL) ||
        !(p = strrchr(stat, ')')))
        return 0;
    /* After "pid (comm)": state is field 3; utime 14 and stime 15. */
    fields = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(fields) < 13 || ticks <= 0)
        return 0;
    return (g_ascii_strtoull(fields[11], NULL, 10) +
            g_ascii_strtoull(fields[12], NULL, 10)) * (1000000000ULL / ticks);
}

static int
qemuDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    virDomainObj *vm;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    info->state = vm->state;
    info->maxMem = vm->def->maxMemKiB;
    info->memory = vm->def->curMemKiB;
    info->nrVirtCpu = vm->def->vcpus;
    info->cpuTime = virDomainObjIsActive(vm) ? qemuProcessCPUTime(vm->pid) : 0;
    virDomainObjEndAPI(&vm);
    return 0;
}

static char *
qemuDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    virDomainObj *vm;
    char *xml;

    virCheckFlags(VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                  VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE, NULL);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return NULL;
    xml = virDomainDriverFormatXML(vm->def, vm->newDef, virDomainObjIsActive(vm),
                                   flags);
    virDomainObjEndAPI(&vm);
    return xml;
}

static int
qemuDomainIsActive(virDomainPtr dom)
{
    virDomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = virDomainObjIsActive(vm);
    virDomainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainIsPersistent(virDomainPtr dom)
{
    virDomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = vm->persistent;
    virDomainObjEndAPI(&vm);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Block pull                                                           */

typedef int (*qemuBlockPullJobFunc)(qemuDriver *driver, virDomainObj *vm,
                                    const char *path, void *opaque);

/* Run a block pull call that changes something: with the domain's job,
 * taken in the name of @api. */
static int
qemuDomainBlockPullRun(virDomainPtr dom, const char *api, const char *path,
                       qemuBlockPullJobFunc func, void *opaque)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainObjBeginJob(vm, api) == 0) {
        ret = func(driver, vm, path, opaque);
        qemuDomainObjEndJob(vm);
    }
    virDomainObjEndAPI(&vm);
    return ret;
}

static int
qemuBlockPullAllFunc(qemuDriver *driver, virDomainObj *vm, const char *path,
                     void *opaque G_GNUC_UNUSED)
{
    return qemuBlockPullAll(driver, vm, path);
}

static int
qemuBlockPullStepFunc(qemuDriver *driver, virDomainObj *vm, const char *path,
                      void *opaque)
{
    return qemuBlockPullStep(driver, vm, path, opaque);
}

static int
qemuBlockPullAbortFunc(qemuDriver *driver, virDomainObj *vm, const char *path,
                       void *opaque G_GNUC_UNUSED)
{
    return qemuBlockPullAbort(driver, vm, path);
}

static int
qemuDomainBlockPullAll(virDomainPtr dom, const char *path, unsigned int flags)
{
    virCheckFlags(0, -1);
    return qemuDomainBlockPullRun(dom, "virDomainBlockPullAll", path,
                                  qemuBlockPullAllFunc, NULL);
}

static int
qemuDomainBlockPull(virDomainPtr dom, const char *path,
                    virDomainBlockPullInfoPtr pos, unsigned int flags)
{
    virCheckFlags(0, -1);
    return qemuDomainBlockPullRun(dom, "virDomainBlockPull", path,
                                  qemuBlockPullStepFunc, pos);
}

static int
qemuDomainBlockPullAbort(virDomainPtr dom, const char *path, unsigned int flags)
{
    virCheckFlags(0, -1);
    return qemuDomainBlockPullRun(dom, "virDomainBlockPullAbort", path,
                                  qemuBlockPullAbortFunc, NULL);
}

/* Progress needs no job: it may run beside any other call. */
static int
qemuDomainGetBlockPullInfo(virDomainPtr dom, const char *path,
                           virDomainBlockPullInfoPtr info, unsigned int flags)
{
    virDomainObj *vm;
    int ret;

    virCheckFlags(0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = qemuBlockPullGetInfo(vm, path, info);
    virDomainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainQemuMonitorCommand(virDomainPtr dom, const char *cmd, char **result,
                             unsigned int flags)
{
    virDomainObj *vm;
    qemuMonitor *mon;
    g_autofree char *out = NULL;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        goto cleanup;
    }
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        goto cleanup;
    if (flags & VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) {
        ret = qemuMonitorHumanCommand(mon, cmd, &out);
    } else {
        g_autoptr(virJSONValue) req = json_tokener_parse(cmd);
        json_object *execute = NULL;
        json_object *args = NULL;
        json_object *reply = NULL;

        if (!req || !json_object_is_type(req, json_type_object) ||
            !json_object_object_get_ex(req, "execute", &execute) ||
            !json_object_is_type(execute, json_type_string)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "'%s' is not a QMP command object with \"execute\"", cmd);
        } else {
            if (json_object_object_get_ex(req, "arguments", &args))
                json_object_get(args);
            ret = qemuMonitorArbitraryCommand(mon, json_object_get_string(execute), args, &reply);
            if (ret == 0) {
                g_autoptr(virJSONValue) wrap = json_object_new_object();
                json_object_object_add(wrap, "return",
                                       reply ? reply : json_object_new_object());
                out = g_strdup(json_object_to_json_string_ext(wrap,
                                                              JSON_C_TO_STRING_PLAIN));
            }
        }
    }
    qemuDomainObjExitMonitor(vm);
    if (ret == 0)
        *result = strdup(out ? out : "");

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

static int
qemuConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                  int eventID,
                                  virConnectDomainEventGenericCallback cb,
                                  void *opaque, virFreeCallback freecb)
{
    qemuDriver *driver = conn->privateData;
    g_autoptr(GPtrArray) all = NULL;
    int id;

    if ((id = virDomainEventStateRegisterID(driver->eventState, conn, dom, eventID,
                                            cb, opaque, freecb)) < 0 ||
        eventID != VIR_DOMAIN_EVENT_ID_BLOCK_PULL)
        return id;

    /* The pulls that ended while nobody listened, of the domains this
     * callback listens to: told to it, and to no other callback. */
    all = virDomainObjListCollect(driver->domains);
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        if (dom && memcmp(vm->uuid, dom->uuid, VIR_UUID_BUFLEN) != 0)
            continue;
        virDomainObjLock(vm);
        virDomainEventStateTellHeld(driver->eventState, vm, id);
        virDomainObjUnlock(vm);
    }
    return id;
}

static int
qemuConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    qemuDriver *driver = conn->privateData;

    return virDomainEventStateDeregisterID(driver->eventState, conn, callbackID);
}

static virHypervisorDriver qemuHypervisorDriver = {
    .name = "QEMU",
    .connectOpen = qemuConnectOpen,
    .connectClose = qemuConnectClose,
    .connectGetURI = qemuConnectGetURI,
    .connectIsAlive = qemuConnectIsAlive,
    .connectGetVersion = qemuConnectGetVersion,
    .domainDefineXMLFlags = qemuDomainDefineXMLFlags,
    .domainUndefineFlags = qemuDomainUndefineFlags,
    .domainCreateWithFlags = qemuDomainCreateWithFlags,
    .domainCreateXML = qemuDomainCreateXML,
    .domainDestroyFlags = qemuDomainDestroyFlags,
    .domainLookupByName = qemuDomainLookupByName,
    .domainLookupByUUID = qemuDomainLookupByUUID,
    .domainLookupByID = qemuDomainLookupByID,
    .connectListAllDomains = qemuConnectListAllDomains,
    .domainGetState = qemuDomainGetState,
    .domainGetInfo = qemuDomainGetInfo,
    .domainGetXMLDesc = qemuDomainGetXMLDesc,
    .domainIsActive = qemuDomainIsActive,
    .domainIsPersistent = qemuDomainIsPersistent,
    .domainBlockPull = qemuDomainBlockPull,
    .domainBlockPullAll = qemuDomainBlockPullAll,
    .domainBlockPullAbort = qemuDomainBlockPullAbort,
    .domainGetBlockPullInfo = qemuDomainGetBlockPullInfo,
    .domainBlockRebase = qemuDomainBlockRebase,
    .domainGetBlockJobInfo = qemuDomainGetBlockJobInfo,
    .domainBlockJobAbort = qemuDomainBlockJobAbort,
    .domainBlockJobSetSpeed = qemuDomainBlockJobSetSpeed,
    .domainQemuMonitorCommand = qemuDomainQemuMonitorCommand,
    .connectDomainEventRegisterAny = qemuConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = qemuConnectDomainEventDeregisterAny,
    /* qemu_driver_domain.c */
    .connectGetType = qemuConnectGetType,
    .connectGetHostname = qemuConnectGetHostname,
    .connectNumOfDomains = qemuConnectNumOfDomains,
    .connectListDomains = qemuConnectListDomains,
    .connectNumOfDefinedDomains = qemuConnectNumOfDefinedDomains,
    .connectListDefinedDomains = qemuConnectListDefinedDomains,
    .domainSuspend = qemuDomainSuspend,
    .domainResume = qemuDomainResume,
};

static const char *const qemuURISchemes[] = { "qemu", NULL };

static virConnectDriver qemuConnectDriver = {
    .localOnly = true,
    .embeddable = true,
    .uriSchemes = qemuURISchemes,
    .uriHelp = "qemu:///embed?root=DIR",
    .hypervisorDriver = &qemuHypervisorDriver,
};

static virStateDriver qemuStateDriver = {
    .name = "QEMU",
    .stateInitialize = qemuStateInitialize,
    .stateCleanup = qemuStateCleanup,
    .stateReload = qemuStateReload,
};

int
qemuRegister(void)
{
    if (virRegisterConnectDriver(&qemuConnectDriver) < 0 ||
        virRegisterStateDriver(&qemuStateDriver) < 0)
        return -1;
    return 0;
}

/*
 * qemu_domain.c: the QEMU driver's part of its domain objects (private
 * data), their jobs, and the status files that let a new process carry on
 * with running domains.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "qemu_domain.h"
#include "util/virenum.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virlog.h"
#include "util/virxml.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* How often a status save that failed is tried again. */
#define QEMU_DOMAIN_SAVE_RETRY_MS 1000

static void qemuDomainSaveRetrySchedule(qemuDriver *driver);
static void qemuBlockJobFree(qemuBlockJob *job);

/* ------------------------------------------------------------------ */
/* Private data                                                         */

static void *
qemuDomainObjPrivateAlloc(void *opaque)
{
    qemuDomainObjPrivate *priv = g_new0(qemuDomainObjPrivate, 1);

    priv->driver = opaque;
    priv->blockjobs = g_ptr_array_new_with_free_func((GDestroyNotify) qemuBlockJobFree);
    priv->pendingEvents = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainEventFree);
    return priv;
}

static void
qemuDomainObjPrivateFree(void *data)
{
    qemuDomainObjPrivate *priv = data;

    if (!priv)
        return;
    g_free(priv->monPath);
    g_free(priv->pidPath);
    g_free(priv->logPath);
    g_strfreev(priv->labels);
    g_ptr_array_unref(priv->blockjobs);
    g_ptr_array_unref(priv->pendingEvents);
    g_free(priv);
}

static void qemuDomainObjPrivateFormat(virXMLBuffer *buf, virDomainObj *vm);
static int qemuDomainObjPrivateParse(xmlNode *root, virDomainObj *vm);

/**
 * qemuDomainXMLOptionNew:
 * @driver: the driver the domain objects belong to (NULL: none, for a
 *          reader of status files)
 *
 * Returns the options the driver makes its domain objects with: their
 * private data is a qemuDomainObjPrivate, whose monitor and log paths,
 * labelled images and block jobs are kept in the status file. Free with
 * virDomainXMLOptionFree().
 */
virDomainXMLOption *
qemuDomainXMLOptionNew(qemuDriver *driver)
{
    static const virDomainXMLPrivateDataCallbacks priv = {
        .alloc = qemuDomainObjPrivateAlloc,
        .free = qemuDomainObjPrivateFree,
        .format = qemuDomainObjPrivateFormat,
        .parse = qemuDomainObjPrivateParse,
    };

    return virDomainXMLOptionNew(&priv, driver);
}

/* ------------------------------------------------------------------ */
/* Jobs and monitor access                                              */

/* Wait up to @timeoutMs for @vm's job to be free; false if it is not. */
static bool
qemuDomainObjWaitJob(virDomainObj *vm, int timeoutMs)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    gint64 deadline = g_get_monotonic_time() + timeoutMs * (gint64) 1000;

    while (priv->jobName) {
        if (!virDomainObjWaitUntil(vm, deadline))
            return !priv->jobName;
    }
    return true;
}

static void
qemuDomainObjSetJob(virDomainObj *vm, const char *job)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    priv->jobName = job;
    priv->jobStarted = g_get_monotonic_time();
}

/**
 * qemuDomainObjBeginJob:
 * @vm: a domain, locked (the lock is dropped while waiting)
 * @job: who asks: the API's name, or the internal task's (a static string)
 *
 * Take the domain's job once whoever holds it is done, waiting at most
 * qemu.conf's job_wait_timeout.
 *
 * Returns 0 with the job held, or -1 with VIR_ERR_OPERATION_TIMEOUT
 * reported, naming the job that holds it and for how long.
 */
int
qemuDomainObjBeginJob(virDomainObj *vm, const char *job)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    int timeout = priv->driver->cfg->jobWaitTimeout;

    if (!qemuDomainObjWaitJob(vm, timeout)) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       "cannot run '%s' on domain '%s': '%s' has held the domain's job for %lld ms (waited %d ms)",
                       job, vm->def->name, priv->jobName,
                       (long long) (g_get_monotonic_time() - priv->jobStarted) / 1000,
                       timeout);
        return -1;
    }
    qemuDomainObjSetJob(vm, job);
    return 0;
}

/**
 * qemuDomainObjBeginInternalJob:
 * @vm: a domain, locked (the lock is dropped while waiting)
 * @job: the internal task, for messages (a static string)
 *
 * Take the domain's job for a task the driver must carry out whatever
 * the wait (cleaning up after a QEMU that went away): waits as long as it
 * takes, with a warning naming the holder each time job_wait_timeout
 * passes.
 */
void
qemuDomainObjBeginInternalJob(virDomainObj *vm, const char *job)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    int timeout = priv->driver->cfg->jobWaitTimeout;

    while (!qemuDomainObjWaitJob(vm, timeout)) {
        VIR_WARN("'%s' of domain '%s' still waits for '%s', which has held the domain's job for %lld ms",
                 job, vm->def->name, priv->jobName,
                 (long long) (g_get_monotonic_time() - priv->jobStarted) / 1000);
    }
    qemuDomainObjSetJob(vm, job);
}

/**
 * qemuDomainObjEndJob:
 * @vm: a domain, locked, whose job the caller holds
 *
 * Give the job up and wake whoever waits for it.
 */
void
qemuDomainObjEndJob(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    priv->jobName = NULL;
    virDomainObjBroadcast(vm);
}

qemuMonitor *
qemuDomainObjEnterMonitor(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    if (!priv->mon || priv->monEOF) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running (its QEMU is gone)",
                       vm->def->name);
        return NULL;
    }
    priv->monUsers++;
    virDomainObjUnlock(vm);
    return priv->mon;
}

void
qemuDomainObjExitMonitor(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    virDomainObjLock(vm);
    priv->monUsers--;
    virDomainObjBroadcast(vm);
}

/* ------------------------------------------------------------------ */
/* Block jobs                                                           */

VIR_ENUM_IMPL(qemuBlockJobState, qemuBlockJobState, QEMU_BLOCKJOB_STATE_LAST,
              "new", "running", "paused", "pending", "concluded");

static void
qemuBlockJobFree(qemuBlockJob *job)
{
    if (!job)
        return;
    g_free(job->disk);
    g_free(job->jobid);
    g_free(job->errmsg);
    g_free(job->base);
    g_free(job);
}

/* The job of @vm whose QEMU job id (@byJobID) or disk is @value. */
static qemuBlockJob *
qemuBlockJobFindBy(virDomainObj *vm, bool byJobID, const char *value)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    for (guint i = 0; i < priv->blockjobs->len; i++) {
        qemuBlockJob *job = g_ptr_array_index(priv->blockjobs, i);

        if (strcmp(byJobID ? job->jobid : job->disk, value) == 0)
            return job;
    }
    return NULL;
}

qemuBlockJob *
qemuBlockJobFind(virDomainObj *vm, const char *disk)
{
    return qemuBlockJobFindBy(vm, false, disk);
}

qemuBlockJob *
qemuBlockJobFindByJobID(virDomainObj *vm, const char *jobid)
{
    return qemuBlockJobFindBy(vm, true, jobid);
}

qemuBlockJob *
qemuBlockJobAdd(virDomainObj *vm, const char *disk)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    static gint lastSerial;
    qemuBlockJob *job = g_new0(qemuBlockJob, 1);

    /* Also for a job read back from a status file: a pull started later
     * in this process always has a different serial. */
    job->serial = (unsigned int) g_atomic_int_add(&lastSerial, 1) + 1;
    job->disk = g_strdup(disk);
    job->jobid = g_strdup_printf("pull-%s", disk);
    g_ptr_array_add(priv->blockjobs, job);
    return job;
}

void
qemuBlockJobRemove(virDomainObj *vm, qemuBlockJob *job)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    g_ptr_array_remove(priv->blockjobs, job);
    virDomainObjBroadcast(vm);
}

/* ------------------------------------------------------------------ */
/* The private data in the status file                                  */

/* <NAME path='...'/> if @path is set. */
static void
qemuDomainFormatPath(virXMLBuffer *buf, const char *name, const char *path)
{
    g_autofree char *esc = NULL;

    if (!path)
        return;
    esc = virXMLEscapeAttr(path);
    virXMLBufferAddLine(buf, "<%s path='%s'/>", name, esc);
}

static void
qemuDomainFormatBlockJob(virXMLBuffer *buf, const qemuBlockJob *job)
{
    g_autofree char *disk = virXMLEscapeAttr(job->disk);
    g_autofree char *jobid = virXMLEscapeAttr(job->jobid);
    g_autofree char *attrs =
        g_strdup_printf("disk='%s' jobid='%s' state='%s' stepwise='%s' abort='%s'"
                        " failed='%s' cur='%llu' end='%llu'",
                        disk, jobid, qemuBlockJobStateToString(job->state),
                        job->stepwise ? "yes" : "no",
                        job->abortRequested ? "yes" : "no",
                        job->failed ? "yes" : "no", job->cur, job->end);
    g_autofree char *errmsg = NULL;

    /* Written only when set: files of pulls that have neither stay as
     * older versions wrote them. */
    if (job->base) {
        g_autofree char *base = virXMLEscapeAttr(job->base);
        g_autofree char *more = g_strdup_printf("%s base='%s'", attrs, base);

        g_free(attrs);
        attrs = g_steal_pointer(&more);
    }
    if (job->bandwidth) {
        g_autofree char *more = g_strdup_printf("%s bandwidth='%llu'", attrs,
                                                job->bandwidth);

        g_free(attrs);
        attrs = g_steal_pointer(&more);
    }
    if (!job->errmsg) {
        virXMLBufferAddLine(buf, "<blockjob %s/>", attrs);
        return;
    }
    errmsg = virXMLEscapeText(job->errmsg);
    virXMLBufferAddLine(buf, "<blockjob %s><error>%s</error></blockjob>",
                        attrs, errmsg);
}

/* The private data's part of the status file: the monitor, the log, the
 * images labelled for QEMU and the block jobs. */
static void
qemuDomainObjPrivateFormat(virXMLBuffer *buf, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    qemuDomainFormatPath(buf, "monitor", priv->monPath);
    qemuDomainFormatPath(buf, "log", priv->logPath);
    if (priv->labels && priv->labels[0]) {
        virXMLBufferOpen(buf, "<labels>");
        for (size_t i = 0; priv->labels[i]; i++)
            qemuDomainFormatPath(buf, "image", priv->labels[i]);
        virXMLBufferClose(buf, "labels");
    }
    if (priv->blockjobs->len > 0) {
        virXMLBufferOpen(buf, "<blockjobs>");
        for (guint i = 0; i < priv->blockjobs->len; i++)
            qemuDomainFormatBlockJob(buf, g_ptr_array_index(priv->blockjobs, i));
        virXMLBufferClose(buf, "blockjobs");
    }
}

/* The path attribute of @node, which must be an absolute path. */
static char *
qemuDomainParsePath(xmlNode *node)
{
    g_autofree char *path = virXMLPropStringRequired(node, "path");

    if (!path)
        return NULL;
    if (!g_path_is_absolute(path)) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "path '%s' is not absolute", path);
        return NULL;
    }
    return g_steal_pointer(&path);
}

/* Read attribute @name of @node, 'yes' or 'no', 'no' if it is missing. */
static int
qemuDomainParseFlag(xmlNode *node, const char *name, bool *value)
{
    *value = false;
    return virXMLPropYesNo(node, name, value) < 0 ? -1 : 0;
}

static int
qemuDomainParseBlockJob(xmlNode *node, virDomainObj *vm)
{
    g_autofree char *disk = NULL;
    g_autofree char *jobid = NULL;
    g_autofree char *state = NULL;
    qemuBlockJob *job;
    xmlNode *err;
    guint64 cur = 0;
    guint64 end = 0;
    guint64 bandwidth = 0;
    g_autofree char *base = NULL;
    int st;

    if (!(disk = virXMLPropStringRequired(node, "disk")) ||
        !(jobid = virXMLPropStringRequired(node, "jobid")) ||
        !(state = virXMLPropStringRequired(node, "state")))
        return -1;
    if ((st = qemuBlockJobStateFromString(state)) < 0) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "unknown block job state '%s'", state);
        return -1;
    }
    if (qemuBlockJobFind(vm, disk) || qemuBlockJobFindByJobID(vm, jobid)) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "a second block job on disk '%s' (job '%s')",
                              disk, jobid);
        return -1;
    }
    if (virXMLPropUInt(node, "cur", 0, G_MAXUINT64, &cur) < 0 ||
        virXMLPropUInt(node, "end", 0, G_MAXUINT64, &end) < 0 ||
        virXMLPropUInt(node, "bandwidth", 0, G_MAXINT64, &bandwidth) < 0)
        return -1;
    if ((base = virXMLPropString(node, "base")) && !g_path_is_absolute(base)) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "base '%s' of the block job on disk '%s' is not an absolute path",
                              base, disk);
        return -1;
    }

    job = qemuBlockJobAdd(vm, disk);
    g_free(job->jobid);
    job->jobid = g_steal_pointer(&jobid);
    job->state = st;
    job->cur = cur;
    job->end = end;
    job->bandwidth = bandwidth;
    job->base = g_steal_pointer(&base);
    if (qemuDomainParseFlag(node, "stepwise", &job->stepwise) < 0 ||
        qemuDomainParseFlag(node, "abort", &job->abortRequested) < 0 ||
        qemuDomainParseFlag(node, "failed", &job->failed) < 0)
        return -1;
    if ((err = virXMLNodeGetChild(node, "error")) &&
        !(job->errmsg = virXMLNodeContentString(err)))
        return -1;
    return 0;
}

/* Read what qemuDomainObjPrivateFormat() wrote. */
static int
qemuDomainObjPrivateParse(xmlNode *root, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
    xmlNode *node;

    if ((node = virXMLNodeGetChild(root, "monitor")) &&
        !(priv->monPath = qemuDomainParsePath(node)))
        return -1;
    if ((node = virXMLNodeGetChild(root, "log")) &&
        !(priv->logPath = qemuDomainParsePath(node)))
        return -1;
    if ((node = virXMLNodeGetChild(root, "labels"))) {
        for (xmlNode *c = node->children; c; c = c->next) {
            char *image;

            if (!virXMLNodeNameEqual(c, "image"))
                continue;
            if (!(image = qemuDomainParsePath(c)))
                return -1;
            g_ptr_array_add(labels, image);
        }
    }
    g_ptr_array_add(labels, NULL);
    g_ptr_array_set_free_func(labels, NULL);
    priv->labels = (char **) g_ptr_array_free(g_steal_pointer(&labels), FALSE);
    if ((node = virXMLNodeGetChild(root, "blockjobs"))) {
        for (xmlNode *c = node->children; c; c = c->next) {
            if (virXMLNodeNameEqual(c, "blockjob") &&
                qemuDomainParseBlockJob(c, vm) < 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Status and config files                                              */

char *
qemuDomainStatusPath(qemuDriver *driver, const char *name)
{
    return g_strdup_printf("%s/%s.xml", driver->stateDir, name);
}

char *
qemuDomainConfigPath(qemuDriver *driver, const char *name)
{
    return g_strdup_printf("%s/%s.xml", driver->configDir, name);
}

/* Write the status file. On failure the domain's status is dirty: the
 * retry saves it again (see qemuDomainSaveStatus()). */
static int
qemuDomainSaveStatusFile(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *path = qemuDomainStatusPath(driver, vm->def->name);
    g_autofree char *xml = virDomainObjFormat(vm, driver->xmlopt);

    VIR_DEBUG("saving status of '%s'", vm->def->name);
    if (virFileWriteAtomic(path, xml, 0600) < 0) {
        priv->statusDirty = true;
        qemuDomainSaveRetrySchedule(driver);
        return -1;
    }
    if (priv->statusDirty)
        VIR_INFO("the status of domain '%s' is saved again", vm->def->name);
    priv->statusDirty = false;
    qemuDomainQueuePendingEvents(driver, vm);
    return 0;
}

/**
 * qemuDomainSaveStatusRequired:
 * @driver: the driver
 * @vm: a domain, locked
 *
 * Save @vm's status where the caller must not go on unless it is saved
 * (see the policy in qemu_domain.h).
 *
 * Returns 0, or -1 with the error reported (the status is dirty: saved
 * again by the retry while the domain runs).
 */
int
qemuDomainSaveStatusRequired(qemuDriver *driver, virDomainObj *vm)
{
    return qemuDomainSaveStatusFile(driver, vm);
}

/**
 * qemuDomainSaveStatus:
 * @driver: the driver
 * @vm: a domain, locked
 *
 * Save @vm's status; on failure mark it dirty for the retry and log a
 * warning, the first time only until a save succeeds again (see the
 * policy in qemu_domain.h). Leaves the thread's error as it was.
 */
void
qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    bool wasDirty = priv->statusDirty;
    g_autoptr(virError) saved = NULL;

    virErrorPreserveLast(&saved);
    if (qemuDomainSaveStatusFile(driver, vm) < 0) {
        if (!wasDirty) {
            VIR_WARN("cannot save the status of domain '%s', trying again every %d ms: %s",
                     vm->def->name, QEMU_DOMAIN_SAVE_RETRY_MS,
                     virGetLastErrorMessage());
        } else {
            VIR_DEBUG("status of domain '%s' still cannot be saved: %s",
                      vm->def->name, virGetLastErrorMessage());
        }
    }
    virErrorRestore(&saved);
}

void
qemuDomainSaveStatusEvent(qemuDriver *driver, virDomainObj *vm,
                          virDomainEvent *event)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    if (event)
        g_ptr_array_add(priv->pendingEvents, event);
    qemuDomainSaveStatus(driver, vm);
}

void
qemuDomainQueuePendingEvents(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(GPtrArray) events = g_steal_pointer(&priv->pendingEvents);
    bool held = false;

    /* Taken first: the save below comes back here. */
    priv->pendingEvents = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainEventFree);
    for (guint i = 0; i < events->len; i++) {
        if (qemuDomainEventQueueHold(driver, vm, g_steal_pointer(&events->pdata[i])))
            held = true;
    }
    if (held && virDomainObjIsActive(vm))
        qemuDomainSaveStatus(driver, vm);
}

/* Runs in the monitor's event thread: it must never wait for a domain (a
 * thread holding one may wait for this very thread), so a busy domain is
 * left for the next round. */
static gboolean
qemuDomainSaveRetry(gpointer opaque)
{
    qemuDriver *driver = opaque;
    g_autoptr(GPtrArray) all = NULL;
    gboolean again;

    g_mutex_lock(&driver->lock);
    driver->saveRetryNeeded = false;
    g_mutex_unlock(&driver->lock);

    all = virDomainObjListCollect(driver->domains);
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);
        qemuDomainObjPrivate *priv = vm->privateData;

        if (!g_mutex_trylock(&vm->lock)) {
            g_mutex_lock(&driver->lock);
            driver->saveRetryNeeded = true;
            g_mutex_unlock(&driver->lock);
            continue;
        }
        if (priv->statusDirty && virDomainObjIsActive(vm))
            qemuDomainSaveStatus(driver, vm);
        virDomainObjUnlock(vm);
    }

    /* Decided under the lock a failed save takes to ask for a retry: no
     * request falls between this round and the next source. */
    g_mutex_lock(&driver->lock);
    again = driver->saveRetryNeeded && !driver->shuttingDown;
    if (!again)
        g_clear_pointer(&driver->saveRetry, g_source_unref);
    g_mutex_unlock(&driver->lock);
    return again ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
qemuDomainSaveRetrySchedule(qemuDriver *driver)
{
    g_mutex_lock(&driver->lock);
    driver->saveRetryNeeded = true;
    if (!driver->saveRetry && !driver->shuttingDown && driver->eventThread) {
        VIR_DEBUG("retrying the failed status save in %d ms",
                  QEMU_DOMAIN_SAVE_RETRY_MS);
        driver->saveRetry = g_timeout_source_new(QEMU_DOMAIN_SAVE_RETRY_MS);
        g_source_set_callback(driver->saveRetry, qemuDomainSaveRetry, driver, NULL);
        g_source_attach(driver->saveRetry,
                        virEventThreadGetContext(driver->eventThread));
    }
    g_mutex_unlock(&driver->lock);
}

void
qemuDomainSaveRetryCancel(qemuDriver *driver)
{
    GSource *retry;

    g_mutex_lock(&driver->lock);
    driver->shuttingDown = true;
    retry = g_steal_pointer(&driver->saveRetry);
    g_mutex_unlock(&driver->lock);
    if (retry) {
        g_source_destroy(retry);
        g_source_unref(retry);
    }
}

void
qemuDomainRemoveStatus(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *path = qemuDomainStatusPath(driver, vm->def->name);

    virFileUnlinkQuiet(path);
    /* Nothing left to save again. */
    priv->statusDirty = false;
}

virDomainObj *
qemuDomainLoadStatus(qemuDriver *driver, const char *path)
{
    return virDomainObjParseFile(path, driver->xmlopt);
}

/* The longest file name the driver makes from a domain name is the
 * temporary "NAME.xml.new" of an atomic write; file names have at most
 * NAME_MAX (255) bytes. */
#define QEMU_DOMAIN_NAME_MAX (255 - (int) strlen(".xml.new"))

/**
 * qemuDomainCheckName:
 * @name: a domain name
 *
 * The driver keeps a domain's definition, status, pid file and log in files
 * named after it: refuse a name those file names cannot hold, before
 * anything is written.
 *
 * Returns 0 if @name fits, -1 with VIR_ERR_CONFIG_UNSUPPORTED reported.
 */
int
qemuDomainCheckName(const char *name)
{
    if (strlen(name) > QEMU_DOMAIN_NAME_MAX) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "domain name '%s' is %zu bytes long, more than the %d bytes the QEMU driver allows",
                       name, strlen(name), QEMU_DOMAIN_NAME_MAX);
        return -1;
    }
    return 0;
}

int
qemuDomainSaveConfig(qemuDriver *driver, const virDomainDef *def)
{
    g_autofree char *path = qemuDomainConfigPath(driver, def->name);
    g_autofree char *xml = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);

    return virFileWriteAtomic(path, xml, 0600);
}

void
qemuDomainRemoveConfig(qemuDriver *driver, const char *name)
{
    g_autofree char *path = qemuDomainConfigPath(driver, name);
    virFileUnlinkQuiet(path);
}

void
qemuDomainEventQueue(qemuDriver *driver, virDomainEvent *event)
{
    virDomainEventStateQueue(driver->eventState, event);
}

bool
qemuDomainEventQueueHold(qemuDriver *driver, virDomainObj *vm,
                         virDomainEvent *event)
{
    const char *disk;
    unsigned int serial;
    qemuBlockJob *job;
    bool holdable = true;

    /* The end of an older pull told after a newer pull of the disk began
     * (it waited for a save): whoever listens from now on waits for the
     * newer one's. */
    if (event && (disk = virDomainEventBlockPullDisk(event, &serial)) &&
        (job = qemuBlockJobFind(vm, disk)) && job->serial != serial)
        holdable = false;
    return virDomainEventStateQueueHold(driver->eventState, vm, event, holdable);
}

/*
 * qemu_blockjob.c: block pull on QEMU's block-stream job. We start the job
 * with auto-finalize and auto-dismiss off so that its end belongs to us:
 * QEMU's JOB_STATUS_CHANGE events move the job along (pending -> finalize,
 * concluded -> read the result, dismiss), and on success we drop the old
 * backing nodes, give the images back, update the live XML and the status
 * file, and only then tell the application.
 *
 * Every change of a pull is written to the domain's status file before the
 * next step, so a new process finds each pull again after a restart.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "qemu_blockjob.h"
#include "qemu_backing.h"
#include "qemu_monitor.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* How long an abort or the last step waits for QEMU to finish the job. */
#define QEMU_BLOCKJOB_END_TIMEOUT_MS (60 * 1000)
/* A step looks at the job's progress this often... */
#define QEMU_BLOCKJOB_STEP_POLL_US 1000
/* ...and pauses it after this even without progress (a bandwidth-capped
 * pull may need longer than that for one chunk). */
#define QEMU_BLOCKJOB_STEP_MAX_MS 500
/*
 * A pull driven by steps runs at this speed (bytes/s) at most. QEMU's
 * stream job copies a chunk (512 KiB) and then sleeps as long as the
 * speed asks for before the next: at 5 MiB/s, about 100 ms, ample time for
 * a step to see the progress and pause the job there, even on a loaded
 * host. Unlimited, a job on fast storage can copy the whole disk before
 * the pause lands, and a step would no longer be a step.
 */
#define QEMU_BLOCKJOB_STEP_SPEED (5ULL * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* The smaller of two limits, 0 standing for none. */
static unsigned long long
qemuBlockJobMinLimit(unsigned long long a, unsigned long long b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return MIN(a, b);
}

unsigned long long
qemuBlockJobBackgroundSpeed(qemuDriver *driver, unsigned long long bandwidth)
{
    return qemuBlockJobMinLimit(driver->cfg->blockPullMaxBandwidth, bandwidth);
}

/* The speed of a pull: bounded while it is driven by steps (see
 * QEMU_BLOCKJOB_STEP_SPEED), and by qemu.conf's block_pull_max_bandwidth
 * and the caller's @bandwidth (bytes/s) always (0: unlimited). */
static unsigned long long
qemuBlockJobSpeed(qemuDriver *driver, bool stepwise, unsigned long long bandwidth)
{
    unsigned long long max = qemuBlockJobBackgroundSpeed(driver, bandwidth);

    if (!stepwise)
        return max;
    return qemuBlockJobMinLimit(max, QEMU_BLOCKJOB_STEP_SPEED);
}

/* The virtual size of the disk's top image: the end of a pull before QEMU
 * reports one (QEMU says 0/0 in the first instant). Only a first guess: 0
 * if it cannot be read, and no error is left behind. The image is read as
 * virStorageFileGetVirtualSize() reads images, never blocking: the name
 * may lead to a FIFO by now, whose open() would block the pull's caller
 * for ever. */
static unsigned long long
qemuBlockJobImageSize(const virDomainDiskDef *disk)
{
    unsigned long long size = 0;

    if (virStorageFileGetVirtualSize(disk->src->path, disk->src->format, &size) < 0) {
        VIR_DEBUG("no size for image '%s' yet: %s", disk->src->path,
                  virGetLastErrorMessage());
        virResetLastError();
        return 0;
    }
    return size;
}

static virDomainDiskDef *
qemuBlockJobDisk(virDomainObj *vm, qemuBlockJob *job)
{
    return virDomainDiskByName(vm->def, job->disk);
}

/* Remove @path from the list of images labelled for QEMU. */
static bool
qemuBlockJobForgetLabel(virDomainObj *vm, const char *path)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    size_t n;

    if (!priv->labels)
        return false;
    n = g_strv_length(priv->labels);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(priv->labels[i], path) == 0) {
            g_free(priv->labels[i]);
            memmove(priv->labels + i, priv->labels + i + 1, (n - i) * sizeof(char *));
            return true;
        }
    }
    return false;
}

/* Is @path still used by another disk's chain of this domain? */
static bool
qemuBlockJobPathInUse(virDomainObj *vm, virDomainDiskDef *except, const char *path)
{
    for (size_t i = 0; i < vm->def->ndisks; i++) {
        if (vm->def->disks[i] != except &&
            virStorageSourceChainHasPath(vm->def->disks[i]->src, path))
            return true;
    }
    return false;
}

/* Give @path back (it is no longer labelled for this domain) unless it is
 * not listed as labelled. vm locked. */
static void
qemuBlockJobGiveBack(qemuDriver *driver, virDomainObj *vm, const char *path)
{
    g_autofree char *holder = NULL;

    if (!qemuBlockJobForgetLabel(vm, path))
        return;
    holder = virSecurityManagerHolderID(driver->root, vm->def->uuid);
    if (virSecurityManagerRestoreImageLabel(driver->securityManager, path,
                                            holder) < 0) {
        VIR_ERROR("cannot give image '%s' of domain '%s' back: %s", path,
                  vm->def->name, virGetLastErrorMessage());
        virResetLastError();
    }
}

/*
 * What a completed pull of @disk (down to @base, NULL for the whole chain)
 * takes off the chain: the images above @base, from the top down, into
 * @paths, and their block nodes (format node before its file node) into
 * @nodes, the order they can be deleted in. Returns the image just above
 * @base (NULL if none), or NULL with *@ok false if @base is no longer in
 * the chain (not to happen: the base was in the chain when the pull
 * began, and the chain changes only in a revocation), when nothing may
 * be given back. vm locked.
 */
static virStorageSource *
qemuBlockJobOldChain(virDomainObj *vm, virDomainDiskDef *disk, const char *base,
                     GPtrArray *nodes, GPtrArray *paths, bool *ok)
{
    virStorageSource *above = NULL;

    *ok = true;
    if (base && !virStorageSourceChainHasPath(disk->src->backingStore, base)) {
        VIR_WARN("base '%s' of the pull of disk '%s' of domain '%s' is no longer in its chain: the images above it stay open",
                 base, disk->dst, vm->def->name);
        *ok = false;
        return NULL;
    }
    /* A pull to a base leaves the base and what is below it: only the
     * images above it left the chain. */
    for (virStorageSource *src = disk->src->backingStore;
         src && src->type == VIR_STORAGE_TYPE_FILE &&
         g_strcmp0(src->path, base) != 0;
         src = src->backingStore) {
        above = src;
        if (src->nodeformat)
            g_ptr_array_add(nodes, g_strdup(src->nodeformat));
        if (src->nodestorage)
            g_ptr_array_add(nodes, g_strdup(src->nodestorage));
        if (paths)
            g_ptr_array_add(paths, g_strdup(src->path));
    }
    return above;
}

/* Log the deletions of @items (blockdev-del of a batch) that failed: an
 * image whose node can't be deleted stays open in QEMU; do not pretend
 * otherwise, but the pull itself is done. */
static void
qemuBlockJobWarnDeletions(virDomainObj *vm, qemuMonitorBatchItem *items,
                          size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        if (items[i].cmd == QEMU_MONITOR_BATCH_BLOCKDEV_DEL && items[i].rc < 0)
            VIR_WARN("cannot delete block node '%s' of domain '%s': %s",
                     items[i].arg, vm->def->name, NULLSTR(items[i].error));
    }
}

/*
 * The pull succeeded: QEMU no longer reads the backing chain, but keeps
 * the nodes (and their file descriptors) open until they are deleted.
 * Delete them (format node before its file node, top of the old chain
 * first; unless @nodesDeleted: the finish already sent the deletions,
 * pipelined after job-finalize), then give the images back, then update
 * the live definition. vm locked; the lock is dropped around monitor
 * calls.
 *
 * The deletions go out back to back, one round trip for all: QEMU runs
 * them in order, so a file node's deletion comes after its format node's
 * (which it needs), and one that fails (a node QEMU no longer has, after
 * a crash in the middle) leaves the others as they are.
 *
 * The old chain leaves the live definition last: until then, any status
 * file saved (by another thread, while the lock is dropped) names it
 * among the disk's images, so a process that finds the pull concluded
 * after a crash revokes it again. Detached first, a crash in between
 * would leave a record that no longer said what was still to give back.
 */
static void
qemuBlockJobRevoke(qemuDriver *driver, virDomainObj *vm, virDomainDiskDef *disk,
                   const char *base, bool nodesDeleted)
{
    g_autoptr(virStorageSource) old = NULL;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    virStorageSource *above;   /* the image just above @base */
    qemuMonitor *mon;
    bool ok;

    above = qemuBlockJobOldChain(vm, disk, base, nodes, paths, &ok);
    if (!ok)
        return;

    if (!nodesDeleted && nodes->len > 0) {
        g_autofree qemuMonitorBatchItem *items = g_new0(qemuMonitorBatchItem, nodes->len);

        for (guint i = 0; i < nodes->len; i++) {
            items[i].cmd = QEMU_MONITOR_BATCH_BLOCKDEV_DEL;
            items[i].arg = g_ptr_array_index(nodes, i);
        }
        if ((mon = qemuDomainObjEnterMonitor(vm))) {
            if (qemuMonitorRunBatch(mon, items, nodes->len) < 0)
                virResetLastError();
            qemuDomainObjExitMonitor(vm);
            qemuBlockJobWarnDeletions(vm, items, nodes->len);
            qemuMonitorBatchClear(items, nodes->len);
        } else {
            virResetLastError();
        }
    }

    /* The lock was dropped, but @disk is still there: the live definition
     * goes only when the domain stops, which waits for every monitor user
     * (qemuProcessStop) and then for the lock we hold again. */
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);

        if (!qemuBlockJobPathInUse(vm, disk, path))
            qemuBlockJobGiveBack(driver, vm, path);
    }
    if (base && above && above->backingStore &&
        g_strcmp0(above->backingStore->path, base) == 0) {
        /* The top's backing is @base now, in QEMU and in its header. */
        old = g_steal_pointer(&disk->src->backingStore);
        disk->src->backingStore = g_steal_pointer(&above->backingStore);
    } else if (!base) {
        /* No chain at all from now on: the live XML shows no <backingStore>
         * under the disk, and a definition taken from it reads the (now
         * standalone) image header at the next start. */
        old = g_steal_pointer(&disk->src->backingStore);
    }
    /* The domain no longer uses them: a header naming them again later
     * is refused like any other. */
    qemuBackingRecordForget(driver, vm, disk->src->path, paths);
}

/* Does any disk's chain, or a serial or console log, of @def use @path? */
static bool
qemuBlockJobDefUses(virDomainDef *def, const char *path)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        if (virStorageSourceChainHasPath(def->disks[i]->src, path))
            return true;
    }
    for (size_t i = 0; i < def->nserials; i++) {
        if (g_strcmp0(def->serials[i]->path, path) == 0)
            return true;
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        if (g_strcmp0(def->consoles[i]->path, path) == 0)
            return true;
    }
    return false;
}

/* Does any disk's chain of @def name block node @node? */
static bool
qemuBlockJobDefHasNode(virDomainDef *def, const char *node)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        for (virStorageSource *src = def->disks[i]->src; src; src = src->backingStore) {
            if (g_strcmp0(src->nodeformat, node) == 0 ||
                g_strcmp0(src->nodestorage, node) == 0)
                return true;
        }
    }
    return false;
}

/*
 * Delete the block nodes of ours (the driver names them "libvirt-N-...")
 * that QEMU has and no chain of the live definition references: what a
 * revocation cut short left open. A node in use by another (the old
 * chain's lower images, under an upper one) goes once that one is gone,
 * so this runs until a round deletes nothing. vm locked; dropped while
 * QEMU is asked.
 *
 * Only while QEMU has no job at all: QEMU 7.2 crashes (a NULL pointer in
 * the stream job's filter node) when query-named-block-nodes comes while
 * a stream job is concluded and not yet dismissed, and a running pull can
 * conclude by itself at any moment (an I/O error). No new job can begin
 * meanwhile: this runs while the root is being opened, before any call
 * can start one. With a pull under way, stray nodes stay (their images
 * are given back all the same) until the domain stops.
 */
static void
qemuBlockJobDeleteStrayNodes(virDomainObj *vm)
{
    g_auto(GStrv) all = NULL;
    g_autoptr(GPtrArray) stray = g_ptr_array_new_with_free_func(g_free);
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;
    qemuMonitor *mon;
    bool progress = true;
    int rc;

    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        goto error;
    if ((rc = qemuMonitorQueryJobs(mon, &jobs, &njobs)) == 0 && njobs == 0)
        rc = qemuMonitorQueryNamedBlockNodes(mon, &all);
    qemuDomainObjExitMonitor(vm);
    qemuMonitorJobInfoListFree(jobs, njobs);
    if (rc < 0)
        goto error;
    if (njobs > 0) {
        VIR_DEBUG("domain '%s' has %zu jobs in QEMU: not looking for stray block nodes",
                  vm->def->name, njobs);
        return;
    }
    for (size_t i = 0; all[i]; i++) {
        if (g_str_has_prefix(all[i], "libvirt-") &&
            !qemuBlockJobDefHasNode(vm->def, all[i]))
            g_ptr_array_add(stray, g_strdup(all[i]));
    }
    if (stray->len == 0)
        return;

    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        goto error;
    while (progress && stray->len > 0) {
        progress = false;
        for (guint i = 0; i < stray->len;) {
            if (qemuMonitorBlockdevDel(mon, g_ptr_array_index(stray, i)) == 0) {
                VIR_DEBUG("deleted stray block node '%s' of domain '%s'",
                          (const char *) g_ptr_array_index(stray, i), vm->def->name);
                g_ptr_array_remove_index(stray, i);
                progress = true;
            } else {
                virResetLastError();
                i++;
            }
        }
    }
    qemuDomainObjExitMonitor(vm);
    for (guint i = 0; i < stray->len; i++) {
        VIR_WARN("cannot delete block node '%s' of domain '%s', which no disk uses: its image stays open in QEMU",
                 (const char *) g_ptr_array_index(stray, i), vm->def->name);
    }
    return;

 error:
    VIR_WARN("cannot look for block nodes of domain '%s' that no disk uses: %s",
             vm->def->name, virGetLastErrorMessage());
    virResetLastError();
}

void
qemuBlockJobsReconcile(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func(g_free);

    if (!priv->labels || !virDomainObjIsActive(vm))
        return;
    for (size_t i = 0; priv->labels[i]; i++) {
        if (!qemuBlockJobDefUses(vm->def, priv->labels[i]))
            g_ptr_array_add(unused, g_strdup(priv->labels[i]));
    }
    /* Only a revocation cut short leaves nodes behind, and it leaves an
     * image no chain uses as well: QEMU is not asked (two round trips at
     * every reconnect) otherwise. As in a revocation, QEMU lets go of the
     * images before they are given back. */
    if (unused->len == 0)
        return;
    qemuBlockJobDeleteStrayNodes(vm);
    for (guint i = 0; i < unused->len; i++) {
        const char *path = g_ptr_array_index(unused, i);

        VIR_WARN("image '%s' is labelled for domain '%s' but none of its disks uses it (a revocation was cut short): giving it back",
                 path, vm->def->name);
        qemuBlockJobGiveBack(driver, vm, path);
    }
    qemuDomainSaveStatus(driver, vm);
}

G_STATIC_ASSERT((int) VIR_DOMAIN_BLOCK_PULL_COMPLETED == (int) VIR_DOMAIN_BLOCK_JOB_COMPLETED);
G_STATIC_ASSERT((int) VIR_DOMAIN_BLOCK_PULL_FAILED == (int) VIR_DOMAIN_BLOCK_JOB_FAILED);
G_STATIC_ASSERT((int) VIR_DOMAIN_BLOCK_PULL_CANCELED == (int) VIR_DOMAIN_BLOCK_JOB_CANCELED);

/* Add libvirt's two events of a pull's end (BLOCK_JOB with the top image's
 * @path, BLOCK_JOB_2 with the target @diskname) to @events, in that
 * order. The seed's @status values are libvirt's. */
static void
qemuBlockJobAddJobEvents(virDomainObj *vm, GPtrArray *events,
                         const char *diskname, const char *path, int status)
{
    g_ptr_array_add(events,
                    virDomainEventBlockJobNew(VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                              vm->def->name, vm->def->uuid,
                                              vm->def->id, path,
                                              VIR_DOMAIN_BLOCK_JOB_TYPE_PULL,
                                              status));
    g_ptr_array_add(events,
                    virDomainEventBlockJobNew(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                              vm->def->name, vm->def->uuid,
                                              vm->def->id, diskname,
                                              VIR_DOMAIN_BLOCK_JOB_TYPE_PULL,
                                              status));
}

/*
 * The job is over in QEMU (concluded and dismissed, or gone): finish it
 * our side and tell the application. @nodesDeleted: a completed pull's
 * old nodes were deleted already (see qemuBlockJobRevoke()). vm locked.
 */
static void
qemuBlockJobFinish(qemuDriver *driver, virDomainObj *vm, qemuBlockJob *job,
                   bool failed, const char *errmsg, bool nodesDeleted)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    virDomainDiskDef *disk = qemuBlockJobDisk(vm, job);
    g_autofree char *jobid = NULL;
    g_autofree char *path = NULL;
    g_autofree char *diskname = NULL;
    virDomainEvent *event = NULL;
    unsigned int serial;
    int status;

    if (!failed) {
        status = VIR_DOMAIN_BLOCK_PULL_COMPLETED;
    } else if (job->abortRequested) {
        status = VIR_DOMAIN_BLOCK_PULL_CANCELED;
    } else {
        status = VIR_DOMAIN_BLOCK_PULL_FAILED;
        VIR_ERROR("block pull of disk '%s' of domain '%s' failed: %s",
                  job->disk, vm->def->name, errmsg ? errmsg : "unknown error");
        if (priv->logPath) {
            g_autofree char *line = g_strdup_printf("block pull of disk '%s' failed: %s\n",
                                                    job->disk,
                                                    errmsg ? errmsg : "unknown error");
            virFileAppend(priv->logPath, line);
        }
    }
    VIR_DEBUG("block pull of disk '%s' of domain '%s' ended: status %d",
              job->disk, vm->def->name, status);

    jobid = g_strdup(job->jobid);
    if (status == VIR_DOMAIN_BLOCK_PULL_COMPLETED && disk) {
        g_autofree char *base = g_strdup(job->base);

        qemuBlockJobRevoke(driver, vm, disk, base, nodesDeleted);
        /* The lock was dropped while QEMU deleted the nodes: if the domain
         * stopped meanwhile, the pull's end has been told already. */
        if (!(job = qemuBlockJobFindByJobID(vm, jobid)))
            return;
        disk = qemuBlockJobDisk(vm, job);
    }
    path = disk ? g_strdup(disk->src->path) : NULL;
    diskname = g_strdup(job->disk);
    serial = job->serial;

    /* The record goes, the status file says so, and only then does the
     * application hear of it: told before, the end could be told again,
     * differently, by a process reading the old record. */
    qemuBlockJobRemove(vm, job);
    if (path) {
        event = virDomainEventBlockPullNew(vm->def->name, vm->def->uuid,
                                           vm->def->id, diskname, serial,
                                           path, status);
        g_ptr_array_add(priv->pendingEvents, event);
        qemuBlockJobAddJobEvents(vm, priv->pendingEvents, diskname, path, status);
    }
    qemuDomainSaveStatusEvent(driver, vm, NULL);
}

/* Take the result of @job from QEMU's list of jobs: returns true if the
 * list shows it concluded, with job->failed and job->errmsg set. */
static bool
qemuBlockJobReadResult(qemuBlockJob *job, const qemuMonitorJobInfo *jobs,
                       size_t njobs)
{
    bool found = false;

    for (size_t i = 0; i < njobs; i++) {
        if (strcmp(jobs[i].id, job->jobid) != 0 ||
            jobs[i].status != QEMU_MONITOR_JOB_STATUS_CONCLUDED)
            continue;
        found = true;
        job->failed = jobs[i].error != NULL;
        g_free(job->errmsg);
        job->errmsg = g_strdup(jobs[i].error);
    }
    if (found) {
        job->state = QEMU_BLOCKJOB_STATE_CONCLUDED;
        if (!job->failed)
            job->cur = job->end = MAX(job->end, job->cur);
    }
    return found;
}

/*
 * QEMU concluded the job by itself (a failure or a cancel: those never
 * pass pending), or it was found concluded at a reconnect: read its
 * result, dismiss it, finish. vm locked.
 *
 * The result is not saved before the dismiss: the one durable write of a
 * pull's end is the finish's, which records the end and is followed by
 * the event. Were we to die in between, the next process finds the job
 * gone from QEMU with the record still saying it ran, and tells a
 * completed pull from the disk's nodes in QEMU (the top has no backing
 * node left), a failed one as FAILED (CANCELED if an abort had been
 * asked for, which is recorded before the cancel is sent): only a
 * failure's text would be lost.
 */
static void
qemuBlockJobConcluded(qemuDriver *driver, virDomainObj *vm, qemuBlockJob *job)
{
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;
    g_autofree char *jobid = g_strdup(job->jobid);
    qemuMonitor *mon;
    bool found;
    int rc;

    if (!(mon = qemuDomainObjEnterMonitor(vm))) {
        virResetLastError();
        return;
    }
    rc = qemuMonitorQueryJobs(mon, &jobs, &njobs);
    qemuDomainObjExitMonitor(vm);
    /* The job may have been finished by someone else meanwhile. */
    if (!(job = qemuBlockJobFindByJobID(vm, jobid))) {
        qemuMonitorJobInfoListFree(jobs, njobs);
        return;
    }
    if (rc < 0) {
        VIR_WARN("cannot read the result of job '%s': %s", jobid,
                 virGetLastErrorMessage());
        virResetLastError();
        return;
    }
    found = qemuBlockJobReadResult(job, jobs, njobs);
    qemuMonitorJobInfoListFree(jobs, njobs);
    if (!found)
        return;

    if ((mon = qemuDomainObjEnterMonitor(vm))) {
        if (qemuMonitorJobDismiss(mon, jobid) < 0) {
            VIR_WARN("cannot dismiss job '%s': %s", jobid, virGetLastErrorMessage());
            virResetLastError();
        }
        qemuDomainObjExitMonitor(vm);
    } else {
        virResetLastError();
    }
    if ((job = qemuBlockJobFindByJobID(vm, jobid)))
        qemuBlockJobFinish(driver, vm, job, job->failed, job->errmsg, false);
}

static int
qemuBlockJobCompletedInQEMU(virDomainObj *vm, qemuBlockJob *job);

/* The batch of qemuBlockJobPending(): where each command is. */
enum {
    QEMU_BLOCKJOB_BATCH_FINALIZE,
    QEMU_BLOCKJOB_BATCH_QUERY,
    QEMU_BLOCKJOB_BATCH_DISMISS,
    QEMU_BLOCKJOB_BATCH_DEL,        /* the deletions, from here on */
};

/*
 * The copy is done and QEMU waits for our word: finalize, and finish the
 * pull in the same round trip. vm locked.
 *
 * One batch (qemuMonitorRunBatch()): job-finalize, query-jobs, job-dismiss,
 * then blockdev-del of each node a completed pull leaves. QEMU runs them
 * in order: job-finalize makes the job's changes (the top loses its
 * backing link; BLOCK_JOB_COMPLETED goes out, with "error" if that
 * failed) and concludes it; query-jobs then shows the result; job-dismiss
 * removes the concluded job; the deletions close the old chain's files.
 * If the finalize failed (the job's changes could not be made), the old
 * nodes are still the top's backing, and QEMU refuses to delete a node in
 * use: those deletions fail and change nothing. If the job was not
 * concluded by the finalize (refused: no longer pending), the dismiss and
 * the deletions fail likewise, and the job's later events finish it.
 *
 * Crash safety: nothing is saved between QEMU's end of the job and the
 * finish's save, which records the end (the old chain still in the live
 * XML until the images are given back) and only then queues the event.
 * Were we to die anywhere before it, the next process reads the record
 * saved when the pull ran, finds the job concluded (and finishes it as
 * here) or gone, and then asks QEMU whether the top still has a backing
 * node: none means completed, and it revokes again (deleting a node that
 * is gone already changes nothing) before it tells COMPLETED. Only a
 * failure's text could be lost.
 */
static void
qemuBlockJobPending(qemuDriver *driver, virDomainObj *vm, qemuBlockJob *job)
{
    g_autofree char *jobid = g_strdup(job->jobid);
    virDomainDiskDef *disk = qemuBlockJobDisk(vm, job);
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    g_autofree qemuMonitorBatchItem *items = NULL;
    size_t nitems;
    qemuMonitor *mon;
    bool finalized;
    bool dismissed;
    bool found = false;
    bool ok = true;
    int rc;

    job->state = QEMU_BLOCKJOB_STATE_PENDING;
    virDomainObjBroadcast(vm);
    if (disk)
        qemuBlockJobOldChain(vm, disk, job->base, nodes, NULL, &ok);
    if (!ok)
        g_ptr_array_set_size(nodes, 0);

    nitems = QEMU_BLOCKJOB_BATCH_DEL + nodes->len;
    items = g_new0(qemuMonitorBatchItem, nitems);
    items[QEMU_BLOCKJOB_BATCH_FINALIZE].cmd = QEMU_MONITOR_BATCH_JOB_FINALIZE;
    items[QEMU_BLOCKJOB_BATCH_FINALIZE].arg = jobid;
    items[QEMU_BLOCKJOB_BATCH_QUERY].cmd = QEMU_MONITOR_BATCH_QUERY_JOBS;
    items[QEMU_BLOCKJOB_BATCH_DISMISS].cmd = QEMU_MONITOR_BATCH_JOB_DISMISS;
    items[QEMU_BLOCKJOB_BATCH_DISMISS].arg = jobid;
    for (guint i = 0; i < nodes->len; i++) {
        items[QEMU_BLOCKJOB_BATCH_DEL + i].cmd = QEMU_MONITOR_BATCH_BLOCKDEV_DEL;
        items[QEMU_BLOCKJOB_BATCH_DEL + i].arg = g_ptr_array_index(nodes, i);
    }

    if (!(mon = qemuDomainObjEnterMonitor(vm))) {
        virResetLastError();
        return;
    }
    if ((rc = qemuMonitorRunBatch(mon, items, nitems)) < 0) {
        VIR_WARN("cannot finish job '%s': %s", jobid, virGetLastErrorMessage());
        virResetLastError();
    }
    qemuDomainObjExitMonitor(vm);

    finalized = items[QEMU_BLOCKJOB_BATCH_FINALIZE].rc == 0;
    dismissed = items[QEMU_BLOCKJOB_BATCH_DISMISS].rc == 0;
    if (!finalized && rc == 0)
        VIR_WARN("cannot finalize job '%s': %s", jobid,
                 NULLSTR(items[QEMU_BLOCKJOB_BATCH_FINALIZE].error));

    /* The domain may have stopped meanwhile, which ended the pull. */
    if (!(job = qemuBlockJobFindByJobID(vm, jobid)))
        goto cleanup;
    if (items[QEMU_BLOCKJOB_BATCH_QUERY].rc == 0)
        found = qemuBlockJobReadResult(job, items[QEMU_BLOCKJOB_BATCH_QUERY].jobs,
                                       items[QEMU_BLOCKJOB_BATCH_QUERY].njobs);

    if (found) {
        if (!dismissed)
            VIR_WARN("cannot dismiss job '%s': %s", jobid,
                     NULLSTR(items[QEMU_BLOCKJOB_BATCH_DISMISS].error));
        /* A failed pull's deletions were refused as expected. */
        if (!job->failed)
            qemuBlockJobWarnDeletions(vm, items, nitems);
        qemuBlockJobFinish(driver, vm, job, job->failed, job->errmsg, true);
    } else if (dismissed) {
        int completed;

        /* Gone from QEMU, but its result was not read (query-jobs
         * failed): as after a restart, the top's backing tells. */
        VIR_WARN("cannot read the result of job '%s': %s", jobid,
                 NULLSTR(items[QEMU_BLOCKJOB_BATCH_QUERY].error));
        if ((completed = qemuBlockJobCompletedInQEMU(vm, job)) < 0) {
            VIR_WARN("cannot tell how job '%s' of domain '%s' ended: %s",
                     jobid, vm->def->name, virGetLastErrorMessage());
            virResetLastError();
        }
        if (!(job = qemuBlockJobFindByJobID(vm, jobid)))
            goto cleanup;
        if (completed == 1) {
            /* The deletions came after the job's end: they were the
             * revocation's. */
            qemuBlockJobWarnDeletions(vm, items, nitems);
            qemuBlockJobFinish(driver, vm, job, false, NULL, true);
        } else {
            qemuBlockJobFinish(driver, vm, job, true,
                               "the result of the job could not be read from QEMU",
                               false);
        }
    } else if (items[QEMU_BLOCKJOB_BATCH_QUERY].rc < 0 && rc == 0) {
        VIR_WARN("cannot read the result of job '%s': %s", jobid,
                 NULLSTR(items[QEMU_BLOCKJOB_BATCH_QUERY].error));
    }
    /* Otherwise not concluded yet: its events finish it. */

 cleanup:
    qemuMonitorBatchClear(items, nitems);
}

void
qemuBlockJobHandleStatusChange(qemuDriver *driver, virDomainObj *vm,
                               const char *jobid, qemuMonitorJobStatus status)
{
    qemuBlockJob *job;

    if (!virDomainObjIsActive(vm) || !(job = qemuBlockJobFindByJobID(vm, jobid)))
        return;
    VIR_DEBUG("job '%s' of domain '%s' is now %s", jobid, vm->def->name,
              qemuMonitorJobStatusToString(status));

    /* The other states need nothing from us: a job that fails goes
     * aborting -> concluded, a cancelled one likewise. */
    if (status == QEMU_MONITOR_JOB_STATUS_PENDING)
        qemuBlockJobPending(driver, vm, job);
    else if (status == QEMU_MONITOR_JOB_STATUS_CONCLUDED)
        qemuBlockJobConcluded(driver, vm, job);
}

void
qemuBlockJobHandleIOError(virDomainObj *vm, const char *jobid,
                          const char *operation, const char *action)
{
    /* The job's end (and its error) comes with JOB_STATUS_CHANGE. */
    VIR_WARN("block job I/O error in domain '%s': job '%s', %s error, action '%s'",
             vm->def->name, jobid, operation, action);
}

void
qemuBlockJobsEndOnStop(virDomainObj *vm, GPtrArray *events)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    while (priv->blockjobs->len > 0) {
        qemuBlockJob *job = g_ptr_array_index(priv->blockjobs, 0);
        virDomainDiskDef *disk = qemuBlockJobDisk(vm, job);

        /* A pull that QEMU had accepted ends with the domain; one that was
         * only recorded never started, so no one waits for its end. */
        if (disk && job->state != QEMU_BLOCKJOB_STATE_NEW) {
            int status = job->abortRequested ? VIR_DOMAIN_BLOCK_PULL_CANCELED :
                                               VIR_DOMAIN_BLOCK_PULL_FAILED;

            g_ptr_array_add(events,
                            virDomainEventBlockPullNew(vm->def->name, vm->def->uuid,
                                                       vm->def->id, job->disk,
                                                       job->serial, disk->src->path,
                                                       status));
            qemuBlockJobAddJobEvents(vm, events, job->disk, disk->src->path, status);
        }
        qemuBlockJobRemove(vm, job);
    }
}

/* Did the pull of @job complete in QEMU? A completed pull leaves the
 * disk's top node without a backing node. Returns 1 if it did, 0 if not,
 * -1 if QEMU could not say. vm locked; dropped while asking. */
static int
qemuBlockJobCompletedInQEMU(virDomainObj *vm, qemuBlockJob *job)
{
    virDomainDiskDef *disk = qemuBlockJobDisk(vm, job);
    g_autofree char *node = NULL;
    qemuMonitor *mon;
    bool backing;
    int rc;

    if (!disk || !disk->src->nodeformat) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "disk '%s' of domain '%s' has no block node", job->disk,
                       vm->def->name);
        return -1;
    }
    node = g_strdup(disk->src->nodeformat);
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorBlockNodeHasBacking(mon, node, &backing);
    qemuDomainObjExitMonitor(vm);
    if (rc < 0)
        return -1;
    return backing ? 0 : 1;
}

/* Let a job a step had slowed run at full speed (a warning if QEMU
 * refuses: it still runs, only slower). vm locked. */
static void
qemuBlockJobSetFullSpeed(qemuDriver *driver, virDomainObj *vm, const char *jobid,
                         unsigned long long bandwidth)
{
    qemuMonitor *mon;

    if (!(mon = qemuDomainObjEnterMonitor(vm))) {
        virResetLastError();
        return;
    }
    if (qemuMonitorBlockJobSetSpeed(mon, jobid,
                                    qemuBlockJobSpeed(driver, false, bandwidth)) < 0) {
        VIR_WARN("cannot set the speed of job '%s': %s", jobid,
                 virGetLastErrorMessage());
        virResetLastError();
    }
    qemuDomainObjExitMonitor(vm);
}

int
qemuBlockJobsReconnect(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;
    qemuMonitor *mon;
    g_auto(GStrv) ids = NULL;
    int rc;

    if (priv->blockjobs->len == 0)
        return 0;
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorQueryJobs(mon, &jobs, &njobs);
    qemuDomainObjExitMonitor(vm);
    if (rc < 0)
        return -1;

    /* Work from a copy of the ids: finishing a job changes the list. */
    {
        g_autoptr(GPtrArray) list = g_ptr_array_new();
        for (guint i = 0; i < priv->blockjobs->len; i++) {
            qemuBlockJob *job = g_ptr_array_index(priv->blockjobs, i);
            g_ptr_array_add(list, g_strdup(job->jobid));
        }
        g_ptr_array_add(list, NULL);
        ids = (char **) g_ptr_array_free(g_steal_pointer(&list), FALSE);
    }

    for (size_t i = 0; ids[i]; i++) {
        qemuBlockJob *job = qemuBlockJobFindByJobID(vm, ids[i]);
        qemuMonitorJobInfo *info = NULL;

        if (!job)
            continue;
        for (size_t j = 0; j < njobs; j++) {
            if (strcmp(jobs[j].id, ids[i]) == 0)
                info = &jobs[j];
        }
        if (!info) {
            int completed = 0;

            /* Gone from QEMU, which only happens once it concluded and was
             * dismissed: unless the record says how it ended, it may be
             * older than the end (we died before a save could succeed).
             * A completed pull left the top without a backing node. */
            if (job->state != QEMU_BLOCKJOB_STATE_CONCLUDED) {
                if ((completed = qemuBlockJobCompletedInQEMU(vm, job)) < 0) {
                    VIR_WARN("cannot tell how job '%s' of domain '%s' ended: %s",
                             ids[i], vm->def->name, virGetLastErrorMessage());
                    virResetLastError();
                }
                if (!(job = qemuBlockJobFindByJobID(vm, ids[i])))
                    continue;
            }
            if (completed == 1) {
                qemuBlockJobFinish(driver, vm, job, false, NULL, false);
            } else if (job->state == QEMU_BLOCKJOB_STATE_NEW) {
                /* We died before QEMU accepted it: it never began. */
                qemuBlockJobRemove(vm, job);
                qemuDomainSaveStatus(driver, vm);
            } else if (job->state == QEMU_BLOCKJOB_STATE_CONCLUDED) {
                /* Dismissed, but we died before finishing our side. */
                qemuBlockJobFinish(driver, vm, job, job->failed, job->errmsg, false);
            } else {
                qemuBlockJobFinish(driver, vm, job, true,
                                   "the job disappeared from QEMU while the "
                                   "driver was not running", false);
            }
            continue;
        }
        VIR_DEBUG("reconnected job '%s': QEMU says %s", ids[i],
                  qemuMonitorJobStatusToString(info->status));
        switch (info->status) {
        case QEMU_MONITOR_JOB_STATUS_CONCLUDED:
            qemuBlockJobConcluded(driver, vm, job);
            break;
        case QEMU_MONITOR_JOB_STATUS_PENDING:
            qemuBlockJobPending(driver, vm, job);
            break;
        case QEMU_MONITOR_JOB_STATUS_PAUSED:
            job->state = QEMU_BLOCKJOB_STATE_PAUSED;
            break;
        default:
            /* Running in QEMU: whatever we recorded (we may have died in
             * the middle of a step), it goes on in the background now, at
             * full speed if a step had slowed it. */
            if (job->stepwise)
                qemuBlockJobSetFullSpeed(driver, vm, ids[i], job->bandwidth);
            if ((job = qemuBlockJobFindByJobID(vm, ids[i]))) {
                job->stepwise = false;
                job->state = QEMU_BLOCKJOB_STATE_RUNNING;
            }
            break;
        }
    }
    qemuMonitorJobInfoListFree(jobs, njobs);
    qemuDomainSaveStatus(driver, vm);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The API side                                                         */

virDomainDiskDef *
qemuBlockPullFindDisk(virDomainObj *vm, const char *path)
{
    virDomainDiskDef *disk;

    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        return NULL;
    }
    if (!(disk = virDomainDiskByName(vm->def, path))) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "domain '%s' has no disk with path or target '%s'",
                       vm->def->name, path);
        return NULL;
    }
    return disk;
}

/* Wait until the job of @disk is gone (finished by the event worker).
 * vm locked; the lock is released while waiting. */
static int
qemuBlockPullWaitEnd(virDomainObj *vm, const char *diskname)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    gint64 deadline = g_get_monotonic_time() +
        (gint64) QEMU_BLOCKJOB_END_TIMEOUT_MS * 1000;

    while (qemuBlockJobFind(vm, diskname)) {
        if (priv->monEOF || !virDomainObjIsActive(vm)) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "domain '%s' stopped during the block pull of disk '%s'",
                           vm->def->name, diskname);
            return -1;
        }
        if (!virDomainObjWaitUntil(vm, deadline)) {
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           "QEMU did not end the block pull of disk '%s' of "
                           "domain '%s' in time", diskname, vm->def->name);
            return -1;
        }
    }
    return 0;
}

/* Create the job in QEMU: recorded first, then sent. vm locked, job held.
 * On success *jobid names the job, which may already have ended (a small
 * disk: the event worker can finish it before we are back). */
static int
qemuBlockPullCreate(qemuDriver *driver, virDomainObj *vm,
                    virDomainDiskDef *disk, bool stepwise,
                    const qemuBlockPullParams *params, char **jobidOut)
{
    static const qemuBlockPullParams whole = { 0 };
    qemuBlockJob *job;
    g_autofree char *jobid = NULL;
    g_autofree char *node = NULL;
    g_autofree char *baseNode = NULL;
    g_autofree char *backingFile = NULL;
    unsigned long long bandwidth;
    g_autofree char *diskname = g_strdup(disk->dst);
    unsigned int serial;
    qemuMonitor *mon;
    int rc;

    if (virStorageSourceChainLength(disk->src) == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "disk '%s' of domain '%s' has no backing image to pull from",
                       disk->dst, vm->def->name);
        return -1;
    }
    if (!params)
        params = &whole;
    if (params->base && !params->base->nodeformat) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "image '%s' of disk '%s' has no block node",
                       params->base->path, disk->dst);
        return -1;
    }
    job = qemuBlockJobAdd(vm, disk->dst);
    job->stepwise = stepwise;
    job->end = qemuBlockJobImageSize(disk);
    job->bandwidth = bandwidth = params->bandwidth;
    if (params->base) {
        job->base = g_strdup(params->base->path);
        baseNode = g_strdup(params->base->nodeformat);
    }
    backingFile = g_strdup(params->backingFile);
    jobid = g_strdup(job->jobid);
    serial = job->serial;
    node = g_strdup(disk->src->nodeformat);
    /* Recorded before QEMU hears of it: were we to die once the job
     * runs, the next process must know of it to finish it. */
    if (qemuDomainSaveStatusRequired(driver, vm) < 0) {
        qemuBlockJobRemove(vm, job);
        return -1;
    }

    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        goto error;
    rc = qemuMonitorBlockStream(mon, jobid, node, baseNode, backingFile,
                                qemuBlockJobSpeed(driver, stepwise, bandwidth),
                                false, false);
    qemuDomainObjExitMonitor(vm);
    if (rc < 0)
        goto error;
    /* A new pull began: an older pull's end that nobody has heard yet must
     * not be taken for this one's by whoever listens from now on (virsh's
     * --wait, say). This pull's own end, which may already be queued,
     * carries its serial and stays. */
    virDomainEventStateBlockPullStarted(driver->eventState, vm->def->uuid,
                                        diskname, serial);
    /* Saved below with the job's new state. */
    virDomainObjDropHeldOutcome(vm, diskname);
    if ((job = qemuBlockJobFindByJobID(vm, jobid))) {
        if (job->state == QEMU_BLOCKJOB_STATE_NEW)
            job->state = QEMU_BLOCKJOB_STATE_RUNNING;
        qemuDomainSaveStatus(driver, vm);
    }
    *jobidOut = g_steal_pointer(&jobid);
    return 0;

 error:
    if ((job = qemuBlockJobFindByJobID(vm, jobid))) {
        qemuBlockJobRemove(vm, job);
        qemuDomainSaveStatus(driver, vm);
    }
    return -1;
}

int
qemuBlockPullAll(qemuDriver *driver, virDomainObj *vm, const char *path)
{
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    qemuMonitor *mon;
    int rc;

    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        return -1;
    if (!(job = qemuBlockJobFind(vm, disk->dst))) {
        g_autofree char *jobid = NULL;
        return qemuBlockPullCreate(driver, vm, disk, false, NULL, &jobid);
    }

    if (job->state != QEMU_BLOCKJOB_STATE_PAUSED || job->abortRequested) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "a block pull is already active on disk '%s' of domain '%s'",
                       disk->dst, vm->def->name);
        return -1;
    }
    /* A pull begun step by step goes on in the background, at full
     * speed again. */
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorBlockJobSetSpeed(mon, job->jobid,
                                     qemuBlockJobSpeed(driver, false, job->bandwidth));
    if (rc == 0)
        rc = qemuMonitorBlockJobResume(mon, job->jobid);
    qemuDomainObjExitMonitor(vm);
    if (rc < 0)
        return -1;
    if ((job = qemuBlockJobFind(vm, disk->dst))) {
        job->stepwise = false;
        if (job->state == QEMU_BLOCKJOB_STATE_PAUSED)
            job->state = QEMU_BLOCKJOB_STATE_RUNNING;
        qemuDomainSaveStatus(driver, vm);
    }
    return 0;
}

/* Read the job's progress from QEMU (one round trip). Returns 1 if QEMU
 * lists the job, 0 if not (it ended), -1 on error. vm locked. */
static int
qemuBlockPullQuery(virDomainObj *vm, const char *jobid,
                   qemuMonitorBlockJobInfo *out)
{
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;
    qemuMonitor *mon;
    int ret = 0;

    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    if (qemuMonitorQueryBlockJobs(mon, &jobs, &njobs) < 0) {
        qemuDomainObjExitMonitor(vm);
        return -1;
    }
    qemuDomainObjExitMonitor(vm);
    for (size_t i = 0; i < njobs; i++) {
        if (strcmp(jobs[i].id, jobid) == 0) {
            out->offset = jobs[i].offset;
            out->len = jobs[i].len;
            out->paused = jobs[i].paused;
            out->busy = jobs[i].busy;
            out->status = NULL;
            ret = 1;
            if (g_strcmp0(jobs[i].status, "pending") == 0 ||
                g_strcmp0(jobs[i].status, "waiting") == 0 ||
                g_strcmp0(jobs[i].status, "concluded") == 0 ||
                g_strcmp0(jobs[i].status, "aborting") == 0)
                ret = 0;
        }
    }
    qemuMonitorBlockJobInfoListFree(jobs, njobs);
    return ret;
}

/* Fold QEMU's numbers into what we report: end > 0, cur <= end, and cur
 * never goes backwards (QEMU's len moves both ways, and is 0 at first). */
static void
qemuBlockPullUpdate(qemuBlockJob *job, unsigned long long offset,
                    unsigned long long len)
{
    job->end = MAX(job->end, len);
    job->cur = MAX(job->cur, offset);
    job->end = MAX(job->end, job->cur);
    if (job->end == 0)
        job->end = 1;
}

int
qemuBlockPullStep(qemuDriver *driver, virDomainObj *vm, const char *path,
                  virDomainBlockPullInfoPtr info)
{
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    g_autofree char *jobid = NULL;
    g_autofree char *diskname = NULL;
    qemuMonitorBlockJobInfo st = { 0 };
    unsigned long long start;
    unsigned long long knownEnd = 0;    /* the job's end, as last known */
    gint64 deadline;
    qemuMonitor *mon;
    int rc;

    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        return -1;
    diskname = g_strdup(disk->dst);
    if ((job = qemuBlockJobFind(vm, diskname))) {
        if (job->state != QEMU_BLOCKJOB_STATE_PAUSED || !job->stepwise) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           "a block pull is running in the background on disk '%s' "
                           "of domain '%s'; follow it with virDomainGetBlockPullInfo",
                           diskname, vm->def->name);
            return -1;
        }
        jobid = g_strdup(job->jobid);
        start = job->cur;
        /* Known before the resume: the last chunk may finish, and the
         * worker finish the job, before this thread looks again. */
        knownEnd = job->end;
        /* Recorded as running before it runs: after a restart in the
         * middle of a step, the record agrees with QEMU. */
        job->state = QEMU_BLOCKJOB_STATE_RUNNING;
        qemuDomainSaveStatus(driver, vm);
        if (!(mon = qemuDomainObjEnterMonitor(vm)))
            return -1;
        rc = qemuMonitorBlockJobResume(mon, jobid);
        qemuDomainObjExitMonitor(vm);
        if (rc < 0) {
            if ((job = qemuBlockJobFindByJobID(vm, jobid)) &&
                job->state == QEMU_BLOCKJOB_STATE_RUNNING) {
                job->state = QEMU_BLOCKJOB_STATE_PAUSED;
                qemuDomainSaveStatus(driver, vm);
            }
            return -1;
        }
    } else {
        if (qemuBlockPullCreate(driver, vm, disk, true, NULL, &jobid) < 0)
            return -1;
        start = 0;
    }

    /* Let it run until it moved at least one chunk, then pause it at once:
     * a step is a chunk or two, whatever the disk's size. */
    deadline = g_get_monotonic_time() + QEMU_BLOCKJOB_STEP_MAX_MS * 1000;
    if ((job = qemuBlockJobFindByJobID(vm, jobid)))
        knownEnd = MAX(knownEnd, job->end);
    for (;;) {
        virDomainObjWaitUntil(vm, g_get_monotonic_time() + QEMU_BLOCKJOB_STEP_POLL_US);
        if (!(job = qemuBlockJobFindByJobID(vm, jobid)))
            break;
        knownEnd = MAX(knownEnd, job->end);
        if ((rc = qemuBlockPullQuery(vm, jobid, &st)) <= 0)
            break;
        if (st.offset > start || g_get_monotonic_time() >= deadline)
            break;
    }

    if ((job = qemuBlockJobFindByJobID(vm, jobid)) &&
        job->state == QEMU_BLOCKJOB_STATE_RUNNING) {
        /* Pause, and wait until QEMU really stopped: the pause takes
         * effect asynchronously, after the chunk in flight. */
        if ((mon = qemuDomainObjEnterMonitor(vm))) {
            rc = qemuMonitorBlockJobPause(mon, jobid);
            qemuDomainObjExitMonitor(vm);
            if (rc < 0) {
                /* It may have just finished: that is not an error. */
                virResetLastError();
            }
        }
        deadline = g_get_monotonic_time() + QEMU_BLOCKJOB_END_TIMEOUT_MS * 1000LL;
        while (qemuBlockJobFindByJobID(vm, jobid)) {
            if ((rc = qemuBlockPullQuery(vm, jobid, &st)) < 0)
                return -1;
            if (rc == 0)
                break;
            if (st.paused && !st.busy) {
                if ((job = qemuBlockJobFindByJobID(vm, jobid))) {
                    qemuBlockPullUpdate(job, st.offset, st.len);
                    job->state = QEMU_BLOCKJOB_STATE_PAUSED;
                    qemuDomainSaveStatus(driver, vm);
                }
                break;
            }
            if (g_get_monotonic_time() > deadline) {
                virReportError(VIR_ERR_OPERATION_TIMEOUT,
                               "QEMU did not pause the block pull of disk '%s'",
                               diskname);
                return -1;
            }
            virDomainObjWaitUntil(vm, g_get_monotonic_time() + 5000);
        }
    }

    job = qemuBlockJobFindByJobID(vm, jobid);
    if (job && job->state == QEMU_BLOCKJOB_STATE_PAUSED) {
        if (info) {
            info->cur = job->cur;
            info->end = job->end;
        }
        return 0;
    }

    /* The step reached the end: finish exactly as a background pull. */
    if (job) {
        unsigned long long end = job->end;
        if (qemuBlockPullWaitEnd(vm, diskname) < 0)
            return -1;
        if (info)
            info->cur = info->end = end;
    } else if (info) {
        /* Finished already (the worker may finish and dismiss the job
         * before a step looks at it again): QEMU lists it no more, so
         * the end is the one known last. */
        info->cur = info->end = MAX(MAX(st.len, knownEnd), 1);
    }
    /* Did it complete? The job's record is gone: look at the chain. */
    if ((disk = virDomainDiskByName(vm->def, diskname)) &&
        virStorageSourceChainLength(disk->src) > 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "the block pull of disk '%s' of domain '%s' failed; "
                       "see the domain's log", diskname, vm->def->name);
        return -1;
    }
    return 0;
}

/* Has QEMU's job done its work (waiting to be finalized, or concluded)?
 * Keeps the thread's error as it is. vm locked. */
static bool
qemuBlockJobIsEnding(virDomainObj *vm, const char *jobid)
{
    g_autoptr(virError) saved = NULL;
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;
    qemuMonitor *mon;
    bool ending = false;
    int rc;

    virErrorPreserveLast(&saved);
    if ((mon = qemuDomainObjEnterMonitor(vm))) {
        rc = qemuMonitorQueryJobs(mon, &jobs, &njobs);
        qemuDomainObjExitMonitor(vm);
        for (size_t i = 0; rc == 0 && i < njobs; i++) {
            if (strcmp(jobs[i].id, jobid) == 0 &&
                (jobs[i].status == QEMU_MONITOR_JOB_STATUS_WAITING ||
                 jobs[i].status == QEMU_MONITOR_JOB_STATUS_PENDING ||
                 jobs[i].status == QEMU_MONITOR_JOB_STATUS_ABORTING ||
                 jobs[i].status == QEMU_MONITOR_JOB_STATUS_CONCLUDED))
                ending = true;
        }
        qemuMonitorJobInfoListFree(jobs, njobs);
    }
    virErrorRestore(&saved);
    return ending;
}

int
qemuBlockPullAbort(qemuDriver *driver, virDomainObj *vm, const char *path)
{
    return qemuBlockPullCancel(driver, vm, path, false);
}

int
qemuBlockPullCancel(qemuDriver *driver, virDomainObj *vm, const char *path,
                    bool async)
{
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    g_autofree char *jobid = NULL;
    g_autofree char *diskname = NULL;
    qemuMonitor *mon;
    bool force;
    int rc;

    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        return -1;
    diskname = g_strdup(disk->dst);
    if (!(job = qemuBlockJobFind(vm, diskname)) ||
        job->state == QEMU_BLOCKJOB_STATE_NEW) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "no block pull is active on disk '%s' of domain '%s'",
                       diskname, vm->def->name);
        return -1;
    }
    jobid = g_strdup(job->jobid);
    if (job->state == QEMU_BLOCKJOB_STATE_RUNNING ||
        job->state == QEMU_BLOCKJOB_STATE_PAUSED) {
        /* Recorded before asking, so that CANCELED and FAILED stay apart
         * even across a restart. */
        job->abortRequested = true;
        qemuDomainSaveStatus(driver, vm);
        /* A paused job only goes away when forced. */
        force = job->state == QEMU_BLOCKJOB_STATE_PAUSED;
        if (!(mon = qemuDomainObjEnterMonitor(vm)))
            return -1;
        rc = qemuMonitorBlockJobCancel(mon, jobid, force);
        qemuDomainObjExitMonitor(vm);
        if (rc < 0) {
            /* QEMU refuses to cancel a job that finished copying meanwhile
             * (its events may not have reached us yet): it then ends by
             * itself, and the event tells how. A job the worker is
             * finishing (pending: finalized and dismissed in one round
             * trip) may be gone from QEMU already. */
            if (!(job = qemuBlockJobFindByJobID(vm, jobid)) ||
                job->state == QEMU_BLOCKJOB_STATE_PENDING ||
                job->state == QEMU_BLOCKJOB_STATE_CONCLUDED ||
                qemuBlockJobIsEnding(vm, jobid)) {
                virResetLastError();
            } else {
                if ((job = qemuBlockJobFindByJobID(vm, jobid)))
                    job->abortRequested = false;
                qemuDomainSaveStatus(driver, vm);
                return -1;
            }
        }
    }
    if (async)
        return 0;
    return qemuBlockPullWaitEnd(vm, diskname);
}

int
qemuBlockPullGetInfo(virDomainObj *vm, const char *path,
                     virDomainBlockPullInfoPtr info)
{
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    g_autofree char *jobid = NULL;
    qemuMonitorBlockJobInfo st = { 0 };
    int rc;

    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        return -1;
    info->cur = info->end = 0;
    if (!(job = qemuBlockJobFind(vm, disk->dst)))
        return 0;
    jobid = g_strdup(job->jobid);
    if (job->state == QEMU_BLOCKJOB_STATE_RUNNING) {
        if ((rc = qemuBlockPullQuery(vm, jobid, &st)) < 0)
            return -1;
        if (!(job = qemuBlockJobFindByJobID(vm, jobid))) {
            /* It ended while we asked: no pull is active any more. */
            return 0;
        }
        if (rc == 1)
            qemuBlockPullUpdate(job, st.offset, st.len);
        else
            qemuBlockPullUpdate(job, job->end, st.len);
    } else if (job->state == QEMU_BLOCKJOB_STATE_PENDING ||
               job->state == QEMU_BLOCKJOB_STATE_CONCLUDED) {
        if (!job->failed)
            qemuBlockPullUpdate(job, job->end, 0);
    } else {
        qemuBlockPullUpdate(job, 0, 0);
    }
    info->cur = job->cur;
    info->end = job->end;
    return 0;
}

int
qemuBlockPullStart(qemuDriver *driver, virDomainObj *vm, virDomainDiskDef *disk,
                   const qemuBlockPullParams *params)
{
    g_autofree char *jobid = NULL;

    if (qemuBlockJobFind(vm, disk->dst)) {
        virReportError(VIR_ERR_BLOCK_COPY_ACTIVE,
                       "disk '%s' of domain '%s' already has an active block job",
                       disk->dst, vm->def->name);
        return -1;
    }
    return qemuBlockPullCreate(driver, vm, disk, false, params, &jobid);
}

int
qemuBlockPullSetSpeed(qemuDriver *driver, virDomainObj *vm, const char *path,
                      unsigned long long bandwidth)
{
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    g_autofree char *jobid = NULL;
    unsigned long long old;
    qemuMonitor *mon;
    int rc;

    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        return -1;
    if (!(job = qemuBlockJobFind(vm, disk->dst)) ||
        job->state == QEMU_BLOCKJOB_STATE_NEW) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "disk '%s' of domain '%s' does not have an active block job",
                       disk->dst, vm->def->name);
        return -1;
    }
    old = job->bandwidth;
    job->bandwidth = bandwidth;
    /* A step-wise pull keeps its own pace between and during steps: the
     * limit applies once it goes on in the background. A job that is
     * ending has nothing left to slow down. */
    if (job->stepwise || job->state != QEMU_BLOCKJOB_STATE_RUNNING) {
        qemuDomainSaveStatus(driver, vm);
        return 0;
    }
    jobid = g_strdup(job->jobid);
    if (!(mon = qemuDomainObjEnterMonitor(vm)))
        return -1;
    rc = qemuMonitorBlockJobSetSpeed(mon, jobid,
                                     qemuBlockJobSpeed(driver, false, bandwidth));
    qemuDomainObjExitMonitor(vm);
    if (rc < 0) {
        /* It may have ended meanwhile: that is no error of the caller's. */
        if (!qemuBlockJobFindByJobID(vm, jobid) || qemuBlockJobIsEnding(vm, jobid)) {
            virResetLastError();
            return 0;
        }
        if ((job = qemuBlockJobFindByJobID(vm, jobid)))
            job->bandwidth = old;
        return -1;
    }
    qemuDomainSaveStatus(driver, vm);
    return 0;
}

/*
 * qemu_blockjob.h: the block pull state machine: QEMU's block-stream job,
 * driven by its events, finished by the driver (finalize, read the result,
 * dismiss, drop the old nodes, revoke access, emit the event).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_domain.h"

/* The monitor events about jobs (vm locked, from the event worker):
 * QEMU's JOB_STATUS_CHANGE of job @jobid, and BLOCK_JOB_ERROR. */
void qemuBlockJobHandleStatusChange(qemuDriver *driver, virDomainObj *vm,
                                    const char *jobid,
                                    qemuMonitorJobStatus status);
void qemuBlockJobHandleIOError(virDomainObj *vm, const char *jobid,
                               const char *operation, const char *action);

/* The domain stops (vm locked, job held): every pull ends. Their events
 * are added to @events, to be queued once the domain is shut off. */
void qemuBlockJobsEndOnStop(virDomainObj *vm, GPtrArray *events);

/*
 * After a reconnect, before qemuBlockJobsReconnect (vm locked; dropped
 * while QEMU is asked): finish a revocation a crash cut short. If an
 * image listed as labelled for the domain is used by no chain nor serial
 * or console log, block nodes of ours that no disk's chain references are
 * deleted (QEMU then closes their images), and every such image is given
 * back and unlisted; otherwise QEMU is not asked at all. A status file may record a chain that left a disk before its
 * images were given back (one written by an older version, which detached
 * the chain first). Failures are logged.
 */
void qemuBlockJobsReconcile(qemuDriver *driver, virDomainObj *vm);

/* After a reconnect (vm locked): match recorded pulls with QEMU's jobs and
 * finish those that ended while nobody watched. */
int qemuBlockJobsReconnect(qemuDriver *driver, virDomainObj *vm);

/* The running domain's disk named by @path (its target or top image's
 * path), or NULL with an error (domain not running, no such disk). */
virDomainDiskDef *qemuBlockPullFindDisk(virDomainObj *vm, const char *path);

/* The block pull calls (vm locked; PullAll, Step and Abort with the job
 * held). @path is the disk's top image path or its target name. */
int qemuBlockPullAll(qemuDriver *driver, virDomainObj *vm, const char *path);
int qemuBlockPullStep(qemuDriver *driver, virDomainObj *vm, const char *path,
                      virDomainBlockPullInfoPtr info);
int qemuBlockPullAbort(qemuDriver *driver, virDomainObj *vm, const char *path);
/* The same, returning once QEMU was asked to cancel if @async (the event
 * tells the end), else once the pull is over our side too. */
int qemuBlockPullCancel(qemuDriver *driver, virDomainObj *vm, const char *path,
                        bool async);
int qemuBlockPullGetInfo(virDomainObj *vm, const char *path,
                         virDomainBlockPullInfoPtr info);

/* What a pull started by virDomainBlockRebase() asks for beyond the
 * seed's whole pull. */
typedef struct {
    virStorageSource *base;     /* the image kept: only those above it are
                                 * pulled; NULL: the whole chain */
    const char *backingFile;    /* the name written into the top image's
                                 * header (with @base); NULL: QEMU's (the
                                 * base's path) */
    unsigned long long bandwidth; /* bytes/s, 0: none of the caller's */
} qemuBlockPullParams;

/*
 * Start a background pull of @disk (vm locked, job held), refused with
 * VIR_ERR_BLOCK_COPY_ACTIVE if the disk has a pull already (even one
 * paused between steps, which virDomainBlockPullAll() would continue).
 */
int qemuBlockPullStart(qemuDriver *driver, virDomainObj *vm,
                       virDomainDiskDef *disk,
                       const qemuBlockPullParams *params);

/* Set the caller's speed limit (bytes/s, 0: none) of the active pull of
 * @path, live if it runs in the background (vm locked, job held). */
int qemuBlockPullSetSpeed(qemuDriver *driver, virDomainObj *vm,
                          const char *path, unsigned long long bandwidth);

/* The speed a background pull runs at: the caller's @bandwidth capped by
 * qemu.conf's block_pull_max_bandwidth (bytes/s, 0: unlimited). */
unsigned long long qemuBlockJobBackgroundSpeed(qemuDriver *driver,
                                               unsigned long long bandwidth);

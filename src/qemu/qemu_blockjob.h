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

/* The block pull calls (vm locked; PullAll, Step and Abort with the job
 * held). @path is the disk's top image path or its target name. */
int qemuBlockPullAll(qemuDriver *driver, virDomainObj *vm, const char *path);
int qemuBlockPullStep(qemuDriver *driver, virDomainObj *vm, const char *path,
                      virDomainBlockPullInfoPtr info);
int qemuBlockPullAbort(qemuDriver *driver, virDomainObj *vm, const char *path);
int qemuBlockPullGetInfo(virDomainObj *vm, const char *path,
                         virDomainBlockPullInfoPtr info);

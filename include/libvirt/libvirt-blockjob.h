/*
 * libvirt-blockjob.h: libvirt's block job API (virDomainBlockRebase,
 * virDomainGetBlockJobInfo, virDomainBlockJobAbort,
 * virDomainBlockJobSetSpeed) and the BLOCK_JOB events' types, with
 * libvirt 9.0's names and numbers. Included by libvirt/libvirt.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_BLOCKJOB_H
#define LIBVIRT_BLOCKJOB_H

#ifndef LIBVIRT_H
# error "Do not include libvirt-blockjob.h directly, use libvirt/libvirt.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Block jobs (libvirt's API, on the same pull engine)                  */
/* ------------------------------------------------------------------ */

/*
 * libvirt merged a block job API after the RFC, and every client written
 * for libvirt uses it. These calls, enums and events have libvirt 9.0's
 * names, numbers and meaning. A pull started by one API is seen and may be
 * stopped by the other: there is one pull per disk, whichever call began it.
 * Only pulls exist here: block copy and commit are refused.
 */

/**
 * virDomainBlockJobType:
 *
 * The kind of a block job. Only PULL jobs run here; the others are listed
 * with libvirt's numbers for clients that switch on them.
 */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN = 0,
    VIR_DOMAIN_BLOCK_JOB_TYPE_PULL = 1,           /* a block pull */
    VIR_DOMAIN_BLOCK_JOB_TYPE_COPY = 2,           /* not supported */
    VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT = 3,         /* not supported */
    VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,  /* not supported */
    VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP = 5,         /* not supported */
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCK_JOB_TYPE_LAST
#endif
} virDomainBlockJobType;

/**
 * virDomainBlockJobAbortFlags:
 *
 * Flags of virDomainBlockJobAbort().
 */
typedef enum {
    /* return at once; the BLOCK_JOB events tell when the job is gone */
    VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC = 1 << 0,
    /* end a copy by switching to it: refused, no copy job exists here */
    VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT = 1 << 1,
} virDomainBlockJobAbortFlags;

/**
 * virDomainBlockJobAbort:
 * @dom: a running domain
 * @disk: the disk: its target name ("vda") or its top image's path
 * @flags: bitwise-OR of virDomainBlockJobAbortFlags
 *
 * Cancel the active pull of @disk, whichever API started it (running in
 * the background, or paused between virDomainBlockPull() steps). By
 * default the call returns once QEMU has stopped the job and the driver
 * has finished it (the chain is unchanged, the backing images stay in
 * use); with VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC it returns as soon as the
 * cancel was asked for. Either way, each registered event kind then
 * reports the end once: VIR_DOMAIN_BLOCK_JOB_CANCELED (or COMPLETED, if
 * QEMU had finished copying before the abort came).
 * VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT fails with VIR_ERR_BLOCK_COPY_ACTIVE
 * (a pull is never ready to pivot), and nothing is cancelled.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if no job
 * is active on @disk).
 */
int virDomainBlockJobAbort(virDomainPtr dom, const char *disk,
                           unsigned int flags);

/**
 * virDomainBlockJobInfoFlags:
 *
 * Flags of virDomainGetBlockJobInfo().
 */
typedef enum {
    /* report the bandwidth in bytes/s instead of MiB/s */
    VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES = 1 << 0,
} virDomainBlockJobInfoFlags;

/**
 * virDomainBlockJobCursor:
 *
 * A position in a block job, in bytes.
 */
typedef unsigned long long virDomainBlockJobCursor;

typedef struct _virDomainBlockJobInfo virDomainBlockJobInfo;

/**
 * virDomainBlockJobInfo:
 *
 * The state of a block job: @type is a virDomainBlockJobType, @bandwidth
 * its speed limit (MiB/s, or bytes/s with
 * VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES; 0: unlimited), @cur how far
 * it got and @end where it ends (bytes; while the job runs, @end > 0 and
 * @cur <= @end).
 */
struct _virDomainBlockJobInfo {
    int type;
    unsigned long bandwidth;
    virDomainBlockJobCursor cur;
    virDomainBlockJobCursor end;
};

/**
 * virDomainBlockJobInfoPtr:
 *
 * A pointer to a virDomainBlockJobInfo.
 */
typedef virDomainBlockJobInfo *virDomainBlockJobInfoPtr;

/**
 * virDomainGetBlockJobInfo:
 * @dom: a running domain
 * @disk: the disk: its target name ("vda") or its top image's path
 * @info: where to store the job's state
 * @flags: bitwise-OR of virDomainBlockJobInfoFlags
 *
 * The state of the active pull of @disk, whichever API started it (a pull
 * driven by virDomainBlockPull() steps is active between the steps too).
 * Allowed on a read-only connection.
 *
 * Returns 1 with @info filled (type VIR_DOMAIN_BLOCK_JOB_TYPE_PULL) while
 * a pull is active, 0 if none is (@info is then zeroed), -1 on error
 * (VIR_ERR_OVERFLOW if the bandwidth does not fit in @info).
 */
int virDomainGetBlockJobInfo(virDomainPtr dom, const char *disk,
                             virDomainBlockJobInfoPtr info,
                             unsigned int flags);

/**
 * virDomainBlockJobSetSpeedFlags:
 *
 * Flags of virDomainBlockJobSetSpeed().
 */
typedef enum {
    /* the bandwidth is in bytes/s instead of MiB/s */
    VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES = 1 << 0,
} virDomainBlockJobSetSpeedFlags;

/**
 * virDomainBlockJobSetSpeed:
 * @dom: a running domain
 * @disk: the disk: its target name ("vda") or its top image's path
 * @bandwidth: the new speed limit, in MiB/s (bytes/s with
 *             VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES); 0: unlimited
 * @flags: bitwise-OR of virDomainBlockJobSetSpeedFlags
 *
 * Change the speed limit of the active pull of @disk while it runs (QEMU's
 * block-job-set-speed); virDomainGetBlockJobInfo() reports it from then
 * on. qemu.conf's block_pull_max_bandwidth still caps it. For a pull
 * driven by virDomainBlockPull() steps the limit is kept and applies once
 * the pull goes on in the background.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if no job
 * is active on @disk, VIR_ERR_OVERFLOW if @bandwidth in bytes/s does not
 * fit in 63 bits).
 */
int virDomainBlockJobSetSpeed(virDomainPtr dom, const char *disk,
                              unsigned long bandwidth, unsigned int flags);

/**
 * virDomainBlockRebaseFlags:
 *
 * Flags of virDomainBlockRebase(), with libvirt's values. The copy flags
 * (SHALLOW, REUSE_EXT, COPY_RAW, COPY, COPY_DEV) are refused with
 * VIR_ERR_ARGUMENT_UNSUPPORTED: block copy is not supported.
 */
typedef enum {
    VIR_DOMAIN_BLOCK_REBASE_SHALLOW = 1 << 0,         /* copy: refused */
    VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT = 1 << 1,       /* copy: refused */
    VIR_DOMAIN_BLOCK_REBASE_COPY_RAW = 1 << 2,        /* copy: refused */
    VIR_DOMAIN_BLOCK_REBASE_COPY = 1 << 3,            /* copy: refused */
    /* write the base's name into the overlay relative (needs a base) */
    VIR_DOMAIN_BLOCK_REBASE_RELATIVE = 1 << 4,
    VIR_DOMAIN_BLOCK_REBASE_COPY_DEV = 1 << 5,        /* copy: refused */
    /* the bandwidth is in bytes/s instead of MiB/s */
    VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES = 1 << 6,
} virDomainBlockRebaseFlags;

/**
 * virDomainBlockRebase:
 * @dom: a running domain
 * @disk: the disk: its target name ("vda") or its top image's path
 * @base: NULL to pull the whole chain into @disk's top image; or the
 *        image to keep as the new backing image, given by its path or as
 *        "vda[N]" with N its index in the live XML: only the images above
 *        it are pulled
 * @bandwidth: speed limit in MiB/s (bytes/s with
 *             VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES); 0: unlimited
 *             (qemu.conf's block_pull_max_bandwidth still caps it)
 * @flags: bitwise-OR of virDomainBlockRebaseFlags
 *
 * Start a block pull in the background, as libvirt's call does; this is
 * libvirt's way to pull a whole chain too: virDomainBlockRebase(dom,
 * disk, NULL, bandwidth, 0). Follow it with virDomainGetBlockJobInfo()
 * (or virDomainGetBlockPullInfo()), stop it with virDomainBlockJobAbort()
 * (or virDomainBlockPullAbort()). When it ends, each registered event
 * kind reports it once: VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
 * VIR_DOMAIN_EVENT_ID_BLOCK_JOB and VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
 * always after the images that left the chain were closed by QEMU and
 * given back (their owners restored). With a @base, the top image's
 * header then names @base (relative to the top image's directory with
 * VIR_DOMAIN_BLOCK_REBASE_RELATIVE, which needs every backing name
 * between them to have been relative), @base and the images below stay
 * in use, and the live XML shows the shorter chain.
 *
 * Returns 0 once the pull has started, -1 on failure (no job is started):
 * VIR_ERR_ARGUMENT_UNSUPPORTED for a copy flag,
 * VIR_ERR_INVALID_ARG for a @base not in the chain or RELATIVE without a
 * @base, VIR_ERR_OVERFLOW for a bandwidth too large,
 * VIR_ERR_BLOCK_COPY_ACTIVE if a pull is already active on @disk (one
 * paused between virDomainBlockPull() steps too: virDomainBlockPullAll()
 * continues it).
 */
int virDomainBlockRebase(virDomainPtr dom, const char *disk,
                         const char *base, unsigned long bandwidth,
                         unsigned int flags);

/**
 * virConnectDomainEventBlockJobStatus:
 *
 * How a block job ended, as told by VIR_DOMAIN_EVENT_ID_BLOCK_JOB and
 * VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 (libvirt's values; the first three equal
 * virConnectDomainEventBlockPullStatus's). A pull is never READY (that is
 * a copy's state).
 */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_COMPLETED = 0,
    VIR_DOMAIN_BLOCK_JOB_FAILED = 1,
    VIR_DOMAIN_BLOCK_JOB_CANCELED = 2,
    VIR_DOMAIN_BLOCK_JOB_READY = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCK_JOB_LAST
#endif
} virConnectDomainEventBlockJobStatus;

/**
 * virConnectDomainEventBlockJobCallback:
 * @conn: the connection
 * @dom: the domain (a reference valid during the call)
 * @disk: for VIR_DOMAIN_EVENT_ID_BLOCK_JOB the disk's top image path (as in
 *        the domain XML), for VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 its target
 *        name ("vda")
 * @type: a virDomainBlockJobType (always PULL here)
 * @status: a virConnectDomainEventBlockJobStatus
 * @opaque: user data
 *
 * The callback of VIR_DOMAIN_EVENT_ID_BLOCK_JOB and
 * VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, called once at the end of every pull,
 * whichever API started it; when @status is COMPLETED the domain's access
 * to the images that left the chain has already been revoked. Unlike
 * VIR_DOMAIN_EVENT_ID_BLOCK_PULL's, an end that happens while no callback
 * is registered is not kept for a later one (as in libvirt).
 */
typedef void (*virConnectDomainEventBlockJobCallback)(virConnectPtr conn,
                                                      virDomainPtr dom,
                                                      const char *disk,
                                                      int type,
                                                      int status,
                                                      void *opaque);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_BLOCKJOB_H */

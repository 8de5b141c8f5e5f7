/*
 * qemu_monitor.h: the QMP monitor as the driver sees it: open and close a
 * connection to a QEMU process, one C function per command, and typed
 * callbacks for QEMU's events. Underneath: the transport
 * (qemu_monitor_io.c) and one function per QMP command
 * (qemu_monitor_json.c); the driver includes only this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-c/json.h>

typedef struct _qemuMonitor qemuMonitor;

/* QEMU's JobStatus, in QAPI order. */
typedef enum {
    QEMU_MONITOR_JOB_STATUS_UNDEFINED = 0,
    QEMU_MONITOR_JOB_STATUS_CREATED,
    QEMU_MONITOR_JOB_STATUS_RUNNING,
    QEMU_MONITOR_JOB_STATUS_PAUSED,
    QEMU_MONITOR_JOB_STATUS_READY,
    QEMU_MONITOR_JOB_STATUS_STANDBY,
    QEMU_MONITOR_JOB_STATUS_WAITING,
    QEMU_MONITOR_JOB_STATUS_PENDING,
    QEMU_MONITOR_JOB_STATUS_ABORTING,
    QEMU_MONITOR_JOB_STATUS_CONCLUDED,
    QEMU_MONITOR_JOB_STATUS_NULL,

    QEMU_MONITOR_JOB_STATUS_LAST
} qemuMonitorJobStatus;

const char *
qemuMonitorJobStatusToString(int status);

int
qemuMonitorJobStatusFromString(const char *str);

/* Which of QEMU's BLOCK_JOB_* events a blockJob callback reports. */
typedef enum {
    QEMU_MONITOR_BLOCK_JOB_EVENT_COMPLETED = 0,  /* BLOCK_JOB_COMPLETED */
    QEMU_MONITOR_BLOCK_JOB_EVENT_CANCELLED,      /* BLOCK_JOB_CANCELLED */
    QEMU_MONITOR_BLOCK_JOB_EVENT_READY,          /* BLOCK_JOB_READY */
    QEMU_MONITOR_BLOCK_JOB_EVENT_PENDING,        /* BLOCK_JOB_PENDING */

    QEMU_MONITOR_BLOCK_JOB_EVENT_LAST
} qemuMonitorBlockJobEvent;

const char *
qemuMonitorBlockJobEventToString(int event);

/*
 * What the owner of a monitor hears from it. Every callback runs in the
 * thread iterating the GMainContext given at open, never with a monitor
 * lock held, and never after qemuMonitorClose() has returned. Strings
 * belong to the monitor and last until the callback returns. Any callback
 * may be NULL: that event is then parsed and dropped.
 *
 * For each event QEMU sends, @domainEvent runs first (QEMU's name and
 * timestamp, 0 when QEMU sent none or an impossible one (microseconds
 * not under 1000000, a negative time): for logs and measurements), then the
 * event's typed callback if it has one and its data is well formed.
 */
typedef struct {
    void (*domainEvent)(qemuMonitor *mon, const char *name,
                        long long seconds, unsigned int micros,
                        void *opaque);
    /* JOB_STATUS_CHANGE: job @jobid is now in @status. */
    void (*jobStatusChange)(qemuMonitor *mon, const char *jobid,
                            qemuMonitorJobStatus status, void *opaque);
    /* BLOCK_JOB_COMPLETED/CANCELLED/READY/PENDING of job @jobid of
     * @type ("stream", ...). @offset, @len and @speed are 0 for PENDING,
     * which carries none; @error is NULL unless a COMPLETED job failed. */
    void (*blockJob)(qemuMonitor *mon, const char *jobid, const char *type,
                     qemuMonitorBlockJobEvent event,
                     unsigned long long offset, unsigned long long len,
                     unsigned long long speed, const char *error,
                     void *opaque);
    /* BLOCK_JOB_ERROR: an I/O error in job @jobid; @operation "read" or
     * "write", @action what QEMU does about it ("report", "ignore",
     * "stop"). */
    void (*blockJobError)(qemuMonitor *mon, const char *jobid,
                          const char *operation, const char *action,
                          void *opaque);
    /* STOP and RESUME: the guest's CPUs stopped, or run again. */
    void (*stop)(qemuMonitor *mon, void *opaque);
    void (*resume)(qemuMonitor *mon, void *opaque);
    /* SHUTDOWN: QEMU will exit (unless told otherwise). @guest: the
     * guest asked for it; @reason QEMU's ShutdownCause ("host-signal",
     * "guest-shutdown", ...). */
    void (*shutdown)(qemuMonitor *mon, bool guest, const char *reason,
                     void *opaque);
    /* The connection ended: end of file (@error false; also a connection
     * reset by an exiting QEMU) or an I/O error or garbage from QEMU
     * (@error true). Called at most once, never after qemuMonitorClose().
     * It may call qemuMonitorClose(). */
    void (*eof)(qemuMonitor *mon, bool error, void *opaque);
} qemuMonitorCallbacks;

/* How long a command waits for its reply unless told otherwise. */
#define QEMU_MONITOR_DEFAULT_COMMAND_TIMEOUT_MS 30000

/* Cap on the size of one message from QEMU; larger input is garbage. */
#define QEMU_MONITOR_MAX_MESSAGE_SIZE (10 * 1024 * 1024)

/* One entry of query-block-jobs. QEMU reports the job id in "device";
 * @id and @device both hold it. */
typedef struct {
    char *id;
    char *type;                 /* "stream", "commit", ... */
    char *device;
    unsigned long long offset;  /* bytes done */
    unsigned long long len;     /* bytes in all (may change while running) */
    unsigned long long speed;   /* bytes per second, 0 unlimited */
    bool busy;
    bool paused;
    bool ready;
    char *status;               /* a JobStatus name */
} qemuMonitorBlockJobInfo;

void
qemuMonitorBlockJobInfoListFree(qemuMonitorBlockJobInfo *jobs,
                                size_t njobs);

/* One entry of query-jobs. */
typedef struct {
    char *id;
    char *type;
    qemuMonitorJobStatus status;
    unsigned long long current;
    unsigned long long total;
    char *error;                /* NULL unless the job failed */
} qemuMonitorJobInfo;

void
qemuMonitorJobInfoListFree(qemuMonitorJobInfo *jobs,
                           size_t njobs);

/* ------------------------------------------------------------------ */
/* The connection                                                       */

qemuMonitor *
qemuMonitorOpen(const char *socketPath,
                GMainContext *ctx,
                const qemuMonitorCallbacks *cb,
                void *opaque,
                int timeout_ms);

qemuMonitor *
qemuMonitorOpenFD(int fd,
                  GMainContext *ctx,
                  const qemuMonitorCallbacks *cb,
                  void *opaque,
                  int timeout_ms);

typedef struct _qemuMonitorOpening qemuMonitorOpening;

qemuMonitorOpening *
qemuMonitorOpenFDStart(int fd,
                       GMainContext *ctx,
                       const qemuMonitorCallbacks *cb,
                       void *opaque);

qemuMonitor *
qemuMonitorOpenFDFinish(qemuMonitorOpening *op,
                        int timeout_ms,
                        int *running);

void
qemuMonitorClose(qemuMonitor *mon);

qemuMonitor *
qemuMonitorRef(qemuMonitor *mon);

void
qemuMonitorUnref(qemuMonitor *mon);

void
qemuMonitorSetCommandTimeout(qemuMonitor *mon,
                             int timeout_ms);

const char *
qemuMonitorLastErrorClass(void);

unsigned long long
qemuMonitorGetVersion(qemuMonitor *mon,
                      unsigned int *major,
                      unsigned int *minor,
                      unsigned int *micro);

const char *
qemuMonitorGetVersionPackage(qemuMonitor *mon);

bool
qemuMonitorIsAlive(qemuMonitor *mon);

/* ------------------------------------------------------------------ */
/* Commands                                                             */

int
qemuMonitorQueryStatus(qemuMonitor *mon,
                       bool *running,
                       char **status);

int
qemuMonitorCont(qemuMonitor *mon);

int
qemuMonitorStop(qemuMonitor *mon);

int
qemuMonitorSystemPowerdown(qemuMonitor *mon);

int
qemuMonitorQuit(qemuMonitor *mon);

int
qemuMonitorBlockStream(qemuMonitor *mon,
                       const char *jobid,
                       const char *device,
                       const char *baseNode,
                       const char *backingFile,
                       unsigned long long speed,
                       bool autoFinalize,
                       bool autoDismiss);

int
qemuMonitorBlockJobPause(qemuMonitor *mon,
                         const char *jobid);

int
qemuMonitorBlockJobResume(qemuMonitor *mon,
                          const char *jobid);

int
qemuMonitorBlockJobCancel(qemuMonitor *mon,
                          const char *jobid,
                          bool force);

int
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon,
                            const char *jobid,
                            unsigned long long speed);

int
qemuMonitorJobFinalize(qemuMonitor *mon,
                       const char *jobid);

int
qemuMonitorJobDismiss(qemuMonitor *mon,
                      const char *jobid);

int
qemuMonitorQueryBlockJobs(qemuMonitor *mon,
                          qemuMonitorBlockJobInfo **jobs,
                          size_t *njobs);

int
qemuMonitorQueryJobs(qemuMonitor *mon,
                     qemuMonitorJobInfo **jobs,
                     size_t *njobs);

int
qemuMonitorBlockdevDel(qemuMonitor *mon,
                       const char *nodename);

/*
 * A pipeline: several commands sent back to back and answered together,
 * one round trip for all (see qemuMonitorRunBatch()). Only the commands a
 * block job's end needs.
 */
typedef enum {
    QEMU_MONITOR_BATCH_JOB_FINALIZE,    /* job-finalize, @arg: the job id */
    QEMU_MONITOR_BATCH_QUERY_JOBS,      /* query-jobs, no @arg */
    QEMU_MONITOR_BATCH_JOB_DISMISS,     /* job-dismiss, @arg: the job id */
    QEMU_MONITOR_BATCH_BLOCKDEV_DEL,    /* blockdev-del, @arg: the node */
} qemuMonitorBatchCommand;

typedef struct {
    /* in */
    qemuMonitorBatchCommand cmd;
    const char *arg;
    /* out: 0, or -1 with @error the message (as the single command's
     * error would say it) */
    int rc;
    char *error;
    qemuMonitorJobInfo *jobs;           /* query-jobs: the list, ... */
    size_t njobs;                       /* ... and its length */
} qemuMonitorBatchItem;

int
qemuMonitorRunBatch(qemuMonitor *mon,
                    qemuMonitorBatchItem *items,
                    size_t nitems);

void
qemuMonitorBatchClear(qemuMonitorBatchItem *items,
                      size_t nitems);

int
qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon,
                                char ***nodenames);

int
qemuMonitorBlockNodeHasBacking(qemuMonitor *mon,
                               const char *nodename,
                               bool *hasBacking);

int
qemuMonitorHumanCommand(qemuMonitor *mon,
                        const char *cmdline,
                        char **reply);

int
qemuMonitorArbitraryCommand(qemuMonitor *mon,
                            const char *cmd,
                            json_object *args,
                            json_object **ret);

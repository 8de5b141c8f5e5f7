/*
 * qemu_monitor.c: the monitor's C API for the driver: opening and closing
 * a connection, one qemuMonitorX per command that checks the connection
 * is usable, logs its arguments and hands off to qemuMonitorJSONX, and
 * the typed events (qemuMonitorEmitX) on their way from the JSON layer's
 * event table to the owner's callbacks. Bytes and replies are the
 * transport's (qemu_monitor_io.c), QMP's names and fields the JSON
 * layer's (qemu_monitor_json.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "qemu_monitor_priv.h"
#include "qemu_monitor_json.h"
#include "util/virerror.h"
#include "util/virjson.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

static const char *const qemuMonitorJobStatusNames[] = {
    [QEMU_MONITOR_JOB_STATUS_UNDEFINED] = "undefined",
    [QEMU_MONITOR_JOB_STATUS_CREATED] = "created",
    [QEMU_MONITOR_JOB_STATUS_RUNNING] = "running",
    [QEMU_MONITOR_JOB_STATUS_PAUSED] = "paused",
    [QEMU_MONITOR_JOB_STATUS_READY] = "ready",
    [QEMU_MONITOR_JOB_STATUS_STANDBY] = "standby",
    [QEMU_MONITOR_JOB_STATUS_WAITING] = "waiting",
    [QEMU_MONITOR_JOB_STATUS_PENDING] = "pending",
    [QEMU_MONITOR_JOB_STATUS_ABORTING] = "aborting",
    [QEMU_MONITOR_JOB_STATUS_CONCLUDED] = "concluded",
    [QEMU_MONITOR_JOB_STATUS_NULL] = "null",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMonitorJobStatusNames) ==
                QEMU_MONITOR_JOB_STATUS_LAST);

static const char *const qemuMonitorBlockJobEventNames[] = {
    [QEMU_MONITOR_BLOCK_JOB_EVENT_COMPLETED] = "completed",
    [QEMU_MONITOR_BLOCK_JOB_EVENT_CANCELLED] = "cancelled",
    [QEMU_MONITOR_BLOCK_JOB_EVENT_READY] = "ready",
    [QEMU_MONITOR_BLOCK_JOB_EVENT_PENDING] = "pending",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuMonitorBlockJobEventNames) ==
                QEMU_MONITOR_BLOCK_JOB_EVENT_LAST);

static GPrivate qemuMonitorErrorClass = G_PRIVATE_INIT(g_free);


/**
 * qemuMonitorJobStatusToString:
 * @status: a qemuMonitorJobStatus
 *
 * Returns QEMU's name of @status, or NULL if it is out of range.
 */
const char *
qemuMonitorJobStatusToString(int status)
{
    if (status < 0 || status >= QEMU_MONITOR_JOB_STATUS_LAST)
        return NULL;
    return qemuMonitorJobStatusNames[status];
}


/**
 * qemuMonitorJobStatusFromString:
 * @str: a QEMU JobStatus name, or NULL
 *
 * Returns the qemuMonitorJobStatus named @str, or -1 if none is.
 */
int
qemuMonitorJobStatusFromString(const char *str)
{
    size_t i;

    if (!str)
        return -1;
    for (i = 0; i < QEMU_MONITOR_JOB_STATUS_LAST; i++) {
        if (strcmp(qemuMonitorJobStatusNames[i], str) == 0)
            return i;
    }
    return -1;
}


/**
 * qemuMonitorBlockJobEventToString:
 * @event: a qemuMonitorBlockJobEvent
 *
 * Returns a short name of @event for logs ("completed", ...), or NULL if
 * it is out of range.
 */
const char *
qemuMonitorBlockJobEventToString(int event)
{
    if (event < 0 || event >= QEMU_MONITOR_BLOCK_JOB_EVENT_LAST)
        return NULL;
    return qemuMonitorBlockJobEventNames[event];
}


/**
 * qemuMonitorLastErrorClass:
 *
 * The QMP error class ("GenericError", "DeviceNotFound", ...) of the last
 * command this thread ran, if QEMU answered it with an error.
 *
 * Returns the class, or NULL if the last command succeeded or failed
 * without an answer from QEMU (timeout, closed monitor, bad arguments).
 * The string belongs to the thread and lasts until its next command.
 */
const char *
qemuMonitorLastErrorClass(void)
{
    return g_private_get(&qemuMonitorErrorClass);
}


/**
 * qemuMonitorSetLastErrorClass:
 * @klass: QEMU's error class, or NULL
 *
 * For the JSON layer, which reads QEMU's error replies: what
 * qemuMonitorLastErrorClass() tells this thread from now on.
 */
void
qemuMonitorSetLastErrorClass(const char *klass)
{
    g_private_replace(&qemuMonitorErrorClass, g_strdup(klass));
}


/*
 * The start of every command: the error class of an earlier command is
 * forgotten, and a command on a connection that is gone fails here with
 * the same error the transport gives one that goes while it waits.
 */
static int
qemuMonitorCheck(qemuMonitor *mon,
                 const char *cmd)
{
    qemuMonitorSetLastErrorClass(NULL);
    return qemuMonitorIOCheck(mon, cmd);
}

/* Log the QMP command @cmd about to run with its arguments (@fmt, a
 * format for the rest) and return -1 from the caller unless @mon can
 * take it. */
#define QEMU_MONITOR_ENTER(mon, cmd, fmt, ...) \
    do { \
        VIR_DEBUG("mon=%p %s" fmt, mon, cmd, ##__VA_ARGS__); \
        if (qemuMonitorCheck(mon, cmd) < 0) \
            return -1; \
    } while (0)


/* Remaining milliseconds to @deadline (monotonic us), -1 if unlimited. */
static int
qemuMonitorRemaining(gint64 deadline)
{
    gint64 left;

    if (deadline < 0)
        return -1;
    left = (deadline - g_get_monotonic_time()) / 1000;
    return left > 0 ? (int) left : 0;
}


/* ------------------------------------------------------------------ */
/* The connection                                                       */

/**
 * qemuMonitorOpenFD:
 * @fd: a socket connected to QEMU's QMP monitor; taken, also on failure
 * @ctx: the context whose thread does the monitor's I/O and callbacks
 * @cb: the callbacks (copied), or NULL
 * @opaque: passed to the callbacks
 * @timeout_ms: limit for reading the greeting and negotiating; negative:
 *              none
 *
 * Read QEMU's greeting and send qmp_capabilities. Callbacks may run from
 * the moment negotiation succeeded, even before this returns. Must not be
 * called from the context's thread.
 *
 * Returns the monitor, owned by the caller who frees it with
 * qemuMonitorClose(); NULL on error.
 */
qemuMonitor *
qemuMonitorOpenFD(int fd,
                  GMainContext *ctx,
                  const qemuMonitorCallbacks *cb,
                  void *opaque,
                  int timeout_ms)
{
    gint64 deadline = -1;
    qemuMonitor *mon;

    VIR_DEBUG("fd=%d timeout=%d", fd, timeout_ms);
    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    if (!(mon = qemuMonitorIOOpenFD(fd, ctx, cb, opaque, timeout_ms)))
        return NULL;
    if (qemuMonitorJSONSetCapabilities(mon, qemuMonitorRemaining(deadline)) < 0) {
        qemuMonitorIOClose(mon);
        return NULL;
    }

    VIR_DEBUG("mon=%p open, QEMU %llu", mon,
              qemuMonitorGetVersion(mon, NULL, NULL, NULL));
    return mon;
}


struct _qemuMonitorOpening {
    qemuMonitor *mon;
    qemuMonitorIOMessage *caps;     /* qmp_capabilities */
    qemuMonitorIOMessage *status;   /* query-status, NULL if not sent */
};


/**
 * qemuMonitorOpenFDStart:
 * @fd: a socket connected to QEMU's QMP monitor; taken, also on failure
 * @ctx, @cb, @opaque: as for qemuMonitorOpenFD()
 *
 * Begin taking over a QEMU that runs already: send qmp_capabilities and
 * query-status at once, without waiting for the greeting or for each
 * other's replies (QEMU runs them in order), so that the whole opening
 * costs one round trip, and the openings of many QEMUs overlap.
 * qemuMonitorOpenFDFinish() waits for the replies.
 *
 * Returns the opening, NULL on error (when not even qmp_capabilities
 * could be sent).
 */
qemuMonitorOpening *
qemuMonitorOpenFDStart(int fd,
                       GMainContext *ctx,
                       const qemuMonitorCallbacks *cb,
                       void *opaque)
{
    qemuMonitorOpening *op;
    qemuMonitor *mon;

    VIR_DEBUG("fd=%d", fd);
    if (!(mon = qemuMonitorIOOpenFD(fd, ctx, cb, opaque,
                                    QEMU_MONITOR_IO_NO_WAIT)))
        return NULL;
    op = g_new0(qemuMonitorOpening, 1);
    op->mon = mon;
    if (!(op->caps = qemuMonitorIOSendStart(mon, "qmp_capabilities", NULL, true))) {
        qemuMonitorOpenFDFinish(op, 0, NULL);
        return NULL;
    }
    /* A QEMU that went away after reading qmp_capabilities refuses this
     * one at once; what became of qmp_capabilities, the first failure,
     * is for qemuMonitorOpenFDFinish() to tell. */
    if (!(op->status = qemuMonitorIOSendStart(mon, "query-status", NULL, false))) {
        VIR_WARN("cannot send query-status: %s", virGetLastErrorMessage());
        virResetLastError();
    }
    return op;
}


/**
 * qemuMonitorOpenFDFinish:
 * @op: an opening from qemuMonitorOpenFDStart(); freed
 * @timeout_ms: limit for the replies, counted from now; negative: none
 * @running: set to 1 if QEMU's CPUs run, 0 if not, -1 if query-status
 *           failed (a warning is logged, no error is left); may be NULL
 *
 * Returns the monitor (closed with qemuMonitorClose()), or NULL with an
 * error reported when the negotiation failed.
 */
qemuMonitor *
qemuMonitorOpenFDFinish(qemuMonitorOpening *op,
                        int timeout_ms,
                        int *running)
{
    g_autoptr(virJSONValue) capsReply = NULL;
    g_autoptr(virJSONValue) statusReply = NULL;
    g_autoptr(virJSONValue) ret = NULL;
    gint64 deadline = -1;
    qemuMonitor *mon = op->mon;
    bool run = false;
    int rc = -1;

    if (running)
        *running = -1;
    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    if (op->caps &&
        qemuMonitorIOSendFinish(mon, g_steal_pointer(&op->caps), &capsReply,
                                qemuMonitorRemaining(deadline)) == 0)
        rc = qemuMonitorJSONCheckReply("qmp_capabilities", capsReply,
                                       json_type_null, NULL);
    if (rc == 0 && op->status) {
        if (qemuMonitorIOSendFinish(mon, g_steal_pointer(&op->status),
                                    &statusReply,
                                    qemuMonitorRemaining(deadline)) < 0 ||
            qemuMonitorJSONCheckReply("query-status", statusReply,
                                      json_type_object, &ret) < 0 ||
            qemuMonitorJSONParseStatus(ret, &run, NULL) < 0) {
            VIR_WARN("cannot tell whether QEMU's CPUs run: %s",
                     virGetLastErrorMessage());
            virResetLastError();
        } else if (running) {
            *running = run;
        }
    }
    if (rc < 0) {
        virErrorPtr err = NULL;

        virErrorPreserveLast(&err);
        qemuMonitorIORef(mon);
        qemuMonitorIOClose(mon);
        /* Closed: a query-status not waited for fails at once. */
        if (op->status)
            qemuMonitorIOSendFinish(mon, g_steal_pointer(&op->status),
                                    &statusReply, 0);
        qemuMonitorIOUnref(mon);
        g_free(op);
        virErrorRestore(&err);
        return NULL;
    }
    g_free(op);
    VIR_DEBUG("mon=%p open, QEMU %llu", mon,
              qemuMonitorGetVersion(mon, NULL, NULL, NULL));
    return mon;
}


/**
 * qemuMonitorOpen:
 * @socketPath: the unix socket QEMU listens on
 * @ctx, @cb, @opaque: as for qemuMonitorOpenFD()
 * @timeout_ms: limit for connecting, the greeting and negotiation together
 *
 * Connect to QEMU's monitor socket. When QEMU created the socket itself a
 * connection refused or a missing path is retried until @timeout_ms; a
 * socket that was handed to QEMU already listening connects at once.
 *
 * Returns the monitor (closed with qemuMonitorClose()), or NULL on error.
 */
qemuMonitor *
qemuMonitorOpen(const char *socketPath,
                GMainContext *ctx,
                const qemuMonitorCallbacks *cb,
                void *opaque,
                int timeout_ms)
{
    gint64 deadline = -1;
    int fd;

    VIR_DEBUG("socket='%s' timeout=%d", NULLSTR(socketPath), timeout_ms);
    if (timeout_ms >= 0)
        deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    if ((fd = qemuMonitorIOConnect(socketPath, timeout_ms)) < 0)
        return NULL;
    return qemuMonitorOpenFD(fd, ctx, cb, opaque,
                             qemuMonitorRemaining(deadline));
}


/**
 * qemuMonitorClose:
 * @mon: a monitor from qemuMonitorOpen(), or NULL
 *
 * Close the connection and drop the owner's reference. Every pending
 * command fails. When this returns no callback runs any more: called from
 * another thread it waits for a callback that is running to return, so
 * the caller must not hold a lock that callbacks take; called from a
 * callback (the context thread) it does not wait.
 */
void
qemuMonitorClose(qemuMonitor *mon)
{
    qemuMonitorIOClose(mon);
}


/**
 * qemuMonitorRef:
 * @mon: a monitor
 *
 * Take a reference: @mon stays valid memory until the matching
 * qemuMonitorUnref(); it does not keep the connection open.
 *
 * Returns @mon.
 */
qemuMonitor *
qemuMonitorRef(qemuMonitor *mon)
{
    return qemuMonitorIORef(mon);
}


/**
 * qemuMonitorUnref:
 * @mon: a monitor, or NULL
 *
 * Drop a reference taken with qemuMonitorRef(). The owner returned by
 * qemuMonitorOpen() drops its reference with qemuMonitorClose() instead.
 */
void
qemuMonitorUnref(qemuMonitor *mon)
{
    qemuMonitorIOUnref(mon);
}


/**
 * qemuMonitorSetCommandTimeout:
 * @mon: a monitor
 * @timeout_ms: how long later commands wait for a reply; negative: forever
 *
 * The default is QEMU_MONITOR_DEFAULT_COMMAND_TIMEOUT_MS.
 */
void
qemuMonitorSetCommandTimeout(qemuMonitor *mon,
                             int timeout_ms)
{
    VIR_DEBUG("mon=%p timeout=%d", mon, timeout_ms);
    qemuMonitorIOSetCommandTimeout(mon, timeout_ms);
}


/**
 * qemuMonitorGetVersion:
 * @mon: an open monitor
 * @major, @minor, @micro: where to put QEMU's version parts, or NULL
 *
 * QEMU's version as its greeting told it.
 *
 * Returns major * 1000000 + minor * 1000 + micro (0 if QEMU sent none).
 */
unsigned long long
qemuMonitorGetVersion(qemuMonitor *mon,
                      unsigned int *major,
                      unsigned int *minor,
                      unsigned int *micro)
{
    unsigned int v[3];

    qemuMonitorIOGetVersion(mon, v);
    if (major)
        *major = v[0];
    if (minor)
        *minor = v[1];
    if (micro)
        *micro = v[2];
    return v[0] * 1000000ULL + v[1] * 1000ULL + v[2];
}


/**
 * qemuMonitorGetVersionPackage:
 * @mon: an open monitor
 *
 * Returns the "package" string of QEMU's greeting (e.g. a distribution's
 * build name), "" if none; owned by @mon.
 */
const char *
qemuMonitorGetVersionPackage(qemuMonitor *mon)
{
    return qemuMonitorIOGetVersionPackage(mon);
}


/**
 * qemuMonitorIsAlive:
 * @mon: a monitor
 *
 * Returns true while the connection to QEMU is up.
 */
bool
qemuMonitorIsAlive(qemuMonitor *mon)
{
    return qemuMonitorIOIsAlive(mon);
}


/* ------------------------------------------------------------------ */
/* Events: from the JSON layer's table to the owner                     */

/* Call the owner's @callback, if it has one, with the arguments that
 * follow (if any) and its opaque data last. Runs inside the transport's
 * callback section (see qemuMonitorIOEmitEvent). */
#define QEMU_MONITOR_CALLBACK(mon, callback, ...) \
    do { \
        void *cbOpaque; \
        const qemuMonitorCallbacks *cbs = \
            qemuMonitorIOGetCallbacks(mon, &cbOpaque); \
        if (cbs->callback) \
            cbs->callback(mon, ##__VA_ARGS__, cbOpaque); \
    } while (0)

/**
 * qemuMonitorEmitEvent:
 * @mon: the monitor
 * @name: QEMU's name of the event
 * @seconds, @micros: QEMU's timestamp of it
 *
 * Tell the owner of every event, before its typed callback.
 */
void
qemuMonitorEmitEvent(qemuMonitor *mon,
                     const char *name,
                     long long seconds,
                     unsigned int micros)
{
    QEMU_MONITOR_CALLBACK(mon, domainEvent, name, seconds, micros);
}


/**
 * qemuMonitorEmitJobStatusChange:
 * @mon: the monitor
 * @jobid: the job
 * @status: its new status
 *
 * Tell the owner of a JOB_STATUS_CHANGE.
 */
void
qemuMonitorEmitJobStatusChange(qemuMonitor *mon,
                               const char *jobid,
                               qemuMonitorJobStatus status)
{
    VIR_DEBUG("mon=%p job '%s' is %s", mon, jobid,
              qemuMonitorJobStatusToString(status));
    QEMU_MONITOR_CALLBACK(mon, jobStatusChange, jobid, status);
}


/**
 * qemuMonitorEmitBlockJob:
 * @mon: the monitor
 * @jobid, @type, @event, @offset, @len, @speed, @error: as the blockJob
 *     callback of qemuMonitorCallbacks gets them
 *
 * Tell the owner of a BLOCK_JOB_COMPLETED/CANCELLED/READY/PENDING.
 */
void
qemuMonitorEmitBlockJob(qemuMonitor *mon,
                        const char *jobid,
                        const char *type,
                        qemuMonitorBlockJobEvent event,
                        unsigned long long offset,
                        unsigned long long len,
                        unsigned long long speed,
                        const char *error)
{
    VIR_DEBUG("mon=%p block job '%s' (%s) %s at %llu/%llu speed=%llu error='%s'",
              mon, jobid, type, qemuMonitorBlockJobEventToString(event),
              offset, len, speed, NULLSTR(error));
    QEMU_MONITOR_CALLBACK(mon, blockJob, jobid, type, event, offset, len,
                          speed, error);
}


/**
 * qemuMonitorEmitBlockJobError:
 * @mon: the monitor
 * @jobid, @operation, @action: as the blockJobError callback gets them
 *
 * Tell the owner of a BLOCK_JOB_ERROR.
 */
void
qemuMonitorEmitBlockJobError(qemuMonitor *mon,
                             const char *jobid,
                             const char *operation,
                             const char *action)
{
    VIR_DEBUG("mon=%p block job '%s': %s error, action %s", mon, jobid,
              operation, action);
    QEMU_MONITOR_CALLBACK(mon, blockJobError, jobid, operation, action);
}


/**
 * qemuMonitorEmitStop:
 * @mon: the monitor
 *
 * Tell the owner of a STOP.
 */
void
qemuMonitorEmitStop(qemuMonitor *mon)
{
    VIR_DEBUG("mon=%p stop", mon);
    QEMU_MONITOR_CALLBACK(mon, stop);
}


/**
 * qemuMonitorEmitResume:
 * @mon: the monitor
 *
 * Tell the owner of a RESUME.
 */
void
qemuMonitorEmitResume(qemuMonitor *mon)
{
    VIR_DEBUG("mon=%p resume", mon);
    QEMU_MONITOR_CALLBACK(mon, resume);
}


/**
 * qemuMonitorEmitShutdown:
 * @mon: the monitor
 * @guest, @reason: as the shutdown callback gets them
 *
 * Tell the owner of a SHUTDOWN.
 */
void
qemuMonitorEmitShutdown(qemuMonitor *mon,
                        bool guest,
                        const char *reason)
{
    VIR_DEBUG("mon=%p shutdown guest=%d reason=%s", mon, guest, reason);
    QEMU_MONITOR_CALLBACK(mon, shutdown, guest, reason);
}


/**
 * qemuMonitorEmitEOF:
 * @mon: the monitor
 * @error: the connection ended with an error, not an end of file
 *
 * Tell the owner that the connection ended (the transport calls this at
 * most once).
 */
void
qemuMonitorEmitEOF(qemuMonitor *mon,
                   bool error)
{
    VIR_DEBUG("mon=%p eof error=%d", mon, error);
    QEMU_MONITOR_CALLBACK(mon, eof, error);
}


/* ------------------------------------------------------------------ */
/* Commands                                                             */

/**
 * qemuMonitorQueryStatus:
 * @mon: an open monitor
 * @running: set to whether the guest CPUs run
 * @status: set to QEMU's RunState name ("prelaunch", "running", "paused",
 *          ...), freed by the caller; may be NULL
 *
 * Runs query-status. Returns 0 on success, -1 on error.
 */
int
qemuMonitorQueryStatus(qemuMonitor *mon,
                       bool *running,
                       char **status)
{
    QEMU_MONITOR_ENTER(mon, "query-status", "");
    return qemuMonitorJSONQueryStatus(mon, running, status);
}


/**
 * qemuMonitorCont:
 * @mon: an open monitor
 *
 * Start or resume the guest CPUs. Returns 0 or -1.
 */
int
qemuMonitorCont(qemuMonitor *mon)
{
    QEMU_MONITOR_ENTER(mon, "cont", "");
    return qemuMonitorJSONCont(mon);
}


/**
 * qemuMonitorStop:
 * @mon: an open monitor
 *
 * Pause the guest CPUs. Returns 0 or -1.
 */
int
qemuMonitorStop(qemuMonitor *mon)
{
    QEMU_MONITOR_ENTER(mon, "stop", "");
    return qemuMonitorJSONStop(mon);
}


/**
 * qemuMonitorSystemPowerdown:
 * @mon: an open monitor
 *
 * Ask the guest to shut down (ACPI). Returns 0 or -1.
 */
int
qemuMonitorSystemPowerdown(qemuMonitor *mon)
{
    QEMU_MONITOR_ENTER(mon, "system_powerdown", "");
    return qemuMonitorJSONSystemPowerdown(mon);
}


/**
 * qemuMonitorQuit:
 * @mon: an open monitor
 *
 * QEMU exits (after a SHUTDOWN event), then the monitor sees end of file.
 * Returns 0 or -1.
 */
int
qemuMonitorQuit(qemuMonitor *mon)
{
    QEMU_MONITOR_ENTER(mon, "quit", "");
    return qemuMonitorJSONQuit(mon);
}


/**
 * qemuMonitorBlockStream:
 * @mon: an open monitor
 * @jobid: the id for the new job
 * @device: the node name of the top format node to pull into
 * @baseNode: the format node to keep as its backing node: only the images
 *            above it are pulled; NULL: the whole chain
 * @backingFile: the backing name to write into @device's image header
 *               (with @baseNode), NULL: QEMU's own (the base's file name)
 * @speed: bytes per second, 0 for no limit
 * @autoFinalize: let QEMU finalize the job by itself
 * @autoDismiss: let QEMU dismiss the concluded job by itself
 *
 * Start a job that copies the backing chain of @device (down to
 * @baseNode) into it.
 * Returns 0 or -1.
 */
int
qemuMonitorBlockStream(qemuMonitor *mon,
                       const char *jobid,
                       const char *device,
                       const char *baseNode,
                       const char *backingFile,
                       unsigned long long speed,
                       bool autoFinalize,
                       bool autoDismiss)
{
    QEMU_MONITOR_ENTER(mon, "block-stream",
                       " jobid=%s device=%s base=%s backing=%s speed=%llu autoFinalize=%d autoDismiss=%d",
                       NULLSTR(jobid), NULLSTR(device), NULLSTR(baseNode),
                       NULLSTR(backingFile), speed, autoFinalize, autoDismiss);
    return qemuMonitorJSONBlockStream(mon, jobid, device, baseNode, backingFile,
                                      speed, autoFinalize, autoDismiss);
}


/**
 * qemuMonitorBlockJobPause:
 * @mon: an open monitor
 * @jobid: the job
 *
 * Pause a block job. The pause takes effect asynchronously: the job may
 * still copy a chunk after this returns. Returns 0 or -1.
 */
int
qemuMonitorBlockJobPause(qemuMonitor *mon,
                         const char *jobid)
{
    QEMU_MONITOR_ENTER(mon, "block-job-pause", " jobid=%s",
                       NULLSTR(jobid));
    return qemuMonitorJSONBlockJobPause(mon, jobid);
}


/**
 * qemuMonitorBlockJobResume:
 * @mon: an open monitor
 * @jobid: the job
 *
 * Resume a paused block job. Returns 0 or -1.
 */
int
qemuMonitorBlockJobResume(qemuMonitor *mon,
                          const char *jobid)
{
    QEMU_MONITOR_ENTER(mon, "block-job-resume", " jobid=%s",
                       NULLSTR(jobid));
    return qemuMonitorJSONBlockJobResume(mon, jobid);
}


/**
 * qemuMonitorBlockJobCancel:
 * @mon: an open monitor
 * @jobid: the job
 * @force: cancel even a paused job
 *
 * Cancel a block job. It ends later, with BLOCK_JOB_CANCELLED. Returns 0
 * or -1.
 */
int
qemuMonitorBlockJobCancel(qemuMonitor *mon,
                          const char *jobid,
                          bool force)
{
    QEMU_MONITOR_ENTER(mon, "block-job-cancel", " jobid=%s force=%d",
                       NULLSTR(jobid), force);
    return qemuMonitorJSONBlockJobCancel(mon, jobid, force);
}


/**
 * qemuMonitorBlockJobSetSpeed:
 * @mon: an open monitor
 * @jobid: the job
 * @speed: bytes per second, 0 for no limit
 *
 * Change the speed of a block job. Returns 0 or -1.
 */
int
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon,
                            const char *jobid,
                            unsigned long long speed)
{
    QEMU_MONITOR_ENTER(mon, "block-job-set-speed", " jobid=%s speed=%llu",
                       NULLSTR(jobid), speed);
    return qemuMonitorJSONBlockJobSetSpeed(mon, jobid, speed);
}


/**
 * qemuMonitorJobFinalize:
 * @mon: an open monitor
 * @jobid: a job in the pending state
 *
 * Let a pending job make its changes and conclude. Returns 0 or -1.
 */
int
qemuMonitorJobFinalize(qemuMonitor *mon,
                       const char *jobid)
{
    QEMU_MONITOR_ENTER(mon, "job-finalize", " jobid=%s", NULLSTR(jobid));
    return qemuMonitorJSONJobFinalize(mon, jobid);
}


/**
 * qemuMonitorJobDismiss:
 * @mon: an open monitor
 * @jobid: a job in the concluded state
 *
 * Remove a concluded job from QEMU's list. Returns 0 or -1.
 */
int
qemuMonitorJobDismiss(qemuMonitor *mon,
                      const char *jobid)
{
    QEMU_MONITOR_ENTER(mon, "job-dismiss", " jobid=%s", NULLSTR(jobid));
    return qemuMonitorJSONJobDismiss(mon, jobid);
}


/**
 * qemuMonitorBlockJobInfoListFree:
 * @jobs: an array from qemuMonitorQueryBlockJobs(), or NULL
 * @njobs: its length
 */
void
qemuMonitorBlockJobInfoListFree(qemuMonitorBlockJobInfo *jobs,
                                size_t njobs)
{
    size_t i;

    if (!jobs)
        return;
    for (i = 0; i < njobs; i++) {
        g_free(jobs[i].id);
        g_free(jobs[i].type);
        g_free(jobs[i].device);
        g_free(jobs[i].status);
    }
    g_free(jobs);
}


/**
 * qemuMonitorQueryBlockJobs:
 * @mon: an open monitor
 * @jobs: set to an array of the block jobs, freed with
 *        qemuMonitorBlockJobInfoListFree(); NULL when there are none
 * @njobs: set to its length
 *
 * The block jobs and their progress. Returns 0 or -1.
 */
int
qemuMonitorQueryBlockJobs(qemuMonitor *mon,
                          qemuMonitorBlockJobInfo **jobs,
                          size_t *njobs)
{
    *jobs = NULL;
    *njobs = 0;
    QEMU_MONITOR_ENTER(mon, "query-block-jobs", "");
    return qemuMonitorJSONQueryBlockJobs(mon, jobs, njobs);
}


/**
 * qemuMonitorJobInfoListFree:
 * @jobs: an array from qemuMonitorQueryJobs(), or NULL
 * @njobs: its length
 */
void
qemuMonitorJobInfoListFree(qemuMonitorJobInfo *jobs,
                           size_t njobs)
{
    size_t i;

    if (!jobs)
        return;
    for (i = 0; i < njobs; i++) {
        g_free(jobs[i].id);
        g_free(jobs[i].type);
        g_free(jobs[i].error);
    }
    g_free(jobs);
}


/**
 * qemuMonitorQueryJobs:
 * @mon: an open monitor
 * @jobs: set to an array of all jobs (also concluded ones, with their
 *        error), freed with qemuMonitorJobInfoListFree(); NULL when none
 * @njobs: set to its length
 *
 * Every job QEMU knows and its status. Returns 0 or -1.
 */
int
qemuMonitorQueryJobs(qemuMonitor *mon,
                     qemuMonitorJobInfo **jobs,
                     size_t *njobs)
{
    *jobs = NULL;
    *njobs = 0;
    QEMU_MONITOR_ENTER(mon, "query-jobs", "");
    return qemuMonitorJSONQueryJobs(mon, jobs, njobs);
}


/**
 * qemuMonitorBlockdevDel:
 * @mon: an open monitor
 * @nodename: a node added with -blockdev or blockdev-add
 *
 * Delete a block node. Delete a format node before its file node.
 * Returns 0 or -1.
 */
int
qemuMonitorBlockdevDel(qemuMonitor *mon,
                       const char *nodename)
{
    QEMU_MONITOR_ENTER(mon, "blockdev-del", " nodename=%s",
                       NULLSTR(nodename));
    return qemuMonitorJSONBlockdevDel(mon, nodename);
}


/**
 * qemuMonitorRunBatch:
 * @mon: an open monitor
 * @items: the commands, in the order QEMU is to run them; the output
 *         fields are set, freed with qemuMonitorBatchClear()
 * @nitems: how many
 *
 * Send all of @items at once and wait for all the replies: one round trip
 * instead of one per command. QEMU runs them one after another, in order,
 * whatever the earlier ones came to: an item must make sense (or fail
 * harmlessly) whether or not the ones before it succeeded. Each item's
 * own result is in its @rc and @error; query-jobs' list in @jobs/@njobs.
 *
 * Returns 0 if every item got its reply (each may still have failed), or
 * -1 with an error reported if the batch could not run (the monitor is
 * gone, no reply in time): the items without a reply have @rc -1.
 */
int
qemuMonitorRunBatch(qemuMonitor *mon,
                    qemuMonitorBatchItem *items,
                    size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        items[i].rc = -1;
        items[i].error = NULL;
        items[i].jobs = NULL;
        items[i].njobs = 0;
    }
    QEMU_MONITOR_ENTER(mon, "batch", " of %zu commands", nitems);
    return qemuMonitorJSONRunBatch(mon, items, nitems);
}


/**
 * qemuMonitorBatchClear:
 * @items: items run by qemuMonitorRunBatch()
 * @nitems: how many
 *
 * Free what the batch left in @items (the inputs stay).
 */
void
qemuMonitorBatchClear(qemuMonitorBatchItem *items,
                      size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        g_clear_pointer(&items[i].error, g_free);
        qemuMonitorJobInfoListFree(items[i].jobs, items[i].njobs);
        items[i].jobs = NULL;
        items[i].njobs = 0;
    }
}


/**
 * qemuMonitorQueryNamedBlockNodes:
 * @mon: an open monitor
 * @nodenames: set to a NULL-terminated array of the node names, freed
 *             with g_strfreev()
 *
 * The names of all named block nodes, every node once. Returns 0 or -1.
 */
int
qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon,
                                char ***nodenames)
{
    *nodenames = NULL;
    QEMU_MONITOR_ENTER(mon, "query-named-block-nodes", "");
    return qemuMonitorJSONQueryNamedBlockNodes(mon, nodenames);
}


/**
 * qemuMonitorBlockNodeHasBacking:
 * @mon: an open monitor
 * @nodename: the top format node of a disk
 * @hasBacking: set to whether QEMU reads through a backing node under it
 *
 * Whether QEMU really uses a backing image under @nodename, whatever the
 * image header names: a block pull that completed leaves the disk's top
 * node without one. Safe while a stream job is concluded and not yet
 * dismissed. Returns 0, or -1 (also when no disk has that top node).
 */
int
qemuMonitorBlockNodeHasBacking(qemuMonitor *mon,
                               const char *nodename,
                               bool *hasBacking)
{
    *hasBacking = false;
    QEMU_MONITOR_ENTER(mon, "query-block", " nodename=%s",
                       NULLSTR(nodename));
    return qemuMonitorJSONBlockNodeHasBacking(mon, nodename, hasBacking);
}


/**
 * qemuMonitorHumanCommand:
 * @mon: an open monitor
 * @cmdline: a human monitor (HMP) command line
 * @reply: set to its output, freed by the caller; may be NULL
 *
 * Run an HMP command. HMP reports many failures only in the output text,
 * which the caller must read. Returns 0 or -1.
 */
int
qemuMonitorHumanCommand(qemuMonitor *mon,
                        const char *cmdline,
                        char **reply)
{
    if (reply)
        *reply = NULL;
    /* The command line may be megabytes long: its length is enough. */
    QEMU_MONITOR_ENTER(mon, "human-monitor-command", " cmdline of %zu bytes",
                       cmdline ? strlen(cmdline) : 0);
    return qemuMonitorJSONHumanCommand(mon, cmdline, reply);
}


/**
 * qemuMonitorArbitraryCommand:
 * @mon: an open monitor
 * @cmd: a QMP command name
 * @args: its "arguments" object, or NULL; always stolen
 * @ret: where to put the "return" value (a new reference), or NULL
 *
 * Run any QMP command as given (virDomainQemuMonitorCommand).
 *
 * Errors: QEMU's error reply gives VIR_ERR_OPERATION_FAILED "QEMU command
 * 'CMD' failed: DESC (CLASS)" (see qemuMonitorLastErrorClass()); no reply
 * in time gives VIR_ERR_OPERATION_TIMEOUT (the command may still run); a
 * monitor that closed gives VIR_ERR_OPERATION_FAILED saying so; a call
 * from the context thread gives VIR_ERR_INTERNAL_ERROR.
 *
 * Returns 0 on success, -1 on error.
 */
int
qemuMonitorArbitraryCommand(qemuMonitor *mon,
                            const char *cmd,
                            json_object *args,
                            json_object **ret)
{
    VIR_DEBUG("mon=%p cmd=%s", mon, NULLSTR(cmd));
    if (ret)
        *ret = NULL;
    if (qemuMonitorCheck(mon, cmd) < 0) {
        json_object_put(args);
        return -1;
    }
    return qemuMonitorJSONArbitraryCommand(mon, cmd, args, ret);
}

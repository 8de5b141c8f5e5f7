/* qemu_monitor_json.c: one function per QMP command, built and read with shared helpers. */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <string.h>

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


/* How each argument of qemuMonitorJSONArgsV() is given: a type tag, the
 * key, then the value. */
typedef enum {
    QEMU_ARG_END = 0,
    QEMU_ARG_STRING,        /* const char *, must not be NULL */
    QEMU_ARG_BOOL,          /* bool */
    QEMU_ARG_SIZE,          /* unsigned long long, QMP int */
    QEMU_ARG_SIZE_NONZERO,  /* the same, left out when 0 */
} qemuMonitorJSONArgType;


static int
qemuMonitorJSONArgsV(json_object **args,
                     const char *cmd,
                     va_list ap)
{
    g_autoptr(virJSONValue) obj = json_object_new_object();
    int type;

    while ((type = va_arg(ap, int)) != QEMU_ARG_END) {
        const char *key = va_arg(ap, const char *);
        const char *str;
        unsigned long long num;

        switch ((qemuMonitorJSONArgType) type) {
        case QEMU_ARG_STRING:
            if (!(str = va_arg(ap, const char *))) {
                virReportError(VIR_ERR_INVALID_ARG,
                               "QEMU command '%s' needs a value for '%s'",
                               cmd, key);
                return -1;
            }
            json_object_object_add(obj, key, json_object_new_string(str));
            break;

        case QEMU_ARG_BOOL:
            json_object_object_add(obj, key,
                                   json_object_new_boolean(va_arg(ap, int)));
            break;

        case QEMU_ARG_SIZE:
        case QEMU_ARG_SIZE_NONZERO:
            num = va_arg(ap, unsigned long long);
            if (num == 0 && type == QEMU_ARG_SIZE_NONZERO)
                break;
            /* QMP integers are signed 64 bit */
            if (num > LLONG_MAX) {
                virReportError(VIR_ERR_OVERFLOW,
                               "value '%llu' of '%s' is too large for QEMU command '%s'",
                               num, key, cmd);
                return -1;
            }
            json_object_object_add(obj, key, json_object_new_int64(num));
            break;

        case QEMU_ARG_END:
        default:
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           "unknown argument type %d for QEMU command '%s'",
                           type, cmd);
            return -1;
        }
    }

    /* no "arguments" at all rather than an empty one */
    *args = json_object_object_length(obj) > 0 ? g_steal_pointer(&obj) : NULL;
    return 0;
}


/* Build an arguments object: type, key, value, ..., QEMU_ARG_END. */
static int
qemuMonitorJSONArgs(json_object **args,
                    const char *cmd,
                    ...)
{
    va_list ap;
    int rc;

    va_start(ap, cmd);
    rc = qemuMonitorJSONArgsV(args, cmd, ap);
    va_end(ap);
    return rc;
}


/* The choke point: run @cmd and check the type of what it returns
 * (@want json_type_null accepts anything). */
static int
qemuMonitorJSONRun(qemuMonitor *mon,
                   const char *cmd,
                   json_object *args,
                   json_type want,
                   json_object **ret)
{
    g_autoptr(virJSONValue) value = NULL;

    if (qemuMonitorCommand(mon, cmd, args, &value) < 0)
        return -1;

    if (want != json_type_null && !json_object_is_type(value, want)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' is not of the expected type '%s'",
                       cmd, json_type_to_name(want));
        return -1;
    }
    if (ret)
        *ret = g_steal_pointer(&value);
    return 0;
}


/* Build the arguments (type, key, value, ..., QEMU_ARG_END), run @cmd and
 * ignore what it returns: most commands return an empty object. */
static int
qemuMonitorJSONSimple(qemuMonitor *mon,
                      const char *cmd,
                      ...)
{
    json_object *args = NULL;
    va_list ap;
    int rc;

    va_start(ap, cmd);
    rc = qemuMonitorJSONArgsV(&args, cmd, ap);
    va_end(ap);
    if (rc < 0)
        return -1;

    return qemuMonitorJSONRun(mon, cmd, args, json_type_null, NULL);
}


/* Reply getters: a missing or mistyped key is QEMU breaking its schema.
 * Returns 1 with *val set, 0 if an @optional key is absent, -1 on error. */
static int
qemuMonitorJSONGet(json_object *obj,
                   const char *key,
                   json_type type,
                   const char *cmd,
                   bool optional,
                   json_object **val)
{
    *val = NULL;
    if (!json_object_object_get_ex(obj, key, val) || !*val) {
        *val = NULL;
        if (optional)
            return 0;
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' lacks key '%s'", cmd, key);
        return -1;
    }
    if (!json_object_is_type(*val, type)) {
        *val = NULL;
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' has key '%s' of a type other than '%s'",
                       cmd, key, json_type_to_name(type));
        return -1;
    }
    return 1;
}


static int
qemuMonitorJSONGetString(json_object *obj,
                         const char *key,
                         const char *cmd,
                         char **val)
{
    json_object *v;

    if (qemuMonitorJSONGet(obj, key, json_type_string, cmd, false, &v) < 0)
        return -1;
    *val = g_strdup(json_object_get_string(v));
    return 0;
}


/* An optional string: absent leaves *val NULL; mistyped is an error. */
static int
qemuMonitorJSONGetOptString(json_object *obj,
                            const char *key,
                            const char *cmd,
                            char **val)
{
    json_object *v;
    int rc;

    *val = NULL;
    if ((rc = qemuMonitorJSONGet(obj, key, json_type_string, cmd, true,
                                 &v)) <= 0)
        return rc;
    *val = g_strdup(json_object_get_string(v));
    return 0;
}


static int
qemuMonitorJSONGetBool(json_object *obj,
                       const char *key,
                       const char *cmd,
                       bool *val)
{
    json_object *v;

    if (qemuMonitorJSONGet(obj, key, json_type_boolean, cmd, false, &v) < 0)
        return -1;
    *val = json_object_get_boolean(v);
    return 0;
}


static int
qemuMonitorJSONGetULL(json_object *obj,
                      const char *key,
                      const char *cmd,
                      unsigned long long *val)
{
    json_object *v;
    int64_t num;

    if (qemuMonitorJSONGet(obj, key, json_type_int, cmd, false, &v) < 0)
        return -1;
    num = json_object_get_int64(v);
    if (num < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' has a negative '%s'", cmd, key);
        return -1;
    }
    *val = num;
    return 0;
}


/* The i-th entry of a returned array, which must be an object. */
static json_object *
qemuMonitorJSONEntry(json_object *array,
                     size_t i,
                     const char *cmd)
{
    json_object *entry = json_object_array_get_idx(array, i);

    if (!json_object_is_type(entry, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' has an entry that is not an object",
                       cmd);
        return NULL;
    }
    return entry;
}


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
    g_autoptr(virJSONValue) ret = NULL;
    g_autofree char *state = NULL;
    bool run;

    if (qemuMonitorJSONRun(mon, "query-status", NULL, json_type_object,
                           &ret) < 0 ||
        qemuMonitorJSONGetBool(ret, "running", "query-status", &run) < 0 ||
        qemuMonitorJSONGetString(ret, "status", "query-status", &state) < 0)
        return -1;

    if (running)
        *running = run;
    if (status)
        *status = g_steal_pointer(&state);
    return 0;
}


/**
 * qemuMonitorCont:
 * @mon: an open monitor
 *
 * Runs cont: start or resume the guest CPUs. Returns 0 or -1.
 */
int
qemuMonitorCont(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "cont", QEMU_ARG_END);
}


/**
 * qemuMonitorStop:
 * @mon: an open monitor
 *
 * Runs stop: pause the guest CPUs. Returns 0 or -1.
 */
int
qemuMonitorStop(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "stop", QEMU_ARG_END);
}


/**
 * qemuMonitorSystemPowerdown:
 * @mon: an open monitor
 *
 * Runs system_powerdown: ask the guest to shut down (ACPI). Returns 0 or
 * -1.
 */
int
qemuMonitorSystemPowerdown(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "system_powerdown", QEMU_ARG_END);
}


/**
 * qemuMonitorQuit:
 * @mon: an open monitor
 *
 * Runs quit: QEMU exits (after a SHUTDOWN event), then the monitor sees
 * end of file. Returns 0 or -1.
 */
int
qemuMonitorQuit(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "quit", QEMU_ARG_END);
}


/**
 * qemuMonitorBlockStream:
 * @mon: an open monitor
 * @jobid: the id for the new job
 * @device: the node name of the top format node to pull into
 * @speed: bytes per second, 0 for no limit
 * @autoFinalize: let QEMU finalize the job by itself
 * @autoDismiss: let QEMU dismiss the concluded job by itself
 *
 * Runs block-stream: copy the whole backing chain of @device into it.
 * Returns 0 or -1.
 */
int
qemuMonitorBlockStream(qemuMonitor *mon,
                       const char *jobid,
                       const char *device,
                       unsigned long long speed,
                       bool autoFinalize,
                       bool autoDismiss)
{
    return qemuMonitorJSONSimple(mon, "block-stream",
                                 QEMU_ARG_STRING, "job-id", jobid,
                                 QEMU_ARG_STRING, "device", device,
                                 QEMU_ARG_SIZE_NONZERO, "speed", speed,
                                 QEMU_ARG_BOOL, "auto-finalize", autoFinalize,
                                 QEMU_ARG_BOOL, "auto-dismiss", autoDismiss,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorBlockJobPause:
 * @mon: an open monitor
 * @jobid: the job
 *
 * Runs block-job-pause. The pause takes effect asynchronously: the job
 * may still copy a chunk after this returns. Returns 0 or -1.
 */
int
qemuMonitorBlockJobPause(qemuMonitor *mon,
                         const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "block-job-pause",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorBlockJobResume:
 * @mon: an open monitor
 * @jobid: the job
 *
 * Runs block-job-resume. Returns 0 or -1.
 */
int
qemuMonitorBlockJobResume(qemuMonitor *mon,
                          const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "block-job-resume",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorBlockJobCancel:
 * @mon: an open monitor
 * @jobid: the job
 * @force: cancel even a paused job
 *
 * Runs block-job-cancel. The job ends later, with BLOCK_JOB_CANCELLED.
 * Returns 0 or -1.
 */
int
qemuMonitorBlockJobCancel(qemuMonitor *mon,
                          const char *jobid,
                          bool force)
{
    return qemuMonitorJSONSimple(mon, "block-job-cancel",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_BOOL, "force", force,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorBlockJobSetSpeed:
 * @mon: an open monitor
 * @jobid: the job
 * @speed: bytes per second, 0 for no limit
 *
 * Runs block-job-set-speed. Returns 0 or -1.
 */
int
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon,
                            const char *jobid,
                            unsigned long long speed)
{
    return qemuMonitorJSONSimple(mon, "block-job-set-speed",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_SIZE, "speed", speed,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJobFinalize:
 * @mon: an open monitor
 * @jobid: a job in the pending state
 *
 * Runs job-finalize. Returns 0 or -1.
 */
int
qemuMonitorJobFinalize(qemuMonitor *mon,
                       const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "job-finalize",
                                 QEMU_ARG_STRING, "id", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJobDismiss:
 * @mon: an open monitor
 * @jobid: a job in the concluded state
 *
 * Runs job-dismiss. Returns 0 or -1.
 */
int
qemuMonitorJobDismiss(qemuMonitor *mon,
                      const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "job-dismiss",
                                 QEMU_ARG_STRING, "id", jobid,
                                 QEMU_ARG_END);
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


static int
qemuMonitorJSONParseBlockJob(json_object *entry,
                             qemuMonitorBlockJobInfo *job)
{
    const char *cmd = "query-block-jobs";

    if (qemuMonitorJSONGetString(entry, "type", cmd, &job->type) < 0 ||
        qemuMonitorJSONGetString(entry, "device", cmd, &job->device) < 0 ||
        qemuMonitorJSONGetULL(entry, "offset", cmd, &job->offset) < 0 ||
        qemuMonitorJSONGetULL(entry, "len", cmd, &job->len) < 0 ||
        qemuMonitorJSONGetULL(entry, "speed", cmd, &job->speed) < 0 ||
        qemuMonitorJSONGetBool(entry, "busy", cmd, &job->busy) < 0 ||
        qemuMonitorJSONGetBool(entry, "paused", cmd, &job->paused) < 0 ||
        qemuMonitorJSONGetBool(entry, "ready", cmd, &job->ready) < 0 ||
        qemuMonitorJSONGetString(entry, "status", cmd, &job->status) < 0)
        return -1;

    job->id = g_strdup(job->device);
    return 0;
}


/**
 * qemuMonitorQueryBlockJobs:
 * @mon: an open monitor
 * @jobs: set to an array of the block jobs, freed with
 *        qemuMonitorBlockJobInfoListFree(); NULL when there are none
 * @njobs: set to its length
 *
 * Runs query-block-jobs. Returns 0 or -1.
 */
int
qemuMonitorQueryBlockJobs(qemuMonitor *mon,
                          qemuMonitorBlockJobInfo **jobs,
                          size_t *njobs)
{
    const char *cmd = "query-block-jobs";
    g_autoptr(virJSONValue) ret = NULL;
    qemuMonitorBlockJobInfo *list;
    size_t n;
    size_t i;

    *jobs = NULL;
    *njobs = 0;
    if (qemuMonitorJSONRun(mon, cmd, NULL, json_type_array, &ret) < 0)
        return -1;

    n = json_object_array_length(ret);
    list = g_new0(qemuMonitorBlockJobInfo, n);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, cmd);

        if (!entry || qemuMonitorJSONParseBlockJob(entry, &list[i]) < 0) {
            qemuMonitorBlockJobInfoListFree(list, n);
            return -1;
        }
    }

    *jobs = list;
    *njobs = n;
    return 0;
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


static int
qemuMonitorJSONParseJob(json_object *entry,
                        qemuMonitorJobInfo *job)
{
    const char *cmd = "query-jobs";
    g_autofree char *status = NULL;
    int st;

    if (qemuMonitorJSONGetString(entry, "id", cmd, &job->id) < 0 ||
        qemuMonitorJSONGetString(entry, "type", cmd, &job->type) < 0 ||
        qemuMonitorJSONGetString(entry, "status", cmd, &status) < 0 ||
        qemuMonitorJSONGetULL(entry, "current-progress", cmd,
                              &job->current) < 0 ||
        qemuMonitorJSONGetULL(entry, "total-progress", cmd,
                              &job->total) < 0 ||
        qemuMonitorJSONGetOptString(entry, "error", cmd, &job->error) < 0)
        return -1;

    /* A state added by a later QEMU must not make the job unreadable. */
    if ((st = qemuMonitorJobStatusFromString(status)) < 0) {
        VIR_WARN("job '%s' has unknown status '%s'", job->id, status);
        st = QEMU_MONITOR_JOB_STATUS_UNDEFINED;
    }
    job->status = st;
    return 0;
}


/**
 * qemuMonitorQueryJobs:
 * @mon: an open monitor
 * @jobs: set to an array of all jobs (also concluded ones, with their
 *        error), freed with qemuMonitorJobInfoListFree(); NULL when none
 * @njobs: set to its length
 *
 * Runs query-jobs. Returns 0 or -1.
 */
int
qemuMonitorQueryJobs(qemuMonitor *mon,
                     qemuMonitorJobInfo **jobs,
                     size_t *njobs)
{
    const char *cmd = "query-jobs";
    g_autoptr(virJSONValue) ret = NULL;
    qemuMonitorJobInfo *list;
    size_t n;
    size_t i;

    *jobs = NULL;
    *njobs = 0;
    if (qemuMonitorJSONRun(mon, cmd, NULL, json_type_array, &ret) < 0)
        return -1;

    n = json_object_array_length(ret);
    list = g_new0(qemuMonitorJobInfo, n);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, cmd);

        if (!entry || qemuMonitorJSONParseJob(entry, &list[i]) < 0) {
            qemuMonitorJobInfoListFree(list, n);
            return -1;
        }
    }

    *jobs = list;
    *njobs = n;
    return 0;
}


/**
 * qemuMonitorBlockdevDel:
 * @mon: an open monitor
 * @nodename: a node added with -blockdev or blockdev-add
 *
 * Runs blockdev-del. Delete a format node before its file node. Returns
 * 0 or -1.
 */
int
qemuMonitorBlockdevDel(qemuMonitor *mon,
                       const char *nodename)
{
    return qemuMonitorJSONSimple(mon, "blockdev-del",
                                 QEMU_ARG_STRING, "node-name", nodename,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorQueryNamedBlockNodes:
 * @mon: an open monitor
 * @nodenames: set to a NULL-terminated array of the node names, freed
 *             with g_strfreev()
 *
 * Runs query-named-block-nodes with flat: true (every node once).
 * Returns 0 or -1.
 */
int
qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon,
                                char ***nodenames)
{
    const char *cmd = "query-named-block-nodes";
    g_autoptr(virJSONValue) ret = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    json_object *args = NULL;
    size_t n;
    size_t i;

    *nodenames = NULL;
    if (qemuMonitorJSONArgs(&args, cmd, QEMU_ARG_BOOL, "flat", true,
                            QEMU_ARG_END) < 0 ||
        qemuMonitorJSONRun(mon, cmd, args, json_type_array, &ret) < 0)
        return -1;

    n = json_object_array_length(ret);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, cmd);
        char *name = NULL;

        if (!entry ||
            qemuMonitorJSONGetOptString(entry, "node-name", cmd, &name) < 0)
            return -1;
        if (name)
            g_ptr_array_add(names, name);
    }
    g_ptr_array_add(names, NULL);

    *nodenames = (char **) g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return 0;
}


/**
 * qemuMonitorBlockNodeHasBacking:
 * @mon: an open monitor
 * @nodename: a format node's name
 * @hasBacking: set to whether QEMU reads through a backing node under it
 *
 * Runs query-named-block-nodes with flat: false: only then does a node's
 * "image" describe the backing image QEMU really uses ("backing-image"),
 * whatever the image header names. A block pull that completed leaves the
 * disk's top node without one. Returns 0, or -1 (also when QEMU has no
 * node of that name).
 */
int
qemuMonitorBlockNodeHasBacking(qemuMonitor *mon,
                               const char *nodename,
                               bool *hasBacking)
{
    const char *cmd = "query-named-block-nodes";
    g_autoptr(virJSONValue) ret = NULL;
    json_object *args = NULL;
    size_t n;
    size_t i;

    *hasBacking = false;
    if (qemuMonitorJSONArgs(&args, cmd, QEMU_ARG_BOOL, "flat", false,
                            QEMU_ARG_END) < 0 ||
        qemuMonitorJSONRun(mon, cmd, args, json_type_array, &ret) < 0)
        return -1;

    n = json_object_array_length(ret);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, cmd);
        g_autofree char *name = NULL;
        json_object *image;
        json_object *backing;
        int rc;

        if (!entry ||
            qemuMonitorJSONGetOptString(entry, "node-name", cmd, &name) < 0)
            return -1;
        if (g_strcmp0(name, nodename) != 0)
            continue;
        if (qemuMonitorJSONGet(entry, "image", json_type_object, cmd, false,
                               &image) < 0 ||
            (rc = qemuMonitorJSONGet(image, "backing-image", json_type_object,
                                     cmd, true, &backing)) < 0)
            return -1;
        *hasBacking = rc > 0;
        return 0;
    }
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "QEMU has no block node '%s'", nodename);
    return -1;
}


/**
 * qemuMonitorHumanCommand:
 * @mon: an open monitor
 * @cmdline: a human monitor (HMP) command line
 * @reply: set to its output, freed by the caller; may be NULL
 *
 * Runs human-monitor-command. HMP reports many failures only in the
 * output text, which the caller must read. Returns 0 or -1.
 */
int
qemuMonitorHumanCommand(qemuMonitor *mon,
                        const char *cmdline,
                        char **reply)
{
    const char *cmd = "human-monitor-command";
    g_autoptr(virJSONValue) ret = NULL;
    json_object *args = NULL;

    if (reply)
        *reply = NULL;
    if (qemuMonitorJSONArgs(&args, cmd, QEMU_ARG_STRING, "command-line",
                            cmdline, QEMU_ARG_END) < 0 ||
        qemuMonitorJSONRun(mon, cmd, args, json_type_string, &ret) < 0)
        return -1;

    if (reply)
        *reply = g_strdup(json_object_get_string(ret));
    return 0;
}

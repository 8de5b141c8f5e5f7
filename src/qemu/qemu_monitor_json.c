/*
 * qemu_monitor_json.c: QMP itself: one qemuMonitorJSONX per command
 * (arguments built with one helper, sent through one choke point that
 * checks "error" and the type of "return", replies read with getters that
 * report missing keys), and the sorted table of QEMU's events, each
 * parsed into a typed callback.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_monitor_json.h"
#include "qemu_monitor_priv.h"
#include "util/virerror.h"
#include "util/virjson.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU


/* How each argument of qemuMonitorJSONArgsV() is given: a type tag, the
 * key, then the value. */
typedef enum {
    QEMU_ARG_END = 0,
    QEMU_ARG_STRING,        /* const char *, must not be NULL */
    QEMU_ARG_STRING_OPT,    /* const char *, left out when NULL */
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

        case QEMU_ARG_STRING_OPT:
            if ((str = va_arg(ap, const char *)))
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


/**
 * qemuMonitorJSONCheckReply:
 * @cmd: the command @reply answers
 * @reply: QEMU's whole reply
 * @want: the type "return" must have (json_type_null accepts anything)
 * @ret: where to put "return" (a new reference), or NULL
 *
 * QEMU's error is reported with its class (see
 * qemuMonitorLastErrorClass()); otherwise "return" must be there and of
 * type @want.
 *
 * Returns 0 or -1.
 */
int
qemuMonitorJSONCheckReply(const char *cmd,
                          json_object *reply,
                          json_type want,
                          json_object **ret)
{
    json_object *err;
    json_object *val;

    qemuMonitorSetLastErrorClass(NULL);
    if (ret)
        *ret = NULL;
    if (json_object_object_get_ex(reply, "error", &err)) {
        const char *desc = "unknown error";
        const char *klass = "unknown class";

        if (json_object_object_get_ex(err, "desc", &val) &&
            json_object_is_type(val, json_type_string))
            desc = json_object_get_string(val);
        if (json_object_object_get_ex(err, "class", &val) &&
            json_object_is_type(val, json_type_string))
            klass = json_object_get_string(val);
        qemuMonitorSetLastErrorClass(klass);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "QEMU command '%s' failed: %s (%s)", cmd, desc, klass);
        return -1;
    }

    if (!json_object_object_get_ex(reply, "return", &val)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to command '%s' has no 'return'", cmd);
        return -1;
    }
    if (want != json_type_null && !json_object_is_type(val, want)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU reply to '%s' is not of the expected type '%s'",
                       cmd, json_type_to_name(want));
        return -1;
    }
    if (ret)
        *ret = json_object_get(val);
    return 0;
}


/*
 * The choke point: every command goes out here (or, pipelined, through
 * qemuMonitorJSONRunBatch()). Send @cmd and read the reply (see
 * qemuMonitorJSONCheckReply()).
 */
static int
qemuMonitorJSONCommandFull(qemuMonitor *mon,
                           const char *cmd,
                           json_object *args,
                           json_type want,
                           json_object **ret,
                           int timeout_ms,
                           bool negotiation)
{
    g_autoptr(virJSONValue) reply = NULL;

    qemuMonitorSetLastErrorClass(NULL);
    if (ret)
        *ret = NULL;
    if (qemuMonitorIOSend(mon, cmd, args, &reply, timeout_ms, negotiation) < 0)
        return -1;
    return qemuMonitorJSONCheckReply(cmd, reply, want, ret);
}


/* Run @cmd with the monitor's command timeout. */
static int
qemuMonitorJSONRun(qemuMonitor *mon,
                   const char *cmd,
                   json_object *args,
                   json_type want,
                   json_object **ret)
{
    return qemuMonitorJSONCommandFull(mon, cmd, args, want, ret,
                                      QEMU_MONITOR_IO_DEFAULT_TIMEOUT, false);
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


/* Where a getter reads from, for its messages: "QEMU reply to 'CMD' lacks
 * key 'KEY'", "QEMU event 'NAME' lacks key 'KEY'". */
#define QEMU_JSON_REPLY(cmd) "reply to '" cmd "'"
#define QEMU_JSON_EVENT(name) "event '" name "'"

/* Getters: a missing or mistyped key is QEMU breaking its schema. @what
 * says what was read (QEMU_JSON_REPLY, QEMU_JSON_EVENT). Returns 1 with
 * *val set, 0 if an @optional key is absent, -1 on error. */
static int
qemuMonitorJSONGet(json_object *obj,
                   const char *key,
                   json_type type,
                   const char *what,
                   bool optional,
                   json_object **val)
{
    *val = NULL;
    if (!json_object_object_get_ex(obj, key, val) || !*val) {
        *val = NULL;
        if (optional)
            return 0;
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU %s lacks key '%s'", what, key);
        return -1;
    }
    if (!json_object_is_type(*val, type)) {
        *val = NULL;
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU %s has key '%s' of a type other than '%s'",
                       what, key, json_type_to_name(type));
        return -1;
    }
    return 1;
}


static int
qemuMonitorJSONGetString(json_object *obj,
                         const char *key,
                         const char *what,
                         char **val)
{
    json_object *v;

    if (qemuMonitorJSONGet(obj, key, json_type_string, what, false, &v) < 0)
        return -1;
    *val = g_strdup(json_object_get_string(v));
    return 0;
}


/* An optional string: absent leaves *val NULL; mistyped is an error. */
static int
qemuMonitorJSONGetOptString(json_object *obj,
                            const char *key,
                            const char *what,
                            char **val)
{
    json_object *v;
    int rc;

    *val = NULL;
    if ((rc = qemuMonitorJSONGet(obj, key, json_type_string, what, true,
                                 &v)) <= 0)
        return rc;
    *val = g_strdup(json_object_get_string(v));
    return 0;
}


static int
qemuMonitorJSONGetBool(json_object *obj,
                       const char *key,
                       const char *what,
                       bool *val)
{
    json_object *v;

    if (qemuMonitorJSONGet(obj, key, json_type_boolean, what, false, &v) < 0)
        return -1;
    *val = json_object_get_boolean(v);
    return 0;
}


static int
qemuMonitorJSONGetULL(json_object *obj,
                      const char *key,
                      const char *what,
                      unsigned long long *val)
{
    json_object *v;
    int64_t num;

    if (qemuMonitorJSONGet(obj, key, json_type_int, what, false, &v) < 0)
        return -1;
    num = json_object_get_int64(v);
    if (num < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU %s has a negative '%s'", what, key);
        return -1;
    }
    *val = num;
    return 0;
}


/* The i-th entry of a returned array, which must be an object. */
static json_object *
qemuMonitorJSONEntry(json_object *array,
                     size_t i,
                     const char *what)
{
    json_object *entry = json_object_array_get_idx(array, i);

    if (!json_object_is_type(entry, json_type_object)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "QEMU %s has an entry that is not an object", what);
        return NULL;
    }
    return entry;
}


/* ------------------------------------------------------------------ */
/* Commands                                                             */

/**
 * qemuMonitorJSONSetCapabilities:
 * @mon: a monitor whose greeting came
 * @timeout_ms: how long to wait for the reply; negative: for ever
 *
 * Runs qmp_capabilities, which leaves the negotiation mode: from its
 * success on, QEMU takes commands and the owner hears events. Returns 0
 * or -1.
 */
int
qemuMonitorJSONSetCapabilities(qemuMonitor *mon,
                               int timeout_ms)
{
    return qemuMonitorJSONCommandFull(mon, "qmp_capabilities", NULL,
                                      json_type_null, NULL, timeout_ms, true);
}


/**
 * qemuMonitorJSONQueryStatus:
 * @mon, @running, @status: see qemuMonitorQueryStatus()
 *
 * Runs query-status. Returns 0 on success, -1 on error.
 */
int
qemuMonitorJSONQueryStatus(qemuMonitor *mon,
                           bool *running,
                           char **status)
{
    g_autoptr(virJSONValue) ret = NULL;

    if (qemuMonitorJSONRun(mon, "query-status", NULL, json_type_object,
                           &ret) < 0)
        return -1;
    return qemuMonitorJSONParseStatus(ret, running, status);
}


/**
 * qemuMonitorJSONParseStatus:
 * @ret: the "return" of query-status
 * @running, @status: see qemuMonitorQueryStatus()
 *
 * Returns 0 on success, -1 on error.
 */
int
qemuMonitorJSONParseStatus(json_object *ret,
                           bool *running,
                           char **status)
{
    const char *what = QEMU_JSON_REPLY("query-status");
    g_autofree char *state = NULL;
    bool run;

    if (qemuMonitorJSONGetBool(ret, "running", what, &run) < 0 ||
        qemuMonitorJSONGetString(ret, "status", what, &state) < 0)
        return -1;

    if (running)
        *running = run;
    if (status)
        *status = g_steal_pointer(&state);
    return 0;
}


/**
 * qemuMonitorJSONCont:
 * @mon: an open monitor
 *
 * Runs cont. Returns 0 or -1.
 */
int
qemuMonitorJSONCont(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "cont", QEMU_ARG_END);
}


/**
 * qemuMonitorJSONStop:
 * @mon: an open monitor
 *
 * Runs stop. Returns 0 or -1.
 */
int
qemuMonitorJSONStop(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "stop", QEMU_ARG_END);
}


/**
 * qemuMonitorJSONSystemPowerdown:
 * @mon: an open monitor
 *
 * Runs system_powerdown. Returns 0 or -1.
 */
int
qemuMonitorJSONSystemPowerdown(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "system_powerdown", QEMU_ARG_END);
}


/**
 * qemuMonitorJSONQuit:
 * @mon: an open monitor
 *
 * Runs quit. Returns 0 or -1.
 */
int
qemuMonitorJSONQuit(qemuMonitor *mon)
{
    return qemuMonitorJSONSimple(mon, "quit", QEMU_ARG_END);
}


/**
 * qemuMonitorJSONBlockStream:
 * @mon, @jobid, @device, @baseNode, @backingFile, @speed, @autoFinalize,
 *     @autoDismiss: see qemuMonitorBlockStream()
 *
 * Runs block-stream (base-node and backing-file left out when NULL, speed
 * when 0). Returns 0 or -1.
 */
int
qemuMonitorJSONBlockStream(qemuMonitor *mon,
                           const char *jobid,
                           const char *device,
                           const char *baseNode,
                           const char *backingFile,
                           unsigned long long speed,
                           bool autoFinalize,
                           bool autoDismiss)
{
    return qemuMonitorJSONSimple(mon, "block-stream",
                                 QEMU_ARG_STRING, "job-id", jobid,
                                 QEMU_ARG_STRING, "device", device,
                                 QEMU_ARG_STRING_OPT, "base-node", baseNode,
                                 QEMU_ARG_STRING_OPT, "backing-file", backingFile,
                                 QEMU_ARG_SIZE_NONZERO, "speed", speed,
                                 QEMU_ARG_BOOL, "auto-finalize", autoFinalize,
                                 QEMU_ARG_BOOL, "auto-dismiss", autoDismiss,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONBlockJobPause:
 * @mon: an open monitor
 * @jobid: the job, QMP's "device"
 *
 * Runs block-job-pause. Returns 0 or -1.
 */
int
qemuMonitorJSONBlockJobPause(qemuMonitor *mon,
                             const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "block-job-pause",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONBlockJobResume:
 * @mon: an open monitor
 * @jobid: the job, QMP's "device"
 *
 * Runs block-job-resume. Returns 0 or -1.
 */
int
qemuMonitorJSONBlockJobResume(qemuMonitor *mon,
                              const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "block-job-resume",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONBlockJobCancel:
 * @mon: an open monitor
 * @jobid: the job, QMP's "device"
 * @force: cancel even a paused job
 *
 * Runs block-job-cancel. Returns 0 or -1.
 */
int
qemuMonitorJSONBlockJobCancel(qemuMonitor *mon,
                              const char *jobid,
                              bool force)
{
    return qemuMonitorJSONSimple(mon, "block-job-cancel",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_BOOL, "force", force,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONBlockJobSetSpeed:
 * @mon: an open monitor
 * @jobid: the job, QMP's "device"
 * @speed: bytes per second, 0 for no limit
 *
 * Runs block-job-set-speed. Returns 0 or -1.
 */
int
qemuMonitorJSONBlockJobSetSpeed(qemuMonitor *mon,
                                const char *jobid,
                                unsigned long long speed)
{
    return qemuMonitorJSONSimple(mon, "block-job-set-speed",
                                 QEMU_ARG_STRING, "device", jobid,
                                 QEMU_ARG_SIZE, "speed", speed,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONJobFinalize:
 * @mon: an open monitor
 * @jobid: a job in the pending state
 *
 * Runs job-finalize. Returns 0 or -1.
 */
int
qemuMonitorJSONJobFinalize(qemuMonitor *mon,
                           const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "job-finalize",
                                 QEMU_ARG_STRING, "id", jobid,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONJobDismiss:
 * @mon: an open monitor
 * @jobid: a job in the concluded state
 *
 * Runs job-dismiss. Returns 0 or -1.
 */
int
qemuMonitorJSONJobDismiss(qemuMonitor *mon,
                          const char *jobid)
{
    return qemuMonitorJSONSimple(mon, "job-dismiss",
                                 QEMU_ARG_STRING, "id", jobid,
                                 QEMU_ARG_END);
}


/* Reads one entry of an array reply into @item, which starts zeroed.
 * What it set before failing is freed with the list. Returns 0 or -1. */
typedef int (*qemuMonitorJSONEntryParser)(json_object *entry,
                                          const char *what,
                                          void *item);

/* Frees a list of @n items and what they hold. */
typedef void (*qemuMonitorJSONListFree)(void *list,
                                        size_t n);

/* The two lists' frees, as qemuMonitorJSONListFree. */
static void
qemuMonitorJSONFreeBlockJobs(void *list, size_t n)
{
    qemuMonitorBlockJobInfoListFree(list, n);
}

static void
qemuMonitorJSONFreeJobs(void *list, size_t n)
{
    qemuMonitorJobInfoListFree(list, n);
}


/* Read @ret, @cmd's array of objects, entry by entry with @parse into a
 * new list of items of @itemSize bytes, freed with @listFree. Sets
 * *@items (NULL for an empty array) and *@nitems. Returns 0 or -1. */
static int
qemuMonitorJSONParseList(const char *cmd,
                         json_object *ret,
                         size_t itemSize,
                         qemuMonitorJSONEntryParser parse,
                         qemuMonitorJSONListFree listFree,
                         void **items,
                         size_t *nitems)
{
    g_autofree char *what = g_strdup_printf(QEMU_JSON_REPLY("%s"), cmd);
    char *list;
    size_t n;
    size_t i;

    *items = NULL;
    *nitems = 0;
    n = json_object_array_length(ret);
    list = g_malloc0_n(n, itemSize);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, what);

        if (!entry || parse(entry, what, list + i * itemSize) < 0) {
            listFree(list, n);
            return -1;
        }
    }

    *items = list;
    *nitems = n;
    return 0;
}


/* Run @cmd, whose reply must be an array of objects, and read it with
 * qemuMonitorJSONParseList(). Returns 0 or -1. */
static int
qemuMonitorJSONQueryList(qemuMonitor *mon,
                         const char *cmd,
                         size_t itemSize,
                         qemuMonitorJSONEntryParser parse,
                         qemuMonitorJSONListFree listFree,
                         void **items,
                         size_t *nitems)
{
    g_autoptr(virJSONValue) ret = NULL;

    *items = NULL;
    *nitems = 0;
    if (qemuMonitorJSONRun(mon, cmd, NULL, json_type_array, &ret) < 0)
        return -1;
    return qemuMonitorJSONParseList(cmd, ret, itemSize, parse, listFree,
                                    items, nitems);
}


static int
qemuMonitorJSONParseBlockJob(json_object *entry,
                             const char *what,
                             void *item)
{
    qemuMonitorBlockJobInfo *job = item;

    if (qemuMonitorJSONGetString(entry, "type", what, &job->type) < 0 ||
        qemuMonitorJSONGetString(entry, "device", what, &job->device) < 0 ||
        qemuMonitorJSONGetULL(entry, "offset", what, &job->offset) < 0 ||
        qemuMonitorJSONGetULL(entry, "len", what, &job->len) < 0 ||
        qemuMonitorJSONGetULL(entry, "speed", what, &job->speed) < 0 ||
        qemuMonitorJSONGetBool(entry, "busy", what, &job->busy) < 0 ||
        qemuMonitorJSONGetBool(entry, "paused", what, &job->paused) < 0 ||
        qemuMonitorJSONGetBool(entry, "ready", what, &job->ready) < 0 ||
        qemuMonitorJSONGetString(entry, "status", what, &job->status) < 0)
        return -1;

    job->id = g_strdup(job->device);
    return 0;
}


/**
 * qemuMonitorJSONQueryBlockJobs:
 * @mon, @jobs, @njobs: see qemuMonitorQueryBlockJobs()
 *
 * Runs query-block-jobs. Returns 0 or -1.
 */
int
qemuMonitorJSONQueryBlockJobs(qemuMonitor *mon,
                              qemuMonitorBlockJobInfo **jobs,
                              size_t *njobs)
{
    void *list;
    int rc;

    rc = qemuMonitorJSONQueryList(mon, "query-block-jobs", sizeof(**jobs),
                                  qemuMonitorJSONParseBlockJob,
                                  qemuMonitorJSONFreeBlockJobs,
                                  &list, njobs);
    *jobs = list;   /* NULL on failure */
    return rc;
}


static int
qemuMonitorJSONParseJob(json_object *entry,
                        const char *what,
                        void *item)
{
    qemuMonitorJobInfo *job = item;
    g_autofree char *status = NULL;
    int st;

    if (qemuMonitorJSONGetString(entry, "id", what, &job->id) < 0 ||
        qemuMonitorJSONGetString(entry, "type", what, &job->type) < 0 ||
        qemuMonitorJSONGetString(entry, "status", what, &status) < 0 ||
        qemuMonitorJSONGetULL(entry, "current-progress", what,
                              &job->current) < 0 ||
        qemuMonitorJSONGetULL(entry, "total-progress", what,
                              &job->total) < 0 ||
        qemuMonitorJSONGetOptString(entry, "error", what, &job->error) < 0)
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
 * qemuMonitorJSONQueryJobs:
 * @mon, @jobs, @njobs: see qemuMonitorQueryJobs()
 *
 * Runs query-jobs. Returns 0 or -1.
 */
int
qemuMonitorJSONQueryJobs(qemuMonitor *mon,
                         qemuMonitorJobInfo **jobs,
                         size_t *njobs)
{
    void *list;
    int rc;

    rc = qemuMonitorJSONQueryList(mon, "query-jobs", sizeof(**jobs),
                                  qemuMonitorJSONParseJob,
                                  qemuMonitorJSONFreeJobs,
                                  &list, njobs);
    *jobs = list;   /* NULL on failure */
    return rc;
}


/* What each batch command is called in QMP, and the key of its @arg. */
static const struct {
    const char *cmd;
    const char *key;
} qemuMonitorJSONBatchCommands[] = {
    [QEMU_MONITOR_BATCH_JOB_FINALIZE] = { "job-finalize", "id" },
    [QEMU_MONITOR_BATCH_QUERY_JOBS] = { "query-jobs", NULL },
    [QEMU_MONITOR_BATCH_JOB_DISMISS] = { "job-dismiss", "id" },
    [QEMU_MONITOR_BATCH_BLOCKDEV_DEL] = { "blockdev-del", "node-name" },
};


/* Read one batch item's @reply into @item: rc, error, query-jobs' list.
 * Leaves no error behind. */
static void
qemuMonitorJSONBatchReply(qemuMonitorBatchItem *item,
                          const char *cmd,
                          json_object *reply)
{
    g_autoptr(virJSONValue) ret = NULL;
    void *list = NULL;
    int rc;

    rc = qemuMonitorJSONCheckReply(cmd, reply,
                                   item->cmd == QEMU_MONITOR_BATCH_QUERY_JOBS ?
                                   json_type_array : json_type_null, &ret);
    if (rc == 0 && item->cmd == QEMU_MONITOR_BATCH_QUERY_JOBS) {
        rc = qemuMonitorJSONParseList(cmd, ret, sizeof(*item->jobs),
                                      qemuMonitorJSONParseJob,
                                      qemuMonitorJSONFreeJobs,
                                      &list, &item->njobs);
        item->jobs = list;
    }
    item->rc = rc;
    if (rc < 0) {
        item->error = g_strdup(virGetLastErrorMessage());
        virResetLastError();
    }
}


/**
 * qemuMonitorJSONRunBatch:
 * @mon, @items, @nitems: see qemuMonitorRunBatch()
 *
 * Sends the commands with qemuMonitorIOSendMany(). Returns 0 or -1.
 */
int
qemuMonitorJSONRunBatch(qemuMonitor *mon,
                        qemuMonitorBatchItem *items,
                        size_t nitems)
{
    g_autofree const char **cmds = g_new0(const char *, nitems + 1);
    g_autofree json_object **args = g_new0(json_object *, nitems + 1);
    g_autofree json_object **replies = g_new0(json_object *, nitems + 1);
    g_autofree char *failure = NULL;
    g_autoptr(virError) saved = NULL;
    size_t i;
    int rc;

    for (i = 0; i < nitems; i++) {
        const char *key;

        if ((int) items[i].cmd < 0 ||
            items[i].cmd >= G_N_ELEMENTS(qemuMonitorJSONBatchCommands)) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           "unknown batch command %d", (int) items[i].cmd);
            goto error;
        }
        cmds[i] = qemuMonitorJSONBatchCommands[items[i].cmd].cmd;
        if ((key = qemuMonitorJSONBatchCommands[items[i].cmd].key)) {
            if (!items[i].arg) {
                virReportError(VIR_ERR_INVALID_ARG,
                               "QEMU command '%s' needs a value for '%s'",
                               cmds[i], key);
                goto error;
            }
            args[i] = json_object_new_object();
            json_object_object_add(args[i], key,
                                   json_object_new_string(items[i].arg));
        }
    }

    rc = qemuMonitorIOSendMany(mon, nitems, (const char *const *) cmds, args,
                               replies, QEMU_MONITOR_IO_DEFAULT_TIMEOUT);
    if (rc < 0) {
        failure = g_strdup(virGetLastErrorMessage());
        virErrorPreserveLast(&saved);
    }
    for (i = 0; i < nitems; i++) {
        if (!replies[i]) {
            items[i].error = g_strdup(failure);
            continue;
        }
        qemuMonitorJSONBatchReply(&items[i], cmds[i], replies[i]);
        json_object_put(replies[i]);
    }
    if (rc < 0) {
        /* The batch's own error is the caller's, as after any command. */
        virErrorRestore(&saved);
        return -1;
    }
    return 0;

 error:
    for (i = 0; i < nitems; i++)
        g_clear_pointer(&args[i], json_object_put);
    return -1;
}


/**
 * qemuMonitorJSONBlockdevDel:
 * @mon: an open monitor
 * @nodename: the node
 *
 * Runs blockdev-del. Returns 0 or -1.
 */
int
qemuMonitorJSONBlockdevDel(qemuMonitor *mon,
                           const char *nodename)
{
    return qemuMonitorJSONSimple(mon, "blockdev-del",
                                 QEMU_ARG_STRING, "node-name", nodename,
                                 QEMU_ARG_END);
}


/**
 * qemuMonitorJSONQueryNamedBlockNodes:
 * @mon, @nodenames: see qemuMonitorQueryNamedBlockNodes()
 *
 * Runs query-named-block-nodes with flat: true (every node once).
 * Returns 0 or -1.
 */
int
qemuMonitorJSONQueryNamedBlockNodes(qemuMonitor *mon,
                                    char ***nodenames)
{
    const char *cmd = "query-named-block-nodes";
    const char *what = QEMU_JSON_REPLY("query-named-block-nodes");
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
        json_object *entry = qemuMonitorJSONEntry(ret, i, what);
        char *name = NULL;

        if (!entry ||
            qemuMonitorJSONGetOptString(entry, "node-name", what, &name) < 0)
            return -1;
        if (name)
            g_ptr_array_add(names, name);
    }
    g_ptr_array_add(names, NULL);

    *nodenames = (char **) g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return 0;
}


/**
 * qemuMonitorJSONBlockNodeHasBacking:
 * @mon, @nodename, @hasBacking: see qemuMonitorBlockNodeHasBacking()
 *
 * Runs query-block and looks at the device whose top node is @nodename:
 * its "image" describes the backing image QEMU really uses
 * ("backing-image"). Not query-named-block-nodes: QEMU 7.2 crashes on that
 * one while a stream job is concluded and not yet dismissed (the job's
 * filter node has gone), and another disk's pull may be in that state.
 * Returns 0, or -1 (also when no device has that top node).
 */
int
qemuMonitorJSONBlockNodeHasBacking(qemuMonitor *mon,
                                   const char *nodename,
                                   bool *hasBacking)
{
    const char *cmd = "query-block";
    const char *what = QEMU_JSON_REPLY("query-block");
    g_autoptr(virJSONValue) ret = NULL;
    size_t n;
    size_t i;

    *hasBacking = false;
    if (qemuMonitorJSONRun(mon, cmd, NULL, json_type_array, &ret) < 0)
        return -1;

    n = json_object_array_length(ret);
    for (i = 0; i < n; i++) {
        json_object *entry = qemuMonitorJSONEntry(ret, i, what);
        g_autofree char *name = NULL;
        json_object *inserted;
        json_object *image;
        json_object *backing;
        int rc;

        if (!entry ||
            (rc = qemuMonitorJSONGet(entry, "inserted", json_type_object,
                                     what, true, &inserted)) < 0)
            return -1;
        if (rc == 0)
            continue;   /* a drive with no medium */
        if (qemuMonitorJSONGetOptString(inserted, "node-name", what, &name) < 0)
            return -1;
        if (g_strcmp0(name, nodename) != 0)
            continue;
        if (qemuMonitorJSONGet(inserted, "image", json_type_object, what,
                               false, &image) < 0 ||
            (rc = qemuMonitorJSONGet(image, "backing-image", json_type_object,
                                     what, true, &backing)) < 0)
            return -1;
        *hasBacking = rc > 0;
        return 0;
    }
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "QEMU has no disk whose top block node is '%s'", nodename);
    return -1;
}


/**
 * qemuMonitorJSONHumanCommand:
 * @mon, @cmdline, @reply: see qemuMonitorHumanCommand()
 *
 * Runs human-monitor-command. Returns 0 or -1.
 */
int
qemuMonitorJSONHumanCommand(qemuMonitor *mon,
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


/**
 * qemuMonitorJSONArbitraryCommand:
 * @mon, @cmd, @args, @ret: see qemuMonitorArbitraryCommand()
 *
 * Runs @cmd as given, whatever it returns. Returns 0 or -1.
 */
int
qemuMonitorJSONArbitraryCommand(qemuMonitor *mon,
                                const char *cmd,
                                json_object *args,
                                json_object **ret)
{
    return qemuMonitorJSONRun(mon, cmd, args, json_type_null, ret);
}


/* ------------------------------------------------------------------ */
/* Events                                                               */

/*
 * Each handler reads its event's "data" (an object, or NULL when QEMU
 * sent none) and calls the typed callback. Data that breaks the schema is
 * reported (naming the event and the key) and the event dropped: the
 * owner only ever sees well formed events.
 */
typedef int (*qemuMonitorJSONEventHandler)(qemuMonitor *mon,
                                           json_object *data);

/* BLOCK_JOB_COMPLETED, CANCELLED and READY carry the same fields; only
 * COMPLETED may carry an error. */
static int
qemuMonitorJSONHandleBlockJobProgress(qemuMonitor *mon,
                                      json_object *data,
                                      const char *what,
                                      qemuMonitorBlockJobEvent event)
{
    g_autofree char *device = NULL;
    g_autofree char *type = NULL;
    g_autofree char *error = NULL;
    unsigned long long offset;
    unsigned long long len;
    unsigned long long speed;

    if (qemuMonitorJSONGetString(data, "device", what, &device) < 0 ||
        qemuMonitorJSONGetString(data, "type", what, &type) < 0 ||
        qemuMonitorJSONGetULL(data, "offset", what, &offset) < 0 ||
        qemuMonitorJSONGetULL(data, "len", what, &len) < 0 ||
        qemuMonitorJSONGetULL(data, "speed", what, &speed) < 0 ||
        (event == QEMU_MONITOR_BLOCK_JOB_EVENT_COMPLETED &&
         qemuMonitorJSONGetOptString(data, "error", what, &error) < 0))
        return -1;

    qemuMonitorEmitBlockJob(mon, device, type, event, offset, len, speed,
                            error);
    return 0;
}


static int
qemuMonitorJSONHandleBlockJobCompleted(qemuMonitor *mon,
                                       json_object *data)
{
    return qemuMonitorJSONHandleBlockJobProgress(mon, data,
                                                 QEMU_JSON_EVENT("BLOCK_JOB_COMPLETED"),
                                                 QEMU_MONITOR_BLOCK_JOB_EVENT_COMPLETED);
}


static int
qemuMonitorJSONHandleBlockJobCancelled(qemuMonitor *mon,
                                       json_object *data)
{
    return qemuMonitorJSONHandleBlockJobProgress(mon, data,
                                                 QEMU_JSON_EVENT("BLOCK_JOB_CANCELLED"),
                                                 QEMU_MONITOR_BLOCK_JOB_EVENT_CANCELLED);
}


static int
qemuMonitorJSONHandleBlockJobReady(qemuMonitor *mon,
                                   json_object *data)
{
    return qemuMonitorJSONHandleBlockJobProgress(mon, data,
                                                 QEMU_JSON_EVENT("BLOCK_JOB_READY"),
                                                 QEMU_MONITOR_BLOCK_JOB_EVENT_READY);
}


static int
qemuMonitorJSONHandleBlockJobPending(qemuMonitor *mon,
                                     json_object *data)
{
    const char *what = QEMU_JSON_EVENT("BLOCK_JOB_PENDING");
    g_autofree char *id = NULL;
    g_autofree char *type = NULL;

    if (qemuMonitorJSONGetString(data, "id", what, &id) < 0 ||
        qemuMonitorJSONGetString(data, "type", what, &type) < 0)
        return -1;

    qemuMonitorEmitBlockJob(mon, id, type,
                            QEMU_MONITOR_BLOCK_JOB_EVENT_PENDING, 0, 0, 0,
                            NULL);
    return 0;
}


static int
qemuMonitorJSONHandleBlockJobError(qemuMonitor *mon,
                                   json_object *data)
{
    const char *what = QEMU_JSON_EVENT("BLOCK_JOB_ERROR");
    g_autofree char *device = NULL;
    g_autofree char *operation = NULL;
    g_autofree char *action = NULL;

    if (qemuMonitorJSONGetString(data, "device", what, &device) < 0 ||
        qemuMonitorJSONGetString(data, "operation", what, &operation) < 0 ||
        qemuMonitorJSONGetString(data, "action", what, &action) < 0)
        return -1;

    qemuMonitorEmitBlockJobError(mon, device, operation, action);
    return 0;
}


static int
qemuMonitorJSONHandleJobStatusChange(qemuMonitor *mon,
                                     json_object *data)
{
    const char *what = QEMU_JSON_EVENT("JOB_STATUS_CHANGE");
    g_autofree char *id = NULL;
    g_autofree char *status = NULL;
    int st;

    if (qemuMonitorJSONGetString(data, "id", what, &id) < 0 ||
        qemuMonitorJSONGetString(data, "status", what, &status) < 0)
        return -1;
    /* A state added by a later QEMU is told as one, as query-jobs does. */
    if ((st = qemuMonitorJobStatusFromString(status)) < 0) {
        VIR_WARN("job '%s' has unknown status '%s'", id, status);
        st = QEMU_MONITOR_JOB_STATUS_UNDEFINED;
    }

    qemuMonitorEmitJobStatusChange(mon, id, st);
    return 0;
}


static int
qemuMonitorJSONHandleShutdown(qemuMonitor *mon,
                              json_object *data)
{
    const char *what = QEMU_JSON_EVENT("SHUTDOWN");
    g_autofree char *reason = NULL;
    bool guest;

    if (qemuMonitorJSONGetBool(data, "guest", what, &guest) < 0 ||
        qemuMonitorJSONGetString(data, "reason", what, &reason) < 0)
        return -1;

    qemuMonitorEmitShutdown(mon, guest, reason);
    return 0;
}


static int
qemuMonitorJSONHandleStop(qemuMonitor *mon,
                          json_object *data G_GNUC_UNUSED)
{
    qemuMonitorEmitStop(mon);
    return 0;
}


static int
qemuMonitorJSONHandleResume(qemuMonitor *mon,
                            json_object *data G_GNUC_UNUSED)
{
    qemuMonitorEmitResume(mon);
    return 0;
}


typedef struct {
    const char *name;
    qemuMonitorJSONEventHandler handler;    /* NULL: known, not used */
} qemuMonitorJSONEvent;

/* QEMU's events, sorted by name for bsearch(). Those with no handler are
 * events QEMU 7.2 sends that the driver has no use for: listed so that
 * the log tells them from events nobody expected. */
static const qemuMonitorJSONEvent qemuMonitorJSONEvents[] = {
    { "BLOCK_IO_ERROR", NULL },
    { "BLOCK_JOB_CANCELLED", qemuMonitorJSONHandleBlockJobCancelled },
    { "BLOCK_JOB_COMPLETED", qemuMonitorJSONHandleBlockJobCompleted },
    { "BLOCK_JOB_ERROR", qemuMonitorJSONHandleBlockJobError },
    { "BLOCK_JOB_PENDING", qemuMonitorJSONHandleBlockJobPending },
    { "BLOCK_JOB_READY", qemuMonitorJSONHandleBlockJobReady },
    { "DEVICE_DELETED", NULL },
    { "JOB_STATUS_CHANGE", qemuMonitorJSONHandleJobStatusChange },
    { "NIC_RX_FILTER_CHANGED", NULL },
    { "POWERDOWN", NULL },
    { "RESET", NULL },
    { "RESUME", qemuMonitorJSONHandleResume },
    { "RTC_CHANGE", NULL },
    { "SHUTDOWN", qemuMonitorJSONHandleShutdown },
    { "STOP", qemuMonitorJSONHandleStop },
    { "SUSPEND", NULL },
    { "WAKEUP", NULL },
};


static int
qemuMonitorJSONEventCompare(const void *key,
                            const void *elem)
{
    return strcmp(key, ((const qemuMonitorJSONEvent *) elem)->name);
}


/**
 * qemuMonitorJSONEventTableIsSorted:
 *
 * For the tests: bsearch() finds every event only if the table is sorted.
 *
 * Returns true if it is.
 */
bool
qemuMonitorJSONEventTableIsSorted(void)
{
    size_t i;

    for (i = 1; i < G_N_ELEMENTS(qemuMonitorJSONEvents); i++) {
        if (strcmp(qemuMonitorJSONEvents[i - 1].name,
                   qemuMonitorJSONEvents[i].name) >= 0)
            return false;
    }
    return true;
}


/**
 * qemuMonitorJSONHandleEvent:
 * @mon: the monitor
 * @obj: one event message from QEMU ({"event": NAME, "data": {...},
 *       "timestamp": {...}}), "event" already checked to be a string
 *
 * Log the event with QEMU's timestamp, tell the owner of it, and hand it
 * to its handler in the table. Runs as a callback of the transport (in
 * the context thread, no lock held), in the order QEMU sent the events.
 */
void
qemuMonitorJSONHandleEvent(qemuMonitor *mon,
                           json_object *obj)
{
    const qemuMonitorJSONEvent *entry;
    json_object *val = NULL;
    json_object *data = NULL;
    json_object *stamp = NULL;
    const char *name;
    long long seconds = 0;
    unsigned int micros = 0;

    json_object_object_get_ex(obj, "event", &val);
    name = json_object_get_string(val);
    if (json_object_object_get_ex(obj, "data", &data) &&
        !json_object_is_type(data, json_type_object))
        data = NULL;
    /* A timestamp QEMU could not have written (microseconds out of 0 to
     * 999999, a negative time: json-c gives int64 of any integer) is no
     * timestamp: never handed on truncated into @micros. */
    if (json_object_object_get_ex(obj, "timestamp", &stamp) &&
        json_object_is_type(stamp, json_type_object)) {
        json_object *sec = NULL;
        json_object *usec = NULL;

        if (json_object_object_get_ex(stamp, "seconds", &sec) &&
            json_object_is_type(sec, json_type_int) &&
            json_object_object_get_ex(stamp, "microseconds", &usec) &&
            json_object_is_type(usec, json_type_int) &&
            json_object_get_int64(sec) >= 0 &&
            json_object_get_int64(usec) >= 0 &&
            json_object_get_int64(usec) < G_USEC_PER_SEC) {
            seconds = json_object_get_int64(sec);
            micros = json_object_get_int64(usec);
        } else {
            VIR_DEBUG("mon=%p QEMU event with a bad timestamp: %s", mon,
                      json_object_to_json_string_ext(stamp, JSON_C_TO_STRING_PLAIN));
        }
    }

    VIR_DEBUG("mon=%p QEMU event %s at %lld.%06u", mon, name, seconds, micros);
    qemuMonitorEmitEvent(mon, name, seconds, micros);

    entry = bsearch(name, qemuMonitorJSONEvents,
                    G_N_ELEMENTS(qemuMonitorJSONEvents),
                    sizeof(qemuMonitorJSONEvents[0]),
                    qemuMonitorJSONEventCompare);
    if (!entry) {
        VIR_DEBUG("mon=%p event %s is not one we know", mon, name);
        return;
    }
    if (!entry->handler)
        return;

    if (entry->handler(mon, data) < 0) {
        /* Reported (and logged) naming the event and the key; nobody in
         * this thread reads the error after us. */
        VIR_DEBUG("mon=%p event %s dropped", mon, name);
        virResetLastError();
    }
}

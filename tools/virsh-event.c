/* virsh-event.c: virsh's "event" command: waiting for domain events. */
#include <config.h>

#include <stdio.h>

#include "virsh-util.h"
#include "vsh-event.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/**
 * virshEventBlockPullFormat:
 * @domname: the domain's name
 * @path: the disk, as the event names it
 * @status: a virConnectDomainEventBlockPullStatus
 *
 * Returns the event as "event" prints it (free with g_free()):
 * "event 'block-pull' for domain 'vm1': /images/vm1.qcow2 completed".
 */
char *
virshEventBlockPullFormat(const char *domname, const char *path, int status)
{
    static const char *const names[] = { "completed", "failed", "canceled" };

    return g_strdup_printf("event 'block-pull' for domain '%s': %s %s",
                           domname, path,
                           status >= 0 && (size_t) status < G_N_ELEMENTS(names) ?
                           names[status] : "unknown");
}

typedef struct _virshEventData virshEventData;
struct _virshEventData {
    bool loop;
    bool timestamp;
    unsigned int count;
};

static void
virshEventPrint(virshEventData *data, const char *text)
{
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;

    /* Without --loop only the first event counts: others may already be
     * queued behind it in the same loop iteration. */
    if (!data->loop && data->count > 0)
        return;
    if (data->timestamp) {
        now = g_date_time_new_now_utc();
        stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
        printf("%s.%03d+0000: ", stamp, g_date_time_get_microsecond(now) / 1000);
    }
    printf("%s\n", text);
    fflush(stdout);
    data->count++;
}

static const char *
virshEventLifecycleName(int event)
{
    static const char *const names[] = {
        "Defined", "Undefined", "Started", "Suspended", "Resumed",
        "Stopped", "Shutdown", "PMSuspended", "Crashed",
    };

    if (event >= 0 && (size_t) event < G_N_ELEMENTS(names))
        return names[event];
    return "unknown";
}

static const char *
virshEventLifecycleDetail(int event, int detail)
{
    static const char *const defined[] = { "Added", "Updated", "Renamed", "Snapshot" };
    static const char *const undefined[] = { "Removed", "Renamed" };
    static const char *const started[] = {
        "Booted", "Migrated", "Restored", "Snapshot", "Event wakeup",
    };
    static const char *const suspended[] = {
        "Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot",
        "API error", "Post-copy", "Post-copy Error",
    };
    static const char *const resumed[] = {
        "Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error",
    };
    static const char *const stopped[] = {
        "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed",
        "Snapshot",
    };
    static const char *const shutdown[] = {
        "Finished", "Finished after guest request", "Finished after host request",
    };
    static const char *const pmsuspended[] = { "Memory", "Disk" };
    static const char *const crashed[] = { "Core Dump" };
    static const struct {
        const char *const *names;
        size_t n;
    } details[] = {
        {defined, G_N_ELEMENTS(defined)},
        {undefined, G_N_ELEMENTS(undefined)},
        {started, G_N_ELEMENTS(started)},
        {suspended, G_N_ELEMENTS(suspended)},
        {resumed, G_N_ELEMENTS(resumed)},
        {stopped, G_N_ELEMENTS(stopped)},
        {shutdown, G_N_ELEMENTS(shutdown)},
        {pmsuspended, G_N_ELEMENTS(pmsuspended)},
        {crashed, G_N_ELEMENTS(crashed)},
    };

    if (event >= 0 && (size_t) event < G_N_ELEMENTS(details) &&
        detail >= 0 && (size_t) detail < details[event].n)
        return details[event].names[detail];
    return "unknown";
}

static int
virshEventLifecycleCallback(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                            int event, int detail, void *opaque)
{
    g_autofree char *text = NULL;

    text = g_strdup_printf("event 'lifecycle' for domain '%s': %s %s",
                           virDomainGetName(dom), virshEventLifecycleName(event),
                           virshEventLifecycleDetail(event, detail));
    virshEventPrint(opaque, text);
    return 0;
}

static void
virshEventBlockPullCallback(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                            const char *path, int status, void *opaque)
{
    g_autofree char *text = virshEventBlockPullFormat(virDomainGetName(dom), path,
                                                      status);
    virshEventPrint(opaque, text);
}

/* "event 'block-job' for domain 'vm1': Block Pull for /images/vm1.qcow2
 * completed", as libvirt's virsh prints BLOCK_JOB and BLOCK_JOB_2. */
static void
virshEventBlockJobPrint(const char *name, virDomainPtr dom, const char *disk,
                        int type, int status, void *opaque)
{
    static const char *const statuses[] = { "completed", "failed", "canceled", "ready" };
    g_autofree char *text = NULL;

    text = g_strdup_printf("event '%s' for domain '%s': %s for %s %s", name,
                           virDomainGetName(dom), virshBlockJobTypeName(type), disk,
                           status >= 0 && (size_t) status < G_N_ELEMENTS(statuses) ?
                           statuses[status] : "unknown");
    virshEventPrint(opaque, text);
}

static void
virshEventBlockJobCallback(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                           const char *disk, int type, int status, void *opaque)
{
    virshEventBlockJobPrint("block-job", dom, disk, type, status, opaque);
}

static void
virshEventBlockJob2Callback(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                            const char *disk, int type, int status, void *opaque)
{
    virshEventBlockJobPrint("block-job-2", dom, disk, type, status, opaque);
}

static const struct {
    const char *name;
    int id;
    virConnectDomainEventGenericCallback cb;
} virshEventTypes[] = {
    {"lifecycle", VIR_DOMAIN_EVENT_ID_LIFECYCLE,
     VIR_DOMAIN_EVENT_CALLBACK(virshEventLifecycleCallback)},
    {"block-pull", VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
     VIR_DOMAIN_EVENT_CALLBACK(virshEventBlockPullCallback)},
    {"block-job", VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
     VIR_DOMAIN_EVENT_CALLBACK(virshEventBlockJobCallback)},
    {"block-job-2", VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
     VIR_DOMAIN_EVENT_CALLBACK(virshEventBlockJob2Callback)},
};

static const vshCmdOptDef opts_event[] = {
    {.name = "domain", .type = VSH_OT_STRING, .flags = VSH_OFLAG_POS,
     .help = "filter by domain name, id or uuid"},
    {.name = "event", .type = VSH_OT_STRING,
     .help = "which event type to wait for"},
    {.name = "all", .type = VSH_OT_BOOL,
     .help = "wait for all events instead of just one type"},
    {.name = "loop", .type = VSH_OT_BOOL,
     .help = "loop until timeout or interrupt, rather than one-shot"},
    {.name = "timeout", .type = VSH_OT_INT, .help = "timeout seconds"},
    {.name = "list", .type = VSH_OT_BOOL, .help = "list valid event types"},
    {.name = "timestamp", .type = VSH_OT_BOOL,
     .help = "show timestamp for each printed event"},
    {.name = NULL}
};

static bool
cmdEvent(vshControl *ctl, const vshCmd *cmd)
{
    virshControl *priv = ctl->privData;
    const char *eventName = vshCommandOptString(cmd, "event");
    const char *domName = vshCommandOptString(cmd, "domain");
    bool all = vshCommandOptBool(cmd, "all");
    virshEventData data = {
        .loop = vshCommandOptBool(cmd, "loop"),
        .timestamp = vshCommandOptBool(cmd, "timestamp"),
    };
    int cbids[G_N_ELEMENTS(virshEventTypes)];
    g_autoptr(virDomain) dom = NULL;
    vshEventInterrupt intr = VSH_EVENT_INTERRUPT_INIT;
    bool interrupted = false;
    bool timedOut = false;
    int timer = -1;
    int timeout;
    bool found = false;
    bool ret = false;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cbids); i++)
        cbids[i] = -1;

    if (vshCommandOptBool(cmd, "list")) {
        for (i = 0; i < G_N_ELEMENTS(virshEventTypes); i++)
            vshPrint(ctl, "%s\n", virshEventTypes[i].name);
        return true;
    }
    if (!eventName && !all) {
        vshError(ctl, "one of --list, --all, or --event <type> is required");
        return false;
    }
    if (!vshCommandOptExclusive(ctl, cmd, "event", "all"))
        return false;
    for (i = 0; eventName && i < G_N_ELEMENTS(virshEventTypes); i++)
        found |= g_str_equal(eventName, virshEventTypes[i].name);
    if (eventName && !found) {
        vshError(ctl, "unknown event type %s", eventName);
        return false;
    }
    if (!vshCommandOptTimeout(ctl, cmd, &timeout) || !vshEventLoopCheck(ctl))
        return false;
    if (domName && !(dom = virshLookupDomain(ctl, domName)))
        return false;

    for (i = 0; i < G_N_ELEMENTS(virshEventTypes); i++) {
        if (!all && !g_str_equal(eventName, virshEventTypes[i].name))
            continue;
        cbids[i] = virConnectDomainEventRegisterAny(priv->conn, dom,
                                                    virshEventTypes[i].id,
                                                    virshEventTypes[i].cb,
                                                    &data, NULL);
        if (cbids[i] < 0) {
            vshError(ctl, "failed to register event type %s",
                     virshEventTypes[i].name);
            goto cleanup;
        }
    }
    if (vshEventInterruptBegin(ctl, &intr, &interrupted) < 0)
        goto cleanup;
    if (timeout > 0)
        timer = vshEventTimerAdd(timeout * 1000, &timedOut);

    while (data.loop || data.count == 0) {
        if (interrupted) {
            vshPrint(ctl, "event loop interrupted\n");
            break;
        }
        if (timedOut) {
            vshPrint(ctl, "event loop timed out\n");
            break;
        }
        if (!vshEventRunOnce(ctl))
            goto cleanup;
    }
    vshPrint(ctl, "events received: %u\n", data.count);
    ret = true;

 cleanup:
    vshEventTimerRemove(&timer);
    vshEventInterruptEnd(&intr);
    for (i = 0; i < G_N_ELEMENTS(cbids); i++) {
        if (cbids[i] >= 0)
            virConnectDomainEventDeregisterAny(priv->conn, cbids[i]);
    }
    return ret;
}


/* ------------------------------------------------------------------ */
/* Command table                                                        */
/* ------------------------------------------------------------------ */

const vshCmdDef virshEventCmds[] = {
    {.name = "event", .handler = cmdEvent, .opts = opts_event,
     .help = "Domain Events",
     .desc = "List event types, or wait for domain events to occur."},
    {.name = NULL}
};

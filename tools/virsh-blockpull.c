/* virsh-blockpull.c: virsh commands for block pull and domain events. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "virsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* How often --verbose redraws the progress, in milliseconds. */
#define VIRSH_PULL_PROGRESS_MS 500
/* After an abort, how long to wait for the event that tells how the pull
 * ended, in milliseconds (QEMU has already confirmed the cancellation when
 * virDomainBlockPullAbort() returns, so this is only a safety net). */
#define VIRSH_PULL_ABORT_GRACE_MS 10000

#define VIRSH_OPT_DOMAIN \
    {.name = "domain", .type = VIRSH_OT_STRING, \
     .flags = VIRSH_OFLAG_REQ | VIRSH_OFLAG_POS, \
     .help = "domain name, id or uuid"}

#define VIRSH_OPT_PATH \
    {.name = "path", .type = VIRSH_OT_STRING, \
     .flags = VIRSH_OFLAG_REQ | VIRSH_OFLAG_POS, \
     .help = "fully-qualified path of disk, or its target (vda)"}


/* ------------------------------------------------------------------ */
/* Waiting in the event loop: Ctrl-C and timers                         */
/* ------------------------------------------------------------------ */

/* The write end of the pipe that turns SIGINT into a readable handle of
 * the event loop: a signal handler may do little more than write(). */
static int virshInterruptFd = -1;

typedef struct _virshInterrupt virshInterrupt;
struct _virshInterrupt {
    int fds[2];
    int watch;
    struct sigaction old;
};

static void
virshInterruptHandler(int sig G_GNUC_UNUSED)
{
    int save = errno;
    ssize_t rc G_GNUC_UNUSED;

    if (virshInterruptFd >= 0)
        rc = write(virshInterruptFd, "", 1);
    errno = save;
}

static void
virshInterruptReadable(int watch G_GNUC_UNUSED, int fd,
                       int events G_GNUC_UNUSED, void *opaque)
{
    bool *flag = opaque;
    char buf[16];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    *flag = true;
}

/* Until virshInterruptEnd(), Ctrl-C sets *@flag from the event loop
 * instead of killing virsh. */
static int
virshInterruptBegin(virshControl *ctl, virshInterrupt *intr, bool *flag)
{
    struct sigaction sa;

    intr->watch = -1;
    if (!g_unix_open_pipe(intr->fds, FD_CLOEXEC, NULL)) {
        virshError(ctl, "failed to create a pipe: %s", g_strerror(errno));
        return -1;
    }
    g_unix_set_fd_nonblocking(intr->fds[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(intr->fds[1], TRUE, NULL);
    intr->watch = virEventAddHandle(intr->fds[0], VIR_EVENT_HANDLE_READABLE,
                                    virshInterruptReadable, flag, NULL);
    if (intr->watch < 0) {
        close(intr->fds[0]);
        close(intr->fds[1]);
        virshError(ctl, "failed to watch for Ctrl-C");
        return -1;
    }
    virshInterruptFd = intr->fds[1];

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = virshInterruptHandler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &intr->old);
    return 0;
}

static void
virshInterruptEnd(virshInterrupt *intr)
{
    if (intr->watch < 0)
        return;
    sigaction(SIGINT, &intr->old, NULL);
    virshInterruptFd = -1;
    virEventRemoveHandle(intr->watch);
    close(intr->fds[0]);
    close(intr->fds[1]);
    intr->watch = -1;
}

static void
virshFlagTimer(int timer G_GNUC_UNUSED, void *opaque)
{
    bool *flag = opaque;

    *flag = true;
}

static void
virshTimerRemove(int *timer)
{
    if (*timer > 0)
        virEventRemoveTimeout(*timer);
    *timer = -1;
}

static bool
virshEventLoopCheck(virshControl *ctl)
{
    if (!ctl->eventLoop) {
        virshError(ctl, "the default event loop could not be registered");
        return false;
    }
    return true;
}

static bool
virshOptTimeout(virshControl *ctl, const virshCmd *cmd, int *timeout)
{
    int rc = virshCommandOptInt(ctl, cmd, "timeout", timeout);

    if (rc < 0)
        return false;
    if (rc == 0) {
        *timeout = 0;
    } else if (*timeout < 1 || *timeout > G_MAXINT / 1000) {
        virshError(ctl, "invalid timeout '%d': must be between 1 and %d seconds",
                   *timeout, G_MAXINT / 1000);
        return false;
    }
    return true;
}


/* ------------------------------------------------------------------ */
/* blockpull --wait: the event, the progress line, the abort            */
/* ------------------------------------------------------------------ */

typedef struct _virshPullProgress virshPullProgress;
struct _virshPullProgress {
    bool tty;                   /* redraw one line in place */
    bool pending;               /* a redrawn line waits for its newline */
    size_t lastLen;
    int lastPercent;
    gint64 lastTime;            /* monotonic, microseconds */
    unsigned long long lastCur;
    double rate;                /* bytes per second, smoothed; 0: unknown */
};

typedef struct _virshPullWait virshPullWait;
struct _virshPullWait {
    const char *path;           /* as the user wrote it */
    char *source;               /* the disk's top image path, if found */
    char *target;               /* the disk's target, if found */
    int status;                 /* virConnectDomainEventBlockPullStatus, -1: none yet */
    char *eventText;            /* the event as `virsh event` prints it */
    bool interrupted;
    bool timedOut;
    bool progressDue;
    bool graceOver;
};

static void
virshPullWaitClear(virshPullWait *w)
{
    g_free(w->source);
    g_free(w->target);
    g_free(w->eventText);
}

/* "event 'block-pull' for domain 'vm1': /images/vm1.qcow2 completed", as
 * `virsh event` prints it. */
static char *
virshBlockPullEventText(const char *domname, const char *path, int status)
{
    static const char *const names[] = { "completed", "failed", "canceled" };

    return g_strdup_printf("event 'block-pull' for domain '%s': %s %s",
                           domname, path,
                           status >= 0 && (size_t) status < G_N_ELEMENTS(names) ?
                           names[status] : "unknown");
}

/* The event names the disk by its top image path; the user may have named
 * it by target: learn both from the live XML. */
static void
virshPullWaitResolve(virshControl *ctl, virDomainPtr dom, virshPullWait *w)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) disks = NULL;
    int i;

    if (virshDomainGetXML(ctl, dom, 0, &doc, &ctxt) < 0) {
        virshResetLibvirtError(ctl);
        return;
    }
    disks = xmlXPathEval(BAD_CAST "./devices/disk", ctxt);
    for (i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++) {
        g_autofree char *target = NULL;
        g_autofree char *source = NULL;

        ctxt->node = disks->nodesetval->nodeTab[i];
        target = virshXPathString(ctxt, "./target/@dev");
        source = virshXPathString(ctxt, "./source/@file|./source/@dev");
        if (g_strcmp0(target, w->path) == 0 || g_strcmp0(source, w->path) == 0) {
            w->source = g_steal_pointer(&source);
            w->target = g_steal_pointer(&target);
            return;
        }
    }
}

/* Do two paths name the same file (through symbolic links, say)? */
static bool
virshSameFile(const char *a, const char *b)
{
    g_autofree char *ra = NULL;
    g_autofree char *rb = NULL;

    if (!a || !b)
        return false;
    if (g_str_equal(a, b))
        return true;
    ra = realpath(a, NULL);
    rb = realpath(b, NULL);
    return ra && rb && g_str_equal(ra, rb);
}

static void
virshPullEventCallback(virConnectPtr conn G_GNUC_UNUSED,
                       virDomainPtr dom,
                       const char *path, int status, void *opaque)
{
    virshPullWait *w = opaque;

    if (!virshSameFile(path, w->path) &&
        !virshSameFile(path, w->source) &&
        g_strcmp0(path, w->target) != 0)
        return;
    w->status = status;
    g_free(w->eventText);
    w->eventText = virshBlockPullEventText(virDomainGetName(dom), path, status);
}

static char *
virshFormatDuration(double secs)
{
    unsigned long long s = secs + 0.5;

    if (s >= 3600)
        return g_strdup_printf("%llu:%02llu:%02llu", s / 3600, (s / 60) % 60, s % 60);
    return g_strdup_printf("%02llu:%02llu", s / 60, s % 60);
}

/* "Block Pull: [ 45 %] 123.4 MiB/s, 00:03 left": redrawn in place on a
 * terminal, one line per change of percentage otherwise. */
static void
virshPullProgressShow(virshPullProgress *p, unsigned long long cur,
                      unsigned long long end)
{
    g_autoptr(GString) line = g_string_new(NULL);
    gint64 now = g_get_monotonic_time();
    int percent = end ? (int) (cur * 100.0 / end) : 100;

    if (p->lastTime && now > p->lastTime && cur >= p->lastCur) {
        double rate = (cur - p->lastCur) * 1e6 / (now - p->lastTime);
        p->rate = p->rate > 0 ? 0.6 * p->rate + 0.4 * rate : rate;
    }
    p->lastTime = now;
    p->lastCur = cur;

    g_string_printf(line, "Block Pull: [%3d %%]", percent);
    if (p->rate > 0 && cur < end) {
        g_autofree char *left = virshFormatDuration((end - cur) / p->rate);
        g_string_append_printf(line, " %.1f MiB/s, %s left",
                               p->rate / (1024.0 * 1024.0), left);
    }

    if (p->tty) {
        size_t pad = p->lastLen > line->len ? p->lastLen - line->len : 0;

        printf("\r%s%*s", line->str, (int) pad, "");
        p->lastLen = line->len;
        p->pending = true;
    } else if (percent != p->lastPercent) {
        printf("%s\n", line->str);
    }
    p->lastPercent = percent;
    fflush(stdout);
}

static void
virshPullProgressUpdate(virshControl *ctl, virDomainPtr dom, const char *path,
                        virshPullProgress *p)
{
    virDomainBlockPullInfo info;

    /* A failed query is not the pull failing: the event will tell. */
    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        virshResetLibvirtError(ctl);
        return;
    }
    if (info.end > 0)
        virshPullProgressShow(p, info.cur, info.end);
}

/* Start a background pull and wait for the event that tells how it ended,
 * running the event loop; Ctrl-C or the timeout abort the pull. */
static bool
virshBlockPullWait(virshControl *ctl, virDomainPtr dom, const char *path,
                   bool verbose, int timeout)
{
    virshPullWait w = { .path = path, .status = -1 };
    virshPullProgress progress = { .tty = isatty(STDOUT_FILENO), .lastPercent = -1 };
    virshInterrupt intr = { .watch = -1 };
    int progressTimer = -1;
    int timeoutTimer = -1;
    int graceTimer = -1;
    int cbid = -1;
    bool aborting = false;
    bool abortFailed = false;
    bool ret = false;

    if (!virshEventLoopCheck(ctl))
        return false;
    virshPullWaitResolve(ctl, dom, &w);

    /* Registered before the pull starts, so that not even a pull that ends
     * at once goes unseen. An older pull's end that nobody had heard, handed
     * to this callback now, is dropped when the pull starts: nothing is
     * dispatched in between, since the loop runs only in this thread. */
    cbid = virConnectDomainEventRegisterAny(ctl->conn, dom,
                                            VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                            VIR_DOMAIN_EVENT_CALLBACK(virshPullEventCallback),
                                            &w, NULL);
    if (cbid < 0) {
        virshError(ctl, "Failed to register for block pull events");
        goto cleanup;
    }
    if (virshInterruptBegin(ctl, &intr, &w.interrupted) < 0)
        goto cleanup;
    if (virDomainBlockPullAll(dom, path, 0) < 0) {
        virshError(ctl, "Failed to start block pull of '%s'", path);
        goto cleanup;
    }
    if (timeout > 0)
        timeoutTimer = virEventAddTimeout(timeout * 1000, virshFlagTimer,
                                          &w.timedOut, NULL);
    if (verbose) {
        progressTimer = virEventAddTimeout(VIRSH_PULL_PROGRESS_MS, virshFlagTimer,
                                           &w.progressDue, NULL);
        virshPullProgressUpdate(ctl, dom, path, &progress);
    }

    while (w.status < 0) {
        if ((w.interrupted || w.timedOut) && !aborting) {
            aborting = true;
            virshTimerRemove(&progressTimer);
            virshTimerRemove(&timeoutTimer);
            if (virDomainBlockPullAbort(dom, path, 0) < 0)
                abortFailed = true;     /* maybe it just ended: see the event */
            graceTimer = virEventAddTimeout(VIRSH_PULL_ABORT_GRACE_MS,
                                            virshFlagTimer, &w.graceOver, NULL);
            continue;
        }
        if (w.graceOver)
            break;
        if (virEventRunDefaultImpl() < 0) {
            virshError(ctl, "failed to run the event loop");
            goto cleanup;
        }
        if (w.progressDue && w.status < 0 && !aborting) {
            w.progressDue = false;
            virshPullProgressUpdate(ctl, dom, path, &progress);
        }
    }

    if (w.status == VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        virshResetLibvirtError(ctl);
        if (verbose) {
            virshPullProgressShow(&progress, 1, 1);
            virshPrintExtra(ctl, "\n%s", w.eventText);
        }
        virshPrintExtra(ctl, "\nBlock Pull complete\n");
        ret = true;
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_FAILED) {
        if (progress.pending)
            virshPrint(ctl, "\n");
        virshError(ctl, "Block Pull failed");
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_CANCELED ||
               (aborting && !abortFailed)) {
        virshResetLibvirtError(ctl);
        if (w.timedOut && !w.interrupted)
            virshPrintExtra(ctl, "\nBlock Pull timed out, aborted\n");
        else
            virshPrintExtra(ctl, "\nBlock Pull aborted\n");
    } else {
        if (progress.pending)
            virshPrint(ctl, "\n");
        virshError(ctl, "Failed to abort block pull of '%s'", path);
    }

 cleanup:
    virshTimerRemove(&progressTimer);
    virshTimerRemove(&timeoutTimer);
    virshTimerRemove(&graceTimer);
    virshInterruptEnd(&intr);
    if (cbid >= 0)
        virConnectDomainEventDeregisterAny(ctl->conn, cbid);
    virshPullWaitClear(&w);
    return ret;
}


/* ------------------------------------------------------------------ */
/* Block pull commands                                                  */
/* ------------------------------------------------------------------ */

static int
virshPercent(unsigned long long cur, unsigned long long end)
{
    return end ? (int) (cur * 100.0 / end) : 100;
}

static const virshCmdOptDef opts_blockpull[] = {
    VIRSH_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = "wait", .type = VIRSH_OT_BOOL,
     .help = "wait for the pull to end, running the event loop"},
    {.name = "verbose", .type = VIRSH_OT_BOOL,
     .help = "with --wait, display the progress"},
    {.name = "timeout", .type = VIRSH_OT_INT,
     .help = "with --wait, abort the pull if it lasts longer than this, in seconds"},
    {.name = "step", .type = VIRSH_OT_BOOL,
     .help = "pull one bounded step only (virDomainBlockPull)"},
    {.name = NULL}
};

static bool
cmdBlockPull(virshControl *ctl, const virshCmd *cmd)
{
    const char *path = virshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info = { 0 };
    int timeout;

    if (!virshCommandOptExclusive(ctl, cmd, "step", "wait") ||
        !virshCommandOptRequires(ctl, cmd, "verbose", "wait") ||
        !virshCommandOptRequires(ctl, cmd, "timeout", "wait") ||
        !virshOptTimeout(ctl, cmd, &timeout))
        return false;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (virshCommandOptBool(cmd, "wait"))
        return virshBlockPullWait(ctl, dom, path,
                                  virshCommandOptBool(cmd, "verbose"), timeout);

    if (virshCommandOptBool(cmd, "step")) {
        if (virDomainBlockPull(dom, path, &info, 0) < 0) {
            virshError(ctl, "Failed to pull a step of '%s'", path);
            return false;
        }
        virshPrint(ctl, "Block Pull: %llu/%llu (%d %%)\n", info.cur, info.end,
                   virshPercent(info.cur, info.end));
        return true;
    }

    if (virDomainBlockPullAll(dom, path, 0) < 0) {
        virshError(ctl, "Failed to start block pull of '%s'", path);
        return false;
    }
    virshPrintExtra(ctl, "Block Pull started\n");
    return true;
}

static const virshCmdOptDef opts_blockpull_path[] = {
    VIRSH_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = NULL}
};

static bool
cmdBlockPullInfo(virshControl *ctl, const virshCmd *cmd)
{
    const char *path = virshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        virshError(ctl, "Failed to get block pull information of '%s'", path);
        return false;
    }
    if (info.end == 0)
        virshPrint(ctl, "No active block pull\n");
    else
        virshPrint(ctl, "Block Pull: [%3d %%] cur=%llu end=%llu\n",
                   virshPercent(info.cur, info.end), info.cur, info.end);
    return true;
}

static bool
cmdBlockPullAbort(virshControl *ctl, const virshCmd *cmd)
{
    const char *path = virshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainBlockPullAbort(dom, path, 0) < 0) {
        virshError(ctl, "Failed to abort block pull of '%s'", path);
        return false;
    }
    virshPrintExtra(ctl, "Block Pull aborted\n");
    return true;
}

static const virshCmdOptDef opts_blockjob[] = {
    VIRSH_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = "abort", .type = VIRSH_OT_BOOL,
     .help = "abort the active job on the specified disk"},
    {.name = "info", .type = VIRSH_OT_BOOL,
     .help = "get active job information for the specified disk"},
    {.name = "raw", .type = VIRSH_OT_BOOL, .help = "with --info, print the raw numbers"},
    {.name = NULL}
};

static bool
cmdBlockJob(virshControl *ctl, const virshCmd *cmd)
{
    const char *path = virshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info;

    if (!virshCommandOptExclusive(ctl, cmd, "abort", "info") ||
        !virshCommandOptExclusive(ctl, cmd, "abort", "raw"))
        return false;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (virshCommandOptBool(cmd, "abort")) {
        if (virDomainBlockPullAbort(dom, path, 0) < 0) {
            virshError(ctl, "Failed to abort block job on '%s'", path);
            return false;
        }
        return true;
    }

    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        virshError(ctl, "Failed to get block job information of '%s'", path);
        return false;
    }
    if (info.end == 0)
        virshPrint(ctl, "No current block job for %s\n", path);
    else if (virshCommandOptBool(cmd, "raw"))
        virshPrint(ctl, " type=Block Pull\n cur=%llu\n end=%llu\n",
                   info.cur, info.end);
    else
        virshPrint(ctl, "Block Pull: [%3d %%]\n", virshPercent(info.cur, info.end));
    return true;
}


/* ------------------------------------------------------------------ */
/* event                                                                */
/* ------------------------------------------------------------------ */

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
    g_autofree char *text = virshBlockPullEventText(virDomainGetName(dom), path,
                                                    status);
    virshEventPrint(opaque, text);
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
};

static const virshCmdOptDef opts_event[] = {
    {.name = "domain", .type = VIRSH_OT_STRING, .flags = VIRSH_OFLAG_POS,
     .help = "filter by domain name, id or uuid"},
    {.name = "event", .type = VIRSH_OT_STRING,
     .help = "which event type to wait for"},
    {.name = "all", .type = VIRSH_OT_BOOL,
     .help = "wait for all events instead of just one type"},
    {.name = "loop", .type = VIRSH_OT_BOOL,
     .help = "loop until timeout or interrupt, rather than one-shot"},
    {.name = "timeout", .type = VIRSH_OT_INT, .help = "timeout seconds"},
    {.name = "list", .type = VIRSH_OT_BOOL, .help = "list valid event types"},
    {.name = "timestamp", .type = VIRSH_OT_BOOL,
     .help = "show timestamp for each printed event"},
    {.name = NULL}
};

static bool
cmdEvent(virshControl *ctl, const virshCmd *cmd)
{
    const char *eventName = virshCommandOptString(cmd, "event");
    const char *domName = virshCommandOptString(cmd, "domain");
    bool all = virshCommandOptBool(cmd, "all");
    virshEventData data = {
        .loop = virshCommandOptBool(cmd, "loop"),
        .timestamp = virshCommandOptBool(cmd, "timestamp"),
    };
    int cbids[G_N_ELEMENTS(virshEventTypes)];
    g_autoptr(virDomain) dom = NULL;
    virshInterrupt intr = { .watch = -1 };
    bool interrupted = false;
    bool timedOut = false;
    int timer = -1;
    int timeout;
    bool found = false;
    bool ret = false;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cbids); i++)
        cbids[i] = -1;

    if (virshCommandOptBool(cmd, "list")) {
        for (i = 0; i < G_N_ELEMENTS(virshEventTypes); i++)
            virshPrint(ctl, "%s\n", virshEventTypes[i].name);
        return true;
    }
    if (!eventName && !all) {
        virshError(ctl, "one of --list, --all, or --event <type> is required");
        return false;
    }
    if (eventName && all) {
        virshError(ctl, "Options --event and --all are mutually exclusive");
        return false;
    }
    for (i = 0; eventName && i < G_N_ELEMENTS(virshEventTypes); i++)
        found |= g_str_equal(eventName, virshEventTypes[i].name);
    if (eventName && !found) {
        virshError(ctl, "unknown event type %s", eventName);
        return false;
    }
    if (!virshOptTimeout(ctl, cmd, &timeout) || !virshEventLoopCheck(ctl))
        return false;
    if (domName && !(dom = virshLookupDomain(ctl, domName)))
        return false;

    for (i = 0; i < G_N_ELEMENTS(virshEventTypes); i++) {
        if (!all && !g_str_equal(eventName, virshEventTypes[i].name))
            continue;
        cbids[i] = virConnectDomainEventRegisterAny(ctl->conn, dom,
                                                    virshEventTypes[i].id,
                                                    virshEventTypes[i].cb,
                                                    &data, NULL);
        if (cbids[i] < 0) {
            virshError(ctl, "failed to register event type %s",
                       virshEventTypes[i].name);
            goto cleanup;
        }
    }
    if (virshInterruptBegin(ctl, &intr, &interrupted) < 0)
        goto cleanup;
    if (timeout > 0)
        timer = virEventAddTimeout(timeout * 1000, virshFlagTimer, &timedOut, NULL);

    while (data.loop || data.count == 0) {
        if (interrupted) {
            virshPrint(ctl, "event loop interrupted\n");
            break;
        }
        if (timedOut) {
            virshPrint(ctl, "event loop timed out\n");
            break;
        }
        if (virEventRunDefaultImpl() < 0) {
            virshError(ctl, "failed to run the event loop");
            goto cleanup;
        }
    }
    virshPrint(ctl, "events received: %u\n", data.count);
    ret = true;

 cleanup:
    virshTimerRemove(&timer);
    virshInterruptEnd(&intr);
    for (i = 0; i < G_N_ELEMENTS(cbids); i++) {
        if (cbids[i] >= 0)
            virConnectDomainEventDeregisterAny(ctl->conn, cbids[i]);
    }
    return ret;
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const virshCmdDef virshBlockPullCmds[] = {
    {.name = "blockjob", .handler = cmdBlockJob, .opts = opts_blockjob,
     .help = "manage active block operations",
     .desc = "Show the progress of the block pull of a disk (the default, "
             "--info), or abort it (--abort)."},
    {.name = "blockpull", .handler = cmdBlockPull, .opts = opts_blockpull,
     .help = "populate a disk from its backing image",
     .desc = "Copy the data of a disk's backing images into its top image "
             "while the domain runs, so that the disk no longer depends on "
             "them. Without --step the pull runs in the background; with "
             "--wait virsh waits for the event telling how it ended."},
    {.name = "blockpullabort", .handler = cmdBlockPullAbort,
     .opts = opts_blockpull_path,
     .help = "abort the active block pull of a disk",
     .desc = "Cancel the active block pull of a disk: the backing image "
             "stays in use."},
    {.name = "blockpullinfo", .handler = cmdBlockPullInfo,
     .opts = opts_blockpull_path,
     .help = "show the progress of the block pull of a disk",
     .desc = "Print the progress of the active block pull of a disk as "
             "'Block Pull: [ P %] cur=N end=N' (bytes), or "
             "'No active block pull'."},
    {.name = NULL}
};

const virshCmdDef virshEventCmds[] = {
    {.name = "event", .handler = cmdEvent, .opts = opts_event,
     .help = "Domain Events",
     .desc = "List event types, or wait for domain events to occur."},
    {.name = NULL}
};

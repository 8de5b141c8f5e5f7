/* virsh-blockpull.c: virsh commands for block pull. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "virsh-util.h"
#include "vsh-event.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* How often --verbose redraws the progress, in milliseconds. */
#define VIRSH_PULL_PROGRESS_MS 500
/* After an abort, how long to wait for the event that tells how the pull
 * ended, in milliseconds (QEMU has already confirmed the cancellation when
 * virDomainBlockPullAbort() returns, so this is only a safety net). */
#define VIRSH_PULL_ABORT_GRACE_MS 10000

#define VIRSH_OPT_PATH \
    {.name = "path", .type = VSH_OT_STRING, \
     .flags = VSH_OFLAG_REQ | VSH_OFLAG_POS, \
     .help = "fully-qualified path of disk, or its target (vda)"}


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
    bool started;               /* our pull has started: ends before it are older pulls' */
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

/* The event names the disk by its top image path; the user may have named
 * it by target: learn both from the live XML. */
static void
virshPullWaitResolve(vshControl *ctl, virDomainPtr dom, virshPullWait *w)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) disks = NULL;
    int i;

    if (virshDomainGetXML(ctl, dom, 0, &doc, &ctxt) < 0) {
        vshResetLibvirtError(ctl);
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
    virDomainBlockPullInfo info;

    if (!virshSameFile(path, w->path) &&
        !virshSameFile(path, w->source) &&
        g_strcmp0(path, w->target) != 0)
        return;
    /* Only the end of the pull we started: not one told before it began
     * (an older pull's, held since nobody heard it), nor one told while
     * the disk still pulls (ours is told once its record is gone). */
    if (!w->started)
        return;
    if (virDomainGetBlockPullInfo(dom, w->target ? w->target : w->path, &info, 0) < 0)
        virResetLastError();    /* the domain stopped, say: the event tells */
    else if (info.end > 0)
        return;
    w->status = status;
    g_free(w->eventText);
    w->eventText = virshEventBlockPullFormat(virDomainGetName(dom), path, status);
}

/* @cur in whole percent of @end; 100 when @end is 0 (nothing to pull). */
static int
virshPercent(unsigned long long cur, unsigned long long end)
{
    return end ? (int) (cur * 100.0 / end) : 100;
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
    int percent = virshPercent(cur, end);

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
virshPullProgressUpdate(vshControl *ctl, virDomainPtr dom, const char *path,
                        virshPullProgress *p)
{
    virDomainBlockPullInfo info;

    /* A failed query is not the pull failing: the event will tell. */
    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        vshResetLibvirtError(ctl);
        return;
    }
    if (info.end > 0)
        virshPullProgressShow(p, info.cur, info.end);
}

/* Start a background pull and wait for the event that tells how it ended,
 * running the event loop; Ctrl-C or the timeout abort the pull. */
static bool
virshBlockPullWait(vshControl *ctl, virDomainPtr dom, const char *path,
                   bool verbose, int timeout)
{
    virshControl *priv = ctl->privData;
    virshPullWait w = { .path = path, .status = -1 };
    virshPullProgress progress = { .tty = isatty(STDOUT_FILENO), .lastPercent = -1 };
    vshEventInterrupt intr = VSH_EVENT_INTERRUPT_INIT;
    int progressTimer = -1;
    int timeoutTimer = -1;
    int graceTimer = -1;
    int cbid = -1;
    bool aborting = false;
    bool abortFailed = false;
    bool ret = false;

    if (!vshEventLoopCheck(ctl))
        return false;
    virshPullWaitResolve(ctl, dom, &w);

    /* Registered before the pull starts, so that not even a pull that ends
     * at once goes unseen. An older pull's end that nobody had heard, told
     * to this callback now, is dropped when the pull starts, and ignored
     * were it dispatched before (see virshPullEventCallback()). */
    cbid = virConnectDomainEventRegisterAny(priv->conn, dom,
                                            VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                            VIR_DOMAIN_EVENT_CALLBACK(virshPullEventCallback),
                                            &w, NULL);
    if (cbid < 0) {
        vshError(ctl, "Failed to register for block pull events");
        goto cleanup;
    }
    if (vshEventInterruptBegin(ctl, &intr, &w.interrupted) < 0)
        goto cleanup;
    if (virDomainBlockPullAll(dom, path, 0) < 0) {
        vshError(ctl, "Failed to start block pull of '%s'", path);
        goto cleanup;
    }
    w.started = true;
    if (timeout > 0)
        timeoutTimer = vshEventTimerAdd(timeout * 1000, &w.timedOut);
    if (verbose) {
        progressTimer = vshEventTimerAdd(VIRSH_PULL_PROGRESS_MS, &w.progressDue);
        virshPullProgressUpdate(ctl, dom, path, &progress);
    }

    while (w.status < 0) {
        if ((w.interrupted || w.timedOut) && !aborting) {
            aborting = true;
            vshEventTimerRemove(&progressTimer);
            vshEventTimerRemove(&timeoutTimer);
            if (virDomainBlockPullAbort(dom, path, 0) < 0)
                abortFailed = true;     /* maybe it just ended: see the event */
            graceTimer = vshEventTimerAdd(VIRSH_PULL_ABORT_GRACE_MS, &w.graceOver);
            continue;
        }
        if (w.graceOver)
            break;
        if (!vshEventRunOnce(ctl))
            goto cleanup;
        if (w.progressDue && w.status < 0 && !aborting) {
            w.progressDue = false;
            virshPullProgressUpdate(ctl, dom, path, &progress);
        }
    }

    if (w.status == VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        vshResetLibvirtError(ctl);
        if (verbose) {
            virshPullProgressShow(&progress, 1, 1);
            vshPrintExtra(ctl, "\n%s", w.eventText);
        }
        vshPrintExtra(ctl, "\nBlock Pull complete\n");
        ret = true;
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_FAILED) {
        if (progress.pending)
            vshPrint(ctl, "\n");
        vshError(ctl, "Block Pull failed");
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_CANCELED ||
               (aborting && !abortFailed)) {
        vshResetLibvirtError(ctl);
        if (w.timedOut && !w.interrupted)
            vshPrintExtra(ctl, "\nBlock Pull timed out, aborted\n");
        else
            vshPrintExtra(ctl, "\nBlock Pull aborted\n");
    } else {
        if (progress.pending)
            vshPrint(ctl, "\n");
        vshError(ctl, "Failed to abort block pull of '%s'", path);
    }

 cleanup:
    vshEventTimerRemove(&progressTimer);
    vshEventTimerRemove(&timeoutTimer);
    vshEventTimerRemove(&graceTimer);
    vshEventInterruptEnd(&intr);
    if (cbid >= 0)
        virConnectDomainEventDeregisterAny(priv->conn, cbid);
    virshPullWaitClear(&w);
    return ret;
}


/* ------------------------------------------------------------------ */
/* Block pull commands                                                  */
/* ------------------------------------------------------------------ */

static const vshCmdOptDef opts_blockpull[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = "wait", .type = VSH_OT_BOOL,
     .help = "wait for the pull to end, running the event loop"},
    {.name = "verbose", .type = VSH_OT_BOOL,
     .help = "with --wait, display the progress"},
    {.name = "timeout", .type = VSH_OT_INT,
     .help = "with --wait, abort the pull if it lasts longer than this, in seconds"},
    {.name = "step", .type = VSH_OT_BOOL,
     .help = "pull one bounded step only (virDomainBlockPull)"},
    {.name = NULL}
};

static bool
cmdBlockPull(vshControl *ctl, const vshCmd *cmd)
{
    const char *path = vshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info = { 0 };
    int timeout;

    if (!vshCommandOptExclusive(ctl, cmd, "step", "wait") ||
        !vshCommandOptRequires(ctl, cmd, "verbose", "wait") ||
        !vshCommandOptRequires(ctl, cmd, "timeout", "wait") ||
        !vshCommandOptTimeout(ctl, cmd, &timeout))
        return false;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (vshCommandOptBool(cmd, "wait"))
        return virshBlockPullWait(ctl, dom, path,
                                  vshCommandOptBool(cmd, "verbose"), timeout);

    if (vshCommandOptBool(cmd, "step")) {
        if (virDomainBlockPull(dom, path, &info, 0) < 0) {
            vshError(ctl, "Failed to pull a step of '%s'", path);
            return false;
        }
        vshPrint(ctl, "Block Pull: %llu/%llu (%d %%)\n", info.cur, info.end,
                 virshPercent(info.cur, info.end));
        return true;
    }

    if (virDomainBlockPullAll(dom, path, 0) < 0) {
        vshError(ctl, "Failed to start block pull of '%s'", path);
        return false;
    }
    vshPrintExtra(ctl, "Block Pull started\n");
    return true;
}

static const vshCmdOptDef opts_blockpull_path[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = NULL}
};

static bool
cmdBlockPullInfo(vshControl *ctl, const vshCmd *cmd)
{
    const char *path = vshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        vshError(ctl, "Failed to get block pull information of '%s'", path);
        return false;
    }
    if (info.end == 0)
        vshPrint(ctl, "No active block pull\n");
    else
        vshPrint(ctl, "Block Pull: [%3d %%] cur=%llu end=%llu\n",
                 virshPercent(info.cur, info.end), info.cur, info.end);
    return true;
}

static bool
cmdBlockPullAbort(vshControl *ctl, const vshCmd *cmd)
{
    const char *path = vshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainBlockPullAbort(dom, path, 0) < 0) {
        vshError(ctl, "Failed to abort block pull of '%s'", path);
        return false;
    }
    vshPrintExtra(ctl, "Block Pull aborted\n");
    return true;
}

static const vshCmdOptDef opts_blockjob[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = "abort", .type = VSH_OT_BOOL,
     .help = "abort the active job on the specified disk"},
    {.name = "info", .type = VSH_OT_BOOL,
     .help = "get active job information for the specified disk"},
    {.name = "raw", .type = VSH_OT_BOOL, .help = "with --info, print the raw numbers"},
    {.name = NULL}
};

static bool
cmdBlockJob(vshControl *ctl, const vshCmd *cmd)
{
    const char *path = vshCommandOptString(cmd, "path");
    g_autoptr(virDomain) dom = NULL;
    virDomainBlockPullInfo info;

    if (!vshCommandOptExclusive(ctl, cmd, "abort", "info") ||
        !vshCommandOptExclusive(ctl, cmd, "abort", "raw"))
        return false;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (vshCommandOptBool(cmd, "abort")) {
        if (virDomainBlockPullAbort(dom, path, 0) < 0) {
            vshError(ctl, "Failed to abort block job on '%s'", path);
            return false;
        }
        return true;
    }

    if (virDomainGetBlockPullInfo(dom, path, &info, 0) < 0) {
        vshError(ctl, "Failed to get block job information of '%s'", path);
        return false;
    }
    if (info.end == 0)
        vshPrint(ctl, "No current block job for %s\n", path);
    else if (vshCommandOptBool(cmd, "raw"))
        vshPrint(ctl, " type=Block Pull\n cur=%llu\n end=%llu\n",
                 info.cur, info.end);
    else
        vshPrint(ctl, "Block Pull: [%3d %%]\n", virshPercent(info.cur, info.end));
    return true;
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const vshCmdDef virshBlockPullCmds[] = {
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

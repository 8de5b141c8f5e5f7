/* virsh-blockpull.c: virsh commands for block pull. */
#include <config.h>

#include <errno.h>
#include <limits.h>
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

/* How blockpull starts its pull: the seed's virDomainBlockPullAll() when
 * nothing of libvirt's was asked for (it also continues a pull begun step
 * by step), else virDomainBlockRebase(), as libvirt's virsh does. */
typedef struct {
    const char *base;
    unsigned long bandwidth;
    unsigned int flags;         /* virDomainBlockRebaseFlags */
} virshPullStart;

static int
virshBlockPullStart(virDomainPtr dom, const char *path, const virshPullStart *st)
{
    if (!st->base && st->bandwidth == 0 && st->flags == 0)
        return virDomainBlockPullAll(dom, path, 0);
    return virDomainBlockRebase(dom, path, st->base, st->bandwidth, st->flags);
}

/* Start a background pull and wait for the event that tells how it ended,
 * running the event loop; Ctrl-C or the timeout abort the pull (and, with
 * @async, do not wait for the abort to end). The last line says how it
 * ended as libvirt's virsh says it: "Pull complete", "Pull aborted",
 * "Pull failed". */
static bool
virshBlockPullWait(vshControl *ctl, virDomainPtr dom, const char *path,
                   const virshPullStart *st, bool verbose, int timeout,
                   bool async)
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
    if (virshBlockPullStart(dom, path, st) < 0) {
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
            if (virDomainBlockJobAbort(dom, path,
                                       async ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0) < 0)
                abortFailed = true;     /* maybe it just ended: see the event */
            else if (async)
                break;                  /* asked: the end is not waited for */
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
        vshPrintExtra(ctl, "\nPull complete");
        ret = true;
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_FAILED) {
        vshPrintExtra(ctl, "\nPull failed");
    } else if (w.status == VIR_DOMAIN_BLOCK_PULL_CANCELED ||
               (aborting && !abortFailed)) {
        /* A timeout and Ctrl-C alike, as libvirt's virsh. */
        vshResetLibvirtError(ctl);
        vshPrintExtra(ctl, "\nPull aborted");
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

/* The "bandwidth" option: an unsigned long (MiB/s, or bytes/s with
 * --bytes); 0 if not given. Returns false (error printed) if malformed. */
static bool
virshBandwidthOpt(vshControl *ctl, const vshCmd *cmd, unsigned long *bandwidth)
{
    const char *str = vshCommandOptString(cmd, "bandwidth");
    unsigned long long num;
    char *end = NULL;

    *bandwidth = 0;
    if (!str)
        return true;
    errno = 0;
    num = g_ascii_strtoull(str, &end, 10);
    if (!g_ascii_isdigit(*str) || errno != 0 || *end || num > ULONG_MAX) {
        vshError(ctl, "Numeric value '%s' for <bandwidth> option is malformed or out of range",
                 str);
        return false;
    }
    *bandwidth = num;
    return true;
}

static const vshCmdOptDef opts_blockpull[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    VIRSH_OPT_PATH,
    {.name = "bandwidth", .type = VSH_OT_INT, .flags = VSH_OFLAG_POS,
     .help = "bandwidth limit in MiB/s"},
    {.name = "base", .type = VSH_OT_STRING,
     .help = "path of backing file in chain for a partial pull (or vda[N])"},
    {.name = "wait", .type = VSH_OT_BOOL,
     .help = "wait for the pull to end, running the event loop"},
    {.name = "verbose", .type = VSH_OT_BOOL,
     .help = "with --wait, display the progress"},
    {.name = "timeout", .type = VSH_OT_INT,
     .help = "with --wait, abort the pull if it lasts longer than this, in seconds"},
    {.name = "async", .type = VSH_OT_BOOL,
     .help = "with --wait, don't wait for cancel to finish"},
    {.name = "keep-relative", .type = VSH_OT_BOOL,
     .help = "keep the backing chain relatively referenced"},
    {.name = "bytes", .type = VSH_OT_BOOL,
     .help = "the bandwidth limit is in bytes/s rather than MiB/s"},
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
    virshPullStart st = { .base = vshCommandOptString(cmd, "base") };
    int timeout;

    if (!vshCommandOptExclusive(ctl, cmd, "step", "wait") ||
        !vshCommandOptExclusive(ctl, cmd, "step", "base") ||
        !vshCommandOptExclusive(ctl, cmd, "step", "bandwidth") ||
        !vshCommandOptExclusive(ctl, cmd, "step", "keep-relative") ||
        !vshCommandOptRequires(ctl, cmd, "verbose", "wait") ||
        !vshCommandOptRequires(ctl, cmd, "timeout", "wait") ||
        !vshCommandOptRequires(ctl, cmd, "async", "wait") ||
        !vshCommandOptTimeout(ctl, cmd, &timeout) ||
        !virshBandwidthOpt(ctl, cmd, &st.bandwidth))
        return false;
    if (vshCommandOptBool(cmd, "keep-relative"))
        st.flags |= VIR_DOMAIN_BLOCK_REBASE_RELATIVE;
    if (vshCommandOptBool(cmd, "bytes"))
        st.flags |= VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (vshCommandOptBool(cmd, "wait"))
        return virshBlockPullWait(ctl, dom, path, &st,
                                  vshCommandOptBool(cmd, "verbose"), timeout,
                                  vshCommandOptBool(cmd, "async"));

    if (vshCommandOptBool(cmd, "step")) {
        if (virDomainBlockPull(dom, path, &info, 0) < 0) {
            vshError(ctl, "Failed to pull a step of '%s'", path);
            return false;
        }
        vshPrint(ctl, "Block Pull: %llu/%llu (%d %%)\n", info.cur, info.end,
                 virshPercent(info.cur, info.end));
        return true;
    }

    if (virshBlockPullStart(dom, path, &st) < 0) {
        vshError(ctl, "Failed to start block pull of '%s'", path);
        return false;
    }
    vshPrintExtra(ctl, "Block Pull started");
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
    {.name = "async", .type = VSH_OT_BOOL,
     .help = "implies --abort; request but don't wait for job end"},
    {.name = "pivot", .type = VSH_OT_BOOL,
     .help = "implies --abort; conclude and pivot a copy or commit job"},
    {.name = "info", .type = VSH_OT_BOOL,
     .help = "get active job information for the specified disk"},
    {.name = "bytes", .type = VSH_OT_BOOL,
     .help = "get/set bandwidth in bytes rather than MiB/s"},
    {.name = "raw", .type = VSH_OT_BOOL,
     .help = "implies --info; output details rather than human summary"},
    {.name = "bandwidth", .type = VSH_OT_INT, .flags = VSH_OFLAG_POS,
     .help = "set the bandwidth limit in MiB/s"},
    {.name = NULL}
};

const char *
virshBlockJobTypeName(int type)
{
    static const char *const names[] = {
        "Unknown job", "Block Pull", "Block Copy", "Block Commit",
        "Active Block Commit", "Backup",
    };

    if (type >= 0 && (size_t) type < G_N_ELEMENTS(names))
        return names[type];
    return "Unknown job";
}

/* @val in the largest binary unit that keeps it at 1 or more. */
static double
virshPrettyCapacity(unsigned long long val, const char **unit)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = val;
    size_t i = 0;

    while (v >= 1024 && i + 1 < G_N_ELEMENTS(units)) {
        v /= 1024;
        i++;
    }
    *unit = units[i];
    return v;
}

/* libvirt's "blockjob --info" (human: the progress on stderr, as libvirt
 * prints it, the bandwidth limit on stdout) and "--raw". */
static bool
virshBlockJobInfo(vshControl *ctl, virDomainPtr dom, const char *path,
                  bool raw, bool bytes)
{
    virDomainBlockJobInfo info;
    unsigned int flags = 0;
    int rc;

    /* The human form shows bytes/s; --raw shows what was asked for. */
    if (bytes || !raw)
        flags |= VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES;
    if ((rc = virDomainGetBlockJobInfo(dom, path, &info, flags)) < 0) {
        vshError(ctl, "Failed to get block job information of '%s'", path);
        return false;
    }
    if (rc == 0) {
        if (!raw)
            vshPrintExtra(ctl, "No current block job for %s", path);
        return true;
    }
    if (raw) {
        vshPrint(ctl, " type=%s\n bandwidth=%lu\n cur=%llu\n end=%llu\n",
                 virshBlockJobTypeName(info.type), info.bandwidth, info.cur,
                 info.end);
    } else {
        double progress = 100.0;

        if (info.cur < info.end) {
            progress = 100.0 - (info.end - info.cur) * 100.0 / info.end;
            if (progress >= 100.0)
                progress = 99.99;
        }
        fflush(stdout);
        fprintf(stderr, "\r%s: [%5.2f %%]", virshBlockJobTypeName(info.type),
                (int) (progress * 100) / 100.0);
        fflush(stderr);
        if (info.bandwidth) {
            const char *unit;
            double val = virshPrettyCapacity(info.bandwidth, &unit);

            vshPrint(ctl, "    Bandwidth limit: %lu bytes/s (%-.3lf %s/s)",
                     info.bandwidth, val, unit);
        }
        vshPrint(ctl, "\n");
    }
    return true;
}

static bool
cmdBlockJob(vshControl *ctl, const vshCmd *cmd)
{
    const char *path = vshCommandOptString(cmd, "path");
    bool raw = vshCommandOptBool(cmd, "raw");
    bool bytes = vshCommandOptBool(cmd, "bytes");
    bool pivot = vshCommandOptBool(cmd, "pivot");
    bool async = vshCommandOptBool(cmd, "async");
    bool abortMode = vshCommandOptBool(cmd, "abort") || pivot || async;
    g_autoptr(virDomain) dom = NULL;
    static const char *const abortOpts[] = { "abort", "pivot", "async", "bandwidth" };

    for (size_t i = 0; i < G_N_ELEMENTS(abortOpts); i++) {
        if (!vshCommandOptExclusive(ctl, cmd, "raw", abortOpts[i]) ||
            !vshCommandOptExclusive(ctl, cmd, "info", abortOpts[i]))
            return false;
        if (i < 3 && !vshCommandOptExclusive(ctl, cmd, "bytes", abortOpts[i]))
            return false;
    }
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    if (vshCommandOptBool(cmd, "bandwidth")) {
        unsigned long bandwidth;

        if (!virshBandwidthOpt(ctl, cmd, &bandwidth))
            return false;
        if (virDomainBlockJobSetSpeed(dom, path, bandwidth,
                                      bytes ? VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES : 0) < 0) {
            vshError(ctl, "Failed to set the bandwidth of the block job on '%s'", path);
            return false;
        }
        return true;
    }
    if (abortMode) {
        unsigned int flags = (async ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0) |
                             (pivot ? VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT : 0);

        if (virDomainBlockJobAbort(dom, path, flags) < 0) {
            vshError(ctl, "Failed to abort block job on '%s'", path);
            return false;
        }
        return true;
    }
    return virshBlockJobInfo(ctl, dom, path, raw, bytes);
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const vshCmdDef virshBlockPullCmds[] = {
    {.name = "blockjob", .handler = cmdBlockJob, .opts = opts_blockjob,
     .help = "manage active block operations",
     .desc = "Query (the default, --info; --raw for the numbers), adjust "
             "the speed of (BANDWIDTH), or cancel (--abort, --async) the "
             "active block job of a disk, as libvirt's virsh does. Only "
             "pulls exist here: --pivot is refused."},
    {.name = "blockpull", .handler = cmdBlockPull, .opts = opts_blockpull,
     .help = "populate a disk from its backing image",
     .desc = "Copy the data of a disk's backing images into its top image "
             "while the domain runs, so that the disk no longer depends on "
             "them. Without --step the pull runs in the background; with "
             "--wait virsh waits for the event telling how it ended. With "
             "--base only the images above that one are pulled."},
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

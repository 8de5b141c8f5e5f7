/*
 * qemublockpulleventtest.c: block pull events as an application sees them,
 * on a real QEMU, with the event loop run by the test's own thread (as
 * virsh runs it): their order against the lifecycle events when a domain
 * stops during a pull, no outcome of an older pull ending the wait for a
 * new one (in one process and across processes), an outcome nobody heard
 * kept with its domain and told to each later registration for it alone
 * (in one process and the next), and an outcome told only
 * once the status file records it (its file system full; with the saves
 * that no event waits for, retried all the same).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */
/* How long to keep the loop running to see that nothing more arrives:
 * longer than the driver's retry of a failed status save (1 s). */
#define QUIET_MS 1500

#define SLOW_CONF "block_pull_max_bandwidth = 4194304\n"    /* 4 MiB/s: 8 s */
#define FAST_CONF "block_pull_max_bandwidth = 16777216\n"   /* 16 MiB/s: 2 s */

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *base;         /* raw, 32 MiB, data in the first 24 MiB */
    char *top;          /* qcow2 on base */
    char *mnt;          /* a small tmpfs, if the test mounts one */
    virConnectPtr conn;
} Fixture;

/* What callbacks received, in the order they ran, as text. */
typedef struct {
    GPtrArray *events;
    bool checkEnded;    /* note whether the disk still had a pull then */
} Listener;

static const char *
statusName(int status)
{
    static const char *const names[] = { "completed", "failed", "canceled" };

    if (status >= 0 && (size_t) status < G_N_ELEMENTS(names))
        return names[status];
    return "unknown";
}

static void
pullCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *path,
       int status, void *opaque)
{
    Listener *l = opaque;
    virDomainBlockPullInfo info = { 0, 0 };

    /* An event for a pull that has ended finds no pull active; one
     * delivered while a newer pull runs is a stale one. */
    if (l->checkEnded && virDomainGetBlockPullInfo(dom, path, &info, 0) < 0)
        g_error("GetBlockPullInfo in the callback failed: %s",
                virGetLastErrorMessage());
    g_ptr_array_add(l->events, g_strdup_printf("pull %s %s%s", path,
                                               statusName(status),
                                               info.end > 0 ? " (a pull is active)" : ""));
}

static int
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event, int detail, void *opaque)
{
    static const char *const stopped[] = {
        "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
    };
    Listener *l = opaque;

    if (event == VIR_DOMAIN_EVENT_STOPPED && detail >= 0 &&
        (size_t) detail < G_N_ELEMENTS(stopped))
        g_ptr_array_add(l->events, g_strdup_printf("stopped %s", stopped[detail]));
    else
        g_ptr_array_add(l->events, g_strdup_printf("lifecycle %d %d", event, detail));
    return 0;
}

static void
listenerInit(Listener *l, bool checkEnded)
{
    l->events = g_ptr_array_new_with_free_func(g_free);
    l->checkEnded = checkEnded;
}

static void
listenerClear(Listener *l)
{
    g_clear_pointer(&l->events, g_ptr_array_unref);
}

/* A connection registers a callback function once per event and domain:
 * the listeners of one test each get a function of their own. */
static void
pullCb2(virConnectPtr conn, virDomainPtr dom, const char *path, int status,
        void *opaque)
{
    pullCb(conn, dom, path, status, opaque);
}

static void
pullCb3(virConnectPtr conn, virDomainPtr dom, const char *path, int status,
        void *opaque)
{
    pullCb(conn, dom, path, status, opaque);
}

static int
listenPull(Fixture *f, Listener *l)
{
    static const virConnectDomainEventBlockPullCallback cbs[] = {
        pullCb, pullCb2, pullCb3,
    };
    int id = -1;

    for (size_t i = 0; i < G_N_ELEMENTS(cbs) && id < 0; i++) {
        id = virConnectDomainEventRegisterAny(f->conn, NULL,
                                              VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                              VIR_DOMAIN_EVENT_CALLBACK(cbs[i]),
                                              l, NULL);
    }
    if (id < 0)
        g_error("cannot register a block pull callback: %s", virGetLastErrorMessage());
    return id;
}

/* Fail unless @l received exactly @expected, in this order. */
static void
assertEvents(Listener *l, const char *const *expected)
{
    g_autofree char *want = g_strjoinv("\n", (char **) expected);
    g_autofree char *got = NULL;

    g_ptr_array_add(l->events, NULL);
    got = g_strjoinv("\n", (char **) l->events->pdata);
    g_ptr_array_remove_index(l->events, l->events->len - 1);
    g_assert_cmpstr(got, ==, want);
}

/* ------------------------------------------------------------------ */
/* Running the event loop in this thread                                */

static void
wakeUp(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

/* Run the loop until @cond holds or @ms passed. Returns whether it holds. */
static bool
pumpUntil(bool (*cond)(void *opaque), void *opaque, int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000LL;
    int timer = virEventAddTimeout(10, wakeUp, NULL, NULL);
    bool ok;

    g_assert_cmpint(timer, >=, 0);
    while (!(ok = cond && cond(opaque)) && g_get_monotonic_time() < deadline)
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    virEventRemoveTimeout(timer);
    return ok;
}

static void
pumpFor(int ms)
{
    pumpUntil(NULL, NULL, ms);
}

typedef struct {
    Listener *l;
    guint n;
} Count;

static bool
hasEvents(void *opaque)
{
    Count *c = opaque;
    return c->l->events->len >= c->n;
}

static void
waitEvents(Listener *l, guint n)
{
    Count c = { l, n };

    if (!pumpUntil(hasEvents, &c, HANG_MS))
        g_error("%u event(s) expected, %u arrived within the hang bound",
                n, l->events->len);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                              */

static void
fixtureSetUp(Fixture *f, gconstpointer data)
{
    f->dir = virTestMakeDir("vbpevent-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->base = g_build_filename(f->dir, "base.raw", NULL);
    f->top = g_build_filename(f->dir, "top.qcow2", NULL);
    virTestImageCreate(f->base, "raw", "32M", NULL, NULL);
    virTestImageWrite(f->base, "raw", 0x11, "0", "24M");
    virTestImageCreate(f->top, "qcow2", NULL, f->base, "raw");
    virTestImageWrite(f->top, "qcow2", 0x33, "0", "1M");
    g_assert_cmpint(chmod(f->base, 0600), ==, 0);
    g_assert_cmpint(chmod(f->top, 0600), ==, 0);
    if (data)
        virTestWriteQemuConf(f->root, data);
}

static void
closeConn(Fixture *f)
{
    if (f->conn)
        virConnectClose(f->conn);
    f->conn = NULL;
}

static void
openConn(Fixture *f)
{
    f->conn = virTestOpen(f->uri);
}

/* Also when the test failed: the reaper and virTestCleanupDir() detach
 * every mount under the directory before removing it. */
static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    closeConn(f);
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->base);
    g_free(f->top);
    g_free(f->mnt);
}

static void
mountSmall(const char *path, const char *size)
{
    g_autofree char *opts = g_strdup_printf("size=%s,mode=0755", size);

    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        g_error("cannot create '%s': %s", path, g_strerror(errno));
    if (mount("tmpfs", path, "tmpfs", 0, opts) < 0)
        g_error("cannot mount a tmpfs on '%s': %s", path, g_strerror(errno));
}

static virDomainPtr
startDomain(Fixture *f, const char *name, const char *top)
{
    const char *disks[] = { top ? top : f->top, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks);

    return virTestCreateDomain(f->conn, xml);
}

static void
pullInfo(virDomainPtr dom, virDomainBlockPullInfo *info)
{
    if (virDomainGetBlockPullInfo(dom, "vda", info, 0) < 0)
        g_error("GetBlockPullInfo failed: %s", virGetLastErrorMessage());
}

static void
pullAll(virDomainPtr dom)
{
    if (virDomainBlockPullAll(dom, "vda", 0) < 0)
        g_error("PullAll failed: %s", virGetLastErrorMessage());
}

static bool
pullMoved(void *opaque)
{
    virDomainBlockPullInfo info;

    pullInfo(opaque, &info);
    return info.cur > 0;
}

static bool
pullGone(void *opaque)
{
    virDomainBlockPullInfo info;

    pullInfo(opaque, &info);
    return info.end == 0;
}

/* Poll without running the loop: nothing may be delivered meanwhile. */
static void
pollFor(bool (*cond)(void *opaque), void *opaque)
{
    if (!virTestWaitFor(cond, opaque, HANG_MS))
        g_error("condition not reached within the hang bound");
}

static bool
xmlHas(virDomainPtr dom, const char *what)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    bool ret;

    g_assert_nonnull(xml);
    ret = strstr(xml, what) != NULL;
    free(xml);
    return ret;
}

/* ------------------------------------------------------------------ */
/* A domain stops during a pull: STOPPED first, then the pull's FAILED  */

typedef enum {
    STOP_DESTROY,
    STOP_KILL,
    STOP_QUIT,
} StopHow;

static void
orderCheck(Fixture *f, StopHow how, const char *stopped)
{
    g_autofree char *failed = g_strdup_printf("pull %s failed", f->top);
    const char *expected[] = { stopped, failed, NULL };
    Listener l;
    virDomainPtr dom;
    int lc;

    listenerInit(&l, false);
    openConn(f);
    dom = startDomain(f, "order", NULL);
    /* Both callbacks write into one list: it shows the delivery order. */
    lc = virConnectDomainEventRegisterAny(f->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &l, NULL);
    g_assert_cmpint(lc, >=, 0);
    listenPull(f, &l);
    pullAll(dom);
    pollFor(pullMoved, dom);

    switch (how) {
    case STOP_DESTROY:
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
        break;
    case STOP_KILL:
        g_assert_cmpint(kill(virTestDomainPid(f->root, "order"), SIGKILL), ==, 0);
        break;
    case STOP_QUIT: {
        char *reply = NULL;
        /* QEMU announces SHUTDOWN, then exits, as after a guest shutdown.
         * The reply may be lost with the monitor: only the events count. */
        if (virDomainQemuMonitorCommand(dom, "{\"execute\": \"quit\"}", &reply, 0) == 0)
            free(reply);
        break;
    }
    }
    waitEvents(&l, 2);
    pumpFor(200);
    assertEvents(&l, expected);
    virDomainFree(dom);
    listenerClear(&l);
}

static void
testOrderDestroy(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    orderCheck(f, STOP_DESTROY, "stopped destroyed");
}

static void
testOrderKilled(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    orderCheck(f, STOP_KILL, "stopped failed");
}

static void
testOrderShutdown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    orderCheck(f, STOP_QUIT, "stopped shutdown");
}

/* ------------------------------------------------------------------ */
/* An older pull's outcome never ends the wait for a new pull           */

/* Nobody listens while the first pull is aborted: its CANCELED is held.
 * A callback registered before the second pull starts (as a waiter that
 * registers first) and one registered after it (as a waiter that starts
 * first) each see the second pull's COMPLETED only, once it has ended. */
static void
testStaleHeld(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *expected[] = { completed, NULL };
    Listener before, after;
    virDomainPtr dom;

    listenerInit(&before, true);
    listenerInit(&after, true);
    openConn(f);
    dom = startDomain(f, "held", NULL);
    pullAll(dom);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    listenPull(f, &before);
    pullAll(dom);
    listenPull(f, &after);
    waitEvents(&before, 1);
    waitEvents(&after, 1);
    pumpFor(300);
    assertEvents(&before, expected);
    assertEvents(&after, expected);
    g_assert_false(xmlHas(dom, f->base));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    listenerClear(&before);
    listenerClear(&after);
}

/* A callback that listened all along sees both outcomes; callbacks that
 * registered after the first pull ended see the second one's only. */
static void
testStaleQueued(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *canceled = g_strdup_printf("pull %s canceled", f->top);
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *both[] = { canceled, completed, NULL };
    const char *second[] = { completed, NULL };
    Listener all, before, after;
    virDomainPtr dom;

    listenerInit(&all, false);
    listenerInit(&before, true);
    listenerInit(&after, true);
    openConn(f);
    listenPull(f, &all);
    dom = startDomain(f, "queued", NULL);
    pullAll(dom);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    /* The loop has not run: CANCELED still waits in the queue. */
    listenPull(f, &before);
    pullAll(dom);
    listenPull(f, &after);
    waitEvents(&all, 2);
    waitEvents(&before, 1);
    waitEvents(&after, 1);
    pumpFor(300);
    assertEvents(&all, both);
    assertEvents(&before, second);
    assertEvents(&after, second);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    listenerClear(&all);
    listenerClear(&before);
    listenerClear(&after);
}

/* The first pull fails (its overlay's file system fills up) while no
 * process manages the root: the next process learns of it when it opens
 * the root, and holds the FAILED. It must not end that process's wait for
 * the pull it starts after making room. */
static void
testStaleAcrossProcesses(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *top = NULL;
    g_autofree char *completed = NULL;
    const char *expected[2] = { NULL, NULL };
    const char *disks[2] = { NULL, NULL };
    g_autofree char *xml = NULL;
    Listener before, after;
    virDomainPtr dom;
    struct statvfs sv;

    listenerInit(&before, true);
    listenerInit(&after, true);
    f->mnt = g_build_filename(f->dir, "small", NULL);
    mountSmall(f->mnt, "8m");
    top = g_build_filename(f->mnt, "top.qcow2", NULL);
    virTestImageCreate(top, "qcow2", NULL, f->base, "raw");
    completed = g_strdup_printf("pull %s completed", top);
    expected[0] = completed;
    disks[0] = top;
    xml = virTestDomainXML("across", disks);

    openConn(f);
    dom = virDomainDefineXML(f->conn, xml);
    g_assert_nonnull(dom);
    virDomainFree(dom);
    closeConn(f);
    /* Another process starts the domain and the pull, and exits. */
    g_assert_cmpint(virTestRunSelf("pull", f->uri, "across"), ==, 0);
    /* Let QEMU run into the full file system, with nobody watching. */
    for (int i = 0; i < HANG_MS / 10; i++) {
        g_assert_cmpint(statvfs(f->mnt, &sv), ==, 0);
        if (sv.f_bavail == 0)
            break;
        g_usleep(10 * 1000);
    }
    g_assert_cmpuint(sv.f_bavail, ==, 0);
    g_usleep(G_USEC_PER_SEC);

    openConn(f);
    dom = virDomainLookupByName(f->conn, "across");
    g_assert_nonnull(dom);
    pollFor(pullGone, dom);
    g_assert_true(xmlHas(dom, f->base));
    g_assert_cmpint(mount("tmpfs", f->mnt, "tmpfs", MS_REMOUNT, "size=128m,mode=0755"), ==, 0);

    listenPull(f, &before);
    pullAll(dom);
    listenPull(f, &after);
    waitEvents(&before, 1);
    waitEvents(&after, 1);
    pumpFor(300);
    assertEvents(&before, expected);
    assertEvents(&after, expected);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    listenerClear(&before);
    listenerClear(&after);
}

/* ------------------------------------------------------------------ */
/* An outcome nobody heard stays with its domain                        */

static int
listenPullOn(Fixture *f, virDomainPtr dom, virConnectDomainEventBlockPullCallback cb,
             Listener *l)
{
    int id = virConnectDomainEventRegisterAny(f->conn, dom,
                                              VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                              VIR_DOMAIN_EVENT_CALLBACK(cb), l, NULL);

    if (id < 0)
        g_error("cannot register a block pull callback: %s", virGetLastErrorMessage());
    return id;
}

static bool
fileHasHeld(void *opaque)
{
    g_autofree char *data = NULL;

    return g_file_get_contents(opaque, &data, NULL, NULL) &&
        strstr(data, "<outcome disk='vda'") != NULL;
}

/*
 * A pull of domain A completes while the only callback listens to domain
 * B: its outcome is kept with A (in its status file). Each block pull
 * callback registered later for A or for all domains is told it, once,
 * and only that callback; B's callback never is. A new process on the
 * root (the connection closed and opened again) tells it too.
 */
static void
testHeldPerDomain(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    g_autofree char *status = g_strdup_printf("%s/run/qemu/helda.xml", f->root);
    g_autofree char *other = g_build_filename(f->dir, "other.qcow2", NULL);
    const char *expected[] = { completed, NULL };
    const char *none[] = { NULL };
    Listener onB, onA, all, all2, later;
    virDomainPtr domA;
    virDomainPtr domB;

    listenerInit(&onB, false);
    listenerInit(&onA, false);
    listenerInit(&all, false);
    listenerInit(&all2, false);
    listenerInit(&later, false);
    virTestImageCreate(other, "qcow2", "8M", NULL, NULL);
    openConn(f);
    domA = startDomain(f, "helda", NULL);
    domB = startDomain(f, "heldb", other);
    listenPullOn(f, domB, pullCb, &onB);
    pullAll(domA);
    pollFor(pullGone, domA);
    pollFor(fileHasHeld, status);
    pumpFor(300);
    assertEvents(&onB, none);

    listenPullOn(f, domA, pullCb, &onA);
    waitEvents(&onA, 1);
    listenPullOn(f, NULL, pullCb, &all);
    waitEvents(&all, 1);
    listenPullOn(f, NULL, pullCb2, &all2);
    waitEvents(&all2, 1);
    pumpFor(300);
    assertEvents(&onB, none);
    assertEvents(&onA, expected);
    assertEvents(&all, expected);
    assertEvents(&all2, expected);
    g_assert_true(fileHasHeld(status));
    virDomainFree(domA);
    virDomainFree(domB);

    /* Another process takes the root over: it reads the outcome back. */
    closeConn(f);
    openConn(f);
    listenPullOn(f, NULL, pullCb, &later);
    waitEvents(&later, 1);
    pumpFor(300);
    assertEvents(&later, expected);

    g_assert_nonnull((domA = virDomainLookupByName(f->conn, "helda")));
    g_assert_nonnull((domB = virDomainLookupByName(f->conn, "heldb")));
    g_assert_cmpint(virDomainDestroy(domA), ==, 0);
    g_assert_cmpint(virDomainDestroy(domB), ==, 0);
    virDomainFree(domA);
    virDomainFree(domB);
    listenerClear(&onB);
    listenerClear(&onA);
    listenerClear(&all);
    listenerClear(&all2);
    listenerClear(&later);
}

/* ------------------------------------------------------------------ */
/* The status file cannot be written when a pull completes              */

/* Fill the file system of @dir to the last byte. Returns the filler. */
static char *
fillUp(const char *dir)
{
    char *path = g_build_filename(dir, "filler", NULL);
    static const size_t sizes[] = { 65536, 4096, 1 };
    char buf[65536];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    g_assert_cmpint(fd, >=, 0);
    memset(buf, 0x77, sizeof(buf));
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        while (write(fd, buf, sizes[i]) > 0)
            ;
        g_assert_cmpint(errno, ==, ENOSPC);
    }
    g_assert_cmpint(close(fd), ==, 0);
    return path;
}

static bool
fileHas(const char *path, const char *what)
{
    g_autofree char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    return strstr(data, what) != NULL;
}

/* ROOT/run on a small tmpfs; a step-wise pull paused in the middle; the
 * file system filled; the pull continued in the background. Returns when
 * the driver has finished the pull (while the status file could not be
 * written). */
static virDomainPtr
completeWhileFull(Fixture *f, Listener *l, char **filler, char **status)
{
    g_autofree char *run = g_build_filename(f->root, "run", NULL);
    virDomainBlockPullInfo pos;
    virDomainPtr dom;

    mountSmall(run, "1m");
    openConn(f);
    listenPull(f, l);
    dom = startDomain(f, "full", NULL);
    *status = g_build_filename(run, "qemu", "full.xml", NULL);
    if (virDomainBlockPull(dom, "vda", &pos, 0) < 0)
        g_error("step failed: %s", virGetLastErrorMessage());
    g_assert_cmpuint(pos.cur, <, pos.end);
    *filler = fillUp(run);
    pullAll(dom);
    pollFor(pullGone, dom);
    /* Done in memory and in QEMU: the disk stands alone... */
    g_assert_false(xmlHas(dom, f->base));
    virTestAssertOwner(f->base, 0, 0);
    /* ...but the status file still records the running pull. */
    g_assert_true(fileHas(*status, "<blockjob"));
    return dom;
}

static void
testSaveFailsAtCompletion(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *none[] = { NULL };
    const char *expected[] = { completed, NULL };
    g_autofree char *filler = NULL;
    g_autofree char *status = NULL;
    Listener l, later;
    virDomainPtr dom;
    virDomainBlockPullInfo info;

    listenerInit(&l, true);
    listenerInit(&later, true);
    dom = completeWhileFull(f, &l, &filler, &status);
    /* Not told while the outcome is not durable. */
    pumpFor(QUIET_MS);
    assertEvents(&l, none);
    g_assert_true(fileHas(status, "<blockjob"));

    /* Room again: saved, then told, once. */
    g_assert_cmpint(unlink(filler), ==, 0);
    waitEvents(&l, 1);
    pumpFor(QUIET_MS);
    assertEvents(&l, expected);
    g_assert_false(fileHas(status, "<blockjob"));
    g_assert_false(fileHas(status, f->base));
    virDomainFree(dom);

    /* The next process agrees, and tells nothing more. */
    closeConn(f);
    openConn(f);
    listenPull(f, &later);
    dom = virDomainLookupByName(f->conn, "full");
    g_assert_nonnull(dom);
    pumpFor(QUIET_MS);
    assertEvents(&later, none);
    g_assert_false(xmlHas(dom, f->base));
    pullInfo(dom, &info);
    g_assert_cmpuint(info.end, ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    listenerClear(&l);
    listenerClear(&later);
}

/* The process goes away before the outcome could be saved: the next one
 * finds from QEMU that the pull completed, and tells it once. */
static void
testSaveFailsThenExit(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *none[] = { NULL };
    const char *expected[] = { completed, NULL };
    g_autofree char *filler = NULL;
    g_autofree char *status = NULL;
    Listener l, later;
    virDomainPtr dom;
    pid_t pid;

    listenerInit(&l, false);
    listenerInit(&later, true);
    dom = completeWhileFull(f, &l, &filler, &status);
    pid = virTestDomainPid(f->root, "full");
    pumpFor(200);
    virDomainFree(dom);
    closeConn(f);
    assertEvents(&l, none);

    g_assert_cmpint(unlink(filler), ==, 0);
    openConn(f);
    listenPull(f, &later);
    dom = virDomainLookupByName(f->conn, "full");
    g_assert_nonnull(dom);
    waitEvents(&later, 1);
    pumpFor(QUIET_MS);
    assertEvents(&later, expected);
    g_assert_false(xmlHas(dom, f->base));
    g_assert_false(fileHas(status, "<blockjob"));
    g_assert_true(virTestProcessAlive(pid));
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    listenerClear(&l);
    listenerClear(&later);
}

/* The domain stops while the outcome waits for its save: the status file
 * goes, so the outcome is told then, before the stop, as it happened. */
static void
testSaveFailsThenDestroy(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *none[] = { NULL };
    const char *expected[] = { completed, "stopped destroyed", NULL };
    g_autofree char *filler = NULL;
    g_autofree char *status = NULL;
    Listener l;
    virDomainPtr dom;
    int lc;

    listenerInit(&l, false);
    dom = completeWhileFull(f, &l, &filler, &status);
    /* Deliver what is queued (the start) before listening to the life cycle. */
    pumpFor(200);
    lc = virConnectDomainEventRegisterAny(f->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &l, NULL);
    g_assert_cmpint(lc, >=, 0);
    pumpFor(200);
    assertEvents(&l, none);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    waitEvents(&l, 2);
    pumpFor(QUIET_MS);
    assertEvents(&l, expected);
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
    virDomainFree(dom);
    listenerClear(&l);
}

typedef struct {
    const char *path;
    const char *what;
} FileWant;

static bool
fileHasWanted(void *opaque)
{
    FileWant *w = opaque;

    return fileHas(w->path, w->what);
}

/*
 * Saves with no event waiting for them, ROOT/run full. A change that
 * stands without its record (the undefine of a running domain) is made,
 * and saved by the driver's retry once there is room, without any other
 * call: the next process knows the domain is transient (it does not come
 * back once it stops). A start, which must not run QEMU unrecorded,
 * fails instead, with the write's error, and leaves nothing behind.
 */
static void
testSaveFailsWithoutEvent(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *run = g_build_filename(f->root, "run", NULL);
    g_autofree char *status = g_build_filename(run, "qemu", "undef.xml", NULL);
    g_autofree char *other = g_build_filename(f->dir, "other.qcow2", NULL);
    const char *disks[] = { f->top, NULL };
    const char *otherDisks[] = { other, NULL };
    g_autofree char *xml = virTestDomainXML("undef", disks);
    g_autofree char *otherXML = virTestDomainXML("nostart", otherDisks);
    g_autofree char *filler = NULL;
    FileWant saved = { status, "persistent='no'" };
    virDomainPtr dom;
    virDomainPtr dom2;
    int state;
    int reason;

    virTestImageCreate(other, "qcow2", "8M", NULL, NULL);
    g_assert_cmpint(chmod(other, 0600), ==, 0);
    mountSmall(run, "1m");
    openConn(f);
    g_assert_nonnull((dom = virDomainDefineXML(f->conn, xml)));
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    filler = fillUp(run);

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_true(fileHas(status, "persistent='yes'"));

    g_assert_nonnull((dom2 = virDomainDefineXML(f->conn, otherXML)));
    g_assert_cmpint(virDomainCreate(dom2), ==, -1);
    virTestAssertError(VIR_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "No space left on device"));
    g_assert_cmpint(virDomainGetState(dom2, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_FAILED);
    virTestAssertOwner(other, 0, 0);
    g_assert_cmpint(virDomainUndefine(dom2), ==, 0);
    virDomainFree(dom2);

    /* Room again: saved by the retry (every second), unasked. */
    g_assert_cmpint(unlink(filler), ==, 0);
    if (!virTestWaitFor(fileHasWanted, &saved, 10 * 1000))
        g_error("the status file was not saved again once there was room");

    virDomainFree(dom);
    closeConn(f);
    openConn(f);
    g_assert_nonnull((dom = virDomainLookupByName(f->conn, "undef")));
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    g_assert_null(virDomainLookupByName(f->conn, "undef"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
}

/* ------------------------------------------------------------------ */
/* A crash while a completed pull was being revoked                     */

/* Does process @pid hold @path open? */
static bool
processHolds(pid_t pid, const char *path)
{
    g_autofree char *fddir = g_strdup_printf("/proc/%d/fd", (int) pid);
    g_autoptr(GDir) dir = g_dir_open(fddir, 0, NULL);
    const char *ent;

    g_assert_nonnull(dir);
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *link = g_build_filename(fddir, ent, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);

        if (g_strcmp0(target, path) == 0)
            return true;
    }
    return false;
}

/* Send a QMP command behind the driver's back; returns the reply. */
static char *
qmp(virDomainPtr dom, const char *cmd)
{
    char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &reply, 0) < 0)
        g_error("'%s' failed: %s", cmd, virGetLastErrorMessage());
    return reply;
}

/* Remove the first element from @start up to the end of @end from @s. */
static void
cutOut(GString *s, const char *start, const char *end)
{
    const char *a = strstr(s->str, start);
    const char *b = a ? strstr(a, end) : NULL;

    g_assert_nonnull(b);
    g_string_erase(s, a - s->str, b + strlen(end) - a);
}

/*
 * The state a crash left behind while a completed pull was being
 * finished: QEMU had copied everything and dropped the overlay's backing
 * link (the job dismissed), but still held the old base open; the status
 * file, saved by another thread while the revocation waited for QEMU,
 * recorded the pull as concluded and the disk without its chain, yet
 * still listed the base among the images labelled for QEMU. The next
 * process must finish the revocation before it tells COMPLETED: the base
 * given back to its owner, closed by QEMU, and no longer listed.
 */
static void
testCrashWhileRevoking(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *completed = g_strdup_printf("pull %s completed", f->top);
    const char *expected[] = { completed, NULL };
    g_autofree char *status = g_strdup_printf("%s/run/qemu/revoking.xml", f->root);
    g_autofree char *labelled = g_strdup_printf("<image path='%s'/>", f->base);
    g_autofree char *content = NULL;
    g_autoptr(GString) crashed = NULL;
    Listener l;
    virDomainPtr dom;
    pid_t pid;

    listenerInit(&l, false);
    openConn(f);
    dom = startDomain(f, "revoking", NULL);
    pid = virTestDomainPid(f->root, "revoking");
    g_assert_cmpint(pid, >, 0);
    virTestAssertOwner(f->base, 65534, 65534);
    g_assert_true(processHolds(pid, f->base));

    /* QEMU pulls the base into the overlay and drops the link. */
    g_free(qmp(dom, "{\"execute\": \"block-stream\", \"arguments\": "
               "{\"job-id\": \"crash-stream\", \"device\": \"libvirt-1-format\"}}"));
    for (int i = 0;; i++) {
        g_autofree char *jobs = qmp(dom, "{\"execute\": \"query-jobs\"}");

        if (!strstr(jobs, "crash-stream"))
            break;
        if (i > HANG_MS / 10)
            g_error("QEMU's stream job did not end: %s", jobs);
        g_usleep(10 * 1000);
    }
    g_assert_true(processHolds(pid, f->base));
    virDomainFree(dom);
    closeConn(f);

    /* The status file as the crash left it. */
    g_assert_true(g_file_get_contents(status, &content, NULL, NULL));
    crashed = g_string_new(content);
    g_assert_nonnull(strstr(crashed->str, labelled));
    cutOut(crashed, "<backingStore type='file'", "</backingStore>\n");
    g_assert_null(strstr(crashed->str, "<backingStore"));
    g_assert_cmpuint(g_string_replace(crashed, "  <domain ",
                                      "  <blockjobs>\n"
                                      "    <blockjob disk='vda' jobid='pull-vda' state='concluded'"
                                      " stepwise='no' abort='no' failed='no' cur='33554432'"
                                      " end='33554432'/>\n"
                                      "  </blockjobs>\n"
                                      "  <domain ", 1), ==, 1);
    g_assert_true(g_file_set_contents(status, crashed->str, -1, NULL));

    openConn(f);
    listenPull(f, &l);
    waitEvents(&l, 1);
    pumpFor(QUIET_MS);
    assertEvents(&l, expected);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_false(processHolds(pid, f->base));
    g_free(content);
    g_assert_true(g_file_get_contents(status, &content, NULL, NULL));
    g_assert_null(strstr(content, labelled));
    g_assert_null(strstr(content, "<blockjob "));
    g_assert_nonnull((dom = virDomainLookupByName(f->conn, "revoking")));
    g_assert_false(xmlHas(dom, f->base));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertOwner(f->top, 0, 0);
    virDomainFree(dom);
    listenerClear(&l);
}

/* Another embedding process: start the domain and a pull, and exit. */
static int
childMain(const char *what, const char *uri, const char *name)
{
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d;

    if (!c || !(d = virDomainLookupByName(c, name)) || virDomainCreate(d) < 0)
        return 1;
    if (strcmp(what, "pull") == 0 && virDomainBlockPullAll(d, "vda", 0) < 0)
        return 1;
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3], argv[4]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemublockpulleventtest must run as root (it mounts file systems)\n");
        return 1;
    }
    /* The loop runs in this thread, only inside pumpUntil(). */
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);

#define ADD(name, fn, conf) \
    g_test_add(name, Fixture, conf, fixtureSetUp, fn, fixtureTearDown)
    ADD("/blockpull-events/order-destroy", testOrderDestroy, SLOW_CONF);
    ADD("/blockpull-events/order-killed", testOrderKilled, SLOW_CONF);
    ADD("/blockpull-events/order-shutdown", testOrderShutdown, SLOW_CONF);
    ADD("/blockpull-events/stale-held", testStaleHeld, FAST_CONF);
    ADD("/blockpull-events/stale-queued", testStaleQueued, FAST_CONF);
    ADD("/blockpull-events/stale-across-processes", testStaleAcrossProcesses, NULL);
    ADD("/blockpull-events/held-per-domain", testHeldPerDomain, NULL);
    ADD("/blockpull-events/save-fails-at-completion", testSaveFailsAtCompletion, NULL);
    ADD("/blockpull-events/save-fails-then-exit", testSaveFailsThenExit, NULL);
    ADD("/blockpull-events/save-fails-then-destroy", testSaveFailsThenDestroy, NULL);
    ADD("/blockpull-events/save-fails-without-event", testSaveFailsWithoutEvent, NULL);
    ADD("/blockpull-events/crash-while-revoking", testCrashWhileRevoking, NULL);
    return g_test_run();
}

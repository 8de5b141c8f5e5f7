/*
 * qemublockpullmocktest.c: the block pull state machine against a QEMU
 * whose every reply and event comes from a script (tests/qemumockqemu.c,
 * started by the real driver as its emulator): QEMU's events in every
 * order, a cancel racing the job's end, a job gone after a restart, and
 * an error reply to each command of the pull. Each case asserts what the
 * application sees: the call's result and error, the events (status,
 * count, order), the live XML's chain, the image files' owners. The real
 * QEMU runs the same pulls in qemublockpulltest.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define QEMU_UID 65534
#define QEMU_GID 65534
#define HANG_MS (60 * 1000)     /* a hang catcher, not a timing */

#define JOB "\"pull-vda\""
#define MIB "1048576"

/* What every script starts with: the start's cont. */
#define SCRIPT_START \
    "expect cont\n" \
    "event RESUME\n"

#define SCRIPT_BLOCK_STREAM \
    "expect block-stream {\"job-id\": " JOB ", \"device\": \"libvirt-1-format\", " \
    "\"auto-finalize\": false, \"auto-dismiss\": false}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"created\"}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"running\"}\n"

#define SCRIPT_PENDING \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"waiting\"}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"pending\"}\n" \
    "event BLOCK_JOB_PENDING {\"type\": \"stream\", \"id\": " JOB "}\n"

#define SCRIPT_COMPLETED \
    "event BLOCK_JOB_COMPLETED {\"device\": " JOB ", \"len\": " MIB ", " \
    "\"offset\": " MIB ", \"speed\": 0, \"type\": \"stream\"}\n"

#define SCRIPT_CONCLUDED \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"concluded\"}\n"

#define SCRIPT_QUERY_CONCLUDED \
    "expect query-jobs\n" \
    "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"concluded\", " \
    "\"current-progress\": " MIB ", \"total-progress\": " MIB "}]\n"

#define SCRIPT_DISMISS \
    "expect job-dismiss {\"id\": " JOB "}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"null\"}\n"

/* The old chain's nodes: mid's, then base's, format before file. */
#define SCRIPT_DEL_NODES \
    "expect blockdev-del {\"node-name\": \"libvirt-2-format\"}\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-2-storage\"}\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-3-format\"}\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-3-storage\"}\n"

/* From the job's end in QEMU to the nodes it left. */
#define SCRIPT_FINISH \
    "expect job-finalize {\"id\": " JOB "}\n" \
    SCRIPT_COMPLETED \
    SCRIPT_CONCLUDED \
    SCRIPT_QUERY_CONCLUDED \
    SCRIPT_DISMISS \
    SCRIPT_DEL_NODES

/* A cancelled job ends with an error, and without pending. */
#define SCRIPT_CANCELLED \
    "event BLOCK_JOB_CANCELLED {\"device\": " JOB ", \"len\": " MIB ", " \
    "\"offset\": 524288, \"speed\": 0, \"type\": \"stream\"}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"aborting\"}\n" \
    SCRIPT_CONCLUDED \
    "expect query-jobs\n" \
    "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"concluded\", " \
    "\"current-progress\": 524288, \"total-progress\": " MIB ", " \
    "\"error\": \"Operation canceled\"}]\n" \
    SCRIPT_DISMISS

#define BLOCK_JOB_INFO(offset, busy, paused, status) \
    "[{\"type\": \"stream\", \"device\": " JOB ", \"len\": " MIB ", " \
    "\"offset\": " offset ", \"busy\": " busy ", \"paused\": " paused ", " \
    "\"speed\": 5242880, \"ready\": false, \"status\": \"" status "\", " \
    "\"io-status\": \"ok\"}]"

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *emulator;     /* the mock, linked in a directory QEMU's user owns */
    char *base;         /* raw */
    char *mid;          /* qcow2 on base */
    char *top;          /* qcow2 on mid, 1 MiB */
    virConnectPtr conn;
    int pullCb;
    int lifecycleCb;
    GAsyncQueue *events;    /* "pull PATH STATUS", "stopped" */
} Fixture;

static const char *const pullStatus[] = { "COMPLETED", "FAILED", "CANCELED" };

static void
pullCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
       const char *path, int status, void *opaque)
{
    Fixture *f = opaque;
    const char *name = status >= 0 && status < (int) G_N_ELEMENTS(pullStatus) ?
        pullStatus[status] : "?";

    g_async_queue_push(f->events, g_strdup_printf("pull %s %s", path, name));
}

static void
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event, int detail G_GNUC_UNUSED, void *opaque)
{
    Fixture *f = opaque;

    if (event == VIR_DOMAIN_EVENT_STOPPED)
        g_async_queue_push(f->events, g_strdup("stopped"));
}

/* The next event the application heard, which must be @want. */
static void
expectEvent(Fixture *f, const char *want)
{
    g_autofree char *got = g_async_queue_timeout_pop(f->events,
                                                     (guint64) HANG_MS * 1000);

    if (!got)
        g_error("no event within the hang bound; expected '%s'", want);
    g_assert_cmpstr(got, ==, want);
}

static void
expectPullEvent(Fixture *f, const char *status)
{
    g_autofree char *want = g_strdup_printf("pull %s %s", f->top, status);

    expectEvent(f, want);
}

/* Nothing more was heard (events come through the event loop: what was
 * queued before this call has arrived by the time a later one did). */
static void
expectNoMoreEvents(Fixture *f)
{
    g_assert_cmpint(g_async_queue_length(f->events), ==, 0);
}

static void
openConn(Fixture *f)
{
    f->conn = virTestOpen(f->uri);
    f->pullCb = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                 VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                                 VIR_DOMAIN_EVENT_CALLBACK(pullCb),
                                                 f, NULL);
    g_assert_cmpint(f->pullCb, >=, 0);
    f->lifecycleCb = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                      VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                                      f, NULL);
    g_assert_cmpint(f->lifecycleCb, >=, 0);
}

/* The driver goes (its last connection closes); the mock stays. */
static void
closeConn(Fixture *f)
{
    if (!f->conn)
        return;
    virConnectDomainEventDeregisterAny(f->conn, f->pullCb);
    virConnectDomainEventDeregisterAny(f->conn, f->lifecycleCb);
    virConnectClose(f->conn);
    f->conn = NULL;
}

/* @extraConf: more of qemu.conf, or NULL. */
static void
fixtureSetUpConf(Fixture *f, const char *extraConf)
{
    const char *builddir = g_getenv("abs_top_builddir");
    g_autofree char *mock = NULL;
    g_autofree char *mockdir = NULL;
    g_autofree char *confText = NULL;

    f->events = g_async_queue_new_full(g_free);
    f->dir = virTestMakeDir("vbpmock-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);

    /* The mock runs as QEMU's user and writes its report beside itself;
     * named like QEMU so that the reaper knows it. */
    mock = g_build_filename(builddir && *builddir ? builddir : ABS_TOP_BUILDDIR,
                            "tests", "qemumockqemu", NULL);
    g_assert_cmpint(access(mock, X_OK), ==, 0);
    mockdir = g_build_filename(f->dir, "mock", NULL);
    g_assert_cmpint(mkdir(mockdir, 0755), ==, 0);
    g_assert_cmpint(chown(mockdir, QEMU_UID, QEMU_GID), ==, 0);
    f->emulator = g_build_filename(mockdir, "qemu-system-x86_64", NULL);
    g_assert_cmpint(symlink(mock, f->emulator), ==, 0);

    confText = g_strdup_printf("emulator = \"%s\"\n%s", f->emulator,
                               extraConf ? extraConf : "");
    virTestWriteQemuConf(f->root, confText);

    f->base = virTestImageNew(f->dir, "base.raw", "raw", "1M", NULL, NULL,
                              0600);
    f->mid = virTestImageNew(f->dir, "mid.qcow2", "qcow2", NULL, f->base,
                             "raw", 0640);
    f->top = virTestImageNew(f->dir, "top.qcow2", "qcow2", NULL, f->mid,
                             "qcow2", 0600);
    openConn(f);
}

static void
fixtureSetUp(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    fixtureSetUpConf(f, NULL);
}

/* A QEMU reply withheld by the script does not time out before the hang
 * bound: the domain stays stuck for as long as the test waits. */
static void
fixtureSetUpPatientMonitor(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *conf = g_strdup_printf("monitor_timeout = %d\n", 2 * HANG_MS);

    fixtureSetUpConf(f, conf);
}

static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    closeConn(f);
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->emulator);
    g_free(f->base);
    g_free(f->mid);
    g_free(f->top);
    g_async_queue_unref(f->events);
}

/* What the mock QEMU will do, after the start's cont. */
static void
writeScript(Fixture *f, const char *body)
{
    g_autofree char *path = g_strdup_printf("%s.script", f->emulator);
    g_autofree char *text = g_strdup_printf("%s%s", SCRIPT_START, body);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_cmpint(chmod(path, 0644), ==, 0);
}

static virDomainPtr
startDomain(Fixture *f, const char *script)
{
    const char *disks[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML("mock", disks);
    virDomainPtr dom;

    writeScript(f, script);
    dom = virTestCreateDomain(f->conn, xml);
    /* QEMU's user holds the whole chain. */
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    return dom;
}

/* The test's go-ahead for the script's wait-signal. */
static void
signalMock(Fixture *f)
{
    pid_t pid = virTestDomainPid(f->root, "mock");

    g_assert_cmpint(pid, >, 0);
    g_assert_cmpint(kill(pid, SIGUSR1), ==, 0);
}

typedef struct {
    const char *path;
    const char *line;
} MarkWait;

static bool
markReached(void *opaque)
{
    MarkWait *w = opaque;
    g_autofree char *marks = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(w->path, &marks, NULL, NULL))
        return false;
    lines = g_strsplit(marks, "\n", -1);
    return g_strv_contains((const char *const *) lines, w->line);
}

/* Wait until the mock reached the script's "mark NAME": what came before
 * it was answered (the driver acted on it, as far as it acts before its
 * next command). */
static void
waitMark(Fixture *f, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s.marks", f->emulator);
    MarkWait w = { path, name };

    if (!virTestWaitFor(markReached, &w, HANG_MS))
        g_error("the mock QEMU never reached mark '%s'", name);
}

static bool
reportExists(void *opaque)
{
    return access(opaque, F_OK) == 0;
}

/* Destroy the domain (the mock exits on SIGTERM) and check the mock saw
 * every command it expected and nothing else; then every image is given
 * back. */
static void
destroyAndCheck(Fixture *f, virDomainPtr dom)
{
    g_autofree char *path = g_strdup_printf("%s.report", f->emulator);
    g_autofree char *report = NULL;

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    if (!virTestWaitFor(reportExists, path, HANG_MS))
        g_error("the mock QEMU wrote no report");
    g_assert_true(g_file_get_contents(path, &report, NULL, NULL));
    g_assert_cmpstr(report, ==, "");
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->top, 0, 0);
}

/* The end of every case: the domain stops, the mock saw what it was told
 * to expect, every image is given back; the application heard STOPPED,
 * then the pull's end if the stop ended it (@pullEnd, or NULL), and
 * nothing more. */
static void
stopAndCheck(Fixture *f, virDomainPtr dom, const char *pullEnd)
{
    destroyAndCheck(f, dom);
    expectEvent(f, "stopped");
    if (pullEnd)
        expectPullEvent(f, pullEnd);
    expectNoMoreEvents(f);
}

/* The live XML's chain: whole, or gone after a completed pull. */
static void
assertChain(virDomainPtr dom, Fixture *f, bool whole)
{
    char *xml = virDomainGetXMLDesc(dom, 0);

    g_assert_nonnull(xml);
    if (whole) {
        g_assert_nonnull(strstr(xml, "<backingStore"));
        g_assert_nonnull(strstr(xml, f->mid));
        g_assert_nonnull(strstr(xml, f->base));
    } else {
        g_assert_null(strstr(xml, "<backingStore"));
        g_assert_null(strstr(xml, f->mid));
    }
    free(xml);
}

/* A completed pull: the chain is gone and its images given back, the
 * top stays QEMU's. */
static void
assertCompleted(virDomainPtr dom, Fixture *f)
{
    virDomainBlockPullInfo info;

    assertChain(dom, f, false);
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.end, ==, 0);
}

/* The application hears COMPLETED, and the pull did complete. */
static void
expectCompleted(Fixture *f, virDomainPtr dom)
{
    expectPullEvent(f, "COMPLETED");
    assertCompleted(dom, f);
}

/* A pull that did not complete: the chain is whole and still QEMU's. */
static void
assertNotCompleted(virDomainPtr dom, Fixture *f)
{
    assertChain(dom, f, true);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
}

/* The domain's log tells why a pull failed. */
static void
assertLogHas(Fixture *f, const char *text)
{
    g_autofree char *path = g_strdup_printf("%s/log/qemu/mock.log", f->root);
    g_autofree char *log = NULL;

    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    if (!strstr(log, text))
        g_error("the domain's log lacks '%s':\n%s", text, log);
}

static void
pullAll(virDomainPtr dom)
{
    if (virDomainBlockPullAll(dom, "vda", 0) < 0)
        g_error("pull failed: %s", virGetLastErrorMessage());
}

/* ------------------------------------------------------------------ */
/* An abort that QEMU refuses                                           */

/* QEMU refuses the cancel of a job that still runs: the abort fails with
 * QEMU's error, the pull goes on and completes. */
static void
testErrorBlockJobCancel(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, SCRIPT_BLOCK_STREAM
        "expect block-job-cancel {\"device\": " JOB "}\n"
        "error GenericError Block job 'pull-vda' cannot be cancelled now\n"
        "expect query-jobs\n"
        "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"running\", "
        "\"current-progress\": 4096, \"total-progress\": " MIB "}]\n"
        "wait-signal\n"
        SCRIPT_PENDING
        SCRIPT_FINISH);

    pullAll(dom);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_FAILED,
                           "QEMU command 'block-job-cancel' failed: Block job "
                           "'pull-vda' cannot be cancelled now (GenericError)", NULL);
    assertNotCompleted(dom, f);
    signalMock(f);
    /* Not CANCELED: the abort did not happen. */
    expectCompleted(f, dom);
    stopAndCheck(f, dom, NULL);
}

/* ------------------------------------------------------------------ */
/* After a restart                                                      */

/* Start a pull, then let the driver go while the job runs: the status
 * file says running. */
static virDomainPtr
startPullAndLeave(Fixture *f, const char *afterReconnect)
{
    g_autofree char *script = g_strdup_printf(
        "expect block-stream {\"job-id\": " JOB "}\n"
        "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"running\"}\n"
        /* The reconnect asks first whether the CPUs still run. */
        "expect query-status\n"
        "reply {\"running\": true, \"singlestep\": false, \"status\": \"running\"}\n"
        "%s", afterReconnect);
    virDomainPtr dom = startDomain(f, script);
    g_autofree char *status = NULL;
    g_autofree char *statusPath = g_strdup_printf("%s/run/qemu/mock.xml",
                                                  f->root);

    pullAll(dom);
    virDomainFree(dom);
    closeConn(f);
    g_assert_true(g_file_get_contents(statusPath, &status, NULL, NULL));
    g_assert_nonnull(strstr(status, "state='running'"));

    openConn(f);
    dom = virDomainLookupByName(f->conn, "mock");
    g_assert_nonnull(dom);
    return dom;
}




/* ------------------------------------------------------------------ */
/* Cases that only differ by QEMU's script: its events in every order,   */
/* a job gone after a restart, errors that do not stop the pull          */

typedef struct {
    const char *script;     /* after the start's cont (see startPullAndLeave
                             * for @restart) */
    bool restart;           /* the driver goes while the job runs and comes
                             * back, where the script goes on */
    const char *end;        /* the event: "COMPLETED", "FAILED", "CANCELED" */
    const char *log;        /* in the domain's log, or NULL */
    bool abort;             /* abort the pull once it runs (successfully) */
} PullCase;

/* The application starts a pull, and hears how it ended; a completed pull
 * revoked the old chain, another left it whole and QEMU's. */
static void
testPullCase(Fixture *f, gconstpointer data)
{
    const PullCase *c = data;
    virDomainPtr dom;

    if (c->restart) {
        dom = startPullAndLeave(f, c->script);
    } else {
        dom = startDomain(f, c->script);
        assertChain(dom, f, true);
        pullAll(dom);
    }
    /* An abort returns once the pull ended, however it ended. */
    if (c->abort)
        g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    if (strcmp(c->end, "COMPLETED") == 0) {
        expectCompleted(f, dom);
    } else {
        expectPullEvent(f, c->end);
        assertNotCompleted(dom, f);
    }
    if (c->log)
        assertLogHas(f, c->log);
    stopAndCheck(f, dom, NULL);
}

/* QEMU's own order: pending, finalize, BLOCK_JOB_COMPLETED, concluded. */
static const PullCase casePendingThenConcluded = {
    SCRIPT_BLOCK_STREAM SCRIPT_PENDING SCRIPT_FINISH, false, "COMPLETED", NULL,
};

/* BLOCK_JOB_COMPLETED may come after JOB_STATUS_CHANGE; the pull's end
 * is the same. */
static const PullCase caseCompletedAfterConcluded = {
    SCRIPT_BLOCK_STREAM SCRIPT_PENDING
    "expect job-finalize {\"id\": " JOB "}\n"
    SCRIPT_CONCLUDED
    SCRIPT_COMPLETED
    SCRIPT_QUERY_CONCLUDED
    SCRIPT_DISMISS
    SCRIPT_DEL_NODES, false, "COMPLETED", NULL,
};

/* A job that fails goes aborting -> concluded without pending: FAILED,
 * with QEMU's reason in the domain's log, nothing given back. */
static const PullCase caseConcludedWithoutPending = {
    SCRIPT_BLOCK_STREAM
    "event BLOCK_JOB_ERROR {\"device\": " JOB ", \"operation\": \"read\", "
    "\"action\": \"report\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"aborting\"}\n"
    "event BLOCK_JOB_COMPLETED {\"device\": " JOB ", \"len\": " MIB ", "
    "\"offset\": 65536, \"speed\": 0, \"type\": \"stream\", "
    "\"error\": \"Input/output error\"}\n"
    SCRIPT_CONCLUDED
    "expect query-jobs\n"
    "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"concluded\", "
    "\"current-progress\": 65536, \"total-progress\": " MIB ", "
    "\"error\": \"Input/output error\"}]\n"
    SCRIPT_DISMISS, false, "FAILED",
    "block pull of disk 'vda' failed: Input/output error",
};

/* Every event twice: the first pending's round trip finishes the pull
 * (finalize, result, dismiss, deletions, pipelined), so the second
 * pending and both concluded find no job and send nothing. One
 * COMPLETED. Events of a job that is not ours, or that break QEMU's
 * schema, change nothing. */
static const PullCase caseEventsRepeated = {
    "expect block-stream {\"job-id\": " JOB "}\n"
    "event JOB_STATUS_CHANGE {\"id\": \"pull-vdb\", \"status\": \"pending\"}\n"
    "event JOB_STATUS_CHANGE {\"status\": \"pending\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"exploded\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"running\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"running\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"pending\"}\n"
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"pending\"}\n"
    "expect job-finalize {\"id\": " JOB "}\n"
    SCRIPT_COMPLETED
    SCRIPT_CONCLUDED
    SCRIPT_CONCLUDED
    SCRIPT_QUERY_CONCLUDED
    SCRIPT_DISMISS
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"null\"}\n"
    SCRIPT_DEL_NODES, false, "COMPLETED", NULL,
};

/* The job is gone from QEMU and the top has no backing node left: it
 * completed while nobody watched. */
static const PullCase caseRestartJobGoneCompleted = {
    "expect query-jobs\n"
    "reply []\n"
    "expect query-block\n"
    "reply [{\"inserted\": {\"node-name\": \"libvirt-1-format\", \"image\": "
    "{\"filename\": \"top.qcow2\", \"format\": \"qcow2\"}}}]\n"
    SCRIPT_DEL_NODES, true, "COMPLETED", NULL,
};

/* The job is gone and QEMU still reads the backing chain: it failed. */
static const PullCase caseRestartJobGoneFailed = {
    "expect query-jobs\n"
    "reply []\n"
    "expect query-block\n"
    "reply [{\"inserted\": {\"node-name\": \"libvirt-1-format\", \"image\": "
    "{\"filename\": \"top.qcow2\", \"format\": \"qcow2\", "
    "\"backing-image\": {\"filename\": \"mid.qcow2\"}}}}]\n",
    true, "FAILED",
    "the job disappeared from QEMU while the driver was not running",
};

/* QEMU cannot say how the missing job ended: taken as failed. */
static const PullCase caseRestartErrorQueryNodes = {
    "expect query-jobs\n"
    "reply []\n"
    "expect query-block\n"
    "error GenericError nope\n", true, "FAILED",
    "the job disappeared from QEMU while the driver was not running",
};

/* An abort: QEMU cancels the job, which concludes with an error. */
static const PullCase caseCancel = {
    SCRIPT_BLOCK_STREAM
    "expect block-job-cancel {\"device\": " JOB ", \"force\": false}\n"
    SCRIPT_CANCELLED, false, "CANCELED", NULL, true,
};

/* The job went pending before the cancel reached QEMU, which refuses it:
 * the abort succeeds, and the pull completes (the worker hears pending
 * only after the abort looked at the job). */
static const PullCase caseCancelRacingPending = {
    SCRIPT_BLOCK_STREAM
    "expect block-job-cancel {\"device\": " JOB "}\n"
    "error GenericError Job 'pull-vda' in state 'pending' cannot accept "
    "command verb 'cancel'\n"
    "expect query-jobs\n"
    "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"pending\", "
    "\"current-progress\": " MIB ", \"total-progress\": " MIB "}]\n"
    SCRIPT_PENDING
    SCRIPT_FINISH, false, "COMPLETED", NULL, true,
};

/* A job that cannot be dismissed stays listed in QEMU; the pull is done
 * all the same. */
static const PullCase caseErrorJobDismiss = {
    SCRIPT_BLOCK_STREAM SCRIPT_PENDING
    "expect job-finalize {\"id\": " JOB "}\n"
    SCRIPT_COMPLETED
    SCRIPT_CONCLUDED
    SCRIPT_QUERY_CONCLUDED
    "expect job-dismiss {\"id\": " JOB "}\n"
    "error GenericError nope\n"
    SCRIPT_DEL_NODES, false, "COMPLETED", NULL,
};

/* A node that cannot be deleted stays open in QEMU, but the pull is done
 * and every image of the old chain is given back. */
static const PullCase caseErrorBlockdevDel = {
    SCRIPT_BLOCK_STREAM SCRIPT_PENDING
    "expect job-finalize {\"id\": " JOB "}\n"
    SCRIPT_COMPLETED
    SCRIPT_CONCLUDED
    SCRIPT_QUERY_CONCLUDED
    SCRIPT_DISMISS
    "expect blockdev-del {\"node-name\": \"libvirt-2-format\"}\n"
    "error GenericError Node 'libvirt-2-format' is busy\n"
    "expect blockdev-del {\"node-name\": \"libvirt-2-storage\"}\n"
    "expect blockdev-del {\"node-name\": \"libvirt-3-format\"}\n"
    "expect blockdev-del {\"node-name\": \"libvirt-3-storage\"}\n",
    false, "COMPLETED", NULL,
};

/* query-jobs fails at the reconnect: the pull is kept as it was and its
 * events still finish it. */
static void
testRestartErrorQueryJobs(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startPullAndLeave(f,
        "expect query-jobs\n"
        "error GenericError nope\n"
        "expect query-block-jobs\n"
        "reply " BLOCK_JOB_INFO("524288", "true", "false", "running") "\n"
        "wait-signal\n"
        SCRIPT_PENDING
        SCRIPT_FINISH);
    virDomainBlockPullInfo info;

    /* Still running, as the status file said. */
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.cur, ==, 524288);
    g_assert_cmpuint(info.end, ==, 1048576);
    assertNotCompleted(dom, f);
    signalMock(f);
    expectCompleted(f, dom);
    stopAndCheck(f, dom, NULL);
}

/* ------------------------------------------------------------------ */
/* An error reply to each command                                       */

/* Once the mock is past its "mark refused", the pull is stuck done
 * copying: nothing ends it, the copy looks done, the chain stays; the
 * stop ends it FAILED, after STOPPED. */
static void
expectStuckPending(Fixture *f, virDomainPtr dom)
{
    virDomainBlockPullInfo info;

    waitMark(f, "refused");
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.end, ==, 1048576);
    g_assert_cmpuint(info.cur, ==, info.end);
    assertNotCompleted(dom, f);
    stopAndCheck(f, dom, "FAILED");
}

static void
testErrorBlockStream(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f,
        "expect block-stream {\"job-id\": " JOB "}\n"
        "error GenericError Node 'libvirt-1-format' is busy\n");
    virDomainBlockPullInfo info;

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_FAILED,
                           "QEMU command 'block-stream' failed: Node "
                           "'libvirt-1-format' is busy (GenericError)", NULL);
    /* No pull is active, none was heard of. */
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.cur, ==, 0);
    g_assert_cmpuint(info.end, ==, 0);
    assertNotCompleted(dom, f);
    stopAndCheck(f, dom, NULL);
}

/* The rest of a finish whose job-finalize QEMU refused: the commands
 * pipelined after it find the job still pending (not to be dismissed) and
 * the old nodes still the top's backing (in use). */
#define SCRIPT_FINISH_REFUSED \
    "expect query-jobs\n" \
    "reply [{\"id\": " JOB ", \"type\": \"stream\", \"status\": \"pending\", " \
    "\"current-progress\": " MIB ", \"total-progress\": " MIB "}]\n" \
    "expect job-dismiss {\"id\": " JOB "}\n" \
    "error GenericError Job 'pull-vda' in state 'pending' cannot accept " \
    "command verb 'dismiss'\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-2-format\"}\n" \
    "error GenericError Node 'libvirt-2-format' is busy: node is used as " \
    "backing hd of 'libvirt-1-format'\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-2-storage\"}\n" \
    "error GenericError Block device libvirt-2-storage is in use\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-3-format\"}\n" \
    "error GenericError Node 'libvirt-3-format' is busy: node is used as " \
    "backing hd of 'libvirt-2-format'\n" \
    "expect blockdev-del {\"node-name\": \"libvirt-3-storage\"}\n" \
    "error GenericError Block device libvirt-3-storage is in use\n"

/* The finalize is refused: the pull stays pending (done copying) until
 * the domain stops, which ends it FAILED, after the stop. Nothing the
 * finish sent after the finalize (in the same round trip) changed
 * anything. */
static void
testErrorJobFinalize(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, SCRIPT_BLOCK_STREAM SCRIPT_PENDING
        "expect job-finalize {\"id\": " JOB "}\n"
        "error GenericError cannot finalize\n"
        SCRIPT_FINISH_REFUSED
        "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"pending\"}\n"
        "expect job-finalize {\"id\": " JOB "}\n"
        "error GenericError cannot finalize either\n"
        SCRIPT_FINISH_REFUSED
        "mark refused\n");

    pullAll(dom);
    expectStuckPending(f, dom);
}

/* The result cannot be read (query-jobs fails), but the job-dismiss and
 * the deletions pipelined after it went through: the job is gone from
 * QEMU. The driver asks QEMU, as after a restart, whether the top still
 * has a backing node: it has not, so the pull COMPLETED (its nodes were
 * deleted in that round trip, and its images are given back). */
static const PullCase caseErrorQueryJobs = {
    SCRIPT_BLOCK_STREAM SCRIPT_PENDING
    "expect job-finalize {\"id\": " JOB "}\n"
    SCRIPT_COMPLETED
    SCRIPT_CONCLUDED
    "expect query-jobs\n"
    "error GenericError nope\n"
    SCRIPT_DISMISS
    SCRIPT_DEL_NODES
    "expect query-block\n"
    "reply [{\"inserted\": {\"node-name\": \"libvirt-1-format\", \"image\": "
    "{\"filename\": \"top.qcow2\", \"format\": \"qcow2\"}}}]\n",
    false, "COMPLETED", NULL,
};



/* A step: block-stream at the step speed, one look at the progress. */
#define SCRIPT_STEP_START \
    "expect block-stream {\"job-id\": " JOB ", \"speed\": 5242880}\n" \
    "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"running\"}\n" \
    "expect query-block-jobs\n" \
    "reply " BLOCK_JOB_INFO("524288", "true", "false", "running") "\n"

/* The pause is refused because the job just finished copying: the step
 * goes on to the end of the pull and reports it whole. */
static void
testErrorBlockJobPause(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, SCRIPT_STEP_START
        "expect block-job-pause {\"device\": " JOB "}\n"
        "error GenericError The block job is not running\n"
        "expect query-block-jobs\n"
        "reply " BLOCK_JOB_INFO(MIB, "false", "false", "pending") "\n"
        SCRIPT_PENDING
        SCRIPT_FINISH);
    virDomainBlockPullInfo info = { 0, 0 };

    g_assert_cmpint(virDomainBlockPull(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.end, ==, 1048576);
    g_assert_cmpuint(info.cur, ==, info.end);
    expectCompleted(f, dom);
    stopAndCheck(f, dom, NULL);
}

/* A step whose resume is refused fails with QEMU's error and leaves the
 * pull paused where it was; an abort then cancels it. */
static void
testErrorBlockJobResume(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, SCRIPT_STEP_START
        "expect block-job-pause {\"device\": " JOB "}\n"
        "expect query-block-jobs\n"
        "reply " BLOCK_JOB_INFO("524288", "false", "true", "paused") "\n"
        "expect block-job-resume {\"device\": " JOB "}\n"
        "error GenericError cannot resume\n"
        "expect block-job-cancel {\"device\": " JOB ", \"force\": true}\n"
        SCRIPT_CANCELLED);
    virDomainBlockPullInfo info = { 0, 0 };
    virDomainBlockPullInfo again = { 0, 0 };

    g_assert_cmpint(virDomainBlockPull(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.cur, ==, 524288);
    g_assert_cmpuint(info.end, ==, 1048576);

    g_assert_cmpint(virDomainBlockPull(dom, "vda", &again, 0), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_FAILED,
                           "QEMU command 'block-job-resume' failed: cannot resume", NULL);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &again, 0), ==, 0);
    g_assert_cmpuint(again.cur, ==, 524288);
    g_assert_cmpuint(again.end, ==, 1048576);
    assertNotCompleted(dom, f);

    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    expectPullEvent(f, "CANCELED");
    assertNotCompleted(dom, f);
    stopAndCheck(f, dom, NULL);
}

/* Progress that cannot be read is an error of that call only. */
static void
testErrorQueryBlockJobs(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, SCRIPT_BLOCK_STREAM
        "expect query-block-jobs\n"
        "error GenericError nope\n"
        "expect query-block-jobs\n"
        "reply " BLOCK_JOB_INFO("524288", "true", "false", "running") "\n"
        "wait-signal\n"
        SCRIPT_PENDING
        SCRIPT_FINISH);
    virDomainBlockPullInfo info = { 0, 0 };

    pullAll(dom);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_FAILED,
                           "QEMU command 'query-block-jobs' failed: nope", NULL);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpuint(info.cur, ==, 524288);
    g_assert_cmpuint(info.end, ==, 1048576);
    signalMock(f);
    expectCompleted(f, dom);
    stopAndCheck(f, dom, NULL);
}

/* ------------------------------------------------------------------ */
/* Two domains: one's finish does not wait for the other's              */

/*
 * Domain 'mock' finishes its pull (job-finalize and the commands sent
 * with it), whose replies its QEMU keeps back until the test says so:
 * the thread finishing it waits.
 * Meanwhile a second domain, with a QEMU (and a script) of its own,
 * pulls, and its pull is finished and told, while the first is still
 * stuck (with a single worker for all domains, it would wait behind it,
 * until the hang bound fails the test). Then the first QEMU answers, and
 * its pull ends too, its events handled in the order QEMU sent them.
 */
static void
testTwoDomainsInParallel(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *mockdir = g_build_filename(f->dir, "mockb", NULL);
    g_autofree char *emulator = g_build_filename(mockdir, "qemu-system-x86_64", NULL);
    g_autofree char *script = g_strdup_printf("%s.script", emulator);
    g_autofree char *report = g_strdup_printf("%s.report", emulator);
    g_autofree char *reportText = NULL;
    g_autofree char *emulatorXML = g_strdup_printf("<devices>\n    <emulator>%s</emulator>",
                                                   emulator);
    g_autofree char *baseB = g_build_filename(f->dir, "b-base.raw", NULL);
    g_autofree char *midB = g_build_filename(f->dir, "b-mid.qcow2", NULL);
    g_autofree char *topB = g_build_filename(f->dir, "b-top.qcow2", NULL);
    g_autofree char *doneB = g_strdup_printf("pull %s COMPLETED", topB);
    g_autofree char *mockPath = NULL;
    const char *disksB[] = { topB, NULL };
    g_autofree char *xmlB = virTestDomainXML("mockb", disksB);
    g_autoptr(GString) xml = g_string_new(xmlB);
    virDomainPtr dom;
    virDomainPtr domB;

    /* The second QEMU: the same mock under another name, with its own
     * script, named in the domain's <emulator>. */
    g_assert_nonnull(mockPath = g_file_read_link(f->emulator, NULL));
    g_assert_cmpint(mkdir(mockdir, 0755), ==, 0);
    g_assert_cmpint(chown(mockdir, QEMU_UID, QEMU_GID), ==, 0);
    g_assert_cmpint(symlink(mockPath, emulator), ==, 0);
    g_assert_cmpuint(g_string_replace(xml, "<devices>", emulatorXML, 1), ==, 1);
    virTestImageCreate(baseB, "raw", "1M", NULL, NULL);
    virTestImageCreate(midB, "qcow2", NULL, baseB, "raw");
    virTestImageCreate(topB, "qcow2", NULL, midB, "qcow2");
    g_assert_true(g_file_set_contents(script, SCRIPT_START SCRIPT_BLOCK_STREAM
                                      SCRIPT_PENDING SCRIPT_FINISH, -1, NULL));
    g_assert_cmpint(chmod(script, 0644), ==, 0);

    /* The finish sends its commands back to back (finalize, query-jobs,
     * dismiss, deletions): QEMU keeps every reply back, in order. */
    dom = startDomain(f, SCRIPT_BLOCK_STREAM
        SCRIPT_PENDING
        "expect job-finalize {\"id\": " JOB "}\n"
        "held\n"
        SCRIPT_COMPLETED
        SCRIPT_CONCLUDED
        SCRIPT_QUERY_CONCLUDED
        "held\n"
        "expect job-dismiss {\"id\": " JOB "}\n"
        "held\n"
        "expect blockdev-del {\"node-name\": \"libvirt-2-format\"}\n"
        "held\n"
        "expect blockdev-del {\"node-name\": \"libvirt-2-storage\"}\n"
        "held\n"
        "expect blockdev-del {\"node-name\": \"libvirt-3-format\"}\n"
        "held\n"
        "expect blockdev-del {\"node-name\": \"libvirt-3-storage\"}\n"
        "held\n"
        "mark finalizing\n"
        "wait-signal\n"
        "event JOB_STATUS_CHANGE {\"id\": " JOB ", \"status\": \"null\"}\n");
    domB = virTestCreateDomain(f->conn, xml->str);

    pullAll(dom);
    /* The first domain's finish now waits for QEMU's reply. */
    waitMark(f, "finalizing");
    pullAll(domB);
    expectEvent(f, doneB);
    virTestAssertOwner(baseB, 0, 0);
    virTestAssertOwner(midB, 0, 0);
    /* The first is still stuck: not told, not completed. */
    expectNoMoreEvents(f);
    assertNotCompleted(dom, f);

    signalMock(f);
    expectCompleted(f, dom);

    g_assert_cmpint(virDomainDestroy(domB), ==, 0);
    virDomainFree(domB);
    expectEvent(f, "stopped");
    if (!virTestWaitFor(reportExists, report, HANG_MS))
        g_error("the second mock QEMU wrote no report");
    g_assert_true(g_file_get_contents(report, &reportText, NULL, NULL));
    g_assert_cmpstr(reportText, ==, "");
    virTestAssertOwner(topB, 0, 0);
    stopAndCheck(f, dom, NULL);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemublockpullmocktest must run as root (it checks image owners)\n");
        return 1;
    }
    virTestEventLoopStart();

#define ADD(name, fn) \
    g_test_add(name, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
#define ADD_CASE(name, pullCase) \
    g_test_add(name, Fixture, &pullCase, fixtureSetUp, testPullCase, \
               fixtureTearDown)
    /* QEMU's events in every order */
    ADD_CASE("/blockpull-mock/pending-then-concluded", casePendingThenConcluded);
    ADD_CASE("/blockpull-mock/completed-after-concluded", caseCompletedAfterConcluded);
    ADD_CASE("/blockpull-mock/concluded-without-pending", caseConcludedWithoutPending);
    ADD_CASE("/blockpull-mock/events-repeated", caseEventsRepeated);
    /* abort */
    ADD_CASE("/blockpull-mock/cancel", caseCancel);
    ADD_CASE("/blockpull-mock/cancel-racing-pending", caseCancelRacingPending);
    /* after a restart */
    ADD_CASE("/blockpull-mock/restart-job-gone-completed", caseRestartJobGoneCompleted);
    ADD_CASE("/blockpull-mock/restart-job-gone-failed", caseRestartJobGoneFailed);
    ADD_CASE("/blockpull-mock/restart-error-query-nodes", caseRestartErrorQueryNodes);
    ADD("/blockpull-mock/restart-error-query-jobs", testRestartErrorQueryJobs);
    /* an error reply to each command */
    ADD("/blockpull-mock/error-block-stream", testErrorBlockStream);
    ADD("/blockpull-mock/error-job-finalize", testErrorJobFinalize);
    ADD_CASE("/blockpull-mock/error-query-jobs", caseErrorQueryJobs);
    ADD_CASE("/blockpull-mock/error-job-dismiss", caseErrorJobDismiss);
    ADD_CASE("/blockpull-mock/error-blockdev-del", caseErrorBlockdevDel);
    ADD("/blockpull-mock/error-block-job-pause", testErrorBlockJobPause);
    ADD("/blockpull-mock/error-block-job-resume", testErrorBlockJobResume);
    ADD("/blockpull-mock/error-block-job-cancel", testErrorBlockJobCancel);
    ADD("/blockpull-mock/error-query-block-jobs", testErrorQueryBlockJobs);
    g_test_add("/blockpull-mock/two-domains-in-parallel", Fixture, NULL,
               fixtureSetUpPatientMonitor, testTwoDomainsInParallel, fixtureTearDown);
    return g_test_run();
}

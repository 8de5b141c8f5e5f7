/*
 * qemumonitortest.c: the monitor's transport against a mock QEMU (framing,
 * replies matched to their commands, events in order, timeouts, closing,
 * garbage), then the whole monitor against the real QEMU. The QMP layer's
 * commands and events are tests/qemumonitorjsontest.c's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "testutilsvirt.h"
#include "qemumonitortestutils.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* ------------------------------------------------------------------ */
/* Against the mock QEMU                                               */

static void
testGreeting(testFixture *fx,
             gconstpointer data G_GNUC_UNUSED)
{
    unsigned int major, minor, micro;

    g_assert_cmpuint(qemuMonitorGetVersion(fx->mon, &major, &minor, &micro),
                     ==, 7002001);
    g_assert_cmpuint(major, ==, 7);
    g_assert_cmpuint(minor, ==, 2);
    g_assert_cmpuint(micro, ==, 1);
    g_assert_cmpstr(qemuMonitorGetVersionPackage(fx->mon), ==, "mock");
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}

static void
testGarbage(testFixture *fx,
            gconstpointer data G_GNUC_UNUSED)
{
    bool running;

    mockExpect(fx->mock, "query-status", NULL,
               "{\"event\": \"RESUME\"} this is not JSON\r\n", MOCK_RAW);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "monitor closed", NULL);
    g_assert_null(qemuMonitorLastErrorClass());

    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
    g_assert_false(qemuMonitorIsAlive(fx->mon));
    /* what came before the garbage was still delivered, in order */
    g_assert_cmpuint(fx->events->len, ==, 1);
    g_assert_cmpstr(testGetEvent(fx, 0)->name, ==, "RESUME");
    g_assert_cmpstr(testGetEvent(fx, 0)->typed, ==, "resume");

    /* later commands fail at once, without reaching QEMU */
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                           "cannot run QEMU command 'cont': the monitor closed", NULL);
    g_assert_cmpint(fx->eofCount, ==, 1);
}


static void
testNotAnObject(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    mockExpect(fx->mock, "cont", NULL, "[1, 2]\r\n", MOCK_RAW);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "not a JSON object", NULL);
    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
}


/* A message that never ends is cut off at the size limit. */
static void
testOversized(testFixture *fx,
              gconstpointer data G_GNUC_UNUSED)
{
    size_t len = QEMU_MONITOR_MAX_MESSAGE_SIZE + 65536;
    g_autofree char *huge = g_malloc(len + 1);

    memset(huge, 'a', len);
    huge[len] = '\0';
    memcpy(huge, "{\"return\": \"", 12);

    mockExpect(fx->mock, "query-status", NULL, huge, MOCK_RAW);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "larger than the limit", NULL);
    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
}


static void
testEOFMidReply(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block-jobs.json");
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;

    /* the owner closes the monitor from its eof callback */
    fx->closeOnEOF = true;
    mockExpect(fx->mock, "query-block-jobs", NULL, reply,
               MOCK_HALF | MOCK_EOF);
    qemuMonitorRef(fx->mon);
    {
        qemuMonitor *mon = fx->mon;

        g_assert_cmpint(qemuMonitorQueryBlockJobs(mon, &jobs, &njobs), ==, -1);
        virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                               "end of file from QEMU", NULL);
        testWaitCallbacks(fx, 0, 1);
        g_assert_false(fx->eofError);
        g_mutex_lock(&fx->lock);
        g_assert_null(fx->mon);
        g_mutex_unlock(&fx->lock);
        qemuMonitorUnref(mon);
    }
    g_assert_null(jobs);
}


static void
testSplitReply(testFixture *fx,
               gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block-jobs.json");
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;
    g_autofree char *status = NULL;

    mockExpect(fx->mock, "query-block-jobs", NULL, reply, MOCK_SPLIT);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 2);
    g_assert_cmpuint(jobs[1].len, ==, 1073741824);
    qemuMonitorBlockJobInfoListFree(jobs, njobs);

    /* an event split the same way, in front of the reply */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"paused\", \"running\": false}}",
                   "{\"timestamp\": {\"seconds\": 5, \"microseconds\": 6}, "
                   "\"event\": \"STOP\"}\r\n", MOCK_SPLIT, 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, 0);
    g_assert_cmpstr(status, ==, "paused");
    testWaitCallbacks(fx, 1, 0);
    g_assert_cmpstr(testGetEvent(fx, 0)->name, ==, "STOP");
    g_assert_cmpint(testGetEvent(fx, 0)->seconds, ==, 5);
    g_assert_cmpuint(testGetEvent(fx, 0)->micros, ==, 6);
}


/* A command larger than the socket buffer goes out in partial writes,
 * its echo comes back over many reads. */
static void
testLargeCommand(testFixture *fx,
                 gconstpointer data G_GNUC_UNUSED)
{
    size_t len = 4 * 1024 * 1024;
    g_autofree char *cmdline = g_malloc(len + 1);
    g_autofree char *out = NULL;

    memset(cmdline, 'x', len);
    cmdline[len] = '\0';
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    g_assert_cmpint(qemuMonitorHumanCommand(fx->mon, cmdline, &out), ==, 0);
    g_assert_cmpstr(out, ==, cmdline);
}


typedef struct {
    qemuMonitor *mon;
    const char *cmdline;
    int rc;
    int code;
    char *reply;
} testThreadCall;


static gpointer
testThreadHuman(gpointer opaque)
{
    testThreadCall *call = opaque;

    call->rc = qemuMonitorHumanCommand(call->mon, call->cmdline, &call->reply);
    call->code = virGetLastErrorCode();
    return NULL;
}


/* Two threads wait at once; both replies come in one write: each must
 * get its own (the first reply read is the first command's). */
static void
testConcurrent(testFixture *fx,
               gconstpointer data G_GNUC_UNUSED)
{
    testThreadCall a = { .mon = fx->mon, .cmdline = "info one" };
    testThreadCall b = { .mon = fx->mon, .cmdline = "info two" };
    GThread *ta;
    GThread *tb;

    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO | MOCK_HOLD);
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    ta = g_thread_new("a", testThreadHuman, &a);
    tb = g_thread_new("b", testThreadHuman, &b);
    g_thread_join(ta);
    g_thread_join(tb);

    g_assert_cmpint(a.rc, ==, 0);
    g_assert_cmpint(b.rc, ==, 0);
    g_assert_cmpstr(a.reply, ==, "info one");
    g_assert_cmpstr(b.reply, ==, "info two");
    g_free(a.reply);
    g_free(b.reply);
}


static void
testEvents(testFixture *fx,
           gconstpointer data G_GNUC_UNUSED)
{
    testEvent *ev;
    bool running;

    /* two events and the reply in one write */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"running\", \"running\": true}}",
                   "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"BLOCK_JOB_READY\", "
                   "\"data\": {\"device\": \"job0\", \"len\": 5, \"offset\": 5, "
                   "\"speed\": 0, \"type\": \"stream\"}}\r\n"
                   "{\"timestamp\": {\"seconds\": 1700000001, "
                   "\"microseconds\": 7}, \"event\": \"RESUME\"}\r\n",
                   0, 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, NULL), ==, 0);
    g_assert_true(running);

    /* an event on its own, between commands */
    mockSend(fx->mock,
             "{\"timestamp\": {\"seconds\": 1700000002, \"microseconds\": 0}, "
             "\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": "
             "\"pending\", \"id\": \"job0\"}}\r\n");
    testWaitCallbacks(fx, 3, 0);

    /* in QEMU's order, each with its timestamp and its fields */
    ev = testGetEvent(fx, 0);
    g_assert_cmpstr(ev->name, ==, "BLOCK_JOB_READY");
    g_assert_cmpstr(ev->typed, ==,
                    "block-job ready job0 stream offset=5 len=5 speed=0 error=-");
    g_assert_cmpint(ev->seconds, ==, 1700000000);
    g_assert_cmpuint(ev->micros, ==, 123456);

    ev = testGetEvent(fx, 1);
    g_assert_cmpstr(ev->name, ==, "RESUME");
    g_assert_cmpstr(ev->typed, ==, "resume");
    g_assert_cmpint(ev->seconds, ==, 1700000001);
    g_assert_cmpuint(ev->micros, ==, 7);

    ev = testGetEvent(fx, 2);
    g_assert_cmpstr(ev->name, ==, "JOB_STATUS_CHANGE");
    g_assert_cmpstr(ev->typed, ==, "job job0 pending");

    /* an event held back with a reply, delivered with the next one */
    mockExpectFull(fx->mock, "human-monitor-command", "",
                   "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 9, "
                   "\"microseconds\": 9}}\r\n", MOCK_ECHO | MOCK_HOLD, 0);
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    {
        testThreadCall a = { .mon = fx->mon, .cmdline = "a" };
        testThreadCall b = { .mon = fx->mon, .cmdline = "b" };
        GThread *ta = g_thread_new("a", testThreadHuman, &a);
        GThread *tb = g_thread_new("b", testThreadHuman, &b);

        g_thread_join(ta);
        g_thread_join(tb);
        g_assert_cmpstr(a.reply, ==, "a");
        g_assert_cmpstr(b.reply, ==, "b");
        g_free(a.reply);
        g_free(b.reply);
    }
    testWaitCallbacks(fx, 4, 0);
    g_assert_cmpstr(testGetEvent(fx, 3)->name, ==, "STOP");
    g_assert_cmpint(fx->eofCount, ==, 0);
}


/* The events QEMU sends before a reply have reached the callbacks when
 * the command returns, though the waiting thread read them (the driver
 * relies on it: STOP comes before the reply to "stop"). */
static void
testEventsBeforeReply(testFixture *fx,
                      gconstpointer data G_GNUC_UNUSED)
{
    guint i;

    for (i = 0; i < 20; i++) {
        g_autofree char *stop =
            g_strdup_printf("{\"timestamp\": {\"seconds\": %u, "
                            "\"microseconds\": 1}, \"event\": \"STOP\"}\r\n",
                            1700000000 + i);
        guint seen;

        mockExpectFull(fx->mock, "stop", MOCK_QMP_EMPTY_REPLY, stop, 0, 0);
        g_assert_cmpint(qemuMonitorStop(fx->mon), ==, 0);
        g_mutex_lock(&fx->lock);
        seen = fx->events->len;
        g_mutex_unlock(&fx->lock);
        g_assert_cmpuint(seen, ==, i + 1);
        g_assert_cmpstr(testGetEvent(fx, i)->name, ==, "STOP");
    }
}


static void
testTimeout(testFixture *fx,
            gconstpointer data G_GNUC_UNUSED)
{
    gint64 start;
    gint64 elapsed;
    g_autofree char *status = NULL;

    qemuMonitorSetCommandTimeout(fx->mon, 200);

    /* answered too late: the reply must not go to the next command */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"late\", \"running\": false}}",
                   NULL, 0, 500);
    start = g_get_monotonic_time();
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, -1);
    elapsed = (g_get_monotonic_time() - start) / 1000;
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_TIMEOUT, "'query-status'", NULL);
    g_assert_cmpint(elapsed, >=, 190);
    g_assert_cmpint(elapsed, <, 2000);

    qemuMonitorSetCommandTimeout(fx->mon, 5000);
    mockExpect(fx->mock, "query-status", NULL,
               "{\"return\": {\"status\": \"running\", \"running\": true}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, 0);
    g_assert_cmpstr(status, ==, "running");

    /* never answered */
    qemuMonitorSetCommandTimeout(fx->mon, 100);
    mockExpect(fx->mock, "stop", NULL, NULL, 0);
    g_assert_cmpint(qemuMonitorStop(fx->mon), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_TIMEOUT, "'stop'", NULL);
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}


typedef struct {
    testFixture *fx;
    GMutex lock;
    GCond cond;
    bool done;
    int rc;
    int code;
} testInContext;


static gboolean
testCallInContext(gpointer opaque)
{
    testInContext *t = opaque;
    int rc = qemuMonitorCont(t->fx->mon);
    int code = virGetLastErrorCode();

    g_mutex_lock(&t->lock);
    t->rc = rc;
    t->code = code;
    t->done = true;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    return G_SOURCE_REMOVE;
}


/* The context's own thread would have to read the reply: refused. */
static void
testContextThread(testFixture *fx,
                  gconstpointer data G_GNUC_UNUSED)
{
    testInContext t = { .fx = fx };
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;

    g_mutex_init(&t.lock);
    g_cond_init(&t.cond);
    g_main_context_invoke(virEventThreadGetContext(fx->evt),
                          testCallInContext, &t);
    g_mutex_lock(&t.lock);
    while (!t.done && g_cond_wait_until(&t.cond, &t.lock, deadline))
        ;
    g_assert_true(t.done);
    g_mutex_unlock(&t.lock);
    g_assert_cmpint(t.rc, ==, -1);
    g_assert_cmpint(t.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_mutex_clear(&t.lock);
    g_cond_clear(&t.cond);

    /* and the monitor still works from other threads */
    mockExpect(fx->mock, "cont", NULL, MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, 0);
}


/* Closing fails the commands still waiting, at once. */
static void
testClosePending(testFixture *fx,
                 gconstpointer data G_GNUC_UNUSED)
{
    testThreadCall a = { .cmdline = "info never" };
    GThread *ta;
    gint64 start;
    guint seen = 0;

    a.mon = qemuMonitorRef(fx->mon);
    mockExpect(fx->mock, "human-monitor-command", NULL, NULL, 0);
    ta = g_thread_new("a", testThreadHuman, &a);

    /* wait until the command reached the mock */
    start = g_get_monotonic_time();
    while (seen < 2 && g_get_monotonic_time() - start < TEST_WAIT_US) {
        g_usleep(1000);
        seen = mockCommands(fx->mock);
    }
    g_assert_cmpuint(seen, >=, 2);

    start = g_get_monotonic_time();
    g_mutex_lock(&fx->lock);
    qemuMonitorClose(g_steal_pointer(&fx->mon));
    g_mutex_unlock(&fx->lock);
    g_thread_join(ta);
    g_assert_cmpint((g_get_monotonic_time() - start) / 1000, <, 2000);

    g_assert_cmpint(a.rc, ==, -1);
    g_assert_cmpint(a.code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_null(a.reply);
    g_assert_false(qemuMonitorIsAlive(a.mon));
    qemuMonitorUnref(a.mon);
    /* closed by its owner: no eof callback */
    g_assert_cmpint(fx->eofCount, ==, 0);
}


/* Taking over a running QEMU: qmp_capabilities and query-status go out
 * together, before the greeting is read; the run state comes back with
 * the monitor, and a query-status QEMU refuses leaves it unknown without
 * failing the open. */
static void
testOpenPipelined(void)
{
    virEventThread *evt = virEventThreadNew("qemumonitortest-pipelined");
    GMainContext *ctx = virEventThreadGetContext(evt);
    qemuMonitorOpening *op;
    mockQEMU *mock;
    qemuMonitor *mon;
    int running = 7;
    int fd;

    mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(mock, "qmp_capabilities", "-", MOCK_EMPTY_REPLY, 0);
    mockExpect(mock, "query-status", "-",
               "{\"return\": {\"status\": \"paused\", \"running\": false}}", 0);
    g_assert_nonnull(op = qemuMonitorOpenFDStart(fd, ctx, &testCallbacks, NULL));
    g_assert_nonnull(mon = qemuMonitorOpenFDFinish(op, 5000, &running));
    g_assert_cmpint(running, ==, 0);
    g_assert_cmpuint(qemuMonitorGetVersion(mon, NULL, NULL, NULL), ==, 7002001);
    /* and it takes commands */
    mockExpect(mock, "cont", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(mon), ==, 0);
    qemuMonitorClose(mon);
    mockFinish(mock);

    mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(mock, "qmp_capabilities", "-", MOCK_EMPTY_REPLY, 0);
    mockExpect(mock, "query-status", "-",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}", 0);
    g_assert_nonnull(op = qemuMonitorOpenFDStart(fd, ctx, &testCallbacks, NULL));
    g_assert_nonnull(mon = qemuMonitorOpenFDFinish(op, 5000, &running));
    g_assert_cmpint(running, ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OK);
    qemuMonitorClose(mon);
    mockFinish(mock);

    /* QEMU gone before it answered */
    mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(mock, "qmp_capabilities", "-", MOCK_EMPTY_REPLY, MOCK_HALF | MOCK_EOF);
    g_assert_nonnull(op = qemuMonitorOpenFDStart(fd, ctx, &testCallbacks, NULL));
    g_assert_null(qemuMonitorOpenFDFinish(op, 5000, &running));
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                           "qmp_capabilities", NULL);
    mockFinish(mock);

    virEventThreadFree(evt);
}


static void
testOpenFailures(void)
{
    virEventThread *evt = virEventThreadNew("qemumonitortest-open");
    GMainContext *ctx = virEventThreadGetContext(evt);
    mockQEMU *mock;
    qemuMonitor *mon;
    int fd;

    /* no greeting in time */
    mock = mockNew(NULL, &fd);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 200);
    g_assert_null(mon);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_TIMEOUT, "greeting", NULL);
    mockFinish(mock);

    /* something else than a greeting */
    mock = mockNew("{\"hello\": 1}\r\n", &fd);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "greeting", NULL);
    mockFinish(mock);

    /* negotiation refused */
    mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(mock, "qmp_capabilities", NULL,
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"Capabilities negotiation is already complete\"}}", 0);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "(CommandNotFound)", NULL);
    mockFinish(mock);

    /* QEMU gone before the greeting */
    mock = mockNew(NULL, &fd);
    shutdown(mock->fd, SHUT_RDWR);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "end of file", NULL);
    mockFinish(mock);

    /* nobody listens */
    mon = qemuMonitorOpen("/nonexistent/qemumonitortest.sock", ctx,
                          &testCallbacks, NULL, 50);
    g_assert_null(mon);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_SYSTEM_ERROR,
                           "/nonexistent/qemumonitortest.sock", NULL);

    qemuMonitorClose(NULL);
    virEventThreadFree(evt);
}


/* ------------------------------------------------------------------ */
/* The real QEMU                                                       */

/* Start QEMU in @dir, its monitor on a listening socket made here,
 * handed over as fd 3. */
static pid_t
testStartQemu(const char *dir, const char *sockpath)
{
    g_autofree char *logpath = g_build_filename(dir, "qemu.log", NULL);
    const char *argv[] = {
        QEMU_SYSTEM_PATH, "-S", "-nodefaults", "-display", "none",
        "-machine", "none", "-accel", "tcg",
        "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
        "-mon", "chardev=mon,mode=control",
        NULL,
    };

    return virTestQemuSpawn(argv, dir, sockpath, logpath, 3);
}


static void
testRealQemu(void)
{
    testFixture fx = { 0 };
    g_autofree char *dir = NULL;
    g_autofree char *sockpath = NULL;
    g_autofree char *status = NULL;
    g_autofree char *human = NULL;
    g_autofree char *version = NULL;
    g_auto(GStrv) names = NULL;
    qemuMonitorJobInfo *jobs = NULL;
    qemuMonitorBlockJobInfo *bjobs = NULL;
    size_t njobs = 1;
    unsigned int major, minor, micro;
    bool running = true;
    bool shutdownSeen = false;
    int wstatus = 0;
    gint64 deadline;
    pid_t pid;
    guint i;

    /* this test is the point of the binary: a missing QEMU is a failure */
    if (access(QEMU_SYSTEM_PATH, X_OK) != 0)
        g_error("QEMU binary '%s' is missing: %s",
                QEMU_SYSTEM_PATH, g_strerror(errno));

    dir = virTestMakeDir("qemumonitortest-XXXXXX");
    sockpath = g_build_filename(dir, "mon.sock", NULL);

    testFixtureInit(&fx);
    pid = testStartQemu(dir, sockpath);

    fx.mon = qemuMonitorOpen(sockpath, virEventThreadGetContext(fx.evt),
                             &testCallbacks, &fx, 30000);
    if (!fx.mon)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());

    g_assert_cmpuint(qemuMonitorGetVersion(fx.mon, &major, &minor, &micro),
                     >, 0);
    g_assert_cmpuint(major, >=, 2);

    g_assert_cmpint(qemuMonitorQueryStatus(fx.mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "prelaunch");

    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(fx.mon, &names), ==, 0);
    g_assert_nonnull(names);
    g_assert_null(names[0]);

    g_assert_cmpint(qemuMonitorQueryJobs(fx.mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 0);
    qemuMonitorJobInfoListFree(jobs, njobs);
    njobs = 1;
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx.mon, &bjobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 0);
    qemuMonitorBlockJobInfoListFree(bjobs, njobs);

    g_assert_cmpint(qemuMonitorHumanCommand(fx.mon, "info version", &human),
                    ==, 0);
    version = g_strdup_printf("%u.%u.%u", major, minor, micro);
    g_assert_nonnull(strstr(human, version));

    g_assert_cmpint(qemuMonitorBlockdevDel(fx.mon, "nope"), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                           "QEMU command 'blockdev-del' failed: "
                           "Failed to find node with node-name='nope'", NULL);
    g_assert_cmpstr(qemuMonitorLastErrorClass(), ==, "GenericError");

    g_assert_cmpint(qemuMonitorBlockJobPause(fx.mon, "nojob"), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED, "nojob", NULL);

    g_assert_cmpint(qemuMonitorQuit(fx.mon), ==, 0);
    testWaitCallbacks(&fx, 1, 1);
    g_assert_false(fx.eofError);
    for (i = 0; i < fx.events->len; i++) {
        testEvent *ev = testGetEvent(&fx, i);

        if (strcmp(ev->name, "SHUTDOWN") == 0) {
            shutdownSeen = true;
            g_assert_cmpstr(ev->typed, ==, "shutdown guest=0 reason=host-qmp-quit");
            g_assert_cmpint(ev->seconds, >, 0);
        }
    }
    g_assert_true(shutdownSeen);

    deadline = g_get_monotonic_time() + TEST_WAIT_US;
    while (waitpid(pid, &wstatus, WNOHANG) == 0 &&
           g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 0);
    g_assert_cmpint(kill(pid, 0), ==, -1);

    testTeardown(&fx, NULL);
    virTestCleanupDir(dir);
}


/* QEMU 7.2 dies when query-named-block-nodes comes while a stream job is
 * concluded and not yet dismissed; asking whether a disk still has a
 * backing node must be safe then (another disk's pull may be in that
 * state while we ask about one whose job is gone). */
static void
testRealQemuConcludedStream(void)
{
    testFixture fx = { 0 };
    g_autofree char *dir = virTestMakeDir("qemumonitortest-XXXXXX");
    g_autofree char *sockpath = g_build_filename(dir, "mon.sock", NULL);
    g_autofree char *logpath = g_build_filename(dir, "qemu.log", NULL);
    g_autofree char *base = g_build_filename(dir, "base.qcow2", NULL);
    g_autofree char *top = g_build_filename(dir, "top.qcow2", NULL);
    g_autofree char *baseFile = g_strdup_printf(
        "{\"driver\": \"file\", \"filename\": \"%s\", \"node-name\": \"base-file\"}", base);
    g_autofree char *topFile = g_strdup_printf(
        "{\"driver\": \"file\", \"filename\": \"%s\", \"node-name\": \"top-file\"}", top);
    g_autofree char *status = NULL;
    const char *argv[] = {
        QEMU_SYSTEM_PATH, "-S", "-nodefaults", "-display", "none",
        "-machine", "q35", "-accel", "tcg",
        "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
        "-mon", "chardev=mon,mode=control",
        "-blockdev", baseFile,
        "-blockdev", "{\"driver\": \"qcow2\", \"file\": \"base-file\", "
                     "\"node-name\": \"base-fmt\"}",
        "-blockdev", topFile,
        "-blockdev", "{\"driver\": \"qcow2\", \"file\": \"top-file\", "
                     "\"backing\": \"base-fmt\", \"node-name\": \"top-fmt\"}",
        "-device", "virtio-blk-pci,drive=top-fmt,id=disk0",
        NULL,
    };
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;
    bool backing = false;
    bool running = true;
    bool concluded = false;
    gint64 deadline;
    pid_t pid;

    virTestImageCreate(base, "qcow2", "16M", NULL, NULL);
    virTestImageWrite(base, "qcow2", 'b', "0", "1M");
    virTestImageCreate(top, "qcow2", NULL, base, "qcow2");

    testFixtureInit(&fx);
    pid = virTestQemuSpawn(argv, dir, sockpath, logpath, 3);
    fx.mon = qemuMonitorOpen(sockpath, virEventThreadGetContext(fx.evt),
                             &testCallbacks, &fx, 30000);
    if (!fx.mon)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());

    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx.mon, "top-fmt", &backing), ==, 0);
    g_assert_true(backing);

    g_assert_cmpint(qemuMonitorBlockStream(fx.mon, "pull-disk0", "top-fmt", NULL,
                                           NULL, 0, true, false), ==, 0);
    deadline = g_get_monotonic_time() + TEST_WAIT_US;
    while (!concluded && g_get_monotonic_time() < deadline) {
        g_assert_cmpint(qemuMonitorQueryJobs(fx.mon, &jobs, &njobs), ==, 0);
        concluded = njobs == 1 && jobs[0].status == QEMU_MONITOR_JOB_STATUS_CONCLUDED;
        qemuMonitorJobInfoListFree(jobs, njobs);
        if (!concluded)
            g_usleep(10 * 1000);
    }
    g_assert_true(concluded);

    /* the job is concluded, not dismissed: ask, and QEMU must live on */
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx.mon, "top-fmt", &backing), ==, 0);
    g_assert_false(backing);
    g_assert_cmpint(qemuMonitorQueryStatus(fx.mon, &running, &status), ==, 0);
    g_assert_cmpstr(status, ==, "prelaunch");
    g_assert_true(virTestProcessAlive(pid));

    g_assert_cmpint(qemuMonitorQuit(fx.mon), ==, 0);
    testTeardown(&fx, NULL);
    virTestCleanupDir(dir);
}


int
main(int argc,
     char **argv)
{
    virTestInit(&argc, &argv);

#define ADD(path, func) \
    g_test_add(path, testFixture, NULL, testSetup, func, testTeardown)

    ADD("/monitor/greeting", testGreeting);
    ADD("/monitor/garbage", testGarbage);
    ADD("/monitor/not-an-object", testNotAnObject);
    ADD("/monitor/oversized", testOversized);
    ADD("/monitor/eof-mid-reply", testEOFMidReply);
    ADD("/monitor/split-reply", testSplitReply);
    ADD("/monitor/large-command", testLargeCommand);
    ADD("/monitor/concurrent", testConcurrent);
    ADD("/monitor/events", testEvents);
    ADD("/monitor/events-before-reply", testEventsBeforeReply);
    ADD("/monitor/timeout", testTimeout);
    ADD("/monitor/context-thread", testContextThread);
    ADD("/monitor/close-pending", testClosePending);
    g_test_add_func("/monitor/open-failures", testOpenFailures);
    g_test_add_func("/monitor/open-pipelined", testOpenPipelined);
    /* The only case that runs QEMU. */
    if (VIR_TEST_INTEGRATION) {
        g_test_add_func("/monitor/real-qemu", testRealQemu);
        g_test_add_func("/monitor/real-qemu-concluded-stream",
                        testRealQemuConcludedStream);
    }

#undef ADD

    return g_test_run();
}

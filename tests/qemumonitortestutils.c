/*
 * qemumonitortestutils.c: the monitor tests' mock QEMU and recording
 * owner (see qemumonitortestutils.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutils.h"
#include "qemumonitortestutils.h"
#include "util/virerror.h"

/* ------------------------------------------------------------------ */
/* The mock QEMU                                                        */

static gpointer
mockRun(gpointer opaque)
{
    mockQEMU *mock = opaque;
    char buf[4096];

    if (mock->greeting &&
        !mockQMPWrite(mock->fd, mock->greeting, strlen(mock->greeting)))
        return NULL;
    if (mockQMPConnected(mock->qmp, mock->fd) != MOCK_QMP_CONTINUE)
        return NULL;

    for (;;) {
        ssize_t n = recv(mock->fd, buf, sizeof(buf), 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (mockQMPFeed(mock->qmp, mock->fd, buf, n) != MOCK_QMP_CONTINUE)
            break;
    }
    return NULL;
}


mockQEMU *
mockNew(const char *greeting, int *clientFd)
{
    mockQEMU *mock = g_new0(mockQEMU, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    mock->fd = sv[0];
    *clientFd = sv[1];
    mock->greeting = g_strdup(greeting);
    mock->qmp = mockQMPNew();
    mock->thread = g_thread_new("mock-qemu", mockRun, mock);
    return mock;
}


void
mockExpect(mockQEMU *mock, const char *cmd, const char *args,
           const char *reply, unsigned int flags)
{
    mockQMPExpect(mock->qmp, cmd, args, reply, NULL, flags, 0);
}


void
mockExpectFull(mockQEMU *mock, const char *cmd, const char *reply,
               const char *before, unsigned int flags, unsigned int delayMs)
{
    mockQMPExpect(mock->qmp, cmd, NULL, reply, before, flags, delayMs);
}


void
mockSend(mockQEMU *mock, const char *text)
{
    g_assert_true(mockQMPWrite(mock->fd, text, strlen(text)));
}


guint
mockCommands(mockQEMU *mock)
{
    return mockQMPCommands(mock->qmp);
}


void
mockFinish(mockQEMU *mock)
{
    g_autofree char *report = NULL;

    if (!mock)
        return;
    g_thread_join(mock->thread);
    close(mock->fd);

    report = mockQMPReport(mock->qmp);
    g_assert_cmpstr(report, ==, "");

    mockQMPFree(mock->qmp);
    g_free(mock->greeting);
    g_free(mock);
}


/* ------------------------------------------------------------------ */
/* The monitor's owner: records what its callbacks saw.                */

static void
testEventFree(gpointer opaque)
{
    testEvent *ev = opaque;

    g_free(ev->name);
    g_free(ev->typed);
    g_free(ev);
}


/* Every callback notes whether it runs in the context thread. */
static void
testCallbackEnter(testFixture *fx)
{
    g_mutex_lock(&fx->lock);
    if (!virEventThreadIsSelf(fx->evt))
        fx->wrongThread = true;
}


static void
testCallbackLeave(testFixture *fx)
{
    g_cond_broadcast(&fx->cond);
    g_mutex_unlock(&fx->lock);
}


static void
testOnEvent(qemuMonitor *mon G_GNUC_UNUSED,
            const char *name,
            long long seconds,
            unsigned int micros,
            void *opaque)
{
    testFixture *fx = opaque;
    testEvent *ev = g_new0(testEvent, 1);

    ev->name = g_strdup(name);
    ev->seconds = seconds;
    ev->micros = micros;

    testCallbackEnter(fx);
    g_ptr_array_add(fx->events, ev);
    testCallbackLeave(fx);
}


/* The typed callback belongs to the event told just before. */
static void G_GNUC_PRINTF(2, 3)
testOnTyped(testFixture *fx,
            const char *fmt,
            ...)
{
    testEvent *ev = NULL;
    va_list ap;

    testCallbackEnter(fx);
    if (fx->events->len > 0)
        ev = g_ptr_array_index(fx->events, fx->events->len - 1);
    if (!ev || ev->typed) {
        g_mutex_unlock(&fx->lock);
        g_error("a typed callback without its event");
    }
    va_start(ap, fmt);
    ev->typed = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    testCallbackLeave(fx);
}


static void
testOnJobStatusChange(qemuMonitor *mon G_GNUC_UNUSED,
                      const char *jobid,
                      qemuMonitorJobStatus status,
                      void *opaque)
{
    testOnTyped(opaque, "job %s %s", jobid,
                qemuMonitorJobStatusToString(status));
}


static void
testOnBlockJob(qemuMonitor *mon G_GNUC_UNUSED,
               const char *jobid,
               const char *type,
               qemuMonitorBlockJobEvent event,
               unsigned long long offset,
               unsigned long long len,
               unsigned long long speed,
               const char *error,
               void *opaque)
{
    testOnTyped(opaque, "block-job %s %s %s offset=%llu len=%llu speed=%llu error=%s",
                qemuMonitorBlockJobEventToString(event), jobid, type,
                offset, len, speed, error ? error : "-");
}


static void
testOnBlockJobError(qemuMonitor *mon G_GNUC_UNUSED,
                    const char *jobid,
                    const char *operation,
                    const char *action,
                    void *opaque)
{
    testOnTyped(opaque, "block-job-error %s %s %s", jobid, operation, action);
}


static void
testOnStop(qemuMonitor *mon G_GNUC_UNUSED,
           void *opaque)
{
    testOnTyped(opaque, "stop");
}


static void
testOnResume(qemuMonitor *mon G_GNUC_UNUSED,
             void *opaque)
{
    testOnTyped(opaque, "resume");
}


static void
testOnShutdown(qemuMonitor *mon G_GNUC_UNUSED,
               bool guest,
               const char *reason,
               void *opaque)
{
    testOnTyped(opaque, "shutdown guest=%d reason=%s", guest, reason);
}


static void
testOnEOF(qemuMonitor *mon G_GNUC_UNUSED,
          bool error,
          void *opaque)
{
    testFixture *fx = opaque;
    qemuMonitor *toClose = NULL;

    testCallbackEnter(fx);
    fx->eofCount++;
    fx->eofError = error;
    if (fx->closeOnEOF)
        toClose = g_steal_pointer(&fx->mon);
    g_mutex_unlock(&fx->lock);

    /* closing from inside the callback must not deadlock */
    qemuMonitorClose(toClose);

    g_mutex_lock(&fx->lock);
    g_cond_broadcast(&fx->cond);
    g_mutex_unlock(&fx->lock);
}


const qemuMonitorCallbacks testCallbacks = {
    .domainEvent = testOnEvent,
    .jobStatusChange = testOnJobStatusChange,
    .blockJob = testOnBlockJob,
    .blockJobError = testOnBlockJobError,
    .stop = testOnStop,
    .resume = testOnResume,
    .shutdown = testOnShutdown,
    .eof = testOnEOF,
};


void
testFixtureInit(testFixture *fx)
{
    fx->evt = virEventThreadNew("qemumonitortest");
    g_mutex_init(&fx->lock);
    g_cond_init(&fx->cond);
    fx->events = g_ptr_array_new_with_free_func(testEventFree);
}


void
testSetup(testFixture *fx,
          gconstpointer data G_GNUC_UNUSED)
{
    int fd;

    testFixtureInit(fx);
    fx->mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(fx->mock, "qmp_capabilities", "-", MOCK_EMPTY_REPLY, 0);
    fx->mon = qemuMonitorOpenFD(fd, virEventThreadGetContext(fx->evt),
                                &testCallbacks, fx, 5000);
    g_assert_nonnull(fx->mon);
}


void
testTeardown(testFixture *fx,
             gconstpointer data G_GNUC_UNUSED)
{
    qemuMonitor *mon;

    g_mutex_lock(&fx->lock);
    mon = g_steal_pointer(&fx->mon);
    g_mutex_unlock(&fx->lock);
    qemuMonitorClose(mon);

    mockFinish(fx->mock);
    g_assert_false(fx->wrongThread);
    virEventThreadFree(fx->evt);
    g_ptr_array_unref(fx->events);
    g_cond_clear(&fx->cond);
    g_mutex_clear(&fx->lock);
}


typedef struct {
    GMutex lock;
    GCond cond;
    bool done;
} testSync;


static gboolean
testSyncDone(gpointer opaque)
{
    testSync *sync = opaque;

    g_mutex_lock(&sync->lock);
    sync->done = true;
    g_cond_broadcast(&sync->cond);
    g_mutex_unlock(&sync->lock);
    return G_SOURCE_REMOVE;
}


/* Wait until the context thread is done with what it was dispatching:
 * an event's typed callback runs right after its domainEvent callback, in
 * the same dispatch. */
static void
testSyncContext(testFixture *fx)
{
    testSync sync = { .done = false };
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;
    GSource *src = g_idle_source_new();

    g_mutex_init(&sync.lock);
    g_cond_init(&sync.cond);
    g_source_set_callback(src, testSyncDone, &sync, NULL);
    g_source_attach(src, virEventThreadGetContext(fx->evt));
    g_source_unref(src);
    g_mutex_lock(&sync.lock);
    while (!sync.done && g_cond_wait_until(&sync.cond, &sync.lock, deadline))
        ;
    g_assert_true(sync.done);
    g_mutex_unlock(&sync.lock);
    g_mutex_clear(&sync.lock);
    g_cond_clear(&sync.cond);
}


void
testWaitCallbacks(testFixture *fx,
                  guint nevents,
                  int neof)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;

    g_mutex_lock(&fx->lock);
    while (fx->events->len < nevents || fx->eofCount < neof) {
        if (!g_cond_wait_until(&fx->cond, &fx->lock, deadline))
            break;
    }
    g_assert_cmpuint(fx->events->len, >=, nevents);
    g_assert_cmpint(fx->eofCount, >=, neof);
    g_mutex_unlock(&fx->lock);
    testSyncContext(fx);
}


testEvent *
testGetEvent(testFixture *fx,
             guint i)
{
    testEvent *ev;

    g_mutex_lock(&fx->lock);
    g_assert_cmpuint(i, <, fx->events->len);
    ev = g_ptr_array_index(fx->events, i);
    g_mutex_unlock(&fx->lock);
    return ev;
}


char *
testLoadData(const char *name)
{
    g_autofree char *path = virTestSrcPath("tests", "qemumonitordata", name, NULL);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, &err);
    g_assert_no_error(err);
    return text;
}


/*
 * fuzz-qmp.c: libFuzzer target for what QEMU writes on its QMP monitor,
 * through the whole monitor (qemu_monitor_io.c's framing, greeting and
 * matching of replies to commands; qemu_monitor_json.c's parser of each
 * reply the driver reads and its event table; qemu_monitor.c on top), as
 * the driver runs it: a socket, the monitor's I/O on an event thread, a
 * command waiting in another thread. A guest may own the QEMU it talks
 * to, so all of it is hostile input.
 *
 * The first byte picks what the rest is: 0 everything QEMU writes from
 * the start (greeting included) until it hangs up; 1 the reply to
 * qmp_capabilities; otherwise a mock QEMU greets, accepts
 * qmp_capabilities, and the rest is what it writes once the command the
 * byte picks arrives: query-status, query-jobs, query-block-jobs,
 * query-named-block-nodes, query-block (BlockNodeHasBacking),
 * human-monitor-command, an arbitrary command, block-stream or
 * job-dismiss; the reply (replies go to commands in order, whatever
 * "id" they carry), events before or after it, or garbage. Then
 * QEMU hangs up, so that nothing waits for a reply that never comes; the
 * events before the hang-up reach the callbacks, which check what they
 * are given.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "util/virerror.h"
#include "util/vireventthread.h"
#include "util/virjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_GREETING \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, " \
    "\"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define FUZZ_WAIT_MS 5000

typedef struct {
    int fd;
    unsigned int mode;
    GMutex lock;
    GCond cond;
    bool eof;
} fuzzRun;

static GMainContext *fuzzCtx;

static void
fuzzDomainEvent(qemuMonitor *mon G_GNUC_UNUSED, const char *name,
                long long seconds G_GNUC_UNUSED, unsigned int micros,
                void *opaque G_GNUC_UNUSED)
{
    if (!name || micros >= 1000000)
        __builtin_trap();
}

static void
fuzzJobStatusChange(qemuMonitor *mon G_GNUC_UNUSED, const char *jobid,
                    qemuMonitorJobStatus status, void *opaque G_GNUC_UNUSED)
{
    if (!jobid || !qemuMonitorJobStatusToString(status))
        __builtin_trap();
}

static void
fuzzBlockJob(qemuMonitor *mon G_GNUC_UNUSED, const char *jobid,
             const char *type, qemuMonitorBlockJobEvent event,
             unsigned long long offset G_GNUC_UNUSED,
             unsigned long long len G_GNUC_UNUSED,
             unsigned long long speed G_GNUC_UNUSED,
             const char *error G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
    if (!jobid || !type || !qemuMonitorBlockJobEventToString(event))
        __builtin_trap();
}

static void
fuzzBlockJobError(qemuMonitor *mon G_GNUC_UNUSED, const char *jobid,
                  const char *operation, const char *action,
                  void *opaque G_GNUC_UNUSED)
{
    if (!jobid || !operation || !action)
        __builtin_trap();
}

static void
fuzzNothing(qemuMonitor *mon G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

static void
fuzzShutdown(qemuMonitor *mon G_GNUC_UNUSED, bool guest G_GNUC_UNUSED,
             const char *reason G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

static void
fuzzEOF(qemuMonitor *mon G_GNUC_UNUSED, bool error G_GNUC_UNUSED, void *opaque)
{
    fuzzRun *run = opaque;

    g_mutex_lock(&run->lock);
    run->eof = true;
    g_cond_broadcast(&run->cond);
    g_mutex_unlock(&run->lock);
}

static const qemuMonitorCallbacks fuzzCallbacks = {
    .domainEvent = fuzzDomainEvent,
    .jobStatusChange = fuzzJobStatusChange,
    .blockJob = fuzzBlockJob,
    .blockJobError = fuzzBlockJobError,
    .stop = fuzzNothing,
    .resume = fuzzNothing,
    .shutdown = fuzzShutdown,
    .eof = fuzzEOF,
};

/* The command the mode picks; what it made is checked and freed. */
static void
fuzzCommand(qemuMonitor *mon, unsigned int mode)
{
    switch (mode) {
    case 2: {
        g_autofree char *status = NULL;
        bool running;

        if (qemuMonitorQueryStatus(mon, &running, &status) == 0 && !status)
            __builtin_trap();
        break;
    }
    case 3: {
        qemuMonitorJobInfo *jobs = NULL;
        size_t njobs = 0;

        if (qemuMonitorQueryJobs(mon, &jobs, &njobs) == 0) {
            for (size_t i = 0; i < njobs; i++) {
                if (!jobs[i].id || !jobs[i].type)
                    __builtin_trap();
            }
            qemuMonitorJobInfoListFree(jobs, njobs);
        }
        break;
    }
    case 4: {
        qemuMonitorBlockJobInfo *jobs = NULL;
        size_t njobs = 0;

        if (qemuMonitorQueryBlockJobs(mon, &jobs, &njobs) == 0) {
            for (size_t i = 0; i < njobs; i++) {
                if (!jobs[i].id || !jobs[i].type)
                    __builtin_trap();
            }
            qemuMonitorBlockJobInfoListFree(jobs, njobs);
        }
        break;
    }
    case 5: {
        g_auto(GStrv) names = NULL;

        if (qemuMonitorQueryNamedBlockNodes(mon, &names) == 0 && !names)
            __builtin_trap();
        break;
    }
    case 6: {
        bool hasBacking;

        qemuMonitorBlockNodeHasBacking(mon, "libvirt-1-format", &hasBacking);
        break;
    }
    case 7: {
        g_autofree char *out = NULL;

        if (qemuMonitorHumanCommand(mon, "info block", &out) == 0 && !out)
            __builtin_trap();
        break;
    }
    case 8: {
        g_autoptr(virJSONValue) ret = NULL;

        qemuMonitorArbitraryCommand(mon, "query-version", NULL, &ret);
        break;
    }
    case 9:
        qemuMonitorBlockStream(mon, "pull-vda", "libvirt-1-format", NULL, NULL,
                               0, false, false);
        break;
    default:
        qemuMonitorJobDismiss(mon, "pull-vda");
        break;
    }
}

/* The driver's side: open, negotiate, one command, then stay until QEMU
 * hung up (the events before it are delivered) and close. */
static gpointer
fuzzDriver(gpointer opaque)
{
    fuzzRun *run = opaque;
    qemuMonitor *mon;
    gint64 deadline;

    if (!(mon = qemuMonitorOpenFD(run->fd, fuzzCtx, &fuzzCallbacks, run,
                                  FUZZ_WAIT_MS))) {
        if (!virErrorIsSet())
            __builtin_trap();
        virResetLastError();
        return NULL;
    }
    qemuMonitorSetCommandTimeout(mon, FUZZ_WAIT_MS);
    if (run->mode >= 2)
        fuzzCommand(mon, run->mode);
    virResetLastError();

    deadline = g_get_monotonic_time() + FUZZ_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&run->lock);
    while (!run->eof && g_cond_wait_until(&run->cond, &run->lock, deadline))
        ;
    g_mutex_unlock(&run->lock);
    qemuMonitorClose(mon);
    return NULL;
}

static void
fuzzWrite(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;     /* the monitor gave up on us: fine */
        p += n;
        len -= n;
    }
}

/* Wait for the next command (or the monitor hanging up). */
static void
fuzzReadCommand(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char buf[4096];

    if (poll(&pfd, 1, FUZZ_WAIT_MS) > 0)
        (void) !read(fd, buf, sizeof(buf));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzzRun run = { 0 };
    GThread *driver;
    int fds[2];
    char buf[4096];

    if (size < 1 || size > 65536)
        return 0;
    if (!fuzzCtx) {
        virEventThread *evt = virEventThreadNew("fuzz-qmp");

        if (!evt)
            abort();
        /* Kept for the whole run. */
        fuzzCtx = virEventThreadGetContext(evt);
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        abort();
    run.fd = fds[0];
    run.mode = data[0] % 11;
    g_mutex_init(&run.lock);
    g_cond_init(&run.cond);
    data++;
    size--;

    driver = g_thread_new("fuzz-qmp-driver", fuzzDriver, &run);

    /* QEMU's side. */
    if (run.mode == 0) {
        fuzzWrite(fds[1], data, size);
    } else {
        fuzzWrite(fds[1], FUZZ_GREETING, strlen(FUZZ_GREETING));
        fuzzReadCommand(fds[1]);
        if (run.mode == 1) {
            fuzzWrite(fds[1], data, size);
        } else {
            fuzzWrite(fds[1], "{\"return\": {}}\r\n", strlen("{\"return\": {}}\r\n"));
            fuzzReadCommand(fds[1]);
            fuzzWrite(fds[1], data, size);
        }
    }
    shutdown(fds[1], SHUT_WR);
    /* Until the driver closed its end. */
    while (read(fds[1], buf, sizeof(buf)) > 0)
        ;
    g_thread_join(driver);
    close(fds[1]);
    g_mutex_clear(&run.lock);
    g_cond_clear(&run.cond);
    return 0;
}

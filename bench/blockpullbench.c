/* blockpullbench.c: a block pull through libvirt-bp against raw QMP; event latencies. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include "libvirt/libvirt.h"
#include "benchutil.h"
#include "qemu/qemu_monitor.h"
#include "util/vireventthread.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/*
 * What is measured, per size S and per run (fresh images every time: a raw
 * base of S MiB written in full, a thin qcow2 overlay on it):
 *
 *  raw QMP     our own QEMU with the argv shape the driver uses, driven
 *              through the project's monitor library: wall time from just
 *              before block-stream to the BLOCK_JOB_COMPLETED event; how
 *              long that event took from QEMU's timestamp to our callback;
 *              then SIGKILL to QEMU, and the time until the monitor's end
 *              of file (the kernel's part of a QEMU death).
 *  libvirt-bp  a transient domain in qemu:///embed, public API only: wall
 *              time from just before virDomainBlockPullAll() to the
 *              COMPLETED callback; then SIGKILL to its QEMU and the time
 *              until the STOPPED callback (the whole path: monitor, driver,
 *              event queue, the application's loop); then the domain
 *              started again, and the time from virDomainDestroy()'s return
 *              to the STOPPED callback.
 *
 * The two kinds of run alternate, so that neither always runs on a warmer
 * cache. docs/benchmarks.md explains the columns.
 */

#define BENCH_DEFAULT_SIZES "64,256"
#define BENCH_DEFAULT_RUNS 3
#define BENCH_DOMAIN_NAME "pullbench"
#define BENCH_JOB_ID "pull0"
#define BENCH_TOP_NODE "top-format"
/* Generous: a pull of a GiB takes a few seconds here. */
#define BENCH_EVENT_TIMEOUT_S 300
#define BENCH_QEMU_START_TIMEOUT_MS 30000
#define BENCH_QEMU_EXIT_TIMEOUT_MS 10000
#define BENCH_MAX_PIDS 16

/* ------------------------------------------------------------------ */
/* Every QEMU we are responsible for dies with us                        */
/* ------------------------------------------------------------------ */

/* pid_t fits in an int; 0 marks a free slot. Written by the main thread
 * with benchPidLock held; read by the handlers below. */
static volatile sig_atomic_t benchPids[BENCH_MAX_PIDS];

/* Held by the main thread from just before it starts a QEMU until its pid
 * is recorded: a termination signal waits for it, so that a QEMU being
 * started is killed too. */
static GMutex benchPidLock;

/* The termination signal handler hands the signal to benchReaper here. */
static int benchSignalPipe[2] = { -1, -1 };

/* Called with benchPidLock held. */
static void
benchPidAdd(pid_t pid)
{
    size_t i;

    for (i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] == 0) {
            benchPids[i] = pid;
            return;
        }
    }
    /* Never more than two at a time; losing track would leak a QEMU. */
    kill(pid, SIGKILL);
    g_error("too many QEMU processes to track");
}

static void
benchPidRemove(pid_t pid)
{
    size_t i;

    g_mutex_lock(&benchPidLock);
    for (i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] == pid)
            benchPids[i] = 0;
    }
    g_mutex_unlock(&benchPidLock);
}

/* Async-signal-safe. */
static void
benchKillAll(void)
{
    size_t i;

    for (i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] > 0)
            kill(benchPids[i], SIGKILL);
        benchPids[i] = 0;
    }
}

/* A fault or an abort: kill what is recorded, then die of the signal. */
static void
benchFatalHandler(int sig)
{
    benchKillAll();
    /* SA_RESETHAND restored the default action: it takes effect when this
     * handler returns (a fault re-faults, the others are pending). */
    raise(sig);
}

/* Ctrl-C and friends: the work is done by benchReaper, in a thread that
 * may wait for a lock. Nothing is blocked anywhere, so every QEMU started
 * inherits a clean signal mask. */
static void
benchTerminationHandler(int sig)
{
    unsigned char c = sig;
    int saved = errno;

    if (write(benchSignalPipe[1], &c, 1) < 0) {
        /* Nobody to hand it to: do what can be done here. */
        benchKillAll();
        _exit(128 + sig);
    }
    errno = saved;
}

static gpointer
benchReaper(gpointer opaque)
{
    unsigned char c;

    while (read(benchSignalPipe[0], &c, 1) < 0 && errno == EINTR)
        ;
    /* Let a start in progress record its pid; keep the lock: nothing
     * starts any more. */
    g_mutex_lock(&benchPidLock);
    benchKillAll();
    signal(c, SIG_DFL);
    raise(c);
    _exit(128 + c);
}

static int
benchInstallCleanup(void)
{
    static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
    static const int term[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    struct sigaction sa;
    size_t i;

    if (pipe2(benchSignalPipe, O_CLOEXEC) < 0) {
        g_printerr("blockpullbench: cannot create a pipe: %s\n", g_strerror(errno));
        return -1;
    }
    g_thread_unref(g_thread_new("bench-reaper", benchReaper, NULL));

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = benchFatalHandler;
    sa.sa_flags = SA_RESETHAND;
    for (i = 0; i < G_N_ELEMENTS(fatal); i++)
        sigaction(fatal[i], &sa, NULL);
    sa.sa_handler = benchTerminationHandler;
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < G_N_ELEMENTS(term); i++)
        sigaction(term[i], &sa, NULL);
    atexit(benchKillAll);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* Wait up to @timeoutMs for @pid to exit, then kill it; reaps it. */
static void
benchReap(pid_t pid, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;
    int status;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        g_usleep(5 * 1000);
    }
    benchPidRemove(pid);
}

/* ------------------------------------------------------------------ */
/* (b) raw QMP: our own QEMU, the project's monitor library              */
/* ------------------------------------------------------------------ */

typedef struct {
    GMutex lock;
    GCond cond;
    bool done;
    char *error;                /* the job's error, if it failed */
    gint64 arrivalMono;         /* ns, when our callback saw the event */
    gint64 arrivalReal;         /* ns, the same instant on CLOCK_REALTIME */
    long long qemuSeconds;      /* QEMU's timestamp of the event */
    unsigned int qemuMicros;
    bool eof;
    gint64 eofMono;             /* ns, when our callback saw end of file */
    /* The event being delivered: the monitor tells every event's arrival
     * and timestamp first, then its typed callback. */
    gint64 lastMono;
    gint64 lastReal;
    long long lastSeconds;
    unsigned int lastMicros;
} BenchRawJob;

/* What one raw run measured. */
typedef struct {
    double wall;                /* s, block-stream to BLOCK_JOB_COMPLETED */
    double eventMs;             /* QEMU's event timestamp to our callback */
    double eofMs;               /* SIGKILL of QEMU to the monitor's EOF */
} BenchRawResult;

static void
benchRawEvent(qemuMonitor *mon, const char *name, long long seconds,
              unsigned int micros, void *opaque)
{
    /* First thing: what is measured is the arrival here. */
    gint64 mono = benchNow(CLOCK_MONOTONIC);
    gint64 real = benchNow(CLOCK_REALTIME);
    BenchRawJob *job = opaque;

    g_mutex_lock(&job->lock);
    job->lastMono = mono;
    job->lastReal = real;
    job->lastSeconds = seconds;
    job->lastMicros = micros;
    g_mutex_unlock(&job->lock);
}

static void
benchRawBlockJob(qemuMonitor *mon, const char *jobid, const char *type,
                 qemuMonitorBlockJobEvent event, unsigned long long offset,
                 unsigned long long len, unsigned long long speed,
                 const char *error, void *opaque)
{
    BenchRawJob *job = opaque;

    if (event != QEMU_MONITOR_BLOCK_JOB_EVENT_COMPLETED ||
        strcmp(jobid, BENCH_JOB_ID) != 0)
        return;

    g_mutex_lock(&job->lock);
    job->arrivalMono = job->lastMono;
    job->arrivalReal = job->lastReal;
    job->qemuSeconds = job->lastSeconds;
    job->qemuMicros = job->lastMicros;
    job->error = g_strdup(error);
    job->done = true;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
}

static void
benchRawEOF(qemuMonitor *mon, bool error, void *opaque)
{
    gint64 mono = benchNow(CLOCK_MONOTONIC);
    BenchRawJob *job = opaque;

    g_mutex_lock(&job->lock);
    job->eof = true;
    job->eofMono = mono;
    g_cond_signal(&job->cond);
    /* Wake the waiter: QEMU went away before the job ended. */
    if (!job->done) {
        job->error = g_strdup(error ? "monitor I/O error" : "QEMU exited");
        job->done = true;
        g_cond_signal(&job->cond);
    }
    g_mutex_unlock(&job->lock);
}

static json_object *
benchFileNode(const char *name, const char *path)
{
    json_object *node = json_object_new_object();

    json_object_object_add(node, "driver", json_object_new_string("file"));
    json_object_object_add(node, "filename", json_object_new_string(path));
    json_object_object_add(node, "node-name", json_object_new_string(name));
    json_object_object_add(node, "auto-read-only", json_object_new_boolean(true));
    json_object_object_add(node, "discard", json_object_new_string("unmap"));
    return node;
}

static json_object *
benchFormatNode(const char *name, const char *driver, const char *file,
                bool readonly, bool qcow2, const char *backing)
{
    json_object *node = json_object_new_object();

    json_object_object_add(node, "node-name", json_object_new_string(name));
    json_object_object_add(node, "read-only", json_object_new_boolean(readonly));
    json_object_object_add(node, "driver", json_object_new_string(driver));
    json_object_object_add(node, "file", json_object_new_string(file));
    /* Spelled out, as the driver does: QEMU opens nothing on its own. */
    if (qcow2)
        json_object_object_add(node, "backing",
                               backing ? json_object_new_string(backing) : NULL);
    return node;
}

static void
benchArgJSON(GPtrArray *argv, const char *opt, json_object *obj)
{
    g_ptr_array_add(argv, g_strdup(opt));
    g_ptr_array_add(argv, g_strdup(json_object_to_json_string_ext(obj,
                                                   JSON_C_TO_STRING_PLAIN)));
    json_object_put(obj);
}

/* The argv the driver would build for the same chain (see qemu_command.c),
 * with a QMP socket QEMU creates itself. */
static char **
benchRawArgv(const char *base, const char *top, const char *sock)
{
    GPtrArray *argv = g_ptr_array_new();
    json_object *dev = json_object_new_object();
    const char *fixed[] = {
        QEMU_SYSTEM_PATH, "-name", "guest=rawpull,debug-threads=on", "-S",
        "-machine", "pc", "-accel", "tcg", "-m", "size=65536k", "-smp", "1",
        "-display", "none", "-no-user-config", "-nodefaults",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,id=charmonitor,path=%s,"
                                          "server=on,wait=off", sock));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=charmonitor,id=monitor,mode=control"));
    g_ptr_array_add(argv, g_strdup("-boot"));
    g_ptr_array_add(argv, g_strdup("strict=on"));

    benchArgJSON(argv, "-blockdev", benchFileNode("base-storage", base));
    benchArgJSON(argv, "-blockdev", benchFormatNode("base-format", "raw",
                                                    "base-storage", true,
                                                    false, NULL));
    benchArgJSON(argv, "-blockdev", benchFileNode("top-storage", top));
    benchArgJSON(argv, "-blockdev", benchFormatNode(BENCH_TOP_NODE, "qcow2",
                                                    "top-storage", false,
                                                    true, "base-format"));
    json_object_object_add(dev, "driver", json_object_new_string("virtio-blk-pci"));
    json_object_object_add(dev, "drive", json_object_new_string(BENCH_TOP_NODE));
    json_object_object_add(dev, "id", json_object_new_string("virtio-disk0"));
    benchArgJSON(argv, "-device", dev);

    g_ptr_array_add(argv, g_strdup("-msg"));
    g_ptr_array_add(argv, g_strdup("timestamp=on"));
    g_ptr_array_add(argv, NULL);
    return (char **) g_ptr_array_free(argv, FALSE);
}

/* Wait until *@flag (under job->lock) or @deadline (monotonic, us). */
static bool
benchRawWait(BenchRawJob *job, bool *flag, gint64 deadline)
{
    bool ret;

    g_mutex_lock(&job->lock);
    while (!*flag) {
        if (!g_cond_wait_until(&job->cond, &job->lock, deadline))
            break;
    }
    ret = *flag;
    g_mutex_unlock(&job->lock);
    return ret;
}

/*
 * One raw run: start QEMU on the chain in @dir, cont, block-stream, wait
 * for BLOCK_JOB_COMPLETED, then SIGKILL QEMU and wait for the monitor's
 * end of file. @version gets QEMU's version string.
 */
static int
benchRawRun(virEventThread *evt, const char *dir, const char *base,
            const char *top, BenchRawResult *res, char **version)
{
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *logPath = g_build_filename(dir, "qemu.log", NULL);
    g_auto(GStrv) argv = benchRawArgv(base, top, sock);
    g_autoptr(GError) err = NULL;
    qemuMonitorCallbacks cb = {
        .domainEvent = benchRawEvent,
        .blockJob = benchRawBlockJob,
        .eof = benchRawEOF,
    };
    qemuMonitor *mon = NULL;
    BenchRawJob job = { 0 };
    gint64 t0;
    gint64 deadline;
    GPid pid = 0;
    int logfd;
    int ret = -1;

    g_mutex_init(&job.lock);
    g_cond_init(&job.cond);

    if ((logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        g_printerr("blockpullbench: cannot create '%s': %s\n",
                   logPath, g_strerror(errno));
        goto cleanup;
    }
    g_mutex_lock(&benchPidLock);
    if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, -1, logfd, logfd, &err)) {
        g_mutex_unlock(&benchPidLock);
        close(logfd);
        g_printerr("blockpullbench: cannot start QEMU: %s\n", err->message);
        goto cleanup;
    }
    benchPidAdd(pid);
    g_mutex_unlock(&benchPidLock);
    close(logfd);

    if (!(mon = qemuMonitorOpen(sock, virEventThreadGetContext(evt), &cb, &job,
                                BENCH_QEMU_START_TIMEOUT_MS))) {
        g_printerr("blockpullbench: raw QMP: %s (see '%s')\n",
                   virGetLastErrorMessage(), logPath);
        goto cleanup;
    }
    if (version && !*version) {
        unsigned int major, minor, micro;

        qemuMonitorGetVersion(mon, &major, &minor, &micro);
        *version = g_strdup_printf("%u.%u.%u", major, minor, micro);
    }
    if (qemuMonitorCont(mon) < 0) {
        g_printerr("blockpullbench: raw QMP cont: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }

    t0 = benchNow(CLOCK_MONOTONIC);
    if (qemuMonitorBlockStream(mon, BENCH_JOB_ID, BENCH_TOP_NODE, NULL, NULL, 0,
                               true, true) < 0) {
        g_printerr("blockpullbench: raw QMP block-stream: %s\n",
                   virGetLastErrorMessage());
        goto cleanup;
    }

    deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    if (!benchRawWait(&job, &job.done, deadline)) {
        g_printerr("blockpullbench: raw QMP: no BLOCK_JOB_COMPLETED within %d s\n",
                   BENCH_EVENT_TIMEOUT_S);
        goto cleanup;
    }
    if (job.error) {
        g_printerr("blockpullbench: raw QMP: the pull failed: %s\n", job.error);
        goto cleanup;
    }

    g_mutex_lock(&job.lock);
    res->wall = (job.arrivalMono - t0) / 1e9;
    res->eventMs = (job.arrivalReal -
                    (job.qemuSeconds * G_GINT64_CONSTANT(1000000000) +
                     (gint64) job.qemuMicros * 1000)) / 1e6;
    g_mutex_unlock(&job.lock);

    /* The same death the libvirt-bp run measures, seen by a bare monitor. */
    t0 = benchNow(CLOCK_MONOTONIC);
    if (kill(pid, SIGKILL) < 0) {
        g_printerr("blockpullbench: cannot kill QEMU %d: %s\n",
                   (int) pid, g_strerror(errno));
        goto cleanup;
    }
    deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    if (!benchRawWait(&job, &job.eof, deadline)) {
        g_printerr("blockpullbench: raw QMP: no end of file within %d s "
                   "after QEMU was killed\n", BENCH_EVENT_TIMEOUT_S);
        goto cleanup;
    }
    g_mutex_lock(&job.lock);
    res->eofMs = (job.eofMono - t0) / 1e6;
    g_mutex_unlock(&job.lock);
    ret = 0;

 cleanup:
    if (mon) {
        if (qemuMonitorIsAlive(mon))
            qemuMonitorQuit(mon);
        qemuMonitorClose(mon);
    }
    if (pid > 0)
        benchReap(pid, mon ? BENCH_QEMU_EXIT_TIMEOUT_MS : 0);
    g_free(job.error);
    g_cond_clear(&job.cond);
    g_mutex_clear(&job.lock);
    return ret;
}

/* ------------------------------------------------------------------ */
/* (a) libvirt-bp: public API only                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    GMutex lock;
    GCond cond;
    bool pullDone;
    int pullStatus;
    gint64 pullMono;            /* ns, the COMPLETED callback */
    bool stopped;
    gint64 stoppedMono;         /* ns, the STOPPED callback */
} BenchLibState;

static BenchLibState benchLib;
static gint benchLoopQuit;

static void
benchLibPullEvent(virConnectPtr conn, virDomainPtr dom, const char *path,
                  int status, void *opaque)
{
    gint64 now = benchNow(CLOCK_MONOTONIC);
    BenchLibState *st = opaque;

    g_mutex_lock(&st->lock);
    st->pullDone = true;
    st->pullStatus = status;
    st->pullMono = now;
    g_cond_signal(&st->cond);
    g_mutex_unlock(&st->lock);
}

static int
benchLibLifecycleEvent(virConnectPtr conn, virDomainPtr dom, int event,
                       int detail, void *opaque)
{
    gint64 now = benchNow(CLOCK_MONOTONIC);
    BenchLibState *st = opaque;

    if (event != VIR_DOMAIN_EVENT_STOPPED)
        return 0;
    g_mutex_lock(&st->lock);
    st->stopped = true;
    st->stoppedMono = now;
    g_cond_signal(&st->cond);
    g_mutex_unlock(&st->lock);
    return 0;
}

static gpointer
benchLoopRun(gpointer opaque)
{
    while (!g_atomic_int_get(&benchLoopQuit)) {
        if (virEventRunDefaultImpl() < 0) {
            g_printerr("blockpullbench: event loop: %s\n",
                       virGetLastErrorMessage());
            break;
        }
    }
    return NULL;
}

static void
benchLoopWake(int timer, void *opaque)
{
}

/* Wait until *@flag (under st->lock) or the timeout; returns *@flag. */
static bool
benchLibWait(BenchLibState *st, bool *flag)
{
    gint64 deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    bool ret;

    g_mutex_lock(&st->lock);
    while (!*flag) {
        if (!g_cond_wait_until(&st->cond, &st->lock, deadline))
            break;
    }
    ret = *flag;
    g_mutex_unlock(&st->lock);
    return ret;
}

/* The QEMU pid the driver recorded, so that a signal can kill it too. */
static pid_t
benchLibDomainPid(const char *root)
{
    g_autofree char *path = g_build_filename(root, "run", "qemu",
                                             BENCH_DOMAIN_NAME ".pid", NULL);
    g_autofree char *text = NULL;
    long long pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(text, NULL, 10);
    return pid > 0 && pid <= G_MAXINT ? (pid_t) pid : 0;
}

/* What one libvirt-bp run measured. */
typedef struct {
    double wall;                /* s, virDomainBlockPullAll() to COMPLETED */
    double destroyMs;           /* virDomainDestroy() returned to STOPPED */
    double killMs;              /* SIGKILL of QEMU to STOPPED */
} BenchLibResult;

/* Start the transient domain on @top; records its QEMU pid in @pid. */
static virDomainPtr
benchLibStart(virConnectPtr conn, const char *root, const char *top, pid_t *pid)
{
    BenchLibState *st = &benchLib;
    g_autofree char *xml = NULL;
    virDomainPtr dom;

    xml = g_strdup_printf("<domain type='qemu'>\n"
                          "  <name>" BENCH_DOMAIN_NAME "</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                          "  <devices>\n"
                          "    <disk type='file' device='disk'>\n"
                          "      <driver name='qemu' type='qcow2'/>\n"
                          "      <source file='%s'/>\n"
                          "      <target dev='vda' bus='virtio'/>\n"
                          "    </disk>\n"
                          "  </devices>\n"
                          "</domain>\n", top);

    /* Every STOPPED of an earlier domain was waited for: what sets these
     * from now on is this domain's. */
    g_mutex_lock(&st->lock);
    st->pullDone = st->stopped = false;
    g_mutex_unlock(&st->lock);

    g_mutex_lock(&benchPidLock);
    if (!(dom = virDomainCreateXML(conn, xml, 0))) {
        g_mutex_unlock(&benchPidLock);
        g_printerr("blockpullbench: libvirt-bp start: %s\n", virGetLastErrorMessage());
        return NULL;
    }
    if ((*pid = benchLibDomainPid(root)) > 0)
        benchPidAdd(*pid);
    g_mutex_unlock(&benchPidLock);
    return dom;
}

/* Destroy @dom if it still runs and wait for its STOPPED; frees @dom. */
static void
benchLibDispose(virDomainPtr dom, pid_t pid)
{
    if (!dom)
        return;
    if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) == 0)
        benchLibWait(&benchLib, &benchLib.stopped);
    if (pid > 0)
        benchPidRemove(pid);
    virDomainFree(dom);
}

/*
 * One libvirt-bp run on the chain (@top over its base): start a transient
 * domain, pull, wait for COMPLETED; SIGKILL its QEMU (as the raw run does
 * to a QEMU that has just pulled too), wait for STOPPED; then start it
 * again on the pulled overlay, destroy it, wait for STOPPED.
 */
static int
benchLibRun(virConnectPtr conn, const char *root, const char *top,
            BenchLibResult *res)
{
    BenchLibState *st = &benchLib;
    virDomainPtr dom = NULL;
    pid_t pid = 0;
    gint64 t0;
    gint64 tEnd;
    int status;
    int ret = -1;

    if (!(dom = benchLibStart(conn, root, top, &pid)))
        return -1;
    if (pid <= 0) {
        g_printerr("blockpullbench: libvirt-bp: no pid file for '%s'\n",
                   BENCH_DOMAIN_NAME);
        goto cleanup;
    }

    t0 = benchNow(CLOCK_MONOTONIC);
    if (virDomainBlockPullAll(dom, "vda", 0) < 0) {
        g_printerr("blockpullbench: libvirt-bp pull: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    if (!benchLibWait(st, &st->pullDone)) {
        g_printerr("blockpullbench: libvirt-bp: no block pull event within %d s\n",
                   BENCH_EVENT_TIMEOUT_S);
        goto cleanup;
    }
    g_mutex_lock(&st->lock);
    status = st->pullStatus;
    tEnd = st->pullMono;
    g_mutex_unlock(&st->lock);
    if (status != VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        g_printerr("blockpullbench: libvirt-bp: the pull ended with status %d "
                   "(see '%s/log/qemu/" BENCH_DOMAIN_NAME ".log')\n",
                   status, root);
        goto cleanup;
    }
    res->wall = (tEnd - t0) / 1e9;

    /* A QEMU that dies: its monitor's end of file goes through the
     * driver's stop handling to the application's callback. */
    t0 = benchNow(CLOCK_MONOTONIC);
    if (kill(pid, SIGKILL) < 0) {
        g_printerr("blockpullbench: cannot kill QEMU %d: %s\n",
                   (int) pid, g_strerror(errno));
        goto cleanup;
    }
    if (!benchLibWait(st, &st->stopped)) {
        g_printerr("blockpullbench: libvirt-bp: no STOPPED event within %d s "
                   "after QEMU was killed\n", BENCH_EVENT_TIMEOUT_S);
        goto cleanup;
    }
    g_mutex_lock(&st->lock);
    res->killMs = (st->stoppedMono - t0) / 1e6;
    g_mutex_unlock(&st->lock);
    benchLibDispose(g_steal_pointer(&dom), pid);

    /* The library's own part alone: destroy queues STOPPED just before it
     * returns. */
    if (!(dom = benchLibStart(conn, root, top, &pid)))
        goto cleanup;
    if (virDomainDestroy(dom) < 0) {
        g_printerr("blockpullbench: libvirt-bp destroy: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    t0 = benchNow(CLOCK_MONOTONIC);
    if (!benchLibWait(st, &st->stopped)) {
        g_printerr("blockpullbench: libvirt-bp: no STOPPED event within %d s\n",
                   BENCH_EVENT_TIMEOUT_S);
        goto cleanup;
    }
    g_mutex_lock(&st->lock);
    res->destroyMs = (st->stoppedMono - t0) / 1e6;
    g_mutex_unlock(&st->lock);
    ret = 0;

 cleanup:
    benchLibDispose(dom, pid);
    return ret;
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

/* The table's columns; docs/benchmarks.md explains each. */
static const char *const benchColumns[] = {
    "size_MiB", "runs", "raw_qmp_s", "libvirt_bp_s", "overhead_%",
    "overhead_ms", "qemu->monitor_event_ms", "kill->monitor_eof_ms",
    "kill->callback_ms", "destroy->callback_ms",
};

static int
benchColumnWidth(size_t i)
{
    return (int) strlen(benchColumns[i]);
}

static void
benchPrintHeader(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(benchColumns); i++)
        printf("%s%s", i ? "  " : "", benchColumns[i]);
    printf("\n");
}

static int
benchParseSizes(const char *text, GArray *sizes)
{
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);
    size_t i;

    for (i = 0; parts[i]; i++) {
        guint64 v;
        unsigned int size;

        if (!g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, 1, 65536,
                                        &v, NULL)) {
            g_printerr("blockpullbench: invalid size '%s' (MiB, 1 to 65536)\n",
                       parts[i]);
            return -1;
        }
        size = v;
        g_array_append_val(sizes, size);
    }
    if (sizes->len == 0) {
        g_printerr("blockpullbench: no sizes given\n");
        return -1;
    }
    return 0;
}

/* The fastest run of each kind, for one size. */
typedef struct {
    unsigned int sizeMiB;
    double raw;                 /* s */
    double lib;                 /* s */
} BenchBest;

/* One size: @runs runs of each kind, alternating; prints the table row. */
static int
benchSize(virConnectPtr conn, virEventThread *evt, const char *work,
          const char *root, unsigned int sizeMiB, int runs, char **version,
          BenchBest *best)
{
    g_autofree double *raw = g_new0(double, runs);
    g_autofree double *lib = g_new0(double, runs);
    g_autofree double *event = g_new0(double, runs);
    g_autofree double *eofMs = g_new0(double, runs);
    g_autofree double *destroyMs = g_new0(double, runs);
    g_autofree double *killMs = g_new0(double, runs);
    g_autofree char *dir = g_build_filename(work, "img", NULL);
    g_autofree char *base = g_build_filename(dir, "base.raw", NULL);
    g_autofree char *top = g_build_filename(dir, "top.qcow2", NULL);
    double rawMed, libMed;
    int r;

    for (r = 0; r < runs; r++) {
        int k;

        for (k = 0; k < 2; k++) {
            /* run r: raw first when r is even, libvirt-bp first when odd */
            bool doRaw = (k == 0) == (r % 2 == 0);
            BenchLibResult res = { 0 };
            BenchRawResult rawRes = { 0 };
            int rc;

            if (g_mkdir_with_parents(dir, 0755) < 0 || chmod(dir, 0755) < 0) {
                g_printerr("blockpullbench: cannot create '%s': %s\n",
                           dir, g_strerror(errno));
                return -1;
            }
            if (benchMakeChain(base, top, sizeMiB) < 0)
                return -1;
            if (doRaw)
                rc = benchRawRun(evt, dir, base, top, &rawRes, version);
            else
                rc = benchLibRun(conn, root, top, &res);
            if (rc < 0) {
                g_printerr("blockpullbench: the files are kept in '%s'\n", dir);
                return -1;
            }
            if (doRaw) {
                raw[r] = rawRes.wall;
                event[r] = rawRes.eventMs;
                eofMs[r] = rawRes.eofMs;
            } else {
                lib[r] = res.wall;
                destroyMs[r] = res.destroyMs;
                killMs[r] = res.killMs;
            }
            benchRemoveTree(dir);
        }
        g_printerr("# %u MiB run %d/%d: raw %.3f s (event %.3f ms, kill->eof "
                   "%.3f ms), libvirt-bp %.3f s (kill->callback %.3f ms, "
                   "destroy->callback %.3f ms)\n",
                   sizeMiB, r + 1, runs, raw[r], event[r], eofMs[r], lib[r],
                   killMs[r], destroyMs[r]);
    }

    rawMed = benchMedian(raw, runs);
    libMed = benchMedian(lib, runs);
    /* sorted by benchMedian */
    best->sizeMiB = sizeMiB;
    best->raw = raw[0];
    best->lib = lib[0];
    printf("%*u  %*d  %*.3f  %*.3f  %*.1f  %*.1f  %*.3f  %*.3f  %*.3f  %*.3f\n",
           benchColumnWidth(0), sizeMiB,
           benchColumnWidth(1), runs,
           benchColumnWidth(2), rawMed,
           benchColumnWidth(3), libMed,
           benchColumnWidth(4), (libMed - rawMed) / rawMed * 100,
           benchColumnWidth(5), (libMed - rawMed) * 1000,
           benchColumnWidth(6), benchMedian(event, runs),
           benchColumnWidth(7), benchMedian(eofMs, runs),
           benchColumnWidth(8), benchMedian(killMs, runs),
           benchColumnWidth(9), benchMedian(destroyMs, runs));
    fflush(stdout);
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *sizesOpt = NULL;
    g_autofree char *dirOpt = NULL;
    g_autofree char *work = NULL;
    g_autofree char *root = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *version = NULL;
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    g_autoptr(GArray) bests = g_array_new(FALSE, FALSE, sizeof(BenchBest));
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    int runs = BENCH_DEFAULT_RUNS;
    GOptionEntry entries[] = {
        { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizesOpt,
          "comma-separated base image sizes in MiB (default " BENCH_DEFAULT_SIZES ")",
          "S1,S2,..." },
        { "runs", 0, 0, G_OPTION_ARG_INT, &runs,
          "runs of each kind per size; the table shows medians (default 3)", "N" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dirOpt,
          "where to make the temporary directory (default: $TMPDIR or /tmp)", "DIR" },
        { NULL }
    };
    virEventThread *evt = NULL;
    virConnectPtr conn = NULL;
    GThread *loop = NULL;
    int pullCb = -1;
    int lifecycleCb = -1;
    int wakeTimer;
    guint i;
    int ret = 1;

    /* The prefix of the shared helpers' messages (bench/benchutil.c). */
    g_set_prgname("blockpullbench");
    ctx = g_option_context_new("- block pull: libvirt-bp against raw QMP");
    g_option_context_set_summary(ctx,
        "Prints a table of medians. Starts QEMU; run as root, the driver's DAC "
        "labelling is part of what is measured.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_printerr("blockpullbench: %s\n", err->message);
        return 2;
    }
    if (argc > 1) {
        g_printerr("blockpullbench: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    if (runs < 1 || runs > 1000) {
        g_printerr("blockpullbench: invalid number of runs '%d'\n", runs);
        return 2;
    }
    if (benchParseSizes(sizesOpt ? sizesOpt : BENCH_DEFAULT_SIZES, sizes) < 0)
        return 2;

    if (benchInstallCleanup() < 0)
        return 1;

    if (dirOpt) {
        g_autofree char *tmpl = g_build_filename(dirOpt, "blockpullbench-XXXXXX", NULL);

        if (!(work = g_mkdtemp(g_steal_pointer(&tmpl)))) {
            g_printerr("blockpullbench: cannot create a directory in '%s': %s\n",
                       dirOpt, g_strerror(errno));
            return 1;
        }
    } else if (!(work = g_dir_make_tmp("blockpullbench-XXXXXX", &err))) {
        g_printerr("blockpullbench: %s\n", err->message);
        return 1;
    }
    /* QEMU runs as an unprivileged user under the driver: it must reach
     * the images. */
    chmod(work, 0755);
    root = g_build_filename(work, "root", NULL);
    uri = g_strdup_printf("qemu:///embed?root=%s", root);

    evt = virEventThreadNew("bench-qmp");
    if (virEventRegisterDefaultImpl() < 0) {
        g_printerr("blockpullbench: event loop: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    g_mutex_init(&benchLib.lock);
    g_cond_init(&benchLib.cond);
    loop = g_thread_new("bench-loop", benchLoopRun, NULL);

    if (!(conn = virConnectOpen(uri))) {
        g_printerr("blockpullbench: open '%s': %s\n", uri, virGetLastErrorMessage());
        goto cleanup;
    }
    pullCb = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
        VIR_DOMAIN_EVENT_CALLBACK(benchLibPullEvent), &benchLib, NULL);
    lifecycleCb = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(benchLibLifecycleEvent), &benchLib, NULL);
    if (pullCb < 0 || lifecycleCb < 0) {
        g_printerr("blockpullbench: register callbacks: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }

    printf("# blockpullbench: %u CPUs, QEMU TCG, %d runs of each kind per size, "
           "in '%s'\n", g_get_num_processors(), runs, work);
    printf("# medians of %d runs\n", runs);
    benchPrintHeader();
    fflush(stdout);
    for (i = 0; i < sizes->len; i++) {
        BenchBest best;

        if (benchSize(conn, evt, work, root, g_array_index(sizes, unsigned int, i),
                      runs, &version, &best) < 0)
            goto cleanup;
        g_array_append_val(bests, best);
    }

    /* On a busy host the runs fall into a fast and a slow mode, and a
     * median can straddle them: the best run of each kind is the least
     * disturbed estimate of the pull's own cost. */
    printf("# best of %d runs\n", runs);
    printf("size_MiB  raw_qmp_best_s  libvirt_bp_best_s  overhead_best_%%  "
           "overhead_best_ms\n");
    for (i = 0; i < bests->len; i++) {
        BenchBest *b = &g_array_index(bests, BenchBest, i);

        printf("%8u  %14.3f  %17.3f  %15.1f  %16.1f\n", b->sizeMiB, b->raw,
               b->lib, (b->lib - b->raw) / b->raw * 100, (b->lib - b->raw) * 1000);
    }
    printf("# QEMU %s\n", version ? version : "?");
    ret = 0;

 cleanup:
    if (conn) {
        if (pullCb >= 0)
            virConnectDomainEventDeregisterAny(conn, pullCb);
        if (lifecycleCb >= 0)
            virConnectDomainEventDeregisterAny(conn, lifecycleCb);
        virConnectClose(conn);
    }
    if (loop) {
        g_atomic_int_set(&benchLoopQuit, 1);
        /* Wake the loop so that it sees the flag. */
        wakeTimer = virEventAddTimeout(0, benchLoopWake, NULL, NULL);
        g_thread_join(loop);
        if (wakeTimer > 0)
            virEventRemoveTimeout(wakeTimer);
    }
    virEventThreadFree(evt);
    benchKillAll();
    if (ret == 0)
        benchRemoveTree(work);
    else
        g_printerr("blockpullbench: the logs are kept in '%s'\n", work);
    return ret;
}

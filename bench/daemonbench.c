/* daemonbench.c: the daemon (libvirtd over its unix socket) beside the embedded driver. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "libvirt/libvirt.h"
#include "benchutil.h"
#include "libvirt/libvirt-qemu.h"

/*
 * Public API only. One temporary directory holds two QEMU roots: R1,
 * opened in this process as qemu:///embed?root=R1, and R2, the qemu_root
 * of a libvirtd started from the build tree and reached as
 * qemu+unix:///system?socket=PATH. Every figure is measured the same way
 * on both connections; docs/benchmarks.md explains each row.
 *
 * QEMU's own job time comes from QEMU's clock: before each pull the
 * domain's QEMU is told (virDomainQemuMonitorCommand, trace-event-set-state)
 * to trace job_state_transition; with -msg timestamp=on, which the driver
 * always passes, each transition is written to the domain's log with
 * QEMU's wall-clock timestamp, the same instants QEMU stamps on its
 * JOB_STATUS_CHANGE events. The job time is created to pending: the copy
 * done, waiting for the driver to finalize it. The event latency is from
 * the transition to concluded (QEMU emits BLOCK_JOB_COMPLETED just before
 * it, when the driver's job-finalize ends the job) to the application's
 * COMPLETED callback, read on the same clock (g_get_real_time(), as
 * QEMU's gettimeofday()).
 */

#define BENCH_DEFAULT_RUNS 5
#define BENCH_DEFAULT_DOMAINS 50
#define BENCH_DEFAULT_INFO_SECONDS 2
#define BENCH_CPU_SECONDS 5
#define BENCH_CLIENTS 8
#define BENCH_IMAGE_MIB 16
#define BENCH_EVENT_TIMEOUT_S 120
#define BENCH_DAEMON_START_MS 30000
#define BENCH_DAEMON_STOP_MS 15000
#define BENCH_MAX_PIDS 512

typedef enum {
    BENCH_EMBED,
    BENCH_DAEMON,
    BENCH_KINDS
} BenchKind;

static const char *const benchKindName[BENCH_KINDS] = { "embed", "daemon" };

/* ------------------------------------------------------------------ */
/* Every process we started dies with us                                */
/* ------------------------------------------------------------------ */

/* pid_t fits in an int; 0 is a free slot. QEMU pids are recorded as soon
 * as the driver has written them; the daemon's as soon as it is forked. */
static volatile sig_atomic_t benchPids[BENCH_MAX_PIDS];
static volatile sig_atomic_t benchDaemonPid;
static GMutex benchPidLock;
static int benchSignalPipe[2] = { -1, -1 };
static char *benchRoots[BENCH_KINDS];
static char *benchDaemonPidFile;

static void
benchPidAdd(pid_t pid)
{
    g_mutex_lock(&benchPidLock);
    for (size_t i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] == pid || benchPids[i] == 0) {
            benchPids[i] = pid;
            g_mutex_unlock(&benchPidLock);
            return;
        }
    }
    g_mutex_unlock(&benchPidLock);
    kill(pid, SIGKILL);
    g_printerr("daemonbench: too many QEMU processes to track: killed %d\n", (int) pid);
}

/* Async-signal-safe: the last resort of a crash. */
static void
benchKillRecorded(void)
{
    for (size_t i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] > 0)
            kill(benchPids[i], SIGKILL);
    }
    if (benchDaemonPid > 0)
        kill(benchDaemonPid, SIGKILL);
}

/* The pid written in @path, 0 if none. */
static pid_t
benchReadPid(const char *path)
{
    g_autofree char *text = NULL;
    long long pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(text, NULL, 10);
    return pid > 0 && pid <= G_MAXINT ? (pid_t) pid : 0;
}

/* Kill whatever QEMU the driver of @root has a pid file for. */
static void
benchKillRootQemus(const char *root)
{
    g_autofree char *dir = NULL;
    DIR *d;
    struct dirent *ent;

    if (!root)
        return;
    dir = g_build_filename(root, "run", "qemu", NULL);
    if (!(d = opendir(dir)))
        return;
    while ((ent = readdir(d))) {
        g_autofree char *path = NULL;
        pid_t pid;

        if (!g_str_has_suffix(ent->d_name, ".pid"))
            continue;
        path = g_build_filename(dir, ent->d_name, NULL);
        if ((pid = benchReadPid(path)) > 0 && kill(pid, SIGKILL) == 0)
            g_printerr("daemonbench: killed QEMU %d left by '%s'\n", (int) pid, path);
    }
    closedir(d);
}

/* Wait up to @ms for our child @pid; returns true if it was reaped. */
static bool
benchWaitChild(pid_t pid, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) ms * 1000;
    int status;

    while (g_get_monotonic_time() < deadline) {
        pid_t rc = waitpid(pid, &status, WNOHANG);

        if (rc == pid || (rc < 0 && errno == ECHILD))
            return true;
        g_usleep(10 * 1000);
    }
    return false;
}

/* Stop the daemon (SIGTERM, then SIGKILL), then every QEMU either root
 * still has: the daemon leaves its QEMUs running when it stops. */
static void
benchStopAll(void)
{
    pid_t pid = benchDaemonPid;
    pid_t filePid = benchDaemonPidFile ? benchReadPid(benchDaemonPidFile) : 0;

    if (pid > 0) {
        if (filePid > 0 && filePid != pid)
            g_printerr("daemonbench: the pid file names %d, not our daemon %d\n",
                       (int) filePid, (int) pid);
        kill(pid, SIGTERM);
        if (!benchWaitChild(pid, BENCH_DAEMON_STOP_MS)) {
            g_printerr("daemonbench: libvirtd %d ignored SIGTERM: SIGKILL\n", (int) pid);
            kill(pid, SIGKILL);
            benchWaitChild(pid, BENCH_DAEMON_STOP_MS);
        }
        benchDaemonPid = 0;
    }
    for (size_t i = 0; i < BENCH_KINDS; i++)
        benchKillRootQemus(benchRoots[i]);
    benchKillRecorded();
}

static void
benchFatalHandler(int sig)
{
    benchKillRecorded();
    raise(sig);
}

static void
benchTerminationHandler(int sig)
{
    unsigned char c = sig;
    int saved = errno;

    if (write(benchSignalPipe[1], &c, 1) < 0) {
        benchKillRecorded();
        _exit(128 + sig);
    }
    errno = saved;
}

static gpointer
benchReaper(gpointer opaque G_GNUC_UNUSED)
{
    unsigned char c;

    while (read(benchSignalPipe[0], &c, 1) < 0 && errno == EINTR)
        ;
    g_printerr("daemonbench: signal %d: stopping the daemon and every QEMU\n", c);
    benchStopAll();
    _exit(128 + c);
}

static int
benchInstallCleanup(void)
{
    static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
    static const int term[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    struct sigaction sa;

    if (pipe2(benchSignalPipe, O_CLOEXEC) < 0) {
        g_printerr("daemonbench: cannot create a pipe: %s\n", g_strerror(errno));
        return -1;
    }
    g_thread_unref(g_thread_new("bench-reaper", benchReaper, NULL));
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = benchFatalHandler;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++)
        sigaction(fatal[i], &sa, NULL);
    sa.sa_handler = benchTerminationHandler;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < G_N_ELEMENTS(term); i++)
        sigaction(term[i], &sa, NULL);
    atexit(benchStopAll);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* A chain of BENCH_IMAGE_MIB MiB, @name.raw under @name.qcow2 in @dir. */
static int
benchMakeDirChain(const char *dir, const char *name, char **topOut)
{
    g_autofree char *base = g_strdup_printf("%s/%s.raw", dir, name);
    g_autofree char *top = g_strdup_printf("%s/%s.qcow2", dir, name);

    if (g_mkdir_with_parents(dir, 0755) < 0) {
        g_printerr("daemonbench: cannot create '%s': %s\n", dir, g_strerror(errno));
        return -1;
    }
    if (benchMakeChain(base, top, BENCH_IMAGE_MIB) < 0)
        return -1;
    *topOut = g_steal_pointer(&top);
    return 0;
}

/* VmRSS of @pid in KiB, -1 if unknown. */
static long
benchRssKiB(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
    g_autofree char *text = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strstr(text, "\nVmRSS:")))
        return -1;
    return strtol(p + strlen("\nVmRSS:"), NULL, 10);
}

/* utime + stime of @pid, in clock ticks; -1 if unknown. */
static long long
benchCpuTicks(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    const char *p;

    /* The name in parentheses may hold spaces: count fields after it. */
    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return -1;
    f = g_strsplit(p + 2, " ", 0);
    /* fields 3.. follow: state is f[0]; utime is field 14, stime 15 */
    if (g_strv_length(f) < 13)
        return -1;
    return g_ascii_strtoll(f[11], NULL, 10) + g_ascii_strtoll(f[12], NULL, 10);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    GMutex lock;
    GCond cond;
    GHashTable *done;           /* domain name -> gint64 *: COMPLETED at (ns, monotonic) */
    GHashTable *doneReal;       /* domain name -> gint64 *: the same, us since the epoch */
    GHashTable *status;         /* domain name -> GINT_TO_POINTER(status + 1) */
} BenchEvents;

static BenchEvents benchEvents;
static gint benchLoopQuit;

static void
benchPullEvent(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
               const char *path G_GNUC_UNUSED, int status, void *opaque)
{
    gint64 now = benchNow(CLOCK_MONOTONIC);
    gint64 nowReal = g_get_real_time();
    BenchEvents *ev = opaque;
    gint64 *at = g_new(gint64, 1);
    gint64 *atReal = g_new(gint64, 1);

    *at = now;
    *atReal = nowReal;
    g_mutex_lock(&ev->lock);
    g_hash_table_insert(ev->done, g_strdup(virDomainGetName(dom)), at);
    g_hash_table_insert(ev->doneReal, g_strdup(virDomainGetName(dom)), atReal);
    g_hash_table_insert(ev->status, g_strdup(virDomainGetName(dom)),
                        GINT_TO_POINTER(status + 1));
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
}

/* Wait for the end of the pull of @name: its status, -1 on timeout.
 * @at: when the callback ran (ns, monotonic); @atReal: the same instant
 * on the wall clock (us since the epoch, as QEMU's trace timestamps). */
static int
benchWaitPull(const char *name, gint64 *at, gint64 *atReal)
{
    gint64 deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    int status = -1;

    g_mutex_lock(&benchEvents.lock);
    while (!g_hash_table_contains(benchEvents.done, name)) {
        if (!g_cond_wait_until(&benchEvents.cond, &benchEvents.lock, deadline))
            break;
    }
    if (g_hash_table_contains(benchEvents.done, name)) {
        *at = *(gint64 *) g_hash_table_lookup(benchEvents.done, name);
        *atReal = *(gint64 *) g_hash_table_lookup(benchEvents.doneReal, name);
        status = GPOINTER_TO_INT(g_hash_table_lookup(benchEvents.status, name)) - 1;
    }
    g_mutex_unlock(&benchEvents.lock);
    return status;
}

static gpointer
benchLoopRun(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&benchLoopQuit)) {
        if (virEventRunDefaultImpl() < 0)
            break;
    }
    return NULL;
}

static void
benchLoopWake(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

/* ------------------------------------------------------------------ */
/* Domains                                                              */
/* ------------------------------------------------------------------ */

/* Start a transient domain @name, paused (no guest CPU time), with the
 * overlay @top as vda if given; records its QEMU pid. */
static virDomainPtr
benchStart(virConnectPtr conn, const char *root, const char *name, const char *top)
{
    g_autofree char *disk = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *pidFile = NULL;
    virDomainPtr dom;
    pid_t pid;

    if (top)
        disk = g_strdup_printf("    <disk type='file' device='disk'>\n"
                               "      <driver name='qemu' type='qcow2'/>\n"
                               "      <source file='%s'/>\n"
                               "      <target dev='vda' bus='virtio'/>\n"
                               "    </disk>\n", top);
    xml = g_strdup_printf("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                          "  <devices>\n%s  </devices>\n"
                          "</domain>\n", name, disk ? disk : "");
    if (!(dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED))) {
        g_printerr("daemonbench: start '%s': %s\n", name, virGetLastErrorMessage());
        return NULL;
    }
    pidFile = g_strdup_printf("%s/run/qemu/%s.pid", root, name);
    if ((pid = benchReadPid(pidFile)) > 0)
        benchPidAdd(pid);
    return dom;
}

static void
benchDestroy(virDomainPtr dom)
{
    if (!dom)
        return;
    if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0)
        g_printerr("daemonbench: destroy '%s': %s\n", virDomainGetName(dom),
                   virGetLastErrorMessage());
    virDomainFree(dom);
}

static void
benchDestroyAll(GPtrArray *doms)
{
    for (guint i = 0; i < doms->len; i++)
        benchDestroy(g_ptr_array_index(doms, i));
    g_ptr_array_set_size(doms, 0);
}

/* ------------------------------------------------------------------ */
/* Pull overhead                                                        */
/* ------------------------------------------------------------------ */

/* QEMU's time of the transition to @to in the log @text, in ns since the
 * epoch (the last such line); -1 if none. Lines look like
 * "PID@SECONDS.MICROS:job_state_transition job 0x... (ret: 0) attempting
 * allowed transition (created-->running)". */
static gint64
benchTraceTime(const char *text, const char *to)
{
    g_autofree char *needle = g_strdup_printf("-->%s)", to);
    const char *hit = NULL;
    const char *p = text;
    const char *at;
    long long sec;
    long long usec;

    while ((p = strstr(p, needle))) {
        hit = p;
        p++;
    }
    if (!hit)
        return -1;
    while (hit > text && hit[-1] != '\n')
        hit--;
    if (!(at = strchr(hit, '@')) ||
        sscanf(at + 1, "%lld.%lld:", &sec, &usec) != 2)
        return -1;
    return sec * G_GINT64_CONSTANT(1000000000) + usec * 1000;
}

/*
 * One pull on a fresh chain: start a paused domain, turn on QEMU's job
 * trace, call virDomainBlockRebase(), wait for the BLOCK_PULL COMPLETED
 * callback. Returns the wall time, QEMU's job time (created to
 * pending) and the event latency (QEMU's concluded to the callback), in ms.
 */
static int
benchPullOnce(virConnectPtr conn, const char *root, const char *imgDir,
              const char *name, double *wallMs, double *qemuMs, double *latencyMs)
{
    static const char trace[] =
        "{\"execute\": \"trace-event-set-state\", \"arguments\": "
        "{\"name\": \"job_state_transition\", \"enable\": true}}";
    g_autofree char *top = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *logPath = g_strdup_printf("%s/log/qemu/%s.log", root, name);
    g_autofree char *log = NULL;
    virDomainPtr dom = NULL;
    gint64 t0;
    gint64 t1 = 0;
    gint64 t1Real = 0;
    gint64 created;
    gint64 pending;
    gint64 concluded;
    int status;
    int ret = -1;

    if (benchMakeDirChain(imgDir, name, &top) < 0 ||
        !(dom = benchStart(conn, root, name, top)))
        goto cleanup;
    if (virDomainQemuMonitorCommand(dom, trace, &reply, 0) < 0) {
        g_printerr("daemonbench: '%s': cannot trace QEMU's jobs: %s\n", name,
                   virGetLastErrorMessage());
        goto cleanup;
    }

    t0 = benchNow(CLOCK_MONOTONIC);
    if (virDomainBlockRebase(dom, "vda", NULL, 0, 0) < 0) {
        g_printerr("daemonbench: '%s': pull: %s\n", name, virGetLastErrorMessage());
        goto cleanup;
    }
    if ((status = benchWaitPull(name, &t1, &t1Real)) != VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        g_printerr("daemonbench: '%s': %s\n", name, status < 0 ?
                   "no BLOCK_PULL event in time" : "the pull did not complete");
        goto cleanup;
    }
    *wallMs = (t1 - t0) / 1e6;

    /* QEMU writes its trace before it emits the event, but through stdio:
     * the log may lag by a moment. */
    for (int i = 0; i < 200; i++) {
        g_clear_pointer(&log, g_free);
        if (g_file_get_contents(logPath, &log, NULL, NULL) &&
            strstr(log, "-->concluded)"))
            break;
        g_usleep(10 * 1000);
    }
    created = log ? benchTraceTime(log, "created") : -1;
    pending = log ? benchTraceTime(log, "pending") : -1;
    concluded = log ? benchTraceTime(log, "concluded") : -1;
    if (created < 0 || pending < created || concluded < pending) {
        g_printerr("daemonbench: '%s': no job trace in '%s'\n", name, logPath);
        goto cleanup;
    }
    *qemuMs = (pending - created) / 1e6;
    *latencyMs = (t1Real * 1000 - concluded) / 1e6;
    ret = 0;

 cleanup:
    benchDestroy(dom);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Block job info calls per second                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *uri;            /* NULL: use @conn */
    virConnectPtr conn;
    char *name;
    gint64 until;               /* monotonic, us */
    GMutex *startLock;          /* guards *ready and *go */
    GCond *startCond;           /* broadcast when either changes */
    int *ready;                 /* threads connected (or failed) */
    bool *go;                   /* @until is set: start calling */
    bool state;                 /* virDomainGetState: no QEMU round trip */
    long calls;
    bool failed;
} BenchInfoThread;

static gpointer
benchInfoRun(gpointer opaque)
{
    BenchInfoThread *t = opaque;
    virConnectPtr conn = t->conn;
    virDomainPtr dom = NULL;
    virDomainBlockJobInfo info;

    if (t->uri && !(conn = virConnectOpen(t->uri)))
        t->failed = true;
    else if (!(dom = virDomainLookupByName(conn, t->name)))
        t->failed = true;
    if (t->failed)
        g_printerr("daemonbench: '%s': %s\n", t->name, virGetLastErrorMessage());
    /* Tell the main thread, then wait for its go: it sets @until once
     * every thread is here. */
    g_mutex_lock(t->startLock);
    (*t->ready)++;
    g_cond_broadcast(t->startCond);
    while (!*t->go)
        g_cond_wait(t->startCond, t->startLock);
    g_mutex_unlock(t->startLock);
    while (!t->failed && g_get_monotonic_time() < t->until) {
        int st;
        int reason;

        if (t->state ? virDomainGetState(dom, &st, &reason, 0) < 0 :
            virDomainGetBlockJobInfo(dom, "vda", &info, 0) != 1) {
            g_printerr("daemonbench: '%s': no job info: %s\n", t->name,
                       virGetLastErrorMessage());
            t->failed = true;
            break;
        }
        t->calls++;
    }

    if (dom)
        virDomainFree(dom);
    if (t->uri && conn)
        virConnectClose(conn);
    return NULL;
}

/* Calls per second of @nthreads threads, each on its own connection when
 * @nthreads > 1, thread i asking about domain @names[i]: its block job
 * info, or with @state its state. */
static double
benchInfoRate(const char *uri, virConnectPtr conn, char **names, int nthreads,
              int seconds, bool state)
{
    g_autofree BenchInfoThread *t = g_new0(BenchInfoThread, nthreads);
    g_autofree GThread **th = g_new0(GThread *, nthreads);
    GMutex startLock;
    GCond startCond;
    int ready = 0;
    bool go = false;
    gint64 t0;
    gint64 t1;
    long total = 0;
    bool failed = false;

    g_mutex_init(&startLock);
    g_cond_init(&startCond);
    for (int i = 0; i < nthreads; i++) {
        t[i].uri = nthreads > 1 ? uri : NULL;
        t[i].conn = conn;
        t[i].name = names[i];
        t[i].startLock = &startLock;
        t[i].startCond = &startCond;
        t[i].ready = &ready;
        t[i].go = &go;
        t[i].until = G_MAXINT64;
        t[i].state = state;
    }
    /* The clock starts once every thread has connected and found its
     * domain: opening is not what is measured. */
    for (int i = 0; i < nthreads; i++)
        th[i] = g_thread_new("bench-info", benchInfoRun, &t[i]);
    g_mutex_lock(&startLock);
    while (ready < nthreads)
        g_cond_wait(&startCond, &startLock);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < nthreads; i++)
        t[i].until = t0 + (gint64) seconds * G_TIME_SPAN_SECOND;
    go = true;
    g_cond_broadcast(&startCond);
    g_mutex_unlock(&startLock);
    for (int i = 0; i < nthreads; i++) {
        g_thread_join(th[i]);
        total += t[i].calls;
        failed |= t[i].failed;
    }
    t1 = g_get_monotonic_time();
    g_cond_clear(&startCond);
    g_mutex_clear(&startLock);
    if (failed)
        return NAN;
    return total / ((t1 - t0) / 1e6);
}

/* ------------------------------------------------------------------ */
/* The daemon                                                           */
/* ------------------------------------------------------------------ */

/* Does a server accept connections on the unix socket @path? */
static bool
benchAccepts(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    bool ok;

    if (strlen(path) >= sizeof(addr.sun_path))
        return false;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    ok = connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
    close(fd);
    return ok;
}

static pid_t
benchDaemonStart(const char *bin, const char *work, const char *root, char **uri)
{
    g_autofree char *sockDir = g_build_filename(work, "sock", NULL);
    g_autofree char *sock = g_build_filename(sockDir, "libvirt-sock", NULL);
    g_autofree char *conf = g_build_filename(work, "libvirtd.conf", NULL);
    g_autofree char *logPath = g_build_filename(work, "libvirtd.log", NULL);
    g_autofree char *confText = NULL;
    g_autofree char *escaped = NULL;
    const char *argv[] = { bin, "--config", conf, "--pid-file", NULL, NULL };
    gint64 deadline;
    pid_t parent = getpid();
    pid_t pid;
    int logfd;

    if (strlen(sock) + strlen("-ro") >= sizeof(((struct sockaddr_un *) NULL)->sun_path)) {
        g_printerr("daemonbench: socket path '%s' is too long: use a shorter --dir\n", sock);
        return -1;
    }
    benchDaemonPidFile = g_build_filename(work, "libvirtd.pid", NULL);
    argv[4] = benchDaemonPidFile;
    confText = g_strdup_printf("unix_sock_dir = \"%s\"\nqemu_root = \"%s\"\n",
                               sockDir, root);
    if (!g_file_set_contents(conf, confText, -1, NULL) ||
        (logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        g_printerr("daemonbench: cannot write in '%s'\n", work);
        return -1;
    }
    g_mutex_lock(&benchPidLock);
    if ((pid = fork()) == 0) {
        /* Async-signal-safe calls only until exec. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
            dup2(logfd, STDOUT_FILENO) < 0 || dup2(logfd, STDERR_FILENO) < 0 ||
            chdir("/") < 0)
            _exit(126);
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    if (pid > 0)
        benchDaemonPid = pid;
    g_mutex_unlock(&benchPidLock);
    close(logfd);
    if (pid < 0) {
        g_printerr("daemonbench: fork: %s\n", g_strerror(errno));
        return -1;
    }

    /* Ready once its pid file names it and its socket accepts. */
    deadline = g_get_monotonic_time() + BENCH_DAEMON_START_MS * 1000;
    while (benchReadPid(benchDaemonPidFile) != pid || !benchAccepts(sock)) {
        int status;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            benchDaemonPid = 0;
            g_printerr("daemonbench: libvirtd exited at start (see '%s')\n", logPath);
            return -1;
        }
        if (g_get_monotonic_time() > deadline) {
            g_printerr("daemonbench: libvirtd did not listen within %d s\n",
                       BENCH_DAEMON_START_MS / 1000);
            return -1;
        }
        g_usleep(10 * 1000);
    }
    escaped = g_uri_escape_string(sock, "/", FALSE);
    *uri = g_strdup_printf("qemu+unix:///system?socket=%s", escaped);
    return pid;
}

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    int runs;
    int domains;
    int infoSeconds;
    char *work;
    char *uri[BENCH_KINDS];
    char *root[BENCH_KINDS];
    virConnectPtr conn[BENCH_KINDS];
    pid_t daemon;
} BenchCtx;

typedef struct {
    double overheadMed[BENCH_KINDS];
    double overheadMin[BENCH_KINDS];
    double overheadMax[BENCH_KINDS];
    double latencyMed[BENCH_KINDS];
    double latencyP99[BENCH_KINDS];
    double wallMed[BENCH_KINDS];
    double qemuMed[BENCH_KINDS];
    double rate1[BENCH_KINDS];
    double rate8[BENCH_KINDS];
    double state8[BENCH_KINDS];     /* virDomainGetState, 8 clients */
    long rssIdle[BENCH_KINDS];      /* KiB */
    long rssBusy[BENCH_KINDS];
    int started[BENCH_KINDS];       /* domains actually running for rssBusy */
    double cpuMs[BENCH_KINDS];      /* over BENCH_CPU_SECONDS */
} BenchResults;

static int
benchPulls(BenchCtx *ctx, BenchResults *res)
{
    g_autofree char *imgDir = g_build_filename(ctx->work, "img", NULL);
    /* one block each, so that g_autofree frees every kind's values */
    g_autofree double *overBuf = g_new0(double, BENCH_KINDS * ctx->runs);
    g_autofree double *latBuf = g_new0(double, BENCH_KINDS * ctx->runs);
    double *over[BENCH_KINDS];
    double *lat[BENCH_KINDS];

    for (int k = 0; k < BENCH_KINDS; k++) {
        over[k] = overBuf + k * ctx->runs;
        lat[k] = latBuf + k * ctx->runs;
    }
    for (int r = 0; r < ctx->runs; r++) {
        double wall[BENCH_KINDS];
        double qemu[BENCH_KINDS];

        /* alternate which goes first, so that neither always runs warmer */
        for (int j = 0; j < BENCH_KINDS; j++) {
            int k = (j + r) % BENCH_KINDS;
            g_autofree char *name = g_strdup_printf("pull-%s-%d", benchKindName[k], r);

            if (benchPullOnce(ctx->conn[k], ctx->root[k], imgDir, name,
                              &wall[k], &qemu[k], &lat[k][r]) < 0)
                return -1;
            over[k][r] = wall[k] - qemu[k];
        }
        g_printerr("# pull run %d/%d: embed %.3f ms (QEMU %.3f, event %.3f), "
                   "daemon %.3f ms (QEMU %.3f, event %.3f)\n",
                   r + 1, ctx->runs, wall[BENCH_EMBED], qemu[BENCH_EMBED],
                   lat[BENCH_EMBED][r], wall[BENCH_DAEMON], qemu[BENCH_DAEMON],
                   lat[BENCH_DAEMON][r]);
    }
    benchRemoveTree(imgDir);
    for (int k = 0; k < BENCH_KINDS; k++) {
        res->overheadMed[k] = benchMedian(over[k], ctx->runs);
        res->overheadMin[k] = over[k][0];
        res->overheadMax[k] = over[k][ctx->runs - 1];
        res->latencyMed[k] = benchMedian(lat[k], ctx->runs);
        res->latencyP99[k] = benchPercentile(lat[k], ctx->runs, 99);
    }
    return 0;
}

static int
benchInfo(BenchCtx *ctx, BenchResults *res)
{
    g_autofree char *imgDir = g_build_filename(ctx->work, "info", NULL);
    g_autoptr(GPtrArray) doms = g_ptr_array_new();
    char *names[BENCH_CLIENTS] = { NULL };
    int ret = -1;

    for (int k = 0; k < BENCH_KINDS; k++) {
        for (int i = 0; i < BENCH_CLIENTS; i++) {
            g_autofree char *top = NULL;
            virDomainPtr dom;

            g_free(names[i]);
            names[i] = g_strdup_printf("info-%s-%d", benchKindName[k], i);
            if (benchMakeDirChain(imgDir, names[i], &top) < 0 ||
                !(dom = benchStart(ctx->conn[k], ctx->root[k], names[i], top)))
                goto cleanup;
            g_ptr_array_add(doms, dom);
            /* 64 KiB/s: the 16 MiB pull lasts minutes, a job to ask about */
            if (virDomainBlockRebase(dom, "vda", NULL, 64 * 1024,
                                     VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) < 0) {
                g_printerr("daemonbench: '%s': pull: %s\n", names[i],
                           virGetLastErrorMessage());
                goto cleanup;
            }
        }
        res->rate1[k] = benchInfoRate(ctx->uri[k], ctx->conn[k], names, 1,
                                      ctx->infoSeconds, false);
        res->rate8[k] = benchInfoRate(ctx->uri[k], ctx->conn[k], names, BENCH_CLIENTS,
                                      ctx->infoSeconds, false);
        res->state8[k] = benchInfoRate(ctx->uri[k], ctx->conn[k], names, BENCH_CLIENTS,
                                       ctx->infoSeconds, true);
        if (isnan(res->rate1[k]) || isnan(res->rate8[k]) || isnan(res->state8[k]))
            goto cleanup;
        g_printerr("# info calls/s over %s: 1 client %.0f, %d clients %.0f; "
                   "state calls/s, %d clients %.0f\n",
                   benchKindName[k], res->rate1[k], BENCH_CLIENTS, res->rate8[k],
                   BENCH_CLIENTS, res->state8[k]);
        benchDestroyAll(doms);
    }
    ret = 0;

 cleanup:
    benchDestroyAll(doms);
    for (int i = 0; i < BENCH_CLIENTS; i++)
        g_free(names[i]);
    benchRemoveTree(imgDir);
    return ret;
}

/* RSS with no domain, with ctx->domains paused domains, and CPU time of
 * the host of the driver while they idle. For embed, the host is this
 * process (which also holds the daemon's client connection). */
static int
benchMemory(BenchCtx *ctx, BenchResults *res)
{
    g_autoptr(GPtrArray) doms = g_ptr_array_new();
    long ticks = sysconf(_SC_CLK_TCK);

    for (int k = 0; k < BENCH_KINDS; k++) {
        pid_t host = k == BENCH_EMBED ? getpid() : ctx->daemon;
        long long c0;
        long long c1;

        res->rssIdle[k] = benchRssKiB(host);
        for (int i = 0; i < ctx->domains; i++) {
            g_autofree char *name = g_strdup_printf("idle-%s-%d", benchKindName[k], i);
            virDomainPtr dom;

            if (!(dom = benchStart(ctx->conn[k], ctx->root[k], name, NULL))) {
                g_printerr("daemonbench: %d of %d domains started over %s\n",
                           i, ctx->domains, benchKindName[k]);
                break;
            }
            g_ptr_array_add(doms, dom);
        }
        res->started[k] = doms->len;
        if (doms->len == 0) {
            benchDestroyAll(doms);
            return -1;
        }
        /* let the starts' work settle before sampling */
        g_usleep(G_TIME_SPAN_SECOND);
        res->rssBusy[k] = benchRssKiB(host);
        c0 = benchCpuTicks(host);
        g_usleep(BENCH_CPU_SECONDS * G_TIME_SPAN_SECOND);
        c1 = benchCpuTicks(host);
        res->cpuMs[k] = c0 < 0 || c1 < 0 ? NAN : (c1 - c0) * 1000.0 / ticks;
        g_printerr("# %s: RSS idle %ld KiB, with %d domains %ld KiB, CPU %.0f ms in %d s\n",
                   benchKindName[k], res->rssIdle[k], res->started[k],
                   res->rssBusy[k], res->cpuMs[k], BENCH_CPU_SECONDS);
        benchDestroyAll(doms);
    }
    return 0;
}

static void
benchRow(const char *figure, const char *embed, const char *daemon,
         const char *target, const char *met)
{
    printf("| %-44s | %-22s | %-22s | %-14s | %-3s |\n", figure, embed, daemon, target, met);
}

static void
benchPrint(BenchCtx *ctx, BenchResults *r)
{
    char e[64];
    char d[64];
    g_autofree char *fig = NULL;
    double diff = r->overheadMed[BENCH_DAEMON] - r->overheadMed[BENCH_EMBED];
    double latDiff;
    const double mib = 1024.0;

    printf("# daemonbench: %u CPUs, QEMU TCG, %d pull runs of each kind, "
           "%d MiB chains, %d domains asked for\n",
           g_get_num_processors(), ctx->runs, BENCH_IMAGE_MIB, ctx->domains);
    benchRow("figure", "embed", "daemon", "target", "met");
    printf("|%s|%s|%s|%s|%s|\n", "----------------------------------------------",
           "------------------------", "------------------------", "----------------",
           "-----");
    g_snprintf(e, sizeof(e), "%.2f [%.2f..%.2f]", r->overheadMed[0],
               r->overheadMin[0], r->overheadMax[0]);
    g_snprintf(d, sizeof(d), "%.2f [%.2f..%.2f]", r->overheadMed[1],
               r->overheadMin[1], r->overheadMax[1]);
    fig = g_strdup_printf("pull overhead ms, median [min..max] of %d", ctx->runs);
    benchRow(fig, e, d, "-", "-");
    g_snprintf(d, sizeof(d), "%+.2f", diff);
    benchRow("pull overhead, daemon minus embed, ms", "-", d, "< 1 ms",
             diff < 1.0 ? "yes" : "no");
    g_snprintf(d, sizeof(d), "%+.2f", r->overheadMin[1] - r->overheadMin[0]);
    benchRow("  the same, best run of each", "-", d, "< 1 ms",
             r->overheadMin[1] - r->overheadMin[0] < 1.0 ? "yes" : "no");
    g_snprintf(e, sizeof(e), "%.2f / %.2f", r->latencyMed[0], r->latencyP99[0]);
    g_snprintf(d, sizeof(d), "%.2f / %.2f", r->latencyMed[1], r->latencyP99[1]);
    benchRow("event latency ms, median / p99", e, d, "-", "-");
    latDiff = r->latencyMed[1] - r->latencyMed[0];
    g_snprintf(d, sizeof(d), "%+.2f", latDiff);
    benchRow("event latency, daemon minus embed, median", "-", d, "< 1 ms",
             latDiff < 1.0 ? "yes" : "no");
    latDiff = r->latencyP99[1] - r->latencyP99[0];
    g_snprintf(d, sizeof(d), "%+.2f", latDiff);
    benchRow("  the same, p99", "-", d, "< 1 ms", latDiff < 1.0 ? "yes" : "no");
    g_snprintf(e, sizeof(e), "%.0f", r->rate1[0]);
    g_snprintf(d, sizeof(d), "%.0f", r->rate1[1]);
    benchRow("block job info calls/s, 1 client", e, d, "-", "-");
    g_snprintf(e, sizeof(e), "%.0f", r->rate8[0]);
    g_snprintf(d, sizeof(d), "%.0f", r->rate8[1]);
    benchRow("block job info calls/s, 8 clients, 8 domains", e, d, ">= 10000",
             r->rate8[1] >= 10000 ? "yes" : "no");
    g_snprintf(e, sizeof(e), "%.0f", r->state8[0]);
    g_snprintf(d, sizeof(d), "%.0f", r->state8[1]);
    benchRow("  reference: GetState calls/s (no QEMU), 8", e, d, "-", "-");
    g_snprintf(e, sizeof(e), "%.1f", r->rssIdle[0] / mib);
    g_snprintf(d, sizeof(d), "%.1f", r->rssIdle[1] / mib);
    benchRow("host RSS MiB, no domain", e, d, "< 16", r->rssIdle[1] < 16 * mib ? "yes" : "no");
    g_clear_pointer(&fig, g_free);
    fig = g_strdup_printf("host RSS MiB, %d paused domains%s", r->started[1],
                          r->started[1] < ctx->domains ? " (fewer: see log)" : "");
    g_snprintf(e, sizeof(e), "%.1f (%d domains)", r->rssBusy[0] / mib, r->started[0]);
    g_snprintf(d, sizeof(d), "%.1f", r->rssBusy[1] / mib);
    /* the target is for 50 domains: fewer cannot meet it */
    benchRow(fig, e, d, "< 64 (50 dom.)", r->started[1] < 50 ? "n/a" :
             r->rssBusy[1] < 64 * mib ? "yes" : "no");
    g_clear_pointer(&fig, g_free);
    fig = g_strdup_printf("host CPU ms over %d s idle, %d domains", BENCH_CPU_SECONDS,
                          r->started[1]);
    g_snprintf(e, sizeof(e), "%.0f", r->cpuMs[0]);
    g_snprintf(d, sizeof(d), "%.0f", r->cpuMs[1]);
    /* "none": under a clock tick every half second, 1% of a core */
    benchRow(fig, e, d, "~0 (< 50)", r->cpuMs[1] < 50 ? "yes" : "no");
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    g_autofree char *dirOpt = NULL;
    g_autofree char *daemonOpt = NULL;
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) err = NULL;
    BenchCtx ctx = { .runs = BENCH_DEFAULT_RUNS, .domains = BENCH_DEFAULT_DOMAINS,
                     .infoSeconds = BENCH_DEFAULT_INFO_SECONDS };
    BenchResults res = { 0 };
    GOptionEntry entries[] = {
        { "runs", 0, 0, G_OPTION_ARG_INT, &ctx.runs,
          "pulls of each kind; medians and ranges of these (default 5)", "N" },
        { "domains", 0, 0, G_OPTION_ARG_INT, &ctx.domains,
          "paused domains for the RSS and idle CPU rows (default 50)", "N" },
        { "info-seconds", 0, 0, G_OPTION_ARG_INT, &ctx.infoSeconds,
          "seconds of block job info calls per figure (default 2)", "S" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dirOpt,
          "where to make the temporary directory (default: $TMPDIR or /tmp)", "DIR" },
        { "libvirtd", 0, 0, G_OPTION_ARG_FILENAME, &daemonOpt,
          "the daemon to run (default: the build's src/remote/libvirtd)", "PATH" },
        { NULL }
    };
    GThread *loop = NULL;
    int cb[BENCH_KINDS] = { -1, -1 };
    int ret = 1;

    /* The prefix of the shared helpers' messages (bench/benchutil.c). */
    g_set_prgname("daemonbench");
    octx = g_option_context_new("- libvirtd beside qemu:///embed");
    g_option_context_set_summary(octx,
        "Prints a table. Starts libvirtd and QEMUs and stops them all at the end; "
        "run as root.");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        g_printerr("daemonbench: %s\n", err->message);
        return 2;
    }
    if (argc > 1 || ctx.runs < 1 || ctx.runs > 1000 || ctx.domains < 1 ||
        ctx.domains > 400 || ctx.infoSeconds < 1 || ctx.infoSeconds > 600) {
        g_printerr("daemonbench: bad arguments (see --help)\n");
        return 2;
    }
    if (!daemonOpt)
        daemonOpt = g_build_filename(ABS_TOP_BUILDDIR, "src", "remote", "libvirtd", NULL);
    if (benchInstallCleanup() < 0)
        return 1;

    if (dirOpt) {
        g_autofree char *tmpl = g_build_filename(dirOpt, "daemonbench-XXXXXX", NULL);

        ctx.work = g_mkdtemp(g_steal_pointer(&tmpl));
    } else {
        ctx.work = g_dir_make_tmp("daemonbench-XXXXXX", NULL);
    }
    if (!ctx.work) {
        g_printerr("daemonbench: cannot create a temporary directory\n");
        return 1;
    }
    /* QEMU runs as an unprivileged user under the driver: it must reach
     * the images. */
    chmod(ctx.work, 0755);
    for (int k = 0; k < BENCH_KINDS; k++) {
        ctx.root[k] = g_strdup_printf("%s/root-%s", ctx.work, benchKindName[k]);
        benchRoots[k] = ctx.root[k];
    }
    ctx.uri[BENCH_EMBED] = g_strdup_printf("qemu:///embed?root=%s", ctx.root[BENCH_EMBED]);

    g_mutex_init(&benchEvents.lock);
    g_cond_init(&benchEvents.cond);
    benchEvents.done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    benchEvents.doneReal = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    benchEvents.status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (virEventRegisterDefaultImpl() < 0) {
        g_printerr("daemonbench: event loop: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    loop = g_thread_new("bench-loop", benchLoopRun, NULL);

    if ((ctx.daemon = benchDaemonStart(daemonOpt, ctx.work, ctx.root[BENCH_DAEMON],
                                       &ctx.uri[BENCH_DAEMON])) <= 0)
        goto cleanup;
    for (int k = 0; k < BENCH_KINDS; k++) {
        if (!(ctx.conn[k] = virConnectOpen(ctx.uri[k]))) {
            g_printerr("daemonbench: open '%s': %s\n", ctx.uri[k],
                       virGetLastErrorMessage());
            goto cleanup;
        }
        if ((cb[k] = virConnectDomainEventRegisterAny(ctx.conn[k], NULL,
                        VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                        VIR_DOMAIN_EVENT_CALLBACK(benchPullEvent),
                        &benchEvents, NULL)) < 0) {
            g_printerr("daemonbench: register a callback: %s\n", virGetLastErrorMessage());
            goto cleanup;
        }
    }
    g_printerr("# daemonbench in '%s', libvirtd pid %d\n", ctx.work, (int) ctx.daemon);

    if (benchPulls(&ctx, &res) < 0 || benchInfo(&ctx, &res) < 0 ||
        benchMemory(&ctx, &res) < 0)
        goto cleanup;
    benchPrint(&ctx, &res);
    ret = 0;

 cleanup:
    for (int k = 0; k < BENCH_KINDS; k++) {
        if (ctx.conn[k]) {
            if (cb[k] >= 0)
                virConnectDomainEventDeregisterAny(ctx.conn[k], cb[k]);
            virConnectClose(ctx.conn[k]);
        }
    }
    benchStopAll();
    if (loop) {
        int wake;

        g_atomic_int_set(&benchLoopQuit, 1);
        wake = virEventAddTimeout(0, benchLoopWake, NULL, NULL);
        g_thread_join(loop);
        if (wake > 0)
            virEventRemoveTimeout(wake);
    }
    if (ret == 0)
        benchRemoveTree(ctx.work);
    else
        g_printerr("daemonbench: the logs are kept in '%s'\n", ctx.work);
    return ret;
}

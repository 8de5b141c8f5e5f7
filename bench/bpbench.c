/*
 * bpbench.c: `make bench`. Every figure of docs/benchmarks.md, side by
 * side in one run: the embedded driver (qemu:///embed in this process),
 * the daemon (the build's libvirtd over its unix socket) and a raw QMP
 * client (bench/rawqmp.c, no code shared with the driver) driving a QEMU
 * it starts itself. Prints one Markdown table; never passes or fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "benchutil.h"
#include "rawqmp.h"

#define BENCH_EVENT_TIMEOUT_S 300
#define BENCH_QMP_TIMEOUT_MS 30000
#define BENCH_DAEMON_START_MS 30000
#define BENCH_DAEMON_STOP_MS 15000
#define BENCH_MAX_PIDS 1024
#define BENCH_CLIENTS 8

/* The info figures: each kind asks for this long, then the next one. */
#define BENCH_INFO_SLICE_MS 250
#define BENCH_CPU_SECONDS 5
#define BENCH_STEP_MIB 4
#define BENCH_LATENCY_MIB 16
#define BENCH_SLOW_SPEED (64 * 1024)
#define BENCH_JOB_ID "pull-vda"
#define BENCH_TOP_NODE "libvirt-1-format"

typedef enum {
    BENCH_RAW,
    BENCH_EMBED,
    BENCH_DAEMON,
    BENCH_KINDS
} BenchKind;

static const char *const benchKindName[BENCH_KINDS] = { "raw", "embed", "daemon" };

/* ------------------------------------------------------------------ */
/* Every process we start dies with us                                  */
/* ------------------------------------------------------------------ */

/* pid_t fits in an int; 0 is a free slot. */
static volatile sig_atomic_t benchPids[BENCH_MAX_PIDS];
static volatile sig_atomic_t benchDaemonPid;
static GMutex benchPidLock;
static int benchSignalPipe[2] = { -1, -1 };
static char *benchRoots[BENCH_KINDS];
static char *benchDaemonPidFile;
static char *benchVirshRoot;    /* the embed root of the virsh rows */

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
    g_printerr("bpbench: too many processes to track: killed %d\n", (int) pid);
}

static void
benchPidRemove(pid_t pid)
{
    g_mutex_lock(&benchPidLock);
    for (size_t i = 0; i < BENCH_MAX_PIDS; i++) {
        if (benchPids[i] == pid)
            benchPids[i] = 0;
    }
    g_mutex_unlock(&benchPidLock);
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
            g_printerr("bpbench: killed QEMU %d left by '%s'\n", (int) pid, path);
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
        g_usleep(5 * 1000);
    }
    return false;
}

/* Stop the daemon (SIGTERM, then SIGKILL), then every QEMU: the daemon
 * leaves its QEMUs running when it stops. */
static void
benchStopAll(void)
{
    pid_t pid = benchDaemonPid;

    if (pid > 0) {
        kill(pid, SIGTERM);
        if (!benchWaitChild(pid, BENCH_DAEMON_STOP_MS)) {
            g_printerr("bpbench: libvirtd %d ignored SIGTERM: SIGKILL\n", (int) pid);
            kill(pid, SIGKILL);
            benchWaitChild(pid, BENCH_DAEMON_STOP_MS);
        }
        benchDaemonPid = 0;
    }
    for (size_t i = 0; i < BENCH_KINDS; i++)
        benchKillRootQemus(benchRoots[i]);
    benchKillRootQemus(benchVirshRoot);
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
    g_printerr("bpbench: signal %d: stopping the daemon and every QEMU\n", c);
    /* a start in progress records its pid first */
    g_mutex_lock(&benchPidLock);
    g_mutex_unlock(&benchPidLock);
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
        g_printerr("bpbench: cannot create a pipe: %s\n", g_strerror(errno));
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
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    size_t n;
    double med;
    double min;
    double max;
    double p99;
} BenchStat;

/* Of @n values (reordered). */
static BenchStat
benchStat(double *v, size_t n)
{
    BenchStat s = { .n = n, .med = NAN, .min = NAN, .max = NAN, .p99 = NAN };

    if (n == 0)
        return s;
    s.med = benchMedian(v, n);
    s.min = v[0];
    s.max = v[n - 1];
    s.p99 = benchPercentile(v, n, 99);
    return s;
}

static BenchStat
benchStatArray(GArray *a)
{
    return benchStat((double *) (void *) a->data, a->len);
}

/* Lists of values, one per kind (and variant), freed together. */
typedef struct {
    GArray *v[BENCH_KINDS * 2];
} BenchSeries;

static void
benchSeriesInit(BenchSeries *s)
{
    for (size_t i = 0; i < G_N_ELEMENTS(s->v); i++)
        s->v[i] = g_array_new(FALSE, FALSE, sizeof(double));
}

static void
benchSeriesClear(BenchSeries *s)
{
    for (size_t i = 0; i < G_N_ELEMENTS(s->v); i++)
        g_clear_pointer(&s->v[i], g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(BenchSeries, benchSeriesClear);

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* A chain of @mib MiB, DIR/NAME.raw under DIR/NAME.qcow2. */
static int
benchMakeNamedChain(const char *dir, const char *name, unsigned int mib,
                    char **baseOut, char **topOut)
{
    g_autofree char *base = g_strdup_printf("%s/%s.raw", dir, name);
    g_autofree char *top = g_strdup_printf("%s/%s.qcow2", dir, name);

    if (g_mkdir_with_parents(dir, 0755) < 0 || chmod(dir, 0755) < 0) {
        g_printerr("bpbench: cannot create '%s': %s\n", dir, g_strerror(errno));
        return -1;
    }
    if (benchMakeChain(base, top, mib) < 0)
        return -1;
    if (baseOut)
        *baseOut = g_steal_pointer(&base);
    *topOut = g_steal_pointer(&top);
    return 0;
}

static void
benchRemoveChain(const char *top)
{
    g_autofree char *base = NULL;

    if (!top)
        return;
    base = g_strdup(top);
    strcpy(base + strlen(base) - strlen("qcow2"), "raw");
    unlink(top);
    unlink(base);
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

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return -1;
    f = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(f) < 13)
        return -1;
    return g_ascii_strtoll(f[11], NULL, 10) + g_ascii_strtoll(f[12], NULL, 10);
}

/* Context switches of every thread of @pid, but the thread @skip (0:
 * none): each is a wake-up. -1 if unknown. */
static long long
benchWakeups(pid_t pid, pid_t skip)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/task", (int) pid);
    long long total = 0;
    DIR *d;
    struct dirent *ent;

    if (!(d = opendir(dir)))
        return -1;
    while ((ent = readdir(d))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        const char *p;

        if (ent->d_name[0] == '.' || atoi(ent->d_name) == skip)
            continue;
        path = g_strdup_printf("%s/%s/status", dir, ent->d_name);
        if (!g_file_get_contents(path, &text, NULL, NULL))
            continue;
        if ((p = strstr(text, "\nvoluntary_ctxt_switches:")))
            total += strtoll(p + strlen("\nvoluntary_ctxt_switches:"), NULL, 10);
        if ((p = strstr(text, "\nnonvoluntary_ctxt_switches:")))
            total += strtoll(p + strlen("\nnonvoluntary_ctxt_switches:"), NULL, 10);
    }
    closedir(d);
    return total;
}

/* ------------------------------------------------------------------ */
/* Events of the driver                                                 */
/* ------------------------------------------------------------------ */

typedef struct {
    int count;                  /* BLOCK_PULL events for this domain */
    int status;                 /* of the last one */
    gint64 mono;                /* ns, when the callback ran */
    gint64 realUs;              /* the same instant, us since the epoch */
    bool revoked;               /* the base was root's again in the callback */
    char *base;                 /* the base image to look at, or NULL */
} BenchPullEvent;

static GMutex benchEvLock;
static GCond benchEvCond;
static GHashTable *benchEv;     /* domain name -> BenchPullEvent * */
static gint benchLoopQuit;

static void
benchPullEventFree(gpointer p)
{
    BenchPullEvent *e = p;

    g_free(e->base);
    g_clear_pointer(&e, g_free);
}

/* Expect a pull on @name; @base is checked for its owner in the callback. */
static void
benchExpect(const char *name, const char *base)
{
    BenchPullEvent *e = g_new0(BenchPullEvent, 1);

    e->base = g_strdup(base);
    g_mutex_lock(&benchEvLock);
    g_hash_table_insert(benchEv, g_strdup(name), e);
    g_mutex_unlock(&benchEvLock);
}

static void
benchPullCallback(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                  const char *path G_GNUC_UNUSED, int status,
                  void *opaque G_GNUC_UNUSED)
{
    gint64 mono = benchNow(CLOCK_MONOTONIC);
    gint64 realUs = g_get_real_time();
    BenchPullEvent *e;

    g_mutex_lock(&benchEvLock);
    if ((e = g_hash_table_lookup(benchEv, virDomainGetName(dom)))) {
        struct stat sb;

        e->count++;
        e->status = status;
        e->mono = mono;
        e->realUs = realUs;
        /* the driver gives the base back before it tells anyone */
        e->revoked = e->base && stat(e->base, &sb) == 0 && sb.st_uid == getuid();
        g_cond_broadcast(&benchEvCond);
    }
    g_mutex_unlock(&benchEvLock);
}

/* Wait for the pull of @name to end; a copy of its record, false on
 * timeout. */
static bool
benchWaitPull(const char *name, BenchPullEvent *out)
{
    gint64 deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    BenchPullEvent *e;
    bool ok = false;

    g_mutex_lock(&benchEvLock);
    while ((e = g_hash_table_lookup(benchEv, name)) && e->count == 0) {
        if (!g_cond_wait_until(&benchEvCond, &benchEvLock, deadline))
            break;
    }
    if (e && e->count > 0) {
        *out = *e;
        out->base = NULL;
        ok = true;
    }
    g_mutex_unlock(&benchEvLock);
    return ok;
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
/* The context                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    /* options */
    int runs;
    int latencyPulls;
    int domains;
    int infoSeconds;
    int virshRuns;
    int concurrentMiB;
    GArray *sizes;              /* unsigned int, MiB */
    bool quick;
    char *virsh;
    char **virshEnv;            /* its environment; NULL: ours */
    /* state */
    char *work;
    char *uri[BENCH_KINDS];
    char *root[BENCH_KINDS];
    virConnectPtr conn[BENCH_KINDS];
    pid_t daemon;
    unsigned int seq;           /* makes names unique */
    char *qemuVersion;
} BenchCtx;

static char *
benchName(BenchCtx *ctx, const char *what, BenchKind k)
{
    return g_strdup_printf("%s-%s-%u", what, benchKindName[k], ctx->seq++);
}

/* ------------------------------------------------------------------ */
/* Domains of the driver                                                */
/* ------------------------------------------------------------------ */

/* A transient domain @name of 64 MiB, with the overlay @top as vda if
 * given. */
static char *
benchDomainXML(const char *name, const char *top)
{
    g_autofree char *disk = NULL;

    if (top)
        disk = g_strdup_printf("    <disk type='file' device='disk'>\n"
                               "      <driver name='qemu' type='qcow2'/>\n"
                               "      <source file='%s'/>\n"
                               "      <target dev='vda' bus='virtio'/>\n"
                               "    </disk>\n", top);
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <memory unit='MiB'>64</memory>\n"
                           "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                           "  <devices>\n%s  </devices>\n"
                           "</domain>\n", name, disk ? disk : "");
}

/* Start a transient domain @name, paused (the guest never runs), with the
 * overlay @top as vda if given; records its QEMU pid. */
static virDomainPtr
benchStart(BenchCtx *ctx, BenchKind k, const char *name, const char *top)
{
    g_autofree char *xml = benchDomainXML(name, top);
    g_autofree char *pidFile = NULL;
    virDomainPtr dom;
    pid_t pid;

    if (!(dom = virDomainCreateXML(ctx->conn[k], xml, VIR_DOMAIN_START_PAUSED))) {
        g_printerr("bpbench: start '%s': %s\n", name, virGetLastErrorMessage());
        return NULL;
    }
    pidFile = g_strdup_printf("%s/run/qemu/%s.pid", ctx->root[k], name);
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
        g_printerr("bpbench: destroy '%s': %s\n", virDomainGetName(dom),
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

/* Ask the domain's QEMU to trace its jobs' state changes into its log,
 * with its own timestamps (the driver passes -msg timestamp=on). */
static int
benchTraceJobs(virDomainPtr dom)
{
    static const char trace[] =
        "{\"execute\": \"trace-event-set-state\", \"arguments\": "
        "{\"name\": \"job_state_transition\", \"enable\": true}}";
    g_autofree char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, trace, &reply, 0) < 0) {
        g_printerr("bpbench: '%s': cannot trace QEMU's jobs: %s\n",
                   virDomainGetName(dom), virGetLastErrorMessage());
        return -1;
    }
    return 0;
}

/* QEMU's time of the last transition to @to in the log @text, us since
 * the epoch; -1 if none. Lines look like "PID@SECONDS.MICROS:job_state_
 * transition job 0x... (ret: 0) attempting allowed transition
 * (created-->running)". */
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
    return sec * G_GINT64_CONSTANT(1000000) + usec;
}

/* QEMU's job of the domain @name: created, pending and concluded, us
 * since the epoch, from its log. */
static int
benchJobTimes(BenchCtx *ctx, BenchKind k, const char *name,
              gint64 *created, gint64 *pending, gint64 *concluded)
{
    g_autofree char *logPath = g_strdup_printf("%s/log/qemu/%s.log", ctx->root[k], name);
    g_autofree char *log = NULL;

    /* QEMU writes the trace before the event, through stdio: the log may
     * lag by a moment */
    for (int i = 0; i < 300; i++) {
        g_clear_pointer(&log, g_free);
        if (g_file_get_contents(logPath, &log, NULL, NULL) &&
            strstr(log, "-->concluded)"))
            break;
        g_usleep(10 * 1000);
    }
    *created = log ? benchTraceTime(log, "created") : -1;
    *pending = log ? benchTraceTime(log, "pending") : -1;
    *concluded = log ? benchTraceTime(log, "concluded") : -1;
    if (*created < 0 || *pending < *created || *concluded < *pending) {
        g_printerr("bpbench: '%s': no job trace in '%s'\n", name, logPath);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The raw baseline: our own QEMU, bench/rawqmp.c                        */
/* ------------------------------------------------------------------ */

typedef struct {
    pid_t pid;
    RawQmp *qmp;
    char *dir;
} BenchRawVM;

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
                bool readonly, const char *backing)
{
    json_object *node = json_object_new_object();

    json_object_object_add(node, "node-name", json_object_new_string(name));
    json_object_object_add(node, "read-only", json_object_new_boolean(readonly));
    json_object_object_add(node, "driver", json_object_new_string(driver));
    json_object_object_add(node, "file", json_object_new_string(file));
    if (g_str_equal(driver, "qcow2"))
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

/* The argv shape the driver uses for a paused domain with the overlay
 * @top on @base as vda (or no disk), with a QMP socket at @sock. */
static char **
benchRawArgv(const char *name, const char *base, const char *top, const char *sock)
{
    GPtrArray *argv = g_ptr_array_new();
    const char *fixed[] = {
        "-S", "-machine", "pc", "-accel", "tcg", "-m", "size=65536k", "-smp", "1",
        "-display", "none", "-no-user-config", "-nodefaults",
    };

    /* the driver's order (qemu_command.c), less -uuid and -pidfile; its
     * monitor is a socket it passes as a descriptor, ours a path */
    g_ptr_array_add(argv, g_strdup(QEMU_SYSTEM_PATH));
    g_ptr_array_add(argv, g_strdup("-name"));
    g_ptr_array_add(argv, g_strdup_printf("guest=%s,debug-threads=on", name));
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,id=charmonitor,path=%s,"
                                          "server=on,wait=off", sock));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=charmonitor,id=monitor,mode=control"));
    g_ptr_array_add(argv, g_strdup("-boot"));
    g_ptr_array_add(argv, g_strdup("strict=on"));
    if (top) {
        json_object *dev = json_object_new_object();

        benchArgJSON(argv, "-blockdev", benchFileNode("libvirt-2-storage", base));
        benchArgJSON(argv, "-blockdev", benchFormatNode("libvirt-2-format", "raw",
                                                        "libvirt-2-storage", true, NULL));
        benchArgJSON(argv, "-blockdev", benchFileNode("libvirt-1-storage", top));
        benchArgJSON(argv, "-blockdev", benchFormatNode(BENCH_TOP_NODE, "qcow2",
                                                        "libvirt-1-storage", false,
                                                        "libvirt-2-format"));
        json_object_object_add(dev, "driver", json_object_new_string("virtio-blk-pci"));
        json_object_object_add(dev, "drive", json_object_new_string(BENCH_TOP_NODE));
        json_object_object_add(dev, "id", json_object_new_string("virtio-disk0"));
        benchArgJSON(argv, "-device", dev);
    }
    g_ptr_array_add(argv, g_strdup("-msg"));
    g_ptr_array_add(argv, g_strdup("timestamp=on"));
    g_ptr_array_add(argv, NULL);
    return (char **) g_ptr_array_free(argv, FALSE);
}

static void
benchRawStop(BenchRawVM *vm)
{
    int status;

    if (!vm)
        return;
    g_clear_pointer(&vm->qmp, rawQmpClose);
    if (vm->pid > 0) {
        kill(vm->pid, SIGKILL);
        while (waitpid(vm->pid, &status, 0) < 0 && errno == EINTR)
            ;
        benchPidRemove(vm->pid);
        vm->pid = 0;
    }
    if (vm->dir)
        benchRemoveTree(vm->dir);
    g_clear_pointer(&vm->dir, g_free);
}

/* Start QEMU paused (-S, never continued) on the chain, connect to QMP. */
static int
benchRawStart(BenchCtx *ctx, const char *name, const char *base, const char *top,
              BenchRawVM *vm)
{
    g_autofree char *sock = NULL;
    g_autofree char *logPath = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    GPid pid = 0;
    int logfd;

    memset(vm, 0, sizeof(*vm));
    vm->dir = g_build_filename(ctx->work, "raw", name, NULL);
    if (g_mkdir_with_parents(vm->dir, 0755) < 0) {
        g_printerr("bpbench: cannot create '%s': %s\n", vm->dir, g_strerror(errno));
        return -1;
    }
    sock = g_build_filename(vm->dir, "qmp.sock", NULL);
    logPath = g_build_filename(vm->dir, "qemu.log", NULL);
    argv = benchRawArgv(name, base, top, sock);
    if ((logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        g_printerr("bpbench: cannot create '%s': %s\n", logPath, g_strerror(errno));
        return -1;
    }
    g_mutex_lock(&benchPidLock);
    if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, -1, logfd, logfd, &err)) {
        g_mutex_unlock(&benchPidLock);
        close(logfd);
        g_printerr("bpbench: cannot start QEMU: %s\n", err->message);
        return -1;
    }
    g_mutex_unlock(&benchPidLock);
    benchPidAdd(pid);
    vm->pid = pid;
    close(logfd);
    if (!(vm->qmp = rawQmpConnect(sock, BENCH_QMP_TIMEOUT_MS))) {
        g_printerr("bpbench: raw QEMU '%s': no QMP (see '%s')\n", name, logPath);
        return -1;
    }
    if (!ctx->qemuVersion) {
        json_object *ret = NULL;
        json_object *q;
        json_object *v;

        if (rawQmpCommand(vm->qmp, "{\"execute\": \"query-version\"}\n", &ret,
                          BENCH_QMP_TIMEOUT_MS) == 0 &&
            json_object_object_get_ex(ret, "qemu", &q)) {
            int maj = json_object_object_get_ex(q, "major", &v) ? json_object_get_int(v) : 0;
            int min = json_object_object_get_ex(q, "minor", &v) ? json_object_get_int(v) : 0;
            int mic = json_object_object_get_ex(q, "micro", &v) ? json_object_get_int(v) : 0;

            ctx->qemuVersion = g_strdup_printf("%d.%d.%d", maj, min, mic);
        }
        if (ret)
            json_object_put(ret);
    }
    return 0;
}

static char *
benchRawStreamCmd(unsigned long long speed)
{
    /* The driver's block-stream, but QEMU finalizes and dismisses the job
     * itself: the raw client stops at the event and does nothing else. */
    if (speed)
        return g_strdup_printf("{\"execute\": \"block-stream\", \"arguments\": "
                               "{\"job-id\": \"%s\", \"device\": \"%s\", "
                               "\"speed\": %llu}}\n", BENCH_JOB_ID, BENCH_TOP_NODE,
                               speed);
    return g_strdup_printf("{\"execute\": \"block-stream\", \"arguments\": "
                           "{\"job-id\": \"%s\", \"device\": \"%s\"}}\n",
                           BENCH_JOB_ID, BENCH_TOP_NODE);
}

/* What one pull measured, any kind. */
typedef struct {
    double wallMs;              /* the call to the event / callback */
    double qemuMs;              /* QEMU's job, created to pending */
    double overMs;              /* wallMs - qemuMs */
    double latencyMs;           /* QEMU's timestamp of the end to the callback */
    double beforeMs;            /* the call to QEMU's created */
    double afterMs;             /* QEMU's pending to the callback */
    bool revoked;
} BenchPull;

/* The status a JOB_STATUS_CHANGE event gives, NULL for another event. */
static const char *
benchRawJobStatus(const RawQmpEvent *ev)
{
    json_object *v;

    if (g_str_equal(ev->name, "JOB_STATUS_CHANGE") && ev->data &&
        json_object_object_get_ex(ev->data, "status", &v))
        return json_object_get_string(v);
    return NULL;
}

/* Track a raw job's JOB_STATUS_CHANGE events; true at BLOCK_JOB_COMPLETED. */
static bool
benchRawJobEvent(RawQmpEvent *ev, gint64 *created, gint64 *pending,
                 gint64 *completedTs, gint64 *arrivalMono, gint64 *arrivalReal,
                 bool *failed)
{
    const char *st = benchRawJobStatus(ev);
    json_object *v;

    if (st) {
        if (g_str_equal(st, "created"))
            *created = ev->qemuUs;
        else if (g_str_equal(st, "pending"))
            *pending = ev->qemuUs;
        return false;
    }
    if (g_str_equal(ev->name, "BLOCK_JOB_COMPLETED")) {
        *failed = ev->data && json_object_object_get_ex(ev->data, "error", &v);
        *completedTs = ev->qemuUs;
        *arrivalMono = ev->arrivalMonoNs;
        *arrivalReal = ev->arrivalRealUs;
        return true;
    }
    return false;
}

static int
benchRawPull(BenchCtx *ctx, unsigned int mib, BenchPull *res)
{
    g_autofree char *name = benchName(ctx, "pull", BENCH_RAW);
    g_autofree char *imgDir = g_build_filename(ctx->work, "img", NULL);
    g_autofree char *base = NULL;
    g_autofree char *top = NULL;
    g_autofree char *cmd = benchRawStreamCmd(0);
    BenchRawVM vm = { 0 };
    gint64 created = -1, pending = -1, completed = -1, mono = 0, real = 0;
    bool failed = false;
    bool done = false;
    gint64 t0, t0Real;
    int ret = -1;

    if (benchMakeNamedChain(imgDir, name, mib, &base, &top) < 0 ||
        benchRawStart(ctx, name, base, top, &vm) < 0)
        goto cleanup;
    t0Real = g_get_real_time();
    t0 = benchNow(CLOCK_MONOTONIC);
    if (rawQmpCommand(vm.qmp, cmd, NULL, BENCH_QMP_TIMEOUT_MS) < 0)
        goto cleanup;
    while (!done) {
        g_autoptr(RawQmpEvent) ev = rawQmpNextEvent(vm.qmp, BENCH_EVENT_TIMEOUT_S * 1000);

        if (!ev) {
            g_printerr("bpbench: '%s': no BLOCK_JOB_COMPLETED in time\n", name);
            goto cleanup;
        }
        done = benchRawJobEvent(ev, &created, &pending, &completed, &mono, &real, &failed);
    }
    if (failed || created < 0 || pending < created) {
        g_printerr("bpbench: '%s': the raw job failed or its events are missing\n", name);
        goto cleanup;
    }
    res->wallMs = (mono - t0) / 1e6;
    res->beforeMs = (created - t0Real) / 1e3;
    res->afterMs = (real - pending) / 1e3;
    res->qemuMs = (pending - created) / 1e3;
    res->overMs = res->wallMs - res->qemuMs;
    res->latencyMs = (real - completed) / 1e3;
    res->revoked = false;
    ret = 0;

 cleanup:
    benchRawStop(&vm);
    benchRemoveChain(top);
    return ret;
}

/*
 * QEMU's floor of our finish: a raw client's pull that ends as ours does.
 * block-stream with auto-finalize and auto-dismiss off; at "pending" the
 * driver's own batch, pipelined (job-finalize, query-jobs, job-dismiss,
 * blockdev-del of the base's format and storage nodes: the revocation in
 * QEMU). *@latencyMs: QEMU's timestamp of "concluded" (the end our event
 * latency counts from) to the last reply; *@finishMs: its timestamp of
 * "pending" to the last reply. What our finish adds to it is ours: giving
 * the images back, the durable save, the event's dispatch.
 */
static int
benchRawRevokePull(BenchCtx *ctx, unsigned int mib, double *latencyMs, double *finishMs)
{
    g_autofree char *name = benchName(ctx, "floor", BENCH_RAW);
    g_autofree char *imgDir = g_build_filename(ctx->work, "img", NULL);
    g_autofree char *base = NULL;
    g_autofree char *top = NULL;
    g_autofree char *stream = g_strdup_printf(
        "{\"execute\": \"block-stream\", \"arguments\": {\"job-id\": \"%s\", "
        "\"device\": \"%s\", \"auto-finalize\": false, \"auto-dismiss\": false}}\n",
        BENCH_JOB_ID, BENCH_TOP_NODE);
    const char *finish[] = {
        "{\"execute\": \"job-finalize\", \"arguments\": {\"id\": \"" BENCH_JOB_ID "\"}}\n",
        "{\"execute\": \"query-jobs\"}\n",
        "{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"" BENCH_JOB_ID "\"}}\n",
        "{\"execute\": \"blockdev-del\", \"arguments\": {\"node-name\": \"libvirt-2-format\"}}\n",
        "{\"execute\": \"blockdev-del\", \"arguments\": {\"node-name\": \"libvirt-2-storage\"}}\n",
    };
    BenchRawVM vm = { 0 };
    gint64 pending = -1, concluded = -1, done;
    bool failed = false;
    int ret = -1;

    if (benchMakeNamedChain(imgDir, name, mib, &base, &top) < 0 ||
        benchRawStart(ctx, name, base, top, &vm) < 0 ||
        rawQmpCommand(vm.qmp, stream, NULL, BENCH_QMP_TIMEOUT_MS) < 0)
        goto cleanup;
    while (pending < 0) {
        g_autoptr(RawQmpEvent) ev = rawQmpNextEvent(vm.qmp, BENCH_EVENT_TIMEOUT_S * 1000);

        if (!ev) {
            g_printerr("bpbench: '%s': the job did not reach pending in time\n", name);
            goto cleanup;
        }
        if (g_strcmp0(benchRawJobStatus(ev), "pending") == 0)
            pending = ev->qemuUs;
    }
    for (size_t i = 0; i + 1 < G_N_ELEMENTS(finish); i++) {
        if (rawQmpSend(vm.qmp, finish[i]) < 0)
            goto cleanup;
    }
    if (rawQmpCommand(vm.qmp, finish[G_N_ELEMENTS(finish) - 1], NULL,
                      BENCH_QMP_TIMEOUT_MS) < 0)
        goto cleanup;
    done = g_get_real_time();
    if (rawQmpSkippedErrors(vm.qmp) > 0) {
        g_printerr("bpbench: '%s': QEMU refused a command of the finish\n", name);
        goto cleanup;
    }
    for (;;) {
        g_autoptr(RawQmpEvent) ev = rawQmpPopEvent(vm.qmp);
        json_object *v;

        if (!ev)
            break;
        if (g_strcmp0(benchRawJobStatus(ev), "concluded") == 0)
            concluded = ev->qemuUs;
        if (g_str_equal(ev->name, "BLOCK_JOB_COMPLETED"))
            failed = ev->data && json_object_object_get_ex(ev->data, "error", &v);
    }
    if (failed || concluded < pending) {
        g_printerr("bpbench: '%s': the raw job failed or its events are missing\n", name);
        goto cleanup;
    }
    *latencyMs = (done - concluded) / 1e3;
    *finishMs = (done - pending) / 1e3;
    ret = 0;

 cleanup:
    benchRawStop(&vm);
    benchRemoveChain(top);
    return ret;
}

/* One durable write as the driver saves a status file: a 4 KiB file
 * written, fsync()ed and renamed over the old one, in @dir. Its ms. */
static double
benchDurableWriteMs(const char *dir)
{
    g_autofree char *tmp = g_build_filename(dir, "bpbench-floor.xml.new", NULL);
    g_autofree char *path = g_build_filename(dir, "bpbench-floor.xml", NULL);
    char buf[4096];
    gint64 t0 = benchNow(CLOCK_MONOTONIC);
    bool ok;
    int fd;

    memset(buf, 'x', sizeof(buf));
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        g_printerr("bpbench: cannot create '%s': %s\n", tmp, g_strerror(errno));
        return NAN;
    }
    ok = write(fd, buf, sizeof(buf)) == (ssize_t) sizeof(buf) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        g_printerr("bpbench: cannot write '%s': %s\n", path, g_strerror(errno));
        return NAN;
    }
    return (benchNow(CLOCK_MONOTONIC) - t0) / 1e6;
}

/* ------------------------------------------------------------------ */
/* One pull through the driver                                          */
/* ------------------------------------------------------------------ */

static int
benchDriverPull(BenchCtx *ctx, BenchKind k, unsigned int mib, BenchPull *res)
{
    g_autofree char *name = benchName(ctx, "pull", k);
    g_autofree char *imgDir = g_build_filename(ctx->work, "img", NULL);
    g_autofree char *base = NULL;
    g_autofree char *top = NULL;
    virDomainPtr dom = NULL;
    BenchPullEvent ev;
    gint64 created, pending, concluded;
    gint64 t0, t0Real;
    int ret = -1;

    if (benchMakeNamedChain(imgDir, name, mib, &base, &top) < 0 ||
        !(dom = benchStart(ctx, k, name, top)) || benchTraceJobs(dom) < 0)
        goto cleanup;
    benchExpect(name, base);
    t0Real = g_get_real_time();
    t0 = benchNow(CLOCK_MONOTONIC);
    if (virDomainBlockPullAll(dom, "vda", 0) < 0) {
        g_printerr("bpbench: '%s': pull: %s\n", name, virGetLastErrorMessage());
        goto cleanup;
    }
    if (!benchWaitPull(name, &ev) || ev.status != VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        g_printerr("bpbench: '%s': the pull did not complete in time\n", name);
        goto cleanup;
    }
    if (benchJobTimes(ctx, k, name, &created, &pending, &concluded) < 0)
        goto cleanup;
    res->wallMs = (ev.mono - t0) / 1e6;
    res->beforeMs = (created - t0Real) / 1e3;
    res->afterMs = (ev.realUs - pending) / 1e3;
    res->qemuMs = (pending - created) / 1e3;
    res->overMs = res->wallMs - res->qemuMs;
    res->latencyMs = (ev.realUs - concluded) / 1e3;
    res->revoked = ev.revoked;
    ret = 0;

 cleanup:
    benchDestroy(dom);
    benchRemoveChain(top);
    return ret;
}

static int
benchPull(BenchCtx *ctx, BenchKind k, unsigned int mib, BenchPull *res)
{
    if (k == BENCH_RAW)
        return benchRawPull(ctx, mib, res);
    return benchDriverPull(ctx, k, mib, res);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
    char *cells[7];
} BenchRow;

static GPtrArray *benchRows;    /* BenchRow *; a NULL cells[1] marks a heading */

static void
benchRowFree(gpointer p)
{
    BenchRow *r = p;

    for (size_t i = 0; i < G_N_ELEMENTS(r->cells); i++)
        g_free(r->cells[i]);
    g_clear_pointer(&r, g_free);
}

static void
benchHeading(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
benchHeading(const char *fmt, ...)
{
    BenchRow *r = g_new0(BenchRow, 1);
    va_list ap;

    va_start(ap, fmt);
    r->cells[0] = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(benchRows, r);
}

static void
benchRow(const char *figure, const char *embed, const char *daemon,
         const char *raw, const char *ratio, const char *target, const char *met)
{
    BenchRow *r = g_new0(BenchRow, 1);

    r->cells[0] = g_strdup(figure);
    r->cells[1] = g_strdup(embed ? embed : "-");
    r->cells[2] = g_strdup(daemon ? daemon : "-");
    r->cells[3] = g_strdup(raw ? raw : "-");
    r->cells[4] = g_strdup(ratio ? ratio : "-");
    r->cells[5] = g_strdup(target ? target : "-");
    r->cells[6] = g_strdup(met ? met : "-");
    g_ptr_array_add(benchRows, r);
}

/* "median [min..max]" in ms */
static char *
benchFmtRange(BenchStat s)
{
    if (s.n == 0)
        return g_strdup("n/a");
    return g_strdup_printf("%.2f [%.2f..%.2f]", s.med, s.min, s.max);
}

static char *
benchFmtMedP99(BenchStat s)
{
    if (s.n == 0)
        return g_strdup("n/a");
    return g_strdup_printf("%.2f / %.2f", s.med, s.p99);
}

static const char *
benchYesNo(bool embed, bool daemon)
{
    if (embed && daemon)
        return "yes";
    if (!embed && !daemon)
        return "no";
    return embed ? "no (daemon)" : "no (embed)";
}

static void
benchPrintTable(BenchCtx *ctx)
{
    static const char *const head[7] = {
        "figure", "embed", "daemon", "raw baseline", "ratio", "target", "met?"
    };
    size_t width[7];
    struct utsname un;
    g_autofree char *cpu = NULL;
    g_autofree char *cpuinfo = NULL;
    GDateTime *now = g_date_time_new_now_utc();
    g_autofree char *when = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");
    double load[3] = { NAN, NAN, NAN };

    g_date_time_unref(now);
    if (g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
        const char *p = strstr(cpuinfo, "model name");

        if (p && (p = strchr(p, ':'))) {
            cpu = g_strndup(p + 2, strcspn(p + 2, "\n"));
        }
    }
    if (getloadavg(load, 3) < 0)
        load[0] = NAN;
    uname(&un);

    for (size_t c = 0; c < 7; c++)
        width[c] = strlen(head[c]);
    for (guint i = 0; i < benchRows->len; i++) {
        BenchRow *r = g_ptr_array_index(benchRows, i);

        if (!r->cells[1])
            continue;
        for (size_t c = 0; c < 7; c++)
            width[c] = MAX(width[c], strlen(r->cells[c]));
    }

    printf("\n");
    printf("bpbench, %s: %u CPUs (%s), %s %s, QEMU %s (TCG), %d runs, "
           "load average %.2f when the table was printed%s.\n\n",
           when, g_get_num_processors(), cpu ? cpu : "?", un.sysname, un.release,
           ctx->qemuVersion ? ctx->qemuVersion : "?", ctx->runs, load[0],
           ctx->quick ? ", --quick (a quick look, not a result)" : "");
    for (size_t c = 0; c < 7; c++)
        printf("| %-*s ", (int) width[c], head[c]);
    printf("|\n");
    for (size_t c = 0; c < 7; c++) {
        printf("|");
        for (size_t j = 0; j < width[c] + 2; j++)
            putchar('-');
    }
    printf("|\n");
    for (guint i = 0; i < benchRows->len; i++) {
        BenchRow *r = g_ptr_array_index(benchRows, i);

        if (!r->cells[1]) {
            g_autofree char *h = g_strdup_printf("**%s**", r->cells[0]);

            printf("| %-*s ", (int) width[0], h);
            for (size_t c = 1; c < 7; c++)
                printf("| %-*s ", (int) width[c], "");
            printf("|\n");
            continue;
        }
        for (size_t c = 0; c < 7; c++)
            printf("| %-*s ", (int) width[c], r->cells[c]);
        printf("|\n");
    }
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Pull overhead and event latency                                      */
/* ------------------------------------------------------------------ */

static int
benchPullRows(BenchCtx *ctx)
{
    benchHeading("Pull: median [min..max] of %d runs per kind, ms; fresh chains, "
                 "guest paused, kinds interleaved in rotated order", ctx->runs);
    for (guint s = 0; s < ctx->sizes->len; s++) {
        unsigned int mib = g_array_index(ctx->sizes, unsigned int, s);
        g_auto(BenchSeries) wall = { { NULL } };
        g_auto(BenchSeries) qemu = { { NULL } };
        g_auto(BenchSeries) over = { { NULL } };
        /* before.v[k]: the call to QEMU's created; before.v[BENCH_KINDS + k]:
         * QEMU's pending to the callback */
        g_auto(BenchSeries) parts = { { NULL } };
        BenchStat sw[BENCH_KINDS], sq[BENCH_KINDS], so[BENCH_KINDS];
        BenchStat sb[BENCH_KINDS], sa[BENCH_KINDS];
        g_autofree char *fig = NULL;
        g_autofree char *e = NULL;
        g_autofree char *d = NULL;
        g_autofree char *r = NULL;
        g_autofree char *ratio = NULL;
        g_autofree char *size = mib % 1024 ? g_strdup_printf("%u MiB", mib) :
            g_strdup_printf("%u GiB", mib / 1024);
        double de, dd;

        benchSeriesInit(&wall);
        benchSeriesInit(&qemu);
        benchSeriesInit(&over);
        benchSeriesInit(&parts);
        for (int run = 0; run < ctx->runs; run++) {
            for (int j = 0; j < BENCH_KINDS; j++) {
                int k = (j + run) % BENCH_KINDS;
                BenchPull p;

                if (benchPull(ctx, k, mib, &p) < 0)
                    return -1;
                g_array_append_val(wall.v[k], p.wallMs);
                g_array_append_val(qemu.v[k], p.qemuMs);
                g_array_append_val(over.v[k], p.overMs);
                g_array_append_val(parts.v[k], p.beforeMs);
                g_array_append_val(parts.v[BENCH_KINDS + k], p.afterMs);
                g_printerr("# %s run %d/%d %-6s: total %.2f ms, QEMU's job %.2f ms, "
                           "overhead %.2f ms (%.2f before the job, %.2f after)\n",
                           size, run + 1, ctx->runs, benchKindName[k], p.wallMs,
                           p.qemuMs, p.overMs, p.beforeMs, p.afterMs);
            }
        }
        for (int k = 0; k < BENCH_KINDS; k++) {
            sw[k] = benchStatArray(wall.v[k]);
            sq[k] = benchStatArray(qemu.v[k]);
            so[k] = benchStatArray(over.v[k]);
            sb[k] = benchStatArray(parts.v[k]);
            sa[k] = benchStatArray(parts.v[BENCH_KINDS + k]);
        }
        fig = g_strdup_printf("%s: total, call to event", size);
        e = benchFmtRange(sw[BENCH_EMBED]);
        d = benchFmtRange(sw[BENCH_DAEMON]);
        r = benchFmtRange(sw[BENCH_RAW]);
        ratio = g_strdup_printf("%.2fx / %.2fx", sw[BENCH_EMBED].med / sw[BENCH_RAW].med,
                                sw[BENCH_DAEMON].med / sw[BENCH_RAW].med);
        benchRow(fig, e, d, r, ratio, NULL, NULL);
        g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free);
        fig = g_strdup_printf("%s: QEMU's job (created to pending)", size);
        e = benchFmtRange(sq[BENCH_EMBED]);
        d = benchFmtRange(sq[BENCH_DAEMON]);
        r = benchFmtRange(sq[BENCH_RAW]);
        benchRow(fig, e, d, r, NULL, NULL, NULL);
        g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
        fig = g_strdup_printf("%s: overhead (total - QEMU's job)", size);
        e = benchFmtRange(so[BENCH_EMBED]);
        d = benchFmtRange(so[BENCH_DAEMON]);
        r = benchFmtRange(so[BENCH_RAW]);
        de = so[BENCH_EMBED].med - so[BENCH_RAW].med;
        dd = so[BENCH_DAEMON].med - so[BENCH_RAW].med;
        ratio = g_strdup_printf("%+.2f / %+.2f ms", de, dd);
        benchRow(fig, e, d, r, ratio, "<= raw + 2 ms", benchYesNo(de <= 2.0, dd <= 2.0));
        g_clear_pointer(&fig, g_free);
        g_clear_pointer(&e, g_free);
        g_clear_pointer(&d, g_free);
        g_clear_pointer(&r, g_free);
        fig = g_strdup_printf("%s: of it, the call to QEMU's created", size);
        e = benchFmtRange(sb[BENCH_EMBED]);
        d = benchFmtRange(sb[BENCH_DAEMON]);
        r = benchFmtRange(sb[BENCH_RAW]);
        benchRow(fig, e, d, r, NULL, NULL, NULL);
        g_clear_pointer(&fig, g_free);
        g_clear_pointer(&e, g_free);
        g_clear_pointer(&d, g_free);
        g_clear_pointer(&r, g_free);
        fig = g_strdup_printf("%s: of it, QEMU's pending to the event", size);
        e = benchFmtRange(sa[BENCH_EMBED]);
        d = benchFmtRange(sa[BENCH_DAEMON]);
        r = benchFmtRange(sa[BENCH_RAW]);
        benchRow(fig, e, d, r, NULL, NULL, NULL);
    }
    return 0;
}

static int
benchLatencyRows(BenchCtx *ctx)
{
    g_auto(BenchSeries) lat = { { NULL } };
    int revoked[BENCH_KINDS] = { 0 };
    BenchStat s[BENCH_KINDS];
    g_autofree char *e = NULL;
    g_autofree char *d = NULL;
    g_autofree char *r = NULL;
    g_autofree char *fig = NULL;

    /* floor.v[0]: the raw client's finish, QEMU's end to its last reply;
     * floor.v[1]: its pending to the last reply; floor.v[2]: a durable
     * write in the embed root's state directory */
    g_auto(BenchSeries) floor = { { NULL } };
    g_autofree char *stateDir = g_build_filename(ctx->root[BENCH_EMBED], "run", "qemu", NULL);
    BenchStat fl[3];

    benchSeriesInit(&lat);
    benchSeriesInit(&floor);
    for (int run = 0; run < ctx->latencyPulls; run++) {
        double fLat, fFin, fSave;

        for (int j = 0; j < BENCH_KINDS + 1; j++) {
            int k = (j + run) % (BENCH_KINDS + 1);
            BenchPull p;

            if (k == BENCH_KINDS) {
                /* the floor, interleaved with the others */
                if (benchRawRevokePull(ctx, BENCH_LATENCY_MIB, &fLat, &fFin) < 0)
                    return -1;
                g_array_append_val(floor.v[0], fLat);
                g_array_append_val(floor.v[1], fFin);
                continue;
            }
            if (benchPull(ctx, k, BENCH_LATENCY_MIB, &p) < 0)
                return -1;
            g_array_append_val(lat.v[k], p.latencyMs);
            revoked[k] += p.revoked;
        }
        if (isnan(fSave = benchDurableWriteMs(stateDir)))
            return -1;
        g_array_append_val(floor.v[2], fSave);
        g_printerr("# event latency pull %d/%d done\n", run + 1, ctx->latencyPulls);
    }
    for (int k = 0; k < BENCH_KINDS; k++)
        s[k] = benchStatArray(lat.v[k]);
    for (int i = 0; i < 3; i++)
        fl[i] = benchStatArray(floor.v[i]);
    benchHeading("Event latency: QEMU's timestamp of the job's end to the callback, "
                 "%d pulls of %d MiB per kind, ms", ctx->latencyPulls, BENCH_LATENCY_MIB);
    e = g_strdup_printf("%.2f", s[BENCH_EMBED].med);
    d = g_strdup_printf("%.2f", s[BENCH_DAEMON].med);
    r = g_strdup_printf("%.2f", s[BENCH_RAW].med);
    benchRow("median", e, d, r, NULL, "<= 2 ms",
             benchYesNo(s[BENCH_EMBED].med <= 2.0, s[BENCH_DAEMON].med <= 2.0));
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free);
    e = g_strdup_printf("%.2f", s[BENCH_EMBED].p99);
    d = g_strdup_printf("%.2f", s[BENCH_DAEMON].p99);
    r = g_strdup_printf("%.2f", s[BENCH_RAW].p99);
    fig = g_strdup_printf("p99 (nearest rank of %d)", ctx->latencyPulls);
    benchRow(fig, e, d, r, NULL, "<= 5 ms",
             benchYesNo(s[BENCH_EMBED].p99 <= 5.0, s[BENCH_DAEMON].p99 <= 5.0));
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
    e = g_strdup_printf("%d of %d", revoked[BENCH_EMBED], ctx->latencyPulls);
    d = g_strdup_printf("%d of %d", revoked[BENCH_DAEMON], ctx->latencyPulls);
    benchRow("base given back before the callback", e, d, "(does not revoke)", NULL,
             "all", benchYesNo(revoked[BENCH_EMBED] == ctx->latencyPulls,
                               revoked[BENCH_DAEMON] == ctx->latencyPulls));
    g_clear_pointer(&r, g_free);
    r = benchFmtMedP99(fl[0]);
    benchRow("floor: raw client's same finish, QEMU's end to last reply, med / p99",
             NULL, NULL, r, NULL, NULL, NULL);
    g_clear_pointer(&r, g_free);
    r = benchFmtMedP99(fl[1]);
    benchRow("floor: the same from QEMU's pending, med / p99", NULL, NULL, r, NULL,
             NULL, NULL);
    g_clear_pointer(&r, g_free);
    r = benchFmtMedP99(fl[2]);
    benchRow("floor: one durable 4 KiB save (fsync), med / p99", NULL, NULL, r, NULL, NULL, NULL);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Step-wise pull                                                       */
/* ------------------------------------------------------------------ */

/* One pull of a BENCH_STEP_MIB chain: by steps (@steps: each call's ms
 * appended) or with virDomainBlockPullAll. The total to the callback. */
static int
benchStepPull(BenchCtx *ctx, BenchKind k, bool bySteps, GArray *steps, double *totalMs)
{
    g_autofree char *name = benchName(ctx, bySteps ? "steps" : "pullall", k);
    g_autofree char *imgDir = g_build_filename(ctx->work, "img", NULL);
    g_autofree char *base = NULL;
    g_autofree char *top = NULL;
    virDomainPtr dom = NULL;
    BenchPullEvent ev;
    gint64 t0;
    int ret = -1;

    if (benchMakeNamedChain(imgDir, name, BENCH_STEP_MIB, &base, &top) < 0 ||
        !(dom = benchStart(ctx, k, name, top)))
        goto cleanup;
    benchExpect(name, base);
    t0 = benchNow(CLOCK_MONOTONIC);
    if (bySteps) {
        for (int i = 0; i < 100000; i++) {
            virDomainBlockPullInfo info = { 0 };
            gint64 s0 = benchNow(CLOCK_MONOTONIC);
            double ms;

            if (virDomainBlockPull(dom, "vda", &info, 0) < 0) {
                g_printerr("bpbench: '%s': step: %s\n", name, virGetLastErrorMessage());
                goto cleanup;
            }
            ms = (benchNow(CLOCK_MONOTONIC) - s0) / 1e6;
            g_array_append_val(steps, ms);
            if (info.end > 0 && info.cur >= info.end)
                break;
        }
    } else if (virDomainBlockPullAll(dom, "vda", 0) < 0) {
        g_printerr("bpbench: '%s': pull: %s\n", name, virGetLastErrorMessage());
        goto cleanup;
    }
    if (!benchWaitPull(name, &ev) || ev.status != VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        g_printerr("bpbench: '%s': the pull did not complete in time\n", name);
        goto cleanup;
    }
    *totalMs = (ev.mono - t0) / 1e6;
    ret = 0;

 cleanup:
    benchDestroy(dom);
    benchRemoveChain(top);
    return ret;
}

static int
benchStepRows(BenchCtx *ctx)
{
    /* whole.v[k]: by steps, whole.v[BENCH_KINDS + k]: by PullAll */
    g_auto(BenchSeries) whole = { { NULL } };
    g_auto(BenchSeries) steps = { { NULL } };
    BenchStat sw[BENCH_KINDS][2];
    BenchStat ss[BENCH_KINDS];
    g_autofree char *e = NULL;
    g_autofree char *d = NULL;
    g_autofree char *ratio = NULL;

    benchSeriesInit(&whole);
    benchSeriesInit(&steps);
    for (int run = 0; run < ctx->runs; run++) {
        /* embed steps, embed all, daemon steps, daemon all, rotated */
        for (int j = 0; j < 4; j++) {
            int w = (j + run) % 4;
            BenchKind k = w / 2 ? BENCH_DAEMON : BENCH_EMBED;
            bool bySteps = w % 2 == 0;
            double ms;

            if (benchStepPull(ctx, k, bySteps, steps.v[k], &ms) < 0)
                return -1;
            g_array_append_val(whole.v[bySteps ? k : BENCH_KINDS + k], ms);
        }
        g_printerr("# step-wise run %d/%d done\n", run + 1, ctx->runs);
    }
    for (int k = BENCH_EMBED; k < BENCH_KINDS; k++) {
        sw[k][0] = benchStatArray(whole.v[k]);
        sw[k][1] = benchStatArray(whole.v[BENCH_KINDS + k]);
        ss[k] = benchStatArray(steps.v[k]);
    }
    benchHeading("Step-wise pull: %d MiB chains, %d runs, ms (steps are capped at "
                 "5 MiB/s by design)", BENCH_STEP_MIB, ctx->runs);
    e = benchFmtRange(sw[BENCH_EMBED][0]);
    d = benchFmtRange(sw[BENCH_DAEMON][0]);
    ratio = g_strdup_printf("%.2fx / %.2fx of PullAll",
                            sw[BENCH_EMBED][0].med / sw[BENCH_EMBED][1].med,
                            sw[BENCH_DAEMON][0].med / sw[BENCH_DAEMON][1].med);
    benchRow("whole pull by steps", e, d, "n/a", ratio, NULL, NULL);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
    e = benchFmtRange(sw[BENCH_EMBED][1]);
    d = benchFmtRange(sw[BENCH_DAEMON][1]);
    benchRow("the same chain by PullAll", e, d, "n/a", NULL, NULL, NULL);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
    e = benchFmtMedP99(ss[BENCH_EMBED]);
    d = benchFmtMedP99(ss[BENCH_DAEMON]);
    g_clear_pointer(&ratio, g_free);
    ratio = g_strdup_printf("%zu / %zu calls", ss[BENCH_EMBED].n, ss[BENCH_DAEMON].n);
    benchRow("one step call, p50 / p99", e, d, "n/a", ratio, NULL, NULL);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Info calls per second                                                */
/* ------------------------------------------------------------------ */

typedef struct {
    BenchKind kind;
    const char *uri;            /* NULL: use @conn */
    virConnectPtr conn;
    const char *name;
    RawQmp *qmp;                /* raw */
    bool rpcOnly;               /* a call that needs no QEMU (virDomainGetState) */
    gint64 until;
    GMutex *startLock;
    GCond *startCond;
    int *ready;
    bool *go;
    long calls;
    bool failed;
} BenchInfoThread;

static gpointer
benchInfoRun(gpointer opaque)
{
    static const char query[] = "{\"execute\": \"query-block-jobs\"}\n";
    BenchInfoThread *t = opaque;
    virConnectPtr conn = t->conn;
    virDomainPtr dom = NULL;

    if (t->kind != BENCH_RAW) {
        if (t->uri && !(conn = virConnectOpen(t->uri)))
            t->failed = true;
        else if (!(dom = virDomainLookupByName(conn, t->name)))
            t->failed = true;
        if (t->failed)
            g_printerr("bpbench: '%s': %s\n", t->name, virGetLastErrorMessage());
    }
    g_mutex_lock(t->startLock);
    (*t->ready)++;
    g_cond_broadcast(t->startCond);
    while (!*t->go)
        g_cond_wait(t->startCond, t->startLock);
    g_mutex_unlock(t->startLock);
    while (!t->failed && g_get_monotonic_time() < t->until) {
        if (t->kind == BENCH_RAW) {
            json_object *ret = NULL;

            if (rawQmpCommand(t->qmp, query, &ret, BENCH_QMP_TIMEOUT_MS) < 0 ||
                json_object_array_length(ret) != 1) {
                g_printerr("bpbench: raw '%s': no job to query\n", t->name);
                t->failed = true;
            }
            if (ret)
                json_object_put(ret);
        } else if (t->rpcOnly) {
            int state;
            int reason;

            if (virDomainGetState(dom, &state, &reason, 0) < 0) {
                g_printerr("bpbench: '%s': no state: %s\n", t->name,
                           virGetLastErrorMessage());
                t->failed = true;
            }
        } else {
            virDomainBlockPullInfo info;

            if (virDomainGetBlockPullInfo(dom, "vda", &info, 0) < 0 || info.end == 0) {
                g_printerr("bpbench: '%s': no pull info: %s\n", t->name,
                           virGetLastErrorMessage());
                t->failed = true;
            }
        }
        if (!t->failed)
            t->calls++;
    }
    if (dom)
        virDomainFree(dom);
    if (t->uri && conn)
        virConnectClose(conn);
    return NULL;
}

/* One slice of @ms: @n threads, thread i asking about domain i (with
 * @rpcOnly, a call that needs no QEMU); adds the calls made to *@calls and
 * the time they took, in s, to *@secs. Returns -1 if a call failed. */
static int
benchInfoSlice(BenchCtx *ctx, BenchKind k, bool rpcOnly, char **names, BenchRawVM *raw,
               int n, int ms, double *calls, double *secs)
{
    g_autofree BenchInfoThread *t = g_new0(BenchInfoThread, n);
    g_autofree GThread **th = g_new0(GThread *, n);
    GMutex startLock;
    GCond startCond;
    int ready = 0;
    bool go = false;
    gint64 t0, t1;
    long total = 0;
    bool failed = false;

    g_mutex_init(&startLock);
    g_cond_init(&startCond);
    for (int i = 0; i < n; i++) {
        t[i].kind = k;
        t[i].rpcOnly = rpcOnly;
        t[i].uri = n > 1 ? ctx->uri[k] : NULL;
        t[i].conn = ctx->conn[k];
        t[i].name = names[i];
        t[i].qmp = raw ? raw[i].qmp : NULL;
        t[i].startLock = &startLock;
        t[i].startCond = &startCond;
        t[i].ready = &ready;
        t[i].go = &go;
        t[i].until = G_MAXINT64;
    }
    for (int i = 0; i < n; i++)
        th[i] = g_thread_new("bench-info", benchInfoRun, &t[i]);
    g_mutex_lock(&startLock);
    while (ready < n)
        g_cond_wait(&startCond, &startLock);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++)
        t[i].until = t0 + (gint64) ms * 1000;
    go = true;
    g_cond_broadcast(&startCond);
    g_mutex_unlock(&startLock);
    for (int i = 0; i < n; i++) {
        g_thread_join(th[i]);
        total += t[i].calls;
        failed |= t[i].failed;
    }
    t1 = g_get_monotonic_time();
    g_cond_clear(&startCond);
    g_mutex_clear(&startLock);
    *calls += total;
    *secs += (t1 - t0) / 1e6;
    return failed ? -1 : 0;
}

static int
benchInfoRows(BenchCtx *ctx)
{
    g_autofree char *imgDir = g_build_filename(ctx->work, "info", NULL);
    g_autofree char *cmd = benchRawStreamCmd(BENCH_SLOW_SPEED);
    g_autoptr(GPtrArray) doms = g_ptr_array_new();
    g_autoptr(GPtrArray) tops = g_ptr_array_new_with_free_func(g_free);
    BenchRawVM raw[BENCH_CLIENTS] = { 0 };
    char *names[BENCH_KINDS][BENCH_CLIENTS] = { { NULL } };
    double calls[2][BENCH_KINDS] = { { 0 } };
    double secs[2][BENCH_KINDS] = { { 0 } };
    double rate1[BENCH_KINDS];
    double rate8[BENCH_KINDS];
    double rpcCalls = 0;
    double rpcSecs = 0;
    double rpcRate;
    double floorRate;
    int rounds = ctx->infoSeconds * 1000 / BENCH_INFO_SLICE_MS;
    g_autofree char *e = NULL;
    g_autofree char *d = NULL;
    g_autofree char *r = NULL;
    g_autofree char *ratio = NULL;
    g_autofree char *fig = NULL;
    int ret = -1;

    /* A slow pull on each of 8 domains of each kind, all at once: a job to
     * ask about, and the same load on the machine whichever kind asks. */
    for (int j = 0; j < BENCH_KINDS; j++) {
        BenchKind k = (BenchKind) j;

        for (int i = 0; i < BENCH_CLIENTS; i++) {
            g_autofree char *base = NULL;
            g_autofree char *top = NULL;

            names[k][i] = benchName(ctx, "info", k);
            if (benchMakeNamedChain(imgDir, names[k][i], 16, &base, &top) < 0)
                goto cleanup;
            if (k == BENCH_RAW) {
                if (benchRawStart(ctx, names[k][i], base, top, &raw[i]) < 0 ||
                    rawQmpCommand(raw[i].qmp, cmd, NULL, BENCH_QMP_TIMEOUT_MS) < 0)
                    goto cleanup;
            } else {
                virDomainPtr dom = benchStart(ctx, k, names[k][i], top);

                if (!dom)
                    goto cleanup;
                g_ptr_array_add(doms, dom);
                if (virDomainBlockRebase(dom, "vda", NULL, BENCH_SLOW_SPEED,
                                         VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) < 0) {
                    g_printerr("bpbench: '%s': pull: %s\n", names[k][i],
                               virGetLastErrorMessage());
                    goto cleanup;
                }
            }
            g_ptr_array_add(tops, g_steal_pointer(&top));
        }
    }

    /* The kinds take turns in short slices, in rotated order, so that a
     * change in the machine's speed over the run falls on all of them. */
    for (int round = 0; round < MAX(rounds, 1); round++) {
        for (int w = 0; w < 2; w++) {
            for (int j = 0; j < BENCH_KINDS; j++) {
                BenchKind k = (BenchKind) ((j + round) % BENCH_KINDS);

                if (benchInfoSlice(ctx, k, false, names[k], k == BENCH_RAW ? raw : NULL,
                                   w == 0 ? 1 : BENCH_CLIENTS, BENCH_INFO_SLICE_MS,
                                   &calls[w][k], &secs[w][k]) < 0)
                    goto cleanup;
            }
        }
        /* the daemon's own round trip, without QEMU: its floor */
        if (benchInfoSlice(ctx, BENCH_DAEMON, true, names[BENCH_DAEMON], NULL, 1,
                           BENCH_INFO_SLICE_MS, &rpcCalls, &rpcSecs) < 0)
            goto cleanup;
    }
    for (int k = 0; k < BENCH_KINDS; k++) {
        rate1[k] = calls[0][k] / secs[0][k];
        rate8[k] = calls[1][k] / secs[1][k];
        g_printerr("# info calls/s %s: 1 domain %.0f, %d domains %.0f\n",
                   benchKindName[k], rate1[k], BENCH_CLIENTS, rate8[k]);
    }

    benchHeading("Info calls per second (GetBlockPullInfo; raw: query-block-jobs), "
                 "%d s each in slices of %d ms, kinds taking turns, a throttled pull "
                 "running on every domain", MAX(rounds, 1) * BENCH_INFO_SLICE_MS / 1000,
                 BENCH_INFO_SLICE_MS);
    e = g_strdup_printf("%.0f", rate1[BENCH_EMBED]);
    d = g_strdup_printf("%.0f", rate1[BENCH_DAEMON]);
    r = g_strdup_printf("%.0f", rate1[BENCH_RAW]);
    ratio = g_strdup_printf("%.2fx / %.2fx", rate1[BENCH_EMBED] / rate1[BENCH_RAW],
                            rate1[BENCH_DAEMON] / rate1[BENCH_RAW]);
    benchRow("1 thread, 1 domain", e, d, r, ratio, ">= 0.9x raw",
             benchYesNo(rate1[BENCH_EMBED] >= 0.9 * rate1[BENCH_RAW],
                        rate1[BENCH_DAEMON] >= 0.9 * rate1[BENCH_RAW]));
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
    e = g_strdup_printf("%.0f (%.2fx of 1)", rate8[BENCH_EMBED],
                        rate8[BENCH_EMBED] / rate1[BENCH_EMBED]);
    d = g_strdup_printf("%.0f (%.2fx of 1)", rate8[BENCH_DAEMON],
                        rate8[BENCH_DAEMON] / rate1[BENCH_DAEMON]);
    r = g_strdup_printf("%.0f (%.2fx of 1)", rate8[BENCH_RAW],
                        rate8[BENCH_RAW] / rate1[BENCH_RAW]);
    ratio = g_strdup_printf("%.2fx / %.2fx", rate8[BENCH_EMBED] / rate8[BENCH_RAW],
                            rate8[BENCH_DAEMON] / rate8[BENCH_RAW]);
    fig = g_strdup_printf("%d threads, %d domains, aggregate", BENCH_CLIENTS, BENCH_CLIENTS);
    benchRow(fig, e, d, r, ratio, ">= 0.9x raw (scales)",
             benchYesNo(rate8[BENCH_EMBED] >= 0.9 * rate8[BENCH_RAW],
                        rate8[BENCH_DAEMON] >= 0.9 * rate8[BENCH_RAW]));
    /* Through the daemon a call is two round trips, the daemon's and
     * QEMU's: the best it can do is the two times added. */
    rpcRate = rpcCalls / rpcSecs;
    floorRate = 1 / (1 / rpcRate + 1 / rate1[BENCH_RAW]);
    g_clear_pointer(&d, g_free); g_clear_pointer(&ratio, g_free);
    d = g_strdup_printf("%.0f", rpcRate);
    benchRow("daemon alone: a call that needs no QEMU (GetState), 1 thread",
             "-", d, "-", "-", "-", "-");
    g_clear_pointer(&d, g_free);
    d = g_strdup_printf("%.0f (%.2fx raw)", floorRate, floorRate / rate1[BENCH_RAW]);
    ratio = g_strdup_printf("%.2fx of it", rate1[BENCH_DAEMON] / floorRate);
    benchRow("daemon floor, 1 domain: 1 / (1 / GetState + 1 / raw)",
             "-", d, "-", ratio, "-", "-");
    ret = 0;

 cleanup:
    benchDestroyAll(doms);
    for (int i = 0; i < BENCH_CLIENTS; i++) {
        benchRawStop(&raw[i]);
        for (int k = 0; k < BENCH_KINDS; k++)
            g_free(names[k][i]);
    }
    for (guint i = 0; i < tops->len; i++)
        benchRemoveChain(g_ptr_array_index(tops, i));
    benchRemoveTree(imgDir);
    return ret;
}

/* ------------------------------------------------------------------ */
/* virsh as a new process                                               */
/* ------------------------------------------------------------------ */

/* Ms of one run of @argv (with ctx->virshEnv), its output thrown away;
 * NAN if it failed. */
static double
benchSpawnOnceMs(BenchCtx *ctx, const char *const *argv)
{
    gint64 t0 = benchNow(CLOCK_MONOTONIC);
    g_autoptr(GError) err = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **) argv, ctx->virshEnv,
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, &err) ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_printerr("bpbench: '%s %s %s %s' failed\n", argv[0],
                   argv[1] ? argv[1] : "", argv[1] && argv[2] ? argv[2] : "",
                   argv[1] && argv[2] && argv[3] ? argv[3] : "");
        return NAN;
    }
    return (benchNow(CLOCK_MONOTONIC) - t0) / 1e6;
}

/* Median ms of ctx->virshRuns runs of @argv; NAN if one failed. */
static double
benchSpawnMs(BenchCtx *ctx, const char *const *argv)
{
    g_autofree double *v = g_new0(double, ctx->virshRuns);

    for (int i = 0; i < ctx->virshRuns; i++) {
        if (isnan(v[i] = benchSpawnOnceMs(ctx, argv)))
            return NAN;
    }
    return benchMedian(v, ctx->virshRuns);
}

/* virsh as a new process on an embed root, as one-shot scripts use it:
 * each process takes over the domains that earlier virsh processes
 * started there (paused, by `virsh create --paused`) and left running.
 * For each of the @n @counts of running domains, the medians of `list`
 * and `version`. Returns 0 or -1. */
static int
benchVirshEmbed(BenchCtx *ctx, const int *counts, int n, double *list, double *version)
{
    g_autofree char *uri = NULL;
    g_autofree char *xmlPath = g_build_filename(ctx->work, "virsh-domain.xml", NULL);
    g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    int ret = -1;

    benchVirshRoot = g_build_filename(ctx->work, "root-virsh", NULL);
    uri = g_strdup_printf("qemu:///embed?root=%s", benchVirshRoot);
    for (int i = 0; i < n; i++) {
        const char *listArgv[] = { ctx->virsh, "-c", uri, "list", NULL };
        const char *versionArgv[] = { ctx->virsh, "-c", uri, "version", NULL };

        while ((int) pids->len < counts[i]) {
            g_autofree char *name = g_strdup_printf("virsh-%u", pids->len);
            g_autofree char *xml = benchDomainXML(name, NULL);
            g_autofree char *pidFile = g_strdup_printf("%s/run/qemu/%s.pid",
                                                       benchVirshRoot, name);
            const char *createArgv[] = { ctx->virsh, "-c", uri, "create", xmlPath,
                                         "--paused", NULL };
            pid_t pid;

            if (!g_file_set_contents(xmlPath, xml, -1, NULL) ||
                isnan(benchSpawnOnceMs(ctx, createArgv)) ||
                (pid = benchReadPid(pidFile)) <= 0)
                goto cleanup;
            benchPidAdd(pid);
            g_array_append_val(pids, pid);
        }
        list[i] = benchSpawnMs(ctx, listArgv);
        version[i] = benchSpawnMs(ctx, versionArgv);
    }
    ret = 0;

 cleanup:
    for (guint i = 0; i < pids->len; i++) {
        pid_t pid = g_array_index(pids, pid_t, i);

        kill(pid, SIGKILL);
        benchPidRemove(pid);
    }
    return ret;
}

typedef struct {
    double list;
    double version;
    long rssKiB[BENCH_KINDS];   /* of the host of the driver */
} BenchAtCount;

static void
benchMeasureAt(BenchCtx *ctx, BenchKind k, BenchAtCount *at)
{
    pid_t host = k == BENCH_EMBED ? getpid() : ctx->daemon;

    at->rssKiB[k] = benchRssKiB(host);
    if (k == BENCH_DAEMON) {
        const char *list[] = { ctx->virsh, "-c", ctx->uri[BENCH_DAEMON], "list", NULL };
        const char *version[] = { ctx->virsh, "-c", ctx->uri[BENCH_DAEMON], "version", NULL };

        at->list = benchSpawnMs(ctx, list);
        at->version = benchSpawnMs(ctx, version);
    }
}

/* ------------------------------------------------------------------ */
/* Many domains: concurrent pulls, RSS, idle CPU                        */
/* ------------------------------------------------------------------ */

typedef struct {
    double lastEventMs;         /* first call to the last event */
    double slowestJobMs;        /* longest created to pending */
    double qemuDoneMs;          /* first call to the last job's pending */
    int completed;              /* domains with exactly one COMPLETED */
    int n;
} BenchConcurrent;

static int
benchConcurrentDriver(BenchCtx *ctx, BenchKind k, GPtrArray *doms, BenchConcurrent *c)
{
    g_autofree char *imgDir = g_build_filename(ctx->work, "many", NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    gint64 t0, t0Real, last = 0, lastPending = 0;
    double slowest = 0;

    c->n = ctx->domains;
    for (int i = 0; i < ctx->domains; i++) {
        g_autofree char *name = benchName(ctx, "many", k);
        g_autofree char *base = NULL;
        g_autofree char *top = NULL;
        virDomainPtr dom;

        if (benchMakeNamedChain(imgDir, name, ctx->concurrentMiB, &base, &top) < 0 ||
            !(dom = benchStart(ctx, k, name, top)))
            return -1;
        g_ptr_array_add(doms, dom);
        if (benchTraceJobs(dom) < 0)
            return -1;
        benchExpect(name, base);
        g_ptr_array_add(names, g_steal_pointer(&name));
    }
    t0Real = g_get_real_time();
    t0 = benchNow(CLOCK_MONOTONIC);
    for (guint i = 0; i < doms->len; i++) {
        if (virDomainBlockPullAll(g_ptr_array_index(doms, i), "vda", 0) < 0) {
            g_printerr("bpbench: '%s': pull: %s\n", (char *) g_ptr_array_index(names, i),
                       virGetLastErrorMessage());
            return -1;
        }
    }
    for (guint i = 0; i < names->len; i++) {
        BenchPullEvent ev;

        if (!benchWaitPull(g_ptr_array_index(names, i), &ev)) {
            g_printerr("bpbench: '%s': no event in time\n",
                       (char *) g_ptr_array_index(names, i));
            return -1;
        }
        last = MAX(last, ev.mono);
    }
    /* any second event would come now */
    g_usleep(500 * 1000);
    c->completed = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        gint64 created, pending, concluded;
        BenchPullEvent *e;

        g_mutex_lock(&benchEvLock);
        e = g_hash_table_lookup(benchEv, name);
        if (e->count == 1 && e->status == VIR_DOMAIN_BLOCK_PULL_COMPLETED)
            c->completed++;
        g_mutex_unlock(&benchEvLock);
        if (benchJobTimes(ctx, k, name, &created, &pending, &concluded) < 0)
            return -1;
        slowest = MAX(slowest, (pending - created) / 1e3);
        lastPending = MAX(lastPending, pending);
    }
    c->lastEventMs = (last - t0) / 1e6;
    c->slowestJobMs = slowest;
    c->qemuDoneMs = (lastPending - t0Real) / 1e3;
    return 0;
}

static int
benchConcurrentRaw(BenchCtx *ctx, BenchConcurrent *c)
{
    g_autofree char *imgDir = g_build_filename(ctx->work, "many", NULL);
    g_autofree char *cmd = benchRawStreamCmd(0);
    g_autofree BenchRawVM *vms = g_new0(BenchRawVM, ctx->domains);
    g_autofree gint64 *created = g_new0(gint64, ctx->domains);
    g_autofree gint64 *pending = g_new0(gint64, ctx->domains);
    g_autofree int *completed = g_new0(int, ctx->domains);
    g_autofree struct pollfd *pfd = g_new0(struct pollfd, ctx->domains);
    g_autoptr(GPtrArray) tops = g_ptr_array_new_with_free_func(g_free);
    gint64 t0, t0Real, last = 0, lastPending = 0;
    gint64 deadline;
    int done = 0;
    int ret = -1;

    c->n = ctx->domains;
    for (int i = 0; i < ctx->domains; i++) {
        g_autofree char *name = benchName(ctx, "many", BENCH_RAW);
        g_autofree char *base = NULL;
        g_autofree char *top = NULL;

        if (benchMakeNamedChain(imgDir, name, ctx->concurrentMiB, &base, &top) < 0 ||
            benchRawStart(ctx, name, base, top, &vms[i]) < 0)
            goto cleanup;
        g_ptr_array_add(tops, g_steal_pointer(&top));
        created[i] = pending[i] = -1;
    }
    t0Real = g_get_real_time();
    t0 = benchNow(CLOCK_MONOTONIC);
    for (int i = 0; i < ctx->domains; i++) {
        if (rawQmpSend(vms[i].qmp, cmd) < 0)
            goto cleanup;
    }
    deadline = g_get_monotonic_time() + BENCH_EVENT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while (done < ctx->domains) {
        int rc;

        for (int i = 0; i < ctx->domains; i++) {
            pfd[i].fd = rawQmpFd(vms[i].qmp);
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        if (g_get_monotonic_time() > deadline) {
            g_printerr("bpbench: raw: %d of %d pulls ended in time\n", done, ctx->domains);
            goto cleanup;
        }
        while ((rc = poll(pfd, ctx->domains, 1000)) < 0 && errno == EINTR)
            ;
        for (int i = 0; i < ctx->domains && rc > 0; i++) {
            RawQmpEvent *ev;

            if (!pfd[i].revents)
                continue;
            if (rawQmpReadAvailable(vms[i].qmp) < 0) {
                g_printerr("bpbench: raw QEMU %d went away\n", i);
                goto cleanup;
            }
            while ((ev = rawQmpPopEvent(vms[i].qmp))) {
                gint64 ts = 0, mono = 0, real = 0;
                bool failed = false;

                if (benchRawJobEvent(ev, &created[i], &pending[i], &ts, &mono, &real,
                                     &failed)) {
                    if (!failed)
                        completed[i]++;
                    if (completed[i] == 1 || failed)
                        done++;
                    last = MAX(last, mono);
                }
                rawQmpEventFree(ev);
            }
        }
    }
    c->completed = 0;
    c->slowestJobMs = 0;
    for (int i = 0; i < ctx->domains; i++) {
        c->completed += completed[i] == 1;
        if (created[i] > 0 && pending[i] >= created[i])
            c->slowestJobMs = MAX(c->slowestJobMs, (pending[i] - created[i]) / 1e3);
        lastPending = MAX(lastPending, pending[i]);
    }
    c->lastEventMs = (last - t0) / 1e6;
    c->qemuDoneMs = (lastPending - t0Real) / 1e3;
    ret = 0;

 cleanup:
    for (int i = 0; i < ctx->domains; i++)
        benchRawStop(&vms[i]);
    for (guint i = 0; i < tops->len; i++)
        benchRemoveChain(g_ptr_array_index(tops, i));
    return ret;
}

static int
benchManyRows(BenchCtx *ctx)
{
    g_autoptr(GPtrArray) doms = g_ptr_array_new();
    BenchAtCount at[3] = { { 0 } };
    const int counts[3] = { 0, 1, ctx->domains };
    BenchConcurrent conc[BENCH_KINDS] = { { 0 } };
    double cpuMs[BENCH_KINDS] = { NAN, NAN, NAN };
    long long wake[BENCH_KINDS] = { -1, -1, -1 };
    double trueMs;
    double embedList[3] = { NAN, NAN, NAN };
    double embedVersion[3] = { NAN, NAN, NAN };
    const char *trueArgv[] = { "/bin/true", NULL };
    g_autofree char *e = NULL;
    g_autofree char *d = NULL;
    g_autofree char *r = NULL;
    g_autofree char *ratio = NULL;
    g_autofree char *fig = NULL;
    g_autofree char *manyDir = g_build_filename(ctx->work, "many", NULL);
    long ticks = sysconf(_SC_CLK_TCK);
    int ret = -1;

    trueMs = benchSpawnMs(ctx, trueArgv);
    if (benchVirshEmbed(ctx, counts, 3, embedList, embedVersion) < 0)
        return -1;
    if (benchConcurrentRaw(ctx, &conc[BENCH_RAW]) < 0)
        return -1;
    g_printerr("# raw: %d concurrent pulls: last event %.1f ms\n", ctx->domains,
               conc[BENCH_RAW].lastEventMs);
    for (int k = BENCH_EMBED; k < BENCH_KINDS; k++) {
        pid_t host = k == BENCH_EMBED ? getpid() : ctx->daemon;
        long long c0, c1, w0, w1;

        benchMeasureAt(ctx, k, &at[0]);
        {
            g_autofree char *name = benchName(ctx, "one", k);
            virDomainPtr dom = benchStart(ctx, k, name, NULL);

            if (!dom)
                goto cleanup;
            g_ptr_array_add(doms, dom);
            g_usleep(G_TIME_SPAN_SECOND / 2);
            benchMeasureAt(ctx, k, &at[1]);
            benchDestroyAll(doms);
        }
        if (benchConcurrentDriver(ctx, k, doms, &conc[k]) < 0)
            goto cleanup;
        g_printerr("# %s: %d concurrent pulls: last event %.1f ms\n",
                   benchKindName[k], ctx->domains, conc[k].lastEventMs);
        g_usleep(G_TIME_SPAN_SECOND);
        benchMeasureAt(ctx, k, &at[2]);
        /* idle: nothing asked. The thread that sleeps here is not
         * counted (its own sleep is a context switch); the benchmark's
         * event loop thread is, like the driver's threads. */
        c0 = benchCpuTicks(host);
        w0 = benchWakeups(host, k == BENCH_EMBED ? gettid() : 0);
        g_usleep(BENCH_CPU_SECONDS * G_TIME_SPAN_SECOND);
        c1 = benchCpuTicks(host);
        w1 = benchWakeups(host, k == BENCH_EMBED ? gettid() : 0);
        cpuMs[k] = c0 < 0 || c1 < 0 ? NAN : (c1 - c0) * 1000.0 / ticks;
        wake[k] = w0 < 0 || w1 < 0 ? -1 : w1 - w0;
        benchDestroyAll(doms);
        benchRemoveTree(manyDir);
    }

    benchHeading("virsh as a new process, median of %d, ms (embed: qemu:///embed?root= "
                 "taking over the domains earlier virsh processes left running; "
                 "daemon: over its socket; raw baseline: /bin/true)", ctx->virshRuns);
    for (int i = 0; i < 3; i++) {
        const char *target = i == 1 ? "<= 8 ms" : i == 2 ? "<= 25 ms (50)" : NULL;
        double limit = i == 1 ? 8.0 : 25.0;
        const char *met = !target ? NULL : i == 2 && counts[i] < 50 ? "n/a" :
            benchYesNo(embedList[i] <= limit, at[i].list <= limit);

        g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
        fig = g_strdup_printf("virsh list, %d running domains", counts[i]);
        e = g_strdup_printf("%.2f", embedList[i]);
        d = g_strdup_printf("%.2f", at[i].list);
        r = g_strdup_printf("%.2f", trueMs);
        ratio = g_strdup_printf("%.1fx / %.1fx", embedList[i] / trueMs, at[i].list / trueMs);
        benchRow(fig, e, d, r, ratio, target, met);
    }
    for (int i = 0; i < 3; i++) {
        g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
        fig = g_strdup_printf("virsh version, %d running domains", counts[i]);
        e = g_strdup_printf("%.2f", embedVersion[i]);
        d = g_strdup_printf("%.2f", at[i].version);
        r = g_strdup_printf("%.2f", trueMs);
        ratio = g_strdup_printf("%.1fx / %.1fx", embedVersion[i] / trueMs, at[i].version / trueMs);
        benchRow(fig, e, d, r, ratio, NULL, NULL);
    }

    benchHeading("%d concurrent pulls of %d MiB chains, one run, ms from the first call",
                 ctx->domains, ctx->concurrentMiB);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
    e = g_strdup_printf("%.1f", conc[BENCH_EMBED].lastEventMs);
    d = g_strdup_printf("%.1f", conc[BENCH_DAEMON].lastEventMs);
    r = g_strdup_printf("%.1f", conc[BENCH_RAW].lastEventMs);
    ratio = g_strdup_printf("%.2fx / %.2fx", conc[BENCH_EMBED].lastEventMs /
                            conc[BENCH_RAW].lastEventMs, conc[BENCH_DAEMON].lastEventMs /
                            conc[BENCH_RAW].lastEventMs);
    benchRow("time to the last event", e, d, r, ratio, NULL, NULL);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free); g_clear_pointer(&ratio, g_free);
    e = g_strdup_printf("%.1f", conc[BENCH_EMBED].slowestJobMs);
    d = g_strdup_printf("%.1f", conc[BENCH_DAEMON].slowestJobMs);
    r = g_strdup_printf("%.1f", conc[BENCH_RAW].slowestJobMs);
    benchRow("slowest QEMU job (created to pending)", e, d, r, NULL, NULL, NULL);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free);
    e = g_strdup_printf("%.1f", conc[BENCH_EMBED].qemuDoneMs);
    d = g_strdup_printf("%.1f", conc[BENCH_DAEMON].qemuDoneMs);
    r = g_strdup_printf("%.1f", conc[BENCH_RAW].qemuDoneMs);
    benchRow("QEMU's last job done (its pending)", e, d, r, NULL, NULL, NULL);
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free);
    {
        double re = conc[BENCH_EMBED].lastEventMs / conc[BENCH_EMBED].qemuDoneMs;
        double rd = conc[BENCH_DAEMON].lastEventMs / conc[BENCH_DAEMON].qemuDoneMs;
        double rr = conc[BENCH_RAW].lastEventMs / conc[BENCH_RAW].qemuDoneMs;

        e = g_strdup_printf("%.3fx", re);
        d = g_strdup_printf("%.3fx", rd);
        r = g_strdup_printf("%.3fx", rr);
        benchRow("last event / QEMU's last job done", e, d, r, NULL, "<= 1.1x",
                 benchYesNo(re <= 1.1, rd <= 1.1));
    }
    g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free); g_clear_pointer(&r, g_free);
    e = g_strdup_printf("%d of %d", conc[BENCH_EMBED].completed, conc[BENCH_EMBED].n);
    d = g_strdup_printf("%d of %d", conc[BENCH_DAEMON].completed, conc[BENCH_DAEMON].n);
    r = g_strdup_printf("%d of %d", conc[BENCH_RAW].completed, conc[BENCH_RAW].n);
    benchRow("domains with exactly one COMPLETED event", e, d, r, NULL, "all",
             benchYesNo(conc[BENCH_EMBED].completed == conc[BENCH_EMBED].n,
                        conc[BENCH_DAEMON].completed == conc[BENCH_DAEMON].n));

    benchHeading("The process hosting the driver (embed: this benchmark; daemon: libvirtd)");
    for (int i = 0; i < 3; i++) {
        g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
        fig = g_strdup_printf("RSS MiB with %d running domains", counts[i]);
        e = g_strdup_printf("%.1f", at[i].rssKiB[BENCH_EMBED] / 1024.0);
        d = g_strdup_printf("%.1f", at[i].rssKiB[BENCH_DAEMON] / 1024.0);
        benchRow(fig, e, d, NULL, NULL, NULL, NULL);
    }
    g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
    fig = g_strdup_printf("CPU ms over %d s idle, %d domains", BENCH_CPU_SECONDS,
                          ctx->domains);
    e = g_strdup_printf("%.0f", cpuMs[BENCH_EMBED]);
    d = g_strdup_printf("%.0f", cpuMs[BENCH_DAEMON]);
    benchRow(fig, e, d, NULL, NULL, "0 (under 1 tick)",
             benchYesNo(cpuMs[BENCH_EMBED] < 1000.0 / ticks,
                        cpuMs[BENCH_DAEMON] < 1000.0 / ticks));
    g_clear_pointer(&fig, g_free); g_clear_pointer(&e, g_free); g_clear_pointer(&d, g_free);
    fig = g_strdup_printf("wake-ups (context switches, all threads) over %d s idle",
                          BENCH_CPU_SECONDS);
    e = g_strdup_printf("%lld", wake[BENCH_EMBED]);
    d = g_strdup_printf("%lld", wake[BENCH_DAEMON]);
    benchRow(fig, e, d, NULL, NULL, NULL, NULL);
    ret = 0;

 cleanup:
    benchDestroyAll(doms);
    return ret;
}

/* ------------------------------------------------------------------ */
/* The daemon                                                           */
/* ------------------------------------------------------------------ */

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
        g_printerr("bpbench: socket path '%s' is too long: use a shorter --dir\n", sock);
        return -1;
    }
    benchDaemonPidFile = g_build_filename(work, "libvirtd.pid", NULL);
    argv[4] = benchDaemonPidFile;
    confText = g_strdup_printf("unix_sock_dir = \"%s\"\nqemu_root = \"%s\"\n",
                               sockDir, root);
    if (!g_file_set_contents(conf, confText, -1, NULL) ||
        (logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        g_printerr("bpbench: cannot write in '%s'\n", work);
        return -1;
    }
    g_mutex_lock(&benchPidLock);
    if ((pid = fork()) == 0) {
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
        g_printerr("bpbench: fork: %s\n", g_strerror(errno));
        return -1;
    }
    deadline = g_get_monotonic_time() + BENCH_DAEMON_START_MS * 1000;
    while (benchReadPid(benchDaemonPidFile) != pid || !benchAccepts(sock)) {
        int status;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            benchDaemonPid = 0;
            g_printerr("bpbench: libvirtd exited at start (see '%s')\n", logPath);
            return -1;
        }
        if (g_get_monotonic_time() > deadline) {
            g_printerr("bpbench: libvirtd did not listen within %d s\n",
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
/* main                                                                 */
/* ------------------------------------------------------------------ */

static int
benchParseSizes(const char *text, GArray *sizes)
{
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);

    for (size_t i = 0; parts[i]; i++) {
        guint64 v;
        unsigned int size;

        if (!g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, 1, 65536, &v, NULL)) {
            g_printerr("bpbench: invalid size '%s' (MiB, 1 to 65536)\n", parts[i]);
            return -1;
        }
        size = v;
        g_array_append_val(sizes, size);
    }
    if (sizes->len == 0) {
        g_printerr("bpbench: no sizes given\n");
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *dirOpt = NULL;
    g_autofree char *daemonOpt = NULL;
    g_autofree char *sizesOpt = NULL;
    g_autofree char *only = NULL;
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) err = NULL;
    BenchCtx ctx = { .runs = -1, .latencyPulls = -1, .domains = -1,
                     .infoSeconds = -1, .virshRuns = -1, .concurrentMiB = -1 };
    gboolean quick = FALSE;
    GOptionEntry entries[] = {
        { "quick", 0, 0, G_OPTION_ARG_NONE, &quick,
          "a quick look: 3 runs, 16 and 64 MiB, 10 latency pulls, 10 domains", NULL },
        { "runs", 0, 0, G_OPTION_ARG_INT, &ctx.runs,
          "pulls of each kind and size (default 7)", "N" },
        { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizesOpt,
          "chain sizes in MiB for the pull rows (default 16,64,1024)", "S1,S2,..." },
        { "latency-pulls", 0, 0, G_OPTION_ARG_INT, &ctx.latencyPulls,
          "pulls of each kind for the event latency (default 30)", "N" },
        { "domains", 0, 0, G_OPTION_ARG_INT, &ctx.domains,
          "domains for the concurrent pulls, RSS, CPU and virsh rows (default 50)", "N" },
        { "concurrent-size", 0, 0, G_OPTION_ARG_INT, &ctx.concurrentMiB,
          "chain size in MiB of each concurrent pull (default 16)", "MIB" },
        { "info-seconds", 0, 0, G_OPTION_ARG_INT, &ctx.infoSeconds,
          "seconds of calls per info figure (default 2)", "S" },
        { "virsh-runs", 0, 0, G_OPTION_ARG_INT, &ctx.virshRuns,
          "runs of each virsh command (default 20)", "N" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dirOpt,
          "where to make the temporary directory (default: $TMPDIR or /tmp)", "DIR" },
        { "libvirtd", 0, 0, G_OPTION_ARG_FILENAME, &daemonOpt,
          "the daemon to run (default: the build's src/remote/libvirtd)", "PATH" },
        { "virsh", 0, 0, G_OPTION_ARG_FILENAME, &ctx.virsh,
          "the virsh to run (default: the build's tools/virsh)", "PATH" },
        { "only", 0, 0, G_OPTION_ARG_STRING, &only,
          "only these sections: pull,latency,step,info,many (default all)", "LIST" },
        { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL }
    };
    GThread *loop = NULL;
    int cb[BENCH_KINDS] = { -1, -1, -1 };
    gint64 started = g_get_monotonic_time();
    int ret = 1;

    g_set_prgname("bpbench");
    octx = g_option_context_new("- libvirt-bp benchmarks: embed, daemon, raw QMP");
    g_option_context_set_summary(octx,
        "Prints one Markdown table (progress on stderr). Starts libvirtd and QEMUs "
        "and kills them all at the end; run as root. See docs/benchmarks.md.");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        g_printerr("bpbench: %s\n", err->message);
        return 2;
    }
    ctx.quick = quick;
    if (ctx.runs < 0)
        ctx.runs = quick ? 3 : 7;
    if (ctx.latencyPulls < 0)
        ctx.latencyPulls = quick ? 10 : 30;
    if (ctx.domains < 0)
        ctx.domains = quick ? 10 : 50;
    if (ctx.infoSeconds < 0)
        ctx.infoSeconds = quick ? 1 : 2;
    if (ctx.virshRuns < 0)
        ctx.virshRuns = quick ? 5 : 20;
    if (ctx.concurrentMiB < 0)
        ctx.concurrentMiB = quick ? 4 : 16;
    ctx.sizes = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    if (benchParseSizes(sizesOpt ? sizesOpt : quick ? "16,64" : "16,64,1024",
                        ctx.sizes) < 0)
        return 2;
    if (argc > 1 || ctx.runs < 1 || ctx.runs > 1000 || ctx.latencyPulls < 1 ||
        ctx.latencyPulls > 10000 || ctx.domains < 1 || ctx.domains > 400 ||
        ctx.infoSeconds < 1 || ctx.infoSeconds > 600 || ctx.virshRuns < 1 ||
        ctx.virshRuns > 10000 || ctx.concurrentMiB < 1 || ctx.concurrentMiB > 4096) {
        g_printerr("bpbench: bad arguments (see --help)\n");
        return 2;
    }
    if (!daemonOpt)
        daemonOpt = g_build_filename(ABS_TOP_BUILDDIR, "src", "remote", "libvirtd", NULL);
    if (!ctx.virsh) {
        g_autofree char *elf = g_build_filename(ABS_TOP_BUILDDIR, "tools", ".libs",
                                                "virsh", NULL);

        if (g_file_test(elf, G_FILE_TEST_IS_EXECUTABLE)) {
            /* The program itself, not libtool's shell script around it,
             * which costs more than the program (a shell, and sourcing
             * libtool's settings) and is not what make install puts in
             * bindir. */
            g_autofree char *libs = g_build_filename(ABS_TOP_BUILDDIR, "src", ".libs", NULL);

            ctx.virsh = g_steal_pointer(&elf);
            ctx.virshEnv = g_environ_setenv(g_get_environ(), "LD_LIBRARY_PATH", libs, TRUE);
        } else {
            ctx.virsh = g_build_filename(ABS_TOP_BUILDDIR, "tools", "virsh", NULL);
        }
    }
    if (benchInstallCleanup() < 0)
        return 1;

    if (dirOpt) {
        g_autofree char *tmpl = g_build_filename(dirOpt, "bpbench-XXXXXX", NULL);

        ctx.work = g_mkdtemp(g_steal_pointer(&tmpl));
    } else {
        ctx.work = g_dir_make_tmp("bpbench-XXXXXX", NULL);
    }
    if (!ctx.work) {
        g_printerr("bpbench: cannot create a temporary directory\n");
        return 1;
    }
    /* QEMU runs as an unprivileged user under the driver: it must reach
     * the images. */
    chmod(ctx.work, 0755);
    for (int k = BENCH_EMBED; k < BENCH_KINDS; k++) {
        ctx.root[k] = g_strdup_printf("%s/root-%s", ctx.work, benchKindName[k]);
        benchRoots[k] = ctx.root[k];
    }
    ctx.uri[BENCH_EMBED] = g_strdup_printf("qemu:///embed?root=%s", ctx.root[BENCH_EMBED]);
    benchRows = g_ptr_array_new_with_free_func(benchRowFree);
    benchEv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, benchPullEventFree);

    if (virEventRegisterDefaultImpl() < 0) {
        g_printerr("bpbench: event loop: %s\n", virGetLastErrorMessage());
        goto cleanup;
    }
    loop = g_thread_new("bench-loop", benchLoopRun, NULL);
    if ((ctx.daemon = benchDaemonStart(daemonOpt, ctx.work, ctx.root[BENCH_DAEMON],
                                       &ctx.uri[BENCH_DAEMON])) <= 0)
        goto cleanup;
    for (int k = BENCH_EMBED; k < BENCH_KINDS; k++) {
        if (!(ctx.conn[k] = virConnectOpen(ctx.uri[k]))) {
            g_printerr("bpbench: open '%s': %s\n", ctx.uri[k], virGetLastErrorMessage());
            goto cleanup;
        }
        if ((cb[k] = virConnectDomainEventRegisterAny(ctx.conn[k], NULL,
                        VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                        VIR_DOMAIN_EVENT_CALLBACK(benchPullCallback), NULL, NULL)) < 0) {
            g_printerr("bpbench: register a callback: %s\n", virGetLastErrorMessage());
            goto cleanup;
        }
    }
    g_printerr("# bpbench in '%s', libvirtd pid %d\n", ctx.work, (int) ctx.daemon);

#define BENCH_WANT(s) (!only || g_strrstr(only, s))
    if ((BENCH_WANT("pull") && benchPullRows(&ctx) < 0) ||
        (BENCH_WANT("latency") && benchLatencyRows(&ctx) < 0) ||
        (BENCH_WANT("step") && benchStepRows(&ctx) < 0) ||
        (BENCH_WANT("info") && benchInfoRows(&ctx) < 0) ||
        (BENCH_WANT("many") && benchManyRows(&ctx) < 0))
        goto cleanup;
#undef BENCH_WANT
    benchPrintTable(&ctx);
    printf("\nThe run took %.0f s.\n", (g_get_monotonic_time() - started) / 1e6);
    ret = 0;

 cleanup:
    for (int k = BENCH_EMBED; k < BENCH_KINDS; k++) {
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
        g_printerr("bpbench: the logs are kept in '%s'\n", ctx.work);
    g_strfreev(ctx.virshEnv);
    return ret;
}

/*
 * remotetest.c: the remote driver against the built libvirtd, started
 * for each case with a configuration of its own in a temporary directory
 * (its sockets and its QEMU root there): the handshake and the connection
 * calls, errors as the daemon sent them, read-only connections, the
 * lifecycle of a real QEMU, block jobs and their events, two callbacks of
 * one connection, two clients (two processes) watching one pull, a
 * step-wise pull whose client closed or was killed taken up by another,
 * keepalive on a stopped daemon and calls on a dead one, a daemon killed
 * in the middle of a pull and started again, a client killed while its
 * call waits in the daemon. Needs root and QEMU for the cases that
 * start a domain. The test runs itself again ("--child-...") for the
 * clients of other processes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */
#define START_MS (30 * 1000)    /* the daemon's start, generously */

/* ------------------------------------------------------------------ */
/* The daemon                                                           */

typedef struct {
    char *dir;
    char *sock;
    char *qemuRoot;
    char *log;
    char *uri;          /* qemu+unix:///system?socket=... */
    pid_t pid;
    virConnectPtr conn;
} Daemon;

/* Does the daemon listen on @path? (The file appears at bind(), before
 * listen(): only a connection says.) */
static bool
socketAccepts(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    bool ok;

    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        g_error("socket: %s", g_strerror(errno));
    ok = connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
    close(fd);
    return ok;
}

static bool
daemonReady(void *opaque)
{
    Daemon *d = opaque;
    int status;

    /* A daemon that died will never make its socket: stop waiting. */
    if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
        g_autofree char *log = NULL;

        g_file_get_contents(d->log, &log, NULL, NULL);
        d->pid = 0;
        g_error("libvirtd exited (status 0x%x) before making its socket; its log:\n%s",
                status, log ? log : "");
    }
    return socketAccepts(d->sock);
}

static void
daemonSpawn(Daemon *d)
{
    g_autofree char *conf = g_build_filename(d->dir, "libvirtd.conf", NULL);
    g_autofree char *pidfile = g_build_filename(d->dir, "libvirtd.pid", NULL);
    /* --system: the system daemon also when the test is not run by root
     * (make distcheck as a user), where it would be a session daemon. */
    const char *argv[] = { LIBVIRTD_PATH, "--system", "-f", conf, "-p", pidfile, NULL };
    pid_t parent = getpid();
    int logfd;
    int nullfd;

    logfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(nullfd, >=, 0);
    d->pid = fork();
    g_assert_cmpint(d->pid, >=, 0);
    if (d->pid == 0) {
        /* Only async-signal-safe calls until exec; the daemon dies with
         * the test, whatever kills the test. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(126);
        if (dup2(nullfd, STDIN_FILENO) < 0 || dup2(logfd, STDOUT_FILENO) < 0 ||
            dup2(logfd, STDERR_FILENO) < 0)
            _exit(126);
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    close(logfd);
    close(nullfd);
    if (!virTestWaitFor(daemonReady, d, START_MS))
        g_error("libvirtd made no socket '%s' within %d ms", d->sock, START_MS);
}

static void
daemonStart(Daemon *d)
{
    g_autofree char *conf = NULL;
    g_autofree char *confPath = NULL;
    g_autofree char *sockDir = NULL;
    g_autofree char *escaped = NULL;

    memset(d, 0, sizeof(*d));
    d->dir = virTestMakeDir("vbpremote-XXXXXX");
    sockDir = g_build_filename(d->dir, "run", NULL);
    d->sock = g_build_filename(sockDir, "libvirt-sock", NULL);
    d->qemuRoot = g_build_filename(d->dir, "qemu", NULL);
    d->log = g_build_filename(d->dir, "libvirtd.log", NULL);
    confPath = g_build_filename(d->dir, "libvirtd.conf", NULL);
    conf = g_strdup_printf("unix_sock_dir = \"%s\"\nqemu_root = \"%s\"\n",
                           sockDir, d->qemuRoot);
    g_assert_true(g_file_set_contents(confPath, conf, -1, NULL));
    escaped = g_uri_escape_string(d->sock, "/", FALSE);
    d->uri = g_strdup_printf("qemu+unix:///system?socket=%s", escaped);
    daemonSpawn(d);
    d->conn = virTestOpen(d->uri);
}

/* Kill the daemon now (also a stopped one), and reap it. */
static void
daemonKill(Daemon *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGKILL);
    g_assert_cmpint(waitpid(d->pid, NULL, 0), ==, d->pid);
    d->pid = 0;
}

static void
daemonStop(Daemon *d)
{
    if (d->conn)
        virConnectClose(d->conn);
    d->conn = NULL;
    daemonKill(d);
    /* The daemon's QEMUs outlive it by design: the directory's cleanup
     * kills them. */
    virTestCleanupDir(d->dir);
    g_free(d->dir);
    g_free(d->sock);
    g_free(d->qemuRoot);
    g_free(d->log);
    g_free(d->uri);
}

/* ------------------------------------------------------------------ */
/* Events and the close callback                                        */

typedef struct {
    int eventID;
    char *name;
    char *disk;
    int a;              /* lifecycle: event; block job: type; pull: status */
    int b;              /* lifecycle: detail; block job: status */
    int tag;            /* which callback */
    long long owner;    /* uid of the disk's watched backing file when the
                         * event came; -1 if none is watched */
} Heard;

static GMutex heardLock;
static GArray *heard;
/* Disk (top path or target) -> its backing file, whose owner is read
 * when an event about the disk arrives. Set before the events come. */
static GHashTable *ownerWatch;

static void
watchOwner(const char *disk, const char *backing)
{
    g_hash_table_insert(ownerWatch, g_strdup(disk), g_strdup(backing));
}

static void
heardAdd(int eventID, virDomainPtr dom, const char *disk, int a, int b, int tag)
{
    Heard h = { eventID, g_strdup(virDomainGetName(dom)), g_strdup(disk), a, b, tag, -1 };
    const char *backing = disk ? g_hash_table_lookup(ownerWatch, disk) : NULL;
    struct stat sb;

    if (backing && stat(backing, &sb) == 0)
        h.owner = sb.st_uid;
    g_mutex_lock(&heardLock);
    g_array_append_val(heard, h);
    g_mutex_unlock(&heardLock);
}

static void
heardClear(void)
{
    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len; i++) {
        g_free(g_array_index(heard, Heard, i).name);
        g_free(g_array_index(heard, Heard, i).disk);
    }
    g_array_set_size(heard, 0);
    g_mutex_unlock(&heardLock);
    g_hash_table_remove_all(ownerWatch);
}

/* How many events with @eventID, (@a, @b) unless -1, for callback @tag
 * unless -1, were heard. */
static guint
heardCount(int eventID, int a, int b, int tag)
{
    guint n = 0;

    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len; i++) {
        Heard *h = &g_array_index(heard, Heard, i);

        if (h->eventID == eventID && (a < 0 || h->a == a) &&
            (b < 0 || h->b == b) && (tag < 0 || h->tag == tag))
            n++;
    }
    g_mutex_unlock(&heardLock);
    return n;
}

typedef struct {
    int eventID, a, b, tag;
    guint n;
} HeardWait;

static bool
heardEnough(void *opaque)
{
    HeardWait *w = opaque;

    return heardCount(w->eventID, w->a, w->b, w->tag) >= w->n;
}

static void
heardWait(int eventID, int a, int b, int tag, guint n)
{
    HeardWait w = { eventID, a, b, tag, n };

    if (!virTestWaitFor(heardEnough, &w, HANG_MS))
        g_error("heard %u of %u events %d (%d, %d) for callback %d",
                heardCount(eventID, a, b, tag), n, eventID, a, b, tag);
}

static int
onLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event,
            int detail, void *opaque)
{
    heardAdd(VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom, NULL, event, detail,
             GPOINTER_TO_INT(opaque));
    return 0;
}

/* Another function: the same one twice with the same filter is refused. */
static int
onLifecycleToo(virConnectPtr conn, virDomainPtr dom, int event, int detail,
               void *opaque)
{
    return onLifecycle(conn, dom, event, detail, opaque);
}

static void
onJob(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *disk,
      int type, int status, void *opaque)
{
    int eventID = GPOINTER_TO_INT(opaque);

    heardAdd(eventID, dom, disk, type, status, eventID);
}

static void
onPull(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *path,
       int status, void *opaque G_GNUC_UNUSED)
{
    heardAdd(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, dom, path, status, -1,
             VIR_DOMAIN_EVENT_ID_BLOCK_PULL);
}

static gint closeFired;
static gint closeReason = -1;

static void
onClose(virConnectPtr conn G_GNUC_UNUSED, int reason, void *opaque G_GNUC_UNUSED)
{
    g_atomic_int_set(&closeReason, reason);
    g_atomic_int_inc(&closeFired);
}

static bool
closeHasFired(void *opaque G_GNUC_UNUSED)
{
    return g_atomic_int_get(&closeFired) > 0;
}

/* ------------------------------------------------------------------ */
/* Cases without QEMU                                                   */

/* The connection's own calls, on the daemon. */
static void
testConnect(void)
{
    Daemon d;
    unsigned long ver = 0;
    g_autofree char *uri = NULL;
    g_autofree char *host = NULL;
    virDomainPtr *doms = NULL;

    daemonStart(&d);
    g_assert_cmpstr(virConnectGetType(d.conn), ==, "QEMU");
    g_assert_cmpint(virConnectGetVersion(d.conn, &ver), ==, 0);
    g_assert_cmpuint(ver, >, 0);
    /* The URI the application gave, as libvirt. */
    uri = virConnectGetURI(d.conn);
    g_assert_cmpstr(uri, ==, d.uri);
    host = virConnectGetHostname(d.conn);
    g_assert_nonnull(host);
    g_assert_cmpint(virConnectIsAlive(d.conn), ==, 1);
    g_assert_cmpint(virConnectListAllDomains(d.conn, &doms, 0), ==, 0);
    g_assert_nonnull(doms);
    g_assert_null(doms[0]);
    free(doms);
    g_assert_cmpint(virConnectNumOfDomains(d.conn), ==, 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(d.conn), ==, 0);
    /* Keepalive is there: 0, not libvirt's 1 for a peer without it. */
    g_assert_cmpint(virConnectSetKeepAlive(d.conn, 3, 3), ==, 0);
    daemonStop(&d);
}

/* A socket where no daemon listens: an error naming it, at once. */
static void
testNoDaemon(void)
{
    g_autofree char *dir = virTestMakeDir("vbpremote-XXXXXX");
    g_autofree char *uri = g_strdup_printf("qemu+unix:///system?socket=%s/none", dir);

    g_assert_null(virConnectOpen(uri));
    virTestAssertErrorFull(-1, VIR_ERR_NO_CONNECT, "/none", NULL);
    virTestCleanupDir(dir);
}

/* The daemon's error, code, domain and message, reaches the caller
 * unchanged: the same as the QEMU driver's own for the same call. */
static void
testErrors(void)
{
    Daemon d;
    g_autofree char *embedUri = NULL;
    g_autofree char *root = NULL;
    virConnectPtr embed;
    virErrorPtr local;
    virErrorPtr remote;

    daemonStart(&d);
    root = virTestEmbedRoot(d.dir, &embedUri);
    embed = virTestOpen(embedUri);

    g_assert_null(virDomainLookupByName(embed, "nosuch"));
    local = virSaveLastError();
    g_assert_null(virDomainLookupByName(d.conn, "nosuch"));
    remote = virSaveLastError();
    g_assert_cmpint(remote->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(remote->code, ==, local->code);
    g_assert_cmpint(remote->domain, ==, local->domain);
    g_assert_cmpstr(remote->message, ==, local->message);
    virFreeError(local);
    virFreeError(remote);

    /* A definition the daemon refuses, with its reason. */
    g_assert_null(virDomainDefineXML(embed, "<domain type='kvm'><name>x</name></domain>"));
    local = virSaveLastError();
    g_assert_null(virDomainDefineXML(d.conn, "<domain type='kvm'><name>x</name></domain>"));
    remote = virSaveLastError();
    g_assert_cmpint(remote->code, ==, local->code);
    g_assert_cmpint(remote->domain, ==, local->domain);
    g_assert_cmpstr(remote->message, ==, local->message);
    virFreeError(local);
    virFreeError(remote);

    virConnectClose(embed);
    daemonStop(&d);
}

/* Define, look up, read, undefine: a persistent domain on the daemon,
 * and the read-only connection that may read it but not change it. */
static void
testDefine(void)
{
    Daemon d;
    g_autofree char *img = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *got = NULL;
    g_autofree char *roUri = NULL;
    const char *disks[2] = { NULL, NULL };
    virConnectPtr ro;
    virDomainPtr dom;
    virDomainPtr again;
    virDomainPtr rodom;
    char uuid[VIR_UUID_STRING_BUFLEN];
    char *names[4] = { NULL };
    int state = -1;

    daemonStart(&d);
    /* Defining reads no image: the path need not exist. */
    img = g_build_filename(d.dir, "disk.qcow2", NULL);
    disks[0] = img;
    xml = virTestDomainXML("rdef", disks);
    dom = virTestDefineDomain(d.conn, xml);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpuint(virDomainGetID(dom), ==, (unsigned int) -1);
    g_assert_cmpint(virDomainGetState(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    again = virDomainLookupByUUIDString(d.conn, uuid);
    g_assert_nonnull(again);
    g_assert_cmpstr(virDomainGetName(again), ==, "rdef");
    virDomainFree(again);
    got = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(got);
    g_assert_nonnull(strstr(got, "<name>rdef</name>"));
    g_assert_cmpint(virConnectListDefinedDomains(d.conn, names, 4), ==, 1);
    g_assert_cmpstr(names[0], ==, "rdef");
    free(names[0]);

    /* Read-only: reads work, changes are refused. */
    ro = virConnectOpenReadOnly(d.uri);
    g_assert_nonnull(ro);
    rodom = virDomainLookupByName(ro, "rdef");
    g_assert_nonnull(rodom);
    g_assert_cmpint(virDomainIsPersistent(rodom), ==, 1);
    g_assert_cmpint(virDomainUndefine(rodom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainCreate(rodom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    virDomainFree(rodom);
    virConnectClose(ro);

    /* A read-write open of the daemon's read-only socket: the client lets
     * the call through, the daemon refuses it, and its error arrives. */
    roUri = g_strdup_printf("qemu+unix:///system?socket=%s-ro", d.sock);
    ro = virTestOpen(roUri);
    rodom = virDomainLookupByName(ro, "rdef");
    g_assert_nonnull(rodom);
    g_assert_cmpint(virDomainUndefine(rodom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_null(virDomainDefineXML(ro, xml));
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    virDomainFree(rodom);
    virConnectClose(ro);

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_null(virDomainLookupByName(d.conn, "rdef"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
    daemonStop(&d);
}

/* test:///default through the daemon (test+unix:///default?socket=...):
 * its calls and events, without QEMU. */
static void
testTestDriver(void)
{
    Daemon d;
    g_autofree char *uri = NULL;
    g_autofree char *escaped = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    int ids[4];
    int cb;
    int cb2;
    int state = -1;
    int reason = -1;

    heardClear();
    daemonStart(&d);
    escaped = g_uri_escape_string(d.sock, "/", FALSE);
    uri = g_strdup_printf("test+unix:///default?socket=%s", escaped);
    conn = virTestOpen(uri);
    g_assert_cmpstr(virConnectGetType(conn), ==, "Test");
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    g_assert_cmpint(virConnectListDomains(conn, ids, 4), ==, 1);
    dom = virDomainLookupByID(conn, ids[0]);
    g_assert_nonnull(dom);
    g_assert_cmpstr(virDomainGetName(dom), ==, "test");
    cb = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                          GINT_TO_POINTER(3), NULL);
    g_assert_cmpint(cb, >=, 0);

    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 3, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_SUSPENDED, -1, 3), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_RESUMED, -1, 3), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 3), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, -1, -1, 3), ==, 4);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, cb), ==, 0);

    /* Two callbacks for every domain, one event: each hears it once
     * (two registrations on the daemon, each event sent for each). The
     * same function twice with the same filter is refused, as libvirt. */
    heardClear();
    cb = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                          GINT_TO_POINTER(4), NULL);
    cb2 = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           VIR_DOMAIN_EVENT_CALLBACK(onLifecycleToo),
                                           GINT_TO_POINTER(5), NULL);
    g_assert_cmpint(cb, >=, 0);
    g_assert_cmpint(cb2, >=, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                                     GINT_TO_POINTER(6), NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 4, 1);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 5, 1);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 4, 1);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 5, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, -1, -1, 4), ==, 2);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, -1, -1, 5), ==, 2);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, cb), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, cb2), ==, 0);

    /* The test driver has no block pull: its answer, through the wire. */
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    virDomainFree(dom);
    virConnectClose(conn);
    daemonStop(&d);
}

/* ------------------------------------------------------------------ */
/* Keepalive and a dead daemon                                          */

/*
 * A daemon that stops answering (SIGSTOP) is found dead within the
 * keepalive's bound; the close callback says why; calls then fail at
 * once.
 */
static void
testKeepalive(void)
{
    Daemon d;
    gint64 start;
    gint64 elapsedMs;
    unsigned long ver;

    daemonStart(&d);
    g_atomic_int_set(&closeFired, 0);
    g_atomic_int_set(&closeReason, -1);
    g_assert_cmpint(virConnectRegisterCloseCallback(d.conn, onClose, NULL, NULL), ==, 0);
    g_assert_cmpint(virConnectSetKeepAlive(d.conn, 1, 2), ==, 0);
    g_assert_cmpint(kill(d.pid, SIGSTOP), ==, 0);
    start = g_get_monotonic_time();
    if (!virTestWaitFor(closeHasFired, NULL, HANG_MS))
        g_error("a stopped daemon was not noticed within %d ms", HANG_MS);
    elapsedMs = (g_get_monotonic_time() - start) / 1000;
    g_test_message("stopped daemon found dead after %" G_GINT64_FORMAT " ms", elapsedMs);
    /* The keepalive found it (the reason says so below), not at once: a
     * whole interval went unanswered first. How soon after that is the
     * scheduler's, not asserted (the house rule on wall-clock time: under
     * valgrind on a busy machine, 3 s already). */
    g_assert_cmpint(elapsedMs, >=, 1 * 1000);
    g_assert_cmpint(g_atomic_int_get(&closeReason), ==, VIR_CONNECT_CLOSE_REASON_KEEPALIVE);
    g_assert_cmpint(g_atomic_int_get(&closeFired), ==, 1);
    g_assert_cmpint(virConnectIsAlive(d.conn), ==, 0);
    g_assert_cmpint(virConnectGetVersion(d.conn, &ver), ==, -1);
    g_assert_cmpint(virConnectUnregisterCloseCallback(d.conn, onClose), ==, 0);
    daemonStop(&d);
}

static gpointer
callVersion(gpointer opaque)
{
    unsigned long ver;

    return GINT_TO_POINTER(virConnectGetVersion(opaque, &ver));
}

/* A daemon killed: the call waiting for it fails, the close callback
 * fires (EOF) and the next call fails, never hangs. */
static void
testDaemonKilled(void)
{
    Daemon d;
    unsigned long ver;
    GThread *caller;

    daemonStart(&d);
    g_atomic_int_set(&closeFired, 0);
    g_atomic_int_set(&closeReason, -1);
    g_assert_cmpint(virConnectRegisterCloseCallback(d.conn, onClose, NULL, NULL), ==, 0);
    /* A daemon that cannot answer, and a call for it: whether the call
     * is sent before the kill or after, it must fail. */
    g_assert_cmpint(kill(d.pid, SIGSTOP), ==, 0);
    caller = g_thread_new("caller", callVersion, d.conn);
    daemonKill(&d);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(caller)), ==, -1);
    if (!virTestWaitFor(closeHasFired, NULL, HANG_MS))
        g_error("a killed daemon was not noticed within %d ms", HANG_MS);
    g_assert_cmpint(g_atomic_int_get(&closeReason), ==, VIR_CONNECT_CLOSE_REASON_EOF);
    g_assert_cmpint(virConnectGetVersion(d.conn, &ver), ==, -1);
    g_assert_nonnull(virGetLastErrorMessage());
    g_assert_null(virDomainLookupByName(d.conn, "any"));
    g_assert_cmpint(virConnectIsAlive(d.conn), ==, 0);
    g_assert_cmpint(virConnectUnregisterCloseCallback(d.conn, onClose), ==, 0);
    /* Closing a connection to a dead daemon is quick and clean. */
    virConnectClose(d.conn);
    d.conn = NULL;
    g_assert_cmpint(g_atomic_int_get(&closeFired), ==, 1);
    daemonStop(&d);
}

static gint closedInCallback;

static void
onCloseClose(virConnectPtr conn, int reason G_GNUC_UNUSED,
             void *opaque G_GNUC_UNUSED)
{
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, onCloseClose), ==, 0);
    g_assert_cmpint(virConnectClose(conn), >=, 0);
    g_atomic_int_set(&closedInCallback, 1);
}

static bool
closedInCallbackDone(void *opaque G_GNUC_UNUSED)
{
    return g_atomic_int_get(&closedInCallback) == 1;
}

/* The usual reaction to a lost daemon: the close callback lets go of
 * the application's reference, the last one once the callback returns. */
static void
testCloseInCallback(void)
{
    Daemon d;

    daemonStart(&d);
    g_atomic_int_set(&closedInCallback, 0);
    g_assert_cmpint(virConnectRegisterCloseCallback(d.conn, onCloseClose, NULL, NULL), ==, 0);
    /* The callback closes it: the test's reference is its. */
    d.conn = NULL;
    daemonKill(&d);
    if (!virTestWaitFor(closedInCallbackDone, NULL, HANG_MS))
        g_error("the close callback did not run within %d ms", HANG_MS);
    daemonStop(&d);
}

/* ------------------------------------------------------------------ */
/* Cases on a real QEMU                                                 */

/* Start and destroy a domain; its lifecycle events come to two
 * callbacks of the connection, one for every domain and one for it,
 * each exactly once; a callback deregistered hears no more. */
static void
testLifecycle(void)
{
    Daemon d;
    g_autofree char *img = NULL;
    g_autofree char *xml = NULL;
    const char *disks[2] = { NULL, NULL };
    virDomainPtr dom;
    virDomainInfo info;
    int all;
    int one;
    int ids[4];

    heardClear();
    daemonStart(&d);
    img = virTestImageNew(d.dir, "disk.qcow2", "qcow2", "16M", NULL, NULL, 0600);
    disks[0] = img;
    xml = virTestDomainXML("rlife", disks);
    dom = virTestDefineDomain(d.conn, xml);
    all = virConnectDomainEventRegisterAny(d.conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                           GINT_TO_POINTER(1), NULL);
    one = virConnectDomainEventRegisterAny(d.conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                           GINT_TO_POINTER(2), NULL);
    g_assert_cmpint(all, >=, 0);
    g_assert_cmpint(one, >=, 0);
    g_assert_cmpint(all, !=, one);

    if (virDomainCreate(dom) < 0)
        g_error("virDomainCreate: %s", virGetLastErrorMessage());
    g_assert_cmpuint(virDomainGetID(dom), >, 0);
    g_assert_cmpuint(virDomainGetID(dom), !=, (unsigned int) -1);
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(virConnectListDomains(d.conn, ids, 4), ==, 1);
    g_assert_cmpuint(ids[0], ==, virDomainGetID(dom));
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 1, 1);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 2, 1);

    g_assert_cmpint(virConnectDomainEventDeregisterAny(d.conn, one), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(d.conn, one), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(virDomainGetID(dom), ==, (unsigned int) -1);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 1, 1);
    /* Each event exactly once per callback, none after deregistration:
     * a last event through the remaining callback flushes what came
     * before it. */
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_UNDEFINED, -1, 1, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STARTED, -1, 2), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 2), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_UNDEFINED, -1, 2), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(d.conn, all), ==, 0);
    virDomainFree(dom);
    daemonStop(&d);
}

/* How many events @eventID for image or target @disk with @status were
 * heard. */
static guint
heardCountDisk(int eventID, const char *disk, int status)
{
    guint n = 0;

    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len; i++) {
        Heard *h = &g_array_index(heard, Heard, i);
        int st = h->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL ? h->a : h->b;

        if (h->eventID == eventID && g_strcmp0(h->disk, disk) == 0 && st == status)
            n++;
    }
    g_mutex_unlock(&heardLock);
    return n;
}

typedef struct {
    int eventID;
    const char *disk;
    int status;
} DiskWait;

static bool
heardDisk(void *opaque)
{
    DiskWait *w = opaque;

    return heardCountDisk(w->eventID, w->disk, w->status) >= 1;
}

/* Wait for the end of a pull of @path (target @target) with @status, told
 * once by each of the three events. */
static void
expectEnd(const char *path, const char *target, int status)
{
    DiskWait waits[] = {
        { VIR_DOMAIN_EVENT_ID_BLOCK_PULL, path, status },
        { VIR_DOMAIN_EVENT_ID_BLOCK_JOB, path, status },
        { VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, target, status },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(waits); i++) {
        if (!virTestWaitFor(heardDisk, &waits[i], HANG_MS))
            g_error("no event %d for '%s' with status %d within %d ms",
                    waits[i].eventID, waits[i].disk, status, HANG_MS);
    }
}

static void
assertEndsOnce(const char *path, const char *target, int status)
{
    g_assert_cmpuint(heardCountDisk(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, path, status), ==, 1);
    g_assert_cmpuint(heardCountDisk(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, path, status), ==, 1);
    g_assert_cmpuint(heardCountDisk(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, target, status), ==, 1);
}

/* base.raw <- top.qcow2 for one disk, under @dir with @prefix. */
static char *
makeChain(const char *dir, const char *prefix)
{
    g_autofree char *base = g_strdup_printf("%s/%s-base.raw", dir, prefix);
    char *top = g_strdup_printf("%s/%s-top.qcow2", dir, prefix);

    virTestImageCreate(base, "raw", "32M", NULL, NULL);
    virTestImageWrite(base, "raw", 0x11, "0", "24M");
    virTestImageCreate(top, "qcow2", NULL, base, "raw");
    return top;
}

/*
 * Every block call over the daemon, and the events of the three kinds a
 * pull ends with. Disk vda: the seed's step-wise pull (a step, its
 * progress, an abort), then its pull in the background. Disk vdb:
 * libvirt's pull at 1 MiB/s, its info, its speed lifted. And the QEMU
 * program's monitor command.
 */
static void
testBlockJobs(void)
{
    Daemon d;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *reply = NULL;
    const char *disks[3] = { NULL, NULL, NULL };
    virDomainPtr dom;
    virDomainBlockJobInfo jinfo;
    virDomainBlockPullInfo pinfo = { 0 };
    int cbs[3];

    heardClear();
    daemonStart(&d);
    a = makeChain(d.dir, "a");
    b = makeChain(d.dir, "b");
    disks[0] = a;
    disks[1] = b;
    xml = virTestDomainXML("rjob", disks);

    cbs[0] = virConnectDomainEventRegisterAny(d.conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                              VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                              GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB),
                                              NULL);
    cbs[1] = virConnectDomainEventRegisterAny(d.conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                              VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                              GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2),
                                              NULL);
    cbs[2] = virConnectDomainEventRegisterAny(d.conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                              VIR_DOMAIN_EVENT_CALLBACK(onPull), NULL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cbs); i++)
        g_assert_cmpint(cbs[i], >=, 0);
    dom = virTestCreateDomain(d.conn, xml);

    /* vda: a step, its progress, an abort. */
    if (virDomainBlockPull(dom, a, &pinfo, 0) < 0)
        g_error("virDomainBlockPull: %s", virGetLastErrorMessage());
    g_assert_cmpuint(pinfo.end, >, 0);
    g_assert_cmpuint(pinfo.cur, >, 0);
    g_assert_cmpuint(pinfo.cur, <, pinfo.end);
    memset(&pinfo, 0, sizeof(pinfo));
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, a, &pinfo, 0), ==, 0);
    g_assert_cmpuint(pinfo.end, >, 0);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, a, &jinfo, 0), ==, 1);
    g_assert_cmpint(jinfo.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    if (virDomainBlockPullAbort(dom, a, 0) < 0)
        g_error("virDomainBlockPullAbort: %s", virGetLastErrorMessage());
    expectEnd(a, "vda", VIR_DOMAIN_BLOCK_PULL_CANCELED);
    /* ... then all of it in the background. */
    if (virDomainBlockPullAll(dom, a, 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    expectEnd(a, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);

    /* vdb: libvirt's pull, slowed down, then let go. */
    if (virDomainBlockRebase(dom, "vdb", NULL, 1, 0) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vdb", &jinfo, 0), ==, 1);
    g_assert_cmpint(jinfo.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(jinfo.bandwidth, ==, 1);
    if (virDomainBlockJobSetSpeed(dom, "vdb", 0, 0) < 0)
        g_error("virDomainBlockJobSetSpeed: %s", virGetLastErrorMessage());
    expectEnd(b, "vdb", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vdb", &jinfo, 0), ==, 0);

    /* Nothing left to abort: the driver's error, not a transport one. */
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vdb", 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), !=, VIR_ERR_RPC);
    g_assert_cmpint(virGetLastErrorDomain(), !=, VIR_FROM_REMOTE);

    g_assert_cmpint(virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-block-jobs\"}",
                                                &reply, 0), ==, 0);
    /* No job left in QEMU either. */
    g_assert_nonnull(strstr(reply, "\"return\""));
    g_assert_null(strstr(reply, "\"device\""));

    /* Each end told once, to the domain it belongs to. */
    assertEndsOnce(a, "vda", VIR_DOMAIN_BLOCK_PULL_CANCELED);
    assertEndsOnce(a, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertEndsOnce(b, "vdb", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    g_mutex_lock(&heardLock);
    g_assert_cmpuint(heard->len, ==, 9);
    for (guint i = 0; i < heard->len; i++)
        g_assert_cmpstr(g_array_index(heard, Heard, i).name, ==, "rjob");
    g_mutex_unlock(&heardLock);

    for (size_t i = 0; i < G_N_ELEMENTS(cbs); i++)
        g_assert_cmpint(virConnectDomainEventDeregisterAny(d.conn, cbs[i]), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    daemonStop(&d);
}

typedef struct {
    virDomainPtr dom;
    const char *disk;
} JobGone;

static bool
jobGone(void *opaque)
{
    JobGone *j = opaque;
    virDomainBlockJobInfo info;

    return virDomainGetBlockJobInfo(j->dom, j->disk, &info, 0) == 0;
}

static void
onPullTagged(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
             const char *path, int status, void *opaque)
{
    heardAdd(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, dom, path, status, -1,
             GPOINTER_TO_INT(opaque));
}

/*
 * A pull that ends while nobody listens: the daemon holds its outcome,
 * and tells it to each block pull callback registered later, to that one
 * alone, once. The daemon sends it before its reply to the registration:
 * the driver keeps it until it knows whose it is.
 */
static void
testHeldOutcome(void)
{
    Daemon d;
    g_autofree char *top = NULL;
    g_autofree char *xml = NULL;
    const char *disks[2] = { NULL, NULL };
    virDomainPtr dom;
    JobGone gone;
    int first;
    int second;

    heardClear();
    daemonStart(&d);
    top = makeChain(d.dir, "h");
    disks[0] = top;
    xml = virTestDomainXML("rheld", disks);
    dom = virTestCreateDomain(d.conn, xml);
    if (virDomainBlockPullAll(dom, top, 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    gone.dom = dom;
    gone.disk = top;
    if (!virTestWaitFor(jobGone, &gone, HANG_MS))
        g_error("the pull did not end within %d ms", HANG_MS);

    first = virConnectDomainEventRegisterAny(d.conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                             VIR_DOMAIN_EVENT_CALLBACK(onPullTagged),
                                             GINT_TO_POINTER(1), NULL);
    g_assert_cmpint(first, >=, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, VIR_DOMAIN_BLOCK_PULL_COMPLETED, -1, 1, 1);
    second = virConnectDomainEventRegisterAny(d.conn, dom, VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                              VIR_DOMAIN_EVENT_CALLBACK(onPullTagged),
                                              GINT_TO_POINTER(2), NULL);
    g_assert_cmpint(second, >=, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, VIR_DOMAIN_BLOCK_PULL_COMPLETED, -1, 2, 1);
    /* A last lifecycle event through a third callback: what came before
     * it has been delivered; nothing more came for the first two. */
    g_assert_cmpint(virConnectDomainEventRegisterAny(d.conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                                     GINT_TO_POINTER(3), NULL), >=, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 3, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, 1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, 2), ==, 1);
    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len; i++) {
        Heard *h = &g_array_index(heard, Heard, i);

        if (h->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL)
            g_assert_cmpstr(h->disk, ==, top);
    }
    g_mutex_unlock(&heardLock);
    virDomainFree(dom);
    daemonStop(&d);
}

/* ------------------------------------------------------------------ */
/* Two clients, and clients that go away                               */

#define QEMU_UID 65534  /* the QEMU user of the daemon's default qemu.conf */

/* How many connections the daemon has accepted and not closed yet, seen
 * from the kernel: the connected sockets bound to its socket's path. */
static guint
daemonClientCount(Daemon *d)
{
    g_autofree char *table = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0;

    g_assert_true(g_file_get_contents("/proc/net/unix", &table, NULL, NULL));
    lines = g_strsplit(table, "\n", 0);
    for (size_t i = 1; lines[i]; i++) {
        /* Num RefCount Protocol Flags Type St Inode Path */
        g_auto(GStrv) f = g_strsplit_set(lines[i], " ", 0);
        g_autoptr(GPtrArray) cols = g_ptr_array_new();

        for (size_t j = 0; f[j]; j++) {
            if (*f[j])
                g_ptr_array_add(cols, f[j]);
        }
        if (cols->len == 8 && strcmp(g_ptr_array_index(cols, 5), "03") == 0 &&
            strcmp(g_ptr_array_index(cols, 7), d->sock) == 0)
            n++;
    }
    return n;
}

static bool
daemonHasOneClient(void *opaque)
{
    return daemonClientCount(opaque) == 1;
}

/* The owner of @disk's backing file when the first event @eventID about
 * @disk with @status came (-1: no such event, or not watched). */
static long long
heardOwner(int eventID, const char *disk, int status)
{
    long long owner = -1;

    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len && owner < 0; i++) {
        Heard *h = &g_array_index(heard, Heard, i);
        int st = h->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_PULL ? h->a : h->b;

        if (h->eventID == eventID && g_strcmp0(h->disk, disk) == 0 && st == status)
            owner = h->owner;
    }
    g_mutex_unlock(&heardLock);
    return owner;
}

/* Each of the three events of the end of @path's pull (target @target)
 * came when @path's backing file belonged to @uid. */
static void
assertOwnerAtEnd(const char *path, const char *target, int status, long long uid)
{
    g_assert_cmpint(heardOwner(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, path, status), ==, uid);
    g_assert_cmpint(heardOwner(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, path, status), ==, uid);
    g_assert_cmpint(heardOwner(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, target, status), ==, uid);
}

/* The three block events and the lifecycle on @conn, for every domain. */
static void
listenAll(virConnectPtr conn, int tag)
{
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                                     GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB),
                                                     NULL), >=, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                                     GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2),
                                                     NULL), >=, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onPull),
                                                     NULL, NULL), >=, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                                     GINT_TO_POINTER(tag), NULL), >=, 0);
}

/* Run this test again as "--child-@what ARGS..." in the background, its
 * output to the test's log; it dies with the test. */
static pid_t
childSpawn(const char *what, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    pid_t parent = getpid();
    pid_t pid;

    g_ptr_array_add(argv, virTestSelfPath());
    g_ptr_array_add(argv, g_strdup_printf("--child-%s", what));
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(126);
        if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit(126);
        execv(g_ptr_array_index(argv, 0), (char **) argv->pdata);
        _exit(127);
    }
    return pid;
}

typedef struct {
    pid_t pid;
    const char *file;
    int status;
    bool exited;
} ChildWait;

/* Has the child written its file (or ended, which fails the test)? */
static bool
childReady(void *opaque)
{
    ChildWait *w = opaque;

    if (waitpid(w->pid, &w->status, WNOHANG) == w->pid)
        g_error("child %d ended (wait status 0x%x) before it was ready: its "
                "output is in the log", (int) w->pid, w->status);
    return g_file_test(w->file, G_FILE_TEST_EXISTS);
}

static bool
childExited(void *opaque)
{
    ChildWait *w = opaque;

    if (!w->exited && waitpid(w->pid, &w->status, WNOHANG) == w->pid)
        w->exited = true;
    return w->exited;
}

static void
childWaitReady(pid_t pid, const char *file)
{
    ChildWait w = { pid, file, 0, false };

    if (!virTestWaitFor(childReady, &w, HANG_MS)) {
        kill(pid, SIGKILL);
        g_error("child %d did not write '%s' within %d ms", (int) pid, file, HANG_MS);
    }
}

/* Wait for the child to end; returns its exit status (-1: killed). */
static int
childWaitExit(pid_t pid)
{
    ChildWait w = { pid, NULL, 0, false };

    if (!virTestWaitFor(childExited, &w, HANG_MS)) {
        kill(pid, SIGKILL);
        g_error("child %d did not end within %d ms", (int) pid, HANG_MS);
    }
    return WIFEXITED(w.status) ? WEXITSTATUS(w.status) : -1;
}

/*
 * "--child-watch URI TOP BASE READY": a second client, in a process of
 * its own. It listens to the three block events and the lifecycle on a
 * connection of its own, writes READY, and waits for the pull of TOP
 * (target vda) to complete and the domain to stop (the events come in
 * order: the stop says every pull event has been delivered). It exits 0
 * if it heard each of the three COMPLETED events exactly once, each when
 * BASE belonged to root again (access revoked), and no other block event.
 */
static int
childWatch(const char *uri, const char *top, const char *base, const char *ready)
{
    const int ids[] = { VIR_DOMAIN_EVENT_ID_BLOCK_PULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                        VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 };
    virConnectPtr conn;
    int rc = 0;

    virTestEventLoopStart();
    if (!(conn = virConnectOpen(uri))) {
        g_printerr("child: cannot open '%s': %s\n", uri, virGetLastErrorMessage());
        return 2;
    }
    watchOwner(top, base);
    watchOwner("vda", base);
    listenAll(conn, 9);
    if (!g_file_set_contents(ready, "ready\n", -1, NULL))
        return 2;
    expectEnd(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 9, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        const char *disk = ids[i] == VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 ? "vda" : top;
        guint all = heardCount(ids[i], -1, -1, -1);
        guint done = heardCountDisk(ids[i], disk, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
        long long owner = heardOwner(ids[i], disk, VIR_DOMAIN_BLOCK_PULL_COMPLETED);

        if (all != 1 || done != 1 || owner != 0) {
            g_printerr("child: event %d: heard %u (%u COMPLETED for '%s'), backing "
                       "owner %lld at the event (expected 1, 1, 0)\n",
                       ids[i], all, done, disk, owner);
            rc = 1;
        }
    }
    virConnectClose(conn);
    return rc;
}

/*
 * "--child-step URI NAME READY": a client that steps each disk of domain
 * NAME once (vda, vdb, vdc), writes READY ("TARGET CUR END" lines), and
 * then does nothing until it is killed.
 */
static int
childStep(const char *uri, const char *name, const char *ready)
{
    const char *targets[] = { "vda", "vdb", "vdc" };
    g_autoptr(GString) out = g_string_new(NULL);
    virConnectPtr conn;
    virDomainPtr dom;

    if (!(conn = virConnectOpen(uri)) || !(dom = virDomainLookupByName(conn, name))) {
        g_printerr("child: cannot reach '%s' on '%s': %s\n", name, uri,
                   virGetLastErrorMessage());
        return 2;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
        virDomainBlockPullInfo pos = { 0, 0 };

        if (virDomainBlockPull(dom, targets[i], &pos, 0) < 0) {
            g_printerr("child: step of %s: %s\n", targets[i], virGetLastErrorMessage());
            return 2;
        }
        g_string_append_printf(out, "%s %llu %llu\n", targets[i],
                               (unsigned long long) pos.cur,
                               (unsigned long long) pos.end);
    }
    if (!g_file_set_contents(ready, out->str, -1, NULL))
        return 2;
    for (;;)
        pause();
    return 0;
}

/* The backing file qemu-img reads in @image's header ("" for none). */
static char *
imageBacking(const char *image)
{
    const char *argv[] = { QEMU_IMG_PATH, "info", "-U", "--output=json", image, NULL };
    g_autofree char *out = NULL;
    const char *key = "\"backing-filename\": \"";
    const char *p;

    virTestRun(argv, &out);
    g_assert_nonnull(strstr(out, "\"filename\""));
    if (!(p = strstr(out, key)))
        return g_strdup("");
    p += strlen(key);
    return g_strndup(p, strchr(p, '"') - p);
}

/*
 * "--child-call URI NAME MARK": a client that writes MARK, then takes a
 * step of the pull of domain NAME's vda, and waits to be killed.
 */
static int
childCall(const char *uri, const char *name, const char *mark)
{
    virDomainBlockPullInfo pos = { 0, 0 };
    virConnectPtr conn;
    virDomainPtr dom;

    if (!(conn = virConnectOpen(uri)) || !(dom = virDomainLookupByName(conn, name))) {
        g_printerr("child: cannot reach '%s' on '%s': %s\n", name, uri,
                   virGetLastErrorMessage());
        return 2;
    }
    if (!g_file_set_contents(mark, "calling\n", -1, NULL))
        return 2;
    if (virDomainBlockPull(dom, "vda", &pos, 0) < 0)
        g_printerr("child: step of vda: %s\n", virGetLastErrorMessage());
    else
        g_printerr("child: step of vda returned at %llu\n", (unsigned long long) pos.cur);
    for (;;)
        pause();
    return 0;
}

/* Does the domain's status file @opaque record a pull? */
static bool
statusHasPull(void *opaque)
{
    g_autofree char *xml = NULL;

    return g_file_get_contents(opaque, &xml, NULL, NULL) &&
           strstr(xml, "<blockjob ");
}

/*
 * A client killed (SIGKILL) while its call is in the daemon: a step of a
 * pull sent to a QEMU that does not answer (stopped), so that the call
 * holds the domain's job and waits. The daemon lets the dead client go
 * (its connection closed while the call still waits), takes other
 * clients' calls, and once QEMU runs again the pull the dead client began
 * is finished by another, its end told once by each event.
 */
static void
testClientKilledMidCall(void)
{
    Daemon d;
    g_autofree char *top = NULL;
    g_autofree char *base = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *mark = NULL;
    g_autofree char *status = NULL;
    g_autofree char *backing = NULL;
    const char *disks[2] = { NULL, NULL };
    const char *args[4] = { NULL };
    virDomainPtr dom;
    virDomainPtr *doms = NULL;
    virConnectPtr other;
    virDomainPtr odom;
    unsigned long ver = 0;
    int state = -1;
    pid_t qemu;
    pid_t child;

    heardClear();
    daemonStart(&d);
    top = makeChain(d.dir, "m");
    base = g_strdup_printf("%s/m-base.raw", d.dir);
    watchOwner(top, base);
    watchOwner("vda", base);
    disks[0] = top;
    xml = virTestDomainXML("rmidcall", disks);
    dom = virTestCreateDomain(d.conn, xml);
    listenAll(d.conn, 8);
    qemu = virTestDomainPid(d.qemuRoot, "rmidcall");
    status = g_strdup_printf("%s/run/qemu/rmidcall.xml", d.qemuRoot);
    g_assert_false(statusHasPull(status));

    /* A QEMU that does not answer: the child's step waits in the daemon. */
    g_assert_cmpint(kill(qemu, SIGSTOP), ==, 0);
    mark = g_build_filename(d.dir, "call.mark", NULL);
    args[0] = d.uri;
    args[1] = "rmidcall";
    args[2] = mark;
    child = childSpawn("call", args);
    childWaitReady(child, mark);
    /* The step recorded its pull: the daemon is in the call. */
    if (!virTestWaitFor(statusHasPull, status, HANG_MS)) {
        kill(qemu, SIGCONT);
        g_error("the child's step did not begin within %d ms", HANG_MS);
    }
    g_assert_cmpuint(daemonClientCount(&d), ==, 2);
    g_assert_cmpint(kill(child, SIGKILL), ==, 0);
    g_assert_cmpint(waitpid(child, NULL, 0), ==, child);

    /* The daemon lets the dead client go, its call still waiting. */
    if (!virTestWaitFor(daemonHasOneClient, &d, HANG_MS)) {
        kill(qemu, SIGCONT);
        g_error("the daemon still has %u clients", daemonClientCount(&d));
    }
    g_assert_cmpint(waitpid(d.pid, NULL, WNOHANG), ==, 0);
    /* Our calls, and a new client's, still work. */
    g_assert_cmpint(virConnectGetVersion(d.conn, &ver), ==, 0);
    g_assert_cmpint(virConnectListAllDomains(d.conn, &doms, 0), ==, 1);
    g_assert_cmpstr(virDomainGetName(doms[0]), ==, "rmidcall");
    virDomainFree(doms[0]);
    free(doms);
    g_assert_cmpint(virDomainGetState(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    other = virTestOpen(d.uri);
    odom = virDomainLookupByName(other, "rmidcall");
    g_assert_nonnull(odom);
    g_assert_cmpint(virDomainIsActive(odom), ==, 1);
    virDomainFree(odom);
    g_assert_cmpint(virConnectClose(other), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 0);

    /* QEMU again: the orphaned step ends in the daemon; ours finishes
     * the pull. */
    g_assert_cmpint(kill(qemu, SIGCONT), ==, 0);
    if (virDomainBlockPullAll(dom, top, 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    expectEnd(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertOwnerAtEnd(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED, 0);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 8, 1);
    assertEndsOnce(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 1);
    backing = imageBacking(top);
    g_assert_cmpstr(backing, ==, "");
    virTestAssertOwner(base, 0, 0);
    g_assert_cmpuint(daemonClientCount(&d), ==, 1);
    virDomainFree(dom);
    daemonStop(&d);
}

static int
childMain(int argc, char **argv)
{
    if (strcmp(argv[1], "--child-watch") == 0 && argc == 6)
        return childWatch(argv[2], argv[3], argv[4], argv[5]);
    if (strcmp(argv[1], "--child-step") == 0 && argc == 5)
        return childStep(argv[2], argv[3], argv[4]);
    if (strcmp(argv[1], "--child-call") == 0 && argc == 5)
        return childCall(argv[2], argv[3], argv[4]);
    g_printerr("remotetest: bad child arguments\n");
    return 2;
}

/*
 * Two clients watching the same pull, each on a connection of its own
 * (the second one in another process): each hears the end exactly once
 * by each of the three events, BLOCK_PULL, BLOCK_JOB and BLOCK_JOB_2,
 * and each event comes after the revocation: the old backing file
 * belongs to root again when it arrives.
 */
static void
testTwoClients(void)
{
    Daemon d;
    g_autofree char *top = NULL;
    g_autofree char *base = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *ready = NULL;
    const char *disks[2] = { NULL, NULL };
    const char *args[5] = { NULL };
    virDomainPtr dom;
    pid_t child;

    heardClear();
    daemonStart(&d);
    top = makeChain(d.dir, "w");
    base = g_strdup_printf("%s/w-base.raw", d.dir);
    ready = g_build_filename(d.dir, "watch.ready", NULL);
    disks[0] = top;
    xml = virTestDomainXML("rtwo", disks);
    dom = virTestCreateDomain(d.conn, xml);
    /* The running domain's QEMU may read the backing file. */
    virTestAssertOwner(base, QEMU_UID, QEMU_UID);

    watchOwner(top, base);
    watchOwner("vda", base);
    listenAll(d.conn, 8);
    args[0] = d.uri;
    args[1] = top;
    args[2] = base;
    args[3] = ready;
    child = childSpawn("watch", args);
    childWaitReady(child, ready);

    if (virDomainBlockPullAll(dom, top, 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    expectEnd(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertOwnerAtEnd(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED, 0);
    virTestAssertOwner(base, 0, 0);

    /* The stop flushes both clients' event streams. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 8, 1);
    assertEndsOnce(top, "vda", VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 1);
    g_assert_cmpint(childWaitExit(child), ==, 0);
    virDomainFree(dom);
    daemonStop(&d);
}

/* Where a step left a disk, as another client saw it. */
typedef struct {
    const char *target;
    char *top;
    char *base;
    unsigned long long cur;
    unsigned long long end;
} Orphan;

/*
 * A step-wise pull whose client went away (@kill: its process killed
 * with SIGKILL; else it closed its connection without aborting) stays
 * paused where it was, seen by every client in the block pull and block
 * job info; and another client may continue it step-wise (vda), run the
 * rest in the background (vdb) or abort it (vdc), with the events of
 * each end, once, revocation before COMPLETED.
 */
static void
stepOrphan(bool killed)
{
    Daemon d;
    Orphan o[3] = { { "vda" }, { "vdb" }, { "vdc" } };
    const char *disks[4] = { NULL, NULL, NULL, NULL };
    g_autofree char *xml = NULL;
    g_autofree char *ready = NULL;
    virDomainPtr dom;
    virConnectPtr ro;
    virDomainPtr rodom;
    virDomainBlockPullInfo pos;
    virDomainBlockJobInfo jinfo;

    heardClear();
    daemonStart(&d);
    for (size_t i = 0; i < G_N_ELEMENTS(o); i++) {
        g_autofree char *prefix = g_strdup_printf("o%zu", i);

        o[i].top = makeChain(d.dir, prefix);
        o[i].base = g_strdup_printf("%s/%s-base.raw", d.dir, prefix);
        disks[i] = o[i].top;
        watchOwner(o[i].top, o[i].base);
        watchOwner(o[i].target, o[i].base);
    }
    xml = virTestDomainXML("rorphan", disks);
    dom = virTestCreateDomain(d.conn, xml);
    listenAll(d.conn, 8);

    if (killed) {
        const char *args[4] = { d.uri, "rorphan", NULL, NULL };
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        pid_t child;

        ready = g_build_filename(d.dir, "step.ready", NULL);
        args[2] = ready;
        child = childSpawn("step", args);
        childWaitReady(child, ready);
        g_assert_true(g_file_get_contents(ready, &text, NULL, NULL));
        lines = g_strsplit(text, "\n", 0);
        for (size_t i = 0; i < G_N_ELEMENTS(o); i++) {
            g_assert_nonnull(lines[i]);
            g_assert_cmpint(sscanf(lines[i], "%*s %llu %llu", &o[i].cur, &o[i].end), ==, 2);
            g_assert_true(g_str_has_prefix(lines[i], o[i].target));
        }
        g_assert_cmpint(kill(child, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(child, NULL, 0), ==, child);
    } else {
        virConnectPtr other = virTestOpen(d.uri);
        virDomainPtr odom = virDomainLookupByName(other, "rorphan");

        g_assert_nonnull(odom);
        for (size_t i = 0; i < G_N_ELEMENTS(o); i++) {
            memset(&pos, 0, sizeof(pos));
            if (virDomainBlockPull(odom, o[i].top, &pos, 0) < 0)
                g_error("virDomainBlockPull: %s", virGetLastErrorMessage());
            o[i].cur = pos.cur;
            o[i].end = pos.end;
        }
        virDomainFree(odom);
        g_assert_cmpint(virConnectClose(other), ==, 0);
    }
    /* The daemon has seen the other client go: only ours is left. */
    if (!virTestWaitFor(daemonHasOneClient, &d, HANG_MS))
        g_error("the daemon still has %u clients", daemonClientCount(&d));

    /* Paused where the step left it, for every client, read-only ones too. */
    ro = virConnectOpenReadOnly(d.uri);
    g_assert_nonnull(ro);
    rodom = virDomainLookupByName(ro, "rorphan");
    g_assert_nonnull(rodom);
    for (size_t i = 0; i < G_N_ELEMENTS(o); i++) {
        g_assert_cmpuint(o[i].cur, >, 0);
        g_assert_cmpuint(o[i].cur, <, o[i].end);
        memset(&pos, 0, sizeof(pos));
        g_assert_cmpint(virDomainGetBlockPullInfo(dom, o[i].top, &pos, 0), ==, 0);
        g_assert_cmpuint(pos.cur, ==, o[i].cur);
        g_assert_cmpuint(pos.end, ==, o[i].end);
        memset(&pos, 0, sizeof(pos));
        g_assert_cmpint(virDomainGetBlockPullInfo(rodom, o[i].target, &pos, 0), ==, 0);
        g_assert_cmpuint(pos.cur, ==, o[i].cur);
        g_assert_cmpint(virDomainGetBlockJobInfo(dom, o[i].target, &jinfo, 0), ==, 1);
        g_assert_cmpint(jinfo.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
        g_assert_cmpuint(jinfo.cur, ==, o[i].cur);
        g_assert_cmpuint(jinfo.end, ==, o[i].end);
        g_assert_cmpint(virDomainGetBlockJobInfo(rodom, o[i].target, &jinfo, 0), ==, 1);
        g_assert_cmpuint(jinfo.cur, ==, o[i].cur);
        virTestAssertOwner(o[i].base, QEMU_UID, QEMU_UID);
    }
    virDomainFree(rodom);
    virConnectClose(ro);
    /* No end was told: nothing was aborted. */
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 0);

    /* vda: continued step-wise from where it was, to the end. */
    memset(&pos, 0, sizeof(pos));
    if (virDomainBlockPull(dom, o[0].top, &pos, 0) < 0)
        g_error("virDomainBlockPull: %s", virGetLastErrorMessage());
    g_assert_cmpuint(pos.cur, >, o[0].cur);
    g_assert_cmpuint(pos.end, ==, o[0].end);
    for (int steps = 0; pos.cur < pos.end; steps++) {
        g_assert_cmpint(steps, <, 100000);
        if (virDomainBlockPull(dom, o[0].top, &pos, 0) < 0)
            g_error("virDomainBlockPull: %s", virGetLastErrorMessage());
    }
    expectEnd(o[0].top, o[0].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertOwnerAtEnd(o[0].top, o[0].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED, 0);

    /* vdb: the rest in the background. */
    if (virDomainBlockPullAll(dom, o[1].top, 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    expectEnd(o[1].top, o[1].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertOwnerAtEnd(o[1].top, o[1].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED, 0);

    /* vdc: aborted; its backing file stays the QEMU's. */
    if (virDomainBlockPullAbort(dom, o[2].top, 0) < 0)
        g_error("virDomainBlockPullAbort: %s", virGetLastErrorMessage());
    expectEnd(o[2].top, o[2].target, VIR_DOMAIN_BLOCK_PULL_CANCELED);
    assertOwnerAtEnd(o[2].top, o[2].target, VIR_DOMAIN_BLOCK_PULL_CANCELED, QEMU_UID);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, o[2].top, &pos, 0), ==, 0);
    g_assert_cmpuint(pos.end, ==, 0);

    /* Each end once, and no other: the stop flushes the events. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 8, 1);
    assertEndsOnce(o[0].top, o[0].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertEndsOnce(o[1].top, o[1].target, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertEndsOnce(o[2].top, o[2].target, VIR_DOMAIN_BLOCK_PULL_CANCELED);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 3);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 3);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 3);
    virTestAssertOwner(o[0].base, 0, 0);
    virTestAssertOwner(o[1].base, 0, 0);
    virTestAssertOwner(o[2].base, 0, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(o); i++) {
        g_free(o[i].top);
        g_free(o[i].base);
    }
    virDomainFree(dom);
    daemonStop(&d);
}

/*
 * A daemon killed (SIGKILL) while a background pull runs at 256 KiB/s
 * (its 24 MiB take a minute and a half): its QEMU goes on; the daemon
 * started again on the same configuration finds the pull, and once it is
 * let go (speed 0) tells its end once by each of the three events, after
 * the revocation; the top image no longer has a backing file.
 */
static void
testDaemonSigkillMidPull(void)
{
    Daemon d;
    g_autofree char *top = NULL;
    g_autofree char *base = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *backing = NULL;
    g_autofree char *desc = NULL;
    const char *disks[2] = { NULL, NULL };
    virDomainPtr dom;
    virDomainBlockJobInfo jinfo;
    pid_t qemu;

    heardClear();
    daemonStart(&d);
    top = makeChain(d.dir, "k");
    base = g_strdup_printf("%s/k-base.raw", d.dir);
    disks[0] = top;
    xml = virTestDomainXML("rsigkill", disks);
    dom = virTestCreateDomain(d.conn, xml);
    qemu = virTestDomainPid(d.qemuRoot, "rsigkill");
    backing = imageBacking(top);
    g_assert_cmpstr(backing, ==, base);
    g_clear_pointer(&backing, g_free);
    if (virDomainBlockRebase(dom, "vda", NULL, 256 * 1024,
                             VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", &jinfo, 0), ==, 1);
    g_assert_cmpint(jinfo.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(jinfo.cur, <, jinfo.end);
    virDomainFree(dom);

    /* The daemon dies in the middle; its QEMU does not. */
    daemonKill(&d);
    g_assert_true(virTestProcessAlive(qemu));
    virConnectClose(d.conn);
    d.conn = NULL;

    /* Again, on the same configuration and QEMU root. */
    daemonSpawn(&d);
    d.conn = virTestOpen(d.uri);
    watchOwner(top, base);
    watchOwner("vda", base);
    listenAll(d.conn, 8);
    dom = virDomainLookupByName(d.conn, "rsigkill");
    g_assert_nonnull(dom);
    g_assert_cmpuint(virDomainGetID(dom), !=, (unsigned int) -1);
    memset(&jinfo, 0, sizeof(jinfo));
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", &jinfo, 0), ==, 1);
    g_assert_cmpint(jinfo.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(jinfo.end, >, 0);
    g_assert_cmpuint(jinfo.cur, <, jinfo.end);
    g_assert_true(virTestProcessAlive(qemu));
    virTestAssertOwner(base, QEMU_UID, QEMU_UID);
    /* No end was told yet. */
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 0);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 0);

    if (virDomainBlockJobSetSpeed(dom, "vda", 0, 0) < 0)
        g_error("virDomainBlockJobSetSpeed: %s", virGetLastErrorMessage());
    expectEnd(top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    assertOwnerAtEnd(top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED, 0);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", &jinfo, 0), ==, 0);
    desc = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(desc);
    g_assert_null(strstr(desc, base));
    g_assert_null(strstr(desc, "<backingStore type"));

    /* The stop flushes the events: each end once, and no other. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    heardWait(VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_STOPPED, -1, 8, 1);
    assertEndsOnce(top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, -1, -1, -1), ==, 1);
    g_assert_cmpuint(heardCount(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, -1, -1, -1), ==, 1);
    backing = imageBacking(top);
    g_assert_cmpstr(backing, ==, "");
    virTestAssertOwner(base, 0, 0);
    virDomainFree(dom);
    daemonStop(&d);
}

static void
testStepOrphanClosed(void)
{
    stepOrphan(false);
}

static void
testStepOrphanKilled(void)
{
    stepOrphan(true);
}

int
main(int argc, char **argv)
{
    heard = g_array_new(FALSE, TRUE, sizeof(Heard));
    ownerWatch = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (argc >= 2 && g_str_has_prefix(argv[1], "--child-"))
        _exit(childMain(argc, argv));
    virTestInit(&argc, &argv);
    virTestEventLoopStart();
    g_test_add_func("/remote/no-daemon", testNoDaemon);
    g_test_add_func("/remote/connect", testConnect);
    g_test_add_func("/remote/errors", testErrors);
    g_test_add_func("/remote/define", testDefine);
    g_test_add_func("/remote/test-driver", testTestDriver);
    g_test_add_func("/remote/keepalive", testKeepalive);
    g_test_add_func("/remote/daemon-killed", testDaemonKilled);
    g_test_add_func("/remote/close-in-callback", testCloseInCallback);
    if (VIR_TEST_INTEGRATION) {
        g_test_add_func("/remote/lifecycle", testLifecycle);
        g_test_add_func("/remote/block-jobs", testBlockJobs);
        g_test_add_func("/remote/held-outcome", testHeldOutcome);
        g_test_add_func("/remote/two-clients", testTwoClients);
        g_test_add_func("/remote/step-orphan-closed", testStepOrphanClosed);
        g_test_add_func("/remote/step-orphan-killed", testStepOrphanKilled);
        g_test_add_func("/remote/daemon-sigkill-mid-pull", testDaemonSigkillMidPull);
        g_test_add_func("/remote/client-killed-mid-call", testClientKilledMidCall);
    }
    return g_test_run();
}

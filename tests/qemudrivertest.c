/*
 * qemudrivertest.c: the QEMU driver through the public API, on a real QEMU:
 * lifecycle, events, crash, reconnect, image owners, and bad input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

#define QEMU_UID 65534
#define QEMU_GID 65534

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *base;         /* raw base image, 0600 */
    char *mid;          /* qcow2 on base, 0640 */
    char *top;          /* qcow2 on mid */
    virConnectPtr conn;
} Fixture;

static void
fixtureSetUp(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    f->dir = virTestMakeDir("vbpdrv-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->base = virTestImageNew(f->dir, "base.raw", "raw", "16M", NULL, NULL,
                              0600);
    f->mid = virTestImageNew(f->dir, "mid.qcow2", "qcow2", NULL, f->base,
                             "raw", 0640);
    f->top = virTestImageNew(f->dir, "top.qcow2", "qcow2", NULL, f->mid,
                             "qcow2", 0600);
    f->conn = virTestOpen(f->uri);
}

static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    if (f->conn)
        virConnectClose(f->conn);
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->base);
    g_free(f->mid);
    g_free(f->top);
}

static virDomainPtr
defineDomain(Fixture *f, const char *name, const char *disk)
{
    const char *disks[] = { disk, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks);

    return virTestDefineDomain(f->conn, xml);
}

/* ------------------------------------------------------------------ */

static void
testLifecycle(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "life", f->top);
    virDomainPtr other;
    virDomainPtr *list = NULL;
    virDomainInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *xml = NULL;
    pid_t pid;
    int n;

    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    n = virConnectListAllDomains(f->conn, &list, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(virDomainGetName(list[0]), ==, "life");
    virDomainFree(list[0]);
    free(list);
    g_assert_cmpint(virConnectListAllDomains(f->conn, NULL,
                                             VIR_CONNECT_LIST_DOMAINS_ACTIVE), ==, 0);

    if (virDomainCreate(dom) < 0)
        g_error("start failed: %s", virGetLastErrorMessage());
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    pid = virTestDomainPid(f->root, "life");
    g_assert_cmpint(pid, >, 0);
    g_assert_true(virTestProcessAlive(pid));

    /* Every image of the chain belongs to the QEMU user while it runs. */
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));

    /* QEMU itself runs as that user, in a session of its own. */
    {
        g_autofree char *statusPath = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *status = NULL;
        g_assert_true(g_file_get_contents(statusPath, &status, NULL, NULL));
        g_assert_nonnull(strstr(status, "\nUid:\t65534\t65534\t65534\t65534\n"));
        g_assert_cmpint(getsid(pid), !=, getsid(0));
    }

    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 65536);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);

    /* Lookups by id, uuid and name find the same domain. */
    other = virDomainLookupByID(f->conn, (int) virDomainGetID(dom));
    g_assert_nonnull(other);
    g_assert_cmpstr(virDomainGetName(other), ==, "life");
    virDomainFree(other);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    other = virDomainLookupByUUIDString(f->conn, uuid);
    g_assert_nonnull(other);
    g_assert_cmpstr(virDomainGetName(other), ==, "life");
    virDomainFree(other);

    /* The live XML shows the chain read from the image headers. */
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(xml);
    g_assert_nonnull(strstr(xml, f->mid));
    g_assert_nonnull(strstr(xml, f->base));
    g_assert_nonnull(strstr(xml, "<backingStore type='file' index='2'>"));
    g_assert_nonnull(strstr(xml, "<format type='raw'/>"));
    g_clear_pointer(&xml, free);
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_null(strstr(xml, "backingStore"));
    g_clear_pointer(&xml, free);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_false(virTestProcessAlive(pid));
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_false(virTestUserCanRead(f->top, QEMU_UID, QEMU_GID));

    /* Modes never change. */
    {
        struct stat sb;
        g_assert_cmpint(stat(f->mid, &sb), ==, 0);
        g_assert_cmpint(sb.st_mode & 07777, ==, 0640);
    }

    virTestAssertStateDirClean(f->root);

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_cmpint(virConnectListAllDomains(f->conn, NULL, 0), ==, 0);
    g_assert_null(virDomainLookupByName(f->conn, "life"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
}

static void
testTransient(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *disks[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML("trans", disks);
    virDomainPtr dom = virDomainCreateXML(f->conn, xml, 0);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    /* A transient domain is gone once it stops. */
    g_assert_null(virDomainLookupByName(f->conn, "trans"));
    virTestAssertOwner(f->base, 0, 0);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

typedef struct {
    GMutex lock;
    GArray *events;     /* pairs: event, detail */
} EventLog;

static int
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event, int detail, void *opaque)
{
    EventLog *log = opaque;

    g_mutex_lock(&log->lock);
    g_array_append_val(log->events, event);
    g_array_append_val(log->events, detail);
    g_mutex_unlock(&log->lock);
    return 0;
}

static bool
eventLogHas(void *opaque)
{
    EventLog *log = opaque;
    bool ret;

    g_mutex_lock(&log->lock);
    ret = log->events->len >= 2;
    g_mutex_unlock(&log->lock);
    return ret;
}

static void
eventLogTake(EventLog *log, int *event, int *detail)
{
    g_assert_true(virTestWaitFor(eventLogHas, log, 30000));
    g_mutex_lock(&log->lock);
    *event = g_array_index(log->events, int, 0);
    *detail = g_array_index(log->events, int, 1);
    g_array_remove_range(log->events, 0, 2);
    g_mutex_unlock(&log->lock);
}

static void
testCrash(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "crash", f->top);
    EventLog log = { .events = g_array_new(FALSE, FALSE, sizeof(int)) };
    int cb, event, detail;
    pid_t pid;

    virTestEventLoopStart();
    cb = virConnectDomainEventRegisterAny(f->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &log, NULL);
    g_assert_cmpint(cb, >=, 0);

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    eventLogTake(&log, &event, &detail);
    g_assert_cmpint(event, ==, VIR_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(detail, ==, VIR_DOMAIN_EVENT_STARTED_BOOTED);

    pid = virTestDomainPid(f->root, "crash");
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    eventLogTake(&log, &event, &detail);
    g_assert_cmpint(event, ==, VIR_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(detail, ==, VIR_DOMAIN_EVENT_STOPPED_FAILED);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);

    /* And it starts again afterwards. */
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    eventLogTake(&log, &event, &detail);
    g_assert_cmpint(event, ==, VIR_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogTake(&log, &event, &detail);
    g_assert_cmpint(event, ==, VIR_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(detail, ==, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);

    g_assert_cmpint(virConnectDomainEventDeregisterAny(f->conn, cb), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(f->conn, cb), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    virDomainFree(dom);
    g_array_unref(log.events);
}

/* ------------------------------------------------------------------ */
/* Suspend and resume                                                   */

static guint
eventLogCount(EventLog *log)
{
    guint n;

    g_mutex_lock(&log->lock);
    n = log->events->len / 2;
    g_mutex_unlock(&log->lock);
    return n;
}

/* The next event must be @event / @detail. */
static void
eventLogExpect(EventLog *log, int event, int detail)
{
    int got, gotDetail;

    eventLogTake(log, &got, &gotDetail);
    if (got != event || gotDetail != detail)
        g_error("expected lifecycle event %d/%d, got %d/%d",
                event, detail, got, gotDetail);
}

/* No more events, a while after the last call: each is told once. */
static void
eventLogAssertEmpty(EventLog *log)
{
    g_usleep(300 * 1000);
    g_assert_cmpuint(eventLogCount(log), ==, 0);
}

/* QEMU's own word on the guest's CPUs: query-status's "status". */
static char *
qmpRunStatus(virDomainPtr dom)
{
    char *reply = NULL;
    g_autofree char *copy = NULL;
    const char *p;

    if (virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}",
                                    &reply, 0) < 0)
        g_error("query-status failed: %s", virGetLastErrorMessage());
    copy = g_strdup(reply);
    free(reply);
    if (!(p = strstr(copy, "\"status\":")))
        g_error("query-status without a status: %s", copy);
    p += strlen("\"status\":");
    while (*p == ' ' || *p == '"')
        p++;
    return g_strndup(p, strcspn(p, "\""));
}

static void
qmpCommand(virDomainPtr dom, const char *cmd)
{
    char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &reply, 0) < 0)
        g_error("'%s' failed: %s", cmd, virGetLastErrorMessage());
    free(reply);
}

#define assertRunStatus(dom, want) \
    do { \
        g_autofree char *_st = qmpRunStatus(dom); \
        g_assert_cmpstr(_st, ==, want); \
    } while (0)

/* The guest really stops and runs again; state, reasons and events as
 * libvirt's, each event once, whoever stopped the CPUs. */
static void
testSuspendResume(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "susp", f->top);
    virConnectPtr ro = virConnectOpenReadOnly(f->uri);
    virDomainPtr roDom;
    EventLog log = { .events = g_array_new(FALSE, FALSE, sizeof(int)) };
    virDomainInfo info;
    int cb;

    g_assert_nonnull(ro);
    virTestEventLoopStart();
    cb = virConnectDomainEventRegisterAny(f->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &log, NULL);
    g_assert_cmpint(cb, >=, 0);

    /* Not running: refused. */
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_INVALID,
                           "domain 'susp' is not running", NULL);
    g_assert_cmpint(virDomainResume(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    assertRunStatus(dom, "running");

    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    assertRunStatus(dom, "paused");
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_PAUSED);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    /* Again: done already, no event. */
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    eventLogAssertEmpty(&log);
    /* Paused is still active: listed among the running. */
    g_assert_cmpint(virConnectNumOfDomains(f->conn), ==, 1);
    g_assert_cmpint(virConnectListAllDomains(f->conn, NULL,
                                             VIR_CONNECT_LIST_DOMAINS_PAUSED), ==, 1);

    /* The state is in the status file: a new host of the root finds it. */
    virConnectClose(ro);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(f->conn, cb), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(f->conn), ==, 0);
    f->conn = virTestOpen(f->uri);
    ro = virConnectOpenReadOnly(f->uri);
    g_assert_nonnull(ro);
    dom = virDomainLookupByName(f->conn, "susp");
    g_assert_nonnull(dom);
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    assertRunStatus(dom, "paused");
    cb = virConnectDomainEventRegisterAny(f->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &log, NULL);
    g_assert_cmpint(cb, >=, 0);

    /* A read-only connection may not. */
    roDom = virDomainLookupByName(ro, "susp");
    g_assert_nonnull(roDom);
    g_assert_cmpint(virDomainResume(roDom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainSuspend(roDom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    assertRunStatus(dom, "paused");

    g_assert_cmpint(virDomainResume(dom), ==, 0);
    assertRunStatus(dom, "running");
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    eventLogAssertEmpty(&log);

    /* Stopped and run again behind the driver's back (QMP through the
     * monitor passthrough): QEMU's STOP and RESUME events keep the state
     * right and are told. */
    qmpCommand(dom, "{\"execute\":\"stop\"}");
    eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
    qmpCommand(dom, "{\"execute\":\"cont\"}");
    eventLogExpect(&log, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    eventLogAssertEmpty(&log);

    /* Suspend and resume in quick turns: each told once, in order. */
    for (int i = 0; i < 5; i++) {
        g_assert_cmpint(virDomainSuspend(dom), ==, 0);
        g_assert_cmpint(virDomainResume(dom), ==, 0);
    }
    for (int i = 0; i < 5; i++) {
        eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        eventLogExpect(&log, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    eventLogAssertEmpty(&log);
    assertRunStatus(dom, "running");
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* A graceful stop makes QEMU stop its CPUs on the way out: only the
     * stop is told. */
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    g_assert_cmpint(virDomainDestroyFlags(dom, VIR_DOMAIN_DESTROY_GRACEFUL), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    eventLogAssertEmpty(&log);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* Started paused: resume lets it run, told once. */
    g_assert_cmpint(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    assertRunStatus(dom, "prelaunch");
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    assertRunStatus(dom, "running");
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    /* Destroyed while paused: only the stop. */
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogExpect(&log, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    eventLogAssertEmpty(&log);

    g_assert_cmpint(virDomainSuspend(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_DOMAIN);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(f->conn, cb), ==, 0);
    virDomainFree(roDom);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(ro), ==, 0);
    g_array_unref(log.events);
}

/*
 * Another QMP client's @cmd ("stop", "cont") to the QEMU whose monitor
 * socket is @path, while no process of ours holds it: QEMU takes one
 * client at a time. Waits for the command's reply.
 */
static void
qmpBehindOurBack(const char *path, const char *cmd)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *send = g_strdup_printf("{\"execute\":\"qmp_capabilities\"}\n"
                                            "{\"execute\":\"%s\"}\n", cmd);
    g_autoptr(GString) in = g_string_new(NULL);
    int returns = 0;
    int fd;

    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    memcpy(addr.sun_path, path, strlen(path) + 1);
    g_assert_cmpint(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(write(fd, send, strlen(send)), ==, (ssize_t) strlen(send));
    /* The greeting, then a "return" for each command (events between). */
    while (returns < 2) {
        char buf[4096];
        ssize_t got = read(fd, buf, sizeof(buf));
        const char *p;

        if (got <= 0)
            g_error("QEMU's monitor closed before answering '%s': %s", cmd, in->str);
        g_string_append_len(in, buf, got);
        returns = 0;
        for (p = in->str; (p = strstr(p, "\"return\"")); p++)
            returns++;
    }
    close(fd);
}

/* Paused and resumed while no process hosted the root: the next one
 * finds the state QEMU is in. */
static void
testRunStateWhileAway(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "away", f->top);
    g_autofree char *mon = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    mon = g_strdup_printf("%s/run/qemu/%s.mon", f->root, uuid);
    virDomainFree(dom);

    g_assert_cmpint(virConnectClose(f->conn), ==, 0);
    qmpBehindOurBack(mon, "stop");
    f->conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(f->conn, "away");
    g_assert_nonnull(dom);
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
    assertRunStatus(dom, "paused");
    virDomainFree(dom);

    g_assert_cmpint(virConnectClose(f->conn), ==, 0);
    qmpBehindOurBack(mon, "cont");
    f->conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(f->conn, "away");
    g_assert_nonnull(dom);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    assertRunStatus(dom, "running");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
}

/* Wait (generously) until @pid is dead: gone, or a zombie. */
static void
waitDead(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        g_autofree char *stat = NULL;
        const char *end;

        if (!g_file_get_contents(path, &stat, NULL, NULL))
            return;
        if ((end = strrchr(stat, ')')) && end[1] == ' ' && end[2] == 'Z')
            return;
        g_usleep(10 * 1000);
    }
    g_error("process %d is still alive after SIGKILL", (int) pid);
}

/* Three domains taken over by one process start, whose takeovers
 * overlap (every QEMU is asked before any reply is read): one went on
 * running, one was paused and one was killed while no process hosted the
 * root. Each ends up as its QEMU says, and the monitors of the two that
 * live take commands. */
static void
testTakeoverMany(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *names[] = { "tk-run", "tk-paused", "tk-killed" };
    virDomainPtr doms[G_N_ELEMENTS(names)];
    g_autofree char *pausedMon = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    pid_t killed;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *img = g_strdup_printf("%s/%s.qcow2", f->dir, names[i]);

        virTestImageCreate(img, "qcow2", "16M", NULL, NULL);
        doms[i] = defineDomain(f, names[i], img);
        g_assert_cmpint(virDomainCreate(doms[i]), ==, 0);
    }
    g_assert_cmpint(virDomainGetUUIDString(doms[1], uuid), ==, 0);
    pausedMon = g_strdup_printf("%s/run/qemu/%s.mon", f->root, uuid);
    killed = virTestDomainPid(f->root, "tk-killed");
    for (i = 0; i < G_N_ELEMENTS(names); i++)
        virDomainFree(doms[i]);

    g_assert_cmpint(virConnectClose(f->conn), ==, 0);
    qmpBehindOurBack(pausedMon, "stop");
    g_assert_cmpint(kill(killed, SIGKILL), ==, 0);
    waitDead(killed);
    f->conn = virTestOpen(f->uri);

    for (i = 0; i < G_N_ELEMENTS(names); i++)
        g_assert_nonnull(doms[i] = virDomainLookupByName(f->conn, names[i]));
    virTestAssertState(doms[0], VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    virTestAssertState(doms[1], VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
    virTestAssertState(doms[2], VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    g_assert_cmpint(virConnectNumOfDomains(f->conn), ==, 2);

    /* The monitors that were taken over answer. */
    assertRunStatus(doms[0], "running");
    assertRunStatus(doms[1], "paused");
    g_assert_cmpint(virDomainResume(doms[1]), ==, 0);
    virTestAssertState(doms[1], VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    assertRunStatus(doms[1], "running");

    /* The killed one starts again. */
    g_assert_cmpint(virDomainCreate(doms[2]), ==, 0);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpint(virDomainDestroy(doms[i]), ==, 0);
        virDomainFree(doms[i]);
    }
}

/* The old list calls on a real root: running (paused too), defined,
 * transient. */
static void
testListCalls(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr run = defineDomain(f, "l-run", f->top);
    virDomainPtr off = defineDomain(f, "l-off", f->mid);
    g_autofree char *own = g_build_filename(f->dir, "trans.qcow2", NULL);
    const char *disks[] = { own, NULL };
    g_autofree char *transXML = NULL;
    virDomainPtr trans;
    char *names[4] = { NULL };
    int ids[4] = { 0 };

    g_assert_cmpstr(virConnectGetType(f->conn), ==, "QEMU");
    g_assert_cmpint(virConnectNumOfDomains(f->conn), ==, 0);
    g_assert_cmpint(virConnectListDomains(f->conn, ids, 4), ==, 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(f->conn), ==, 2);
    g_assert_cmpint(virConnectListDefinedDomains(f->conn, names, 4), ==, 2);
    g_assert_cmpstr(names[0], ==, "l-off");
    g_assert_cmpstr(names[1], ==, "l-run");
    free(names[0]);
    free(names[1]);

    g_assert_cmpint(virDomainCreate(run), ==, 0);
    g_assert_cmpint(virDomainSuspend(run), ==, 0);
    virTestImageCreate(own, "qcow2", "16M", NULL, NULL);
    transXML = virTestDomainXML("l-trans", disks);
    trans = virTestCreateDomain(f->conn, transXML);
    g_assert_cmpint(virConnectNumOfDomains(f->conn), ==, 2);
    g_assert_cmpint(virConnectListDomains(f->conn, ids, 4), ==, 2);
    g_assert_cmpint(ids[0], ==, (int) virDomainGetID(run));
    g_assert_cmpint(ids[1], ==, (int) virDomainGetID(trans));
    g_assert_cmpint(virConnectListDomains(f->conn, ids, 1), ==, 1);
    g_assert_cmpint(ids[0], ==, (int) virDomainGetID(run));
    g_assert_cmpint(virConnectNumOfDefinedDomains(f->conn), ==, 1);
    g_assert_cmpint(virConnectListDefinedDomains(f->conn, names, 4), ==, 1);
    g_assert_cmpstr(names[0], ==, "l-off");
    free(names[0]);

    g_assert_cmpint(virConnectListDomains(f->conn, ids, -1), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectListDefinedDomains(f->conn, NULL, 2), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    g_assert_cmpint(virDomainDestroy(trans), ==, 0);
    g_assert_cmpint(virDomainDestroy(run), ==, 0);
    g_assert_cmpint(virConnectNumOfDomains(f->conn), ==, 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(f->conn), ==, 2);
    virDomainFree(trans);
    virDomainFree(run);
    virDomainFree(off);
}

/* ------------------------------------------------------------------ */
/* Restart of the embedding process                                     */


static int
childMain(const char *what, const char *uri, const char *name)
{
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d;

    if (strcmp(what, "open-busy") == 0)
        return c == NULL && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID ? 0 : 1;
    if (!c || !(d = virDomainLookupByName(c, name)))
        return 1;
    if (strcmp(what, "start") == 0 && virDomainCreate(d) < 0)
        return 1;
    /* Exit without closing anything: as a crash of the embedding process. */
    return 0;
}

static void
testReconnect(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "recon", f->top);
    pid_t pid;

    /* Another process holds the root while we have it open. */
    g_assert_cmpint(virTestRunSelf("open-busy", f->uri, NULL), ==, 0);

    /* Let go of the root: a child process starts the domain and exits. */
    virDomainFree(dom);
    virConnectClose(g_steal_pointer(&f->conn));
    g_assert_cmpint(virTestRunSelf("start", f->uri, "recon"), ==, 0);
    pid = virTestDomainPid(f->root, "recon");
    g_assert_cmpint(pid, >, 0);
    /* QEMU outlived the process that started it. */
    g_assert_true(virTestProcessAlive(pid));

    f->conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(f->conn, "recon");
    g_assert_nonnull(dom);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    {
        g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
        g_assert_nonnull(strstr(xml, f->base));
        g_clear_pointer(&xml, free);
    }
    /* The monitor works again: destroy goes through it and cleans up. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_false(virTestProcessAlive(pid));
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->top, 0, 0);

    /* A QEMU that died while nobody watched is cleaned up at open. */
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    pid = virTestDomainPid(f->root, "recon");
    virDomainFree(dom);
    virConnectClose(g_steal_pointer(&f->conn));
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    while (virTestProcessAlive(pid))
        g_usleep(10 * 1000);
    /* Its pid now belongs to someone else (after a reboot, say): that
     * process must survive our clean-up. */
    {
        g_autofree char *status = g_strdup_printf("%s/run/qemu/recon.xml", f->root);
        g_autofree char *xml = NULL;
        g_autofree char *from = g_strdup_printf("pid='%d'", (int) pid);
        g_autofree char *to = NULL;
        g_autoptr(GString) s = NULL;
        const char *argv[] = { "sleep", "600", NULL };
        GPid other;

        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &other, NULL));
        to = g_strdup_printf("pid='%d'", (int) other);
        g_assert_true(g_file_get_contents(status, &xml, NULL, NULL));
        s = g_string_new(xml);
        g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
        g_assert_true(g_file_set_contents(status, s->str, -1, NULL));

        f->conn = virTestOpen(f->uri);
        g_assert_true(virTestProcessAlive(other));
        kill(other, SIGKILL);
        waitpid(other, NULL, 0);
    }
    dom = virDomainLookupByName(f->conn, "recon");
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    virTestAssertOwner(f->base, 0, 0);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* A backing image shared by two running domains                        */

static void
testSharedBacking(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *top2 = g_build_filename(f->dir, "top2.qcow2", NULL);
    virDomainPtr a, b;

    virTestImageCreate(top2, "qcow2", NULL, f->mid, "qcow2");
    a = defineDomain(f, "share-a", f->top);
    b = defineDomain(f, "share-b", top2);
    g_assert_cmpint(virDomainCreate(a), ==, 0);
    g_assert_cmpint(virDomainCreate(b), ==, 0);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);

    g_assert_cmpint(virDomainDestroy(a), ==, 0);
    /* b still runs on mid and base: they keep their label. */
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));

    g_assert_cmpint(virDomainDestroy(b), ==, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(top2, 0, 0);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    virDomainFree(a);
    virDomainFree(b);
}

/* ------------------------------------------------------------------ */
/* Bad input: a clear error, nothing changed                            */

static void
testBadInput(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = defineDomain(f, "bad", f->top);
    virConnectPtr ro;
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *xml = NULL;

    /* NULL handles and arguments. */
    g_assert_null(virDomainDefineXML(NULL, "<domain/>"));
    virTestAssertError(VIR_ERR_INVALID_CONN);
    g_assert_null(virDomainDefineXML(f->conn, NULL));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainCreate(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_DOMAIN);
    g_assert_null(virDomainLookupByName(f->conn, NULL));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_null(virDomainLookupByUUIDString(f->conn, "not-a-uuid"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainGetState(dom, NULL, NULL, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    /* Unknown flags. */
    g_assert_cmpint(virDomainCreateWithFlags(dom, 1u << 30), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_null(virDomainGetXMLDesc(dom, 1u << 30));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectListAllDomains(f->conn, NULL, 1u << 30), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    /* Malformed and schema-invalid XML. */
    g_assert_null(virDomainDefineXML(f->conn, "<domain type='qemu'><name>x</name"));
    virTestAssertError(VIR_ERR_XML_ERROR);
    g_assert_null(virDomainDefineXML(f->conn,
                                     "<domain type='qemu'><name>x</name><bogus/></domain>"));
    virTestAssertError(VIR_ERR_XML_INVALID_SCHEMA);

    /* A duplicate name (other UUID) or UUID (other name). */
    {
        const char *disks[] = { f->top, NULL };
        g_autofree char *dup = virTestDomainXML("bad", disks);
        g_autofree char *withuuid = NULL;
        g_autofree char *needle = NULL;

        g_assert_null(virDomainDefineXML(f->conn, dup));
        virTestAssertError(VIR_ERR_OPERATION_FAILED);
        g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
        needle = g_strdup_printf("<name>other</name><uuid>%s</uuid>", uuid);
        withuuid = virTestDomainXML("other", disks);
        {
            g_autoptr(GString) s = g_string_new(withuuid);
            g_string_replace(s, "<name>other</name>", needle, 1);
            g_assert_null(virDomainDefineXML(f->conn, s->str));
        }
        virTestAssertError(VIR_ERR_OPERATION_FAILED);
        g_assert_null(virDomainLookupByName(f->conn, "other"));
    }

    /* Destroying an inactive domain; starting a running one. */
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virTestQemuCount(f->dir), ==, 1);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);

    /* Read-only connections can look but not touch. */
    ro = virConnectOpenReadOnly(f->uri);
    g_assert_nonnull(ro);
    {
        virDomainPtr rdom = virDomainLookupByName(ro, "bad");
        g_assert_nonnull(rdom);
        g_assert_cmpint(virDomainCreate(rdom), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_DENIED);
        xml = virDomainGetXMLDesc(rdom, 0);
        g_assert_nonnull(xml);
        g_clear_pointer(&xml, free);
        virDomainFree(rdom);
    }
    g_assert_null(virDomainDefineXML(ro, "<domain/>"));
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    virConnectClose(ro);

    g_assert_cmpint(virTestQemuCount(f->dir), ==, 0);
    virTestAssertOwner(f->base, 0, 0);
    virDomainFree(dom);
}

/* Start failures: a missing image, an unrecorded backing format, a missing
 * emulator, QEMU exiting during start-up. Each leaves nothing behind. */
static void
assertNothingLeft(Fixture *f)
{
    virTestAssertStateDirClean(f->root);
    g_assert_cmpint(virTestQemuCount(f->dir), ==, 0);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
}

static void
testStartFailures(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *missing = g_build_filename(f->dir, "missing.qcow2", NULL);
    g_autofree char *nofmt = g_build_filename(f->dir, "nofmt.qcow2", NULL);
    virDomainPtr dom;
    virErrorPtr err;

    /* A missing image. */
    dom = defineDomain(f, "missing", missing);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, missing));
    assertNothingLeft(f);
    virDomainUndefine(dom);
    virDomainFree(dom);

    /* A backing file whose format is not recorded: refused, never probed.
     * qemu-img insists on recording it, so hide the backing-format header
     * extension (magic 0xE2792ACA) under an unknown magic, which readers
     * skip. */
    {
        const char *argv[] = { QEMU_IMG_PATH, "create", "-q", "-f", "qcow2",
                               "-u", "-b", f->mid, "-F", "qcow2", nofmt, "16M", NULL };
        const unsigned char magic[] = { 0xE2, 0x79, 0x2A, 0xCA };
        g_autofree char *hdr = NULL;
        gsize len;
        bool patched = false;

        virTestRun(argv, NULL);
        g_assert_true(g_file_get_contents(nofmt, &hdr, &len, NULL));
        for (gsize i = 72; i + 4 < MIN(len, 4096); i += 8) {
            if (memcmp(hdr + i, magic, 4) == 0) {
                memcpy(hdr + i, "\x12\x34\x56\x78", 4);
                patched = true;
                break;
            }
        }
        g_assert_true(patched);
        g_assert_true(g_file_set_contents(nofmt, hdr, len, NULL));
    }
    dom = defineDomain(f, "nofmt", nofmt);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    virTestAssertError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "nofmt.qcow2"));
    assertNothingLeft(f);
    virDomainUndefine(dom);
    virDomainFree(dom);

    /* An emulator that does not exist. */
    {
        const char *disks[] = { f->top, NULL };
        g_autofree char *xml = virTestDomainXML("noemu", disks);
        g_autoptr(GString) s = g_string_new(xml);
        g_string_replace(s, "<devices>\n",
                         "<devices>\n    <emulator>/nonexistent/qemu</emulator>\n", 1);
        dom = virDomainDefineXML(f->conn, s->str);
        g_assert_nonnull(dom);
        g_assert_cmpint(virDomainCreate(dom), ==, -1);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "/nonexistent/qemu"));
        assertNothingLeft(f);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }

    /* QEMU exits during start-up: its own words end up in the error. */
    {
        const char *disks[] = { f->top, NULL };
        g_autofree char *xml = virTestDomainXML("badmachine", disks);
        g_autoptr(GString) s = g_string_new(xml);
        g_string_replace(s, "machine='pc'", "machine='no-such-machine'", 1);
        dom = virDomainDefineXML(f->conn, s->str);
        g_assert_nonnull(dom);
        g_assert_cmpint(virDomainCreate(dom), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_FAILED);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "unsupported machine type"));
        assertNothingLeft(f);
        virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
}

static void
testEventNoLoop(void)
{
    /* Registering without an event loop is a clear error: this runs in a
     * child so the loop started by other tests does not count. */
    pid_t child = fork();
    int status;

    g_assert_cmpint(child, >=, 0);
    if (child == 0) {
        g_autofree char *dir = virTestMakeDir("vbpev-XXXXXX");
        g_autofree char *uri = virTestEmbedURI(dir);
        virConnectPtr c = virConnectOpen(uri);
        int rc = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                                  NULL, NULL);
        bool ok = rc == -1 && strstr(virGetLastErrorMessage(), "event loop");
        virConnectClose(c);
        virTestCleanupDir(dir);
        _exit(ok ? 0 : 1);
    }
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void
testURI(void)
{
    virConnectPtr c;

    g_assert_null(virConnectOpen("qemu:///embed"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_null(virConnectOpen("qemu:///embed?root=relative/dir"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_null(virConnectOpen("bogus:///nothing"));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    g_assert_null(virConnectOpen("::not a uri"));
    g_assert_nonnull(virGetLastError());
    {
        g_autofree char *dir = virTestMakeDir("vbpuri-XXXXXX");
        g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s/r", dir);
        char *got;

        g_setenv("LIBVIRT_DEFAULT_URI", uri, TRUE);
        c = virConnectOpen(NULL);
        g_unsetenv("LIBVIRT_DEFAULT_URI");
        g_assert_nonnull(c);
        got = virConnectGetURI(c);
        g_assert_cmpstr(got, ==, uri);
        free(got);
        g_assert_cmpint(virConnectIsAlive(c), ==, 1);
        g_assert_cmpint(virConnectRef(c), ==, 0);
        g_assert_cmpint(virConnectClose(c), ==, 1);
        g_assert_cmpint(virConnectClose(c), ==, 0);
        virTestCleanupDir(dir);
    }
}

/* security_driver = "none": images keep their owners (QEMU then runs with
 * the caller's identity and must be able to open them as they are). */
static void
testSecurityNone(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom;

    virConnectClose(g_steal_pointer(&f->conn));
    virTestWriteQemuConf(f->root, "security_driver = \"none\"\n");
    f->conn = virTestOpen(f->uri);
    dom = defineDomain(f, "nosec", f->top);
    if (virDomainCreate(dom) < 0)
        g_error("start failed: %s", virGetLastErrorMessage());
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertOwner(f->base, 0, 0);
    virDomainFree(dom);
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3], argc > 4 ? argv[4] : NULL));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemudrivertest must run as root (it checks image owners)\n");
        return 1;
    }

#define ADD(name, fn) \
    g_test_add(name, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    g_test_add_func("/qemu/driver/uri", testURI);
    g_test_add_func("/qemu/driver/event-no-loop", testEventNoLoop);
    ADD("/qemu/driver/lifecycle", testLifecycle);
    ADD("/qemu/driver/transient", testTransient);
    ADD("/qemu/driver/crash", testCrash);
    ADD("/qemu/driver/reconnect", testReconnect);
    ADD("/qemu/driver/shared-backing", testSharedBacking);
    ADD("/qemu/driver/bad-input", testBadInput);
    ADD("/qemu/driver/start-failures", testStartFailures);
    ADD("/qemu/driver/security-none", testSecurityNone);
    ADD("/qemu/driver/suspend-resume", testSuspendResume);
    ADD("/qemu/driver/list-calls", testListCalls);
    ADD("/qemu/driver/run-state-while-away", testRunStateWhileAway);
    ADD("/qemu/driver/takeover-many", testTakeoverMany);
    return g_test_run();
}

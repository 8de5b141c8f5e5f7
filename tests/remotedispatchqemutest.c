/*
 * remotedispatchqemutest.c: the daemon's dispatch of the block job and
 * block pull procedures and their events, on a real QEMU (an embed root
 * the server serves as its system URI, as libvirtd does), driven by raw
 * clients: the step-wise pull of BP_PROGRAM, libvirt's block job calls,
 * libvirt's whole pull (240), the QEMU monitor command, and the three
 * events of a pull's end: BLOCK_JOB (326) and BLOCK_JOB_2 (339) to every
 * client, BLOCK_PULL (BP_PROC 5) only to a client that said it knows
 * BP_PROGRAM (a libvirt client would drop its connection on it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "rpc/virnetserver.h"
#include "rpc/virnetclient.h"
#include "remote/remote_daemon_dispatch.h"
#include "remote/remote_protocol.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */

#define XDR(f) ((xdrproc_t) (void (*)(void)) (f))

/* ------------------------------------------------------------------ */
/* Raw clients                                                          */

typedef struct {
    virNetClient *nc;
    GMutex lock;
    GCond cond;
    GPtrArray *events;          /* one line per event, in order */
} Client;

static void
clientEvent(virNetClient *nc G_GNUC_UNUSED, virNetMessage *msg, void *opaque)
{
    Client *c = opaque;
    char *line = NULL;

    if (msg->header.prog == REMOTE_PROGRAM &&
        msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB) {
        remote_domain_event_callback_block_job_msg ev = { 0 };

        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            XDR(xdr_remote_domain_event_callback_block_job_msg), &ev), ==, 0);
        line = g_strdup_printf("job %d %s %s %d %d", ev.callbackID, ev.msg.dom.name,
                               ev.msg.path, ev.msg.type, ev.msg.status);
        xdr_free(XDR(xdr_remote_domain_event_callback_block_job_msg), (char *) &ev);
    } else if (msg->header.prog == REMOTE_PROGRAM &&
               msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2) {
        remote_domain_event_block_job_2_msg ev = { 0 };

        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            XDR(xdr_remote_domain_event_block_job_2_msg), &ev), ==, 0);
        line = g_strdup_printf("job2 %d %s %s %d %d", ev.callbackID, ev.dom.name,
                               ev.dst, ev.type, ev.status);
        xdr_free(XDR(xdr_remote_domain_event_block_job_2_msg), (char *) &ev);
    } else if (msg->header.prog == BP_PROGRAM &&
               msg->header.proc == BP_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_PULL) {
        bp_domain_event_callback_block_pull_msg ev = { 0 };

        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            XDR(xdr_bp_domain_event_callback_block_pull_msg), &ev), ==, 0);
        line = g_strdup_printf("pull %d %s %s %d serial %u%s %s", ev.callbackID,
                               ev.dom.name, ev.path, ev.status, ev.serial,
                               ev.held ? " held" : "", ev.disk);
        xdr_free(XDR(xdr_bp_domain_event_callback_block_pull_msg), (char *) &ev);
    } else if (msg->header.prog == REMOTE_PROGRAM &&
               msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
        remote_domain_event_callback_lifecycle_msg ev = { 0 };

        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            XDR(xdr_remote_domain_event_callback_lifecycle_msg), &ev), ==, 0);
        line = g_strdup_printf("lifecycle %d %s %d %d", ev.callbackID,
                               ev.msg.dom.name, ev.msg.event, ev.msg.detail);
        xdr_free(XDR(xdr_remote_domain_event_callback_lifecycle_msg), (char *) &ev);
    } else {
        line = g_strdup_printf("other %x %d", msg->header.prog, msg->header.proc);
    }
    g_mutex_lock(&c->lock);
    g_ptr_array_add(c->events, line);
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
}

static int
call(Client *c, unsigned int prog, int proc, xdrproc_t argsFilter, void *args,
     xdrproc_t retFilter, void *ret)
{
    virResetLastError();
    return virNetClientCall(c->nc, prog, 1, proc,
                            argsFilter ? argsFilter : XDR(xdr_void), args,
                            retFilter ? retFilter : XDR(xdr_void), ret);
}

static void
callOK(Client *c, unsigned int prog, int proc, xdrproc_t argsFilter, void *args,
       xdrproc_t retFilter, void *ret)
{
    if (call(c, prog, proc, argsFilter, args, retFilter, ret) < 0)
        g_error("procedure %d of program %x failed: %s", proc, prog,
                virGetLastErrorMessage());
}

static int
feature(Client *c, int feat)
{
    remote_connect_supports_feature_args args = { feat };
    remote_connect_supports_feature_ret ret = { 0 };

    callOK(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
           XDR(xdr_remote_connect_supports_feature_args), &args,
           XDR(xdr_remote_connect_supports_feature_ret), &ret);
    return ret.supported;
}

/* A client of the read-write socket, the handshake done as a libvirt
 * client does it; @ours: it also says it knows BP_PROGRAM. */
static Client *
clientNew(const char *path, bool ours)
{
    Client *c = g_new0(Client, 1);
    char *name = (char *) "qemu:///system";
    remote_connect_open_args open = { &name, 0 };

    g_mutex_init(&c->lock);
    g_cond_init(&c->cond);
    c->events = g_ptr_array_new_with_free_func(g_free);
    c->nc = virNetClientNewUnix(path);
    g_assert_nonnull(c->nc);
    g_assert_cmpint(virNetClientAddProgramEvents(c->nc, REMOTE_PROGRAM, 1,
                                                 clientEvent, c), ==, 0);
    g_assert_cmpint(virNetClientAddProgramEvents(c->nc, BP_PROGRAM, 1,
                                                 clientEvent, c), ==, 0);
    g_assert_cmpint(feature(c, 10 /* keepalive */), ==, 1);
    callOK(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
           XDR(xdr_remote_connect_open_args), &open, NULL, NULL);
    g_assert_cmpint(feature(c, 14 /* remote event callback */), ==, 1);
    if (ours)
        g_assert_cmpint(feature(c, BP_FEATURE_PROGRAM), ==, 1);
    return c;
}

static void
clientFree(Client *c)
{
    virNetClientClose(c->nc);
    virNetClientUnref(c->nc);
    g_ptr_array_unref(c->events);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
    g_free(c);
}

static int
registerAny(Client *c, int eventID)
{
    remote_connect_domain_event_callback_register_any_args args = { eventID, NULL };
    remote_connect_domain_event_callback_register_any_ret ret = { -1 };

    callOK(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
           XDR(xdr_remote_connect_domain_event_callback_register_any_args), &args,
           XDR(xdr_remote_connect_domain_event_callback_register_any_ret), &ret);
    g_assert_cmpint(ret.callbackID, >=, 0);
    return ret.callbackID;
}

static gint
compareLines(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Wait until @c has @n events; returns them sorted (the kinds of one end
 * come in the order the driver emits them, which is not what this test
 * is about), one a line. */
static char *
waitEvents(Client *c, guint n)
{
    gint64 end = g_get_monotonic_time() + HANG_MS * G_TIME_SPAN_MILLISECOND;
    g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func(g_free);

    g_mutex_lock(&c->lock);
    while (c->events->len < n) {
        if (!g_cond_wait_until(&c->cond, &c->lock, end))
            g_error("waited for %u events, got %u", n, c->events->len);
    }
    for (guint i = 0; i < c->events->len; i++)
        g_ptr_array_add(copy, g_strdup(g_ptr_array_index(c->events, i)));
    g_mutex_unlock(&c->lock);
    g_ptr_array_sort(copy, compareLines);
    g_ptr_array_add(copy, NULL);
    return g_strjoinv("\n", (char **) copy->pdata);
}

/* ------------------------------------------------------------------ */

typedef struct {
    char *dir;
    char *root;
    char *uri;
    char *rwPath;
    virNetServer *srv;
    virConnectPtr hold;         /* the daemon's own connection */
} Fixture;

static void
fixtureSetUp(Fixture *f)
{
    virNetServerConfig cfg;

    f->dir = virTestMakeDir("remotedispatchqemu-XXXXXX");
    g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->rwPath = g_build_filename(f->dir, "libvirt-sock", NULL);
    f->hold = virTestOpen(f->uri);
    virNetServerConfigDefaults(&cfg);
    f->srv = virNetServerNew(&cfg);
    g_assert_nonnull(f->srv);
    g_assert_cmpint(remoteDaemonAddPrograms(f->srv, f->uri), ==, 0);
    g_assert_cmpint(virNetServerAddUnixSocket(f->srv, f->rwPath, 0700,
                                              (gid_t) -1, false), ==, 0);
    g_assert_cmpint(virNetServerStart(f->srv), ==, 0);
}

static void
fixtureTearDown(Fixture *f)
{
    virNetServerStop(f->srv);
    virNetServerFree(f->srv);
    virConnectClose(f->hold);
    g_assert_cmpuint(virTestQemuCount(f->dir), ==, 0);
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->rwPath);
}

static char *
image(Fixture *f, const char *name, const char *fmt, const char *backing)
{
    char *path = g_build_filename(f->dir, name, NULL);

    virTestImageCreate(path, fmt, backing ? NULL : "32M", backing,
                       backing ? "raw" : NULL);
    if (!backing)
        virTestImageWrite(path, fmt, 0x5a, "0", "16M");
    g_assert_cmpint(chmod(path, 0600), ==, 0);
    return path;
}

static void
testPullOverTheWire(void)
{
    Fixture f = { 0 };
    g_autofree char *base1 = NULL, *top1 = NULL, *base2 = NULL, *top2 = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *want = NULL;
    const char *disks[3];
    Client *ours, *theirs;
    int oursPull, oursJob, oursJob2, theirsPull, theirsJob, theirsJob2;
    remote_domain_create_xml_args createArgs = { NULL, 0 };
    remote_domain_create_xml_ret created = { 0 };
    bp_domain_block_pull_args bp = { { 0 }, (char *) "vda", 0 };
    bp_domain_block_pull_ret step = { { 0 } };
    bp_domain_get_block_pull_info_ret pinfo = { { 0 } };
    remote_domain_get_block_job_info_args jobArgs = { { 0 }, (char *) "vda", 0 };
    remote_domain_get_block_job_info_ret job = { 0 };
    remote_domain_block_job_set_speed_args speed = { { 0 }, (char *) "vda", 64, 0 };
    remote_domain_block_pull_args pull240 = { { 0 }, (char *) "vdb", 0, 0 };
    remote_domain_block_job_abort_args abortArgs = { { 0 }, (char *) "vda", 0 };
    qemu_domain_monitor_command_args mon = { { 0 },
                                             (char *) "{\"execute\":\"query-status\"}", 0 };
    qemu_domain_monitor_command_ret monRet = { 0 };
    remote_domain_destroy_args destroy = { { 0 } };

    fixtureSetUp(&f);
    base1 = image(&f, "base1.raw", "raw", NULL);
    top1 = image(&f, "top1.qcow2", "qcow2", base1);
    base2 = image(&f, "base2.raw", "raw", NULL);
    top2 = image(&f, "top2.qcow2", "qcow2", base2);
    disks[0] = top1;
    disks[1] = top2;
    disks[2] = NULL;
    xml = virTestDomainXML("rdq", disks);

    ours = clientNew(f.rwPath, true);
    theirs = clientNew(f.rwPath, false);
    oursPull = registerAny(ours, VIR_DOMAIN_EVENT_ID_BLOCK_PULL);
    oursJob = registerAny(ours, VIR_DOMAIN_EVENT_ID_BLOCK_JOB);
    oursJob2 = registerAny(ours, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2);
    /* A libvirt client registering id 7 means CONTROL_ERROR. */
    theirsPull = registerAny(theirs, 7);
    theirsJob = registerAny(theirs, VIR_DOMAIN_EVENT_ID_BLOCK_JOB);
    theirsJob2 = registerAny(theirs, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2);
    (void)theirsPull;

    createArgs.xml_desc = xml;
    callOK(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_XML,
           XDR(xdr_remote_domain_create_xml_args), &createArgs,
           XDR(xdr_remote_domain_create_xml_ret), &created);
    g_assert_cmpint(created.dom.id, >, 0);
    bp.dom = jobArgs.dom = speed.dom = pull240.dom = abortArgs.dom = created.dom;
    mon.dom = destroy.dom = created.dom;

    /* The monitor command of the QEMU program. */
    callOK(ours, QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
           XDR(xdr_qemu_domain_monitor_command_args), &mon,
           XDR(xdr_qemu_domain_monitor_command_ret), &monRet);
    g_assert_nonnull(strstr(monRet.result, "\"running\""));
    xdr_free(XDR(xdr_qemu_domain_monitor_command_ret), (char *) &monRet);

    /* No job yet: the library's error comes back. */
    g_assert_cmpint(call(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
                         XDR(xdr_remote_domain_block_job_abort_args), &abortArgs,
                         NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* One step: a pull paused between steps, seen by both APIs. */
    callOK(ours, BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL,
           XDR(xdr_bp_domain_block_pull_args), &bp,
           XDR(xdr_bp_domain_block_pull_ret), &step);
    g_assert_cmpuint(step.info.end, ==, 32 * 1024 * 1024);
    g_assert_cmpuint(step.info.cur, >, 0);
    g_assert_cmpuint(step.info.cur, <, step.info.end);
    callOK(ours, BP_PROGRAM, BP_PROC_DOMAIN_GET_BLOCK_PULL_INFO,
           XDR(xdr_bp_domain_get_block_pull_info_args), &bp,
           XDR(xdr_bp_domain_get_block_pull_info_ret), &pinfo);
    g_assert_cmpuint(pinfo.info.end, ==, step.info.end);
    g_assert_cmpuint(pinfo.info.cur, ==, step.info.cur);
    callOK(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
           XDR(xdr_remote_domain_get_block_job_info_args), &jobArgs,
           XDR(xdr_remote_domain_get_block_job_info_ret), &job);
    g_assert_cmpint(job.found, ==, 1);
    g_assert_cmpint(job.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(job.end, ==, step.info.end);
    callOK(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
           XDR(xdr_remote_domain_block_job_set_speed_args), &speed, NULL, NULL);
    callOK(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
           XDR(xdr_remote_domain_get_block_job_info_args), &jobArgs,
           XDR(xdr_remote_domain_get_block_job_info_ret), &job);
    g_assert_cmpuint(job.bandwidth, ==, 64);

    /* The rest in the background: each client hears the end once per
     * kind it registered, with its own ids; the libvirt client gets no
     * BP_PROGRAM message. */
    speed.bandwidth = 0;
    callOK(ours, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
           XDR(xdr_remote_domain_block_job_set_speed_args), &speed, NULL, NULL);
    callOK(ours, BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL_ALL,
           XDR(xdr_bp_domain_block_pull_all_args), &bp, NULL, NULL);
    want = g_strdup_printf("job %d rdq %s 1 0\njob2 %d rdq vda 1 0\npull %d rdq %s 0 serial 1 vda",
                           oursJob, top1, oursJob2, oursPull, top1);
    { g_autofree char *got = waitEvents(ours, 3); g_assert_cmpstr(got, ==, want); }
    g_free(want);
    want = g_strdup_printf("job %d rdq %s 1 0\njob2 %d rdq vda 1 0",
                           theirsJob, top1, theirsJob2);
    { g_autofree char *got = waitEvents(theirs, 2); g_assert_cmpstr(got, ==, want); }
    g_free(want);

    /* libvirt's whole pull (240) of the second disk. */
    callOK(theirs, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_PULL,
           XDR(xdr_remote_domain_block_pull_args), &pull240, NULL, NULL);
    want = g_strdup_printf("job %d rdq %s 1 0\njob %d rdq %s 1 0\n"
                           "job2 %d rdq vda 1 0\njob2 %d rdq vdb 1 0\n"
                           "pull %d rdq %s 0 serial 1 vda\npull %d rdq %s 0 serial 2 vdb",
                           oursJob, top1, oursJob, top2, oursJob2, oursJob2,
                           oursPull, top1, oursPull, top2);
    { g_autofree char *got = waitEvents(ours, 6); g_assert_cmpstr(got, ==, want); }
    g_free(want);
    want = g_strdup_printf("job %d rdq %s 1 0\njob %d rdq %s 1 0\n"
                           "job2 %d rdq vda 1 0\njob2 %d rdq vdb 1 0",
                           theirsJob, top1, theirsJob, top2, theirsJob2, theirsJob2);
    { g_autofree char *got = waitEvents(theirs, 4); g_assert_cmpstr(got, ==, want); }
    g_clear_pointer(&want, g_free);
    /* Still connected, and nothing more came. */
    callOK(theirs, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY,
           XDR(xdr_remote_domain_destroy_args), &destroy, NULL, NULL);
    g_mutex_lock(&theirs->lock);
    g_assert_cmpuint(theirs->events->len, ==, 4);
    g_mutex_unlock(&theirs->lock);

    xdr_free(XDR(xdr_remote_domain_create_xml_ret), (char *) &created);
    clientFree(ours);
    clientFree(theirs);
    fixtureTearDown(&f);
}

/*
 * A pull that ends while nobody listens for BLOCK_PULL: the daemon holds
 * its outcome and tells it to each BLOCK_PULL registration made later,
 * marked held, with the disk's target (a client drops it if it starts a
 * newer pull of the disk before delivering it); the newer pull's end,
 * heard live, is not marked.
 */
static void
testHeldOverTheWire(void)
{
    Fixture f = { 0 };
    g_autofree char *base = NULL, *top = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *want = NULL;
    const char *disks[2];
    Client *c;
    int first, second;
    remote_domain_create_xml_args createArgs = { NULL, 0 };
    remote_domain_create_xml_ret created = { 0 };
    bp_domain_block_pull_args bp = { { 0 }, (char *) "vda", 0 };
    bp_domain_block_pull_ret step = { { 0 } };
    remote_domain_destroy_args destroy = { { 0 } };

    fixtureSetUp(&f);
    base = image(&f, "base.raw", "raw", NULL);
    top = image(&f, "top.qcow2", "qcow2", base);
    disks[0] = top;
    disks[1] = NULL;
    xml = virTestDomainXML("rdheld", disks);
    c = clientNew(f.rwPath, true);

    createArgs.xml_desc = xml;
    callOK(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_XML,
           XDR(xdr_remote_domain_create_xml_args), &createArgs,
           XDR(xdr_remote_domain_create_xml_ret), &created);
    bp.dom = destroy.dom = created.dom;
    /* A step leaves the pull paused; aborting it ends it, unheard. */
    callOK(c, BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL,
           XDR(xdr_bp_domain_block_pull_args), &bp,
           XDR(xdr_bp_domain_block_pull_ret), &step);
    g_assert_cmpuint(step.info.cur, <, step.info.end);
    callOK(c, BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL_ABORT,
           XDR(xdr_bp_domain_block_pull_abort_args), &bp, NULL, NULL);

    first = registerAny(c, VIR_DOMAIN_EVENT_ID_BLOCK_PULL);
    want = g_strdup_printf("pull %d rdheld %s 2 serial 1 held vda", first, top);
    { g_autofree char *got = waitEvents(c, 1); g_assert_cmpstr(got, ==, want); }
    g_free(want);
    second = registerAny(c, VIR_DOMAIN_EVENT_ID_BLOCK_PULL);
    want = g_strdup_printf("pull %d rdheld %s 2 serial 1 held vda\n"
                           "pull %d rdheld %s 2 serial 1 held vda",
                           first, top, second, top);
    { g_autofree char *got = waitEvents(c, 2); g_assert_cmpstr(got, ==, want); }
    g_free(want);

    /* A newer pull, heard live by both. */
    callOK(c, BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL_ALL,
           XDR(xdr_bp_domain_block_pull_all_args), &bp, NULL, NULL);
    want = g_strdup_printf("pull %d rdheld %s 0 serial 2 vda\n"
                           "pull %d rdheld %s 2 serial 1 held vda\n"
                           "pull %d rdheld %s 0 serial 2 vda\n"
                           "pull %d rdheld %s 2 serial 1 held vda",
                           first, top, first, top, second, top, second, top);
    { g_autofree char *got = waitEvents(c, 4); g_assert_cmpstr(got, ==, want); }
    g_clear_pointer(&want, g_free);

    callOK(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY,
           XDR(xdr_remote_domain_destroy_args), &destroy, NULL, NULL);
    xdr_free(XDR(xdr_remote_domain_create_xml_ret), (char *) &created);
    clientFree(c);
    fixtureTearDown(&f);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    virTestEventLoopStart();
    g_test_add_func("/remote/dispatch/qemu/pull", testPullOverTheWire);
    g_test_add_func("/remote/dispatch/qemu/held", testHeldOverTheWire);
    return g_test_run();
}

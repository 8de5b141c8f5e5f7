/*
 * qemublockjobtest.c: libvirt's block job API (virDomainBlockRebase,
 * virDomainGetBlockJobInfo, virDomainBlockJobAbort,
 * virDomainBlockJobSetSpeed) and its events (BLOCK_JOB, BLOCK_JOB_2) on a
 * real QEMU: a pull to a base, bandwidths, aborts, and the seed's calls
 * and libvirt's on one disk's pull.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define QEMU_UID 65534
#define QEMU_GID 65534
#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */

/* ------------------------------------------------------------------ */
/* Every event a case hears, of the three kinds a pull ends with        */

typedef struct {
    int eventID;
    char *disk;         /* BLOCK_PULL: path; BLOCK_JOB: path; BLOCK_JOB_2: target */
    int type;           /* BLOCK_JOB(_2) only */
    int status;
} Heard;

static GMutex heardLock;
static GArray *heard;   /* Heard */
static int otherEvents; /* calls of a callback for an id never emitted */

static void
heardAdd(int eventID, const char *disk, int type, int status)
{
    Heard h = { eventID, g_strdup(disk), type, status };

    g_mutex_lock(&heardLock);
    g_array_append_val(heard, h);
    g_mutex_unlock(&heardLock);
}

static void
onPull(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
       const char *path, int status, void *opaque G_GNUC_UNUSED)
{
    heardAdd(VIR_DOMAIN_EVENT_ID_BLOCK_PULL, path, -1, status);
}

static void
onJob(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
      const char *disk, int type, int status, void *opaque)
{
    heardAdd(GPOINTER_TO_INT(opaque), disk, type, status);
}

static void
onOther(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
        void *opaque G_GNUC_UNUSED)
{
    g_atomic_int_inc(&otherEvents);
}

/* The same, for registrations beside the fixture's own. */
static void
onAny(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
      void *opaque G_GNUC_UNUSED)
{
    g_atomic_int_inc(&otherEvents);
}

static void
heardClear(void)
{
    g_mutex_lock(&heardLock);
    for (guint i = 0; i < heard->len; i++)
        g_free(g_array_index(heard, Heard, i).disk);
    g_array_set_size(heard, 0);
    g_mutex_unlock(&heardLock);
}

static guint
heardCount(void)
{
    guint n;

    g_mutex_lock(&heardLock);
    n = heard->len;
    g_mutex_unlock(&heardLock);
    return n;
}

static bool
heardAtLeast(void *opaque)
{
    return heardCount() >= GPOINTER_TO_UINT(opaque);
}

/*
 * Wait until @n events were heard in all, then check that exactly one of
 * each kind says @status, with the disk each kind names: BLOCK_PULL and
 * BLOCK_JOB the top image @path, BLOCK_JOB_2 the target @target.
 */
static void
expectEnd(guint n, const char *path, const char *target, int status)
{
    int seen[3] = { 0, 0, 0 };

    if (!virTestWaitFor(heardAtLeast, GUINT_TO_POINTER(n), HANG_MS))
        g_error("only %u of %u block job events heard within the hang bound",
                heardCount(), n);
    g_mutex_lock(&heardLock);
    g_assert_cmpuint(heard->len, ==, n);
    for (guint i = n - 3; i < n; i++) {
        Heard *h = &g_array_index(heard, Heard, i);

        g_assert_cmpint(h->status, ==, status);
        switch (h->eventID) {
        case VIR_DOMAIN_EVENT_ID_BLOCK_PULL:
            g_assert_cmpstr(h->disk, ==, path);
            seen[0]++;
            break;
        case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
            g_assert_cmpstr(h->disk, ==, path);
            g_assert_cmpint(h->type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
            seen[1]++;
            break;
        case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
            g_assert_cmpstr(h->disk, ==, target);
            g_assert_cmpint(h->type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
            seen[2]++;
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_mutex_unlock(&heardLock);
    g_assert_cmpint(seen[0], ==, 1);
    g_assert_cmpint(seen[1], ==, 1);
    g_assert_cmpint(seen[2], ==, 1);
}

/* ------------------------------------------------------------------ */
/* Fixture: base.raw <- mid.qcow2 <- top.qcow2                          */

typedef struct {
    char *dir;
    char *root;
    char *uri;
    char *base;         /* raw, 0600: 0x11 in the first 24M */
    char *mid;          /* qcow2, 0640: 0x22 at 4M-8M */
    char *top;          /* qcow2, 0600: 0x33 at 0-1M */
    char *flat;         /* what the guest sees, flattened */
    virConnectPtr conn;
    int cbs[4];
} Fixture;

static void
listenAll(Fixture *f)
{
    f->cbs[0] = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                 VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                                 VIR_DOMAIN_EVENT_CALLBACK(onPull),
                                                 NULL, NULL);
    f->cbs[1] = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                 VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                 VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                                 GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB),
                                                 NULL);
    f->cbs[2] = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                 VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                 VIR_DOMAIN_EVENT_CALLBACK(onJob),
                                                 GINT_TO_POINTER(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2),
                                                 NULL);
    /* An id libvirt has and this driver never emits: accepted, silent. */
    f->cbs[3] = virConnectDomainEventRegisterAny(f->conn, NULL,
                                                 VIR_DOMAIN_EVENT_ID_TRAY_CHANGE,
                                                 VIR_DOMAIN_EVENT_CALLBACK(onOther),
                                                 NULL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(f->cbs); i++)
        g_assert_cmpint(f->cbs[i], >=, 0);
}

static void
fixtureSetUp(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *convert[] = { QEMU_IMG_PATH, "convert", "-O", "raw", NULL, NULL, NULL };

    heardClear();
    g_atomic_int_set(&otherEvents, 0);
    f->dir = virTestMakeDir("vbpjob-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->base = g_build_filename(f->dir, "base.raw", NULL);
    f->mid = g_build_filename(f->dir, "mid.qcow2", NULL);
    f->top = g_build_filename(f->dir, "top.qcow2", NULL);
    f->flat = g_build_filename(f->dir, "flat.raw", NULL);
    virTestImageCreate(f->base, "raw", "32M", NULL, NULL);
    virTestImageWrite(f->base, "raw", 0x11, "0", "24M");
    virTestImageCreate(f->mid, "qcow2", NULL, f->base, "raw");
    virTestImageWrite(f->mid, "qcow2", 0x22, "4M", "4M");
    virTestImageCreate(f->top, "qcow2", NULL, f->mid, "qcow2");
    virTestImageWrite(f->top, "qcow2", 0x33, "0", "1M");
    g_assert_cmpint(chmod(f->base, 0600), ==, 0);
    g_assert_cmpint(chmod(f->mid, 0640), ==, 0);
    g_assert_cmpint(chmod(f->top, 0600), ==, 0);
    convert[4] = f->top;
    convert[5] = f->flat;
    virTestRun(convert, NULL);
    f->conn = virTestOpen(f->uri);
    listenAll(f);
}

static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    if (f->conn) {
        for (size_t i = 0; i < G_N_ELEMENTS(f->cbs); i++)
            virConnectDomainEventDeregisterAny(f->conn, f->cbs[i]);
        virConnectClose(f->conn);
    }
    g_assert_cmpint(g_atomic_int_get(&otherEvents), ==, 0);
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->base);
    g_free(f->mid);
    g_free(f->top);
    g_free(f->flat);
}

static virDomainPtr
startDomain(Fixture *f, const char *name)
{
    const char *disks[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks);

    return virTestCreateDomain(f->conn, xml);
}

/* Does process @pid hold @path open? */
static bool
processHoldsFile(pid_t pid, const char *path)
{
    g_autofree char *fddir = g_strdup_printf("/proc/%d/fd", (int) pid);
    g_autoptr(GDir) d = g_dir_open(fddir, 0, NULL);
    const char *ent;

    g_assert_nonnull(d);
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename(fddir, ent, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);

        if (target && strcmp(target, path) == 0)
            return true;
    }
    return false;
}

/* The backing name written in @image's header ("" if none). */
static char *
backingName(const char *image)
{
    const char *argv[] = { QEMU_IMG_PATH, "info", "-U", "--output=json", image, NULL };
    g_autofree char *out = NULL;
    const char *key = "\"backing-filename\": \"";
    const char *p;

    virTestRun(argv, &out);
    if (!(p = strstr(out, key)))
        return g_strdup("");
    p += strlen(key);
    return g_strndup(p, strchr(p, '"') - p);
}

/* The image as the guest sees it (read through its chain) equals @flat. */
static void
assertSameContent(const char *image, const char *flat)
{
    const char *argv[] = { QEMU_IMG_PATH, "compare", "-U", image, flat, NULL };

    virTestRun(argv, NULL);
}

/* The index the live XML gives image @path of @dom. */
static unsigned int
liveIndex(virDomainPtr dom, const char *path)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_autofree char *needle = g_strdup_printf("<source file='%s'", path);
    const char *at;
    const char *idx = NULL;

    g_assert_nonnull(xml);
    g_assert_nonnull((at = strstr(xml, needle)));
    for (const char *p = xml; (p = strstr(p, "index='")) && p < at; p++)
        idx = p;
    g_assert_nonnull(idx);
    return (unsigned int) strtoul(idx + strlen("index='"), NULL, 10);
}

static int
jobInfo(virDomainPtr dom, const char *disk, virDomainBlockJobInfo *info,
        unsigned int flags)
{
    int rc = virDomainGetBlockJobInfo(dom, disk, info, flags);

    if (rc < 0)
        g_error("virDomainGetBlockJobInfo: %s", virGetLastErrorMessage());
    return rc;
}

/* QEMU itself lists no block job for the domain. */
static void
assertNoJobInQemu(virDomainPtr dom)
{
    char *reply = NULL;

    g_assert_cmpint(virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-block-jobs\"}",
                                                &reply, 0), ==, 0);
    g_assert_nonnull(strstr(reply, "\"return\":[]") ? reply :
                     strstr(reply, "\"return\": []"));
    free(reply);
}

/* ------------------------------------------------------------------ */
/* A pull to a base                                                     */

static void
checkPartialPull(Fixture *f, const char *base, unsigned int flags,
                 const char *wantBacking)
{
    virDomainPtr dom = startDomain(f, "rebase");
    pid_t pid = virTestDomainPid(f->root, "rebase");
    virDomainBlockJobInfo info;
    g_autofree char *xml = NULL;
    g_autofree char *backing = NULL;
    g_autofree char *baseArg = NULL;

    g_assert_true(processHoldsFile(pid, f->mid));
    g_assert_true(processHoldsFile(pid, f->base));
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);

    baseArg = base ? g_strdup(base) :
        g_strdup_printf("vda[%u]", liveIndex(dom, f->base));
    if (virDomainBlockRebase(dom, "vda", baseArg, 0, flags) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);

    /* When the events come, QEMU has closed the middle image and it is
     * given back; the base stays open and the domain's. */
    g_assert_false(processHoldsFile(pid, f->mid));
    virTestAssertOwner(f->mid, 0, 0);
    g_assert_false(virTestUserCanRead(f->mid, QEMU_UID, QEMU_GID));
    g_assert_true(processHoldsFile(pid, f->base));
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_true(processHoldsFile(pid, f->top));

    /* The overlay's header names the base; the live chain is top, base. */
    backing = backingName(f->top);
    g_assert_cmpstr(backing, ==, wantBacking);
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_null(strstr(xml, f->mid));
    g_assert_nonnull(strstr(xml, f->base));
    g_assert_nonnull(strstr(xml, "<backingStore"));
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);

    /* QEMU writes its caches out when it stops: then compare. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(heardCount(), ==, 3);
    assertSameContent(f->top, f->flat);
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->top, 0, 0);
    virDomainFree(dom);
}

static void
testRebaseToBase(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    checkPartialPull(f, f->base, 0, f->base);
}

static void
testRebaseRelative(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    /* The base by its index in the live XML, written relative. */
    checkPartialPull(f, NULL, VIR_DOMAIN_BLOCK_REBASE_RELATIVE, "base.raw");
}

/* The whole chain, as libvirt's clients pull it. */
static void
testRebaseWhole(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "whole");
    pid_t pid = virTestDomainPid(f->root, "whole");
    g_autofree char *backing = NULL;

    if (virDomainBlockRebase(dom, f->top, NULL, 0, 0) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    g_assert_false(processHoldsFile(pid, f->mid));
    g_assert_false(processHoldsFile(pid, f->base));
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    backing = backingName(f->top);
    g_assert_cmpstr(backing, ==, "");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Bandwidth, abort                                                     */

static void
assertBandwidth(virDomainPtr dom, unsigned long mib, unsigned long bytes)
{
    virDomainBlockJobInfo info;

    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 1);
    g_assert_cmpint(info.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(info.bandwidth, ==, mib);
    g_assert_cmpuint(info.end, >, 0);
    g_assert_cmpuint(info.cur, <=, info.end);
    g_assert_cmpint(jobInfo(dom, "vda", &info,
                            VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES), ==, 1);
    g_assert_cmpuint(info.bandwidth, ==, bytes);
}

static void
testBandwidthAndSyncAbort(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "speed");
    pid_t pid = virTestDomainPid(f->root, "speed");
    virDomainBlockPullInfo pinfo;
    virDomainBlockJobInfo info;
    g_autofree char *backing = NULL;

    /* 1 MiB/s: 32 MiB take half a minute, far longer than this case. */
    if (virDomainBlockRebase(dom, "vda", NULL, 1, 0) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    assertBandwidth(dom, 1, 1024 * 1024);

    /* A second pull of the disk, from either API, is refused. */
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", NULL, 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_BLOCK_COPY_ACTIVE);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, "vda", 2, 0), ==, 0);
    assertBandwidth(dom, 2, 2 * 1024 * 1024);
    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, f->top, 1536 * 1024,
                                              VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES),
                    ==, 0);
    /* Rounded up to whole MiB/s, as libvirt reports it. */
    assertBandwidth(dom, 2, 1536 * 1024);
    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, "vda", ULONG_MAX, 0), ==, -1);
    virTestAssertError(VIR_ERR_OVERFLOW);
    assertBandwidth(dom, 2, 1536 * 1024);

    /* The seed's progress call sees the same pull. */
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &pinfo, 0), ==, 0);
    g_assert_cmpuint(pinfo.end, >, 0);

    /* PIVOT is a copy's: refused, and the pull goes on. */
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, -1);
    virTestAssertError(VIR_ERR_BLOCK_COPY_ACTIVE);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 1);

    /* Synchronous: when it returns, the job is gone, QEMU's too. */
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", 0), ==, 0);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpint(info.type, ==, 0);
    g_assert_cmpuint(info.end, ==, 0);
    assertNoJobInQemu(dom);
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_CANCELED);

    /* Cancelled: the chain is as it was. */
    g_assert_true(processHoldsFile(pid, f->mid));
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    backing = backingName(f->top);
    g_assert_cmpstr(backing, ==, f->mid);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(heardCount(), ==, 3);
    virDomainFree(dom);
}

static void
testAsyncAbort(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "async");
    virDomainBlockJobInfo info;

    if (virDomainBlockRebase(dom, "vda", f->base, 1024 * 1024,
                             VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    assertBandwidth(dom, 1, 1024 * 1024);
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC),
                    ==, 0);
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_CANCELED);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);
    assertNoJobInQemu(dom);
    /* Nothing left the chain. */
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(heardCount(), ==, 3);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* The seed's calls and libvirt's on one pull                           */

static void
testCrossApi(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "cross");
    virDomainBlockPullInfo pinfo;
    virDomainBlockJobInfo info;

    /* A step-wise pull is a job for libvirt's API between the steps... */
    g_assert_cmpint(virDomainBlockPull(dom, "vda", &pinfo, 0), ==, 0);
    g_assert_cmpuint(pinfo.cur, <, pinfo.end);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 1);
    g_assert_cmpint(info.type, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(info.cur, ==, pinfo.cur);
    g_assert_cmpuint(info.end, ==, pinfo.end);
    /* ...which its abort stops. */
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", 0), ==, 0);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_CANCELED);

    /* libvirt's pull, seen and stopped by the seed's calls. */
    if (virDomainBlockRebase(dom, "vda", NULL, 1, 0) < 0)
        g_error("virDomainBlockRebase: %s", virGetLastErrorMessage());
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &pinfo, 0), ==, 0);
    g_assert_cmpuint(pinfo.end, >, 0);
    g_assert_cmpint(virDomainBlockPull(dom, "vda", &pinfo, 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    expectEnd(6, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_CANCELED);

    /* The seed's whole pull ends with libvirt's events too. */
    if (virDomainBlockPullAll(dom, "vda", 0) < 0)
        g_error("virDomainBlockPullAll: %s", virGetLastErrorMessage());
    expectEnd(9, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);
    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(heardCount(), ==, 9);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Refusals: no job is started                                          */

static void
assertNoJob(virDomainPtr dom)
{
    virDomainBlockJobInfo info;

    g_assert_cmpint(jobInfo(dom, "vda", &info, 0), ==, 0);
}

static void
testRefused(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "refused");
    static const unsigned int copyFlags[] = {
        VIR_DOMAIN_BLOCK_REBASE_COPY,
        VIR_DOMAIN_BLOCK_REBASE_COPY | VIR_DOMAIN_BLOCK_REBASE_SHALLOW,
        VIR_DOMAIN_BLOCK_REBASE_SHALLOW,
        VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT,
        VIR_DOMAIN_BLOCK_REBASE_COPY_RAW,
        VIR_DOMAIN_BLOCK_REBASE_COPY_DEV,
    };
    g_autofree char *other = g_build_filename(f->dir, "nowhere.qcow2", NULL);
    virDomainBlockJobInfo info;

    for (size_t i = 0; i < G_N_ELEMENTS(copyFlags); i++) {
        g_assert_cmpint(virDomainBlockRebase(dom, "vda", f->base, 0, copyFlags[i]),
                        ==, -1);
        virTestAssertErrorFull(VIR_FROM_NONE, VIR_ERR_ARGUMENT_UNSUPPORTED,
                               "block copy is not supported", NULL);
        assertNoJob(dom);
    }
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", NULL, 0,
                                         VIR_DOMAIN_BLOCK_REBASE_RELATIVE), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", other, 0, 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INVALID_ARG, other, NULL);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", f->top, 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", "vdb[2]", 0, 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INVALID_ARG, "vdb", NULL);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", "vda[99]", 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", "vda[x]", 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", NULL, ULONG_MAX, 0), ==, -1);
    virTestAssertError(VIR_ERR_OVERFLOW);
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", NULL, 0, 1U << 20), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, "vdz", NULL, 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockRebase(dom, NULL, NULL, 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    assertNoJob(dom);

    /* No job: nothing to abort or to slow down. */
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, "vda", 1, 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", 4), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", &info, 2), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", NULL, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    /* Nothing ever started, so nothing ended. */
    g_assert_cmpuint(heardCount(), ==, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* A pull to a base across a restart                                    */

/* In a child process (virTestRunSelf): start domain @name and a pull of
 * its disk to @base at 256 KiB/s (the 4 MiB of the middle image take 16 s,
 * far longer than a restart), then exit without closing anything. */
static int
childMain(const char *base, const char *uri, const char *name)
{
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d;

    if (!c || !(d = virDomainLookupByName(c, name)) || virDomainCreate(d) < 0)
        return 1;
    if (virDomainBlockRebase(d, "vda", base, 256 * 1024,
                             VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) < 0)
        return 1;
    return 0;
}

/*
 * The pull's base and its caller's bandwidth are in the status file: a
 * new process reports the bandwidth, and finishes the pull to the base
 * (only the middle image given back).
 */
static void
testRestartMidRebase(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *disks[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML("restarted", disks);
    g_autofree char *backing = NULL;
    virDomainPtr dom;
    pid_t pid;

    virDomainFree(virTestDefineDomain(f->conn, xml));
    for (size_t i = 0; i < G_N_ELEMENTS(f->cbs); i++)
        virConnectDomainEventDeregisterAny(f->conn, f->cbs[i]);
    virConnectClose(f->conn);
    f->conn = NULL;
    g_assert_cmpint(virTestRunSelf(f->base, f->uri, "restarted"), ==, 0);
    pid = virTestDomainPid(f->root, "restarted");
    g_assert_true(virTestProcessAlive(pid));

    f->conn = virTestOpen(f->uri);
    listenAll(f);
    dom = virDomainLookupByName(f->conn, "restarted");
    g_assert_nonnull(dom);
    /* MiB/s rounded up, as libvirt reports it. */
    assertBandwidth(dom, 1, 256 * 1024);
    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, "vda", 0, 0), ==, 0);
    expectEnd(3, f->top, "vda", VIR_DOMAIN_BLOCK_JOB_COMPLETED);

    g_assert_false(processHoldsFile(pid, f->mid));
    virTestAssertOwner(f->mid, 0, 0);
    g_assert_true(processHoldsFile(pid, f->base));
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    backing = backingName(f->top);
    g_assert_cmpstr(backing, ==, f->base);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* Every libvirt 9.0 event id may be registered; none past them. */
static void
testEventIds(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    for (int id = 0; id < VIR_DOMAIN_EVENT_ID_LAST; id++) {
        int cb = virConnectDomainEventRegisterAny(f->conn, NULL, id,
                                                  VIR_DOMAIN_EVENT_CALLBACK(onAny),
                                                  NULL, NULL);

        if (cb < 0)
            g_error("event id %d refused: %s", id, virGetLastErrorMessage());
        g_assert_cmpint(virConnectDomainEventDeregisterAny(f->conn, cb), ==, 0);
    }
    g_assert_cmpint(VIR_DOMAIN_EVENT_ID_BLOCK_JOB, ==, 8);
    g_assert_cmpint(VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, ==, 16);
    g_assert_cmpint(VIR_DOMAIN_EVENT_ID_LAST, ==, 27);
    g_assert_cmpint(virConnectDomainEventRegisterAny(f->conn, NULL, VIR_DOMAIN_EVENT_ID_LAST,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onOther),
                                                     NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectDomainEventRegisterAny(f->conn, NULL, -1,
                                                     VIR_DOMAIN_EVENT_CALLBACK(onOther),
                                                     NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
}

int
main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3], argv[4]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemublockjobtest must run as root (it checks image owners)\n");
        return 1;
    }
    heard = g_array_new(FALSE, TRUE, sizeof(Heard));
    virTestEventLoopStart();

#define ADD(name, fn) \
    g_test_add(name, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    ADD("/blockjob/rebase-to-base", testRebaseToBase);
    ADD("/blockjob/rebase-relative-index", testRebaseRelative);
    ADD("/blockjob/rebase-whole", testRebaseWhole);
    ADD("/blockjob/bandwidth-sync-abort", testBandwidthAndSyncAbort);
    ADD("/blockjob/async-abort", testAsyncAbort);
    ADD("/blockjob/cross-api", testCrossApi);
    ADD("/blockjob/refused", testRefused);
    ADD("/blockjob/restart-mid-rebase", testRestartMidRebase);
    ADD("/blockjob/event-ids", testEventIds);
    return g_test_run();
}

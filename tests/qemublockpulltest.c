/*
 * qemublockpulltest.c: block pull on a real QEMU through the public API:
 * data integrity, the event, revocation of the backing file, abort,
 * step-wise pulls, failures, concurrency (and calls that give up waiting
 * for a domain another call holds), restarts, and bad input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define QEMU_UID 65534
#define QEMU_GID 65534
#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *base;         /* raw, 0600, with data */
    char *mid;          /* qcow2 on base, 0640, with data */
    char *top;          /* qcow2 on mid, 0600 */
    char *flat;         /* the flattened copy of the original chain */
    virConnectPtr conn;
    int cb;
} Fixture;

/* The block pull events heard, on every connection of a case. */
static virTestPullLog *pullLog;

/* Wait for the next event and check it. */
static void
expectEvent(guint nth, const char *path, int status)
{
    virTestPullLogExpect(pullLog, nth, path, status, HANG_MS);
}

static guint
eventCount(void)
{
    return virTestPullLogCount(pullLog);
}

static void
openConn(Fixture *f)
{
    f->conn = virTestOpen(f->uri);
    f->cb = virTestPullLogListen(pullLog, f->conn);
}

static void
closeConn(Fixture *f)
{
    if (!f->conn)
        return;
    virConnectDomainEventDeregisterAny(f->conn, f->cb);
    virConnectClose(f->conn);
    f->conn = NULL;
}

/* A chain with data at every level: base has 0x11 everywhere in the first
 * 24M, mid overrides 4M-8M with 0x22, top overrides 0-1M with 0x33. */
static void
fixtureSetUp(Fixture *f, gconstpointer data)
{
    const char *conf = data;

    virTestPullLogClear(pullLog);
    f->dir = virTestMakeDir("vbppull-XXXXXX");
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
    {
        const char *argv[] = { QEMU_IMG_PATH, "convert", "-O", "raw",
                               f->top, f->flat, NULL };
        virTestRun(argv, NULL);
    }
    if (conf)
        virTestWriteQemuConf(f->root, conf);
    openConn(f);
}

static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    closeConn(f);
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
startDomain(Fixture *f, const char *name, const char *const *disks)
{
    const char *one[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks ? disks : one);

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

/* Image as the guest sees it equals the flattened copy (compared with
 * qemu-img compare, which reads through the chain); -U because QEMU holds
 * the image. */
static void
assertSameContent(const char *image, const char *reference)
{
    const char *argv[] = { QEMU_IMG_PATH, "compare", "-U", image, reference, NULL };
    virTestRun(argv, NULL);
}

static void
assertStandalone(const char *image)
{
    g_autofree char *out = NULL;
    const char *argv[] = { QEMU_IMG_PATH, "info", "-U", "--output=json", image, NULL };

    virTestRun(argv, &out);
    g_assert_null(strstr(out, "backing-filename"));
}

static void
assertCheckClean(const char *image)
{
    const char *argv[] = { QEMU_IMG_PATH, "check", "-U", "-q", image, NULL };
    virTestRun(argv, NULL);
}

static void
pullInfo(virDomainPtr dom, const char *path, virDomainBlockPullInfo *info)
{
    if (virDomainGetBlockPullInfo(dom, path, info, 0) < 0)
        g_error("GetBlockPullInfo failed: %s", virGetLastErrorMessage());
}

/* ------------------------------------------------------------------ */
/* The whole disk in the background                                     */

static void
testPullAll(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "pull", NULL);
    pid_t pid = virTestDomainPid(f->root, "pull");
    virDomainBlockPullInfo info;
    g_autofree char *xml = NULL;
    struct stat sb;

    /* While it runs, QEMU's user may read the backing files. */
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_true(virTestUserCanRead(f->mid, QEMU_UID, QEMU_GID));
    g_assert_true(processHoldsFile(pid, f->base));

    pullInfo(dom, "vda", &info);
    g_assert_cmpuint(info.cur, ==, 0);
    g_assert_cmpuint(info.end, ==, 0);

    if (virDomainBlockPullAll(dom, f->top, 0) < 0)
        g_error("pull failed: %s", virGetLastErrorMessage());
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);

    /* When COMPLETED arrives, access is already revoked. */
    g_assert_false(processHoldsFile(pid, f->base));
    g_assert_false(processHoldsFile(pid, f->mid));
    g_assert_true(processHoldsFile(pid, f->top));
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    g_assert_cmpint(stat(f->base, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_assert_cmpint(stat(f->mid, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0640);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_false(virTestUserCanRead(f->mid, QEMU_UID, QEMU_GID));

    /* The live XML has no chain left; the data is all in the top. */
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_null(strstr(xml, "<backingStore"));
    g_assert_null(strstr(xml, f->mid));
    assertStandalone(f->top);
    pullInfo(dom, "vda", &info);
    g_assert_cmpuint(info.end, ==, 0);

    /* Exactly one event. QEMU flushes its metadata caches when it stops:
     * only then is the image file complete to read from outside. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 1);
    assertSameContent(f->top, f->flat);
    assertCheckClean(f->top);
    virTestAssertOwner(f->top, 0, 0);
    virDomainFree(dom);
    free(xml);
    xml = NULL;
}

/* Run @argv as QEMU's user (and group, no others) with setpriv, as an
 * administrator checking the result would; returns the exit status. */
static int
runAsQemu(const char *const *argv)
{
    g_autoptr(GPtrArray) cmd = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    int status;

    g_ptr_array_add(cmd, g_strdup("setpriv"));
    g_ptr_array_add(cmd, g_strdup_printf("--reuid=%d", QEMU_UID));
    g_ptr_array_add(cmd, g_strdup_printf("--regid=%d", QEMU_GID));
    g_ptr_array_add(cmd, g_strdup("--clear-groups"));
    g_ptr_array_add(cmd, g_strdup("--"));
    for (size_t i = 0; argv[i]; i++)
        g_ptr_array_add(cmd, g_strdup(argv[i]));
    g_ptr_array_add(cmd, NULL);

    g_spawn_sync(NULL, (char **) cmd->pdata, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                 G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, NULL, NULL, &status, &err);
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Can QEMU's user read, or write, @path? Asked with real tools. */
static bool
qemuUserCanRead(const char *path)
{
    const char *argv[] = { "head", "-c", "1", path, NULL };
    return runAsQemu(argv) == 0;
}

static bool
qemuUserCanWrite(const char *path)
{
    g_autofree char *of = g_strdup_printf("of=%s", path);
    /* Opens @path for writing, writes nothing. */
    const char *argv[] = { "dd", "if=/dev/null", of, "bs=1", "count=0",
                           "conv=notrunc", NULL };
    return runAsQemu(argv) == 0;
}

/* Owner, mode and no access ACL, as before the domain started. */
static void
assertGivenBack(const char *path, mode_t mode)
{
    struct stat sb;
    char acl[256];

    virTestAssertOwner(path, 0, 0);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, mode);
    g_assert_cmpint(getxattr(path, "system.posix_acl_access", acl, sizeof(acl)), ==, -1);
    g_assert_cmpint(errno, ==, ENODATA);
    g_assert_false(qemuUserCanRead(path));
    g_assert_false(qemuUserCanWrite(path));
}

/*
 * QEMU's user owns the backing files while the domain runs, so a
 * compromised QEMU could chmod them or give itself an ACL entry: after
 * COMPLETED it can neither read nor write them all the same.
 */
static void
testPullRevokesAll(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "opened", NULL);
    g_autofree char *entry = g_strdup_printf("u:%d:rw", QEMU_UID);
    const char *chmodBase[] = { "chmod", "0666", f->base, NULL };
    const char *chmodMid[] = { "chmod", "0646", f->mid, NULL };
    const char *aclBase[] = { "setfacl", "-m", entry, f->base, NULL };
    const char *aclMid[] = { "setfacl", "-m", entry, f->mid, NULL };

    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_cmpint(runAsQemu(chmodBase), ==, 0);
    g_assert_cmpint(runAsQemu(aclBase), ==, 0);
    g_assert_cmpint(runAsQemu(aclMid), ==, 0);
    g_assert_cmpint(runAsQemu(chmodMid), ==, 0);
    g_assert_true(qemuUserCanWrite(f->base));

    if (virDomainBlockPullAll(dom, "vda", 0) < 0)
        g_error("pull failed: %s", virGetLastErrorMessage());
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);

    assertGivenBack(f->base, 0600);
    assertGivenBack(f->mid, 0640);
    g_assert_true(qemuUserCanWrite(f->top));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* A disk whose top already holds most of the data, one backing level. */
static void
testPullMostlyTop(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *b = g_build_filename(f->dir, "b.qcow2", NULL);
    g_autofree char *t = g_build_filename(f->dir, "t.qcow2", NULL);
    g_autofree char *flat = g_build_filename(f->dir, "t.raw", NULL);
    const char *disks[] = { t, NULL };
    virDomainPtr dom;

    virTestImageCreate(b, "qcow2", "16M", NULL, NULL);
    virTestImageWrite(b, "qcow2", 0x44, "0", "16M");
    virTestImageCreate(t, "qcow2", NULL, b, "qcow2");
    virTestImageWrite(t, "qcow2", 0x55, "0", "15M");
    {
        const char *argv[] = { QEMU_IMG_PATH, "convert", "-O", "raw", t, flat, NULL };
        virTestRun(argv, NULL);
    }
    dom = startDomain(f, "mostly", disks);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectEvent(1, t, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(t);
    virTestAssertOwner(b, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(t, flat);
    assertCheckClean(t);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* In the middle of a pull (bandwidth capped)                           */

#define SLOW_CONF "block_pull_max_bandwidth = 4194304\n"   /* 4 MiB/s */
#define FAST_CONF "block_pull_max_bandwidth = 33554432\n"  /* 32 MiB/s: about 1 s */

/*
 * Once a test has seen what it wanted of a capped pull in the middle,
 * let QEMU's job run to its end at full speed (the cap is qemu.conf's, so
 * only QEMU's own block-job-set-speed lifts it): 32 MiB at 4 MiB/s would
 * make each such test wait 8 s for an end it checks no differently.
 * A job that ended already refuses the command; that is not an error.
 */
static void
pullFullSpeed(virDomainPtr dom, const char *target)
{
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\":\"block-job-set-speed\","
        "\"arguments\":{\"device\":\"pull-%s\",\"speed\":0}}", target);
    char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &reply, 0) < 0)
        g_error("block-job-set-speed failed: %s", virGetLastErrorMessage());
    if (!strstr(reply, "\"return\""))
        g_test_message("block-job-set-speed on pull-%s: %s", target, reply);
    free(reply);
}

static bool
infoMoved(void *opaque)
{
    virDomainPtr dom = opaque;
    virDomainBlockPullInfo info;

    pullInfo(dom, "vda", &info);
    return info.cur > 0;
}

static void
testProgressAndAbort(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "abort", NULL);
    virDomainBlockPullInfo info, prev = { 0, 0 };
    pid_t pid = virTestDomainPid(f->root, "abort");
    g_autofree char *xml = NULL;

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    /* Progress: end > 0, cur <= end, cur never goes backwards. */
    for (int i = 0; i < 20; i++) {
        pullInfo(dom, "vda", &info);
        g_assert_cmpuint(info.end, >, 0);
        g_assert_cmpuint(info.cur, <=, info.end);
        g_assert_cmpuint(info.cur, >=, prev.cur);
        prev = info;
        g_usleep(20 * 1000);
    }
    g_assert_true(virTestWaitFor(infoMoved, dom, HANG_MS));

    /* A second pull on the same disk is refused, naming the disk. */
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "vda"));
    /* A step while the background pull runs is refused. */
    g_assert_cmpint(virDomainBlockPull(dom, "vda", &info, 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_CANCELED);
    /* The chain is intact, the backing files still open and labelled. */
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(xml, f->mid));
    g_assert_nonnull(strstr(xml, f->base));
    g_assert_true(processHoldsFile(pid, f->base));
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    pullInfo(dom, "vda", &info);
    g_assert_cmpuint(info.end, ==, 0);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* Pull again: it starts over and finishes. */
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    pullFullSpeed(dom, "vda");
    expectEvent(2, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 2);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
    free(xml);
    xml = NULL;
}

/* QEMU's own word on the guest's CPUs: query-status's "status". */
static char *
runStatus(virDomainPtr dom)
{
    char *reply = NULL;
    g_autofree char *copy = NULL;

    if (virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}",
                                    &reply, 0) < 0)
        g_error("query-status failed: %s", virGetLastErrorMessage());
    copy = g_strdup(reply);
    free(reply);
    if (strstr(copy, "\"status\": \"paused\"") || strstr(copy, "\"status\":\"paused\""))
        return g_strdup("paused");
    if (strstr(copy, "\"status\": \"running\"") || strstr(copy, "\"status\":\"running\""))
        return g_strdup("running");
    return g_steal_pointer(&copy);
}

/* A pull goes on while the guest is paused (it is QEMU's I/O, not the
 * guest's) and completes as usual; the domain stays paused. */
static void
testSuspendDuringPull(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "susp", NULL);
    virDomainBlockPullInfo info;
    g_autofree char *status = NULL;
    int state = -1;
    int reason = -1;

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    g_assert_true(virTestWaitFor(infoMoved, dom, HANG_MS));
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    status = runStatus(dom);
    g_assert_cmpstr(status, ==, "paused");
    /* At 4 MiB/s for 32 MiB, the pull is still running. */
    pullInfo(dom, "vda", &info);
    g_assert_cmpuint(info.end, >, 0);
    g_assert_cmpuint(info.cur, <, info.end);
    g_assert_cmpuint(eventCount(), ==, 0);

    pullFullSpeed(dom, "vda");
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_PAUSED_USER);
    g_clear_pointer(&status, g_free);
    status = runStatus(dom);
    g_assert_cmpstr(status, ==, "paused");

    g_assert_cmpint(virDomainResume(dom), ==, 0);
    g_clear_pointer(&status, g_free);
    status = runStatus(dom);
    g_assert_cmpstr(status, ==, "running");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 1);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* Write as the guest would, through the device (human monitor qemu-io). */
static void
guestWrite(virDomainPtr dom, int pattern, const char *offset, const char *len)
{
    g_autofree char *cmd = g_strdup_printf("qemu-io -d /machine/peripheral/virtio-disk0/"
                                           "virtio-backend \"write -P 0x%02x %s %s\"",
                                           pattern, offset, len);
    char *out = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &out,
                                    VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0)
        g_error("guest write failed: %s", virGetLastErrorMessage());
    /* qemu-io prints its report on QEMU's stdout; only failures come back. */
    if (*out)
        g_error("guest write failed: %s", out);
    free(out);
}

/* The guest writes while the pull runs: its data wins. */
static void
testGuestWrites(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "writes", NULL);
    g_autofree char *expect = g_build_filename(f->dir, "expect.qcow2", NULL);

    /* The expected content: the original plus the guest's writes. */
    {
        const char *argv[] = { QEMU_IMG_PATH, "convert", "-O", "qcow2",
                               f->flat, expect, NULL };
        virTestRun(argv, NULL);
        virTestImageWrite(expect, "qcow2", (char) 0x99, "20M", "1M");
        virTestImageWrite(expect, "qcow2", (char) 0x77, "4608K", "64K");
    }
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    g_assert_true(virTestWaitFor(infoMoved, dom, HANG_MS));
    /* As the guest would: through the disk's device, while the job runs
     * (one write lands where the pull has not been yet, one in the part
     * that came from the middle image). */
    guestWrite(dom, 0x99, "20M", "1M");
    guestWrite(dom, 0x77, "4608K", "64K");
    {
        virDomainBlockPullInfo info;
        pullInfo(dom, "vda", &info);
        g_assert_cmpuint(info.cur, <, info.end);
    }
    pullFullSpeed(dom, "vda");
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, expect);
    assertCheckClean(f->top);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Step by step                                                         */

static void
testStepwise(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "steps", NULL);
    virDomainBlockPullInfo pos = { 0, 0 }, info;
    unsigned long long last = 0;
    int steps = 0;

    for (;;) {
        gint64 t0 = g_get_monotonic_time();

        if (virDomainBlockPull(dom, "vda", &pos, 0) < 0)
            g_error("step failed: %s", virGetLastErrorMessage());
        g_assert_cmpint(g_get_monotonic_time() - t0, <, HANG_MS * 1000LL);
        steps++;
        g_assert_cmpuint(pos.end, >, 0);
        g_assert_cmpuint(pos.cur, <=, pos.end);
        /* Each step moves at least one chunk, and not much more (QEMU's
         * chunks are 512 KiB, and every chunk of this chain is copied):
         * also on a loaded host, where an unbounded step ran on to the end. */
        g_assert_cmpuint(pos.cur, >, last);
        g_assert_cmpuint(pos.cur - last, <=, 4 * 1024 * 1024);
        last = pos.cur;
        if (pos.cur == pos.end)
            break;
        /* Between steps nothing moves (watched for a while between the
         * first steps: the rest only take the pull on to its end). */
        pullInfo(dom, "vda", &info);
        g_assert_cmpuint(info.cur, ==, pos.cur);
        if (steps <= 3)
            g_usleep(100 * 1000);
        pullInfo(dom, "vda", &info);
        g_assert_cmpuint(info.cur, ==, pos.cur);
        g_assert_cmpint(steps, <, 100000);
    }
    g_assert_cmpint(steps, >, 1);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 1);
    assertSameContent(f->top, f->flat);
    assertCheckClean(f->top);
    virDomainFree(dom);
}

/* A step-wise pull continued in the background; and aborted when paused. */
static void
testStepThenAll(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "stepall", NULL);
    virDomainBlockPullInfo pos;

    g_assert_cmpint(virDomainBlockPull(dom, "vda", &pos, 0), ==, 0);
    g_assert_cmpuint(pos.cur, >, 0);
    g_assert_cmpuint(pos.cur, <, pos.end);
    /* Abort while paused between steps. */
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_CANCELED);

    g_assert_cmpint(virDomainBlockPull(dom, "vda", NULL, 0), ==, 0);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectEvent(2, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}


/* A backing image shared with a second running domain keeps its label
 * until that domain stops. */
static void
testSharedBacking(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *top2 = g_build_filename(f->dir, "top2.qcow2", NULL);
    const char *disks2[] = { top2, NULL };
    virDomainPtr a, b;
    pid_t pida;

    virTestImageCreate(top2, "qcow2", NULL, f->mid, "qcow2");
    a = startDomain(f, "share-a", NULL);
    b = startDomain(f, "share-b", disks2);
    pida = virTestDomainPid(f->root, "share-a");

    g_assert_cmpint(virDomainBlockPullAll(a, "vda", 0), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    /* a's QEMU let go of them... */
    g_assert_false(processHoldsFile(pida, f->base));
    g_assert_false(processHoldsFile(pida, f->mid));
    /* ...but b still runs on them: they stay readable for QEMU's user. */
    virTestAssertOwner(f->mid, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));

    g_assert_cmpint(virDomainDestroy(b), ==, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    g_assert_cmpint(virDomainDestroy(a), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(a);
    virDomainFree(b);
}

/* ------------------------------------------------------------------ */
/* Two disks at once; destroy during a pull; QEMU killed mid-pull       */

static void
testTwoDisks(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *b2 = g_build_filename(f->dir, "b2.raw", NULL);
    g_autofree char *t2 = g_build_filename(f->dir, "t2.qcow2", NULL);
    const char *disks[] = { f->top, t2, NULL };
    virDomainPtr dom;
    virDomainBlockPullInfo a, b;

    virTestImageCreate(b2, "raw", "16M", NULL, NULL);
    virTestImageWrite(b2, "raw", 0x66, "0", "8M");
    virTestImageCreate(t2, "qcow2", NULL, b2, "raw");
    dom = startDomain(f, "two", disks);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    g_assert_cmpint(virDomainBlockPullAll(dom, t2, 0), ==, 0);
    /* Both are active at once, each with its own progress. */
    pullInfo(dom, "vda", &a);
    pullInfo(dom, "vdb", &b);
    g_assert_cmpuint(a.end, >, 0);
    g_assert_cmpuint(b.end, >, 0);
    pullFullSpeed(dom, "vda");
    pullFullSpeed(dom, "vdb");
    virTestPullLogWait(pullLog, 2, HANG_MS);
    {
        int s0 = -1;
        int s1 = -1;
        const char *p0 = virTestPullLogGet(pullLog, 0, &s0);
        const char *p1 = virTestPullLogGet(pullLog, 1, &s1);

        g_assert_cmpint(s0, ==, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
        g_assert_cmpint(s1, ==, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
        g_assert_true((g_strcmp0(p0, f->top) == 0 && g_strcmp0(p1, t2) == 0) ||
                      (g_strcmp0(p0, t2) == 0 && g_strcmp0(p1, f->top) == 0));
    }
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(b2, 0, 0);
    assertStandalone(f->top);
    assertStandalone(t2);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    g_assert_cmpuint(eventCount(), ==, 2);
    virDomainFree(dom);
}

static void
testDestroyDuringPull(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "destroy", NULL);

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    g_assert_true(virTestWaitFor(infoMoved, dom, HANG_MS));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_FAILED);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    /* The chain is still there, as it was. */
    {
        g_autofree char *out = NULL;
        const char *argv[] = { QEMU_IMG_PATH, "info", "--output=json", f->top, NULL };
        virTestRun(argv, &out);
        g_assert_nonnull(strstr(out, "mid.qcow2"));
    }
    g_assert_cmpuint(eventCount(), ==, 1);
    virDomainFree(dom);
}

static int
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event, int detail, void *opaque)
{
    int *seen = opaque;

    if (event == VIR_DOMAIN_EVENT_STOPPED)
        g_atomic_int_set(seen, detail + 1);
    return 0;
}

static bool
intSet(void *opaque)
{
    return g_atomic_int_get((int *) opaque) != 0;
}

static void defineOnly(Fixture *f, const char *name);

static void
testQemuKilled(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom;
    pid_t pid;
    int stopped = 0;
    int cb;
    int state, reason;

    /* Persistent, so that its state can be read after the crash. */
    defineOnly(f, "killed");
    dom = virDomainLookupByName(f->conn, "killed");
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    pid = virTestDomainPid(f->root, "killed");

    cb = virConnectDomainEventRegisterAny(f->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                          &stopped, NULL);
    g_assert_cmpint(cb, >=, 0);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    g_assert_true(virTestWaitFor(infoMoved, dom, HANG_MS));
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_FAILED);
    g_assert_true(virTestWaitFor(intSet, &stopped, HANG_MS));
    g_assert_cmpint(stopped - 1, ==, VIR_DOMAIN_EVENT_STOPPED_FAILED);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_CRASHED);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpuint(eventCount(), ==, 1);
    virConnectDomainEventDeregisterAny(f->conn, cb);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* The overlay's file system fills up                                   */

static void
testNoSpace(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *mnt = g_build_filename(f->dir, "small", NULL);
    g_autofree char *flat = g_build_filename(f->dir, "small.raw", NULL);
    g_autofree char *top = NULL;
    g_autofree char *xml = NULL;
    const char *disks[2] = { NULL, NULL };
    virDomainPtr dom;
    int state, reason;

    g_assert_cmpint(mkdir(mnt, 0755), ==, 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=8m,mode=0755") < 0)
        g_error("cannot mount a tmpfs on '%s': %s", mnt, g_strerror(errno));
    top = g_build_filename(mnt, "top.qcow2", NULL);
    virTestImageCreate(top, "qcow2", NULL, f->mid, "qcow2");
    {
        const char *argv[] = { QEMU_IMG_PATH, "convert", "-O", "raw", top, flat, NULL };
        virTestRun(argv, NULL);
    }
    disks[0] = top;
    dom = startDomain(f, "nospace", disks);

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectEvent(1, top, VIR_DOMAIN_BLOCK_PULL_FAILED);
    /* The domain runs on, its chain intact and still labelled. */
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    {
        char *tmp = virDomainGetXMLDesc(dom, 0);
        xml = g_strdup(tmp);
        free(tmp);
    }
    g_assert_nonnull(strstr(xml, f->mid));
    g_assert_nonnull(strstr(xml, f->base));
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_true(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
    /* QEMU's reason is in the domain's log. */
    {
        g_autofree char *logpath = g_build_filename(f->root, "log", "qemu",
                                                    "nospace.log", NULL);
        g_autofree char *log = NULL;
        g_assert_true(g_file_get_contents(logpath, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "block pull of disk 'vda' failed: "));
    }

    /* Room again: the next pull succeeds. */
    g_assert_cmpint(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=128m,mode=0755"), ==, 0);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectEvent(2, top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(top);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(top, flat);
    assertCheckClean(top);
    virDomainFree(dom);
    g_assert_cmpint(umount2(mnt, MNT_DETACH), ==, 0);
}

/* ------------------------------------------------------------------ */
/* The embedding process goes away in the middle                        */


/* A process that starts a pull on a defined domain and exits at once,
 * without closing anything. */
static int
childMain(const char *what, const char *uri, const char *name)
{
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d;

    if (!c || !(d = virDomainLookupByName(c, name)) || virDomainCreate(d) < 0)
        return 1;
    if (strcmp(what, "pull") == 0 && virDomainBlockPullAll(d, "vda", 0) < 0)
        return 1;
    if (strcmp(what, "step") == 0 && virDomainBlockPull(d, "vda", NULL, 0) < 0)
        return 1;
    return 0;
}

static void
defineOnly(Fixture *f, const char *name)
{
    const char *disks[] = { f->top, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks);

    virDomainFree(virTestDefineDomain(f->conn, xml));
}

static void
restartCheck(Fixture *f, const char *name, const char *what, bool waitFirst)
{
    virDomainPtr dom;
    pid_t pid;

    defineOnly(f, name);
    closeConn(f);
    g_assert_cmpint(virTestRunSelf(what, f->uri, name), ==, 0);
    pid = virTestDomainPid(f->root, name);
    g_assert_true(virTestProcessAlive(pid));
    if (waitFirst) {
        /* Let the job end in QEMU while nobody manages it: it waits for
         * its finalization (we start it with auto-finalize off). */
        g_usleep(3 * G_USEC_PER_SEC);
    }
    openConn(f);
    dom = virDomainLookupByName(f->conn, name);
    g_assert_nonnull(dom);
    if (strcmp(what, "step") == 0) {
        virDomainBlockPullInfo info;
        /* A paused step-wise pull is found again, still paused. */
        pullInfo(dom, "vda", &info);
        g_assert_cmpuint(info.cur, >, 0);
        g_assert_cmpuint(info.cur, <, info.end);
        g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    } else if (!waitFirst) {
        /* The taken-over job goes on: let it run to its end. */
        pullFullSpeed(dom, "vda");
    }
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_false(processHoldsFile(pid, f->base));
    g_assert_false(processHoldsFile(pid, f->mid));
    virTestAssertOwner(f->base, 0, 0);
    virTestAssertOwner(f->mid, 0, 0);
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    assertStandalone(f->top);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 1);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

static void
testRestartMidPull(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    restartCheck(f, "midpull", "pull", false);
}

static void
testRestartAfterEnd(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    restartCheck(f, "afterend", "pull", true);
}

static void
testRestartStepwise(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    restartCheck(f, "stepped", "step", false);
}

/* Progress queries run beside a call that holds the domain. */
typedef struct {
    virDomainPtr dom;
    gint done;
} StepperData;

static gpointer
stepper(gpointer opaque)
{
    StepperData *sd = opaque;
    virDomainBlockPullInfo pos = { 0, 0 };

    while (pos.end == 0 || pos.cur < pos.end) {
        if (virDomainBlockPull(sd->dom, "vda", &pos, 0) < 0)
            break;
    }
    g_atomic_int_set(&sd->done, 1);
    return NULL;
}

static void
testInfoBesideSteps(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    StepperData sd = { startDomain(f, "beside", NULL), 0 };
    GThread *thread = g_thread_new("stepper", stepper, &sd);
    unsigned long long last = 0;
    int queries = 0;

    while (!g_atomic_int_get(&sd.done)) {
        virDomainBlockPullInfo info;

        pullInfo(sd.dom, "vda", &info);
        if (info.end > 0) {
            g_assert_cmpuint(info.cur, <=, info.end);
            g_assert_cmpuint(info.cur, >=, last);
            last = info.cur;
        }
        queries++;
    }
    g_thread_join(thread);
    g_assert_cmpint(queries, >, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_cmpint(virDomainDestroy(sd.dom), ==, 0);
    virDomainFree(sd.dom);
}

/* ------------------------------------------------------------------ */
/* A call waits for the domain's job a bounded time                     */

#define JOB_WAIT_MS 1000
#define JOB_WAIT_CONF "job_wait_timeout = 1000\n"

typedef struct {
    virDomainPtr dom;
    int rc;
    virDomainBlockPullInfo pos;
    char *error;
} HolderData;

static gpointer
holder(gpointer opaque)
{
    HolderData *hd = opaque;

    if ((hd->rc = virDomainBlockPull(hd->dom, "vda", &hd->pos, 0)) < 0)
        hd->error = g_strdup(virGetLastErrorMessage());
    return NULL;
}

/* Does the status file @opaque record a pull? */
static bool
statusHasPull(void *opaque)
{
    g_autofree char *xml = NULL;

    return g_file_get_contents(opaque, &xml, NULL, NULL) &&
           strstr(xml, "<blockjob ");
}

/*
 * A step sent to a QEMU that does not answer (stopped) holds the domain's
 * job. Another call on the domain gives up after job_wait_timeout with
 * VIR_ERR_OPERATION_TIMEOUT naming the step, instead of waiting with it;
 * a query needs no job at all. Once QEMU runs again the step ends, and
 * the domain takes calls as before.
 */
static void
testJobWaitTimeout(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = startDomain(f, "held", NULL);
    pid_t pid = virTestDomainPid(f->root, "held");
    g_autofree char *status = g_strdup_printf("%s/run/qemu/held.xml", f->root);
    HolderData hd = { dom, 0, { 0, 0 }, NULL };
    GThread *thread;
    gint64 start;
    gint64 waited;
    int state;

    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    thread = g_thread_new("holder", holder, &hd);
    /* The step recorded its pull: it holds the job, and waits for QEMU. */
    if (!virTestWaitFor(statusHasPull, status, HANG_MS))
        g_error("the step did not begin");

    start = g_get_monotonic_time();
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, -1);
    waited = (g_get_monotonic_time() - start) / 1000;
    g_test_message("after %lld ms: %s", (long long) waited, virGetLastErrorMessage());
    virTestAssertError(VIR_ERR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(virGetLastErrorMessage(),
                            "cannot run 'virDomainBlockPullAbort' on domain 'held': "
                            "'virDomainBlockPull' has held the domain's job for "));
    g_assert_cmpint(waited, >=, JOB_WAIT_MS);
    g_assert_cmpint(waited, <, JOB_WAIT_MS + 5000);
    g_assert_cmpint(virDomainGetState(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);

    g_assert_cmpint(kill(pid, SIGCONT), ==, 0);
    g_thread_join(thread);
    if (hd.rc < 0)
        g_error("the step failed: %s", hd.error);
    g_assert_cmpuint(hd.pos.end, >, 0);
    g_assert_cmpuint(eventCount(), ==, 0);

    /* Free again: the pull goes on to its end. */
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectEvent(1, f->top, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    assertStandalone(f->top);
    /* Compared once QEMU has stopped and flushed its caches. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assertSameContent(f->top, f->flat);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                            */

static void
testBadInput(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *solo = g_build_filename(f->dir, "solo.qcow2", NULL);
    const char *disks[] = { f->top, solo, NULL };
    virDomainPtr dom;
    virDomainBlockPullInfo info;
    virConnectPtr ro;

    virTestImageCreate(solo, "qcow2", "8M", NULL, NULL);
    dom = startDomain(f, "bad", disks);

    g_assert_cmpint(virDomainBlockPullAll(dom, NULL, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vdz", 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPullAll(dom, "/no/such/image", 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vdb", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "no backing image"));
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 1), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPull(dom, "vda", NULL, 4), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 2), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 8), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", NULL, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainBlockPull(NULL, "vda", NULL, 0), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_DOMAIN);

    ro = virConnectOpenReadOnly(f->uri);
    {
        virDomainPtr rdom = virDomainLookupByName(ro, "bad");
        g_assert_cmpint(virDomainBlockPullAll(rdom, "vda", 0), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_DENIED);
        g_assert_cmpint(virDomainBlockPull(rdom, "vda", NULL, 0), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_DENIED);
        g_assert_cmpint(virDomainBlockPullAbort(rdom, "vda", 0), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_DENIED);
        /* Queries are fine. */
        g_assert_cmpint(virDomainGetBlockPullInfo(rdom, "vda", &info, 0), ==, 0);
        virDomainFree(rdom);
    }
    virConnectClose(ro);

    /* Nothing changed: the chain is whole and still labelled. */
    {
        g_autofree char *xml = NULL;
        char *tmp = virDomainGetXMLDesc(dom, 0);
        xml = g_strdup(tmp);
        free(tmp);
        g_assert_nonnull(strstr(xml, f->base));
    }
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);

    /* An inactive domain. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(eventCount(), ==, 0);
    virDomainFree(dom);
    {
        const char *one[] = { f->top, NULL };
        g_autofree char *xml = virTestDomainXML("inactive", one);
        dom = virDomainDefineXML(f->conn, xml);
        g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_INVALID);
        g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, -1);
        virTestAssertError(VIR_ERR_OPERATION_INVALID);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
}

int
main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3], argv[4]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemublockpulltest must run as root (it checks image owners)\n");
        return 1;
    }
    pullLog = virTestPullLogNew();
    virTestEventLoopStart();

#define ADD(name, fn, conf) \
    g_test_add(name, Fixture, conf, fixtureSetUp, fn, fixtureTearDown)
    ADD("/blockpull/all", testPullAll, NULL);
    ADD("/blockpull/mostly-top", testPullMostlyTop, NULL);
    ADD("/blockpull/revoke-after-chmod-acl", testPullRevokesAll, NULL);
    ADD("/blockpull/progress-abort", testProgressAndAbort, SLOW_CONF);
    ADD("/blockpull/guest-writes", testGuestWrites, SLOW_CONF);
    ADD("/blockpull/stepwise", testStepwise, NULL);
    ADD("/blockpull/step-then-all", testStepThenAll, NULL);
    ADD("/blockpull/bad-input", testBadInput, NULL);
    ADD("/blockpull/shared-backing", testSharedBacking, NULL);
    ADD("/blockpull/two-disks", testTwoDisks, SLOW_CONF);
    ADD("/blockpull/destroy-during-pull", testDestroyDuringPull, SLOW_CONF);
    ADD("/blockpull/qemu-killed", testQemuKilled, SLOW_CONF);
    ADD("/blockpull/no-space", testNoSpace, NULL);
    ADD("/blockpull/restart-mid-pull", testRestartMidPull, SLOW_CONF);
    ADD("/blockpull/restart-after-end", testRestartAfterEnd, FAST_CONF);
    ADD("/blockpull/restart-stepwise", testRestartStepwise, NULL);
    ADD("/blockpull/info-beside-steps", testInfoBesideSteps, NULL);
    ADD("/blockpull/job-wait-timeout", testJobWaitTimeout, JOB_WAIT_CONF);
    ADD("/blockpull/suspend-during-pull", testSuspendDuringPull, SLOW_CONF);
    return g_test_run();
}

/*
 * qemuimagetest.c: what the QEMU driver opens and hands to QEMU, on a real
 * QEMU: FIFOs and symlinks where images and serial logs are expected,
 * relative backing names below symlinked directories, and backing files
 * named by image headers that QEMU's user may have rewritten.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define QEMU_UID 65534
#define QEMU_GID 65534
#define HANG_MS (60 * 1000)     /* a hang catcher, not a timing */

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *base;         /* raw, 0600, 0x11 in the first 4M */
    char *top;          /* qcow2 on base, 0600 */
    virConnectPtr conn;
    int cb;
} Fixture;

/* The block pull events heard. */
static virTestPullLog *pullLog;

/* Wait for the one pull event of a test and check its status. */
static void
expectPullEvent(int status)
{
    virTestPullLogExpect(pullLog, 1, NULL, status, HANG_MS);
    g_assert_cmpuint(virTestPullLogCount(pullLog), ==, 1);
    virTestPullLogClear(pullLog);
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
    virConnectClose(g_steal_pointer(&f->conn));
}

static void
fixtureSetUp(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virTestPullLogClear(pullLog);
    f->dir = virTestMakeDir("vbpimg-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->base = virTestImageNew(f->dir, "base.raw", "raw", "8M", NULL, NULL,
                              0600);
    virTestImageWrite(f->base, "raw", 0x11, "0", "4M");
    f->top = virTestImageNew(f->dir, "top.qcow2", "qcow2", NULL, f->base,
                             "raw", 0600);
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
    g_free(f->top);
}

/* A domain XML with one disk of format @fmt and, unless NULL, a serial
 * log at @serial. */
static char *
domainXML(const char *name, const char *disk, const char *fmt, const char *serial)
{
    const char *disks[] = { disk, NULL };
    g_autofree char *xml = virTestDomainXML(name, disks);
    g_autoptr(GString) s = g_string_new(xml);

    if (fmt)
        g_string_replace(s, "type='qcow2'", fmt, 1);
    if (serial) {
        g_autofree char *chr = g_strdup_printf("    <serial type='file'>\n"
                                               "      <source path='%s'/>\n"
                                               "      <target port='0'/>\n"
                                               "    </serial>\n"
                                               "  </devices>", serial);
        g_string_replace(s, "  </devices>", chr, 1);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static virDomainPtr
define(Fixture *f, const char *name, const char *disk)
{
    g_autofree char *xml = domainXML(name, disk, NULL, NULL);

    return virTestDefineDomain(f->conn, xml);
}

/* Define @dom again with its own persistent XML, as "virsh edit" does. */
static void
redefine(Fixture *f, virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

    g_assert_nonnull(xml);
    virDomainFree(virTestDefineDomain(f->conn, xml));
    free(xml);
}

static void
start(virDomainPtr dom)
{
    if (virDomainCreate(dom) < 0)
        g_error("start failed: %s", virGetLastErrorMessage());
}

/* ------------------------------------------------------------------ */
/* Calls that must not hang                                             */

typedef struct {
    int (*fn)(void *arg);
    void *arg;
    int rc;
    int code;
    char *message;
    gint done;
} Call;

static gpointer
callThread(gpointer opaque)
{
    Call *c = opaque;

    c->rc = c->fn(c->arg);
    if (c->rc < 0) {
        c->code = virGetLastErrorCode();
        c->message = g_strdup(virGetLastErrorMessage());
    }
    g_atomic_int_set(&c->done, 1);
    return NULL;
}

static bool
callDone(void *opaque)
{
    return g_atomic_int_get(&((Call *) opaque)->done);
}

/*
 * Run fn(arg) in a thread of its own: one that has not returned within
 * HANG_MS fails the test instead of hanging it. Returns what fn returned;
 * on failure *code and *message (free it) tell the error.
 */
static int
callWithin(int (*fn)(void *arg), void *arg, int *code, char **message)
{
    /* Leaked on purpose if the call hangs: the thread still uses it. */
    Call *c = g_new0(Call, 1);
    GThread *thread;
    int rc;

    c->fn = fn;
    c->arg = arg;
    thread = g_thread_new("call", callThread, c);
    if (!virTestWaitFor(callDone, c, HANG_MS))
        g_error("the call did not return within %d s: it hangs", HANG_MS / 1000);
    g_thread_join(thread);
    rc = c->rc;
    *code = c->code;
    *message = g_steal_pointer(&c->message);
    g_free(c);
    return rc;
}

static int
createFn(void *arg)
{
    return virDomainCreate(arg);
}

static int
pullAllFn(void *arg)
{
    return virDomainBlockPullAll(arg, "vda", 0);
}

typedef struct {
    virConnectPtr conn;
    const char *xml;
} CreateXMLArgs;

static int
createXMLFn(void *arg)
{
    CreateXMLArgs *a = arg;
    virDomainPtr dom = virDomainCreateXML(a->conn, a->xml, 0);

    if (!dom)
        return -1;
    virDomainDestroy(dom);
    virDomainFree(dom);
    return 0;
}

/* Start @dom; it must fail at once with @code, naming @what. Returns the
 * error message. */
static char *
assertStartRefused(virDomainPtr dom, int code, const char *what)
{
    g_autofree char *message = NULL;
    int err = 0;

    g_assert_cmpint(callWithin(createFn, dom, &err, &message), ==, -1);
    g_test_message("%s", message);
    if (err != code)
        g_error("expected error code %d, got %d: %s", code, err, message);
    g_assert_nonnull(strstr(message, what));
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    return g_steal_pointer(&message);
}

/* A refused start leaves nothing: no QEMU, no state, no label. */
static void
assertNothingLeft(Fixture *f)
{
    virTestAssertStateDirClean(f->root);
    g_assert_cmpint(virTestQemuCount(f->dir), ==, 0);
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
}

/* The root is still usable: a good domain starts on this connection, and
 * once we let go of the root another process can open it. */
static void
assertRootUsable(Fixture *f)
{
    virDomainPtr dom = define(f, "good", f->top);

    start(dom);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    closeConn(f);
    g_assert_cmpint(virTestRunSelf("open", f->uri, NULL), ==, 0);
    openConn(f);
}

/* ------------------------------------------------------------------ */
/* FIFOs                                                                */

/* A FIFO as the disk image (qcow2 or raw) or named by a header as the
 * backing file (a persistent domain and a transient one): each start fails
 * at once with an error naming the FIFO. */
static void
testFifoImage(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *fifo = g_build_filename(f->dir, "fifo", NULL);
    g_autofree char *ontop = g_build_filename(f->dir, "on-fifo.qcow2", NULL);
    struct {
        const char *name;
        const char *disk;
        const char *fmt;
    } cases[] = {
        { "fifo-qcow2", fifo, NULL },
        { "fifo-raw", fifo, "type='raw'" },
        { "fifo-backing", ontop, NULL },
    };

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    {
        const char *argv[] = { QEMU_IMG_PATH, "create", "-q", "-f", "qcow2", "-u",
                               "-b", fifo, "-F", "raw", ontop, "8M", NULL };
        virTestRun(argv, NULL);
    }

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = domainXML(cases[i].name, cases[i].disk,
                                         cases[i].fmt, NULL);
        virDomainPtr dom = virTestDefineDomain(f->conn, xml);
        g_autofree char *message = assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED,
                                                      fifo);

        g_assert_nonnull(strstr(message, "is a FIFO"));
        assertNothingLeft(f);
        virTestAssertOwner(fifo, 0, 0);
        g_assert_cmpint(virDomainUndefine(dom), ==, 0);
        virDomainFree(dom);
    }

    /* Transient: created and started in one call. */
    {
        g_autofree char *xml = domainXML("fifo-transient", ontop, NULL, NULL);
        g_autofree char *message = NULL;
        CreateXMLArgs args = { f->conn, xml };
        int code = 0;

        g_assert_cmpint(callWithin(createXMLFn, &args, &code, &message), ==, -1);
        g_assert_cmpint(code, ==, VIR_ERR_CONFIG_UNSUPPORTED);
        g_assert_nonnull(strstr(message, fifo));
        g_assert_null(virDomainLookupByName(f->conn, "fifo-transient"));
        assertNothingLeft(f);
    }
    assertRootUsable(f);
}

/* A FIFO, or a directory, as the serial log: refused at once, naming it. */
static void
testFifoSerial(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *fifo = g_build_filename(f->dir, "serial.fifo", NULL);
    g_autofree char *dir = g_build_filename(f->dir, "serial.d", NULL);
    const char *paths[] = { fifo, dir };

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_cmpint(mkdir(dir, 0700), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
        g_autofree char *xml = domainXML("fifo-serial", f->top, NULL, paths[i]);
        virDomainPtr dom = virTestDefineDomain(f->conn, xml);

        g_free(assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED, paths[i]));
        assertNothingLeft(f);
        virTestAssertOwner(paths[i], 0, 0);
        g_assert_cmpint(virDomainUndefine(dom), ==, 0);
        virDomainFree(dom);
    }
    assertRootUsable(f);
}

/* The top image becomes a FIFO under its name while the domain runs (QEMU
 * keeps its descriptor): a pull reads the image size by that name, and
 * must not block on it. */
static void
testFifoPull(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *moved = g_build_filename(f->dir, "top.moved", NULL);
    g_autofree char *message = NULL;
    virDomainPtr dom = define(f, "fifo-pull", f->top);
    int code = 0;

    start(dom);
    g_assert_cmpint(rename(f->top, moved), ==, 0);
    g_assert_cmpint(mkfifo(f->top, 0600), ==, 0);
    if (callWithin(pullAllFn, dom, &code, &message) < 0)
        g_error("pull failed: %s", message);
    expectPullEvent(VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Serial logs behind symlinks                                          */

/* A root-only file, as a secret would be. */
static char *
makeRootFile(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, "root only\n", -1, NULL));
    g_assert_cmpint(chmod(path, 0600), ==, 0);
    return path;
}

/* @path is root's, mode 0600, and still says "root only". */
static void
assertUntouched(const char *path)
{
    g_autofree char *text = NULL;
    struct stat sb;

    virTestAssertOwner(path, 0, 0);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "root only\n");
}

/*
 * No symbolic link is followed in a serial log path: a link to a file
 * that does not exist (which is not created, by root, wherever it points)
 * and a link to one that does (which is not labelled) are refused alike,
 * and so is a path through a symlinked directory.
 */
static void
testSerialSymlink(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *logs = g_build_filename(f->dir, "logs", NULL);
    g_autofree char *target = g_build_filename(logs, "target.log", NULL);
    g_autofree char *link = g_build_filename(f->dir, "serial.log", NULL);
    g_autofree char *xml = domainXML("dangling", f->top, NULL, link);
    g_autofree char *message = NULL;
    g_autofree char *linkdir = g_build_filename(f->dir, "logs-link", NULL);
    g_autofree char *via = g_build_filename(linkdir, "via.log", NULL);
    g_autofree char *viaReal = g_build_filename(logs, "via.log", NULL);
    virDomainPtr dom;
    struct stat sb;

    g_assert_cmpint(mkdir(logs, 0755), ==, 0);
    g_assert_cmpint(symlink(target, link), ==, 0);
    dom = virTestDefineDomain(f->conn, xml);
    message = assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED, link);
    g_assert_nonnull(strstr(message, "symbolic link"));
    g_assert_nonnull(strstr(message, target));
    g_assert_cmpint(lstat(target, &sb), ==, -1);
    g_assert_cmpint(errno, ==, ENOENT);
    assertNothingLeft(f);

    /* With the target there, it is refused the same way, and untouched. */
    g_free(makeRootFile(logs, "target.log"));
    g_free(message);
    message = assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED, link);
    g_assert_nonnull(strstr(message, "symbolic link"));
    assertUntouched(target);
    assertNothingLeft(f);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);

    /* A directory on the way that is a link. */
    g_assert_cmpint(symlink(logs, linkdir), ==, 0);
    g_free(xml);
    xml = domainXML("via-link", f->top, NULL, via);
    dom = virTestDefineDomain(f->conn, xml);
    g_free(message);
    message = assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED, via);
    g_assert_nonnull(strstr(message, viaReal));
    /* Not created there through the link, either. */
    g_assert_cmpint(lstat(viaReal, &sb), ==, -1);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    assertNothingLeft(f);
}

/*
 * The attack: the serial log lives in a directory QEMU's user may write.
 * Between two starts that user replaces the log with a symbolic link to a
 * root-only file; the next start must neither give that file to QEMU's
 * user nor let QEMU write to it.
 */
static void
testSerialReplaced(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *logs = g_build_filename(f->dir, "logs", NULL);
    g_autofree char *log = g_build_filename(logs, "serial.log", NULL);
    g_autofree char *secret = makeRootFile(f->dir, "secret");
    g_autofree char *xml = domainXML("replaced", f->top, NULL, log);
    g_autofree char *message = NULL;
    g_autofree char *script = g_strdup_printf("rm -f '%s' && ln -s '%s' '%s'",
                                              log, secret, log);
    const char *asQemu[] = { "setpriv", "--reuid=65534", "--regid=65534",
                             "--clear-groups", "sh", "-c", script, NULL };
    virDomainPtr dom;

    g_assert_cmpint(mkdir(logs, 0755), ==, 0);
    g_assert_cmpint(chown(logs, QEMU_UID, QEMU_GID), ==, 0);
    dom = virTestDefineDomain(f->conn, xml);
    start(dom);
    virTestAssertOwner(log, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertOwner(log, 0, 0);

    virTestRun(asQemu, NULL);
    message = assertStartRefused(dom, VIR_ERR_CONFIG_UNSUPPORTED, log);
    g_assert_nonnull(strstr(message, "symbolic link"));
    assertUntouched(secret);
    g_assert_false(virTestUserCanRead(secret, QEMU_UID, QEMU_GID));
    assertNothingLeft(f);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}

/* ------------------------------------------------------------------ */
/* Relative backing names below a symlinked directory                   */

/*
 * DIR/link -> DIR/real/sub; the overlay is DIR/link/top.qcow2 with backing
 * name "../base.raw". QEMU (and qemu-img) open DIR/link/../base.raw, which
 * the kernel resolves to DIR/real/base.raw; dropping "link/.." lexically
 * would give DIR/base.raw instead. Both exist with different data: the
 * right one must be labelled, and pulled into the overlay.
 */
static void
testRelativeSymlinkedDir(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *realsub = g_build_filename(f->dir, "real", "sub", NULL);
    g_autofree char *link = g_build_filename(f->dir, "link", NULL);
    g_autofree char *physical = g_build_filename(f->dir, "real", "base.raw", NULL);
    g_autofree char *lexical = g_build_filename(f->dir, "base.raw", NULL);
    g_autofree char *top = g_build_filename(link, "top.qcow2", NULL);
    g_autofree char *flat = g_build_filename(f->dir, "flat.raw", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *bytes = NULL;
    gsize len;
    virDomainPtr dom;

    g_assert_cmpint(g_mkdir_with_parents(realsub, 0755), ==, 0);
    g_assert_cmpint(symlink(realsub, link), ==, 0);
    virTestImageCreate(physical, "raw", "8M", NULL, NULL);
    virTestImageWrite(physical, "raw", 0x77, "0", "4M");
    g_assert_cmpint(chmod(physical, 0600), ==, 0);
    /* lexical is the fixture's base: 0x11. */
    {
        const char *argv[] = { QEMU_IMG_PATH, "create", "-q", "-f", "qcow2",
                               "-b", "../base.raw", "-F", "raw", top, NULL };
        virTestRun(argv, NULL);
    }
    virTestImageWrite(top, "qcow2", 0x33, "0", "1M");
    g_assert_cmpint(chmod(top, 0600), ==, 0);
    /* qemu-img reads through the chain as QEMU does: the reference. */
    {
        const char *argv[] = { QEMU_IMG_PATH, "convert", "-O", "raw", top, flat, NULL };
        virTestRun(argv, NULL);
    }
    g_assert_true(g_file_get_contents(flat, &bytes, &len, NULL));
    g_assert_cmpuint(len, ==, 8 << 20);
    g_assert_cmpint(bytes[0], ==, 0x33);
    g_assert_cmpint(bytes[2 << 20], ==, 0x77);

    dom = define(f, "relative", top);
    start(dom);
    virTestAssertOwner(physical, QEMU_UID, QEMU_GID);
    virTestAssertOwner(lexical, 0, 0);
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(xml, physical));

    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectPullEvent(VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    virTestAssertOwner(physical, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    {
        const char *argv[] = { QEMU_IMG_PATH, "compare", top, flat, NULL };
        virTestRun(argv, NULL);
    }
    virTestAssertOwner(lexical, 0, 0);
    virDomainFree(dom);
    free(g_steal_pointer(&xml));
}

/* ------------------------------------------------------------------ */
/* Headers rewritten by QEMU's user                                     */

/* What QEMU's user can do to an overlay it owns while the domain runs. */
static void
rewriteBacking(const char *image, const char *backing, const char *fmt)
{
    const char *argv[] = { QEMU_IMG_PATH, "rebase", "-u", "-b", backing, "-F", fmt,
                           image, NULL };
    virTestRun(argv, NULL);
}

static char *
makeSecret(Fixture *f, const char *name)
{
    char *secret = virTestImageNew(f->dir, name, "raw", "1M", NULL, NULL,
                                   0600);

    virTestImageWrite(secret, "raw", 0x5e, "0", "1M");
    return secret;
}

/* The backing record of domain @name, which must exist: it is named by
 * the domain's uuid. */
static char *
recordPath(Fixture *f, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(f->conn, name);
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *file = NULL;

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    virDomainFree(dom);
    file = g_strdup_printf("%s.backing.json", uuid);
    return g_build_filename(f->root, "lib", "qemu", file, NULL);
}

/*
 * The overlay's header is rewritten to name a root-only file: the next
 * start refuses it, naming the file, the image and the ways to accept it,
 * and the file is never given to QEMU's user. Defining the domain again
 * does not accept it (the disk's top image is the same); undefining it
 * and defining it again does.
 */
static void
testHeaderRewritten(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *secret = makeSecret(f, "secret");
    g_autofree char *missing = g_build_filename(f->dir, "missing.raw", NULL);
    g_autofree char *xml = domainXML("rewritten", f->top, NULL, NULL);
    g_autofree char *message = NULL;
    virDomainPtr dom = virTestDefineDomain(f->conn, xml);
    struct stat sb;

    start(dom);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);

    rewriteBacking(f->top, secret, "raw");
    message = assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret);
    g_assert_nonnull(strstr(message, f->top));
    g_assert_nonnull(strstr(message, "'vda'"));
    g_assert_nonnull(strstr(message, "undefine the domain and define it again"));
    g_assert_nonnull(strstr(message, "<backingStore>"));
    g_assert_nonnull(strstr(message, "backing_dirs"));
    virTestAssertOwner(secret, 0, 0);
    g_assert_cmpint(stat(secret, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_assert_false(virTestUserCanRead(secret, QEMU_UID, QEMU_GID));
    assertNothingLeft(f);

    /* A re-define that cannot read the chain (a header naming a missing
     * file) keeps what was known: a later rewrite is refused still. */
    rewriteBacking(f->top, missing, "raw");
    redefine(f, dom);
    rewriteBacking(f->top, secret, "raw");
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));
    virTestAssertOwner(secret, 0, 0);

    /* Defined again as it is: still refused. */
    redefine(f, dom);
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));
    virTestAssertOwner(secret, 0, 0);

    /* The administrator accepts the chain: undefine, then define. */
    {
        char *inactive = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

        g_assert_nonnull(inactive);
        g_assert_cmpint(virDomainUndefine(dom), ==, 0);
        virDomainFree(dom);
        dom = virTestDefineDomain(f->conn, inactive);
        free(inactive);
    }
    start(dom);
    virTestAssertOwner(secret, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertOwner(secret, 0, 0);

    /* Undefine forgets the record. */
    {
        g_autofree char *record = recordPath(f, "rewritten");

        g_assert_true(g_file_test(record, G_FILE_TEST_EXISTS));
        g_assert_cmpint(virDomainUndefine(dom), ==, 0);
        g_assert_false(g_file_test(record, G_FILE_TEST_EXISTS));
    }
    virDomainFree(dom);
}

/*
 * What QEMU's user can do while the domain runs: write the overlay's
 * header in place (qemu-img would refuse the image QEMU holds, a plain
 * write does not). The new header is made on a copy, as root.
 */
static void
rewriteBackingAsQemu(Fixture *f, const char *image, const char *backing,
                     const char *fmt)
{
    g_autofree char *copy = g_build_filename(f->dir, "header.copy", NULL);
    g_autofree char *script = g_strdup_printf("dd if='%s' of='%s' bs=65536 count=1 "
                                              "conv=notrunc status=none",
                                              copy, image);
    const char *cp[] = { "cp", image, copy, NULL };
    const char *dd[] = { "setpriv", "--reuid=65534", "--regid=65534",
                         "--clear-groups", "sh", "-c", script, NULL };

    virTestRun(cp, NULL);
    rewriteBacking(copy, backing, fmt);
    g_assert_cmpint(chmod(copy, 0644), ==, 0);
    virTestRun(dd, NULL);
    g_assert_cmpint(unlink(copy), ==, 0);
}

/* @xml (no <uuid>) made a definition of @dom: with its uuid. */
static char *
withUUID(virDomainPtr dom, const char *xml)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *elem = NULL;
    g_autoptr(GString) s = g_string_new(xml);

    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    elem = g_strdup_printf("</name>\n  <uuid>%s</uuid>", uuid);
    g_assert_cmpuint(g_string_replace(s, "</name>", elem, 1), ==, 1);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* @dom's persistent XML with its memory changed: an unrelated edit. */
static char *
editedXML(virDomainPtr dom, const char *memory)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_autoptr(GString) s = NULL;
    g_autofree char *mem = g_strdup_printf("<memory unit='KiB'>%s</memory>", memory);
    GMatchInfo *match = NULL;
    g_autoptr(GRegex) re = g_regex_new("<memory unit='KiB'>[0-9]+</memory>", 0, 0, NULL);

    g_assert_nonnull(xml);
    g_assert_true(g_regex_match(re, xml, 0, &match));
    g_match_info_free(match);
    s = g_string_new(NULL);
    {
        g_autofree char *out = g_regex_replace_literal(re, xml, -1, 0, mem, 0, NULL);
        g_string_assign(s, out);
    }
    free(xml);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/*
 * The review's scenario: the domain runs with top -> base; QEMU's user
 * rewrites top's header to name a root-only secret; the administrator
 * makes an unrelated change (dumpxml --inactive, edit, define: what
 * "virsh edit" does), while it runs and again once it is stopped. The
 * record must still say base: the next start refuses the secret and
 * never hands it to QEMU's user.
 */
static void
testRedefineKeepsRecord(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *secret = makeSecret(f, "secret");
    virDomainPtr dom = define(f, "edited", f->top);
    g_autofree char *record = recordPath(f, "edited");
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *message = NULL;

    g_assert_true(g_file_get_contents(record, &before, NULL, NULL));
    start(dom);
    rewriteBackingAsQemu(f, f->top, secret, "raw");
    {
        g_autofree char *xml = editedXML(dom, "131072");
        virDomainFree(virTestDefineDomain(f->conn, xml));
    }
    g_assert_true(g_file_get_contents(record, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);

    message = assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret);
    g_assert_nonnull(strstr(message, f->top));
    virTestAssertOwner(secret, 0, 0);
    g_assert_false(virTestUserCanRead(secret, QEMU_UID, QEMU_GID));
    assertNothingLeft(f);

    /* Stopped, the same edit: the same record. */
    {
        g_autofree char *xml = editedXML(dom, "65536");
        virDomainFree(virTestDefineDomain(f->conn, xml));
    }
    g_free(after);
    g_assert_true(g_file_get_contents(record, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));
    virTestAssertOwner(secret, 0, 0);
    virDomainFree(dom);
}

/*
 * Explicit ways to accept a new chain for the same disk: <backingStore>
 * in the XML (recorded, so it holds when the XML no longer gives it), and
 * a disk whose top image changes is read anew.
 */
static void
testRedefineExplicit(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *secret = makeSecret(f, "granted");
    g_autofree char *other = g_build_filename(f->dir, "other.qcow2", NULL);
    g_autofree char *first = domainXML("explicit", f->top, NULL, NULL);
    g_autofree char *plain = NULL;
    g_autofree char *given = NULL;
    virDomainPtr dom = virTestDefineDomain(f->conn, first);

    plain = withUUID(dom, first);
    rewriteBacking(f->top, secret, "raw");
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));

    /* The chain given in the XML is the administrator's word. */
    {
        g_autofree char *chain = g_strdup_printf("<backingStore type='file'>\n"
                                                 "        <format type='raw'/>\n"
                                                 "        <source file='%s'/>\n"
                                                 "        <backingStore/>\n"
                                                 "      </backingStore>\n"
                                                 "      <target dev='vda'", secret);
        g_autoptr(GString) x = g_string_new(plain);

        g_assert_cmpuint(g_string_replace(x, "<target dev='vda'", chain, 1), ==, 1);
        given = g_string_free(g_steal_pointer(&x), FALSE);
    }
    g_test_message("%s", given);
    virDomainFree(virTestDefineDomain(f->conn, given));
    start(dom);
    virTestAssertOwner(secret, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    /* Without <backingStore> again, the recorded chain still holds. */
    virDomainFree(virTestDefineDomain(f->conn, plain));
    start(dom);
    virTestAssertOwner(secret, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertOwner(secret, 0, 0);

    /* A new top image: its chain is read when it is defined. */
    virTestImageCreate(other, "qcow2", NULL, f->base, "raw");
    g_assert_cmpint(chmod(other, 0600), ==, 0);
    {
        g_autofree char *xml = domainXML("explicit", other, NULL, NULL);
        g_autofree char *same = withUUID(dom, xml);

        virDomainFree(virTestDefineDomain(f->conn, same));
    }
    start(dom);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
}

/*
 * A define that fails after the record was written (its definition
 * cannot be saved) leaves the record as it was: here it would have
 * forgotten the old disk's chain, which the next start would then take
 * from a rewritten header.
 */
static void
testDefineAllOrNothing(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *secret = makeSecret(f, "secret");
    g_autofree char *other = g_build_filename(f->dir, "other.qcow2", NULL);
    g_autofree char *blocker = g_build_filename(f->root, "etc", "qemu",
                                                "atomic.xml.new", NULL);
    virDomainPtr dom = define(f, "atomic", f->top);
    g_autofree char *record = recordPath(f, "atomic");
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    g_assert_true(g_file_get_contents(record, &before, NULL, NULL));
    virTestImageCreate(other, "qcow2", NULL, f->base, "raw");
    rewriteBacking(f->top, secret, "raw");

    /* The definition cannot be written: its temporary name is taken. */
    g_assert_cmpint(mkdir(blocker, 0700), ==, 0);
    {
        g_autofree char *xml = domainXML("atomic", other, NULL, NULL);
        g_autofree char *same = withUUID(dom, xml);

        g_assert_null(virDomainDefineXML(f->conn, same));
        g_test_message("define failed: %s", virGetLastErrorMessage());
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "atomic.xml.new"));
    }
    g_assert_cmpint(rmdir(blocker), ==, 0);
    g_assert_true(g_file_get_contents(record, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);

    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));
    virTestAssertOwner(secret, 0, 0);
    virDomainFree(dom);
}

/* qemu.conf's backing_dirs: backing files under them are accepted. */
static void
testBackingDirs(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *pool = g_build_filename(f->dir, "pool", NULL);
    g_autofree char *pooled = g_build_filename(pool, "golden.raw", NULL);
    g_autofree char *escape = g_build_filename(pool, "escape.raw", NULL);
    g_autofree char *secret = makeSecret(f, "secret");
    g_autofree char *outside = makeSecret(f, "pool2");
    g_autofree char *conf = NULL;
    g_autofree char *message = NULL;
    g_autofree char *poolLink = g_build_filename(f->dir, "pool-link", NULL);
    virDomainPtr dom;

    g_assert_cmpint(mkdir(pool, 0755), ==, 0);
    g_assert_cmpint(symlink(secret, escape), ==, 0);
    virTestImageCreate(pooled, "raw", "8M", NULL, NULL);
    g_assert_cmpint(chmod(pooled, 0600), ==, 0);
    closeConn(f);
    /* A symlinked spelling of the directory works as well. */
    g_assert_cmpint(symlink(pool, poolLink), ==, 0);
    conf = g_strdup_printf("backing_dirs = [ \"%s\" ]\n", poolLink);
    virTestWriteQemuConf(f->root, conf);
    openConn(f);

    dom = define(f, "dirs", f->top);
    start(dom);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    rewriteBacking(f->top, pooled, "raw");
    start(dom);
    virTestAssertOwner(pooled, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    /* A file whose name merely starts with the directory's is not in it,
     * nor is a file a symlink in the directory leads to. */
    rewriteBacking(f->top, outside, "raw");
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, outside));
    virTestAssertOwner(outside, 0, 0);
    rewriteBacking(f->top, escape, "raw");
    message = assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret);
    g_assert_nonnull(strstr(message, escape));
    virTestAssertOwner(secret, 0, 0);
    virDomainFree(dom);

    /* Bad values: a clear error naming the setting. */
    closeConn(f);
    virTestWriteQemuConf(f->root, "backing_dirs = \"/srv/base\"\n");
    g_assert_null(virConnectOpen(f->uri));
    virTestAssertError(VIR_ERR_CONF_SYNTAX);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "backing_dirs"));
    virTestWriteQemuConf(f->root, "backing_dirs = [ \"srv/base\" ]\n");
    g_assert_null(virConnectOpen(f->uri));
    virTestAssertError(VIR_ERR_CONF_SYNTAX);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "srv/base"));
    virTestWriteQemuConf(f->root, "");
    openConn(f);
}

/* A completed pull updates the record: the domain starts again normally,
 * and a header rewritten to name the old base again is refused. */
static void
testPullThenRestart(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr dom = define(f, "pulled", f->top);

    start(dom);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, 0);
    expectPullEvent(VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    start(dom);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);

    rewriteBacking(f->top, f->base, "raw");
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, f->base));
    virTestAssertOwner(f->base, 0, 0);
    virDomainFree(dom);
}

/*
 * Domains the record does not know yet: one defined by an older version
 * (no record), one whose image did not exist when it was defined. Their
 * first start records the chain; later rewrites are refused. A transient
 * domain is started with the chain it is created with, and leaves no
 * record.
 */
static void
testFirstStart(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *secret = makeSecret(f, "secret");
    g_autofree char *later = g_build_filename(f->dir, "later.qcow2", NULL);
    virDomainPtr dom = define(f, "older", f->top);
    virDomainPtr dom2 = define(f, "later", later);
    g_autofree char *record = recordPath(f, "older");

    /* As if defined by an older version: no record. */
    g_assert_cmpint(unlink(record), ==, 0);
    start(dom);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_true(g_file_test(record, G_FILE_TEST_EXISTS));
    rewriteBacking(f->top, secret, "raw");
    g_free(assertStartRefused(dom, VIR_ERR_ACCESS_DENIED, secret));
    rewriteBacking(f->top, f->base, "raw");
    virDomainFree(dom);

    /* Its image made after the define. */
    virTestImageCreate(later, "qcow2", NULL, f->base, "raw");
    g_assert_cmpint(chmod(later, 0600), ==, 0);
    start(dom2);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
    g_assert_cmpint(virDomainDestroy(dom2), ==, 0);
    rewriteBacking(later, secret, "raw");
    g_free(assertStartRefused(dom2, VIR_ERR_ACCESS_DENIED, secret));
    virTestAssertOwner(secret, 0, 0);
    virDomainFree(dom2);

    /* Transient: its chain is what it is created with. */
    {
        g_autofree char *xml = domainXML("transient", later, NULL, NULL);
        virDomainPtr t = virDomainCreateXML(f->conn, xml, 0);
        g_autofree char *trecord = NULL;

        if (!t)
            g_error("create failed: %s", virGetLastErrorMessage());
        trecord = recordPath(f, "transient");
        virTestAssertOwner(secret, QEMU_UID, QEMU_GID);
        g_assert_false(g_file_test(trecord, G_FILE_TEST_EXISTS));
        g_assert_cmpint(virDomainDestroy(t), ==, 0);
        virTestAssertOwner(secret, 0, 0);
        virDomainFree(t);
    }
}

/* ------------------------------------------------------------------ */

static int
childMain(const char *what, const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);

    if (strcmp(what, "open") == 0 && c) {
        virConnectClose(c);
        return 0;
    }
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemuimagetest must run as root (it checks image owners)\n");
        return 1;
    }
    pullLog = virTestPullLogNew();
    virTestEventLoopStart();

#define ADD(name, fn) \
    g_test_add(name, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    ADD("/qemu/images/fifo-image", testFifoImage);
    ADD("/qemu/images/fifo-serial", testFifoSerial);
    ADD("/qemu/images/fifo-pull", testFifoPull);
    ADD("/qemu/images/serial-symlink", testSerialSymlink);
    ADD("/qemu/images/serial-replaced", testSerialReplaced);
    ADD("/qemu/images/relative-symlinked-dir", testRelativeSymlinkedDir);
    ADD("/qemu/images/header-rewritten", testHeaderRewritten);
    ADD("/qemu/images/redefine-keeps-record", testRedefineKeepsRecord);
    ADD("/qemu/images/redefine-explicit", testRedefineExplicit);
    ADD("/qemu/images/define-all-or-nothing", testDefineAllOrNothing);
    ADD("/qemu/images/backing-dirs", testBackingDirs);
    ADD("/qemu/images/pull-then-restart", testPullThenRestart);
    ADD("/qemu/images/first-start", testFirstStart);
    return g_test_run();
}

/*
 * virreadonlytest.c: a read-only connection is refused every call that
 * changes anything, and allowed every other. The decision is the
 * library's own table (src/libvirt_access.h, included here): the table
 * must list exactly the symbols of src/libvirt_bp.syms, so that a new
 * public call cannot be added without deciding its class, and every
 * call the table classifies must have a case here, so that it is tried.
 * Each WRITE call is made on a read-only connection with arguments that
 * would succeed on a read-write one, and must fail with
 * VIR_ERR_OPERATION_DENIED leaving every domain as it was; each READ call
 * must do on a read-only connection what it does on a read-write one.
 * Runs on test:///default, and on qemu:///embed with a running QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "libvirt_access.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

/* One side of the comparison: a connection and its handles on the
 * domains the calls act on. */
typedef struct {
    virConnectPtr conn;
    virDomainPtr running;       /* a running domain with a disk "vda" */
    virDomainPtr inactive;      /* a defined, stopped domain */
    const char *newXML;         /* a domain neither side has */
} Side;

static int
okIf(bool cond)
{
    return cond ? 0 : -1;
}

static int
freeString(char *s)
{
    int ret = okIf(s != NULL);

    free(s);
    return ret;
}

static int
freeDomain(virDomainPtr dom)
{
    int ret = okIf(dom != NULL);

    if (dom)
        virDomainFree(dom);
    return ret;
}

static int
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
            int event G_GNUC_UNUSED, int detail G_GNUC_UNUSED,
            void *opaque G_GNUC_UNUSED)
{
    return 0;
}

static int
registerCb(Side *s)
{
    return virConnectDomainEventRegisterAny(s->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                            NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* One case per classified call                                         */

static int callConnectClose(Side *s)
{
    if (virConnectRef(s->conn) < 0)
        return -1;
    return okIf(virConnectClose(s->conn) > 0);
}
static int callEventDeregister(Side *s)
{
    int id = registerCb(s);

    return id < 0 ? -1 : virConnectDomainEventDeregisterAny(s->conn, id);
}
static int callEventRegister(Side *s)
{
    int id = registerCb(s);

    if (id < 0)
        return -1;
    virConnectDomainEventDeregisterAny(s->conn, id);
    return 0;
}
static int callGetLibVersion(Side *s)
{
    unsigned long v;
    return virConnectGetLibVersion(s->conn, &v);
}
static int callGetURI(Side *s) { return freeString(virConnectGetURI(s->conn)); }
static int callGetVersion(Side *s)
{
    unsigned long v;
    return virConnectGetVersion(s->conn, &v);
}
static int callIsAlive(Side *s) { return okIf(virConnectIsAlive(s->conn) == 1); }
static int callListAll(Side *s)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(s->conn, &doms, 0);

    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return okIf(n >= 0);
}
static int callConnectRef(Side *s)
{
    if (virConnectRef(s->conn) < 0)
        return -1;
    virConnectClose(s->conn);
    return 0;
}
static int callBlockPull(Side *s)
{
    virDomainBlockPullInfo info;
    return virDomainBlockPull(s->running, "vda", &info, 0);
}
static int callBlockPullAbort(Side *s) { return virDomainBlockPullAbort(s->running, "vda", 0); }
static int callBlockPullAll(Side *s) { return virDomainBlockPullAll(s->running, "vda", 0); }
static int callBlockRebase(Side *s) { return virDomainBlockRebase(s->running, "vda", NULL, 0, 0); }
static int callBlockJobAbort(Side *s) { return virDomainBlockJobAbort(s->running, "vda", 0); }
static int callBlockJobSetSpeed(Side *s) { return virDomainBlockJobSetSpeed(s->running, "vda", 1, 0); }
static int callGetBlockJobInfo(Side *s)
{
    virDomainBlockJobInfo info;
    /* 1 (a job) or 0 (none) are both a success */
    return virDomainGetBlockJobInfo(s->running, "vda", &info, 0) < 0 ? -1 : 0;
}
static int callCreate(Side *s) { return virDomainCreate(s->inactive); }
static int callCreateWithFlags(Side *s) { return virDomainCreateWithFlags(s->inactive, 0); }
static int callCreateXML(Side *s) { return freeDomain(virDomainCreateXML(s->conn, s->newXML, 0)); }
static int callDefineXML(Side *s) { return freeDomain(virDomainDefineXML(s->conn, s->newXML)); }
static int callDefineXMLFlags(Side *s)
{
    return freeDomain(virDomainDefineXMLFlags(s->conn, s->newXML, 0));
}
static int callDestroy(Side *s) { return virDomainDestroy(s->running); }
static int callDestroyFlags(Side *s) { return virDomainDestroyFlags(s->running, 0); }
static int callDomainFree(Side *s)
{
    if (virDomainRef(s->running) < 0)
        return -1;
    return virDomainFree(s->running);
}
static int callGetBlockPullInfo(Side *s)
{
    virDomainBlockPullInfo info;
    return virDomainGetBlockPullInfo(s->running, "vda", &info, 0);
}
static int callGetConnect(Side *s) { return okIf(virDomainGetConnect(s->running) == s->conn); }
static int callGetID(Side *s) { return okIf(virDomainGetID(s->running) != (unsigned int) -1); }
static int callGetInfo(Side *s)
{
    virDomainInfo info;
    return virDomainGetInfo(s->running, &info);
}
static int callGetName(Side *s) { return okIf(virDomainGetName(s->running) != NULL); }
static int callGetState(Side *s)
{
    int state, reason;
    return virDomainGetState(s->running, &state, &reason, 0);
}
static int callGetUUID(Side *s)
{
    unsigned char uuid[VIR_UUID_BUFLEN];
    return virDomainGetUUID(s->running, uuid);
}
static int callGetUUIDString(Side *s)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    return virDomainGetUUIDString(s->running, uuid);
}
static int callGetXMLDesc(Side *s) { return freeString(virDomainGetXMLDesc(s->running, 0)); }
static int callIsActive(Side *s) { return okIf(virDomainIsActive(s->running) == 1); }
static int callIsPersistent(Side *s) { return okIf(virDomainIsPersistent(s->running) >= 0); }
static int callLookupByID(Side *s)
{
    return freeDomain(virDomainLookupByID(s->conn, virDomainGetID(s->running)));
}
static int callLookupByName(Side *s)
{
    return freeDomain(virDomainLookupByName(s->conn, virDomainGetName(s->running)));
}
static int callLookupByUUIDString(Side *s)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    virDomainGetUUIDString(s->running, uuid);
    return freeDomain(virDomainLookupByUUIDString(s->conn, uuid));
}
static int callQemuMonitorCommand(Side *s)
{
    char *result = NULL;
    int ret = virDomainQemuMonitorCommand(s->running, "{\"execute\":\"stop\"}",
                                          &result, 0);

    free(result);
    return ret;
}
static int callDomainRef(Side *s)
{
    if (virDomainRef(s->running) < 0)
        return -1;
    return virDomainFree(s->running);
}
static int callGetType(Side *s) { return okIf(virConnectGetType(s->conn) != NULL); }
static int callGetHostname(Side *s) { return freeString(virConnectGetHostname(s->conn)); }
static int callNumOfDomains(Side *s) { return okIf(virConnectNumOfDomains(s->conn) >= 1); }
static int callListDomains(Side *s)
{
    int ids[16];
    return okIf(virConnectListDomains(s->conn, ids, G_N_ELEMENTS(ids)) >= 1);
}
static int callNumOfDefinedDomains(Side *s)
{
    return okIf(virConnectNumOfDefinedDomains(s->conn) >= 1);
}
static int callListDefinedDomains(Side *s)
{
    char *names[16];
    int n = virConnectListDefinedDomains(s->conn, names, G_N_ELEMENTS(names));

    for (int i = 0; i < n; i++)
        free(names[i]);
    return okIf(n >= 1);
}
static void closeCb(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED,
                    void *opaque G_GNUC_UNUSED)
{
}
static int callRegisterCloseCallback(Side *s)
{
    if (virConnectRegisterCloseCallback(s->conn, closeCb, NULL, NULL) < 0)
        return -1;
    return virConnectUnregisterCloseCallback(s->conn, closeCb);
}
static int callUnregisterCloseCallback(Side *s)
{
    return callRegisterCloseCallback(s);
}
static int callSetKeepAlive(Side *s) { return virConnectSetKeepAlive(s->conn, 5, 3); }
static int callSuspend(Side *s) { return virDomainSuspend(s->running); }
static int callResume(Side *s) { return virDomainResume(s->running); }
static int callUndefine(Side *s) { return virDomainUndefine(s->inactive); }
static int callUndefineFlags(Side *s) { return virDomainUndefineFlags(s->inactive, 0); }

typedef int (*CallFunc)(Side *s);

static const struct {
    const char *name;
    CallFunc call;
} calls[] = {
    { "virConnectClose", callConnectClose },
    { "virConnectDomainEventDeregisterAny", callEventDeregister },
    { "virConnectDomainEventRegisterAny", callEventRegister },
    { "virConnectGetLibVersion", callGetLibVersion },
    { "virConnectGetURI", callGetURI },
    { "virConnectGetVersion", callGetVersion },
    { "virConnectIsAlive", callIsAlive },
    { "virConnectListAllDomains", callListAll },
    { "virConnectRef", callConnectRef },
    { "virDomainBlockJobAbort", callBlockJobAbort },
    { "virDomainBlockJobSetSpeed", callBlockJobSetSpeed },
    { "virDomainBlockPull", callBlockPull },
    { "virDomainBlockPullAbort", callBlockPullAbort },
    { "virDomainBlockPullAll", callBlockPullAll },
    { "virDomainBlockRebase", callBlockRebase },
    { "virDomainCreate", callCreate },
    { "virDomainCreateWithFlags", callCreateWithFlags },
    { "virDomainCreateXML", callCreateXML },
    { "virDomainDefineXML", callDefineXML },
    { "virDomainDefineXMLFlags", callDefineXMLFlags },
    { "virDomainDestroy", callDestroy },
    { "virDomainDestroyFlags", callDestroyFlags },
    { "virDomainFree", callDomainFree },
    { "virDomainGetBlockJobInfo", callGetBlockJobInfo },
    { "virDomainGetBlockPullInfo", callGetBlockPullInfo },
    { "virDomainGetConnect", callGetConnect },
    { "virDomainGetID", callGetID },
    { "virDomainGetInfo", callGetInfo },
    { "virDomainGetName", callGetName },
    { "virDomainGetState", callGetState },
    { "virDomainGetUUID", callGetUUID },
    { "virDomainGetUUIDString", callGetUUIDString },
    { "virDomainGetXMLDesc", callGetXMLDesc },
    { "virDomainIsActive", callIsActive },
    { "virDomainIsPersistent", callIsPersistent },
    { "virDomainLookupByID", callLookupByID },
    { "virDomainLookupByName", callLookupByName },
    { "virDomainLookupByUUIDString", callLookupByUUIDString },
    { "virDomainQemuMonitorCommand", callQemuMonitorCommand },
    { "virDomainRef", callDomainRef },
    { "virDomainUndefine", callUndefine },
    { "virDomainUndefineFlags", callUndefineFlags },
    /* What a libvirt client expects (issue 8). */
    { "virConnectGetHostname", callGetHostname },
    { "virConnectGetType", callGetType },
    { "virConnectListDefinedDomains", callListDefinedDomains },
    { "virConnectListDomains", callListDomains },
    { "virConnectNumOfDefinedDomains", callNumOfDefinedDomains },
    { "virConnectNumOfDomains", callNumOfDomains },
    { "virConnectRegisterCloseCallback", callRegisterCloseCallback },
    { "virConnectSetKeepAlive", callSetKeepAlive },
    { "virConnectUnregisterCloseCallback", callUnregisterCloseCallback },
    { "virDomainResume", callResume },
    { "virDomainSuspend", callSuspend },
};

static CallFunc
callFind(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        if (strcmp(calls[i].name, name) == 0)
            return calls[i].call;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The table against the exported symbols                               */

static GHashTable *
readSyms(void)
{
    g_autofree char *path = g_build_filename(ABS_TOP_SRCDIR, "src", "libvirt_bp.syms", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GHashTable *syms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bool global = false;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", 0);
    for (size_t i = 0; lines[i]; i++) {
        g_autofree char *line = g_strstrip(g_strdup(lines[i]));

        if (strcmp(line, "global:") == 0) {
            global = true;
        } else if (strcmp(line, "local:") == 0) {
            global = false;
        } else if (global && g_str_has_suffix(line, ";")) {
            line[strlen(line) - 1] = '\0';
            g_hash_table_add(syms, g_steal_pointer(&line));
        }
    }
    g_assert_cmpuint(g_hash_table_size(syms), >, 50);
    return syms;
}

static void
testTableMatchesSyms(void)
{
    g_autoptr(GHashTable) syms = readSyms();
    g_autoptr(GHashTable) table = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter iter;
    gpointer key;

    for (size_t i = 0; i < G_N_ELEMENTS(virAPIAccessTable); i++) {
        const char *name = virAPIAccessTable[i].name;

        if (!g_hash_table_add(table, (gpointer) name))
            g_error("'%s' is classified twice in src/libvirt_access.h", name);
        if (!g_hash_table_contains(syms, name))
            g_error("'%s' is classified in src/libvirt_access.h but not exported "
                    "by src/libvirt_bp.syms", name);
        if (virAPIAccessTable[i].writeFlags &&
            virAPIAccessTable[i].access != VIR_API_ACCESS_READ)
            g_error("'%s': write flags only make sense on a READ call", name);
    }
    g_hash_table_iter_init(&iter, syms);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!g_hash_table_contains(table, key))
            g_error("'%s' is exported but has no read-only classification: "
                    "add it to src/libvirt_access.h", (char *) key);
    }
}

/* Every call with a connection has a case here. */
static void
testEveryCallHasACase(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(virAPIAccessTable); i++) {
        const virAPIAccessEntry *e = &virAPIAccessTable[i];
        bool has = callFind(e->name) != NULL;

        if (e->access != VIR_API_ACCESS_LOCAL && !has)
            g_error("'%s' has no case in tests/virreadonlytest.c", e->name);
        if (e->access == VIR_API_ACCESS_LOCAL && has)
            g_error("'%s' is LOCAL but has a case: classify it READ or WRITE", e->name);
    }
}

/* ------------------------------------------------------------------ */
/* The matrix                                                           */

/* Every domain as the read-write side sees it: what a refused call must
 * leave as it was. */
static char *
snapshot(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    GString *out = g_string_new(NULL);
    int n = virConnectListAllDomains(conn, &doms, 0);

    g_assert_cmpint(n, >=, 0);
    for (int i = 0; i < n; i++) {
        int state = -1, reason = -1;
        char *live = virDomainGetXMLDesc(doms[i], 0);
        char *inactive = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);

        virDomainGetState(doms[i], &state, &reason, 0);
        g_string_append_printf(out, "%s active=%d persistent=%d state=%d/%d\n%s%s",
                               virDomainGetName(doms[i]), virDomainIsActive(doms[i]),
                               virDomainIsPersistent(doms[i]), state, reason,
                               live, inactive);
        free(live);
        free(inactive);
        virDomainFree(doms[i]);
    }
    free(doms);
    return g_string_free(out, FALSE);
}

/* The outcome of a call: "ok", or the error code. */
static int
outcome(int rc)
{
    return rc == 0 ? 0 : virGetLastErrorCode();
}

static void
sideOpen(Side *s, const char *uri, bool ro, const char *running,
         const char *inactive, const char *newXML)
{
    s->conn = ro ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
    g_assert_nonnull(s->conn);
    s->running = virDomainLookupByName(s->conn, running);
    s->inactive = virDomainLookupByName(s->conn, inactive);
    g_assert_nonnull(s->running);
    g_assert_nonnull(s->inactive);
    s->newXML = newXML;
}

static void
sideClose(Side *s)
{
    virDomainFree(s->running);
    virDomainFree(s->inactive);
    g_assert_cmpint(virConnectClose(s->conn), ==, 0);
}

static void
runMatrix(const char *uri, const char *running, const char *inactive,
          const char *newXML)
{
    Side rw;
    Side ro;
    size_t writes = 0;
    size_t reads = 0;

    sideOpen(&rw, uri, false, running, inactive, newXML);
    sideOpen(&ro, uri, true, running, inactive, newXML);
    g_assert_cmpint(virDomainIsActive(rw.running), ==, 1);
    g_assert_cmpint(virDomainIsActive(rw.inactive), ==, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(virAPIAccessTable); i++) {
        const virAPIAccessEntry *e = &virAPIAccessTable[i];
        CallFunc call = callFind(e->name);
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;
        int got;

        if (e->access == VIR_API_ACCESS_LOCAL)
            continue;
        g_assert_nonnull(call);
        before = snapshot(rw.conn);
        got = outcome(call(&ro));
        after = snapshot(rw.conn);
        g_test_message("%s on a read-only connection: %s", e->name,
                       got ? virGetLastErrorMessage() : "ok");
        /* Whatever its class, a call on a read-only connection changes
         * nothing: a WRITE call classified READ fails here. */
        if (strcmp(after, before) != 0)
            g_error("%s on a read-only connection changed a domain:\n%s\nbecame\n%s",
                    e->name, before, after);
        if (e->access == VIR_API_ACCESS_WRITE) {
            if (got != VIR_ERR_OPERATION_DENIED)
                g_error("%s on a read-only connection: expected "
                        "VIR_ERR_OPERATION_DENIED, got %d (%s)", e->name, got,
                        got ? virGetLastErrorMessage() : "success");
            writes++;
        } else {
            int want = outcome(call(&rw));

            if (got != want)
                g_error("%s: %d on a read-only connection, %d on a read-write one",
                        e->name, got, want);
            reads++;
        }
    }
    /* A READ call turned privileged by its flags. */
    {
        g_autofree char *before = snapshot(rw.conn);
        g_autofree char *after = NULL;
        char *xml = virDomainGetXMLDesc(ro.running, VIR_DOMAIN_XML_SECURE);

        g_assert_null(xml);
        virTestAssertError(VIR_ERR_OPERATION_DENIED);
        xml = virDomainGetXMLDesc(rw.running, VIR_DOMAIN_XML_SECURE);
        g_assert_nonnull(xml);
        free(xml);
        after = snapshot(rw.conn);
        g_assert_cmpstr(after, ==, before);
    }
    g_test_message("%zu write calls refused, %zu read calls allowed", writes, reads);
    g_assert_cmpuint(writes, >=, 12);
    g_assert_cmpuint(reads, >=, 20);
    sideClose(&ro);
    sideClose(&rw);
}

static void
testMatrixTestDriver(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    const char *off = "<domain type='qemu'><name>ro-off</name>"
        "<memory>65536</memory><os><type>hvm</type></os></domain>";
    const char *fresh = "<domain type='qemu'><name>ro-new</name>"
        "<memory>65536</memory><os><type>hvm</type></os></domain>";

    /* Held open for the whole matrix: the state of test:///default lives
     * while a connection does. */
    g_assert_nonnull(conn);
    virDomainFree(virDomainDefineXML(conn, off));
    runMatrix("test:///default", "test", "ro-off", fresh);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

#ifdef WITH_QEMU
static void
testMatrixQemu(void)
{
    g_autofree char *dir = virTestMakeDir("vbpro-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *uri = virTestEmbedURI(root);
    g_autofree char *base = g_build_filename(dir, "base.raw", NULL);
    g_autofree char *top = g_build_filename(dir, "top.qcow2", NULL);
    g_autofree char *other = g_build_filename(dir, "other.qcow2", NULL);
    g_autofree char *fresh = g_build_filename(dir, "fresh.qcow2", NULL);
    const char *runDisks[] = { top, NULL };
    const char *offDisks[] = { other, NULL };
    const char *newDisks[] = { fresh, NULL };
    g_autofree char *runXML = virTestDomainXML("ro-run", runDisks);
    g_autofree char *offXML = virTestDomainXML("ro-off", offDisks);
    g_autofree char *newXML = virTestDomainXML("ro-new", newDisks);
    virConnectPtr conn;
    virDomainPtr dom;

    virTestImageCreate(base, "raw", "16M", NULL, NULL);
    virTestImageCreate(top, "qcow2", NULL, base, "raw");
    virTestImageCreate(other, "qcow2", "16M", NULL, NULL);
    virTestImageCreate(fresh, "qcow2", "16M", NULL, NULL);
    conn = virTestOpen(uri);
    dom = virTestDefineDomain(conn, runXML);
    if (virDomainCreate(dom) < 0)
        g_error("start failed: %s", virGetLastErrorMessage());
    virDomainFree(dom);
    virDomainFree(virDomainDefineXML(conn, offXML));

    runMatrix(uri, "ro-run", "ro-off", newXML);

    /* The QEMU was never stopped nor its chain pulled. */
    dom = virDomainLookupByName(conn, "ro-run");
    {
        char *xml = virDomainGetXMLDesc(dom, 0);

        g_assert_nonnull(strstr(xml, base));
        free(xml);
    }
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    virTestCleanupDir(dir);
}
#endif

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    virTestEventLoopStart();

    g_test_add_func("/readonly/table-matches-syms", testTableMatchesSyms);
    g_test_add_func("/readonly/every-call-has-a-case", testEveryCallHasACase);
    g_test_add_func("/readonly/matrix/test", testMatrixTestDriver);
#ifdef WITH_QEMU
    if (VIR_TEST_INTEGRATION)
        g_test_add_func("/readonly/matrix/qemu", testMatrixQemu);
#endif
    return g_test_run();
}

/*
 * qemustatusxml2xmltest.c: the QEMU driver's status files, as libvirt's
 * qemustatusxml2xmltest: each golden file in tests/qemustatusxml2xmldata/
 * is read as the driver reads it when a root is opened, formatted as the
 * driver writes it, and must come out byte for byte the same (and again
 * after a second round). VIR_TEST_REGENERATE_OUTPUT=1 rewrites the files
 * from what the formatter gives: review the diff. Then files spoiled one
 * value at a time, each of which must be refused with an error naming
 * the file and the value, never read as 0 or cut to fit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_domain.h"
#include "util/virerror.h"

static const char *testSrcDir;
static char *testTmpDir;
static virDomainXMLOption *testXMLOpt;

static char *
testDataPath(const char *name)
{
    return g_build_filename(testSrcDir, "tests", "qemustatusxml2xmldata",
                            name, NULL);
}

static char *
testReadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("cannot read '%s': %s", path, err->message);
    return data;
}

/* Read @path as a status file, or fail the test. */
static virDomainObj *
testParse(const char *path)
{
    virDomainObj *vm = virDomainObjParseFile(path, testXMLOpt);

    if (!vm)
        g_error("'%s' was refused: %s", path, virGetLastErrorMessage());
    return vm;
}

/* ------------------------------------------------------------------ */
/* Golden files                                                         */

static void
testGolden(gconstpointer data)
{
    const char *name = data;
    g_autofree char *path = testDataPath(name);
    g_autofree char *expected = testReadFile(path);
    g_autofree char *again = g_build_filename(testTmpDir, name, NULL);
    g_autoptr(virDomainObj) vm = testParse(path);
    g_autoptr(virDomainObj) vm2 = NULL;
    g_autofree char *actual = virDomainObjFormat(vm, testXMLOpt);
    g_autofree char *actual2 = NULL;

    if (g_getenv("VIR_TEST_REGENERATE_OUTPUT")) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    g_assert_cmpstr(actual, ==, expected);

    /* What the driver wrote, the driver reads back the same. */
    g_assert_true(g_file_set_contents(again, actual, -1, NULL));
    vm2 = testParse(again);
    actual2 = virDomainObjFormat(vm2, testXMLOpt);
    g_assert_cmpstr(actual2, ==, expected);
}

/* The content of a status file, already read (what the fuzzer feeds):
 * the same object as from the file; errors name what it came from. */
static void
testString(void)
{
    g_autofree char *path = testDataPath("running.xml");
    g_autofree char *xml = testReadFile(path);
    g_autoptr(virDomainObj) vm = virDomainObjParseString(xml, "given.xml", testXMLOpt);
    g_autofree char *actual = NULL;

    if (!vm)
        g_error("refused: %s", virGetLastErrorMessage());
    actual = virDomainObjFormat(vm, testXMLOpt);
    g_assert_cmpstr(actual, ==, xml);

    virResetLastError();
    g_assert_null(virDomainObjParseString("<domain type='qemu'/>", "given.xml",
                                          testXMLOpt));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_ERROR);
    g_assert_nonnull(strstr(virGetLastErrorMessage(),
                            "'given.xml' is not a domain status file"));
    virResetLastError();
}

/* A few values read from running.xml, beyond what a round trip shows. */
static void
testValues(void)
{
    g_autofree char *path = testDataPath("running.xml");
    g_autoptr(virDomainObj) vm = testParse(path);
    qemuDomainObjPrivate *priv = vm->privateData;
    virDomainHeldOutcome *held;
    qemuBlockJob *job;

    g_assert_cmpint(vm->state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(vm->reason, ==, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(vm->pid, ==, 4242);
    g_assert_cmpuint(vm->pidStartTime, ==, 123456789);
    g_assert_cmpstr(vm->pidBootID, ==, "0d2c3f36-4ab1-4c1e-9a55-2f1d8e4b7c10");
    g_assert_true(vm->persistent);
    g_assert_cmpint(vm->def->id, ==, 12);
    g_assert_nonnull(vm->newDef);
    g_assert_cmpint(vm->newDef->id, ==, -1);
    g_assert_cmpuint(g_strv_length(priv->labels), ==, 3);
    g_assert_cmpstr(priv->logPath, ==, "/var/lib/root/log/qemu/status.log");
    g_assert_cmpuint(priv->blockjobs->len, ==, 2);
    job = qemuBlockJobFind(vm, "vdb");
    g_assert_nonnull(job);
    g_assert_cmpint(job->state, ==, QEMU_BLOCKJOB_STATE_CONCLUDED);
    g_assert_true(job->abortRequested);
    g_assert_true(job->failed);
    g_assert_false(job->stepwise);
    g_assert_cmpuint(job->end, ==, 8388608);
    g_assert_cmpstr(job->errmsg, ==, "Input/output error <&> 'quoted'");

    g_assert_cmpuint(vm->heldOutcomes->len, ==, 0);

    /* Pulls that ended while nobody listened. */
    g_clear_pointer(&path, g_free);
    g_clear_pointer(&vm, virDomainObjUnref);
    path = testDataPath("held.xml");
    vm = testParse(path);
    g_assert_cmpuint(vm->heldOutcomes->len, ==, 2);
    held = g_ptr_array_index(vm->heldOutcomes, 0);
    g_assert_cmpstr(held->disk, ==, "vda");
    g_assert_cmpstr(held->path, ==, "/images/status/top.qcow2");
    g_assert_cmpint(held->status, ==, VIR_DOMAIN_BLOCK_PULL_COMPLETED);
    g_assert_cmpint(held->happened, ==, 0);
    held = g_ptr_array_index(vm->heldOutcomes, 1);
    g_assert_cmpstr(held->disk, ==, "vdb");
    g_assert_cmpstr(held->path, ==, "/images/status/o'ther <&>.qcow2");
    g_assert_cmpint(held->status, ==, VIR_DOMAIN_BLOCK_PULL_CANCELED);

    /* A start cut short: no process yet, so no identity either. */
    g_clear_pointer(&path, g_free);
    g_clear_pointer(&vm, virDomainObjUnref);
    path = testDataPath("starting.xml");
    vm = testParse(path);
    g_assert_cmpint(vm->state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(vm->reason, ==, VIR_DOMAIN_PAUSED_STARTING_UP);
    g_assert_cmpint(vm->pid, ==, 0);
    g_assert_null(vm->pidBootID);
    g_assert_false(vm->persistent);
    g_assert_null(vm->newDef);

    /* Older versions wrote no identity, and allowed this name. */
    g_clear_pointer(&path, g_free);
    g_clear_pointer(&vm, virDomainObjUnref);
    path = testDataPath("legacy.xml");
    vm = testParse(path);
    g_assert_cmpstr(vm->def->name, ==, " old.");
    g_assert_cmpint(vm->pid, ==, 31337);
    g_assert_cmpuint(vm->pidStartTime, ==, 0);
    g_assert_null(vm->pidBootID);
}

/* ------------------------------------------------------------------ */
/* Refused files                                                        */

typedef struct {
    const char *name;       /* the test's name */
    const char *from;       /* a part of running.xml (NULL: @to is the file) */
    const char *to;         /* what replaces it */
    int code;
    const char *needle;     /* in the message, besides the file's path */
} testBadCase;

static const testBadCase testBadCases[] = {
    /* The process: no silent cast, no wrap-around, no sign. */
    { "pid-wraps", "pid='4242'", "pid='4294967297'", VIR_ERR_XML_DETAIL,
      "invalid pid '4294967297': an integer from 0 to 2147483647" },
    { "pid-negative", "pid='4242'", "pid='-5'", VIR_ERR_XML_DETAIL,
      "invalid pid '-5'" },
    { "pid-junk", "pid='4242'", "pid='4242x'", VIR_ERR_XML_DETAIL,
      "invalid pid '4242x'" },
    { "pid-empty", "pid='4242'", "pid=''", VIR_ERR_XML_DETAIL,
      "invalid pid ''" },
    { "pid-missing", " pid='4242'", "", VIR_ERR_XML_DETAIL,
      "missing attribute 'pid'" },
    { "starttime-junk", "starttime='123456789'", "starttime='soon'",
      VIR_ERR_XML_DETAIL, "invalid starttime 'soon'" },
    { "starttime-overflow", "starttime='123456789'",
      "starttime='18446744073709551616'", VIR_ERR_XML_DETAIL,
      "invalid starttime '18446744073709551616'" },
    { "bootid-alone", " starttime='123456789'", "", VIR_ERR_XML_DETAIL,
      "attribute 'bootid' without 'starttime'" },
    { "starttime-alone", " bootid='0d2c3f36-4ab1-4c1e-9a55-2f1d8e4b7c10'", "",
      VIR_ERR_XML_DETAIL, "attribute 'starttime' without 'bootid'" },
    /* The state. */
    { "state-unknown", "state='running'", "state='flying'", VIR_ERR_XML_DETAIL,
      "unknown domain state 'flying'" },
    { "state-missing", "state='running' ", "", VIR_ERR_XML_DETAIL,
      "missing attribute 'state'" },
    { "reason-range", "reason='1'", "reason='11'", VIR_ERR_XML_DETAIL,
      "invalid reason '11': an integer from 0 to 10" },
    { "reason-junk", "reason='1'", "reason='booted'", VIR_ERR_XML_DETAIL,
      "invalid reason 'booted'" },
    { "persistent-junk", "persistent='yes'", "persistent='maybe'",
      VIR_ERR_XML_DETAIL, "invalid value 'maybe' of attribute 'persistent'" },
    { "persistent-missing", " persistent='yes'", "", VIR_ERR_XML_DETAIL,
      "missing attribute 'persistent'" },
    /* The driver's private data. */
    { "job-cur-negative", "cur='1048576'", "cur='-1'", VIR_ERR_XML_DETAIL,
      "invalid cur '-1'" },
    { "job-end-overflow", "end='33554432'", "end='18446744073709551616'",
      VIR_ERR_XML_DETAIL, "invalid end '18446744073709551616'" },
    { "job-state", "state='concluded'", "state='exploded'", VIR_ERR_XML_DETAIL,
      "unknown block job state 'exploded'" },
    { "job-flag", "stepwise='yes'", "stepwise='1'", VIR_ERR_XML_DETAIL,
      "invalid value '1' of attribute 'stepwise'" },
    { "job-base-relative", "base='/images/status/base.qcow2'", "base='base.qcow2'",
      VIR_ERR_XML_DETAIL, "base 'base.qcow2' of the block job on disk 'vda' is not an absolute path" },
    { "job-bandwidth-overflow", "bandwidth='1048576'", "bandwidth='9223372036854775808'",
      VIR_ERR_XML_DETAIL, "invalid bandwidth '9223372036854775808'" },
    { "job-no-jobid", " jobid='pull-vdb'", "", VIR_ERR_XML_DETAIL,
      "missing attribute 'jobid'" },
    { "job-twice", "disk='vdb' jobid='pull-vdb'", "disk='vda' jobid='pull-vdb'",
      VIR_ERR_XML_DETAIL, "a second block job on disk 'vda'" },
    { "label-relative", "<image path='/images/status/base.qcow2'/>",
      "<image path='images/base.qcow2'/>", VIR_ERR_XML_DETAIL,
      "path 'images/base.qcow2' is not absolute" },
    { "monitor-no-path",
      "<monitor path='/var/lib/root/run/qemu/7d9c4c2e-6f3e-4b16-9d80-5c3e4f6a7b82.mon'/>",
      "<monitor/>", VIR_ERR_XML_DETAIL, "missing attribute 'path'" },
    { "held-status", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome disk='vda' path='/images/status/top.qcow2'"
      " status='done'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "unknown block pull outcome 'done'" },
    { "held-status-number", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome disk='vda' path='/images/status/top.qcow2'"
      " status='0'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "unknown block pull outcome '0'" },
    { "held-relative", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome disk='vda' path='top.qcow2'"
      " status='failed'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "held outcome path 'top.qcow2' is not absolute" },
    { "held-no-disk", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome path='/images/status/top.qcow2'"
      " status='failed'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "missing attribute 'disk'" },
    { "held-empty-disk", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome disk='' path='/images/status/top.qcow2'"
      " status='failed'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "held outcome with an empty disk target" },
    { "held-twice", "  <domain type='qemu' id='12'>",
      "  <heldoutcomes><outcome disk='vda' path='/images/status/top.qcow2'"
      " status='failed'/><outcome disk='vda' path='/images/status/top.qcow2'"
      " status='completed'/></heldoutcomes>\n  <domain type='qemu' id='12'>",
      VIR_ERR_XML_DETAIL, "a second held outcome for disk 'vda'" },
    /* The definitions inside. */
    { "domain-id", "<domain type='qemu' id='12'>", "<domain type='qemu' id='-12'>",
      VIR_ERR_XML_DETAIL, "invalid id '-12'" },
    { "domain-name-slash", "<name>status</name>\n    <uuid>",
      "<name>a/b</name>\n    <uuid>", VIR_ERR_XML_DETAIL,
      "domain name 'a/b' contains '/'" },
    { "persistent-empty", NULL,
      "<domstatus state='running' reason='1' pid='0' persistent='yes'>\n"
      "  <domain type='qemu' id='1'><name>m</name><memory>65536</memory>"
      "<os><type>hvm</type></os></domain>\n"
      "  <persistent/>\n"
      "</domstatus>\n", VIR_ERR_XML_DETAIL,
      "missing element 'domain' (element 'persistent' at line 3" },
    /* Not a status file at all. */
    { "no-domain", NULL,
      "<domstatus state='running' reason='1' pid='0' persistent='no'/>\n",
      VIR_ERR_XML_DETAIL, "missing element 'domain'" },
    { "root", NULL, "<domain type='qemu'/>\n", VIR_ERR_XML_ERROR,
      "is not a domain status file: its root element is 'domain'" },
    { "truncated", NULL, "<domstatus state='running'", VIR_ERR_XML_ERROR,
      "malformed XML document" },
};

static void
testBad(gconstpointer data)
{
    const testBadCase *t = data;
    g_autofree char *golden = testDataPath("running.xml");
    g_autofree char *xml = testReadFile(golden);
    g_autofree char *name = g_strdup_printf("%s.xml", t->name);
    g_autofree char *path = g_build_filename(testTmpDir, name, NULL);
    g_autoptr(GString) spoiled = g_string_new(t->from ? xml : t->to);
    g_autoptr(virDomainObj) vm = NULL;
    const char *msg;

    if (t->from)
        g_assert_cmpuint(g_string_replace(spoiled, t->from, t->to, 1), ==, 1);
    g_assert_true(g_file_set_contents(path, spoiled->str, -1, NULL));

    virResetLastError();
    vm = virDomainObjParseFile(path, testXMLOpt);
    msg = virGetLastErrorMessage();
    g_test_message("%s: %s", virErrorCodeName(virGetLastErrorCode()), msg);
    g_assert_null(vm);
    g_assert_cmpstr(virErrorCodeName(virGetLastErrorCode()), ==,
                    virErrorCodeName(t->code));
    if (!strstr(msg, t->needle))
        g_error("message '%s' lacks '%s'", msg, t->needle);
    if (!strstr(msg, path))
        g_error("message '%s' does not name the file '%s'", msg, path);
}

int
main(int argc, char **argv)
{
    static const char *const goldens[] = { "running.xml", "starting.xml",
                                           "legacy.xml", "held.xml" };
    int ret;

    virTestInit(&argc, &argv);
    if (!(testSrcDir = g_getenv("abs_top_srcdir")))
        testSrcDir = ABS_TOP_SRCDIR;
    testTmpDir = virTestMakeDir("vqemustatus-XXXXXX");
    testXMLOpt = qemuDomainXMLOptionNew(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(goldens); i++) {
        g_autofree char *name = g_strdup_printf("/qemustatus/golden/%s", goldens[i]);

        g_test_add_data_func(name, goldens[i], testGolden);
    }
    g_test_add_func("/qemustatus/values", testValues);
    g_test_add_func("/qemustatus/string", testString);
    for (size_t i = 0; i < G_N_ELEMENTS(testBadCases); i++) {
        g_autofree char *name = g_strdup_printf("/qemustatus/refused/%s",
                                                testBadCases[i].name);

        g_test_add_data_func(name, &testBadCases[i], testBad);
    }
    ret = g_test_run();
    virDomainXMLOptionFree(testXMLOpt);
    virTestCleanupDir(testTmpDir);
    g_free(testTmpDir);
    return ret;
}
